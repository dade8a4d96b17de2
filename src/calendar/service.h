// The holiday calendar: administrators publish each year's holidays and adjusted
// working days; everyone reads them; other domains get a Calendar to count deadlines.
//
// Thread-safe. Errors: kInvalidArgument with field errors for a bad year or bad days
// ("holidays/3"), kNotFound for a year nobody published, kStaleVersion when
// `expected_version` is stale (412).
// Authorization is the caller's job (routes check for a system administrator).
#ifndef OW_CALENDAR_SERVICE_H_
#define OW_CALENDAR_SERVICE_H_

#include <optional>
#include <string>

#include "calendar/model.h"
#include "db/database.h"

namespace ow::calendar {

struct PutResult {
  YearCalendar year;
  bool created = false;  // true when the year had not been published before
};

class Service {
 public:
  explicit Service(db::Database& db) : db_(db) {}

  // kInvalidArgument (field "year") unless kMinYear <= year <= kMaxYear.
  static Status CheckYear(int year);

  Result<YearCalendar> Get(int year);

  // Moves on whenever a year is published, on any node sharing the database
  // (db/shared_state.h): caches of working days compare it per use.
  uint64_t Generation();

  // Publishes `year` or replaces it whole. Rules: every entry is a real day of that
  // year as YYYY-MM-DD, listed once; no day in both lists; working days fall on
  // Saturday or Sunday (a weekday is a working day anyway); holidays may fall on any
  // day. With `expected_version`, fails with kConflict unless the year exists at
  // exactly that version.
  Result<PutResult> Put(int year, const YearInput& in, std::optional<int64_t> expected_version,
                        const std::string& actor);

  // A Calendar with every published exception from `from` to `to` inclusive. Years
  // nobody published count Saturdays and Sundays as the only days off, so ask for a
  // range that covers the whole period being counted (generously: a limit of n
  // working days needs more than n calendar days).
  Result<Calendar> ForRange(Date from, Date to);

 private:
  db::Database& db_;
};

}  // namespace ow::calendar

#endif  // OW_CALENDAR_SERVICE_H_
