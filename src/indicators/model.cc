#include "indicators/model.h"

#include <algorithm>
#include <cstdio>

namespace ow::indicators {
namespace {

constexpr std::array<std::pair<Group, std::string_view>, 9> kGroups = {{
    {Group::kNone, "none"},
    {Group::kDay, "day"},
    {Group::kWeek, "week"},
    {Group::kMonth, "month"},
    {Group::kRegion, "region"},
    {Group::kDepartment, "department"},
    {Group::kItem, "item"},
    {Group::kHall, "hall"},
    {Group::kChannel, "channel"},
}};

std::optional<double> Ratio(int64_t a, int64_t b) {
  if (b <= 0) return std::nullopt;
  return static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace

std::optional<Group> ParseGroup(std::string_view s) {
  for (const auto& [g, name] : kGroups)
    if (name == s) return g;
  return std::nullopt;
}

std::string_view GroupName(Group g) {
  for (const auto& [x, name] : kGroups)
    if (x == g) return name;
  return "none";
}

void Figures::Add(const Figures& o) {
  for (size_t i = 0; i < sum.size(); ++i) sum[i] += o.sum[i];
  for (size_t i = 0; i < days.size(); ++i) days[i] += o.days[i];
}

std::optional<double> Figures::OnlineShare() const { return Ratio(sum[kOnline], sum[kSubmitted]); }
std::optional<double> Figures::OnTimeRate() const { return Ratio(sum[kOnTime], sum[kDecided]); }
std::optional<double> Figures::AverageDays() const {
  return Ratio(sum[kDecideDaysSum], sum[kDecided]);
}
std::optional<int64_t> Figures::P90Days() const {
  int64_t n = 0;
  for (int64_t c : days) n += c;
  if (n == 0) return std::nullopt;
  // Nearest rank: the smallest d with at least ceil(0.9 n) decisions taking d days or fewer.
  const int64_t need = (9 * n + 9) / 10;
  int64_t seen = 0;
  for (size_t d = 0; d < days.size(); ++d) {
    seen += days[d];
    if (seen >= need) return static_cast<int64_t>(d);
  }
  return static_cast<int64_t>(kMaxDays);
}
std::optional<double> Figures::VisitsPerCase() const {
  return Ratio(sum[kVisits], sum[kSubmitted]);
}
std::optional<double> Figures::Satisfaction() const {
  return Ratio(sum[kSatisfied], sum[kRatings]);
}
std::optional<double> Figures::AverageLevel() const {
  return Ratio(sum[kRatingSum], sum[kRatings]);
}
std::optional<double> Figures::RectificationRate() const {
  return Ratio(sum[kRectified], sum[kBad]);
}
std::optional<double> Figures::AverageAnswerHours() const {
  return Ratio(sum[kAnswerHoursSum], sum[kAnswered]);
}
std::optional<double> Figures::AnswerOnTimeRate() const {
  return Ratio(sum[kAnsweredOnTime], sum[kAnswered]);
}
std::optional<double> Figures::NoShowRate() const {
  return Ratio(sum[kNoShows], sum[kKept] + sum[kNoShows]);
}

std::optional<double> Figures::Derived(std::string_view name) const {
  if (name == "online_share") return OnlineShare();
  if (name == "on_time_rate") return OnTimeRate();
  if (name == "average_days") return AverageDays();
  if (name == "p90_days") {
    auto p = P90Days();
    return p ? std::optional<double>(static_cast<double>(*p)) : std::nullopt;
  }
  if (name == "visits_per_case") return VisitsPerCase();
  if (name == "satisfaction") return Satisfaction();
  if (name == "average_level") return AverageLevel();
  if (name == "rectification_rate") return RectificationRate();
  if (name == "average_answer_hours") return AverageAnswerHours();
  if (name == "answer_on_time_rate") return AnswerOnTimeRate();
  if (name == "no_show_rate") return NoShowRate();
  return std::nullopt;
}

bool LowerIsBetter(std::string_view name) {
  return name == "average_days" || name == "p90_days" || name == "visits_per_case" ||
         name == "average_answer_hours" || name == "no_show_rate";
}

bool Rankable(std::string_view name) {
  return std::find(kRankable.begin(), kRankable.end(), name) != kRankable.end();
}

std::string PeriodKey(Group g, Date day) {
  char buf[16];
  if (g == Group::kMonth) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", day.year, day.month);
    return buf;
  }
  if (g == Group::kWeek) {
    // ISO 8601: the week belongs to the year of its Thursday.
    Date thursday = AddDays(day, 4 - IsoWeekday(day));
    Date jan1{thursday.year, 1, 1};
    int64_t week = (DaysSinceEpoch(thursday) - DaysSinceEpoch(jan1)) / 7 + 1;
    std::snprintf(buf, sizeof buf, "%04d-W%02d", thursday.year, static_cast<int>(week));
    return buf;
  }
  return FormatDate(day);
}

std::string ChildRegion(std::string_view region, std::string_view code) {
  static constexpr size_t kLevels[] = {2, 4, 6, 9, 12};
  if (code.size() <= region.size()) return std::string(code);
  for (size_t len : kLevels)
    if (len > region.size()) return std::string(code.substr(0, std::min(len, code.size())));
  return std::string(code);
}

void Rank(std::vector<Row>& rows, std::string_view rank_by) {
  const bool lower = LowerIsBetter(rank_by);
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    auto x = a.figures.Derived(rank_by), y = b.figures.Derived(rank_by);
    if (x.has_value() != y.has_value()) return x.has_value();
    if (!x) return a.key < b.key;
    if (*x != *y) return lower ? *x < *y : *x > *y;
    return a.key < b.key;
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    auto v = rows[i].figures.Derived(rank_by);
    if (!v) {
      rows[i].rank = 0;
      continue;
    }
    if (i > 0 && rows[i - 1].rank > 0 && rows[i - 1].figures.Derived(rank_by) == v)
      rows[i].rank = rows[i - 1].rank;
    else
      rows[i].rank = static_cast<int64_t>(i) + 1;
  }
}

}  // namespace ow::indicators
