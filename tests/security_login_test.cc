// Security review of sign-in, the OpenID Connect provider and federation (issue 11),
// written as an attacker would try each hole, through HTTP against a real server on
// both stores: a relying party's access token used as a signed-in person; logout links
// that sign victims out; open redirects through "local path" checks; login CSRF in
// federation; account enumeration through login and registration answers; tokens of a
// disabled client; locking other people out by guessing. docs/security.md names each
// test against its threat.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <filesystem>

#include "identity/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kPassword = "a long enough passphrase";
constexpr const char* kIdZhang = "11010519491231002X";  // valid GB 11643 check digits
constexpr const char* kIdLi = "440524198001010013";
constexpr const char* kCallback = "http://127.0.0.1:1/cb";
constexpr const char* kLoggedOut = "http://127.0.0.1:1/logged-out";

std::string Enc(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string Detail(const HttpResponse& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("detail")) return "";
  return std::string(v.at("detail").as_string());
}

std::string Param(const std::string& url, const std::string& name) {
  auto u = boost::urls::parse_uri_reference(url);
  if (!u) return "";
  auto it = u->params().find(name);
  return it == u->params().end() ? "" : std::string((*it).value);
}

std::string SessionCookie(const HttpResponse& r) {
  std::string c = r.header("set-cookie");
  auto start = c.find("ow_session=");
  if (start == std::string::npos) return "";
  return c.substr(start, c.find(';', start) - start);
}

struct Browser {
  std::string cookie;  // "ow_session=..."
  std::string csrf;
};

struct Tokens {
  std::string access, id, refresh;
};

// A POST /api/v1/session from a chosen loopback source address (127.0.0.2 is another
// client as far as the server can tell).
HttpResponse LoginFrom(const std::string& source, uint16_t port, const std::string& body) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.open(asio::ip::tcp::v4());
  socket.bind({asio::ip::make_address(source), 0});
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{http::verb::post, "/api/v1/session", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(ch));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  return out;
}

class SecurityLogin : public StoreTest {
 protected:
  void Start(const std::function<void(Config&)>& tweak = {}) {
    server_ = std::make_unique<TestServer>(db_url(), tweak);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
  }

