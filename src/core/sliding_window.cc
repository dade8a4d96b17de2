#include "core/sliding_window.h"

namespace ow {

bool SlidingWindow::Full(const std::string& key, TimePoint now, std::chrono::seconds* retry) {
  auto it = events_.find(key);
  if (it == events_.end()) return false;
  auto& q = it->second;
  while (!q.empty() && q.front() + span_ <= now) q.pop_front();
  if (static_cast<int64_t>(q.size()) < limit_) return false;
  *retry = std::chrono::duration_cast<std::chrono::seconds>(q.front() + span_ - now) +
           std::chrono::seconds(1);
  return true;
}

void SlidingWindow::Add(const std::string& key, TimePoint now) {
  if (events_.size() >= kMaxKeys) {
    // Forget keys whose window has passed; if all are live, an arbitrary one.
    for (auto it = events_.begin(); it != events_.end();) {
      if (it->second.empty() || it->second.back() + span_ <= now) {
        it = events_.erase(it);
      } else {
        ++it;
      }
    }
    if (events_.size() >= kMaxKeys) events_.erase(events_.begin());
  }
  auto& q = events_[key];
  q.push_back(now);
  while (static_cast<int64_t>(q.size()) > limit_) q.pop_front();
}

}  // namespace ow
