// The API description (docs/openapi.json, served at /api/openapi.json) against the
// server it describes: the same operations as the router, complete operations, and
// real responses whose statuses, media types, headers and bodies it documents.
// Redocly CLI lints the document independently (ctest: openapi_redocly_lint).
#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo.h"
#include "app/system_routes.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kMethods[] = {"get",     "put",  "post",  "delete",
                                    "options", "head", "patch", "trace"};

const json::value& Document() {
  static const json::value doc = json::parse(app::OpenApiDocument());
  return doc;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep = "\n  ") {
  std::string out;
  for (const auto& s : items) {
    out += sep;
    out += s;
  }
  return out;
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out += part;
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Follows local "$ref"s ("#/components/...") to the object they name; null when a
// reference does not resolve or the target is not an object.
const json::object* Resolve(const json::value& v) {
  const json::value* cur = &v;
  for (int hops = 0; hops < 16; ++hops) {
    if (!cur->is_object()) return nullptr;
    const json::value* ref = cur->as_object().if_contains("$ref");
    if (!ref) return &cur->as_object();
    if (!ref->is_string() || ref->as_string().empty() || ref->as_string()[0] != '#') return nullptr;
    boost::system::error_code ec;
    cur = Document().find_pointer(std::string_view(ref->as_string()).substr(1), ec);
    if (!cur || ec) return nullptr;
  }
  return nullptr;
}

struct Operation {
  std::string method;  // upper case, as the router names it
  std::string path;
  const json::object* op;
};

std::vector<Operation> Operations() {
  std::vector<Operation> out;
  const json::object* paths = Document().as_object().at("paths").if_object();
  if (!paths) return out;
  for (const auto& [path, item] : *paths) {
    for (const char* m : kMethods) {
      if (const json::value* op = item.as_object().if_contains(m); op && op->is_object()) {
        out.push_back({Upper(m), std::string(path), &op->as_object()});
      }
    }
  }
  return out;
}

const json::object* FindOperation(const std::string& method, const std::string& path) {
  for (const auto& o : Operations()) {
    if (o.method == method && o.path == path) return o.op;
  }
  return nullptr;
}

// True when a response (or a reference to one) has an application/problem+json body
// described by the shared Problem schema.
bool IsProblemResponse(const json::value& response) {
  const json::object* r = Resolve(response);
  const json::value* content = r ? r->if_contains("content") : nullptr;
  if (!content || !content->is_object()) return false;
  const json::value* media = content->as_object().if_contains("application/problem+json");
  if (!media || !media->is_object()) return false;
  const json::value* schema = media->as_object().if_contains("schema");
  if (!schema || !schema->is_object()) return false;
  const json::value* ref = schema->as_object().if_contains("$ref");
  return ref && ref->is_string() && ref->as_string() == "#/components/schemas/Problem";
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheRouterServes) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  std::set<std::string> served;
  for (const auto& route : server.app().router().routes()) {
    served.insert(std::string(boost::beast::http::to_string(route.method)) + " " + route.pattern);
  }
  std::set<std::string> documented;
  for (const auto& o : Operations()) documented.insert(o.method + " " + o.path);
  ASSERT_FALSE(served.empty());

  std::vector<std::string> undocumented, unserved;
  std::set_difference(served.begin(), served.end(), documented.begin(), documented.end(),
                      std::back_inserter(undocumented));
  std::set_difference(documented.begin(), documented.end(), served.begin(), served.end(),
                      std::back_inserter(unserved));
  EXPECT_TRUE(undocumented.empty())
      << "routes the server has but docs/openapi.json does not describe:" << Join(undocumented);
  EXPECT_TRUE(unserved.empty()) << "operations docs/openapi.json describes but no route serves:"
                                << Join(unserved);
}

