// Enterprises act through their operators, over HTTP on both stores: an operator holding
// "apply" applies in the enterprise's name for an item serving legal persons, and the
// enterprise is the applicant everywhere (its cases, the staff inbox and search); any
// operator reads its cases and materials, only "apply" acts and only "manage" grants;
// outsiders, view-only operators, relying parties and removed operators are refused, the
// last from their very next request. Consenting to fetch data instead of a material is a
// person's own act: an application in an enterprise's name cannot.
#include <boost/json.hpp>

#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kCode = "91350100M000100Y43";
constexpr const char* kName = "杭州某某药房有限公司";
constexpr const char* kLegalItem = "33-SCJG-YPLS";     // serves legal persons; 330102-SCJG
constexpr const char* kPersonItem = "3301-SCJG-GTDJ";  // natural persons only

json::object PharmacyForm() {
  return {{"company_name", kName},  {"uscc", kCode},         {"address", "杭州市上城区解放路2号"},
          {"legal_rep", "张三"},    {"mode", "单体药店"},    {"scope", json::array{"乙类非处方药"}},
          {"pharmacist", "王药师"}, {"phone", "13800000001"}};
}

json::object PersonForm() {
  return {{"operator_name", "李四"}, {"operator_id", "330106198506124526"},
          {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
          {"scope", "日用百货零售"}, {"phone", "13800000002"}};
}

class EnterpriseTest : public CasesFixture {
 protected:
  // zhangsan registers the enterprise (administrator operator); lisi is granted `rights`.
  void Register(const Session& boss) {
    auto r = Call(verb::post, "/api/v1/enterprises",
                  Json({{"credit_code", kCode}, {"name", kName}}), &boss);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  HttpResponse Grant(const Session& by, const std::string& username, json::array rights) {
    return Call(verb::put, std::string("/api/v1/enterprises/") + kCode + "/operators/" + username,
                Json({{"rights", std::move(rights)}}), &by);
  }
  HttpResponse ApplyFor(const Session& s, const std::string& item = kLegalItem,
                        json::object extra = {}) {
    extra["on_behalf_of_enterprise"] = kCode;
    return Submit(s, item, "330102", item == kLegalItem ? PharmacyForm() : PersonForm(),
                  std::move(extra));
  }
  // The data exchange's message log: how many entries it holds.
  int64_t LogEntries() {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM exchange_log", {}));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }
  static std::string Cases() { return std::string("/api/v1/enterprises/") + kCode + "/cases"; }
};

TEST_P(EnterpriseTest, AnOperatorWithApplyAppliesAndTheEnterpriseIsTheApplicantEverywhere) {
  Session boss = Login("zhangsan");
  Session lisi = Login("lisi");
  Session outsider = Person("wang.wu", "330102199003071230", "王五");
  Register(boss);

  // Not an operator: refused without learning whether the enterprise exists.
  auto r = ApplyFor(lisi);
  EXPECT_EQ(r.status, 422) << r.body;
  // View only: may follow, may not apply.
  ASSERT_EQ(Grant(boss, "lisi", {"view"}).status, 200);
  r = ApplyFor(lisi);
  EXPECT_EQ(r.status, 403) << r.body;
  ASSERT_EQ(Grant(boss, "lisi", {"apply", "view"}).status, 200);
  auto hers = Call(verb::get, "/api/v1/me/enterprises", {}, &lisi);
  ASSERT_EQ(hers.status, 200) << hers.body;
  EXPECT_EQ(hers.json().at("enterprises").at(0).at("enterprise_name"), kName);
  // An item serving natural persons only is not for an enterprise.
  r = ApplyFor(lisi, kPersonItem);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("natural persons only"), std::string::npos) << r.body;
  // A person cannot be applied for and an enterprise at once.
  r = ApplyFor(lisi, kLegalItem, {{"on_behalf_of", boss.account_id}});
  EXPECT_EQ(r.status, 422) << r.body;

  r = ApplyFor(lisi);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object c = r.json().as_object();
  const json::object& applicant = c.at("applicant").as_object();
  EXPECT_EQ(applicant.at("kind"), "enterprise");
  EXPECT_EQ(applicant.at("credit_code"), kCode);
  EXPECT_EQ(applicant.at("name"), kName);
  EXPECT_TRUE(applicant.at("account_id").is_null());
  EXPECT_EQ(c.at("submitted_by"), "lisi");  // the acting operator

  // The enterprise's list, for every operator; not the operator's own list.
  for (const Session* s : {&boss, &lisi}) {
    auto list = Call(verb::get, Cases(), {}, s);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("total"), 1);
    EXPECT_EQ(list.json().at("cases").at(0).at("applicant").at("name"), kName);
    EXPECT_EQ(Status(*s, "/api/v1/cases/" + No(c)), 200);
  }
  EXPECT_EQ(Call(verb::get, "/api/v1/me/cases", {}, &lisi).json().at("total"), 0);
  // The case's messages go to the operator who applied (the enterprise's handler).
  auto messages = Call(verb::get, "/api/v1/me/messages", {}, &lisi);
  ASSERT_EQ(messages.status, 200) << messages.body;
  bool told = false;
  json::value told_list = messages.json();
  for (const auto& m : told_list.at("messages").as_array())
    told = told || m.at("case_no") == c.at("tracking_no");
  EXPECT_TRUE(told) << messages.body;
  // Outsiders see nothing, not even that the enterprise exists.
  EXPECT_EQ(Status(outsider, Cases()), 404);
  EXPECT_EQ(Status(outsider, "/api/v1/cases/" + No(c)), 404);
  EXPECT_EQ(Status(outsider, "/api/v1/enterprises/91350100M000100Y43x/cases"), 404);

  // Staff see the enterprise as the applicant in the inbox and in search.
  Session acceptor = Login("sc.acceptor");
  auto inbox = Call(verb::get, "/api/v1/workbench/tasks", {}, &acceptor);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  bool listed = false;
  json::value tasks = inbox.json();
  for (const auto& t : tasks.at("tasks").as_array()) {
    if (t.at("case").at("tracking_no") == c.at("tracking_no")) {
      listed = true;
      EXPECT_EQ(t.at("case").at("applicant").at("name"), kName);
      EXPECT_EQ(t.at("case").at("applicant").at("kind"), "enterprise");
    }
  }
  EXPECT_TRUE(listed) << inbox.body;
  auto found = Call(verb::get, "/api/v1/cases?q=%E8%8D%AF%E6%88%BF", {}, &acceptor);  // 药房
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.json().at("total"), 1) << found.body;
  EXPECT_EQ(found.json().at("cases").at(0).at("applicant").at("credit_code"), kCode);
}

