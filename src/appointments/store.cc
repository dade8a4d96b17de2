#include "appointments/store.h"

#include <boost/json.hpp>
#include <set>

#include "db/sql.h"

namespace ow::appointments {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // A hall's hours and windows are small documents read whole: JSON text. Days are
  // YYYY-MM-DD text and times of day minutes after midnight, local time.
  return {{"appointments/001_init", R"sql(
CREATE TABLE appt_halls (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  address TEXT NOT NULL,
  address_en TEXT NOT NULL,
  region_code TEXT NOT NULL,
  phone TEXT NOT NULL,
  hours TEXT NOT NULL,
  slot_minutes INTEGER NOT NULL,
  windows TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX appt_halls_region ON appt_halls(region_code);
CREATE TABLE appt_slots (
  hall_code TEXT NOT NULL REFERENCES appt_halls(code),
  item_code TEXT NOT NULL,
  day TEXT NOT NULL,
  start_min INTEGER NOT NULL,
  booked INTEGER NOT NULL CHECK (booked >= 0),
  PRIMARY KEY (hall_code, item_code, day, start_min)
);
CREATE TABLE appt_people (
  account_id TEXT PRIMARY KEY,
  turns INTEGER NOT NULL
);
CREATE TABLE appt_bookings (
  number TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  booked_by TEXT NOT NULL,
  hall_code TEXT NOT NULL REFERENCES appt_halls(code),
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  item_name_en TEXT NOT NULL,
  day TEXT NOT NULL,
  start_min INTEGER NOT NULL,
  end_min INTEGER NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  tracking_no TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled', 'no_show')),
  queue_number TEXT NOT NULL,
  reminded INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX appt_bookings_one_per_slot ON appt_bookings(account_id, hall_code, item_code, day, start_min)
  WHERE status IN ('booked', 'checked_in');
CREATE INDEX appt_bookings_person ON appt_bookings(account_id, status, day);
CREATE INDEX appt_bookings_booker ON appt_bookings(booked_by, day);
CREATE INDEX appt_bookings_due ON appt_bookings(status, ends_at);
CREATE INDEX appt_bookings_day ON appt_bookings(status, day, reminded);
CREATE TABLE appt_queue_counters (
  hall_code TEXT NOT NULL,
  day TEXT NOT NULL,
  prefix TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (hall_code, day, prefix)
);
CREATE TABLE appt_tickets (
  hall_code TEXT NOT NULL REFERENCES appt_halls(code),
  day TEXT NOT NULL,
  number TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('booking', 'walk_in')),
  booking_no TEXT REFERENCES appt_bookings(number),
  account_id TEXT NOT NULL,
  item_code TEXT NOT NULL,
  priority INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'done')),
  window_no INTEGER NOT NULL,
  called_at TEXT NOT NULL,
  called_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (hall_code, day, number)
);
CREATE UNIQUE INDEX appt_tickets_booking ON appt_tickets(booking_no);
CREATE INDEX appt_tickets_waiting ON appt_tickets(hall_code, day, status, priority);
)sql",
           ""},
          // Which halls serve an item, for GET /api/v1/halls?item=: one row per hall and item
          // its windows serve, written with the hall (Store::PutHall). Existing halls are
          // filled in from their windows' JSON.
          {"appointments/002_hall_items", R"sql(
CREATE TABLE appt_hall_items (
  item_code TEXT NOT NULL,
  hall_code TEXT NOT NULL REFERENCES appt_halls(code),
  PRIMARY KEY (item_code, hall_code)
);
INSERT INTO appt_hall_items (item_code, hall_code)
SELECT DISTINCT i.value, h.code FROM appt_halls h, json_each(h.windows) w,
  json_each(w.value, '$.items') i;
)sql",
           R"sql(
CREATE TABLE appt_hall_items (
  item_code TEXT NOT NULL,
  hall_code TEXT NOT NULL REFERENCES appt_halls(code),
  PRIMARY KEY (item_code, hall_code)
);
INSERT INTO appt_hall_items (item_code, hall_code)
SELECT DISTINCT i.value, h.code FROM appt_halls h, jsonb_array_elements(h.windows::jsonb) w,
  jsonb_array_elements_text(w.value -> 'items') i;
)sql"}};
}