  HttpResponse Register(const std::string& username, const std::string& resident_id) {
    return client_->SendJson(verb::post, "/api/v1/accounts",
                             json::serialize(json::object{{"username", username},
                                                          {"password", kPassword},
                                                          {"real_name", "张三"},
                                                          {"resident_id", resident_id}}));
  }
  HttpResponse TryLogin(const std::string& username, const std::string& password) {
    return client_->SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", password}}));
  }
  Browser Login(const std::string& username) {
    auto r = TryLogin(username, kPassword);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return {SessionCookie(r), std::string(r.json().at("csrf_token").as_string())};
  }
  json::object RegisterClient(const std::string& name) {
    auto r =
        client_->SendJson(verb::post, "/api/v1/oidc/clients",
                          json::serialize(json::object{
                              {"name", name},
                              {"type", "confidential"},
                              {"redirect_uris", json::array{kCallback}},
                              {"post_logout_redirect_uris", json::array{kLoggedOut}},
                              {"grant_types", json::array{"authorization_code", "refresh_token"}},
                              {"scopes", json::array{"openid", "profile"}}}),
                          server_->AdminHeaders());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }
  static std::string Id(const json::object& client) {
    return std::string(client.at("client_id").as_string());
  }
  HttpResponse Authorize(const json::object& client,
                         const std::map<std::string, std::string>& headers) {
    return client_->Get("/oauth2/authorize?response_type=code&client_id=" + Id(client) +
                            "&redirect_uri=" + Enc(kCallback) + "&scope=openid%20profile&state=s1",
                        headers);
  }
  HttpResponse Redeem(const json::object& client, const std::string& body) {
    return client_->Send(verb::post, "/oauth2/token",
                         body + "&client_id=" + Id(client) + "&client_secret=" +
                             Enc(std::string(client.at("client_secret").as_string())),
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::string Code(const json::object& client, const Browser& b) {
    auto r = Authorize(client, {{"Cookie", b.cookie}});
    EXPECT_EQ(r.status, 302) << r.body;
    return Param(r.header("location"), "code");
  }
  Tokens CodeFlow(const json::object& client, const Browser& b) {
    auto r = Redeem(client, "grant_type=authorization_code&code=" + Enc(Code(client, b)) +
                                "&redirect_uri=" + Enc(kCallback));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    auto o = r.json().as_object();
    return {std::string(o.at("access_token").as_string()),
            std::string(o.at("id_token").as_string()),
            o.contains("refresh_token") ? std::string(o.at("refresh_token").as_string()) : ""};
  }
  HttpResponse Me(const Browser& b) {
    return client_->Get("/api/v1/session", {{"Cookie", b.cookie}});
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// --- 1. A bearer token is not a signed-in person ------------------------------------

TEST_P(SecurityLogin, AccessTokenCannotAuthorizeAnotherClient) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  auto app_a = RegisterClient("Relying party A");
  auto app_b = RegisterClient("Relying party B");
  Tokens a = CodeFlow(app_a, b);
  ASSERT_FALSE(a.access.empty());
  // A holds the user's access token and asks for a code for B with it: no session, so
  // the browser is sent to log in; no code is issued.
  auto r = Authorize(app_b, {{"Authorization", "Bearer " + a.access}});
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(r.header("location").rfind("/login?return=", 0), 0u) << r.header("location");
  EXPECT_EQ(Param(r.header("location"), "code"), "");
  // prompt=none says so to the client instead.
  auto none = client_->Get("/oauth2/authorize?response_type=code&client_id=" + Id(app_b) +
                               "&redirect_uri=" + Enc(kCallback) + "&scope=openid&prompt=none",
                           {{"Authorization", "Bearer " + a.access}});
  EXPECT_EQ(Param(none.header("location"), "error"), "login_required") << none.header("location");
}

TEST_P(SecurityLogin, AccessTokenCannotUseSessionEndpoints) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  Tokens t = CodeFlow(RegisterClient("Relying party"), b);
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + t.access}};
  EXPECT_EQ(client_->Get("/api/v1/session", bearer).status, 403);
  EXPECT_EQ(client_->Get("/api/v1/me/sessions", bearer).status, 403);  // would list IPs
  EXPECT_EQ(client_->Get("/api/v1/me/agents", bearer).status, 403);
  EXPECT_EQ(client_->Send(verb::delete_, "/api/v1/session", {}, bearer).status, 403);
  // Nor does the token end the session through the logout endpoint.
  client_->Get("/oauth2/logout?id_token_hint=" + t.id, bearer);
  EXPECT_EQ(Me(b).status, 200);
}

TEST_P(SecurityLogin, PortalLogoutRevokesGrantsAndUnredeemedCodes) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  auto app = RegisterClient("Relying party");
  Tokens t = CodeFlow(app, b);
  std::string pending = Code(app, b);
  ASSERT_FALSE(pending.empty());
  auto out = client_->Send(verb::delete_, "/api/v1/session", {},
                           {{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf}});
  ASSERT_EQ(out.status, 204) << out.body;
  // The grant made in the session is revoked: its access token and refresh token.
  EXPECT_EQ(client_->Get("/oauth2/userinfo", {{"Authorization", "Bearer " + t.access}}).status,
            401);
  EXPECT_EQ(Redeem(app, "grant_type=refresh_token&refresh_token=" + Enc(t.refresh)).status, 400);
  // The code issued before logout no longer becomes a grant.
  auto late = Redeem(app, "grant_type=authorization_code&code=" + Enc(pending) +
                              "&redirect_uri=" + Enc(kCallback));
  EXPECT_EQ(late.status, 400) << late.body;
}

// --- 2. Logout is bound to the session ---------------------------------------------

