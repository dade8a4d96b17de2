// The licences operations (CA, seals, licence types, licences, verification) against
// docs/openapi.json (support/openapi_checker.h): every documented success and every
// failure a client can provoke.
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

std::string Cookie(const HttpResponse& login) {
  std::string c = login.header("set-cookie");
  return c.substr(0, c.find(';'));
}

TEST(OpenApi, LicencesResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [](Config& c) { c.password_concurrency = 2; });
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  auto login = [&](const std::string& user) {
    auto r = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", user}, {"password", kDemoPassword}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::map<std::string, std::string>{
        {"Cookie", Cookie(r)},
        {"X-CSRF-Token", std::string(json::parse(r.body).at("csrf_token").as_string())}};
  };
  const auto sec = login("secadmin"), approver = login("sc.approver"), zhangsan = login("zhangsan"),
             lisi = login("lisi");
  const std::string kAuthorities = "/api/v1/pki/authorities",
                    kAuthority = "/api/v1/pki/authorities/{algorithm}/{file}",
                    kCrls = "/api/v1/pki/crls/{algorithm}", kRotation = "/api/v1/pki/rotation",
                    kSeals = "/api/v1/seals", kSeal = "/api/v1/seals/{id}",
                    kImage = "/api/v1/seals/{id}/image.png",
                    kCertificate = "/api/v1/seals/{id}/certificate",
                    kSealStatus = "/api/v1/seals/{id}/status",
                    kHolders = "/api/v1/seals/{id}/holders",
                    kHolder = "/api/v1/seals/{id}/holders/{username}",
                    kTypes = "/api/v1/licence-types", kType = "/api/v1/licence-types/{code}",
                    kLicences = "/api/v1/licences", kMine = "/api/v1/me/licences",
                    kLicence = "/api/v1/licences/{number}", kPdf = "/api/v1/licences/{number}/pdf",
                    kStatus = "/api/v1/licences/{number}/status",
                    kVerify = "/api/v1/licence-verifications",
                    kShares = "/api/v1/licences/{number}/shares",
                    kShare = "/api/v1/licences/{number}/shares/{id}",
                    kShareViews = "/api/v1/licence-share-views",
                    kImports = "/api/v1/licence-imports";

  auto seal = checker.Check(
      {verb::post, kSeals, kSeals, 201,
       json::serialize(json::object{{"department_code", "330102-SCJG"}, {"kind", "licence"}}),
       sec});
  const std::string seal_id = Member(seal, "id");
  ASSERT_FALSE(seal_id.empty()) << seal.body;
  const std::string one_seal = "/api/v1/seals/" + seal_id;
  checker.Check({verb::put, one_seal + "/holders/sc.approver", kHolder, 200, {}, sec});
  const std::string import_body = R"({"type_code":"small_catering_permit","trust_level":"B",)"
                                  R"("licences":[{"number":"XCDJ-2019-0001","holder":{"kind":)"
                                  R"("person","id":"330102199003073017","name":"张三"},)"
                                  R"("fields":{"shop_name":"张三小吃","address":"河坊街9号"}}]})";
  auto issue_body = json::serialize(json::object{
      {"type_code", "small_catering_permit"},
      {"holder", {{"kind", "person"}, {"id", "330102199003073017"}, {"name", "张三"}}},
      {"fields", {{"shop_name", "张三小吃"}, {"address", "杭州市上城区清河坊街1号"}}}});
  auto issued = checker.Check({verb::post, kLicences, kLicences, 201, issue_body, approver});
  const std::string number = Member(issued, "number");
  ASSERT_FALSE(number.empty()) << issued.body;
  const std::string payload = Member(issued, "qr_payload");
  const std::string one = "/api/v1/licences/" + number;
  auto type =
      checker.Check({verb::get, "/api/v1/licence-types/small_catering_permit", kType, 200, {}, {}});
  json::object type_body = json::parse(type.body).as_object();
  for (const char* k : {"code", "version", "updated_by", "updated_at"}) type_body.erase(k);
  type_body["issued_by_items"] = json::array{};  // the demo type issues for the item already
  json::object retired_issue_object = json::parse(issue_body).as_object();
  retired_issue_object["type_code"] = "probe_permit";
  const std::string retired_issue = json::serialize(retired_issue_object);
  json::object retired = type_body;
  retired["status"] = "retired";
  auto seal_etag = checker.Check({verb::get, one_seal, kSeal, 200, {}, {}}).header("etag");
  auto licence_etag = checker.Check({verb::get, one, kLicence, 200, {}, zhangsan}).header("etag");
  const std::string verify = json::serialize(json::object{{"payload", payload}});
  const std::string status_body =
      json::serialize(json::object{{"status", "suspended"}, {"reason", "核查中"}});

  auto shared =
      checker.Check({verb::post, one + "/shares", kShares, 201, R"({"hours":2})", zhangsan});
  const std::string share_id = Member(shared, "id"), share_code = Member(shared, "code");
  ASSERT_FALSE(share_code.empty()) << shared.body;

  const std::string kTemplates = "/api/v1/document-templates",
                    kTemplate = "/api/v1/document-templates/{kind}";
  const std::string template_body =
      R"({"title":"准予登记决定书","body":"{applicant}：准予登记。","version":0})";
  // A form body (415): the admin token with another content type.
  auto WithType = [](std::map<std::string, std::string> h) {
    h["Content-Type"] = "application/x-www-form-urlencoded";
    return h;
  };
  std::vector<Probe> probes = {
      {verb::post, one + "/shares", kShares, 400, "[]", zhangsan},
      {verb::post, one + "/shares", kShares, 401, "{}", {}},
      {verb::post, one + "/shares", kShares, 403, "{}", admin},
      {verb::post, one + "/shares", kShares, 404, "{}", lisi},
      {verb::post, one + "/shares", kShares, 422, R"({"hours":0})", zhangsan},
      {verb::get, one + "/shares", kShares, 200, {}, zhangsan},
      {verb::get, one + "/shares", kShares, 401, {}, {}},
      {verb::get, one + "/shares", kShares, 403, {}, admin},
      {verb::get, one + "/shares", kShares, 404, {}, lisi},
      {verb::post,
       kShareViews,
       kShareViews,
       200,
       json::serialize(json::object{{"code", share_code}}),
       {}},
      {verb::post, kShareViews, kShareViews, 400, "[]", {}},
      {verb::post, kShareViews, kShareViews, 404, R"({"code":"nope"})", {}},
      {verb::post, kShareViews, kShareViews, 422, "{}", {}},
      {verb::delete_, one + "/shares/" + share_id, kShare, 401, {}, {}},
      {verb::delete_, one + "/shares/" + share_id, kShare, 403, {}, admin},
      {verb::delete_, one + "/shares/" + share_id, kShare, 404, {}, lisi},
      {verb::delete_, one + "/shares/" + share_id, kShare, 204, {}, zhangsan},
      {verb::get, kAuthorities, kAuthorities, 200, {}, {}},
      {verb::get, "/api/v1/pki/authorities/sm2/1.pem", kAuthority, 200, {}, {}},
      {verb::get, "/api/v1/pki/authorities/sm2/9.pem", kAuthority, 404, {}, {}},
      {verb::get, "/api/v1/pki/crls/sm2", kCrls, 200, {}, {}},
      {verb::get, "/api/v1/pki/crls/rsa", kCrls, 422, {}, {}},
      {verb::post, kRotation, kRotation, 401, {}, {}},
      {verb::post, kRotation, kRotation, 403, {}, approver},
      {verb::get, kSeals, kSeals, 200, {}, {}},
      {verb::get, kSeals + "?department=330102-SCJG", kSeals, 200, {}, {}},
      {verb::post, kSeals, kSeals, 400, "[]", sec},
      {verb::post, kSeals, kSeals, 401, "{}", {}},
      {verb::post, kSeals, kSeals, 403, "{}", approver},
      {verb::post, kSeals, kSeals, 422, R"({"department_code":"nope","kind":"x"})", sec},
      {verb::get, "/api/v1/seals/seal_nope", kSeal, 404, {}, {}},
      {verb::get, one_seal + "/image.png", kImage, 200, {}, {}},
      {verb::get, "/api/v1/seals/seal_nope/image.png", kImage, 404, {}, {}},
      {verb::get, one_seal + "/certificate", kCertificate, 200, {}, {}},
      {verb::get, one_seal + "/certificate?algorithm=p256", kCertificate, 200, {}, {}},
      {verb::get, one_seal + "/certificate?algorithm=rsa", kCertificate, 422, {}, {}},
      {verb::get, "/api/v1/seals/seal_nope/certificate", kCertificate, 404, {}, {}},
      {verb::get, one_seal + "/holders", kHolders, 200, {}, sec},
      {verb::get, one_seal + "/holders", kHolders, 401, {}, {}},
      {verb::get, one_seal + "/holders", kHolders, 403, {}, approver},
      {verb::get, "/api/v1/seals/seal_nope/holders", kHolders, 404, {}, sec},
      {verb::put, one_seal + "/holders/sc.acceptor", kHolder, 200, {}, sec},
      {verb::put, one_seal + "/holders/zhangsan", kHolder, 422, {}, sec},
      {verb::put, one_seal + "/holders/sc.acceptor", kHolder, 401, {}, {}},
      {verb::put, one_seal + "/holders/sc.acceptor", kHolder, 403, {}, approver},
      {verb::put, "/api/v1/seals/seal_nope/holders/sc.acceptor", kHolder, 404, {}, sec},
      {verb::delete_, one_seal + "/holders/sc.acceptor", kHolder, 200, {}, sec},
      {verb::delete_, one_seal + "/holders/sc.acceptor", kHolder, 404, {}, sec},
      {verb::delete_, one_seal + "/holders/sc.acceptor", kHolder, 401, {}, {}},
      {verb::delete_, one_seal + "/holders/sc.acceptor", kHolder, 403, {}, approver},
      {verb::get, kTypes, kTypes, 200, {}, {}},
      {verb::get, "/api/v1/licence-types/nope", kType, 404, {}, {}},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 201, json::serialize(type_body),
       admin},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 200, json::serialize(retired),
       With(admin, "If-Match", "\"v1\"")},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 412, json::serialize(type_body),
       With(admin, "If-Match", "\"v1\"")},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 409, json::serialize(type_body),
       admin},
      {verb::put, "/api/v1/licence-types/nope_permit", kType, 404, json::serialize(type_body),
       With(admin, "If-Match", "\"v1\"")},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 400, "[]", admin},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 401, "{}", {}},
      {verb::put, "/api/v1/licence-types/probe_permit", kType, 403, "{}", sec},
      {verb::put, "/api/v1/licence-types/bad_permit", kType, 422, R"({"name":""})", admin},
      {verb::get,
       kLicences + "?department=330102-SCJG&region=330102",
       kLicences,
       200,
       {},
       approver},
      {verb::get, kLicences + "?department=330102-SCJG&region=330102", kLicences, 401, {}, {}},
      {verb::get,
       kLicences + "?department=330102-SCJG&region=330102",
       kLicences,
       403,
       {},
       zhangsan},
      {verb::get, kLicences, kLicences, 422, {}, approver},
      {verb::post, kLicences, kLicences, 400, "[]", approver},
      {verb::post, kLicences, kLicences, 401, issue_body, {}},
      {verb::post, kLicences, kLicences, 403, issue_body, zhangsan},
      {verb::post, kLicences, kLicences, 422, R"({"type_code":"small_catering_permit"})", approver},
      {verb::post, kImports, kImports, 201, import_body, approver},
      {verb::post, kImports, kImports, 400, "[]", approver},
      {verb::post, kImports, kImports, 401, import_body, {}},
      {verb::post, kImports, kImports, 403, import_body, zhangsan},
      {verb::post, kImports, kImports, 422, import_body, approver},  // imported already
      {verb::get, kMine, kMine, 200, {}, zhangsan},
      {verb::get, kMine, kMine, 401, {}, {}},
      {verb::get, kMine, kMine, 403, {}, admin},
      {verb::get, kMine + "?enterprise=91330102MA2XXXXX0X", kMine, 404, {}, zhangsan},
      {verb::get, kMine, kMine, 409, {}, approver},
      {verb::get, one, kLicence, 401, {}, {}},
      {verb::get, one, kLicence, 403, {}, admin},
      {verb::get, one, kLicence, 404, {}, lisi},
      {verb::get, one + "/pdf", kPdf, 200, {}, zhangsan},
      {verb::get, one + "/pdf", kPdf, 401, {}, {}},
      {verb::get, one + "/pdf", kPdf, 403, {}, admin},
      {verb::get, one + "/pdf", kPdf, 404, {}, lisi},
      {verb::post, kVerify, kVerify, 200, verify, {}},
      {verb::post, kVerify, kVerify, 400, "[]", {}},
      {verb::post, kVerify, kVerify, 422, R"({"payload":"OWL1.x.y"})", {}},
      {verb::post, one + "/status", kStatus, 400, "[]", With(approver, "If-Match", licence_etag)},
      {verb::post, one + "/status", kStatus, 401, status_body, {}},
      {verb::post, one + "/status", kStatus, 403, status_body,
       With(zhangsan, "If-Match", licence_etag)},
      {verb::post, "/api/v1/licences/NOPE/status", kStatus, 404, status_body,
       With(approver, "If-Match", "\"v1\"")},
      {verb::post, one + "/status", kStatus, 422, status_body, approver},  // no If-Match
      {verb::post, one + "/status", kStatus, 200, status_body,
       With(approver, "If-Match", licence_etag)},
      {verb::post, one + "/status", kStatus, 412, status_body,
       With(approver, "If-Match", licence_etag)},
      {verb::post, one + "/status", kStatus, 409, status_body,
       With(approver, "If-Match", "\"v2\"")},
      {verb::post, one_seal + "/status", kSealStatus, 400, "[]", With(sec, "If-Match", seal_etag)},
      {verb::post, one_seal + "/status", kSealStatus, 401, status_body, {}},
      {verb::post, one_seal + "/status", kSealStatus, 403, status_body,
       With(approver, "If-Match", seal_etag)},
      {verb::post, "/api/v1/seals/seal_nope/status", kSealStatus, 404, status_body,
       With(sec, "If-Match", "\"v1\"")},
      {verb::post, one_seal + "/status", kSealStatus, 422, status_body, sec},
      {verb::post, one_seal + "/status", kSealStatus, 200, status_body,
       With(sec, "If-Match", seal_etag)},
      {verb::post, one_seal + "/status", kSealStatus, 412, status_body,
       With(sec, "If-Match", seal_etag)},
      {verb::post, one_seal + "/status", kSealStatus, 409, status_body,
       With(sec, "If-Match", "\"v2\"")},
      // A retired type issues nothing: 409.
      {verb::post, kLicences, kLicences, 409, retired_issue, approver},
      {verb::post, kRotation, kRotation, 200, {}, sec},
      // The templates of case documents: the system administrator's.
      {verb::get, kTemplates, kTemplates, 200, {}, admin},
      {verb::get, kTemplates, kTemplates, 401, {}, {}},
      {verb::get, kTemplates, kTemplates, 403, {}, sec},
      {verb::put, kTemplates + "/approval", kTemplate, 200, template_body, admin},
      {verb::put, kTemplates + "/approval", kTemplate, 412, template_body, admin},
      {verb::put, kTemplates + "/approval", kTemplate, 400, "[", admin},
      {verb::put, kTemplates + "/approval", kTemplate, 401, template_body, {}},
      {verb::put, kTemplates + "/approval", kTemplate, 403, template_body, sec},
      {verb::put, kTemplates + "/approval", kTemplate, 422, R"({"title":"{nope}","body":"x"})",
       admin},
      {verb::put, kTemplates + "/approval", kTemplate, 415, "title=x", WithType(admin)},
      {verb::delete_, kTemplates + "/approval?version=9", kTemplate, 412, {}, admin},
      {verb::delete_, kTemplates + "/approval?version=1", kTemplate, 204, {}, admin},
      {verb::delete_, kTemplates + "/approval?version=1", kTemplate, 404, {}, admin},
      {verb::delete_, kTemplates + "/approval", kTemplate, 422, {}, admin},
      {verb::delete_, kTemplates + "/approval?version=1", kTemplate, 401, {}, {}},
      {verb::delete_, kTemplates + "/approval?version=1", kTemplate, 403, {}, sec},
  };
  for (const auto& p : probes) checker.Check(p);
  ExpectAllProbed(checker, IsLicencesPath);
}

}  // namespace
}  // namespace ow::testing
