#include "core/calendar.h"

#include <gtest/gtest.h>

#include <random>

namespace ow {
namespace {

Date D(std::string_view text) {
  auto d = ParseDate(text);
  EXPECT_TRUE(d) << text;
  return d.value_or(Date{});
}

// The State Council's 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知), as far
// as it matters here: Mid-Autumn Festival 9-25..27 and National Day 10-01..07, with
// Sunday 9-20 and Saturday 10-10 worked instead.
Calendar Autumn2026() {
  std::vector<Date> holidays;
  for (const char* d : {"2026-09-25", "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02",
                        "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"}) {
    holidays.push_back(D(d));
  }
  return Calendar(holidays, {D("2026-09-20"), D("2026-10-10")});
}

TEST(Date, ParsesAndFormatsRealDaysOnly) {
  EXPECT_EQ(FormatDate(D("2026-10-01")), "2026-10-01");
  EXPECT_EQ(D("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_EQ(D("2000-02-29"), (Date{2000, 2, 29}));
  for (const char* bad : {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                          "2026-01-00", "2026-1-01", "2026-01-1", "+026-01-01", "2026-+1-01",
                          "2026/01/01", "2026-01-01T00:00:00Z", " 2026-01-01", "", "0000-01-01"}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
  EXPECT_FALSE(MakeDate(2026, 6, 31));
  EXPECT_TRUE(MakeDate(2026, 12, 31));
}

TEST(Date, DayNumbersAndWeekdays) {
  EXPECT_EQ(DaysSinceEpoch(D("1970-01-01")), 0);
  EXPECT_EQ(DaysSinceEpoch(D("1969-12-31")), -1);
  EXPECT_EQ(DaysSinceEpoch(D("2000-03-01")), 11017);
  for (int64_t n = -800000; n <= 800000; n += 997) {
    EXPECT_EQ(DaysSinceEpoch(DateFromDays(n)), n);
  }
  EXPECT_EQ(AddDays(D("2026-12-31"), 1), D("2027-01-01"));
  EXPECT_EQ(AddDays(D("2024-03-01"), -1), D("2024-02-29"));
  EXPECT_EQ(IsoWeekday(D("2026-10-01")), 4);  // Thursday
  EXPECT_EQ(IsoWeekday(D("2026-11-29")), 7);  // Sunday
  EXPECT_EQ(IsoWeekday(D("1969-12-29")), 1);  // Monday, before the epoch
  EXPECT_TRUE(IsWeekend(D("2026-10-10")));
  EXPECT_FALSE(IsWeekend(D("2026-11-27")));
}

TEST(Date, ChinaDateIsUtcPlusEight) {
  EXPECT_EQ(ChinaDate(*ParseTime("2026-09-30T15:59:59Z")), D("2026-09-30"));
  EXPECT_EQ(ChinaDate(*ParseTime("2026-09-30T16:00:00Z")), D("2026-10-01"));
  EXPECT_EQ(ChinaDate(*ParseTime("2026-12-31T23:00:00Z")), D("2027-01-01"));
  EXPECT_EQ(ChinaDate(*ParseTime("1969-12-31T15:59:59Z")), D("1969-12-31"));
  EXPECT_EQ(ChinaDate(*ParseTime("1969-12-31T16:00:00Z")), D("1970-01-01"));
}

TEST(Calendar, WeekendsAreOffByDefault) {
  Calendar c;
  EXPECT_TRUE(c.IsWorkingDay(D("2026-11-27")));   // Friday
  EXPECT_FALSE(c.IsWorkingDay(D("2026-11-28")));  // Saturday
  // The start day is not counted: accepted on Friday, one day's limit ends on Monday.
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-27"), 1), D("2026-11-30"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-28"), 1), D("2026-11-30"));  // accepted on Saturday
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-26"), 1), D("2026-11-27"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-27"), 0), D("2026-11-27"));  // same-day service
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-25"), 5), D("2026-12-02"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-27"), 20), D("2026-12-25"));
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-11-27"), D("2026-11-30")), 1);
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-11-27"), D("2026-11-29")), 0);
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-11-30"), D("2026-11-27")), -1);
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-11-27"), D("2026-11-27")), 0);
}

TEST(Calendar, NationalDay2026WithAdjustedWorkingDays) {
  Calendar c = Autumn2026();
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-01")));  // Thursday, holiday
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-07")));  // Wednesday, holiday
  EXPECT_TRUE(c.IsWorkingDay(D("2026-10-10")));   // Saturday, worked
  EXPECT_TRUE(c.IsWorkingDay(D("2026-09-20")));   // Sunday, worked
  EXPECT_FALSE(c.IsWorkingDay(D("2026-09-25")));  // Friday, Mid-Autumn
  // Accepted Tuesday 9-29: Wed 9-30 (1), Thu 10-8 (2), Fri 10-9 (3), Sat 10-10 (4), Mon 10-12.
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-29"), 5), D("2026-10-12"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-29"), 4), D("2026-10-10"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-30"), 1), D("2026-10-08"));
  // Accepted Friday 9-18: the Sunday 9-20 is the first working day.
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-18"), 1), D("2026-09-20"));
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-18"), 3), D("2026-09-22"));
  // Accepted Thursday 9-24: Mid-Autumn and the weekend pass, Monday 9-28 is day 1.
  EXPECT_EQ(c.AddWorkingDays(D("2026-09-24"), 1), D("2026-09-28"));
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-09-29"), D("2026-10-12")), 5);
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-09-30"), D("2026-10-07")), 0);
  EXPECT_EQ(c.WorkingDaysBetween(D("2026-09-01"), D("2026-10-31")), 39);
}

