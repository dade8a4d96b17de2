#include "supervise/model.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ow::supervise {
namespace {

Date D(const char* s) { return *ParseDate(s); }

TEST(WarningLevel, RedWhenPastYellowNearTheEnd) {
  Calendar weekends;
  // Wednesday 18 November 2026.
  Date wednesday = D("2026-11-18");
  EXPECT_EQ(WarningLevel(D("2026-11-17"), wednesday, weekends, 1), kRed);
  EXPECT_EQ(WarningLevel(D("2026-11-18"), wednesday, weekends, 1), kYellow);  // due today
  EXPECT_EQ(WarningLevel(D("2026-11-19"), wednesday, weekends, 1), kYellow);  // one day left
  EXPECT_EQ(WarningLevel(D("2026-11-20"), wednesday, weekends, 1), "");
  EXPECT_EQ(WarningLevel(D("2026-11-20"), wednesday, weekends, 2), kYellow);
  // Friday to Monday is one working day: yellow over the weekend.
  EXPECT_EQ(WarningLevel(D("2026-11-23"), D("2026-11-20"), weekends, 1), kYellow);
  // A holiday on Thursday pushes Friday into the window.
  Calendar holiday({D("2026-11-19")}, {});
  EXPECT_EQ(WarningLevel(D("2026-11-20"), wednesday, holiday, 1), kYellow);
  EXPECT_EQ(YellowDays(kCase), 2);
  EXPECT_EQ(YellowDays(kTicket), 1);
}

std::vector<Entity> Entities(int n) {
  std::vector<Entity> out;
  for (int i = 0; i < n; ++i) {
    char uscc[32];
    std::snprintf(uscc, sizeof uscc, "91330102MA%08d", i % 100000000);
    out.push_back({uscc, "企业" + std::to_string(i), {"L" + std::to_string(i)}});
  }
  return out;
}

std::vector<Inspector> Inspectors(int n) {
  std::vector<Inspector> out;
  for (int i = 0; i < n; ++i) out.push_back({"acc_" + std::to_string(100 + i), "检查员"});
  return out;
}

TEST(Draw, TheSameSeedGivesTheSameDrawWhateverTheInputOrder) {
  auto entities = Entities(40);
  auto inspectors = Inspectors(9);
  auto a = Draw("0123456789abcdef0123456789abcdef", entities, inspectors, {}, 10, 2);
  ASSERT_TRUE(a);
  std::reverse(entities.begin(), entities.end());
  std::reverse(inspectors.begin(), inspectors.end());
  auto b = Draw("0123456789abcdef0123456789abcdef", entities, inspectors, {}, 10, 2);
  ASSERT_TRUE(b);
  ASSERT_EQ(a->size(), 10u);
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].uscc, (*b)[i].uscc);
    EXPECT_EQ((*a)[i].inspectors, (*b)[i].inspectors);
    ASSERT_EQ((*a)[i].inspectors.size(), 2u);
    EXPECT_NE((*a)[i].inspectors[0], (*a)[i].inspectors[1]);
  }
  // Ten distinct entities.
  std::set<std::string> drawn;
  for (const auto& p : *a) drawn.insert(p.uscc);
  EXPECT_EQ(drawn.size(), 10u);
  // Another seed, another draw.
  auto c = Draw("fedcba9876543210fedcba9876543210", Entities(40), Inspectors(9), {}, 10, 2);
  ASSERT_TRUE(c);
  bool same = true;
  for (size_t i = 0; i < c->size(); ++i) same = same && (*a)[i].uscc == (*c)[i].uscc;
  EXPECT_FALSE(same);
}

TEST(Draw, NeverPairsAnInspectorWithAnEntityTheyAreBarredFrom) {
  auto entities = Entities(12);
  auto inspectors = Inspectors(5);
  Bars bars;
  // acc_100 is barred from every other entity; acc_101 from the first three.
  for (int i = 0; i < 12; i += 2) bars.insert({"acc_100", entities[i].uscc});
  for (int i = 0; i < 3; ++i) bars.insert({"acc_101", entities[i].uscc});
  std::map<std::string, int> times;
  for (int s = 0; s < 500; ++s) {
    auto d = Draw("seed-" + std::to_string(s), entities, inspectors, bars, 12, 3);
    ASSERT_TRUE(d) << d.error().message;
    for (const auto& p : *d)
      for (const auto& x : p.inspectors) {
        EXPECT_FALSE(bars.count({x, p.uscc})) << "seed " << s << ": " << x << " on " << p.uscc;
        ++times[x];
      }
  }
  // Everyone is drawn (a barred inspector still inspects the others).
  EXPECT_EQ(times.size(), 5u);
}

TEST(Draw, RoughlyUniform) {
  std::map<std::string, int> times;
  for (int s = 0; s < 2000; ++s) {
    auto d = Draw("u" + std::to_string(s), Entities(10), Inspectors(3), {}, 1, 1);
    ASSERT_TRUE(d);
    ++times[(*d)[0].uscc];
  }
  ASSERT_EQ(times.size(), 10u);
  for (const auto& [k, v] : times) {
    EXPECT_GT(v, 120) << k;  // 200 expected
    EXPECT_LT(v, 280) << k;
  }
}

TEST(Draw, RefusesWhatCannotBeDrawn) {
  auto entities = Entities(3);
  Bars bars{{"acc_100", entities[1].uscc}};
  auto d = Draw("s", entities, Inspectors(2), bars, 3, 2);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Code::kFailedPrecondition);
  EXPECT_FALSE(Draw("", entities, Inspectors(2), {}, 1, 1));
  EXPECT_FALSE(Draw("s", entities, Inspectors(2), {}, 0, 1));
  // More wanted than there are: all of them.
  auto all = Draw("s", entities, Inspectors(2), {}, 10, 1);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

}  // namespace
}  // namespace ow::supervise
