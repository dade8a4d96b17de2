#include "appointments/routes.h"

#include <boost/json.hpp>

#include "appointments/store.h"
#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::appointments {
namespace {

namespace json = boost::json;

json::object HallJson(const Hall& h) {
  json::array hours, windows;
  for (const auto& p : h.hours)
    hours.push_back(
        {{"weekday", p.weekday}, {"open", FormatClock(p.open)}, {"close", FormatClock(p.close)}});
  for (const auto& w : h.windows) {
    json::array items;
    for (const auto& i : w.items) items.emplace_back(i);
    windows.push_back(json::object{{"number", w.number},
                                   {"name", w.name},
                                   {"name_en", w.name_en},
                                   {"items", std::move(items)},
                                   {"capacity", w.capacity}});
  }
  return {{"code", h.code},
          {"name", h.name},
          {"name_en", h.name_en},
          {"address", h.address},
          {"address_en", h.address_en},
          {"region_code", h.region_code},
          {"phone", h.phone},
          {"hours", std::move(hours)},
          {"slot_minutes", h.slot_minutes},
          {"windows", std::move(windows)},
          {"version", h.version},
          {"updated_at", h.updated_at}};
}

json::object BookingJson(const Booking& b) {
  return {{"number", b.number},
          {"hall_code", b.hall_code},
          {"item_code", b.item_code},
          {"item_name", b.item_name},
          {"item_name_en", b.item_name_en},
          {"day", FormatDate(b.day)},
          {"start", FormatClock(b.start)},
          {"end", FormatClock(b.end)},
          {"tracking_no", b.tracking_no},
          {"status", b.status},
          {"queue_number", b.queue_number},
          {"booked_by_agent", b.booked_by != b.account_id},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at},
          {"version", b.version}};
}

json::object TicketJson(const Ticket& t) {
  json::object o{{"hall_code", t.hall_code}, {"day", FormatDate(t.day)}, {"number", t.number},
                 {"kind", t.kind},           {"item_code", t.item_code}, {"status", t.status},
                 {"window", t.window}};
  if (!t.booking_no.empty()) o["booking_no"] = t.booking_no;
  return o;
}

http::Response WithVersion(http::Response res, char prefix, int64_t version) {
  res.set(http::Field::etag, http::VersionETag(prefix, version));
  res.set(http::Field::cache_control, "no-store");
  return res;
}

}  // namespace

Result<HallInput> ParseHallInput(boost::json::object body) {
  http::JsonBody b(std::move(body));
  HallInput in;
  in.name = b.RequiredStr("name", 200);
  in.name_en = b.RequiredStr("name_en", 200);
  in.address = b.RequiredStr("address", 300);
  in.address_en = b.RequiredStr("address_en", 300);
  in.region_code = b.RequiredStr("region_code", 20);
  in.phone = b.RequiredStr("phone", 40);
  in.slot_minutes = static_cast<int>(b.Int("slot_minutes").value_or(0));
  if (!b.Has("slot_minutes")) b.Add("slot_minutes", "is required");
  b.Str("code", 40);  // may be echoed; the URL names the hall
  b.Int("version");
  b.Str("updated_at", 40);
  auto read_array = [&](const char* name, auto&& each) {
    const json::value* v = b.Raw(name);
    if (!v || v->is_null()) {
      b.Add(name, "is required");
      return;
    }
    if (!v->is_array() || v->as_array().size() > 100) {
      b.Add(name, "must be an array of at most 100 entries");
      return;
    }
    for (size_t i = 0; i < v->as_array().size(); ++i) {
      std::string at = std::string(name) + "/" + std::to_string(i);
      if (!v->as_array()[i].is_object()) {
        b.Add(at, "must be an object");
        continue;
      }
      each(at, v->as_array()[i].as_object());
    }
  };
  auto str = [&](const std::string& at, const json::object& o, const char* key, bool required) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) b.Add(at + "/" + key, "is required");
      return std::string();
    }
    if (!v->is_string() || v->as_string().size() > 200) {
      b.Add(at + "/" + key, "must be a string of at most 200 bytes");
      return std::string();
    }
    return std::string(v->as_string());
  };
  auto integer = [&](const std::string& at, const json::object& o, const char* key) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_int64()) {
      b.Add(at + "/" + key, "must be an integer");
      return 0;
    }
    return static_cast<int>(std::clamp<int64_t>(v->as_int64(), -1, 100000));
  };
  auto only = [&](const std::string& at, const json::object& o,
                  std::initializer_list<std::string_view> keys) {
    for (const auto& kv : o) {
      if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end())
        b.Add(at + "/" + std::string(kv.key()), "is not a known member");
    }
  };
  read_array("hours", [&](const std::string& at, const json::object& o) {
    only(at, o, {"weekday", "open", "close"});
    in.hours.push_back(
        {integer(at, o, "weekday"), str(at, o, "open", true), str(at, o, "close", true)});
  });
  read_array("windows", [&](const std::string& at, const json::object& o) {
    only(at, o, {"number", "name", "name_en", "items", "capacity"});
    Window w;
    w.number = integer(at, o, "number");
    w.name = str(at, o, "name", true);
    w.name_en = str(at, o, "name_en", false);
    w.capacity = integer(at, o, "capacity");
    const json::value* items = o.if_contains("items");
    if (!items || !items->is_array() || items->as_array().size() > 200) {
      b.Add(at + "/items", "must be an array of item codes");
    } else {
      for (size_t i = 0; i < items->as_array().size(); ++i) {
        const auto& item = items->as_array()[i];
        if (!item.is_string() || item.as_string().empty() || item.as_string().size() > 60)
          b.Add(at + "/items/" + std::to_string(i), "must be an item code");
        else
          w.items.emplace_back(item.as_string());
      }
    }
    in.windows.push_back(std::move(w));
  });
  OW_RETURN_IF_ERROR(b.Finish("hall"));
  return in;
}