TEST(Calendar, ADayInBothListsIsAHoliday) {
  Calendar c({D("2026-10-10")}, {D("2026-10-10"), D("2026-10-11")});
  EXPECT_FALSE(c.IsWorkingDay(D("2026-10-10")));
  EXPECT_TRUE(c.IsWorkingDay(D("2026-10-11")));
  EXPECT_EQ(c.working_days(), std::vector<Date>{D("2026-10-11")});
}

TEST(Calendar, WorkingDaysBetweenAgreesWithCountingDayByDay) {
  Calendar c = Autumn2026();
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> offset(-200, 200);
  const Date base = D("2026-10-01");
  for (int i = 0; i < 500; ++i) {
    Date a = AddDays(base, offset(rng)), b = AddDays(base, offset(rng));
    int64_t expected = 0;
    Date lo = std::min(a, b), hi = std::max(a, b);
    for (Date d = AddDays(lo, 1); d <= hi; d = AddDays(d, 1)) expected += c.IsWorkingDay(d);
    if (b < a) expected = -expected;
    ASSERT_EQ(c.WorkingDaysBetween(a, b), expected) << FormatDate(a) << " " << FormatDate(b);
    if (a <= b) {
      int n = static_cast<int>(expected);
      EXPECT_EQ(c.WorkingDaysBetween(a, c.AddWorkingDays(a, n)), n);
    }
  }
}

TEST(Calendar, APauseMovesTheDeadlineByTheWorkingDaysItCovers) {
  Calendar c;
  // Accepted Monday 11-02 with 5 days: Tue..Fri and the next Monday.
  EXPECT_EQ(c.AddWorkingDays(D("2026-11-02"), 5), D("2026-11-09"));
  // Supplement requested Tuesday 11-03, supplied Thursday 11-05: Wed and Thu are not counted.
  EXPECT_EQ(c.Deadline(D("2026-11-02"), 5, {{D("2026-11-03"), D("2026-11-05")}}), D("2026-11-11"));
  // Requested and supplied on the same day: nothing is lost.
  EXPECT_EQ(c.Deadline(D("2026-11-02"), 5, {{D("2026-11-03"), D("2026-11-03")}}), D("2026-11-09"));
  // A pause over a weekend only costs nothing.
  EXPECT_EQ(c.Deadline(D("2026-11-02"), 5, {{D("2026-11-06"), D("2026-11-08")}}), D("2026-11-09"));
  // Overlapping pauses are not counted twice.
  EXPECT_EQ(c.Deadline(D("2026-11-02"), 5,
                       {{D("2026-11-03"), D("2026-11-05")}, {D("2026-11-04"), D("2026-11-05")}}),
            D("2026-11-11"));
  // No pauses: the plain deadline.
  EXPECT_EQ(c.Deadline(D("2026-11-02"), 5, {}), D("2026-11-09"));
}

TEST(Calendar, APauseAcrossNationalDay) {
  Calendar c = Autumn2026();
  Date start = D("2026-09-28");  // Monday
  EXPECT_EQ(c.AddWorkingDays(start, 10), D("2026-10-16"));
  // Supplement requested Wednesday 9-30, supplied Friday 10-09: of the paused days only
  // 10-08 and 10-09 were working days, so the limit moves by two working days.
  Pause supplement{D("2026-09-30"), D("2026-10-09")};
  EXPECT_EQ(c.WorkingDaysBetween(supplement.from, *supplement.to), 2);
  EXPECT_EQ(c.Deadline(start, 10, {supplement}), D("2026-10-20"));
  EXPECT_EQ(c.Deadline(start, 10, {supplement}),
            c.AddWorkingDays(start, 10 + static_cast<int>(c.WorkingDaysBetween(supplement.from,
                                                                               *supplement.to))));
  // Then suspended for expert review Wednesday 10-14 .. Friday 10-16 as well: two more.
  EXPECT_EQ(c.Deadline(start, 10, {supplement, {D("2026-10-14"), D("2026-10-16")}}),
            D("2026-10-22"));
  // A pause entirely inside the holiday costs nothing.
  EXPECT_EQ(c.Deadline(start, 10, {{D("2026-10-01"), D("2026-10-07")}}), D("2026-10-16"));
}

TEST(Calendar, AnOpenPauseLeavesTheDeadlineUnknownUntilItEnds) {
  Calendar c;
  Date start = D("2026-11-02");
  EXPECT_EQ(c.Deadline(start, 5, {{D("2026-11-04"), std::nullopt}}), std::nullopt);
  // Stopped after the limit had run out: the deadline stays where it was.
  EXPECT_EQ(c.Deadline(start, 5, {{D("2026-11-10"), std::nullopt}}), D("2026-11-09"));
  // Stopped on the deadline day itself: that day still counts.
  EXPECT_EQ(c.Deadline(start, 5, {{D("2026-11-09"), std::nullopt}}), D("2026-11-09"));
  EXPECT_EQ(c.Deadline(start, 0, {{D("2026-11-01"), std::nullopt}}), start);
}

}  // namespace
}  // namespace ow
