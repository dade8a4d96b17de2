// A server killed with SIGKILL in the middle of sending e-mail, then started again: every
// committed message still arrives at a real SMTP server (aiosmtpd), and the mail the SMTP
// server had stored but not yet acknowledged at the kill arrives twice with the same
// Message-ID (delivery is at least once; the receiver recognises the repeat by it). Both stores;
// the real `onewindow serve` binary (OW_BINARY).
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
#include "notify/service.h"
#include "support/mail_sink.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr int kMessages = 60;

class NotifyCrashTest : public StoreTest {
 protected:
  // `onewindow serve` on the test's database, delivering to `sink` every 50 ms.
  pid_t Serve(const SmtpSink& sink) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv("ONEWINDOW_DATABASE_URL", db_url().c_str(), 1);
      setenv("ONEWINDOW_KEY_FILE", (dir_ + "/keys.json").c_str(), 1);
      setenv("ONEWINDOW_NOTIFY_SMTP_HOST", "127.0.0.1", 1);
      setenv("ONEWINDOW_NOTIFY_SMTP_PORT", std::to_string(sink.port()).c_str(), 1);
      setenv("ONEWINDOW_NOTIFY_SMTP_HELO", "crash.test", 1);
      setenv("ONEWINDOW_NOTIFY_DELIVERY_PERIOD_MS", "50", 1);
      setenv("ONEWINDOW_NOTIFY_LEASE_SECONDS", "2", 1);
      std::string log = dir_ + "/server.log";
      if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
      execl(OW_BINARY, OW_BINARY, "serve", "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  size_t Received(const SmtpSink& sink) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(sink.folder()))
      n += e.path().extension() == ".eml";
    return n;
  }

  std::string dir_;
};

TEST_P(NotifyCrashTest, EveryMessageArrivesAfterAKillAndRepeatsKeepTheirMessageId) {
  char tmpl[] = "/tmp/ow-crash-XXXXXX";
  dir_ = mkdtemp(tmpl);
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);

  // The messages, committed before any server runs: one person with a verified address
  // who chose e-mail for cases.
  {
    Config config;
    config.database_url = db_url();
    auto db = app::OpenDatabase(config);
    ASSERT_TRUE(db) << db.error().message;
    notify::Options o;
    o.smtp_host = "127.0.0.1";
    notify::Service svc(**db, o);
    auto st = (*db)->Transact([&](db::Connection& c) -> ::ow::Status {
      OW_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO notify_preferences (account_id, lang, email, pending_email, code_hash, "
          "code_expires_at, code_attempts, phone, topics, version, updated_at) VALUES "
          "('acc_crash', "
          "'en', 'crash@example.test', '', '', '', 0, '', '{\"case\":[\"email\"]}', 1, '')"));
      for (int i = 0; i < kMessages; ++i) {
        notify::Outgoing m;
        m.account_id = "acc_crash";
        m.topic = "case";
        m.code = "case.progress";
        m.params = {{"tracking_no", "T" + std::to_string(i)}, {"item_name", "crash"}};
        m.ref = "T" + std::to_string(i);
        OW_RETURN_IF_ERROR(svc.Notify(c, m));
      }
      return {};
    });
    ASSERT_TRUE(st) << st.error().message;
    (*db)->Close();
  }

  // Killed in the worst moment: the SMTP server has stored the 4th mail but not yet
  // answered 250 (it waits 1.5 s), so the server cannot have recorded it as sent.
  sink.Delay(1.5);
  pid_t first = Serve(sink);
  auto until = std::chrono::steady_clock::now() + seconds(60);
  while (Received(sink) < 4 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(first, SIGKILL);
  sink.Delay(0);
  int status = 0;
  waitpid(first, &status, 0);
  size_t at_kill = Received(sink);
  ASSERT_GE(at_kill, 4u);
  ASSERT_LT(at_kill, static_cast<size_t>(kMessages)) << "all sent before the kill: nothing tested";

  pid_t second = Serve(sink);
  std::set<std::string> ids;
  std::map<std::string, int> seen;
  json::array mails;
  until = std::chrono::steady_clock::now() + seconds(90);
  while (std::chrono::steady_clock::now() < until) {
    if (Received(sink) >= static_cast<size_t>(kMessages)) {
      mails = sink.Mails();
      ids.clear();
      for (const auto& m : mails) ids.insert(std::string(m.at("message_id").as_string()));
      if (ids.size() == static_cast<size_t>(kMessages)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Let a late repeat show up, then stop the second server cleanly.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(second, SIGTERM);
  waitpid(second, &status, 0);
  mails = sink.Mails();
  std::map<std::string, std::string> body_of;
  for (const auto& m : mails) {
    std::string id(m.at("message_id").as_string());
    ++seen[id];
    std::string body(m.at("body").as_string());
    if (body_of.count(id)) {
      EXPECT_EQ(body_of[id], body) << "a repeat differs: " << id;
    }
    body_of[id] = body;
    EXPECT_EQ(m.at("to"), "crash@example.test");
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages)) << "some message never arrived";
  int repeats = 0;
  for (const auto& [id, n] : seen) repeats += n - 1;
  // Exactly the mail in flight at the kill came twice, with its Message-ID: the receiver
  // must deduplicate by Message-ID to show it once. No other mail repeats.
  EXPECT_EQ(repeats, 1) << "the mail stored just before the kill should repeat, once";
  std::cout << "notify crash test: " << at_kill << " of " << kMessages
            << " received before SIGKILL, " << mails.size() << " mails in all, " << repeats
            << " repeated (same Message-ID)\n";

  // Every delivery is recorded sent.
  Config config;
  config.database_url = db_url();
  auto db = app::OpenDatabase(config);
  ASSERT_TRUE(db);
  int64_t sent = -1;
  ASSERT_TRUE((*db)->Read([&](db::Connection& c) -> ::ow::Status {
    OW_ASSIGN_OR_RETURN(auto r,
                        c.Query("SELECT COUNT(*) FROM notify_outbox WHERE status = 'sent'"));
    sent = r.Int(0, 0);
    return {};
  }));
  EXPECT_EQ(sent, kMessages);
  (*db)->Close();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

OW_INSTANTIATE_STORE_TESTS(NotifyCrashTest);

}  // namespace
}  // namespace ow::testing
