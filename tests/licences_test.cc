// Licences, seals and the CA through the HTTP API, on both stores: the security
// administrator makes a seal, an approver who may use it issues a licence, its holder
// finds it in the wallet, anyone verifies its QR code, and a revocation shows at once.
// And as an attacker would try: other people, other departments, staff without the
// seal, a reviewer, tokens without the scope, forged and re-signed codes.
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

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
  // The first page as pdftoppm draws it (grey, 30 dpi).
  static std::string PageImage(const std::string& pdf) {
    std::string file = (std::filesystem::temp_directory_path() /
                        ("ow-licence-page-" + std::to_string(::getpid()) + ".pdf"))
                           .string();
    std::ofstream(file, std::ios::binary) << pdf;
    auto out = RunTool({"pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", file});
    std::filesystem::remove(file);
    EXPECT_EQ(out.exit_code, 0);
    return out.output;
  }
  // The text pdftotext reads from a PDF, without spaces and line breaks.
  static std::string PdfText(const std::string& pdf) {
    std::string file = (std::filesystem::temp_directory_path() /
                        ("ow-licence-text-" + std::to_string(::getpid()) + ".pdf"))
                           .string();
    std::ofstream(file, std::ios::binary) << pdf;
    auto out = RunTool({"pdftotext", file, "-"});
    std::filesystem::remove(file);
    std::string flat;
    for (char ch : out.output)
      if (ch != ' ' && ch != '\n') flat += ch;
    return flat;
  }

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

