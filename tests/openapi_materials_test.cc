// The materials operations against docs/openapi.json (support/openapi_checker.h).
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

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

}  // namespace
}  // namespace ow::testing
