// Events to department systems over HTTP against a real server, on SQLite and PostgreSQL:
// a department's system subscribes an endpoint (a receiver on 127.0.0.1) and receives the
// case events of its department, signed (verified by npm `jose` with the published JWKS,
// the body's digest checked), each with its event id as Idempotency-Key; retries with
// back-off, dead letters after max_attempts, the administrator's replay; and an attacker
// for every capability: a system without the scope or not registered to a department,
// another department's system, a person, staff, and a system on the administrator's
// routes.
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "support/cases_fixture.h"
#include "support/webhook_receiver.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // handled by 330102-SCJG in 330102
constexpr const char* kDept = "330102-SCJG";
constexpr const char* kOtherDept = "330102-ZWFW";

struct System {
  std::string id, secret;
  std::map<std::string, std::string> token;  // Authorization header
};

class WebhooksTest : public CasesFixture {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Start([](Config& c) {
      c.webhooks_allow_http = 1;
      c.webhooks_delivery_period_ms = 100;
      c.webhooks_retry_base_seconds = 1;
      c.webhooks_retry_max_seconds = 1;
      c.webhooks_max_attempts = 3;
      c.webhooks_timeout_ms = 2000;
    });
  }

  // An OIDC client (client credentials) with `scopes`, registered to `department` unless "".
  System NewSystem(const std::string& department,
                   json::array scopes = {"exchange", "events.subscribe"}) {
    auto r = Admin(verb::post, "/api/v1/oidc/clients",
                   Json({{"name", "部门系统 " + department},
                         {"type", "confidential"},
                         {"grant_types", {"client_credentials"}},
                         {"scopes", std::move(scopes)}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    System s{std::string(r.json().at("client_id").as_string()),
             std::string(r.json().at("client_secret").as_string()),
             {}};
    if (!department.empty()) {
      auto b = Admin(verb::put, "/api/v1/exchange/systems/" + s.id,
                     Json({{"department_code", department}}));
      EXPECT_EQ(b.status, 200) << b.body;
    }
    auto t = client_->Send(
        verb::post, "/oauth2/token",
        "grant_type=client_credentials&client_id=" + s.id + "&client_secret=" + s.secret,
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(t.status, 200) << t.body;
    if (t.status == 200)
      s.token = {
          {"Authorization", "Bearer " + std::string(t.json().at("access_token").as_string())}};
    return s;
  }
  HttpResponse As(const System& s, verb m, const std::string& target,
                  const std::string& body = {}) {
    auto h = s.token;
    if (!body.empty()) h["Content-Type"] = "application/json";
    return client_->Send(m, target, body, h);
  }
  HttpResponse Subscribe(const System& s, const std::string& url, json::array events) {
    return As(s, verb::post, "/api/v1/webhooks/subscriptions",
              Json({{"url", url}, {"events", std::move(events)}}));
  }
  // zhangsan's application for kItem; its tracking number.
  std::string Apply(const Session& zhang) {
    auto r = Submit(zhang, kItem, "330102", GtdjForm());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json().at("tracking_no").as_string()) : "";
  }
  // Waits (at most 30 s) until `pred` holds.
  template <typename Pred>
  bool WaitFor(Pred pred) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return pred();
  }
  json::array AdminDeliveries(const std::string& status) {
    auto r = client_->Send(verb::get, "/api/v1/webhook-deliveries?status=" + status, {},
                           server_->AdminHeaders());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("items").as_array() : json::array{};
  }
};

TEST_P(WebhooksTest, ASystemReceivesItsDepartmentsCaseEventsSignedOnceEach) {
  WebhookReceiver receiver;
  System mine = NewSystem(kDept);
  System other = NewSystem(kOtherDept);
  auto s = Subscribe(mine, receiver.url("/mine"),
                     {"case.submitted", "case.decided", "case.delivered", "case.submitted"});
  ASSERT_EQ(s.status, 201) << s.body;
  EXPECT_EQ(s.json().at("department_code"), kDept);
  EXPECT_EQ(s.json().at("events").as_array().size(), 3u);  // the repeat counted once
  ASSERT_EQ(Subscribe(other, receiver.url("/other"), {"case.submitted", "case.decided"}).status,
            201);

  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  std::string no = Apply(zhang);
  ASSERT_FALSE(no.empty());
  auto c = Call(verb::get, "/api/v1/cases/" + no, {}, &acceptor).json().as_object();
  c = Accept(acceptor, c);
  ASSERT_EQ(Complete(approver, TaskOf(c, "Approve"), "approve").status, 200);
  auto d =
      Call(verb::post, "/api/v1/cases/" + no + "/deliver", Json({{"method", "online"}}), &acceptor);
  ASSERT_EQ(d.status, 200) << d.body;

  ASSERT_TRUE(WaitFor([&] { return receiver.count() >= 3; })) << receiver.count();
  std::this_thread::sleep_for(milliseconds(400));  // nothing more should come
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 3u) << "the other department's system heard the case";
  std::vector<std::string> types;
  std::set<std::string> ids;
  for (const auto& r : got) {
    EXPECT_EQ(r.target, "/mine");
    auto body = json::parse(r.body).as_object();
    types.emplace_back(body.at("type").as_string());
    std::string id(body.at("id").as_string());
    ids.insert(id);
    EXPECT_EQ(r.headers.at("idempotency-key"), id);
    EXPECT_EQ(r.headers.at("ow-event-id"), id);
    EXPECT_EQ(r.headers.at("ow-event-type"), body.at("type").as_string());
    EXPECT_EQ(body.at("department_code"), kDept);
    EXPECT_EQ(body.at("subject").as_string(), no);
    EXPECT_EQ(body.at("data").at("tracking_no").as_string(), no);
    // No personal data: not the applicant's name nor ID number.
    EXPECT_EQ(r.body.find("330102199003073017"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("张三"), std::string::npos) << r.body;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"case.submitted", "case.decided", "case.delivered"}));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(json::parse(got[1].body).at("data").at("decision"), "approved");
  EXPECT_EQ(json::parse(got[2].body).at("data").at("method"), "online");

  // jose verifies the signature with the published JWKS; its claims bind the body.
  const std::string jws = got[0].headers.at("ow-signature");
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
                       ("ow_webhooks_" + std::to_string(getpid()) + "_" + StoreName(GetParam()));
  fs::create_directories(dir);
  std::ofstream(dir / "key.json") << json::serialize(key);
  std::ofstream(dir / "event.jwt") << jws;
  ToolRun run =
      RunTool({"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "event.jwt").string()},
              tools.string(), true);
  ASSERT_EQ(run.exit_code, 0) << run.output << run.errors;
  auto claims = json::parse(run.output).as_object();
  EXPECT_EQ(claims.at("body_sha256").as_string(),
            crypto::Base64UrlEncode(crypto::Sha256(got[0].body)));
  EXPECT_EQ(claims.at("jti"), json::parse(got[0].body).at("id"));
  EXPECT_EQ(claims.at("aud").as_string(), mine.id);
  EXPECT_EQ(claims.at("event_type"), "case.submitted");
  // The signature of one event does not cover another's body.
  EXPECT_NE(claims.at("body_sha256").as_string(),
            crypto::Base64UrlEncode(crypto::Sha256(got[1].body)));
  std::string tampered = jws;
  tampered[jws.find('.') + 5] = tampered[jws.find('.') + 5] == 'A' ? 'B' : 'A';
  std::ofstream(dir / "event.jwt", std::ios::trunc) << tampered;
  run =
      RunTool({"node", "verify-jwt.mjs", (dir / "key.json").string(), (dir / "event.jwt").string()},
              tools.string(), true);
  EXPECT_NE(run.exit_code, 0) << run.output;
  fs::remove_all(dir);

  // The system sees its own deliveries, delivered; the other system none.
  auto mineList = As(mine, verb::get, "/api/v1/webhooks/deliveries");
  ASSERT_EQ(mineList.status, 200) << mineList.body;
  const json::value mine_json = mineList.json();
  ASSERT_EQ(mine_json.at("items").as_array().size(), 3u);
  for (const auto& x : mine_json.at("items").as_array()) {
    EXPECT_EQ(x.at("status"), "delivered");
    EXPECT_EQ(x.at("attempts"), 1);
    EXPECT_EQ(x.at("response_status"), 200);
  }
  EXPECT_EQ(
      As(other, verb::get, "/api/v1/webhooks/deliveries").json().at("items").as_array().size(), 0u);
}

