// The holiday calendar administrators maintain, one year at a time: the public
// holidays and the weekend days worked instead (调休) as the State Council publishes
// them each year. Deadlines are counted against it (core/calendar.h).
#ifndef OW_CALENDAR_MODEL_H_
#define OW_CALENDAR_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/calendar.h"

namespace ow::calendar {

// Years an administrator may publish.
inline constexpr int kMinYear = 2000;
inline constexpr int kMaxYear = 2100;

struct YearCalendar {
  int year = 0;
  std::vector<Date> holidays;      // sorted; days off, weekdays or weekends
  std::vector<Date> working_days;  // sorted; weekend days that are worked
  int64_t version = 0;             // 1 when first published, +1 on every change (ETag)
  std::string updated_at;          // RFC 3339 UTC
  std::string updated_by;          // the administrator's name
};

// A year as submitted: dates as text, checked by the service.
struct YearInput {
  std::vector<std::string> holidays;
  std::vector<std::string> working_days;
};

}  // namespace ow::calendar

#endif  // OW_CALENDAR_MODEL_H_
