// Small helpers shared by the harnesses.
#ifndef OW_FUZZ_FUZZ_UTIL_H_
#define OW_FUZZ_FUZZ_UTIL_H_

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace ow::fuzz {

// Harnesses with two inputs read them from one file, separated by a line "%%":
// "first\n%%\nsecond". Without the separator the whole input is the first part.
inline constexpr std::string_view kSeparator = "\n%%\n";

inline std::pair<std::string_view, std::string_view> SplitTwo(std::string_view in) {
  size_t at = in.find(kSeparator);
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + kSeparator.size())};
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The JSON value of `text`, or null when it is not JSON.
inline boost::json::value ParseOrNull(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return nullptr;
  return v;
}

}  // namespace ow::fuzz

#endif  // OW_FUZZ_FUZZ_UTIL_H_
