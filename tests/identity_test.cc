// The identity domain over HTTP on both stores, as its users rely on it: registration
// and login, the failed-login countdown, lockout and per-address throttling with their
// audit records, CSRF protection of cookie sessions, no existence leaks between users,
// masked resident ID numbers in every response and log line, logging out everywhere
// (OpenID Connect refresh tokens included), the separation of administrator duties
// (down to the database index), roles within a staff member's department and region,
// agents, enterprises and their operators, and signing key rotation (an old token is
// still verified by the npm `jose` library against the rotated JWKS).
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "app/demo.h"
#include "core/clock.h"
#include "core/log.h"
#include "crypto/encoding.h"
#include "identity/model.h"
#include "identity/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kPassword = "Qiantang-River-1949";
constexpr const char* kDeptD = "330102-MZ";    // Shangcheng civil affairs (county 330102)
constexpr const char* kDeptE = "330102-SCJG";  // Shangcheng market regulation

// Resident ID numbers with a correct GB 11643 check character.
constexpr const char* kIdZhang = "11010519491231002X";
constexpr const char* kIdLi = "440524198001010013";
constexpr const char* kIdWang = "330102199003071230";
constexpr const char* kIdZhao = "330106200002290010";

std::string Enc(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string Json(const json::object& o) { return json::serialize(o); }

// A UTC time `seconds` from now in the platform's format (whole seconds).
std::string InSeconds(int64_t seconds) {
  return FormatTime(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

bool HasFieldError(const HttpResponse& r, const std::string& field) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("errors")) return false;
  for (const auto& e : v.at("errors").as_array())
    if (e.at("field").as_string() == field) return true;
  return false;
}

std::string Detail(const HttpResponse& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("detail")) return "";
  return std::string(v.at("detail").as_string());
}

// The "kid" of a compact JWS's protected header.
std::string Kid(const std::string& jwt) {
  auto header = crypto::Base64UrlDecode(jwt.substr(0, jwt.find('.')));
  if (!header) return "";
  auto v = json::parse(*header);
  return std::string(v.at("kid").as_string());
}

std::set<std::string> Kids(const json::value& jwks) {
  std::set<std::string> out;
  for (const auto& k : jwks.at("keys").as_array()) out.insert(std::string(k.at("kid").as_string()));
  return out;
}

// A logged-in portal session: the cookie to send and the CSRF token for unsafe methods.
struct Session {
  std::string cookie;  // "ow_session=..."
  std::string csrf;
  std::string account_id;
  std::string session_id;
};

struct Tokens {
  std::string access, refresh, id;
};

class IdentityTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
  }
  void TearDown() override { log::SetLevel(log::Level::kWarn); }

  // Starts the server (with `tweak` applied) and loads the demo regions and departments.
  void Start(const std::function<void(Config&)>& tweak = {}) {
    server_ = std::make_unique<TestServer>(db_url(), [&](Config& c) {
      c.password_concurrency = 4;
      if (tweak) tweak(c);
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded = app::SeedDemo(server_->app().database(), SourceDir() + "/demo");
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  std::string Origin() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Every request of a test goes through here, so that every response body is on record.
  HttpResponse Call(verb method, const std::string& target, const std::string& body = {},
                    const Session* s = nullptr, std::map<std::string, std::string> headers = {}) {
    if (s) {
      headers.emplace("Cookie", s->cookie);
      bool unsafe = method != verb::get && method != verb::head && method != verb::options;
      if (unsafe) headers.emplace("X-CSRF-Token", s->csrf);
    }
    if (!body.empty() && !headers.count("Content-Type"))
      headers["Content-Type"] = "application/json";
    auto res = client_->Send(method, target, body, headers);
    transcript_ += res.body;
    transcript_ += '\n';
    return res;
  }
  HttpResponse Admin(verb method, const std::string& target, const std::string& body = {}) {
    return Call(method, target, body, nullptr, server_->AdminHeaders());
  }

  std::string Register(const std::string& username, const std::string& resident_id,
                       const std::string& real_name = "张三") {
    auto r = Call(verb::post, "/api/v1/accounts",
                  Json({{"username", username},
                        {"password", kPassword},
                        {"real_name", real_name},
                        {"resident_id", resident_id}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
  }

  HttpResponse TryLogin(const std::string& username, const std::string& password) {
    return Call(verb::post, "/api/v1/session",
                Json({{"username", username}, {"password", password}}));
  }

  Session Login(const std::string& username, const std::string& password = kPassword) {
    auto r = TryLogin(username, password);
    EXPECT_EQ(r.status, 201) << username << ": " << r.body;
    if (r.status != 201) return {};
    Session s;
    std::string set_cookie = r.header("set-cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    EXPECT_EQ(s.cookie.rfind("ow_session=", 0), 0u) << set_cookie;
    auto body = r.json();
    s.csrf = std::string(body.at("csrf_token").as_string());
    s.account_id = std::string(body.at("account").at("id").as_string());
    s.session_id = std::string(body.at("session").at("id").as_string());
    return s;
  }

  // A staff account created by the system administrator (the admin token).
  std::string CreateStaff(const std::string& username, const std::string& dept,
                          const std::string& region, const std::string& resident_id = "") {
    json::object o{{"username", username},
                   {"password", kPassword},
                   {"real_name", "李四"},
                   {"department_code", dept},
                   {"region_code", region}};
    if (!resident_id.empty()) o["resident_id"] = resident_id;
    auto r = Admin(verb::post, "/api/v1/staff", Json(o));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
  }

  // An administrator bootstrapped outside the API (the first security administrator
  // cannot be made by anyone else).
  std::string CreateAdmin(const std::string& username, const std::string& duty) {
    identity::RegisterInput in;
    in.username = username;
    in.password = kPassword;
    in.real_name = "管理员";
    in.department_code = "3301-ZWFW";
    in.region_code = "3301";
    auto a = server_->app().identity().CreateAdmin(in, duty);
    EXPECT_TRUE(a) << a.error().message;
    return a ? a->id : "";
  }

  HttpResponse Grant(const Session& by, const std::string& account, const json::object& role) {
    return Call(verb::post, "/api/v1/staff/" + account + "/roles", Json(role), &by);
  }

  // Registers a confidential OpenID Connect client (code + refresh, openid profile).
  json::object RegisterClient() {
    auto r = Admin(verb::post, "/api/v1/oidc/clients",
                   Json({{"name", "Department system"},
                         {"type", "confidential"},
                         {"redirect_uris", json::array{kRedirect}},
                         {"grant_types", json::array{"authorization_code", "refresh_token"}},
                         {"scopes", json::array{"openid", "profile"}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  // The code flow for the session's user; the client authenticates with client_secret_post.
  Tokens CodeFlow(const json::object& client, const Session& s) {
    std::string id(client.at("client_id").as_string());
    auto authz = Call(verb::get,
                      "/oauth2/authorize?response_type=code&client_id=" + id +
                          "&redirect_uri=" + Enc(kRedirect) + "&scope=openid%20profile&state=s1",
                      {}, &s);
    EXPECT_EQ(authz.status, 302) << authz.body;
    auto location = boost::urls::parse_absolute_uri(authz.header("location"));
    EXPECT_TRUE(location) << authz.header("location");
    if (!location) return {};
    auto code = location->params().find("code");
    EXPECT_NE(code, location->params().end()) << authz.header("location");
    if (code == location->params().end()) return {};
    auto token =
        Call(verb::post, "/oauth2/token",
             "grant_type=authorization_code&code=" + Enc((*code).value) +
                 "&redirect_uri=" + Enc(kRedirect) + "&client_id=" + id +
                 "&client_secret=" + Enc(std::string(client.at("client_secret").as_string())),
             nullptr, {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(token.status, 200) << token.body;
    if (token.status != 200) return {};
    auto t = token.json();
    return {std::string(t.at("access_token").as_string()),
            std::string(t.at("refresh_token").as_string()),
            std::string(t.at("id_token").as_string())};
  }

  HttpResponse Refresh(const json::object& client, const std::string& refresh) {
    return Call(verb::post, "/oauth2/token",
                "grant_type=refresh_token&refresh_token=" + Enc(refresh) +
                    "&client_id=" + std::string(client.at("client_id").as_string()) +
                    "&client_secret=" + Enc(std::string(client.at("client_secret").as_string())),
                nullptr, {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  HttpResponse UserInfo(const std::string& access) {
    return Call(verb::get, "/oauth2/userinfo", {}, nullptr,
                {{"Authorization", "Bearer " + access}});
  }

  // Audit records about `subject`, newest first, as the audit administrator reads them.
  // Waits up to five seconds for `action` to appear (some records are written in batches).
  json::array AuditOf(const Session& auditor, const std::string& subject,
                      const std::string& action) {
    json::array records;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      auto r = Call(verb::get, "/api/v1/audit?limit=200&subject=" + Enc(subject), {}, &auditor);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return {};
      records = r.json().at("records").as_array();
      for (const auto& rec : records)
        if (rec.at("action").as_string() == action) return records;
      if (std::chrono::steady_clock::now() > deadline) return records;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  static constexpr const char* kRedirect = "http://127.0.0.1:1/cb";
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::string transcript_;  // every response body of the test
};

int Count(const json::array& records, const std::string& action) {
  int n = 0;
  for (const auto& r : records) n += r.at("action").as_string() == action ? 1 : 0;
  return n;
}

TEST_P(IdentityTest, RegisterAndLogIn) {
  Start();
  auto r = Call(verb::post, "/api/v1/accounts",
                Json({{"username", "Zhang.San"},
                      {"password", kPassword},
                      {"real_name", "张三"},
                      {"resident_id", "11010519491231002x"},
                      {"phone", "13812345678"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto account = r.json();
  std::string id(account.at("id").as_string());
  EXPECT_EQ(r.header("location"), "/api/v1/accounts/" + id);
  EXPECT_EQ(account.at("username").as_string(), "zhang.san");
  EXPECT_EQ(account.at("kind").as_string(), "person");
  EXPECT_EQ(account.at("resident_id").as_string(), "110***********002X");
  EXPECT_EQ(account.at("phone").as_string(), "138****5678");
  EXPECT_EQ(account.at("identity_level").as_string(), "ow:loa:1");

  // The same name (in any case) is refused, and so is the same number once an account
  // proved it (identity_proofing_test covers numbers only claimed).
  ASSERT_TRUE(server_->app().identity().RaiseIdentity(id, 3, "bootstrap", "test", "test", "", {}));
  auto again = Call(verb::post, "/api/v1/accounts",
                    Json({{"username", "ZHANG.SAN"},
                          {"password", kPassword},
                          {"real_name", "张三"},
                          {"resident_id", kIdLi}}));
  EXPECT_EQ(again.status, 409) << again.body;
  auto same_id = Call(verb::post, "/api/v1/accounts",
                      Json({{"username", "another"},
                            {"password", kPassword},
                            {"real_name", "张三"},
                            {"resident_id", kIdZhang}}));
  // A registered resident ID number is not revealed (security_login_test.cc): the
  // answer looks like a new account, and nothing is stored.
  EXPECT_EQ(same_id.status, 201) << same_id.body;
  EXPECT_EQ(TryLogin("another", kPassword).status, 401);
  // Invalid input names every field.
  auto bad = Call(verb::post, "/api/v1/accounts",
                  Json({{"username", "x"},
                        {"password", "short"},
                        {"real_name", ""},
                        {"resident_id", "110105194912310021"}}));
  EXPECT_EQ(bad.status, 422) << bad.body;
  for (const char* f : {"username", "password", "real_name", "resident_id"})
    EXPECT_TRUE(HasFieldError(bad, f)) << f << ": " << bad.body;

  auto login = TryLogin("zhang.san", kPassword);
  ASSERT_EQ(login.status, 201) << login.body;
  std::string set_cookie = login.header("set-cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos) << set_cookie;
  EXPECT_EQ(login.header("cache-control"), "no-store");
  Session s = Login("ZHANG.SAN");
  EXPECT_EQ(s.account_id, id);
  auto me = Call(verb::get, "/api/v1/session", {}, &s);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("account").at("id").as_string(), id);
  EXPECT_EQ(me.json().at("csrf_token").as_string(), s.csrf);
  EXPECT_EQ(Call(verb::get, "/api/v1/accounts/" + id, {}, &s).status, 200);

  // Logging out ends this session only.
  Session other = Login("zhang.san");
  auto out = Call(verb::delete_, "/api/v1/session", {}, &s);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &s).status, 401);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &other).status, 200);
  EXPECT_EQ(Call(verb::get, "/api/v1/session").status, 401);
}

TEST_P(IdentityTest, WrongPasswordsThrottleTheUsernameFromThatAddressWithAuditRecords) {
  Start([](Config& c) {
    c.lockout_threshold = 3;
    c.lockout_minutes = 1;
  });
  std::string id = Register("wang.wu", kIdWang);
  CreateAdmin("auditor", identity::kAuditAdmin);
  Session auditor = Login("auditor");

  // No countdown: every failure reads the same (tests/security_login_test.cc compares
  // them with unknown users and disabled accounts).
  for (int i = 1; i <= 3; ++i) {
    auto r = TryLogin("wang.wu", "not-the-password-" + std::to_string(i));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(Detail(r), "wrong username or password");
  }
  // The pair (username, this address) now waits, even with the right password.
  auto waiting = TryLogin("wang.wu", kPassword);
  EXPECT_EQ(waiting.status, 429) << waiting.body;
  EXPECT_FALSE(waiting.header("retry-after").empty());
  EXPECT_EQ(Detail(waiting).rfind(
                "too many failed logins for this username from your address; try again in ", 0),
            0u)
      << waiting.body;

  auto records = AuditOf(auditor, id, "login.failed");
  for (int i = 0; i < 50 && Count(records, "login.failed") < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    records = AuditOf(auditor, id, "login.failed");
  }
  EXPECT_EQ(Count(records, "login.failed"), 3) << json::serialize(records);
  for (const auto& rec : records) {
    EXPECT_EQ(rec.at("actor").as_string(), "wang.wu");
    EXPECT_EQ(rec.at("ip").as_string(), "127.0.0.1");
  }
  // Nobody else reads the log.
  Register("reader", kIdLi);
  Session reader = Login("reader");
  EXPECT_EQ(Call(verb::get, "/api/v1/audit", {}, &reader).status, 403);
  EXPECT_EQ(Admin(verb::get, "/api/v1/audit").status, 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/audit").status, 401);
}

TEST_P(IdentityTest, ConcurrentWrongPasswordsStillThrottleTheUsername) {
  Start([](Config& c) {
    c.lockout_threshold = 3;
    c.lockout_minutes = 1;
  });
  Register("zhao.liu", kIdZhao);
  constexpr int kGuessers = 6;
  std::vector<std::thread> threads;
  threads.reserve(kGuessers);
  std::atomic<int> answered{0};
  for (int i = 0; i < kGuessers; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server_->port());
      auto r = c.SendJson(
          verb::post, "/api/v1/session",
          Json({{"username", "zhao.liu"}, {"password", "guess-number-" + std::to_string(i)}}));
      if (r.status == 401 || r.status == 429) ++answered;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), kGuessers);
  // However concurrent, six guesses are more than three: this address waits.
  auto r = TryLogin("zhao.liu", kPassword);
  EXPECT_EQ(r.status, 429) << r.body;
}

TEST_P(IdentityTest, TooManyFailuresFromOneAddressAre429WithRetryAfter) {
  Start([](Config& c) { c.ip_failure_limit = 3; });
  Register("li.si", kIdLi);
  for (int i = 0; i < 3; ++i) {
    auto r = TryLogin("user" + std::to_string(i), "not-the-password");
    EXPECT_EQ(r.status, 401) << r.body;
  }
  // Now even the right password of a real account waits.
  auto r = TryLogin("li.si", kPassword);
  ASSERT_EQ(r.status, 429) << r.body;
  std::string retry = r.header("retry-after");
  ASSERT_FALSE(retry.empty());
  int64_t seconds = std::stoll(retry);
  // The window is ten minutes from the first failure: the client must wait about that long.
  EXPECT_GT(seconds, 540) << retry;
  EXPECT_LE(seconds, 601) << retry;
  EXPECT_EQ(Detail(r),
            "too many failed logins from your address; try again in " + retry + " seconds")
      << r.body;
}

TEST_P(IdentityTest, CookieRequestsNeedTheCsrfTokenAndOurOrigin) {
  Start();
  Register("zhang.san", kIdZhang);
  Session s = Login("zhang.san");
  const std::string code = "91350100M000100Y43";
  const std::string body = Json({{"credit_code", code}, {"name", "福州某某有限公司"}});
  auto send = [&](verb method, const std::string& target, const std::string& b,
                  std::map<std::string, std::string> headers) {
    headers["Cookie"] = s.cookie;
    return Call(method, target, b, nullptr, headers);
  };
  // POST
  auto none = send(verb::post, "/api/v1/enterprises", body, {});
  EXPECT_EQ(none.status, 403) << none.body;
  EXPECT_NE(Detail(none).find("CSRF"), std::string::npos) << none.body;
  auto wrong = send(verb::post, "/api/v1/enterprises", body, {{"X-CSRF-Token", s.csrf + "x"}});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  Session other = Login("zhang.san");  // another session's token is wrong too
  EXPECT_EQ(send(verb::post, "/api/v1/enterprises", body, {{"X-CSRF-Token", other.csrf}}).status,
            403);
  auto foreign = send(verb::post, "/api/v1/enterprises", body,
                      {{"X-CSRF-Token", s.csrf}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_NE(Detail(foreign).find("another site"), std::string::npos) << foreign.body;
  EXPECT_EQ(
      send(verb::post, "/api/v1/enterprises", body, {{"X-CSRF-Token", s.csrf}, {"Origin", "null"}})
          .status,
      403);
  // Nothing was created by the refused requests.
  auto mine = Call(verb::get, "/api/v1/me/enterprises", {}, &s);
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(mine.json().at("enterprises").as_array().empty()) << mine.body;
  auto ok = send(verb::post, "/api/v1/enterprises", body,
                 {{"X-CSRF-Token", s.csrf}, {"Origin", Origin()}});
  EXPECT_EQ(ok.status, 201) << ok.body;

  // PUT
  const std::string change =
      Json({{"current_password", kPassword}, {"new_password", "Xixi-Wetland-2024"}});
  EXPECT_EQ(send(verb::put, "/api/v1/me/password", change, {}).status, 403);
  EXPECT_EQ(send(verb::put, "/api/v1/me/password", change, {{"X-CSRF-Token", "abc"}}).status, 403);
  EXPECT_EQ(send(verb::put, "/api/v1/me/password", change,
                 {{"X-CSRF-Token", s.csrf}, {"Origin", "http://127.0.0.1:1"}})
                .status,
            403);
  EXPECT_EQ(TryLogin("zhang.san", kPassword).status, 201);  // unchanged so far
  EXPECT_EQ(send(verb::put, "/api/v1/me/password", change, {{"X-CSRF-Token", s.csrf}}).status, 204);
  EXPECT_EQ(TryLogin("zhang.san", "Xixi-Wetland-2024").status, 201);

  // DELETE
  EXPECT_EQ(send(verb::delete_, "/api/v1/session", {}, {}).status, 403);
  EXPECT_EQ(send(verb::delete_, "/api/v1/session", {}, {{"X-CSRF-Token", "x"}}).status, 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &s).status, 200);  // still logged in
  EXPECT_EQ(send(verb::delete_, "/api/v1/session", {}, {{"X-CSRF-Token", s.csrf}}).status, 204);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &s).status, 401);

  // The admin token is not a cookie: no CSRF token needed (a cookie alongside changes nothing).
  Session live = Login("zhang.san", "Xixi-Wetland-2024");
  auto staff = Call(verb::post, "/api/v1/staff",
                    Json({{"username", "clerk.one"},
                          {"password", kPassword},
                          {"real_name", "王五"},
                          {"department_code", kDeptD},
                          {"region_code", "330102"}}),
                    nullptr,
                    {{"Authorization", std::string("Bearer ") + TestServer::kAdminToken},
                     {"Cookie", live.cookie}});
  EXPECT_EQ(staff.status, 201) << staff.body;
  // Neither is an access token: its unsafe requests are judged by authorization alone.
  auto client = RegisterClient();
  Tokens t = CodeFlow(client, live);
  auto bearer = Call(verb::post, "/api/v1/enterprises",
                     Json({{"credit_code", "91110108MA01ABCD1E"}, {"name", "北京某某有限公司"}}),
                     nullptr, {{"Authorization", "Bearer " + t.access}});
  EXPECT_EQ(bearer.status, 403) << bearer.body;
  // The gate refuses a bearer token here before anything is looked up.
  EXPECT_EQ(Detail(bearer),
            "to manage this enterprise, sign in to the portal: a bearer token cannot")
      << bearer.body;
}

TEST_P(IdentityTest, UsersSeeNothingOfEachOther) {
  Start();
  std::string a_id = Register("user.a", kIdZhang);
  std::string b_id = Register("user.b", kIdLi, "李四");
  Session a = Login("user.a");
  Session b = Login("user.b");
  auto mine = Call(verb::get, "/api/v1/accounts/" + a_id, {}, &a);
  EXPECT_EQ(mine.status, 200) << mine.body;
  // B's account answers exactly as an account that does not exist.
  auto theirs = Call(verb::get, "/api/v1/accounts/" + b_id, {}, &a);
  auto missing = Call(verb::get, "/api/v1/accounts/acc_doesnotexist0000000000", {}, &a);
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(theirs.json().at("type"), missing.json().at("type"));
  EXPECT_EQ(theirs.body.find("李四"), std::string::npos);
  EXPECT_EQ(Call(verb::get, "/api/v1/accounts/" + b_id).status, 401);

  // B's sessions are not among A's, and A cannot revoke B's agent authorizations.
  std::string agent = CreateStaff("agent.one", kDeptD, "330102");
  CreateAdmin("security", identity::kSecurityAdmin);
  Session sec = Login("security");
  ASSERT_EQ(Grant(sec, agent, {{"role", "agent"}, {"region_code", "330102"}}).status, 201);
  auto auth = Call(verb::post, "/api/v1/me/agents",
                   Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(3600)}}), &b);
  ASSERT_EQ(auth.status, 201) << auth.body;
  std::string auth_id(auth.json().at("id").as_string());

  auto sessions = Call(verb::get, "/api/v1/me/sessions", {}, &a);
  ASSERT_EQ(sessions.status, 200);
  const json::value listed = sessions.json();
  for (const auto& x : listed.at("sessions").as_array())
    EXPECT_NE(x.at("id").as_string(), b.session_id);
  EXPECT_EQ(sessions.body.find(b.session_id), std::string::npos);
  auto agents = Call(verb::get, "/api/v1/me/agents", {}, &a);
  ASSERT_EQ(agents.status, 200);
  EXPECT_TRUE(agents.json().at("authorizations").as_array().empty()) << agents.body;
  auto revoke = Call(verb::delete_, "/api/v1/me/agents/" + auth_id, {}, &a);
  EXPECT_EQ(revoke.status, 404) << revoke.body;
  auto still = Call(verb::get, "/api/v1/me/agents", {}, &b);
  ASSERT_EQ(still.status, 200);
  ASSERT_EQ(still.json().at("authorizations").as_array().size(), 1u);
  EXPECT_TRUE(still.json().at("authorizations").at(0).at("revoked_at").is_null());

  // Neither do staff or administrators read a person's account.
  Session staff = Login("agent.one");
  EXPECT_EQ(Call(verb::get, "/api/v1/accounts/" + a_id, {}, &staff).status, 404);
  EXPECT_EQ(Call(verb::get, "/api/v1/accounts/" + a_id, {}, &sec).status, 404);
  // The administrator token is refused at the gate (403 for every id: nothing leaks).
  EXPECT_EQ(Admin(verb::get, "/api/v1/accounts/" + a_id).status, 403);
}

TEST_P(IdentityTest, ResidentIdsAreMaskedInEveryResponseAndLogLine) {
  Start();
  log::SetLevel(log::Level::kDebug);
  ::testing::internal::CaptureStderr();
  std::string id = Register("zhang.san", "11010519491231002x");
  ASSERT_TRUE(server_->app().identity().RaiseIdentity(id, 3, "bootstrap", "test", "test", "", {}));
  auto taken = Call(verb::post, "/api/v1/accounts",
                    Json({{"username", "zhang.again"},
                          {"password", kPassword},
                          {"real_name", "张三"},
                          {"resident_id", kIdZhang}}));
  Call(verb::post, "/api/v1/accounts",
       Json({{"username", "zhang.three"},
             {"password", "short"},
             {"real_name", "张三"},
             {"resident_id", "11010519491231002"}}));
  Session s = Login("zhang.san");
  auto me = Call(verb::get, "/api/v1/session", {}, &s);
  auto account = Call(verb::get, "/api/v1/accounts/" + id, {}, &s);
  std::string staff = CreateStaff("clerk.wang", kDeptD, "330102", kIdWang);
  auto list = Admin(verb::get, "/api/v1/staff");
  CreateAdmin("auditor", identity::kAuditAdmin);
  Session auditor = Login("auditor");
  auto audit = Call(verb::get, "/api/v1/audit?limit=200", {}, &auditor);
  auto client = RegisterClient();
  Tokens t = CodeFlow(client, s);
  auto info = UserInfo(t.access);
  Session clerk = Login("clerk.wang");
  Call(verb::get, "/api/v1/session", {}, &clerk);
  std::string log = ::testing::internal::GetCapturedStderr();
  log::SetLevel(log::Level::kWarn);

  EXPECT_EQ(taken.status, 201) << taken.body;  // a taken number is not revealed
  ASSERT_EQ(me.status, 200);
  ASSERT_EQ(account.status, 200);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(account.json().at("resident_id").as_string(), "110***********002X");
  EXPECT_NE(list.body.find("330***********1230"), std::string::npos) << list.body;
  // The log was captured (the server logs every request at info level).
  EXPECT_NE(log.find("http.request"), std::string::npos);
  EXPECT_NE(log.find("identity.account_created"), std::string::npos) << log;
  EXPECT_NE(log.find("110***********002X"), std::string::npos) << log;
  for (const char* number : {kIdZhang, "11010519491231002x", kIdWang}) {
    std::string n(number);
    // Neither the number nor its region and birth date (the first 14 digits).
    for (const std::string& part : {n, n.substr(0, 14)}) {
      EXPECT_EQ(transcript_.find(part), std::string::npos) << part << " in a response:\n"
                                                           << transcript_;
      EXPECT_EQ(log.find(part), std::string::npos) << part << " in the log:\n" << log;
    }
  }
  // The JWTs carry no number either (they are base64url, not in the transcript's plain text).
  for (const std::string& jwt : {t.access, t.id}) {
    std::string payload = jwt.substr(jwt.find('.') + 1);
    payload = payload.substr(0, payload.find('.'));
    auto claims = crypto::Base64UrlDecode(payload);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->find("11010519491231"), std::string::npos) << *claims;
  }
}

TEST_P(IdentityTest, LogOutEverywhereEndsEverySessionAndRevokesRefreshTokens) {
  Start();
  Register("zhang.san", kIdZhang);
  Register("li.si", kIdLi, "李四");
  Session one = Login("zhang.san");
  Session two = Login("zhang.san");
  Session bystander = Login("li.si");
  auto client = RegisterClient();
  Tokens t = CodeFlow(client, one);
  Tokens theirs = CodeFlow(client, bystander);
  ASSERT_FALSE(t.refresh.empty());
  // The refresh token works before (and rotates).
  auto refreshed = Refresh(client, t.refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string refresh(refreshed.json().at("refresh_token").as_string());
  std::string access(refreshed.json().at("access_token").as_string());
  EXPECT_EQ(UserInfo(access).status, 200);
  auto sessions = Call(verb::get, "/api/v1/me/sessions", {}, &two);
  ASSERT_EQ(sessions.status, 200);
  EXPECT_EQ(sessions.json().at("sessions").as_array().size(), 2u) << sessions.body;

  // An access token may not log its user out everywhere; the session may (with CSRF).
  EXPECT_EQ(Call(verb::delete_, "/api/v1/me/sessions", {}, nullptr,
                 {{"Authorization", "Bearer " + access}})
                .status,
            403);
  auto ended = Call(verb::delete_, "/api/v1/me/sessions", {}, &two);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json().at("sessions_ended").as_int64(), 2);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &one).status, 401);
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &two).status, 401);
  auto refused = Refresh(client, refresh);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json().at("error").as_string(), "invalid_grant");
  EXPECT_EQ(UserInfo(access).status, 401);
  EXPECT_EQ(UserInfo(t.access).status, 401);
  // Another user is untouched.
  EXPECT_EQ(Call(verb::get, "/api/v1/session", {}, &bystander).status, 200);
  EXPECT_EQ(Refresh(client, theirs.refresh).status, 200);
  // Logging in again works.
  EXPECT_EQ(TryLogin("zhang.san", kPassword).status, 201);
}

TEST_P(IdentityTest, NoAccountHoldsTwoAdministratorDuties) {
  Start();
  std::string sec_id = CreateAdmin("security", identity::kSecurityAdmin);
  Session sec = Login("security");
  std::string staff = CreateStaff("ops.one", "3301-ZWFW", "3301");
  auto audit = Grant(sec, staff, {{"role", "audit_admin"}});
  ASSERT_EQ(audit.status, 201) << audit.body;
  for (const char* duty : {"system_admin", "security_admin"}) {
    auto second = Grant(sec, staff, {{"role", duty}});
    EXPECT_EQ(second.status, 409) << duty << ": " << second.body;
  }
  EXPECT_EQ(Grant(sec, staff, {{"role", "audit_admin"}}).status, 409);  // held already

  // The database refuses it when the service check is bypassed.
  auto insert = [&](const std::string& account, const std::string& role) {
    return server_->app().database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(
          c.Exec("INSERT INTO identity_roles (account_id, role, department_code, region_code, "
                 "granted_by, granted_at) VALUES ($1, $2, '', $3, 'raw', '2025-01-01T00:00:00Z')",
                 {account, role, role == "supervisor" ? "3301" : ""}));
      return {};
    });
  };
  for (const char* duty : {"system_admin", "security_admin"})
    EXPECT_FALSE(insert(staff, duty)) << duty << " inserted beside audit_admin";
  for (const char* duty : {"system_admin", "audit_admin"})
    EXPECT_FALSE(insert(sec_id, duty)) << duty << " inserted beside security_admin";
  // Control: the same statement for a role that is not a duty goes in.
  auto control = insert(staff, "supervisor");
  EXPECT_TRUE(control) << control.error().message;
  auto roles = server_->app().identity().RolesOf(staff);
  ASSERT_TRUE(roles);
  int duties = 0;
  for (const auto& r : *roles) duties += identity::IsAdminDuty(r.role) ? 1 : 0;
  EXPECT_EQ(duties, 1);
}

TEST_P(IdentityTest, RolesOnlyWithinTheStaffMembersDepartmentAndRegion) {
  Start();
  std::string sec_id = CreateAdmin("security", identity::kSecurityAdmin);
  Session sec = Login("security");
  std::string clerk = CreateStaff("clerk.one", kDeptD, "330102");
  std::string person = Register("zhang.san", kIdZhang);

  auto other_dept = Grant(
      sec, clerk, {{"role", "acceptor"}, {"department_code", kDeptE}, {"region_code", "330102"}});
  EXPECT_EQ(other_dept.status, 422) << other_dept.body;
  EXPECT_TRUE(HasFieldError(other_dept, "department_code")) << other_dept.body;
  for (const char* region : {"330106", "3301", "33"}) {
    auto r = Grant(sec, clerk,
                   {{"role", "reviewer"}, {"department_code", kDeptD}, {"region_code", region}});
    EXPECT_EQ(r.status, 422) << region << ": " << r.body;
    EXPECT_TRUE(HasFieldError(r, "region_code")) << r.body;
  }
  auto counter_with_dept = Grant(
      sec, clerk, {{"role", "counter"}, {"department_code", kDeptD}, {"region_code", "330102"}});
  EXPECT_EQ(counter_with_dept.status, 422) << counter_with_dept.body;
  EXPECT_EQ(Grant(sec, clerk, {{"role", "emperor"}, {"region_code", "330102"}}).status, 422);

  EXPECT_EQ(Grant(sec, clerk,
                  {{"role", "acceptor"}, {"department_code", kDeptD}, {"region_code", "330102"}})
                .status,
            201);
  EXPECT_EQ(Grant(sec, clerk,
                  {{"role", "reviewer"}, {"department_code", kDeptD}, {"region_code", "330102001"}})
                .status,
            201);
  EXPECT_EQ(Grant(sec, clerk, {{"role", "counter"}, {"region_code", "330102"}}).status, 201);
  // Roles are for staff; persons have none.
  EXPECT_EQ(Grant(sec, person, {{"role", "counter"}, {"region_code", "330102"}}).status, 409);

  // Only a security administrator grants, and never to themself.
  EXPECT_EQ(Admin(verb::post, "/api/v1/staff/" + clerk + "/roles",
                  Json({{"role", "counter"}, {"region_code", "330102001"}}))
                .status,
            403);
  Session clerk_session = Login("clerk.one");
  EXPECT_EQ(Grant(clerk_session, clerk, {{"role", "counter"}, {"region_code", "330102001"}}).status,
            403);
  auto self = Grant(sec, sec_id, {{"role", "supervisor"}, {"region_code", "3301"}});
  EXPECT_EQ(self.status, 403) << self.body;
  auto revoke_self =
      Call(verb::delete_, "/api/v1/staff/" + sec_id + "/roles?role=security_admin", {}, &sec);
  EXPECT_EQ(revoke_self.status, 403) << revoke_self.body;

  auto me = Call(verb::get, "/api/v1/session", {}, &clerk_session);
  ASSERT_EQ(me.status, 200);
  std::set<std::string> held;
  const json::value account = me.json();
  for (const auto& r : account.at("account").at("roles").as_array())
    held.insert(std::string(r.at("role").as_string()) + "@" +
                std::string(r.at("region_code").as_string()));
  EXPECT_EQ(held,
            (std::set<std::string>{"acceptor@330102", "reviewer@330102001", "counter@330102"}));
}

TEST_P(IdentityTest, AnAgentActsForAPersonOnlyWhileAuthorized) {
  Start();
  CreateAdmin("security", identity::kSecurityAdmin);
  Session sec = Login("security");
  std::string person = Register("zhang.san", kIdZhang);
  std::string agent = CreateStaff("agent.one", kDeptD, "330102");
  CreateStaff("clerk.two", kDeptD, "330102");
  ASSERT_EQ(Grant(sec, agent, {{"role", "agent"}, {"region_code", "330102001"}}).status, 201);
  Session p = Login("zhang.san");
  Session g = Login("agent.one");
  const std::string target = "/api/v1/accounts/" + person;
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 404);

  // Only an agent can be authorized.
  auto not_agent =
      Call(verb::post, "/api/v1/me/agents",
           Json({{"agent_username", "clerk.two"}, {"expires_at", InSeconds(3600)}}), &p);
  EXPECT_EQ(not_agent.status, 422) << not_agent.body;
  EXPECT_TRUE(HasFieldError(not_agent, "agent_username"));
  // The agent cannot authorize themself for the person.
  EXPECT_EQ(Call(verb::post, "/api/v1/me/agents",
                 Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(3600)}}), &g)
                .status,
            409);

  auto granted = Call(verb::post, "/api/v1/me/agents",
                      Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(3600)}}), &p);
  ASSERT_EQ(granted.status, 201) << granted.body;
  std::string grant_id(granted.json().at("id").as_string());
  auto read = Call(verb::get, target, {}, &g);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("resident_id").as_string(), "110***********002X");
  // Reading is all: the agent does not change the person's account.
  EXPECT_EQ(Call(verb::delete_, "/api/v1/me/agents/" + grant_id, {}, &g).status, 404);

  EXPECT_EQ(Call(verb::delete_, "/api/v1/me/agents/" + grant_id, {}, &p).status, 204);
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 404);
  EXPECT_EQ(Call(verb::delete_, "/api/v1/me/agents/" + grant_id, {}, &p).status, 404);

  // An authorization that expires.
  auto brief = Call(verb::post, "/api/v1/me/agents",
                    Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(2)}}), &p);
  ASSERT_EQ(brief.status, 201) << brief.body;
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 404);
  // The past, or more than a year ahead, is refused.
  for (int64_t s : {int64_t{-10}, int64_t{400} * 86400}) {
    auto r = Call(verb::post, "/api/v1/me/agents",
                  Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(s)}}), &p);
    EXPECT_EQ(r.status, 422) << r.body;
  }

  // Losing the agent role ends the power too.
  auto again = Call(verb::post, "/api/v1/me/agents",
                    Json({{"agent_username", "agent.one"}, {"expires_at", InSeconds(3600)}}), &p);
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 200);
  EXPECT_EQ(Call(verb::delete_,
                 "/api/v1/staff/" + agent + "/roles?role=agent&region_code=330102001", {}, &sec)
                .status,
            204);
  EXPECT_EQ(Call(verb::get, target, {}, &g).status, 404);
}

