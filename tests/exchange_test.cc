// The data exchange through HTTP against a real server, on SQLite and PostgreSQL: the
// data resource catalogue and its review, systems and grants, queries answered from
// the population base and from a provider's system behind an adapter (a stand-in on
// 127.0.0.1), signatures verified by npm `jose`, and an attacker for every capability:
// another department's system, a system without the scope or the grant, an expired or
// revoked grant, a field not granted, a person's token, staff of another department.
// Every refusal is found in the message log.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/app.h"
#include "app/demo.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "support/stand_in.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using boost::beast::http::verb;

constexpr const char* kZhangsan = "330102199003073017";
constexpr const char* kLisi = "330106198506124526";
constexpr const char* kProvider = "330102-SCJG";   // sc.acceptor, sc.approver
constexpr const char* kConsumer = "330102-ZWFW";   // the district's service centre
constexpr const char* kOtherDept = "330106-ZWFW";  // another district's centre

std::string J(const json::value& v) { return json::serialize(v); }

// A provider's department system: answers the adapter contract (exchange/adapter.h)
// for one known subject, or fails (HTTP 500), or never answers.
class ProviderStandIn {
 public:
  enum class Mode { kAnswer, kFail, kSilent };
  std::string url() const { return server_.origin() + "/marriage"; }
  void set_mode(Mode m) { mode_ = m; }
  int calls() const { return calls_; }

 private:
  std::optional<StandIn::Reply> Answer(const StandIn::Request& req) {
    ++calls_;
    Mode m = mode_;
    if (m == Mode::kSilent) return std::nullopt;
    if (m == Mode::kFail) return StandIn::Reply{500, "{}"};
    auto q = json::parse(req.body()).as_object();
    bool known = q.at("subject").as_string() == kZhangsan;
    json::object data;
    data["marital_status"] = "married";
    data["spouse_name"] = "王芳";
    data["marriage_date"] = "2018-05-20";
    data["not_asked"] = "dropped";
    json::object answer;
    answer["found"] = known;
    if (known) answer["data"] = std::move(data);
    return StandIn::Reply{200, J(answer)};
  }

  std::atomic<Mode> mode_{Mode::kAnswer};
  std::atomic<int> calls_{0};
  StandIn server_{[this](const StandIn::Request& r) { return Answer(r); }};  // last: stops first
};

struct System {
  std::string id, secret;
};

class ExchangeTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    stand_in_ = std::make_unique<ProviderStandIn>();
    server_ = std::make_unique<TestServer>(db_url(), [](Config& c) {
      c.password_concurrency = 4;
      // The district's market regulator keeps both bases in these tests (its demo staff
      // are the providers).
      c.exchange_population_department = kProvider;
      c.exchange_legal_person_department = kProvider;
      c.exchange_adapter_timeout_ms = 300;
      c.exchange_adapter_retries = 1;
      c.exchange_adapter_failure_threshold = 2;
      c.exchange_adapter_cooldown_ms = 60000;
      // Bulk extracts in parts of at most 1 KiB, looked for every 100 ms.
      c.exchange_extract_part_bytes = 1024;
      c.exchange_extract_period_ms = 100;
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded =
        app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
    ASSERT_TRUE(seeded) << seeded.error().message;
    // The demo data's own log entries come before the test's.
    ASSERT_TRUE(server_->app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COALESCE(MAX(seq), 0) FROM exchange_log"));
      log_start_ = r.Int(0, 0);
      return {};
    }));
    acceptor_ = SignIn(*client_, "sc.acceptor");
    approver_ = SignIn(*client_, "sc.approver");
  }

  HttpResponse Call(verb m, const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& who) {
    return client_->SendJson(m, target, body, who);
  }
  HttpResponse Admin(verb m, const std::string& target, const std::string& body = {}) {
    return client_->SendJson(m, target, body, server_->AdminHeaders());
  }

  System NewSystem(const std::string& department) {
    auto r = Admin(verb::post, "/api/v1/oidc/clients",
                   J(json::object{{"name", "部门系统 " + department},
                                  {"type", "confidential"},
                                  {"grant_types", {"client_credentials"}},
                                  {"scopes", {"exchange"}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    System s{std::string(r.json().at("client_id").as_string()),
             std::string(r.json().at("client_secret").as_string())};
    if (!department.empty()) {
      auto b = Admin(verb::put, "/api/v1/exchange/systems/" + s.id,
                     J(json::object{{"department_code", department}}));
      EXPECT_EQ(b.status, 200) << b.body;
    }
    return s;
  }
  // A fresh client-credentials token: `scope` empty asks for everything the system holds.
  HttpResponse TokenResponse(const System& s, const std::string& scope = "") {
    std::string form =
        "grant_type=client_credentials&client_id=" + s.id + "&client_secret=" + s.secret;
    if (!scope.empty()) form += "&scope=" + scope;
    return client_->Send(verb::post, "/oauth2/token", form,
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::map<std::string, std::string> Token(const System& s) {
    auto t = TokenResponse(s);
    EXPECT_EQ(t.status, 200) << t.body;
    if (t.status != 200) return {};
    return {{"Authorization", "Bearer " + std::string(t.json().at("access_token").as_string())}};
  }

  json::object ResourceBody(const std::string& code, const std::string& share,
                            const std::string& source, json::array fields) {
    json::object o{{"code", code},
                   {"department_code", kProvider},
                   {"name_zh", "户籍信息 " + code},
                   {"name_en", "Household registration " + code},
                   {"description", "测试资源"},
                   {"subject_kind", source == "legal_person" ? "legal" : "person"},
                   {"share_type", share},
                   {"update_cycle", "daily"},
                   {"source", source},
                   {"fields", std::move(fields)}};
    if (share == "conditional") o["conditions"] = "须说明办件用途";
    return o;
  }
  static json::object F(const char* name, const char* type, bool personal = true) {
    return {{"name", name},
            {"type", type},
            {"label_zh", std::string("字段") + name},
            {"label_en", name},
            {"personal", personal}};
  }
  // Drafted by sc.acceptor, published by sc.approver.
  void Publish(const json::object& body) {
    auto r = Call(verb::post, "/api/v1/exchange/resources", J(body), acceptor_.headers);
    ASSERT_EQ(r.status, 201) << r.body;
    std::string at = "/api/v1/exchange/resources/" + std::string(body.at("code").as_string()) +
                     "/versions/" + std::to_string(r.json().at("version").as_int64());
    auto s = Call(verb::post, at + "/submission", "", acceptor_.headers);
    ASSERT_EQ(s.status, 200) << s.body;
    auto p =
        Call(verb::post, at + "/review", J(json::object{{"publish", true}}), approver_.headers);
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(p.json().at("status").as_string(), "published");
  }
  HttpResponse Apply(const std::map<std::string, std::string>& token, const std::string& code,
                     json::array fields) {
    return Call(verb::post, "/api/v1/exchange/applications",
                J(json::object{{"resource", code},
                               {"purpose", "办理出生登记核验户籍"},
                               {"legal_basis", "《户口登记条例》第七条"},
                               {"fields", std::move(fields)}}),
                token);
  }
  HttpResponse Query(const std::map<std::string, std::string>& token, const std::string& code,
                     const std::string& subject, json::array fields) {
    return Call(verb::post, "/api/v1/exchange/resources/" + code + "/query",
                J(json::object{{"subject", subject},
                               {"fields", std::move(fields)},
                               {"purpose", "出生登记"},
                               {"case_tracking", "SL2026000001"}}),
                token);
  }
  // outcome/refusal_reason of every message-log entry, in order.
  std::vector<std::string> LogOutcomes() {
    std::vector<std::string> out;
    auto st = server_->app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT outcome, refusal_reason, resource_code FROM "
                                          "exchange_log WHERE seq > $1 ORDER BY seq",
                                          {log_start_}));
      for (size_t i = 0; i < r.size(); ++i)
        out.push_back(r.Text(i, 0) + ":" + r.Text(i, 1) + ":" + r.Text(i, 2));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }
  void ImportPopulation() {
    std::string lines =
        J(json::object{{"id_number", kZhangsan},
                       {"name", "张三"},
                       {"gender", "male"},
                       {"birth_date", "1990-03-07"},
                       {"address", "杭州市上城区清波街道1号"},
                       {"household_number", "330102001234"},
                       {"marital_status", "married"}}) +
        "\n" +
        J(json::object{{"id_number", kLisi}, {"name", "李四"}, {"marital_status", "unmarried"}}) +
        "\n";
    auto r = client_->Send(verb::post, "/api/v1/exchange/bases/population/import", lines,
                           {{"Authorization", server_->AdminHeaders().at("Authorization")},
                            {"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(r.status, 200) << r.body;
    // The demo data holds both already: replaced.
    EXPECT_EQ(r.json().at("created").as_int64() + r.json().at("updated").as_int64(), 2);
  }

  std::unique_ptr<ProviderStandIn> stand_in_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  Caller acceptor_, approver_;
  int64_t log_start_ = 0;
};

TEST_P(ExchangeTest, ResourcesAreDraftedReviewedByAnotherApproverAndSearched) {
  auto body = ResourceBody("HJ-TEST", "unconditional", "population",
                           {F("name", "string"), F("birth_date", "date")});
  // Only the provider department's staff draft; a person or counter staff may not.
  auto lisi = SignIn(*client_, "lisi");
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/resources", J(body), lisi.headers).status, 403);
  auto counter = SignIn(*client_, "hall.counter");
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/resources", J(body), counter.headers).status, 403);
  // A field the base does not have, a missing condition: 422 naming them.
  auto bad = body;
  bad["fields"] = json::array{F("shoe_size", "number")};
  bad["share_type"] = "conditional";
  auto r = Call(verb::post, "/api/v1/exchange/resources", J(bad), acceptor_.headers);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("fields/0/name"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("conditions"), std::string::npos) << r.body;

  r = Call(verb::post, "/api/v1/exchange/resources", J(body), acceptor_.headers);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "draft");
  const std::string v1 = "/api/v1/exchange/resources/HJ-TEST/versions/1";
  // A draft is invisible to consumers.
  System sys = NewSystem(kConsumer);
  auto token = Token(sys);
  EXPECT_EQ(client_->Get(v1, token).status, 404);
  EXPECT_EQ(client_->Get("/api/v1/exchange/resources/HJ-TEST", token).status, 404);
  ASSERT_EQ(Call(verb::post, v1 + "/submission", "", acceptor_.headers).status, 200);
  // The acceptor cannot publish; the approver can, unless they submitted it themselves.
  EXPECT_EQ(Call(verb::post, v1 + "/review", J(json::object{{"publish", true}}), acceptor_.headers)
                .status,
            403);
  r = Call(verb::post, v1 + "/review", J(json::object{{"publish", false}}), approver_.headers);
  EXPECT_EQ(r.status, 422) << r.body;  // returning needs a note
  r = Call(verb::post, v1 + "/review", J(json::object{{"publish", true}}), approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  // Consumers (systems and staff) search it; a person does not.
  r = client_->Get(
      std::string("/api/v1/exchange/resources?q=%E6%88%B7%E7%B1%8D&department=") + kProvider,
      token);  // 户籍
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("items").as_array().size(), 1u) << r.body;
  EXPECT_EQ(r.json().at("items").at(0).at("code").as_string(), "HJ-TEST");
  EXPECT_EQ(client_->Get("/api/v1/exchange/resources?q=hj-t", counter.headers)
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(client_->Get("/api/v1/exchange/resources", lisi.headers).status, 403);
  // A new version: drafted while version 1 stays published, then supersedes it.
  body["name_zh"] = "户籍信息（第二版）";
  r = Call(verb::post, "/api/v1/exchange/resources", J(body), acceptor_.headers);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("version").as_int64(), 2);
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/resources", J(body), acceptor_.headers).status,
            409);  // one open version at a time
  EXPECT_EQ(client_->Get("/api/v1/exchange/resources/HJ-TEST", token).json().at("version"), 1);
  const std::string v2 = "/api/v1/exchange/resources/HJ-TEST/versions/2";
  ASSERT_EQ(Call(verb::post, v2 + "/submission", "", acceptor_.headers).status, 200);
  ASSERT_EQ(Call(verb::post, v2 + "/review", J(json::object{{"publish", true}}), approver_.headers)
                .status,
            200);
  EXPECT_EQ(client_->Get("/api/v1/exchange/resources/HJ-TEST", token).json().at("version"), 2);
  EXPECT_EQ(client_->Get(v1, token).json().at("status"), "superseded");
}

TEST_P(ExchangeTest, GrantedQueriesAreSignedAndEveryRefusalIsLogged) {
  ImportPopulation();
  Publish(ResourceBody("HJ-OPEN", "unconditional", "population",
                       {F("name", "string"), F("birth_date", "date"), F("address", "string"),
                        F("marital_status", "string")}));
  Publish(ResourceBody("HJ-COND", "conditional", "population",
                       {F("name", "string"), F("household_number", "string")}));
  Publish(ResourceBody("HJ-CLOSED", "not_shared", "population", {F("name", "string")}));

  System sys = NewSystem(kConsumer);
  auto early = Token(sys);  // issued before any grant
  // Unconditional: granted at once, for the fields asked.
  auto r = Apply(early, "HJ-OPEN", {"name", "birth_date", "address"});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "granted");
  // Not shared: refused at application; unknown fields: 422.
  EXPECT_EQ(Apply(early, "HJ-CLOSED", {"name"}).status, 403);
  EXPECT_EQ(Apply(early, "HJ-OPEN", {"spouse_name"}).status, 422);
  // Conditional: waits for the provider's approver.
  r = Apply(early, "HJ-COND", {"name", "household_number"});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "pending");
  const std::string cond = std::string(r.json().at("id").as_string());

  // A token issued before the grant does not carry its scope: refused (and logged).
  r = Query(early, "HJ-OPEN", kZhangsan, {"name"});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("exchange:HJ-OPEN"), std::string::npos) << r.body;

  auto token = Token(sys);
  r = Query(token, "HJ-OPEN", kZhangsan, {"name", "address"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.json().as_object();
  const auto& answer = body.at("answer").as_object();
  EXPECT_EQ(answer.at("subject").as_string(), kZhangsan);
  EXPECT_EQ(answer.at("found").as_bool(), true);
  EXPECT_EQ(answer.at("case_tracking").as_string(), "SL2026000001");
  EXPECT_EQ(answer.at("consumer_department").as_string(), kConsumer);
  const auto& data = answer.at("data").as_object();
  EXPECT_EQ(data.size(), 2u) << J(data);  // only what was asked
  EXPECT_EQ(data.at("name").as_string(), "张三");
  EXPECT_EQ(data.at("address").as_string(), "杭州市上城区清波街道1号");
  EXPECT_GT(body.at("log_seq").as_int64(), 0);

  // jose verifies the platform's signature with the published JWKS; its payload is the
  // answer as sent.
  const std::string jws = std::string(body.at("signature").as_string());
  const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
  ASSERT_TRUE(fs::exists(tools / "node_modules" / "jose"))
      << "tests/tools/node_modules is missing: run npm ci in tests/tools";
  auto jwks = client_->Get("/oauth2/jwks").json();
  auto header_json = crypto::Base64UrlDecode(jws.substr(0, jws.find('.')));
  ASSERT_TRUE(header_json);
  std::string kid(json::parse(*header_json).at("kid").as_string());
  json::value key;
  for (const auto& k : jwks.at("keys").as_array())
    if (k.at("kid").as_string() == kid) key = k;
  ASSERT_TRUE(key.is_object()) << kid;
  const fs::path dir = fs::temp_directory_path() /
                       ("ow_exchange_" + std::to_string(getpid()) + "_" + StoreName(GetParam()));
  fs::create_directories(dir);
  std::ofstream(dir / "key.json") << J(key);
  std::ofstream(dir / "answer.jwt") << jws;
  ToolRun run = RunTool(
      {"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "answer.jwt").string()},
      tools.string(), true);
  EXPECT_EQ(run.exit_code, 0) << run.output << run.errors;
  EXPECT_EQ(json::parse(run.output), json::value(answer)) << run.output;
  // One changed byte of the payload: jose refuses it.
  std::string tampered = jws;
  tampered[jws.find('.') + 5] = tampered[jws.find('.') + 5] == 'A' ? 'B' : 'A';
  std::ofstream(dir / "answer.jwt", std::ios::trunc) << tampered;
  run = RunTool(
      {"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "answer.jwt").string()},
      tools.string(), true);
  EXPECT_NE(run.exit_code, 0) << run.output;
  fs::remove_all(dir);

  // A field not granted; a subject with a bad checksum (422, asks about nobody).
  EXPECT_EQ(Query(token, "HJ-OPEN", kZhangsan, {"name", "marital_status"}).status, 403);
  EXPECT_EQ(Query(token, "HJ-OPEN", "330102199003073018", {"name"}).status, 422);
  // Someone the base does not hold: answered, found false.
  r = Query(token, "HJ-OPEN", "110105194912310038", {"name"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().at("answer").at("found").as_bool());
  // Pending conditional: the token has no scope for it, and no grant exists.
  EXPECT_EQ(Query(token, "HJ-COND", kZhangsan, {"name"}).status, 403);
  // The system cannot ask the token endpoint for a scope it was not granted.
  EXPECT_EQ(TokenResponse(sys, "exchange%20exchange:HJ-COND").status, 400);

  // Deciding: the acceptor may not; an approver of another department may not.
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/applications/" + cond + "/decision",
                 J(json::object{{"approve", true}}), acceptor_.headers)
                .status,
            403);
  auto city = SignIn(*client_, "city.reviewer");
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/applications/" + cond + "/decision",
                 J(json::object{{"approve", true}}), city.headers)
                .status,
            404);
  EXPECT_EQ(client_
                ->Get(std::string("/api/v1/exchange/departments/") + kProvider +
                          "/applications?status=pending",
                      city.headers)
                .status,
            403);
  r = client_->Get(
      std::string("/api/v1/exchange/departments/") + kProvider + "/applications?status=pending",
      approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("items").as_array().size(), 1u);
  r = Call(verb::post, "/api/v1/exchange/applications/" + cond + "/decision",
           J(json::object{{"approve", true}, {"reason", "符合条件"}}), approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "granted");
  token = Token(sys);
  r = Query(token, "HJ-COND", kZhangsan, {"household_number"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("answer").at("data").at("household_number").as_string(), "330102001234");

  // Another department's system, registered but without a grant; an unregistered one;
  // a person's token (a relying party holding zhangsan's token with the exchange scope).
  System other = NewSystem(kOtherDept);
  EXPECT_EQ(Query(Token(other), "HJ-OPEN", kZhangsan, {"name"}).status, 403);
  System stray = NewSystem("");
  EXPECT_EQ(Apply(Token(stray), "HJ-OPEN", {"name"}).status, 403);
  EXPECT_EQ(Query(Token(stray), "HJ-OPEN", kZhangsan, {"name"}).status, 403);
  auto zhangsan = SignIn(*client_, "zhangsan");
  auto person = UserToken(*client_, *server_, zhangsan, "openid exchange");
  EXPECT_EQ(Query(person.headers, "HJ-OPEN", kZhangsan, {"name"}).status, 403);
  EXPECT_EQ(Query(zhangsan.headers, "HJ-OPEN", kZhangsan, {"name"}).status, 403);

  // Revoked: the token still carries the scope, the grant row says no.
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/applications/" + cond + "/revocation",
                 J(json::object{{"reason", "用途已完成"}}), approver_.headers)
                .status,
            200);
  EXPECT_EQ(Query(token, "HJ-COND", kZhangsan, {"name"}).status, 403);
  // Expired: the grant's end moved into the past.
  ASSERT_TRUE(server_->app().database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE exchange_applications SET expires_at = "
               "'2020-01-01T00:00:00Z' WHERE resource_code = 'HJ-OPEN'",
               {}));
    return {};
  }));
  r = Query(token, "HJ-OPEN", kZhangsan, {"name"});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;

  EXPECT_EQ(LogOutcomes(), (std::vector<std::string>{
                               "refused:scope_missing:HJ-OPEN", "answered::HJ-OPEN",
                               "refused:field_not_granted:HJ-OPEN", "answered::HJ-OPEN",
                               "refused:scope_missing:HJ-COND", "answered::HJ-COND",
                               "refused:scope_missing:HJ-OPEN", "refused:not_registered:HJ-OPEN",
                               "refused:grant_revoked:HJ-COND", "refused:grant_expired:HJ-OPEN"}));
}

