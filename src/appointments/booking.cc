// Bookings: booking, rescheduling and cancelling a slot; the per-person limits and the
// no-show ban; the no-show sweep and the reminders.
#include <boost/json.hpp>

#include "appointments/ics.h"
#include "appointments/internal.h"
#include "appointments/service.h"
#include "appointments/store.h"
#include "authz/authz.h"

namespace ow::appointments {

using internal::LocalInstant;

namespace {

boost::json::object Params(const Booking& b, const Hall& h) {
  return {
      {"number", b.number},        {"day", FormatDate(b.day)},  {"start", FormatClock(b.start)},
      {"end", FormatClock(b.end)}, {"item_name", b.item_name},  {"item_name_en", b.item_name_en},
      {"hall_name", h.name},       {"hall_name_en", h.name_en}, {"address", h.address},
      {"address_en", h.address_en}};
}

notify::Outgoing Message(const Booking& b, const Hall& h, std::string code) {
  notify::Outgoing m;
  m.account_id = b.account_id;
  m.topic = "booking";
  m.code = std::move(code);
  m.params = Params(b, h);
  m.ref = b.number;
  m.link = "/me/bookings/" + b.number;
  return m;
}

}  // namespace

Status Service::CheckBan(db::Connection& c, const std::string& account_id, Date today) {
  // Enough history to find a ban still running today.
  Date since = AddDays(today, -(limits_.no_show_days + limits_.ban_days));
  OW_ASSIGN_OR_RETURN(auto days, Store::NoShowDays(c, account_id, since));
  std::optional<Date> until;
  const size_t m = static_cast<size_t>(std::max(1, limits_.no_show_count));
  for (size_t i = m - 1; i < days.size(); ++i) {
    // The m no-shows ending with days[i] fall within no_show_days days.
    if (DaysSinceEpoch(days[i]) - DaysSinceEpoch(days[i + 1 - m]) >= limits_.no_show_days) continue;
    Date end = AddDays(days[i], limits_.ban_days);
    if (end > today && (!until || end > *until)) until = end;
  }
  if (!until) return {};
  return PermissionDenied("after " + std::to_string(limits_.no_show_count) +
                          " missed appointments within " + std::to_string(limits_.no_show_days) +
                          " days, booking is paused: you may book again from " +
                          FormatDate(*until));
}

Result<Booking> Service::Book(const Principal& who, const BookInput& in) {
  Validator v;
  if (in.hall_code.empty()) v.Add("hall_code", "is required");
  if (in.item_code.empty()) v.Add("item_code", "is required");
  auto day = ParseDate(in.day);
  if (!day) v.Add("day", "must be a date as YYYY-MM-DD");
  auto start = ParseClock(in.start);
  if (!start) v.Add("start", "must be a time as HH:MM");
  OW_RETURN_IF_ERROR(v.Finish("booking"));

  // Whom the booking is for: the caller, or the person an agent names.
  std::string person = who.account_id;
  bool agent = false;
  if (!in.for_username.empty()) {
    auto account = identity_.AccountByUsername(in.for_username);
    if (!account || account->kind != authz::kPerson)
      return Error(Code::kInvalidArgument, "invalid booking",
                   {{"for_username", "is not the username of a person"}});
    person = account->id;
    if (person != who.account_id && who.HasRole(authz::kAgent)) {
      OW_ASSIGN_OR_RETURN(agent, identity_.IsAgentFor(who, person, in.item_code));
    }
  }
  authz::Target target;
  target.owner_account = person;
  target.agent_for_owner = agent;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kBook, target));
  if (person == who.account_id && who.kind != authz::kPerson)
    return PermissionDenied("only a person books an appointment for themselves");
  OW_ASSIGN_OR_RETURN(auto account, identity_.AccountById(person));
  if (account.identity_level < identity::kLevelRemote)
    return PermissionDenied(
        "verify your identity (online, or at a hall's counter) before booking an appointment");

  SystemTime now = now_();
  Date today = ChinaDate(now);
  if (*day < today || *day > AddDays(today, limits_.days_ahead - 1))
    return Error(Code::kInvalidArgument, "invalid booking",
                 {{"day", "must be from " + FormatDate(today) + " to " +
                              FormatDate(AddDays(today, limits_.days_ahead - 1))}});
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(in.hall_code));
  OW_ASSIGN_OR_RETURN(Calendar cal, calendar_.ForRange(*day, *day));
  OW_ASSIGN_OR_RETURN(Slot slot, FindSlot(h, in.item_code, *day, *start, cal));
  if (LocalInstant(*day, slot.start) <= now)
    return Conflict("the slot " + in.day + " " + in.start + " has already started");

  Booking b;
  if (!in.tracking_no.empty()) {
    if (!cases_) return Internal("cases cannot be looked up");
    auto found = cases_(who, in.tracking_no);
    if (!found || found->first != person || found->second != in.item_code)
      return Error(Code::kInvalidArgument, "invalid booking",
                   {{"tracking_no", "is not a case of this person for " + in.item_code}});
    b.tracking_no = in.tracking_no;
  }
  OW_ASSIGN_OR_RETURN(auto item, catalog_.GetItem(in.item_code, ""));
  auto name = [&](const char* key) {
    const auto* value = item.version.document.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : in.item_code;
  };
  b.number = internal::BookingNumber();
  b.account_id = person;
  b.booked_by = who.account_id;
  b.hall_code = h.code;
  b.item_code = in.item_code;
  b.item_name = name("name");
  b.item_name_en = name("name_en");
  b.day = *day;
  b.start = slot.start;
  b.end = slot.end;
  b.status = kBooked;
  b.created_at = b.updated_at = FormatTime(now);
  const std::string now_text = FormatTime(now);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::LockPerson(c, person));
    OW_RETURN_IF_ERROR(CheckBan(c, person, today));
    OW_ASSIGN_OR_RETURN(int64_t active, Store::CountActive(c, person, now_text));
    if (active >= limits_.max_active)
      return Conflict("you already hold " + std::to_string(active) +
                      " bookings to come, the most one person may hold: cancel one first");
    OW_ASSIGN_OR_RETURN(int64_t same, Store::CountItemDay(c, person, b.item_code, b.day, ""));
    if (same >= limits_.per_item_per_day)
      return Conflict("you already have a booking for " + b.item_name + " on " + in.day);
    OW_ASSIGN_OR_RETURN(bool claimed,
                        Store::ClaimPlace(c, h.code, b.item_code, b.day, b.start, slot.capacity));
    if (!claimed)
      return Conflict("the slot " + in.day + " " + FormatClock(b.start) + " at " + h.name +
                      " is full: choose another");
    auto inserted = Store::InsertBooking(c, b, FormatTime(LocalInstant(b.day, b.start)),
                                         FormatTime(LocalInstant(b.day, b.end)));
    if (!inserted && inserted.error().code == Code::kAlreadyExists)
      return Conflict("you already hold this slot");
    if (!inserted) return inserted.error();
    OW_RETURN_IF_ERROR(CountIndicators(c, h, b, indicators::kBookings));
    return notifier_.Notify(c, Message(b, h, "booking.confirmed"));
  }));
  return b;
}

