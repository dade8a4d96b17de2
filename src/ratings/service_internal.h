// What the files of ratings::Service share and no other domain may see: one operation on one
// locked rating (Service::Op), and the authorization target of a rating.
#ifndef OW_RATINGS_SERVICE_INTERNAL_H_
#define OW_RATINGS_SERVICE_INTERNAL_H_

#include <string>
#include <vector>

#include "audit/audit.h"
#include "notify/notifier.h"
#include "ratings/service.h"
#include "ratings/store.h"

namespace ow::ratings {

struct Service::Op {
  Rating r;
  SystemTime now{};
  std::string at;
  Date today{};
  const Calendar* cal = nullptr;
  std::string actor;
  std::vector<Event> events;
  std::vector<notify::Outgoing> notices;
  std::vector<store::CountDelta> counts;
  std::vector<audit::Event> audits;  // appended last in the transaction

  void Record(std::string action, std::string note = {}) {
    events.push_back({0, at, actor, std::move(action), std::move(note)});
  }
  // A message to the rater, when the rating has an account.
  void Tell(const std::string& code);
  // Moves the rating's row of rating_counts (the day it was given).
  void CountChange(int64_t ratings, int64_t annulled, int64_t rectified);
};

namespace internal {

authz::Target TargetOf(const Rating& r);
// The rater, the case's department's staff (its region or above), the region's supervisors.
bool MayRead(const Principal& who, const Rating& r);

}  // namespace internal
}  // namespace ow::ratings

#endif  // OW_RATINGS_SERVICE_INTERNAL_H_
