// The audit log on SQLite and on a real PostgreSQL: append and list, the database
// refusing changes, the hash chain (checked with the openssl CLI as well), concurrent
// appenders, the background writer and its HTTP routes.
#include "audit/audit.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "audit/routes.h"
#include "audit/store.h"
#include "db/migrations.h"
#include "http/dispatcher.h"
#include "http/router.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using audit::Event;
using audit::Filter;
using audit::Record;

class AuditTest : public StoreTest {
 protected:
  // Migrates (or creates its tables) itself.
  TestDatabase::Schema schema() const override { return TestDatabase::Schema::kEmpty; }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db::Options o;
    o.pool_size = 8;
    auto opened = db::Open(db_url(), o);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
    auto applied = db::Migrate(*database_, audit::Migrations());
    ASSERT_TRUE(applied) << applied.error().message;
  }
  void TearDown() override {
    if (database_) database_->Close();
  }
  db::Database& database() { return *database_; }
  bool pg() const { return GetParam() == Store::kPostgres; }

  void Append(const Event& e) {
    auto st = database().Transact([&](db::Connection& c) { return audit::Append(c, e); });
    ASSERT_TRUE(st) << st.error().message;
  }

  std::vector<Record> ListAll(Filter f = {}) {
    f.limit = 200;
    auto page = audit::List(database(), f);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->records : std::vector<Record>{};
  }

  int64_t Count() {
    int64_t n = -1;
    auto st = database().Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT count(*) FROM audit_log"));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }

  // Runs SQL that the triggers are there to refuse; returns its status.
  Status Exec(const std::string& sql) {
    return database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Exec(sql));
      return {};
    });
  }

  // Removes the append-only triggers, as someone with DDL rights could.
  void DropTriggers() {
    auto st = database().Transact([&](db::Connection& c) {
      return c.ExecScript(
          pg() ? "DROP TRIGGER audit_log_no_update_delete ON audit_log"
               : "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
    });
    ASSERT_TRUE(st) << st.error().message;
  }

  std::unique_ptr<db::Database> database_;
};

Event Ev(std::string action, std::string actor, std::string subject, std::string outcome) {
  Event e;
  e.action = std::move(action);
  e.actor = std::move(actor);
  e.subject = std::move(subject);
  e.outcome = std::move(outcome);
  e.ip = "192.0.2.7";
  e.request_id = "req-1";
  return e;
}

std::vector<int64_t> Seqs(const std::vector<Record>& records) {
  std::vector<int64_t> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(r.seq);
  return out;
}

// A filter from (member, value) pairs: Q({{"actor", "alice"}}, 10).
Filter Q(std::initializer_list<std::pair<std::string_view, std::string>> members, int limit = 50) {
  Filter f;
  f.limit = limit;
  for (const auto& [name, value] : members) {
    std::string* field = name == "actor"     ? &f.actor
                         : name == "action"  ? &f.action
                         : name == "subject" ? &f.subject
                         : name == "outcome" ? &f.outcome
                         : name == "since"   ? &f.since
                         : name == "until"   ? &f.until
                         : name == "cursor"  ? &f.cursor
                                             : nullptr;
    EXPECT_NE(field, nullptr) << name;
    if (field) *field = value;
  }
  return f;
}

bool HasField(const Error& e, const std::string& field) {
  for (const auto& f : e.fields) {
    if (f.field == field) return true;
  }
  return false;
}

