// Licences, seals and the CA through the HTTP API, on both stores: the security
// administrator makes a seal, an approver who may use it issues a licence, its holder
// finds it in the wallet, anyone verifies its QR code, and a revocation shows at once.
// And as an attacker would try: other people, other departments, staff without the
// seal, a reviewer, tokens without the scope, forged and re-signed codes.
#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "crypto/sm2.h"
#include "licences/payload.h"
#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using verb = boost::beast::http::verb;

constexpr const char* kZhangsanId = "330102199003073017";  // demo/accounts.json, verified
constexpr const char* kDept = "330102-SCJG";

// A type of the test's own (demo/licences.json has the ones the demo items issue).
json::object TestType() {
  return {{"name", "测试许可证"},
          {"name_en", "Small catering registration"},
          {"department_code", kDept},
          {"holder_kind", "person"},
          {"schema",
           {{"type", "object"},
            {"properties",
             {{"shop_name", {{"type", "string"}, {"maxLength", 100}}},
              {"address", {{"type", "string"}, {"maxLength", 200}}},
              {"staff", {{"type", "integer"}, {"minimum", 1}}}}},
            {"required", {"shop_name", "address"}}}},
          {"validity_months", 36},
          {"trust_level", "A"},
          {"number_prefix", "XCY"},
          {"issued_by_items", json::array{}},
          {"one_per_holder", true},
          {"document",
           {{"title", "小餐饮店登记证"},
            {"fields",
             {{{"field", "shop_name"}, {"label", "店铺名称"}},
              {{"field", "address"}, {"label", "经营场所"}}}}}},
          {"from_form", {{"shop_name", "shop_name"}, {"address", "address"}, {"staff", "staff"}}}};
}

class LicencesTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    sec_ = Login("secadmin");
    auto seal = Call(verb::post, "/api/v1/seals",
                     Json({{"department_code", kDept}, {"kind", "licence"}}), &sec_);
    ASSERT_EQ(seal.status, 201) << seal.body;
    seal_ = std::string(seal.json().at("id").as_string());
    auto holder = Call(verb::put, "/api/v1/seals/" + seal_ + "/holders/sc.approver", "", &sec_);
    ASSERT_EQ(holder.status, 200) << holder.body;
    approver_ = Login("sc.approver");
  }

  json::object IssueBody(const std::string& holder_id = kZhangsanId) {
    return {{"type_code", "small_catering_permit"},  // demo/licences.json
            {"holder", {{"kind", "person"}, {"id", holder_id}, {"name", "张三"}}},
            {"fields", {{"shop_name", "张三小吃"}, {"address", "杭州市上城区清河坊街1号"}}},
            {"reason", "存量证照补录"}};
  }

  json::object Issue(const Session& s) {
    auto r = Call(verb::post, "/api/v1/licences", Json(IssueBody()), &s);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  HttpResponse Verify(const std::string& payload) {
    return Call(verb::post, "/api/v1/licence-verifications", Json({{"payload", payload}}));
  }

  int CountLicences() {
    auto r =
        Call(verb::get, "/api/v1/licences?department=330102-SCJG&region=330102", "", &approver_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? static_cast<int>(r.json().at("licences").as_array().size()) : -1;
  }

  Session sec_, approver_;
  std::string seal_;
};

TEST_P(LicencesTest, TheCaIsPublishedAndSealsAreTheSecurityAdministrators) {
  auto cas = Call(verb::get, "/api/v1/pki/authorities");
  ASSERT_EQ(cas.status, 200) << cas.body;
  ASSERT_EQ(cas.json().at("authorities").as_array().size(), 2u);
  auto pem = Call(verb::get, "/api/v1/pki/authorities/sm2/1.pem");
  EXPECT_EQ(pem.status, 200);
  EXPECT_EQ(pem.body.rfind("-----BEGIN CERTIFICATE-----", 0), 0u) << pem.body;

  auto seal = Call(verb::get, "/api/v1/seals/" + seal_);
  ASSERT_EQ(seal.status, 200) << seal.body;
  EXPECT_EQ(seal.json().at("status").as_string(), "active");
  EXPECT_EQ(seal.json().at("image_source").as_string(), "drawn");
  EXPECT_FALSE(seal.json().as_object().contains("holders")) << "holders are not public";
  auto png = Call(verb::get, "/api/v1/seals/" + seal_ + "/image.png");
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
  auto cert = Call(verb::get, "/api/v1/seals/" + seal_ + "/certificate?algorithm=sm2");
  EXPECT_EQ(cert.status, 200);
  auto crl = Call(verb::get, "/api/v1/pki/crls/sm2");
  EXPECT_EQ(crl.status, 200);
  EXPECT_NE(crl.body.find("-----BEGIN X509 CRL-----"), std::string::npos) << crl.body;

  // Nobody but the security administrator makes seals or changes who uses them.
  json::object body{{"department_code", kDept}};
  EXPECT_EQ(Call(verb::post, "/api/v1/seals", Json(body)).status, 401);
  Session sys = Login("sysadmin");
  EXPECT_EQ(Call(verb::post, "/api/v1/seals", Json(body), &sys).status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/seals", Json(body), &approver_).status, 403);
  EXPECT_EQ(Admin(verb::post, "/api/v1/seals", Json(body)).status, 403);
  EXPECT_EQ(
      Call(verb::put, "/api/v1/seals/" + seal_ + "/holders/sc.reviewer", "", &approver_).status,
      403);
  EXPECT_EQ(Call(verb::get, "/api/v1/seals/" + seal_ + "/holders", "", &approver_).status, 403);
  // Only the department's own staff may hold its seal.
  EXPECT_EQ(Call(verb::put, "/api/v1/seals/" + seal_ + "/holders/city.reviewer", "", &sec_).status,
            422);
  EXPECT_EQ(Call(verb::put, "/api/v1/seals/" + seal_ + "/holders/zhangsan", "", &sec_).status, 422);

  // Licence types are the system administrator's, like the catalog.
  EXPECT_EQ(Call(verb::put, "/api/v1/licence-types/test_permit", Json(TestType()), &sec_).status,
            403);
  auto type = Admin(verb::put, "/api/v1/licence-types/test_permit", Json(TestType()));
  ASSERT_EQ(type.status, 201) << type.body;
  EXPECT_EQ(Admin(verb::put, "/api/v1/licence-types/test_permit", Json(TestType())).status, 409);
  auto changed = TestType();
  changed["department_code"] = "330102-MZ";
  auto headers = server_->AdminHeaders();
  headers["If-Match"] = type.header("etag");
  headers["Content-Type"] = "application/json";
  auto moved =
      client_->Send(verb::put, "/api/v1/licence-types/test_permit", Json(changed), headers);
  EXPECT_EQ(moved.status, 422) << moved.body;
  // One item issues one licence type: a second active type for it is refused.
  auto twice = TestType();
  twice["issued_by_items"] = json::array{"330102-SCJG-XCYDJ"};
  auto clash = Admin(verb::put, "/api/v1/licence-types/clash_permit", Json(twice));
  EXPECT_EQ(clash.status, 409) << clash.body;
  EXPECT_NE(clash.body.find("small_catering_permit"), std::string::npos) << clash.body;
  auto bad = TestType();
  bad["schema"] = json::object{{"type", "object"}, {"properties", {{"a", {{"type", "nope"}}}}}};
  bad["trust_level"] = "E";
  bad["document"] = json::object{{"fields", {{{"field", "missing"}, {"label", "缺"}}}}};
  auto invalid = Admin(verb::put, "/api/v1/licence-types/other_permit", Json(bad));
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  for (const char* field : {"schema/properties/a", "trust_level", "document/fields/0/field"})
    EXPECT_NE(invalid.body.find(field), std::string::npos) << field << ": " << invalid.body;
}

TEST_P(LicencesTest, AnApproverIssuesTheHolderSeesItAnyoneVerifiesARevocationShows) {
  auto l = Issue(approver_);
  ASSERT_FALSE(l.empty());
  std::string number(l.at("number").as_string());
  EXPECT_EQ(number.rfind("XCY330102", 0), 0u) << number;
  EXPECT_EQ(l.at("status").as_string(), "valid");
  EXPECT_EQ(l.at("seal_id").as_string(), seal_);
  std::string payload(l.at("qr_payload").as_string());

  // The holder's wallet, and the licence itself.
  Session zhangsan = Login("zhangsan");
  auto wallet = Call(verb::get, "/api/v1/me/licences", "", &zhangsan);
  ASSERT_EQ(wallet.status, 200) << wallet.body;
  ASSERT_EQ(wallet.json().at("licences").as_array().size(), 1u);
  EXPECT_EQ(wallet.json().at("licences").at(0).at("number").as_string(), number);
  EXPECT_EQ(Call(verb::get, "/api/v1/licences/" + number, "", &zhangsan).status, 200);
  // Another person sees neither.
  Session lisi = Login("lisi");
  EXPECT_EQ(Call(verb::get, "/api/v1/licences/" + number, "", &lisi).status, 404);
  auto other = Call(verb::get, "/api/v1/me/licences", "", &lisi);
  ASSERT_EQ(other.status, 200);
  EXPECT_TRUE(other.json().at("licences").as_array().empty());
  // Staff of another department neither.
  Session city = Login("city.reviewer");
  EXPECT_EQ(Call(verb::get, "/api/v1/licences/" + number, "", &city).status, 404);

  // Anyone verifies the QR payload, also as the URL a phone camera opens.
  auto v = Verify(payload);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_TRUE(v.json().at("genuine").as_bool());
  EXPECT_TRUE(v.json().at("valid").as_bool());
  EXPECT_EQ(v.json().at("holder").as_string(), "张*");
  EXPECT_EQ(Verify(std::string(l.at("qr_text").as_string())).status, 200);

  // Revocation: final, with a reason, by the issuer; the next verification says so.
  auto etag = Call(verb::get, "/api/v1/licences/" + number, "", &approver_).header("etag");
  auto denied = Call(verb::post, "/api/v1/licences/" + number + "/status",
                     Json({{"status", "revoked"}, {"reason", "以欺骗手段取得"}}), &zhangsan,
                     {{"If-Match", etag}});
  EXPECT_EQ(denied.status, 403) << denied.body;
  auto revoked = Call(verb::post, "/api/v1/licences/" + number + "/status",
                      Json({{"status", "revoked"}, {"reason", "以欺骗手段取得"}}), &approver_,
                      {{"If-Match", etag}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  auto after = Verify(payload);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(after.json().at("genuine").as_bool());
  EXPECT_FALSE(after.json().at("valid").as_bool());
  EXPECT_EQ(after.json().at("status").as_string(), "revoked");
  // Revocation is final; the stale ETag is refused.
  auto again =
      Call(verb::post, "/api/v1/licences/" + number + "/status",
           Json({{"status", "valid"}, {"reason", "撤销错误"}}), &approver_, {{"If-Match", etag}});
  EXPECT_EQ(again.status, 412) << again.body;
  auto history = Call(verb::get, "/api/v1/licences/" + number, "", &zhangsan).json();
  ASSERT_EQ(history.at("events").as_array().size(), 2u);
  EXPECT_EQ(history.at("events").at(1).at("action").as_string(), "revoked");
}

TEST_P(LicencesTest, NobodyElseIssuesAndNothingIsIssuedWhenRefused) {
  // A reviewer of the department, an approver of another department, the holder, an
  // administrator: none may issue.
  Session reviewer = Login("sc.reviewer");
  EXPECT_EQ(Call(verb::post, "/api/v1/licences", Json(IssueBody()), &reviewer).status, 403);
  Session zhangsan = Login("zhangsan");
  EXPECT_EQ(Call(verb::post, "/api/v1/licences", Json(IssueBody()), &zhangsan).status, 403);
  EXPECT_EQ(Admin(verb::post, "/api/v1/licences", Json(IssueBody())).status, 403);
  Session other = Staff("mz.approver", "330102-MZ", "330102", "approver");
  EXPECT_EQ(Call(verb::post, "/api/v1/licences", Json(IssueBody()), &other).status, 403);
  // An approver of the department who may not use the seal.
  Session second = Staff("sc.approver2", kDept, "330102", "approver");
  auto no_seal = Call(verb::post, "/api/v1/licences", Json(IssueBody()), &second);
  EXPECT_EQ(no_seal.status, 403) << no_seal.body;
  // A suspended seal signs for nobody: suspend every licence seal of the department (the
  // demo's and the test's).
  auto seals = Call(verb::get, "/api/v1/seals?department=330102-SCJG");
  ASSERT_EQ(seals.status, 200);
  const json::value listed = seals.json();
  for (const auto& x : listed.at("seals").as_array()) {
    if (x.at("kind").as_string() != "licence" || x.at("status").as_string() != "active") continue;
    std::string id(x.at("id").as_string());
    auto suspended =
        Call(verb::post, "/api/v1/seals/" + id + "/status",
             Json({{"status", "suspended"}, {"reason", "印章遗失待查"}}), &sec_,
             {{"If-Match", "\"v" + std::to_string(x.at("version").as_int64()) + "\""}});
    ASSERT_EQ(suspended.status, 200) << suspended.body;
  }
  auto refused = Call(verb::post, "/api/v1/licences", Json(IssueBody()), &approver_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(CountLicences(), 0);
  // Bad input: every field named, nothing issued.
  auto bad = IssueBody("330102199003073018");  // wrong check digit
  bad["fields"] = json::object{{"shop_name", 5}};
  auto invalid = Call(verb::post, "/api/v1/licences", Json(bad), &approver_);
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("fields/shop_name"), std::string::npos) << invalid.body;
  EXPECT_NE(invalid.body.find("fields/address"), std::string::npos) << invalid.body;
  EXPECT_EQ(CountLicences(), 0);
}

TEST_P(LicencesTest, ForgedTamperedAndResignedCodesAreRefused) {
  auto l = Issue(approver_);
  ASSERT_FALSE(l.empty());
  std::string payload(l.at("qr_payload").as_string());
  auto parsed = licences::ParsePayload(payload);
  ASSERT_TRUE(parsed) << parsed.error().message;

  // Malformed.
  for (const std::string& bad :
       {std::string(""), std::string("hello"), std::string("OWL1.."), payload + ".x",
        payload.substr(0, payload.size() - 3), std::string(5000, 'A')}) {
    auto r = Verify(bad);
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
  }
  // Claims changed (a later end of validity) with the signature kept.
  auto claims = parsed->claims;
  claims.valid_to = "20991231";
  auto input = licences::SigningInput(claims);
  ASSERT_TRUE(input);
  auto tampered = Verify(licences::Compose(*input, parsed->signature));
  EXPECT_EQ(tampered.status, 422) << tampered.body;
  // Re-signed by a key of the forger's own, naming our seal.
  auto forger = crypto::Sm2Key::Generate();
  ASSERT_TRUE(forger);
  auto der = forger->Sign(*input);
  ASSERT_TRUE(der);
  auto raw = crypto::Sm2SignatureToRaw(*der);
  ASSERT_TRUE(raw);
  auto resigned = Verify(licences::Compose(*input, *raw));
  EXPECT_EQ(resigned.status, 422) << resigned.body;
  // A seal this platform does not have.
  claims = parsed->claims;
  claims.seal_id = "seal_forged";
  auto other = licences::SigningInput(claims);
  ASSERT_TRUE(other);
  EXPECT_EQ(Verify(licences::Compose(*other, parsed->signature)).status, 422);
  // The genuine code still verifies.
  EXPECT_EQ(Verify(payload).status, 200);
}

TEST_P(LicencesTest, TokensActOnlyWithinTheirScopesAndUnprovenPeopleHaveNoWallet) {
  auto l = Issue(approver_);
  ASSERT_FALSE(l.empty());
  std::string number(l.at("number").as_string());
  Caller zhangsan = SignIn(*client_, "zhangsan");
  // A relying party's token for the holder without licences.read.
  auto weak = UserToken(*client_, *server_, zhangsan, "openid");
  auto r = client_->Get("/api/v1/me/licences", weak.headers);
  EXPECT_EQ(r.status, 403) << r.body;
  auto strong = UserToken(*client_, *server_, zhangsan, "openid licences.read");
  r = client_->Get("/api/v1/me/licences", strong.headers);
  EXPECT_EQ(r.status, 200) << r.body;
  // A client-credentials token reads no one's licence.
  auto system = ClientToken(*client_, *server_, "licences.read");
  r = client_->Get("/api/v1/licences/" + number, system.headers);
  EXPECT_EQ(r.status, 403) << r.body;
  // A person who has not proven their number has no wallet (a self-declared number is
  // not enough to see licences issued to it).
  Session unproven = Person("wangwu", "330102199001011234", "王五");
  auto none = Call(verb::get, "/api/v1/me/licences", "", &unproven);
  EXPECT_EQ(none.status, 409) << none.body;
}

TEST_P(LicencesTest, TheHolderSharesALicenceForALimitedTimeAndNobodyElseCan) {
  auto l = Issue(approver_);
  ASSERT_FALSE(l.empty());
  std::string number(l.at("number").as_string());
  const std::string shares = "/api/v1/licences/" + number + "/shares";
  Session zhangsan = Login("zhangsan");
  auto made = Call(verb::post, shares, Json({{"hours", 24}}), &zhangsan);
  ASSERT_EQ(made.status, 201) << made.body;
  std::string code(made.json().at("code").as_string());
  std::string id(made.json().at("id").as_string());
  EXPECT_NE(std::string(made.json().at("url").as_string()).find("/licence-shares#" + code),
            std::string::npos);
  // Whoever has the code sees the licence (no sign-in), and the view is counted.
  auto view = Call(verb::post, "/api/v1/licence-share-views", Json({{"code", code}}));
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json().at("licence").at("number").as_string(), number);
  EXPECT_EQ(view.json().at("licence").at("fields").at("shop_name").as_string(), "张三小吃");
  EXPECT_EQ(view.json().at("share").at("views").as_int64(), 1);
  auto listed = Call(verb::get, shares, "", &zhangsan);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().at("shares").at(0).at("views").as_int64(), 1);
  EXPECT_FALSE(listed.json().at("shares").at(0).as_object().contains("code"))
      << "the code is shown once";

  // Nobody but the holder shares it or sees its shares: another person, the issuing
  // staff (who may read it), an administrator, a relying party's token.
  Session lisi = Login("lisi");
  EXPECT_EQ(Call(verb::post, shares, "{}", &lisi).status, 404);
  EXPECT_EQ(Call(verb::get, shares, "", &lisi).status, 404);
  EXPECT_EQ(Call(verb::post, shares, "{}", &approver_).status, 404);
  EXPECT_EQ(Admin(verb::post, shares, "{}").status, 403);
  auto token = UserToken(*client_, *server_, SignIn(*client_, "zhangsan"), "openid licences.read");
  EXPECT_EQ(client_
                ->Send(verb::post, shares, "{}",
                       {{"Authorization", token.headers.at("Authorization")},
                        {"Content-Type", "application/json"}})
                .status,
            403);
  EXPECT_EQ(Call(verb::delete_, shares + "/" + id, "", &lisi).status, 404);
  EXPECT_EQ(Call(verb::post, shares, Json({{"hours", 0}}), &zhangsan).status, 422);
  EXPECT_EQ(Call(verb::post, shares, Json({{"hours", 24 * 31}}), &zhangsan).status, 422);

  // Wrong, revoked and expired codes answer alike.
  EXPECT_EQ(Call(verb::post, "/api/v1/licence-share-views", Json({{"code", "nope"}})).status, 404);
  ASSERT_EQ(Call(verb::delete_, shares + "/" + id, "", &zhangsan).status, 204);
  EXPECT_EQ(Call(verb::delete_, shares + "/" + id, "", &zhangsan).status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/licence-share-views", Json({{"code", code}})).status, 404);
  auto second = Call(verb::post, shares, "{}", &zhangsan);
  ASSERT_EQ(second.status, 201) << second.body;
  auto ended = server_->app().database().Transact([](db::Connection& c) -> ow::Status {
    OW_RETURN_IF_ERROR(c.Exec("UPDATE licence_shares SET expires_at = '2020-01-01T00:00:00Z'"));
    return {};
  });
  ASSERT_TRUE(ended);
  EXPECT_EQ(
      Call(verb::post, "/api/v1/licence-share-views", Json({{"code", second.json().at("code")}}))
          .status,
      404);
  // The history shows each share and revocation.
  auto history = Call(verb::get, "/api/v1/licences/" + number, "", &zhangsan).json();
  std::vector<std::string> actions;
  for (const auto& e : history.at("events").as_array())
    actions.emplace_back(e.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{"issued", "shared", "share_revoked", "shared"}));
}

TEST_P(LicencesTest, ASealWhoseCertificateIsNotValidNowSignsNothing) {
  // The certificates' validity as stored (what the signing transaction reads) ends in the
  // past: every licence seal of the department is expired.
  auto ended = server_->app().database().Transact([](db::Connection& c) -> ow::Status {
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE seals SET not_after = '2020-01-01T00:00:00Z' WHERE "
               "department_code = '330102-SCJG' AND kind = 'licence'"));
    return {};
  });
  ASSERT_TRUE(ended) << ended.error().message;
  auto r = Call(verb::post, "/api/v1/licences", Json(IssueBody()), &approver_);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("current certificate"), std::string::npos) << r.body;
  EXPECT_EQ(CountLicences(), 0);
}

OW_INSTANTIATE_STORE_TESTS(LicencesTest);

}  // namespace
}  // namespace ow::testing
