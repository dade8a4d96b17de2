// Events per key in a sliding window, bounded in memory: the shape of every abuse limit
// (failed logins and registrations per address in identity/throttle.h, public case
// lookups in cases). In one process: a province running several nodes sets a proxy
// rate limit in front too. Not thread-safe: its owner locks.
#ifndef OW_CORE_SLIDING_WINDOW_H_
#define OW_CORE_SLIDING_WINDOW_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace ow {

class SlidingWindow {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  // `limit` < 1 counts as 1.
  SlidingWindow(int64_t limit, std::chrono::seconds span)
      : limit_(limit < 1 ? 1 : limit), span_(span) {}

  // True when `key` has `limit` events in the window ending at `now`; *retry is then
  // the wait until the oldest one leaves it.
  bool Full(const std::string& key, TimePoint now, std::chrono::seconds* retry);
  void Add(const std::string& key, TimePoint now);
  void Clear(const std::string& key) { events_.erase(key); }

  // At most this many keys are kept (the expired ones are dropped first).
  static constexpr size_t kMaxKeys = 100000;

 private:
  int64_t limit_;
  std::chrono::seconds span_;
  std::unordered_map<std::string, std::deque<TimePoint>> events_;
};

}  // namespace ow

#endif  // OW_CORE_SLIDING_WINDOW_H_
