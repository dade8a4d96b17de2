// The hall's day: check-in (at the counter or the kiosk), walk-ins, calling the next
// number to a window, and the public display.
#include "appointments/internal.h"
#include "appointments/service.h"
#include "appointments/store.h"
#include "authz/authz.h"

namespace ow::appointments {

namespace {

std::string QueueNumber(char prefix, int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%03lld", prefix, static_cast<long long>(seq));
  return buf;
}

}  // namespace

Result<Hall> Service::HallForStaff(const Principal& staff, const std::string& code) {
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(code));
  authz::Target t;
  t.region_code = h.region_code;
  OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kOperateHall, t));
  return h;
}

Result<Ticket> Service::DoCheckIn(const Hall& h, const std::string& number) {
  SystemTime now = now_();
  Date today = ChinaDate(now);
  std::optional<Ticket> out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto b, Store::GetBooking(c, number));
    if (!b || b->hall_code != h.code) return NotFound("no booking " + number + " at " + h.name);
    if (b->status == kCheckedIn)
      return Conflict("the booking " + number + " is already checked in as " + b->queue_number);
    if (b->status != kBooked) return Conflict("the booking " + number + " is " + b->status);
    if (b->day != today)
      return Conflict("the booking " + number + " is for " + FormatDate(b->day) +
                      ": check in on that day");
    if (internal::LocalInstant(b->day, b->end) <= now)
      return Conflict("the booking " + number + " ended at " + FormatClock(b->end) +
                      ": book another slot or take a walk-in number");
    OW_ASSIGN_OR_RETURN(int64_t seq, Store::NextSequence(c, h.code, today, "A"));
    Ticket t;
    t.hall_code = h.code;
    t.day = today;
    t.number = QueueNumber('A', seq);
    t.kind = "booking";
    t.booking_no = number;
    t.account_id = b->account_id;
    t.item_code = b->item_code;
    t.priority = b->start;
    t.status = "waiting";
    t.created_at = FormatTime(now);
    OW_RETURN_IF_ERROR(Store::InsertTicket(c, t, seq));
    OW_ASSIGN_OR_RETURN(bool changed,
                        Store::SetStatus(c, number, kBooked, kCheckedIn, t.number, t.created_at));
    if (!changed) return Conflict("the booking " + number + " was changed meanwhile");
    OW_RETURN_IF_ERROR(CountIndicators(c, h, *b, indicators::kKept));
    out = std::move(t);
    return {};
  }));
  return std::move(*out);
}

Result<Ticket> Service::CheckIn(const Principal& staff, const std::string& hall,
                                const std::string& number) {
  OW_ASSIGN_OR_RETURN(Hall h, HallForStaff(staff, hall));
  return DoCheckIn(h, number);
}

Result<Ticket> Service::KioskCheckIn(const std::string& hall, const std::string& number) {
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(hall));
  return DoCheckIn(h, number);
}

Result<Ticket> Service::WalkIn(const Principal& staff, const std::string& hall,
                               const std::string& item) {
  OW_ASSIGN_OR_RETURN(Hall h, HallForStaff(staff, hall));
  bool served = false;
  for (const auto& w : h.windows)
    served = served || std::find(w.items.begin(), w.items.end(), item) != w.items.end();
  if (!served)
    return Error(Code::kInvalidArgument, "invalid walk-in",
                 {{"item_code", "is not served at " + h.name + " (" + h.code + ")"}});
  SystemTime now = now_();
  Date today = ChinaDate(now);
  Ticket t;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(int64_t seq, Store::NextSequence(c, h.code, today, "W"));
    t.hall_code = h.code;
    t.day = today;
    t.number = QueueNumber('W', seq);
    t.kind = "walk_in";
    t.item_code = item;
    t.priority = internal::LocalMinutes(now);
    t.status = "waiting";
    t.created_at = FormatTime(now);
    return Store::InsertTicket(c, t, seq);
  }));
  return t;
}

Result<std::optional<Called>> Service::CallNext(const Principal& staff, const std::string& hall,
                                                int window) {
  OW_ASSIGN_OR_RETURN(Hall h, HallForStaff(staff, hall));
  const Window* w = nullptr;
  for (const auto& x : h.windows)
    if (x.number == window) w = &x;
  if (!w) return NotFound("the hall " + h.code + " has no window " + std::to_string(window));
  SystemTime now = now_();
  Date today = ChinaDate(now);
  std::optional<Ticket> called;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    called.reset();
    // Two windows calling at once may pick the same number: the loser picks again.
    for (int attempt = 0; attempt < 20; ++attempt) {
      OW_ASSIGN_OR_RETURN(auto next, Store::NextWaiting(c, h.code, today, w->items));
      if (!next) return {};
      OW_ASSIGN_OR_RETURN(bool mine, Store::CallTicket(c, h.code, today, next->number, window,
                                                       staff.account_id, FormatTime(now)));
      if (mine) {
        next->status = "called";
        next->window = window;
        next->called_at = FormatTime(now);
        called = std::move(next);
        return {};
      }
    }
    return Unavailable("the queue is busy: call again");
  }));
  if (!called) return std::optional<Called>();
  Called out;
  out.ticket = std::move(*called);
  if (!out.ticket.account_id.empty()) {
    if (auto a = identity_.AccountById(out.ticket.account_id)) {
      out.person_name = a->real_name;
      out.person_resident_id_masked = a->resident_id_masked;
    }
  }
  if (auto item = catalog_.GetItem(out.ticket.item_code, "")) {
    const auto& d = item->version.document;
    if (auto* n = d.if_contains("name"); n && n->is_string()) out.item_name = n->as_string();
    if (auto* n = d.if_contains("name_en"); n && n->is_string()) out.item_name_en = n->as_string();
  }
  return std::optional<Called>(std::move(out));
}

Result<QueueView> Service::Queue(const std::string& hall) {
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(hall));
  QueueView out;
  out.day = ChinaDate(now_());
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out.called, Store::RecentlyCalled(c, h.code, out.day, 8));
    OW_ASSIGN_OR_RETURN(out.waiting, Store::WaitingCounts(c, h.code, out.day));
    return {};
  }));
  return out;
}

}  // namespace ow::appointments
