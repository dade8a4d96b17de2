// SQL of the webhooks domain. Used only by webhooks::Service.
#ifndef OW_WEBHOOKS_STORE_H_
#define OW_WEBHOOKS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "webhooks/model.h"

namespace ow::webhooks {

std::vector<db::Migration> Migrations();

namespace store {

Status InsertSubscription(db::Connection& c, const Subscription& s);
// `client_id` "" = every client's; newest first.
Result<std::vector<Subscription>> Subscriptions(db::Connection& c, const std::string& client_id,
                                                int64_t limit);
Result<std::optional<Subscription>> GetSubscription(db::Connection& c, const std::string& id);
Result<int64_t> CountActive(db::Connection& c, const std::string& client_id);
// Active subscriptions of `department` to `type`.
Result<std::vector<Subscription>> Listening(db::Connection& c, const std::string& department,
                                            const std::string& type);
// An active subscription becomes disabled; its deliveries not yet made (pending or dead)
// are cancelled. False when it was not active.
Result<bool> Disable(db::Connection& c, const std::string& id, const std::string& by,
                     const std::string& at);

Status InsertDelivery(db::Connection& c, const Delivery& d);
// Claims up to `limit` deliveries due at `now` (pending and due, or sending with an
// expired lease) in one statement, as notify's outbox does: each becomes sending until
// `lease_until` with one more attempt. PostgreSQL skips rows another claimer holds.
Result<std::vector<Delivery>> ClaimDue(db::Connection& c, const std::string& now,
                                       const std::string& lease_until, int64_t limit);
// Outcomes, each fenced by the claim it answers for (id, attempts and lease as ClaimDue
// returned them): a worker whose lease ran out and whose row was claimed again changes
// nothing (false).
Result<bool> MarkDelivered(db::Connection& c, const Delivery& claimed, const std::string& at,
                           int64_t response_status);
Result<bool> MarkRetry(db::Connection& c, const Delivery& claimed,
                       const std::string& next_attempt_at, const std::string& error,
                       int64_t response_status);
Result<bool> MarkDead(db::Connection& c, const Delivery& claimed, const std::string& error,
                      int64_t response_status);
Result<bool> Release(db::Connection& c, const Delivery& claimed);
// Deliveries in `status` ("" = any) of `client_id` ("" = any), newest first.
Result<std::vector<Delivery>> Deliveries(db::Connection& c, const std::string& status,
                                         const std::string& client_id, int64_t limit);
Result<std::optional<Delivery>> GetDelivery(db::Connection& c, int64_t id);
// A dead delivery becomes pending again, due now, attempts reset; false when not dead or
// its subscription is no longer active.
Result<bool> Replay(db::Connection& c, int64_t id, const std::string& now);

}  // namespace store
}  // namespace ow::webhooks

#endif  // OW_WEBHOOKS_STORE_H_
