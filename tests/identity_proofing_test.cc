// Identity proofing over HTTP on both stores, written as the impostor would try it: a
// resident ID number typed at registration proves nothing until counter staff check the
// ID card, a real-name verification service matches it, or a trusted peer platform
// asserts it at a sufficient level. Until then the account gets no counter cases, no
// `resident_id` claim and only `acr` ow:loa:1; once one account proves the number, the
// others claiming it are frozen. The real-name service is a stand-in HTTP server on
// 127.0.0.1 run by the test; the peer platform is a second real server.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "app/demo.h"
#include "crypto/encoding.h"
#include "identity/service.h"
#include "support/stand_in.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::beast::http::verb;

constexpr const char* kPassword = "OneWindow-demo-2026";  // demo/accounts.json
constexpr const char* kNumber = "11010519491231002X";     // valid GB 11643 check digit
constexpr const char* kMasked = "110***********002X";
constexpr const char* kItem = "3301-SCJG-GTDJ";
constexpr const char* kRedirect = "https://rp.example.gov/cb";

std::string Json(const json::object& o) { return json::serialize(o); }

std::string Enc(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The claims of a JWT (not verified: the provider's signatures are tested elsewhere).
json::object Claims(const std::string& jwt) {
  auto a = jwt.find('.');
  auto b = jwt.find('.', a + 1);
  auto payload = crypto::Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
  EXPECT_TRUE(payload);
  return payload ? json::parse(*payload).as_object() : json::object{};
}

std::string CookieValue(const HttpResponse& r) {
  std::string c = r.header("set-cookie");
  auto start = c.find("ow_session=");
  if (start == std::string::npos) return "";
  start += 11;
  return c.substr(start, c.find(';', start) - start);
}

std::string Target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  EXPECT_TRUE(u) << url;
  if (!u) return "/";
  std::string t = std::string(u->encoded_path());
  if (u->has_query()) t += "?" + std::string(u->encoded_query());
  return t;
}

// A stand-in real-name verification service on 127.0.0.1:0 following the contract in
// identity/realname.h: it matches, refuses, fails (HTTP 500) or never answers.
class RealNameStandIn {
 public:
  enum class Mode { kMatch, kMismatch, kFail, kSilent };
  std::string url() const { return server_.origin() + "/verify"; }
  void set_mode(Mode m) { mode_ = m; }
  int calls() const { return calls_; }
  std::string last_body() {
    std::lock_guard<std::mutex> lock(mu_);
    return body_;
  }
  std::string last_authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }

 private:
  std::optional<StandIn::Reply> Answer(const StandIn::Request& req) {
    ++calls_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      body_ = req.body();
      authorization_ = std::string(req[bhttp::field::authorization]);
    }
    Mode m = mode_;
    if (m == Mode::kSilent) return std::nullopt;
    if (m == Mode::kFail) return StandIn::Reply{500, "{\"error\":\"down\"}"};
    return StandIn::Reply{
        200, Json({{"match", m == Mode::kMatch}, {"reference", "RN-" + std::to_string(calls_)}})};
  }

  std::atomic<Mode> mode_{Mode::kMatch};
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::string body_, authorization_;
  StandIn server_{[this](const StandIn::Request& r) { return Answer(r); }};  // last: stops first
};

struct Session {
  std::string cookie, csrf, account_id;
};