// "2025-03-01T02:30:00.123Z" written with a +08:00 offset: "2025-03-01T10:30:00.123+08:00".
std::string InChinaTime(const std::string& utc) {
  std::tm tm{};
  EXPECT_NE(strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr) << utc;
  std::time_t t = timegm(&tm) + std::time_t{8} * 3600;
  std::tm local{};
  gmtime_r(&t, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
  return std::string(buf) + utc.substr(19, 4) + "+08:00";
}

TEST_P(AuditTest, AppendsAndListsNewestFirstWithEveryFilter) {
  Event a = Ev("login.failed", "", "acct-1", "failure");
  a.detail = {{"reason", "bad_password"}, {"attempt", 3}};
  Append(a);                                                    // 1
  Append(Ev("login.succeeded", "alice", "acct-1", "success"));  // 2
  Append(Ev("account.locked", "admin", "acct-2", "success"));   // 3
  Append(Ev("logins.reset", "alice", "acct-2", "success"));     // 4: not under "login."
  Append(Ev("login.failed", "bob", "acct-3", "denied"));        // 5
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Append(Ev("role.granted", "admin", "acct-1", "success"));            // 6
  Append(Ev("token.issued", "client:portal", "client-9", "success"));  // 7

  auto all = ListAll();
  ASSERT_EQ(Seqs(all), (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
  const Record& first = all.back();
  EXPECT_EQ(first.action, "login.failed");
  EXPECT_EQ(first.actor, "");
  EXPECT_EQ(first.subject, "acct-1");
  EXPECT_EQ(first.outcome, "failure");
  EXPECT_EQ(first.ip, "192.0.2.7");
  EXPECT_EQ(first.request_id, "req-1");
  EXPECT_EQ(json::value(first.detail), json::value(a.detail));
  EXPECT_EQ(first.prev_hash, audit::kGenesisHash);
  EXPECT_EQ(first.hash.size(), 64u);
  EXPECT_EQ(all[5].prev_hash, first.hash);
  EXPECT_EQ(first.at.size(), 24u) << first.at;  // 2025-03-01T02:30:00.123Z
  EXPECT_EQ(first.at.back(), 'Z');

  EXPECT_EQ(Seqs(ListAll(Q({{"actor", "alice"}}))), (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(Seqs(ListAll(Q({{"action", "login.failed"}}))), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(Seqs(ListAll(Q({{"action", "login."}}))), (std::vector<int64_t>{5, 2, 1}));
  EXPECT_EQ(Seqs(ListAll(Q({{"action", "logins."}}))), (std::vector<int64_t>{4}));
  EXPECT_EQ(Seqs(ListAll(Q({{"subject", "acct-1"}}))), (std::vector<int64_t>{6, 2, 1}));
  EXPECT_EQ(Seqs(ListAll(Q({{"outcome", "denied"}}))), (std::vector<int64_t>{5}));
  EXPECT_EQ(Seqs(ListAll(Q({{"actor", "alice"}, {"action", "login."}}))),
            (std::vector<int64_t>{2}));

  // since is inclusive, until exclusive; any offset means the same instant.
  const std::string t6 = all[1].at;
  ASSERT_LT(all[2].at, t6);
  EXPECT_EQ(Seqs(ListAll(Q({{"since", t6}}))), (std::vector<int64_t>{7, 6}));
  EXPECT_EQ(Seqs(ListAll(Q({{"until", t6}}))), (std::vector<int64_t>{5, 4, 3, 2, 1}));
  EXPECT_EQ(Seqs(ListAll(Q({{"since", InChinaTime(t6)}}))), (std::vector<int64_t>{7, 6}));
  EXPECT_EQ(Seqs(ListAll(Q({{"subject", "acct-1"}, {"until", InChinaTime(t6)}}))),
            (std::vector<int64_t>{2, 1}));
  EXPECT_TRUE(ListAll(Q({{"since", "2999-01-01T00:00:00Z"}})).empty());

  // Pages of two, by cursor, with and without a filter.
  std::vector<int64_t> paged;
  Filter f = Q({}, 2);
  for (int pages = 0; pages < 10; ++pages) {
    auto page = audit::List(database(), f);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->records.size(), 2u);
    for (const auto& r : page->records) paged.push_back(r.seq);
    if (page->next_cursor.empty()) break;
    // Records appended meanwhile do not disturb the pages already under way.
    if (pages == 0) Append(Ev("session.revoked", "admin", "acct-1", "success"));  // 8
    f.cursor = page->next_cursor;
  }
  EXPECT_EQ(paged, (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
  auto filtered = audit::List(database(), Q({{"subject", "acct-1"}}, 2));
  ASSERT_TRUE(filtered);
  EXPECT_EQ(Seqs(filtered->records), (std::vector<int64_t>{8, 6}));
  auto rest =
      audit::List(database(), Q({{"subject", "acct-1"}, {"cursor", filtered->next_cursor}}, 2));
  ASSERT_TRUE(rest);
  EXPECT_EQ(Seqs(rest->records), (std::vector<int64_t>{2, 1}));
  EXPECT_TRUE(rest->next_cursor.empty());
}

TEST_P(AuditTest, ListNamesEveryInvalidFilterField) {
  auto bad = audit::List(database(), Q({{"action", "Login"},
                                        {"outcome", "ok"},
                                        {"since", "yesterday"},
                                        {"until", "2025-02-30T00:00:00Z"},
                                        {"cursor", "!!"}},
                                       0));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
  for (const char* field : {"action", "outcome", "since", "until", "limit", "cursor"})
    EXPECT_TRUE(HasField(bad.error(), field)) << field << ": " << bad.error().message;
  for (const char* action : {"login", ".login.", "login..failed", "login.fail ed"}) {
    auto r = audit::List(database(), Q({{"action", action}}));
    EXPECT_FALSE(r) << action;
  }
  for (const char* t : {"2025-03-01T10:30:00", "2025-03-01 10:30:00Z", "2025-03-01T10:30:00+8:00",
                        "2025-03-01T10:30:00.Z", "2025-13-01T10:30:00Z"}) {
    auto r = audit::List(database(), Q({{"since", t}}));
    EXPECT_FALSE(r) << t;
  }
  EXPECT_TRUE(audit::List(database(), Q({{"since", "2025-03-01t10:30:00.123456z"}})));
}

TEST_P(AuditTest, RefusesInvalidEventsAndCleansUntrustedText) {
  auto st = database().Transact(
      [](db::Connection& c) { return audit::Append(c, Ev("login", "alice", "", "success")); });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  EXPECT_TRUE(HasField(st.error(), "action"));
  st = database().Transact(
      [](db::Connection& c) { return audit::Append(c, Ev("login.failed", "", "", "ok")); });
  ASSERT_FALSE(st);
  EXPECT_TRUE(HasField(st.error(), "outcome"));
  Event big = Ev("token.issued", "client:x", "", "success");
  big.detail = {{"blob", std::string(audit::kMaxDetailBytes, 'x')}};
  st = database().Transact([&](db::Connection& c) { return audit::Append(c, big); });
  ASSERT_FALSE(st);
  EXPECT_TRUE(HasField(st.error(), "detail"));
  EXPECT_EQ(Count(), 0);

  // A failed login records whatever was typed: bad bytes replaced, length capped.
  Event e =
      Ev("login.failed", std::string("ev\xff\x00il", 6) + std::string(1000, 'a'), "", "failure");
  e.subject = "账户-" + std::string(300, 'b');
  Append(e);
  auto records = ListAll();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].actor.substr(0, 10), "ev\xEF\xBF\xBD\xEF\xBF\xBDil");
  EXPECT_LE(records[0].actor.size(), audit::kMaxFieldBytes);
  EXPECT_GT(records[0].actor.size(), audit::kMaxFieldBytes - 4);
  EXPECT_LE(records[0].subject.size(), audit::kMaxFieldBytes);
  EXPECT_EQ(records[0].subject.substr(0, 7), "账户-");
  auto by_actor = ListAll(Q({{"actor", records[0].actor}}));
  EXPECT_EQ(by_actor.size(), 1u);
}

TEST_P(AuditTest, AppendCommitsOrRollsBackWithTheCallersTransaction) {
  auto st = database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(audit::Append(c, Ev("role.granted", "admin", "acct-1", "success")));
    return Conflict("the role change failed after all");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(Count(), 0);
  Append(Ev("role.granted", "admin", "acct-1", "success"));
  auto records = ListAll();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 1) << "a rolled-back append must leave no gap";
  EXPECT_EQ(records[0].prev_hash, audit::kGenesisHash);
}

TEST_P(AuditTest, TheDatabaseRefusesUpdateDeleteAndTruncate) {
  Append(Ev("login.succeeded", "alice", "acct-1", "success"));
  Append(Ev("login.failed", "bob", "acct-2", "failure"));
  const auto before = ListAll();

  for (const char* sql :
       {"UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "UPDATE audit_log SET outcome = 'denied'", "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log", "UPDATE audit_head SET seq = 0, hash = 'x' WHERE id = 1",
        "DELETE FROM audit_head"}) {
    auto st = Exec(sql);
    ASSERT_FALSE(st) << sql;
    EXPECT_EQ(st.error().code, Code::kConflict) << sql << ": " << st.error().message;
    EXPECT_NE(st.error().message.find("audit_"), std::string::npos) << st.error().message;
  }
  if (pg()) {
    for (const char* sql :
         {"TRUNCATE audit_log", "TRUNCATE audit_head", "TRUNCATE audit_log CASCADE"}) {
      auto st = Exec(sql);
      ASSERT_FALSE(st) << sql;
      EXPECT_EQ(st.error().code, Code::kConflict) << sql << ": " << st.error().message;
    }
  }
  const auto after = ListAll();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].actor, before[i].actor);
    EXPECT_EQ(after[i].hash, before[i].hash);
  }
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
}

// Writes `data` to a file and returns its SHA-256 as the openssl CLI computes it.
std::string OpensslSha256(const std::string& data) {
  auto path = std::filesystem::temp_directory_path() /
              ("ow_audit_" + std::to_string(::getpid()) + "_" +
               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  {
    std::ofstream out(path, std::ios::binary);
    out << data;
  }
  std::string cmd = "openssl dgst -sha256 -r '" + path.string() + "'";
  std::string output;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
    pclose(p);
  }
  std::filesystem::remove(path);
  return output.substr(0, output.find(' '));
}

// The chain as the header documents it, built here by hand (not with CanonicalForm).
std::string DocumentedHashInput(const Record& r) {
  std::string out = r.prev_hash + "\n";
  for (const std::string& v : {std::to_string(r.seq), r.at, r.action, r.actor, r.subject, r.outcome,
                               r.ip, r.request_id, r.detail_json}) {
    out += std::to_string(v.size()) + ":" + v + "\n";
  }
  return out;
}

TEST_P(AuditTest, TheHashChainIsTheDocumentedOneAndOpensslAgrees) {
  Event e = Ev("token.issued", "client:portal", "客户端-7", "success");
  e.detail = {{"scope", "openid profile"}, {"ttl", 300}, {"note", "line\nbreak"}};
  Append(e);
  Append(Ev("login.failed", "", "", "failure"));
  auto records = ListAll();
  ASSERT_EQ(records.size(), 2u);
  for (const Record& r : records) {
    EXPECT_EQ(r.hash, audit::RecordHash(r));
    EXPECT_EQ(r.prev_hash + "\n" + audit::CanonicalForm(r), DocumentedHashInput(r));
    EXPECT_EQ(OpensslSha256(DocumentedHashInput(r)), r.hash) << "seq " << r.seq;
  }
  EXPECT_EQ(records[0].prev_hash, records[1].hash);
}

TEST_P(AuditTest, VerifyFindsTheFirstRecordAlteredBehindTheTriggersBack) {
  auto empty = audit::VerifyChain(database());
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->ok);
  EXPECT_EQ(empty->checked, 0);

  for (int i = 0; i < 10; ++i)
    Append(
        Ev("login.succeeded", "user" + std::to_string(i), "acct-" + std::to_string(i), "success"));
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->checked, 10);
  EXPECT_EQ(check->first_bad_seq, 0);

  DropTriggers();
  // Altered in place: seq 4 no longer matches its own hash.
  ASSERT_TRUE(Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"));
  check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 4) << check->problem;
  EXPECT_EQ(check->checked, 4);
  // Verifying from seq 5 trusts record 4's stored hash, so it passes.
  auto tail = audit::VerifyChain(database(), 5);
  ASSERT_TRUE(tail);
  EXPECT_TRUE(tail->ok) << tail->problem;
  EXPECT_EQ(tail->checked, 6);

  // Altered with its hash recomputed: record 5, which committed to the old hash, fails.
  auto records = ListAll(Q({{"actor", "mallory"}}));
  ASSERT_EQ(records.size(), 1u);
  std::string forged = audit::RecordHash(records[0]);
  ASSERT_TRUE(database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("UPDATE audit_log SET hash = $1 WHERE seq = 4", {forged}));
    return {};
  }));
  check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 5) << check->problem;

  // A record removed from the middle, and the newest one removed.
  ASSERT_TRUE(Exec("DELETE FROM audit_log WHERE seq = 10"));
  ASSERT_TRUE(Exec("DELETE FROM audit_log WHERE seq = 7"));
  check = audit::VerifyChain(database(), 6);
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 7) << check->problem;
  check = audit::VerifyChain(database(), 9);
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 10) << check->problem;
  EXPECT_FALSE(audit::VerifyChain(database(), 0));
}