TEST_P(SecurityLogin, LogoutLinkWithAnotherSessionsIdTokenAsksTheVictim) {
  Start();
  ASSERT_EQ(Register("victim", kIdZhang).status, 201);
  ASSERT_EQ(Register("attacker", kIdLi).status, 201);
  auto app = RegisterClient("Relying party");
  Browser victim = Login("victim");
  Browser attacker = Login("attacker");
  Tokens own = CodeFlow(app, attacker);
  // A link with the attacker's (valid) ID token, opened in the victim's browser.
  auto r = client_->Get(
      "/oauth2/logout?id_token_hint=" + own.id + "&post_logout_redirect_uri=" + Enc(kLoggedOut),
      {{"Cookie", victim.cookie}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("csrf_token"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("set-cookie"), "");
  EXPECT_EQ(Me(victim).status, 200);
  // The same for the victim's own ID token from another session of hers.
  Browser victim2 = Login("victim");
  Tokens other = CodeFlow(app, victim2);
  EXPECT_EQ(
      client_->Get("/oauth2/logout?id_token_hint=" + other.id, {{"Cookie", victim.cookie}}).status,
      200);
  EXPECT_EQ(Me(victim).status, 200);
  // Her own session's ID token ends it at once.
  Tokens mine = CodeFlow(app, victim);
  auto done = client_->Get("/oauth2/logout?id_token_hint=" + mine.id +
                               "&post_logout_redirect_uri=" + Enc(kLoggedOut) + "&state=x",
                           {{"Cookie", victim.cookie}});
  EXPECT_EQ(done.status, 302) << done.body;
  EXPECT_EQ(done.header("location"), std::string(kLoggedOut) + "?state=x");
  EXPECT_EQ(Me(victim).status, 401);
}

TEST_P(SecurityLogin, AccessTokenIsNotAnIdTokenHint) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  Tokens t = CodeFlow(RegisterClient("Relying party"), b);
  auto r = client_->Get("/oauth2/logout?id_token_hint=" + t.access, {{"Cookie", b.cookie}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Me(b).status, 200);
}

TEST_P(SecurityLogin, LogoutWithoutHintNeedsTheConfirmationForm) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  auto app = RegisterClient("Relying party");
  auto page = client_->Get("/oauth2/logout?client_id=" + Id(app) +
                               "&post_logout_redirect_uri=" + Enc(kLoggedOut) + "&state=s",
                           {{"Cookie", b.cookie}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Me(b).status, 200);
  const std::map<std::string, std::string> form{
      {"Cookie", b.cookie}, {"Content-Type", "application/x-www-form-urlencoded"}};
  // A cross-site form without the session's token, or from another origin, is refused.
  EXPECT_EQ(client_->Send(verb::post, "/oauth2/logout", "csrf_token=guess", form).status, 403);
  auto foreign = form;
  foreign["Origin"] = "https://evil.example";
  EXPECT_EQ(
      client_->Send(verb::post, "/oauth2/logout", "csrf_token=" + Enc(b.csrf), foreign).status,
      403);
  EXPECT_EQ(Me(b).status, 200);
  // Confirmed with the token: signed out, back to the registered address.
  auto done = client_->Send(verb::post, "/oauth2/logout",
                            "csrf_token=" + Enc(b.csrf) + "&client_id=" + Id(app) +
                                "&post_logout_redirect_uri=" + Enc(kLoggedOut) + "&state=s",
                            form);
  EXPECT_EQ(done.status, 302) << done.body;
  EXPECT_EQ(done.header("location"), std::string(kLoggedOut) + "?state=s");
  EXPECT_EQ(Me(b).status, 401);
}

TEST_P(SecurityLogin, PostLogoutRedirectOnlyWhenRegisteredForThatClient) {
  Start();
  auto app = RegisterClient("Relying party");
  auto other = client_->Get("/oauth2/logout?client_id=" + Id(app) +
                            "&post_logout_redirect_uri=" + Enc("https://evil.example/"));
  EXPECT_EQ(other.status, 422) << other.body;
  auto no_client =
      client_->Get("/oauth2/logout?post_logout_redirect_uri=" + Enc(std::string(kLoggedOut)));
  EXPECT_EQ(no_client.status, 422) << no_client.body;
  auto ok = client_->Get("/oauth2/logout?client_id=" + Id(app) +
                         "&post_logout_redirect_uri=" + Enc(kLoggedOut));
  EXPECT_EQ(ok.status, 302) << ok.body;
}

// --- 3. Redirect targets ------------------------------------------------------------

TEST_P(SecurityLogin, FederationReturnMustBeAPathOnThisSite) {
  Start();
  for (const char* bad : {"%2F%09%2Fevil.example", "%2F%5Cevil.example", "%2F%2Fevil.example",
                          "https%3A%2F%2Fevil.example", "%2Fa%0D%0ASet-Cookie%3A%20x%3D1",
                          "%2F%252F%252Fevil.example", "%2F..%2F%2Fevil.example"}) {
    auto r = client_->Get(std::string("/oauth2/federation/zj-b/login?return=") + bad);
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_EQ(r.header("location"), "") << bad;
    EXPECT_EQ(r.header("set-cookie"), "") << bad;
  }
  // A good path goes on to the trust (unknown here).
  EXPECT_EQ(client_->Get("/oauth2/federation/zj-b/login?return=%2Fmy%2Fcases").status, 404);
}

// --- 5. Account enumeration -----------------------------------------------------------

TEST_P(SecurityLogin, LoginFailuresAreIndistinguishable) {
  Start();
  ASSERT_EQ(Register("wrong.pw", kIdZhang).status, 201);
  ASSERT_EQ(Register("disabled.one", kIdLi).status, 201);
  auto st = server_->app().database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE identity_accounts SET status = 'disabled' WHERE username = $1",
               {std::string("disabled.one")}));
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  auto wrong = TryLogin("wrong.pw", "not-the-password");
  auto unknown = TryLogin("no.such.user", "not-the-password");
  auto disabled_wrong = TryLogin("disabled.one", "not-the-password");
  auto disabled_right = TryLogin("disabled.one", kPassword);
  for (const auto* r : {&wrong, &unknown, &disabled_wrong, &disabled_right}) {
    EXPECT_EQ(r->status, 401) << r->body;
    EXPECT_EQ(Detail(*r), "wrong username or password") << r->body;
    EXPECT_EQ(r->json().at("type"), wrong.json().at("type"));
    EXPECT_EQ(r->body.find("attempt"), std::string::npos) << r->body;
  }
}