class IdentityProofing : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    realname_ = std::make_unique<RealNameStandIn>();
    std::string url = realname_->url();
    server_ = std::make_unique<TestServer>(db_url(), [url](Config& c) {
      c.password_concurrency = 4;
      c.realname_url = url;
      c.realname_secret = "rn-secret";
      c.realname_timeout_ms = 700;
      c.realname_attempts = 4;
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded =
        app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  HttpResponse Call(verb method, const std::string& target, const std::string& body = {},
                    const Session* s = nullptr, std::map<std::string, std::string> headers = {}) {
    if (s) {
      headers.emplace("Cookie", s->cookie);
      if (method != verb::get) headers.emplace("X-CSRF-Token", s->csrf);
    }
    if (!body.empty() && !headers.count("Content-Type"))
      headers.emplace("Content-Type", "application/json");
    return client_->Send(method, target, body, headers);
  }
  HttpResponse Admin(verb method, const std::string& target, const std::string& body) {
    auto h = server_->AdminHeaders();
    h["Content-Type"] = "application/json";
    return client_->Send(method, target, body, h);
  }

  HttpResponse TryLogin(const std::string& username) {
    return Call(verb::post, "/api/v1/session",
                Json({{"username", username}, {"password", kPassword}}));
  }
  Session Login(const std::string& username) {
    auto r = TryLogin(username);
    EXPECT_EQ(r.status, 201) << username << ": " << r.body;
    if (r.status != 201) return {};
    std::string c = r.header("set-cookie");
    auto body = r.json();
    return {c.substr(0, c.find(';')), std::string(body.at("csrf_token").as_string()),
            std::string(body.at("account").at("id").as_string())};
  }
  HttpResponse Register(const std::string& username, const std::string& number,
                        const std::string& name = "王小明") {
    return Call(verb::post, "/api/v1/accounts",
                Json({{"username", username},
                      {"password", kPassword},
                      {"real_name", name},
                      {"resident_id", number}}));
  }
  Session Person(const std::string& username, const std::string& number = kNumber) {
    auto r = Register(username, number);
    EXPECT_EQ(r.status, 201) << r.body;
    return Login(username);
  }
  // A staff member of `dept` in `region` with `role`, granted by the demo security admin.
  Session Staff(const std::string& username, const std::string& dept, const std::string& region,
                const std::string& role, const std::string& number = "") {
    json::object body{{"username", username},
                      {"password", kPassword},
                      {"real_name", "王五"},
                      {"department_code", dept},
                      {"region_code", region}};
    if (!number.empty()) body["resident_id"] = number;
    auto r = Admin(verb::post, "/api/v1/staff", Json(body));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = std::string(r.json().at("id").as_string());
    if (!role.empty()) {
      Session sec = Login("secadmin");
      json::object grant{{"role", role}, {"region_code", region}};
      if (role != "counter" && role != "agent") grant["department_code"] = dept;
      auto g = Call(verb::post, "/api/v1/staff/" + id + "/roles", Json(grant), &sec);
      EXPECT_EQ(g.status, 201) << g.body;
    }
    return Login(username);
  }
  HttpResponse Verify(const Session& staff, const std::string& account,
                      json::object body = {{"card_checked", true}}) {
    return Call(verb::post, "/api/v1/counter/accounts/" + account + "/verification", Json(body),
                &staff);
  }
  std::string Level(const Session& s) {
    auto r = Call(verb::get, "/api/v1/me/identity", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("identity_level").as_string()) : "";
  }
  json::object Intake(const Session& counter, const std::string& number) {
    json::object form{{"operator_name", "王小明"}, {"operator_id", number},
                      {"form", "个人经营"},        {"address", "杭州市上城区解放路1号"},
                      {"scope", "日用百货零售"},   {"phone", "13800000001"}};
    auto r = Call(verb::post, "/api/v1/cases",
                  Json({{"item_code", kItem},
                        {"region_code", "330102"},
                        {"form", form},
                        {"applicant_resident_id", number},
                        {"applicant_name", "王小明"}}),
                  &counter);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }
  int64_t CasesOf(const Session& s) {
    auto r = Call(verb::get, "/api/v1/me/cases", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("total").as_int64() : -1;
  }
  // The audit records of `action`, once there are at least `want` (at most 5 s): events
  // audited outside a transaction go through the batching writer, committed some
  // milliseconds after the answer.
  json::array Audit(const std::string& action, size_t want = 1) {
    Session auditor = Login("auditor");
    json::array records;
    for (int i = 0; i < 50; ++i) {
      auto r = Call(verb::get, "/api/v1/audit?action=" + action, {}, &auditor);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      records = r.json().at("records").as_array();
      if (records.size() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return records;
  }

  // A client allowed the resident_id scope; the code flow for `s`'s user.
  json::object Client() {
    auto r = Admin(verb::post, "/api/v1/oidc/clients",
                   Json({{"name", "Peer platform"},
                         {"type", "confidential"},
                         {"redirect_uris", json::array{kRedirect}},
                         {"grant_types", json::array{"authorization_code"}},
                         {"scopes", json::array{"openid", "profile", "resident_id"}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }
  // {ID token claims, userinfo}
  std::pair<json::object, json::object> CodeFlow(const json::object& client, const Session& s,
                                                 const std::string& extra = "") {
    std::string id(client.at("client_id").as_string());
    auto authz = Call(verb::get,
                      "/oauth2/authorize?response_type=code&client_id=" + id + "&redirect_uri=" +
                          Enc(kRedirect) + "&scope=openid%20resident_id&state=s1" + extra,
                      {}, &s);
    EXPECT_EQ(authz.status, 302) << authz.body;
    auto location = boost::urls::parse_absolute_uri(authz.header("location"));
    if (!location) return {};
    auto code = location->params().find("code");
    if (code == location->params().end()) {
      ADD_FAILURE() << authz.header("location");
      return {};
    }
    auto token =
        Call(verb::post, "/oauth2/token",
             "grant_type=authorization_code&code=" + Enc((*code).value) +
                 "&redirect_uri=" + Enc(kRedirect) + "&client_id=" + id +
                 "&client_secret=" + Enc(std::string(client.at("client_secret").as_string())),
             nullptr, {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(token.status, 200) << token.body;
    if (token.status != 200) return {};
    auto t = token.json();
    auto info =
        Call(verb::get, "/oauth2/userinfo", {}, nullptr,
             {{"Authorization", "Bearer " + std::string(t.at("access_token").as_string())}});
    EXPECT_EQ(info.status, 200) << info.body;
    return {Claims(std::string(t.at("id_token").as_string())),
            info.status == 200 ? info.json().as_object() : json::object{}};
  }

  std::unique_ptr<RealNameStandIn> realname_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(IdentityProofing, ImpostorWhoRegisteredFirstGetsNothingAndIsFrozenOnceTheOwnerProvesIt) {
  // The impostor registers with the victim's number first; the victim can still register.
  Session impostor = Person("impostor");
  auto victim_reg = Register("owner", kNumber);
  ASSERT_EQ(victim_reg.status, 201) << victim_reg.body;
  EXPECT_EQ(victim_reg.json().at("identity_level"), "ow:loa:1");
  Session owner = Login("owner");
  EXPECT_EQ(Level(impostor), "ow:loa:1");

  // A counter intake for the number links to no one while only unverified accounts claim it.
  Session counter = Login("hall.counter");  // counter in 330102
  auto before = Intake(counter, kNumber);
  ASSERT_FALSE(before.empty());
  EXPECT_TRUE(before.at("applicant").at("account_id").is_null()) << json::serialize(before);
  EXPECT_EQ(before.at("applicant").at("resident_id"), kMasked);
  EXPECT_EQ(CasesOf(impostor), 0);
  EXPECT_EQ(CasesOf(owner), 0);

  // Counter staff find both claimants, masked, and verify the one whose card they saw.
  auto found = Call(verb::post, "/api/v1/counter/account-lookups", Json({{"resident_id", kNumber}}),
                    &counter);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json().at("accounts").as_array().size(), 2u);
  EXPECT_EQ(found.body.find(kNumber), std::string::npos);
  auto verified = Verify(counter, owner.account_id);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json().at("identity_level"), "ow:loa:3");
  EXPECT_EQ(verified.json().at("verification_method"), "counter");
  EXPECT_EQ(Level(owner), "ow:loa:3");

  // The impostor is frozen: the session ends and the password no longer logs in (the
  // answer is the uniform login failure).
  EXPECT_EQ(Call(verb::get, "/api/v1/me/identity", {}, &impostor).status, 401);
  auto again = TryLogin("impostor");
  EXPECT_EQ(again.status, 401) << again.body;

  // Audited: who verified, at which hall, the masked number; and the freeze.
  auto records = Audit("identity.verified&subject=" + owner.account_id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("actor"), "hall.counter");
  EXPECT_EQ(records[0].at("subject"), json::value(owner.account_id));
  auto detail = json::serialize(records[0]);
  EXPECT_NE(detail.find("330102"), std::string::npos) << detail;
  EXPECT_NE(detail.find(kMasked), std::string::npos) << detail;
  EXPECT_EQ(detail.find(kNumber), std::string::npos) << detail;
  auto frozen = Audit("account.frozen");
  ASSERT_EQ(frozen.size(), 1u);
  EXPECT_EQ(frozen[0].at("subject"), json::value(impostor.account_id));

  // New counter intakes now reach the owner; a verified number cannot be registered again.
  auto after = Intake(counter, kNumber);
  EXPECT_EQ(after.at("applicant").at("account_id"), json::value(owner.account_id));
  EXPECT_EQ(CasesOf(owner), 1);
  // A verified number is not registered again (the answer conceals it: 201, nothing stored).
  EXPECT_EQ(Register("latecomer", kNumber).status, 201);
  EXPECT_EQ(TryLogin("latecomer").status, 401);
  // Verifying the frozen impostor is refused.
  EXPECT_EQ(Verify(counter, impostor.account_id).status, 409);
}

TEST_P(IdentityProofing, ResidentIdIsReleasedOnlyWhenVerifiedAndAcrFollowsTheLevel) {
  auto client = Client();
  ASSERT_FALSE(client.empty());
  Session person = Person("wang.xm");
  auto discovery = Call(verb::get, "/.well-known/openid-configuration").json();
  EXPECT_EQ(discovery.at("acr_values_supported"),
            (json::array{"ow:loa:1", "ow:loa:2", "ow:loa:3"}));

  auto [id1, info1] = CodeFlow(client, person);
  EXPECT_EQ(id1.at("acr"), "ow:loa:1");
  EXPECT_FALSE(id1.contains("resident_id")) << json::serialize(id1);
  EXPECT_FALSE(info1.contains("resident_id")) << json::serialize(info1);
  // Asking for a higher level does not make the token claim it.
  auto [asked, _] = CodeFlow(client, person, "&acr_values=ow%3Aloa%3A3");
  EXPECT_EQ(asked.at("acr"), "ow:loa:1");

  // Online verification: level 2, released.
  auto online = Call(verb::post, "/api/v1/me/identity/verification", "{}", &person);
  ASSERT_EQ(online.status, 200) << online.body;
  auto [id2, info2] = CodeFlow(client, person);
  EXPECT_EQ(id2.at("acr"), "ow:loa:2");
  EXPECT_EQ(id2.at("resident_id"), kNumber);
  EXPECT_EQ(info2.at("resident_id"), kNumber);

  // At the counter: level 3.
  Session counter = Login("hall.counter");
  ASSERT_EQ(Verify(counter, person.account_id).status, 200);
  auto [id3, info3] = CodeFlow(client, person);
  EXPECT_EQ(id3.at("acr"), "ow:loa:3");
  EXPECT_EQ(info3.at("resident_id"), kNumber);
}

TEST_P(IdentityProofing, OnlyCounterStaffOfTheHallVerifyOthers) {
  Session person = Person("li.si.er");
  Session counter = Login("hall.counter");  // counter in 330102
  Session acceptor = Login("sc.acceptor");  // staff without the counter role
  Session xihu = Staff("xh.counter", "330106-ZWFW", "330106", "counter");
  Session zhangsan = Login("zhangsan");  // a person

  EXPECT_EQ(Verify(acceptor, person.account_id).status, 403);
  EXPECT_EQ(Verify(zhangsan, person.account_id).status, 403);
  EXPECT_EQ(Verify(person, person.account_id).status, 403);
  // Counter staff of another region cannot act for a hall in 330102 ...
  EXPECT_EQ(
      Verify(xihu, person.account_id, {{"card_checked", true}, {"hall_region", "330102"}}).status,
      403);
  // ... nor can 330102's counter claim a Xihu hall.
  EXPECT_EQ(Verify(counter, person.account_id, {{"card_checked", true}, {"hall_region", "330106"}})
                .status,
            403);
  // No session: 401; the administrator token and a relying party's bearer token: 403.
  EXPECT_EQ(Call(verb::post, "/api/v1/counter/accounts/" + person.account_id + "/verification",
                 Json({{"card_checked", true}}))
                .status,
            401);
  EXPECT_EQ(Admin(verb::post, "/api/v1/counter/accounts/" + person.account_id + "/verification",
                  Json({{"card_checked", true}}))
                .status,
            403);
  auto client = Client();
  {
    // hall.counter's own token at a relying party carries no staff roles.
    std::string id(client.at("client_id").as_string());
    auto authz = Call(verb::get,
                      "/oauth2/authorize?response_type=code&client_id=" + id +
                          "&redirect_uri=" + Enc(kRedirect) + "&scope=openid&state=s",
                      {}, &counter);
    auto location = boost::urls::parse_absolute_uri(authz.header("location"));
    ASSERT_TRUE(location);
    auto code = location->params().find("code");
    ASSERT_NE(code, location->params().end());
    auto token =
        Call(verb::post, "/oauth2/token",
             "grant_type=authorization_code&code=" + Enc((*code).value) +
                 "&redirect_uri=" + Enc(kRedirect) + "&client_id=" + id +
                 "&client_secret=" + Enc(std::string(client.at("client_secret").as_string())),
             nullptr, {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(token.status, 200) << token.body;
    auto bearer = "Bearer " + std::string(token.json().at("access_token").as_string());
    EXPECT_EQ(Call(verb::post, "/api/v1/counter/accounts/" + person.account_id + "/verification",
                   Json({{"card_checked", true}}), nullptr, {{"Authorization", bearer}})
                  .status,
              403);
    EXPECT_EQ(Call(verb::post, "/api/v1/counter/account-lookups", Json({{"username", "li.si.er"}}),
                   nullptr, {{"Authorization", bearer}})
                  .status,
              403);
  }
  EXPECT_EQ(Call(verb::post, "/api/v1/counter/account-lookups", Json({{"username", "li.si.er"}}),
                 &acceptor)
                .status,
            403);
  // The card must have been checked; staff accounts are not verified; nor is one's own number.
  EXPECT_EQ(Verify(counter, person.account_id, {{"card_checked", false}}).status, 422);
  EXPECT_EQ(Verify(counter, counter.account_id).status, 403);
  EXPECT_EQ(Verify(counter, acceptor.account_id).status, 409);
  // A clerk's own person account (the same number) is verified by a colleague, not by her.
  Session mine = Person("clerk.own", "110105198001011238");
  Session clerk = Staff("hall.clerk", "330102-ZWFW", "330102", "counter", "110105198001011238");
  EXPECT_EQ(Verify(clerk, mine.account_id).status, 403);
  EXPECT_EQ(Level(mine), "ow:loa:1");
  // Nothing above raised the person.
  EXPECT_EQ(Level(person), "ow:loa:1");
  // The hall's own counter staff can.
  auto ok = Verify(counter, person.account_id, {{"card_checked", true}, {"hall_region", "330102"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_P(IdentityProofing, RealNameServiceMatchesRefusesFailsAndIsRateLimited) {
  Session person = Person("online.one");
  auto verify = [&](const Session& s) {
    return Call(verb::post, "/api/v1/me/identity/verification", "{}", &s);
  };
  auto options = Call(verb::get, "/api/v1/me/identity", {}, &person).json();
  EXPECT_EQ(options.at("online_verification"), true);

  realname_->set_mode(RealNameStandIn::Mode::kMismatch);
  auto no = verify(person);
  EXPECT_EQ(no.status, 409) << no.body;
  EXPECT_EQ(Level(person), "ow:loa:1");
  // The contract: the number and name as JSON, the configured bearer secret.
  auto sent = json::parse(realname_->last_body()).as_object();
  EXPECT_EQ(sent.at("resident_id"), kNumber);
  EXPECT_EQ(sent.at("real_name"), "王小明");
  EXPECT_EQ(realname_->last_authorization(), "Bearer rn-secret");

  realname_->set_mode(RealNameStandIn::Mode::kFail);
  auto down = verify(person);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.header("content-type"), "application/problem+json");
  realname_->set_mode(RealNameStandIn::Mode::kSilent);
  auto start = std::chrono::steady_clock::now();
  auto slow = verify(person);
  EXPECT_EQ(slow.status, 503) << slow.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  realname_->set_mode(RealNameStandIn::Mode::kMatch);
  // Four attempts per account per day: the fourth still goes through ...
  auto yes = verify(person);
  ASSERT_EQ(yes.status, 200) << yes.body;
  EXPECT_EQ(yes.json().at("identity_level"), "ow:loa:2");
  EXPECT_EQ(yes.json().at("verification_method"), "realname");
  EXPECT_EQ(realname_->calls(), 4);
  // ... and another account that exhausts its attempts is told to wait.
  Session other = Person("online.two", "110105198001011238");
  realname_->set_mode(RealNameStandIn::Mode::kMismatch);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(verify(other).status, 409);
  auto limited = verify(other);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_EQ(realname_->calls(), 8);
  // Staff cannot use it; a verified account is not sent again.
  Session acceptor = Login("sc.acceptor");
  EXPECT_EQ(verify(acceptor).status, 409);
  EXPECT_EQ(verify(person).status, 200);
  EXPECT_EQ(realname_->calls(), 8);
  auto records = Audit("identity.realname_mismatch", 5);
  EXPECT_EQ(records.size(), 5u);
}

OW_INSTANTIATE_STORE_TESTS(IdentityProofing);

// Verification through a trusted peer platform: A trusts B; a person logged in at A
// with a password starts a verification, signs in at B, and A raises the account to
// min(B's acr, the trust's assurance) when that is ow:loa:2 or more.
class ProofingThroughPeer : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    b_dir_ = std::filesystem::temp_directory_path() /
             ("ow-proof-b-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(b_dir_);
    b_ = std::make_unique<TestServer>("sqlite:" + (b_dir_ / "b.db").string());
    a_ = std::make_unique<TestServer>(db_url());
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (!b_dir_.empty()) std::filesystem::remove_all(b_dir_);
  }
  std::string Origin(TestServer& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

  // Registers at `s` and returns the session cookie value.
  std::string PersonAt(TestServer& s, const std::string& username) {
    HttpClient c(s.port());
    auto r = c.SendJson(verb::post, "/api/v1/accounts",
                        Json({{"username", username},
                              {"password", kPassword},
                              {"real_name", "王小明"},
                              {"resident_id", kNumber}}));
    EXPECT_EQ(r.status, 201) << r.body;
    auto login = c.SendJson(verb::post, "/api/v1/session",
                            Json({{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    return CookieValue(login);
  }
  void Trust(const std::string& name, const std::string& assurance) {
    HttpClient cb(b_->port());
    auto client =
        cb.SendJson(verb::post, "/api/v1/oidc/clients",
                    Json({{"name", "Platform A"},
                          {"type", "confidential"},
                          {"redirect_uris",
                           json::array{Origin(*a_) + "/oauth2/federation/" + name + "/callback"}},
                          {"grant_types", json::array{"authorization_code"}},
                          {"scopes", json::array{"openid", "resident_id"}}}),
                    b_->AdminHeaders());
    ASSERT_EQ(client.status, 201) << client.body;
    auto k = client.json().as_object();
    HttpClient ca(a_->port());
    auto trust =
        ca.SendJson(verb::post, "/api/v1/trusts",
                    Json({{"name", name},
                          {"display_name", "Platform B"},
                          {"discovery_url", Origin(*b_) + "/.well-known/openid-configuration"},
                          {"client_id", k.at("client_id")},
                          {"client_secret", k.at("client_secret")},
                          {"assurance", assurance}}),
                    a_->AdminHeaders());
    ASSERT_EQ(trust.status, 201) << trust.body;
  }
  // Starts a verification at A with `a_cookie`, signs in at B with `b_cookie`, and
  // returns A's answer to the callback made with `callback_cookie`.
  HttpResponse VerifyThroughB(const std::string& trust, const std::string& a_cookie,
                              const std::string& b_cookie, const std::string& callback_cookie) {
    HttpClient ca(a_->port()), cb(b_->port());
    auto start = ca.Get("/oauth2/federation/" + trust + "/verify?return=%2Fmy%2Faccount",
                        {{"Cookie", "ow_session=" + a_cookie}});
    EXPECT_EQ(start.status, 302) << start.body;
    auto code = cb.Get(Target(start.header("location")), {{"Cookie", "ow_session=" + b_cookie}});
    EXPECT_EQ(code.status, 302) << code.body;
    // The browser's federation cookie from the start, and the session, if any.
    std::string fed = start.header("set-cookie");
    fed = fed.substr(0, fed.find(';'));
    std::string cookies =
        callback_cookie.empty() ? fed : "ow_session=" + callback_cookie + "; " + fed;
    return ca.Get(Target(code.header("location")), {{"Cookie", cookies}});
  }
  std::string LevelAt(TestServer& s, const std::string& cookie) {
    HttpClient c(s.port());
    auto r = c.Get("/api/v1/me/identity", {{"Cookie", "ow_session=" + cookie}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("identity_level").as_string()) : "";
  }

  static inline int counter_ = 0;
  std::filesystem::path b_dir_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_P(ProofingThroughPeer, LowLevelsDoNotVerifyASufficientOneDoes) {
  std::string at_b = PersonAt(*b_, "wang.at.b");
  std::string at_a = PersonAt(*a_, "wang.at.a");
  Trust("low", "ow:loa:1");
  Trust("zj-b", "ow:loa:3");
  // Without a real-name service A offers no online check.
  HttpClient ca(a_->port());
  auto options = ca.Get("/api/v1/me/identity", {{"Cookie", "ow_session=" + at_a}});
  EXPECT_EQ(options.json().at("online_verification"), false);
  auto trusts = ca.Get("/api/v1/trusts", a_->AdminHeaders()).json().at("trusts").as_array();
  for (const auto& t : trusts)
    EXPECT_EQ(t.at("verify_url").is_null(), t.at("name") == "low") << json::serialize(t);

  // B itself has not verified the person: it releases no number, which verifies nothing.
  auto unverified_peer = VerifyThroughB("zj-b", at_a, at_b, at_a);
  EXPECT_EQ(unverified_peer.status, 401) << unverified_peer.body;
  EXPECT_EQ(LevelAt(*a_, at_a), "ow:loa:1");
  // B verifies its person (at its counter; set up directly: B's state is the premise).
  auto b_account = b_->app().identity().AccountByUsername("wang.at.b");
  ASSERT_TRUE(b_account);
  ASSERT_TRUE(
      b_->app().identity().RaiseIdentity(b_account->id, 3, "bootstrap", "test", "test", "", {}));
  EXPECT_EQ(LevelAt(*b_, at_b), "ow:loa:3");
  // A trust capped at ow:loa:1 verifies nothing, whatever B asserts.
  auto low = VerifyThroughB("low", at_a, at_b, at_a);
  EXPECT_EQ(low.status, 409) << low.body;
  EXPECT_EQ(LevelAt(*a_, at_a), "ow:loa:1");
  // Finished in another browser (no session of the account that started it): refused.
  auto elsewhere = VerifyThroughB("zj-b", at_a, at_b, "");
  EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
  EXPECT_EQ(LevelAt(*a_, at_a), "ow:loa:1");
  // A trusted peer at ow:loa:3 verifies.
  auto ok = VerifyThroughB("zj-b", at_a, at_b, at_a);
  ASSERT_EQ(ok.status, 302) << ok.body;
  EXPECT_EQ(ok.header("location"), "/my/account");
  EXPECT_EQ(ok.header("set-cookie").find("ow_session="), std::string::npos);  // no new session
  EXPECT_EQ(LevelAt(*a_, at_a), "ow:loa:3");
  auto me = ca.Get("/api/v1/me/identity", {{"Cookie", "ow_session=" + at_a}}).json();
  EXPECT_EQ(me.at("verification_method"), "federation");
}

OW_INSTANTIATE_STORE_TESTS(ProofingThroughPeer);

}  // namespace
}  // namespace ow::testing
