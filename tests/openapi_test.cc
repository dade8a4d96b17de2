// The API description (docs/openapi.json, served at /api/openapi.json) against the
// server it describes: the same operations as the router, complete operations, and
// real responses whose statuses, media types, headers and bodies it documents.
// Redocly CLI lints the document independently (ctest: openapi_redocly_lint).
// Each domain's operations are probed in openapi_<domain>_test.cc; the checker is
// tests/support/openapi_checker.h.
#include "app/demo.h"
#include "app/system_routes.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

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

// The checker must be able to fail: a body that breaks the documented schema in
// several ways is reported.
TEST(OpenApi, SchemaCheckRejectsWhatTheDocumentForbids) {
  std::vector<std::string> faults;
  json::value region =
      json::parse(R"({"code":"330102","name":"上城区","name_en":"Shangcheng District",)"
                  R"("level":"district","parent_code":3301})");
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
