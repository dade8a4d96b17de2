// The cases domain's SQL. Every function runs on a connection inside the caller's
// transaction; none commits. Rows are mapped to model.h records. Listings take typed
// queries (CaseQuery, InboxQuery) that the service fills from a caller's roles and
// filters; the SQL they become, with its placeholders, is written in store.cc alone,
// once for both stores.
#ifndef OW_CASES_STORE_H_
#define OW_CASES_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cases/model.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::cases {

std::vector<db::Migration> Migrations();
// The archive's migrations (archive_store.cc), the last of Migrations().
std::vector<db::Migration> ArchiveMigrations();

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
// The newest event's sequence number; 0 when the case has none.
Result<int64_t> LastEventSeq(db::Connection& c, int64_t case_id);

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
// All of `list` in one statement (a new case's materials: one round trip, not one each).
Status InsertAttachments(db::Connection& c, int64_t case_id, const std::vector<Attachment>& list);
Result<std::vector<Attachment>> LoadAttachments(db::Connection& c, int64_t case_id);
// The licences used for a case's materials (the consent records), by material.
Status InsertLicenceUse(db::Connection& c, int64_t case_id, const LicenceUse& u);
Result<std::vector<LicenceUse>> LoadLicenceUses(db::Connection& c, int64_t case_id);
// Data from the exchange standing for materials, with the applicant's consent
// (data_uses.cc): written at submission, updated by each fetch.
Status InsertDataUse(db::Connection& c, int64_t case_id, const DataUse& u);
Status UpdateDataUse(db::Connection& c, int64_t case_id, const DataUse& u);
Result<std::vector<DataUse>> LoadDataUses(db::Connection& c, int64_t case_id);
// The uses of `subject`'s data awaiting their consent, newest case first (at most 100), with
// the id of each one's case.
Result<std::vector<std::pair<int64_t, DataUse>>> DataUsesAwaiting(db::Connection& c,
                                                                  const std::string& subject);
// Ids of the cases a material is attached to.
Result<std::vector<int64_t>> CasesWithMaterial(db::Connection& c, const std::string& material_id);

// The case a task belongs to; nullopt for an unknown task.
Result<std::optional<int64_t>> CaseOfTask(db::Connection& c, int64_t task_id);
// Up to `limit` cases under review whose next timer is due at `now` (RFC 3339), the
// earliest first.
Result<std::vector<int64_t>> CasesWithDueTimers(db::Connection& c, const std::string& now,
                                                int64_t limit);
// How many cases under review have a timer that was due at `before` (RFC 3339) and has
// not fired: the sweeper is not keeping up (an operations metric).
Result<int64_t> CountDueTimers(db::Connection& c, const std::string& before);

Status InsertBundle(db::Connection& c, const BundleApplication& b);
Result<std::optional<BundleApplication>> LoadBundle(db::Connection& c, const std::string& id);
Result<std::vector<int64_t>> BundleCases(db::Connection& c, const std::string& id);

// A department in a region and the regions below it (a region's code is a prefix of
// theirs). `role` (acceptor, reviewer, approver) narrows a scope of tasks to one role;
// scopes of cases do not look at it.
struct Scope {
  std::string role;
  std::string department_code;
  std::string region_code;
};

// What every listing can narrow by; an empty field does not narrow.
struct CaseFilter {
  std::string status;
  std::string item_code;
  std::optional<int64_t> case_id;  // the case a tracking number names
  // Cases whose item name or applicant name contains this text (SQL LIKE: SQLite
  // ignores ASCII case, PostgreSQL does not; % and _ are wildcards).
  std::string name_contains;
};

// The cases staff may list: those any of these reach.
struct StaffScope {
  // Cases a department handles in its region or below, and cases where it has a task.
  std::vector<Scope> departments;
  // Cases handled in a counter's region or below, and cases `counter_account` took in at
  // a counter (cross-region intake).
  std::vector<std::string> counter_regions;
  std::string counter_account;
};

