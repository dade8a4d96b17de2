// SQL of the tickets domain (consultations, complaints, suggestions, the FAQ). Used only by
// tickets::Service. Every function runs on the caller's connection, inside its transaction.
#ifndef OW_TICKETS_STORE_H_
#define OW_TICKETS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "tickets/model.h"

namespace ow::tickets {

std::vector<db::Migration> Migrations();

namespace store {

// Inserts `t` (version 1) and returns its id.
Result<int64_t> Insert(db::Connection& c, const Ticket& t);
// Takes the row lock of ticket `number` (bumping its version); false when there is none.
Result<bool> Lock(db::Connection& c, const std::string& number);
// The SHA-256 of an anonymous asker's lookup code ("" for every other ticket, and for no
// ticket), and setting it.
Result<std::string> CodeHash(db::Connection& c, const std::string& number);
Status SetCodeHash(db::Connection& c, int64_t id, const std::string& hash);
// The same, but only while the ticket is still with its department past `due_before`
// (due_date < due_before): the sweeper's claim, so a ticket escalates once however many
// servers sweep.
Result<bool> LockOverdue(db::Connection& c, const std::string& number,
                         const std::string& due_before);
Result<std::optional<Ticket>> Load(db::Connection& c, const std::string& number);
// Writes the mutable fields of `t` (status, stage, answer, rating, instance, ...).
Status Save(db::Connection& c, const Ticket& t);
// Records `ids` as attached to the ticket (the staff who may read it read them).
Status AddAttachments(db::Connection& c, int64_t ticket_id, const std::vector<std::string>& ids);
// The tickets a material is attached to.
Result<std::vector<Ticket>> WithMaterial(db::Connection& c, const std::string& material_id);
Status AddEvent(db::Connection& c, int64_t ticket_id, const Event& e);
Result<std::vector<Event>> Events(db::Connection& c, int64_t ticket_id);

// Newest first.
Result<std::vector<Ticket>> ByAsker(db::Connection& c, const std::string& account, int limit);
// Open tickets at `stage` in `region` or below; `department` "" for every department.
// Earliest due first.
Result<std::vector<Ticket>> Open(db::Connection& c, const std::string& stage,
                                 const std::string& department, const std::string& region,
                                 int limit);
// Numbers of tickets with their department and due before `due_before`.
Result<std::vector<std::string>> Overdue(db::Connection& c, const std::string& due_before,
                                         int limit);

// The ticket process registry: the version of the definition with `sha256`, adding
// `xml` as the next version when it is new.
Result<int64_t> ProcessVersion(db::Connection& c, const std::string& sha256, const std::string& xml,
                               const std::string& at);
Result<std::optional<std::string>> ProcessXml(db::Connection& c, int64_t version);

// FAQ.
Result<int64_t> InsertFaq(db::Connection& c, const Faq& f);
Result<std::optional<Faq>> LoadFaq(db::Connection& c, int64_t id);
// Writes question, answer, item, published, updated_at; only at `previous_version`.
Result<bool> SaveFaq(db::Connection& c, const Faq& f, int64_t previous_version);
Status IndexFaq(db::Connection& c, int64_t id, const std::vector<std::string>& terms);
// Published entries holding every one of `terms` (all entries when none), with the
// item and region filters when not "", newest first.
Result<std::vector<Faq>> SearchFaq(db::Connection& c, const std::vector<std::string>& terms,
                                   const std::string& item, const std::string& region, int limit);

}  // namespace store
}  // namespace ow::tickets

#endif  // OW_TICKETS_STORE_H_