std::optional<int> ParseClock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string FormatClock(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

namespace {

std::string HoursJson(const std::vector<Period>& hours) {
  json::array a;
  for (const auto& p : hours)
    a.push_back(json::object{{"weekday", p.weekday}, {"open", p.open}, {"close", p.close}});
  return json::serialize(a);
}

std::string WindowsJson(const std::vector<Window>& windows) {
  json::array a;
  for (const auto& w : windows) {
    json::array items;
    for (const auto& i : w.items) items.emplace_back(i);
    a.push_back(json::object{{"number", w.number},
                             {"name", w.name},
                             {"name_en", w.name_en},
                             {"items", std::move(items)},
                             {"capacity", w.capacity}});
  }
  return json::serialize(a);
}

Result<Hall> HallRow(const db::Rows& r, size_t i) {
  Hall h;
  h.code = r.Text(i, 0);
  h.name = r.Text(i, 1);
  h.name_en = r.Text(i, 2);
  h.address = r.Text(i, 3);
  h.address_en = r.Text(i, 4);
  h.region_code = r.Text(i, 5);
  h.phone = r.Text(i, 6);
  h.slot_minutes = static_cast<int>(r.Int(i, 8));
  h.version = r.Int(i, 10);
  h.updated_at = r.Text(i, 11);
  boost::system::error_code ec;
  json::value hours = json::parse(r.Text(i, 7), ec);
  if (ec || !hours.is_array()) return Internal("appt_halls.hours of " + h.code + " is malformed");
  for (const auto& v : hours.as_array()) {
    const auto& o = v.as_object();
    h.hours.push_back({static_cast<int>(o.at("weekday").as_int64()),
                       static_cast<int>(o.at("open").as_int64()),
                       static_cast<int>(o.at("close").as_int64())});
  }
  json::value windows = json::parse(r.Text(i, 9), ec);
  if (ec || !windows.is_array())
    return Internal("appt_halls.windows of " + h.code + " is malformed");
  for (const auto& v : windows.as_array()) {
    const auto& o = v.as_object();
    Window w;
    w.number = static_cast<int>(o.at("number").as_int64());
    w.name = o.at("name").as_string();
    w.name_en = o.at("name_en").as_string();
    for (const auto& item : o.at("items").as_array()) w.items.emplace_back(item.as_string());
    w.capacity = static_cast<int>(o.at("capacity").as_int64());
    h.windows.push_back(std::move(w));
  }
  return h;
}

constexpr const char* kHallColumns =
    "code, name, name_en, address, address_en, region_code, phone, hours, slot_minutes, windows, "
    "version, updated_at";

constexpr const char* kBookingColumns =
    "number, account_id, booked_by, hall_code, item_code, item_name, item_name_en, day, "
    "start_min, end_min, tracking_no, status, queue_number, created_at, updated_at, version";

Result<Booking> BookingRow(const db::Rows& r, size_t i) {
  Booking b;
  b.number = r.Text(i, 0);
  b.account_id = r.Text(i, 1);
  b.booked_by = r.Text(i, 2);
  b.hall_code = r.Text(i, 3);
  b.item_code = r.Text(i, 4);
  b.item_name = r.Text(i, 5);
  b.item_name_en = r.Text(i, 6);
  auto day = ParseDate(r.Text(i, 7));
  if (!day) return Internal("appt_bookings.day of " + b.number + " is malformed");
  b.day = *day;
  b.start = static_cast<int>(r.Int(i, 8));
  b.end = static_cast<int>(r.Int(i, 9));
  b.tracking_no = r.Text(i, 10);
  b.status = r.Text(i, 11);
  b.queue_number = r.Text(i, 12);
  b.created_at = r.Text(i, 13);
  b.updated_at = r.Text(i, 14);
  b.version = r.Int(i, 15);
  return b;
}

Result<std::vector<Booking>> Bookings(const db::Rows& r) {
  std::vector<Booking> out;
  for (size_t i = 0; i < r.size(); ++i) {
    OW_ASSIGN_OR_RETURN(auto b, BookingRow(r, i));
    out.push_back(std::move(b));
  }
  return out;
}

constexpr const char* kTicketColumns =
    "hall_code, day, number, kind, booking_no, account_id, item_code, priority, status, "
    "window_no, called_at, created_at";

Ticket TicketRow(const db::Rows& r, size_t i) {
  Ticket t;
  t.hall_code = r.Text(i, 0);
  t.day = ParseDate(r.Text(i, 1)).value_or(Date{});
  t.number = r.Text(i, 2);
  t.kind = r.Text(i, 3);
  t.booking_no = r.Text(i, 4);
  t.account_id = r.Text(i, 5);
  t.item_code = r.Text(i, 6);
  t.priority = static_cast<int>(r.Int(i, 7));
  t.status = r.Text(i, 8);
  t.window = static_cast<int>(r.Int(i, 9));
  t.called_at = r.Text(i, 10);
  t.created_at = r.Text(i, 11);
  return t;
}

}  // namespace

Result<std::optional<Hall>> Store::GetHall(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kHallColumns + " FROM appt_halls WHERE code = $1", {code}));
  if (r.empty()) return std::optional<Hall>();
  OW_ASSIGN_OR_RETURN(auto h, HallRow(r, 0));
  return std::optional<Hall>(std::move(h));
}

