#include "calendar/service.h"

#include <algorithm>
#include <set>

#include "calendar/store.h"
#include "core/clock.h"
#include "db/shared_state.h"

namespace ow::calendar {
namespace {

constexpr std::string_view kGeneration = "calendar";

constexpr const char* kWeekdayNames[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                         "Thursday", "Friday", "Saturday", "Sunday"};

// Parses one list into sorted dates, reporting each bad entry by its index.
std::vector<Date> ParseDays(int year, const std::vector<std::string>& in, const char* field,
                            std::set<Date>& seen, Validator& v) {
  std::vector<Date> out;
  for (size_t i = 0; i < in.size(); ++i) {
    std::string where = std::string(field) + "/" + std::to_string(i);
    auto d = ParseDate(in[i]);
    if (!d || d->year != year) {
      v.Add(where, "must be a day of " + std::to_string(year) + " as YYYY-MM-DD");
      continue;
    }
    if (!seen.insert(*d).second) {
      v.Add(where, "lists " + in[i] + " again; a day is listed once, in one list");
      continue;
    }
    out.push_back(*d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status Service::CheckYear(int year) {
  if (year >= kMinYear && year <= kMaxYear) return {};
  Validator v;
  v.Add("year",
        "must be a year from " + std::to_string(kMinYear) + " to " + std::to_string(kMaxYear));
  return v.Finish();
}

Result<YearCalendar> Service::Get(int year) {
  OW_RETURN_IF_ERROR(CheckYear(year));
  std::optional<YearCalendar> y;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(y, Store::Get(c, year));
    return {};
  }));
  if (!y) return NotFound("no holiday calendar has been published for " + std::to_string(year));
  return std::move(*y);
}

Result<PutResult> Service::Put(int year, const YearInput& in,
                               std::optional<int64_t> expected_version, const std::string& actor) {
  OW_RETURN_IF_ERROR(CheckYear(year));
  Validator v;
  std::set<Date> seen;
  PutResult out;
  out.year.year = year;
  out.year.holidays = ParseDays(year, in.holidays, "holidays", seen, v);
  out.year.working_days = ParseDays(year, in.working_days, "working_days", seen, v);
  for (size_t i = 0; i < in.working_days.size(); ++i) {
    auto d = ParseDate(in.working_days[i]);
    if (d && d->year == year && !IsWeekend(*d)) {
      v.Add("working_days/" + std::to_string(i),
            in.working_days[i] + " is a " + kWeekdayNames[IsoWeekday(*d)] +
                ", a working day anyway; list only weekend days worked instead of holidays");
    }
  }
  OW_RETURN_IF_ERROR(v.Finish());
  out.year.updated_at = NowText();
  out.year.updated_by = actor;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto current, Store::Get(c, year));
    int64_t previous = current ? current->version : 0;
    if (expected_version && *expected_version != previous) {
      return StaleVersion("the " + std::to_string(year) +
                          " calendar was changed by someone else (" +
                          (current ? "version " + std::to_string(previous) : "not published") +
                          ", expected version " + std::to_string(*expected_version) + ")");
    }
    out.year.version = previous + 1;
    out.created = !current;
    auto written = Store::Put(c, out.year, previous);
    // Two first publications at once: the loser's insert hits the primary key.
    if (!written && written.error().code == Code::kAlreadyExists)
      return Conflict("the " + std::to_string(year) + " calendar was published concurrently");
    if (!written) return written.error();
    if (!*written)
      return Conflict("the " + std::to_string(year) + " calendar was changed concurrently");
    // Caches of the calendar on every node (cases' deadlines) compare this per use.
    return db::BumpGeneration(c, kGeneration);
  }));
  return out;
}

uint64_t Service::Generation() { return db::CurrentGeneration(db_, kGeneration); }

Result<Calendar> Service::ForRange(Date from, Date to) {
  if (to < from) return InvalidArgument("the range ends before it starts");
  Calendar out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Range(c, from, to));
    return {};
  }));
  return out;
}

}  // namespace ow::calendar
