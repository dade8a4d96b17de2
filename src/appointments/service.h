// Appointments: halls and their windows (system administrators), the slots computed
// from a hall's weekly hours and the holiday calendar, bookings (a person, or their
// agent under a live authorization), the no-show sweep and ban, reminders, and the
// day's queue at the hall (check-in, walk-ins, calling the next number to a window).
//
// Thread-safe. Every rule that must hold under concurrency is enforced by the database
// (store.h): a slot is never over-booked, and one person's limits are exact, on SQLite
// and on PostgreSQL, also with several server processes sharing one database.
//
// Errors: kInvalidArgument with field errors (422); kNotFound for an unknown hall or
// booking, and for a booking the caller may not see; kPermissionDenied (403) for
// callers authz refuses and for a person banned after no-shows (the message says until
// when); kConflict (409) for a full slot, a limit reached, a slot already started;
// kStaleVersion (412) for a stale If-Match.
#ifndef OW_APPOINTMENTS_SERVICE_H_
#define OW_APPOINTMENTS_SERVICE_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "appointments/model.h"
#include "authz/principal.h"
#include "calendar/service.h"
#include "catalog/service.h"
#include "core/notice.h"
#include "db/database.h"
#include "identity/service.h"
#include "indicators/recorder.h"
#include "notify/notifier.h"

namespace ow::appointments {

using authz::Principal;

// The notice table of this domain (codes "booking.*"), for the notifications domain.
std::span<const notice::Template> Notices();

// Hall as submitted (PUT): times as "HH:MM".
struct HallInput {
  std::string name, name_en, address, address_en, region_code, phone;
  struct Hours {
    int weekday = 0;
    std::string open, close;
  };
  std::vector<Hours> hours;
  int slot_minutes = 0;
  std::vector<Window> windows;
};

struct BookInput {
  std::string hall_code, item_code, day, start;  // day YYYY-MM-DD, start HH:MM
  std::string tracking_no;                       // optional: the person's case
  std::string for_username;                      // an agent booking for this person
};

// A day's slots of one item at a hall.
struct DaySlots {
  Date day;
  std::vector<Slot> slots;
};

struct QueueView {
  Date day;
  std::vector<Ticket> called;                            // the most recent first
  std::vector<std::pair<std::string, int64_t>> waiting;  // item code, count
};

// What the counter needs when it calls a number: the ticket, and for a booking the
// person (name and masked ID number) and the booked item.
struct Called {
  Ticket ticket;
  std::string person_name, person_resident_id_masked;
  std::string item_name, item_name_en;
};

// A case of the person's, found by tracking number as `who` may read it: the
// applicant's account and the item. kNotFound when there is none `who` may read.
using CaseLookup = std::function<Result<std::pair<std::string, std::string>>(
    const Principal& who, const std::string& tracking_no)>;

class Service {
 public:
  Service(db::Database& db, calendar::Service& calendar, catalog::Service& catalog,
          identity::Service& identity, notify::Notifier& notifier, Limits limits);

  void SetCaseLookup(CaseLookup lookup) { cases_ = std::move(lookup); }
  // Tests move the clock.
  void SetClock(std::function<SystemTime()> now) { now_ = std::move(now); }
  SystemTime Now() const { return now_(); }
  const Limits& limits() const { return limits_; }

  // Halls. Anyone reads them; PutHall creates or replaces (routes check the duty).
  // `region` ("" = all) keeps the halls of that region and below; `item` ("" = any) those
  // with a window serving the item.
  Result<std::vector<Hall>> ListHalls(const std::string& region, const std::string& item = "");
  Result<Hall> GetHall(const std::string& code);
  // Every window item must be a catalog item; hours must not overlap; `expected_version`
  // as If-Match. Returns the hall and whether it was created.
  Result<std::pair<Hall, bool>> PutHall(const std::string& code, const HallInput& in,
                                        std::optional<int64_t> expected_version);

  // The open slots of `item` at `hall` from today for limits().days_ahead days (those not
  // yet started), with the places left.
  Result<std::vector<DaySlots>> Slots(const std::string& hall, const std::string& item);

  // Bookings.
  Result<Booking> Book(const Principal& who, const BookInput& in);
  Result<Booking> Get(const Principal& who, const std::string& number);
  Result<std::vector<Booking>> Mine(const Principal& who);
  Result<Booking> Reschedule(const Principal& who, const std::string& number,
                             const std::string& day, const std::string& start,
                             std::optional<int64_t> expected_version);
  Result<Booking> Cancel(const Principal& who, const std::string& number);
  // The RFC 5545 calendar of a booking, for the person it is for (or who booked it).
  Result<std::string> Ics(const Principal& who, const std::string& number);

  // The hall's day: counter staff of the hall's region (authz kOperateHall).
  Result<Ticket> CheckIn(const Principal& staff, const std::string& hall,
                         const std::string& number);
  // The kiosk: whoever holds the booking number, at the hall, on the day.
  Result<Ticket> KioskCheckIn(const std::string& hall, const std::string& number);
  Result<Ticket> WalkIn(const Principal& staff, const std::string& hall, const std::string& item);
  // The next waiting number for the items `window` serves; nullopt when nobody waits.
  Result<std::optional<Called>> CallNext(const Principal& staff, const std::string& hall,
                                         int window);
  // Today's display: numbers being called and how many wait (no names).
  Result<QueueView> Queue(const std::string& hall);

  // Background work, safe on several nodes at once: marks bookings not checked in by the
  // end of their slot as no-shows; reminds people of tomorrow's bookings (from 09:00 China
  // time, once per booking). Return how many they handled.
  Result<int> SweepNoShows();
  Result<int> SendReminders();

  // Where bookings made, kept and missed are counted for the indicators (on the booked
  // day, at the hall), in the transaction that changed the booking (at start-up; null:
  // not counted).
  void SetIndicators(indicators::Recorder* recorder) { indicators_ = recorder; }

 private:
  Status CountIndicators(db::Connection& c, const Hall& h, const Booking& b,
                         indicators::Metric what);
  struct Booked;
  Result<Hall> HallForStaff(const Principal& staff, const std::string& code);
  Result<Booking> Visible(const Principal& who, const std::string& number);
  Result<Ticket> DoCheckIn(const Hall& h, const std::string& number);
  Status CheckBan(db::Connection& c, const std::string& account_id, Date today);
  // The slot of `item` at `start` on `day`, if the hall offers it.
  Result<Slot> FindSlot(const Hall& h, const std::string& item, Date day, int start,
                        const Calendar& cal);

  db::Database& db_;
  calendar::Service& calendar_;
  catalog::Service& catalog_;
  identity::Service& identity_;
  notify::Notifier& notifier_;
  indicators::Recorder* indicators_ = nullptr;
  Limits limits_;
  CaseLookup cases_;
  std::function<SystemTime()> now_;
};

// Creates or replaces hall `code` (what Service::PutHall does), for seeding without a
// running service. With `only_if_changed`, a hall stored exactly as `in` says is left
// alone (its version stays) and the result's second member is false.
Result<std::pair<Hall, bool>> PutHall(db::Database& db, catalog::Service& catalog,
                                      const std::string& code, const HallInput& in,
                                      std::optional<int64_t> expected_version, SystemTime now,
                                      bool* changed = nullptr);

// The slots a hall offers `item` on `day` (empty when closed or no window serves it),
// with capacity and nothing booked. Pure: exposed for tests.
std::vector<Slot> SlotsOfDay(const Hall& h, const std::string& item, Date day, const Calendar& cal);

}  // namespace ow::appointments

#endif  // OW_APPOINTMENTS_SERVICE_H_
