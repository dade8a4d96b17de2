// The same storage cases on SQLite and on a real PostgreSQL: the db::Database
// contract that every domain relies on.
#include <atomic>
#include <thread>

#include "app/app.h"
#include "db/migrations.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

class StorageConformance : public StoreTest {
 protected:
  // Migrates (or creates its tables) itself.
  TestDatabase::Schema schema() const override { return TestDatabase::Schema::kEmpty; }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db::Options o;
    o.pool_size = 4;
    auto opened = db::Open(db_url(), o);
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }
  void TearDown() override {
    if (database_) database_->Close();
  }
  db::Database& database() { return *database_; }
  std::unique_ptr<db::Database> database_;
};

// A small schema with the dialect's blob type.
Status CreateSchema(db::Connection& c) {
  std::string blob = c.dialect() == db::Dialect::kSqlite ? "BLOB" : "BYTEA";
  return c.ExecScript(
      "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, n BIGINT, d DOUBLE PRECISION, b " + blob +
      "); CREATE TABLE child (id INTEGER PRIMARY KEY, k TEXT NOT NULL REFERENCES kv(k));"
      "CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL); "
      "INSERT INTO counter VALUES (1, 0);");
}

TEST_P(StorageConformance, RoundTripsEveryValueType) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  const char kBytes[] = "\x00\x01\xff\xfe zero\x00byte";
  std::string binary(kBytes, sizeof kBytes - 1);
  const std::string chinese = "杭州市上城区 ✓ 𠀀";
  ASSERT_TRUE(database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO kv (k, v, n, d, b) VALUES ($1, $2, $3, $4, $5)",
               {std::string("a"), chinese, int64_t{INT64_MAX}, 3.25, db::Blob{binary}}));
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO kv (k, v, n, d, b) VALUES ($1, $2, $3, $4, $5)",
               {std::string("b"), db::Value{}, int64_t{INT64_MIN}, -0.5, db::Value{}}));
    return {};
  }));
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT k, v, n, d, b FROM kv ORDER BY k"));
    EXPECT_EQ(r.size(), 2u);
    EXPECT_EQ(r.Text(0, 1), chinese);
    EXPECT_EQ(r.Int(0, 2), INT64_MAX);
    EXPECT_DOUBLE_EQ(r.Double(0, 3), 3.25);
    EXPECT_EQ(std::get<db::Blob>(r.At(0, 4)).bytes, binary);
    EXPECT_TRUE(r.IsNull(1, 1));
    EXPECT_EQ(r.Int(1, 2), INT64_MIN);
    EXPECT_TRUE(r.IsNull(1, 4));
    return {};
  }));
}

TEST_P(StorageConformance, ErrorRollsBackTheWholeTransaction) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  auto st = database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("INSERT INTO kv (k) VALUES ($1)", {std::string("x")}));
    return Conflict("changed my mind");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kConflict);
  ASSERT_TRUE(database().Read([](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT count(*) FROM kv"));
    EXPECT_EQ(r.Int(0, 0), 0);
    return {};
  }));
}

TEST_P(StorageConformance, ConstraintViolationsMapToCodes) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  ASSERT_TRUE(database().Transact([](db::Connection& c) -> Status {
    return c.Exec("INSERT INTO kv (k) VALUES ($1)", {std::string("dup")}).has_value()
               ? Status{}
               : Internal("insert");
  }));
  auto dup = database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("INSERT INTO kv (k) VALUES ($1)", {std::string("dup")}));
    return {};
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kAlreadyExists) << dup.error().message;
  auto fk = database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO child (id, k) VALUES ($1, $2)", {int64_t{1}, std::string("missing")}));
    return {};
  });
  ASSERT_FALSE(fk);
  EXPECT_EQ(fk.error().code, Code::kConflict) << fk.error().message;
  auto syntax = database().Read([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Query("SELEKT 1"));
    return {};
  });
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, Code::kInternal);
}

TEST_P(StorageConformance, ParametersAreNeverSpliced) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  const std::string hostile = "x'); DROP TABLE kv; --";
  ASSERT_TRUE(database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("INSERT INTO kv (k, v) VALUES ($1, $1)", {hostile}));
    return {};
  }));
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT v FROM kv WHERE k = $1", {hostile}));
    EXPECT_EQ(r.size(), 1u);
    EXPECT_EQ(r.Text(0, 0), hostile);
    return {};
  }));
}

TEST_P(StorageConformance, ConcurrentWritersLoseNoUpdate) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  constexpr int kThreads = 4, kIncrements = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto st = database().Transact([](db::Connection& c) -> Status {
          OW_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1 WHERE id = 1"));
          return {};
        });
        if (!st) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT n FROM counter WHERE id = 1"));
    EXPECT_EQ(r.Int(0, 0), kThreads * kIncrements);
    return {};
  }));
  auto stats = database().Stats();
  EXPECT_EQ(stats.size, 4);
  EXPECT_EQ(stats.in_use, 0);
}

