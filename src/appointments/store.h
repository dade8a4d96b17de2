// SQL for appointments. Used only by appointments::Service.
//
// Concurrency: a slot's bookings are counted in appt_slots.booked and claimed with one
// conditional UPDATE (booked < capacity), so two bookings can never both take the last
// place on either store; a person's booking changes first bump their appt_people row,
// whose lock (PostgreSQL row lock, SQLite's single writer) serializes them, so the
// per-person limits read after it are exact; the partial unique index on appt_bookings
// refuses a second live booking of one slot for one person whatever the code does.
#ifndef OW_APPOINTMENTS_STORE_H_
#define OW_APPOINTMENTS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "appointments/model.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::appointments {

std::vector<db::Migration> Migrations();

// "HH:MM" <-> minutes after midnight.
std::optional<int> ParseClock(std::string_view hhmm);
std::string FormatClock(int minutes);

class Store {
 public:
  // Halls.
  static Result<std::optional<Hall>> GetHall(db::Connection& c, const std::string& code);
  // Halls in the region (code prefix, "" = all) with a window serving `item` ("" = any).
  static Result<std::vector<Hall>> ListHalls(db::Connection& c, const std::string& region_prefix,
                                             const std::string& item);
  // Inserts when `previous_version` is 0, else updates if still at it (false if not).
  static Result<bool> PutHall(db::Connection& c, const Hall& h, int64_t previous_version);

  // Slots: the places booked of (hall, item, day, start) for many starts at once.
  static Result<std::vector<std::pair<int, int>>> BookedCounts(db::Connection& c,
                                                               const std::string& hall,
                                                               const std::string& item, Date day);
  // Takes one place if fewer than `capacity` are booked; false when the slot is full.
  static Result<bool> ClaimPlace(db::Connection& c, const std::string& hall,
                                 const std::string& item, Date day, int start, int capacity);
  static Status ReleasePlace(db::Connection& c, const std::string& hall, const std::string& item,
                             Date day, int start);

  // Locks the person's row until the transaction ends (creating it on first use).
  static Status LockPerson(db::Connection& c, const std::string& account_id);
  // The person's bookings still to come (booked, ending after `now`).
  static Result<int64_t> CountActive(db::Connection& c, const std::string& account_id,
                                     const std::string& now);
  // The person's live bookings (booked or checked in) of `item` on `day`, except `except`.
  static Result<int64_t> CountItemDay(db::Connection& c, const std::string& account_id,
                                      const std::string& item, Date day, const std::string& except);
  // The days of the person's no-shows on or after `since`, oldest first.
  static Result<std::vector<Date>> NoShowDays(db::Connection& c, const std::string& account_id,
                                              Date since);

  // Bookings.
  static Status InsertBooking(db::Connection& c, const Booking& b, const std::string& starts_at,
                              const std::string& ends_at);
  static Result<std::optional<Booking>> GetBooking(db::Connection& c, const std::string& number);
  // The person's bookings, newest day first; `account_id` either the person or the booker.
  static Result<std::vector<Booking>> ListBookings(db::Connection& c, const std::string& account_id,
                                                   int limit);
  // Moves a booked booking to another slot (if still at `version`).
  static Result<bool> MoveBooking(db::Connection& c, const Booking& b, const std::string& starts_at,
                                  const std::string& ends_at, int64_t version);
  // Sets the status (and queue number) if the booking is still `from`.
  static Result<bool> SetStatus(db::Connection& c, const std::string& number,
                                const std::string& from, const std::string& to,
                                const std::string& queue_number, const std::string& now);
  // Bookings still booked whose slot ended at or before `now` (at most `limit`).
  static Result<std::vector<Booking>> DueNoShows(db::Connection& c, const std::string& now,
                                                 int limit);
  // Booked bookings of `day` not reminded yet (at most `limit`).
  static Result<std::vector<Booking>> DueReminders(db::Connection& c, Date day, int limit);
  // Marks a booking reminded; false when another node already did.
  static Result<bool> ClaimReminder(db::Connection& c, const std::string& number);

  // The queue.
  static Result<int64_t> NextSequence(db::Connection& c, const std::string& hall, Date day,
                                      const std::string& prefix);
  static Status InsertTicket(db::Connection& c, const Ticket& t, int64_t seq);
  static Result<std::optional<Ticket>> NextWaiting(db::Connection& c, const std::string& hall,
                                                   Date day, const std::vector<std::string>& items);
  // Calls `number` to `window` if it is still waiting (false otherwise); the window's
  // previous ticket is done.
  static Result<bool> CallTicket(db::Connection& c, const std::string& hall, Date day,
                                 const std::string& number, int window, const std::string& by,
                                 const std::string& now);
  // The most recently called tickets, and the waiting count per item.
  static Result<std::vector<Ticket>> RecentlyCalled(db::Connection& c, const std::string& hall,
                                                    Date day, int limit);
  static Result<std::vector<std::pair<std::string, int64_t>>> WaitingCounts(db::Connection& c,
                                                                            const std::string& hall,
                                                                            Date day);
};

}  // namespace ow::appointments

#endif  // OW_APPOINTMENTS_STORE_H_
