// Several OneWindow nodes on one database behave as one platform (issue 18, part 2): two
// servers share each test's database (SQLite file or PostgreSQL schema), and what one node
// writes, the other sees at its next request. Caches of rarely changing data (the catalog,
// signing keys, OIDC clients) compare a generation counter kept in the database; failed
// logins are counted there; background jobs run under leases there, and a node killed with
// SIGKILL while holding one loses it when it expires. See docs/architecture.md, "Several
// nodes".
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/encoding.h"
#include "db/shared_state.h"
#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kItem = "3301-SCJG-GTDJ";

// A review with a one-hour interrupting timer escalating to the city reviewer.
std::string EscalationProcess() {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:test">
  <bpmn:process id="escalating_nodes" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="区级审查" camunda:candidateGroups="reviewer"
      ow:department="330102-SCJG" ow:region="330102">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Late" name="超时上报" attachedToRef="Review" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="CityReview" name="市级督办审查" camunda:candidateGroups="reviewer"
      ow:department="3301-SCJG" ow:region="3301">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Merge"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Late" targetRef="CityReview"/>
    <bpmn:sequenceFlow id="f4" sourceRef="CityReview" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Merge" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>)";
}

// Node A is the fixture's seeded server; node B a second server on the same database.
class Nodes : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartB({});
  }
  void StartB(const std::function<void(Config&)>& tweak) {
    b_client_.reset();
    b_.reset();
    b_ = std::make_unique<TestServer>(db_url(), [&](Config& c) {
      c.password_concurrency = 4;
      // One platform: the nodes behind a load balancer share the issuer (A's address here).
      c.issuer = "http://127.0.0.1:" + std::to_string(server_->port());
      if (tweak) tweak(c);
    });
    b_client_ = std::make_unique<HttpClient>(b_->port());
  }
  // Runs `fn` with Call/Admin/Login/... going to node B.
  template <typename F>
  auto OnB(F fn) {
    std::swap(client_, b_client_);
    struct Back {
      Nodes* t;
      ~Back() { std::swap(t->client_, t->b_client_); }
    } back{this};
    return fn();
  }

  std::unique_ptr<TestServer> b_;
  std::unique_ptr<HttpClient> b_client_;
};

std::string KidOf(const std::string& jwt) {
  auto header = crypto::Base64UrlDecode(jwt.substr(0, jwt.find('.')));
  if (!header) return "";
  return std::string(json::parse(*header).at("kid").as_string());
}

TEST_P(Nodes, ACatalogChangeOnOneNodeIsSeenOnTheOtherAtOnce) {
  const std::string target = "/api/v1/catalog/bundles/ONE-BABY";
  // B reads the bundle twice: the second answer comes from B's response cache.
  auto before = OnB([&] { return Call(verb::get, target); });
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_EQ(OnB([&] { return Call(verb::get, target); }).body, before.body);
  // A changes it...
  json::object bundle = before.json().as_object();
  json::object body;
  for (const char* k :
       {"name", "name_en", "kind", "description", "description_en", "items", "intake_schema"})
    if (bundle.contains(k)) body[k] = bundle.at(k);
  body["name"] = "出生一件事（新版）";
  auto put = Admin(verb::put, target, Json(body));
  ASSERT_EQ(put.status, 200) << put.body;
  // ...and B's very next read shows the change.
  auto after = OnB([&] { return Call(verb::get, target); });
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json().at("name"), "出生一件事（新版）") << after.body;
}

TEST_P(Nodes, ACaseSubmittedOnOneNodeIsDecidedOnTheOtherAndReadBackOnTheFirst) {
  Session zhang = Login("zhangsan");
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  json::object c = submitted.json().as_object();
  // The acceptor, signed in on B, finds and accepts it at once.
  Session acceptor = OnB([&] { return Login("sc.acceptor"); });
  auto on_b = OnB([&] { return Call(verb::get, "/api/v1/cases/" + No(c), {}, &acceptor); });
  ASSERT_EQ(on_b.status, 200) << on_b.body;
  auto accepted = OnB([&] { return Accept(acceptor, on_b.json().as_object()); });
  ASSERT_FALSE(accepted.empty());
  // The applicant reads it on A right after.
  auto back = Call(verb::get, "/api/v1/cases/" + No(c), {}, &zhang);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json().at("status"), accepted.at("status")) << back.body;
}

