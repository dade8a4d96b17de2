// Appointments at government service halls (issue 15): halls with their weekly hours
// and windows (counters), the slots computed from those hours and the holiday calendar,
// bookings of a slot for an item, and the day's queue at the hall (check-in, walk-ins,
// calling the next number to a window).
//
// Times of day are the hall's local time in China (Asia/Shanghai, UTC+8 all year);
// instants are stored as RFC 3339 UTC (core/clock.h).
#ifndef OW_APPOINTMENTS_MODEL_H_
#define OW_APPOINTMENTS_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/calendar.h"

namespace ow::appointments {

// One opening period of a weekday, minutes after midnight: [open, close).
struct Period {
  int weekday = 1;  // ISO: 1 = Monday ... 7 = Sunday
  int open = 0;
  int close = 0;
};

struct Window {
  int number = 0;  // 1, 2, ... unique in the hall
  std::string name, name_en;
  std::vector<std::string> items;  // the item codes it serves
  int capacity = 1;                // bookings per item per slot at this window
};

struct Hall {
  std::string code;  // "330102-SMZX"
  std::string name, name_en, address, address_en;
  std::string region_code;
  std::string phone;
  std::vector<Period> hours;  // sorted by weekday, then open
  int slot_minutes = 30;
  std::vector<Window> windows;  // sorted by number
  int64_t version = 0;
  std::string updated_at;
};

// A slot of a day at a hall, for one item.
struct Slot {
  Date day;
  int start = 0;  // minutes after midnight, local time
  int end = 0;
  int capacity = 0;  // the sum of the capacities of the windows serving the item
  int booked = 0;
};

// Booking states. A booking holds its slot while it is kBooked or kCheckedIn.
inline constexpr const char* kBooked = "booked";
inline constexpr const char* kCheckedIn = "checked_in";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kNoShow = "no_show";

struct Booking {
  std::string number;      // "BK" + 10 characters: unguessable (the kiosk checks in by it)
  std::string account_id;  // the person it is for
  std::string booked_by;   // the account that booked it (the person, or their agent)
  std::string hall_code;
  std::string item_code;
  std::string item_name, item_name_en;  // as the catalog named the item when booked
  Date day;
  int start = 0, end = 0;   // local minutes after midnight
  std::string tracking_no;  // the person's case it is for, or ""
  std::string status;
  std::string queue_number;  // after check-in ("A007")
  std::string created_at, updated_at;
  int64_t version = 1;
};

// Someone waiting at the hall today, with a booking or walked in.
struct Ticket {
  std::string hall_code;
  Date day;
  std::string number;      // "A007" (bookings) or "W003" (walk-ins)
  std::string kind;        // "booking" or "walk_in"
  std::string booking_no;  // "" for walk-ins
  std::string account_id;  // the booking's person; "" for walk-ins
  std::string item_code;
  int priority = 0;    // local minutes: the booked slot's start, or the time of arrival
  std::string status;  // "waiting", "called"
  int window = 0;      // once called
  std::string called_at;
  std::string created_at;
};

// Limits against hoarding and no-shows (core/config: booking.*).
struct Limits {
  int days_ahead = 14;       // slots are offered from today to today + days_ahead - 1
  int max_active = 3;        // bookings a person holds at once (booked, not yet due)
  int per_item_per_day = 1;  // bookings of one item on one day
  int no_show_count = 3;     // this many no-shows ...
  int no_show_days = 90;     // ... within this many days ...
  int ban_days = 30;         // ... ban new bookings for this many days after the last
};

}  // namespace ow::appointments

#endif  // OW_APPOINTMENTS_MODEL_H_
