// The indicators of a region (issue 17 part 4): sums of the day aggregates a Recorder
// keeps (recorder.h), rolled up at query time by day, ISO week, month, child region,
// department, item, hall or channel, with the derived rates, the average and 90th
// percentile of the working days to decide, the previous period for comparison and a
// ranking among peers. Pure types and functions (model.cc): no I/O, no clock reads.
#ifndef OW_INDICATORS_MODEL_H_
#define OW_INDICATORS_MODEL_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "indicators/recorder.h"

namespace ow::indicators {

// The longest period one query may cover (days, both ends included).
inline constexpr int kMaxPeriodDays = 366;

// How rows are grouped. kNone: totals only.
enum class Group { kNone, kDay, kWeek, kMonth, kRegion, kDepartment, kItem, kHall, kChannel };
std::optional<Group> ParseGroup(std::string_view s);
std::string_view GroupName(Group g);

struct Query {
  std::string region;                           // required: the region (and everything below it)
  std::string department, item, hall, channel;  // "" for every one
  Date from{}, to{};                            // both included
  Group group = Group::kNone;
  std::string rank_by;  // a derived figure's name (kRankable); "" for on_time_rate
};

// Sums and the histogram of one group.
struct Figures {
  std::array<int64_t, kMetricCount> sum{};
  std::array<int64_t, kMaxDays + 1> days{};  // decisions by working days to decide

  void Add(const Figures& o);
  // Derived figures; nullopt where the denominator is zero.
  std::optional<double> OnlineShare() const;         // online / submitted
  std::optional<double> OnTimeRate() const;          // on_time / decided
  std::optional<double> AverageDays() const;         // decide_days_sum / decided
  std::optional<int64_t> P90Days() const;            // from the histogram (nearest rank)
  std::optional<double> VisitsPerCase() const;       // visits / submitted
  std::optional<double> Satisfaction() const;        // satisfied / ratings
  std::optional<double> AverageLevel() const;        // rating_sum / ratings
  std::optional<double> RectificationRate() const;   // rectified / bad
  std::optional<double> AverageAnswerHours() const;  // answer_hours_sum / answered
  std::optional<double> AnswerOnTimeRate() const;    // answered_on_time / answered
  std::optional<double> NoShowRate() const;          // no_shows / (kept + no_shows)
  // The derived figure named `name` (one of kRankable).
  std::optional<double> Derived(std::string_view name) const;
};

// The derived figures a ranking may order by (higher is better except where noted by
// kLowerIsBetter).
inline constexpr std::array<const char*, 11> kRankable = {
    "online_share",         "on_time_rate",        "average_days",  "p90_days",
    "visits_per_case",      "satisfaction",        "average_level", "rectification_rate",
    "average_answer_hours", "answer_on_time_rate", "no_show_rate"};
bool LowerIsBetter(std::string_view name);
bool Rankable(std::string_view name);

struct Row {
  std::string key;  // the day, week ("2026-W49"), month, region, department, item, hall, channel
  Figures figures;
  int64_t rank = 0;  // 1 = best among the rows (peer groups only); 0 when not ranked
};

struct Report {
  Query query;
  Date previous_from{}, previous_to{};  // the period of the same length just before
  Figures totals, previous;
  std::vector<Row> rows;
};

// The key a day's row rolls up to: "2026-W49" (ISO week), "2026-12", or the day itself.
std::string PeriodKey(Group g, Date day);
// The child of `region` that `code` lies in (region codes nest: 2, 4, 6, 9, 12 digits);
// `code` itself when it has no deeper level or is `region`.
std::string ChildRegion(std::string_view region, std::string_view code);
// Orders `rows` best first by `rank_by` and numbers them 1..n (rows without the figure
// last, unranked). Ties share a rank.
void Rank(std::vector<Row>& rows, std::string_view rank_by);

}  // namespace ow::indicators

#endif  // OW_INDICATORS_MODEL_H_