TEST(OpenApi, ServesTheDocumentAndTheDocsPage) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  HttpClient client(server.port());

  auto doc = client.Get("/api/openapi.json");
  ASSERT_EQ(doc.status, 200) << doc.body;
  EXPECT_EQ(doc.header("content-type").rfind("application/json", 0), 0u)
      << doc.header("content-type");
  EXPECT_EQ(doc.body, app::OpenApiDocument());
  json::value parsed = doc.json();
  ASSERT_TRUE(parsed.is_object());
  ASSERT_TRUE(parsed.as_object().contains("openapi"));
  EXPECT_EQ(std::string(parsed.at("openapi").as_string()).rfind("3.1", 0), 0u)
      << parsed.at("openapi");
  EXPECT_EQ(parsed.at("info").at("version").as_string(), OW_PROJECT_VERSION)
      << "info.version must follow CMake's";
  EXPECT_FALSE(doc.header("etag").empty());
  EXPECT_EQ(client.Get("/api/openapi.json", {{"If-None-Match", doc.header("etag")}}).status, 304);

  auto page = client.Get("/api/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type").rfind("text/html", 0), 0u) << page.header("content-type");
  EXPECT_NE(page.body.find("<script src=\"/api/docs.js\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<html lang=\"en\">"), std::string::npos);
  // Works offline and under the CSP: nothing fetched from elsewhere, no inline script.
  EXPECT_EQ(page.body.find("://"), std::string::npos)
      << "the page must not load anything from another origin";
  size_t scripts = 0;
  for (size_t at = page.body.find("<script"); at != std::string::npos;
       at = page.body.find("<script", at + 1)) {
    ++scripts;
    EXPECT_EQ(page.body.compare(at, 13, "<script src=\""), 0) << "inline script at byte " << at;
  }
  EXPECT_EQ(scripts, 1u);
  EXPECT_EQ(page.body.find(" onload="), std::string::npos);
  EXPECT_EQ(page.body.find(" onclick="), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'self'"), std::string::npos);

  auto script = client.Get("/api/docs.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type").rfind("text/javascript", 0), 0u)
      << script.header("content-type");
  EXPECT_NE(script.body.find("'/api/openapi.json'"), std::string::npos);
  EXPECT_EQ(script.body.find("http://"), std::string::npos);
  EXPECT_EQ(script.body.find("https://"), std::string::npos);
}

TEST(OpenApi, EveryOperationHasSummaryIdSuccessAndProblemResponses) {
  const json::object* problem = Resolve(json::value{{"$ref", "#/components/schemas/Problem"}});
  ASSERT_NE(problem, nullptr) << "components.schemas.Problem is missing";
  for (const char* member : {"type", "title", "status", "detail", "instance", "errors"}) {
    EXPECT_TRUE(problem->at("properties").as_object().contains(member))
        << "Problem lacks " << member;
  }

  std::vector<std::string> faults;
  std::set<std::string> ids;
  auto ops = Operations();
  ASSERT_FALSE(ops.empty());
  for (const auto& o : ops) {
    std::string name = o.method + " " + o.path;
    const json::value* summary = o.op->if_contains("summary");
    if (!summary || !summary->is_string() || summary->as_string().empty())
      faults.push_back(name + ": no summary");
    const json::value* id = o.op->if_contains("operationId");
    if (!id || !id->is_string() || id->as_string().empty()) {
      faults.push_back(name + ": no operationId");
    } else if (!ids.insert(std::string(id->as_string())).second) {
      faults.push_back(name + ": operationId " + std::string(id->as_string()) + " is used twice");
    }
    const json::value* responses = o.op->if_contains("responses");
    if (!responses || !responses->is_object()) {
      faults.push_back(name + ": no responses");
      continue;
    }
    bool success = false, problem_response = false;
    for (const auto& [status, response] : responses->as_object()) {
      if (status.size() == 3 && status[0] == '2') success = true;
      if ((status.size() == 3 && status[0] == '4') || status == "default") {
        problem_response = problem_response || IsProblemResponse(response);
      }
      if (!Resolve(response))
        faults.push_back(name + ": response " + std::string(status) + " does not resolve");
    }
    if (!success) faults.push_back(name + ": no 2xx response");
    if (!problem_response)
      faults.push_back(name + ": no 4xx or default response with the Problem schema");
  }
  EXPECT_TRUE(faults.empty()) << "incomplete operations in docs/openapi.json:" << Join(faults);
}

