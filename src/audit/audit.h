// The append-only audit log: every login, failure, lockout, role change and token
// issue is recorded here, and nothing recorded can be changed or removed.
//
// Guarantees:
//  - Append-only by the database: triggers abort every UPDATE and DELETE of
//    audit_log (and TRUNCATE on PostgreSQL), whoever sends them.
//  - Tamper evidence: each record carries the SHA-256 hash of the previous record's
//    hash and its own fields (see RecordHash), so a record altered or removed behind
//    the triggers' back (by someone who can drop them) breaks the chain, and
//    VerifyChain names the first record that does not verify. The chain does not
//    stop someone who rewrites every later record and the head as well; anchor the
//    head hash elsewhere (an export, a signed report) if that matters.
//  - Order: seq is gapless and is the chain's order (1, 2, 3, ...). Appends are
//    serialized by the one-row table audit_head, read FOR UPDATE on PostgreSQL
//    (SQLite serializes writers anyway).
//
// Two ways in. Append writes inside the caller's transaction, so the record commits
// or rolls back with the change it records; use it for changes (role granted,
// account locked). Writer batches high-rate events (tokens issued) on a background
// thread; an event is durable only once Flush() has returned or the writer has
// committed its batch, so a crash loses what is still queued (at most about
// max_delay of events, or more while the database is unreachable).
//
// Authorization is the caller's job: only an audit administrator may read the log
// (see audit/routes.h). Callers never put personal data in clear in any field.
#ifndef OW_AUDIT_AUDIT_H_
#define OW_AUDIT_AUDIT_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::audit {

// What happened. Append and Writer::Enqueue check it:
//  - action matches [a-z_]+(\.[a-z_]+)+ and is at most 64 bytes, e.g. "login.succeeded",
//    "login.failed", "account.locked", "role.granted", "role.revoked", "token.issued",
//    "session.revoked";
//  - outcome is "success", "failure" or "denied";
//  - detail serializes to valid UTF-8 JSON of at most kMaxDetailBytes.
// Anything else is kInvalidArgument (a bug in the caller). The free-text fields
// (actor, subject, ip, request_id) may come from untrusted input, such as the user
// name of a failed login; they are never refused: invalid UTF-8 and NUL bytes are
// replaced by U+FFFD and each is cut to kMaxFieldBytes (at a character boundary).
struct Event {
  std::string action;
  std::string actor;           // who acted: a user name, "client:<id>", "admin"; "" when unknown
  std::string subject;         // what it is about: an account id, a client id, ...; may be ""
  std::string outcome;         // "success" | "failure" | "denied"
  std::string ip;              // the client's IP address; may be ""
  std::string request_id;      // X-Request-Id of the request that caused it; may be ""
  boost::json::object detail;  // small; never personal data in clear
};

inline constexpr size_t kMaxFieldBytes = 256;
inline constexpr size_t kMaxDetailBytes = 4096;

// A stored event.
struct Record : Event {
  int64_t seq = 0;          // 1, 2, 3, ... without gaps, in chain order
  std::string at;           // when it was appended or enqueued: RFC 3339 UTC with
                            // milliseconds, "2025-03-01T02:30:00.123Z"
  std::string prev_hash;    // hash of record seq - 1; 64 zeros for seq 1
  std::string hash;         // RecordHash(*this), lower-case hex
  std::string detail_json;  // detail exactly as stored (and hashed)
};

// The hash chain, defined precisely so that anyone can recompute it:
//
//   hash = lower-case hex SHA-256 of  prev_hash "\n" canonical
//   canonical = for each of seq, at, action, actor, subject, outcome, ip,
//               request_id, detail_json in this order:
//               <length in bytes, decimal> ":" <the bytes> "\n"
//
// seq is written in decimal without leading zeros; detail_json is the stored text
// (Boost.JSON's serialization of Event::detail at append time). Example for seq 1:
//   "0000...0000\n1:1\n24:2025-03-01T02:30:00.123Z\n15:login.succeeded\n5:alice\n..."
std::string CanonicalForm(const Record& r);
std::string RecordHash(const Record& r);
// The prev_hash of record 1.
inline const std::string kGenesisHash(64, '0');

// Migration ids "audit/001_init", ...; the composition root applies them.
std::vector<db::Migration> Migrations();

// Appends `e` inside the caller's transaction, so the record commits or rolls back
// with the change it records. The record takes the current time as `at`.
// On PostgreSQL this locks audit_head until the transaction ends, so every other
// appender waits for it: call Append last in the transaction.
// Errors: kInvalidArgument for an invalid event (see Event); database errors as
// db::Connection reports them.
Status Append(db::Connection& c, const Event& e);

