// Our OpenID Connect provider as an independent relying party sees it: the npm
// `openid-client` library drives discovery, code + PKCE, refresh rotation and reuse
// detection, pairwise subjects, code reuse, client credentials and RP-initiated logout,
// and `jose` verifies every token (tests/tools/oidc-flow.mjs). This side creates the
// user and registers the clients over the API, runs the script and requires every one
// of its steps to pass.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::verb;

// Appends the GB 11643 check character to the first 17 digits of a resident ID.
std::string WithCheckDigit(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// The steps oidc-flow.mjs reports; all must be present and true.
constexpr const char* kSteps[] = {"discovery",
                                  "authorize_without_session_redirects_to_login",
                                  "login",
                                  "confidential_code_flow",
                                  "userinfo",
                                  "refresh_rotation",
                                  "refresh_reuse_revokes_family",
                                  "public_client_pkce_pairwise",
                                  "code_reuse_rejected",
                                  "client_credentials",
                                  "logout"};

class OidcFlow : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url());
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // Registers a client; returns the 201 body ({"client_id", "client_secret"?, ...}).
  boost::json::object Register(const boost::json::object& request) {
    auto res = client_->SendJson(verb::post, "/api/v1/oidc/clients",
                                 boost::json::serialize(request), server_->AdminHeaders());
    EXPECT_EQ(res.status, 201) << res.body;
    if (res.status != 201) return {};
    return res.json().as_object();
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST(ResidentId, CheckDigitFollowsGb11643) {
  EXPECT_EQ(WithCheckDigit("11010519491231002"), "11010519491231002X");
  EXPECT_EQ(WithCheckDigit("44052419800101001"), "440524198001010013");
}

TEST_P(OidcFlow, OpenidClientCompletesEveryFlow) {
  const std::string issuer = "http://127.0.0.1:" + std::to_string(server_->port());
  const std::string username = "zhang.san";
  const std::string password = "Qiantang-River-1949";

  auto account = client_->SendJson(verb::post, "/api/v1/accounts",
                                   boost::json::serialize(boost::json::object{
                                       {"username", username},
                                       {"password", password},
                                       {"real_name", "张三"},
                                       {"resident_id", WithCheckDigit("11010519491231002")}}));
  ASSERT_EQ(account.status, 201) << account.body;

  // Confidential: EdDSA ID tokens; public: ES256, so that both algorithms are checked.
  const std::string confidential_cb = "http://127.0.0.1:1/cb";
  const std::string confidential_logout = "http://127.0.0.1:1/logged-out";
  const std::string public_cb = "http://127.0.0.1:1/public-cb";
  const boost::json::array interactive_grants = {"authorization_code", "refresh_token"};
  const boost::json::array interactive_scopes = {"openid", "profile"};
  auto confidential =
      Register({{"name", "Portal (confidential)"},
                {"type", "confidential"},
                {"redirect_uris", boost::json::array{confidential_cb}},
                {"post_logout_redirect_uris", boost::json::array{confidential_logout}},
                {"grant_types", interactive_grants},
                {"scopes", interactive_scopes},
                {"id_token_signed_response_alg", "EdDSA"}});
  auto pub = Register({{"name", "Mobile app (public)"},
                       {"type", "public"},
                       {"redirect_uris", boost::json::array{public_cb}},
                       {"post_logout_redirect_uris", boost::json::array{}},
                       {"grant_types", interactive_grants},
                       {"scopes", interactive_scopes},
                       {"id_token_signed_response_alg", "ES256"}});
  auto machine = Register({{"name", "Peer platform (machine)"},
                           {"type", "confidential"},
                           {"redirect_uris", boost::json::array{}},
                           {"post_logout_redirect_uris", boost::json::array{}},
                           {"grant_types", boost::json::array{"client_credentials"}},
                           {"scopes", boost::json::array{"catalog.read"}},
                           {"id_token_signed_response_alg", "ES256"}});
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(confidential.contains("client_secret")) << boost::json::serialize(confidential);
  ASSERT_FALSE(pub.contains("client_secret")) << boost::json::serialize(pub);
  ASSERT_TRUE(machine.contains("client_secret")) << boost::json::serialize(machine);

  const boost::json::object config = {{"issuer", issuer},
                                      {"user", {{"username", username}, {"password", password}}},
                                      {"confidential",
                                       {{"client_id", confidential.at("client_id")},
                                        {"client_secret", confidential.at("client_secret")},
                                        {"redirect_uri", confidential_cb},
                                        {"post_logout_redirect_uri", confidential_logout},
                                        {"id_token_signed_response_alg", "EdDSA"}}},
                                      {"public",
                                       {{"client_id", pub.at("client_id")},
                                        {"redirect_uri", public_cb},
                                        {"id_token_signed_response_alg", "ES256"}}},
                                      {"machine",
                                       {{"client_id", machine.at("client_id")},
                                        {"client_secret", machine.at("client_secret")},
                                        {"scope", "catalog.read"}}}};

  const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
  ToolRun run = RunTool({"node", "oidc-flow.mjs", boost::json::serialize(config)}, tools.string(),
                        /*stderr_apart=*/true);
  const std::string shown = run.output + (run.errors.empty() ? "" : "\nstderr:\n" + run.errors);
  boost::system::error_code ec;
  const boost::json::value report = boost::json::parse(run.output, ec);
  ASSERT_FALSE(ec) << "oidc-flow.mjs did not print one JSON object (exit " << run.exit_code
                   << "):\n"
                   << shown;
  const auto& steps = report.at("steps").as_object();
  const auto& details = report.at("details").as_object();
  for (const char* name : kSteps) {
    const auto* ok = steps.if_contains(name);
    ASSERT_NE(ok, nullptr) << "step " << name << " missing:\n" << shown;
    EXPECT_TRUE(ok->is_bool() && ok->as_bool())
        << name << ": " << boost::json::serialize(details.at(name));
  }
  EXPECT_EQ(steps.size(), std::size(kSteps)) << shown;
  EXPECT_EQ(run.exit_code, 0) << shown;
}

OW_INSTANTIATE_STORE_TESTS(OidcFlow);

}  // namespace
}  // namespace ow::testing
