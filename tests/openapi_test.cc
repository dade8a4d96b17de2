// The API description (docs/openapi.json, served at /api/openapi.json) against the
// server it describes: the same operations as the router, complete operations, and
// real responses whose statuses, media types, headers and bodies it documents.
// Redocly CLI lints the document independently (ctest: openapi_redocly_lint).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo.h"
#include "app/system_routes.h"
#include "cases/service.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "identity/ids.h"
#include "identity/service.h"
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
      // A browser endpoint (the OAuth authorization endpoint) succeeds with a redirect.
      if (status.size() == 3 && (status[0] == '2' || status == "302")) success = true;
      if ((status.size() == 3 && status[0] == '4') || status == "default") {
        problem_response = problem_response || IsProblemResponse(response);
      }
      if (!Resolve(response))
        faults.push_back(name + ": response " + std::string(status) + " does not resolve");
    }
    if (!success) faults.push_back(name + ": no 2xx (or 302) response");
    if (!problem_response)
      faults.push_back(name + ": no 4xx or default response with the Problem schema");
  }
  EXPECT_TRUE(faults.empty()) << "incomplete operations in docs/openapi.json:" << Join(faults);
}

// Checks `v` against the parts of JSON Schema the document uses: $ref, allOf, oneOf,
// anyOf, type, enum, const, required, properties, additionalProperties: false and items.
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
  // oneOf: exactly one alternative fits; anyOf: at least one. When none does, the
  // faults of the nearest alternative explain why.
  for (const char* keyword : {"oneOf", "anyOf"}) {
    const json::value* alternatives = s->if_contains(keyword);
    if (!alternatives) continue;
    size_t fitting = 0;
    std::vector<std::string> nearest;
    for (const auto& alternative : alternatives->as_array()) {
      std::vector<std::string> own;
      CheckSchema(alternative, v, where, own);
      if (own.empty()) {
        ++fitting;
      } else if (nearest.empty() || own.size() < nearest.size()) {
        nearest = std::move(own);
      }
    }
    if (fitting == 0) {
      faults.push_back(Cat({where, ": fits none of the ", keyword,
                            " alternatives; nearest:", Join(nearest, "\n    ")}));
    } else if (fitting > 1 && std::string_view(keyword) == "oneOf") {
      faults.push_back(where + ": fits " + std::to_string(fitting) +
                       " of the oneOf alternatives, not exactly one");
    }
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
  std::string body;    // sent as application/json unless `headers` names a Content-Type
  std::map<std::string, std::string> headers;
};

// Sends probes and checks each real response against the document: its status is
// listed for the operation, its media type is one the document names, every
// documented header is present (with the documented value or pattern where the
// document fixes one) and the body fits the schema. A request body sent with success
// is checked against the documented request schema of its media type.
class ResponseChecker {
 public:
  explicit ResponseChecker(uint16_t port) : client_(port) {}

  // Sends `p`, records any fault, and returns the response for later probes to use.
  HttpResponse Check(const Probe& p) {
    std::string method = std::string(boost::beast::http::to_string(p.method));
    std::string name = method + " " + p.target + " -> " + std::to_string(p.status);
    probed_.insert(method + " " + p.path);
    auto headers = p.headers;
    if (!p.body.empty() && !headers.contains("Content-Type"))
      headers["Content-Type"] = "application/json";
    HttpResponse res = client_.Send(p.method, p.target, p.body, headers);
    if (res.status != p.status) {
      faults_.push_back(name + ": got " + std::to_string(res.status) + " " + res.body);
      return res;
    }
    const json::object* op = FindOperation(method, p.path);
    if (!op) {
      faults_.push_back(Cat({name, ": ", method, " ", p.path, " is not documented"}));
      return res;
    }
    if (p.status / 100 == 2 && !p.body.empty()) CheckRequestBody(name, *op, p, headers);
    const json::object& responses = op->at("responses").as_object();
    const json::value* documented = responses.if_contains(std::to_string(p.status));
    if (!documented) {
      faults_.push_back(name + ": status " + std::to_string(p.status) +
                        " is not documented for the operation");
      return res;
    }
    const json::object* r = Resolve(*documented);
    if (!r) {
      faults_.push_back(name + ": the response does not resolve");
      return res;
    }
    if (const json::value* hs = r->if_contains("headers")) CheckHeaders(name, hs->as_object(), res);
    const json::value* content = r->if_contains("content");
    if (!content) {
      if (!res.body.empty()) faults_.push_back(name + ": documented without a body, but has one");
      return res;
    }
    std::string media = MediaType(res.header("content-type"));
    const json::value* entry = content->as_object().if_contains(media);
    if (!entry) {
      faults_.push_back(Cat({name, ": media type ", media, " is not documented"}));
      return res;
    }
    if (IsJson(media) && entry->as_object().contains("schema")) {
      boost::system::error_code ec;
      json::value body = json::parse(res.body, ec);
      if (ec) {
        faults_.push_back(name + ": body is not JSON");
      } else {
        CheckSchema(entry->at("schema"), body, name + " body", faults_);
      }
    }
    return res;
  }

  // The operations (method and path template) probed so far.
  const std::set<std::string>& probed() const { return probed_; }
  const std::vector<std::string>& faults() const { return faults_; }

 private:
  static std::string MediaType(const std::string& content_type) {
    return Lower(content_type.substr(0, content_type.find(';')));
  }
  static bool IsJson(const std::string& media) {
    return media == "application/json" || media.ends_with("+json");
  }

  void CheckRequestBody(const std::string& name, const json::object& op, const Probe& p,
                        const std::map<std::string, std::string>& headers) {
    const json::object* rb = op.contains("requestBody") ? Resolve(op.at("requestBody")) : nullptr;
    if (!rb) {
      faults_.push_back(name + ": the request body is not documented");
      return;
    }
    std::string media = MediaType(headers.at("Content-Type"));
    const json::value* entry = rb->at("content").as_object().if_contains(media);
    if (!entry) {
      faults_.push_back(Cat({name, ": request media type ", media, " is not documented"}));
    } else if (IsJson(media)) {
      CheckSchema(entry->at("schema"), json::parse(p.body), name + " request", faults_);
    }
  }

  void CheckHeaders(const std::string& name, const json::object& documented,
                    const HttpResponse& res) {
    for (const auto& [header, h] : documented) {
      std::string actual = res.header(Lower(std::string(header)));
      if (actual.empty()) {
        faults_.push_back(name + ": documented header " + std::string(header) + " is missing");
        continue;
      }
      const json::object* hdef = Resolve(h);
      const json::object* hschema =
          hdef && hdef->contains("schema") ? Resolve(hdef->at("schema")) : nullptr;
      if (!hschema) continue;
      if (hschema->contains("const") && hschema->at("const").as_string() != actual) {
        faults_.push_back(Cat({name, ": header ", header, " is ", actual, ", documented as ",
                               json::serialize(hschema->at("const"))}));
      }
      if (const json::value* pattern = hschema->if_contains("pattern");
          pattern && !std::regex_search(actual, std::regex(std::string(pattern->as_string())))) {
        faults_.push_back(Cat({name, ": header ", header, " is ", actual, ", which does not match ",
                               pattern->as_string()}));
      }
    }
  }

  HttpClient client_;
  std::vector<std::string> faults_;
  std::set<std::string> probed_;
};

// Fails the test for every documented operation of `in_scope` that no probe exercised.
void ExpectAllProbed(const ResponseChecker& checker, bool (*in_scope)(const std::string& path)) {
  std::vector<std::string> unprobed;
  for (const auto& o : Operations()) {
    if (in_scope(o.path) && !checker.probed().contains(o.method + " " + o.path))
      unprobed.push_back(o.method + " " + o.path);
  }
  EXPECT_TRUE(unprobed.empty()) << "operations no probe exercises (add one):" << Join(unprobed);
  EXPECT_TRUE(checker.faults().empty())
      << "real responses that docs/openapi.json does not describe:" << Join(checker.faults());
}

// Process definitions, and the process a catalog item follows.
bool IsProcessPath(const std::string& path) {
  return path.starts_with("/api/v1/processes") ||
         (path.starts_with("/api/v1/catalog/items/") && path.ends_with("/process"));
}
bool IsCatalogPath(const std::string& path) {
  return path.starts_with("/api/v1/catalog") && !IsProcessPath(path);
}
// Trusted peer platforms and sign-in through them.
bool IsFederationPath(const std::string& path) {
  return path.starts_with("/api/v1/trusts") || path.starts_with("/oauth2/federation/");
}
// Uploaded files.
bool IsMaterialsPath(const std::string& path) {
  return path.starts_with("/api/v1/materials") || path == "/api/v1/me/materials";
}
// Accounts, sessions, staff, enterprises, the OpenID Connect provider and the audit log.
// Applications, the staff workbench, applicants' messages and bundle applications.
bool IsCasesPath(const std::string& path) {
  for (const char* prefix : {"/api/v1/cases", "/api/v1/me/cases", "/api/v1/me/messages",
                             "/api/v1/bundle-applications", "/api/v1/workbench", "/api/v1/tasks"}) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}
bool IsIdentityPath(const std::string& path) {
  if (IsFederationPath(path) || IsCasesPath(path) || IsMaterialsPath(path)) return false;
  for (const char* prefix :
       {"/api/v1/accounts", "/api/v1/session", "/api/v1/me/", "/api/v1/staff", "/api/v1/counter/",
        "/api/v1/enterprises", "/api/v1/oidc/", "/api/v1/audit", "/oauth2/", "/.well-known/"}) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}
bool IsCalendarPath(const std::string& path) { return path.starts_with("/api/v1/calendar"); }
bool IsReferencePath(const std::string& path) {
  return !IsCatalogPath(path) && !IsIdentityPath(path) && !IsFederationPath(path) &&
         !IsProcessPath(path) && !IsCalendarPath(path) && !IsCasesPath(path) &&
         !IsMaterialsPath(path);
}

std::map<std::string, std::string> With(std::map<std::string, std::string> h, const std::string& k,
                                        const std::string& v) {
  h[k] = v;
  return h;
}

// Exercises every operation outside the catalog and identity against a server with the
// demo data (those have their own tests below).
TEST(OpenApi, RealResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  HttpClient client(server.port());
  ResponseChecker checker(server.port());
  auto admin = server.AdminHeaders();
  const auto& with = With;
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

  for (const auto& p : probes) checker.Check(p);
  ExpectAllProbed(checker, IsReferencePath);
}

// The holiday calendar: the seeded 2026 year, publishing 2027, and every documented
// failure a client can provoke.
TEST(OpenApi, CalendarResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  auto admin = server.AdminHeaders();
  const std::string kYear = "/api/v1/calendar/{year}";
  const std::string k2027 = "/api/v1/calendar/2027";
  const std::string kBody =
      R"({"holidays":["2027-01-01","2027-10-01"],"working_days":["2027-09-26"]})";
  const std::string kBad = R"({"holidays":["2026-10-01"],"working_days":["2027-09-27"]})";
  std::vector<Probe> probes = {
      {verb::get, "/api/v1/calendar/2026", kYear, 200, {}, {}},
      {verb::get, "/api/v1/calendar/2026", kYear, 304, {}, {{"If-None-Match", "\"v1\""}}},
      {verb::get, k2027, kYear, 404, {}, {}},
      {verb::get, "/api/v1/calendar/1999", kYear, 422, {}, {}},
      {verb::put, k2027, kYear, 401, kBody, {}},
      {verb::put, k2027, kYear, 412, kBody, With(admin, "If-Match", "\"v1\"")},
      {verb::put, k2027, kYear, 201, kBody, admin},
      {verb::put, k2027, kYear, 200, kBody, With(admin, "If-Match", "\"v1\"")},
      {verb::put, k2027, kYear, 412, kBody, With(admin, "If-Match", "\"v1\"")},
      {verb::put, k2027, kYear, 400, kBody, With(admin, "If-Match", "v2")},
      {verb::put, k2027, kYear, 400, "{\"holidays\":", admin},
      {verb::put, k2027, kYear, 422, kBad, admin},
      {verb::get, k2027, kYear, 200, {}, {}},
  };
  for (const auto& p : probes) checker.Check(p);
  ExpectAllProbed(checker, IsCalendarPath);
}