Result<std::vector<Hall>> Store::ListHalls(db::Connection& c, const std::string& region_prefix,
                                           const std::string& item) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kHallColumns + " FROM appt_halls WHERE 1 = 1";
  // Halls of a region and every region below it: codes nest by prefix.
  if (!region_prefix.empty())
    q.text() += " AND substr(region_code, 1, " + q.P(int64_t(region_prefix.size())) +
                ") = " + q.P(region_prefix);
  // Halls with a window serving the item.
  if (!item.empty())
    q.text() +=
        " AND code IN (SELECT hall_code FROM appt_hall_items WHERE item_code = " + q.P(item) + ")";
  q.text() += " ORDER BY region_code, code";
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Hall> out;
  for (size_t i = 0; i < r.size(); ++i) {
    OW_ASSIGN_OR_RETURN(auto h, HallRow(r, i));
    out.push_back(std::move(h));
  }
  return out;
}

Result<bool> Store::PutHall(db::Connection& c, const Hall& h, int64_t previous_version) {
  std::vector<db::Value> p = {h.code,
                              h.name,
                              h.name_en,
                              h.address,
                              h.address_en,
                              h.region_code,
                              h.phone,
                              HoursJson(h.hours),
                              int64_t{h.slot_minutes},
                              WindowsJson(h.windows),
                              h.version,
                              h.updated_at};
  if (previous_version == 0) {
    OW_RETURN_IF_ERROR(c.Exec(std::string("INSERT INTO appt_halls (") + kHallColumns +
                                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                              p));
  } else {
    p.push_back(previous_version);
    OW_ASSIGN_OR_RETURN(
        auto n, c.Exec("UPDATE appt_halls SET name = $2, name_en = $3, address = $4, address_en = "
                       "$5, region_code = $6, phone = $7, hours = $8, slot_minutes = $9, windows = "
                       "$10, version = $11, updated_at = $12 WHERE code = $1 AND version = $13",
                       p));
    if (n != 1) return false;
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM appt_hall_items WHERE hall_code = $1", {h.code}));
  }
  std::set<std::string> items;
  for (const auto& w : h.windows) items.insert(w.items.begin(), w.items.end());
  for (const auto& item : items)
    OW_RETURN_IF_ERROR(c.Exec("INSERT INTO appt_hall_items (item_code, hall_code) VALUES ($1, $2)",
                              {item, h.code}));
  return true;
}

Result<std::vector<std::pair<int, int>>> Store::BookedCounts(db::Connection& c,
                                                             const std::string& hall,
                                                             const std::string& item, Date day) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT start_min, booked FROM appt_slots WHERE hall_code = "
                                      "$1 AND item_code = $2 AND day = $3",
                                      {hall, item, FormatDate(day)}));
  std::vector<std::pair<int, int>> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.emplace_back(static_cast<int>(r.Int(i, 0)), static_cast<int>(r.Int(i, 1)));
  return out;
}

Result<bool> Store::ClaimPlace(db::Connection& c, const std::string& hall, const std::string& item,
                               Date day, int start, int capacity) {
  std::string d = FormatDate(day);
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO appt_slots (hall_code, item_code, day, start_min, booked) VALUES ($1, $2, $3, "
      "$4, 0) ON CONFLICT (hall_code, item_code, day, start_min) DO NOTHING",
      {hall, item, d, int64_t{start}}));
  OW_ASSIGN_OR_RETURN(auto n,
                      c.Exec("UPDATE appt_slots SET booked = booked + 1 WHERE hall_code = $1 AND "
                             "item_code = $2 AND day = $3 AND start_min = $4 AND booked < $5",
                             {hall, item, d, int64_t{start}, int64_t{capacity}}));
  return n == 1;
}

Status Store::ReleasePlace(db::Connection& c, const std::string& hall, const std::string& item,
                           Date day, int start) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE appt_slots SET booked = booked - 1 WHERE hall_code = $1 AND item_code = $2 "
             "AND day = $3 AND start_min = $4 AND booked > 0",
             {hall, item, FormatDate(day), int64_t{start}}));
  return {};
}

