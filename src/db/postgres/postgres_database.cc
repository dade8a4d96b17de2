#include "db/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "db/pool.h"
#include "db/statements.h"

namespace ow::db {
namespace {

// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700,
              kFloat8 = 701, kOid = 26;

Error FromResult(PGconn* conn, const PGresult* res, std::string_view context) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg =
      std::string(context) + ": " +
      (res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (!state) return Unavailable(msg);  // no SQLSTATE: the connection failed
  std::string_view s(state);
  if (s == "23505") return AlreadyExists(msg);
  if (s.substr(0, 2) == "23") return Conflict(msg);
  if (s == "40001" || s == "40P01" || s == "55P03") return Unavailable(msg);
  if (s.substr(0, 2) == "08" || s.substr(0, 2) == "57") return Unavailable(msg);
  if (s.substr(0, 2) == "22") return InvalidArgument(msg);
  return Internal(msg);
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  using Connection::Exec;
  using Connection::Query;
  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

  // The transaction's BEGIN is not sent on its own: it goes out with the transaction's
  // first statement, in one round trip (a pipeline for a prepared statement, the same
  // simple query for a script). A transaction that runs no statement sends nothing.
  void DeferBegin(std::string begin) { begin_ = std::move(begin); }
  // True if BEGIN was deferred and never sent (the transaction ran no statement); clears it.
  bool TakeUnsentBegin() {
    bool unsent = !begin_.empty();
    begin_.clear();
    return unsent;
  }
  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    OW_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    int nrows = PQntuples(res.get());
    int ncols = PQnfields(res.get());
    std::vector<std::string> columns;
    columns.reserve(ncols);
    std::vector<Oid> types(ncols);
    for (int c = 0; c < ncols; ++c) {
      columns.emplace_back(PQfname(res.get(), c));
      types[c] = PQftype(res.get(), c);
    }
    std::vector<std::vector<Value>> rows;
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> row;
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.emplace_back(std::monostate{});
          continue;
        }
        const char* v = PQgetvalue(res.get(), r, c);
        int len = PQgetlength(res.get(), r, c);
        switch (types[c]) {
          case kInt2:
          case kInt4:
          case kInt8:
          case kOid:
            row.emplace_back(int64_t{std::strtoll(v, nullptr, 10)});
            break;
          case kFloat4:
          case kFloat8:
            row.emplace_back(std::strtod(v, nullptr));
            break;
          case kBool:
            row.emplace_back(int64_t{v[0] == 't' ? 1 : 0});
            break;
          case kBytea: {
            size_t n = 0;
            unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
            row.emplace_back(Blob{std::string(reinterpret_cast<char*>(bytes), n)});
            PQfreemem(bytes);
            break;
          }
          default:
            row.emplace_back(std::string(v, len));
        }
      }
      rows.push_back(std::move(row));
    }
    return Rows(std::move(columns), std::move(rows));
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    OW_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    const char* n = PQcmdTuples(res.get());
    return int64_t{n && *n ? std::strtoll(n, nullptr, 10) : 0};
  }

  Status ExecScript(std::string_view sql) override {
    // A deferred BEGIN travels in the same simple query (one round trip).
    std::string text = begin_.empty() ? std::string(sql) : begin_ + "; " + std::string(sql);
    begin_.clear();
    CountStatement();
    PgResult res(PQexec(conn_, text.c_str()));
    auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      return FromResult(conn_, res.get(), "script");
    return {};
  }

 private:
  Result<PgResult> Run(std::string_view sql, const std::vector<Value>& params) {
    std::string key(sql);
    auto it = prepared_.find(key);
    if (!begin_.empty()) return RunAfterBegin(std::move(key), params);
    if (it == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size());
      CountStatement();
      PgResult prep(PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr));
      if (PQresultStatus(prep.get()) != PGRES_COMMAND_OK)
        return FromResult(conn_, prep.get(), "prepare");
      it = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    Params p(params);
    CountStatement();
    PgResult res(PQexecPrepared(conn_, it->second.c_str(), p.n, p.values.data(), p.lengths.data(),
                                p.formats.data(), 0));
    auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      return FromResult(conn_, res.get(), "query");
    return res;
  }

  // Parameters in libpq's form (text, except bytea in binary); views into `params`.
  struct Params {
    explicit Params(const std::vector<Value>& params)
        : n(static_cast<int>(params.size())),
          text(params.size()),
          values(params.size(), nullptr),
          lengths(params.size(), 0),
          formats(params.size(), 0) {
      for (size_t i = 0; i < params.size(); ++i) {
        const Value& v = params[i];
        if (auto* x = std::get_if<int64_t>(&v)) {
          text[i] = std::to_string(*x);
        } else if (auto* d = std::get_if<double>(&v)) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.17g", *d);
          text[i] = buf;
        } else if (auto* s = std::get_if<std::string>(&v)) {
          values[i] = s->c_str();
          lengths[i] = static_cast<int>(s->size());
          continue;
        } else if (auto* b = std::get_if<Blob>(&v)) {
          values[i] = b->bytes.data();
          lengths[i] = static_cast<int>(b->bytes.size());
          formats[i] = 1;
          continue;
        } else {
          continue;  // NULL
        }
        values[i] = text[i].c_str();
        lengths[i] = static_cast<int>(text[i].size());
      }
    }
    int n;
    std::vector<std::string> text;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };

  // The deferred BEGIN, the statement's PREPARE if this connection has not prepared it
  // yet, and the statement, in one pipeline: one round trip.
  Result<PgResult> RunAfterBegin(std::string key, const std::vector<Value>& params) {
    std::string begin = std::move(begin_);
    begin_.clear();
    auto it = prepared_.find(key);
    bool prepare = it == prepared_.end();
    std::string name = prepare ? "s" + std::to_string(prepared_.size()) : it->second;
    Params p(params);
    CountStatement();
    if (PQenterPipelineMode(conn_) != 1) return FromResult(conn_, nullptr, "pipeline");
    bool sent =
        PQsendQueryParams(conn_, begin.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    if (sent && prepare) sent = PQsendPrepare(conn_, name.c_str(), key.c_str(), 0, nullptr) == 1;
    sent = sent && PQsendQueryPrepared(conn_, name.c_str(), p.n, p.values.data(), p.lengths.data(),
                                       p.formats.data(), 0) == 1;
    sent = sent && PQpipelineSync(conn_) == 1;
    if (!sent) {
      Error e = FromResult(conn_, nullptr, "pipeline");
      broken_ = true;  // half a pipeline may be on the wire: the pool replaces the connection
      return e;
    }
    // Each command's results end with a null; the pipeline ends with PGRES_PIPELINE_SYNC.
    const int commands = prepare ? 3 : 2;
    int command = 0;
    bool prepared_ok = false;
    std::optional<Error> error;
    PgResult last;
    for (;;) {
      PGresult* r = PQgetResult(conn_);
      if (!r) {
        if (++command > commands || PQstatus(conn_) != CONNECTION_OK) break;
        continue;
      }
      PgResult res(r);
      auto st = PQresultStatus(r);
      if (st == PGRES_PIPELINE_SYNC) break;
      if (st == PGRES_PIPELINE_ABORTED) {
        if (!error) error = Internal("query: pipeline aborted");
      } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        if (!error) error = FromResult(conn_, r, command == 0 ? "begin" : "query");
      } else if (prepare && command == 1) {
        prepared_ok = true;
      } else if (command == commands - 1) {
        last = std::move(res);
      }
    }
    if (PQexitPipelineMode(conn_) != 1) broken_ = true;
    if (prepared_ok) prepared_.emplace(std::move(key), std::move(name));
    if (error) return *error;
    if (!last) {
      broken_ = true;
      return Unavailable("query: no result from PostgreSQL");
    }
    return last;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
  std::string begin_;    // a deferred BEGIN (DeferBegin)
  bool broken_ = false;  // a pipeline ended out of step: replace the connection
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, Options options)
      : url_(std::move(url)), options_(options), pool_(options, [this] { return OpenOne(); }) {}
  ~PostgresDatabase() override { Close(); }

  Status Init() { return pool_.Fill(options_.pool_size); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Transact(const std::function<Status(Connection&)>& fn, TxMode mode) override {
    // A connection the server dropped (restart, failover) is replaced before the next attempt.
    return pool_.Run([&](PostgresConnection& c) { return RunOnce(c, fn, mode); },
                     [](const PostgresConnection& c) { return c.healthy(); });
  }

  Status Ping() override {
    return Transact(
        [](Connection& c) -> Status {
          auto r = c.Query("SELECT 1");
          if (!r) return r.error();
          return {};
        },
        TxMode::kReadOnly);
  }

  PoolStats Stats() const override { return pool_.Stats(); }

  void Close() override { pool_.Close(); }

 private:
  Result<std::unique_ptr<PostgresConnection>> OpenOne() {
    // The URL names the server (a load balancer in front of the current primary, in a
    // cluster); a connection found broken is replaced by a new one to whatever it names
    // then (ConnectionPool::Run). Opening gives up after connect_timeout, so requests fail
    // fast with 503 while the database is unreachable.
    std::string timeout = std::to_string(std::max(2, (options_.connect_timeout_ms + 999) / 1000));
    const char* keys[] = {"dbname", "connect_timeout", nullptr};
    const char* values[] = {url_.c_str(), timeout.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    auto conn = std::make_unique<PostgresConnection>(raw);
    // Server notices ("relation already exists, skipping") are not errors; keep stderr for the log.
    PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    if (PQstatus(raw) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(raw);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return Unavailable("cannot connect to PostgreSQL: " + msg);
    }
    OW_RETURN_IF_ERROR(conn->ExecScript(
        "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET statement_timeout = " +
        std::to_string(std::max(0, options_.statement_timeout_ms))));
    return conn;
  }

  static Status RunOnce(PostgresConnection& c, const std::function<Status(Connection&)>& fn,
                        TxMode mode) {
    if (mode == TxMode::kReadOneStatement) {
      // One statement outside a transaction block is atomic and sees one snapshot.
      OneStatementConnection one(c);
      return fn(one);
    }
    c.DeferBegin(mode == TxMode::kReadWrite ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Status st = fn(c);
    if (c.TakeUnsentBegin()) return st;  // no statement ran: nothing to commit or roll back
    if (st) {
      auto commit = c.ExecScript("COMMIT");
      if (commit) return {};
      st = commit.error();
    }
    if (c.healthy() && c.in_transaction()) (void)c.ExecScript("ROLLBACK");
    return st;
  }

  std::string url_;
  Options options_;
  ConnectionPool<PostgresConnection> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& options) {
  auto db = std::make_unique<PostgresDatabase>(url, options);
  OW_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace ow::db
