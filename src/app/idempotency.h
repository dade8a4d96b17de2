// Idempotency-Key for unsafe requests (case submission, bundle application, uploads, task
// completion): a client that did not get an answer (a timeout, a node or database failover)
// sends the same request again with the same key and gets the first answer, never a second
// case.
//
// A key belongs to its caller (account and relying party, or client): another caller's
// identical key is another key and never sees the first one's response. The first request
// with a key claims it with an INSERT under a unique (owner, key) constraint, so of
// concurrent retries exactly one runs the handler; the others get 409 with Retry-After while
// it runs, and its stored response once it is done. The response is stored (status, body and
// the handler's headers: Content-Type, Location, ETag, Cache-Control...) and replayed with
// `Idempotent-Replayed: true`. The same key
// with another request (method, path, body: a SHA-256 fingerprint) is refused with 422. A
// 5xx answer (a failed attempt) is not stored: the key is freed for a retry. Keys expire
// after `ttl`.
//
// Limits, stated: the handler's effect and the stored response commit in two transactions.
// A node that dies between them leaves the key claimed but without a response; after
// `claim_timeout` another retry may claim it again and run the handler a second time. The
// domain checks (a case's task completes once: its version) still hold.
//
// Thread-safe.
#ifndef OW_APP_IDEMPOTENCY_H_
#define OW_APP_IDEMPOTENCY_H_

#include <chrono>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "http/message.h"
#include "http/router.h"

namespace ow::app {

std::vector<db::Migration> IdempotencyMigrations();

class Idempotency {
 public:
  Idempotency(db::Database& db, std::chrono::seconds ttl, std::chrono::seconds claim_timeout)
      : db_(db), ttl_(ttl), claim_timeout_(claim_timeout) {}

  // The Dispatcher::IdempotencyHook.
  http::Response Run(http::Context& ctx, const http::Handler& handler);
  // Deletes expired keys (housekeeping).
  Status Prune();

 private:
  db::Database& db_;
  std::chrono::seconds ttl_;
  std::chrono::seconds claim_timeout_;
};

}  // namespace ow::app

#endif  // OW_APP_IDEMPOTENCY_H_
