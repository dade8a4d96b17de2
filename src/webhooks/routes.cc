#include "webhooks/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace ow::webhooks {
namespace {

namespace json = boost::json;
using authz::Action;

json::object SubscriptionJson(const Subscription& s) {
  json::array events;
  for (const auto& e : s.events) events.emplace_back(e);
  return {{"id", s.id},
          {"client_id", s.client_id},
          {"department_code", s.department_code},
          {"url", s.url},
          {"events", std::move(events)},
          {"status", s.status},
          {"created_at", s.created_at},
          {"disabled_by", s.disabled_by},
          {"disabled_at", s.disabled_at}};
}

json::object DeliveryJson(const Delivery& d) {
  boost::system::error_code ec;
  json::value event = json::parse(d.payload, ec);
  if (ec) event = nullptr;
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"subscription_id", d.subscription_id},
          {"client_id", d.client_id},
          {"department_code", d.department_code},
          {"url", d.url},
          {"event", std::move(event)},
          {"status", d.status},
          {"attempts", d.attempts},
          {"next_attempt_at", d.next_attempt_at},
          {"last_error", d.last_error},
          {"response_status", d.response_status},
          {"created_at", d.created_at},
          {"delivered_at", d.delivered_at}};
}

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

Result<std::string> StatusParam(const http::Context& ctx) {
  std::string status = ctx.Query("status").value_or("");
  if (!status.empty() && status != kPending && status != kSending && status != kDelivered &&
      status != kDead && status != kCancelled) {
    Validator v;
    v.Add("status", "must be pending, sending, delivered, dead or cancelled");
    return v.Finish("query").error();
  }
  return status;
}

Result<int64_t> LimitParam(const http::Context& ctx) {
  auto l = ctx.Query("limit");
  if (!l) return int64_t{100};
  auto n = text::ParseInt(*l, 1, 500);
  if (!n || !text::IsDigits(*l)) {
    Validator v;
    v.Add("limit", "must be 1 to 500");
    return v.Finish("query").error();
  }
  return *n;
}

http::Response Deliveries(const http::Context& ctx, const Result<std::vector<Delivery>>& list) {
  if (!list) return http::Problem(list.error(), ctx.path);
  json::array items;
  for (const auto& d : *list) items.push_back(DeliveryJson(d));
  return NoStore(http::Json(http::Status::ok, json::object{{"items", std::move(items)}}));
}

http::Response Subscriptions(const http::Context& ctx,
                             const Result<std::vector<Subscription>>& list) {
  if (!list) return http::Problem(list.error(), ctx.path);
  json::array items;
  for (const auto& s : *list) items.push_back(SubscriptionJson(s));
  return NoStore(http::Json(http::Status::ok, json::object{{"items", std::move(items)}}));
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Post("/api/v1/webhooks/subscriptions", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     std::string url = b->RequiredStr("url", 500);
     auto events = b->Strings("events", 16);
     if (!events) b->Add("events", "is required");
     if (auto st = b->Finish("subscription"); !st) return http::Problem(st.error(), ctx.path);
     auto x = s->Subscribe(ctx.Who(), url, *events);
     if (!x) return http::Problem(x.error(), ctx.path);
     auto res = http::Json(http::Status::created, SubscriptionJson(*x));
     res.set(http::Field::location, "/api/v1/webhooks/subscriptions/" + x->id);
     return res;
   }).Requires(Action::kSubscribeEvents);

  r.Get("/api/v1/webhooks/subscriptions", [s](http::Context& ctx) {
     return Subscriptions(ctx, s->MySubscriptions(ctx.Who()));
   }).Requires(Action::kSubscribeEvents);

  r.Delete("/api/v1/webhooks/subscriptions/{id}", [s](http::Context& ctx) {
     auto x = s->Unsubscribe(ctx.Who(), ctx.Param("id"));
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, SubscriptionJson(*x));
   }).Requires(Action::kSubscribeEvents);

  r.Get("/api/v1/webhooks/deliveries", [s](http::Context& ctx) {
     auto status = StatusParam(ctx);
     if (!status) return http::Problem(status.error(), ctx.path);
     auto limit = LimitParam(ctx);
     if (!limit) return http::Problem(limit.error(), ctx.path);
     return Deliveries(ctx, s->MyDeliveries(ctx.Who(), *status, *limit));
   }).Requires(Action::kSubscribeEvents);

  r.Get("/api/v1/webhook-subscriptions", [s](http::Context& ctx) {
     return Subscriptions(ctx, s->AllSubscriptions(ctx.Who(), ctx.Query("client_id").value_or("")));
   }).Requires(Action::kManageWebhooks);

  r.Post("/api/v1/webhook-subscriptions/{id}/disable", [s](http::Context& ctx) {
     auto x = s->Disable(ctx.Who(), ctx.Param("id"));
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, SubscriptionJson(*x));
   }).Requires(Action::kManageWebhooks);

  r.Get("/api/v1/webhook-deliveries", [s](http::Context& ctx) {
     auto status = StatusParam(ctx);
     if (!status) return http::Problem(status.error(), ctx.path);
     auto limit = LimitParam(ctx);
     if (!limit) return http::Problem(limit.error(), ctx.path);
     return Deliveries(ctx, s->Deliveries(ctx.Who(), *status, *limit));
   }).Requires(Action::kManageWebhooks);

  r.Post("/api/v1/webhook-deliveries/{id}/replay", [s](http::Context& ctx) {
     auto id = text::ParseInt(ctx.Param("id"), 1, INT64_MAX);
     if (!id || !text::IsDigits(ctx.Param("id")))
       return http::Problem(NotFound("no such delivery"), ctx.path);
     auto d = s->Replay(ctx.Who(), *id);
     if (!d) return http::Problem(d.error(), ctx.path);
     return NoStore(http::Json(http::Status::ok, DeliveryJson(*d)));
   }).Requires(Action::kManageWebhooks);
}

}  // namespace ow::webhooks
