#include "tickets/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "tickets/notices.h"

namespace ow::tickets {
namespace {

namespace json = boost::json;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

// `staff_view`: staff see who did what; askers see "staff" (as with cases, the usernames
// of public servants are not shown to the public).
json::object TicketJson(const Ticket& t, bool staff_view, SystemTime now) {
  json::array attachments, events;
  for (const auto& a : t.attachments) attachments.emplace_back(a);
  for (const auto& e : t.events) {
    std::string actor = e.actor;
    if (!staff_view && actor != "anonymous" && actor != "system" && e.action != "asked" &&
        e.action != "rated")
      actor = "staff";
    events.push_back(json::object{
        {"seq", e.seq}, {"at", e.at}, {"actor", actor}, {"action", e.action}, {"note", e.note}});
  }
  std::string today = FormatDate(ChinaDate(now));
  json::object o{{"number", t.number},
                 {"kind", t.kind},
                 {"channel", t.channel},
                 {"item_code", OrNull(t.item_code)},
                 {"case_no", OrNull(t.case_no)},
                 {"department_code", t.department_code},
                 {"region_code", t.region_code},
                 {"text", t.text},
                 {"attachments", std::move(attachments)},
                 {"status", t.status},
                 {"stage", OrNull(t.stage)},
                 {"escalation_level", t.escalation_level},
                 {"instruction", OrNull(t.instruction)},
                 {"deadline_days", t.deadline_days},
                 {"due_date", t.due_date},
                 {"overdue", t.status == kOpen && t.due_date < today},
                 {"answer", OrNull(t.answer)},
                 {"answered_at", OrNull(t.answered_at)},
                 {"rating", t.rating == 0 ? json::value(nullptr) : json::value(t.rating)},
                 {"rating_comment", OrNull(t.rating_comment)},
                 {"rated_at", OrNull(t.rated_at)},
                 {"created_at", t.created_at},
                 {"updated_at", t.updated_at},
                 {"version", t.version},
                 {"events", std::move(events)}};
  if (staff_view) {
    o["answered_by"] = OrNull(t.answered_by);
    o["registered_by"] = OrNull(t.registered_by);
    o["caller_name"] = OrNull(t.asker_name);
    o["caller_phone"] = OrNull(t.asker_phone);
  }
  return o;
}

json::object FaqJson(const Faq& f) {
  return {{"id", f.id},
          {"question", f.question},
          {"answer", f.answer},
          {"item_code", OrNull(f.item_code)},
          {"region_code", OrNull(f.region_code)},
          {"department_code", f.department_code},
          {"published", f.published},
          {"updated_at", f.updated_at},
          {"version", f.version}};
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

bool IsStaff(const Principal& who) { return who.kind == authz::kStaff; }

http::Response TicketReply(const http::Context& ctx, const Principal* who, const Result<Ticket>& t,
                           SystemTime now, http::Status status = http::Status::ok) {
  if (!t) return Fail(ctx, t.error());
  return NoStore(http::Json(status, TicketJson(*t, who && IsStaff(*who), now)));
}

// The members of a new ticket every channel shares.
void ReadAsk(http::JsonBody& b, AskInput& in) {
  in.kind = b.RequiredStr("kind", 20);
  in.text = b.RequiredStr("text", 4000);
  in.item_code = b.Str("item_code", 100);
  in.case_no = b.Str("case_no", 40);
  in.region_code = b.Str("region_code", 12);
  in.department_code = b.Str("department_code", 40);
}

json::object ListJson(const std::vector<Ticket>& list, bool staff_view, SystemTime now) {
  json::array items;
  for (const auto& t : list) items.push_back(TicketJson(t, staff_view, now));
  return {{"tickets", std::move(items)}};
}

}  // namespace

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn) {
  Service* s = &service;
  const identity::Authenticator* a = &authn;

  // Public: a signed-in person asks in their name; without a session an anonymous
  // consultation (throttled per address) gets a lookup code, shown only here.
  r.Post("/api/v1/tickets", [s, a](http::Context& ctx) {
     auto who = a->Optional(ctx);
     if (!who) return Fail(ctx, who.error());
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     AskInput in;
     ReadAsk(*body, in);
     in.attachments = body->Strings("attachments", 10).value_or(std::vector<std::string>{});
     if (auto st = body->Finish("ticket"); !st) return Fail(ctx, st.error());
     auto asked = s->Ask(*who, in, ctx.peer);
     if (!asked) return Fail(ctx, asked.error());
     json::object o = TicketJson(asked->ticket, false, s->Now());
     if (!asked->lookup_code.empty()) o["lookup_code"] = asked->lookup_code;
     auto res = NoStore(http::Json(http::Status::created, o));
     if (*who) res.set(http::Field::location, "/api/v1/tickets/" + asked->ticket.number);
     return res;
   }).Public();

  // POSTs, so that the code stays out of URLs and access logs.
  r.Post("/api/v1/ticket-lookups", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string number = body->RequiredStr("number", 40);
     std::string code = body->RequiredStr("code", 40);
     if (auto st = body->Finish("ticket lookup"); !st) return Fail(ctx, st.error());
     return TicketReply(ctx, nullptr, s->Lookup(number, code, ctx.peer), s->Now());
   }).Public();