TEST_P(EnterpriseTest, MaterialsUploadedForTheEnterpriseBelongToIt) {
  Session boss = Login("zhangsan");
  Session lisi = Login("lisi");
  Session viewer = Person("wang.wu", "330102199003071230", "王五");
  Session outsider = Person("zhao.liu", "330106200002290010", "赵六");
  Register(boss);
  ASSERT_EQ(Grant(boss, "lisi", {"apply"}).status, 200);
  ASSERT_EQ(Grant(boss, "wang.wu", {"view"}).status, 200);

  std::string q = std::string("&enterprise=") + kCode;
  // Only an operator holding apply uploads in its name.
  EXPECT_EQ(Upload(viewer, q), "");
  EXPECT_EQ(Upload(outsider, q), "");
  std::string id = Upload(lisi, q);
  ASSERT_FALSE(id.empty());
  std::string content = "/api/v1/materials/" + id + "/content";
  // It is the enterprise's: every operator reads it, the uploader lists it only there.
  for (const Session* s : {&boss, &lisi, &viewer}) EXPECT_EQ(Status(*s, content), 200);
  EXPECT_EQ(Status(outsider, content), 404);
  auto theirs = Call(verb::get, "/api/v1/me/materials?enterprise=" + std::string(kCode), {}, &boss);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(theirs.json().at("materials").as_array().size(), 1u);
  EXPECT_TRUE(
      Call(verb::get, "/api/v1/me/materials", {}, &lisi).json().at("materials").as_array().empty());
  EXPECT_EQ(Status(outsider, "/api/v1/me/materials?enterprise=" + std::string(kCode)), 404);

  // Attached to the enterprise's application; not to the operator's personal one.
  auto personal = Submit(lisi, kPersonItem, "330102", PersonForm(), {{"materials", {id}}});
  EXPECT_EQ(personal.status, 422) << personal.body;
  auto r = ApplyFor(lisi, kLegalItem, {{"materials", MaterialsFor(lisi, kLegalItem, {id})}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("materials").as_array().size(), RequiredNames(kLegalItem).size());

  // Removing the uploader ends their access to it at once.
  ASSERT_EQ(Call(verb::delete_, std::string("/api/v1/enterprises/") + kCode + "/operators/lisi", {},
                 &boss)
                .status,
            204);
  EXPECT_EQ(Status(lisi, content), 404);
  EXPECT_EQ(Status(lisi, "/api/v1/materials/" + id), 404);
}

TEST_P(EnterpriseTest, OnlyApplyActsOnlyManageGrantsAndRemovalEndsAccessAtOnce) {
  Session boss = Login("zhangsan");
  Session lisi = Login("lisi");
  Session viewer = Person("wang.wu", "330102199003071230", "王五");
  Session outsider = Person("zhao.liu", "330106200002290010", "赵六");
  Register(boss);
  ASSERT_EQ(Grant(boss, "lisi", {"apply"}).status, 200);

  // Grants: only "manage" holders, never the administrator's rights, never one's own.
  EXPECT_EQ(Grant(lisi, "wang.wu", {"view"}).status, 403);
  EXPECT_EQ(Grant(outsider, "wang.wu", {"view"}).status, 404);
  ASSERT_EQ(Grant(boss, "lisi", {"apply", "manage"}).status, 200);
  EXPECT_EQ(Grant(lisi, "wang.wu", {"view"}).status, 200);
  EXPECT_EQ(Grant(lisi, "zhangsan", {"view"}).status, 409);
  EXPECT_EQ(Grant(lisi, "lisi", {"apply", "view", "manage"}).status, 409);
  EXPECT_EQ(Call(verb::delete_, std::string("/api/v1/enterprises/") + kCode + "/operators/zhangsan",
                 {}, &lisi)
                .status,
            409);
  EXPECT_EQ(Call(verb::delete_, std::string("/api/v1/enterprises/") + kCode + "/operators/wang.wu",
                 {}, &outsider)
                .status,
            404);

  auto r = ApplyFor(lisi);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string no = No(r.json().as_object());

  // A view-only operator follows the case but does not act in the enterprise's name.
  EXPECT_EQ(Status(viewer, "/api/v1/cases/" + no), 200);
  auto w =
      Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "不办了"}}), &viewer);
  EXPECT_EQ(w.status, 403) << w.body;

  // Removing an operator ends their access with the next request.
  ASSERT_EQ(Call(verb::delete_, std::string("/api/v1/enterprises/") + kCode + "/operators/lisi", {},
                 &boss)
                .status,
            204);
  EXPECT_EQ(Status(lisi, "/api/v1/cases/" + no), 404);
  EXPECT_EQ(Status(lisi, Cases()), 404);
  w = Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "撤回"}}), &lisi);
  EXPECT_EQ(w.status, 404) << w.body;
  EXPECT_EQ(ApplyFor(lisi).status, 422);
  EXPECT_EQ(Grant(lisi, "zhao.liu", {"view"}).status, 404);
  // The administrator operator, holding apply, still acts in the enterprise's name.
  w = Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "撤回"}}), &boss);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.json().at("status"), "withdrawn");
  EXPECT_EQ(w.json().at("events").as_array().back().at("actor"), "zhangsan");
}

