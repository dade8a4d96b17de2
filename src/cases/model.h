// The cases domain's records: one application for one item by one applicant (a case),
// the append-only record of its transitions (events), the work items in department
// inboxes (tasks), the applicant's in-app messages, and "one thing" bundle applications.
//
// Lifecycle (../shared/domain.md "Cases"), as statuses and who moves a case between them:
//
//   submitted --accept task: accept--> under_review --workflow completes--> approved | denied
//       |  \--accept task: not_accept--> not_accepted                           |
//       |                                                                     deliver
//   supplement_requested <--(staff)-- submitted | under_review                    v
//       \--applicant supplies--> back to where it was                        delivered --close-->
//       closed
//   under_review --suspend--> suspended --resume--> under_review
//   submitted | supplement_requested | under_review | suspended --applicant--> withdrawn
//   not_accepted --close--> closed
//
// The promised and statutory limits run in working days from the day of acceptance (not
// counted); a supplement requested after acceptance and a suspension stop the clock
// (core/calendar.h Pause).
#ifndef OW_CASES_MODEL_H_
#define OW_CASES_MODEL_H_

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/error.h"

namespace ow::cases {

inline constexpr const char* kSubmitted = "submitted";
inline constexpr const char* kSupplementRequested = "supplement_requested";
inline constexpr const char* kUnderReview = "under_review";
inline constexpr const char* kSuspended = "suspended";
inline constexpr const char* kNotAccepted = "not_accepted";
inline constexpr const char* kApproved = "approved";
inline constexpr const char* kDenied = "denied";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kClosed = "closed";
inline constexpr const char* kWithdrawn = "withdrawn";

// Channels a case or an action came through.
inline constexpr const char* kWeb = "web";
inline constexpr const char* kApp = "app";
inline constexpr const char* kCounterChannel = "counter";
inline constexpr const char* kAgentChannel = "agent";
inline constexpr const char* kWorkbench = "workbench";  // staff actions on a case
inline constexpr const char* kSystem = "system";        // timers, service tasks

// A material attached to a case; `name` is the catalog material it stands for ("" if none).
struct Attachment {
  std::string material_id;
  std::string name;
  std::string filename;
  std::string media_type;
  int64_t size = 0;
  std::string sha256;
  std::string added_at;
  std::string added_by;
};

// A licence used for a catalog material of a case, with the holder's consent (who gave
// it, when). `current` is the licence as it stands now, filled when the case is read.
struct LicenceUse {
  std::string name;  // the catalog material
  std::string licence_id, number, type_code;
  std::string consented_by, consented_at;
  std::string type_name, holder_name, issuer_name, valid_from, valid_to, trust_level;
  std::string status;  // now: valid, suspended, revoked, expired, superseded; "" if unknown
};

// A material stood for by data from the exchange (the item's material names a
// data_resource), with the applicant's consent given at submission: which resource,
// which fields, who and when. The workflow's fetch-data service task (or staff retrying
// it) queries the resource as the platform's case-handling system, logged in the
// message log with the case's tracking number; the verified fields are kept with the
// detached signature of the answer. No consent, no fetch.
inline constexpr const char* kDataConsented = "consented";  // not fetched yet
inline constexpr const char* kDataVerified = "verified";    // fetched and signed
inline constexpr const char* kDataFailed = "failed";        // refused, not found, source down
// Data about another party of the application (the material's data_subject_field names
// the form field with their resident ID, e.g. the partner in a marriage registration):
// the applicant only asks; the party consents or refuses in their own account, and
// nothing is fetched before they consent.
inline constexpr const char* kDataAwaiting = "awaiting_consent";
inline constexpr const char* kDataRefused = "refused";  // the party refused: attach the material

struct DataUse {
  std::string name;      // the catalog material
  std::string resource;  // the exchange resource code
  std::vector<std::string> fields;
  std::string subject;  // whose data: the applicant's or the party's resident ID (never shown)
  std::string party;    // "" for the applicant's own data; else the form field naming the party
  std::string consented_by, consented_at;
  std::string status = kDataConsented;
  boost::json::object data;  // the verified fields (kDataVerified)
  std::string resource_name, resource_name_en, provider_department;
  std::string signature;  // the answer's JWS, detached (RFC 7515 appendix F)
  int64_t log_seq = 0;    // the message-log entry of the last attempt
  std::string fetched_at;
  std::string error;  // why the last attempt failed
  int64_t attempts = 0;
};

// The documents a case's transitions issue, each numbered (文号) and sealed by the
// handling department (made by the licence library through cases::DocumentIssuer).
inline constexpr const char* kAcceptanceNotice = "acceptance";         // 受理通知书
inline constexpr const char* kNonAcceptanceNotice = "non_acceptance";  // 不予受理通知书
inline constexpr const char* kApprovalDecision = "approval";           // 准予…决定书
inline constexpr const char* kDenialDecision = "denial";               // 不予…决定书

struct CaseDocument {
  std::string kind;
  std::string number;  // e.g. 上城区市场监督管理局受字〔2026〕3号
  std::string title;
  std::string issued_at;
  std::string department_code, department_name;
  std::string licence_number;  // approval: the licence it issued, "" if none
  bool available = false;      // a sealed PDF can be had now (the department has a seal)
};

struct Task {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string kind;  // "accept" (pre-review, made by this module) or "review" (a BPMN user task)
  int64_t engine_task = 0;  // the workflow::Task id for kind "review"
  std::string node;         // the BPMN element id ("accept" for acceptance)
  std::string name;
  std::string role, department_code, region_code;
  std::string status;  // "open" | "closed"
  std::string claimed_by;
  std::string due;  // RFC 3339 when a boundary timer is armed, else ""
  std::string created_at, closed_at, closed_by;
  std::string decision, opinion, close_reason;
  int64_t version = 1;
  // Whether the reader may work on it (claim, complete, transfer): set by the reads that
  // answer a person (Get, the inbox, claim, transfer), so a client offers no button the
  // server would refuse. Not stored.
  bool may_work = false;
};

struct Event {
  int64_t seq = 0;
  std::string at;
  std::string actor;  // username, or "system"
  std::string channel;
  std::string action;  // "submitted", "accepted", "task_completed", "withdrawn", ...
  std::string from_status, to_status;
  std::string reason;
  boost::json::object detail;
};

struct Case {
  int64_t id = 0;
  std::string tracking_no;
  std::string item_code, item_name;
  std::string item_name_en;  // "" when the item had none, or for cases filed before it was kept
  int64_t item_version = 0;
  std::string bundle_id;
  std::string applicant_account_id;  // "" for a counter applicant without an account
                                     // and for an enterprise
  // The enterprise's credit code when a legal person applies (through an operator
  // holding "apply", who is submitted_by); "" for natural persons.
  std::string applicant_enterprise;
  std::string applicant_name;       // the person's or the enterprise's name
  std::string applicant_id_masked;  // the person's masked resident ID; "" for an enterprise
  std::string channel;
  std::string submitted_by, submitted_by_account;
  std::string intake_region, department_code, region_code;
  std::string status, decision;
  std::string supplement_from;  // the status a pending supplement returns to
  boost::json::object form;
  // The applicant's answers to the item's situation questions, as kept at submission:
  // [{code, question, question_en, option, label, label_en}] (catalog::CheckAnswers).
  boost::json::array situation;
  std::string process_key;
  int64_t process_version = 0;
  boost::json::value instance;  // workflow snapshot, null before acceptance
  int64_t statutory_days = 0, promised_days = 0;
  std::string accepted_on;  // YYYY-MM-DD or ""
  std::vector<Pause> pauses;
  std::string promised_deadline, statutory_deadline;  // YYYY-MM-DD or "" (none / clock stopped)
  std::string next_timer_at;
  std::string created_at, updated_at;
  int64_t version = 1;