TEST_P(WebhooksTest, NobodyElseSubscribesSeesOrRemovesASubscription) {
  WebhookReceiver receiver;
  System mine = NewSystem(kDept);
  System other = NewSystem(kOtherDept);
  System no_scope = NewSystem(kDept, {"exchange"});
  System unregistered = NewSystem("");
  auto s = Subscribe(mine, receiver.url(), {"case.submitted"});
  ASSERT_EQ(s.status, 201) << s.body;
  std::string id(s.json().at("id").as_string());

  // A token without the scope; a system of no department.
  EXPECT_EQ(Subscribe(no_scope, receiver.url(), {"case.submitted"}).status, 403);
  EXPECT_EQ(Subscribe(unregistered, receiver.url(), {"case.submitted"}).status, 403);
  EXPECT_EQ(As(unregistered, verb::get, "/api/v1/webhooks/subscriptions").status, 403);
  // A person's session, a department's staff, an anonymous caller.
  Session zhang = Login("zhangsan");
  Session approver = Login("sc.approver");
  std::string body = Json({{"url", receiver.url()}, {"events", {"case.submitted"}}});
  EXPECT_EQ(Call(verb::post, "/api/v1/webhooks/subscriptions", body, &zhang).status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/webhooks/subscriptions", body, &approver).status, 403);
  EXPECT_EQ(Call(verb::post, "/api/v1/webhooks/subscriptions", body).status, 401);
  // Another department's system neither sees nor removes it.
  auto list = As(other, verb::get, "/api/v1/webhooks/subscriptions");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 0u);
  EXPECT_EQ(As(other, verb::delete_, "/api/v1/webhooks/subscriptions/" + id).status, 404);
  // Systems, staff and persons are not the administrator.
  for (const auto& target : {std::string("/api/v1/webhook-subscriptions"),
                             std::string("/api/v1/webhook-deliveries?status=dead")}) {
    EXPECT_EQ(As(mine, verb::get, target).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, &approver).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, &zhang).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, &approver).status, 403) << target;
  }
  EXPECT_EQ(As(mine, verb::post, "/api/v1/webhook-subscriptions/" + id + "/disable").status, 403);
  // Bad input: 422 naming the field.
  auto bad = Subscribe(mine, "ftp://127.0.0.1/x", {"case.submitted"});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("url"), std::string::npos);
  EXPECT_EQ(Subscribe(mine, "http://user:pw@127.0.0.1/x", {"case.submitted"}).status, 422);
  EXPECT_EQ(Subscribe(mine, "not a url", {"case.submitted"}).status, 422);
  bad = Subscribe(mine, receiver.url(), {"case.accepted"});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("events/0"), std::string::npos) << bad.body;
  EXPECT_EQ(Subscribe(mine, receiver.url(), {}).status, 422);
  EXPECT_EQ(As(mine, verb::post, "/api/v1/webhooks/subscriptions",
               Json({{"url", receiver.url()}, {"events", {"case.submitted"}}, {"secret", "x"}}))
                .status,
            422);

  // The administrator sees every subscription (a session of sysadmin, or the admin token).
  Session sysadmin = Login("sysadmin");
  auto all = Call(verb::get, "/api/v1/webhook-subscriptions", {}, &sysadmin);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json().at("items").as_array().size(), 1u);
  // Its own system removes it; afterwards no event reaches the endpoint.
  auto del = As(mine, verb::delete_, "/api/v1/webhooks/subscriptions/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(del.json().at("status"), "disabled");
  EXPECT_EQ(As(mine, verb::delete_, "/api/v1/webhooks/subscriptions/" + id).status, 409);
  ASSERT_FALSE(Apply(zhang).empty());
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(receiver.count(), 0u);
}

