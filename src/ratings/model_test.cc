#include "ratings/model.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "workflow/definition.h"
#include "workflow/instance.h"

namespace ow::ratings {
namespace {

TEST(Reasons, FitTheirLevels) {
  EXPECT_TRUE(ReasonFits("rude", 1));
  EXPECT_TRUE(ReasonFits("rude", 2));
  EXPECT_FALSE(ReasonFits("rude", 3));
  EXPECT_FALSE(ReasonFits("rude", 5));
  EXPECT_TRUE(ReasonFits("fast", 5));
  EXPECT_FALSE(ReasonFits("fast", 2));
  EXPECT_TRUE(ReasonFits("other", 1));
  EXPECT_TRUE(ReasonFits("other", 5));
  EXPECT_FALSE(ReasonFits("no_such_reason", 3));
  EXPECT_TRUE(IsBad(1));
  EXPECT_TRUE(IsBad(2));
  EXPECT_FALSE(IsBad(3));
  // Every level offers at least two reasons, and codes are unique.
  for (int level = kMinLevel; level <= kMaxLevel; ++level) {
    int n = 0;
    for (const auto& r : Reasons()) n += ReasonFits(r.code, level) ? 1 : 0;
    EXPECT_GE(n, 2) << level;
  }
  std::set<std::string_view> codes;
  for (const auto& r : Reasons()) EXPECT_TRUE(codes.insert(r.code).second) << r.code;
}

// The rectification's path through the process for a sequence of decisions: the user task
// names reached, "End" when it completed.
std::vector<std::string> Walk(bool has_account, const std::vector<std::string>& decisions) {
  auto def = workflow::Definition::Parse(ProcessXml(), 1);
  EXPECT_TRUE(def) << def.error().message;
  if (!def) return {};
  workflow::Instance inst(*def);
  std::vector<std::string> path;
  auto follow = [&](const Result<workflow::Effects>& effects) {
    EXPECT_TRUE(effects) << effects.error().message;
    if (!effects) return;
    for (const auto& e : *effects) {
      if (e.kind == workflow::Effect::Kind::kTaskCreated) path.push_back(e.node);
      if (e.kind == workflow::Effect::Kind::kInstanceCompleted) path.push_back("End");
    }
  };
  SystemTime now{};
  follow(
      inst.Start({{"department", "d"}, {"region", "330102"}, {"has_account", has_account}}, now));
  for (const auto& d : decisions) {
    if (inst.tasks().empty()) break;
    follow(inst.CompleteTask(inst.tasks().front().id, {{"decision", d}}, now));
  }
  return path;
}

TEST(RectificationProcess, RunsEveryPath) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Walk(true, {"rectified", "confirm"}), (V{"Rectify", "Confirm", "End"}));
  EXPECT_EQ(Walk(false, {"rectified"}), (V{"Rectify", "End"}));
  EXPECT_EQ(Walk(true, {"rectified", "appeal", "close"}),
            (V{"Rectify", "Confirm", "Supervise", "End"}));
  EXPECT_EQ(Walk(true, {"rectified", "appeal", "return", "rectified", "confirm"}),
            (V{"Rectify", "Confirm", "Supervise", "Rectify", "Confirm", "End"}));
  EXPECT_EQ(Walk(true, {"malicious", "annul"}), (V{"Rectify", "Supervise", "End"}));
  EXPECT_EQ(Walk(false, {"malicious", "return", "rectified"}),
            (V{"Rectify", "Supervise", "Rectify", "End"}));
}

TEST(RatingNumbers, AreDatedAndRandom) {
  std::string a = NewNumber(*ParseDate("2030-06-06")), b = NewNumber(*ParseDate("2030-06-06"));
  EXPECT_EQ(a.substr(0, 10), "PJ20300606");
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  std::string t = NewLinkToken();
  EXPECT_EQ(t.size(), 24u);
  EXPECT_NE(t, NewLinkToken());
  EXPECT_EQ(HashToken(t).size(), 64u);
}

}  // namespace
}  // namespace ow::ratings
