// Cases use the data exchange (issue 14 part 6): a material stood for by data the
// applicant consents to at submission; the fetch-data service task fetches it as the
// platform's case-handling system, granted, signed and logged with the case's tracking
// number; a failed fetch leaves the case with staff, who retry it; the form is pre-filled
// from the applicant's own data. On SQLite and PostgreSQL, written as an attacker.
#include <algorithm>
#include <boost/json.hpp>

#include "app/app.h"
#include "app/demo.h"
#include "support/openapi_checker.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kItem = "3301-GA-CSDJ";  // 出生登记 (demo/catalog.json)
constexpr const char* kRegister = "居民户口簿";
constexpr const char* kIdCards = "父母居民身份证";
constexpr const char* kBirthCert = "出生医学证明";
constexpr const char* kZhangsan = "330102199003073017";

std::string J(const json::value& v) { return json::serialize(v); }

class FetchDataTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url(), [](Config& c) { c.password_concurrency = 4; });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded =
        app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
    ASSERT_TRUE(seeded) << seeded.error().message;
    zhang_ = SignIn(*client_, "zhangsan");
    lisi_ = SignIn(*client_, "lisi");
    sc_acceptor_ = SignIn(*client_, "sc.acceptor");
    ga_acceptor_ = Staff("ga.acceptor", "acceptor");
    ga_approver_ = Staff("ga.approver", "approver");
  }

  Caller Staff(const std::string& username, const std::string& role) {
    auto made = client_->SendJson(verb::post, "/api/v1/staff",
                                  J(json::object{{"username", username},
                                                 {"password", kDemoPassword},
                                                 {"real_name", "王警官"},
                                                 {"department_code", "3301-GA"},
                                                 {"region_code", "3301"}}),
                                  server_->AdminHeaders());
    EXPECT_EQ(made.status, 201) << made.body;
    if (made.status != 201) return {};
    Caller sec = SignIn(*client_, "secadmin");
    auto granted = client_->SendJson(
        verb::post, "/api/v1/staff/" + std::string(made.json().at("id").as_string()) + "/roles",
        J(json::object{{"role", role}, {"region_code", "3301"}, {"department_code", "3301-GA"}}),
        sec.headers);
    EXPECT_EQ(granted.status, 201) << granted.body;
    return SignIn(*client_, username);
  }

  std::string Upload(const Caller& who) {
    auto h = who.headers;
    h["Content-Type"] = "application/octet-stream";
    auto r = client_->Send(verb::post, "/api/v1/materials?filename=cert.pdf",
                           "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 "
                           "R >>\n%%EOF\n",
                           h);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : std::string();
  }

  json::object Form() {
    return {{"baby_name", "张小宝"},      {"baby_gender", "男"},
            {"birth_date", "2026-11-20"}, {"birth_cert_no", "Q330012345"},
            {"follow", "随父"},           {"mother_id", "330102199208153029"},
            {"phone", "13800000001"}};
  }

  HttpResponse Submit(const Caller& who, json::object extra) {
    json::object body{{"item_code", kItem}, {"region_code", "3301"}, {"form", Form()}};
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return client_->SendJson(verb::post, "/api/v1/cases", J(body), who.headers);
  }

  // A birth registration by zhangsan: the birth certificate uploaded, the household
  // register and the identity cards stood for by data.
  json::object SubmitWithConsent() {
    auto r = Submit(
        zhang_,
        {{"materials", json::array{json::object{{"id", Upload(zhang_)}, {"name", kBirthCert}}}},
         {"data_consents", json::array{kRegister, kIdCards}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object();
  }

  HttpResponse Accept(const json::object& k) {
    int64_t task = 0, version = 0;
    for (const auto& t : k.at("tasks").as_array())
      if (t.at("kind") == "accept") {
        task = t.at("id").as_int64();
        version = t.at("version").as_int64();
      }
    std::string at = "/api/v1/tasks/" + std::to_string(task);
    auto claim = client_->SendJson(verb::post, at + "/claim", J(json::object{{"version", version}}),
                                   ga_acceptor_.headers);
    EXPECT_EQ(claim.status, 200) << claim.body;
    return client_->SendJson(verb::post, at + "/complete",
                             J(json::object{{"version", claim.json().at("version").as_int64()},
                                            {"decision", "accept"},
                                            {"opinion", "材料齐全"}}),
                             ga_acceptor_.headers);
  }

  json::object GetCase(const Caller& who, const std::string& no) {
    auto r = client_->Get("/api/v1/cases/" + no, who.headers);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().as_object() : json::object();
  }

  static const json::object* Use(const json::object& k, const std::string& name) {
    for (const auto& u : k.at("data_uses").as_array())
      if (u.at("name").as_string() == name) return &u.as_object();
    return nullptr;
  }

  // The message log's entries about the case: "outcome:reason:consumer".
  std::vector<std::string> Logged(const std::string& no) {
    std::vector<std::string> out;
    auto st = server_->app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT outcome, refusal_reason, consumer_client, "
                                          "consumer_department FROM exchange_log WHERE "
                                          "case_tracking = $1 ORDER BY seq",
                                          {no}));
      for (size_t i = 0; i < r.size(); ++i)
        out.push_back(r.Text(i, 0) + ":" + r.Text(i, 1) + ":" + r.Text(i, 2) + ":" + r.Text(i, 3));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }

  void SetGrantExpiry(const std::string& resource, const std::string& expires_at) {
    auto st = server_->app().database().Transact([&](db::Connection& c) -> Status {
      auto n = c.Exec(
          "UPDATE exchange_applications SET expires_at = $1 WHERE client_id = 'onewindow-cases' "
          "AND resource_code = $2 AND status = 'granted'",
          {expires_at, resource});
      if (!n) return n.error();
      return {};
    });
    ASSERT_TRUE(st) << st.error().message;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  Caller zhang_, lisi_, sc_acceptor_, ga_acceptor_, ga_approver_;
};

TEST_P(FetchDataTest, ConsentedDataStandsForMaterialsAndIsFetchedSignedAndLoggedAtAcceptance) {
  // Without the materials and without consent: both named as missing.
  auto missing = Submit(
      zhang_,
      {{"materials", json::array{json::object{{"id", Upload(zhang_)}, {"name", kBirthCert}}}}});
  ASSERT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(missing.body.find(kRegister), std::string::npos) << missing.body;

  json::object k = SubmitWithConsent();
  ASSERT_FALSE(k.empty());
  const std::string no(k.at("tracking_no").as_string());
  ASSERT_EQ(k.at("data_uses").as_array().size(), 2u);
  const json::object* reg = Use(k, kRegister);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->at("status"), "consented");
  EXPECT_EQ(reg->at("resource"), "GA-HJ-001");
  EXPECT_EQ(reg->at("consented_by"), "zhangsan");
  EXPECT_FALSE(reg->contains("subject"));
  // Nothing is fetched before acceptance: consent is not a fetch.
  EXPECT_TRUE(Logged(no).empty());

  auto accepted = Accept(k);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  k = GetCase(ga_approver_, no);
  EXPECT_EQ(k.at("status"), "under_review");
  reg = Use(k, kRegister);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->at("status"), "verified") << J(*reg);
  EXPECT_EQ(reg->at("data").at("household_number"), "330102000101");
  EXPECT_EQ(reg->at("data").at("household_head"), "张三");
  EXPECT_FALSE(reg->at("data").as_object().contains("marital_status"));  // only the fields named
  EXPECT_EQ(reg->at("resource_name"), "户籍信息");
  EXPECT_GT(reg->at("log_seq").as_int64(), 0);
  EXPECT_EQ(std::count(reg->at("signature").as_string().begin(),
                       reg->at("signature").as_string().end(), '.'),
            2);
  EXPECT_EQ(Use(k, kIdCards)->at("data").at("birth_date"), "1990-03-07");
  // Logged like any consumer's query: the platform's case-handling system, with the case.
  EXPECT_EQ(Logged(no), (std::vector<std::string>{"answered::onewindow-cases:3301-ZWFW",
                                                  "answered::onewindow-cases:3301-ZWFW"}));
  // The history says what the service task did, with no personal data in it.
  bool called = false;
  for (const auto& e : k.at("events").as_array())
    if (e.at("action") == "service_called") {
      called = true;
      EXPECT_EQ(J(e).find("330102000101"), std::string::npos) << J(e);
    }
  EXPECT_TRUE(called);

  // The parent sees both uses in 我的数据使用记录, with the case's number.
  auto uses = client_->Get("/api/v1/me/data-uses", zhang_.headers);
  ASSERT_EQ(uses.status, 200) << uses.body;
  EXPECT_NE(uses.body.find(no), std::string::npos) << uses.body;
  // Another resident does not.
  auto theirs = client_->Get("/api/v1/me/data-uses", lisi_.headers);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(theirs.body.find(no), std::string::npos);

  // Retrying when everything is verified is refused; nobody outside the case may retry.
  EXPECT_EQ(client_
                ->SendJson(verb::post, "/api/v1/cases/" + no + "/data-uses/fetch", "",
                           ga_approver_.headers)
                .status,
            409);
  EXPECT_EQ(client_
                ->SendJson(verb::post, "/api/v1/cases/" + no + "/data-uses/fetch", "",
                           sc_acceptor_.headers)
                .status,
            404);
  EXPECT_EQ(
      client_->SendJson(verb::post, "/api/v1/cases/" + no + "/data-uses/fetch", "", zhang_.headers)
          .status,
      403);
}

