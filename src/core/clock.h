// Wall-clock time as the platform stores it: UTC, RFC 3339 with whole seconds
// ("2026-11-27T03:04:05Z"). The fixed width makes stored timestamps compare correctly
// as text on both stores. Thread-safe.
#ifndef OW_CORE_CLOCK_H_
#define OW_CORE_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ow {

using SystemTime = std::chrono::system_clock::time_point;

std::string FormatTime(SystemTime t);
// Now, formatted.
std::string NowText();
// Seconds since the Unix epoch.
int64_t UnixSeconds(SystemTime t);
// Parses exactly the FormatTime form; nullopt otherwise, and for a time SystemTime
// cannot hold (before 1678 or after 2261).
std::optional<SystemTime> ParseTime(std::string_view text);

}  // namespace ow

#endif  // OW_CORE_CLOCK_H_
