// Notifications on both stores, as people rely on them: the one inbox (case messages
// included), preferences with the e-mail address check through a real SMTP server
// (aiosmtpd) whose mails Python's e-mail parser reads back, a case's status change
// arriving by e-mail in the person's language, nothing sent for a rolled-back
// transaction, retries with back-off, dead letters and their requeue, SMS through a
// stand-in gateway (a 500, then success), and what other people, staff, tokens and
// unverified addresses cannot do.
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "app/app.h"
#include "db/database.h"
#include "db/migrations.h"
#include "notify/service.h"
#include "notify/store.h"
#include "support/cases_fixture.h"
#include "support/mail_sink.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;
constexpr const char* kItem = "3301-SCJG-GTDJ";

class NotifyTest : public CasesFixture {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    sink_ = std::make_unique<SmtpSink>();
    ASSERT_NE(sink_->port(), 0);
    StartWith({});
  }
  void StartWith(const std::function<void(Config&)>& more) {
    Start([&](Config& c) {
      c.notify_smtp_host = "127.0.0.1";
      c.notify_smtp_port = sink_->port();
      c.notify_smtp_from = "noreply@onewindow.test";
      c.notify_smtp_helo = "onewindow.test";
      c.notify_smtp_timeout_ms = 5000;
      // The tests deliver themselves, at chosen times.
      c.notify_delivery_period_ms = 3600000;
      c.notify_max_attempts = 3;
      c.notify_retry_base_seconds = 60;
      if (more) more(c);
    });
  }
  notify::Service& Notify() { return server_->app().notify(); }
  int64_t Deliver(SystemTime at = std::chrono::system_clock::now()) {
    auto n = Notify().DeliverDue(at);
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }
  json::value Prefs(const Session& s) {
    auto r = Call(verb::get, "/api/v1/me/notification-preferences", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  // The 6-digit code in the newest mail to `to`.
  std::string CodeIn(const json::array& mails, const std::string& to) {
    std::string code;
    for (const auto& m : mails) {
      if (m.at("to") != to.c_str()) continue;
      std::smatch match;
      std::string subject(m.at("subject").as_string());
      if (std::regex_search(subject, match, std::regex("([0-9]{6})"))) code = match[1];
    }
    return code;
  }
  // Sets and verifies `email` for `s` (the code read from the mail it was sent).
  void VerifiedEmail(const Session& s, const std::string& email) {
    size_t before = sink_->Mails().size();
    auto r =
        Call(verb::post, "/api/v1/me/notification-preferences/email", Json({{"email", email}}), &s);
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.json().at("email_pending"), email.c_str());
    EXPECT_EQ(Deliver(), 1);
    auto mails = sink_->WaitFor(before + 1, seconds(10));
    std::string code = CodeIn(mails, email);
    ASSERT_EQ(code.size(), 6u) << json::serialize(mails);
    r = Call(verb::post, "/api/v1/me/notification-preferences/email/verification",
             Json({{"code", code}}), &s);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("email"), email.c_str());
    EXPECT_TRUE(r.json().at("email_pending").is_null());
  }
  HttpResponse Choose(const Session& s, json::object topics, std::string lang = "") {
    json::object body{{"topics", std::move(topics)}};
    if (!lang.empty()) body["lang"] = lang;
    return Call(verb::put, "/api/v1/me/notification-preferences", Json(body), &s);
  }
  // One message for `account` written in a transaction that commits when `commit`.
  ::ow::Status WriteMessage(const std::string& account, bool commit,
                            const std::string& dedupe = "") {
    return server_->app().database().Transact([&](db::Connection& c) -> ::ow::Status {
      notify::Outgoing m;
      m.account_id = account;
      m.topic = "case";
      m.code = "case.progress";
      m.params = {{"tracking_no", "2030060600000000015"}, {"item_name", "测试事项"}};
      m.ref = "2030060600000000015";
      m.link = "/me/cases/2030060600000000015";
      m.dedupe_key = dedupe;
      OW_RETURN_IF_ERROR(Notify().Notify(c, m));
      if (!commit) return Conflict("rolled back on purpose");
      return {};
    });
  }
  json::array Deliveries(const std::string& status) {
    Session sys = Login("sysadmin");
    auto r = Call(verb::get, "/api/v1/notification-deliveries?status=" + status, {}, &sys);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("deliveries").as_array() : json::array{};
  }
  std::unique_ptr<SmtpSink> sink_;
};

