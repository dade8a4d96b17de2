#include "appointments/service.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "appointments/internal.h"
#include "appointments/store.h"
#include "regions/model.h"

namespace ow::appointments {

namespace internal {

SystemTime LocalInstant(Date day, int minutes) {
  int64_t seconds = DaysSinceEpoch(day) * 86400 + int64_t{minutes} * 60 - kChinaOffsetSeconds;
  return SystemTime(std::chrono::seconds(seconds));
}

int LocalMinutes(SystemTime t) {
  int64_t s = UnixSeconds(t) + kChinaOffsetSeconds;
  int64_t in_day = ((s % 86400) + 86400) % 86400;
  return static_cast<int>(in_day / 60);
}

std::string BookingNumber() {
  // Crockford's base32 without I, L, O, U: read aloud and typed at a kiosk.
  static constexpr char kDigits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string bytes = crypto::RandomBytes(10);
  std::string out = "BK";
  for (char b : bytes) out += kDigits[static_cast<unsigned char>(b) % 32];
  return out;
}

}  // namespace internal

using internal::LocalInstant;

std::vector<Slot> SlotsOfDay(const Hall& h, const std::string& item, Date day,
                             const Calendar& cal) {
  std::vector<Slot> out;
  // The hall's opening on the platform calendar, as a citizen service centre keeps it:
  //  - a public holiday closes the hall, whatever hours it lists;
  //  - any other day (a weekday, or a plain Saturday or Sunday) opens with the hours the hall
  //    lists for that weekday, so a hall listing Saturday hours is open on plain Saturdays;
  //  - a make-up working day (调休: a weekend day the calendar marks as working) opens with the
  //    hours listed for that weekday or, when none are listed, with Monday's hours.
  // The calendar lists holidays and make-up days apart (Calendar::holidays / working_days).
  auto listed = [](const std::vector<Date>& sorted, Date d) {
    return std::binary_search(sorted.begin(), sorted.end(), d);
  };
  if (listed(cal.holidays(), day) || h.slot_minutes <= 0) return out;
  bool make_up = IsWeekend(day) && listed(cal.working_days(), day);
  int capacity = 0;
  for (const auto& w : h.windows)
    if (std::find(w.items.begin(), w.items.end(), item) != w.items.end()) capacity += w.capacity;
  if (capacity == 0) return out;
  int weekday = IsoWeekday(day);
  auto periods_of = [&](int wd) {
    std::vector<Period> ps;
    for (const auto& p : h.hours)
      if (p.weekday == wd) ps.push_back(p);
    return ps;
  };
  std::vector<Period> periods = periods_of(weekday);
  if (periods.empty() && make_up) periods = periods_of(1);
  for (const auto& p : periods) {
    for (int s = p.open; s + h.slot_minutes <= p.close; s += h.slot_minutes)
      out.push_back({day, s, s + h.slot_minutes, capacity, 0});
  }
  return out;
}

Service::Service(db::Database& db, calendar::Service& calendar, catalog::Service& catalog,
                 identity::Service& identity, notify::Notifier& notifier, Limits limits)
    : db_(db),
      calendar_(calendar),
      catalog_(catalog),
      identity_(identity),
      notifier_(notifier),
      limits_(limits),
      now_([] { return std::chrono::system_clock::now(); }) {}

Result<std::vector<Hall>> Service::ListHalls(const std::string& region, const std::string& item) {
  if (!region.empty() && !regions::LevelOfCode(region))
    return Error(Code::kInvalidArgument, "invalid query", {{"region", "must be a region code"}});
  if (item.size() > 64)
    return Error(Code::kInvalidArgument, "invalid query",
                 {{"item", "must be an item code (at most 64 characters)"}});
  std::vector<Hall> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListHalls(c, region, item));
    return {};
  }));
  return out;
}

Result<Hall> Service::GetHall(const std::string& code) {
  std::optional<Hall> h;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(h, Store::GetHall(c, code));
    return {};
  }));
  if (!h) return NotFound("no hall with code " + code);
  return std::move(*h);
}

Result<std::pair<Hall, bool>> Service::PutHall(const std::string& code, const HallInput& in,
                                               std::optional<int64_t> expected_version) {
  return appointments::PutHall(db_, catalog_, code, in, expected_version, now_());
}

namespace {

bool SameHall(const Hall& a, const Hall& b) {
  auto periods = [](const Hall& h) {
    std::vector<std::tuple<int, int, int>> out;
    for (const auto& p : h.hours) out.emplace_back(p.weekday, p.open, p.close);
    return out;
  };
  auto windows = [](const Hall& h) {
    std::vector<std::tuple<int, std::string, std::string, std::vector<std::string>, int>> out;
    for (const auto& w : h.windows)
      out.emplace_back(w.number, w.name, w.name_en, w.items, w.capacity);
    return out;
  };
  return a.name == b.name && a.name_en == b.name_en && a.address == b.address &&
         a.address_en == b.address_en && a.region_code == b.region_code && a.phone == b.phone &&
         a.slot_minutes == b.slot_minutes && periods(a) == periods(b) && windows(a) == windows(b);
}

}  // namespace

