// Queries between platforms (issue 14 part 8): platform A's consuming system queries a
// resource of A's catalogue that platform B serves. A already trusts B (the federation
// trust of tests/federation_test.cc); B issued A that trust's client, which B also lets
// use client credentials and registers as an exchange system with a grant. A asks B as
// that client, verifies B's signed answer against B's published JWKS, and both message
// logs hold the exchange with the same digests. Refusals by B (a revoked grant), B being
// down, and a tampered answer are each answered and logged. Both platforms are real
// servers on 127.0.0.1; A runs on each store, B on SQLite. npm `jose` verifies both
// platforms' signatures.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/app.h"
#include "app/demo.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/client.h"
#include "support/stand_in.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using boost::beast::http::verb;

constexpr const char* kZhangsan = "330102199003073017";  // in the demo population base
constexpr const char* kProvider = "330102-SCJG";         // sc.acceptor, sc.approver
constexpr const char* kConsumer = "330102-ZWFW";
constexpr const char* kOtherDept = "330106-ZWFW";

std::string J(const json::value& v) { return json::serialize(v); }
std::string Origin(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }
std::string Str(const json::value& v, const char* k) {
  return std::string(v.as_object().at(k).as_string());
}

// A man in the middle between A and B: forwards every request to B, presents B's
// documents as its own (its origin in place of B's) and, when `tamper` is set, changes
// one byte of the payload of B's signed answers.
class Interceptor {
 public:
  explicit Interceptor(uint16_t b_port) : b_origin_(Origin(b_port)) {}
  std::string origin() const { return server_.origin(); }

 private:
  static void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  }
  std::optional<StandIn::Reply> Forward(const StandIn::Request& req) {
    http::FetchRequest f;
    f.method = std::string(req.method_string());
    f.url = b_origin_ + std::string(req.target());
    for (auto name :
         {bhttp::field::content_type, bhttp::field::authorization, bhttp::field::accept})
      if (req.count(name))
        f.headers.emplace_back(std::string(bhttp::to_string(name)), std::string(req[name]));
    f.body = req.body();
    auto got = http::Fetch(f);
    if (!got) return StandIn::Reply{502, ""};
    std::string body = got->body;
    std::string target(req.target());
    bool answer = target.size() > 6 && target.substr(target.size() - 6) == "/query";
    if (answer && got->status == 200) {
      auto o = json::parse(body).as_object();
      std::string jws = Str(o, "signature");
      size_t at = jws.find('.') + 8;
      jws[at] = jws[at] == 'A' ? 'B' : 'A';
      o["signature"] = jws;
      body = J(o);
    } else {
      ReplaceAll(body, b_origin_, server_.origin());
    }
    return StandIn::Reply{static_cast<unsigned>(got->status), body};
  }

  std::string b_origin_;
  StandIn server_{[this](const StandIn::Request& r) { return Forward(r); }};  // last: stops first
};

struct Client {
  std::string id, secret;
};

// One message-log entry, as the tests compare them across platforms.
struct LogRow {
  std::string consumer_client, provider_department, resource_code, outcome, refusal_reason,
      request_digest, response_digest, response_signature;
};