TEST_P(NotifyTest, ACaseStatusChangeArrivesByEmailInThePersonsLanguage) {
  Session zhang = Login("zhangsan");
  auto p = Prefs(zhang);
  EXPECT_EQ(p.at("channels"), (json::array{"portal", "email"}));
  EXPECT_EQ(p.at("topics").at("case"), (json::array{"portal"}));
  VerifiedEmail(zhang, "zhang@example.test");
  auto r = Choose(zhang, {{"case", json::array{"portal", "email"}}}, "en");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("topics").at("case"), (json::array{"portal", "email"}));
  EXPECT_EQ(r.json().at("lang"), "en");

  size_t before = sink_->Mails().size();
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  std::string no(submitted.json().at("tracking_no").as_string());
  EXPECT_EQ(Deliver(), 1);
  auto mails = sink_->WaitFor(before + 1, seconds(10));
  ASSERT_EQ(mails.size(), before + 1) << json::serialize(mails);
  const auto& mail = mails.back();
  EXPECT_EQ(mail.at("rcpt_tos"), (json::array{"zhang@example.test"}));
  EXPECT_EQ(mail.at("to"), "zhang@example.test");
  EXPECT_EQ(mail.at("from"), "noreply@onewindow.test");
  EXPECT_EQ(mail.at("subject"), ("OneWindow: news about " + no).c_str());
  EXPECT_EQ(mail.at("charset"), "utf-8");
  EXPECT_EQ(mail.at("defects"), json::array{});
  std::string body(mail.at("body").as_string());
  EXPECT_NE(body.find("Your case " + no), std::string::npos) << body;
  EXPECT_NE(body.find("submitted, awaiting acceptance"), std::string::npos) << body;
  EXPECT_NE(body.find("/me/cases/" + no), std::string::npos) << body;
  std::string id(mail.at("message_id").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex("<[0-9]+\\.onewindow@onewindow\\.test>"))) << id;

  // Chinese when the person chooses it: subject as RFC 2047 words, body in UTF-8.
  ASSERT_EQ(Choose(zhang, {}, "zh-CN").status, 200);
  ASSERT_EQ(Submit(zhang, kItem, "330102", GtdjForm()).status, 201);
  EXPECT_EQ(Deliver(), 1);
  mails = sink_->WaitFor(before + 2, seconds(10));
  ASSERT_EQ(mails.size(), before + 2);
  EXPECT_EQ(std::string(mails.back().at("subject").as_string()).rfind("一网通办：", 0), 0u)
      << mails.back().at("subject");
  EXPECT_NE(std::string(mails.back().at("body").as_string()).find("已提交，等待受理"),
            std::string::npos);

  // The inbox has both, as before (case_no, status, text in the reader's language).
  auto inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang, {{"Accept-Language", "en"}});
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  const json::value listed = inbox.json();
  const auto& newest = listed.at("messages").at(1);
  EXPECT_EQ(newest.at("topic"), "case");
  EXPECT_EQ(newest.at("case_no"), no.c_str());
  EXPECT_EQ(newest.at("status"), "submitted");
  EXPECT_EQ(newest.at("link"), ("/me/cases/" + no).c_str());
  EXPECT_EQ(newest.at("text"),
            ("Your case " + no + " (个体工商户设立登记): submitted, awaiting acceptance").c_str());
  // Sent once: nothing is left to deliver.
  EXPECT_EQ(Deliver(), 0);
}