// Retention (audit.retention_days): Prune removes a prefix of records older than the
// cutoff, never a younger one nor an old one behind it, leaves a checkpoint, and the rest
// of the chain verifies from it.
TEST_P(AuditTest, PruneRemovesOnlyAnOldPrefixAndTheRestStillVerifies) {
  auto append_at = [&](const std::string& at, int i) {
    auto r =
        audit::internal::Stamp(Ev("login.succeeded", "old" + std::to_string(i), "", "success"));
    ASSERT_TRUE(r);
    r->at = at;
    std::vector<Record> one{*r};
    auto st = database().Transact(
        [&](db::Connection& c) { return audit::internal::AppendRecords(c, one); });
    ASSERT_TRUE(st) << st.error().message;
  };
  // Five records of 2020, one of now, two more of 2020 (a batch stamped before a later
  // append), three of now.
  for (int i = 0; i < 5; ++i) append_at("2020-01-0" + std::to_string(i + 1) + "T00:00:00.000Z", i);
  Append(Ev("login.failed", "young", "", "failure"));
  append_at("2020-02-01T00:00:00.000Z", 5);
  append_at("2020-02-02T00:00:00.000Z", 6);
  for (int i = 0; i < 3; ++i) Append(Ev("login.failed", "young", "", "failure"));
  ASSERT_EQ(Count(), 11);
  const auto cutoff = std::chrono::sys_days{std::chrono::year{2021} / 1 / 1};
  EXPECT_FALSE(audit::Prune(database(), cutoff, 0));

  // At most three at a time; the prune is itself recorded (seq 12).
  auto p = audit::Prune(database(), cutoff, 3);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->pruned, 3);
  EXPECT_EQ(p->through_seq, 3);
  EXPECT_EQ(Count(), 9);
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->pruned_through, 3);
  EXPECT_EQ(check->checked, 9);

  // Then up to the first young record (seq 6), not beyond it.
  p = audit::Prune(database(), cutoff, 100);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->pruned, 2);
  EXPECT_EQ(p->through_seq, 5);
  p = audit::Prune(database(), cutoff, 100);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pruned, 0);
  auto all = ListAll();
  ASSERT_EQ(all.size(), 8u);  // 6..13
  EXPECT_EQ(all.back().seq, 6);
  EXPECT_EQ(all.back().actor, "young");
  for (const Record& r : all) EXPECT_GT(r.seq, 5);
  check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->pruned_through, 5);
  EXPECT_EQ(check->checked, 8);
  // The chain names each checkpoint: the newest audit.pruned record carries its hash,
  // which is record 6's prev_hash.
  auto pruned = ListAll(Q({{"action", "audit.pruned"}}));
  ASSERT_EQ(pruned.size(), 2u);
  EXPECT_EQ(pruned[0].detail.at("through_seq").as_int64(), 5);
  EXPECT_EQ(pruned[0].detail.at("hash").as_string(), all.back().prev_hash);

  // Everything not covered by a checkpoint stays undeletable, and checkpoints are fixed.
  for (const char* sql :
       {"DELETE FROM audit_log WHERE seq = 7", "DELETE FROM audit_log",
        "DELETE FROM audit_checkpoints", "UPDATE audit_checkpoints SET through_seq = 100"}) {
    auto st = Exec(sql);
    ASSERT_FALSE(st) << sql;
    EXPECT_EQ(st.error().code, Code::kConflict) << sql << ": " << st.error().message;
  }
  EXPECT_EQ(Count(), 8);
  // A record after the checkpoint altered behind the triggers' back is still found.
  DropTriggers();
  ASSERT_TRUE(Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 6"));
  check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 6) << check->problem;
}