TEST_P(IdentityTest, EnterprisesAndTheirOperators) {
  Start();
  Register("boss", kIdZhang);
  Register("worker", kIdLi, "李四");
  Register("outsider", kIdWang, "王五");
  CreateStaff("clerk.one", kDeptD, "330102");
  Session boss = Login("boss");
  Session worker = Login("worker");
  Session outsider = Login("outsider");

  for (const char* code : {"91350100M000100Y44", "91350100M000100Y4", "91350100O000100Y43"}) {
    auto bad = Call(verb::post, "/api/v1/enterprises",
                    Json({{"credit_code", code}, {"name", "福州某某有限公司"}}), &boss);
    EXPECT_EQ(bad.status, 422) << code << ": " << bad.body;
    EXPECT_TRUE(HasFieldError(bad, "credit_code")) << bad.body;
  }
  auto made =
      Call(verb::post, "/api/v1/enterprises",
           Json({{"credit_code", "91350100m000100y43"}, {"name", "福州某某有限公司"}}), &boss);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("credit_code").as_string(), "91350100M000100Y43");
  const std::string code = "91350100M000100Y43";
  EXPECT_EQ(Call(verb::post, "/api/v1/enterprises",
                 Json({{"credit_code", code}, {"name", "冒名公司"}}), &outsider)
                .status,
            409);

  // The registering person is the administrator operator and grants rights to another.
  auto grant = Call(verb::put, "/api/v1/enterprises/" + code + "/operators/worker",
                    Json({{"rights", json::array{"apply", "view"}}}), &boss);
  ASSERT_EQ(grant.status, 200) << grant.body;
  EXPECT_FALSE(grant.json().at("administrator").as_bool());
  auto ops = Call(verb::get, "/api/v1/enterprises/" + code + "/operators", {}, &worker);
  ASSERT_EQ(ops.status, 200) << ops.body;
  EXPECT_EQ(ops.json().at("operators").as_array().size(), 2u);
  auto theirs = Call(verb::get, "/api/v1/me/enterprises", {}, &worker);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.json().at("enterprises").at(0).at("credit_code").as_string(), code);

  // A non-administrator operator grants nothing; an outsider does not even see it.
  auto by_worker = Call(verb::put, "/api/v1/enterprises/" + code + "/operators/outsider",
                        Json({{"rights", json::array{"view"}}}), &worker);
  EXPECT_EQ(by_worker.status, 403) << by_worker.body;
  auto by_outsider = Call(verb::put, "/api/v1/enterprises/" + code + "/operators/outsider",
                          Json({{"rights", json::array{"view"}}}), &outsider);
  EXPECT_EQ(by_outsider.status, 404) << by_outsider.body;
  EXPECT_EQ(Call(verb::get, "/api/v1/enterprises/" + code + "/operators", {}, &outsider).status,
            404);
  EXPECT_EQ(
      Call(verb::delete_, "/api/v1/enterprises/" + code + "/operators/boss", {}, &worker).status,
      403);
  // Rights and operators are checked.
  EXPECT_EQ(Call(verb::put, "/api/v1/enterprises/" + code + "/operators/outsider",
                 Json({{"rights", json::array{"own"}}}), &boss)
                .status,
            422);
  EXPECT_EQ(Call(verb::put, "/api/v1/enterprises/" + code + "/operators/clerk.one",
                 Json({{"rights", json::array{"view"}}}), &boss)
                .status,
            422);
  // Removing an operator ends their access.
  EXPECT_EQ(
      Call(verb::delete_, "/api/v1/enterprises/" + code + "/operators/worker", {}, &boss).status,
      204);
  EXPECT_EQ(Call(verb::get, "/api/v1/enterprises/" + code + "/operators", {}, &worker).status, 404);
  // The administrator operator stays.
  EXPECT_EQ(
      Call(verb::delete_, "/api/v1/enterprises/" + code + "/operators/boss", {}, &boss).status,
      409);
}