TEST_P(NotifyTest, ARolledBackTransactionSendsNothing) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  size_t before = sink_->Mails().size();
  EXPECT_FALSE(WriteMessage(zhang.account_id, false));
  EXPECT_EQ(Deliver(), 0);
  auto inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang);
  EXPECT_EQ(inbox.json().at("messages").as_array().size(), 0u) << inbox.body;
  EXPECT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(sink_->WaitFor(before + 1, seconds(10)).size(), before + 1);
  // A dedupe key makes a second Notify a no-op: one inbox row, one mail.
  EXPECT_TRUE(WriteMessage(zhang.account_id, true, "reminder-1"));
  EXPECT_TRUE(WriteMessage(zhang.account_id, true, "reminder-1"));
  EXPECT_EQ(Deliver(), 1);
  inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang);
  EXPECT_EQ(inbox.json().at("messages").as_array().size(), 2u);
  EXPECT_EQ(inbox.json().at("unread"), 2);
}

TEST_P(NotifyTest, FailuresAreRetriedWithBackOffThenDeadUntilRequeued) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  size_t before = sink_->Mails().size();
  sink_->Refuse("451");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  SystemTime t0 = std::chrono::system_clock::now();
  EXPECT_EQ(Deliver(t0), 1);
  auto pending = Deliveries("pending");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].at("attempts"), 1);
  EXPECT_NE(std::string(pending[0].at("last_error").as_string()).find("451"), std::string::npos);
  // Base 60 s with jitter 0.5x..1.5x: not due after 29 s, due after 91 s.
  auto next = ParseTime(std::string(pending[0].at("next_attempt_at").as_string()));
  ASSERT_TRUE(next);
  EXPECT_GE(*next, t0 + seconds(29));
  EXPECT_LE(*next, t0 + seconds(91));
  EXPECT_EQ(Deliver(t0 + seconds(20)), 0);
  EXPECT_EQ(Deliver(t0 + seconds(95)), 1);
  pending = Deliveries("pending");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].at("attempts"), 2);
  // The second wait doubles: at least 60 s after the second attempt.
  next = ParseTime(std::string(pending[0].at("next_attempt_at").as_string()));
  EXPECT_GE(*next, t0 + seconds(95 + 59));
  EXPECT_EQ(Deliver(t0 + seconds(400)), 1);  // the third and last attempt
  auto dead = Deliveries("dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].at("attempts"), 3);
  EXPECT_EQ(Deliver(t0 + seconds(100000)), 0);  // dead stays dead
  EXPECT_EQ(sink_->Mails().size(), before);

  // Staff who read cases, the person themselves and the security administrator may not
  // see or requeue deliveries (addresses are personal data).
  std::string id = std::to_string(dead[0].at("id").as_int64());
  for (const char* who : {"zhangsan", "sc.acceptor", "secadmin", "auditor"}) {
    Session s = Login(who);
    EXPECT_EQ(Call(verb::get, "/api/v1/notification-deliveries", {}, &s).status, 403) << who;
    EXPECT_EQ(Call(verb::post, "/api/v1/notification-deliveries/" + id + "/requeue", {}, &s).status,
              403)
        << who;
  }
  sink_->Accept();
  Session sys = Login("sysadmin");
  auto r = Call(verb::post, "/api/v1/notification-deliveries/" + id + "/requeue", {}, &sys);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "pending");
  EXPECT_EQ(Call(verb::post, "/api/v1/notification-deliveries/" + id + "/requeue", {}, &sys).status,
            409);
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(sink_->WaitFor(before + 1, seconds(10)).size(), before + 1);
  EXPECT_EQ(Deliveries("sent").size(), 2u);  // the address check and this one
}

TEST_P(NotifyTest, APermanentRefusalIsDeadAtOnce) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  sink_->Refuse("550");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(), 1);
  auto dead = Deliveries("dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].at("attempts"), 1);
  EXPECT_NE(std::string(dead[0].at("last_error").as_string()).find("550"), std::string::npos);
}