  r.Post("/api/v1/ticket-lookups/rating", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string number = body->RequiredStr("number", 40);
     std::string code = body->RequiredStr("code", 40);
     auto score = body->Int("score");
     if (!score) body->Add("score", "is required");
     std::string comment = body->Str("comment", 2000);
     if (auto st = body->Finish("rating"); !st) return Fail(ctx, st.error());
     return TicketReply(ctx, nullptr, s->RateWithCode(number, code, *score, comment, ctx.peer),
                        s->Now());
   }).Public();

  r.Get("/api/v1/me/tickets", [s](http::Context& ctx) {
     auto list = s->Mine(ctx.Who());
     if (!list) return Fail(ctx, list.error());
     return NoStore(http::Json(http::Status::ok, ListJson(*list, false, s->Now())));
   }).Requires(authz::Action::kReadOwnTickets);

  r.Get("/api/v1/tickets/{number}", [s](http::Context& ctx) {
     return TicketReply(ctx, &ctx.Who(), s->Get(ctx.Who(), ctx.Param("number")), s->Now());
   }).Requires(authz::Action::kReadTicket);

  r.Post("/api/v1/tickets/{number}/answer", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     auto version = body->Int("version");
     if (!version) body->Add("version", "is required: the version you read");
     std::string answer = body->RequiredStr("answer", 8000);
     if (auto st = body->Finish("answer"); !st) return Fail(ctx, st.error());
     return TicketReply(ctx, &ctx.Who(),
                        s->Answer(ctx.Who(), ctx.Param("number"), *version, answer), s->Now());
   }).Requires(authz::Action::kAnswerTicket);

  r.Post("/api/v1/tickets/{number}/return", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     auto version = body->Int("version");
     if (!version) body->Add("version", "is required: the version you read");
     std::string instruction = body->RequiredStr("instruction", 4000);
     if (auto st = body->Finish("instruction"); !st) return Fail(ctx, st.error());
     return TicketReply(ctx, &ctx.Who(),
                        s->Return(ctx.Who(), ctx.Param("number"), *version, instruction), s->Now());
   }).Requires(authz::Action::kSuperviseTicket);

  r.Post("/api/v1/tickets/{number}/rating", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     auto score = body->Int("score");
     if (!score) body->Add("score", "is required");
     std::string comment = body->Str("comment", 2000);
     if (auto st = body->Finish("rating"); !st) return Fail(ctx, st.error());
     return TicketReply(ctx, &ctx.Who(), s->Rate(ctx.Who(), ctx.Param("number"), *score, comment),
                        s->Now());
   }).Requires(authz::Action::kAskTicket);

  r.Get("/api/v1/ticket-inbox", [s](http::Context& ctx) {
     auto list = s->Inbox(ctx.Who(), ctx.Query("which").value_or(kAtDepartment));
     if (!list) return Fail(ctx, list.error());
     return NoStore(http::Json(http::Status::ok, ListJson(*list, true, s->Now())));
   }).Requires(authz::Action::kTicketInbox);

  r.Post("/api/v1/ticket-registrations", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     AskInput in;
     ReadAsk(*body, in);
     in.caller_name = body->RequiredStr("caller_name", 200);
     in.caller_phone = body->Str("caller_phone", 40);
     if (auto st = body->Finish("ticket"); !st) return Fail(ctx, st.error());
     auto t = s->Register(ctx.Who(), in);
     if (!t) return Fail(ctx, t.error());
     auto res = TicketReply(ctx, &ctx.Who(), t, s->Now(), http::Status::created);
     res.set(http::Field::location, "/api/v1/tickets/" + t->number);
     return res;
   }).Requires(authz::Action::kRegisterTicket);

  r.Get("/api/v1/faq", [s](http::Context& ctx) {
     int limit = 20;
     if (auto l = ctx.Query("limit")) {
       auto n = text::ParseInt(*l, 1, 50);
       if (!n) {
         Validator v;
         v.Add("limit", "must be 1 to 50");
         return Fail(ctx, v.Finish().error());
       }
       limit = static_cast<int>(*n);
     }
     auto found = s->SearchFaq(ctx.Query("q").value_or(""), ctx.Query("item_code").value_or(""),
                               ctx.Query("region_code").value_or(""), limit);
     if (!found) return Fail(ctx, found.error());
     json::array items;
     for (const auto& f : *found) items.push_back(FaqJson(f));
     return NoStore(http::Json(http::Status::ok, json::object{{"entries", std::move(items)}}));
   }).Public();

  r.Post("/api/v1/faq", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     FaqInput in;
     in.ticket_number = body->RequiredStr("ticket_number", 40);
     in.question = body->Str("question", 4000);
     in.answer = body->Str("answer", 8000);
     in.item_code = body->Str("item_code", 100);
     in.region_code = body->Str("region_code", 12);
     if (auto st = body->Finish("FAQ entry"); !st) return Fail(ctx, st.error());
     auto f = s->PublishFaq(ctx.Who(), in);
     if (!f) return Fail(ctx, f.error());
     return NoStore(http::Json(http::Status::created, FaqJson(*f)));
   }).Requires(authz::Action::kManageFaq);

  r.Post("/api/v1/faq/{id}/unpublish", [s](http::Context& ctx) {
     auto id = text::ParseInt(ctx.Param("id"), 1, INT64_MAX);
     if (!id) return Fail(ctx, NotFound("no FAQ entry " + ctx.Param("id")));
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     auto version = body->Int("version");
     if (!version) body->Add("version", "is required: the version you read");
     if (auto st = body->Finish("unpublish"); !st) return Fail(ctx, st.error());
     auto f = s->UnpublishFaq(ctx.Who(), *id, *version);
     if (!f) return Fail(ctx, f.error());
     return NoStore(http::Json(http::Status::ok, FaqJson(*f)));
   }).Requires(authz::Action::kManageFaq);
}

}  // namespace ow::tickets
