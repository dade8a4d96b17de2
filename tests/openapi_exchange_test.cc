// The data exchange's operations against docs/openapi.json (support/openapi_checker.h),
// with the demo data: the demo department system and its grants, the demo staff.
#include "exchange/service.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiExchange : public StoreTest {};

TEST_P(OpenApiExchange, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url(), [](Config& c) {
    c.exchange_adapter_timeout_ms = 200;
    c.exchange_adapter_retries = 0;
    c.exchange_extract_period_ms = 3600000;  // the test runs the extract job itself
  });
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  auto login = [&](const std::string& username) {
    auto res = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kDemoPassword}}));
    EXPECT_EQ(res.status, 201) << username << ": " << res.body;
    return LoginOf(res);
  };
  const Login acceptor = login("sc.acceptor"), approver = login("sc.approver"),
              zhang = login("zhangsan");
  std::map<std::string, std::string> admin = server.AdminHeaders();
  // The demo department system (demo/exchange.json), holding grants for the three demo
  // resources.
  auto token = client.Send(verb::post, "/oauth2/token",
                           "grant_type=client_credentials&client_id=demo-zwfw-330102&client_secret="
                           "OneWindow-demo-exchange-2026",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_NE(token.json().at("scope").as_string().find("exchange:GA-HJ-001"), std::string::npos);
  const std::map<std::string, std::string> sys{
      {"Authorization", "Bearer " + std::string(token.json().at("access_token").as_string())}};

  const std::string kRes = "/api/v1/exchange/resources";
  check(verb::get, kRes + "?q=%E6%88%B7%E7%B1%8D", kRes, 200, {}, sys);  // 户籍
  check(verb::get, kRes, kRes, 200, {}, acceptor.read);
  check(verb::get, kRes, kRes, 401);
  check(verb::get, kRes, kRes, 403, {}, zhang.read);
  check(verb::get, kRes + "?limit=0", kRes, 422, {}, sys);
  json::object draft{{"code", "SCJG-TEST-1"},
                     {"department_code", "330102-SCJG"},
                     {"name_zh", "测试资源"},
                     {"name_en", "Test resource"},
                     {"subject_kind", "legal"},
                     {"share_type", "unconditional"},
                     {"update_cycle", "daily"},
                     {"source", "legal_person"},
                     {"fields",
                      {{{"name", "name"},
                        {"type", "string"},
                        {"label_zh", "名称"},
                        {"label_en", "Name"},
                        {"personal", false}}}}};
  check(verb::post, kRes, kRes, 400, "{", acceptor.write);
  check(verb::post, kRes, kRes, 401, json::serialize(draft));
  check(verb::post, kRes, kRes, 403, json::serialize(draft), zhang.write);
  check(verb::post, kRes, kRes, 422, R"({"code":"x"})", acceptor.write);
  check(verb::post, kRes, kRes, 201, json::serialize(draft), acceptor.write);
  check(verb::post, kRes, kRes, 409, json::serialize(draft), acceptor.write);

  const std::string kOne = "/api/v1/exchange/resources/{code}";
  check(verb::get, kRes + "/GA-HJ-001", kOne, 200, {}, sys);
  check(verb::get, kRes + "/SCJG-TEST-1", kOne, 404, {}, sys);
  check(verb::get, kRes + "/GA-HJ-001", kOne, 401);
  check(verb::get, kRes + "/GA-HJ-001", kOne, 403, {}, zhang.read);

  const std::string kVer = "/api/v1/exchange/resources/{code}/versions/{version}";
  const std::string v1 = kRes + "/SCJG-TEST-1/versions/1";
  check(verb::get, v1, kVer, 200, {}, acceptor.read);
  check(verb::get, v1, kVer, 404, {}, sys);
  check(verb::get, v1, kVer, 401);
  check(verb::get, v1, kVer, 403, {}, zhang.read);
  json::object update = draft;
  update.erase("code");
  update.erase("department_code");
  update["name_zh"] = "测试资源（改）";
  check(verb::put, v1, kVer, 200, json::serialize(update), acceptor.write);
  check(verb::put, v1, kVer, 400, "{", acceptor.write);
  check(verb::put, v1, kVer, 401, json::serialize(update));
  check(verb::put, v1, kVer, 403, json::serialize(update), zhang.write);
  check(verb::put, v1, kVer, 422, "{}", acceptor.write);
  check(verb::put, kRes + "/NOPE-1/versions/1", kVer, 404, json::serialize(update), acceptor.write);

  const std::string kDrafts = "/api/v1/exchange/departments/{department}/drafts";
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/drafts", kDrafts, 200, {},
        acceptor.read);
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/drafts", kDrafts, 401);
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/drafts", kDrafts, 403, {}, zhang.read);
  check(verb::get, "/api/v1/exchange/departments/NOPE/drafts", kDrafts, 422, {}, acceptor.read);

  const std::string kSubmit = kVer + "/submission";
  check(verb::post, v1 + "/submission", kSubmit, 401);
  check(verb::post, v1 + "/submission", kSubmit, 403, {}, zhang.write);
  check(verb::post, kRes + "/NOPE-1/versions/1/submission", kSubmit, 404, {}, acceptor.write);
  check(verb::post, v1 + "/submission", kSubmit, 200, {}, acceptor.write);
  check(verb::post, v1 + "/submission", kSubmit, 409, {}, acceptor.write);

  const std::string kReview = kVer + "/review";
  check(verb::post, v1 + "/review", kReview, 400, "{", approver.write);
  check(verb::post, v1 + "/review", kReview, 401, R"({"publish":true})");
  check(verb::post, v1 + "/review", kReview, 403, R"({"publish":true})", acceptor.write);
  check(verb::post, v1 + "/review", kReview, 422, R"({"publish":false})", approver.write);
  check(verb::post, kRes + "/NOPE-1/versions/1/review", kReview, 404, R"({"publish":true})",
        approver.write);
  check(verb::post, v1 + "/review", kReview, 200, R"({"publish":true})", approver.write);
  check(verb::post, v1 + "/review", kReview, 409, R"({"publish":true})", approver.write);

  const std::string kSystems = "/api/v1/exchange/systems";
  check(verb::get, kSystems, kSystems, 200, {}, admin);
  check(verb::get, kSystems, kSystems, 401);
  check(verb::get, kSystems, kSystems, 403, {}, acceptor.read);
  const std::string kSystem = "/api/v1/exchange/systems/{client_id}";
  auto with_json = With(admin, "Content-Type", "application/json");
  check(verb::put, kSystems + "/demo-zwfw-330102", kSystem, 200,
        R"({"department_code":"330102-ZWFW"})", with_json);
  check(verb::put, kSystems + "/demo-zwfw-330102", kSystem, 400, "{", with_json);
  check(verb::put, kSystems + "/demo-zwfw-330102", kSystem, 401,
        R"({"department_code":"330102-ZWFW"})");
  check(verb::put, kSystems + "/demo-zwfw-330102", kSystem, 403,
        R"({"department_code":"330102-ZWFW"})", acceptor.write);
  check(verb::put, kSystems + "/nope", kSystem, 404, R"({"department_code":"330102-ZWFW"})",
        with_json);
  check(verb::put, kSystems + "/demo-zwfw-330102", kSystem, 422, R"({"department_code":"NOPE"})",
        with_json);

  const std::string kApps = "/api/v1/exchange/applications";
  json::object apply{{"resource", "SCJG-TEST-1"},
                     {"purpose", "核验企业名称"},
                     {"legal_basis", "测试依据"},
                     {"fields", {"name"}}};
  check(verb::post, kApps, kApps, 400, "{", sys);
  check(verb::post, kApps, kApps, 401, json::serialize(apply));
  check(verb::post, kApps, kApps, 403, json::serialize(apply), zhang.write);
  check(verb::post, kApps, kApps, 404,
        R"({"resource":"NOPE-1","purpose":"核验","legal_basis":"依据","fields":["name"]})", sys);
  check(verb::post, kApps, kApps, 422,
        R"({"resource":"SCJG-TEST-1","purpose":"核验","legal_basis":"依据","fields":["x"]})", sys);
  check(verb::post, kApps, kApps, 201, json::serialize(apply), sys);
  apply["resource"] = "GA-HJ-001";
  apply["fields"] = json::array{"household_head"};
  auto pending = check(verb::post, kApps, kApps, 201, json::serialize(apply), sys);
  const std::string id = Member(pending, "id");
  check(verb::get, kApps, kApps, 200, {}, sys);
  check(verb::get, kApps, kApps, 401);
  check(verb::get, kApps, kApps, 403, {}, acceptor.read);

  const std::string kIncoming = "/api/v1/exchange/departments/{department}/applications";
  // The demo resource GA-HJ-001 is 3301-GA's: sc.approver (330102-SCJG) is not its approver.
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/applications?status=pending",
        kIncoming, 200, {}, approver.read);
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/applications", kIncoming, 401);
  check(verb::get, "/api/v1/exchange/departments/3301-GA/applications", kIncoming, 403, {},
        approver.read);
  check(verb::get, "/api/v1/exchange/departments/330102-SCJG/applications?status=x", kIncoming, 422,
        {}, approver.read);

  const std::string kDecision = "/api/v1/exchange/applications/{id}/decision";
  check(verb::post, kApps + "/" + id + "/decision", kDecision, 400, "{", approver.write);
  check(verb::post, kApps + "/" + id + "/decision", kDecision, 401, R"({"approve":true})");
  check(verb::post, kApps + "/" + id + "/decision", kDecision, 403, R"({"approve":true})", sys);
  check(verb::post, kApps + "/" + id + "/decision", kDecision, 404, R"({"approve":true})",
        approver.write);
  check(verb::post, kApps + "/" + id + "/decision", kDecision, 422, "{}", approver.write);
  // The applications for sc.approver's own department's resource.
  apply["resource"] = "SCJG-TEST-1";
  apply["fields"] = json::array{"name"};
  auto mine = client.SendJson(verb::get, kApps, "", sys).json();
  std::string granted;
  for (const auto& a : mine.at("items").as_array())
    if (a.at("resource_code") == "SCJG-TEST-1") granted = std::string(a.at("id").as_string());
  ASSERT_FALSE(granted.empty());
  check(verb::post, kApps + "/" + granted + "/decision", kDecision, 409, R"({"approve":true})",
        approver.write);
  (void)apply;

  const std::string kQuery = "/api/v1/exchange/resources/{code}/query";
  const std::string q = kRes + "/GA-HJ-001/query";
  json::object query{{"subject", "330102199003073017"},
                     {"fields", {"name", "household_number"}},
                     {"purpose", "出生登记"},
                     {"case_tracking", "SL2026000001"}};
  check(verb::post, q, kQuery, 200, json::serialize(query), sys);
  check(verb::post, q, kQuery, 400, "{", sys);
  check(verb::post, q, kQuery, 401, json::serialize(query));
  check(verb::post, q, kQuery, 403, json::serialize(query), zhang.write);
  check(verb::post, kRes + "/NOPE-1/query", kQuery, 404, json::serialize(query), sys);
  query["subject"] = "330102199003073018";
  check(verb::post, q, kQuery, 422, json::serialize(query), sys);

  const std::string kRevoke = "/api/v1/exchange/applications/{id}/revocation";
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 400, "{", approver.write);
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 401, R"({"reason":"完成"})");
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 403, R"({"reason":"完成"})",
        sys);
  check(verb::post, kApps + "/nope/revocation", kRevoke, 404, R"({"reason":"完成"})",
        approver.write);
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 422, R"({"reason":""})",
        approver.write);
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 200,
        R"({"reason":"用途已完成"})", approver.write);
  check(verb::post, kApps + "/" + granted + "/revocation", kRevoke, 409,
        R"({"reason":"用途已完成"})", approver.write);

  // Bases: the administrator token keeps them here (the demo keepers are 3301-GA and
  // 3301-SCJG, whose staff are not demo accounts).
  const std::string kImport = "/api/v1/exchange/bases/{base}/import";
  auto ndjson = With(admin, "Content-Type", "application/x-ndjson");
  const std::string line = R"({"credit_code":"91330102MA2H00001L","name":"杭州清波茶业有限公司"})";
  check(verb::post, "/api/v1/exchange/bases/legal_person/import", kImport, 200, line + "\n",
        ndjson);
  check(verb::post, "/api/v1/exchange/bases/legal_person/import", kImport, 401, line);
  check(verb::post, "/api/v1/exchange/bases/legal_person/import", kImport, 403, line,
        With(acceptor.write, "Content-Type", "application/x-ndjson"));
  check(verb::post, "/api/v1/exchange/bases/nope/import", kImport, 404, line, ndjson);
  check(verb::post, "/api/v1/exchange/bases/legal_person/import", kImport, 422, "{\"x\":1}\n",
        ndjson);
  const std::string kRecord = "/api/v1/exchange/bases/{base}/records/{subject}";
  const std::string rec = "/api/v1/exchange/bases/population/records/330102199003073017";
  check(verb::get, rec, kRecord, 200, {}, admin);
  check(verb::get, rec, kRecord, 401);
  check(verb::get, rec, kRecord, 403, {}, acceptor.read);
  check(verb::get, "/api/v1/exchange/bases/population/records/110105194912310038", kRecord, 404, {},
        admin);
  check(verb::put, rec, kRecord, 200, R"({"name":"张三","marital_status":"married"})", with_json);
  check(verb::put, "/api/v1/exchange/bases/population/records/110105194912310038", kRecord, 201,
        R"({"name":"赵六"})", with_json);
  check(verb::put, rec, kRecord, 400, "{", with_json);
  check(verb::put, rec, kRecord, 401, R"({"name":"张三"})");
  check(verb::put, rec, kRecord, 403, R"({"name":"张三"})", acceptor.write);
  check(verb::put, "/api/v1/exchange/bases/nope/records/1", kRecord, 404, R"({"name":"x"})",
        with_json);
  check(verb::put, rec, kRecord, 422, R"({"name":"张三","gender":"x"})", with_json);

  // A department's staff acting for its systems: a system of sc.acceptor's department.
  auto made = client.SendJson(verb::post, "/api/v1/oidc/clients",
                              json::serialize(json::object{{"name", "市场监管业务系统"},
                                                           {"type", "confidential"},
                                                           {"grant_types", {"client_credentials"}},
                                                           {"scopes", {"exchange"}}}),
                              admin);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string scjg_sys(made.json().at("client_id").as_string());
  ASSERT_EQ(client
                .SendJson(verb::put, "/api/v1/exchange/systems/" + scjg_sys,
                          R"({"department_code":"330102-SCJG"})", admin)
                .status,
            200);
  const std::string kDeptSystems = "/api/v1/exchange/departments/{department}/systems";
  const std::string own_systems = "/api/v1/exchange/departments/330102-SCJG/systems";
  check(verb::get, own_systems, kDeptSystems, 401);
  check(verb::get, own_systems, kDeptSystems, 403, {}, zhang.read);
  const std::string kSysApps = "/api/v1/exchange/systems/{client_id}/applications";
  const std::string for_sys = "/api/v1/exchange/systems/" + scjg_sys + "/applications";
  json::object staff_apply{{"resource", "SCJG-QY-001"},
                           {"purpose", "核验企业登记信息"},
                           {"legal_basis", "《优化营商环境条例》第三十八条"},
                           {"fields", {"name", "status"}}};
  check(verb::post, for_sys, kSysApps, 201, json::serialize(staff_apply), acceptor.write);
  check(verb::post, for_sys, kSysApps, 400, "{", acceptor.write);
  check(verb::post, for_sys, kSysApps, 401, json::serialize(staff_apply));
  check(verb::post, for_sys, kSysApps, 403, json::serialize(staff_apply), zhang.write);
  check(verb::post, "/api/v1/exchange/systems/demo-zwfw-330102/applications", kSysApps, 404,
        json::serialize(staff_apply), acceptor.write);
  check(verb::post, for_sys, kSysApps, 422, "{}", acceptor.write);
  check(verb::get, own_systems, kDeptSystems, 200, {}, acceptor.read);

  // Bulk extracts: the demo system's grant for SCJG-QY-001 covers non-personal fields, so
  // it needs no bulk flag; GA-HJ-001's personal fields do.
  const std::string kExtracts = "/api/v1/exchange/resources/{code}/extracts";
  const std::string ex = kRes + "/SCJG-QY-001/extracts";
  const std::string ask = R"({"fields":["name","status"],"purpose":"企业名录比对"})";
  check(verb::post, ex, kExtracts, 400, "{", sys);
  check(verb::post, ex, kExtracts, 401, ask);
  check(verb::post, ex, kExtracts, 403, ask, zhang.write);
  check(verb::post, kRes + "/GA-HJ-001/extracts", kExtracts, 403,
        R"({"fields":["name"],"purpose":"人口统计"})", sys);
  check(verb::post, kRes + "/NOPE-1/extracts", kExtracts, 404, ask, sys);
  check(verb::post, ex, kExtracts, 422, R"({"fields":["name"],"purpose":"x","since":"now"})", sys);
  auto queued = client.SendJson(verb::post, ex, ask, sys);
  ASSERT_EQ(queued.status, 202) << queued.body;
  const std::string xid(queued.json().at("id").as_string());
  const std::string kExtract = kExtracts + "/{id}";
  const std::string kFile = kExtract + "/file";
  // Not ready until the job has run.
  check(verb::get, ex + "/" + xid + "/file", kFile, 409, {}, sys);
  auto ran = server.app().exchange().RunExtracts();
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 1);
  check(verb::post, ex, kExtracts, 202, ask, sys);
  check(verb::get, ex, kExtracts, 200, {}, sys);
  check(verb::get, ex, kExtracts, 401);
  check(verb::get, ex, kExtracts, 403, {}, zhang.read);
  check(verb::get, ex + "/" + xid, kExtract, 200, {}, sys);
  check(verb::get, ex + "/" + xid, kExtract, 401);
  check(verb::get, ex + "/" + xid, kExtract, 403, {}, zhang.read);
  check(verb::get, ex + "/XEnope", kExtract, 404, {}, sys);
  check(verb::get, ex + "/" + xid + "/file?part=1", kFile, 200, {}, sys);
  check(verb::get, ex + "/" + xid + "/file", kFile, 401);
  check(verb::get, ex + "/" + xid + "/file", kFile, 403, {}, zhang.read);
  check(verb::get, ex + "/" + xid + "/file?part=9", kFile, 404, {}, sys);
  check(verb::get, ex + "/" + xid + "/file?part=x", kFile, 422, {}, sys);

  ExpectAllProbed(checker, IsExchangePath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiExchange);

}  // namespace
}  // namespace ow::testing