// A catalog item document for the probes: 结婚登记 in 杭州市, whose `guide` varies
// between versions.
std::string MarriageItem(const std::string& guide) {
  return R"({"code":"OAT-JHDJ","name":"结婚登记","name_en":"Marriage registration",)"
         R"("aliases":["婚姻登记"],"type":"administrative_confirmation","served":["natural_person"],)"
         R"("department_code":"3301-MZ","themes":["婚姻家庭"],"level":"city",)"
         R"("service_forms":["online","counter"],"jurisdiction":["3301"],)"
         R"("materials":[{"name":"居民身份证","required":true,"form":"paper","license_type":"居民身份证"}],)"
         R"("statutory_days":0,"promised_days":0,"online_depth":2,"visits":1,"appointment":true,)"
         R"("guide":")" +
         guide + R"("})";
}

// 食品经营许可 and the items it is split into and merged back as.
std::string FoodItem(const std::string& code, const std::string& name) {
  return R"({"code":")" + code + R"(","name":")" + name +
         R"(","type":"administrative_licensing","served":["legal_person"],)"
         R"("department_code":"3301-SCJG","themes":["开办企业"],"level":"city",)"
         R"("service_forms":["online"],"jurisdiction":["3301"],"statutory_days":20,)"
         R"("promised_days":5,"online_depth":4,"visits":0,"delivery":true})";
}

// The `id` (or `change_id`) of a created change, "0" when the response has none.
std::string IdOf(const HttpResponse& res) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (ec || !v.is_object()) return "0";
  for (const char* key : {"id", "change_id"}) {
    if (const json::value* id = v.as_object().if_contains(key); id && id->is_int64())
      return std::to_string(id->as_int64());
  }
  return "0";
}

// True when the problem in `res` names `field` in its `errors`.
bool NamesField(const HttpResponse& res, const std::string& field) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* errors = !ec && v.is_object() ? v.as_object().if_contains("errors") : nullptr;
  if (!errors || !errors->is_array()) return false;
  return std::any_of(errors->as_array().begin(), errors->as_array().end(), [&](const auto& e) {
    const json::value* f = e.is_object() ? e.as_object().if_contains("field") : nullptr;
    return f && f->is_string() && f->as_string() == field;
  });
}

// Exercises every catalog operation: the review workflow with two named administrators
// (alice writes, bob reviews), versions, diffs, implementation lists, import and
// export, split and merge lineage, bundles and search, with their error responses.
TEST(OpenApi, CatalogResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [](Config& c) {
    c.admin_tokens = "alice:alice-token-0123456789,bob:bob-token-0123456789";
  });
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  const auto admin = server.AdminHeaders();
  const std::map<std::string, std::string> alice = {{"Authorization",
                                                     "Bearer alice-token-0123456789"}},
                                           bob = {{"Authorization", "Bearer bob-token-0123456789"}};
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  // The documented path templates.
  const std::string kItems = "/api/v1/catalog/items", kItem = kItems + "/{code}",
                    kVersions = kItem + "/versions", kVersion = kVersions + "/{version}",
                    kDiff = kItem + "/diff", kLineage = kItem + "/lineage",
                    kItemImpls = kItem + "/implementations", kImpl = kItemImpls + "/{region}",
                    kImpls = "/api/v1/catalog/implementations",
                    kChanges = "/api/v1/catalog/changes", kChange = kChanges + "/{id}",
                    kSubmit = kChange + "/submit", kApprove = kChange + "/approve",
                    kReject = kChange + "/reject", kWithdraw = kChange + "/withdraw",
                    kImport = "/api/v1/catalog/import", kExport = "/api/v1/catalog/export",
                    kBundles = "/api/v1/catalog/bundles", kBundle = kBundles + "/{code}";
  const std::string kJhdj = kItems + "/OAT-JHDJ";
  auto change = [&](const std::string& id) { return kChanges + "/" + id; };
  auto add = [](const std::string& item) {
    return R"({"kind":"add","summary":"新增结婚登记事项","payload":{"item":)" + item + "}}";
  };
  auto edit = [](const std::string& item, int base) {
    return R"({"kind":"change","summary":"修改办事指南","payload":{"base_version":)" +
           std::to_string(base) + R"(,"item":)" + item + "}}";
  };
  const std::string v1 = MarriageItem("携带身份证和户口簿，当场办结。");
  const std::string v2 = MarriageItem("携带身份证和户口簿，到任一婚姻登记处当场办结。");
  const std::string v2b = MarriageItem("携带身份证、户口簿和照片，当场办结。");
  const std::string kReview = R"({"comment":"核对无误"})";

  // Add an item: alice drafts, edits (If-Match), submits; bob approves.
  check(verb::post, kChanges, kChanges, 401, add(v1));
  auto created = check(verb::post, kChanges, kChanges, 201, add(v1), alice);
  const std::string a = IdOf(created);
  EXPECT_EQ(created.header("etag"), "\"r1\"");
  EXPECT_EQ(created.header("location"), change(a));
  auto invalid = check(verb::post, kChanges, kChanges, 422,
                       R"({"kind":"add","payload":{"item":{"code":"OAT-BAD","name":"某事项",)"
                       R"("type":"licence","materials":[{"name":"照片","copies":99}]}}})",
                       alice);
  EXPECT_TRUE(NamesField(invalid, "payload/item/type")) << invalid.body;
  EXPECT_TRUE(NamesField(invalid, "payload/item/materials/0/copies")) << invalid.body;
  check(verb::post, kChanges, kChanges, 400, R"({"kind":)", alice);
  check(verb::get, change(a), kChange, 200, {}, alice);
  check(verb::get, change("999999"), kChange, 404, {}, admin);
  check(verb::get, change("x1"), kChange, 422, {}, admin);
  check(verb::put, change(a), kChange, 200, add(v1), With(alice, "If-Match", "\"r1\""));
  check(verb::put, change(a), kChange, 412, add(v1), With(alice, "If-Match", "\"r1\""));
  check(verb::put, change(a), kChange, 400, add(v1), With(alice, "If-Match", "r2"));
  check(verb::put, change(a), kChange, 403, add(v1), bob);
  check(verb::post, change(a) + "/approve", kApprove, 409, {}, bob);  // still a draft
  check(verb::post, change(a) + "/submit", kSubmit, 200, {}, alice);
  auto own = check(verb::post, change(a) + "/approve", kApprove, 403, kReview, alice);
  EXPECT_NE(own.body.find("may not approve"), std::string::npos) << own.body;
  auto published = check(verb::post, change(a) + "/approve", kApprove, 200, kReview, bob);
  EXPECT_NE(published.body.find("\"status\":\"published\""), std::string::npos);
  check(verb::get, kChanges + "?status=published&limit=1", kChanges, 200, {}, admin);
  check(verb::get, kChanges + "?status=approved", kChanges, 422, {}, admin);
  check(verb::get, kChanges, kChanges, 401);

  // The published item, as published and as 上城区 implements it.
  const std::string kLocal =
      R"({"department_code":"330102-MZ","halls":[{"name":"上城区婚姻登记处","address":"杭州市上城区"}],)"
      R"("consult_phone":"0571-87654321","note":"上城区范围内可在任一街道便民服务中心预约"})";
  check(verb::put, kJhdj + "/implementations/330102", kImpl, 401, kLocal);
  check(verb::put, kJhdj + "/implementations/330102", kImpl, 200, kLocal, admin);
  check(verb::put, kJhdj + "/implementations/33", kImpl, 422, R"({"department_code":"3301-MZ"})",
        admin);  // above the item's level and outside its jurisdiction
  check(verb::put, kItems + "/OAT-NONE/implementations/330102", kImpl, 404, kLocal, admin);
  auto local = check(verb::get, kJhdj + "?region=330102", kItem, 200);
  EXPECT_NE(local.body.find("\"department_code\":\"330102-MZ\""), std::string::npos) << local.body;
  auto current = check(verb::get, kJhdj, kItem, 200);
  check(verb::get, kJhdj, kItem, 304, {}, {{"If-None-Match", current.header("etag")}});
  check(verb::get, kItems + "/OAT-NONE", kItem, 404);
  check(verb::get, kJhdj + "?region=3301x", kItem, 422);
  check(verb::get, kJhdj + "/implementations", kItemImpls, 200);

  // Two edits of version 1: the first publishes version 2, the second is then stale.
  const std::string c1 = IdOf(check(verb::post, kChanges, kChanges, 201, edit(v2, 1), alice));
  const std::string c2 = IdOf(check(verb::post, kChanges, kChanges, 201, edit(v2b, 1), alice));
  check(verb::post, change(c1) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(c2) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(c1) + "/approve", kApprove, 200, {}, bob);
  auto stale = check(verb::post, change(c2) + "/approve", kApprove, 409, {}, bob);
  EXPECT_NE(stale.body.find("is at version 2"), std::string::npos) << stale.body;
  auto flagged = check(verb::get, kImpls + "?needs_review=true&item=OAT-JHDJ", kImpls, 200);
  EXPECT_NE(flagged.body.find("\"needs_review\":true"), std::string::npos) << flagged.body;
  check(verb::get, kImpls + "?region=3301x", kImpls, 422);
  check(verb::put, change(c2), kChange, 409, edit(v2b, 2), alice);   // under review
  check(verb::post, change(c2) + "/reject", kReject, 422, {}, bob);  // no comment
  check(verb::post, change(c2) + "/reject", kReject, 403, R"({"comment":"自己驳回"})", alice);
  check(verb::post, change(c2) + "/reject", kReject, 200, R"({"comment":"请基于第 2 版修改"})",
        bob);
  check(verb::post, change(c2) + "/withdraw", kWithdraw, 403, {}, bob);
  check(verb::post, change(c2) + "/withdraw", kWithdraw, 200, {}, alice);
  check(verb::post, change(c2) + "/submit", kSubmit, 409, {}, alice);

  // Versions and diffs.
  check(verb::get, kJhdj + "/versions", kVersions, 200);
  check(verb::get, kItems + "/OAT-NONE/versions", kVersions, 404);
  auto first = check(verb::get, kJhdj + "/versions/1", kVersion, 200);
  check(verb::get, kJhdj + "/versions/1", kVersion, 304, {},
        {{"If-None-Match", first.header("etag")}});
  check(verb::get, kJhdj + "/versions/9", kVersion, 404);
  check(verb::get, kJhdj + "/versions/0", kVersion, 422);
  auto diff = check(verb::get, kJhdj + "/diff?from=1&to=2", kDiff, 200);
  EXPECT_NE(diff.body.find("\"path\":\"/guide\""), std::string::npos) << diff.body;
  check(verb::get, kJhdj + "/diff?from=1&to=2", kDiff, 304, {},
        {{"If-None-Match", diff.header("etag")}});
  check(verb::get, kJhdj + "/diff?from=1", kDiff, 422);
  check(verb::get, kJhdj + "/diff?from=1&to=9", kDiff, 404);

  // Import: JSON in the export format and CSV, each recorded under review.
  const std::string kFile = R"({"format":"onewindow-catalog","format_version":1,"items":[)"
                            R"({"status":"published","item":)" +
                            FoodItem("OAT-SPJY", "食品经营许可") +
                            R"(}],"implementations":[],"bundles":[]})";
  auto csv = With(alice, "Content-Type", "text/csv; charset=utf-8");
  const std::string kCsv =
      "code,name,type,served,department_code,level,service_forms,jurisdiction,statutory_days,"
      "promised_days,online_depth,visits\r\n"
      "OAT-CSV,社会团体成立登记,administrative_licensing,\"[\"\"legal_person\"\"]\",3301-MZ,city,"
      "\"[\"\"counter\"\"]\",\"[\"\"3301\"\"]\",60,30,3,1\r\n";
  check(verb::post, kImport, kImport, 401, kFile);
  check(verb::post, kImport, kImport, 415, "code,name", With(alice, "Content-Type", "text/plain"));
  check(verb::post, kImport, kImport, 400, "not json", alice);
  auto rejected = check(verb::post, kImport, kImport, 422,
                        R"({"format":"onewindow-catalog","items":[{"status":"published","item":)"
                        R"({"code":"OAT-X","name":"某事项"}}]})",
                        alice);
  EXPECT_TRUE(NamesField(rejected, "items/0/item/type")) << rejected.body;
  auto imported = check(verb::post, kImport, kImport, 202, kFile, alice);
  EXPECT_EQ(imported.header("location"), change(IdOf(imported)));
  check(verb::post, change(IdOf(imported)) + "/approve", kApprove, 200, {}, bob);
  auto from_csv = check(verb::post, kImport, kImport, 202, kCsv, csv);
  check(verb::post, change(IdOf(from_csv)) + "/approve", kApprove, 200, kReview, admin);

  // Split 食品经营许可 in two, then merge the two back into one: lineage links them.
  const std::string split = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"split","summary":"按新办、变更拆分","payload":{"source":"OAT-SPJY","items":[)" +
          FoodItem("OAT-SPJY-XB", "食品经营许可（新办）") + "," +
          FoodItem("OAT-SPJY-BG", "食品经营许可（变更）") + "]}}",
      alice));
  check(verb::post, change(split) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(split) + "/approve", kApprove, 200, {}, bob);
  const std::string merge = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"merge","summary":"合并办理","payload":{"sources":["OAT-SPJY-XB","OAT-SPJY-BG"],"item":)" +
          FoodItem("OAT-SPJY-HB", "食品经营许可（新办、变更）") + "}}",
      alice));
  check(verb::post, change(merge) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(merge) + "/approve", kApprove, 200, {}, bob);
  auto lineage = check(verb::get, kItems + "/OAT-SPJY/lineage", kLineage, 200);
  EXPECT_NE(lineage.body.find("\"to_code\":\"OAT-SPJY-XB\""), std::string::npos) << lineage.body;
  check(verb::get, kItems + "/OAT-NONE/lineage", kLineage, 404);
  check(verb::put, kItems + "/OAT-SPJY/implementations/330102", kImpl, 409,
        R"({"department_code":"330102-SCJG"})", admin);  // cancelled by the split
  check(verb::put, kItems + "/OAT-SPJY-HB/implementations/330102", kImpl, 422,
        R"({"department_code":"330102-SCJG","promised_days":30})", admin);  // over statutory
  const std::string suspend = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"suspend","payload":{"code":"OAT-JHDJ","reason":"婚姻登记处搬迁，暂停受理"}})",
      alice));
  check(verb::post, change(suspend) + "/withdraw", kWithdraw, 200, R"({"comment":""})", alice);

  // Search.
  auto found = check(verb::get, kItems + "?q=%E7%BB%93%E5%A9%9A", kItems, 200);  // 结婚
  EXPECT_NE(found.body.find("\"code\":\"OAT-JHDJ\""), std::string::npos) << found.body;
  auto faceted = check(verb::get, kItems + "?region=330102&facets=true", kItems, 200);
  EXPECT_NE(faceted.body.find("\"total\":"), std::string::npos) << faceted.body;
  check(verb::get, kItems + "?type=administrative_licensing&online_depth=4&limit=1", kItems, 200);
  check(verb::get, kItems + "?limit=0", kItems, 422);
  check(verb::get, kItems + "?served=company", kItems, 422);

  // Bundles.
  const std::string kBundleBody =
      R"({"name":"结婚开店一件事","kind":"life_event","items":["OAT-JHDJ","OAT-SPJY-HB"],)"
      R"("intake_schema":{"type":"object","properties":{"applicant_name":{"type":"string"}}}})";
  check(verb::put, kBundles + "/OAT-JHKD", kBundle, 401, kBundleBody);
  check(verb::put, kBundles + "/OAT-JHKD", kBundle, 200, kBundleBody, admin);
  check(verb::put, kBundles + "/OAT-BAD", kBundle, 422,
        R"({"name":"某事","kind":"event","items":["OAT-SPJY"],"intake_schema":{}})", admin);
  auto bundles = check(verb::get, kBundles, kBundles, 200);
  check(verb::get, kBundles, kBundles, 304, {}, {{"If-None-Match", bundles.header("etag")}});
  auto bundle = check(verb::get, kBundles + "/OAT-JHKD", kBundle, 200);
  check(verb::get, kBundles + "/OAT-JHKD", kBundle, 304, {},
        {{"If-None-Match", bundle.header("etag")}});
  check(verb::get, kBundles + "/OAT-NONE", kBundle, 404);

  // Export, then clean up.
  auto exported = check(verb::get, kExport, kExport, 200);
  EXPECT_NE(exported.body.find("\"OAT-JHDJ\""), std::string::npos);
  auto exported_csv = check(verb::get, kExport + "?format=csv", kExport, 200);
  EXPECT_EQ(exported_csv.body.rfind("status,code,name,", 0), 0u) << exported_csv.body.substr(0, 80);
  check(verb::get, kExport + "?format=xml", kExport, 422);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 401);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 204, {}, admin);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 404, {}, admin);
  check(verb::delete_, kJhdj + "/implementations/330102", kImpl, 204, {}, admin);
  check(verb::delete_, kJhdj + "/implementations/330102", kImpl, 404, {}, admin);

  ExpectAllProbed(checker, IsCatalogPath);
}
// GB 11643: the first 17 digits of a resident ID number and its check character.
std::string ResidentId(const std::string& first17) {
  return first17 + identity::ResidentIdCheckChar(first17);
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The value of query parameter `name` in a URL (values here need no decoding).
std::string QueryParam(const std::string& url, const std::string& name) {
  for (const char* sep : {"?", "&"}) {
    size_t at = url.find(sep + name + "=");
    if (at == std::string::npos) continue;
    size_t from = at + name.size() + 2;
    return url.substr(from, url.find('&', from) - from);
  }
  return {};
}

// A member of a JSON object response as a string; "" when absent.
std::string Member(const HttpResponse& res, const char* key) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* m = !ec && v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

// A portal session: the Cookie header to send and the CSRF token for unsafe methods.
struct Login {
  std::map<std::string, std::string> read;   // Cookie only
  std::map<std::string, std::string> write;  // Cookie and X-CSRF-Token
};

Login LoginOf(const HttpResponse& res) {
  std::string cookie = res.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  std::string csrf;
  if (!ec && v.is_object() && v.as_object().contains("csrf_token"))
    csrf = std::string(v.at("csrf_token").as_string());
  return {{{"Cookie", cookie}}, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}};
}

