// Bearer tokens act only within their scopes, and never as the person at the keyboard
// (issue 11, review item 2), through HTTP against the real server on both stores.
//
// The review's instances: a token scoped only `openid` listed and downloaded the person's
// materials; a `cases.read` token withdrew and supplemented a case; enterprise operator
// grants and marking messages read had no authorization decision. Each is tested with
// one more of its class, and with the scope that does allow it (so the test shows the
// scope is what decides, not a broken route).
#include <boost/json.hpp>

#include "app/demo.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // handled by 330102-SCJG in 330102

json::object Form() {
  return {{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
          {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
          {"scope", "日用百货零售"}, {"phone", "13800000001"}};
}

class SecurityTokensTest : public StoreTest {
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
    ASSERT_FALSE(zhang_.headers.empty());
  }

  HttpResponse As(const Caller& who, verb method, const std::string& target,
                  const std::string& body = {}, const std::string& type = "application/json") {
    auto h = who.headers;
    if (method != verb::get && method != verb::delete_) h["Content-Type"] = type;
    return client_->Send(method, target, body, h);
  }

  // A material uploaded and a case applied for by zhangsan in his session.
  void MaterialAndCase() {
    auto up = As(zhang_, verb::post, "/api/v1/materials?filename=id.pdf",
                 "%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf");
    ASSERT_EQ(up.status, 201) << up.body;
    material_ = std::string(up.json().at("id").as_string());
    // The item's required materials: this one under the first name, copies of the rest.
    json::array materials;
    auto item = client_->Send(verb::get, std::string("/api/v1/catalog/items/") + kItem, "", {});
    ASSERT_EQ(item.status, 200) << item.body;
    const json::value doc = item.json();
    for (const auto& m : doc.at("item").at("materials").as_array()) {
      if (!m.at("required").as_bool()) continue;
      std::string id = material_;
      if (!materials.empty()) {
        auto more = As(zhang_, verb::post, "/api/v1/materials?filename=more.pdf",
                       "%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf");
        ASSERT_EQ(more.status, 201) << more.body;
        id = std::string(more.json().at("id").as_string());
      }
      materials.push_back({{"id", id}, {"name", m.at("name")}});
    }
    auto c = As(zhang_, verb::post, "/api/v1/cases",
                json::serialize(json::object{{"item_code", kItem},
                                             {"region_code", "330102"},
                                             {"form", Form()},
                                             {"materials", materials}}));
    ASSERT_EQ(c.status, 201) << c.body;
    case_no_ = std::string(c.json().at("tracking_no").as_string());
  }

  static void ExpectInsufficientScope(const HttpResponse& r, const std::string& scope) {
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.header("www-authenticate"),
              "Bearer error=\"insufficient_scope\", scope=\"" + scope + "\"");
    EXPECT_NE(r.body.find("the token needs the scope " + scope), std::string::npos) << r.body;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  Caller zhang_;
  std::string material_, case_no_;
};

TEST_P(SecurityTokensTest, AnOpenidTokenReadsNoMaterialsNorCases) {
  ASSERT_NO_FATAL_FAILURE(MaterialAndCase());
  Caller openid = UserToken(*client_, *server_, zhang_, "openid");
  // The review's instance: listing and downloading the person's materials.
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/me/materials"), "materials.read");
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/materials/" + material_ + "/content"),
                          "materials.read");
  // More of the class: the person's cases, messages and profile.
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/me/cases"), "cases.read");
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/cases/" + case_no_), "cases.read");
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/me/messages"), "cases.read");
  ExpectInsufficientScope(As(openid, verb::get, "/api/v1/accounts/" + zhang_.account_id),
                          "profile");

  // The scope that allows it does.
  Caller reader = UserToken(*client_, *server_, zhang_, "openid materials.read");
  auto list = As(reader, verb::get, "/api/v1/me/materials");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(material_), std::string::npos);
  EXPECT_EQ(As(reader, verb::get, "/api/v1/materials/" + material_ + "/content").status, 200);
  // ... and only that: materials.read does not upload (refused before the body is read).
  auto up = As(reader, verb::post, "/api/v1/materials?filename=x.pdf", "%PDF-1.7\n%%EOF\n",
               "application/pdf");
  EXPECT_EQ(up.status, 403) << up.body;
  EXPECT_NE(up.body.find("the token needs the scope materials.write"), std::string::npos)
      << up.body;
}

TEST_P(SecurityTokensTest, ACasesReadTokenChangesNoCase) {
  ASSERT_NO_FATAL_FAILURE(MaterialAndCase());
  Caller reader = UserToken(*client_, *server_, zhang_, "openid cases.read");
  // It reads the case (positive control) ...
  EXPECT_EQ(As(reader, verb::get, "/api/v1/cases/" + case_no_).status, 200);
  auto messages = As(reader, verb::get, "/api/v1/me/messages");
  ASSERT_EQ(messages.status, 200) << messages.body;
  ASSERT_FALSE(messages.json().at("messages").as_array().empty());
  int64_t message = messages.json().at("messages").at(0).at("id").as_int64();
  // ... but the review's instance: it may not withdraw or supplement it,
  ExpectInsufficientScope(As(reader, verb::post, "/api/v1/cases/" + case_no_ + "/withdraw",
                             R"({"reason":"by a relying party"})"),
                          "cases.write");
  ExpectInsufficientScope(
      As(reader, verb::post, "/api/v1/cases/" + case_no_ + "/supplement", R"({"note":"x"})"),
      "cases.write");
  // nor apply, nor mark a message read (more of the class).
  ExpectInsufficientScope(
      As(reader, verb::post, "/api/v1/cases",
         json::serialize(
             json::object{{"item_code", kItem}, {"region_code", "330102"}, {"form", Form()}})),
      "cases.write");
  ExpectInsufficientScope(
      As(reader, verb::post, "/api/v1/me/messages/" + std::to_string(message) + "/read"),
      "cases.write");
  // The case is untouched.
  auto c = As(zhang_, verb::get, "/api/v1/cases/" + case_no_);
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.json().at("status"), "submitted") << c.body;

  // A token with cases.write (beside cases.read: one acts only on a case one may read)
  // withdraws it: the scope decides.
  Caller writer = UserToken(*client_, *server_, zhang_, "openid cases.read cases.write");
  auto w = As(writer, verb::post, "/api/v1/cases/" + case_no_ + "/withdraw",
              R"({"reason":"changed my mind"})");
  EXPECT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(
      As(writer, verb::post, "/api/v1/me/messages/" + std::to_string(message) + "/read").status,
      204);
}

