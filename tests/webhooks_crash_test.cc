// A department system's webhook endpoint that is down for a while, then comes back, while
// the platform is killed with SIGKILL in the middle of delivering and started again: every
// committed event arrives, none lost, and after deduplication by Idempotency-Key each
// exactly once (the one in flight at the kill arrives twice with the same key and the same
// bytes). Both stores; the real `onewindow serve` binary (OW_BINARY).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "app/app.h"
#include "db/database.h"
#include "support/test_support.h"
#include "support/webhook_receiver.h"
#include "webhooks/service.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kEvents = 40;

class WebhooksCrashTest : public StoreTest {
 protected:
  pid_t Serve() {
    pid_t pid = fork();
    if (pid == 0) {
      setenv("ONEWINDOW_DATABASE_URL", db_url().c_str(), 1);
      setenv("ONEWINDOW_KEY_FILE", (dir_ + "/keys.json").c_str(), 1);
      setenv("ONEWINDOW_WEBHOOKS_ALLOW_HTTP", "1", 1);
      setenv("ONEWINDOW_WEBHOOKS_DELIVERY_PERIOD_MS", "50", 1);
      setenv("ONEWINDOW_WEBHOOKS_LEASE_SECONDS", "2", 1);
      setenv("ONEWINDOW_WEBHOOKS_RETRY_BASE_SECONDS", "1", 1);
      setenv("ONEWINDOW_WEBHOOKS_RETRY_MAX_SECONDS", "1", 1);
      setenv("ONEWINDOW_WEBHOOKS_MAX_ATTEMPTS", "100", 1);
      std::string log = dir_ + "/server.log";
      if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
      execl(OW_BINARY, OW_BINARY, "serve", "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  std::string dir_;
};

TEST_P(WebhooksCrashTest, EveryEventArrivesOnceByIdempotencyKeyAfterAnOutageAndAKill) {
  char tmpl[] = "/tmp/ow-whcrash-XXXXXX";
  dir_ = mkdtemp(tmpl);
  WebhookReceiver receiver;
  receiver.Down();

  // The events, committed before any server runs: one subscription of a department's
  // system, kEvents case events of that department.
  std::set<std::string> published;
  {
    Config config;
    config.database_url = db_url();
    auto db = app::OpenDatabase(config);
    ASSERT_TRUE(db) << db.error().message;
    webhooks::Service svc(**db, {});
    auto st = (*db)->Transact([&](db::Connection& c) -> ::ow::Status {
      OW_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO webhook_subscriptions (id, client_id, department_code, url, events, status, "
          "created_at, disabled_by, disabled_at) VALUES ('WScrash', 'crash-client', "
          "'330102-SCJG', $1, ',case.submitted,', 'active', '2026-01-01T00:00:00Z', '', '')",
          {receiver.url()}));
      for (int i = 0; i < kEvents; ++i) {
        webhooks::DomainEvent e;
        e.type = webhooks::kCaseSubmitted;
        e.department_code = "330102-SCJG";
        e.region_code = "330102";
        e.subject = "SL" + std::to_string(i);
        e.data = {{"tracking_no", e.subject}};
        OW_RETURN_IF_ERROR(svc.Publish(c, e));
      }
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT event_id FROM webhook_deliveries"));
      for (size_t i = 0; i < r.size(); ++i) published.insert(r.Text(i, 0));
      return {};
    });
    ASSERT_TRUE(st) << st.error().message;
    (*db)->Close();
  }
  ASSERT_EQ(published.size(), static_cast<size_t>(kEvents));

  // The endpoint is down: the server's attempts are refused and scheduled again.
  pid_t first = Serve();
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(receiver.count(), 0u);
  // It comes back, slow: the 4th event is received but its answer held 1.5 s, and the
  // server is killed in that moment, before it can record the event delivered.
  receiver.set_delay(milliseconds(1500));
  receiver.Up();
  auto until = std::chrono::steady_clock::now() + seconds(60);
  while (receiver.count() < 4 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(5));
  kill(first, SIGKILL);
  int status = 0;
  waitpid(first, &status, 0);
  receiver.set_delay(milliseconds(0));
  size_t at_kill = receiver.count();
  ASSERT_GE(at_kill, 4u);
  ASSERT_LT(at_kill, static_cast<size_t>(kEvents)) << "all sent before the kill: nothing tested";

  pid_t second = Serve();
  std::set<std::string> keys;
  until = std::chrono::steady_clock::now() + seconds(90);
  while (std::chrono::steady_clock::now() < until) {
    keys.clear();
    for (const auto& r : receiver.requests()) keys.insert(r.headers.at("idempotency-key"));
    if (keys.size() >= static_cast<size_t>(kEvents)) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  std::this_thread::sleep_for(milliseconds(500));  // a late repeat would show up
  kill(second, SIGTERM);
  waitpid(second, &status, 0);

  auto got = receiver.requests();
  std::map<std::string, int> seen;
  std::map<std::string, std::string> body_of;
  for (const auto& r : got) {
    const std::string& key = r.headers.at("idempotency-key");
    ++seen[key];
    EXPECT_EQ(json::parse(r.body).at("id").as_string(), key);
    if (body_of.count(key)) {
      EXPECT_EQ(body_of[key], r.body) << "a repeat differs: " << key;
    }
    body_of[key] = r.body;
  }
  std::set<std::string> received;
  for (const auto& [key, n] : seen) received.insert(key);
  EXPECT_EQ(received, published) << "an event was lost or invented";
  int repeats = 0;
  for (const auto& [key, n] : seen) repeats += n - 1;
  EXPECT_EQ(repeats, 1) << "only the event in flight at the kill should repeat, once";
  std::cout << "webhooks crash test: " << at_kill << " of " << kEvents
            << " received before SIGKILL, " << got.size() << " requests in all, " << repeats
            << " repeated (same Idempotency-Key)\n";

  Config config;
  config.database_url = db_url();
  auto db = app::OpenDatabase(config);
  ASSERT_TRUE(db);
  int64_t delivered = -1;
  ASSERT_TRUE((*db)->Read([&](db::Connection& c) -> ::ow::Status {
    OW_ASSIGN_OR_RETURN(
        auto r, c.Query("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'"));
    delivered = r.Int(0, 0);
    return {};
  }));
  EXPECT_EQ(delivered, kEvents);
  (*db)->Close();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

OW_INSTANTIATE_STORE_TESTS(WebhooksCrashTest);

}  // namespace
}  // namespace ow::testing
