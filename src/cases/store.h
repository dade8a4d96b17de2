// The cases domain's SQL. Every function runs on a connection inside the caller's
// transaction; none commits. Rows are mapped to model.h records.
#ifndef OW_CASES_STORE_H_
#define OW_CASES_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "cases/model.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::cases {

std::vector<db::Migration> Migrations();

namespace store {

Result<int64_t> InsertCase(db::Connection& c, const Case& k);
// Bumps the case's version, taking its row lock on PostgreSQL (SQLite's writer lock is
// already held): operations on one case serialize here. false when no such case.
Result<bool> LockCase(db::Connection& c, int64_t id);
Result<std::optional<Case>> LoadCase(db::Connection& c, int64_t id);
// Writes every mutable field of `k` (status, decision, form, instance, deadlines, ...).
Status SaveCase(db::Connection& c, const Case& k);

// Returns the event's sequence number.
Result<int64_t> InsertEvent(db::Connection& c, int64_t case_id, const Event& e);
Result<std::vector<Event>> LoadEvents(db::Connection& c, int64_t case_id);

Result<int64_t> InsertTask(db::Connection& c, const Task& t);
Result<std::optional<Task>> LoadTask(db::Connection& c, int64_t id);
Result<std::vector<Task>> LoadTasks(db::Connection& c, int64_t case_id);
// Closes an open task; false when it was not open at `version` (someone else was first).
Result<bool> CloseTask(db::Connection& c, int64_t id, int64_t version, const std::string& by,
                       const std::string& decision, const std::string& opinion,
                       const std::string& reason, const std::string& at);
// Closes the open review task the engine knows as `engine_task` (cancelled, interrupted).
Status CloseEngineTask(db::Connection& c, int64_t case_id, int64_t engine_task,
                       const std::string& reason, const std::string& at);
Status CloseAllTasks(db::Connection& c, int64_t case_id, const std::string& reason,
                     const std::string& at);
// Sets claimed_by when the task is open at `version` (and bumps the version).
Result<bool> SetClaim(db::Connection& c, int64_t id, int64_t version, const std::string& who);

Status InsertAttachment(db::Connection& c, int64_t case_id, const Attachment& a);
Result<std::vector<Attachment>> LoadAttachments(db::Connection& c, int64_t case_id);
// Ids of the cases a material is attached to.
Result<std::vector<int64_t>> CasesWithMaterial(db::Connection& c, const std::string& material_id);

Status InsertMessage(db::Connection& c, const Message& m, int64_t case_id);
// The case a task belongs to; nullopt for an unknown task.
Result<std::optional<int64_t>> CaseOfTask(db::Connection& c, int64_t task_id);
// Up to `limit` cases under review whose next timer is due at `now` (RFC 3339), the
// earliest first.
Result<std::vector<int64_t>> CasesWithDueTimers(db::Connection& c, const std::string& now,
                                                int64_t limit);
// The account's newest `limit` messages, newest first.
Result<std::vector<Message>> MessagesFor(db::Connection& c, const std::string& account_id,
                                         int64_t limit);
// Marks the account's message read (once: the first time stays); false when the
// account has no such message.
Result<bool> MarkMessageRead(db::Connection& c, int64_t id, const std::string& account_id,
                             const std::string& at);

Status InsertBundle(db::Connection& c, const BundleApplication& b);
Result<std::optional<BundleApplication>> LoadBundle(db::Connection& c, const std::string& id);
Result<std::vector<int64_t>> BundleCases(db::Connection& c, const std::string& id);

// Columns of `cases c` and `case_tasks t` in the order CaseFromRow and TaskFromRow read
// them (from column `first` of a row, so one row may carry a task and its case).
extern const char* const kCaseColumns;
extern const char* const kTaskColumns;
inline constexpr size_t kTaskColumnCount = 19;
Case CaseFromRow(const db::Rows& rows, size_t i, size_t first = 0);
Task TaskFromRow(const db::Rows& rows, size_t i, size_t first = 0);

// One page of `cases c` matching `where` (" WHERE ..." over `params`), newest first,
// with the number of all matches.
struct CasePage {
  int64_t total = 0;
  std::vector<Case> cases;
};
Result<CasePage> ListCases(db::Connection& c, const std::string& where,
                           std::vector<db::Value> params, int64_t limit, int64_t offset);

}  // namespace store
}  // namespace ow::cases

#endif  // OW_CASES_STORE_H_