std::map<std::string, std::string> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// Materials: a resident uploads, lists and downloads; every documented failure a
// client can provoke, the virus scanner's included (a shell one-liner stands in).
TEST(OpenApi, MaterialsResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [](Config& c) {
    c.password_concurrency = 2;
    c.materials_max_file_bytes = 1024;
    c.materials_scanner_command =
        "sh -c 'if grep -q EICAR \"$1\"; then echo \"$1: Eicar-Signature FOUND\"; exit 1; fi; "
        "if grep -q BROKEN \"$1\"; then exit 2; fi' scanner";
  });
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  const std::string kPassword = "Qiantang-River-1949";
  auto registered = client.SendJson(
      verb::post, "/api/v1/accounts",
      json::serialize(json::object{{"username", "zhang.san"},
                                   {"password", kPassword},
                                   {"real_name", "张三"},
                                   {"resident_id", ResidentId("11010519491231002")}}));
  ASSERT_EQ(registered.status, 201) << registered.body;
  auto login = client.SendJson(
      verb::post, "/api/v1/session",
      json::serialize(json::object{{"username", "zhang.san"}, {"password", kPassword}}));
  ASSERT_EQ(login.status, 201) << login.body;
  std::string set_cookie = login.header("set-cookie");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf(json::parse(login.body).at("csrf_token").as_string());
  const std::map<std::string, std::string> session = {{"Cookie", cookie}};
  auto upload = [&](std::string content_type) {
    return std::map<std::string, std::string>{
        {"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", std::move(content_type)}};
  };
  const std::string kUpload = "/api/v1/materials", kMine = "/api/v1/me/materials",
                    kMaterial = "/api/v1/materials/{id}", kContent = kMaterial + "/content";
  const std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

  auto created =
      checker.Check({verb::post, kUpload, kUpload, 201, pdf,
                     With(upload("application/pdf"), "Content-Disposition",
                          "attachment; filename*=UTF-8''%E6%88%B7%E5%8F%A3%E6%9C%AC.pdf")});
  const std::string id = Member(created, "id");
  ASSERT_FALSE(id.empty()) << created.body;
  const std::string one = "/api/v1/materials/" + id;
  std::vector<Probe> probes = {
      {verb::post, kUpload, kUpload, 401, pdf, {{"Content-Type", "application/pdf"}}},
      {verb::post, kUpload, kUpload, 403, pdf, With(session, "Content-Type", "application/pdf")},
      {verb::post, kUpload, kUpload, 403, pdf, With(admin, "Content-Type", "application/pdf")},
      {verb::post, kUpload, kUpload, 413, std::string(4096, 'x'), upload("application/pdf")},
      {verb::post, kUpload, kUpload, 415, "hello, world\n", upload("text/plain")},
      {verb::post, kUpload, kUpload, 422, pdf + "EICAR", upload("application/pdf")},
      {verb::post, kUpload + "?filename=a%01b.pdf", kUpload, 422, pdf, upload("application/pdf")},
      {verb::post, kUpload, kUpload, 503, pdf + "BROKEN", upload("application/pdf")},
      {verb::get, kMine, kMine, 200, {}, session},
      {verb::get, kMine, kMine, 401, {}, {}},
      {verb::get, kMine, kMine, 403, {}, admin},
      {verb::get, one, kMaterial, 200, {}, session},
      {verb::get, one, kMaterial, 401, {}, {}},
      {verb::get, one, kMaterial, 403, {}, admin},
      {verb::get, "/api/v1/materials/mat_nope", kMaterial, 404, {}, session},
      {verb::get, one + "/content", kContent, 200, {}, session},
      {verb::get,
       one + "/content",
       kContent,
       304,
       {},
       With(session, "If-None-Match",
            "\"" + std::string(json::parse(created.body).at("sha256").as_string()) + "\"")},
      {verb::get, one + "/content", kContent, 401, {}, {}},
      {verb::get, "/api/v1/materials/mat_nope/content", kContent, 404, {}, session},
  };
  for (const auto& p : probes) checker.Check(p);
  ExpectAllProbed(checker, IsMaterialsPath);
}

class OpenApiIdentity : public StoreTest {};

