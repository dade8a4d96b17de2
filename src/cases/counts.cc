// What a case's transitions add to the indicators (indicators/recorder.h), in the
// transaction that records them: applications by channel, hall visits, decisions (on time
// or not, with the working days they took) and deliveries.
#include <algorithm>

#include "cases/service.h"
#include "cases/service_internal.h"

namespace ow::cases {
namespace {

// Working days from acceptance to `decided_on`, the days the clock stood still taken out.
int WorkingDaysToDecide(const Calendar& cal, const Case& k, Date decided_on) {
  auto start = ParseDate(k.accepted_on);
  if (!start) return 0;
  int64_t days = cal.WorkingDaysBetween(*start, decided_on);
  for (const auto& p : k.pauses)
    if (p.to) days -= std::max<int64_t>(0, cal.WorkingDaysBetween(p.from, *p.to));
  return static_cast<int>(std::max<int64_t>(0, days));
}

}  // namespace

Status Service::CountIndicators(db::Connection& c, const Op& op) {
  if (!indicators_) return {};
  for (const auto& e : op.events) {
    indicators::Count n;
    auto at = ParseTime(e.at);
    Date day = at ? ChinaDate(*at) : op.today;
    n.day = FormatDate(day);
    n.region_code = op.k.region_code;
    n.department_code = op.k.department_code;
    n.item_code = op.k.item_code;
    // Applications are counted by the channel they came through, and so is what follows.
    n.channel = op.k.channel;
    const bool counter = e.channel == kCounterChannel;
    if (e.action == "submitted") {
      n.add[indicators::kSubmitted] = 1;
      n.add[indicators::kOnline] = counter ? 0 : 1;
      n.add[indicators::kVisits] = counter ? 1 : 0;
    } else if (e.action == "supplied") {
      n.add[indicators::kVisits] = counter ? 1 : 0;
    } else if (e.action == "decided") {
      n.add[indicators::kDecided] = 1;
      n.add[indicators::kApproved] = e.to_status == kApproved ? 1 : 0;
      // No promised deadline (the clock stood still) counts as on time.
      const std::string on = FormatDate(day);
      n.add[indicators::kOnTime] =
          op.k.promised_deadline.empty() || on <= op.k.promised_deadline ? 1 : 0;
      if (op.cal) {
        n.decide_days = WorkingDaysToDecide(*op.cal, op.k, day);
        n.add[indicators::kDecideDaysSum] = n.decide_days;
      }
    } else if (e.action == "delivered") {
      n.add[indicators::kDelivered] = 1;
      const auto* method = e.detail.if_contains("method");
      n.add[indicators::kVisits] =
          method && method->is_string() && method->as_string() == "counter" ? 1 : 0;
    }
    OW_RETURN_IF_ERROR(indicators_->Add(c, n));
  }
  return {};
}

}  // namespace ow::cases