class Xplat : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    b_dir_ = fs::temp_directory_path() /
             ("ow-xplat-b-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(b_dir_);
    auto tweak = [](Config& c) {
      c.password_concurrency = 4;
      c.exchange_adapter_timeout_ms = 1000;
      c.exchange_adapter_retries = 1;
      c.exchange_adapter_failure_threshold = 2;
      c.exchange_adapter_cooldown_ms = 60000;
    };
    b_ = std::make_unique<TestServer>("sqlite:" + (b_dir_ / "b.db").string(), tweak);
    a_ = std::make_unique<TestServer>(db_url(), tweak);
    for (auto* s : {a_.get(), b_.get()}) {
      auto seeded = app::SeedDemo(s->app().database(), SourceDir() + "/demo", &s->app().config());
      ASSERT_TRUE(seeded) << seeded.error().message;
    }
    a_start_ = MaxSeq(*a_);
    b_start_ = MaxSeq(*b_);
    ca_ = std::make_unique<HttpClient>(a_->port());
    cb_ = std::make_unique<HttpClient>(b_->port());

    // B: the resource it serves, published by its regulator's staff.
    Publish(*cb_, Resource("HJ-B", "population"));
    // B issues platform A a client for the trust (sign-in) that may also use client
    // credentials for the exchange, registers it as a system, and A's platform applies
    // for the resource with it (unconditional: granted at once).
    auto client = cb_->SendJson(
        verb::post, "/api/v1/oidc/clients",
        J(json::object{
            {"name", "Platform A"},
            {"type", "confidential"},
            {"redirect_uris", json::array{Origin(a_->port()) + "/oauth2/federation/zj-b/callback"}},
            {"grant_types", json::array{"authorization_code", "client_credentials"}},
            {"scopes", json::array{"openid", "resident_id", "exchange"}}}),
        b_->AdminHeaders());
    ASSERT_EQ(client.status, 201) << client.body;
    a_at_b_ = {Str(client.json(), "client_id"), Str(client.json(), "client_secret")};
    auto sys = cb_->SendJson(verb::put, "/api/v1/exchange/systems/" + a_at_b_.id,
                             J(json::object{{"department_code", kConsumer}}), b_->AdminHeaders());
    ASSERT_EQ(sys.status, 200) << sys.body;
    auto applied = Apply(*cb_, Token(*cb_, a_at_b_), "HJ-B", {"name", "birth_date", "address"});
    ASSERT_EQ(applied.status, 201) << applied.body;
    ASSERT_EQ(Str(applied.json(), "status"), "granted");
    grant_at_b_ = Str(applied.json(), "id");

    // A: the trust, and the remote resource in its catalogue.
    Trust("zj-b", Origin(b_->port()));
    auto remote = Resource("HJ-ZJB", "peer");
    remote["peer_platform"] = "zj-b";
    remote["peer_resource"] = "HJ-B";
    Publish(*ca_, remote);
    // A's consuming system, granted on A as usual.
    consumer_ = NewSystem(kConsumer);
    ASSERT_EQ(Apply(*ca_, Token(*ca_, consumer_), "HJ-ZJB", {"name", "birth_date"}).status, 201);
  }
  void TearDown() override {
    ca_.reset();
    cb_.reset();
    a_.reset();
    b_.reset();
    if (!b_dir_.empty()) fs::remove_all(b_dir_);
  }

  static int64_t MaxSeq(TestServer& s) {
    int64_t n = 0;
    EXPECT_TRUE(s.app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COALESCE(MAX(seq), 0) FROM exchange_log"));
      n = r.Int(0, 0);
      return {};
    }));
    return n;
  }
  static std::vector<LogRow> Log(TestServer& s, int64_t after) {
    std::vector<LogRow> out;
    auto st = s.app().database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(
          auto r, c.Query("SELECT consumer_client, provider_department, resource_code, outcome, "
                          "refusal_reason, request_digest, response_digest, response_signature "
                          "FROM exchange_log WHERE seq > $1 ORDER BY seq",
                          {after}));
      for (size_t i = 0; i < r.size(); ++i)
        out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                       r.Text(i, 5), r.Text(i, 6), r.Text(i, 7)});
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }

  void Trust(const std::string& name, const std::string& origin) {
    auto trust = ca_->SendJson(
        verb::post, "/api/v1/trusts",
        J(json::object{{"name", name},
                       {"display_name", "Platform B"},
                       {"discovery_url", origin + "/.well-known/openid-configuration"},
                       {"client_id", a_at_b_.id},
                       {"client_secret", a_at_b_.secret},
                       {"assurance", "ow:loa:2"}}),
        a_->AdminHeaders());
    ASSERT_EQ(trust.status, 201) << trust.body;
  }
  static json::object F(const char* name) {
    return {{"name", name},
            {"type", "string"},
            {"label_zh", std::string("字段") + name},
            {"label_en", name},
            {"personal", true}};
  }
  static json::object Resource(const std::string& code, const std::string& source) {
    return {{"code", code},
            {"department_code", kProvider},
            {"name_zh", "户籍信息 " + code},
            {"name_en", "Household registration " + code},
            {"subject_kind", "person"},
            {"share_type", "unconditional"},
            {"update_cycle", "daily"},
            {"source", source},
            {"fields", json::array{F("name"), F("birth_date"), F("address")}}};
  }
  // Drafted by sc.acceptor, published by sc.approver of the platform `c` talks to.
  void Publish(HttpClient& c, const json::object& body) {
    auto acceptor = SignIn(c, "sc.acceptor");
    auto approver = SignIn(c, "sc.approver");
    auto r = c.SendJson(verb::post, "/api/v1/exchange/resources", J(body), acceptor.headers);
    ASSERT_EQ(r.status, 201) << r.body;
    std::string at = "/api/v1/exchange/resources/" + std::string(body.at("code").as_string()) +
                     "/versions/" + std::to_string(r.json().at("version").as_int64());
    ASSERT_EQ(c.SendJson(verb::post, at + "/submission", "", acceptor.headers).status, 200);
    auto p = c.SendJson(verb::post, at + "/review", J(json::object{{"publish", true}}),
                        approver.headers);
    ASSERT_EQ(p.status, 200) << p.body;
  }
  Client NewSystem(const std::string& department) {
    auto r = ca_->SendJson(verb::post, "/api/v1/oidc/clients",
                           J(json::object{{"name", "部门系统 " + department},
                                          {"type", "confidential"},
                                          {"grant_types", {"client_credentials"}},
                                          {"scopes", {"exchange"}}}),
                           a_->AdminHeaders());
    EXPECT_EQ(r.status, 201) << r.body;
    Client s{Str(r.json(), "client_id"), Str(r.json(), "client_secret")};
    auto b = ca_->SendJson(verb::put, "/api/v1/exchange/systems/" + s.id,
                           J(json::object{{"department_code", department}}), a_->AdminHeaders());
    EXPECT_EQ(b.status, 200) << b.body;
    return s;
  }
  static std::map<std::string, std::string> Token(HttpClient& c, const Client& s) {
    auto t =
        c.Send(verb::post, "/oauth2/token",
               "grant_type=client_credentials&client_id=" + s.id + "&client_secret=" + s.secret,
               {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(t.status, 200) << t.body;
    if (t.status != 200) return {};
    return {{"Authorization", "Bearer " + Str(t.json(), "access_token")}};
  }
  static HttpResponse Apply(HttpClient& c, const std::map<std::string, std::string>& token,
                            const std::string& code, json::array fields) {
    return c.SendJson(verb::post, "/api/v1/exchange/applications",
                      J(json::object{{"resource", code},
                                     {"purpose", "办理出生登记核验户籍"},
                                     {"legal_basis", "《户口登记条例》第七条"},
                                     {"fields", std::move(fields)}}),
                      token);
  }
  HttpResponse Query(const std::map<std::string, std::string>& token,
                     const std::string& code = "HJ-ZJB") {
    return ca_->SendJson(verb::post, "/api/v1/exchange/resources/" + code + "/query",
                         J(json::object{{"subject", kZhangsan},
                                        {"fields", json::array{"name", "birth_date"}},
                                        {"purpose", "跨省通办 出生登记"},
                                        {"case_tracking", "SL2026000001"}}),
                         token);
  }
  // npm jose's verdict on `jws` with the key it names from the JWKS at `port`; the
  // payload on success, null otherwise.
  json::value Jose(uint16_t port, const std::string& jws) {
    const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
    EXPECT_TRUE(fs::exists(tools / "node_modules" / "jose"))
        << "tests/tools/node_modules is missing: run npm ci in tests/tools";
    HttpClient c(port);
    auto jwks = c.Get("/oauth2/jwks").json();
    auto header = crypto::Base64UrlDecode(jws.substr(0, jws.find('.')));
    if (!header) return nullptr;
    std::string kid(json::parse(*header).at("kid").as_string());
    json::value key;
    for (const auto& k : jwks.at("keys").as_array())
      if (k.at("kid").as_string() == kid) key = k;
    if (!key.is_object()) return nullptr;
    const fs::path dir = b_dir_ / "jose";
    fs::create_directories(dir);
    std::ofstream(dir / "key.json", std::ios::trunc) << J(key);
    std::ofstream(dir / "answer.jwt", std::ios::trunc) << jws;
    ToolRun run = RunTool(
        {"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "answer.jwt").string()},
        tools.string(), true);
    if (run.exit_code != 0) return nullptr;
    return json::parse(run.output);
  }

  static inline int counter_ = 0;
  fs::path b_dir_;
  std::unique_ptr<TestServer> a_, b_;
  std::unique_ptr<HttpClient> ca_, cb_;
  Client a_at_b_, consumer_;
  std::string grant_at_b_;
  int64_t a_start_ = 0, b_start_ = 0;
};

TEST_P(Xplat, QueryServedByThePeerIsSignedByBothAndLoggedOnBothSides) {
  auto r = Query(Token(*ca_, consumer_));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = r.json().at("answer").as_object();
  const auto& data = answer.at("data").as_object();
  EXPECT_EQ(data.size(), 2u) << J(data);
  EXPECT_EQ(data.at("name").as_string(), "张三");
  EXPECT_EQ(data.at("birth_date").as_string(), "1990-03-07");
  EXPECT_EQ(Str(answer, "iss"), Origin(a_->port()));
  EXPECT_EQ(Str(answer, "resource"), "HJ-ZJB");
  const auto& peer = answer.at("peer").as_object();
  EXPECT_EQ(Str(peer, "platform"), "zj-b");
  EXPECT_EQ(Str(peer, "issuer"), Origin(b_->port()));
  EXPECT_EQ(Str(peer, "resource"), "HJ-B");

  // jose: A's answer verifies with A's keys; the peer's answer it carries with B's, and
  // says what A's says; its digest is that of the peer's signed payload.
  EXPECT_EQ(Jose(a_->port(), Str(r.json(), "signature")), json::value(answer));
  const std::string b_jws = Str(peer, "signature");
  json::value b_answer = Jose(b_->port(), b_jws);
  ASSERT_TRUE(b_answer.is_object()) << b_jws;
  EXPECT_EQ(Str(b_answer, "iss"), Origin(b_->port()));
  EXPECT_EQ(Str(b_answer, "consumer_client"), a_at_b_.id);
  EXPECT_EQ(b_answer.at("data"), answer.at("data"));
  size_t p1 = b_jws.find('.'), p2 = b_jws.rfind('.');
  auto payload = crypto::Base64UrlDecode(b_jws.substr(p1 + 1, p2 - p1 - 1));
  ASSERT_TRUE(payload);
  EXPECT_EQ(Str(peer, "answer_digest"), crypto::HexEncode(crypto::Sha256(*payload)));
  // B's answer alone does not pass for A's (A's keys do not verify it).
  EXPECT_TRUE(Jose(a_->port(), b_jws).is_null());

  // A's log: the exchange with B, then A's answer to its consumer. B's log: the same
  // exchange, with the same request and answer digests and signature.
  auto a_log = Log(*a_, a_start_);
  ASSERT_EQ(a_log.size(), 2u);
  const LogRow& leg = a_log[0];
  EXPECT_EQ(leg.outcome, "answered");
  EXPECT_EQ(leg.consumer_client, a_at_b_.id);
  EXPECT_EQ(leg.resource_code, "HJ-B");
  EXPECT_EQ(leg.provider_department, std::string("zj-b:") + kProvider);
  EXPECT_EQ(leg.response_digest, Str(peer, "answer_digest"));
  EXPECT_EQ(a_log[1].outcome, "answered");
  EXPECT_EQ(a_log[1].consumer_client, consumer_.id);
  EXPECT_EQ(a_log[1].resource_code, "HJ-ZJB");
  auto b_log = Log(*b_, b_start_);
  ASSERT_EQ(b_log.size(), 1u);
  EXPECT_EQ(b_log[0].outcome, "answered");
  EXPECT_EQ(b_log[0].consumer_client, a_at_b_.id);
  EXPECT_EQ(b_log[0].resource_code, "HJ-B");
  EXPECT_EQ(b_log[0].request_digest, leg.request_digest);
  EXPECT_EQ(b_log[0].response_digest, leg.response_digest);
  EXPECT_EQ(b_log[0].response_signature, leg.response_signature);

  // A second query reuses A's token at B: answered again, logged again on both sides.
  ASSERT_EQ(Query(Token(*ca_, consumer_)).status, 200);
  EXPECT_EQ(Log(*a_, a_start_).size(), 4u);
  EXPECT_EQ(Log(*b_, b_start_).size(), 2u);
}

TEST_P(Xplat, AttackersAtAAreRefusedThereAndNeverReachThePeer) {
  // No token; a person's session; a system of another department without a grant; a
  // field the consumer's grant does not name.
  EXPECT_EQ(Query({}).status, 401);
  auto lisi = SignIn(*ca_, "lisi");
  EXPECT_EQ(Query(lisi.headers).status, 403);
  Client other = NewSystem(kOtherDept);
  auto r = Query(Token(*ca_, other));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  r = ca_->SendJson(
      verb::post, "/api/v1/exchange/resources/HJ-ZJB/query",
      J(json::object{
          {"subject", kZhangsan}, {"fields", json::array{"address"}}, {"purpose", "跨省通办"}}),
      Token(*ca_, consumer_));
  EXPECT_EQ(r.status, 403) << r.body;
  auto a_log = Log(*a_, a_start_);
  ASSERT_EQ(a_log.size(), 2u);
  EXPECT_EQ(a_log[0].refusal_reason, "scope_missing");
  EXPECT_EQ(a_log[1].refusal_reason, "field_not_granted");
  EXPECT_TRUE(Log(*b_, b_start_).empty());
  // A's own client at B cannot be used at A, and A's consumer cannot ask B directly.
  HttpClient direct(b_->port());
  r = direct.SendJson(
      verb::post, "/api/v1/exchange/resources/HJ-B/query",
      J(json::object{{"subject", kZhangsan}, {"fields", json::array{"name"}}, {"purpose", "x y"}}),
      Token(*ca_, consumer_));
  EXPECT_EQ(r.status, 401) << r.body;
  // A remote resource names its peer and the resource there, nothing else.
  auto bad = Resource("HJ-BAD", "peer");
  bad["adapter_url"] = "http://127.0.0.1:1/x";
  auto acceptor = SignIn(*ca_, "sc.acceptor");
  r = ca_->SendJson(verb::post, "/api/v1/exchange/resources", J(bad), acceptor.headers);
  EXPECT_EQ(r.status, 422) << r.body;
  for (const char* f : {"peer_platform", "peer_resource", "adapter_url"})
    EXPECT_NE(r.body.find(f), std::string::npos) << f << " " << r.body;
}

TEST_P(Xplat, GrantRevokedAtThePeerIsRefusedAndLoggedOnBothSides) {
  ASSERT_EQ(Query(Token(*ca_, consumer_)).status, 200);  // A now holds a token at B
  auto approver = SignIn(*cb_, "sc.approver");
  auto revoked =
      cb_->SendJson(verb::post, "/api/v1/exchange/applications/" + grant_at_b_ + "/revocation",
                    J(json::object{{"reason", "协议到期"}}), approver.headers);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  auto r = Query(Token(*ca_, consumer_));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_NE(r.body.find("zj-b"), std::string::npos) << r.body;
  auto a_log = Log(*a_, a_start_);
  ASSERT_EQ(a_log.size(), 4u);
  EXPECT_EQ(a_log[2].outcome, "refused");
  EXPECT_EQ(a_log[2].refusal_reason, "peer_refused");
  EXPECT_EQ(a_log[2].resource_code, "HJ-B");
  EXPECT_EQ(a_log[3].refusal_reason, "peer_refused");
  EXPECT_EQ(a_log[3].resource_code, "HJ-ZJB");
  // B refused A's cached token and then a fresh one (which no longer carries the
  // grant's scope): both refusals in B's log, the last with A's request digest.
  auto b_log = Log(*b_, b_start_);
  ASSERT_GE(b_log.size(), 2u);
  EXPECT_EQ(b_log.back().outcome, "refused");
  EXPECT_EQ(b_log.back().consumer_client, a_at_b_.id);
  EXPECT_EQ(b_log.back().request_digest, a_log[2].request_digest);
  EXPECT_TRUE(b_log.back().refusal_reason == "scope_missing" ||
              b_log.back().refusal_reason == "grant_revoked")
      << b_log.back().refusal_reason;
}

TEST_P(Xplat, PeerDownIsAnswered503QuicklyAndTheCircuitOpens) {
  ASSERT_EQ(Query(Token(*ca_, consumer_)).status, 200);  // B's documents cached at A
  cb_.reset();
  b_.reset();
  auto token = Token(*ca_, consumer_);
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = Query(token);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    if (i == 2) {
      EXPECT_NE(r.body.find("circuit open"), std::string::npos) << r.body;
    }
  }
  auto a_log = Log(*a_, a_start_);
  ASSERT_EQ(a_log.size(), 5u);
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(a_log[i].resource_code, "HJ-ZJB");
    EXPECT_EQ(a_log[i].refusal_reason, "peer_unavailable");
  }
}

