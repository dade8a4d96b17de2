#include "db/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "db/pool.h"
#include "db/statements.h"

namespace ow::db {
namespace {

Error FromSqlite(sqlite3* db, int rc, std::string_view context) {
  std::string msg = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(msg);
      }
      return Conflict(msg);
    default:
      return Internal(msg);
  }
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  using Connection::Exec;
  using Connection::Query;
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    OW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    std::vector<std::string> columns;
    int ncol = sqlite3_column_count(stmt);
    columns.reserve(ncol);
    for (int i = 0; i < ncol; ++i) columns.emplace_back(sqlite3_column_name(stmt, i));
    std::vector<std::vector<Value>> rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = FromSqlite(db_, sqlite3_extended_errcode(db_), "query");
        sqlite3_reset(stmt);
        return e;
      }
      std::vector<Value> row;
      row.reserve(ncol);
      for (int i = 0; i < ncol; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER:
            row.emplace_back(int64_t{sqlite3_column_int64(stmt, i)});
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, i));
            break;
          case SQLITE_TEXT: {
            auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            row.emplace_back(std::string(p, sqlite3_column_bytes(stmt, i)));
            break;
          }
          case SQLITE_BLOB: {
            auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
            row.emplace_back(Blob{std::string(p ? p : "", sqlite3_column_bytes(stmt, i))});
            break;
          }
          default:
            row.emplace_back(std::monostate{});
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return Rows(std::move(columns), std::move(rows));
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    OW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      Error e = FromSqlite(db_, sqlite3_extended_errcode(db_), "exec");
      sqlite3_reset(stmt);
      return e;
    }
    sqlite3_reset(stmt);
    return int64_t{sqlite3_changes(db_)};
  }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    CountStatement();
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      Error e = FromSqlite(nullptr, sqlite3_extended_errcode(db_), "script");
      e.message = "script: " + msg;
      return e;
    }
    return {};
  }

  sqlite3* handle() { return db_; }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
    CountStatement();
    auto it = cache_.find(std::string(sql));
    sqlite3_stmt* stmt = nullptr;
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      std::string rewritten = RewritePlaceholders(sql);
      int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return FromSqlite(db_, rc, "prepare");
      cache_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return Internal("statement expects " + std::to_string(expected) + " parameters, got " +
                      std::to_string(params.size()));
    }
    for (int i = 0; i < expected; ++i) {
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, i + 1);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, i + 1, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, i + 1, *d);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, i + 1, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (auto* b = std::get_if<Blob>(&v)) {
        rc = sqlite3_bind_blob64(stmt, i + 1, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return FromSqlite(db_, rc, "bind");
    }
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, Options options, std::string synchronous)
      : path_(std::move(path)),
        options_(options),
        synchronous_(std::move(synchronous)),
        pool_(options, [this] { return OpenOne(); }) {}
  ~SqliteDatabase() override { Close(); }

  Status Init() { return pool_.Fill(path_ == ":memory:" ? 1 : options_.pool_size); }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Transact(const std::function<Status(Connection&)>& fn, TxMode mode) override {
    // Writers queue on the mutex before taking a connection, so queued writers never
    // starve readers of pooled connections.
    std::unique_lock<std::mutex> write_lock(write_mu_, std::defer_lock);
    if (mode == TxMode::kReadWrite) write_lock.lock();
    return pool_.Run([&](SqliteConnection& c) { return RunOnce(c, fn, mode); });
  }

  Status Ping() override {
    return Transact(
        [](Connection& c) -> Status {
          return c.Query("SELECT 1").has_value() ? Status{} : Unavailable("ping failed");
        },
        TxMode::kReadOnly);
  }

  PoolStats Stats() const override { return pool_.Stats(); }

  // Waits for lent connections to come back; the WAL is checkpointed by the last close.
  void Close() override { pool_.Close(); }

 private:
  Result<std::unique_ptr<SqliteConnection>> OpenOne() {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      Error e = Unavailable(std::string("open ") + path_ + ": " +
                            (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
      sqlite3_close_v2(db);
      return e;
    }
    auto conn = std::make_unique<SqliteConnection>(db);
    sqlite3_busy_timeout(db, options_.busy_timeout_ms);
    // A page cache of 64 MiB per connection (SQLite's default is 2 MiB) and the file mapped
    // for reads: with the default, a large write transaction (a catalog import) spilled its
    // pages and read them back through the WAL, spending most of its time in pread.
    // synchronous=FULL unless the URL says otherwise (OpenSqlite: benchmarks compare OFF).
    OW_RETURN_IF_ERROR(conn->ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + synchronous_ +
        "; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
        "PRAGMA mmap_size=268435456;"));
    return conn;
  }

  Status RunOnce(SqliteConnection& c, const std::function<Status(Connection&)>& fn, TxMode mode) {
    OW_RETURN_IF_ERROR(c.Exec(mode == TxMode::kReadWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
    OneStatementConnection one(c);
    Status st = mode == TxMode::kReadOneStatement ? fn(one) : fn(c);
    if (st) {
      auto commit = c.Exec("COMMIT");
      if (commit) return {};
      st = commit.error();
    }
    if (!sqlite3_get_autocommit(c.handle())) (void)c.Exec("ROLLBACK");
    return st;
  }

  std::string path_;
  Options options_;
  std::string synchronous_;  // FULL, NORMAL or OFF
  ConnectionPool<SqliteConnection> pool_;
  std::mutex write_mu_;
};

}  // namespace

