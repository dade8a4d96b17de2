// Events to department systems (issue 14, part 7): subscriptions and a signed webhook
// outbox.
//
//  - A department's system (an OpenID Connect client using client credentials, registered
//    to its department in the exchange's system registry, its token holding the scope
//    "events.subscribe") subscribes an endpoint URL to event types. It hears only events
//    of its own department: a case submitted to, decided or delivered by it; a licence it
//    issued or revoked. Events carry no personal data.
//  - Publish() (the Publisher the cases and licences domains call inside their own
//    transactions) writes one outbox row per live subscription of the event's department
//    and type, so an event exists exactly when its change committed.
//  - DeliverDue() (run periodically by the app on every node) claims due rows atomically
//    with a lease, POSTs the stored body, and records the outcome fenced by the claim:
//    2xx delivered; no answer, 408, 425, 429 or 5xx retried with exponential back-off
//    and jitter; any other status, or max_attempts reached, dead. Dead deliveries wait in
//    the dead-letter list until an administrator replays them.
//  - Every attempt carries the event's id as Idempotency-Key (and OW-Event-Id) and the
//    header OW-Signature: a compact JWS (ES256, the platform's key published in its JWKS)
//    whose claims name the issuer, the client (aud), the subscription (sub), the event
//    (jti) and the SHA-256 of the exact body (body_sha256, base64url).
//
// Guarantee: every committed event reaches each of its subscriptions' endpoints AT LEAST
// once while the endpoint eventually answers 2xx within max_attempts (or after a replay);
// a crash after the endpoint answered but before the outcome committed sends the same body
// with the same Idempotency-Key again once the lease expires, so a receiver that
// deduplicates by it handles each event exactly once.
//
// Thread-safe. Errors: kInvalidArgument with field errors, kNotFound, kPermissionDenied,
// kFailedPrecondition (a replay of a delivery that is not dead), kResourceExhausted (too
// many subscriptions).
#ifndef OW_WEBHOOKS_SERVICE_H_
#define OW_WEBHOOKS_SERVICE_H_

#include <boost/json/object.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "authz/principal.h"
#include "core/clock.h"
#include "db/database.h"
#include "webhooks/model.h"
#include "webhooks/publisher.h"

namespace ow::webhooks {

struct Options {
  int64_t lease_seconds = 60;        // a claimed row is someone's for this long
  int64_t max_attempts = 10;         // then the delivery is dead
  int64_t retry_base_seconds = 10;   // the first retry waits about this long, then doubles
  int64_t retry_max_seconds = 3600;  // no wait longer than this
  int64_t timeout_ms = 5000;         // one call to an endpoint
  bool allow_http = false;           // http:// endpoints (tests, internal networks)
  int64_t batch = 20;                // rows claimed at once
  int64_t max_subscriptions = 20;    // active ones per client
};

// The department a system is registered to (the exchange's registry).
struct SystemDepartment {
  std::string department_code;
  std::string region_code;
};

class Service final : public Publisher {
 public:
  // Signs claims as a compact JWS with the platform's key.
  using Signer = std::function<Result<std::string>(const boost::json::object& claims)>;
  using SystemLookup =
      std::function<Result<std::optional<SystemDepartment>>(const std::string& client_id)>;

  Service(db::Database& db, Options options);
  // Call before serving. `issuer` names the platform ("iss"), asked at each delivery.
  void SetSigner(Signer signer, std::function<std::string()> issuer);
  void SetSystemLookup(SystemLookup lookup);

  Status Publish(db::Connection& c, const DomainEvent& e) override;

  // The calling system's own subscriptions.
  Result<Subscription> Subscribe(const authz::Principal& who, const std::string& url,
                                 const std::vector<std::string>& events);
  Result<std::vector<Subscription>> MySubscriptions(const authz::Principal& who);
  Result<Subscription> Unsubscribe(const authz::Principal& who, const std::string& id);
  // The system's deliveries (its own endpoint's outbox), newest first.
  Result<std::vector<Delivery>> MyDeliveries(const authz::Principal& who, const std::string& status,
                                             int64_t limit);

  // For system administrators.
  Result<std::vector<Subscription>> AllSubscriptions(const authz::Principal& who,
                                                     const std::string& client_id);
  Result<Subscription> Disable(const authz::Principal& who, const std::string& id);
  Result<std::vector<Delivery>> Deliveries(const authz::Principal& who, const std::string& status,
                                           int64_t limit);
  Result<Delivery> Replay(const authz::Principal& who, int64_t id);

  // Claims and sends what is due at `now`, batch after batch (at most 20 batches);
  // returns how many deliveries were attempted.
  Result<int64_t> DeliverDue(SystemTime now);

 private:
  struct Outcome {
    enum Kind { kDelivered, kRetry, kPermanent } kind;
    std::string detail;
    int64_t status = 0;
  };
  Outcome Send(const Delivery& d);
  Status Record(const Delivery& d, const Outcome& o, SystemTime now);
  Result<SystemDepartment> CallerSystem(const authz::Principal& who);

  db::Database& db_;
  Options options_;
  Signer signer_;
  std::function<std::string()> issuer_;
  SystemLookup lookup_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace ow::webhooks

#endif  // OW_WEBHOOKS_SERVICE_H_