TEST_P(Xplat, TamperedAnswerIsRefusedAndLogged) {
  // The same client at B, reached through a man in the middle that changes B's answers.
  Interceptor mitm(b_->port());
  Trust("zj-b-mitm", mitm.origin());
  auto remote = Resource("HJ-MITM", "peer");
  remote["peer_platform"] = "zj-b-mitm";
  remote["peer_resource"] = "HJ-B";
  Publish(*ca_, remote);
  ASSERT_EQ(Apply(*ca_, Token(*ca_, consumer_), "HJ-MITM", {"name", "birth_date"}).status, 201);
  auto r = Query(Token(*ca_, consumer_), "HJ-MITM");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("signature"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("张三"), std::string::npos) << r.body;
  auto a_log = Log(*a_, a_start_);
  ASSERT_EQ(a_log.size(), 2u);
  EXPECT_EQ(a_log[0].refusal_reason, "peer_signature_invalid");
  EXPECT_EQ(a_log[0].response_digest, "");
  EXPECT_EQ(a_log[1].refusal_reason, "peer_signature_invalid");
  EXPECT_EQ(a_log[1].resource_code, "HJ-MITM");
  // B answered (its log says so); A's log shows the answer it was handed was refused.
  auto b_log = Log(*b_, b_start_);
  ASSERT_EQ(b_log.size(), 1u);
  EXPECT_EQ(b_log[0].outcome, "answered");
  EXPECT_EQ(b_log[0].request_digest, a_log[0].request_digest);
}

OW_INSTANTIATE_STORE_TESTS(Xplat);

}  // namespace
}  // namespace ow::testing