TEST_P(FetchDataTest, AFailedFetchLeavesTheCaseWithStaffWhoRetryIt) {
  json::object k = SubmitWithConsent();
  ASSERT_FALSE(k.empty());
  const std::string no(k.at("tracking_no").as_string());
  // The platform's grant for the household register lapsed meanwhile.
  SetGrantExpiry("GA-HJ-001", "2020-01-01T00:00:00Z");
  auto accepted = Accept(k);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  k = GetCase(ga_approver_, no);
  // Not lost: under review, the approval task open, the failure on each data use.
  EXPECT_EQ(k.at("status"), "under_review");
  bool approve_open = false;
  for (const auto& t : k.at("tasks").as_array())
    approve_open = approve_open || (t.at("kind") == "review" && t.at("status") == "open");
  EXPECT_TRUE(approve_open);
  const json::object* reg = Use(k, kRegister);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->at("status"), "failed");
  EXPECT_NE(reg->at("error").as_string().find("expired"), std::string::npos) << J(*reg);
  EXPECT_TRUE(reg->at("data").as_object().empty());
  // The refusals are in the message log with the case.
  EXPECT_EQ(Logged(no),
            (std::vector<std::string>{"refused:grant_expired:onewindow-cases:3301-ZWFW",
                                      "refused:grant_expired:onewindow-cases:3301-ZWFW"}));

  // The grant renewed, the approver retries: verified, and recorded in the history.
  SetGrantExpiry("GA-HJ-001", "2099-01-01T00:00:00Z");
  auto retried = client_->SendJson(verb::post, "/api/v1/cases/" + no + "/data-uses/fetch", "",
                                   ga_approver_.headers);
  ASSERT_EQ(retried.status, 200) << retried.body;
  const json::value after = retried.json();  // Use points into it
  reg = Use(after.as_object(), kRegister);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->at("status"), "verified");
  EXPECT_EQ(reg->at("attempts").as_int64(), 2);
  EXPECT_TRUE(reg->at("error").is_null());
  EXPECT_EQ(after.at("events").as_array().back().at("action"), "data_fetched");
  EXPECT_EQ(Logged(no).size(), 4u);
}

