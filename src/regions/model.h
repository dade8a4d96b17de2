// Administrative regions: the 5-level hierarchy of GB/T 2260 and the statistical
// division codes. A code's length fixes its level: 2 province, 4 city, 6 county,
// 9 township, 12 village; a region's parent code is its code cut to the previous
// level's length.
#ifndef OW_REGIONS_MODEL_H_
#define OW_REGIONS_MODEL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ow::regions {

enum class Level { kProvince = 1, kCity = 2, kCounty = 3, kTownship = 4, kVillage = 5 };

struct Region {
  std::string code;
  std::string name;
  Level level = Level::kProvince;
  std::string parent_code;  // empty for provinces
  std::string name_en;      // in pinyin ("Shangcheng District"); empty when there is none
};

// A region with its ancestors, province first.
struct RegionWithPath {
  Region region;
  std::vector<Region> ancestors;
};

struct RegionPage {
  std::vector<Region> items;
  std::string next_cursor;  // empty when this is the last page
};

// Level for a code's length, or nullopt if the code is not 2/4/6/9/12 digits.
std::optional<Level> LevelOfCode(std::string_view code);
// Code length of a level (2, 4, 6, 9, 12).
size_t CodeLength(Level level);
// "province", "city", "county", "township", "village".
std::string_view LevelName(Level level);
std::optional<Level> ParseLevel(std::string_view name);
// Parent code per the code structure; empty for provinces.
std::string ParentCode(std::string_view code);
// Codes of all ancestors, province first (excluding `code` itself).
std::vector<std::string> AncestorCodes(std::string_view code);

}  // namespace ow::regions

#endif  // OW_REGIONS_MODEL_H_
