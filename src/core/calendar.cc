#include "core/calendar.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include "core/text.h"

namespace ow {
namespace {

// Floor division, so that days before 1970 land in the right week and day.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool Contains(const std::vector<Date>& sorted, Date d) {
  return std::binary_search(sorted.begin(), sorted.end(), d);
}

// How many of `sorted` lie in (a, b] and satisfy `pred`.
template <class Pred>
int64_t CountIn(const std::vector<Date>& sorted, Date a, Date b, Pred pred) {
  auto first = std::upper_bound(sorted.begin(), sorted.end(), a);
  auto last = std::upper_bound(sorted.begin(), sorted.end(), b);
  return std::count_if(first, last, pred);
}

void SortUnique(std::vector<Date>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

bool IsValidDate(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

std::optional<Date> MakeDate(int year, int month, int day) {
  if (!IsValidDate(year, month, day)) return std::nullopt;
  return Date{year, month, day};
}

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = text::ParseInt(text.substr(0, 4), 0, 9999);
  auto m = text::ParseInt(text.substr(5, 2), 0, 99);
  auto d = text::ParseInt(text.substr(8, 2), 0, 99);
  // ParseInt accepts a sign; the fixed layout must be digits only.
  if (!y || !m || !d || !text::IsDigits(text.substr(0, 4)) || !text::IsDigits(text.substr(5, 2)) ||
      !text::IsDigits(text.substr(8, 2))) {
    return std::nullopt;
  }
  return MakeDate(static_cast<int>(*y), static_cast<int>(*m), static_cast<int>(*d));
}

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysSinceEpoch(Date d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date DateFromDays(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return Date{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

Date AddDays(Date d, int64_t days) { return DateFromDays(DaysSinceEpoch(d) + days); }

int IsoWeekday(Date d) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<int>((DaysSinceEpoch(d) % 7 + 7 + 3) % 7) + 1;
}

bool IsWeekend(Date d) { return IsoWeekday(d) >= 6; }

Date ChinaDate(SystemTime t) {
  constexpr int64_t kOffset = int64_t{8} * 3600;
  return DateFromDays(FloorDiv(UnixSeconds(t) + kOffset, 86400));
}

Calendar::Calendar(std::vector<Date> holidays, std::vector<Date> working_days)
    : holidays_(std::move(holidays)), working_days_(std::move(working_days)) {
  SortUnique(holidays_);
  SortUnique(working_days_);
  std::erase_if(working_days_, [this](Date d) { return Contains(holidays_, d); });
}

bool Calendar::IsWorkingDay(Date d) const {
  if (Contains(holidays_, d)) return false;
  if (Contains(working_days_, d)) return true;
  return !IsWeekend(d);
}

Date Calendar::AddWorkingDays(Date start, int n) const {
  assert(n >= 0 && n <= 100000);
  Date d = start;
  for (int counted = 0; counted < n;) {
    d = AddDays(d, 1);
    if (IsWorkingDay(d)) ++counted;
  }
  return d;
}

int64_t Calendar::WorkingDaysBetween(Date a, Date b) const {
  if (b < a) return -WorkingDaysBetween(b, a);
  int64_t from = DaysSinceEpoch(a), to = DaysSinceEpoch(b);
  int64_t total = to - from;
  // Monday to Friday in (a, b]: whole weeks hold five, then the leftover days.
  int64_t weekdays = total / 7 * 5;
  for (int64_t i = from + total / 7 * 7 + 1; i <= to; ++i) {
    if (!IsWeekend(DateFromDays(i))) ++weekdays;
  }
  weekdays -= CountIn(holidays_, a, b, [](Date d) { return !IsWeekend(d); });
  weekdays += CountIn(working_days_, a, b, [](Date d) { return IsWeekend(d); });
  return weekdays;
}

std::optional<Date> Calendar::Deadline(Date start, int n, const std::vector<Pause>& pauses) const {
  assert(n >= 0 && n <= 100000);
  Date d = start;
  for (int counted = 0; counted < n;) {
    d = AddDays(d, 1);
    bool paused = false;
    for (const Pause& p : pauses) {
      if (d <= p.from) continue;
      if (!p.to) return std::nullopt;  // the clock is still stopped before the limit ran out
      if (d <= *p.to) {
        d = *p.to;  // skip the whole pause; its last day is not counted either
        paused = true;
        break;
      }
    }
    if (!paused && IsWorkingDay(d)) ++counted;
  }
  return d;
}

}  // namespace ow
