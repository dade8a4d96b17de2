// Mutual trust between regional platforms: platform A trusts platform B's issuer; a
// person signs in at B and is accepted at A as A's local account with the same
// verified resident ID number, at the assurance level the trust allows. Both platforms are
// real servers on 127.0.0.1; A reaches B's discovery, JWKS and token endpoints over
// HTTP itself. A runs on each store; B on SQLite.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>

#include "identity/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kResidentId = "11010519491231002X";  // valid GB 11643 check digit
constexpr const char* kPassword = "a long enough passphrase";

std::string Origin(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

// The path and query of an absolute URL on a test server.
std::string Target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  EXPECT_TRUE(u) << url;
  std::string t = std::string(u->encoded_path());
  if (u->has_query()) t += "?" + std::string(u->encoded_query());
  return t;
}

std::string CookieValue(const HttpResponse& r) {
  std::string c = r.header("set-cookie");
  auto start = c.find("ow_session=");
  if (start == std::string::npos) return "";
  start += 11;
  return c.substr(start, c.find(';', start) - start);
}

// The browser's federation cookie from the login start, as a Cookie header value.
std::string FederationCookie(const HttpResponse& start) {
  std::string c = start.header("set-cookie");
  return c.substr(0, c.find(';'));
}

class Federation : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    b_dir_ = std::filesystem::temp_directory_path() /
             ("ow-fed-b-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(b_dir_);
    b_ = std::make_unique<TestServer>("sqlite:" + (b_dir_ / "b.db").string());
    a_ = std::make_unique<TestServer>(db_url());
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (!b_dir_.empty()) std::filesystem::remove_all(b_dir_);
  }

  // Registers a person; `verified`: as if counter staff had checked the ID card (only a
  // verified number is released to peers and signed into from them).
  void Register(TestServer& s, const std::string& username, const std::string& resident_id,
                bool verified = true) {
    HttpClient c(s.port());
    auto r = c.SendJson(verb::post, "/api/v1/accounts",
                        json::serialize(json::object{{"username", username},
                                                     {"password", kPassword},
                                                     {"real_name", "王小明"},
                                                     {"resident_id", resident_id}}));
    ASSERT_EQ(r.status, 201) << r.body;
    if (!verified) return;
    auto raised = s.app().identity().RaiseIdentity(std::string(r.json().at("id").as_string()), 3,
                                                   "bootstrap", "test", "test", "", {});
    ASSERT_TRUE(raised) << raised.error().message;
  }

  // B registers A as a client allowed to ask for the resident ID; A records the trust.
  void Trust(const std::string& name, const std::string& assurance) {
    HttpClient cb(b_->port());
    auto client = cb.SendJson(
        verb::post, "/api/v1/oidc/clients",
        json::serialize(json::object{
            {"name", "Platform A"},
            {"type", "confidential"},
            {"redirect_uris",
             json::array{Origin(a_->port()) + "/oauth2/federation/" + name + "/callback"}},
            {"grant_types", json::array{"authorization_code"}},
            {"scopes", json::array{"openid", "resident_id"}}}),
        b_->AdminHeaders());
    ASSERT_EQ(client.status, 201) << client.body;
    auto k = client.json().as_object();
    HttpClient ca(a_->port());
    auto trust =
        ca.SendJson(verb::post, "/api/v1/trusts",
                    json::serialize(json::object{
                        {"name", name},
                        {"display_name", "Platform B"},
                        {"discovery_url", Origin(b_->port()) + "/.well-known/openid-configuration"},
                        {"client_id", k.at("client_id")},
                        {"client_secret", k.at("client_secret")},
                        {"assurance", assurance}}),
                    a_->AdminHeaders());
    ASSERT_EQ(trust.status, 201) << trust.body;
  }

  // Signs in at B as `username`, starting from A; returns A's final answer.
  HttpResponse SignInThroughB(const std::string& trust, const std::string& username) {
    HttpClient ca(a_->port()), cb(b_->port());
    auto start = ca.Get("/oauth2/federation/" + trust + "/login?return=%2Fmy%2Fcases");
    EXPECT_EQ(start.status, 302) << start.body;
    std::string at_b = start.header("location");
    EXPECT_EQ(at_b.rfind(Origin(b_->port()) + "/oauth2/authorize?", 0), 0u) << at_b;
    auto login =
        cb.SendJson(verb::post, "/api/v1/session",
                    json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    auto code = cb.Get(Target(at_b), {{"Cookie", "ow_session=" + CookieValue(login)}});
    EXPECT_EQ(code.status, 302) << code.body;
    std::string back = code.header("location");
    EXPECT_EQ(back.rfind(Origin(a_->port()) + "/oauth2/federation/" + trust + "/callback?", 0), 0u)
        << back;
    return ca.Get(Target(back), {{"Cookie", FederationCookie(start)}});
  }

  static inline int counter_ = 0;
  std::filesystem::path b_dir_;
  std::unique_ptr<TestServer> a_, b_;
};