TEST_P(SecurityTokensTest, NoBearerTokenActsAsThePersonAtTheKeyboard) {
  // Even a token with every scope: the account, agents, enterprises and sessions are
  // changed in the portal only.
  Caller token =
      UserToken(*client_, *server_, zhang_,
                "openid profile cases.read cases.write materials.read materials.write workbench");
  struct Call {
    verb method;
    std::string target, body;
  };
  const Call calls[] = {
      {verb::put, "/api/v1/me/password",
       R"({"current_password":"OneWindow-demo-2026","new_password":"Another-long-pass-1"})"},
      {verb::post, "/api/v1/me/agents",
       R"({"agent_username":"village.agent","scope":"*","expires_at":"2031-01-01T00:00:00Z"})"},
      {verb::post, "/api/v1/enterprises",
       R"({"credit_code":"91330102MA2B3C4D5E","name":"杭州某某有限公司"})"},
      {verb::put, "/api/v1/enterprises/91330102MA2B3C4D5E/operators/lisi",
       R"({"rights":["apply"]})"},
      {verb::delete_, "/api/v1/enterprises/91330102MA2B3C4D5E/operators/lisi", ""},
      {verb::delete_, "/api/v1/me/sessions", ""},
      {verb::get, "/api/v1/session", ""},
  };
  for (const auto& c : calls) {
    auto r = As(token, c.method, c.target, c.body);
    EXPECT_EQ(r.status, 403) << c.target << ": " << r.body;
    EXPECT_NE(r.body.find("sign in to the portal: a bearer token cannot"), std::string::npos)
        << c.target << ": " << r.body;
  }
  // The session still works and the password is unchanged.
  Caller again = SignIn(*client_, "zhangsan");
  EXPECT_FALSE(again.headers.empty());
}

TEST_P(SecurityTokensTest, AClientTokenHasNoPersonToActFor) {
  Caller system = ClientToken(*client_, *server_, "cases.read indicators.read");
  // A department system reads cases by number, but has no "me" and applies for nobody.
  auto me = As(system, verb::get, "/api/v1/me/cases");
  EXPECT_EQ(me.status, 403) << me.body;
  auto apply = As(system, verb::post, "/api/v1/cases",
                  json::serialize(json::object{
                      {"item_code", kItem}, {"region_code", "330102"}, {"form", Form()}}));
  EXPECT_EQ(apply.status, 403) << apply.body;
  EXPECT_EQ(As(system, verb::get, "/api/v1/me/materials").status, 403);
}

// A department system reads a case's data, but not its sealed files (the decision, the
// licences it used): those go to people who may read the case.
TEST_P(SecurityTokensTest, AClientTokenReadsACaseButNotItsSealedFiles) {
  ASSERT_NO_FATAL_FAILURE(MaterialAndCase());
  Caller acceptor = SignIn(*client_, "sc.acceptor");
  auto c = As(acceptor, verb::get, "/api/v1/cases/" + case_no_);
  ASSERT_EQ(c.status, 200) << c.body;
  int64_t task = 0, version = 0;
  const json::value read = c.json();
  for (const auto& t : read.at("tasks").as_array())
    if (t.at("node").as_string() == "accept") {
      task = t.at("id").as_int64();
      version = t.at("version").as_int64();
    }
  auto accepted = As(acceptor, verb::post, "/api/v1/tasks/" + std::to_string(task) + "/complete",
                     json::serialize(json::object{
                         {"version", version}, {"decision", "accept"}, {"opinion", "材料齐全"}}));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const std::string pdf = "/api/v1/cases/" + case_no_ + "/documents/acceptance/pdf";

  Caller system = ClientToken(*client_, *server_, "cases.read");
  EXPECT_EQ(As(system, verb::get, "/api/v1/cases/" + case_no_).status, 200);  // control
  auto refused = As(system, verb::get, pdf);
  EXPECT_EQ(refused.status, 403) << refused.body;
  // The person's own token with cases.read, and their session, get it.
  Caller reader = UserToken(*client_, *server_, zhang_, "openid cases.read");
  EXPECT_EQ(As(reader, verb::get, pdf).status, 200);
  EXPECT_EQ(As(zhang_, verb::get, pdf).status, 200);
  // A token without the scope does not.
  Caller openid = UserToken(*client_, *server_, zhang_, "openid");
  ExpectInsufficientScope(As(openid, verb::get, pdf), "cases.read");
}

OW_INSTANTIATE_STORE_TESTS(SecurityTokensTest);

}  // namespace
}  // namespace ow::testing
