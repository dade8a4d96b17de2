// The supervision operations against docs/openapi.json (support/openapi_checker.h): every
// one, with its refusals, on both stores.
#include "identity/ids.h"
#include "supervise/service.h"
#include "support/cases_fixture.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiSupervise : public CasesFixture {
 protected:
  static ow::testing::Login Headers(const Session& s) {
    return {{{"Cookie", s.cookie}}, {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}};
  }
  static std::string Uscc(int n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "91330102MA%07d", n % 10000000);
    std::string first17(buf);
    return first17 + identity::CreditCodeCheckChar(first17);
  }
};

TEST_P(OpenApiSupervise, ResponsesMatchTheDocument) {
  ResponseChecker checker(server_->port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  auto S = [](const json::object& o) { return json::serialize(o); };
  Session zhang_s = Login("zhangsan");
  Session acceptor_s = Login("sc.acceptor");
  const auto zhang = Headers(zhang_s), acceptor = Headers(acceptor_s),
             approver = Headers(Login("sc.approver")), supervisor = Headers(Login("supervisor"));
  const auto urlencoded =
      With(supervisor.write, "Content-Type", "application/x-www-form-urlencoded");

  // A decided case (its licence goes to the claims), and a sweep.
  auto submitted = Submit(zhang_s, "3301-SCJG-GTDJ", "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  json::object c = Accept(acceptor_s, submitted.json().as_object());
  ASSERT_EQ(Complete(Login("sc.approver"), TaskOf(c, "Approve"), "approve").status, 200);
  ASSERT_TRUE(server_->app().supervise().Sweep());

  const std::string kWatch = "/api/v1/supervision/watch";
  check(verb::get, kWatch, kWatch, 200, "", supervisor.read);
  check(verb::get, kWatch + "?kind=x", kWatch, 422, "", supervisor.read);
  check(verb::get, kWatch, kWatch, 401);
  check(verb::get, kWatch, kWatch, 403, "", acceptor.read);
  const std::string kCase = "/api/v1/supervision/cases/{no}";
  check(verb::get, "/api/v1/supervision/cases/" + No(c), kCase, 200, "", supervisor.read);
  check(verb::get, "/api/v1/supervision/cases/1", kCase, 404, "", supervisor.read);
  check(verb::get, "/api/v1/supervision/cases/" + No(c), kCase, 401);
  check(verb::get, "/api/v1/supervision/cases/" + No(c), kCase, 403, "", acceptor.read);

  const std::string kOrders = "/api/v1/supervision-orders";
  json::object order{{"department_code", "330102-SCJG"},
                     {"object_kind", "case"},
                     {"object_ref", No(c)},
                     {"subject", "办件督办"},
                     {"instruction", "请按期办结"},
                     {"due_date", "2099-01-05"}};
  check(verb::post, kOrders, kOrders, 400, "{", supervisor.write);
  check(verb::post, kOrders, kOrders, 415, "a=b", urlencoded);
  check(verb::post, kOrders, kOrders, 401, S(order));
  check(verb::post, kOrders, kOrders, 403, S(order), acceptor.write);
  check(verb::post, kOrders, kOrders, 422, "{}", supervisor.write);
  auto made = check(verb::post, kOrders, kOrders, 201, S(order), supervisor.write);
  std::string number(made.json().at("number").as_string());
  check(verb::get, kOrders + "?which=supervisor", kOrders, 200, "", supervisor.read);
  check(verb::get, kOrders + "?which=x", kOrders, 422, "", supervisor.read);
  const std::string kOrder = "/api/v1/supervision-orders/{number}";
  check(verb::get, kOrders + "/" + number, kOrder, 200, "", acceptor.read);
  check(verb::get, kOrders + "/DBX", kOrder, 404, "", acceptor.read);
  const std::string kReply = kOrder + "/reply";
  check(verb::post, kOrders + "/" + number + "/reply", kReply, 409,
        S({{"version", 9}, {"reply", "已办结"}}), acceptor.write);
  check(verb::post, kOrders + "/DBX/reply", kReply, 404, S({{"version", 1}, {"reply", "已办结"}}),
        acceptor.write);
  auto replied = check(verb::post, kOrders + "/" + number + "/reply", kReply, 200,
                       S({{"version", 1}, {"reply", "已办结"}}), acceptor.write);
  const std::string kDecision = kOrder + "/decision";
  check(verb::post, kOrders + "/" + number + "/decision", kDecision, 422,
        S({{"version", 2}, {"decision", "return"}}), supervisor.write);
  check(verb::post, kOrders + "/" + number + "/decision", kDecision, 200,
        S({{"version", replied.json().at("version")}, {"decision", "close"}}), supervisor.write);

  const std::string kClaims = "/api/v1/supervision-claims";
  auto claims = check(verb::get, kClaims, kClaims, 200, "", acceptor.read);
  check(verb::get, kClaims + "?status=x", kClaims, 422, "", acceptor.read);
  const json::value listed = claims.json();
  ASSERT_FALSE(listed.at("claims").as_array().empty());
  std::string licence(listed.at("claims").as_array()[0].at("licence_number").as_string());
  const std::string kClaim = "/api/v1/supervision-claims/{licence}/claim";
  check(verb::post, kClaims + "/NONE/claim", kClaim, 404, S({{"version", 1}}), acceptor.write);
  check(verb::post, kClaims + "/" + licence + "/claim", kClaim, 200, S({{"version", 1}}),
        acceptor.write);
  check(verb::post, kClaims + "/" + licence + "/claim", kClaim, 409, S({{"version", 2}}),
        acceptor.write);

  // Inspections: an enterprise licence type, two enterprises, two inspectors.
  json::object type{{"name", "测试经营许可证"},
                    {"department_code", "330102-SCJG"},
                    {"holder_kind", "enterprise"},
                    {"schema", {{"type", "object"}, {"properties", json::object{}}}},
                    {"validity_months", 36},
                    {"trust_level", "A"},
                    {"number_prefix", "JYX"},
                    {"issued_by_items", json::array{}},
                    {"one_per_holder", false},
                    {"document", {{"title", "测试经营许可证"}, {"fields", json::array{}}}},
                    {"from_form", json::object{}}};
  auto t = Admin(verb::put, "/api/v1/licence-types/test_trading", S(type));
  ASSERT_TRUE(t.status == 200 || t.status == 201) << t.body;
  AllowLicenceSeal("sc.approver", "330102-SCJG");
  for (int i = 0; i < 2; ++i) {
    auto r = client_->Send(
        verb::post, "/api/v1/licences",
        S({{"type_code", "test_trading"},
           {"holder", {{"kind", "enterprise"}, {"id", Uscc(i)}, {"name", "测试企业有限公司"}}},
           {"fields", json::object{}},
           {"reason", "存量证照补录"}}),
        With(approver.write, "Content-Type", "application/json"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string kStaff = "/api/v1/inspection-staff";
  check(verb::get, kStaff + "?department=330102-SCJG", kStaff, 200, "", approver.read);
  check(verb::get, kStaff + "?department=330102-SCJG", kStaff, 403, "", acceptor.read);
  check(verb::post, kStaff, kStaff, 422,
        S({{"department_code", "330102-SCJG"}, {"username", "lisi"}}), approver.write);
  auto staff =
      check(verb::post, kStaff, kStaff, 200,
            S({{"department_code", "330102-SCJG"}, {"username", "sc.acceptor"}}), approver.write);
  check(verb::post, kStaff, kStaff, 200,
        S({{"department_code", "330102-SCJG"}, {"username", "sc.reviewer"}}), approver.write);
  std::string inspector(staff.json().at("inspectors").as_array()[0].at("account").as_string());
  const std::string kStaffOne = "/api/v1/inspection-staff/{department}/{account}";
  check(verb::delete_, kStaff + "/330102-SCJG/nobody", kStaffOne, 404, "", approver.write);
  const std::string kConflicts = "/api/v1/inspection-conflicts";
  check(verb::post, kConflicts, kConflicts, 422,
        S({{"department_code", "330102-SCJG"},
           {"account", inspector},
           {"uscc", "x"},
           {"reason", "r"}}),
        approver.write);
  check(verb::post, kConflicts, kConflicts, 204,
        S({{"department_code", "330102-SCJG"},
           {"account", inspector},
           {"uscc", Uscc(0)},
           {"reason", "近亲属在该企业任职"}}),
        approver.write);
  auto conflicts =
      check(verb::get, kConflicts + "?department=330102-SCJG", kConflicts, 200, "", approver.read);
  ASSERT_EQ(conflicts.json().at("conflicts").as_array().size(), 1u) << conflicts.body;
  check(verb::get, kConflicts + "?department=330102-SCJG", kConflicts, 403, "", acceptor.read);
  check(verb::get, kConflicts, kConflicts, 422, "", approver.read);
  check(verb::get, kConflicts + "?department=330102-SCJG", kConflicts, 401);
  const std::string kPlans = "/api/v1/inspection-plans";
  json::object plan{{"department_code", "330102-SCJG"},
                    {"licence_type", "test_trading"},
                    {"title", "双随机抽查"},
                    {"entities", 2},
                    {"inspectors_per_entity", 1}};
  check(verb::post, kPlans, kPlans, 422, "{}", approver.write);
  check(verb::post, kPlans, kPlans, 403, S(plan), acceptor.write);
  json::object too_many = plan;
  too_many["inspectors_per_entity"] = 2;
  check(verb::post, kPlans, kPlans, 409, S(too_many), approver.write);
  auto drawn = check(verb::post, kPlans, kPlans, 201, S(plan), approver.write);
  std::string plan_no(drawn.json().at("number").as_string());
  std::string uscc(drawn.json().at("entries").as_array()[0].at("uscc").as_string());
  check(verb::get, kPlans + "?department=330102-SCJG", kPlans, 200, "", approver.read);
  const std::string kPlan = "/api/v1/inspection-plans/{number}";
  check(verb::get, kPlans + "/" + plan_no, kPlan, 200, "", approver.read);
  check(verb::get, kPlans + "/SSX", kPlan, 404, "", approver.read);
  const std::string kResults = kPlan + "/results";
  check(verb::post, kPlans + "/" + plan_no + "/results", kResults, 422,
        S({{"version", 1}, {"uscc", uscc}, {"result", "x"}}), approver.write);
  auto recorded = check(verb::post, kPlans + "/" + plan_no + "/results", kResults, 200,
                        S({{"version", 1}, {"uscc", uscc}, {"result", "rectify"}}), approver.write);
  const std::string kPublish = kPlan + "/publication";
  check(verb::post, kPlans + "/" + plan_no + "/publication", kPublish, 409, S({{"version", 1}}),
        approver.write);
  check(verb::post, kPlans + "/" + plan_no + "/publication", kPublish, 200,
        S({{"version", recorded.json().at("version")}}), approver.write);
  check(verb::delete_, kStaff + "/330102-SCJG/" + inspector, kStaffOne, 200, "", approver.write);
  const std::string kPublic = "/api/v1/inspections";
  check(verb::get, kPublic, kPublic, 200);
  check(verb::get, kPublic + "/" + plan_no, "/api/v1/inspections/{number}", 200);
  check(verb::get, kPublic + "/SSX", "/api/v1/inspections/{number}", 404);
  ExpectAllProbed(checker, IsSupervisePath);
}

OW_INSTANTIATE_STORE_TESTS(OpenApiSupervise);

}  // namespace
}  // namespace ow::testing
