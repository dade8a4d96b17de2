#include "notify/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::notify {
namespace {

namespace json = boost::json;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoContent() {
  http::Response res{http::Status::no_content, 11};
  res.set(http::Field::cache_control, "no-store");
  res.prepare_payload();
  return res;
}

Result<int64_t> LimitParam(const http::Context& ctx, int64_t fallback, int64_t max) {
  auto q = ctx.Query("limit");
  if (!q) return fallback;
  auto n = text::ParseInt(*q, 1, max);
  if (!n || !text::IsDigits(*q)) {
    Validator v;
    v.Add("limit", "must be 1 to " + std::to_string(max));
    OW_RETURN_IF_ERROR(v.Finish());
  }
  return *n;
}

// One inbox message. `text` is rendered in the reader's language; case messages keep
// the fields the portal has always read (case_no, status).
json::object MessageJson(const Service& s, const InboxMessage& m, notice::Lang lang) {
  const json::value* status = m.params.if_contains("status");
  return {{"id", m.id},
          {"topic", m.topic},
          {"case_no", m.topic == "case" ? OrNull(m.ref) : json::value(nullptr)},
          {"status", status && status->is_string() ? std::string(status->as_string()) : ""},
          {"code", OrNull(m.code)},
          {"params", m.params},
          {"text", m.code.empty() ? m.text : s.Render(m.code, m.params, lang)},
          {"lang", notice::LangTag(lang)},
          {"ref", m.ref},
          {"link", OrNull(m.link)},
          {"created_at", m.created_at},
          {"read_at", OrNull(m.read_at)}};
}

json::object PreferencesJson(const Service& s, const Preferences& p) {
  json::array offered{"portal"};
  if (s.email_offered()) offered.emplace_back(kEmail);
  if (s.sms_offered()) offered.emplace_back(kSms);
  json::object topics;
  for (const char* topic : kTopics) {
    json::array channels{"portal"};
    if (auto it = p.topics.find(topic); it != p.topics.end())
      for (const auto& ch : it->second)
        if ((ch == kEmail && s.email_offered()) || (ch == kSms && s.sms_offered()))
          channels.emplace_back(ch);
    topics[topic] = std::move(channels);
  }
  std::string sms_phone = s.PhoneFor(p);
  return {{"lang", p.lang},
          {"email", OrNull(p.email)},
          {"email_pending", OrNull(p.pending_email)},
          {"phone", OrNull(p.phone)},
          {"sms_phone", OrNull(sms_phone)},
          {"channels", std::move(offered)},
          {"topics", std::move(topics)},
          {"version", p.version}};
}

http::Response PreferencesReply(const http::Context& ctx, const Service& s,
                                const Result<Preferences>& p,
                                http::Status status = http::Status::ok) {
  if (!p) return Fail(ctx, p.error());
  http::Response res = NoStore(http::Json(status, PreferencesJson(s, *p)));
  res.set(http::Field::etag, http::VersionETag('n', p->version));
  return res;
}

json::object DeliveryJson(const Delivery& d) {
  return {{"id", d.id},
          {"message_id", d.message_id ? json::value(d.message_id) : json::value(nullptr)},
          {"account_id", d.account_id},
          {"channel", d.channel},
          {"address", d.address},
          {"topic", d.topic},
          {"code", d.code},
          {"ref", d.ref},
          {"status", d.status},
          {"attempts", d.attempts},
          {"next_attempt_at", d.next_attempt_at},
          {"last_error", d.last_error},
          {"created_at", d.created_at},
          {"sent_at", OrNull(d.sent_at)},
          {"provider_id", OrNull(d.provider_id)}};
}

Result<PreferencesInput> ParsePreferences(const http::Context& ctx) {
  OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
  PreferencesInput in;
  if (b.Has("lang")) in.lang = b.Str("lang", 10);
  if (b.Has("phone")) in.phone = b.Str("phone", 40);
  if (auto topics = b.Object("topics")) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& kv : *topics) {
      const std::string field = "topics/" + std::string(kv.key());
      if (!kv.value().is_array() || kv.value().as_array().size() > 3) {
        b.Add(field, "must be a list of channels (portal, email, sms)");
        continue;
      }
      auto& channels = out[std::string(kv.key())];
      for (const auto& ch : kv.value().as_array()) {
        if (!ch.is_string()) {
          b.Add(field, "must be a list of channels (portal, email, sms)");
          break;
        }
        channels.emplace_back(ch.as_string());
      }
    }
    in.topics = std::move(out);
  }
  b.Raw("version");  // the body may echo what GET returned; If-Match decides
  b.Raw("email");
  b.Raw("email_pending");
  b.Raw("sms_phone");
  b.Raw("channels");
  OW_RETURN_IF_ERROR(b.Finish("preferences"));
  return in;
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  // The inbox: every topic, newest first.
  r.Get("/api/v1/me/messages", [s](http::Context& ctx) {
     auto limit = LimitParam(ctx, 50, 200);
     if (!limit) return Fail(ctx, limit.error());
     auto list = s->Messages(ctx.Who(), *limit);
     if (!list) return Fail(ctx, list.error());
     const notice::Lang lang =
         notice::FromAcceptLanguage(ctx.request[http::Field::accept_language]);
     json::array items;
     int64_t unread = 0;
     for (const auto& m : *list) {
       unread += m.read_at.empty() ? 1 : 0;
       items.push_back(MessageJson(*s, m, lang));
     }
     return NoStore(
         http::Json(http::Status::ok, {{"messages", std::move(items)}, {"unread", unread}}));
   }).Requires(authz::Action::kReadOwnCases);

  r.Post("/api/v1/me/messages/{id}/read", [s](http::Context& ctx) {
     auto id = text::ParseInt(ctx.Param("id"), 1, INT64_MAX);
     if (!id || !text::IsDigits(ctx.Param("id"))) return Fail(ctx, NotFound("no such message"));
     if (auto st = s->MarkRead(ctx.Who(), *id); !st) return Fail(ctx, st.error());
     return NoContent();
   }).Requires(authz::Action::kActForPerson);

  // Preferences: the person only, in a portal session.
  r.Get("/api/v1/me/notification-preferences", [s](http::Context& ctx) {
     return PreferencesReply(ctx, *s, s->GetPreferences(ctx.Who()));
   }).Requires(authz::Action::kManageNotifications);

  r.Put("/api/v1/me/notification-preferences", [s](http::Context& ctx) {
     auto version = http::IfMatchVersion(ctx, 'n');
     if (!version) return Fail(ctx, version.error());
     auto in = ParsePreferences(ctx);
     if (!in) return Fail(ctx, in.error());
     return PreferencesReply(ctx, *s, s->PutPreferences(ctx.Who(), *in, *version));
   }).Requires(authz::Action::kManageNotifications);

  r.Post("/api/v1/me/notification-preferences/email", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     std::string email = b->RequiredStr("email", 254);
     if (auto st = b->Finish("e-mail address"); !st) return Fail(ctx, st.error());
     return PreferencesReply(ctx, *s, s->RequestEmailCode(ctx.Who(), email),
                             http::Status::accepted);
   }).Requires(authz::Action::kManageNotifications);

  r.Post("/api/v1/me/notification-preferences/email/verification", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     std::string code = b->RequiredStr("code", 20);
     if (auto st = b->Finish("code"); !st) return Fail(ctx, st.error());
     return PreferencesReply(ctx, *s, s->VerifyEmail(ctx.Who(), code));
   }).Requires(authz::Action::kManageNotifications);

  r.Delete("/api/v1/me/notification-preferences/email", [s](http::Context& ctx) {
     return PreferencesReply(ctx, *s, s->RemoveEmail(ctx.Who()));
   }).Requires(authz::Action::kManageNotifications);

  // Deliveries, for system administrators: dead ones to look at and requeue.
  r.Get("/api/v1/notification-deliveries", [s](http::Context& ctx) {
     std::string status = ctx.Query("status").value_or("");
     if (!status.empty() && status != kPending && status != kSending && status != kSent &&
         status != kDead) {
       Validator v;
       v.Add("status", "must be pending, sending, sent or dead");
       return Fail(ctx, v.Finish().error());
     }
     auto limit = LimitParam(ctx, 100, 500);
     if (!limit) return Fail(ctx, limit.error());
     auto list = s->Deliveries(ctx.Who(), status, *limit);
     if (!list) return Fail(ctx, list.error());
     json::array items;
     for (const auto& d : *list) items.push_back(DeliveryJson(d));
     return NoStore(http::Json(http::Status::ok, {{"deliveries", std::move(items)}}));
   }).Requires(authz::Action::kManageDeliveries);

  r.Post("/api/v1/notification-deliveries/{id}/requeue", [s](http::Context& ctx) {
     auto id = text::ParseInt(ctx.Param("id"), 1, INT64_MAX);
     if (!id || !text::IsDigits(ctx.Param("id"))) return Fail(ctx, NotFound("no such delivery"));
     auto d = s->Requeue(ctx.Who(), *id);
     if (!d) return Fail(ctx, d.error());
     return NoStore(http::Json(http::Status::ok, DeliveryJson(*d)));
   }).Requires(authz::Action::kManageDeliveries);
}

}  // namespace ow::notify
