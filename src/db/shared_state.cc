#include "db/shared_state.h"

#include <atomic>

namespace ow::db {

std::vector<Migration> SharedStateMigrations() {
  return {Portable("shared/001_init", R"sql(
CREATE TABLE shared_generations (
  name TEXT PRIMARY KEY,
  generation BIGINT NOT NULL
);
CREATE TABLE shared_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE TABLE shared_events (
  id {{ID}},
  bucket TEXT NOT NULL,
  event_key TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX shared_events_by_key ON shared_events (bucket, event_key, at_ms);
CREATE INDEX shared_events_by_time ON shared_events (at_ms);
)sql")};
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status BumpGeneration(Connection& c, std::string_view name) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO shared_generations (name, generation) VALUES ($1, 1) "
             "ON CONFLICT (name) DO UPDATE SET generation = shared_generations.generation + 1",
             {std::string(name)}));
  return {};
}

Status BumpGeneration(Database& db, std::string_view name) {
  return db.Transact([&](Connection& c) { return BumpGeneration(c, name); });
}

Result<uint64_t> ReadGeneration(Connection& c, std::string_view name) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT generation FROM shared_generations "
                                         "WHERE name = $1",
                                         {std::string(name)}));
  return rows.empty() ? uint64_t{0} : static_cast<uint64_t>(rows.Int(0, 0));
}

uint64_t CurrentGeneration(Database& db, std::string_view name) {
  // Failures count down from the top: never equal to a stored generation or to another
  // failure's value, so nothing is served from a cache while the database is unreadable.
  static std::atomic<uint64_t> unknown{~uint64_t{0}};
  uint64_t value = 0;
  auto st = db.ReadOneStatement([&](Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(value, ReadGeneration(c, name));
    return {};
  });
  if (!st) return unknown.fetch_sub(1);
  return value;
}

Result<bool> ClaimLease(Database& db, std::string_view name, std::string_view holder,
                        std::chrono::milliseconds ttl, int64_t now_ms) {
  int64_t changed = 0;
  OW_RETURN_IF_ERROR(db.Transact([&](Connection& c) -> Status {
    // One statement: the row is inserted, or taken over only when expired or ours. Two
    // nodes racing both run it; the database's row lock lets one of them change the row.
    OW_ASSIGN_OR_RETURN(
        changed,
        c.Exec("INSERT INTO shared_leases (name, holder, expires_ms) VALUES ($1, $2, $3) "
               "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
               "expires_ms = excluded.expires_ms "
               "WHERE shared_leases.expires_ms <= $4 OR shared_leases.holder = excluded.holder",
               {std::string(name), std::string(holder), now_ms + ttl.count(), now_ms}));
    return {};
  }));
  return changed > 0;
}

Status ReleaseLease(Database& db, std::string_view name, std::string_view holder) {
  return db.Transact([&](Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM shared_leases WHERE name = $1 AND holder = $2",
                              {std::string(name), std::string(holder)}));
    return {};
  });
}

Result<std::string> LeaseHolder(Database& db, std::string_view name, int64_t now_ms) {
  std::string holder;
  OW_RETURN_IF_ERROR(db.ReadOneStatement([&](Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT holder FROM shared_leases "
                                           "WHERE name = $1 AND expires_ms > $2",
                                           {std::string(name), now_ms}));
    if (!rows.empty()) holder = rows.Text(0, 0);
    return {};
  }));
  return holder;
}

Status RecordEvent(Database& db, const EventWindow& w, std::string_view key, int64_t now_ms) {
  return db.Transact([&](Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO shared_events (bucket, event_key, at_ms) VALUES ($1, $2, $3)",
               {w.bucket, std::string(key), now_ms}));
    return {};
  });
}

Result<int64_t> CountEvents(Database& db, const EventWindow& w, std::string_view key,
                            int64_t now_ms, int64_t* oldest_ms) {
  int64_t n = 0, oldest = 0;
  OW_RETURN_IF_ERROR(db.ReadOneStatement([&](Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT COUNT(*), MIN(at_ms) FROM shared_events "
                                "WHERE bucket = $1 AND event_key = $2 AND at_ms > $3",
                                {w.bucket, std::string(key), now_ms - w.window.count()}));
    n = rows.Int(0, 0);
    oldest = rows.Int(0, 1);
    return {};
  }));
  if (oldest_ms) *oldest_ms = oldest;
  return n;
}

Status ClearEvents(Database& db, const EventWindow& w, std::string_view key) {
  return db.Transact([&](Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM shared_events WHERE bucket = $1 AND event_key = $2",
                              {w.bucket, std::string(key)}));
    return {};
  });
}

Status PruneEvents(Database& db, std::chrono::milliseconds older_than, int64_t now_ms) {
  return db.Transact([&](Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("DELETE FROM shared_events WHERE at_ms <= $1", {now_ms - older_than.count()}));
    return {};
  });
}

namespace {
int64_t Millis(StoredWindow::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

bool StoredWindow::Full(const std::string& key, TimePoint now, std::chrono::seconds* retry) {
  int64_t at = Millis(now), oldest = 0;
  auto n = CountEvents(db_, window_, key, at, &oldest);
  if (!n || *n < limit_) return false;
  *retry = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::milliseconds(oldest + window_.window.count() - at)) +
           std::chrono::seconds(1);
  return true;
}

void StoredWindow::Add(const std::string& key, TimePoint now) {
  (void)RecordEvent(db_, window_, key, Millis(now));
}

void StoredWindow::Clear(const std::string& key) { (void)ClearEvents(db_, window_, key); }

}  // namespace ow::db