TEST_P(ExchangeTest, AdapterAnswersAreFilteredRetriedAndTheCircuitOpens) {
  auto body = ResourceBody(
      "HY-MZ", "unconditional", "adapter",
      {F("marital_status", "string"), F("spouse_name", "string"), F("marriage_date", "date")});
  body["adapter_url"] = stand_in_->url();
  body["name_zh"] = "婚姻登记信息";
  Publish(body);
  System sys = NewSystem(kConsumer);
  ASSERT_EQ(Apply(Token(sys), "HY-MZ", {"marital_status", "spouse_name"}).status, 201);
  auto token = Token(sys);
  auto r = Query(token, "HY-MZ", kZhangsan, {"marital_status", "spouse_name"});
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object data = r.json().at("answer").at("data").as_object();
  EXPECT_EQ(data.size(), 2u) << J(data);  // "not_asked" from the provider is dropped
  EXPECT_EQ(data.at("spouse_name").as_string(), "王芳");
  r = Query(token, "HY-MZ", kLisi, {"marital_status"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().at("answer").at("found").as_bool());

  // Failing: each call retries once (2 attempts), then 503; two failed calls open the
  // circuit and the third fails at once without calling.
  stand_in_->set_mode(ProviderStandIn::Mode::kFail);
  int before = stand_in_->calls();
  EXPECT_EQ(Query(token, "HY-MZ", kZhangsan, {"marital_status"}).status, 503);
  EXPECT_EQ(stand_in_->calls() - before, 2);
  stand_in_->set_mode(ProviderStandIn::Mode::kSilent);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Query(token, "HY-MZ", kZhangsan, {"marital_status"}).status, 503);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));  // timeouts hold
  before = stand_in_->calls();
  r = Query(token, "HY-MZ", kZhangsan, {"marital_status"});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("circuit open"), std::string::npos) << r.body;
  EXPECT_EQ(stand_in_->calls(), before);
  auto log = LogOutcomes();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[4], "refused:source_unavailable:HY-MZ");
}

