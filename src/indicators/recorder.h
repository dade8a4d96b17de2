// How a domain moves the indicators (issue 17 part 4) inside its own transaction: the
// transition that changes a case, a rating, a ticket or a booking appends its counts to the
// indicators' journal, which a background job folds every second into its day's and
// month's rows of the aggregates (per region, department, item, hall and channel, and
// rolled up by region, department and item: indicators/store.h). An indicator is read from
// a bounded number of aggregate rows plus the journal's last second, never by scanning cases.
//
// Domains receive a Recorder* from the app (indicators::Service implements it) and never
// link the indicators domain, as with notify::Notifier. A null Recorder records nothing
// (the benchmark measures transitions with and without).
#ifndef OW_INDICATORS_RECORDER_H_
#define OW_INDICATORS_RECORDER_H_

#include <array>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace ow::db {
class Connection;
}

namespace ow::indicators {

// The counters of an aggregate row. Their names (kMetricNames) are the table's columns
// and the API's members.
enum Metric : int {
  kSubmitted,       // applications (cases submitted)
  kOnline,          // of which through an online channel (web, app, agent)
  kVisits,          // visits to a hall the applicants needed (counter intake, supply, pickup)
  kDecided,         // decisions
  kApproved,        // of which approvals
  kOnTime,          // decisions on or before the promised deadline
  kDecideDaysSum,   // working days from acceptance to decision, summed over decisions
  kDelivered,       // results delivered
  kRatings,         // ratings given (annulled ones taken out again)
  kRatingSum,       // their levels summed (1 = 非常不满意 ... 5 = 非常满意)
  kSatisfied,       // ratings of level 3 to 5
  kBad,             // 差评: ratings of level 1 or 2
  kRectified,       // bad ratings whose rectification was done
  kAnnulled,        // ratings annulled as malicious
  kTickets,         // consultations, complaints and suggestions received
  kComplaints,      // of which complaints
  kAnswered,        // tickets answered
  kAnsweredOnTime,  // answered on or before the due date
  kAnswerHoursSum,  // hours from receipt to answer, summed over answers
  kBookings,        // appointments booked
  kKept,            // bookings checked in at the hall
  kNoShows,         // bookings missed
  kMetricCount
};

inline constexpr std::array<const char*, kMetricCount> kMetricNames = {
    "submitted",        "online",    "visits",  "decided",    "approved",  "on_time",
    "decide_days_sum",  "delivered", "ratings", "rating_sum", "satisfied", "bad",
    "rectified",        "annulled",  "tickets", "complaints", "answered",  "answered_on_time",
    "answer_hours_sum", "bookings",  "kept",    "no_shows"};

// The working days to decide are kept as a histogram: 0..kMaxDays-1 exactly, and
// kMaxDays for "kMaxDays or more".
inline constexpr int kMaxDays = 60;

// What one transition adds to the aggregate row of its day and dimensions.
struct Count {
  std::string day;  // YYYY-MM-DD, the day in China the transition happened
  // "" when none. `channel` is always the channel the case was served on (web, app,
  // counter, agent ...), also for a rating of the case, whatever channel the rating came by.
  std::string region_code, department_code, item_code, hall_code, channel;
  std::array<int64_t, kMetricCount> add{};
  int decide_days = -1;  // >= 0: one more decision that took this many working days

  bool Empty() const {
    for (int64_t v : add)
      if (v != 0) return false;
    return decide_days < 0;
  }
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  // Adds `n` to its row inside the caller's open transaction `c`. Errors: those of the
  // store (the caller's transaction then rolls back as a whole).
  virtual Status Add(db::Connection& c, const Count& n) = 0;
};

}  // namespace ow::indicators

#endif  // OW_INDICATORS_RECORDER_H_