// Checks `v` against the parts of JSON Schema the document uses: $ref, allOf, type,
// enum, const, required, properties, additionalProperties: false and items.
void CheckSchema(const json::value& schema_ref, const json::value& v, const std::string& where,
                 std::vector<std::string>& faults) {
  const json::object* s = Resolve(schema_ref);
  if (!s) {
    faults.push_back(where + ": schema does not resolve");
    return;
  }
  if (const json::value* all = s->if_contains("allOf")) {
    for (const auto& part : all->as_array()) CheckSchema(part, v, where, faults);
  }
  if (const json::value* type = s->if_contains("type")) {
    std::vector<std::string> allowed;
    if (type->is_string()) allowed.emplace_back(type->as_string());
    if (type->is_array()) {
      for (const auto& t : type->as_array()) allowed.emplace_back(t.as_string());
    }
    auto is = [&](const std::string& t) {
      if (t == "string") return v.is_string();
      if (t == "integer") return v.is_int64() || v.is_uint64();
      if (t == "number") return v.is_number();
      if (t == "boolean") return v.is_bool();
      if (t == "null") return v.is_null();
      if (t == "array") return v.is_array();
      if (t == "object") return v.is_object();
      return false;
    };
    if (std::none_of(allowed.begin(), allowed.end(), is)) {
      faults.push_back(where + ": " + json::serialize(v) + " is not of type " +
                       json::serialize(*type));
      return;
    }
  }
  if (const json::value* e = s->if_contains("enum")) {
    const auto& values = e->as_array();
    if (std::find(values.begin(), values.end(), v) == values.end()) {
      faults.push_back(where + ": " + json::serialize(v) + " is not one of " + json::serialize(*e));
    }
  }
  if (const json::value* c = s->if_contains("const"); c && *c != v) {
    faults.push_back(where + ": " + json::serialize(v) + " is not " + json::serialize(*c));
  }
  if (v.is_object()) {
    const json::object& obj = v.as_object();
    const json::object* props =
        s->if_contains("properties") ? s->at("properties").if_object() : nullptr;
    if (const json::value* required = s->if_contains("required")) {
      for (const auto& r : required->as_array()) {
        if (!obj.contains(r.as_string()))
          faults.push_back(where + ": lacks required member " + std::string(r.as_string()));
      }
    }
    for (const auto& [key, member] : obj) {
      if (props && props->contains(key)) {
        CheckSchema(props->at(key), member, where + "." + std::string(key), faults);
      } else if (const json::value* ap = s->if_contains("additionalProperties");
                 ap && ap->is_bool() && !ap->as_bool()) {
        faults.push_back(where + ": member " + std::string(key) + " is not allowed");
      }
    }
  }
  if (v.is_array()) {
    if (const json::value* items = s->if_contains("items")) {
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        CheckSchema(*items, v.as_array()[i], where + "[" + std::to_string(i) + "]", faults);
      }
    }
  }
}

struct Probe {
  verb method;
  std::string target;  // path and query as sent
  std::string path;    // the documented path template it exercises
  int status;          // what the server must answer
  std::string body;    // sent as application/json when not empty
  std::map<std::string, std::string> headers;
};

