#include "regions/model.h"

#include <gtest/gtest.h>

namespace ow::regions {
namespace {

TEST(RegionCodes, LevelsAndParents) {
  EXPECT_EQ(LevelOfCode("11"), Level::kProvince);
  EXPECT_EQ(LevelOfCode("110101001001"), Level::kVillage);
  EXPECT_FALSE(LevelOfCode("110"));
  EXPECT_FALSE(LevelOfCode("11a1"));
  EXPECT_EQ(ParentCode("110101001001"), "110101001");
  EXPECT_EQ(ParentCode("110101001"), "110101");
  EXPECT_EQ(ParentCode("11"), "");
  auto a = AncestorCodes("110101001001");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], "11");
  EXPECT_EQ(a[3], "110101001");
}

}  // namespace
}  // namespace ow::regions