// Nobody proves twice what the government issued: the business licence a case issued
// stands for the "营业执照" material of the next application, with the holder's
// consent; the handling staff see it verified; nobody else can use it.
TEST_P(LicencesTest, AHeldLicenceStandsForAMaterialWithTheHoldersConsentOnly) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  const json::object gt_form{{"operator_name", "张三"}, {"operator_id", kZhangsanId},
                             {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
                             {"scope", "日用百货零售"}, {"phone", "13800000001"}};
  auto gt = Submit(zhang, "3301-SCJG-GTDJ", "330102", gt_form);
  ASSERT_EQ(gt.status, 201) << gt.body;
  json::object c = Accept(acceptor, gt.json().as_object());
  ASSERT_EQ(Complete(approver_, TaskOf(c, "Approve"), "approve").status, 200);
  auto wallet = Call(verb::get, "/api/v1/me/licences", "", &zhang);
  ASSERT_EQ(wallet.status, 200) << wallet.body;
  std::string number;
  const json::value held = wallet.json();
  for (const auto& l : held.at("licences").as_array())
    if (l.at("type_code") == "business_license") number = std::string(l.at("number").as_string());
  ASSERT_FALSE(number.empty()) << wallet.body;

  const std::string kItem = "330102-SCJG-XCYDJ", kMaterial = "营业执照";
  const json::object form{{"shop_name", "张三小吃"},
                          {"operator_name", "张三"},
                          {"operator_id", kZhangsanId},
                          {"address", "杭州市上城区清河坊街1号"},
                          {"area", 35.5},
                          {"staff", 3},
                          {"phone", "13800000001"}};
  auto offer = [&](const std::string& name, const std::string& no) {
    return json::array{{{"name", name}, {"number", no}}};
  };
  // Neither uploaded nor offered: refused, naming the material.
  auto bare = Submit(zhang, kItem, "330102", form,
                     {{"materials", RequiredMaterials(zhang, kItem, {kMaterial})}});
  ASSERT_EQ(bare.status, 422) << bare.body;
  EXPECT_NE(bare.body.find(kMaterial), std::string::npos) << bare.body;
  // A licence for a material that takes another type, or no licence at all.
  auto wrong = Submit(zhang, kItem, "330102", form,
                      {{"materials", RequiredMaterials(zhang, kItem, {kMaterial})},
                       {"licences", offer("居民身份证", number)}});
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_NE(wrong.body.find("licences/0/number"), std::string::npos) << wrong.body;
  auto nothing = Submit(zhang, kItem, "330102", form,
                        {{"materials", RequiredMaterials(zhang, kItem)},
                         {"licences", offer("小餐饮店登记申请表", number)}});
  EXPECT_EQ(nothing.status, 422) << nothing.body;
  // Another person cannot use it, not even knowing its number.
  Session lisi = Login("lisi");
  auto stolen = Submit(lisi, kItem, "330102", form,
                       {{"materials", RequiredMaterials(lisi, kItem, {kMaterial})},
                        {"licences", offer(kMaterial, number)}});
  EXPECT_EQ(stolen.status, 422) << stolen.body;
  EXPECT_NE(stolen.body.find("not a licence you hold"), std::string::npos) << stolen.body;
  // A hall cannot consent for the holder.
  Session counter = Login("hall.counter");
  auto hall = Submit(counter, kItem, "330102", form,
                     {{"applicant_resident_id", kZhangsanId},
                      {"applicant_name", "张三"},
                      {"licences", offer(kMaterial, number)}});
  EXPECT_EQ(hall.status, 422) << hall.body;

  // The holder consents: submitted without uploading it.
  auto used = Submit(zhang, kItem, "330102", form,
                     {{"materials", RequiredMaterials(zhang, kItem, {kMaterial})},
                      {"licences", offer(kMaterial, number)}});
  ASSERT_EQ(used.status, 201) << used.body;
  json::object k = used.json().as_object();
  ASSERT_EQ(k.at("licences").as_array().size(), 1u);
  for (const auto& m : k.at("materials").as_array()) EXPECT_NE(m.at("name").as_string(), kMaterial);
  // The handling staff see it, verified now, and read its sealed PDF through the case.
  auto seen = Call(verb::get, "/api/v1/cases/" + No(k), "", &acceptor);
  ASSERT_EQ(seen.status, 200) << seen.body;
  const json::value lic = seen.json().at("licences").at(0);
  EXPECT_EQ(lic.at("number").as_string(), number);
  EXPECT_EQ(lic.at("name").as_string(), kMaterial);
  EXPECT_EQ(lic.at("status").as_string(), "valid");
  EXPECT_EQ(lic.at("type_code").as_string(), "business_license");
  EXPECT_EQ(lic.at("consented_by").as_string(), "zhangsan");
  std::string pdf_url(lic.at("pdf_url").as_string());
  auto pdf = Call(verb::get, pdf_url, "", &acceptor);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  // A copy for this case, watermarked (drawn as outlines, so compare the pages as
  // rendered): the same text as the holder's licence, more ink.
  auto original = Call(verb::get, "/api/v1/licences/" + number + "/pdf", "", &zhang);
  ASSERT_EQ(original.status, 200);
  EXPECT_NE(pdf.body, original.body);
  EXPECT_NE(pdf.body.find("/ETSI.CAdES.detached"), std::string::npos);
  EXPECT_EQ(PdfText(pdf.body), PdfText(original.body));
  EXPECT_NE(PageImage(pdf.body), PageImage(original.body));
  // Not to people who cannot read the case; not a licence the case did not use.
  Session other_dept = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  EXPECT_EQ(Status(other_dept, pdf_url), 404);
  EXPECT_EQ(Status(lisi, pdf_url), 404);
  EXPECT_EQ(Status(acceptor, "/api/v1/cases/" + No(k) + "/licences/XCY0/pdf"), 404);
  // The use is in the licence's history.
  const json::value history = Call(verb::get, "/api/v1/licences/" + number, "", &zhang).json();
  bool recorded = false;
  for (const auto& e : history.at("events").as_array())
    recorded =
        recorded || (e.at("action") == "used" && e.at("detail").at("case").as_string() == No(k));
  EXPECT_TRUE(recorded) << json::serialize(history);

  // A supplement may offer a held licence too, with the same consent rules.
  auto plain = Submit(zhang, kItem, "330102", form);
  ASSERT_EQ(plain.status, 201) << plain.body;
  std::string pno = No(plain.json().as_object());
  auto asked = Call(verb::post, "/api/v1/cases/" + pno + "/supplement-request",
                    Json({{"reason", "营业执照复印件不清晰"},
                          {"materials", json::array{json::object{{"name", kMaterial}}}}}),
                    &acceptor);
  ASSERT_EQ(asked.status, 200) << asked.body;
  const std::string supply = "/api/v1/cases/" + pno + "/supplement";
  auto by_other = Call(verb::post, supply, Json({{"licences", offer(kMaterial, number)}}), &lisi);
  EXPECT_EQ(by_other.status, 404) << by_other.body;
  auto wrong_material =
      Call(verb::post, supply, Json({{"licences", offer("居民身份证", number)}}), &zhang);
  EXPECT_EQ(wrong_material.status, 422) << wrong_material.body;
  auto supplied =
      Call(verb::post, supply,
           Json({{"licences", offer(kMaterial, number)}, {"note", "用电子营业执照"}}), &zhang);
  ASSERT_EQ(supplied.status, 200) << supplied.body;
  ASSERT_EQ(supplied.json().at("licences").as_array().size(), 1u);
  EXPECT_EQ(supplied.json().at("licences").at(0).at("number").as_string(), number);

  // Revoked: the case shows it at once, and it stands for nothing any more.
  auto etag = Call(verb::get, "/api/v1/licences/" + number, "", &approver_).header("etag");
  auto revoked = Call(verb::post, "/api/v1/licences/" + number + "/status",
                      Json({{"status", "revoked"}, {"reason", "以欺骗手段取得"}}), &approver_,
                      {{"If-Match", etag}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  auto now = Call(verb::get, "/api/v1/cases/" + No(k), "", &acceptor);
  EXPECT_EQ(now.json().at("licences").at(0).at("status").as_string(), "revoked");
  auto again = Submit(zhang, kItem, "330102", form,
                      {{"materials", RequiredMaterials(zhang, kItem, {kMaterial})},
                       {"licences", offer(kMaterial, number)}});
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_NE(again.body.find("revoked"), std::string::npos) << again.body;
}

// Existing paper licences are digitised in bulk by the issuing department: all rows or none,
// every bad row named, numbers kept as on paper (and safe in URLs and file names), and
// nobody else can import.
TEST_P(LicencesTest, PaperLicencesAreImportedInBulkAllOrNothingByTheIssuerOnly) {
  auto row = [](const std::string& number, const std::string& id, const std::string& name,
                const std::string& shop) {
    return json::object{{"number", number},
                        {"holder", {{"kind", "person"}, {"id", id}, {"name", name}}},
                        {"fields", {{"shop_name", shop}, {"address", "杭州市上城区河坊街9号"}}},
                        {"valid_from", "2019-05-01"},
                        {"valid_to", "2029-04-30"}};
  };
  auto batch = [](const std::string& trust, json::array rows) {
    return json::object{{"type_code", "small_catering_permit"},
                        {"trust_level", trust},
                        {"reason", "存量纸质证照电子化"},
                        {"licences", std::move(rows)}};
  };
  const std::string kLisiId = "330106198506124526";
  int before = CountLicences();

  // Refused as a whole, every bad row named; nothing imported.
  json::array bad{row("XCDJ-2019-0001", kZhangsanId, "张三", "张三小吃"),
                  row("XC\"DJ1", kZhangsanId, "张三", "引号"),
                  row("XCDJ\n0003", kZhangsanId, "张三", "换行"),
                  row("XCY3301022026000001", kZhangsanId, "张三", "生成号"),
                  row("XCDJ-2019-0001", kLisiId, "李四", "重复"),
                  row("XCDJ-2019-0006", "330102199003073018", "张三", "错号"),
                  row("XCDJ-2019-0007", kZhangsanId, "张三", "")};
  bad[6].as_object()["fields"].as_object().erase("shop_name");
  auto refused = Call(verb::post, "/api/v1/licence-imports", Json(batch("B", bad)), &approver_);
  ASSERT_EQ(refused.status, 422) << refused.body;
  for (const char* field : {"licences/1/number", "licences/2/number", "licences/3/number",
                            "licences/4/number", "licences/5/holder/id", "licences/6/fields"})
    EXPECT_NE(refused.body.find(field), std::string::npos) << field << ": " << refused.body;
  EXPECT_EQ(refused.body.find("licences/0/"), std::string::npos) << refused.body;
  EXPECT_EQ(CountLicences(), before);
  auto level_a =
      Call(verb::post, "/api/v1/licence-imports",
           Json(batch("A", {row("XCDJ-2019-0001", kZhangsanId, "张三", "张三小吃")})), &approver_);
  EXPECT_EQ(level_a.status, 422) << level_a.body;

  // Nobody but the issuing department's approvers who may use its seal.
  json::array good{row("XCDJ-2019-0001", kZhangsanId, "张三", "张三小吃"),
                   row("xcdj-2019-0002", kLisiId, "李四", "李四面馆")};
  Session lisi = Login("lisi");
  Session reviewer = Staff("sc.reviewer9", kDept, "330102", "reviewer");
  Session no_seal = Staff("sc.approver9", kDept, "330102", "approver");
  Session other = Staff("mz.approver9", "330102-MZ", "330102", "approver");
  for (const Session* s : {&lisi, &reviewer, &no_seal, &other}) {
    auto r = Call(verb::post, "/api/v1/licence-imports", Json(batch("B", good)), s);
    EXPECT_EQ(r.status, 403) << r.body;
  }
  EXPECT_EQ(Call(verb::post, "/api/v1/licence-imports", Json(batch("B", good))).status, 401);
  EXPECT_EQ(CountLicences(), before);

  // The issuer imports them: kept numbers (upper case), source import, level B, sealed.
  auto made = Call(verb::post, "/api/v1/licence-imports", Json(batch("B", good)), &approver_);
  ASSERT_EQ(made.status, 201) << made.body;
  const json::value out = made.json();
  EXPECT_EQ(out.at("imported").as_int64(), 2);
  EXPECT_EQ(out.at("licences").at(1).at("number").as_string(), "XCDJ-2019-0002");
  EXPECT_EQ(out.at("licences").at(0).at("source").as_string(), "import");
  EXPECT_EQ(out.at("licences").at(0).at("trust_level").as_string(), "B");
  EXPECT_EQ(out.at("licences").at(0).at("valid_to").as_string(), "2029-04-30");
  EXPECT_EQ(CountLicences(), before + 2);
  // Its holder has it, and anyone verifies it like any other.
  Session zhang = Login("zhangsan");
  auto mine = Call(verb::get, "/api/v1/licences/XCDJ-2019-0001", "", &zhang);
  ASSERT_EQ(mine.status, 200) << mine.body;
  auto v = Verify(std::string(mine.json().at("qr_payload").as_string()));
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_TRUE(v.json().at("valid").as_bool());
  EXPECT_EQ(Call(verb::get, "/api/v1/licences/XCDJ-2019-0002", "", &zhang).status, 404);
  auto pdf = Call(verb::get, "/api/v1/licences/XCDJ-2019-0001/pdf", "", &zhang);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-disposition"),
            "attachment; filename=\"licence-XCDJ-2019-0001.pdf\"");
  // Imported once: the same numbers again are refused, naming them.
  auto again = Call(verb::post, "/api/v1/licence-imports", Json(batch("C", good)), &approver_);
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_NE(again.body.find("exists already"), std::string::npos) << again.body;
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