TEST_P(NotifyTest, SmsGoThroughTheGatewayAndA500IsRetried) {
  SmsGateway gw;
  StartWith([&](Config& c) {
    c.notify_sms_url = gw.url();
    c.notify_sms_token = "sms-secret";
  });
  Session zhang = Login("zhangsan");
  auto p = Prefs(zhang);
  EXPECT_EQ(p.at("channels"), (json::array{"portal", "email", "sms"}));
  auto r =
      Call(verb::put, "/api/v1/me/notification-preferences",
           Json({{"phone", "13800000009"}, {"topics", {{"case", json::array{"sms"}}}}}), &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("sms_phone"), "13800000009");
  gw.Queue(500, "{}");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  SystemTime t0 = std::chrono::system_clock::now();
  EXPECT_EQ(Deliver(t0), 1);
  EXPECT_EQ(Deliveries("pending").size(), 1u);
  EXPECT_EQ(Deliver(t0 + seconds(200)), 1);
  auto sent = Deliveries("sent");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("provider_id"), "gw-2");
  auto seen = gw.Requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].authorization, "Bearer sms-secret");
  json::value body = json::parse(seen[1].body);
  EXPECT_EQ(body.at("to"), "13800000009");
  EXPECT_EQ(body.at("id"), seen.size() ? json::parse(seen[0].body).at("id") : json::value());
  std::string text(body.at("text").as_string());
  EXPECT_EQ(text.rfind("【一网通办】", 0), 0u) << text;
  // A 4xx is no use retrying: dead.
  gw.Queue(400, "{}");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(t0 + seconds(300)), 1);
  EXPECT_EQ(Deliveries("dead").size(), 1u);
}