// Exercises every operation against a server with the demo data and checks each real
// response against the document: its status is listed for the operation, its media
// type is one the document names, every documented header is present (with the
// documented value where the document fixes one) and the body fits the schema. A
// request body sent with success is checked against the documented request schema.
TEST(OpenApi, RealResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  HttpClient client(server.port());
  auto admin = server.AdminHeaders();
  auto with = [](std::map<std::string, std::string> h, const std::string& k, const std::string& v) {
    h[k] = v;
    return h;
  };
  std::string region_etag = client.Get("/api/v1/regions/33").header("etag");
  std::string docs_etag = client.Get("/api/docs").header("etag");
  const std::string kNew =
      R"({"code":"330102-JY","name":"上城区教育局","name_en":"Shangcheng District Education Bureau",)"
      R"("type":"department","region_code":"330102","parent_code":"330102-GOV"})";
  const std::string kReplace =
      R"({"name":"上城区教育局","name_en":null,"type":"department","region_code":"330102",)"
      R"("parent_code":"330102-GOV"})";
  // The documented path templates.
  const std::string kRegions = "/api/v1/regions", kSearch = "/api/v1/regions/search",
                    kRegion = "/api/v1/regions/{code}",
                    kChildren = "/api/v1/regions/{code}/children",
                    kPath = "/api/v1/regions/{code}/path", kList = "/api/v1/departments",
                    kOne = "/api/v1/departments/{code}";
  const std::string kShangcheng = "%E4%B8%8A%E5%9F%8E", kXihu = "%E8%A5%BF%E6%B9%96";  // 上城, 西湖
  const std::string kJy = "/api/v1/departments/330102-JY";

  std::vector<Probe> probes = {
      {verb::get, "/api/v1/regions?limit=2", kRegions, 200, {}, {}},
      {verb::get, "/api/v1/regions?limit=0", kRegions, 422, {}, {}},
      {verb::get, kSearch + "?q=" + kShangcheng, kSearch, 200, {}, {}},
      {verb::get, kSearch + "?q=" + kXihu + "&level=county&within=33", kSearch, 200, {}, {}},
      {verb::get, kSearch, kSearch, 422, {}, {}},
      {verb::get, "/api/v1/regions/330102", kRegion, 200, {}, {}},
      {verb::get, "/api/v1/regions/33", kRegion, 304, {}, {{"If-None-Match", region_etag}}},
      {verb::get, "/api/v1/regions/330199", kRegion, 404, {}, {}},
      {verb::get, "/api/v1/regions/3301x", kRegion, 422, {}, {}},
      {verb::get, "/api/v1/regions/3301/children?limit=2", kChildren, 200, {}, {}},
      {verb::get, "/api/v1/regions/330199/children", kChildren, 404, {}, {}},
      {verb::get, "/api/v1/regions/330102/path", kPath, 200, {}, {}},
      {verb::get, "/api/v1/departments?within=3301&type=service_center", kList, 200, {}, {}},
      {verb::get, "/api/v1/departments?type=bureau", kList, 422, {}, {}},
      {verb::post, kList, kList, 401, kNew, {}},
      {verb::post, kList, kList, 201, kNew, admin},
      {verb::post, kList, kList, 409, kNew, admin},
      {verb::post, kList, kList, 400, "{\"code\":", admin},
      {verb::post, kList, kList, 422, R"({"code":"330102-X","name":"某局","type":"bureau"})",
       admin},
      {verb::get, kJy, kOne, 200, {}, {}},
      {verb::get, kJy, kOne, 304, {}, {{"If-None-Match", "\"v1\""}}},
      {verb::get, "/api/v1/departments/330102-NONE", kOne, 404, {}, {}},
      {verb::put, kJy, kOne, 200, kReplace, with(admin, "If-Match", "\"v1\"")},
      {verb::put, kJy, kOne, 412, kReplace, with(admin, "If-Match", "\"v1\"")},
      {verb::put, kJy, kOne, 400, kReplace, with(admin, "If-Match", "v2")},
      {verb::delete_, "/api/v1/departments/330102-GOV", kOne, 409, {}, admin},
      {verb::delete_, kJy, kOne, 204, {}, with(admin, "If-Match", "\"v2\"")},
      {verb::delete_, kJy, kOne, 404, {}, admin},
      {verb::get, "/healthz", "/healthz", 200, {}, {}},
      {verb::get, "/readyz", "/readyz", 200, {}, {}},
      {verb::get, "/metrics", "/metrics", 200, {}, {}},
      {verb::get, "/api/openapi.json", "/api/openapi.json", 200, {}, {}},
      {verb::get, "/api/docs", "/api/docs", 200, {}, {}},
      {verb::get, "/api/docs", "/api/docs", 304, {}, {{"If-None-Match", docs_etag}}},
      {verb::get, "/api/docs.js", "/api/docs.js", 200, {}, {}},
  };

  std::vector<std::string> faults;
  std::set<std::string> probed;
  for (const auto& p : probes) {
    std::string method = std::string(boost::beast::http::to_string(p.method));
    std::string name = method + " " + p.target + " -> " + std::to_string(p.status);
    probed.insert(method + " " + p.path);
    HttpResponse res = p.body.empty() ? client.Send(p.method, p.target, {}, p.headers)
                                      : client.SendJson(p.method, p.target, p.body, p.headers);
    if (res.status != p.status) {
      faults.push_back(name + ": got " + std::to_string(res.status) + " " + res.body);
      continue;
    }
    const json::object* op = FindOperation(method, p.path);
    if (!op) {
      faults.push_back(Cat({name, ": ", method, " ", p.path, " is not documented"}));
      continue;
    }
    if (p.status / 100 == 2 && !p.body.empty()) {
      const json::object* rb = Resolve(op->at("requestBody"));
      if (!rb) {
        faults.push_back(name + ": the request body is not documented");
      } else {
        CheckSchema(rb->at("content").at("application/json").at("schema"), json::parse(p.body),
                    name + " request", faults);
      }
    }
    const json::object& responses = op->at("responses").as_object();
    const json::value* documented = responses.if_contains(std::to_string(p.status));
    if (!documented) {
      faults.push_back(name + ": status " + std::to_string(p.status) +
                       " is not documented for the operation");
      continue;
    }
    const json::object* r = Resolve(*documented);
    if (!r) {
      faults.push_back(name + ": the response does not resolve");
      continue;
    }
    if (const json::value* hs = r->if_contains("headers")) {
      for (const auto& [header, h] : hs->as_object()) {
        std::string actual = res.header(Lower(std::string(header)));
        if (actual.empty()) {
          faults.push_back(name + ": documented header " + std::string(header) + " is missing");
          continue;
        }
        const json::object* hdef = Resolve(h);
        const json::object* hschema =
            hdef && hdef->contains("schema") ? Resolve(hdef->at("schema")) : nullptr;
        if (hschema && hschema->contains("const") && hschema->at("const").as_string() != actual) {
          faults.push_back(Cat({name, ": header ", header, " is ", actual, ", documented as ",
                                json::serialize(hschema->at("const"))}));
        }
      }
    }
    const json::value* content = r->if_contains("content");
    if (!content) {
      if (!res.body.empty()) faults.push_back(name + ": documented without a body, but has one");
      continue;
    }
    std::string type = res.header("content-type");
    std::string media = Lower(type.substr(0, type.find(';')));
    const json::value* entry = content->as_object().if_contains(media);
    if (!entry) {
      faults.push_back(Cat({name, ": media type ", media, " is not documented"}));
      continue;
    }
    bool is_json = media == "application/json" || media.ends_with("+json");
    if (is_json && entry->as_object().contains("schema")) {
      boost::system::error_code ec;
      json::value body = json::parse(res.body, ec);
      if (ec) {
        faults.push_back(name + ": body is not JSON");
      } else {
        CheckSchema(entry->at("schema"), body, name + " body", faults);
      }
    }
  }

  std::vector<std::string> unprobed;
  for (const auto& o : Operations()) {
    if (!probed.contains(o.method + " " + o.path)) unprobed.push_back(o.method + " " + o.path);
  }
  EXPECT_TRUE(unprobed.empty()) << "operations no probe exercises (add one above):"
                                << Join(unprobed);
  EXPECT_TRUE(faults.empty()) << "real responses that docs/openapi.json does not describe:"
                              << Join(faults);
}

// The checker above must be able to fail: a body that breaks the documented schema
// in several ways is reported.
TEST(OpenApi, SchemaCheckRejectsWhatTheDocumentForbids) {
  std::vector<std::string> faults;
  json::value region =
      json::parse(R"({"code":"330102","name":"上城区","level":"district","parent_code":3301})");
  CheckSchema(json::value{{"$ref", "#/components/schemas/RegionDetail"}}, region, "region", faults);
  EXPECT_EQ(faults.size(), 3u) << Join(faults);  // level enum, parent_code type, no ancestors
  faults.clear();
  json::value input = json::parse(
      R"({"code":"x1","name":"某局","type":"department","region_code":"33","colour":"red"})");
  CheckSchema(json::value{{"$ref", "#/components/schemas/DepartmentCreate"}}, input, "input",
              faults);
  EXPECT_EQ(faults.size(), 1u) << Join(faults);  // colour is not allowed
}

}  // namespace
}  // namespace ow::testing
