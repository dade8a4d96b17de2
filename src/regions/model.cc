#include "regions/model.h"

#include "core/text.h"

namespace ow::regions {

namespace {
constexpr size_t kLengths[] = {2, 4, 6, 9, 12};
constexpr std::string_view kNames[] = {"province", "city", "county", "township", "village"};
}  // namespace

std::optional<Level> LevelOfCode(std::string_view code) {
  if (!text::IsDigits(code)) return std::nullopt;
  for (int i = 0; i < 5; ++i) {
    if (code.size() == kLengths[i]) return static_cast<Level>(i + 1);
  }
  return std::nullopt;
}

size_t CodeLength(Level level) { return kLengths[static_cast<int>(level) - 1]; }
std::string_view LevelName(Level level) { return kNames[static_cast<int>(level) - 1]; }

std::optional<Level> ParseLevel(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kNames[i] == name || std::string_view(std::to_string(i + 1)) == name)
      return static_cast<Level>(i + 1);
  }
  return std::nullopt;
}

std::string ParentCode(std::string_view code) {
  auto level = LevelOfCode(code);
  if (!level || *level == Level::kProvince) return {};
  return std::string(code.substr(0, kLengths[static_cast<int>(*level) - 2]));
}

std::vector<std::string> AncestorCodes(std::string_view code) {
  std::vector<std::string> out;
  auto level = LevelOfCode(code);
  if (!level) return out;
  for (int i = 0; i < static_cast<int>(*level) - 1; ++i)
    out.emplace_back(code.substr(0, kLengths[i]));
  return out;
}

}  // namespace ow::regions
