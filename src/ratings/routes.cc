#include "ratings/routes.h"

#include <boost/json.hpp>

#include "http/json_body.h"
#include "http/problem.h"

namespace ow::ratings {
namespace {

namespace json = boost::json;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

// `staff_view`: staff see who did what; the rater and the public see "staff" (staff are
// rated by case, never by name).
json::object RatingJson(const Rating& r, bool staff_view) {
  json::array reasons, events;
  for (const auto& x : r.reasons) reasons.emplace_back(x);
  for (const auto& e : r.events) {
    std::string actor = e.actor;
    bool applicant = actor == "applicant" || actor == "sms" || actor == "system";
    if (!staff_view && !applicant) actor = "staff";
    events.push_back(json::object{
        {"seq", e.seq}, {"at", e.at}, {"actor", actor}, {"action", e.action}, {"note", e.note}});
  }
  json::object o{{"number", r.number},
                 {"case_no", r.case_no},
                 {"item_code", r.item_code},
                 {"department_code", r.department_code},
                 {"region_code", r.region_code},
                 {"service_channel", r.service_channel},
                 {"channel", r.channel},
                 {"level", r.level},
                 {"bad", IsBad(r.level)},
                 {"reasons", std::move(reasons)},
                 {"comment", OrNull(r.comment)},
                 {"stage", OrNull(r.stage)},
                 {"outcome", OrNull(r.outcome)},
                 {"rectify_days", r.rectify_days},
                 {"due_date", OrNull(r.due_date)},
                 {"contact_note", OrNull(r.contact_note)},
                 {"result", OrNull(r.result)},
                 {"appeal", OrNull(r.appeal)},
                 {"instruction", OrNull(r.instruction)},
                 {"annul_reason", OrNull(r.annul_reason)},
                 {"created_at", r.created_at},
                 {"updated_at", r.updated_at},
                 {"version", r.version},
                 {"events", std::move(events)}};
  if (staff_view) o["registered_by"] = OrNull(r.registered_by);
  return o;
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

bool IsStaff(const http::Context& ctx) { return ctx.Who().kind == authz::kStaff; }

http::Response Reply(const http::Context& ctx, const Result<Rating>& r, bool staff_view,
                     http::Status status = http::Status::ok) {
  if (!r) return Fail(ctx, r.error());
  auto res = NoStore(http::Json(status, RatingJson(*r, staff_view)));
  if (status == http::Status::created)
    res.set(http::Field::location, "/api/v1/ratings/" + r->number);
  return res;
}

http::Response List(const Result<std::vector<Rating>>& list, const http::Context& ctx,
                    bool staff_view) {
  if (!list) return Fail(ctx, list.error());
  json::array items;
  for (const auto& r : *list) items.push_back(RatingJson(r, staff_view));
  return NoStore(http::Json(http::Status::ok, json::object{{"ratings", std::move(items)}}));
}

// The members every rating shares.
void ReadRating(http::JsonBody& b, RateInput& in) {
  auto level = b.Int("level");
  if (!level) b.Add("level", "is required: 1 (very dissatisfied) to 5 (very satisfied)");
  in.level = level.value_or(0);
  in.reasons = b.Strings("reasons", 8).value_or(std::vector<std::string>{});
  in.comment = b.Str("comment", 2000);
}

// The version a step was taken against.
int64_t ReadVersion(http::JsonBody& b) {
  auto v = b.Int("version");
  if (!v) b.Add("version", "is required: the version you read");
  return v.value_or(0);
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/rating-reasons", [](http::Context&) {
     json::array levels;
     static constexpr const char* kZh[] = {"",         "非常不满意", "不满意",
                                           "基本满意", "满意",       "非常满意"};
     static constexpr const char* kEn[] = {
         "",          "very dissatisfied", "dissatisfied", "basically satisfied",
         "satisfied", "very satisfied"};
     for (int level = kMaxLevel; level >= kMinLevel; --level) {
       json::array reasons;
       for (const auto& x : Reasons())
         if (level >= x.min_level && level <= x.max_level)
           reasons.push_back(json::object{{"code", x.code}, {"zh", x.zh}, {"en", x.en}});
       levels.push_back(json::object{{"level", level},
                                     {"zh", kZh[level]},
                                     {"en", kEn[level]},
                                     {"bad", IsBad(level)},
                                     {"reasons", std::move(reasons)}});
     }
     auto res = http::Json(http::Status::ok, json::object{{"levels", std::move(levels)}});
     res.set(http::Field::cache_control, "public, max-age=3600");
     return res;
   }).Public();

  r.Post("/api/v1/ratings", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     RateInput in;
     in.case_no = body->RequiredStr("case_no", 40);
     ReadRating(*body, in);
     if (auto st = body->Finish("rating"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Rate(ctx.Who(), in), false, http::Status::created);
   }).Requires(authz::Action::kRate);