// Exercises every account, session, staff, enterprise, OpenID Connect and audit
// operation with its main success and error answers, on both stores: a resident
// registers, logs in, authorizes an agent and registers an enterprise; the system
// administrator (the admin token) creates staff and registers a client; a security
// administrator grants roles and rotates keys; a relying party runs the code flow with
// PKCE, refreshes, reads userinfo and logs out; the audit administrator reads the log.
TEST_P(OpenApiIdentity, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url(), [](Config& c) {
    c.lockout_threshold = 2;
    c.ip_failure_limit = 6;
  });
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kPassword = "Qiantang-River-1949";
  auto staff = [&](const std::string& username) {
    return identity::RegisterInput{username, kPassword, "管理员", "", "", "330102-GOV", "330102"};
  };
  ASSERT_TRUE(server.app().identity().CreateAdmin(staff("security.admin"), "security_admin"));
  ASSERT_TRUE(server.app().identity().CreateAdmin(staff("audit.admin"), "audit_admin"));
  auto credentials = [&](const std::string& username, const std::string& password) {
    return json::serialize(json::object{{"username", username}, {"password", password}});
  };
  const std::string kAccounts = "/api/v1/accounts", kAccount = kAccounts + "/{id}",
                    kSession = "/api/v1/session", kSessions = "/api/v1/me/sessions",
                    kPasswordPath = "/api/v1/me/password", kAgents = "/api/v1/me/agents",
                    kAgent = kAgents + "/{id}", kMine = "/api/v1/me/enterprises",
                    kEnterprises = "/api/v1/enterprises",
                    kOperators = kEnterprises + "/{code}/operators",
                    kOperator = kOperators + "/{username}", kStaff = "/api/v1/staff",
                    kStatus = kStaff + "/{id}/status", kRoles = kStaff + "/{id}/roles",
                    kClients = "/api/v1/oidc/clients", kClientStatus = kClients + "/{id}/status",
                    kRotation = "/api/v1/oidc/keys/rotation",
                    kDiscovery = "/.well-known/openid-configuration", kJwks = "/oauth2/jwks",
                    kAuthorize = "/oauth2/authorize", kToken = "/oauth2/token",
                    kUserinfo = "/oauth2/userinfo", kLogout = "/oauth2/logout",
                    kAudit = "/api/v1/audit", kVerify = "/api/v1/audit/verify";
  const std::string kNobody = "acc_AAAAAAAAAAAAAAAAAAAAAA";  // well-formed, never issued

  // Residents register.
  auto person = [&](const std::string& username, const std::string& resident_id) {
    return json::serialize(json::object{{"username", username},
                                        {"password", kPassword},
                                        {"real_name", "张三"},
                                        {"resident_id", resident_id},
                                        {"phone", "13812345678"}});
  };
  const std::string kZhangId = ResidentId("11010519491231002");  // ends in X
  auto zhang = check(verb::post, kAccounts, kAccounts, 201, person("zhang.san", kZhangId));
  const std::string zhang_id = Member(zhang, "id");
  EXPECT_EQ(zhang.header("location"), kAccounts + "/" + zhang_id);
  EXPECT_NE(zhang.body.find("\"resident_id\":\"110***********002X\""), std::string::npos)
      << zhang.body;
  auto wang = check(verb::post, kAccounts, kAccounts, 201,
                    person("wang.wu", ResidentId("44052419800101001")));
  check(verb::post, kAccounts, kAccounts, 409, person("zhang.san", kZhangId));
  auto bad_id = check(verb::post, kAccounts, kAccounts, 422,
                      person("li.ming", kZhangId.substr(0, 17) + "0"));  // wrong check character
  EXPECT_TRUE(NamesField(bad_id, "resident_id")) << bad_id.body;
  check(verb::post, kAccounts, kAccounts, 400, "{\"username\":");
  check(verb::post, kAccounts, kAccounts, 415, "username=zhang.san",
        {{"Content-Type", "application/x-www-form-urlencoded"}});

  // Sessions.
  check(verb::post, kSession, kSession, 401, credentials("zhang.san", "Wrong-password-1"));
  check(verb::post, kSession, kSession, 422, R"({"username":"zhang.san"})");
  const Login z =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("zhang.san", kPassword),
                    {{"User-Agent", "openapi-test"}}));
  const Login w =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("wang.wu", kPassword)));
  const Login sec =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("security.admin", kPassword)));
  const Login aud =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("audit.admin", kPassword)));
  check(verb::get, kSession, kSession, 200, {}, z.read);
  check(verb::get, kSession, kSession, 401);
  check(verb::get, kSession, kSession, 403, {}, admin);  // a token is not a session
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 200, {}, z.read);
  check(verb::get, kAccounts + "/" + Member(wang, "id"), kAccount, 404, {}, z.read);
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 401);
  check(verb::get, kSessions, kSessions, 200, {}, z.read);
  check(verb::get, kSessions, kSessions, 401);
  check(verb::get, kSessions, kSessions, 403, {}, admin);

  // Identity proofing: the caller's level; online verification (no real-name service is
  // configured here: 409); counter staff look a resident up and verify the ID card.
  {
    const std::string kIdentity = "/api/v1/me/identity", kOnline = kIdentity + "/verification",
                      kLookups = "/api/v1/counter/account-lookups",
                      kCounterVerify = "/api/v1/counter/accounts/{id}/verification";
    auto proof = check(verb::post, kAccounts, kAccounts, 201,
                       person("li.proof", ResidentId("33010219851111234")));
    const Login lp =
        LoginOf(check(verb::post, kSession, kSession, 201, credentials("li.proof", kPassword)));
    ASSERT_TRUE(server.app().identity().Bootstrap(staff("hall.clerk"), identity::kStaff,
                                                  {{identity::kCounter, "", "330102"}}));
    const Login counter =
        LoginOf(check(verb::post, kSession, kSession, 201, credentials("hall.clerk", kPassword)));
    check(verb::get, kIdentity, kIdentity, 200, {}, lp.read);
    check(verb::get, kIdentity, kIdentity, 401);
    check(verb::post, kOnline, kOnline, 401, "{}");
    check(verb::post, kOnline, kOnline, 403, "{}", lp.read);  // no CSRF token
    check(verb::post, kOnline, kOnline, 422, R"({"real_name":"张三"})", lp.write);
    check(verb::post, kOnline, kOnline, 409, "{}", lp.write);
    check(verb::post, kLookups, kLookups, 200, R"({"username":"li.proof"})", counter.write);
    check(verb::post, kLookups, kLookups, 200,
          json::serialize(json::object{{"resident_id", ResidentId("33010219851111234")}}),
          counter.write);
    check(verb::post, kLookups, kLookups, 422, "{}", counter.write);
    check(verb::post, kLookups, kLookups, 403, R"({"username":"li.proof"})", lp.write);
    check(verb::post, kLookups, kLookups, 401, R"({"username":"li.proof"})");
    const std::string target = "/api/v1/counter/accounts/" + Member(proof, "id") + "/verification";
    check(verb::post, target, kCounterVerify, 401, R"({"card_checked":true})");
    check(verb::post, target, kCounterVerify, 403, R"({"card_checked":true})", lp.write);
    check(verb::post, target, kCounterVerify, 422, R"({"card_checked":false})", counter.write);
    check(verb::post, "/api/v1/counter/accounts/" + kNobody + "/verification", kCounterVerify, 404,
          R"({"card_checked":true})", counter.write);
    check(verb::post, target, kCounterVerify, 200,
          R"({"card_checked":true,"hall_region":"330102"})", counter.write);
    auto acceptor = server.app().identity().AccountByUsername("security.admin");
    ASSERT_TRUE(acceptor) << acceptor.error().message;
    check(verb::post, "/api/v1/counter/accounts/" + acceptor->id + "/verification", kCounterVerify,
          409, R"({"card_checked":true})", counter.write);
  }
  const std::string kNewPassword =
      R"({"current_password":"Qiantang-River-1949","new_password":"West-Lake-Pagoda-1924"})";
  check(verb::put, kPasswordPath, kPasswordPath, 403, kNewPassword, z.read);  // no CSRF token
  check(verb::put, kPasswordPath, kPasswordPath, 422,
        R"({"current_password":"not-the-password","new_password":"West-Lake-Pagoda-1924"})",
        z.write);
  check(verb::put, kPasswordPath, kPasswordPath, 204, kNewPassword, z.write);

  // Staff and roles: the admin token creates staff, the security administrator grants.
  const std::string kLiSi =
      R"({"username":"li.si","password":"Shangcheng-Hall-2025","real_name":"李四",)"
      R"("department_code":"330102-MZ","region_code":"330102"})";
  auto li = check(verb::post, kStaff, kStaff, 201, kLiSi, admin);
  const std::string li_id = Member(li, "id");
  EXPECT_EQ(li.header("location"), kAccounts + "/" + li_id);
  check(verb::post, kStaff, kStaff, 409, kLiSi, admin);
  check(verb::post, kStaff, kStaff, 401, kLiSi);
  check(verb::post, kStaff, kStaff, 403, kLiSi, z.write);
  auto no_dept =
      check(verb::post, kStaff, kStaff, 422,
            R"({"username":"zhao.liu","password":"Shangcheng-Hall-2025",)"
            R"("real_name":"赵六","department_code":"330102-NONE","region_code":"330102"})",
            admin);
  EXPECT_TRUE(NamesField(no_dept, "department_code")) << no_dept.body;
  check(verb::get, kStaff + "?limit=2", kStaff, 200, {}, admin);
  check(verb::get, kStaff, kStaff, 403, {}, z.read);
  check(verb::get, kStaff + "?limit=0", kStaff, 422, {}, admin);
  const std::string roles = kStaff + "/" + li_id + "/roles";
  const std::string kAgentRole = R"({"role":"agent","region_code":"330102"})";
  check(verb::post, roles, kRoles, 201, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 409, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 403, kAgentRole, admin);  // not a security administrator
  check(verb::post, roles, kRoles, 422, R"({"role":"mayor"})", sec.write);
  check(verb::post, kStaff + "/" + kNobody + "/roles", kRoles, 404, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 201, R"({"role":"counter","region_code":"330102"})", sec.write);
  check(verb::delete_, roles + "?role=counter&region_code=330102", kRoles, 204, {}, sec.write);
  check(verb::delete_, roles + "?role=counter&region_code=330102", kRoles, 404, {}, sec.write);

  // Agents.
  const std::string kAgentBody =
      R"({"agent_username":"li.si","scope":"*","expires_at":")" +
      FormatTime(std::chrono::system_clock::now() + std::chrono::hours(24 * 30)) + R"("})";
  check(verb::post, kAgents, kAgents, 403, kAgentBody, z.read);  // no CSRF token
  auto agent = check(verb::post, kAgents, kAgents, 201, kAgentBody, z.write);
  auto not_agent =
      check(verb::post, kAgents, kAgents, 422,
            R"({"agent_username":"wang.wu","expires_at":"2099-01-01T00:00:00Z"})", z.write);
  EXPECT_TRUE(NamesField(not_agent, "expires_at")) << not_agent.body;
  check(verb::post, kAgents, kAgents, 409, kAgentBody, sec.write);  // staff, not a person
  check(verb::get, kAgents, kAgents, 200, {}, z.read);
  check(verb::delete_, kAgents + "/" + Member(agent, "id"), kAgent, 204, {}, z.write);
  check(verb::delete_, kAgents + "/" + Member(agent, "id"), kAgent, 404, {}, z.write);

  // Enterprises.
  const std::string kCode = "91330102MA2H0XYA1T";
  const std::string kEnterprise =
      R"({"credit_code":")" + kCode + R"(","name":"杭州上城示例科技有限公司"})";
  check(verb::post, kEnterprises, kEnterprises, 201, kEnterprise, z.write);
  check(verb::post, kEnterprises, kEnterprises, 409, kEnterprise, z.write);
  check(verb::post, kEnterprises, kEnterprises, 403, kEnterprise, z.read);
  auto bad_code = check(verb::post, kEnterprises, kEnterprises, 422,
                        R"({"credit_code":"91330102MA2H0XYA1X","name":"某公司"})", z.write);
  EXPECT_TRUE(NamesField(bad_code, "credit_code")) << bad_code.body;
  check(verb::get, kMine, kMine, 200, {}, z.read);
  const std::string ops = kEnterprises + "/" + kCode + "/operators";
  check(verb::get, ops, kOperators, 200, {}, z.read);
  check(verb::get, ops, kOperators, 404, {}, w.read);
  const std::string kEnterpriseCases = kEnterprises + "/{code}/cases";
  check(verb::get, kEnterprises + "/" + kCode + "/cases", kEnterpriseCases, 200, {}, z.read);
  check(verb::get, kEnterprises + "/" + kCode + "/cases", kEnterpriseCases, 404, {}, w.read);
  check(verb::get, kEnterprises + "/" + kCode + "/cases?per_page=0", kEnterpriseCases, 422, {},
        z.read);
  check(verb::put, ops + "/wang.wu", kOperator, 200, R"({"rights":["apply","view"]})", z.write);
  check(verb::put, ops + "/wang.wu", kOperator, 422, R"({"rights":["fly"]})", z.write);
  check(verb::put, ops + "/zhang.san", kOperator, 409, R"({"rights":["view"]})", z.write);
  check(verb::put, ops + "/zhang.san", kOperator, 403, R"({"rights":["view"]})", w.write);
  check(verb::delete_, ops + "/zhang.san", kOperator, 409, {}, z.write);
  check(verb::delete_, ops + "/wang.wu", kOperator, 204, {}, z.write);
  check(verb::delete_, ops + "/wang.wu", kOperator, 404, {}, z.write);

  // OpenID Connect clients and keys.
  const std::string kCallback = "http://127.0.0.1:1/cb", kLoggedOut = "http://127.0.0.1:1/bye";
  const std::string kClient =
      R"({"name":"上城区办事服务平台","type":"confidential","redirect_uris":[")" + kCallback +
      R"("],"post_logout_redirect_uris":[")" + kLoggedOut +
      R"("],"grant_types":["authorization_code","refresh_token","client_credentials"],)"
      R"("scopes":["openid","profile","catalog.read"],"id_token_signed_response_alg":"EdDSA"})";
  auto registered = check(verb::post, kClients, kClients, 201, kClient, admin);
  const std::string client_id = Member(registered, "client_id");
  const std::string secret = Member(registered, "client_secret");
  EXPECT_EQ(registered.header("location"), kClients + "/" + client_id);
  ASSERT_FALSE(secret.empty()) << registered.body;
  auto other = check(verb::post, kClients, kClients, 201,
                     R"({"name":"某移动应用","type":"public","redirect_uris":[")" + kCallback +
                         R"("],"grant_types":["authorization_code"],"scopes":["openid"]})",
                     admin);
  auto bad_client =
      check(verb::post, kClients, kClients, 422,
            R"({"name":"某应用","type":"public","grant_types":["client_credentials"]})", admin);
  EXPECT_TRUE(NamesField(bad_client, "grant_types/0")) << bad_client.body;
  check(verb::post, kClients, kClients, 401, kClient);
  check(verb::post, kClients, kClients, 403, kClient, z.write);
  check(verb::get, kClients, kClients, 200, {}, admin);
  check(verb::get, kClients, kClients, 403, {}, z.read);
  const std::string other_status = kClients + "/" + Member(other, "client_id") + "/status";
  check(verb::put, other_status, kClientStatus, 204, R"({"status":"disabled"})", admin);
  check(verb::put, other_status, kClientStatus, 422, R"({"status":"gone"})", admin);
  check(verb::put, kClients + "/cl_none/status", kClientStatus, 404, R"({"status":"active"})",
        admin);
  check(verb::post, kRotation, kRotation, 200, {}, sec.write);
  check(verb::post, kRotation, kRotation, 403, {}, admin);
  check(verb::post, kRotation, kRotation, 401);

  // The provider: discovery, keys, the code flow with PKCE, refresh, client credentials.
  auto discovery = check(verb::get, kDiscovery, kDiscovery, 200);
  EXPECT_EQ(Member(discovery, "issuer"), "http://127.0.0.1:" + std::to_string(server.port()));
  check(verb::get, kJwks, kJwks, 200);
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string authorize =
      kAuthorize + "?response_type=code&client_id=" + client_id +
      "&redirect_uri=" + UrlEncode(kCallback) +
      "&state=s-1&nonce=n-1&code_challenge=" + crypto::Base64UrlEncode(crypto::Sha256(verifier)) +
      "&code_challenge_method=S256";
  auto to_login = check(verb::get, authorize + "&scope=openid%20profile", kAuthorize, 302);
  EXPECT_EQ(to_login.header("location").rfind("/login?return=%2Foauth2%2Fauthorize", 0), 0u)
      << to_login.header("location");
  auto to_client =
      check(verb::get, authorize + "&scope=openid%20profile", kAuthorize, 302, {}, z.read);
  const std::string code = QueryParam(to_client.header("location"), "code");
  EXPECT_EQ(to_client.header("location").rfind(kCallback + "?code=", 0), 0u)
      << to_client.header("location");
  EXPECT_EQ(QueryParam(to_client.header("location"), "state"), "s-1");
  auto refused = check(verb::get, authorize + "&scope=profile", kAuthorize, 302, {}, z.read);
  EXPECT_EQ(QueryParam(refused.header("location"), "error"), "invalid_scope")
      << refused.header("location");
  check(verb::get, kAuthorize + "?response_type=code&client_id=cl_none&scope=openid", kAuthorize,
        422);
  const std::map<std::string, std::string> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  auto client_post = "&client_id=" + client_id + "&client_secret=" + secret;
  auto bad_grant =
      check(verb::post, kToken, kToken, 400,
            "grant_type=authorization_code&code=not-a-code&redirect_uri=" + UrlEncode(kCallback) +
                client_post,
            form);
  EXPECT_EQ(Member(bad_grant, "error"), "invalid_grant") << bad_grant.body;
  auto bad_client_auth =
      check(verb::post, kToken, kToken, 401,
            "grant_type=client_credentials&client_id=" + client_id + "&client_secret=wrong", form);
  EXPECT_EQ(Member(bad_client_auth, "error"), "invalid_client") << bad_client_auth.body;
  check(verb::post, kToken, kToken, 415, R"({"grant_type":"client_credentials"})");
  auto tokens =
      check(verb::post, kToken, kToken, 200,
            "grant_type=authorization_code&code=" + code + "&redirect_uri=" + UrlEncode(kCallback) +
                "&code_verifier=" + verifier + client_post,
            form);
  const std::string access = Member(tokens, "access_token");
  const std::string id_token = Member(tokens, "id_token");
  ASSERT_FALSE(id_token.empty()) << tokens.body;
  auto refreshed = check(
      verb::post, kToken, kToken, 200,
      "grant_type=refresh_token&refresh_token=" + Member(tokens, "refresh_token") + client_post,
      form);
  EXPECT_FALSE(Member(refreshed, "refresh_token").empty()) << refreshed.body;
  // A refresh may narrow the scope: a token without openid reads no userinfo.
  auto narrowed = check(verb::post, kToken, kToken, 200,
                        "grant_type=refresh_token&scope=profile&refresh_token=" +
                            Member(refreshed, "refresh_token") + client_post,
                        form);
  EXPECT_EQ(Member(narrowed, "scope"), "profile") << narrowed.body;
  // client_secret_basic: base64 of "id:secret" (both are base64url already, so no escaping).
  std::string basic = crypto::Base64UrlEncode(client_id + ":" + secret);
  for (auto& ch : basic) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (basic.size() % 4) basic += '=';
  auto machine = check(verb::post, kToken, kToken, 200, "grant_type=client_credentials",
                       With(form, "Authorization", "Basic " + basic));
  EXPECT_EQ(Member(machine, "scope"), "profile catalog.read") << machine.body;
  EXPECT_EQ(Member(machine, "id_token"), "") << "client credentials have no user";

  // Bearer access tokens on the API and userinfo.
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 200, {}, Bearer(access));
  check(verb::get, kSession, kSession, 403, {}, Bearer(access));  // the session cookie only
  check(verb::put, kPasswordPath, kPasswordPath, 403, kNewPassword, Bearer(access));
  auto info = check(verb::get, kUserinfo, kUserinfo, 200, {}, Bearer(access));
  EXPECT_EQ(Member(info, "preferred_username"), "zhang.san") << info.body;
  check(verb::post, kUserinfo, kUserinfo, 200, {}, Bearer(access));
  check(verb::get, kUserinfo, kUserinfo, 401);
  check(verb::get, kUserinfo, kUserinfo, 401, {}, Bearer(Member(machine, "access_token")));
  check(verb::post, kUserinfo, kUserinfo, 401, {}, Bearer("not-a-token"));
  for (verb method : {verb::get, verb::post}) {
    auto no_openid =
        check(method, kUserinfo, kUserinfo, 403, {}, Bearer(Member(narrowed, "access_token")));
    EXPECT_EQ(no_openid.header("www-authenticate"),
              "Bearer error=\"insufficient_scope\", scope=\"openid\"");
  }

  // The audit administrator reads the log; nobody else does.
  auto records = check(verb::get, kAudit + "?action=login.&limit=10", kAudit, 200, {}, aud.read);
  EXPECT_NE(records.body.find("\"action\":\"login.failed\""), std::string::npos) << records.body;
  check(verb::get, kAudit, kAudit, 401);
  check(verb::get, kAudit, kAudit, 403, {}, admin);
  check(verb::get, kAudit, kAudit, 403, {}, sec.read);
  check(verb::get, kAudit + "?limit=0", kAudit, 422, {}, aud.read);
  auto verified = check(verb::get, kVerify, kVerify, 200, {}, aud.read);
  EXPECT_NE(verified.body.find("\"ok\":true"), std::string::npos) << verified.body;
  check(verb::get, kVerify + "?from=0", kVerify, 422, {}, aud.read);
  check(verb::get, kVerify, kVerify, 403, {}, z.read);

  // Logout: RP-initiated, then the portal's own; staff disabled.
  auto confirm = check(verb::get, kLogout, kLogout, 200, {}, z.read);  // asks first
  EXPECT_NE(confirm.body.find("csrf_token"), std::string::npos) << confirm.body;
  // The confirmation form: a wrong token is refused; a relying party's POST goes to GET.
  check(verb::post, kLogout, kLogout, 403, "csrf_token=wrong",
        With(form, "Cookie", z.read.at("Cookie")));
  check(verb::post, kLogout, kLogout, 303, "state=bye-0", form);
  auto back = check(verb::get,
                    kLogout + "?id_token_hint=" + id_token +
                        "&post_logout_redirect_uri=" + UrlEncode(kLoggedOut) + "&state=bye-1",
                    kLogout, 302, {}, z.read);
  EXPECT_EQ(back.header("location"), kLoggedOut + "?state=bye-1");
  check(verb::get, kSession, kSession, 401, {}, z.read);            // that session ended
  check(verb::get, kUserinfo, kUserinfo, 401, {}, Bearer(access));  // its grant is revoked
  check(verb::get, kLogout + "?id_token_hint=" + id_token, kLogout, 200);
  check(verb::delete_, kSession, kSession, 403, {}, w.read);  // no CSRF token
  check(verb::delete_, kSession, kSession, 403, {}, admin);   // a token is not a session
  check(verb::delete_, kSession, kSession, 401);
  check(verb::delete_, kSession, kSession, 204, {}, w.write);
  const Login w2 =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("wang.wu", kPassword)));
  check(verb::delete_, kSessions, kSessions, 403, {}, w2.read);
  check(verb::delete_, kSessions, kSessions, 200, {}, w2.write);
  check(verb::delete_, kSessions, kSessions, 401, {}, w2.write);
  const std::string status = kStaff + "/" + li_id + "/status";
  check(verb::put, status, kStatus, 403, R"({"status":"disabled"})", sec.write);
  check(verb::put, status, kStatus, 422, R"({"status":"gone"})", admin);
  check(verb::put, kStaff + "/" + kNobody + "/status", kStatus, 404, R"({"status":"disabled"})",
        admin);
  check(verb::put, status, kStatus, 204, R"({"status":"disabled"})", admin);
  // A disabled account answers like a wrong password.
  check(verb::post, kSession, kSession, 401, credentials("li.si", "Shangcheng-Hall-2025"));

  // Two failures of one username from one address (this configuration), then that
  // pair waits; then the address is throttled.
  check(verb::post, kSession, kSession, 401, credentials("wang.wu", "Wrong-password-1"));
  check(verb::post, kSession, kSession, 401, credentials("wang.wu", "Wrong-password-2"));
  auto locked = check(verb::post, kSession, kSession, 429, credentials("wang.wu", kPassword));
  EXPECT_NE(locked.body.find("this username"), std::string::npos) << locked.body;
  for (int i = 0; i < 10; ++i) {
    auto res = client.Send(verb::post, kSession, credentials("nobody", "Wrong-password-3"),
                           {{"Content-Type", "application/json"}});
    if (res.status == 429) break;
    EXPECT_EQ(res.status, 401) << res.body;
  }
  auto throttled =
      check(verb::post, kSession, kSession, 429, credentials("zhang.san", "West-Lake-Pagoda-1924"));
  // The wait is what is left of the ten-minute window of the failures just made, and the
  // message names the same number of seconds.
  const std::string wait = throttled.header("retry-after");
  const int64_t seconds = std::strtoll(wait.c_str(), nullptr, 10);
  EXPECT_GT(seconds, 60) << wait;
  EXPECT_LE(seconds, 601) << wait;
  EXPECT_NE(Member(throttled, "detail").find("try again in " + wait + " seconds"),
            std::string::npos)
      << throttled.body;

  ExpectAllProbed(checker, IsIdentityPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiIdentity);