TEST_P(Federation, PersonSignedInAtPeerIsAcceptedAsLocalAccount) {
  Register(*b_, "wang.at.b", kResidentId);
  Register(*a_, "wang.at.a", kResidentId);
  Trust("zj-b", "ow:loa:2");
  auto done = SignInThroughB("zj-b", "wang.at.b");
  ASSERT_EQ(done.status, 302) << done.body;
  EXPECT_EQ(done.header("location"), "/my/cases");
  std::string cookie = CookieValue(done);
  ASSERT_FALSE(cookie.empty());
  HttpClient ca(a_->port());
  auto me = ca.Get("/api/v1/session", {{"Cookie", "ow_session=" + cookie}});
  ASSERT_EQ(me.status, 200) << me.body;
  auto o = me.json().as_object();
  EXPECT_EQ(o.at("account").at("username").as_string(), "wang.at.a");
  EXPECT_EQ(o.at("session").at("acr").as_string(), "ow:loa:2");
  EXPECT_EQ(o.at("account").at("resident_id").as_string(), "110***********002X");
  EXPECT_EQ(me.body.find(kResidentId), std::string::npos);
}

TEST_P(Federation, TrustCapsTheAssuranceLevel) {
  Register(*b_, "li.at.b", kResidentId);
  Register(*a_, "li.at.a", kResidentId);
  Trust("low", "ow:loa:1");
  auto done = SignInThroughB("low", "li.at.b");
  ASSERT_EQ(done.status, 302) << done.body;
  HttpClient ca(a_->port());
  auto me = ca.Get("/api/v1/session", {{"Cookie", "ow_session=" + CookieValue(done)}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("session").at("acr").as_string(), "ow:loa:1");
}

TEST_P(Federation, PersonWithoutLocalAccountIsRefused) {
  Register(*b_, "zhao.at.b", kResidentId);
  Trust("zj-b", "ow:loa:2");
  auto done = SignInThroughB("zj-b", "zhao.at.b");
  EXPECT_EQ(done.status, 404) << done.body;
  EXPECT_EQ(CookieValue(done), "");  // no session (only the federation cookie is cleared)
}

TEST_P(Federation, UnverifiedLocalAccountIsNotSignedInto) {
  // It may be an impostor's: the owner verifies first, then signs in through the peer.
  Register(*b_, "sun.at.b", kResidentId);
  Register(*a_, "sun.at.a", kResidentId, false);
  Trust("zj-b", "ow:loa:3");
  auto done = SignInThroughB("zj-b", "sun.at.b");
  EXPECT_EQ(done.status, 404) << done.body;
  EXPECT_EQ(CookieValue(done), "");  // no session
}

TEST_P(Federation, ForgedOrReplayedStateIsRefused) {
  Register(*b_, "qian.at.b", kResidentId);
  Register(*a_, "qian.at.a", kResidentId);
  Trust("zj-b", "ow:loa:2");
  HttpClient ca(a_->port());
  auto forged = ca.Get("/oauth2/federation/zj-b/callback?code=abc&state=made-up");
  EXPECT_EQ(forged.status, 422) << forged.body;
  // A completed login's callback URL cannot be used a second time.
  HttpClient cb(b_->port());
  auto start = ca.Get("/oauth2/federation/zj-b/login");
  auto login = cb.SendJson(
      verb::post, "/api/v1/session",
      json::serialize(json::object{{"username", "qian.at.b"}, {"password", kPassword}}));
  auto code =
      cb.Get(Target(start.header("location")), {{"Cookie", "ow_session=" + CookieValue(login)}});
  std::string back = Target(code.header("location"));
  EXPECT_EQ(ca.Get(back, {{"Cookie", FederationCookie(start)}}).status, 302);
  EXPECT_EQ(ca.Get(back, {{"Cookie", FederationCookie(start)}}).status, 422);
}

TEST_P(Federation, OnlyTheSystemAdministratorAddsTrustsAndPeersAreChecked) {
  HttpClient ca(a_->port());
  json::object body{{"name", "zj-b"},
                    {"display_name", "Platform B"},
                    {"discovery_url", Origin(b_->port()) + "/.well-known/openid-configuration"},
                    {"client_id", "x"},
                    {"client_secret", "y"},
                    {"assurance", "ow:loa:2"}};
  EXPECT_EQ(ca.SendJson(verb::post, "/api/v1/trusts", json::serialize(body)).status, 401);
  // A discovery URL whose document names another issuer is refused.
  body["discovery_url"] =
      "http://localhost:" + std::to_string(b_->port()) + "/.well-known/openid-configuration";
  auto wrong = ca.SendJson(verb::post, "/api/v1/trusts", json::serialize(body), a_->AdminHeaders());
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  body["discovery_url"] = "ftp://example.org/.well-known/openid-configuration";
  EXPECT_EQ(
      ca.SendJson(verb::post, "/api/v1/trusts", json::serialize(body), a_->AdminHeaders()).status,
      422);
}

OW_INSTANTIATE_STORE_TESTS(Federation);

}  // namespace
}  // namespace ow::testing
