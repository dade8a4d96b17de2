// Consultations, complaints and suggestions (咨询 / 投诉 / 建议): the ticket a person, or hotline
// or hall staff for a caller, opens; the FAQ entries staff publish from answered
// consultations; and the pure functions on them (the ticket process, the working clock).
#ifndef OW_TICKETS_MODEL_H_
#define OW_TICKETS_MODEL_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"

namespace ow::tickets {

// Kinds.
inline constexpr const char* kConsult = "consult";
inline constexpr const char* kComplaint = "complaint";
inline constexpr const char* kSuggestion = "suggestion";
bool IsKind(std::string_view kind);

// Channels: the portal, a service hall's counter, the 12345 hotline.
inline constexpr const char* kOnline = "online";
inline constexpr const char* kHall = "hall";
inline constexpr const char* kHotline = "hotline";

// Statuses: open (waiting for an answer) -> answered -> closed (rated by the asker).
inline constexpr const char* kOpen = "open";
inline constexpr const char* kAnswered = "answered";
inline constexpr const char* kClosed = "closed";

// Who holds an open ticket: the department it was routed to, or (escalated) the
// supervisors of its region. "" once answered.
inline constexpr const char* kAtDepartment = "department";
inline constexpr const char* kAtSupervisor = "supervisor";

struct Event {
  int64_t seq = 0;
  std::string at, actor, action;
  std::string note;  // the answer, the instruction, the rating's comment ...
};

struct Ticket {
  int64_t id = 0;
  std::string number;  // "ZX" + YYYYMMDD + 10 random characters: not guessable
  std::string kind, channel;
  std::string asker_account;            // "" for an anonymous asker or a caller without an account
  std::string asker_name, asker_phone;  // given by hotline and hall callers
  std::string item_code, case_no;       // what it is about, either may be ""
  std::string department_code, region_code;
  std::string text;
  std::vector<std::string> attachments;  // material ids the asker owns
  std::string status, stage;
  int64_t escalation_level = 0;  // times its deadline passed
  std::string instruction;       // the supervisors' when they sent it back
  int64_t deadline_days = 0;     // working days, by kind
  std::string due_date;          // YYYY-MM-DD, the last working day to answer
  std::string answer, answered_by, answered_at;
  int64_t rating = 0;  // 1..5 once rated
  std::string rating_comment, rated_at;
  std::string registered_by;  // the hotline or hall staff member, "" online
  int64_t process_version = 0;
  boost::json::value instance;  // workflow snapshot
  std::string created_at, updated_at;
  int64_t version = 1;
  std::vector<Event> events;  // filled by reads that ask for them
};

struct Faq {
  int64_t id = 0;
  std::string question, answer, item_code, region_code, department_code;
  std::string ticket_number;
  bool published = true;
  std::string created_by, created_at, updated_at;
  int64_t version = 1;
};

// Deadlines in working days by kind (config tickets.*_days).
struct Deadlines {
  int consult = 3, complaint = 10, suggestion = 15;
  int For(std::string_view kind) const;
};

// The ticket process, BPMN for workflow::Definition: by kind, a user task "answer" for the
// department with an interrupting boundary timer at the kind's deadline, which escalates
// to a user task for the region's supervisors; they answer (end) or return it with an
// instruction (back to the department, with a fresh deadline).
// Timer durations are counted on the working clock below: "P3D" is three working days.
inline constexpr const char* kProcessKey = "ow_ticket";
std::string ProcessXml(const Deadlines& d);

// The working clock the ticket process runs on: an instant whose whole days count the
// working days d with 2000-01-01 <= d <= `day` (the end of `day`). The engine's timers then
// measure working days: a timer of PnD armed on day s (which, as with every time limit,
// does not count) is due when the clock reaches the end of AddWorkingDays(s, n); the
// sweeper fires with the clock of yesterday, so a ticket escalates on the first day after
// its due date, never on it.
SystemTime WorkingClock(const Calendar& cal, Date day);
inline constexpr Date kWorkingClockBase{1999, 12, 31};

// "ZX20300606" + 10 random characters of Crockford base32 (50 bits).
std::string NewNumber(Date day);
// A lookup code for an anonymous asker: 12 random characters of Crockford base32 (60 bits);
// only its SHA-256 is kept.
std::string NewLookupCode();
std::string HashCode(std::string_view code);

}  // namespace ow::tickets

#endif  // OW_TICKETS_MODEL_H_
