#include "indicators/model.h"

#include <gtest/gtest.h>

namespace ow::indicators {
namespace {

Date D(int y, int m, int d) { return *MakeDate(y, m, d); }

TEST(IndicatorsModel, P90IsTheNearestRankOfTheHistogram) {
  Figures f;
  EXPECT_FALSE(f.P90Days());
  // Ten decisions: 1..10 working days. The 9th of ten is the 90th percentile.
  for (int d = 1; d <= 10; ++d) f.days[d] = 1;
  EXPECT_EQ(*f.P90Days(), 9);
  // Eleven: ceil(9.9) = 10th.
  f.days[0] = 1;
  EXPECT_EQ(*f.P90Days(), 9);
  f.days[0] = 0;
  f.days[kMaxDays] = 5;  // five slow ones, at the top bucket
  EXPECT_EQ(*f.P90Days(), kMaxDays);
}

TEST(IndicatorsModel, RatesAreNullWithoutADenominator) {
  Figures f;
  EXPECT_FALSE(f.OnTimeRate());
  f.sum[kDecided] = 4;
  f.sum[kOnTime] = 3;
  f.sum[kDecideDaysSum] = 10;
  EXPECT_DOUBLE_EQ(*f.OnTimeRate(), 0.75);
  EXPECT_DOUBLE_EQ(*f.AverageDays(), 2.5);
  f.sum[kKept] = 3;
  f.sum[kNoShows] = 1;
  EXPECT_DOUBLE_EQ(*f.NoShowRate(), 0.25);
  EXPECT_DOUBLE_EQ(*f.Derived("on_time_rate"), 0.75);
  EXPECT_FALSE(f.Derived("submitted"));
}

TEST(IndicatorsModel, PeriodKeysFollowIsoWeeks) {
  EXPECT_EQ(PeriodKey(Group::kWeek, D(2030, 6, 6)), "2030-W23");
  EXPECT_EQ(PeriodKey(Group::kWeek, D(2030, 6, 10)), "2030-W24");
  // 1 January 2027 is a Friday: it belongs to 2026's week 53.
  EXPECT_EQ(PeriodKey(Group::kWeek, D(2027, 1, 1)), "2026-W53");
  EXPECT_EQ(PeriodKey(Group::kMonth, D(2026, 12, 7)), "2026-12");
  EXPECT_EQ(PeriodKey(Group::kDay, D(2026, 12, 7)), "2026-12-07");
}

TEST(IndicatorsModel, ChildRegionsNestByLevel) {
  EXPECT_EQ(ChildRegion("33", "330102001"), "3301");
  EXPECT_EQ(ChildRegion("3301", "330102001"), "330102");
  EXPECT_EQ(ChildRegion("330102", "330102001"), "330102001");
  EXPECT_EQ(ChildRegion("3301", "3301"), "3301");
}

TEST(IndicatorsModel, RankingPutsTheBestFirstAndSharesTies) {
  auto row = [](const char* key, int64_t decided, int64_t on_time) {
    Row r;
    r.key = key;
    r.figures.sum[kDecided] = decided;
    r.figures.sum[kOnTime] = on_time;
    r.figures.sum[kDecideDaysSum] = decided * 3 - on_time;
    return r;
  };
  std::vector<Row> rows = {row("a", 4, 2), row("b", 4, 4), row("c", 0, 0), row("d", 2, 1)};
  Rank(rows, "on_time_rate");
  EXPECT_EQ(rows[0].key, "b");
  EXPECT_EQ(rows[0].rank, 1);
  EXPECT_EQ(rows[1].rank, 2);  // a and d: 0.5 each, tied
  EXPECT_EQ(rows[2].rank, 2);
  EXPECT_EQ(rows[3].key, "c");  // nothing decided: unranked, last
  EXPECT_EQ(rows[3].rank, 0);
  // Fewer days is better.
  Rank(rows, "average_days");
  EXPECT_EQ(rows[0].key, "b");
}

}  // namespace
}  // namespace ow::indicators