TEST_P(StorageConformance, ReadOnlyTransactionSeesOneSnapshot) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto before, c.Query("SELECT n FROM counter WHERE id = 1"));
    // A write committed by another connection meanwhile is not visible inside the snapshot.
    std::thread writer([&] {
      EXPECT_TRUE(database().Transact([](db::Connection& w) -> Status {
        OW_RETURN_IF_ERROR(w.Exec("UPDATE counter SET n = 42 WHERE id = 1"));
        return {};
      }));
    });
    writer.join();
    OW_ASSIGN_OR_RETURN(auto after, c.Query("SELECT n FROM counter WHERE id = 1"));
    EXPECT_EQ(before.Int(0, 0), after.Int(0, 0));
    return {};
  }));
}

TEST_P(StorageConformance, OneStatementReadRunsExactlyOneStatement) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  int64_t n = -1;
  ASSERT_TRUE(database().ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT n FROM counter WHERE id = 1"));
    n = r.Int(0, 0);
    return {};
  }));
  EXPECT_EQ(n, 0);
  auto st = database().ReadOneStatement([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Query("SELECT 1"));
    OW_RETURN_IF_ERROR(c.Query("SELECT 2"));
    return {};
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInternal);
  // The connection is still good for the next transaction.
  EXPECT_TRUE(database().Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1 WHERE id = 1"));
    return {};
  }));
}

// PostgreSQL sends a transaction's BEGIN with its first statement (one round trip, a
// pipeline with the statement's PREPARE the first time): a failing first statement, a
// statement prepared in a pipeline that failed, and a transaction with no statement
// leave the one connection usable, and nothing of a failed transaction stays.
TEST_P(StorageConformance, FirstStatementFailuresLeaveTheConnectionUsable) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  database().Close();
  db::Options o;
  o.pool_size = 1;  // every transaction below on the same connection
  auto opened = db::Open(db_url(), o);
  ASSERT_TRUE(opened) << opened.error().message;
  database_ = std::move(*opened);
  // On PostgreSQL, the server process behind the one connection: it must not be replaced.
  auto backend = [&]() -> int64_t {
    int64_t pid = 0;
    if (database().dialect() != db::Dialect::kPostgres) return 0;
    EXPECT_TRUE(database().ReadOneStatement([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT pg_backend_pid()"));
      pid = r.Int(0, 0);
      return {};
    }));
    return pid;
  };
  const int64_t first_backend = backend();
  const std::string insert = "INSERT INTO kv (k, v) VALUES ($1, $2)";
  for (int round = 0; round < 3; ++round) {
    // The same statement fails (duplicate key) as the first of a transaction...
    ASSERT_TRUE(database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(
          c.Exec(insert, {std::string("k") + std::to_string(round), std::string("v")}));
      return {};
    }));
    auto dup = database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(
          c.Exec(insert, {std::string("k") + std::to_string(round), std::string("again")}));
      return {};
    });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Code::kAlreadyExists) << dup.error().message;
    // ...a statement never seen fails to prepare as the first of a transaction...
    auto bad = database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Query("SELEKT " + std::to_string(round)));
      return {};
    });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Code::kInternal);
    // ...a transaction runs no statement at all...
    EXPECT_TRUE(database().Transact([](db::Connection&) -> Status { return {}; }));
    EXPECT_FALSE(database().Transact([](db::Connection&) -> Status { return Conflict("no"); }));
    // ...a script opens the transaction, and fails after its first statement...
    auto script = database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.ExecScript("UPDATE counter SET n = n + 100 WHERE id = 1"));
      OW_RETURN_IF_ERROR(
          c.Exec(insert, {std::string("k") + std::to_string(round), std::string("x")}));
      return {};
    });
    ASSERT_FALSE(script);
    // ...and the connection still works, with nothing of the failed transactions kept.
    ASSERT_TRUE(database().Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(
          c.Exec(insert, {std::string("ok") + std::to_string(round), std::string("v")}));
      OW_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1 WHERE id = 1"));
      return {};
    }));
  }
  // A statement prepared in a pipeline whose statement failed (a foreign key) works next time.
  const std::string child = "INSERT INTO child (id, k) VALUES ($1, $2)";
  auto fk = database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec(child, {int64_t{1}, std::string("missing")}));
    return {};
  });
  ASSERT_FALSE(fk);
  EXPECT_EQ(fk.error().code, Code::kConflict) << fk.error().message;
  EXPECT_TRUE(database().Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec(child, {int64_t{1}, std::string("ok0")}));
    return {};
  }));
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT count(*) FROM kv WHERE v = 'v'"));
    EXPECT_EQ(r.Int(0, 0), 6);
    OW_ASSIGN_OR_RETURN(auto n, c.Query("SELECT n FROM counter WHERE id = 1"));
    EXPECT_EQ(n.Int(0, 0), 3);
    return {};
  }));
  EXPECT_EQ(database().Stats().size, 1);
  EXPECT_EQ(backend(), first_backend);
}

