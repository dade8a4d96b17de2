// Civil dates and working days.
//
// Time limits of government services (statutory 法定时限 and promised 承诺时限) are
// counted in working days: Monday to Friday, minus public holidays, plus the weekend
// days the State Council moves into working days around long holidays (调休). A
// Calendar holds those two exceptions; everything else follows the weekday rule.
//
// Counting convention (the Chinese practice for time limits, cf. Administrative
// Licensing Law art. 42 and 82; "期间开始的日，不计算在期间内"): the day a period starts
// (the day of acceptance) is NOT counted; counting begins with the next working day.
// So AddWorkingDays(start, n) is the n-th working day after `start`, and the time
// limit ends at the end of that day.
//
// Clock stops (supplement requested -> supplied, suspended -> resumed): a Pause
// stops the clock from the end of the day it began (that day still counts, as the
// department worked on the case) to the end of the day it ended (that day does not
// count: counting resumes with the next working day, like a new start). In other
// words the working days d with from < d <= to are not counted, and a pause that
// starts and ends on the same day costs nothing. Deadline() counts only the working
// days outside every pause, so overlapping pauses are not counted twice and a pause
// that begins after the limit has already run out does not revive it.
//
// All functions are pure; Date and Calendar are values, safe to share between
// threads once built.
#ifndef OW_CORE_CALENDAR_H_
#define OW_CORE_CALENDAR_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace ow {

// A day of the proleptic Gregorian calendar. Construct through MakeDate or
// ParseDate to be sure it is real; the arithmetic below assumes it is.
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>.
  auto operator<=>(const Date&) const = default;
};

// True when year-month-day names a real day (leap years included), year 1..9999.
bool IsValidDate(int year, int month, int day);
std::optional<Date> MakeDate(int year, int month, int day);
// Exactly "YYYY-MM-DD" naming a real day; nullopt otherwise (no time, no spaces).
std::optional<Date> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(Date d);

// Days since 1970-01-01 (negative before), and back.
int64_t DaysSinceEpoch(Date d);
Date DateFromDays(int64_t days);
Date AddDays(Date d, int64_t days);
// ISO weekday: 1 = Monday ... 7 = Sunday.
int IsoWeekday(Date d);
bool IsWeekend(Date d);

// The calendar day in China (UTC+8, no daylight saving) at the instant `t`.
Date ChinaDate(SystemTime t);

// A stopped clock: from the end of `from` to the end of `to` (see the file comment).
// `to` is empty while the clock is still stopped.
struct Pause {
  Date from;
  std::optional<Date> to;
};

class Calendar {
 public:
  // Weekends off, no holidays.
  Calendar() = default;
  // `holidays`: days off (weekdays or weekends); `working_days`: weekend days worked
  // instead. Order and duplicates do not matter. A day in both lists is a holiday.
  Calendar(std::vector<Date> holidays, std::vector<Date> working_days);

  bool IsWorkingDay(Date d) const;

  // The n-th working day after `start` (start itself not counted); `start` when
  // n == 0 (a same-day service). Requires 0 <= n <= 100000.
  Date AddWorkingDays(Date start, int n) const;

  // The working days d with a < d <= b: how many working days of a limit that started
  // on `a` have been used by the end of `b`. Negative (-count of b < d <= a) when
  // b < a; 0 when equal. So WorkingDaysBetween(s, AddWorkingDays(s, n)) == n.
  int64_t WorkingDaysBetween(Date a, Date b) const;

  // Like AddWorkingDays, but the working days inside `pauses` (in any order, possibly
  // overlapping) are skipped. nullopt while a still-open pause (no `to`) keeps the
  // limit from running out, since its end is not known yet.
  std::optional<Date> Deadline(Date start, int n, const std::vector<Pause>& pauses) const;

  // The sorted, de-duplicated exceptions the calendar was built with.
  const std::vector<Date>& holidays() const { return holidays_; }
  const std::vector<Date>& working_days() const { return working_days_; }

 private:
  std::vector<Date> holidays_;      // sorted, unique
  std::vector<Date> working_days_;  // sorted, unique, none in holidays_
};

}  // namespace ow

#endif  // OW_CORE_CALENDAR_H_