TEST_P(Nodes, ACaseTimerFiresExactlyOnceWhenTwoNodesRaceForIt) {
  CasesFixture::UseProcess(kItem, "escalating_nodes", EscalationProcess());
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  json::object c = Accept(acceptor, submitted.json().as_object());
  ASSERT_FALSE(c.empty());
  // Both nodes look for due timers at the same moment, an hour and a minute later.
  auto later = std::chrono::system_clock::now() + std::chrono::minutes(61);
  std::atomic<int64_t> moved{0};
  std::vector<std::thread> sweeps;
  for (TestServer* node : {server_.get(), b_.get()})
    for (int i = 0; i < 3; ++i)
      sweeps.emplace_back([&, node] {
        auto n = node->app().cases().FireDueTimers(later);
        EXPECT_TRUE(n) << n.error().message;
        if (n) moved += *n;
      });
  for (auto& t : sweeps) t.join();
  EXPECT_GE(moved.load(), 1);  // sweeps that found it already fired count it too
  auto after = Call(verb::get, "/api/v1/cases/" + No(c), {}, &zhang);
  ASSERT_EQ(after.status, 200) << after.body;
  int fired = 0, city_tasks = 0;
  const json::value doc = after.json();
  for (const auto& e : doc.at("events").as_array()) fired += e.at("action") == "timer_fired";
  for (const auto& t : doc.at("tasks").as_array()) city_tasks += t.at("node") == "CityReview";
  EXPECT_EQ(fired, 1) << after.body;
  EXPECT_EQ(city_tasks, 1) << after.body;
}

TEST_P(Nodes, SigningKeysRotatedOnOneNodeSignAndVerifyOnTheOther) {
  // B issues and verifies a token before the rotation (its key ring is loaded).
  Caller before = OnB([&] { return ClientToken(*client_, *b_, "catalog.read"); });
  ASSERT_FALSE(before.headers.empty());
  const json::value jwks_before = OnB([&] { return Call(verb::get, "/oauth2/jwks"); }).json();
  // The security administrator rotates on A.
  Session sec = Login("secadmin");
  auto rotated = Call(verb::post, "/api/v1/oidc/keys/rotation", {}, &sec);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  // B's JWKS publishes A's new keys at once...
  auto jwks = OnB([&] { return Call(verb::get, "/oauth2/jwks"); });
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  std::set<std::string> published;
  const json::value jwks_doc = jwks.json(), rotated_doc = rotated.json();
  for (const auto& k : jwks_doc.at("keys").as_array())
    published.insert(std::string(k.at("kid").as_string()));
  for (const auto& k : rotated_doc.at("keys").as_array())
    EXPECT_TRUE(published.count(std::string(k.at("kid").as_string()))) << jwks.body;
  // ...and B signs with them: a token B issues now names one of the new kids (those A
  // published that B's JWKS did not before the rotation).
  std::set<std::string> fresh;
  for (const auto& k : rotated_doc.at("keys").as_array())
    fresh.insert(std::string(k.at("kid").as_string()));
  for (const auto& k : jwks_before.at("keys").as_array())
    fresh.erase(std::string(k.at("kid").as_string()));
  ASSERT_EQ(fresh.size(), 2u);  // one ES256 and one EdDSA key
  Caller after = OnB([&] { return ClientToken(*client_, *b_, "catalog.read"); });
  ASSERT_FALSE(after.headers.empty());
  std::string jwt = after.headers.at("Authorization").substr(7);
  EXPECT_TRUE(fresh.count(KidOf(jwt))) << KidOf(jwt);
  // A user's token A signs with a new key right after the rotation verifies on B: B's
  // userinfo answers it.
  Caller user = SignIn(*client_, "zhangsan");
  Caller from_a = UserToken(*client_, *server_, user, "openid profile");
  ASSERT_FALSE(from_a.headers.empty());
  EXPECT_TRUE(fresh.count(KidOf(from_a.headers.at("Authorization").substr(7))));
  auto info = b_client_->Get("/oauth2/userinfo", from_a.headers);
  EXPECT_EQ(info.status, 200) << info.body;
}