TEST_P(SecurityLogin, RegistrationDoesNotRevealARegisteredResidentId) {
  Start();
  auto first = Register("first.owner", kIdZhang);
  ASSERT_EQ(first.status, 201) << first.body;
  // A number only claimed is registered again (identity_proofing_test.cc); one that an
  // account proved is the one whose registration is concealed.
  ASSERT_TRUE(server_->app().identity().RaiseIdentity(
      std::string(first.json().at("id").as_string()), 3, "bootstrap", "test", "test", "", {}));
  auto again = Register("someone.else", kIdZhang);
  auto fresh = Register("fresh.person", kIdLi);
  EXPECT_EQ(again.status, fresh.status) << again.body;
  ASSERT_EQ(again.status, 201);
  // The same shape of answer, field by field.
  std::vector<std::string> keys_again, keys_fresh;
  const json::value again_body = again.json(), fresh_body = fresh.json();
  for (const auto& kv : again_body.as_object()) keys_again.emplace_back(kv.key());
  for (const auto& kv : fresh_body.as_object()) keys_fresh.emplace_back(kv.key());
  EXPECT_EQ(keys_again, keys_fresh);
  EXPECT_EQ(again.json().at("resident_id"), first.json().at("resident_id"));
  EXPECT_FALSE(again.header("location").empty());
  // Nothing was stored for it: the owner's account is untouched and the copy is useless.
  EXPECT_EQ(TryLogin("someone.else", kPassword).status, 401);
  EXPECT_EQ(TryLogin("first.owner", kPassword).status, 201);
  // A taken username is said (usernames are public handles).
  EXPECT_EQ(Register("first.owner", "330106199003070022").status, 409);
}

TEST_P(SecurityLogin, RegistrationIsRateLimitedPerAddress) {
  Start([](Config& c) { c.registration_ip_limit = 3; });
  EXPECT_EQ(Register("one.person", kIdZhang).status, 201);
  EXPECT_EQ(Register("x", "bad").status, 422);  // invalid attempts count too
  EXPECT_EQ(Register("two.person", kIdLi).status, 201);
  auto r = Register("three.person", "330106199003070022");
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_GT(std::stoll(r.header("retry-after")), 3000);
}