Result<Booking> Service::Visible(const Principal& who, const std::string& number) {
  std::optional<Booking> b;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(b, Store::GetBooking(c, number));
    return {};
  }));
  if (!b) return NotFound("no booking " + number);
  authz::Target t;
  t.owner_account = b->account_id;
  // The agent who booked it reads and changes it only while still authorized.
  if (who.account_id != b->account_id && who.HasRole(authz::kAgent)) {
    OW_ASSIGN_OR_RETURN(t.agent_for_owner, identity_.IsAgentFor(who, b->account_id, b->item_code));
  }
  if (auto st = authz::Decide(who, authz::Action::kBook, t); !st) {
    if (st.error().code == Code::kPermissionDenied) return NotFound("no booking " + number);
    return st.error();
  }
  return std::move(*b);
}

Result<Booking> Service::Get(const Principal& who, const std::string& number) {
  return Visible(who, number);
}

Result<std::vector<Booking>> Service::Mine(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kBook));
  std::vector<Booking> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListBookings(c, who.account_id, 200));
    return {};
  }));
  // An agent sees what they booked for a person only while still authorized.
  std::vector<Booking> visible;
  for (auto& b : out) {
    if (b.account_id != who.account_id) {
      auto live = identity_.IsAgentFor(who, b.account_id, b.item_code);
      if (!live || !*live) continue;
    }
    visible.push_back(std::move(b));
  }
  return visible;
}