TEST_P(ExchangeTest, BasesAreImportedWholeOrNotAtAllByTheirKeepers) {
  // One bad line (a wrong checksum, an unknown field): nothing is imported.
  const std::string newcomer = "11010519491231002X";
  std::string lines = J(json::object{{"id_number", newcomer}, {"name", "赵六"}}) + "\n" +
                      J(json::object{{"id_number", "330102199003073018"}, {"name", "错"}}) + "\n" +
                      J(json::object{{"id_number", kLisi}, {"name", "李四"}, {"x", 1}});
  auto admin = server_->AdminHeaders();
  admin["Content-Type"] = "application/x-ndjson";
  auto r = client_->Send(verb::post, "/api/v1/exchange/bases/population/import", lines, admin);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("lines/2/id_number"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("lines/3/x"), std::string::npos) << r.body;
  EXPECT_EQ(client_->Get("/api/v1/exchange/bases/population/records/" + newcomer, acceptor_.headers)
                .status,
            404);
  ImportPopulation();
  // The keeping department's staff update a record; its systems too; others may not.
  json::object rec{{"name", "张三"}, {"marital_status", "divorced"}};
  r = Call(verb::put, std::string("/api/v1/exchange/bases/population/records/") + kZhangsan, J(rec),
           acceptor_.headers);
  EXPECT_EQ(r.status, 200) << r.body;
  r = client_->Get(std::string("/api/v1/exchange/bases/population/records/") + kZhangsan,
                   approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("marital_status").as_string(), "divorced");
  System keeper = NewSystem(kProvider);
  r = Call(verb::put, "/api/v1/exchange/bases/legal_person/records/91330102MA2XXXXX0X",
           J(json::object{{"name", "测试"}}), Token(keeper));
  EXPECT_EQ(r.status, 422) << r.body;  // not a valid credit code
  System outsider = NewSystem(kOtherDept);
  EXPECT_EQ(Call(verb::put, std::string("/api/v1/exchange/bases/population/records/") + kLisi,
                 J(json::object{{"name", "冒名"}}), Token(outsider))
                .status,
            403);
  auto counter = SignIn(*client_, "hall.counter");
  EXPECT_EQ(Call(verb::put, std::string("/api/v1/exchange/bases/population/records/") + kLisi,
                 J(json::object{{"name", "冒名"}}), counter.headers)
                .status,
            403);
}