// An enterprise's licence stands for a material of the enterprise's application, used by an
// operator who may apply in its name; never in a person's own application.
TEST_P(EnterpriseTest, AnEnterprisesLicenceIsUsedByItsApplyingOperatorOnly) {
  const std::string kItem = "3301-ZJ-SGXK", kMaterial = "建设工程规划许可证";
  // A planning permit held by enterprises, issued by the city's planning department.
  auto type =
      Admin(verb::put, "/api/v1/licence-types/construction_planning_permit",
            Json({{"name", "建设工程规划许可证"},
                  {"department_code", "3301-GH"},
                  {"holder_kind", "enterprise"},
                  {"schema",
                   {{"type", "object"},
                    {"properties", {{"project_name", {{"type", "string"}}}}},
                    {"required", json::array{"project_name"}}}},
                  {"validity_months", 0},
                  {"trust_level", "A"},
                  {"number_prefix", "JSGH"},
                  {"issued_by_items", json::array{}},
                  {"one_per_holder", false},
                  {"document", {{"title", "建设工程规划许可证"}, {"fields", json::array{}}}},
                  {"from_form", json::object{}}}));
  ASSERT_EQ(type.status, 201) << type.body;
  Session planner = Staff("gh.approver", "3301-GH", "3301", "approver");
  Session sec = Login("secadmin");
  auto seal = Call(verb::post, "/api/v1/seals",
                   Json({{"department_code", "3301-GH"}, {"kind", "licence"}}), &sec);
  ASSERT_EQ(seal.status, 201) << seal.body;
  ASSERT_EQ(Call(verb::put,
                 "/api/v1/seals/" + std::string(seal.json().at("id").as_string()) +
                     "/holders/gh.approver",
                 "", &sec)
                .status,
            200);
  auto issued = Call(verb::post, "/api/v1/licences",
                     Json({{"type_code", "construction_planning_permit"},
                           {"holder", {{"kind", "enterprise"}, {"id", kCode}, {"name", kName}}},
                           {"fields", {{"project_name", "某某药房仓储用房"}}}}),
                     &planner);
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string number(issued.json().at("number").as_string());

  Session boss = Login("zhangsan");
  Session lisi = Login("lisi");
  Register(boss);
  ASSERT_EQ(Grant(boss, "lisi", {"view"}).status, 200);
  const json::object form{{"project_name", "某某药房仓储用房"},
                          {"project_code", "2026-330102-47-01-000001"},
                          {"builder", kName},
                          {"uscc", kCode},
                          {"location", "杭州市上城区解放路2号"},
                          {"contractor", "杭州某建筑公司"},
                          {"area", 1200},
                          {"contract_price", 300},
                          {"start", "2030-07-01"},
                          {"phone", "13800000001"}};
  auto apply = [&](const Session& s, bool for_enterprise) {
    json::object extra{{"materials", RequiredMaterials(s, kItem, {kMaterial})},
                       {"licences", json::array{{{"name", kMaterial}, {"number", number}}}}};
    if (for_enterprise) extra["on_behalf_of_enterprise"] = kCode;
    return Submit(s, kItem, "3301", form, std::move(extra));
  };
  // Not in a person's own application, even by the enterprise's administrator.
  auto own = apply(boss, false);
  EXPECT_EQ(own.status, 422) << own.body;
  EXPECT_NE(own.body.find("not a licence you hold"), std::string::npos) << own.body;
  // Not by an operator who may only view (who cannot apply in its name at all).
  EXPECT_EQ(apply(lisi, true).status, 403);
  // The operator who may apply uses it: no upload for the permit.
  auto used = apply(boss, true);
  ASSERT_EQ(used.status, 201) << used.body;
  const json::value k = used.json();
  ASSERT_EQ(k.at("licences").as_array().size(), 1u);
  EXPECT_EQ(k.at("licences").at(0).at("number").as_string(), number);
  EXPECT_EQ(k.at("licences").at(0).at("status").as_string(), "valid");
  EXPECT_EQ(k.at("applicant").at("credit_code").as_string(), kCode);
}