namespace {

Result<HallInput> ParseHall(const http::Context& ctx) {
  OW_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx));
  return ParseHallInput(std::move(body));
}

// The booking number as the URL or a body names it: checked before any lookup.
bool PlausibleNumber(std::string_view s) {
  return s.size() == 12 && s.substr(0, 2) == "BK" &&
         std::all_of(s.begin() + 2, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
}

Result<std::string> BookingNoFromBody(const http::Context& ctx) {
  OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
  std::string no = b.RequiredStr("booking_no", 40);
  if (!no.empty() && !PlausibleNumber(no))
    b.Add("booking_no", "must be a booking number such as BK7Q2M9XK4TD");
  OW_RETURN_IF_ERROR(b.Finish("check-in"));
  return no;
}

http::Response TicketResponse(const Result<Ticket>& t, const http::Context& ctx) {
  if (!t) return http::Problem(t.error(), ctx.path);
  auto res = http::Json(http::Status::created, TicketJson(*t));
  res.set(http::Field::cache_control, "no-store");
  return res;
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/halls", [s](http::Context& ctx) {
     auto halls = s->ListHalls(ctx.Query("region").value_or(""), ctx.Query("item").value_or(""));
     if (!halls) return http::Problem(halls.error(), ctx.path);
     json::array out;
     for (const auto& h : *halls) out.push_back(HallJson(h));
     auto res = http::Json(http::Status::ok, json::object{{"halls", std::move(out)}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Public();

  r.Get("/api/v1/halls/{code}", [s](http::Context& ctx) {
     auto h = s->GetHall(ctx.Param("code"));
     if (!h) return http::Problem(h.error(), ctx.path);
     return WithVersion(http::Json(http::Status::ok, HallJson(*h)), 'h', h->version);
   }).Public();

  r.Put("/api/v1/halls/{code}", [s](http::Context& ctx) {
     auto version = http::IfMatchVersion(ctx, 'h');
     if (!version) return http::Problem(version.error(), ctx.path);
     // If-None-Match: * (RFC 9110 13.1.2): create only; 412 when the hall exists.
     std::optional<int64_t> expected = *version;
     if (ctx.request[http::Field::if_none_match] == "*") {
       if (expected)
         return http::Problem(InvalidArgument("send If-Match or If-None-Match: *, not both"),
                              ctx.path);
       expected = 0;
       // Said before the body's field errors (PutHall checks again in its transaction).
       if (s->GetHall(ctx.Param("code")))
         return http::Problem(
             StaleVersion("a hall with the code " + ctx.Param("code") + " exists already"),
             ctx.path);
     }
     auto in = ParseHall(ctx);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto put = s->PutHall(ctx.Param("code"), *in, expected);
     if (!put) return http::Problem(put.error(), ctx.path);
     auto res = WithVersion(
         http::Json(put->second ? http::Status::created : http::Status::ok, HallJson(put->first)),
         'h', put->first.version);
     if (put->second) res.set(http::Field::location, "/api/v1/halls/" + put->first.code);
     return res;
   }).Requires(authz::Action::kManageHalls);

  r.Get("/api/v1/halls/{code}/slots", [s](http::Context& ctx) {
     auto item = ctx.Query("item");
     if (!item || item->empty()) {
       Validator v;
       v.Add("item", "is required: the item code to book");
       return http::Problem(v.Finish("query").error(), ctx.path);
     }
     auto days = s->Slots(ctx.Param("code"), *item);
     if (!days) return http::Problem(days.error(), ctx.path);
     json::array out;
     for (const auto& d : *days) {
       json::array slots;
       for (const auto& sl : d.slots)
         slots.push_back({{"start", FormatClock(sl.start)},
                          {"end", FormatClock(sl.end)},
                          {"capacity", sl.capacity},
                          {"available", std::max(0, sl.capacity - sl.booked)}});
       out.push_back({{"day", FormatDate(d.day)}, {"slots", std::move(slots)}});
     }
     auto res = http::Json(http::Status::ok, json::object{{"hall_code", ctx.Param("code")},
                                                          {"item_code", *item},
                                                          {"days", std::move(out)}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Public();

  r.Get("/api/v1/halls/{code}/queue", [s](http::Context& ctx) {
     auto q = s->Queue(ctx.Param("code"));
     if (!q) return http::Problem(q.error(), ctx.path);
     json::array called, waiting;
     int64_t total = 0;
     for (const auto& t : q->called)
       called.push_back({{"number", t.number}, {"window", t.window}, {"called_at", t.called_at}});
     for (const auto& [item, n] : q->waiting) {
       waiting.push_back({{"item_code", item}, {"count", n}});
       total += n;
     }
     auto res = http::Json(http::Status::ok, json::object{{"hall_code", ctx.Param("code")},
                                                          {"day", FormatDate(q->day)},
                                                          {"called", std::move(called)},
                                                          {"waiting", std::move(waiting)},
                                                          {"waiting_total", total}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Public();

  r.Post("/api/v1/halls/{code}/check-ins", [s](http::Context& ctx) {
     auto no = BookingNoFromBody(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     return TicketResponse(s->CheckIn(ctx.Who(), ctx.Param("code"), *no), ctx);
   }).Requires(authz::Action::kOperateHall);

  r.Post("/api/v1/halls/{code}/kiosk/check-ins", [s](http::Context& ctx) {
     auto no = BookingNoFromBody(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     return TicketResponse(s->KioskCheckIn(ctx.Param("code"), *no), ctx);
   }).Public();

  r.Post("/api/v1/halls/{code}/walk-ins", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     std::string item = b->RequiredStr("item_code", 60);
     if (auto st = b->Finish("walk-in"); !st) return http::Problem(st.error(), ctx.path);
     return TicketResponse(s->WalkIn(ctx.Who(), ctx.Param("code"), item), ctx);
   }).Requires(authz::Action::kOperateHall);

  r.Post("/api/v1/halls/{code}/windows/{number}/call-next", [s](http::Context& ctx) {
     auto n = text::ParseInt(ctx.Param("number"), 1, 999);
     if (!n || !text::IsDigits(ctx.Param("number"))) {
       Validator v;
       v.Add("number", "must be a window number from 1 to 999");
       return http::Problem(v.Finish().error(), ctx.path);
     }
     auto called = s->CallNext(ctx.Who(), ctx.Param("code"), static_cast<int>(*n));
     if (!called) return http::Problem(called.error(), ctx.path);
     if (!*called) return http::Json(http::Status::ok, json::object{{"ticket", nullptr}});
     const Called& c = **called;
     json::object out{{"ticket", TicketJson(c.ticket)},
                      {"item_name", c.item_name},
                      {"item_name_en", c.item_name_en}};
     if (!c.ticket.account_id.empty())
       out["person"] = {{"name", c.person_name},
                        {"resident_id_masked", c.person_resident_id_masked}};
     return http::Json(http::Status::ok, out);
   }).Requires(authz::Action::kOperateHall);

  r.Post("/api/v1/bookings", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     BookInput in;
     in.hall_code = b->RequiredStr("hall_code", 40);
     in.item_code = b->RequiredStr("item_code", 60);
     in.day = b->RequiredStr("day", 20);
     in.start = b->RequiredStr("start", 10);
     in.tracking_no = b->Str("tracking_no", 60);
     in.for_username = b->Str("for_username", 100);
     if (auto st = b->Finish("booking"); !st) return http::Problem(st.error(), ctx.path);
     auto booked = s->Book(ctx.Who(), in);
     if (!booked) return http::Problem(booked.error(), ctx.path);
     auto res =
         WithVersion(http::Json(http::Status::created, BookingJson(*booked)), 'b', booked->version);
     res.set(http::Field::location, "/api/v1/bookings/" + booked->number);
     return res;
   }).Requires(authz::Action::kBook);

  r.Get("/api/v1/me/bookings", [s](http::Context& ctx) {
     auto list = s->Mine(ctx.Who());
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array out;
     for (const auto& b : *list) out.push_back(BookingJson(b));
     auto res = http::Json(http::Status::ok, json::object{{"bookings", std::move(out)}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kBook);

  auto number = [](const http::Context& ctx) -> Result<std::string> {
    if (!PlausibleNumber(ctx.Param("no"))) return NotFound("no booking " + ctx.Param("no"));
    return ctx.Param("no");
  };

  r.Get("/api/v1/bookings/{no}", [s, number](http::Context& ctx) {
     auto no = number(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     auto b = s->Get(ctx.Who(), *no);
     if (!b) return http::Problem(b.error(), ctx.path);
     return WithVersion(http::Json(http::Status::ok, BookingJson(*b)), 'b', b->version);
   }).Requires(authz::Action::kBook);

  r.Post("/api/v1/bookings/{no}/reschedule", [s, number](http::Context& ctx) {
     auto no = number(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     auto version = http::IfMatchVersion(ctx, 'b');
     if (!version) return http::Problem(version.error(), ctx.path);
     auto body = http::JsonBody::Read(ctx);
     if (!body) return http::Problem(body.error(), ctx.path);
     std::string day = body->RequiredStr("day", 20);
     std::string start = body->RequiredStr("start", 10);
     if (auto st = body->Finish("booking"); !st) return http::Problem(st.error(), ctx.path);
     auto b = s->Reschedule(ctx.Who(), *no, day, start, *version);
     if (!b) return http::Problem(b.error(), ctx.path);
     return WithVersion(http::Json(http::Status::ok, BookingJson(*b)), 'b', b->version);
   }).Requires(authz::Action::kBook);

  r.Post("/api/v1/bookings/{no}/cancel", [s, number](http::Context& ctx) {
     auto no = number(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     auto b = s->Cancel(ctx.Who(), *no);
     if (!b) return http::Problem(b.error(), ctx.path);
     return WithVersion(http::Json(http::Status::ok, BookingJson(*b)), 'b', b->version);
   }).Requires(authz::Action::kBook);

  r.Get("/api/v1/bookings/{no}/calendar.ics", [s, number](http::Context& ctx) {
     auto no = number(ctx);
     if (!no) return http::Problem(no.error(), ctx.path);
     auto ics = s->Ics(ctx.Who(), *no);
     if (!ics) return http::Problem(ics.error(), ctx.path);
     http::Response res{http::Status::ok, 11};
     res.set(http::Field::content_type, "text/calendar; charset=utf-8");
     res.set(http::Field::content_disposition, "attachment; filename=\"" + *no + ".ics\"");
     res.set(http::Field::cache_control, "private, no-cache");
     res.body() = std::move(*ics);
     res.prepare_payload();
     return res;
   }).Requires(authz::Action::kBook);
}

}  // namespace ow::appointments