TEST_P(IdentityTest, KeyRotationKeepsOldTokensValidAndSignsWithNewKeys) {
  Start();
  Register("zhang.san", kIdZhang);
  CreateAdmin("security", identity::kSecurityAdmin);
  CreateAdmin("auditor", identity::kAuditAdmin);
  Session sec = Login("security");
  Session auditor = Login("auditor");
  Session user = Login("zhang.san");
  auto client = RegisterClient();
  Tokens before = CodeFlow(client, user);
  ASSERT_FALSE(before.access.empty());
  auto jwks_before = Call(verb::get, "/oauth2/jwks");
  ASSERT_EQ(jwks_before.status, 200);
  auto old_kids = Kids(jwks_before.json());
  EXPECT_EQ(old_kids.size(), 2u);  // one ES256 and one EdDSA key
  EXPECT_TRUE(old_kids.count(Kid(before.access)));

  // Only the security administrator rotates.
  EXPECT_EQ(Admin(verb::post, "/api/v1/oidc/keys/rotation").status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/oidc/keys/rotation", {}, &auditor).status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/oidc/keys/rotation", {}, &user).status, 403);
  EXPECT_EQ(
      Call(verb::post, "/api/v1/oidc/keys/rotation", {}, nullptr, {{"Cookie", sec.cookie}}).status,
      403);  // no CSRF token
  auto rotated = Call(verb::post, "/api/v1/oidc/keys/rotation", {}, &sec);
  ASSERT_EQ(rotated.status, 200) << rotated.body;

  auto jwks_after = Call(verb::get, "/oauth2/jwks");
  ASSERT_EQ(jwks_after.status, 200);
  auto all_kids = Kids(jwks_after.json());
  EXPECT_EQ(all_kids.size(), 4u) << jwks_after.body;
  for (const auto& kid : old_kids) EXPECT_TRUE(all_kids.count(kid)) << kid;

  // A token signed before the rotation still verifies.
  auto info = UserInfo(before.access);
  EXPECT_EQ(info.status, 200) << info.body;
  // New tokens name a new key.
  auto refreshed = Refresh(client, before.refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string fresh(refreshed.json().at("access_token").as_string());
  std::string fresh_id(refreshed.json().at("id_token").as_string());
  for (const std::string& jwt : {fresh, fresh_id}) {
    EXPECT_FALSE(old_kids.count(Kid(jwt))) << Kid(jwt);
    EXPECT_TRUE(all_kids.count(Kid(jwt))) << Kid(jwt);
  }
  EXPECT_EQ(UserInfo(fresh).status, 200);
  Tokens after = CodeFlow(client, user);
  EXPECT_FALSE(old_kids.count(Kid(after.id)));

  auto records = AuditOf(auditor, "", "keys.rotated");
  EXPECT_EQ(Count(records, "keys.rotated"), 1);

  // jose, as a relying party would, verifies the old and the new token against the JWKS
  // published after the rotation.
  const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
  if (!fs::exists(tools / "node_modules" / "jose")) {
    ADD_FAILURE() << "tests/tools/node_modules is missing: run npm ci in tests/tools";
    return;
  }
  const fs::path dir = fs::temp_directory_path() / ("ow_identity_jwks_" + std::to_string(getpid()) +
                                                    "_" + StoreName(GetParam()));
  fs::create_directories(dir);
  const json::value published = jwks_after.json();
  for (const std::string& jwt : {before.access, fresh}) {
    json::value key;
    for (const auto& k : published.at("keys").as_array())
      if (k.at("kid").as_string() == Kid(jwt)) key = k;
    ASSERT_TRUE(key.is_object()) << Kid(jwt);
    std::ofstream(dir / "key.json") << json::serialize(key);
    std::ofstream(dir / "token.jwt") << jwt;
    ToolRun run = RunTool(
        {"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "token.jwt").string()},
        tools.string());
    EXPECT_EQ(run.exit_code, 0) << run.output;
  }
  fs::remove_all(dir);
}

OW_INSTANTIATE_STORE_TESTS(IdentityTest);

}  // namespace
}  // namespace ow::testing
