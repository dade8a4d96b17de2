// State that every server process on one database shares, kept in the database itself so
// that several nodes behind a load balancer behave as one platform (docs/architecture.md,
// "Several nodes"):
//
//   - Generation counters: a cache of rarely changing data (the catalog, regions, signing
//     keys, OIDC clients) remembers the generation it was filled at; a writer bumps the
//     counter in the transaction that changes the data (or right after it commits, before
//     the write is acknowledged), and every reader compares per use. A write acknowledged
//     on node A is therefore seen by the next request on node B (read-after-write), at the
//     price of one single-row read per cached answer.
//   - Leases: a named, expiring claim ("job:case_timers") that at most one holder has at a
//     time. A node that dies holding one loses it when it expires.
//   - Event windows: counts of events per key in a sliding window (failed logins), shared
//     by every node.
//
// All operations are single statements, atomic on SQLite and PostgreSQL alike (upserts
// with a condition, not a read followed by a write). Thread-safe.
#ifndef OW_DB_SHARED_STATE_H_
#define OW_DB_SHARED_STATE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"

namespace ow::db {

// The tables below (shared_generations, shared_leases, shared_events).
std::vector<Migration> SharedStateMigrations();

// Adds one to the generation `name` in the caller's transaction.
Status BumpGeneration(Connection& c, std::string_view name);
// The same in a transaction of its own (for a writer that bumps right after its commit).
Status BumpGeneration(Database& db, std::string_view name);
// The generation of `name` as the caller's transaction sees it (0 before its first bump):
// read in the same transaction as the data a cache is filled from.
Result<uint64_t> ReadGeneration(Connection& c, std::string_view name);
// The current generation of `name` (0 before its first bump). When the database cannot be
// read it returns a value no earlier or later call returns, so a cache keyed on it misses.
uint64_t CurrentGeneration(Database& db, std::string_view name);

// Milliseconds since the Unix epoch (the clock leases and windows are kept in).
int64_t NowMillis();

// Claims the lease `name` for `holder` until now + `ttl`: true when it was free, expired,
// or already `holder`'s (then it is extended). Atomic across every node.
Result<bool> ClaimLease(Database& db, std::string_view name, std::string_view holder,
                        std::chrono::milliseconds ttl, int64_t now_ms = NowMillis());
// Gives the lease up if `holder` has it.
Status ReleaseLease(Database& db, std::string_view name, std::string_view holder);
// Who holds `name` now ("" when nobody, or the lease expired).
Result<std::string> LeaseHolder(Database& db, std::string_view name, int64_t now_ms = NowMillis());

// Sliding-window event counts shared by every node: `bucket` names the limit ("login.ip"),
// `key` what is counted (an address).
struct EventWindow {
  std::string bucket;
  std::chrono::milliseconds window;
};
// Records one event of `key` at `now_ms`.
Status RecordEvent(Database& db, const EventWindow& w, std::string_view key,
                   int64_t now_ms = NowMillis());
// Events of `key` in (now - window, now], and when the oldest of them leaves the window
// (`*oldest_ms`, 0 when there are none).
Result<int64_t> CountEvents(Database& db, const EventWindow& w, std::string_view key,
                            int64_t now_ms = NowMillis(), int64_t* oldest_ms = nullptr);
// Forgets every event of `key` (a successful login clears its pair).
Status ClearEvents(Database& db, const EventWindow& w, std::string_view key);
// Deletes events older than `window` in every bucket of that width (housekeeping).
Status PruneEvents(Database& db, std::chrono::milliseconds older_than,
                   int64_t now_ms = NowMillis());

// A sliding-window limit kept in shared_events, with the interface of ow::SlidingWindow
// (core/sliding_window.h): every node sharing the database counts the same events. When the
// database cannot be read, Full() says false (the request itself then meets the outage).
class StoredWindow {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  // `limit` < 1 counts as 1.
  StoredWindow(Database& db, std::string bucket, int64_t limit, std::chrono::seconds span)
      : db_(db), window_{std::move(bucket), span}, limit_(limit < 1 ? 1 : limit) {}

  // True when `key` has `limit` events in the window ending at `now`; *retry is then the
  // wait until the oldest one leaves it.
  bool Full(const std::string& key, TimePoint now, std::chrono::seconds* retry);
  void Add(const std::string& key, TimePoint now);
  void Clear(const std::string& key);

 private:
  Database& db_;
  EventWindow window_;
  int64_t limit_;
};

}  // namespace ow::db

#endif  // OW_DB_SHARED_STATE_H_
