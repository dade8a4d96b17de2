#include "core/clock.h"

#include <cstdio>
#include <ctime>

namespace ow {

std::string FormatTime(SystemTime t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowText() { return FormatTime(std::chrono::system_clock::now()); }

int64_t UnixSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<SystemTime> ParseTime(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  std::tm tm{};
  char tail = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) != 7)
    return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm);
  // system_clock counts nanoseconds in 64 bits (libstdc++: years 1677 to 2262); a time
  // outside that cannot be held, and from_time_t would overflow (undefined behaviour,
  // found by fuzz/json_bodies_fuzzer.cc with an agent authorization expiring in 1546).
  using std::chrono::seconds;
  constexpr auto kMin = std::chrono::duration_cast<seconds>(SystemTime::min().time_since_epoch());
  constexpr auto kMax = std::chrono::duration_cast<seconds>(SystemTime::max().time_since_epoch());
  if (t <= kMin.count() || t >= kMax.count()) return std::nullopt;
  if (FormatTime(std::chrono::system_clock::from_time_t(t)) != text) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace ow