// Writes events on a background thread, many per transaction.
//
// Enqueue never touches the database on the caller's thread: it stamps the event
// with the current time and queues it. One thread commits the queue in batches of
// at most max_batch events, at most max_delay after the first queued event was
// enqueued. A failed batch is logged (core/log.h, "audit.writer.batch_failed") and
// retried with exponential backoff; events are never dropped while the writer runs.
//
// Backpressure: when queue_limit events are waiting, Enqueue BLOCKS until the
// writer has made room. Audit records are never dropped to keep a caller fast; a
// database outage therefore stalls the callers that audit once the queue is full.
//
// Thread-safe: any thread may Enqueue and Flush. The Database must outlive the
// Writer. Do not call Enqueue once the destructor has started.
class Writer {
 public:
  struct Options {
    size_t max_batch = 1000;
    std::chrono::milliseconds max_delay{20};
    size_t queue_limit = 100000;
    // How long the destructor keeps trying to write what is queued. Events still
    // unwritten after that are logged one by one at error level
    // ("audit.writer.unwritten", with every field) so that none disappears silently.
    std::chrono::milliseconds stop_timeout{30000};
  };
  // Counters since construction, for /metrics.
  struct Stats {
    uint64_t enqueued = 0;  // events accepted by Enqueue
    uint64_t written = 0;   // events committed
    uint64_t batches = 0;   // transactions committed
    uint64_t failures = 0;  // batch attempts that failed (each is retried)
    uint64_t queued = 0;    // events waiting now, including a batch being written
  };

  explicit Writer(db::Database& db) : Writer(db, Options()) {}
  Writer(db::Database& db, Options options);
  // Flushes (for at most stop_timeout) and stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `e`; blocks only while the queue is full (see above). kInvalidArgument
  // for an invalid event (see Event), which is not queued.
  Status Enqueue(Event e);
  // Returns once every event enqueued before the call is committed. Waits as long
  // as that takes (the writer retries while the database is unreachable).
  void Flush();
  Stats stats() const;

 private:
  struct Queued {
    Record record;  // checked and stamped; seq and hashes not yet assigned
    std::chrono::steady_clock::time_point since;
  };
  void Run();
  void LogUnwritten(const std::vector<Record>& batch);

  db::Database& db_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable work_;     // writer thread: events queued, flush or stop
  std::condition_variable room_;     // Enqueue: the queue has room
  std::condition_variable written_;  // Flush: a batch committed
  std::deque<Queued> queue_;
  size_t in_flight_ = 0;     // events taken from the queue, not yet committed
  uint64_t flush_upto_ = 0;  // a Flush waits for `written` to reach this
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  Stats stats_;
  std::thread thread_;
};

// Which records to list. Empty strings do not filter. An actor of "" cannot be
// selected on its own (filter on action and outcome instead).
struct Filter {
  std::string actor;    // exact
  std::string action;   // exact ("login.failed") or a prefix ending in '.' ("login.")
  std::string subject;  // exact
  std::string outcome;  // "success" | "failure" | "denied"
  std::string since;    // RFC 3339 date-time with offset; records at or after it
  std::string until;    // RFC 3339 date-time with offset; records strictly before it
  int limit = 50;       // 1..200
  std::string cursor;   // the next_cursor of the previous page, unchanged
};

struct Page {
  std::vector<Record> records;  // newest (highest seq) first
  std::string next_cursor;      // "" on the last page
};

// Records matching `f`, newest first, paginated by seq (stable while records are
// appended: a page never repeats or skips a record).
// Errors: kInvalidArgument with one field error per bad member of `f` (field names
// as the query parameters: actor, action, subject, outcome, since, until, limit, cursor).
Result<Page> List(db::Database& db, const Filter& f);

struct ChainCheck {
  bool ok = true;
  int64_t checked = 0;         // records whose hash was recomputed
  int64_t first_bad_seq = 0;   // 0 when ok
  std::string problem;         // "" when ok; why first_bad_seq failed
  int64_t pruned_through = 0;  // records up to this seq were pruned (Prune); 0 if none
};

// Recomputes the hash chain from record `from` (trusting the stored hash of record
// from - 1 as its anchor) up to the head recorded in audit_head when the check
// starts. Not ok at the first seq where one of these fails:
//  - the record exists (seq has no gap up to the head);
//  - its prev_hash equals the previous record's hash;
//  - its hash equals RecordHash of its stored fields;
//  - the last record's hash equals the head's hash.
// A record altered in place fails at its own seq; one altered with its hash
// recomputed fails at the next seq (whose prev_hash no longer matches).
// Reads in batches of separate read transactions; appends may continue meanwhile.
// Errors: kInvalidArgument when from < 1; database errors.
//
// After Prune, the chain starts at the newest checkpoint: a check from a seq at or
// below it starts just after it, anchored on the checkpoint's hash (the hash of the
// last pruned record, which the chain's next record names as its prev_hash).
Result<ChainCheck> VerifyChain(db::Database& db, int64_t from = 1);

// Retention (config audit.retention_days). Removes, oldest first, at most `max_records`
// records older than `before` (by `at`), never a record at or after it, nor one with a
// younger record below it: the pruned records are always a prefix of the chain. In the
// same transaction: a checkpoint (audit_checkpoints, append-only: the last pruned seq,
// its hash, how many, when) is stored first, which is the only thing that lets the
// database delete those records (its triggers refuse any other DELETE), and an
// "audit.pruned" record naming the checkpoint is appended to the chain. Holds the
// audit_head lock (appenders wait) while it runs. Returns how many were pruned.
struct PruneResult {
  int64_t pruned = 0;
  int64_t through_seq = 0;  // the newest checkpoint after this run (0: none)
};
Result<PruneResult> Prune(db::Database& db, std::chrono::system_clock::time_point before,
                          int64_t max_records);

}  // namespace ow::audit

#endif  // OW_AUDIT_AUDIT_H_
