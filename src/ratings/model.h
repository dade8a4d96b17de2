// Good/bad ratings of government service (好差评) and the rectification of bad ones: the
// records, the fixed lists (levels, reasons, channels) and the pure functions on them (the
// rectification process, rating numbers, SMS link tokens).
//
// A rating is one applicant's verdict on one case through one channel: online (the portal),
// counter (a staff-assisted rating at the window), terminal (the hall's rating device,
// staff-assisted), sms (a one-time link sent to the applicant) or hotline (12345 staff taking
// it on the phone). At most one rating per case and channel, ever (an annulled rating still
// holds its place). A 差评 (level 1 or 2) opens a rectification on the workflow engine
// (ProcessXml): the case's department contacts the person (回访) and records what it fixed
// or explained, or claims the rating malicious; the person confirms or appeals; an appeal
// or a claim goes to the supervisors of the case's region, who close it, send it back to
// the department with an instruction, or annul the rating with a reason.
#ifndef OW_RATINGS_MODEL_H_
#define OW_RATINGS_MODEL_H_

#include <boost/json/value.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"

namespace ow::ratings {

// Levels: 5 非常满意 very satisfied, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
inline constexpr int kMinLevel = 1, kMaxLevel = 5;
// 差评: not satisfied (2) or very dissatisfied (1).
inline bool IsBad(int64_t level) { return level <= 2; }

// A reason a person may give, for the levels [min_level, max_level].
struct Reason {
  std::string_view code;
  int min_level, max_level;
  std::string_view zh, en;
};
std::span<const Reason> Reasons();
// True when `code` is a reason offered for `level`.
bool ReasonFits(std::string_view code, int64_t level);

// Where the rating came from.
inline constexpr const char* kOnline = "online";
inline constexpr const char* kCounter = "counter";
inline constexpr const char* kTerminal = "terminal";
inline constexpr const char* kSms = "sms";
inline constexpr const char* kHotline = "hotline";
bool IsChannel(std::string_view c);

// Rectification stages ("" for a rating that needs none).
inline constexpr const char* kAtDepartment = "department";  // 回访 and fix or explain
inline constexpr const char* kAtApplicant = "applicant";    // confirm or appeal
inline constexpr const char* kAtSupervisor = "supervisor";  // appeal or malicious claim
inline constexpr const char* kDone = "done";
// Outcomes once done.
inline constexpr const char* kConfirmed = "confirmed";      // the person accepted the result
inline constexpr const char* kUpheld = "upheld";            // the supervisors closed it
inline constexpr const char* kAnnulled = "annulled";        // proved malicious: not counted
inline constexpr const char* kUnconfirmed = "unconfirmed";  // no account to confirm with

struct Event {
  int64_t seq = 0;
  std::string at, actor, action, note;
};

struct Rating {
  int64_t id = 0;
  std::string number;  // "PJ" + YYYYMMDD + 10 random characters
  std::string case_no, item_code, department_code, region_code;
  std::string service_channel;  // the channel the case was served on (web, counter, agent ...)
  std::string channel;          // where the rating came from (kOnline ...)
  std::string rater_account;    // the applicant's account, "" for a counter applicant without
  std::string registered_by;    // the staff member who took it (counter, terminal, hotline)
  int64_t level = 0;
  std::vector<std::string> reasons;
  std::string comment;
  // Rectification (stage "" when the rating is not bad).
  std::string stage, outcome;
  int64_t rectify_days = 0;
  std::string due_date;              // the last working day for the department's answer
  std::string contact_note, result;  // the 回访 and what was fixed or explained
  std::string appeal, instruction, annul_reason;
  int64_t process_version = 0;
  boost::json::value instance;
  std::string created_at, updated_at;
  int64_t version = 1;
  std::vector<Event> events;  // filled by reads that ask for them
};

// The rectification process, BPMN for workflow::Definition: "Rectify" (the department, with
// the deadline kept by the service), then "Confirm" (the applicant: confirm or appeal) unless
// the rating has no account, or "Supervise" (claimed malicious); "Supervise" (the region's
// supervisors) closes, annuls, or returns it to "Rectify".
inline constexpr const char* kProcessKey = "ow_rating_rectification";
std::string ProcessXml();

std::string NewNumber(Date day);
// A one-time SMS link token: 24 random characters of Crockford base32 (120 bits); only its
// SHA-256 is kept.
std::string NewLinkToken();
std::string HashToken(std::string_view token);

}  // namespace ow::ratings

#endif  // OW_RATINGS_MODEL_H_
