#include "db/migrations.h"

#include "core/log.h"

namespace ow::db {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " id TEXT PRIMARY KEY,"
    " seq INTEGER NOT NULL,"
    " applied_at TEXT NOT NULL)";

// An arbitrary constant naming OneWindow's migration lock in pg_advisory_xact_lock.
constexpr int64_t kAdvisoryLockKey = 0x4f4e4557494e44;  // "ONEWIND"

std::string NowUtc(Connection& c) {
  auto r =
      c.Query(c.dialect() == Dialect::kSqlite
                  ? "SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')"
                  : "SELECT to_char(now() AT TIME ZONE 'UTC','YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
  return r && !r->empty() ? r->Text(0, 0) : "";
}

}  // namespace

Result<int> Migrate(Database& db, const std::vector<Migration>& migrations) {
  OW_RETURN_IF_ERROR(db.Transact([&](Connection& c) -> Status {
    if (c.dialect() == Dialect::kPostgres) {
      OW_RETURN_IF_ERROR(c.Query("SELECT pg_advisory_xact_lock($1)", {kAdvisoryLockKey}));
    }
    return c.ExecScript(kCreateTable);
  }));
  int applied = 0;
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    bool ran = false;
    OW_RETURN_IF_ERROR(db.Transact([&](Connection& c) -> Status {
      ran = false;
      if (c.dialect() == Dialect::kPostgres) {
        OW_RETURN_IF_ERROR(c.Query("SELECT pg_advisory_xact_lock($1)", {kAdvisoryLockKey}));
      }
      OW_ASSIGN_OR_RETURN(Rows done,
                          c.Query("SELECT 1 FROM schema_migrations WHERE id = $1", {m.id}));
      if (!done.empty()) return {};
      const std::string& script =
          c.dialect() == Dialect::kPostgres && !m.postgres.empty() ? m.postgres : m.sqlite;
      if (auto st = c.ExecScript(script); !st) {
        return Error(st.error().code, "migration " + m.id + ": " + st.error().message);
      }
      OW_RETURN_IF_ERROR(
          c.Exec("INSERT INTO schema_migrations (id, seq, applied_at) VALUES ($1, $2, $3)",
                 {m.id, static_cast<int64_t>(i), NowUtc(c)}));
      ran = true;
      return {};
    }));
    if (ran) {
      ++applied;
      log::Info("db.migrated", {{"id", m.id}});
    }
  }
  return applied;
}

Result<std::vector<std::string>> AppliedMigrations(Database& db) {
  std::vector<std::string> ids;
  OW_RETURN_IF_ERROR(db.Read([&](Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(Rows r,
                        c.Query("SELECT id FROM schema_migrations ORDER BY seq, applied_at"));
    for (size_t i = 0; i < r.size(); ++i) ids.push_back(r.Text(i, 0));
    return {};
  }));
  return ids;
}

}  // namespace ow::db