TEST_P(AuditTest, ConcurrentAppendersKeepOneUnbrokenChain) {
  constexpr int kThreads = 4, kEach = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto st = database().Transact([&](db::Connection& c) -> Status {
          // Work of the caller's own before the append, so transactions overlap.
          OW_RETURN_IF_ERROR(c.Query("SELECT count(*) FROM audit_log"));
          return audit::Append(c, Ev("role.granted", "admin" + std::to_string(t),
                                     "acct-" + std::to_string(i), "success"));
        });
        if (!st) {
          ++failures;
          ADD_FAILURE() << st.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(), kThreads * kEach);
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_TRUE(check->ok) << check->first_bad_seq << ": " << check->problem;
  EXPECT_EQ(check->checked, kThreads * kEach);
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(ListAll(Q({{"actor", "admin" + std::to_string(t)}})).size(), size_t{kEach});
}

TEST_P(AuditTest, WriterCommitsEveryEventInBatches) {
  constexpr int kThreads = 4, kEach = 5000, kTotal = kThreads * kEach;
  audit::Writer writer(database());
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Event e = Ev("token.issued", "client:c" + std::to_string(t), "", "success");
        e.detail = {{"n", i}};
        auto st = writer.Enqueue(std::move(e));
        if (!st) ADD_FAILURE() << st.error().message;
      }
    });
  }
  // Direct appends interleave with the writer's batches in the one chain.
  for (int i = 0; i < 20; ++i) Append(Ev("role.granted", "admin", "acct-1", "success"));
  for (auto& th : threads) th.join();
  writer.Flush();
  auto s = writer.stats();
  EXPECT_EQ(s.enqueued, uint64_t{kTotal});
  EXPECT_EQ(s.written, uint64_t{kTotal});
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.failures, 0u);
  EXPECT_GE(s.batches, uint64_t{kTotal / 1000});
  EXPECT_LT(s.batches, uint64_t{kTotal / 10}) << "events were not batched";
  EXPECT_EQ(Count(), kTotal + 20);
  // Each producer's events are in the order it enqueued them.
  auto page = audit::List(database(), Q({{"actor", "client:c2"}}, 200));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->records.size(), 200u);
  EXPECT_EQ(page->records[0].detail.at("n").as_int64(), kEach - 1);
  EXPECT_EQ(page->records[199].detail.at("n").as_int64(), kEach - 200);
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->first_bad_seq << ": " << check->problem;
  EXPECT_EQ(check->checked, kTotal + 20);

  EXPECT_FALSE(writer.Enqueue(Ev("token", "", "", "success")));
  EXPECT_EQ(writer.stats().enqueued, uint64_t{kTotal});
}

