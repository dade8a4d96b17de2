// The storage seam: one abstract Database with a SQLite and a PostgreSQL
// implementation chosen at run time by URL.
//
// SQL is written once, PostgreSQL style, with $1..$n placeholders; the SQLite
// implementation rewrites them. Every value reaches the database as a bound
// parameter, never spliced into SQL text.
//
// Threading: a Database is thread-safe. A Connection is used by one thread at a
// time, only inside the callback that received it, and must not be kept.
#ifndef OW_DB_DATABASE_H_
#define OW_DB_DATABASE_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace ow::db {

enum class Dialect { kSqlite, kPostgres };
std::string_view DialectName(Dialect d);

// Binary data, stored as BLOB / bytea.
struct Blob {
  std::string bytes;
};

// A parameter or column value. Text is UTF-8; integers are 64-bit.
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;

// A materialized query result. Columns are addressed by index in SELECT order.
class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<std::vector<Value>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::vector<std::string>& columns() const { return columns_; }

  bool IsNull(size_t row, size_t col) const;
  // Text of a column; integers and doubles are formatted, NULL is "".
  std::string Text(size_t row, size_t col) const;
  // Integer value; text is parsed; NULL is 0.
  int64_t Int(size_t row, size_t col) const;
  double Double(size_t row, size_t col) const;
  std::optional<std::string> OptText(size_t row, size_t col) const;
  const Value& At(size_t row, size_t col) const { return rows_[row][col]; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Value>> rows_;
};

// One database session. Errors: kAlreadyExists for unique violations, kConflict
// for foreign-key or check violations and serialization failures, kUnavailable
// for busy/locked, kInternal otherwise.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) = 0;
  // Returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs several ;-separated statements without parameters (migrations only).
  virtual Status ExecScript(std::string_view sql) = 0;

  Result<Rows> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Query(sql, std::vector<Value>(params));
  }
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Exec(sql, std::vector<Value>(params));
  }
};

// Forwards to a connection and fails any statement after the first with kInternal
// (for TxMode::kReadOneStatement, on both stores alike).
class OneStatementConnection final : public Connection {
 public:
  explicit OneStatementConnection(Connection& inner) : inner_(inner) {}
  Dialect dialect() const override { return inner_.dialect(); }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override;
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override;
  Status ExecScript(std::string_view sql) override;
  using Connection::Exec;
  using Connection::Query;

 private:
  Status Spend();
  Connection& inner_;
  bool spent_ = false;
};

struct PoolStats {
  int64_t size = 0;      // connections open
  int64_t in_use = 0;    // connections lent out now
  int64_t waits = 0;     // acquisitions that had to wait, since start
  int64_t timeouts = 0;  // acquisitions that gave up, since start
  int64_t retries = 0;   // transactions retried after busy/serialization failures
};

struct Options {
  int pool_size = 16;
  int busy_timeout_ms = 5000;
  // PostgreSQL: opening a connection gives up after this long (libpq's connect_timeout, in
  // whole seconds, at least 2); a statement is cancelled by the server after
  // statement_timeout_ms (0: never).
  int connect_timeout_ms = 3000;
  int statement_timeout_ms = 0;
  // A transaction waits this long for a free pooled connection before kUnavailable (503);
  // 0: max(1 s, busy_timeout_ms).
  int pool_wait_ms = 0;
  int max_retries = 5;  // transaction attempts after the first on transient failures
};

// kReadOneStatement: `fn` runs exactly one read statement, which is its own snapshot
// (PostgreSQL sends it without BEGIN/COMMIT: one round trip instead of three; SQLite
// treats it as kReadOnly). A second statement in `fn` fails with kInternal.
enum class TxMode { kReadWrite, kReadOnly, kReadOneStatement };

struct GroupCommitStats {
  int64_t transactions = 0;  // TransactGrouped calls committed or failed
  int64_t batches = 0;       // database transactions (commits) that carried them
};

class Database {
 public:
  Database();
  virtual ~Database();
  virtual Dialect dialect() const = 0;

  // Runs `fn` inside a transaction on a pooled connection; commits when it returns
  // success, rolls back on error. On a busy/serialization failure (kUnavailable or a
  // serialization kConflict from the database) the whole transaction is retried, so
  // `fn` must only have effects through the connection. Read-only transactions see one
  // consistent snapshot.
  virtual Status Transact(const std::function<Status(Connection&)>& fn,
                          TxMode mode = TxMode::kReadWrite) = 0;

  // Cheap connectivity check for /readyz.
  virtual Status Ping() = 0;
  virtual PoolStats Stats() const = 0;

 private:
  struct Group;
  std::unique_ptr<Group> group_;

 public:
  // Closes every connection; calls after Close fail with kUnavailable.
  virtual void Close() = 0;

  Status Read(const std::function<Status(Connection&)>& fn) {
    return Transact(fn, TxMode::kReadOnly);
  }
  Status ReadOneStatement(const std::function<Status(Connection&)>& fn) {
    return Transact(fn, TxMode::kReadOneStatement);
  }

  // Group commit: runs `fn` in a read-write transaction shared with the callers that
  // arrive while the previous batch commits, so one commit (one fsync) makes a whole
  // batch durable. Each `fn` runs inside its own SAVEPOINT: its error rolls back only
  // its own effects and is returned to its caller alone; the others commit. Returns
  // after the batch committed (or failed: then every caller of the batch gets that
  // error). A batch is retried whole on busy/serialization failures, so `fn` must only
  // have effects through the connection, as with Transact. `fn` runs on whichever
  // caller's thread leads the batch. Callers wait while a batch commits, so run them on
  // threads that may block (enough of them to make batches worth it).
  Status TransactGrouped(const std::function<Status(Connection&)>& fn);
  GroupCommitStats GroupStats() const;
};

// Opens "sqlite:PATH" (creating parent folders and the file), "sqlite::memory:" or
// "postgresql://..." / "postgres://...". kInvalidArgument for other schemes.
Result<std::unique_ptr<Database>> Open(const std::string& url, const Options& options);

}  // namespace ow::db

#endif  // OW_DB_DATABASE_H_