TEST_P(EnterpriseTest, AnEnterpriseCannotConsentToFetchingData) {
  // The pharmacy licence gains a material that data from the population base can stand for
  // (the legal representative's household register), published by two administrators.
  Start([](Config& c) { c.admin_tokens = "alice:alice-token-000000001,bob:bob-token-0000000001"; });
  const std::string kMaterial = "法定代表人居民户口簿";
  auto published = Call(verb::get, std::string("/api/v1/catalog/items/") + kLegalItem);
  ASSERT_EQ(published.status, 200) << published.body;
  json::object item = published.json().at("item").as_object();
  item["materials"].as_array().push_back(
      {{"name", kMaterial},
       {"name_en", "Legal representative's household register"},
       {"required", false},
       {"copies", 1},
       {"form", "both"},
       {"blank_form_url", ""},
       {"sample_url", ""},
       {"note", "同意后可从人口库调取，免于上传"},
       {"note_en", "With consent it is fetched from the population base"},
       {"data_resource", "GA-HJ-001"},
       {"data_fields", json::array{"name", "address"}}});
  auto as = [&](const char* token) {
    return std::map<std::string, std::string>{{"Authorization", std::string("Bearer ") + token},
                                              {"Content-Type", "application/json"}};
  };
  auto change = client_->Send(
      verb::post, "/api/v1/catalog/changes",
      Json({{"kind", "change"},
            {"summary", "户口簿可由数据代替"},
            {"payload", {{"item", item}, {"base_version", published.json().at("version")}}}}),
      as("alice-token-000000001"));
  ASSERT_EQ(change.status, 201) << change.body;
  const std::string id = std::to_string(change.json().at("id").as_int64());
  ASSERT_EQ(client_
                ->Send(verb::post, "/api/v1/catalog/changes/" + id + "/submit", "{}",
                       as("alice-token-000000001"))
                .status,
            200);
  auto approved = client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/approve",
                                R"({"comment":"ok"})", as("bob-token-0000000001"));
  ASSERT_EQ(approved.status, 200) << approved.body;

  // zhangsan, a verified person who could consent to his own data, applies in the
  // enterprise's name: the consent is refused (the enterprise is the applicant, and it is
  // not the person the data is about), nothing is created and nothing is fetched.
  Session boss = Login("zhangsan");
  Register(boss);
  auto before = Call(verb::get, Cases(), {}, &boss);
  ASSERT_EQ(before.status, 200) << before.body;
  const int64_t entries_before = LogEntries();
  auto refused = ApplyFor(boss, kLegalItem, {{"data_consents", json::array{kMaterial}}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("only the person applying for themselves"), std::string::npos)
      << refused.body;
  auto after = Call(verb::get, Cases(), {}, &boss);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json().at("cases").as_array().size(),
            before.json().at("cases").as_array().size());
  EXPECT_EQ(LogEntries(), entries_before);
  // The same application without the consent is taken (the material is optional).
  auto taken = ApplyFor(boss);
  EXPECT_EQ(taken.status, 201) << taken.body;
}

OW_INSTANTIATE_STORE_TESTS(EnterpriseTest);

}  // namespace
}  // namespace ow::testing