Result<Booking> Service::Reschedule(const Principal& who, const std::string& number,
                                    const std::string& day_text, const std::string& start_text,
                                    std::optional<int64_t> expected_version) {
  Validator v;
  auto day = ParseDate(day_text);
  if (!day) v.Add("day", "must be a date as YYYY-MM-DD");
  auto start = ParseClock(start_text);
  if (!start) v.Add("start", "must be a time as HH:MM");
  OW_RETURN_IF_ERROR(v.Finish("booking"));
  OW_ASSIGN_OR_RETURN(Booking b, Visible(who, number));
  if (expected_version && *expected_version != b.version)
    return StaleVersion("the booking " + number + " was changed meanwhile");
  SystemTime now = now_();
  Date today = ChinaDate(now);
  if (b.status != kBooked) return Conflict("the booking " + number + " is " + b.status);
  if (LocalInstant(b.day, b.start) <= now)
    return Conflict("the booking " + number + " has already started: it can no longer change");
  if (*day < today || *day > AddDays(today, limits_.days_ahead - 1))
    return Error(Code::kInvalidArgument, "invalid booking",
                 {{"day", "must be from " + FormatDate(today) + " to " +
                              FormatDate(AddDays(today, limits_.days_ahead - 1))}});
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(b.hall_code));
  OW_ASSIGN_OR_RETURN(Calendar cal, calendar_.ForRange(*day, *day));
  OW_ASSIGN_OR_RETURN(Slot slot, FindSlot(h, b.item_code, *day, *start, cal));
  if (LocalInstant(*day, slot.start) <= now)
    return Conflict("the slot " + day_text + " " + start_text + " has already started");
  if (*day == b.day && slot.start == b.start) return b;
  Booking moved = b;
  moved.day = *day;
  moved.start = slot.start;
  moved.end = slot.end;
  moved.updated_at = FormatTime(now);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::LockPerson(c, b.account_id));
    OW_ASSIGN_OR_RETURN(int64_t same,
                        Store::CountItemDay(c, b.account_id, b.item_code, moved.day, b.number));
    if (same >= limits_.per_item_per_day)
      return Conflict("you already have a booking for " + b.item_name + " on " + day_text);
    OW_ASSIGN_OR_RETURN(bool claimed, Store::ClaimPlace(c, h.code, b.item_code, moved.day,
                                                        moved.start, slot.capacity));
    if (!claimed)
      return Conflict("the slot " + day_text + " " + FormatClock(moved.start) + " at " + h.name +
                      " is full: choose another");
    OW_RETURN_IF_ERROR(Store::ReleasePlace(c, h.code, b.item_code, b.day, b.start));
    auto ok = Store::MoveBooking(c, moved, FormatTime(LocalInstant(moved.day, moved.start)),
                                 FormatTime(LocalInstant(moved.day, moved.end)), b.version);
    if (!ok && ok.error().code == Code::kAlreadyExists)
      return Conflict("you already hold that slot");
    if (!ok) return ok.error();
    if (!*ok) return Conflict("the booking " + number + " was changed meanwhile");
    return notifier_.Notify(c, Message(moved, h, "booking.rescheduled"));
  }));
  moved.version = b.version + 1;
  return moved;
}