// The path and query of an absolute URL ("/" when it has no path).
std::string PathAndQuery(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

class OpenApiFederation : public StoreTest {};

// Exercises the federation operations with two real platforms on loopback: this one
// (on the store under test) trusts a peer (on SQLite) that registered it as a client;
// residents sign in at the peer and come back, or are refused.
TEST_P(OpenApiFederation, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestDatabase peer_db(Store::kSqlite);
  TestServer peer(peer_db.url());
  TestServer server(db_url());
  ResponseChecker checker(server.port());
  HttpClient here(server.port()), there(peer.port());
  const auto admin = server.AdminHeaders();
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kTrusts = "/api/v1/trusts", kTrust = kTrusts + "/{name}",
                    kLogin = "/oauth2/federation/{name}/login",
                    kCallback = "/oauth2/federation/{name}/callback";
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string peer_origin = "http://127.0.0.1:" + std::to_string(peer.port());
  const std::string kPassword = "Qiantang-River-1949";
  const std::string kZhangId = ResidentId("11010519491231002");

  // Zhang has an account on both platforms, Zhao only at the peer.
  auto person = [&](const std::string& username, const std::string& resident_id) {
    return json::serialize(json::object{{"username", username},
                                        {"password", kPassword},
                                        {"real_name", "张三"},
                                        {"resident_id", resident_id}});
  };
  ASSERT_EQ(there.SendJson(verb::post, "/api/v1/accounts", person("zhang.b", kZhangId)).status,
            201);
  ASSERT_EQ(there
                .SendJson(verb::post, "/api/v1/accounts",
                          person("zhao.b", ResidentId("44052419800101001")))
                .status,
            201);
  ASSERT_EQ(here.SendJson(verb::post, "/api/v1/accounts", person("zhang.a", kZhangId)).status, 201);
  // Only verified numbers are released to peers and signed into from them.
  for (TestServer* s : {&peer, &server}) {
    for (const char* u : {"zhang.b", "zhao.b", "zhang.a"}) {
      auto acc = s->app().identity().AccountByUsername(u);
      if (!acc) continue;
      ASSERT_TRUE(
          s->app().identity().RaiseIdentity(acc->id, 3, "bootstrap", "test", "test", "", {}));
    }
  }
  const Login resident = LoginOf(here.SendJson(
      verb::post, "/api/v1/session",
      json::serialize(json::object{{"username", "zhang.a"}, {"password", kPassword}})));

  // The peer registers this platform as a client that may ask for the resident ID.
  auto registered = there.SendJson(
      verb::post, "/api/v1/oidc/clients",
      json::serialize(
          json::object{{"name", "Platform A"},
                       {"type", "confidential"},
                       {"redirect_uris", json::array{origin + "/oauth2/federation/zj-b/callback"}},
                       {"grant_types", json::array{"authorization_code"}},
                       {"scopes", json::array{"openid", "resident_id"}}}),
      peer.AdminHeaders());
  ASSERT_EQ(registered.status, 201) << registered.body;
  json::object trust{{"name", "zj-b"},
                     {"display_name", "浙江政务服务网（B）"},
                     {"discovery_url", peer_origin + "/.well-known/openid-configuration"},
                     {"client_id", Member(registered, "client_id")},
                     {"client_secret", Member(registered, "client_secret")},
                     {"assurance", "ow:loa:2"}};
  auto with = [&](const char* key, const std::string& value) {
    json::object changed = trust;
    changed[key] = value;
    return json::serialize(changed);
  };

  // Trusts: the system administrator adds and removes them, anyone lists them.
  check(verb::get, kTrusts, kTrusts, 200);
  check(verb::post, kTrusts, kTrusts, 401, json::serialize(trust));
  check(verb::post, kTrusts, kTrusts, 403, json::serialize(trust), resident.write);
  auto added = check(verb::post, kTrusts, kTrusts, 201, json::serialize(trust), admin);
  EXPECT_EQ(added.header("location"), kTrusts + "/zj-b");
  EXPECT_EQ(added.body.find(Member(registered, "client_secret")), std::string::npos);
  check(verb::post, kTrusts, kTrusts, 409, json::serialize(trust), admin);
  // The peer's document names 127.0.0.1 as its issuer, not localhost.
  auto other_issuer =
      check(verb::post, kTrusts, kTrusts, 422,
            with("discovery_url", "http://localhost:" + std::to_string(peer.port()) +
                                      "/.well-known/openid-configuration"),
            admin);
  EXPECT_TRUE(NamesField(other_issuer, "discovery_url")) << other_issuer.body;
  auto bad_name = check(verb::post, kTrusts, kTrusts, 422, with("name", "ZJ B"), admin);
  EXPECT_TRUE(NamesField(bad_name, "name")) << bad_name.body;
  check(verb::post, kTrusts, kTrusts, 503,
        with("discovery_url", "http://127.0.0.1:1/.well-known/openid-configuration"), admin);
  check(verb::post, kTrusts, kTrusts, 400, "{\"name\":", admin);
  check(verb::post, kTrusts, kTrusts, 415, "name=zj-b",
        With(admin, "Content-Type", "application/x-www-form-urlencoded"));
  auto listed = check(verb::get, kTrusts, kTrusts, 200);
  EXPECT_NE(listed.body.find("\"login_url\":\"/oauth2/federation/zj-b/login\""), std::string::npos)
      << listed.body;

  // Sign-in through the peer, up to the peer's redirect back to the callback.
  std::map<std::string, std::string> browser;  // the federation cookie of the last start
  auto start = [&](const std::string& username) {
    auto to_peer =
        check(verb::get, "/oauth2/federation/zj-b/login?return=%2Fmy%2Fcases", kLogin, 302);
    std::string fed = to_peer.header("set-cookie");
    browser = {{"Cookie", fed.substr(0, fed.find(';'))}};
    EXPECT_EQ(to_peer.header("location").rfind(peer_origin + "/oauth2/authorize?", 0), 0u)
        << to_peer.header("location");
    auto login = there.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    std::string cookie = login.header("set-cookie");
    auto back = there.Get(PathAndQuery(to_peer.header("location")),
                          {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    EXPECT_EQ(back.status, 302) << back.body;
    EXPECT_EQ(back.header("location").rfind(origin + "/oauth2/federation/zj-b/callback?", 0), 0u)
        << back.header("location");
    return PathAndQuery(back.header("location"));
  };
  check(verb::get, "/oauth2/federation/nowhere/login", kLogin, 404);
  check(verb::get, "/oauth2/federation/zj-b/login?return=https%3A%2F%2Fevil.example%2F", kLogin,
        422);
  const std::string callback = start("zhang.b");
  auto signed_in = check(verb::get, callback, kCallback, 302, {}, browser);
  EXPECT_EQ(signed_in.header("location"), "/my/cases");
  std::string cookie = signed_in.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto session = here.Get("/api/v1/session", {{"Cookie", cookie}});
  EXPECT_EQ(session.status, 200) << session.body;
  EXPECT_NE(session.body.find("\"username\":\"zhang.a\""), std::string::npos) << session.body;
  auto sessions = here.Get("/api/v1/me/sessions", {{"Cookie", cookie}});
  EXPECT_NE(sessions.body.find("\"idp\":\"zj-b\""), std::string::npos) << sessions.body;
  check(verb::get, callback, kCallback, 422, {}, browser);  // a state is good once
  check(verb::get, "/oauth2/federation/zj-b/callback?code=abc&state=made-up", kCallback, 422);
  const std::string zhao = start("zhao.b");
  auto no_account = check(verb::get, zhao, kCallback, 404, {}, browser);
  EXPECT_EQ(no_account.header("set-cookie").find("ow_session"), std::string::npos);
  // A code the peer never issued: the peer does not redeem it.
  const std::string fresh = start("zhang.b");
  auto forged =
      check(verb::get,
            "/oauth2/federation/zj-b/callback?code=not-a-code&state=" + QueryParam(fresh, "state"),
            kCallback, 401, {}, browser);
  EXPECT_EQ(forged.header("set-cookie").find("ow_session"), std::string::npos);

  // A logged-in person verifies their identity through the peer.
  const std::string kVerifyStart = "/oauth2/federation/{name}/verify";
  check(verb::get, "/oauth2/federation/zj-b/verify?return=%2Fme%2Faccount", kVerifyStart, 401);
  check(verb::get, "/oauth2/federation/zj-b/verify?return=%2Fme%2Faccount", kVerifyStart, 302, {},
        resident.read);
  check(verb::get, "/oauth2/federation/nowhere/verify", kVerifyStart, 404, {}, resident.read);
  check(verb::get, "/oauth2/federation/zj-b/verify?return=https%3A%2F%2Fevil.example%2F",
        kVerifyStart, 422, {}, resident.read);

  check(verb::delete_, kTrusts + "/zj-b", kTrust, 401);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 403, {}, resident.write);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 204, {}, admin);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 404, {}, admin);
  check(verb::get, "/oauth2/federation/zj-b/login", kLogin, 404);

  ExpectAllProbed(checker, IsFederationPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiFederation);

class OpenApiCases : public StoreTest {};

// The first open task of `node` in a case response, as {id, version}; {"0", 0} when none.
std::pair<std::string, int64_t> OpenTask(const HttpResponse& res, const std::string& node) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* tasks = !ec && v.is_object() ? v.as_object().if_contains("tasks") : nullptr;
  if (tasks && tasks->is_array()) {
    for (const auto& t : tasks->as_array()) {
      if (t.at("node") == node.c_str() && t.at("status") == "open")
        return {std::to_string(t.at("id").as_int64()), t.at("version").as_int64()};
    }
  }
  ADD_FAILURE() << "no open task " << node << " in " << res.body;
  return {"0", 0};
}