// The portal's consumer pages: a department's staff see their department's systems with
// their applications and grants, and apply for them; nobody else does.
TEST_P(ExchangeTest, DepartmentStaffApplyForTheirOwnSystemsOnly) {
  ImportPopulation();
  Publish(ResourceBody("HJ-STAFF", "conditional", "population",
                       {F("name", "string"), F("birth_date", "date")}));
  System own = NewSystem(kProvider);     // sc.acceptor's department's system
  System other = NewSystem(kOtherDept);  // another district's
  const json::object body{{"resource", "HJ-STAFF"},
                          {"purpose", "办理出生登记核验户籍"},
                          {"legal_basis", "《户口登记条例》第七条"},
                          {"fields", {"name"}},
                          {"valid_days", 30}};
  auto apply = [&](const System& s, const std::map<std::string, std::string>& who,
                   const json::object& b) {
    return Call(verb::post, "/api/v1/exchange/systems/" + s.id + "/applications", J(b), who);
  };
  // Another department's system, a client that is no system, a person, counter staff, the
  // system's own token (it has its own route), the administrator token: refused.
  EXPECT_EQ(apply(other, acceptor_.headers, body).status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/exchange/systems/no-such-client/applications", J(body),
                 acceptor_.headers)
                .status,
            404);
  auto lisi = SignIn(*client_, "lisi");
  EXPECT_EQ(apply(own, lisi.headers, body).status, 403);
  auto counter = SignIn(*client_, "hall.counter");
  EXPECT_EQ(apply(own, counter.headers, body).status, 403);
  EXPECT_EQ(apply(own, Token(own), body).status, 403);
  EXPECT_EQ(apply(own, server_->AdminHeaders(), body).status, 403);
  auto list = [&](const std::string& dept, const std::map<std::string, std::string>& who) {
    return client_->Get("/api/v1/exchange/departments/" + dept + "/systems", who);
  };
  EXPECT_EQ(list(kOtherDept, acceptor_.headers).status, 403);
  EXPECT_EQ(list("NO-SUCH-DEPT", acceptor_.headers).status, 403);
  EXPECT_EQ(list(kProvider, counter.headers).status, 403);
  EXPECT_EQ(list(kProvider, lisi.headers).status, 403);
  EXPECT_EQ(list(kProvider, Token(own)).status, 403);

  // Bad input: 422 naming the fields, nothing stored.
  auto bad = body;
  bad["fields"] = json::array{"spouse_name"};
  bad["valid_days"] = 0;
  auto r = apply(own, acceptor_.headers, bad);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("valid_days"), std::string::npos) << r.body;

  // The acceptor applies for the system; the approver grants; the system's next token
  // carries the scope and its query is answered.
  r = apply(own, acceptor_.headers, body);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "pending");
  EXPECT_EQ(r.json().at("client_id").as_string(), own.id);
  EXPECT_EQ(r.json().at("consumer_department").as_string(), kProvider);
  EXPECT_FALSE(r.json().at("applied_by").as_string().empty());
  const std::string id(r.json().at("id").as_string());
  r = list(kProvider, acceptor_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value listed = r.json();
  const json::object* mine = nullptr;
  for (const auto& x : listed.at("items").as_array()) {
    EXPECT_EQ(x.at("department_code").as_string(), kProvider);
    EXPECT_NE(x.at("client_id").as_string(), other.id);
    if (x.at("client_id").as_string() == own.id) mine = &x.as_object();
  }
  ASSERT_NE(mine, nullptr) << r.body;
  ASSERT_EQ(mine->at("applications").as_array().size(), 1u);
  EXPECT_EQ(mine->at("applications").as_array()[0].at("id").as_string(), id);
  // The system sees the staff's application among its own.
  r = client_->Get("/api/v1/exchange/applications", Token(own));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("items").as_array().size(), 1u);

  r = Call(verb::post, "/api/v1/exchange/applications/" + id + "/decision",
           J(json::object{{"approve", true}}), approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Query(Token(own), "HJ-STAFF", kZhangsan, {"name"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("answer").at("data").at("name").as_string(), "张三");
  r = list(kProvider, approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  bool granted = false;
  const json::value after = r.json();
  for (const auto& x : after.at("items").as_array())
    for (const auto& a : x.at("applications").as_array())
      if (a.at("id").as_string() == id)
        granted =
            a.at("status").as_string() == "granted" && !a.at("expires_at").as_string().empty();
  EXPECT_TRUE(granted) << r.body;
}

// A resident ID number with its GB 11643 check character, from 17 digits.
std::string ResidentId(const std::string& first17) {
  static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

std::string Sha256File(const fs::path& file) {
  ToolRun run = RunTool({"sha256sum", file.string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return run.output.substr(0, 64);
}

// Bulk delivery (part 7): an extract of the population base for a system whose grant the
// provider approved for bulk; streamed into parts, its manifest signed. npm `jose` verifies
// the manifest against the published JWKS and node's crypto and `sha256sum` the files; one
// message-log entry records it; every attacker is refused and logged.
TEST_P(ExchangeTest, BulkExtractsAreSignedCountedAndOnlyForBulkGrants) {
  ImportPopulation();
  // Enough people for several 1 KiB parts.
  std::string lines;
  for (int i = 0; i < 40; ++i) {
    char digits[18];
    std::snprintf(digits, sizeof digits, "33010219800101%03d", 100 + i);
    lines += J(json::object{{"id_number", ResidentId(digits)},
                            {"name", "居民" + std::to_string(i)},
                            {"birth_date", "1980-01-01"},
                            {"address", "杭州市上城区湖滨街道" + std::to_string(i) + "号"}}) +
             "\n";
  }
  auto admin = server_->AdminHeaders();
  admin["Content-Type"] = "application/x-ndjson";
  ASSERT_EQ(
      client_->Send(verb::post, "/api/v1/exchange/bases/population/import", lines, admin).status,
      200);
  Publish(ResourceBody("HJ-BULK", "unconditional", "population",
                       {F("name", "string"), F("birth_date", "date"), F("address", "string")}));
  auto marriage = ResourceBody("HY-BULK", "unconditional", "adapter", {F("spouse_name", "string")});
  marriage["adapter_url"] = stand_in_->url();
  Publish(marriage);
  const std::string at = "/api/v1/exchange/resources/HJ-BULK/extracts";
  auto extract = [&](const std::map<std::string, std::string>& who, json::array fields,
                     const std::string& since = "", const std::string& code = "HJ-BULK") {
    json::object body{{"fields", std::move(fields)}, {"purpose", "人口统计分析"}};
    if (!since.empty()) body["since"] = since;
    return Call(verb::post, "/api/v1/exchange/resources/" + code + "/extracts", J(body), who);
  };

  // A grant for single queries does not download everybody: refused, logged.
  System sys = NewSystem(kConsumer);
  auto r = Apply(Token(sys), "HJ-BULK", {"name", "birth_date"});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "granted");
  EXPECT_FALSE(r.json().at("bulk").as_bool());
  r = extract(Token(sys), {"name"});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("bulk"), std::string::npos) << r.body;
  // Bulk of personal fields: even an unconditional resource waits for the provider.
  r = Call(verb::post, "/api/v1/exchange/applications",
           J(json::object{{"resource", "HJ-BULK"},
                          {"purpose", "人口统计分析"},
                          {"legal_basis", "《统计法》第十五条"},
                          {"fields", {"name", "birth_date"}},
                          {"bulk", true}}),
           Token(sys));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "pending");
  EXPECT_TRUE(r.json().at("bulk").as_bool());
  const std::string bulk_grant(r.json().at("id").as_string());
  // Bulk from a provider's system is not offered.
  r = Call(verb::post, "/api/v1/exchange/applications",
           J(json::object{{"resource", "HY-BULK"},
                          {"purpose", "婚姻统计"},
                          {"legal_basis", "《统计法》"},
                          {"fields", {"spouse_name"}},
                          {"bulk", true}}),
           Token(sys));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("bulk"), std::string::npos) << r.body;
  // The newest grant is the one that counts (decided_at has seconds): decide it later.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = Call(verb::post, "/api/v1/exchange/applications/" + bulk_grant + "/decision",
           J(json::object{{"approve", true}, {"reason", "统计用途，已签保密协议"}}),
           approver_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  auto token = Token(sys);

  // Bad input: 422 naming the member, nothing queued, nothing logged.
  r = extract(token, {"name", "name"});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("fields/1"), std::string::npos) << r.body;
  r = extract(token, {"name"}, "yesterday");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("since"), std::string::npos) << r.body;
  EXPECT_EQ(extract(token, {"spouse_name"}, "", "HY-BULK").status, 422);
  EXPECT_EQ(extract(token, {"name"}, "", "NO-SUCH").status, 404);

  // Attackers: a field not granted; another department's system without a grant; an
  // unregistered client; a person's token and session; staff; the administrator token.
  EXPECT_EQ(extract(token, {"name", "address"}).status, 403);
  System other = NewSystem(kOtherDept);
  EXPECT_EQ(extract(Token(other), {"name"}).status, 403);
  System stray = NewSystem("");
  EXPECT_EQ(extract(Token(stray), {"name"}).status, 403);
  auto zhangsan = SignIn(*client_, "zhangsan");
  auto person = UserToken(*client_, *server_, zhangsan, "openid exchange");
  EXPECT_EQ(extract(person.headers, {"name"}).status, 403);
  EXPECT_EQ(extract(zhangsan.headers, {"name"}).status, 403);
  EXPECT_EQ(extract(approver_.headers, {"name"}).status, 403);
  EXPECT_EQ(extract(server_->AdminHeaders(), {"name"}).status, 403);

  // The records imported above are older than the extract's start: wait for the next second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = extract(token, {"name", "birth_date"});
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id(r.json().at("id").as_string());
  EXPECT_EQ(r.header("location"), at + "/" + id);
  EXPECT_EQ(r.json().at("status").as_string(), "queued");
  auto wait_ready = [&](const std::string& x) {
    HttpResponse got;
    for (int i = 0; i < 300; ++i) {
      got = client_->Get(at + "/" + x, token);
      if (got.status != 200) break;
      const std::string st(got.json().at("status").as_string());
      if (st != "queued" && st != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  };
  r = wait_ready(id);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("status").as_string(), "ready") << r.body;
  const json::value status = r.json();
  // Other systems do not see it; the list shows it to its owner.
  EXPECT_EQ(client_->Get(at + "/" + id, Token(other)).status, 404);
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", Token(other)).status, 404);
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", zhangsan.headers).status, 403);
  r = client_->Get(at, token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("items").at(0).at("id").as_string(), id);
  EXPECT_TRUE(client_->Get(at, Token(other)).json().at("items").as_array().empty());

  // Download every part; jose and node's crypto check them against the signed manifest.
  const fs::path dir = fs::temp_directory_path() /
                       ("ow_extract_" + std::to_string(getpid()) + "_" + StoreName(GetParam()));
  fs::create_directories(dir);
  const auto& parts = status.at("parts").as_array();
  ASSERT_GT(parts.size(), 2u) << J(status);  // 1 KiB parts
  std::vector<std::string> args{
      "node", "verify-extract.mjs",
      "http://127.0.0.1:" + std::to_string(server_->port()) + "/oauth2/jwks",
      (dir / "manifest.jwt").string()};
  std::ofstream(dir / "manifest.jwt") << std::string(status.at("manifest").as_string());
  std::string whole;
  for (size_t i = 0; i < parts.size(); ++i) {
    r = client_->Get(std::string(parts[i].at("href").as_string()), token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/x-ndjson; charset=utf-8");
    auto digest = crypto::HexDecode(std::string(parts[i].at("sha256").as_string()));
    ASSERT_TRUE(digest);
    std::string b64 = crypto::Base64UrlEncode(*digest);
    for (char& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
    while (b64.size() % 4) b64 += '=';
    EXPECT_EQ(r.header("repr-digest"), "sha-256=:" + b64 + ":");
    const fs::path file = dir / ("part-" + std::to_string(i + 1) + ".ndjson");
    std::ofstream(file, std::ios::binary) << r.body;
    args.push_back(file.string());
    whole += r.body;
  }
  std::ofstream(dir / "whole.ndjson", std::ios::binary) << whole;
  const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
  ToolRun run = RunTool(args, tools.string(), true);
  ASSERT_EQ(run.exit_code, 0) << run.output << run.errors;
  const json::object manifest = json::parse(run.output).as_object();
  EXPECT_EQ(manifest.at("extract").as_string(), id);
  EXPECT_EQ(manifest.at("resource").as_string(), "HJ-BULK");
  EXPECT_EQ(manifest.at("consumer_client").as_string(), sys.id);
  EXPECT_EQ(manifest.at("consumer_department").as_string(), kConsumer);
  EXPECT_EQ(manifest.at("grant").as_string(), bulk_grant);
  EXPECT_EQ(manifest.at("purpose").as_string(), "人口统计分析");
  EXPECT_EQ(manifest.at("mode").as_string(), "full");
  EXPECT_TRUE(manifest.at("since").is_null());
  EXPECT_EQ(manifest.at("fields"), json::value(json::array{"name", "birth_date"}));
  // `sha256sum` agrees about the whole file; every person in the base is in it once.
  EXPECT_EQ(Sha256File(dir / "whole.ndjson"), manifest.at("sha256").as_string());
  int64_t people = 0;
  ASSERT_TRUE(server_->app().database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        auto n, c.Query("SELECT COUNT(*) FROM exchange_base_records WHERE base = 'population'"));
    people = n.Int(0, 0);
    return {};
  }));
  EXPECT_GE(people, 42);
  EXPECT_EQ(manifest.at("row_count").as_int64(), people);
  EXPECT_NE(whole.find(std::string("{\"id_number\":\"") + kZhangsan + "\",\"name\":\"张三\"," +
                       "\"birth_date\":\"1990-03-07\"}\n"),
            std::string::npos);
  EXPECT_EQ(whole.find("address"), std::string::npos);  // not asked for
  // A changed byte in a part: refused.
  std::string changed = whole.substr(0, static_cast<size_t>(parts[0].at("bytes").as_int64()));
  changed[20] = changed[20] == '1' ? '2' : '1';
  std::ofstream(dir / "part-1.ndjson", std::ios::binary | std::ios::trunc) << changed;
  run = RunTool(args, tools.string(), true);
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.errors.find("SHA-256"), std::string::npos) << run.errors;

  // The message log holds one entry for it: the manifest's digest and detached signature.
  ASSERT_TRUE(server_->app().database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto e, c.Query("SELECT outcome, response_digest, response_signature, "
                                        "fields FROM exchange_log WHERE seq = $1",
                                        {status.at("log_seq").as_int64()}));
    EXPECT_EQ(e.size(), 1u);
    if (e.empty()) return {};
    EXPECT_EQ(e.Text(0, 0), "answered");
    const std::string jws(status.at("manifest").as_string());
    auto payload =
        crypto::Base64UrlDecode(jws.substr(jws.find('.') + 1, jws.rfind('.') - jws.find('.') - 1));
    EXPECT_TRUE(payload);
    if (payload) {
      EXPECT_EQ(e.Text(0, 1), crypto::HexEncode(crypto::Sha256(*payload)));
    }
    EXPECT_EQ(e.Text(0, 2), jws.substr(0, jws.find('.')) + ".." + jws.substr(jws.rfind('.') + 1));
    return {};
  }));

  // A run that died mid-way (its lease lapsed, a partial chunk left behind) is taken over
  // by the next run: the stale bytes are dropped and the file is written whole again. A
  // run past the attempts allowed fails instead of retrying for ever.
  ASSERT_TRUE(server_->app().database().Transact([&](db::Connection& c) -> Status {
    for (const char* crashed : {"XEcrashedrun1", "XEcrashedrun3"})
      OW_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO exchange_extracts (id, client_id, consumer_department, resource_code, "
          "resource_version, provider_department, base, grant_id, fields, purpose, legal_basis, "
          "since, until, status, failure, request_digest, row_count, bytes, sha256, parts, "
          "manifest, log_seq, attempts, created_at, started_at, finished_at, expires_at, "
          "lease_until) SELECT $2, client_id, consumer_department, resource_code, "
          "resource_version, provider_department, base, grant_id, fields, purpose, legal_basis, "
          "'', '', 'running', '', request_digest, 0, 0, '', '[]', '', 0, CAST($3 AS INTEGER), "
          "created_at, created_at, '', '', '2000-01-01T00:00:00Z' FROM exchange_extracts WHERE id "
          "= $1",
          {id, std::string(crashed), int64_t{std::string(crashed).back() == '1' ? 1 : 3}}));
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO exchange_extract_chunks (extract_id, seq, part, data) VALUES ($1, 0, 1, $2)",
        {std::string("XEcrashedrun1"), db::Blob{"{\"half a line from the run that died"}}));
    return {};
  }));
  r = wait_ready("XEcrashedrun1");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("status").as_string(), "ready") << r.body;
  EXPECT_EQ(r.json().at("row_count").as_int64(), people) << r.body;
  EXPECT_EQ(r.json().at("sha256").as_string(), manifest.at("sha256").as_string()) << r.body;
  {
    std::string again;
    const json::value taken_over = r.json();  // kept: the loop reads into it
    for (const auto& p : taken_over.at("parts").as_array()) {
      auto got = client_->Get(std::string(p.at("href").as_string()), token);
      ASSERT_EQ(got.status, 200) << got.body;
      again += got.body;
    }
    EXPECT_EQ(again, whole);
    EXPECT_EQ(again.find("half a line"), std::string::npos);
  }
  r = wait_ready("XEcrashedrun3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status").as_string(), "failed") << r.body;
  EXPECT_NE(r.json().at("failure").as_string().find("3 times"), std::string::npos) << r.body;
  EXPECT_EQ(client_->Get(at + "/XEcrashedrun3/file", token).status, 409);

  // Incremental: since the full extract's `until`, only the record changed after it.
  const std::string until(manifest.at("until").as_string());
  r = Call(verb::put, std::string("/api/v1/exchange/bases/population/records/") + kLisi,
           J(json::object{{"name", "李四"}, {"birth_date", "1985-06-12"}}), acceptor_.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the change's second
  r = extract(token, {"birth_date"}, until);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string inc(r.json().at("id").as_string());
  r = wait_ready(inc);
  ASSERT_EQ(r.json().at("status").as_string(), "ready") << r.body;
  EXPECT_EQ(r.json().at("mode").as_string(), "incremental");
  EXPECT_EQ(r.json().at("row_count").as_int64(), 1) << r.body;
  r = client_->Get(at + "/" + inc + "/file?part=1", token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            std::string("{\"id_number\":\"") + kLisi + "\",\"birth_date\":\"1985-06-12\"}\n");
  EXPECT_EQ(client_->Get(at + "/" + inc + "/file?part=2", token).status, 404);
  EXPECT_EQ(client_->Get(at + "/" + inc + "/file?part=x", token).status, 422);

  // Expired: no new extract, and the files made are no longer handed out; refused, logged.
  auto set_expiry = [&](const std::string& when) {
    ASSERT_TRUE(server_->app().database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Exec("UPDATE exchange_applications SET expires_at = $2 WHERE id = $1",
                                {bulk_grant, when}));
      return {};
    }));
  };
  std::string expires;
  ASSERT_TRUE(server_->app().database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        auto e,
        c.Query("SELECT expires_at FROM exchange_applications WHERE id = $1", {bulk_grant}));
    expires = e.Text(0, 0);
    return {};
  }));
  set_expiry("2000-01-01T00:00:00Z");
  r = extract(token, {"name"});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", token).status, 403);
  set_expiry(expires);

  // A system whose client the administrator disabled: its tokens no longer authenticate
  // (401 at the gate, before the exchange knows who asks); enabled again, it works.
  ASSERT_EQ(Admin(verb::put, "/api/v1/oidc/clients/" + sys.id + "/status",
                  J(json::object{{"status", "disabled"}}))
                .status,
            204);
  EXPECT_EQ(extract(token, {"name"}).status, 401);
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", token).status, 401);
  EXPECT_EQ(client_->Get(at + "/" + id, token).status, 401);
  EXPECT_NE(TokenResponse(sys).status, 200);
  ASSERT_EQ(Admin(verb::put, "/api/v1/oidc/clients/" + sys.id + "/status",
                  J(json::object{{"status", "active"}}))
                .status,
            204);
  token = Token(sys);
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", token).status, 200);

  // Revoked: the files already made are no longer handed out, and no new extract starts.
  ASSERT_EQ(Call(verb::post, "/api/v1/exchange/applications/" + bulk_grant + "/revocation",
                 J(json::object{{"reason", "统计已完成"}}), approver_.headers)
                .status,
            200);
  EXPECT_EQ(client_->Get(at + "/" + id + "/file", token).status, 403);
  EXPECT_EQ(extract(token, {"name"}).status, 403);
  fs::remove_all(dir);

  EXPECT_EQ(LogOutcomes(),
            (std::vector<std::string>{
                "refused:bulk_not_granted:HJ-BULK", "refused:field_not_granted:HJ-BULK",
                "refused:scope_missing:HJ-BULK", "refused:not_registered:HJ-BULK",
                "answered::HJ-BULK", "answered::HJ-BULK", "answered::HJ-BULK",
                "refused:grant_expired:HJ-BULK", "refused:grant_revoked:HJ-BULK"}));
}

OW_INSTANTIATE_STORE_TESTS(ExchangeTest);

}  // namespace
}  // namespace ow::testing