// --- 6a. A disabled client's tokens --------------------------------------------------

TEST_P(SecurityLogin, DisablingAClientEndsItsTokens) {
  Start();
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  Browser b = Login("zhang.san");
  auto app = RegisterClient("Relying party");
  Tokens t = CodeFlow(app, b);
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + t.access}};
  ASSERT_EQ(client_->Get("/oauth2/userinfo", bearer).status, 200);
  auto off = client_->SendJson(verb::put, "/api/v1/oidc/clients/" + Id(app) + "/status",
                               R"({"status":"disabled"})", server_->AdminHeaders());
  ASSERT_EQ(off.status, 204) << off.body;
  // The access token issued before (userinfo, and the platform's API), and its refresh token.
  EXPECT_EQ(client_->Get("/oauth2/userinfo", bearer).status, 401);
  auto account = b.cookie.empty() ? std::string()
                                  : std::string(Me(b).json().at("account").at("id").as_string());
  EXPECT_EQ(client_->Get("/api/v1/accounts/" + account, bearer).status, 401);
  auto refresh = Redeem(app, "grant_type=refresh_token&refresh_token=" + Enc(t.refresh));
  EXPECT_EQ(refresh.status, 401) << refresh.body;
}

// --- 6b. Guessing does not lock the owner out ------------------------------------------

TEST_P(SecurityLogin, GuessingFromOneAddressDoesNotLockTheOwnerOutElsewhere) {
  Start([](Config& c) {
    c.lockout_threshold = 3;
    c.lockout_minutes = 5;
  });
  ASSERT_EQ(Register("zhang.san", kIdZhang).status, 201);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(TryLogin("zhang.san", "guess-" + std::to_string(i)).status, 401);
  // The guessing address waits, even with the right password...
  auto here = TryLogin("zhang.san", kPassword);
  EXPECT_EQ(here.status, 429) << here.body;
  // ...and an unknown name gets the same treatment (no existence signal).
  for (int i = 0; i < 3; ++i) EXPECT_EQ(TryLogin("no.such.user", "guess").status, 401);
  auto ghost = TryLogin("no.such.user", "guess");
  EXPECT_EQ(ghost.status, 429);
  EXPECT_EQ(Detail(ghost).substr(0, 40), Detail(here).substr(0, 40));
  // The owner, from another address, signs in.
  auto owner =
      LoginFrom("127.0.0.2", server_->port(),
                json::serialize(json::object{{"username", "zhang.san"}, {"password", kPassword}}));
  EXPECT_EQ(owner.status, 201) << owner.body;
}

OW_INSTANTIATE_STORE_TESTS(SecurityLogin);

// --- 4. Federation login CSRF: a peer platform B, as in federation_test.cc -------------

std::string Origin(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

std::string Target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return url;
  std::string t = std::string(u->encoded_path());
  if (u->has_query()) t += "?" + std::string(u->encoded_query());
  return t;
}