  // Filled by reads that ask for them.
  std::vector<Attachment> materials;
  std::vector<LicenceUse> licences;
  std::vector<DataUse> data_uses;
  std::vector<CaseDocument> documents;  // in order of issue
  std::vector<Task> tasks;
  std::vector<Event> events;
};

// A message for an applicant: a code of cases/notices.h with its parameters, rendered
// in the reader's language when shown. Messages written before codes existed have an
// empty code and their (Chinese) text.
struct Message {
  int64_t id = 0;
  std::string account_id;
  std::string tracking_no;
  std::string status;
  std::string code;
  boost::json::object params;
  std::string text;
  std::string created_at;
  std::string read_at;
};

struct BundleApplication {
  std::string id;
  std::string bundle_code;
  std::string applicant_account_id;
  std::string region_code;
  std::string created_at;
  std::vector<Case> cases;
  std::string status;  // combined: see CombinedStatus below
};

// Pure functions on the records above (model.cc): no I/O, no clock reads.

// True while the applicant may still withdraw (before the decision).
bool BeforeDecision(std::string_view status);

// Tracking numbers: the China date of submission (8 digits), the case id (10 digits) and
// an ISO 7064 MOD 11-2 check character (as in resident IDs), e.g. 202611270000000123X.
// Readable over the phone, typo-checked, unique because the id is.
std::string TrackingNo(int64_t id, std::string_view created_at);
// The case id a tracking number names; nullopt when malformed or the check fails.
std::optional<int64_t> ParseTrackingNo(std::string_view no);
// True when `given` is `stored` (a lower-case check character x accepted).
bool SameTrackingNo(std::string_view stored, std::string_view given);

// "none" (not accepted yet or no limit), "paused", "normal", "yellow" (two working days
// or fewer left), "red" (past the promised deadline) for `k` on `today`.
std::string DeadlineState(const Case& k, Date today, const Calendar& cal);

// Combined status of a bundle's cases: "in_progress" while any is before its decision,
// "completed" when all were approved, "completed_with_refusals" otherwise.
std::string CombinedStatus(const std::vector<Case>& cases);

// The stage a case is at, as told to anyone who proves they know it (the public lookup,
// 我要查) along the standard stages 申请 → 受理 → 审查 → 决定 → 送达: "applied" (submitted,
// or asked for a supplement before acceptance), "review" (accepted: under review or
// suspended), "decided" (approved or denied: which is not said), "delivered" (the result
// delivered, closed after it), "not_accepted" (closed after it too), "withdrawn".
std::string PublicStage(const Case& k);

// Whether a public lookup's proof matches the case: the applicant's name as written on
// the application, and the last four characters of the resident ID number (a person) or
// of the unified social credit code (an enterprise), letters in either case.
bool LookupMatches(const Case& k, std::string_view name, std::string_view id_last4);

// What a supplement request asks the applicant for, all at once (一次性告知): the item's
// materials and the application form's fields to give again, each with staff's note, and
// the request's overall reason. Kept in the supplement_requested event's detail as
// {"materials": [{name, note}], "fields": [{name, note}]}; requests made before the
// checklist listed material names only.
struct SupplementAsk {
  struct Entry {
    std::string name, note;
  };
  std::string reason;
  std::vector<Entry> materials, fields;
};

// The request a case in supplement_requested answers: the newest supplement_requested
// event's; nullopt when there is none.
std::optional<SupplementAsk> PendingSupplement(const std::vector<Event>& events);

// Adds to `v` what is wrong with a supplement measured against what was asked: a
// material (a file under `file_names`, a licence for `licence_names`, or data consented
// to for `consent_names`) or a form field that was not asked for, a material asked for and
// not given, or form fields asked for without the form. `form` is the corrected form
// (nullptr when none is given), `old_form` the case's. A request that named nothing (made
// before the checklist) allows anything.
void CheckSupplyAgainstAsk(const SupplementAsk& ask, const std::vector<std::string>& file_names,
                           const std::vector<std::string>& licence_names,
                           const boost::json::object* form, const boost::json::object& old_form,
                           Validator& v, const std::vector<std::string>& consent_names = {});

// Who is told about a case: the applicant's account; for an enterprise, the operator
// who applied in its name (the enterprise's handler, who follows the case in their
// own message list); "" (nobody) for a counter applicant without an account.
const std::string& MessageRecipient(const Case& k);

// How far apart two regions may be for cross-region intake under an item's
// cross_region flag ("national", "province", "city", "none"): they must share a prefix
// of this many digits (0 = anywhere). Anything else, "none" included, gives 64: the
// intake region must lie within the handling region.
size_t CrossRegionPrefix(std::string_view flag);

// The names of the materials a catalog item's document asks for (its "materials"
// array of {name, ...}), in order; "" for an entry without a name.
std::vector<std::string> MaterialNames(const boost::json::object& item_document);

// The required materials of an item's document that a case submitted through `channel`
// lacks: each required entry not on paper only that applies to the answers
// ({situation: option}, catalog::Applies) must be attached under its name or satisfied by
// a licence used for it, or by data the applicant consented to fetch for it. A hall's
// counter intake receives the paper originals and is not checked. Names in catalog order.
std::vector<std::string> MissingMaterials(const boost::json::object& item_document,
                                          const boost::json::object& answers,
                                          std::string_view channel,
                                          const std::vector<Attachment>& attachments,
                                          const std::vector<LicenceUse>& licences,
                                          const std::vector<DataUse>& data = {});

}  // namespace ow::cases

#endif  // OW_CASES_MODEL_H_