Result<std::pair<Hall, bool>> PutHall(db::Database& db, catalog::Service& catalog,
                                      const std::string& code, const HallInput& in,
                                      std::optional<int64_t> expected_version, SystemTime now,
                                      bool* changed) {
  Validator v;
  Hall h;
  h.code = code;
  if (code.empty() || code.size() > 40 || !std::all_of(code.begin(), code.end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
      }))
    v.Add("code", "must be 1 to 40 capital letters, digits and '-'");
  auto text = [&](const char* field, const std::string& value, std::string& out) {
    if (value.empty()) v.Add(field, "is required");
    out = value;
  };
  text("name", in.name, h.name);
  text("name_en", in.name_en, h.name_en);
  text("address", in.address, h.address);
  text("address_en", in.address_en, h.address_en);
  text("phone", in.phone, h.phone);
  h.region_code = in.region_code;
  if (!regions::LevelOfCode(in.region_code)) v.Add("region_code", "must be a region code");
  h.slot_minutes = in.slot_minutes;
  if (in.slot_minutes < 5 || in.slot_minutes > 240)
    v.Add("slot_minutes", "must be from 5 to 240 minutes");
  for (size_t i = 0; i < in.hours.size(); ++i) {
    const auto& p = in.hours[i];
    std::string at = "hours/" + std::to_string(i);
    auto open = ParseClock(p.open), close = ParseClock(p.close);
    if (p.weekday < 1 || p.weekday > 7) v.Add(at + "/weekday", "must be 1 (Monday) to 7 (Sunday)");
    if (!open) v.Add(at + "/open", "must be a time as HH:MM");
    if (!close) v.Add(at + "/close", "must be a time as HH:MM");
    if (open && close && *close <= *open) v.Add(at + "/close", "must be after open");
    if (open && close && *close > *open) h.hours.push_back({p.weekday, *open, *close});
  }
  if (in.hours.empty()) v.Add("hours", "must list at least one opening period");
  std::sort(h.hours.begin(), h.hours.end(), [](const Period& a, const Period& b) {
    return std::tie(a.weekday, a.open) < std::tie(b.weekday, b.open);
  });
  for (size_t i = 1; i < h.hours.size(); ++i) {
    if (h.hours[i].weekday == h.hours[i - 1].weekday && h.hours[i].open < h.hours[i - 1].close)
      v.Add("hours", "periods of weekday " + std::to_string(h.hours[i].weekday) + " overlap");
  }
  std::set<int> numbers;
  if (in.windows.empty()) v.Add("windows", "must list at least one window");
  for (size_t i = 0; i < in.windows.size(); ++i) {
    const auto& w = in.windows[i];
    std::string at = "windows/" + std::to_string(i);
    if (w.number < 1 || w.number > 999) v.Add(at + "/number", "must be from 1 to 999");
    if (!numbers.insert(w.number).second) v.Add(at + "/number", "is used by another window");
    if (w.name.empty()) v.Add(at + "/name", "is required");
    if (w.capacity < 1 || w.capacity > 100) v.Add(at + "/capacity", "must be from 1 to 100");
    if (w.items.empty()) v.Add(at + "/items", "must list at least one item code");
    for (size_t j = 0; j < w.items.size(); ++j) {
      auto item = catalog.GetItem(w.items[j], "");
      if (!item) v.Add(at + "/items/" + std::to_string(j), "is not a catalog item");
    }
  }
  OW_RETURN_IF_ERROR(v.Finish("hall"));
  h.windows = in.windows;
  std::sort(h.windows.begin(), h.windows.end(),
            [](const Window& a, const Window& b) { return a.number < b.number; });
  h.updated_at = FormatTime(now);
  bool created = false;
  OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto current, Store::GetHall(c, code));
    if (changed) {
      *changed = !current || !SameHall(*current, h);
      if (!*changed) {
        h = *current;
        return {};
      }
    }
    int64_t previous = current ? current->version : 0;
    if (expected_version && *expected_version != previous)
      return StaleVersion("the hall " + code + " was changed by someone else");
    h.version = previous + 1;
    created = !current;
    auto put = Store::PutHall(c, h, previous);
    if (!put && put.error().code == Code::kAlreadyExists)
      return Conflict("the hall " + code + " was created concurrently");
    if (!put) return put.error();
    if (!*put) return Conflict("the hall " + code + " was changed concurrently");
    return {};
  }));
  return std::make_pair(std::move(h), created);
}

Result<std::vector<DaySlots>> Service::Slots(const std::string& hall, const std::string& item) {
  OW_ASSIGN_OR_RETURN(Hall h, GetHall(hall));
  SystemTime now = now_();
  Date today = ChinaDate(now);
  Date last = AddDays(today, limits_.days_ahead - 1);
  OW_ASSIGN_OR_RETURN(Calendar cal, calendar_.ForRange(today, last));
  std::vector<DaySlots> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out.clear();
    for (Date d = today; d <= last; d = AddDays(d, 1)) {
      DaySlots day{d, SlotsOfDay(h, item, d, cal)};
      if (day.slots.empty()) continue;
      OW_ASSIGN_OR_RETURN(auto counts, Store::BookedCounts(c, hall, item, d));
      for (auto& s : day.slots) {
        for (auto [start, booked] : counts)
          if (start == s.start) s.booked = booked;
      }
      std::erase_if(day.slots, [&](const Slot& s) { return LocalInstant(d, s.start) <= now; });
      if (!day.slots.empty()) out.push_back(std::move(day));
    }
    return {};
  }));
  return out;
}

Result<Slot> Service::FindSlot(const Hall& h, const std::string& item, Date day, int start,
                               const Calendar& cal) {
  for (const auto& s : SlotsOfDay(h, item, day, cal))
    if (s.start == start) return s;
  bool served = false;
  for (const auto& w : h.windows)
    served = served || std::find(w.items.begin(), w.items.end(), item) != w.items.end();
  if (!served)
    return Error(Code::kInvalidArgument, "invalid booking",
                 {{"item_code", "is not served at " + h.name + " (" + h.code + ")"}});
  return Error(Code::kInvalidArgument, "invalid booking",
               {{"start", FormatDate(day) + " " + FormatClock(start) + " is not a slot of " +
                              h.code + " (closed then, or not on the slot grid)"}});
}

}  // namespace ow::appointments