class SecurityFederation : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int counter = 0;
    b_dir_ = std::filesystem::temp_directory_path() /
             ("ow-secfed-b-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(b_dir_);
    b_ = std::make_unique<TestServer>("sqlite:" + (b_dir_ / "b.db").string());
    a_ = std::make_unique<TestServer>(db_url());
    for (TestServer* s : {a_.get(), b_.get()}) {
      HttpClient c(s->port());
      auto r = c.SendJson(verb::post, "/api/v1/accounts",
                          json::serialize(json::object{{"username", "wang"},
                                                       {"password", kPassword},
                                                       {"real_name", "王小明"},
                                                       {"resident_id", kIdZhang}}));
      ASSERT_EQ(r.status, 201) << r.body;
      // Only a verified number is released to peers and signed into from them.
      ASSERT_TRUE(s->app().identity().RaiseIdentity(std::string(r.json().at("id").as_string()), 3,
                                                    "bootstrap", "test", "test", "", {}));
    }
    HttpClient cb(b_->port()), ca(a_->port());
    auto client = cb.SendJson(
        verb::post, "/api/v1/oidc/clients",
        json::serialize(json::object{
            {"name", "Platform A"},
            {"type", "confidential"},
            {"redirect_uris", json::array{Origin(a_->port()) + "/oauth2/federation/zj-b/callback"}},
            {"grant_types", json::array{"authorization_code"}},
            {"scopes", json::array{"openid", "resident_id"}}}),
        b_->AdminHeaders());
    ASSERT_EQ(client.status, 201) << client.body;
    auto k = client.json().as_object();
    auto trust =
        ca.SendJson(verb::post, "/api/v1/trusts",
                    json::serialize(json::object{
                        {"name", "zj-b"},
                        {"display_name", "Platform B"},
                        {"discovery_url", Origin(b_->port()) + "/.well-known/openid-configuration"},
                        {"client_id", k.at("client_id")},
                        {"client_secret", k.at("client_secret")},
                        {"assurance", "ow:loa:2"}}),
                    a_->AdminHeaders());
    ASSERT_EQ(trust.status, 201) << trust.body;
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (!b_dir_.empty()) std::filesystem::remove_all(b_dir_);
  }

  struct Started {
    std::string cookie;      // "ow_federation=..." as the browser would send it
    std::string attributes;  // the whole Set-Cookie
    std::string callback;    // A's callback target, with B's code and the state
  };
  // A browser starts a login at A and signs in at B; returns what it would bring back.
  Started Start() {
    HttpClient ca(a_->port()), cb(b_->port());
    auto start = ca.Get("/oauth2/federation/zj-b/login?return=%2Fmy%2Fcases");
    EXPECT_EQ(start.status, 302) << start.body;
    Started s;
    s.attributes = start.header("set-cookie");
    s.cookie = s.attributes.substr(0, s.attributes.find(';'));
    auto login =
        cb.SendJson(verb::post, "/api/v1/session",
                    json::serialize(json::object{{"username", "wang"}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    auto code = cb.Get(Target(start.header("location")), {{"Cookie", SessionCookie(login)}});
    EXPECT_EQ(code.status, 302) << code.body;
    s.callback = Target(code.header("location"));
    return s;
  }

  std::filesystem::path b_dir_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_P(SecurityFederation, CallbackWithoutTheStartingBrowsersCookieIsRefused) {
  Started attacker = Start();
  EXPECT_EQ(attacker.cookie.rfind("ow_federation=", 0), 0u) << attacker.attributes;
  for (const char* attr :
       {"HttpOnly", "SameSite=Lax", "Path=/oauth2/federation/zj-b/callback", "Max-Age=600"})
    EXPECT_NE(attacker.attributes.find(attr), std::string::npos)
        << attr << ": " << attacker.attributes;
  // The attacker sends his callback URL to a victim whose browser has no such cookie.
  HttpClient ca(a_->port());
  auto victim = ca.Get(attacker.callback);
  EXPECT_EQ(victim.status, 422) << victim.body;
  EXPECT_EQ(SessionCookie(victim), "");
}

TEST_P(SecurityFederation, CallbackWithAnotherBrowsersCookieIsRefused) {
  Started attacker = Start();
  Started victim = Start();  // the victim's own login in progress: her cookie
  HttpClient ca(a_->port());
  auto r = ca.Get(attacker.callback, {{"Cookie", victim.cookie}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(SessionCookie(r), "");
  EXPECT_NE(r.header("set-cookie").find("Max-Age=0"), std::string::npos) << r.header("set-cookie");
  // Her own callback, in her browser, completes; only once.
  auto ok = ca.Get(victim.callback, {{"Cookie", victim.cookie}});
  EXPECT_EQ(ok.status, 302) << ok.body;
  EXPECT_EQ(ok.header("location"), "/my/cases");
  EXPECT_NE(SessionCookie(ok), "");
  EXPECT_EQ(ca.Get(victim.callback, {{"Cookie", victim.cookie}}).status, 422);
}

OW_INSTANTIATE_STORE_TESTS(SecurityFederation);

}  // namespace
}  // namespace ow::testing