namespace {

// Calls `literal(from, to)` for the text outside placeholders and `placeholder(n, from, to)`
// for each $n, leaving string literals, quoted identifiers and comments alone.
template <typename Literal, typename Placeholder>
void ScanPlaceholders(std::string_view sql, Literal literal, Placeholder placeholder) {
  size_t plain = 0;  // where the text not yet passed on starts
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      size_t end = sql.find(c, i + 1);
      i = end == std::string_view::npos ? sql.size() - 1 : end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() - 1 : end;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      size_t end = i + 1;
      uint64_t n = 0;
      for (; end < sql.size() && sql[end] >= '0' && sql[end] <= '9'; ++end)
        n = n > 1000000 ? n : n * 10 + static_cast<uint64_t>(sql[end] - '0');
      literal(plain, i);
      placeholder(n, i, end);
      plain = end;
      i = end - 1;
    }
  }
  literal(plain, sql.size());
}

}  // namespace

std::string RewritePlaceholders(std::string_view sql) {
  // $1, $2, ... each once and in order become anonymous "?": SQLite looks a numbered "?NNN"
  // up in a list of all the statement's parameters when it compiles it, which made
  // preparing a multi-row INSERT of n parameters take time in n squared (a fifth of a test
  // that loads the demo catalogue). Any other use keeps the numbers.
  uint64_t next = 1;
  bool in_order = true;
  ScanPlaceholders(
      sql, [](size_t, size_t) {},
      [&](uint64_t n, size_t, size_t) { in_order = in_order && n == next++; });
  std::string out;
  out.reserve(sql.size());
  ScanPlaceholders(
      sql, [&](size_t from, size_t to) { out.append(sql.substr(from, to - from)); },
      [&](uint64_t, size_t from, size_t to) {
        out.push_back('?');
        if (!in_order) out.append(sql.substr(from + 1, to - from - 1));
      });
  return out;
}

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& url_path, const Options& options) {
  // "PATH?synchronous=off|normal|full": durability traded for speed only when asked (the
  // benchmarks measure durable commits against synchronous=OFF); FULL by default.
  std::string path = url_path;
  std::string synchronous = "FULL";
  if (auto q = path.find("?synchronous="); q != std::string::npos) {
    std::string v = path.substr(q + 13);
    for (auto& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (v != "FULL" && v != "NORMAL" && v != "OFF")
      return InvalidArgument("sqlite: synchronous must be off, normal or full");
    synchronous = v;
    path.resize(q);
  }
  if (path.empty()) return InvalidArgument("sqlite: URL needs a path");
  if (path != ":memory:") {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Unavailable("cannot create " + parent.string() + ": " + ec.message());
  }
  auto db = std::make_unique<SqliteDatabase>(path, options, synchronous);
  OW_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace ow::db
