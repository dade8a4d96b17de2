// SQL of the notifications domain. Used only by notify::Service.
#ifndef OW_NOTIFY_STORE_H_
#define OW_NOTIFY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "notify/model.h"

namespace ow::notify {

// The inbox, the outbox and preferences; the second migration copies the cases domain's
// messages (case_messages) into the inbox, so it must follow cases::Migrations().
std::vector<db::Migration> Migrations();

namespace store {

// Inserts `m` (its id is ignored); nullopt when `dedupe_key` is not empty and the
// account already has a message with that key.
Result<std::optional<int64_t>> InsertMessage(db::Connection& c, const InboxMessage& m,
                                             const std::string& dedupe_key);
Status InsertDelivery(db::Connection& c, const Delivery& d);

// The account's newest `limit` messages, newest first.
Result<std::vector<InboxMessage>> Messages(db::Connection& c, const std::string& account_id,
                                           int64_t limit);
// Marks the account's message read the first time; false when it has no such message.
Result<bool> MarkRead(db::Connection& c, int64_t id, const std::string& account_id,
                      const std::string& at);

Result<std::optional<Preferences>> GetPreferences(db::Connection& c, const std::string& account);
// Inserts `p` when `previous_version` is 0, else updates it only at that version (false
// when the stored version differs or, on insert, a row appeared meanwhile).
Result<bool> PutPreferences(db::Connection& c, const Preferences& p, int64_t previous_version);

// Claims up to `limit` deliveries due at `now` (pending and due, or sending with an
// expired lease) in one statement: each becomes sending until `lease_until` with one more
// attempt. PostgreSQL skips rows another transaction holds (FOR UPDATE SKIP LOCKED).
Result<std::vector<Delivery>> ClaimDue(db::Connection& c, const std::string& now,
                                       const std::string& lease_until, int64_t limit);
// Records the outcome of a claimed delivery. Each is fenced by the claim it answers for
// (`claimed`'s id, attempts and lease, as ClaimDue returned them): a worker whose lease ran
// out and whose row another worker claimed again changes nothing (false).
Result<bool> MarkSent(db::Connection& c, const Delivery& claimed, const std::string& at,
                      const std::string& provider_id);
Result<bool> MarkRetry(db::Connection& c, const Delivery& claimed,
                       const std::string& next_attempt_at, const std::string& error);
// Hands a claimed delivery back unsent (pending, due as before, the attempt not counted).
Result<bool> Release(db::Connection& c, const Delivery& claimed);
Result<bool> MarkDead(db::Connection& c, const Delivery& claimed, const std::string& error);
// A person changed the address of `channel` (kEmail or kSms): their inbox messages not sent
// yet on it (pending, being sent, or dead awaiting a requeue) go to `address` instead; with
// `address` "" for e-mail (the address removed) they are withdrawn, the inbox keeping the
// message. Address checks (no inbox message) keep the address they check. Returns the rows
// changed.
Result<int64_t> Readdress(db::Connection& c, const std::string& account_id,
                          const std::string& channel, const std::string& address);
// Deliveries in `status` ("" = any), newest first.
Result<std::vector<Delivery>> Deliveries(db::Connection& c, const std::string& status,
                                         int64_t limit);
Result<std::optional<Delivery>> GetDelivery(db::Connection& c, int64_t id);
// A dead delivery becomes pending again, due now, with its attempts reset; false when it
// is not dead.
Result<bool> Requeue(db::Connection& c, int64_t id, const std::string& now);

}  // namespace store
}  // namespace ow::notify

#endif  // OW_NOTIFY_STORE_H_
