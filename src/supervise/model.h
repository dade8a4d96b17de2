// Supervision (电子监察) and supervision after approval (事中事后监管): the records and the
// pure functions on them.
//
//  - Warnings: a yellow or red light on an object with a deadline (a case, a ticket, a bad
//    rating's rectification, a supervision order, a claim of a new licensee). Rules
//    (WarningLevel): red when the deadline (the last working day) has passed; yellow when
//    at most `yellow_days` working days remain after today (due today is yellow): 2 for
//    cases (the workbench's own yellow, cases/model.h DeadlineState), 1 for everything
//    else (their deadlines are days, not weeks). A suspended case is listed as "suspended" (its
//    clock is stopped, so it warns nobody, but supervisors watch it).
//  - Supervision orders (督办): a supervisor orders a department to act on an object by a
//    date; the department replies; the supervisor closes the order or sends it back. A
//    plain state machine (open -> replied -> closed, replied -> open), not the workflow
//    engine: two actors, one step each and no timers beyond the due date the warning job
//    already watches.
//  - Claims (审管联动): every licence issued from a case goes to the regulating department's
//    list (the issuing department: 谁审批、谁监管) with a deadline to take the licensee under
//    supervision.
//  - Random inspections (双随机、一公开): Draw() picks entities and inspectors from a
//    recorded seed, reproducibly, never pairing an inspector with an entity they declared
//    a conflict with.
#ifndef OW_SUPERVISE_MODEL_H_
#define OW_SUPERVISE_MODEL_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/error.h"

namespace ow::supervise {

// Kinds of watched objects.
inline constexpr const char* kCase = "case";
inline constexpr const char* kTicket = "ticket";
inline constexpr const char* kRectification = "rectification";
inline constexpr const char* kOrder = "order";
inline constexpr const char* kClaim = "claim";
bool IsKind(std::string_view k);

inline constexpr const char* kYellow = "yellow";
inline constexpr const char* kRed = "red";
inline constexpr const char* kSuspendedLevel = "suspended";

// "red", "yellow" or "" for an object due on `due` (YYYY-MM-DD) on `today`.
std::string WarningLevel(Date due, Date today, const Calendar& cal, int yellow_days);
// The yellow window of a kind: 2 working days for cases, 1 otherwise.
int YellowDays(std::string_view kind);

// One object on the supervisors' watch list.
struct Watched {
  std::string kind, ref;  // ref: a tracking number, ticket, rating, order or licence number
  std::string level;      // kYellow, kRed or kSuspendedLevel
  std::string department_code, region_code;
  std::string subject;    // the item code, ticket kind, licence type ...
  std::string due_date;   // "" for a suspended case
  std::string account;    // the person it concerns (a rating's rater), "" otherwise
  std::string warned_at;  // when the warning was raised (filled by the view)
};

// One case as its region's supervisors see it (the end of the console's drill-down): where
// it stands and how late, never who applied or what they filed.
struct CaseStep {
  std::string at, action, from_status, to_status, channel;
};
struct SupervisedCase {
  std::string tracking_no, item_code, item_name, department_code, region_code, channel, status;
  std::string submitted_at, accepted_on, promised_deadline, statutory_deadline;
  int64_t promised_days = 0;
  std::string level;  // kRed, kYellow, kSuspendedLevel or "" (in time, or not running)
  std::vector<CaseStep> steps;
};

struct Warning {
  int64_t id = 0;
  std::string kind, ref, level, department_code, region_code, subject, due_date, raised_at;
};

// Orders.
inline constexpr const char* kOpen = "open";
inline constexpr const char* kReplied = "replied";
inline constexpr const char* kClosed = "closed";

struct Order {
  int64_t id = 0;
  std::string number;  // "DB" + YYYYMMDD + 8 random characters
  std::string department_code, region_code;
  std::string object_kind, object_ref;  // what it is about (kind may be "other")
  std::string subject, instruction, due_date, status;
  std::string reply, replied_by, replied_at;
  std::string issued_by, issued_at, closed_at, updated_at;
  int64_t rounds = 1;  // 1 + the times it was sent back
  int64_t version = 1;
};

// Claims.
inline constexpr const char* kPending = "pending";
inline constexpr const char* kClaimed = "claimed";

struct Claim {
  std::string licence_id, licence_number, type_code, department_code, region_code, case_no;
  std::string holder_masked, issued_at, due_date, status, claimed_by, claimed_at, note;
  int64_t version = 1;
};

// Random inspections.
struct Entity {
  std::string uscc, name;
  std::vector<std::string> licences;  // numbers of its licences of the plan's type
};
struct Inspector {
  std::string account, name;
};
// A declared conflict of interest: the inspector is never drawn for the entity.
struct DeclaredConflict {
  std::string account, name, uscc, reason, declared_at;
};
// (inspector account, entity USCC): the inspector declared a conflict of interest.
using Bars = std::set<std::pair<std::string, std::string>>;
struct Pairing {
  std::string uscc;
  std::vector<std::string> inspectors;  // accounts
};

// Draws `n` entities (all when fewer) and, for each, `m` distinct inspectors not barred from
// it. Inputs are sorted (entities by USCC, inspectors by account) before drawing, so the
// draw depends only on the seed and the sets. The randomness is SHA-256(seed ":" counter),
// 8 bytes at a time, bounded by rejection: anyone may re-run it from the published seed.
// kFailedPrecondition when an entity has fewer than `m` inspectors without a conflict;
// kInvalidArgument for n < 1, m < 1 or an empty seed.
Result<std::vector<Pairing>> Draw(const std::string& seed, std::vector<Entity> entities,
                                  std::vector<Inspector> inspectors, const Bars& bars, int n,
                                  int m);

// Inspection results.
inline constexpr const char* kNoProblem = "no_problem";  // 未发现问题
inline constexpr const char* kRectify = "rectify";       // 发现问题，责令整改
inline constexpr const char* kSerious = "serious";       // 严重违法违规: licences suspended
inline constexpr const char* kNotFound = "not_found";    // 未发现经营（查无下落）
bool IsResult(std::string_view r);

// Plan statuses.
inline constexpr const char* kDrawn = "drawn";
inline constexpr const char* kPublished = "published";

struct PlanEntry {
  std::string uscc, name;
  std::vector<std::string> licences, inspectors;  // inspectors: accounts
  std::vector<std::string> inspector_names;
  std::string result, note, recorded_by, recorded_at;
  std::vector<std::string> suspended;  // licence numbers suspended by a serious finding
};

struct Plan {
  int64_t id = 0;
  std::string number;  // "SS" + YYYYMMDD + 8 random characters
  std::string department_code, region_code, licence_type, title;
  int64_t entities = 0, inspectors_per_entity = 0;
  int64_t pool_entities = 0, pool_inspectors = 0;  // the sizes drawn from
  std::string seed;
  std::string inputs;  // the canonical JSON of what was drawn from (entities, inspectors, bars)
  std::string status, created_by, created_at, published_at;
  int64_t version = 1;
  std::vector<PlanEntry> entries;
};

std::string NewNumber(std::string_view prefix, Date day);
// 32 hex characters of fresh randomness.
std::string NewSeed();

}  // namespace ow::supervise

#endif  // OW_SUPERVISE_MODEL_H_
