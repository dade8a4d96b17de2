// SQL for the holiday calendar. Used only by calendar::Service.
#ifndef OW_CALENDAR_STORE_H_
#define OW_CALENDAR_STORE_H_

#include <optional>
#include <vector>

#include "calendar/model.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::calendar {

std::vector<db::Migration> Migrations();

class Store {
 public:
  static Result<std::optional<YearCalendar>> Get(db::Connection& c, int year);
  // Writes `y` whole: inserts the year when `previous_version` is 0, otherwise updates
  // it only if its stored version is still `previous_version` (false when it was not),
  // then replaces its days.
  static Result<bool> Put(db::Connection& c, const YearCalendar& y, int64_t previous_version);
  // The exceptions between `from` and `to` inclusive, as one statement.
  static Result<Calendar> Range(db::Connection& c, Date from, Date to);
};

}  // namespace ow::calendar

#endif  // OW_CALENDAR_STORE_H_