TEST_P(FetchDataTest, OnlyThePersonConsentsAndOnlyForMaterialsDataStandsFor) {
  auto cert = [&] {
    return json::array{json::object{{"id", Upload(zhang_)}, {"name", kBirthCert}}};
  };
  // A material data cannot stand for, an unknown one, one listed twice.
  for (const json::array& consents :
       {json::array{kBirthCert}, json::array{"不存在的材料"}, json::array{kRegister, kRegister}}) {
    auto r = Submit(zhang_, {{"materials", cert()}, {"data_consents", consents}});
    EXPECT_EQ(r.status, 422) << J(consents) << r.body;
  }
  auto malformed = Submit(zhang_, {{"materials", cert()}, {"data_consents", "居民户口簿"}});
  EXPECT_EQ(malformed.status, 422) << malformed.body;

  // A hall's counter intake cannot consent for the person.
  Caller counter = SignIn(*client_, "hall.counter");
  auto at_counter = client_->SendJson(verb::post, "/api/v1/cases",
                                      J(json::object{{"item_code", kItem},
                                                     {"region_code", "3301"},
                                                     {"form", Form()},
                                                     {"applicant_resident_id", kZhangsan},
                                                     {"applicant_name", "张三"},
                                                     {"data_consents", json::array{kRegister}}}),
                                      counter.headers);
  EXPECT_EQ(at_counter.status / 100, 4) << at_counter.body;
  EXPECT_NE(at_counter.status, 201);

  // lisi's consent fetches lisi's data, never anyone else's: the subject is her own ID.
  auto hers = Submit(
      lisi_, {{"materials", json::array{json::object{{"id", Upload(lisi_)}, {"name", kBirthCert}}}},
              {"data_consents", json::array{kRegister, kIdCards}}});
  ASSERT_EQ(hers.status, 201) << hers.body;
  ASSERT_EQ(Accept(hers.json().as_object()).status, 200);
  auto k = GetCase(ga_approver_, std::string(hers.json().at("tracking_no").as_string()));
  EXPECT_EQ(Use(k, kRegister)->at("data").at("household_number"), "330106000202");
}