// Exercises every case operation on both stores with the demo accounts: a resident
// applies online and a hall takes an application in for another; the handling
// department claims, accepts, asks for a supplement, suspends and resumes, transfers
// and approves; the result is delivered and the case closed; a second case is
// withdrawn; a bundle application fans out; the applicant reads and marks messages.
TEST_P(OpenApiCases, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url());
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  // Thursday 6 June 2030, 10:00 in Hangzhou, on a published calendar.
  server.app().cases().SetClock([] { return SystemTime(std::chrono::seconds(1906941600)); });
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  auto year = client.SendJson(verb::put, "/api/v1/calendar/2030",
                              R"({"holidays":["2030-06-10"],"working_days":[]})", admin);
  ASSERT_EQ(year.status, 201) << year.body;
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kPassword = "OneWindow-demo-2026";  // demo/accounts.json
  auto login = [&](const std::string& username) {
    auto res = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(res.status, 201) << username << ": " << res.body;
    return LoginOf(res);
  };
  // A staff member holding `role`, granted by the demo security administrator.
  const Login security = login("secadmin");
  auto staff = [&](const std::string& username, const std::string& department,
                   const std::string& region, const std::string& role) {
    auto made = client.SendJson(verb::post, "/api/v1/staff",
                                json::serialize(json::object{{"username", username},
                                                             {"password", kPassword},
                                                             {"real_name", "王五"},
                                                             {"department_code", department},
                                                             {"region_code", region}}),
                                admin);
    EXPECT_EQ(made.status, 201) << made.body;
    json::object grant{{"role", role}, {"region_code", region}};
    if (role != "counter") grant["department_code"] = department;
    auto granted = client.SendJson(verb::post, "/api/v1/staff/" + Member(made, "id") + "/roles",
                                   json::serialize(grant), security.write);
    EXPECT_EQ(granted.status, 201) << granted.body;
    return login(username);
  };
  const Login zhang = login("zhangsan"), lisi = login("lisi"), acceptor = login("sc.acceptor"),
              approver = login("sc.approver"), counter = login("hall.counter"),
              agent = login("village.agent");
  const Login colleague = staff("sc.approver2", "330102-SCJG", "330102", "approver");
  const Login xihu = staff("xh.counter", "330106-ZWFW", "330106", "counter");
  const auto urlencoded = [](const Login& who) {
    return With(who.write, "Content-Type", "application/x-www-form-urlencoded");
  };

  const std::string kCases = "/api/v1/cases", kCase = kCases + "/{no}",
                    kWithdraw = kCase + "/withdraw", kSupply = kCase + "/supplement",
                    kAskSupply = kCase + "/supplement-request", kSuspend = kCase + "/suspend",
                    kResume = kCase + "/resume", kDeliver = kCase + "/deliver",
                    kClose = kCase + "/close", kMine = "/api/v1/me/cases",
                    kMessages = "/api/v1/me/messages", kRead = kMessages + "/{id}/read",
                    kBundles = "/api/v1/bundle-applications", kBundle = kBundles + "/{id}",
                    kInbox = "/api/v1/workbench/tasks", kClaim = "/api/v1/tasks/{id}/claim",
                    kComplete = "/api/v1/tasks/{id}/complete",
                    kTransfer = "/api/v1/tasks/{id}/transfer";
  const json::object kForm{{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
                           {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
                           {"scope", "日用百货零售"}, {"phone", "13800000001"}};
  auto application = [&](json::object extra = {}) {
    json::object body{{"item_code", "3301-SCJG-GTDJ"}, {"region_code", "330102"}, {"form", kForm}};
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return json::serialize(body);
  };

  // Applying: online, at a counter, by an agent, and what is refused.
  check(verb::post, kCases, kCases, 401, application());
  check(verb::post, kCases, kCases, 403, application(), zhang.read);  // no CSRF token
  check(verb::post, kCases, kCases, 400, "{\"item_code\":", zhang.write);
  check(verb::post, kCases, kCases, 415, "item_code=3301-SCJG-GTDJ", urlencoded(zhang));
  auto surprise = check(verb::post, kCases, kCases, 422, R"({"surprise":1})", zhang.write);
  EXPECT_TRUE(NamesField(surprise, "surprise")) << surprise.body;
  auto bad_form = check(verb::post, kCases, kCases, 422, application({{"form", {{"phone", "1"}}}}),
                        zhang.write);
  EXPECT_TRUE(NamesField(bad_form, "form/phone")) << bad_form.body;
  check(verb::post, kCases, kCases, 403,
        application({{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}}),
        zhang.write);  // only counter staff take applications in
  auto created = check(verb::post, kCases, kCases, 201, application(), zhang.write);
  const std::string no = Member(created, "tracking_no");
  const std::string one = kCases + "/" + no;
  EXPECT_EQ(created.header("location"), one);
  auto at_counter = check(
      verb::post, kCases, kCases, 201,
      application({{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}}),
      counter.write);
  EXPECT_EQ(Member(at_counter, "channel"), "counter");
  // The item may not be taken in at a hall of another district (cross_region: none).
  check(verb::post, kCases, kCases, 409,
        application({{"applicant_resident_id", "330102199003073017"}, {"applicant_name", "张三"}}),
        xihu.write);
  auto me = client.Get("/api/v1/session", zhang.read);
  std::string zhang_id = std::string(me.json().at("account").at("id").as_string());
  check(verb::post, kCases, kCases, 403, application({{"on_behalf_of", zhang_id}}), agent.write);

  // Reading and listing.
  check(verb::get, one, kCase, 200, {}, zhang.read);
  check(verb::get, one, kCase, 200, {}, acceptor.read);
  check(verb::get, one, kCase, 401);
  check(verb::get, one, kCase, 404, {}, lisi.read);
  std::string typo = no;
  typo[10] = typo[10] == '9' ? '8' : static_cast<char>(typo[10] + 1);
  check(verb::get, kCases + "/" + typo, kCase, 404, {}, zhang.read);
  check(verb::get, kMine, kMine, 200, {}, zhang.read);
  check(verb::get, kMine + "?status=submitted&page=1&per_page=5", kMine, 200, {}, lisi.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine + "?per_page=101", kMine, 422, {}, zhang.read);
  check(verb::get, kCases + "?q=" + no, kCases, 200, {}, acceptor.read);
  check(verb::get, kCases + "?item_code=3301-SCJG-GTDJ", kCases, 200, {}, counter.read);
  check(verb::get, kCases, kCases, 401);
  check(verb::get, kCases, kCases, 403, {}, zhang.read);
  check(verb::get, kCases + "?page=0", kCases, 422, {}, acceptor.read);

  // The inbox.
  check(verb::get, kInbox, kInbox, 200, {}, acceptor.read);
  check(verb::get, kInbox + "?status=unclaimed&deadline=none&limit=10", kInbox, 200, {},
        acceptor.read);
  check(verb::get, kInbox, kInbox, 401);
  check(verb::get, kInbox, kInbox, 403, {}, zhang.read);
  check(verb::get, kInbox + "?status=claimed", kInbox, 422, {}, acceptor.read);

  // Claiming and accepting.
  auto [accept_id, accept_version] = OpenTask(created, "accept");
  const std::string claim = "/api/v1/tasks/" + accept_id + "/claim",
                    complete = "/api/v1/tasks/" + accept_id + "/complete";
  auto version = [](int64_t v) { return json::serialize(json::object{{"version", v}}); };
  check(verb::post, claim, kClaim, 401, version(accept_version));
  check(verb::post, claim, kClaim, 403, version(accept_version), acceptor.read);
  check(verb::post, "/api/v1/tasks/abc/claim", kClaim, 404, version(1), acceptor.write);
  check(verb::post, claim, kClaim, 404, version(accept_version), approver.write);
  check(verb::post, claim, kClaim, 400, "{\"version\":", acceptor.write);
  check(verb::post, claim, kClaim, 415, "version=1", urlencoded(acceptor));
  auto no_version = check(verb::post, claim, kClaim, 422, "{}", acceptor.write);
  EXPECT_TRUE(NamesField(no_version, "version")) << no_version.body;
  auto claimed = check(verb::post, claim, kClaim, 200, version(accept_version), acceptor.write);
  EXPECT_EQ(Member(claimed, "claimed_by"), "sc.acceptor");
  check(verb::post, claim, kClaim, 409, version(accept_version), acceptor.write);  // stale
  const int64_t accept_now = claimed.json().at("version").as_int64();
  auto decide = [](int64_t v, const std::string& decision, const std::string& opinion) {
    return json::serialize(
        json::object{{"version", v}, {"decision", decision}, {"opinion", opinion}});
  };
  check(verb::post, complete, kComplete, 401, decide(accept_now, "accept", "齐全"));
  check(verb::post, complete, kComplete, 403, decide(accept_now, "accept", "齐全"), acceptor.read);
  check(verb::post, "/api/v1/tasks/999999/complete", kComplete, 404, decide(1, "accept", "齐全"),
        acceptor.write);
  check(verb::post, complete, kComplete, 400, "[]", acceptor.write);
  check(verb::post, complete, kComplete, 415, "decision=accept", urlencoded(acceptor));
  auto wrong_kind = check(verb::post, complete, kComplete, 422,
                          decide(accept_now, "approve", "同意"), acceptor.write);
  EXPECT_TRUE(NamesField(wrong_kind, "decision")) << wrong_kind.body;
  check(verb::post, complete, kComplete, 409, decide(accept_version, "accept", "齐全"),
        acceptor.write);
  auto accepted = check(verb::post, complete, kComplete, 200,
                        decide(accept_now, "accept", "材料齐全，予以受理"), acceptor.write);
  EXPECT_EQ(Member(accepted, "status"), "under_review");
  EXPECT_EQ(Member(accepted, "promised_deadline"), "2030-06-12");

  // A supplement: asked for, refused when it is not the caller's to give, supplied.
  const std::string kAsk = R"({"reason":"请补充经营场所证明","materials":["经营场所证明"]})";
  check(verb::post, one + "/supplement-request", kAskSupply, 401, kAsk);
  check(verb::post, one + "/supplement-request", kAskSupply, 403, kAsk, zhang.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 404, kAsk, lisi.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 400, "{", approver.write);
  check(verb::post, one + "/supplement-request", kAskSupply, 415, "reason=x", urlencoded(approver));
  auto no_reason = check(verb::post, one + "/supplement-request", kAskSupply, 422,
                         R"({"reason":""})", approver.write);
  EXPECT_TRUE(NamesField(no_reason, "reason")) << no_reason.body;
  auto asked =
      check(verb::post, one + "/supplement-request", kAskSupply, 200, kAsk, approver.write);
  EXPECT_EQ(Member(asked, "status"), "supplement_requested");
  check(verb::post, one + "/supplement-request", kAskSupply, 409, kAsk, approver.write);
  const std::string kSupplied = R"({"note":"已补充经营场所证明"})";
  check(verb::post, one + "/supplement", kSupply, 401, kSupplied);
  check(verb::post, one + "/supplement", kSupply, 403, kSupplied, approver.write);
  check(verb::post, one + "/supplement", kSupply, 404, kSupplied, lisi.write);
  check(verb::post, one + "/supplement", kSupply, 400, "note", zhang.write);
  check(verb::post, one + "/supplement", kSupply, 415, "note=x", urlencoded(zhang));
  auto broken = check(verb::post, one + "/supplement", kSupply, 422, R"({"form":{"phone":"1"}})",
                      zhang.write);
  EXPECT_TRUE(NamesField(broken, "form/phone")) << broken.body;
  json::object fixed = kForm;
  fixed["address"] = "杭州市上城区解放路2号";
  auto supplied =
      check(verb::post, one + "/supplement", kSupply, 200,
            json::serialize(json::object{{"form", fixed}, {"note", "已补充"}}), zhang.write);
  EXPECT_EQ(Member(supplied, "status"), "under_review");
  check(verb::post, one + "/supplement", kSupply, 409, kSupplied, zhang.write);

  // Suspension for a public notice, and resumption.
  const std::string kNotice = R"({"procedure":"public_notice","reason":"依法公示"})";
  check(verb::post, one + "/suspend", kSuspend, 401, kNotice);
  check(verb::post, one + "/suspend", kSuspend, 403, kNotice, acceptor.write);  // no review task
  check(verb::post, one + "/suspend", kSuspend, 404, kNotice, lisi.write);
  check(verb::post, one + "/suspend", kSuspend, 400, "{,}", approver.write);
  check(verb::post, one + "/suspend", kSuspend, 415, "procedure=hearing", urlencoded(approver));
  auto procedure = check(verb::post, one + "/suspend", kSuspend, 422,
                         R"({"procedure":"vacation","reason":"休假"})", approver.write);
  EXPECT_TRUE(NamesField(procedure, "procedure")) << procedure.body;
  auto suspended = check(verb::post, one + "/suspend", kSuspend, 200, kNotice, approver.write);
  EXPECT_EQ(Member(suspended, "status"), "suspended");
  check(verb::post, one + "/suspend", kSuspend, 409, kNotice, approver.write);
  const std::string kOver = R"({"reason":"公示期满"})";
  check(verb::post, one + "/resume", kResume, 401, kOver);
  check(verb::post, one + "/resume", kResume, 403, kOver, zhang.write);
  check(verb::post, one + "/resume", kResume, 404, kOver, lisi.write);
  check(verb::post, one + "/resume", kResume, 400, "\"公示期满\"", approver.write);
  check(verb::post, one + "/resume", kResume, 415, "reason=x", urlencoded(approver));
  check(verb::post, one + "/resume", kResume, 422, R"({"reason":7})", approver.write);
  auto resumed = check(verb::post, one + "/resume", kResume, 200, kOver, approver.write);
  EXPECT_EQ(Member(resumed, "status"), "under_review");
  check(verb::post, one + "/resume", kResume, 409, {}, approver.write);  // the body is optional

  // The approval task: claimed, transferred to a colleague, decided.
  auto [review_id, review_version] = OpenTask(resumed, "Approve");
  const std::string review = "/api/v1/tasks/" + review_id;
  auto mine =
      check(verb::post, review + "/claim", kClaim, 200, version(review_version), approver.write);
  const int64_t held = mine.json().at("version").as_int64();
  auto to = [](int64_t v, const std::string& username) {
    return json::serialize(
        json::object{{"version", v}, {"to_username", username}, {"reason", "休假"}});
  };
  check(verb::post, review + "/transfer", kTransfer, 401, to(held, "sc.approver2"));
  check(verb::post, review + "/transfer", kTransfer, 403, to(held, "sc.approver2"), approver.read);
  check(verb::post, review + "/transfer", kTransfer, 404, to(held, "sc.approver2"), acceptor.write);
  check(verb::post, review + "/transfer", kTransfer, 400, "{\"version\":1,", approver.write);
  check(verb::post, review + "/transfer", kTransfer, 415, "to_username=x", urlencoded(approver));
  auto reviewer = check(verb::post, review + "/transfer", kTransfer, 422, to(held, "sc.reviewer"),
                        approver.write);  // lacks the approver role
  EXPECT_TRUE(NamesField(reviewer, "to_username")) << reviewer.body;
  check(verb::post, review + "/transfer", kTransfer, 409, to(review_version, "sc.approver2"),
        approver.write);
  auto moved = check(verb::post, review + "/transfer", kTransfer, 200, to(held, "sc.approver2"),
                     approver.write);
  EXPECT_EQ(Member(moved, "claimed_by"), "sc.approver2");
  const int64_t theirs = moved.json().at("version").as_int64();
  check(verb::post, review + "/complete", kComplete, 409, decide(theirs, "approve", "同意"),
        approver.write);  // claimed by the colleague now
  auto reasonless = check(verb::post, review + "/complete", kComplete, 422,
                          decide(theirs, "deny", ""), colleague.write);
  EXPECT_TRUE(NamesField(reasonless, "opinion")) << reasonless.body;
  auto approved = check(verb::post, review + "/complete", kComplete, 200,
                        decide(theirs, "approve", "同意"), colleague.write);
  EXPECT_EQ(Member(approved, "status"), "approved");
  EXPECT_EQ(Member(approved, "decision"), "approved");

  // Too late to withdraw; delivered and closed by the department.
  check(verb::post, one + "/withdraw", kWithdraw, 409, "{}", zhang.write);
  const std::string kOnline = R"({"method":"online","note":"电子营业执照已发送"})";
  check(verb::post, one + "/close", kClose, 409, "{}", acceptor.write);  // not delivered yet
  check(verb::post, one + "/deliver", kDeliver, 401, kOnline);
  check(verb::post, one + "/deliver", kDeliver, 403, kOnline, approver.write);
  check(verb::post, one + "/deliver", kDeliver, 404, kOnline, lisi.write);
  check(verb::post, one + "/deliver", kDeliver, 400, "{\"method\"}", acceptor.write);
  check(verb::post, one + "/deliver", kDeliver, 415, "method=online", urlencoded(acceptor));
  auto pigeon =
      check(verb::post, one + "/deliver", kDeliver, 422, R"({"method":"pigeon"})", acceptor.write);
  EXPECT_TRUE(NamesField(pigeon, "method")) << pigeon.body;
  check(verb::post, one + "/deliver", kDeliver, 200, kOnline, acceptor.write);
  check(verb::post, one + "/deliver", kDeliver, 409, kOnline, acceptor.write);
  check(verb::post, one + "/close", kClose, 401, "{}");
  check(verb::post, one + "/close", kClose, 403, "{}", zhang.write);
  check(verb::post, one + "/close", kClose, 404, "{}", lisi.write);
  check(verb::post, one + "/close", kClose, 400, "{\"reason\":", acceptor.write);
  check(verb::post, one + "/close", kClose, 415, "reason=x", urlencoded(acceptor));
  check(verb::post, one + "/close", kClose, 422, R"({"why":"done"})", acceptor.write);
  auto closed =
      check(verb::post, one + "/close", kClose, 200, R"({"reason":"已办结"})", acceptor.write);
  EXPECT_EQ(Member(closed, "status"), "closed");

  // Withdrawal before the decision.
  auto second = client.SendJson(verb::post, kCases, application(), zhang.write);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string two = kCases + "/" + Member(second, "tracking_no");
  check(verb::post, two + "/withdraw", kWithdraw, 401, "{}");
  check(verb::post, two + "/withdraw", kWithdraw, 403, "{}", acceptor.write);  // staff
  check(verb::post, two + "/withdraw", kWithdraw, 404, "{}", lisi.write);
  check(verb::post, two + "/withdraw", kWithdraw, 400, "{\"reason\"", zhang.write);
  check(verb::post, two + "/withdraw", kWithdraw, 415, "reason=x", urlencoded(zhang));
  check(verb::post, two + "/withdraw", kWithdraw, 422, R"({"reason":["x"]})", zhang.write);
  auto withdrawn =
      check(verb::post, two + "/withdraw", kWithdraw, 200, R"({"reason":"不再需要"})", zhang.write);
  EXPECT_EQ(Member(withdrawn, "status"), "withdrawn");
  check(verb::post, two + "/withdraw", kWithdraw, 409, {}, zhang.write);  // the body is optional

  // Messages.
  auto messages = check(verb::get, kMessages, kMessages, 200, {}, zhang.read);
  check(verb::get, kMessages + "?limit=1", kMessages, 200, {}, zhang.read);
  check(verb::get, kMessages, kMessages, 401);
  check(verb::get, kMessages + "?limit=0", kMessages, 422, {}, zhang.read);
  const json::value inbox = messages.json();
  ASSERT_FALSE(inbox.at("messages").as_array().empty()) << messages.body;
  const std::string first =
      kMessages + "/" + std::to_string(inbox.at("messages").at(0).at("id").as_int64());
  check(verb::post, first + "/read", kRead, 401);
  check(verb::post, first + "/read", kRead, 403, {}, zhang.read);
  check(verb::post, first + "/read", kRead, 404, {}, lisi.write);
  check(verb::post, kMessages + "/abc/read", kRead, 404, {}, zhang.write);
  check(verb::post, first + "/read", kRead, 204, {}, zhang.write);
  auto after = client.Get(kMessages, zhang.read).json();
  EXPECT_EQ(after.at("unread").as_int64(), inbox.at("unread").as_int64() - 1);

  // A bundle application fans out into one case per item.
  json::object baby{{"baby_name", "张小宝"},      {"baby_gender", "女"},
                    {"birth_date", "2030-06-01"}, {"birth_place", "杭州市妇产科医院"},
                    {"mother_name", "王芳"},      {"mother_id", "330102199203074529"},
                    {"father_name", "张三"},      {"father_id", "330102199003073017"},
                    {"follow", "随父"},           {"address", "杭州市上城区解放路1号"},
                    {"phone", "13800000001"}};
  auto bundle = [&](const json::object& f) {
    return json::serialize(
        json::object{{"bundle_code", "ONE-BABY"}, {"region_code", "330102"}, {"form", f}});
  };
  check(verb::post, kBundles, kBundles, 401, bundle(baby));
  check(verb::post, kBundles, kBundles, 403, bundle(baby), acceptor.write);  // staff
  check(verb::post, kBundles, kBundles, 400, "{\"bundle_code\":", zhang.write);
  check(verb::post, kBundles, kBundles, 415, "bundle_code=ONE-BABY", urlencoded(zhang));
  json::object nameless = baby;
  nameless.erase("baby_name");
  check(verb::post, kBundles, kBundles, 422, bundle(nameless), zhang.write);
  auto fanned = check(verb::post, kBundles, kBundles, 201, bundle(baby), zhang.write);
  const std::string bundle_id = Member(fanned, "id");
  EXPECT_EQ(fanned.header("location"), kBundles + "/" + bundle_id);
  EXPECT_GE(fanned.json().at("cases").as_array().size(), 3u) << fanned.body;
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 200, {}, zhang.read);
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 401);
  check(verb::get, kBundles + "/" + bundle_id, kBundle, 404, {}, lisi.read);

  ExpectAllProbed(checker, IsCasesPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiCases);

