#include <gtest/gtest.h>

#include "appointments/ics.h"
#include "appointments/service.h"
#include "appointments/store.h"

namespace ow::appointments {
namespace {

TEST(IcsTest, EscapesTextAndFoldsAt75OctetsWithoutSplittingCharacters) {
  EXPECT_EQ(IcsText("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
  std::string line = "SUMMARY:" + std::string(30, 'x');
  for (int i = 0; i < 20; ++i) line += "市";  // 3 octets each
  std::string folded = IcsLine(line);
  ASSERT_GE(folded.size(), 2u);
  EXPECT_EQ(folded.substr(folded.size() - 2), "\r\n");
  size_t start = 0;
  std::string unfolded;
  while (start < folded.size()) {
    size_t end = folded.find("\r\n", start);
    std::string physical = folded.substr(start, end - start);
    EXPECT_LE(physical.size(), 75u);
    // A continuation line starts with one space, and no line starts inside a character.
    if (start > 0) {
      ASSERT_EQ(physical[0], ' ');
      physical.erase(0, 1);
    }
    EXPECT_NE(static_cast<unsigned char>(physical[0]) & 0xC0, 0x80);
    unfolded += physical;
    start = end + 2;
  }
  EXPECT_EQ(unfolded, line);
}

TEST(IcsTest, BookingEventInShanghaiTime) {
  Booking b;
  b.number = "BK0123456789";
  b.item_code = "3301-GA-SFZHL";
  b.item_name = "居民身份证换领";
  b.item_name_en = "Renewal, of ID; card";
  b.day = *ParseDate("2026-12-08");
  b.start = 9 * 60 + 30;
  b.end = 10 * 60;
  b.status = kBooked;
  Hall h;
  h.name = "上城区市民中心";
  h.name_en = "Citizen Centre";
  h.address = "市民街 200 号";
  h.address_en = "200 Shimin St";
  std::string folded = BookingIcs(b, h, *ParseTime("2026-12-01T02:03:04Z"), "example");
  std::string ics;  // unfolded (RFC 5545 3.1): CRLF + space removed
  for (size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    ics += folded[i];
  }
  EXPECT_NE(ics.find("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"), std::string::npos);
  EXPECT_NE(ics.find("DTSTART;TZID=Asia/Shanghai:20261208T093000\r\n"), std::string::npos);
  EXPECT_NE(ics.find("DTEND;TZID=Asia/Shanghai:20261208T100000\r\n"), std::string::npos);
  EXPECT_NE(ics.find("DTSTAMP:20261201T020304Z\r\n"), std::string::npos);
  EXPECT_NE(ics.find("UID:BK0123456789@example\r\n"), std::string::npos);
  EXPECT_NE(ics.find("Renewal\\, of ID\\; card"), std::string::npos);
  EXPECT_NE(ics.find("TZID:Asia/Shanghai"), std::string::npos);
}

Hall TestHall() {
  Hall h;
  h.code = "H";
  h.slot_minutes = 45;
  h.hours = {{1, 9 * 60, 12 * 60}, {1, 13 * 60 + 30, 15 * 60}, {6, 9 * 60, 10 * 60}};
  h.windows = {{1, "one", "", {"A", "B"}, 2}, {2, "two", "", {"A"}, 1}};
  return h;
}

TEST(SlotsTest, FromHoursWindowsAndTheCalendar) {
  Hall h = TestHall();
  Calendar plain;
  Date monday = *ParseDate("2026-12-07");
  auto a = SlotsOfDay(h, "A", monday, plain);
  // 09:00, 09:45, 10:30, 11:15 (ending at 12:00), then 13:30 and 14:15 (14:30 is too late).
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[3].start, 11 * 60 + 15);
  EXPECT_EQ(a[4].start, 13 * 60 + 30);
  EXPECT_EQ(a[0].capacity, 3);
  EXPECT_EQ(SlotsOfDay(h, "B", monday, plain)[0].capacity, 2);
  EXPECT_TRUE(SlotsOfDay(h, "C", monday, plain).empty());
  // Tuesday: no hours. A plain Saturday: open with its listed hours; a plain Sunday: none.
  EXPECT_TRUE(SlotsOfDay(h, "A", AddDays(monday, 1), plain).empty());
  Date saturday = AddDays(monday, 5), sunday = AddDays(monday, 6);
  EXPECT_EQ(SlotsOfDay(h, "A", saturday, plain).size(), 1u);
  EXPECT_TRUE(SlotsOfDay(h, "A", sunday, plain).empty());
  // Make-up working days (调休): their own hours, else Monday's.
  Calendar worked({}, {saturday, sunday});
  EXPECT_EQ(SlotsOfDay(h, "A", saturday, worked).size(), 1u);  // its own hours
  EXPECT_EQ(SlotsOfDay(h, "A", sunday, worked).size(), 6u);    // Monday's
  // A public holiday closes the hall, on a weekday or on a Saturday with listed hours.
  Calendar holiday({monday, saturday}, {});
  EXPECT_TRUE(SlotsOfDay(h, "A", monday, holiday).empty());
  EXPECT_TRUE(SlotsOfDay(h, "A", saturday, holiday).empty());
}

TEST(SlotsTest, Clock) {
  EXPECT_EQ(ParseClock("09:30"), 570);
  EXPECT_EQ(ParseClock("24:00"), 1440);
  EXPECT_FALSE(ParseClock("24:30"));
  EXPECT_FALSE(ParseClock("9:30"));
  EXPECT_FALSE(ParseClock("09:60"));
  EXPECT_EQ(FormatClock(570), "09:30");
}

}  // namespace
}  // namespace ow::appointments
