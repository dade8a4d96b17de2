#include "calendar/store.h"

namespace ow::calendar {

std::vector<db::Migration> Migrations() {
  // Days are keyed by the date itself, so no day can be both a holiday and a working
  // day; YYYY-MM-DD text orders and compares like the dates it names.
  return {{"calendar/001_init", R"sql(
CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE calendar_days (
  day TEXT PRIMARY KEY,
  year INTEGER NOT NULL REFERENCES calendar_years(year),
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'working_day'))
);
CREATE INDEX calendar_days_year ON calendar_days(year, day);
)sql",
           ""}};
}

namespace {

constexpr const char* kHoliday = "holiday";
constexpr const char* kWorkingDay = "working_day";

}  // namespace

Result<std::optional<YearCalendar>> Store::Get(db::Connection& c, int year) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT version, updated_at, updated_by FROM calendar_years WHERE year = $1",
                      {int64_t{year}}));
  if (r.empty()) return std::optional<YearCalendar>();
  YearCalendar y;
  y.year = year;
  y.version = r.Int(0, 0);
  y.updated_at = r.Text(0, 1);
  y.updated_by = r.Text(0, 2);
  OW_ASSIGN_OR_RETURN(
      auto days,
      c.Query("SELECT day, kind FROM calendar_days WHERE year = $1 ORDER BY day", {int64_t{year}}));
  for (size_t i = 0; i < days.size(); ++i) {
    auto d = ParseDate(days.Text(i, 0));
    if (!d) return Internal("calendar_days holds a malformed day: " + days.Text(i, 0));
    (days.Text(i, 1) == kHoliday ? y.holidays : y.working_days).push_back(*d);
  }
  return std::optional<YearCalendar>(std::move(y));
}

Result<bool> Store::Put(db::Connection& c, const YearCalendar& y, int64_t previous_version) {
  const int64_t year = y.year;
  if (previous_version == 0) {
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO calendar_years (year, version, updated_at, updated_by) VALUES ($1, $2, $3, "
        "$4)",
        {year, y.version, y.updated_at, y.updated_by}));
  } else {
    OW_ASSIGN_OR_RETURN(
        auto n, c.Exec("UPDATE calendar_years SET version = $2, updated_at = $3, updated_by = $4 "
                       "WHERE year = $1 AND version = $5",
                       {year, y.version, y.updated_at, y.updated_by, previous_version}));
    if (n != 1) return false;
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM calendar_days WHERE year = $1", {year}));
  }
  for (const auto& [days, kind] :
       {std::pair{&y.holidays, kHoliday}, std::pair{&y.working_days, kWorkingDay}}) {
    for (Date d : *days) {
      OW_RETURN_IF_ERROR(c.Exec("INSERT INTO calendar_days (day, year, kind) VALUES ($1, $2, $3)",
                                {FormatDate(d), year, std::string(kind)}));
    }
  }
  return true;
}

Result<Calendar> Store::Range(db::Connection& c, Date from, Date to) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT day, kind FROM calendar_days WHERE day >= $1 AND "
                                      "day <= $2 ORDER BY day",
                                      {FormatDate(from), FormatDate(to)}));
  std::vector<Date> holidays, working_days;
  for (size_t i = 0; i < r.size(); ++i) {
    auto d = ParseDate(r.Text(i, 0));
    if (!d) return Internal("calendar_days holds a malformed day: " + r.Text(i, 0));
    (r.Text(i, 1) == kHoliday ? holidays : working_days).push_back(*d);
  }
  return Calendar(std::move(holidays), std::move(working_days));
}

}  // namespace ow::calendar