// The checker above must be able to fail: a body that breaks the documented schema
// in several ways is reported.
// Every process-registry operation: publish (new version, unchanged, refused), list,
// versions, the immutable XML, and assigning a process to a catalog item.
TEST(OpenApi, ProcessResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  std::ifstream in(SourceDir() + "/src/workflow/testdata/parallel_approval.bpmn");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string xml = buf.str();
  const auto admin = server.AdminHeaders();
  const auto admin_xml = With(admin, "Content-Type", "application/xml");
  const std::string kList = "/api/v1/processes", kProcess = kList + "/{key}",
                    kVersion = kProcess + "/versions/{version}",
                    kItem = "/api/v1/catalog/items/{code}/process";
  const std::string process = kList + "/parallel_approval",
                    item = "/api/v1/catalog/items/3301-SCJG-SPJY/process";
  checker.Check({verb::put, process, kProcess, 401, xml, {{"Content-Type", "application/xml"}}});
  checker.Check({verb::put, process, kProcess, 415, xml, admin});
  checker.Check({verb::put, process, kProcess, 422, "<bpmn:definitions/>", admin_xml});
  checker.Check({verb::get, process, kProcess, 404, {}, {}});
  checker.Check({verb::put, process, kProcess, 201, xml, admin_xml});
  checker.Check({verb::put, process, kProcess, 200, xml, admin_xml});
  checker.Check({verb::get, kList, kList, 200, {}, {}});
  checker.Check({verb::get, process, kProcess, 200, {}, {}});
  auto v1 = checker.Check({verb::get, process + "/versions/1", kVersion, 200, {}, {}});
  checker.Check({verb::get,
                 process + "/versions/1",
                 kVersion,
                 304,
                 {},
                 {{"If-None-Match", v1.header("etag")}}});
  checker.Check({verb::get, process + "/versions/9", kVersion, 404, {}, {}});
  checker.Check({verb::get, process + "/versions/x", kVersion, 422, {}, {}});
  checker.Check({verb::get, item, kItem, 404, {}, {}});
  checker.Check({verb::put, item, kItem, 401, R"({"process_key":"parallel_approval"})", {}});
  checker.Check({verb::put, item, kItem, 422, R"({"process":"parallel_approval"})", admin});
  checker.Check({verb::put, item, kItem, 404, R"({"process_key":"nope"})", admin});
  checker.Check({verb::put, item, kItem, 200, R"({"process_key":"parallel_approval"})", admin});
  checker.Check({verb::get, item, kItem, 200, {}, {}});
  ExpectAllProbed(checker, IsProcessPath);
}

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
  faults.clear();
  json::value change = json::parse(
      R"({"id":1,"kind":"add","status":"draft","summary":"","payload":{"source":"A1","items":[]},)"
      R"("author":"alice","reviewer":null,"review_comment":"","created_at":"2025-03-01T02:30:00Z",)"
      R"("updated_at":"2025-03-01T02:30:00Z","submitted_at":null,"reviewed_at":null,"revision":1})");
  CheckSchema(json::value{{"$ref", "#/components/schemas/CatalogChange"}}, change, "change",
              faults);
  EXPECT_EQ(faults.size(), 1u) << Join(faults);  // an add's payload holds an item
}

}  // namespace
}  // namespace ow::testing