// SQLite's durability setting comes from the URL (benchmarks compare synchronous=OFF with
// the default FULL); anything else is refused. SQLite only: not a conformance case.
TEST(SqliteUrl, SynchronousFromTheUrl) {
  TestDatabase db(Store::kSqlite);
  auto db_url = [&] { return "sqlite:" + db.path(); };
  for (auto [suffix, want] : {std::pair<std::string, int64_t>{"", 2},
                              {"?synchronous=off", 0},
                              {"?synchronous=NORMAL", 1}}) {
    auto opened = db::Open(db_url() + suffix, db::Options{});
    ASSERT_TRUE(opened) << suffix << ": " << opened.error().message;
    int64_t mode = -1;
    ASSERT_TRUE((*opened)->Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("PRAGMA synchronous"));
      mode = r.Int(0, 0);
      return {};
    }));
    EXPECT_EQ(mode, want) << suffix;
    (*opened)->Close();
  }
  auto bad = db::Open(db_url() + "?synchronous=sometimes", db::Options{});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
}

TEST_P(StorageConformance, GroupedTransactionsShareCommitsAndFailAlone) {
  ASSERT_TRUE(database().Transact(CreateSchema));
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every tenth insert reuses key "dup": all but the first of those must fail
        // alone, without taking the rest of their batch with them.
        std::string key = i % 10 == 9 ? "dup" : "k" + std::to_string(t) + "-" + std::to_string(i);
        auto st = database().TransactGrouped([&](db::Connection& c) -> Status {
          OW_RETURN_IF_ERROR(c.Exec("INSERT INTO kv (k, n) VALUES ($1, $2)", {key, int64_t{i}}));
          OW_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1 WHERE id = 1"));
          return {};
        });
        if (st) {
          ++ok;
        } else {
          EXPECT_EQ(st.error().code, Code::kAlreadyExists) << st.error().message;
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  int total = kThreads * kEach;
  EXPECT_EQ(ok + refused, total);
  EXPECT_EQ(refused, kThreads * kEach / 10 - 1);
  ASSERT_TRUE(database().Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM kv"));
    EXPECT_EQ(rows.Int(0, 0), ok.load());
    // The failed inserts' counter updates were rolled back with them.
    OW_ASSIGN_OR_RETURN(auto counter, c.Query("SELECT n FROM counter WHERE id = 1"));
    EXPECT_EQ(counter.Int(0, 0), ok.load());
    return {};
  }));
  auto g = database().GroupStats();
  EXPECT_EQ(g.transactions, total);
  EXPECT_LT(g.batches, total);  // commits were shared
}

TEST_P(StorageConformance, MigrationsApplyOnceInOrder) {
  std::vector<db::Migration> ms = {{"test/001", "CREATE TABLE m1 (x INTEGER)", ""},
                                   {"test/002", "ALTER TABLE m1 ADD COLUMN y TEXT", ""}};
  auto first = db::Migrate(database(), ms);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 2);
  auto second = db::Migrate(database(), ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 0);
  ms.push_back({"test/003", "CREATE TABLE broken (", ""});
  auto third = db::Migrate(database(), ms);
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().message.find("test/003"), std::string::npos);
  auto applied = db::AppliedMigrations(database());
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, (std::vector<std::string>{"test/001", "test/002"}));
}

TEST_P(StorageConformance, ApplicationSchemaMigratesFromEmpty) {
  auto applied = db::Migrate(database(), app::AllMigrations());
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(app::AllMigrations().size()));
  EXPECT_TRUE(database().Ping());
}

TEST_P(StorageConformance, ConcurrentMigratorsApplyEachMigrationOnce) {
  // Two processes starting at once must not both apply a migration.
  std::vector<db::Migration> ms = {{"race/001", "CREATE TABLE race1 (x INTEGER)", ""},
                                   {"race/002", "CREATE TABLE race2 (x INTEGER)", ""}};
  db::Options o;
  o.pool_size = 1;
  auto other = db::Open(db_url(), o);
  ASSERT_TRUE(other);
  Result<int> a = 0, b = 0;
  std::thread t1([&] { a = db::Migrate(database(), ms); });
  std::thread t2([&] { b = db::Migrate(**other, ms); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(*a + *b, 2);
  (*other)->Close();
}

OW_INSTANTIATE_STORE_TESTS(StorageConformance);

}  // namespace
}  // namespace ow::testing
