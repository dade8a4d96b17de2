// Boundary timers (escalations, reminders) on cases under review: the server calls
// FireDueTimers periodically; each due case moves in its own transaction.
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "core/log.h"

namespace ow::cases {

Result<int64_t> Service::FireDueTimers(SystemTime now) {
  std::vector<int64_t> due;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(due, store::CasesWithDueTimers(c, FormatTime(now), 100));
    return {};
  }));
  int64_t moved = 0;
  for (int64_t id : due) {
    auto done = Mutate(id, now, [&](db::Connection& c, Op& op) -> Status {
      if (op.k.status != kUnderReview || op.k.instance.is_null()) return {};
      op.actor = "system";
      op.channel = kSystem;
      OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.k));
      OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.k.instance));
      return Apply(c, op, inst, inst.FireTimers(now));
    });
    if (done) {
      ++moved;
    } else {
      log::Warn("case_timer_failed", {{"case", id}, {"error", done.error().message}});
    }
  }
  return moved;
}

Result<int64_t> Service::OverdueTimers(SystemTime before) {
  int64_t n = 0;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(n, store::CountDueTimers(c, FormatTime(before)));
    return {};
  }));
  return n;
}

}  // namespace ow::cases