TEST_P(WebhooksTest, FailuresAreRetriedWithBackOffThenDeadUntilTheAdministratorReplays) {
  WebhookReceiver receiver;
  receiver.set_status(503);
  System mine = NewSystem(kDept);
  auto s = Subscribe(mine, receiver.url(), {"case.submitted"});
  ASSERT_EQ(s.status, 201) << s.body;
  std::string sub(s.json().at("id").as_string());
  Session zhang = Login("zhangsan");
  std::string no = Apply(zhang);

  // Three attempts (max_attempts), each after a back-off of at least ~0.5 s, then dead.
  json::array dead;
  ASSERT_TRUE(WaitFor([&] {
    dead = AdminDeliveries("dead");
    return !dead.empty();
  }));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].at("attempts"), 3);
  EXPECT_EQ(dead[0].at("response_status"), 503);
  EXPECT_EQ(dead[0].at("event").at("subject").as_string(), no);
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].body, got[0].body) << "a retry must send the same bytes";
    EXPECT_EQ(got[i].headers.at("idempotency-key"), got[0].headers.at("idempotency-key"));
    EXPECT_EQ(got[i].headers.at("ow-delivery-attempt"), std::to_string(i + 1));
    EXPECT_GE(got[i].at - got[i - 1].at, milliseconds(400)) << "no back-off before attempt " << i;
  }

  // The receiver recovers; the administrator replays the dead letter: it arrives, same id.
  receiver.set_status(200);
  Session sysadmin = Login("sysadmin");
  std::string id = std::to_string(dead[0].at("id").as_int64());
  auto r = Call(verb::post, "/api/v1/webhook-deliveries/" + id + "/replay", {}, &sysadmin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "pending");
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 4; }));
  EXPECT_EQ(receiver.requests()[3].headers.at("idempotency-key"),
            got[0].headers.at("idempotency-key"));
  ASSERT_TRUE(WaitFor([&] { return AdminDeliveries("delivered").size() == 1; }));
  EXPECT_EQ(Call(verb::post, "/api/v1/webhook-deliveries/" + id + "/replay", {}, &sysadmin).status,
            409);
  EXPECT_EQ(Call(verb::post, "/api/v1/webhook-deliveries/99999999/replay", {}, &sysadmin).status,
            404);
  Session approver = Login("sc.approver");
  EXPECT_EQ(Call(verb::post, "/api/v1/webhook-deliveries/" + id + "/replay", {}, &approver).status,
            403);

  // A refusal (400) is not retried: dead after one attempt.
  receiver.set_status(400);
  ASSERT_FALSE(Apply(zhang).empty());
  ASSERT_TRUE(WaitFor([&] { return AdminDeliveries("dead").size() == 1; }));
  dead = AdminDeliveries("dead");
  EXPECT_EQ(dead[0].at("attempts"), 1);
  EXPECT_EQ(dead[0].at("response_status"), 400);
  EXPECT_EQ(receiver.count(), 5u);

  // The administrator disables the subscription: its dead letter is cancelled, cannot be
  // replayed, and new events are not recorded for it.
  auto off = Call(verb::post, "/api/v1/webhook-subscriptions/" + sub + "/disable", {}, &sysadmin);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(AdminDeliveries("dead").size(), 0u);
  EXPECT_EQ(AdminDeliveries("cancelled").size(), 1u);
  ASSERT_FALSE(Apply(zhang).empty());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(AdminDeliveries("").size(), 2u);
  EXPECT_EQ(
      client_
          ->Send(verb::get, "/api/v1/webhook-deliveries?status=lost", {}, server_->AdminHeaders())
          .status,
      422);
}

OW_INSTANTIATE_STORE_TESTS(WebhooksTest);

}  // namespace
}  // namespace ow::testing
