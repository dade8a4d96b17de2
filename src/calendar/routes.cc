#include "calendar/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::calendar {
namespace {

namespace json = boost::json;

json::object ToJson(const YearCalendar& y) {
  json::array holidays, working_days;
  for (Date d : y.holidays) holidays.emplace_back(FormatDate(d));
  for (Date d : y.working_days) working_days.emplace_back(FormatDate(d));
  return {{"year", y.year},
          {"holidays", std::move(holidays)},
          {"working_days", std::move(working_days)},
          {"version", y.version},
          {"updated_at", y.updated_at},
          {"updated_by", y.updated_by}};
}

std::string ETag(const YearCalendar& y) { return http::VersionETag('v', y.version); }

http::Response WithETag(http::Response res, const YearCalendar& y) {
  res.set(http::Field::etag, ETag(y));
  // Administrators correct calendars during the year: clients revalidate.
  res.set(http::Field::cache_control, "no-cache");
  return res;
}

Result<int> YearParam(const http::Context& ctx) {
  auto year = text::ParseInt(ctx.Param("year"), 0, 9999);
  if (!year || !text::IsDigits(ctx.Param("year"))) {
    Validator v;
    v.Add("year", "must be a year such as 2026");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  OW_RETURN_IF_ERROR(Service::CheckYear(static_cast<int>(*year)));
  return static_cast<int>(*year);
}

Result<YearInput> ParseInput(const http::Context& ctx, int year) {
  OW_ASSIGN_OR_RETURN(json::object body, http::ParseJsonObject(ctx));
  YearInput in;
  Validator v;
  auto list = [&](const char* name, std::vector<std::string>& out) {
    const json::value* value = body.if_contains(name);
    if (!value) {
      v.Add(name, "is required");
      return;
    }
    if (!value->is_array() || value->as_array().size() > 366) {
      v.Add(name, "must be an array of at most 366 dates");
      return;
    }
    for (size_t i = 0; i < value->as_array().size(); ++i) {
      const json::value& d = value->as_array()[i];
      if (d.is_string()) {
        out.emplace_back(d.as_string());
      } else {
        v.Add(std::string(name) + "/" + std::to_string(i), "must be a date as YYYY-MM-DD");
        out.emplace_back();
      }
    }
  };
  list("holidays", in.holidays);
  list("working_days", in.working_days);
  for (const auto& kv : body) {
    if (kv.key() == "holidays" || kv.key() == "working_days") continue;
    if (kv.key() == "year") {
      if (!kv.value().is_int64() || kv.value().as_int64() != year)
        v.Add("year", "cannot differ from the year in the URL");
      continue;
    }
    v.Add(std::string(kv.key()), "is not a calendar field");
  }
  OW_RETURN_IF_ERROR(v.Finish());
  return in;
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/calendar/{year}", [s](http::Context& ctx) {
     auto year = YearParam(ctx);
     if (!year) return http::Problem(year.error(), ctx.path);
     auto y = s->Get(*year);
     if (!y) return http::Problem(y.error(), ctx.path);
     if (ctx.request[http::Field::if_none_match] == ETag(*y)) {
       http::Response nm{http::Status::not_modified, 11};
       return WithETag(std::move(nm), *y);
     }
     return WithETag(http::Json(http::Status::ok, ToJson(*y)), *y);
   }).Public();

  r.Put("/api/v1/calendar/{year}", [s](http::Context& ctx) {
     auto year = YearParam(ctx);
     if (!year) return http::Problem(year.error(), ctx.path);
     auto version = http::IfMatchVersion(ctx, 'v');
     if (!version) return http::Problem(version.error(), ctx.path);
     auto in = ParseInput(ctx, *year);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto put = s->Put(*year, *in, *version, ctx.Who().name_for_audit);
     if (!put) return http::Problem(put.error(), ctx.path);
     http::Response res = WithETag(
         http::Json(put->created ? http::Status::created : http::Status::ok, ToJson(put->year)),
         put->year);
     if (put->created) res.set(http::Field::location, "/api/v1/calendar/" + std::to_string(*year));
     return res;
   }).Requires(authz::Action::kManageCatalog);
}

}  // namespace ow::calendar