Result<Booking> Service::Cancel(const Principal& who, const std::string& number) {
  OW_ASSIGN_OR_RETURN(Booking b, Visible(who, number));
  SystemTime now = now_();
  if (b.status != kBooked) return Conflict("the booking " + number + " is " + b.status);
  if (LocalInstant(b.day, b.start) <= now)
    return Conflict("the booking " + number +
                    " has already started: it can no longer be "
                    "cancelled");
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(b.hall_code));
  std::string now_text = FormatTime(now);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool changed,
                        Store::SetStatus(c, number, kBooked, kCancelled, "", now_text));
    if (!changed) return Conflict("the booking " + number + " was changed meanwhile");
    OW_RETURN_IF_ERROR(Store::ReleasePlace(c, b.hall_code, b.item_code, b.day, b.start));
    return notifier_.Notify(c, Message(b, h, "booking.cancelled"));
  }));
  b.status = kCancelled;
  b.updated_at = now_text;
  b.version += 1;
  return b;
}

Result<std::string> Service::Ics(const Principal& who, const std::string& number) {
  OW_ASSIGN_OR_RETURN(Booking b, Visible(who, number));
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(b.hall_code));
  return BookingIcs(b, h, now_(), "onewindow");
}

Status Service::CountIndicators(db::Connection& c, const Hall& h, const Booking& b,
                                indicators::Metric what) {
  if (!indicators_) return {};
  indicators::Count n;
  n.day = FormatDate(b.day);
  n.region_code = h.region_code;
  n.item_code = b.item_code;
  n.hall_code = h.code;
  n.add[what] = 1;
  return indicators_->Add(c, n);
}

Result<int> Service::SweepNoShows() {
  const std::string now_text = FormatTime(now_());
  int marked = 0;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    marked = 0;
    OW_ASSIGN_OR_RETURN(auto due, Store::DueNoShows(c, now_text, 500));
    for (const auto& b : due) {
      // Another node may have marked it (or the person checked in) meanwhile.
      OW_ASSIGN_OR_RETURN(bool changed,
                          Store::SetStatus(c, b.number, kBooked, kNoShow, "", now_text));
      if (!changed) continue;
      ++marked;
      OW_ASSIGN_OR_RETURN(auto h, Store::GetHall(c, b.hall_code));
      if (!h) continue;
      OW_RETURN_IF_ERROR(CountIndicators(c, *h, b, indicators::kNoShows));
      auto m = Message(b, *h, "booking.no_show");
      m.params["count"] = limits_.no_show_days;
      m.params["limit"] = limits_.no_show_count;
      m.dedupe_key = "booking-no-show-" + b.number;
      OW_RETURN_IF_ERROR(notifier_.Notify(c, m));
    }
    return {};
  }));
  return marked;
}

Result<int> Service::SendReminders() {
  SystemTime now = now_();
  // Not in the night: reminders of tomorrow go out from 09:00 (China time) today.
  if (internal::LocalMinutes(now) < 9 * 60) return 0;
  Date tomorrow = AddDays(ChinaDate(now), 1);
  std::vector<Booking> due;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(due, Store::DueReminders(c, tomorrow, 500));
    return {};
  }));
  int sent = 0;
  for (const auto& b : due) {
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      // Claimed first: a reminder goes out once even when two nodes sweep at once.
      OW_ASSIGN_OR_RETURN(bool mine, Store::ClaimReminder(c, b.number));
      if (!mine) return {};
      OW_ASSIGN_OR_RETURN(auto h, Store::GetHall(c, b.hall_code));
      if (!h) return Internal("booking " + b.number + " names no hall");
      auto m = Message(b, *h, "booking.reminder");
      m.dedupe_key = "booking-reminder-" + b.number;
      OW_RETURN_IF_ERROR(notifier_.Notify(c, m));
      ++sent;
      return {};
    }));
  }
  return sent;
}

}  // namespace ow::appointments