Status Store::LockPerson(db::Connection& c, const std::string& account_id) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO appt_people (account_id, turns) VALUES ($1, 0) ON CONFLICT (account_id) DO "
      "NOTHING",
      {account_id}));
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE appt_people SET turns = turns + 1 WHERE account_id = $1", {account_id}));
  return {};
}

Result<int64_t> Store::CountActive(db::Connection& c, const std::string& account_id,
                                   const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM appt_bookings WHERE account_id = $1 "
                                      "AND status = 'booked' AND ends_at > $2",
                                      {account_id, now}));
  return r.Int(0, 0);
}

Result<int64_t> Store::CountItemDay(db::Connection& c, const std::string& account_id,
                                    const std::string& item, Date day, const std::string& except) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM appt_bookings WHERE account_id = $1 "
                                      "AND item_code = $2 AND day = $3 AND status IN ('booked', "
                                      "'checked_in') AND number <> $4",
                                      {account_id, item, FormatDate(day), except}));
  return r.Int(0, 0);
}

Result<std::vector<Date>> Store::NoShowDays(db::Connection& c, const std::string& account_id,
                                            Date since) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT day FROM appt_bookings WHERE account_id = $1 AND "
                                      "status = 'no_show' AND day >= $2 ORDER BY day",
                                      {account_id, FormatDate(since)}));
  std::vector<Date> out;
  for (size_t i = 0; i < r.size(); ++i)
    if (auto d = ParseDate(r.Text(i, 0))) out.push_back(*d);
  return out;
}

Status Store::InsertBooking(db::Connection& c, const Booking& b, const std::string& starts_at,
                            const std::string& ends_at) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO appt_bookings (number, account_id, booked_by, hall_code, item_code, item_name, "
      "item_name_en, day, start_min, end_min, starts_at, ends_at, tracking_no, status, "
      "queue_number, reminded, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, "
      "$7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $18)",
      {b.number, b.account_id, b.booked_by, b.hall_code, b.item_code, b.item_name, b.item_name_en,
       FormatDate(b.day), int64_t{b.start}, int64_t{b.end}, starts_at, ends_at, b.tracking_no,
       b.status, b.queue_number, b.created_at, b.updated_at, b.version}));
  return {};
}

Result<std::optional<Booking>> Store::GetBooking(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kBookingColumns +
                                          " FROM appt_bookings WHERE number = $1",
                                      {number}));
  if (r.empty()) return std::optional<Booking>();
  OW_ASSIGN_OR_RETURN(auto b, BookingRow(r, 0));
  return std::optional<Booking>(std::move(b));
}

Result<std::vector<Booking>> Store::ListBookings(db::Connection& c, const std::string& account_id,
                                                 int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kBookingColumns +
                          " FROM appt_bookings WHERE account_id = $1 OR booked_by = $1 ORDER BY "
                          "day DESC, start_min DESC, number LIMIT $2",
                      {account_id, int64_t{limit}}));
  return Bookings(r);
}

Result<bool> Store::MoveBooking(db::Connection& c, const Booking& b, const std::string& starts_at,
                                const std::string& ends_at, int64_t version) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE appt_bookings SET day = $2, start_min = $3, end_min = $4, starts_at = "
                     "$5, ends_at = $6, reminded = 0, updated_at = $7, version = version + 1 "
                     "WHERE number = $1 AND version = $8 AND status = 'booked'",
                     {b.number, FormatDate(b.day), int64_t{b.start}, int64_t{b.end}, starts_at,
                      ends_at, b.updated_at, version}));
  return n == 1;
}

Result<bool> Store::SetStatus(db::Connection& c, const std::string& number, const std::string& from,
                              const std::string& to, const std::string& queue_number,
                              const std::string& now) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE appt_bookings SET status = $3, queue_number = $4, updated_at = $5, "
                     "version = version + 1 WHERE number = $1 AND status = $2",
                     {number, from, to, queue_number, now}));
  return n == 1;
}

Result<std::vector<Booking>> Store::DueNoShows(db::Connection& c, const std::string& now,
                                               int limit) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kBookingColumns +
                                          " FROM appt_bookings WHERE status = 'booked' AND "
                                          "ends_at <= $1 ORDER BY ends_at LIMIT $2",
                                      {now, int64_t{limit}}));
  return Bookings(r);
}

Result<std::vector<Booking>> Store::DueReminders(db::Connection& c, Date day, int limit) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kBookingColumns +
                                          " FROM appt_bookings WHERE status = 'booked' AND day = "
                                          "$1 AND reminded = 0 ORDER BY number LIMIT $2",
                                      {FormatDate(day), int64_t{limit}}));
  return Bookings(r);
}

