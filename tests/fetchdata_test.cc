// Cases use the data exchange (issue 14 part 6): a material stood for by data the
// applicant consents to at submission; the fetch-data service task fetches it as the
// platform's case-handling system, granted, signed and logged with the case's tracking
// number; a failed fetch leaves the case with staff, who retry it; the form is pre-filled
// from the applicant's own data. On SQLite and PostgreSQL, written as an attacker.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "app/app.h"
#include "app/demo.h"
#include "core/clock.h"
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

  Caller Staff(const std::string& username, const std::string& role,
               const std::string& department = "3301-GA") {
    auto made = client_->SendJson(verb::post, "/api/v1/staff",
                                  J(json::object{{"username", username},
                                                 {"password", kDemoPassword},
                                                 {"real_name", "王警官"},
                                                 {"department_code", department},
                                                 {"region_code", "3301"}}),
                                  server_->AdminHeaders());
    EXPECT_EQ(made.status, 201) << made.body;
    if (made.status != 201) return {};
    Caller sec = SignIn(*client_, "secadmin");
    auto granted = client_->SendJson(
        verb::post, "/api/v1/staff/" + std::string(made.json().at("id").as_string()) + "/roles",
        J(json::object{{"role", role}, {"region_code", "3301"}, {"department_code", department}}),
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

  HttpResponse Accept(const json::object& k) { return AcceptAs(ga_acceptor_, k); }
  HttpResponse AcceptAs(const Caller& acceptor, const json::object& k) {
    int64_t task = 0, version = 0;
    for (const auto& t : k.at("tasks").as_array())
      if (t.at("kind") == "accept") {
        task = t.at("id").as_int64();
        version = t.at("version").as_int64();
      }
    std::string at = "/api/v1/tasks/" + std::to_string(task);
    auto claim = client_->SendJson(verb::post, at + "/claim", J(json::object{{"version", version}}),
                                   acceptor.headers);
    EXPECT_EQ(claim.status, 200) << claim.body;
    if (claim.status != 200) return claim;
    return client_->SendJson(verb::post, at + "/complete",
                             J(json::object{{"version", claim.json().at("version").as_int64()},
                                            {"decision", "accept"},
                                            {"opinion", "材料齐全"}}),
                             acceptor.headers);
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
  // An unknown material, one listed twice.
  for (const json::array& consents :
       {json::array{"不存在的材料"}, json::array{kRegister, kRegister}}) {
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

TEST_P(FetchDataTest, ASelfDeclaredResidentIdFetchesNothing) {
  // Someone registers with the mother's resident ID number, which nobody verified, and tries
  // to have her child's birth certificate and her household register fetched.
  constexpr const char* kMother = "330102199208153029";
  auto logged = [&] {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM exchange_log"));
      n = rows.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  };
  const int64_t before = logged();
  auto reg = client_->SendJson(verb::post, "/api/v1/accounts",
                               J(json::object{{"username", "wang.claims"},
                                              {"password", kDemoPassword},
                                              {"real_name", "王芳"},
                                              {"resident_id", kMother}}));
  ASSERT_EQ(reg.status, 201) << reg.body;
  Caller claimer = SignIn(*client_, "wang.claims");
  auto pre = client_->SendJson(
      verb::post, "/api/v1/me/prefill/data",
      J(json::object{{"item_code", kItem}, {"materials", json::array{kBirthCert, kRegister}}}),
      claimer.headers);
  EXPECT_NE(pre.status, 200) << pre.body;
  EXPECT_EQ(pre.body.find("张小宝"), std::string::npos) << pre.body;
  auto r = Submit(claimer, {{"data_consents", json::array{kBirthCert, kRegister, kIdCards}}});
  EXPECT_NE(r.status, 201) << r.body;
  EXPECT_EQ(r.status / 100, 4) << r.body;
  // Nor does the number make requests about the real person theirs to answer.
  auto asked = client_->Get("/api/v1/me/data-consent-requests", claimer.headers);
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_TRUE(asked.json().at("items").as_array().empty()) << asked.body;
  // Nothing was asked of the exchange about her.
  EXPECT_EQ(logged(), before);
}

TEST_P(FetchDataTest, AGrantRevokedBeforeAcceptanceFailsTheFetchAndIsLoggedAsRefused) {
  json::object k = SubmitWithConsent();
  ASSERT_FALSE(k.empty());
  const std::string no(k.at("tracking_no").as_string());
  auto st = server_->app().database().Transact([&](db::Connection& c) -> Status {
    auto n = c.Exec(
        "UPDATE exchange_applications SET status = 'revoked' WHERE client_id = "
        "'onewindow-cases' AND resource_code = 'GA-HJ-001' AND status = 'granted'");
    if (!n) return n.error();
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(Accept(k).status, 200);
  k = GetCase(ga_approver_, no);
  EXPECT_EQ(Use(k, kRegister)->at("status"), "failed");
  EXPECT_TRUE(Use(k, kRegister)->at("data").as_object().empty());
  EXPECT_EQ(Logged(no),
            (std::vector<std::string>{"refused:grant_revoked:onewindow-cases:3301-ZWFW",
                                      "refused:grant_revoked:onewindow-cases:3301-ZWFW"}));
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
  for (const json::array& m : {json::array{"不存在的材料"}, json::array{}})
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

TEST_P(FetchDataTest, BirthRegistrationNeedsNoUploadWithTheHealthCommissionsBirthCertificate) {
  // The form filled in from the certificate the hospital issued (the health commission's
  // birth base, found by the father's resident ID).
  auto pre = client_->SendJson(
      verb::post, "/api/v1/me/prefill/data",
      J(json::object{{"item_code", kItem}, {"materials", json::array{kBirthCert}}}),
      zhang_.headers);
  ASSERT_EQ(pre.status, 200) << pre.body;
  EXPECT_EQ(pre.json().at("values").at("baby_name"), "张小宝");
  EXPECT_EQ(pre.json().at("values").at("birth_cert_no"), "Q330012345");
  EXPECT_EQ(pre.json().at("values").at("birth_date"), "2026-11-20");
  EXPECT_EQ(pre.json().at("values").at("mother_id"), "330102199208153029");
  EXPECT_EQ(pre.json().at("data").at(0).at("provider_department"), "3301-WJ");

  // No upload at all: every required material stood for by data.
  auto r = Submit(zhang_, {{"data_consents", json::array{kBirthCert, kRegister, kIdCards}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object k = r.json().as_object();
  const std::string no(k.at("tracking_no").as_string());
  EXPECT_TRUE(k.at("materials").as_array().empty());
  ASSERT_EQ(k.at("data_uses").as_array().size(), 3u);
  ASSERT_EQ(Accept(k).status, 200);
  k = GetCase(ga_approver_, no);
  const json::object* cert = Use(k, kBirthCert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->at("status"), "verified") << J(*cert);
  EXPECT_EQ(cert->at("resource"), "WJ-CSYX-001");
  EXPECT_EQ(cert->at("data").at("certificate_number"), "Q330012345");
  EXPECT_EQ(cert->at("data").at("child_name"), "张小宝");
  EXPECT_EQ(cert->at("data").at("father_id_number"), kZhangsan);
  EXPECT_FALSE(cert->at("data").as_object().contains("birth_place"));  // not a field it names
  EXPECT_EQ(Logged(no).size(), 3u);

  // A parent the base has no certificate of: the use fails and staff see why.
  auto hers = Submit(lisi_, {{"data_consents", json::array{kBirthCert, kRegister, kIdCards}}});
  ASSERT_EQ(hers.status, 201) << hers.body;
  ASSERT_EQ(Accept(hers.json().as_object()).status, 200);
  k = GetCase(ga_approver_, std::string(hers.json().at("tracking_no").as_string()));
  EXPECT_EQ(Use(k, kBirthCert)->at("status"), "failed");
  EXPECT_NE(Use(k, kBirthCert)->at("error").as_string().find("no record"), std::string::npos);
}

TEST_P(FetchDataTest, TheBirthBaseIsKeptByTheHealthCommission) {
  const std::string base = "/api/v1/exchange/bases/birth";
  json::object newer{{"certificate_number", "R330000001"},
                     {"child_name", "张小满"},
                     {"child_gender", "female"},
                     {"birth_date", "2028-02-01"},
                     {"institution", "杭州市妇产科医院"},
                     {"mother_name", "王芳"},
                     {"mother_id_number", "330102199208153029"},
                     {"father_name", "张三"},
                     {"father_id_number", kZhangsan}};
  // Only the keeping department (the health commission), its systems or the administrator
  // token: the police, who read it, do not write it; residents do not.
  EXPECT_EQ(
      client_->SendJson(verb::put, base + "/records/R330000001", J(newer), ga_acceptor_.headers)
          .status,
      403);
  EXPECT_EQ(
      client_->SendJson(verb::put, base + "/records/R330000001", J(newer), zhang_.headers).status,
      403);
  Caller wj = Staff("wj.acceptor", "acceptor", "3301-WJ");
  // A record that is not a certificate: refused field by field, nothing written.
  json::object bad = newer;
  bad["mother_id_number"] = "330102199208153020";  // wrong check digit
  auto refused = client_->SendJson(verb::put, base + "/records/R330000001", J(bad), wj.headers);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("mother_id_number"), std::string::npos) << refused.body;
  EXPECT_EQ(client_->SendJson(verb::put, base + "/records/12345", J(newer), wj.headers).status,
            422);
  auto ndjson = wj.headers;
  ndjson["Content-Type"] = "application/x-ndjson";
  auto imported = client_->Send(verb::post, base + "/import",
                                J(newer) + "\n{\"certificate_number\":\"x\"}\n", ndjson);
  EXPECT_EQ(imported.status, 422) << imported.body;

  auto put = client_->SendJson(verb::put, base + "/records/R330000001", J(newer), wj.headers);
  ASSERT_EQ(put.status / 100, 2) << put.body;
  // A parent's query answers with their newest child's certificate.
  auto fill = [&] {
    auto r = client_->SendJson(
        verb::post, "/api/v1/me/prefill/data",
        J(json::object{{"item_code", kItem}, {"materials", json::array{kBirthCert}}}),
        zhang_.headers);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("values").at("birth_cert_no").as_string())
                           : std::string();
  };
  EXPECT_EQ(fill(), "R330000001");
  // The provider corrects the father: the record is no longer zhangsan's.
  newer["father_id_number"] = "330106198506124526";
  newer["father_name"] = "李四";
  ASSERT_EQ(
      client_->SendJson(verb::put, base + "/records/R330000001", J(newer), wj.headers).status / 100,
      2);
  EXPECT_EQ(fill(), "Q330012345");
  auto got = client_->Get(base + "/records/R330000001", wj.headers);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("father_name"), "李四");
}

TEST_P(FetchDataTest, ABundleApplicationTakesConsentsLikeASingleOne) {
  auto bundle = [&](const Caller& who, json::object extra) {
    json::object form{{"baby_name", "张小宝"},      {"baby_gender", "男"},
                      {"birth_date", "2026-11-20"}, {"birth_place", "杭州市妇产科医院"},
                      {"mother_name", "王芳"},      {"mother_id", "330102199208153029"},
                      {"father_name", "张三"},      {"father_id", kZhangsan},
                      {"follow", "随父"},           {"address", "杭州市上城区劳动路1号"},
                      {"phone", "13800000001"}};
    json::array materials;
    for (const char* name : {"父母居民身份证", "出生医学证明首次签发登记表", "出生医学证明",
                             "监护人身份证", "居民身份证"})
      materials.push_back(json::object{{"id", Upload(who)}, {"name", name}});
    json::object body{{"bundle_code", "ONE-BABY"},
                      {"region_code", "330102"},
                      {"form", form},
                      {"materials", materials}};
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return client_->SendJson(verb::post, "/api/v1/bundle-applications", J(body), who.headers);
  };
  // Without the household register nor consent: missing.
  auto missing = bundle(zhang_, {});
  ASSERT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(missing.body.find(kRegister), std::string::npos) << missing.body;
  // A consent no item's data stands for is refused, naming it.
  auto stray =
      bundle(zhang_, {{"data_consents", json::array{kRegister, "出生医学证明首次签发登记表"}}});
  ASSERT_EQ(stray.status, 422) << stray.body;
  EXPECT_NE(stray.body.find("data_consents/1"), std::string::npos) << stray.body;

  auto r = bundle(zhang_, {{"data_consents", json::array{kRegister}}});
  ASSERT_EQ(r.status, 201) << r.body;
  int with_data = 0;
  // A copy that outlives the loop: r.json() is a temporary, and a range-for over a member of a
  // temporary iterates freed memory: undefined behaviour, the cause of the hang this
  // test once showed on SQLite.
  const json::value filed = r.json();
  for (const auto& c : filed.at("cases").as_array()) {
    if (c.at("item_code") != kItem) continue;
    const std::string no(c.at("tracking_no").as_string());
    json::object k = GetCase(zhang_, no);
    ASSERT_EQ(k.at("data_uses").as_array().size(), 1u) << J(k.at("data_uses"));
    EXPECT_EQ(Use(k, kRegister)->at("consented_by"), "zhangsan");
    for (const auto& m : k.at("materials").as_array()) EXPECT_NE(m.at("name"), kRegister);
    ASSERT_EQ(Accept(k).status, 200);
    EXPECT_EQ(Use(GetCase(ga_approver_, no), kRegister)->at("status"), "verified");
    ++with_data;
  }
  EXPECT_EQ(with_data, 1);

  // An agent under the person's live authorization cannot consent for them.
  Caller agent = SignIn(*client_, "village.agent");
  auto auth = client_->SendJson(
      verb::post, "/api/v1/me/agents",
      J(json::object{
          {"agent_username", "village.agent"},
          {"expires_at", FormatTime(std::chrono::system_clock::now() + std::chrono::hours(1))}}),
      zhang_.headers);
  ASSERT_EQ(auth.status, 201) << auth.body;
  auto by_agent = bundle(
      agent, {{"on_behalf_of", zhang_.account_id}, {"data_consents", json::array{kRegister}}});
  EXPECT_EQ(by_agent.status, 422) << by_agent.body;
  EXPECT_NE(by_agent.body.find("data_consents"), std::string::npos) << by_agent.body;
}

TEST_P(FetchDataTest, ASupplementMayConsentInsteadOfAttaching) {
  // Filed with uploads; the acceptor asks for the household register again.
  auto r = Submit(
      zhang_,
      {{"materials", json::array{json::object{{"id", Upload(zhang_)}, {"name", kBirthCert}},
                                 json::object{{"id", Upload(zhang_)}, {"name", kIdCards}},
                                 json::object{{"id", Upload(zhang_)}, {"name", kRegister}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object k = r.json().as_object();
  const std::string no(k.at("tracking_no").as_string());
  ASSERT_EQ(Accept(k).status, 200);
  auto ask = client_->SendJson(
      verb::post, "/api/v1/cases/" + no + "/supplement-request",
      J(json::object{
          {"reason", "户口簿页不清晰"},
          {"materials", json::array{json::object{{"name", kRegister}, {"note", "重新提供"}}}}}),
      ga_approver_.headers);
  ASSERT_EQ(ask.status, 200) << ask.body;
  const std::string supply = "/api/v1/cases/" + no + "/supplement";
  // What was not asked for, by data, is refused like a file would be.
  auto stray =
      client_->SendJson(verb::post, supply,
                        J(json::object{{"data_consents", json::array{kIdCards}}}), zhang_.headers);
  EXPECT_EQ(stray.status, 422) << stray.body;
  // Another person, and staff, cannot consent for the applicant.
  EXPECT_EQ(
      client_
          ->SendJson(verb::post, supply, J(json::object{{"data_consents", json::array{kRegister}}}),
                     lisi_.headers)
          .status,
      404);
  EXPECT_EQ(
      client_
          ->SendJson(verb::post, supply, J(json::object{{"data_consents", json::array{kRegister}}}),
                     ga_approver_.headers)
          .status,
      403);
  // The applicant consents: accepted already, so fetched with the supplement.
  auto done =
      client_->SendJson(verb::post, supply,
                        J(json::object{{"data_consents", json::array{kRegister}}}), zhang_.headers);
  ASSERT_EQ(done.status, 200) << done.body;
  const json::value after = done.json();
  const json::object* reg = Use(after.as_object(), kRegister);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->at("status"), "verified") << J(*reg);
  EXPECT_EQ(reg->at("data").at("household_number"), "330102000101");
  EXPECT_EQ(Logged(no).size(), 1u);
}

TEST_P(FetchDataTest, MarriageStatusOfBothPartiesIsFetchedEachWithTheirOwnConsent) {
  constexpr const char* kMarriage = "3301-MZ-JHDJ";
  constexpr const char* kMan = "男方婚姻状况证明";
  constexpr const char* kWoman = "女方婚姻状况证明";
  constexpr const char* kLisi = "330106198506124526";
  Caller mz = Staff("mz.acceptor", "acceptor", "3301-MZ");
  Caller mz_approver = Staff("mz.approver", "approver", "3301-MZ");
  auto apply = [&](const Caller& who, const json::array& consents) {
    json::object body{{"item_code", kMarriage},
                      {"region_code", "3301"},
                      {"form", json::object{{"man_name", "张三"},
                                            {"man_id", kZhangsan},
                                            {"woman_name", "李四"},
                                            {"woman_id", kLisi},
                                            {"date", "2026-12-20"},
                                            {"office", "杭州市婚姻登记处"},
                                            {"phone", "13800000002"}}},
                      {"data_consents", consents}};
    return client_->SendJson(verb::post, "/api/v1/cases", J(body), who.headers);
  };
  // lisi applies: her own status with her consent; zhangsan's is only asked for.
  auto r = apply(lisi_, json::array{kMan, kWoman});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object k = r.json().as_object();
  const std::string no(k.at("tracking_no").as_string());
  EXPECT_EQ(Use(k, kWoman)->at("status"), "consented");
  EXPECT_EQ(Use(k, kMan)->at("status"), "awaiting_consent");
  EXPECT_EQ(Use(k, kMan)->at("party"), "man_id");
  EXPECT_EQ(Use(k, kMan)->at("consented_by"), "");

  // Accepted: only lisi's own status is fetched.
  ASSERT_EQ(AcceptAs(mz, k).status, 200);
  k = GetCase(mz_approver, no);
  EXPECT_EQ(Use(k, kWoman)->at("status"), "verified");
  EXPECT_EQ(Use(k, kWoman)->at("data").at("marital_status"), "unmarried");
  EXPECT_EQ(Use(k, kMan)->at("status"), "awaiting_consent");
  EXPECT_EQ(Logged(no).size(), 1u);
  // Staff cannot fetch what waits for consent.
  EXPECT_EQ(client_
                ->SendJson(verb::post, "/api/v1/cases/" + no + "/data-uses/fetch", "",
                           mz_approver.headers)
                .status,
            409);

  // zhangsan sees the request in his own account, without the case's contents.
  auto asked = client_->Get("/api/v1/me/data-consent-requests", zhang_.headers);
  ASSERT_EQ(asked.status, 200) << asked.body;
  ASSERT_EQ(asked.json().at("items").as_array().size(), 1u) << asked.body;
  const json::value q = asked.json().at("items").at(0);
  EXPECT_EQ(q.at("tracking_no").as_string(), no);
  EXPECT_EQ(q.at("material"), kMan);
  EXPECT_EQ(q.at("applicant_name"), "李四");
  EXPECT_EQ(asked.body.find("13800000002"), std::string::npos);  // not the form
  // The applicant has none to answer; others cannot answer for him.
  auto hers = client_->Get("/api/v1/me/data-consent-requests", lisi_.headers);
  ASSERT_EQ(hers.status, 200);
  EXPECT_TRUE(hers.json().at("items").as_array().empty());
  const std::string consent = "/api/v1/cases/" + no + "/data-consents";
  const std::string yes = J(json::object{{"material", kMan}, {"consent", true}});
  EXPECT_EQ(client_->SendJson(verb::post, consent, yes, lisi_.headers).status, 404);
  EXPECT_EQ(client_->SendJson(verb::post, consent, yes, mz_approver.headers).status, 403);
  EXPECT_EQ(client_->SendJson(verb::post, consent, yes, {}).status, 401);
  EXPECT_EQ(client_
                ->SendJson(verb::post, consent,
                           J(json::object{{"material", kWoman}, {"consent", true}}), zhang_.headers)
                .status,
            404);
  EXPECT_EQ(
      client_->SendJson(verb::post, consent, J(json::object{{"material", kMan}}), zhang_.headers)
          .status,
      422);
  EXPECT_EQ(Logged(no).size(), 1u);

  // He consents: the case was accepted, so his status is fetched at once.
  auto ok = client_->SendJson(verb::post, consent, yes, zhang_.headers);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("status"), "verified");
  EXPECT_FALSE(ok.json().as_object().contains("data"));
  EXPECT_EQ(client_->SendJson(verb::post, consent, yes, zhang_.headers).status, 409);
  k = GetCase(mz_approver, no);
  EXPECT_EQ(Use(k, kMan)->at("status"), "verified");
  EXPECT_EQ(Use(k, kMan)->at("consented_by"), "zhangsan");
  EXPECT_EQ(Use(k, kMan)->at("data").at("marital_status"), "married");
  EXPECT_EQ(Logged(no).size(), 2u);
  // The applicant sees that his status was verified, not what it is; her own in full.
  json::object mine = GetCase(lisi_, no);
  EXPECT_EQ(Use(mine, kMan)->at("status"), "verified");
  EXPECT_TRUE(Use(mine, kMan)->at("data").as_object().empty()) << J(*Use(mine, kMan));
  EXPECT_TRUE(Use(mine, kMan)->at("signature").is_null());
  EXPECT_EQ(Use(mine, kWoman)->at("data").at("marital_status"), "unmarried");
  // The fetch of his data is in his own 我的数据使用记录.
  auto uses = client_->Get("/api/v1/me/data-uses", zhang_.headers);
  ASSERT_EQ(uses.status, 200);
  EXPECT_NE(uses.body.find(no), std::string::npos);

  // A refusal is final: nothing is fetched, staff ask for the material instead.
  auto second = apply(lisi_, json::array{kMan, kWoman});
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string no2(second.json().at("tracking_no").as_string());
  auto refused =
      client_->SendJson(verb::post, "/api/v1/cases/" + no2 + "/data-consents",
                        J(json::object{{"material", kMan}, {"consent", false}}), zhang_.headers);
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(refused.json().at("status"), "refused");
  ASSERT_EQ(AcceptAs(mz, second.json().as_object()).status, 200);
  k = GetCase(mz_approver, no2);
  EXPECT_EQ(Use(k, kMan)->at("status"), "refused");
  EXPECT_EQ(Logged(no2).size(), 1u);  // lisi's own only

  // An application naming two other people: each is only asked, nothing is fetched.
  auto self =
      client_->SendJson(verb::post, "/api/v1/cases",
                        J(json::object{{"item_code", kMarriage},
                                       {"region_code", "3301"},
                                       {"form", json::object{{"man_name", "张三"},
                                                             {"man_id", kLisi},
                                                             {"woman_name", "李四"},
                                                             {"woman_id", "11010519491231002X"},
                                                             {"date", "2026-12-20"},
                                                             {"office", "杭州市婚姻登记处"},
                                                             {"phone", "13800000002"}}},
                                       {"data_consents", json::array{kMan, kWoman}}}),
                        zhang_.headers);
  EXPECT_EQ(self.status, 201) << self.body;  // neither is zhangsan: both only asked for
  if (self.status == 201) {
    const json::value v = self.json();
    EXPECT_EQ(Use(v.as_object(), kMan)->at("status"), "awaiting_consent");
    EXPECT_EQ(Use(v.as_object(), kWoman)->at("status"), "awaiting_consent");
  }
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
        J(json::object{{"item_code", kItem}, {"materials", json::array{"不存在的材料"}}}),
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

  // A partner's consent to a marriage registration.
  auto m = client_->SendJson(
      verb::post, "/api/v1/cases",
      J(json::object{{"item_code", "3301-MZ-JHDJ"},
                     {"region_code", "3301"},
                     {"form", json::object{{"man_name", "张三"},
                                           {"man_id", kZhangsan},
                                           {"woman_name", "李四"},
                                           {"woman_id", "330106198506124526"},
                                           {"date", "2026-12-20"},
                                           {"office", "杭州市婚姻登记处"},
                                           {"phone", "13800000002"}}},
                     {"data_consents", json::array{"男方婚姻状况证明", "女方婚姻状况证明"}}}),
      lisi_.headers);
  ASSERT_EQ(m.status, 201) << m.body;
  const std::string requests = "/api/v1/me/data-consent-requests";
  check(verb::get, requests, requests, 200, "", zhang_.headers);
  check(verb::get, requests, requests, 401, "", {});
  check(verb::get, requests, requests, 403, "", ga_approver_.headers);
  const std::string consents = "/api/v1/cases/{no}/data-consents";
  const std::string mat =
      "/api/v1/cases/" + std::string(m.json().at("tracking_no").as_string()) + "/data-consents";
  const std::string yes = J(json::object{{"material", "男方婚姻状况证明"}, {"consent", true}});
  check(verb::post, mat, consents, 401, yes, {});
  check(verb::post, mat, consents, 403, yes, ga_approver_.headers);
  check(verb::post, mat, consents, 404, yes, lisi_.headers);
  check(verb::post, mat, consents, 422, J(json::object{{"material", "男方婚姻状况证明"}}),
        zhang_.headers);
  check(verb::post, mat, consents, 200, yes, zhang_.headers);
  check(verb::post, mat, consents, 409, yes, zhang_.headers);
  ExpectAllProbed(checker, IsFetchDataPath);
}

OW_INSTANTIATE_STORE_TESTS(FetchDataTest);

}  // namespace
}  // namespace ow::testing