TEST_P(Nodes, AClientRegisteredOrDisabledOnOneNodeIsSoOnTheOtherAtOnce) {
  // Registered on A...
  auto reg = Admin(verb::post, "/api/v1/oidc/clients",
                   Json({{"name", "Nodes test client"},
                         {"type", "confidential"},
                         {"redirect_uris", json::array{"https://rp.example/cb"}},
                         {"grant_types", json::array{"client_credentials"}},
                         {"scopes", json::array{"catalog.read"}}}));
  ASSERT_EQ(reg.status, 201) << reg.body;
  std::string id(reg.json().at("client_id").as_string());
  std::string secret(reg.json().at("client_secret").as_string());
  std::string form = "grant_type=client_credentials&scope=catalog.read&client_id=" + id +
                     "&client_secret=" + secret;
  auto token = [&] {
    return b_client_->Send(verb::post, "/oauth2/token", form,
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  // ...gets tokens from B at once.
  auto t1 = token();
  EXPECT_EQ(t1.status, 200) << t1.body;
  // Disabled on A: B refuses it at its next request.
  auto off =
      Admin(verb::put, "/api/v1/oidc/clients/" + id + "/status", Json({{"status", "disabled"}}));
  ASSERT_EQ(off.status, 204) << off.body;
  auto t2 = token();
  EXPECT_EQ(t2.status, 401) << t2.body;
  // Enabled again on A: B serves it again.
  auto on =
      Admin(verb::put, "/api/v1/oidc/clients/" + id + "/status", Json({{"status", "active"}}));
  ASSERT_EQ(on.status, 204) << on.body;
  EXPECT_EQ(token().status, 200);
}

TEST_P(Nodes, FailedLoginsSpreadOverTwoNodesLockThePair) {
  // Both nodes with the same limit: three failures of one name from one address.
  Start([](Config& c) {
    c.lockout_threshold = 3;
    c.lockout_minutes = 5;
  });
  StartB([](Config& c) {
    c.lockout_threshold = 3;
    c.lockout_minutes = 5;
  });
  auto attempt = [](HttpClient& on, const std::string& password) {
    return on.SendJson(verb::post, "/api/v1/session",
                       Json({{"username", "zhangsan"}, {"password", password}}));
  };
  EXPECT_EQ(attempt(*client_, "guess-1").status, 401);
  EXPECT_EQ(attempt(*b_client_, "guess-2").status, 401);
  EXPECT_EQ(attempt(*client_, "guess-3").status, 401);
  // The pair now waits on either node, even with the right password.
  auto on_b = attempt(*b_client_, kDemoPassword);
  EXPECT_EQ(on_b.status, 429) << on_b.body;
  EXPECT_FALSE(on_b.header("retry-after").empty());
  EXPECT_EQ(attempt(*client_, kDemoPassword).status, 429);
}

TEST_P(Nodes, FailedCaseLookupsOnTwoNodesCountTogether) {
  Session zhang = Login("zhangsan");
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  std::string no(submitted.json().at("tracking_no").as_string());
  auto lookup = [&](HttpClient& on) {
    return on.SendJson(verb::post, "/api/v1/case-lookups",
                       Json({{"tracking_no", no}, {"name", "李四"}, {"id_last4", "0000"}}));
  };
  // Five wrong guesses at one number (its limit), three on A and two on B...
  for (int i = 0; i < 3; ++i) EXPECT_EQ(lookup(*client_).status, 404);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(lookup(*b_client_).status, 404);
  // ...and the number waits on both.
  auto on_b = lookup(*b_client_);
  EXPECT_EQ(on_b.status, 429) << on_b.body;
  EXPECT_EQ(lookup(*client_).status, 429);
}

TEST_P(Nodes, ALeaseIsHeldByOneHolderUntilItExpires) {
  auto& db = server_->app().database();
  const int64_t t0 = db::NowMillis();
  auto a = db::ClaimLease(db, "test:lease", "node-a", seconds(2), t0);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(*a);
  // Another holder cannot take it while it lasts; its holder renews it.
  EXPECT_FALSE(*db::ClaimLease(db, "test:lease", "node-b", seconds(2), t0 + 1000));
  EXPECT_TRUE(*db::ClaimLease(db, "test:lease", "node-a", seconds(2), t0 + 1500));
  EXPECT_FALSE(*db::ClaimLease(db, "test:lease", "node-b", seconds(2), t0 + 3000));
  // Expired (node-a stopped renewing): node-b takes it over, once.
  EXPECT_TRUE(*db::ClaimLease(db, "test:lease", "node-b", seconds(2), t0 + 3600));
  EXPECT_FALSE(*db::ClaimLease(db, "test:lease", "node-a", seconds(2), t0 + 3700));
  EXPECT_EQ(*db::LeaseHolder(db, "test:lease", t0 + 3700), "node-b");
  // Many claimants at once on two nodes' pools: exactly one wins.
  std::atomic<int> winners{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i)
    racers.emplace_back([&, i] {
      auto& on = (i % 2 ? server_ : b_)->app().database();
      auto won = db::ClaimLease(on, "test:race", "racer-" + std::to_string(i), seconds(30));
      EXPECT_TRUE(won) << won.error().message;
      if (won && *won) ++winners;
    });
  for (auto& t : racers) t.join();
  EXPECT_EQ(winners.load(), 1);
}

// A real `onewindow serve` takes the background jobs' leases, is killed with SIGKILL, and a
// second node takes them over once they expired, not before.
class NodeDeath : public StoreTest {};

TEST_P(NodeDeath, AKilledNodesJobsMoveToAnotherAfterTheLeaseExpires) {
  char tmpl[] = "/tmp/ow-nodes-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  pid_t pid = fork();
  if (pid == 0) {
    setenv("ONEWINDOW_DATABASE_URL", db_url().c_str(), 1);
    // The keys TestServer uses (support/test_support.cc): both nodes open the same
    // signing keys.
    setenv("ONEWINDOW_DATA_KEYS", ("1:" + std::string(64, 'a')).c_str(), 1);
    setenv("ONEWINDOW_INDEX_KEY", std::string(64, 'b').c_str(), 1);
    setenv("ONEWINDOW_KEY_FILE", (dir + "/keys.json").c_str(), 1);
    setenv("ONEWINDOW_JOB_LEASE_SECONDS", "3", 1);
    setenv("ONEWINDOW_CASE_TIMER_PERIOD_MS", "200", 1);
    std::string log = dir + "/server.log";
    if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
    execl(OW_BINARY, OW_BINARY, "serve", "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  // Whatever happens below, the child does not outlive the test.
  struct Reap {
    pid_t pid;
    bool done = false;
    ~Reap() {
      if (done) return;
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  } reap{pid};
  Config config;
  config.database_url = db_url();
  auto db = app::OpenDatabase(config);
  ASSERT_TRUE(db) << db.error().message;
  // Wait (at most 30 s) until the process holds the timers' lease.
  std::string first;
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (first.empty() && std::chrono::steady_clock::now() < deadline) {
    auto h = db::LeaseHolder(**db, "job:case_timers");
    if (h) first = *h;
    if (first.empty()) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_FALSE(first.empty()) << "the first node never took the case timers' lease";
  EXPECT_NE(first.find(":" + std::to_string(pid) + ":"), std::string::npos) << first;
  // A second node starts beside it: it cannot take the job while the first lives.
  TestServer b(db_url(), [](Config& c) {
    c.job_lease_seconds = 3;
    c.case_timer_period_ms = 200;
  });
  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_EQ(*db::LeaseHolder(**db, "job:case_timers"), first);
  // SIGKILL: no chance to hand the lease over.
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  reap.done = true;
  auto killed = std::chrono::steady_clock::now();
  std::string second;
  deadline = killed + seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto h = db::LeaseHolder(**db, "job:case_timers");
    if (h && !h->empty() && *h != first) {
      second = *h;
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  auto took = std::chrono::steady_clock::now() - killed;
  ASSERT_FALSE(second.empty()) << "no node took the job over";
  EXPECT_NE(second.find(":" + std::to_string(getpid()) + ":"), std::string::npos) << second;
  // The dead node's lease ran up to 3 s from its last renewal (every 200 ms).
  EXPECT_GE(took, milliseconds(2500));
  EXPECT_LE(took, seconds(6));
}

OW_INSTANTIATE_STORE_TESTS(Nodes);
OW_INSTANTIATE_STORE_TESTS(NodeDeath);

}  // namespace
}  // namespace ow::testing