TEST_P(AuditTest, EnqueueBlocksInsteadOfDroppingWhenTheQueueIsFull) {
  // Another transaction holds the write lock (SQLite) or the audit head (PostgreSQL),
  // so the writer's first batch cannot commit until it lets go.
  std::atomic<bool> holding{false}, release{false};
  std::thread holder([&] {
    auto st = database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Query(pg() ? "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"
                                      : "SELECT seq FROM audit_head WHERE id = 1"));
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  audit::Writer::Options o;
  o.max_batch = 2;
  o.queue_limit = 5;
  o.max_delay = std::chrono::hours(1);  // a batch is taken only when full: exactly 2 in flight
  audit::Writer writer(database(), o);
  constexpr int kEvents = 30;
  std::atomic<int> accepted{0};
  std::thread producer([&] {
    for (int i = 0; i < kEvents; ++i) {
      Event e = Ev("token.issued", "client:x", "", "success");
      e.detail = {{"n", i}};
      ASSERT_TRUE(writer.Enqueue(std::move(e)));
      ++accepted;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // One batch of 2 is stuck in flight and 5 wait: the producer is blocked on the 8th.
  EXPECT_EQ(accepted.load(), 7);
  EXPECT_EQ(writer.stats().enqueued, 7u);
  EXPECT_EQ(writer.stats().queued, 7u);
  EXPECT_EQ(writer.stats().written, 0u);

  release = true;
  holder.join();
  producer.join();
  writer.Flush();
  EXPECT_EQ(accepted.load(), kEvents);
  EXPECT_EQ(writer.stats().written, uint64_t{kEvents});
  EXPECT_EQ(Count(), kEvents);
  auto records = ListAll();
  ASSERT_EQ(records.size(), size_t{kEvents});
  for (int i = 0; i < kEvents; ++i)
    EXPECT_EQ(records[kEvents - 1 - i].detail.at("n").as_int64(), i);
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_P(AuditTest, AFailedBatchIsLoggedAndRetriedUntilItCommits) {
  // A stray row takes seq 1, so the writer's first batch fails on the primary key.
  ASSERT_TRUE(Exec(std::string("INSERT INTO audit_log (seq, at, action, actor, subject, outcome, "
                               "ip, request_id, detail, prev_hash, hash) ") +
                   (pg() ? "OVERRIDING SYSTEM VALUE " : "") +
                   "VALUES (1, '', 'x.y', '', '', 'success', '', '', '{}', '', '')"));
  ::testing::internal::CaptureStderr();
  audit::Writer writer(database());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(writer.Enqueue(Ev("token.issued", "client:x", "", "success")));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (writer.stats().failures < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(writer.stats().failures, 2u);
  EXPECT_EQ(writer.stats().written, 0u);
  EXPECT_EQ(writer.stats().queued, 5u);

  DropTriggers();
  ASSERT_TRUE(Exec("DELETE FROM audit_log WHERE seq = 1"));
  writer.Flush();
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("audit.writer.batch_failed"), std::string::npos) << log;
  EXPECT_EQ(writer.stats().written, 5u);
  EXPECT_EQ(Count(), 5);
  auto check = audit::VerifyChain(database());
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_P(AuditTest, WriterDestructorWritesWhatIsQueued) {
  {
    audit::Writer::Options o;
    o.max_delay = std::chrono::hours(1);  // only the destructor can make the batch due
    audit::Writer writer(database(), o);
    writer.Flush();  // nothing queued: returns at once
    for (int i = 0; i < 250; ++i)
      ASSERT_TRUE(writer.Enqueue(Ev("token.issued", "client:x", "", "success")));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(Count(), 0);
  }
  EXPECT_EQ(Count(), 250);
}

// The handlers, through the router, without the rest of the application.
class AuditRoutesTest : public AuditTest {
 protected:
  struct Reply {
    int status;
    json::value body;
    std::string cache_control;
  };
  // Through the dispatcher, so the routes' gate runs: the bearer token names the
  // caller's duty ("auditor" holds the audit administrator's, "sysadmin" another).
  Reply Get(const http::Router& router, const std::string& path,
            std::multimap<std::string, std::string> query, const std::string& token) {
    http::Dispatcher dispatcher(router, nullptr);
    dispatcher.SetAuthenticator(
        [](const http::Context& ctx) -> Result<std::optional<authz::Principal>> {
          std::string_view auth = ctx.request[http::Field::authorization];
          if (auth.empty()) return std::optional<authz::Principal>();
          authz::Principal p;
          p.via = authz::Via::kSession;
          p.account_id = std::string(auth.substr(7));
          p.kind = authz::kStaff;
          p.roles.push_back({auth == "Bearer auditor" ? authz::kAuditAdmin : authz::kSystemAdmin,
                             "", "", "", ""});
          return std::optional<authz::Principal>(std::move(p));
        });
    std::string target = path;
    for (const auto& [k, v] : query) target += (target == path ? "?" : "&") + k + "=" + v;
    http::Request req{http::Verb::get, target, 11};
    if (!token.empty()) req.set(http::Field::authorization, "Bearer " + token);
    http::Response res = dispatcher.Handle(req);
    boost::system::error_code ec;
    json::value body = json::parse(res.body(), ec);
    return {static_cast<int>(res.result_int()), body, std::string(res[http::Field::cache_control])};
  }
};

TEST_P(AuditRoutesTest, ServesRecordsAndVerificationToTheAuditAdministratorOnly) {
  http::Router router;
  audit::AddRoutes(router, database());
  for (int i = 0; i < 3; ++i)
    Append(Ev("login.failed", "", "acct-" + std::to_string(i), "failure"));

  EXPECT_EQ(Get(router, "/api/v1/audit", {}, "").status, 401);
  EXPECT_EQ(Get(router, "/api/v1/audit", {}, "sysadmin").status, 403);
  EXPECT_EQ(Get(router, "/api/v1/audit/verify", {}, "sysadmin").status, 403);

  auto page = Get(router, "/api/v1/audit", {{"limit", "2"}, {"action", "login."}}, "auditor");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.cache_control, "no-store");
  const auto& records = page.body.at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  const auto& r = records[0].as_object();
  EXPECT_EQ(r.at("seq").as_int64(), 3);
  EXPECT_EQ(r.at("action").as_string(), "login.failed");
  EXPECT_EQ(r.at("subject").as_string(), "acct-2");
  EXPECT_EQ(r.at("actor").as_string(), "");
  EXPECT_TRUE(r.at("detail").is_object());
  for (const char* key : {"at", "outcome", "ip", "request_id", "prev_hash", "hash"})
    EXPECT_TRUE(r.at(key).is_string()) << key;
  ASSERT_TRUE(page.body.at("next_cursor").is_string());
  auto next =
      Get(router, "/api/v1/audit",
          {{"limit", "2"}, {"cursor", std::string(page.body.at("next_cursor").as_string())}},
          "auditor");
  ASSERT_EQ(next.status, 200);
  EXPECT_EQ(next.body.at("records").as_array().size(), 1u);
  EXPECT_TRUE(next.body.at("next_cursor").is_null());

  auto invalid = Get(router, "/api/v1/audit", {{"limit", "0"}, {"outcome", "maybe"}}, "auditor");
  EXPECT_EQ(invalid.status, 422);
  invalid = Get(router, "/api/v1/audit", {{"outcome", "maybe"}, {"since", "now"}}, "auditor");
  ASSERT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.body.at("errors").as_array().size(), 2u) << invalid.body;

  auto ok = Get(router, "/api/v1/audit/verify", {}, "auditor");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, json::parse(R"({"ok":true,"checked":3})"));
  EXPECT_EQ(Get(router, "/api/v1/audit/verify", {{"from", "0"}}, "auditor").status, 422);

  DropTriggers();
  ASSERT_TRUE(Exec("UPDATE audit_log SET outcome = 'success' WHERE seq = 2"));
  auto broken = Get(router, "/api/v1/audit/verify", {}, "auditor");
  ASSERT_EQ(broken.status, 200);
  EXPECT_EQ(broken.body.at("ok").as_bool(), false);
  EXPECT_EQ(broken.body.at("first_bad_seq").as_int64(), 2);
  EXPECT_TRUE(broken.body.at("problem").is_string());
}

TEST_P(AuditRoutesTest, AddsTheWriterCountersToMetrics) {
  http::Metrics metrics;
  audit::Writer writer(database());
  audit::AddMetrics(metrics, writer);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.Enqueue(Ev("token.issued", "c", "", "success")));
  writer.Flush();
  std::string text = metrics.Render();
  EXPECT_NE(text.find("onewindow_audit_events_enqueued_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("onewindow_audit_events_written_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("onewindow_audit_batch_failures_total 0"), std::string::npos) << text;
  EXPECT_NE(text.find("onewindow_audit_queue_length 0"), std::string::npos) << text;
}

OW_INSTANTIATE_STORE_TESTS(AuditTest);
OW_INSTANTIATE_STORE_TESTS(AuditRoutesTest);

}  // namespace
}  // namespace ow::testing