  r.Get("/api/v1/me/ratings", [s](http::Context& ctx) {
     return List(s->Mine(ctx.Who()), ctx, false);
   }).Requires(authz::Action::kReadOwnRatings);

  r.Get("/api/v1/ratings/{number}", [s](http::Context& ctx) {
     return Reply(ctx, s->Get(ctx.Who(), ctx.Param("number")), IsStaff(ctx));
   }).Requires(authz::Action::kReadRating);

  r.Get("/api/v1/cases/{no}/ratings", [s](http::Context& ctx) {
     return List(s->OfCase(ctx.Who(), ctx.Param("no")), ctx, IsStaff(ctx));
   }).Requires(authz::Action::kReadRating);

  r.Post("/api/v1/rating-registrations", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     RateInput in;
     in.channel = body->RequiredStr("channel", 20);
     in.case_no = body->RequiredStr("case_no", 40);
     ReadRating(*body, in);
     in.applicant_name = body->Str("applicant_name", 200);
     in.id_last4 = body->Str("id_last4", 8);
     if (auto st = body->Finish("rating"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Register(ctx.Who(), in), true, http::Status::created);
   }).Requires(authz::Action::kRegisterRating);

  r.Post("/api/v1/cases/{no}/rating-link", [s](http::Context& ctx) {
     auto expires = s->SendLink(ctx.Who(), ctx.Param("no"));
     if (!expires) return Fail(ctx, expires.error());
     return NoStore(http::Json(http::Status::accepted, json::object{{"case_no", ctx.Param("no")},
                                                                    {"expires_at", *expires}}));
   }).Requires(authz::Action::kInviteRating);

  // POSTs, so that the token stays out of URLs and access logs.
  r.Post("/api/v1/rating-links/lookup", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string token = body->RequiredStr("token", 64);
     if (auto st = body->Finish("link"); !st) return Fail(ctx, st.error());
     auto k = s->LinkCase(token);
     if (!k) return Fail(ctx, k.error());
     return NoStore(
         http::Json(http::Status::ok, json::object{{"case_no", k->tracking_no},
                                                   {"item_code", k->item_code},
                                                   {"item_name", k->item_name},
                                                   {"item_name_en", OrNull(k->item_name_en)},
                                                   {"status", k->status}}));
   }).Public();

  r.Post("/api/v1/rating-links/rating", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string token = body->RequiredStr("token", 64);
     RateInput in;
     ReadRating(*body, in);
     if (auto st = body->Finish("rating"); !st) return Fail(ctx, st.error());
     auto rated = s->RateByLink(token, in);
     if (!rated) return Fail(ctx, rated.error());
     // The link's holder learns only that it was recorded, and its number.
     return NoStore(
         http::Json(http::Status::created, json::object{{"number", rated->number},
                                                        {"case_no", rated->case_no},
                                                        {"level", rated->level},
                                                        {"stage", OrNull(rated->stage)},
                                                        {"due_date", OrNull(rated->due_date)}}));
   }).Public();

  r.Get("/api/v1/rating-inbox", [s](http::Context& ctx) {
     return List(s->Inbox(ctx.Who(), ctx.Query("which").value_or(kAtDepartment)), ctx, true);
   }).Requires(authz::Action::kRatingInbox);

  r.Post("/api/v1/ratings/{number}/rectification", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     StepInput in;
     in.version = ReadVersion(*body);
     in.decision = body->RequiredStr("decision", 20);
     in.contact_note = body->RequiredStr("contact_note", 4000);
     in.result = body->RequiredStr("result", 4000);
     if (auto st = body->Finish("rectification"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Rectify(ctx.Who(), ctx.Param("number"), in), true);
   }).Requires(authz::Action::kRectifyRating);

  r.Post("/api/v1/ratings/{number}/confirmation", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     StepInput in;
     in.version = ReadVersion(*body);
     if (auto st = body->Finish("confirmation"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Confirm(ctx.Who(), ctx.Param("number"), in), false);
   }).Requires(authz::Action::kRate);

  r.Post("/api/v1/ratings/{number}/appeal", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     StepInput in;
     in.version = ReadVersion(*body);
     in.text = body->RequiredStr("reason", 4000);
     if (auto st = body->Finish("appeal"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Appeal(ctx.Who(), ctx.Param("number"), in), false);
   }).Requires(authz::Action::kRate);

  r.Post("/api/v1/ratings/{number}/ruling", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     StepInput in;
     in.version = ReadVersion(*body);
     in.decision = body->RequiredStr("decision", 20);
     in.text = body->Str("text", 4000);
     if (auto st = body->Finish("ruling"); !st) return Fail(ctx, st.error());
     return Reply(ctx, s->Rule(ctx.Who(), ctx.Param("number"), in), true);
   }).Requires(authz::Action::kSuperviseRating);
}

}  // namespace ow::ratings