TEST_P(NotifyTest, UnverifiedAddressesGetNothingAndCodesAreLimited) {
  Session zhang = Login("zhangsan");
  auto r = Call(verb::post, "/api/v1/me/notification-preferences/email",
                Json({{"email", "zhang@example.test"}}), &zhang);
  ASSERT_EQ(r.status, 202) << r.body;
  // A second code within a minute: 429.
  EXPECT_EQ(Call(verb::post, "/api/v1/me/notification-preferences/email",
                 Json({{"email", "other@example.test"}}), &zhang)
                .status,
            429);
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  EXPECT_EQ(Deliver(), 1);  // the code only
  size_t before = sink_->WaitFor(1, seconds(10)).size();
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(), 0);  // no verified address: nothing
  EXPECT_EQ(sink_->Mails().size(), before);
  // Wrong codes: 422, then no tries left, and the right code no longer works.
  for (int i = 0; i < 5; ++i) {
    r = Call(verb::post, "/api/v1/me/notification-preferences/email/verification",
             Json({{"code", "000000x"}}), &zhang);
    EXPECT_EQ(r.status, 422) << r.body;
  }
  std::string code = CodeIn(sink_->Mails(), "zhang@example.test");
  r = Call(verb::post, "/api/v1/me/notification-preferences/email/verification",
           Json({{"code", code}}), &zhang);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_TRUE(Prefs(zhang).at("email").is_null());
  // Bad input: 422 with fields, nothing changed.
  r = Call(verb::post, "/api/v1/me/notification-preferences/email", Json({{"email", "not-mail"}}),
           &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::put, "/api/v1/me/notification-preferences",
           Json({{"lang", "fr"}, {"topics", {{"gossip", json::array{"email"}}}}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::put, "/api/v1/me/notification-preferences",
           Json({{"topics", {{"case", json::array{"pigeon"}}}}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_P(NotifyTest, OthersCannotReadOrChangeMyPreferencesOrInbox) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  auto inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang);
  int64_t id = inbox.json().at("messages").at(0).at("id").as_int64();

  // Another person sees their own (empty) preferences and inbox, and cannot mark mine.
  Session li = Login("lisi");
  EXPECT_TRUE(Prefs(li).at("email").is_null());
  EXPECT_EQ(Call(verb::get, "/api/v1/me/messages", {}, &li).json().at("messages").as_array().size(),
            0u);
  EXPECT_EQ(Call(verb::post, "/api/v1/me/messages/" + std::to_string(id) + "/read", {}, &li).status,
            404);
  EXPECT_TRUE(Call(verb::get, "/api/v1/me/messages", {}, &zhang)
                  .json()
                  .at("messages")
                  .at(0)
                  .at("read_at")
                  .is_null());
  EXPECT_EQ(
      Call(verb::post, "/api/v1/me/messages/" + std::to_string(id) + "/read", {}, &zhang).status,
      204);

  // Without the session's CSRF token a change is refused.
  auto r = client_->Send(verb::put, "/api/v1/me/notification-preferences", Json({{"lang", "en"}}),
                         {{"Cookie", zhang.cookie}, {"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 403) << r.body;
  // Nobody signed in: 401.
  EXPECT_EQ(Call(verb::get, "/api/v1/me/notification-preferences").status, 401);
  // A relying party's token, even with every scope the person has, may not touch them.
  HttpClient raw(server_->port());
  Caller user = SignIn(raw, "zhangsan");
  Caller token = UserToken(raw, *server_, user, "openid cases.read cases.write");
  EXPECT_EQ(raw.Get("/api/v1/me/notification-preferences", token.headers).status, 403);
  auto headers = token.headers;
  headers["Content-Type"] = "application/json";
  EXPECT_EQ(raw.Send(verb::post, "/api/v1/me/notification-preferences/email",
                     Json({{"email", "evil@example.test"}}), headers)
                .status,
            403);
  // A token without cases.read cannot read the inbox.
  Caller weak = UserToken(raw, *server_, user, "openid profile");
  EXPECT_EQ(raw.Get("/api/v1/me/messages", weak.headers).status, 403);
  // Client tokens and the administrator token are nobody's person.
  Caller client = ClientToken(raw, *server_, "cases.read");
  EXPECT_EQ(raw.Get("/api/v1/me/notification-preferences", client.headers).status, 403);
  EXPECT_EQ(Prefs(zhang).at("email"), "zhang@example.test");
}

TEST_P(NotifyTest, ChannelsNotConfiguredAreNotOffered) {
  Start([](Config& c) { c.notify_smtp_host = ""; });
  Session zhang = Login("zhangsan");
  EXPECT_EQ(Prefs(zhang).at("channels"), (json::array{"portal"}));
  auto r = Choose(zhang, {{"case", json::array{"email"}}});
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::post, "/api/v1/me/notification-preferences/email",
           Json({{"email", "zhang@example.test"}}), &zhang);
  EXPECT_EQ(r.status, 409) << r.body;
}

// Several workers (threads here, server processes in production: each on its own
// connection) claiming at once never send one delivery twice and leave none behind.
TEST_P(NotifyTest, ConcurrentWorkersSendEachDeliveryOnce) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  size_t before = sink_->Mails().size();
  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  std::atomic<int64_t> attempted{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        auto n = Notify().DeliverDue(std::chrono::system_clock::now());
        if (n) attempted += *n;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(attempted.load(), kMessages);
  auto mails = sink_->WaitFor(before + kMessages, seconds(20));
  std::set<std::string> ids;
  for (size_t i = before; i < mails.size(); ++i)
    ids.insert(std::string(mails[i].at("message_id").as_string()));
  EXPECT_EQ(mails.size(), before + kMessages);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(Deliveries("pending").size(), 0u);
  EXPECT_EQ(Deliveries("sending").size(), 0u);
}

// A worker whose lease ran out while it was sending, and whose row another worker claimed
// again, records nothing: its outcome (sent, retry, dead or release) is fenced by its claim,
// so it can neither overwrite the new claim's outcome nor hand the row back while the new
// worker sends it.
TEST_P(NotifyTest, AStaleWorkerCannotOverwriteTheNextClaim) {
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "zhang@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  auto& database = server_->app().database();
  SystemTime t0 = std::chrono::system_clock::now() + seconds(1);
  auto claim = [&](SystemTime at) {
    std::vector<notify::Delivery> got;
    EXPECT_TRUE(database.Transact([&](db::Connection& c) -> ::ow::Status {
      OW_ASSIGN_OR_RETURN(
          got, notify::store::ClaimDue(c, FormatTime(at), FormatTime(at + seconds(120)), 10));
      return {};
    }));
    return got;
  };
  auto write = [&](auto&& fn) {
    bool changed = false;
    EXPECT_TRUE(database.Transact([&](db::Connection& c) -> ::ow::Status {
      OW_ASSIGN_OR_RETURN(changed, fn(c));
      return {};
    }));
    return changed;
  };
  auto a = claim(t0);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(claim(t0 + seconds(60)).empty());  // A's lease still holds
  auto b = claim(t0 + seconds(121));             // A's lease expired: B claims again
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b[0].id, a[0].id);
  EXPECT_EQ(b[0].attempts, a[0].attempts + 1);
  // A, late, reports each possible outcome: none changes the row.
  auto at = FormatTime(t0 + seconds(130));
  EXPECT_FALSE(write([&](db::Connection& c) { return notify::store::MarkSent(c, a[0], at, "x"); }));
  EXPECT_FALSE(write(
      [&](db::Connection& c) { return notify::store::MarkRetry(c, a[0], at, "stale retry"); }));
  EXPECT_FALSE(
      write([&](db::Connection& c) { return notify::store::MarkDead(c, a[0], "stale dead"); }));
  EXPECT_FALSE(write([&](db::Connection& c) { return notify::store::Release(c, a[0]); }));
  auto sending = Deliveries("sending");
  ASSERT_EQ(sending.size(), 1u);
  EXPECT_EQ(sending[0].at("attempts"), b[0].attempts);
  EXPECT_EQ(sending[0].at("last_error"), "");
  EXPECT_TRUE(claim(t0 + seconds(140)).empty());  // nobody else can take B's row
  // B's outcome is recorded, once.
  EXPECT_TRUE(write([&](db::Connection& c) { return notify::store::MarkSent(c, b[0], at, "b"); }));
  EXPECT_FALSE(
      write([&](db::Connection& c) { return notify::store::MarkRetry(c, b[0], at, "late"); }));
  auto sent = Deliveries("sent");
  ASSERT_EQ(sent.size(), 2u);  // the address check, and this one as B recorded it
  EXPECT_EQ(sent[0].at("provider_id"), "b");
  EXPECT_EQ(Deliveries("pending").size(), 0u);
}

// Messages queued for an address the person then replaces go to the new address: those
// waiting for a retry, and dead ones an administrator requeues later. Removing the address
// withdraws what is still unsent (the inbox keeps it). The same for an SMS phone.
TEST_P(NotifyTest, UnsentMessagesFollowAChangedAddress) {
  SmsGateway gw;
  StartWith([&](Config& c) {
    c.notify_sms_url = gw.url();
    c.notify_sms_token = "sms-secret";
  });
  Session zhang = Login("zhangsan");
  VerifiedEmail(zhang, "old@example.test");
  ASSERT_EQ(Choose(zhang, {{"case", json::array{"email"}}}).status, 200);
  size_t before = sink_->Mails().size();
  // Two messages fail once (451) and wait for their retry; a third is dead after 3 tries.
  sink_->Refuse("451");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  SystemTime t0 = std::chrono::system_clock::now();
  EXPECT_EQ(Deliver(t0), 1);
  EXPECT_EQ(Deliver(t0 + seconds(100)), 1);
  EXPECT_EQ(Deliver(t0 + seconds(400)), 1);
  ASSERT_EQ(Deliveries("dead").size(), 1u);
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(t0 + seconds(400)), 2);
  ASSERT_EQ(Deliveries("pending").size(), 2u);
  sink_->Accept();
  // The person confirms a new address (its code goes out now; the two wait for their retry).
  VerifiedEmail(zhang, "new@example.test");
  for (const char* status : {"pending", "dead"})
    for (const auto& d : Deliveries(status)) EXPECT_EQ(d.at("address"), "new@example.test");
  Session sys = Login("sysadmin");
  std::string dead_id = std::to_string(Deliveries("dead")[0].at("id").as_int64());
  ASSERT_EQ(
      Call(verb::post, "/api/v1/notification-deliveries/" + dead_id + "/requeue", {}, &sys).status,
      200);
  EXPECT_EQ(Deliver(t0 + seconds(2000)), 3);
  auto mails = sink_->WaitFor(before + 4, seconds(10));  // the code and the three messages
  ASSERT_EQ(mails.size(), before + 4);
  for (size_t i = before; i < mails.size(); ++i) EXPECT_EQ(mails[i].at("to"), "new@example.test");

  // Removed: what is unsent is withdrawn, nothing goes to the old address; the inbox keeps it.
  sink_->Refuse("451");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(t0 + seconds(3000)), 1);
  ASSERT_EQ(Deliveries("pending").size(), 1u);
  auto removed = Call(verb::delete_, "/api/v1/me/notification-preferences/email", {}, &zhang);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(Deliveries("pending").size(), 0u);
  EXPECT_EQ(Deliver(t0 + seconds(9000)), 0);
  auto inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang);
  EXPECT_EQ(inbox.json().at("messages").as_array().size(), 4u) << inbox.body;

  // SMS: a message waiting for its retry goes to the phone set meanwhile.
  auto r =
      Call(verb::put, "/api/v1/me/notification-preferences",
           Json({{"phone", "13800000009"}, {"topics", {{"case", json::array{"sms"}}}}}), &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  gw.Queue(500, "{}");
  ASSERT_TRUE(WriteMessage(zhang.account_id, true));
  EXPECT_EQ(Deliver(t0 + seconds(9000)), 1);
  r = Call(verb::put, "/api/v1/me/notification-preferences", Json({{"phone", "13900000001"}}),
           &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Deliver(t0 + seconds(12000)), 1);
  auto seen = gw.Requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(json::parse(seen[0].body).at("to"), "13800000009");
  EXPECT_EQ(json::parse(seen[1].body).at("to"), "13900000001");
}

TEST_P(NotifyTest, CaseMessagesWrittenBeforeTheMoveJoinTheInbox) {
  Session zhang = Login("zhangsan");
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  std::string no(submitted.json().at("tracking_no").as_string());
  int64_t case_id = 0;
  // A message the cases domain wrote itself before notify existed, read already.
  db::Database& database = server_->app().database();
  ASSERT_TRUE(database.Transact([&](db::Connection& c) -> ::ow::Status {
    if (case_id == 0) {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT MAX(id) FROM cases"));
      case_id = r.Int(0, 0);
    }
    json::object params{
        {"tracking_no", no}, {"item_name", "个体工商户设立登记"}, {"status", "under_review"}};
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO case_messages (account_id, case_id, status, code, params, text, created_at, "
        "read_at) VALUES ($1, $2, 'under_review', 'case.status_changed', $3, '', "
        "'2020-01-02T03:04:05Z', '2020-01-02T03:05:00Z')",
        {zhang.account_id, case_id, json::serialize(params)}));
    OW_RETURN_IF_ERROR(
        c.Exec("DELETE FROM schema_migrations WHERE id = 'notify/002_case_messages'"));
    return {};
  }));
  auto applied = db::Migrate(database, app::AllMigrations());
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  auto inbox = Call(verb::get, "/api/v1/me/messages", {}, &zhang, {{"Accept-Language", "en"}});
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  const json::value listed = inbox.json();
  const auto& messages = listed.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u) << inbox.body;
  const auto& moved = messages.at(0);  // copied last, so newest by id
  EXPECT_EQ(moved.at("topic"), "case");
  EXPECT_EQ(moved.at("case_no"), no.c_str());
  EXPECT_EQ(moved.at("status"), "under_review");
  EXPECT_EQ(moved.at("link"), ("/me/cases/" + no).c_str());
  EXPECT_EQ(moved.at("created_at"), "2020-01-02T03:04:05Z");
  EXPECT_EQ(moved.at("read_at"), "2020-01-02T03:05:00Z");
  EXPECT_EQ(moved.at("text"),
            ("Your case " + no + " (个体工商户设立登记): accepted, under review").c_str());
  EXPECT_EQ(listed.at("unread"), 1);
}

OW_INSTANTIATE_STORE_TESTS(NotifyTest);

}  // namespace
}  // namespace ow::testing
