#include "indicators/routes.h"

#include <boost/json.hpp>
#include <cmath>

#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::indicators {
namespace {

namespace json = boost::json;

json::value Opt(std::optional<double> v) {
  if (!v) return nullptr;
  // Four decimals: rates read as 0.9375, days as 3.25.
  return std::round(*v * 10000.0) / 10000.0;
}

Result<Query> ParseQuery(const http::Context& ctx) {
  Query q;
  Validator v;
  q.region = ctx.Query("region").value_or("");
  if (q.region.empty()) v.Add("region", "is required");
  auto date = [&](const char* name, Date& out) {
    auto text = ctx.Query(name);
    auto d = text ? ParseDate(*text) : std::nullopt;
    if (!d)
      v.Add(name, "is required, as YYYY-MM-DD");
    else
      out = *d;
  };
  date("from", q.from);
  date("to", q.to);
  auto group = ParseGroup(ctx.Query("group").value_or("none"));
  if (!group)
    v.Add("group", "must be none, day, week, month, region, department, item, hall or channel");
  else
    q.group = *group;
  q.department = ctx.Query("department").value_or("");
  q.item = ctx.Query("item").value_or("");
  q.hall = ctx.Query("hall").value_or("");
  q.channel = ctx.Query("channel").value_or("");
  q.rank_by = ctx.Query("rank_by").value_or("");
  for (const std::string* s : {&q.department, &q.item, &q.hall, &q.channel})
    if (s->size() > 64) v.Add("department", "codes are at most 64 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return q;
}

// A signed file: its digest and the platform's signature in headers.
http::Response FileResponse(Exported& file) {
  http::Response res{http::Status::ok, 11};
  res.set(http::Field::content_type, file.content_type);
  res.set(http::Field::content_disposition, "attachment; filename=\"" + file.filename + "\"");
  res.set(http::Field::cache_control, "no-store");
  res.set("X-Content-SHA256", file.sha256);
  res.set("X-OneWindow-Signature", file.signature);
  res.body() = std::move(file.bytes);
  res.prepare_payload();
  return res;
}

// What the public sees of a group's ratings: counts and rates, nothing else.
json::object RatingsJson(const Figures& f) {
  return {{"ratings", f.sum[kRatings]},
          {"satisfied", f.sum[kSatisfied]},
          {"bad", f.sum[kBad]},
          {"rectified", f.sum[kRectified]},
          {"annulled", f.sum[kAnnulled]},
          {"satisfaction", Opt(f.Satisfaction())},
          {"average_level", Opt(f.AverageLevel())},
          {"rectification_rate", Opt(f.RectificationRate())}};
}

}  // namespace

json::object FiguresJson(const Figures& f) {
  json::object o;
  for (size_t i = 0; i < kMetricNames.size(); ++i) o[kMetricNames[i]] = f.sum[i];
  for (const char* name : kRankable) o[name] = Opt(f.Derived(name));
  if (auto p = f.P90Days()) o["p90_days"] = *p;
  return o;
}

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;
  r.Get("/api/v1/indicators", [s](http::Context& ctx) {
     auto q = ParseQuery(ctx);
     if (!q) return http::Problem(q.error(), ctx.path);
     auto rep = s->Read(ctx.Who(), *q);
     if (!rep) return http::Problem(rep.error(), ctx.path);
     json::array rows;
     for (const auto& row : rep->rows)
       rows.push_back(json::object{
           {"key", row.key}, {"rank", row.rank}, {"figures", FiguresJson(row.figures)}});
     json::object body{{"region", rep->query.region},
                       {"from", FormatDate(rep->query.from)},
                       {"to", FormatDate(rep->query.to)},
                       {"group", GroupName(rep->query.group)},
                       {"rank_by", rep->query.rank_by},
                       {"totals", FiguresJson(rep->totals)},
                       {"previous", json::object{{"from", FormatDate(rep->previous_from)},
                                                 {"to", FormatDate(rep->previous_to)},
                                                 {"figures", FiguresJson(rep->previous)}}},
                       {"rows", std::move(rows)}};
     http::Response res = http::Json(http::Status::ok, body);
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kReadIndicators);

  // Public (好差评 公示): aggregated by department, so the same answer for everyone and
  // cacheable by browsers and proxies for five minutes. Anyone may call it as often as they
  // like, so the server keeps each answer (per query string) for a minute too: ratings
  // arrive all the time, and bumping a shared generation on each would put a hot row in
  // every rating's transaction, so staleness is bounded by time alone (under the five
  // minutes clients are already allowed).
  http::ResponseCache* summaries =
      r.NewCache(std::chrono::seconds(60), 10000, [] { return uint64_t{0}; });
  r.Get("/api/v1/rating-summary",
        [s](http::Context& ctx) {
          auto q = ParseQuery(ctx);
          if (!q) return http::Problem(q.error(), ctx.path);
          auto rep = s->PublicRatings(*q);
          if (!rep) return http::Problem(rep.error(), ctx.path);
          json::array departments;
          for (const auto& row : rep->rows) {
            if (row.key.empty()) continue;
            json::object o = RatingsJson(row.figures);
            o["department_code"] = row.key;
            o["rank"] = row.rank;
            departments.push_back(std::move(o));
          }
          json::object body{{"region", rep->query.region},
                            {"from", FormatDate(rep->query.from)},
                            {"to", FormatDate(rep->query.to)},
                            {"totals", RatingsJson(rep->totals)},
                            {"previous", json::object{{"from", FormatDate(rep->previous_from)},
                                                      {"to", FormatDate(rep->previous_to)},
                                                      {"totals", RatingsJson(rep->previous)}}},
                            {"departments", std::move(departments)}};
          return http::Cacheable(ctx, http::Json(http::Status::ok, body), "public, max-age=300");
        })
      .Public()
      .CacheIn(summaries);

  r.Get("/api/v1/indicators/export", [s](http::Context& ctx) {
     auto q = ParseQuery(ctx);
     if (!q) return http::Problem(q.error(), ctx.path);
     auto file = s->Export(ctx.Who(), *q, ctx.Query("format").value_or("csv"),
                           ctx.Query("dataset").value_or("indicators"));
     if (!file) return http::Problem(file.error(), ctx.path);
     return FileResponse(*file);
   }).Requires(authz::Action::kReadIndicators);

  r.Get("/api/v1/indicators/ratings", [s](http::Context& ctx) {
     auto q = ParseQuery(ctx);
     if (!q) return http::Problem(q.error(), ctx.path);
     auto list = s->Ratings(ctx.Who(), *q);
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array rows;
     for (const auto& a : *list) {
       json::array reasons;
       for (const auto& x : a.reasons) reasons.emplace_back(x);
       rows.push_back(json::object{{"case_key", a.case_key},
                                   {"day", a.day},
                                   {"region_code", a.region_code},
                                   {"department_code", a.department_code},
                                   {"item_code", a.item_code},
                                   {"channel", a.channel},
                                   {"service_channel", a.service_channel},
                                   {"level", a.level},
                                   {"reasons", std::move(reasons)},
                                   {"stage", a.stage},
                                   {"outcome", a.outcome},
                                   {"comment", a.comment}});
     }
     json::object body{{"region", q->region},
                       {"from", FormatDate(q->from)},
                       {"to", FormatDate(q->to)},
                       {"ratings", std::move(rows)}};
     http::Response res = http::Json(http::Status::ok, body);
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kReadIndicators);

  r.Get("/api/v1/indicators/report", [s](http::Context& ctx) {
     auto q = ParseQuery(ctx);
     if (!q) return http::Problem(q.error(), ctx.path);
     auto file = s->CapabilityPdf(ctx.Who(), *q);
     if (!file) return http::Problem(file.error(), ctx.path);
     return FileResponse(*file);
   }).Requires(authz::Action::kReadIndicators);
}

}  // namespace ow::indicators