TEST_P(FetchDataTest, TheFormIsPrefilledFromThePersonsOwnDataOnRequest) {
  auto r = client_->SendJson(
      verb::post, "/api/v1/me/prefill/data",
      J(json::object{{"item_code", kItem}, {"materials", json::array{kRegister}}}), zhang_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("values").at("household_number"), "330102000101");
  EXPECT_EQ(r.json().at("values").at("household_address"), "浙江省杭州市上城区清波街道劳动路1号");
  EXPECT_EQ(r.json().at("data").at(0).at("found"), true);
  EXPECT_EQ(r.json().at("data").at(0).at("resource_name"), "户籍信息");
  // The person sees that use too.
  auto uses = client_->Get("/api/v1/me/data-uses", zhang_.headers);
  ASSERT_EQ(uses.status, 200);
  EXPECT_NE(uses.body.find("预填"), std::string::npos) << uses.body;

  // Staff cannot pre-fill (no one's data is fetched for them); a material data does not
  // stand for, or none, is refused; the unauthenticated are refused.
  EXPECT_EQ(
      client_
          ->SendJson(verb::post, "/api/v1/me/prefill/data",
                     J(json::object{{"item_code", kItem}, {"materials", json::array{kRegister}}}),
                     ga_acceptor_.headers)
          .status,
      403);
  for (const json::array& m : {json::array{kBirthCert}, json::array{}})
    EXPECT_EQ(
        client_
            ->SendJson(verb::post, "/api/v1/me/prefill/data",
                       J(json::object{{"item_code", kItem}, {"materials", m}}), zhang_.headers)
            .status,
        422);
  EXPECT_EQ(
      client_
          ->SendJson(verb::post, "/api/v1/me/prefill/data",
                     J(json::object{{"item_code", kItem}, {"materials", json::array{kRegister}}}),
                     {})
          .status,
      401);
}

TEST_P(FetchDataTest, ResponsesMatchTheDocument) {
  ResponseChecker checker(server_->port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body, const std::map<std::string, std::string>& headers) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string prefill = "/api/v1/me/prefill/data";
  const std::string reg =
      J(json::object{{"item_code", kItem}, {"materials", json::array{kRegister}}});
  check(verb::post, prefill, prefill, 200, reg, zhang_.headers);
  check(verb::post, prefill, prefill, 401, reg, {});
  check(verb::post, prefill, prefill, 403, reg, ga_acceptor_.headers);
  check(verb::post, prefill, prefill, 404,
        J(json::object{{"item_code", "NO-SUCH-ITEM"}, {"materials", json::array{kRegister}}}),
        zhang_.headers);
  check(verb::post, prefill, prefill, 422,
        J(json::object{{"item_code", kItem}, {"materials", json::array{kBirthCert}}}),
        zhang_.headers);

  json::object k = SubmitWithConsent();
  ASSERT_FALSE(k.empty());
  const std::string no(k.at("tracking_no").as_string());
  SetGrantExpiry("GA-HJ-001", "2020-01-01T00:00:00Z");
  ASSERT_EQ(Accept(k).status, 200);
  SetGrantExpiry("GA-HJ-001", "2099-01-01T00:00:00Z");
  const std::string fetch = "/api/v1/cases/{no}/data-uses/fetch";
  const std::string at = "/api/v1/cases/" + no + "/data-uses/fetch";
  check(verb::post, at, fetch, 401, "", {});
  check(verb::post, at, fetch, 403, "", zhang_.headers);
  check(verb::post, at, fetch, 404, "", sc_acceptor_.headers);
  check(verb::post, at, fetch, 200, "", ga_approver_.headers);
  check(verb::post, at, fetch, 409, "", ga_approver_.headers);
  ExpectAllProbed(checker, IsFetchDataPath);
}

OW_INSTANTIATE_STORE_TESTS(FetchDataTest);

}  // namespace
}  // namespace ow::testing