Result<bool> Store::ClaimReminder(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE appt_bookings SET reminded = 1 WHERE number = $1 AND "
                                     "reminded = 0 AND status = 'booked'",
                                     {number}));
  return n == 1;
}

Result<int64_t> Store::NextSequence(db::Connection& c, const std::string& hall, Date day,
                                    const std::string& prefix) {
  std::string d = FormatDate(day);
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO appt_queue_counters (hall_code, day, prefix, last) VALUES ($1, $2, $3, 0) ON "
      "CONFLICT (hall_code, day, prefix) DO NOTHING",
      {hall, d, prefix}));
  OW_ASSIGN_OR_RETURN(auto r, c.Query("UPDATE appt_queue_counters SET last = last + 1 WHERE "
                                      "hall_code = $1 AND day = $2 AND prefix = $3 RETURNING last",
                                      {hall, d, prefix}));
  if (r.empty()) return Internal("the queue counter of " + hall + " vanished");
  return r.Int(0, 0);
}

Status Store::InsertTicket(db::Connection& c, const Ticket& t, int64_t seq) {
  db::Value booking = t.booking_no.empty() ? db::Value() : db::Value(t.booking_no);
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO appt_tickets (hall_code, day, number, kind, booking_no, account_id, item_code, "
      "priority, seq, status, window_no, called_at, called_by, created_at) VALUES ($1, $2, $3, "
      "$4, $5, $6, $7, $8, $9, 'waiting', 0, '', '', $10)",
      {t.hall_code, FormatDate(t.day), t.number, t.kind, booking, t.account_id, t.item_code,
       int64_t{t.priority}, seq, t.created_at}));
  return {};
}

Result<std::optional<Ticket>> Store::NextWaiting(db::Connection& c, const std::string& hall,
                                                 Date day, const std::vector<std::string>& items) {
  if (items.empty()) return std::optional<Ticket>();
  db::Sql q;
  q.text() = std::string("SELECT ") + kTicketColumns +
             " FROM appt_tickets WHERE hall_code = " + q.P(hall) +
             " AND day = " + q.P(FormatDate(day)) + " AND status = 'waiting' AND item_code IN (";
  for (size_t i = 0; i < items.size(); ++i) q.text() += (i ? ", " : "") + q.P(items[i]);
  // Bookings at their slot's time, walk-ins at their arrival; a booking first on a tie.
  q.text() += ") ORDER BY priority, kind, seq LIMIT 1";
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  if (r.empty()) return std::optional<Ticket>();
  return std::optional<Ticket>(TicketRow(r, 0));
}

Result<bool> Store::CallTicket(db::Connection& c, const std::string& hall, Date day,
                               const std::string& number, int window, const std::string& by,
                               const std::string& now) {
  std::string d = FormatDate(day);
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE appt_tickets SET status = 'called', window_no = $4, called_at = $5, "
                     "called_by = $6 WHERE hall_code = $1 AND day = $2 AND number = $3 AND "
                     "status = 'waiting'",
                     {hall, d, number, int64_t{window}, now, by}));
  if (n != 1) return false;
  OW_RETURN_IF_ERROR(c.Exec(
      "UPDATE appt_tickets SET status = 'done' WHERE hall_code = $1 AND day = $2 AND window_no = "
      "$3 AND status = 'called' AND number <> $4",
      {hall, d, int64_t{window}, number}));
  return true;
}

Result<std::vector<Ticket>> Store::RecentlyCalled(db::Connection& c, const std::string& hall,
                                                  Date day, int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kTicketColumns +
                          " FROM appt_tickets WHERE hall_code = $1 AND day = $2 AND status IN "
                          "('called', 'done') ORDER BY called_at DESC, number DESC LIMIT $3",
                      {hall, FormatDate(day), int64_t{limit}}));
  std::vector<Ticket> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(TicketRow(r, i));
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> Store::WaitingCounts(db::Connection& c,
                                                                          const std::string& hall,
                                                                          Date day) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT item_code, COUNT(*) FROM appt_tickets WHERE "
                                      "hall_code = $1 AND day = $2 AND status = 'waiting' GROUP "
                                      "BY item_code ORDER BY item_code",
                                      {hall, FormatDate(day)}));
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i < r.size(); ++i) out.emplace_back(r.Text(i, 0), r.Int(i, 1));
  return out;
}

}  // namespace ow::appointments