// A page of cases. Exactly one of applicant_account_id, applicant_enterprise and staff
// says whose cases these are (asserted); the filter narrows them.
struct CaseQuery {
  std::optional<std::string> applicant_account_id;  // a person's own applications
  std::optional<std::string> applicant_enterprise;  // an enterprise's, by credit code
  std::optional<StaffScope> staff;                  // none reached when both of its lists are empty
  CaseFilter filter;
  int64_t limit = 20;
  int64_t offset = 0;
};

// One page of the matching cases, newest first, with the number of all matches.
struct CasePage {
  int64_t total = 0;
  std::vector<Case> cases;
};
Result<CasePage> ListCases(db::Connection& c, const CaseQuery& q);

// A staff member's inbox: the open tasks for any of `scopes` (each with its role), on
// cases the filter selects. Deadlines are the cases' promised deadlines (YYYY-MM-DD).
struct InboxQuery {
  std::vector<Scope> scopes;  // none reached when empty
  CaseFilter filter;
  std::string username;  // whose claims are "mine"
  enum class Claim { kAny, kUnclaimed, kMine };
  Claim claim = Claim::kAny;
  // kRed: past `today`; kYellow: from `today` to `yellow_until`; kNormal: after
  // `yellow_until`; kNone: no deadline.
  enum class Deadline { kAny, kNone, kNormal, kYellow, kRed };
  Deadline deadline = Deadline::kAny;
  std::string today;
  std::string yellow_until;
  int64_t limit = 50;
};

// Up to `limit` of the tasks the claim and deadline filters select, the most urgent
// first (by promised deadline, no deadline last, then oldest task), each with its case
// (without materials, tasks, events); and counts over the whole inbox before those two
// filters: all tasks, the unclaimed, the caller's, those yellow and those red.
struct InboxRow {
  Task task;
  Case summary;
};
struct InboxPage {
  int64_t total = 0, unclaimed = 0, mine = 0, yellow = 0, red = 0;
  std::vector<InboxRow> rows;
};
Result<InboxPage> ListInbox(db::Connection& c, const InboxQuery& q);

// Archive (archive_store.cc): closed cases moved out of the hot tables, one row each.
struct ArchiveRow {
  int64_t case_id = 0;
  std::string tracking_no, applicant_account_id, applicant_enterprise, applicant_name;
  std::string department_code, region_code, item_code, item_name, status, decision;
  std::string created_at, closed_at, archived_at;
  std::string package;         // compact JWS: the signed manifest
  std::string digest;          // lower-case hex SHA-256 of the manifest (the JWS payload)
  std::string kid, jwk;        // the signing key's id and its public JWK (JSON)
  std::string applicant_view;  // CaseJson(k, true, false) as JSON text
};
// Up to `limit` ids of cases in a final status (delivered, not_accepted, closed,
// withdrawn) last changed before `closed_before` (RFC 3339), the oldest first.
Result<std::vector<int64_t>> ArchivableCases(db::Connection& c, const std::string& closed_before,
                                             int64_t limit);
// The legacy per-case messages (case_messages) of a case.
Result<std::vector<Message>> LoadCaseMessages(db::Connection& c, int64_t case_id);
Status InsertArchive(db::Connection& c, const ArchiveRow& a);
// Deletes the case and every hot row of it (events, licences used, tasks, materials,
// messages); the archive row must be inserted first in the same transaction.
Status RemoveArchivedCase(db::Connection& c, int64_t case_id);
Result<std::optional<ArchiveRow>> LoadArchive(db::Connection& c, int64_t case_id);
// A page of the archived cases applied for by account `account_id`, the latest case
// first (package, jwk and applicant_view left empty), and how many there are in all.
Result<std::pair<std::vector<ArchiveRow>, int64_t>> ListArchiveOfApplicant(
    db::Connection& c, const std::string& account_id, int64_t offset, int64_t limit);

}  // namespace store
}  // namespace ow::cases

#endif  // OW_CASES_STORE_H_
