#include "tickets/model.h"

#include <gtest/gtest.h>

#include "workflow/definition.h"
#include "workflow/instance.h"

namespace ow::tickets {
namespace {

Date D(const char* s) { return *ParseDate(s); }

TEST(TicketProcess, IsAValidDefinitionWithEachKindsDeadline) {
  auto def = workflow::Definition::Parse(ProcessXml({2, 7, 11}), 1);
  ASSERT_TRUE(def) << def.error().message;
  EXPECT_EQ((*def)->key(), kProcessKey);
  for (const auto& [node, days] : {std::pair{"Due_consult", 2}, std::pair{"Due_complaint", 7},
                                   std::pair{"Due_suggestion", 11}}) {
    int i = (*def)->Find(node);
    ASSERT_GE(i, 0) << node;
    EXPECT_EQ((*def)->nodes()[static_cast<size_t>(i)].duration, std::chrono::hours(24 * days));
  }
}

TEST(WorkingClock, CountsWorkingDaysOnly) {
  Calendar cal({D("2030-06-10")}, {D("2030-06-08")});  // a Monday off, a Saturday worked
  auto days = [&](const char* a, const char* b) {
    return (WorkingClock(cal, D(b)) - WorkingClock(cal, D(a))) / std::chrono::hours(24);
  };
  EXPECT_EQ(days("2030-06-06", "2030-06-07"), 1);  // Thu -> Fri
  EXPECT_EQ(days("2030-06-07", "2030-06-09"), 1);  // the worked Saturday; Sunday off
  EXPECT_EQ(days("2030-06-09", "2030-06-10"), 0);  // the holiday
  EXPECT_EQ(days("2030-06-10", "2030-06-11"), 1);
}

// A ticket asked on day s escalates on the first day after AddWorkingDays(s, n): the
// engine's timer, armed on the clock of s and fired with the clock of yesterday, agrees
// with the due date the calendar gives, around weekends and holidays.
TEST(WorkingClock, TheTimerFiresTheDayAfterTheDueDate) {
  Calendar cal({D("2030-06-10"), D("2030-06-11")}, {D("2030-06-15")});
  auto def = workflow::Definition::Parse(ProcessXml({3, 10, 15}), 1);
  ASSERT_TRUE(def);
  for (const char* start : {"2030-06-06", "2030-06-08", "2030-06-09", "2030-06-14"}) {
    workflow::Instance inst(*def);
    Date s = D(start);
    ASSERT_TRUE(inst.Start({{"kind", "consult"}, {"department", "d"}, {"region", "33"}},
                           WorkingClock(cal, s)));
    Date due = cal.AddWorkingDays(s, 3);
    for (Date day = s; day <= AddDays(due, 1); day = AddDays(day, 1)) {
      auto fired = inst.FireTimers(WorkingClock(cal, AddDays(day, -1)));
      ASSERT_TRUE(fired);
      bool escalated = !fired->empty();
      EXPECT_EQ(escalated, day == AddDays(due, 1)) << start << " on " << FormatDate(day);
      if (escalated) break;
    }
  }
}

TEST(Numbers, AreDatedAndRandom) {
  std::string a = NewNumber(D("2030-06-06")), b = NewNumber(D("2030-06-06"));
  EXPECT_EQ(a.substr(0, 10), "ZX20300606");
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(NewLookupCode().size(), 12u);
  EXPECT_EQ(HashCode("x").size(), 64u);
}

}  // namespace
}  // namespace ow::tickets
