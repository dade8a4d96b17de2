// Generates cases for benchmarks, written in bulk straight into a OneWindow database:
//
//   ow_gen_cases --database URL --count N [--seed S] [--end YYYY-MM-DD] [--days D]
//                [--batch B]
//
// The database must already hold the schema and a catalog: run
// `onewindow --database URL seed-demo --dir demo` first (any catalog works: the items
// cases are made for are the published items with an implementation, and their
// departments and regions are those implementations'). Cases are added to what is there
// (ids after the largest one); the same seed on the same catalog gives the same cases.
//
// What is written, per case (bench/README.md, "Cases for benchmarks"):
//   - cases: submitted over the D days before --end (default: the last 365 days up to now,
//     China dates), on working days mostly and in office hours mostly; channel web
//     50 %, app 25 %, counter 20 %, agent 5 %; applicants are generated people (accounts
//     "gen-<n>", not in identity_accounts) or, at the counter, people without an account.
//   - a timeline from submission: acceptance (or not, 4 %) after 0 to 2 days, the decision
//     (approved 90 %, denied 10 %) within the promised days (8 % late, up to the statutory
//     limit), delivery 0 to 3 days later, closing 1 to 10 days after that; 3 % withdrawn
//     before the decision. The timeline is cut at --end, so recent cases are still in
//     flight (submitted, under_review, supplement_requested, suspended) and old ones
//     closed. Deadlines use calendar days x 7/5 (no holidays).
//   - case_events for every step reached (submitted, accepted / not_accepted, decided,
//     delivered, closed, withdrawn, supplement_requested, suspended), the open acceptance
//     task of each case still waiting for it.
//   - ratings (one per case and channel) for 60 % of delivered cases, a day or so after
//     delivery, levels 5..1 at 70/18/7/3/2 %; bad ones (1, 2) rectified ("done",
//     "confirmed") when older than 15 days, else at the department; their "rated" events;
//     rating_counts as the ratings service keeps them.
//   - the indicators (indicator_rollups, every kind: src/indicators/store.h) that the
//     transitions would have counted: submissions, decisions with their working days
//     (weekends off) and whether on time, deliveries, ratings (a bad one older than 15
//     days counted as rectified on its day), written with each batch in its transaction.
// In-flight cases under review carry no workflow instance (the engine never ran them):
// they are for reading, listing and counting, not for working on in the workbench.
//
// Batches of B cases (default 2,000) are one transaction each, with multi-row INSERTs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "cases/model.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "db/database.h"
#include "indicators/recorder.h"
#include "indicators/store.h"

namespace {

using ow::Date;
using ow::db::Connection;
using ow::db::Value;
using Clock = std::chrono::steady_clock;

struct Target {
  std::string item_code, item_name, item_name_en, department_code, region_code;
  int64_t item_version = 1, statutory_days = 20, promised_days = 10;
};

struct Options {
  std::string database;
  int64_t count = 0;
  uint64_t seed = 1;
  std::string end;  // YYYY-MM-DD, China date; default today
  int days = 365;
  int batch = 2000;
};

int Usage() {
  std::fprintf(stderr,
               "usage: ow_gen_cases --database URL --count N [--seed S] [--end YYYY-MM-DD] "
               "[--days D] [--batch B]\n");
  return 2;
}

// Seconds since the epoch -> the FormatTime form (UTC, RFC 3339 with Z).
std::string TimeText(int64_t unix) {
  return ow::FormatTime(ow::SystemTime(std::chrono::seconds(unix)));
}
std::string ChinaDay(int64_t unix) {
  return ow::FormatDate(ow::ChinaDate(ow::SystemTime(std::chrono::seconds(unix))));
}

// Multi-row INSERTs of `columns` values per row, sent every `per_statement` rows.
class BulkInsert {
 public:
  BulkInsert(std::string head, size_t columns, size_t per_statement, std::string tail = "")
      : head_(std::move(head)), tail_(std::move(tail)), columns_(columns), per_(per_statement) {}

  ow::Status Add(Connection& c, std::vector<Value> row) {
    for (auto& v : row) params_.push_back(std::move(v));
    if (params_.size() / columns_ >= per_) return Flush(c);
    return {};
  }
  ow::Status Flush(Connection& c) {
    size_t rows = params_.size() / columns_;
    if (rows == 0) return {};
    std::string sql = head_ + " VALUES ";
    size_t n = 1;
    for (size_t r = 0; r < rows; ++r) {
      sql += r ? ",(" : "(";
      for (size_t k = 0; k < columns_; ++k) {
        if (k) sql += ',';
        sql += '$' + std::to_string(n++);
      }
      sql += ')';
    }
    sql += tail_;
    auto done = c.Exec(sql, params_);
    params_.clear();
    if (!done) return done.error();
    return {};
  }

 private:
  std::string head_, tail_;
  size_t columns_, per_;
  std::vector<Value> params_;
};

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                     "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
constexpr const char* kGiven[] = {"伟", "芳", "娜",   "秀英", "敏", "静", "丽",   "强",
                                  "磊", "军", "洋",   "勇",   "艳", "杰", "娟",   "涛",
                                  "明", "超", "秀兰", "霞",   "平", "刚", "桂英", "晨"};
constexpr const char* kEnterprises[] = {"杭州云栖科技有限公司", "杭州西子餐饮管理有限公司",
                                        "浙江钱塘建设工程有限公司", "杭州湖滨商贸有限公司",
                                        "杭州之江物流有限公司"};

struct Rng {
  std::mt19937_64 g;
  double U() { return std::uniform_real_distribution<double>(0, 1)(g); }
  int64_t In(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(g); }
};

int64_t WorkDays(int64_t days) { return days * 7 / 5; }

int Run(const Options& o) {
  ow::db::Options dbo;
  dbo.pool_size = 2;
  auto opened = ow::db::Open(o.database, dbo);
  if (!opened) {
    std::fprintf(stderr, "ow_gen_cases: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& db = **opened;
  const bool pg = db.dialect() == ow::db::Dialect::kPostgres;

  std::vector<Target> targets;
  std::string process_key = "ow_default_approval";  // cases::kDefaultProcessKey
  int64_t process_version = 1, first_id = 1, first_rating = 1;
  auto read = db.Transact([&](Connection& c) -> ow::Status {
    auto r = c.Query(
        "SELECT m.item_code, i.name, i.name_en, m.department_code, m.region_code, "
        "i.current_version, i.statutory_days, i.promised_days FROM catalog_implementations m "
        "JOIN catalog_items i ON i.code = m.item_code WHERE i.status = 'published' "
        "ORDER BY m.item_code, m.region_code");
    if (!r) return r.error();
    for (size_t i = 0; i < r->size(); ++i) {
      Target t{r->Text(i, 0), r->Text(i, 1), r->Text(i, 2), r->Text(i, 3),
               r->Text(i, 4), r->Int(i, 5),  r->Int(i, 6),  r->Int(i, 7)};
      if (t.statutory_days <= 0) t.statutory_days = 20;
      if (t.promised_days <= 0 || t.promised_days > t.statutory_days)
        t.promised_days = t.statutory_days;
      targets.push_back(std::move(t));
    }
    auto v = c.Query("SELECT max(version) FROM process_definitions WHERE process_key = $1",
                     {process_key});
    if (!v) return v.error();
    if (!v->empty() && !v->IsNull(0, 0)) process_version = v->Int(0, 0);
    auto m = c.Query("SELECT max(id) FROM cases");
    if (!m) return m.error();
    first_id = m->Int(0, 0) + 1;
    auto mr = c.Query("SELECT max(id) FROM ratings");
    if (!mr) return mr.error();
    first_rating = mr->Int(0, 0) + 1;
    return {};
  });
  if (!read) {
    std::fprintf(stderr, "ow_gen_cases: %s (run onewindow seed-demo first)\n",
                 read.error().message.c_str());
    return 1;
  }
  if (targets.empty()) {
    std::fprintf(stderr, "ow_gen_cases: no published item with an implementation\n");
    return 1;
  }

  Date end_day = ow::ChinaDate(std::chrono::system_clock::now());
  if (!o.end.empty()) {
    auto d = ow::ParseDate(o.end);
    if (!d) return Usage();
    end_day = *d;
  }
  // The window ends at 24:00 China time of end_day (16:00 UTC); without --end, now: the end
  // of China's today is hours ahead, and nothing may have happened in the future.
  int64_t end_unix = (ow::DaysSinceEpoch(end_day) + 1) * 86400 - 8 * 3600;
  if (o.end.empty())
    end_unix = std::min<int64_t>(end_unix, std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  const int64_t start_day = ow::DaysSinceEpoch(end_day) - o.days + 1;

  Rng rng{std::mt19937_64(o.seed)};
  // A few items are common, most are rare (Zipf-like): weight 1/(rank+1).
  std::vector<double> cumulative;
  {
    std::vector<size_t> order(targets.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng.g);
    std::vector<Target> shuffled;
    for (size_t i : order) shuffled.push_back(targets[i]);
    targets = std::move(shuffled);
    double sum = 0;
    for (size_t i = 0; i < targets.size(); ++i) cumulative.push_back(sum += 1.0 / (i + 1));
  }
  auto pick_target = [&]() -> const Target& {
    double x = rng.U() * cumulative.back();
    size_t i = std::lower_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin();
    return targets[std::min(i, targets.size() - 1)];
  };

  // rating_counts, written at the end: (day, region, department, item, channel, level).
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string, int64_t>,
           int64_t>
      counts;

  // The indicators the transitions would have counted (cases/counts.cc, ratings), by day,
  // region, department, item and channel; written with each batch (indicators::store::AddAll).
  using IndicatorKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<IndicatorKey, ow::indicators::Figures> indicators;
  const ow::Calendar calendar;  // weekends off, no holidays (as the deadlines here)
  double indicator_seconds = 0;

  const char* kCaseHead =
      "INSERT INTO cases (id, item_code, item_name, item_version, bundle_id, "
      "applicant_account_id, applicant_name, applicant_id_masked, channel, submitted_by, "
      "submitted_by_account, intake_region, department_code, region_code, status, decision, "
      "supplement_from, form, process_key, process_version, instance, statutory_days, "
      "promised_days, accepted_on, pauses, promised_deadline, statutory_deadline, next_timer_at, "
      "created_at, updated_at, version, applicant_enterprise, item_name_en, situation)";
  constexpr size_t kCaseColumns = 34;
  const char* kEventHead =
      "INSERT INTO case_events (case_id, at, actor, channel, action, from_status, to_status, "
      "reason, detail)";
  const char* kTaskHead =
      "INSERT INTO case_tasks (case_id, kind, engine_task, node, name, role, department_code, "
      "region_code, status, claimed_by, due, created_at, closed_at, closed_by, decision, "
      "opinion, close_reason, version)";
  const char* kRatingHead =
      "INSERT INTO ratings (id, number, case_no, item_code, department_code, region_code, "
      "service_channel, channel, rater_account, registered_by, level, reasons, comment, stage, "
      "outcome, rectify_days, due_date, contact_note, result, appeal, instruction, annul_reason, "
      "process_version, instance, created_at, updated_at, version)";
  const char* kRatingEventHead = "INSERT INTO rating_events (rating_id, at, actor, action, note)";

  int64_t made = 0, events_made = 0, ratings_made = 0, next_rating = first_rating;
  std::map<std::string, int64_t> by_status;
  auto t0 = Clock::now();
  while (made < o.count) {
    int64_t n = std::min<int64_t>(o.batch, o.count - made);
    // Everything random is drawn outside the transaction (a retried batch writes the same).
    struct Row {
      std::vector<Value> c;
      std::vector<std::vector<Value>> events, tasks, ratings, rating_events;
    };
    std::vector<Row> rows(n);
    for (int64_t k = 0; k < n; ++k) {
      Row& row = rows[k];
      const int64_t id = first_id + made + k;
      const Target& t = pick_target();
      // Submission: a day of the window (weekends 15 % as likely), office hours mostly.
      int64_t day;
      do {
        day = start_day + rng.In(0, o.days - 1);
      } while (ow::IsWeekend(ow::DateFromDays(day)) && rng.U() > 0.15);
      int64_t second = rng.U() < 0.85 ? rng.In(9 * 3600, 17 * 3600) : rng.In(0, 86399);
      int64_t submitted = day * 86400 + second - 8 * 3600;  // China time -> UTC
      if (submitted >= end_unix) submitted = end_unix - 60;
      double ch = rng.U();
      std::string channel = ch < 0.5    ? ow::cases::kWeb
                            : ch < 0.75 ? ow::cases::kApp
                            : ch < 0.95 ? ow::cases::kCounterChannel
                                        : ow::cases::kAgentChannel;
      int64_t person = rng.In(1, std::max<int64_t>(1000, o.count / 3));
      bool enterprise = rng.U() < 0.2;
      std::string account = "gen-" + std::to_string(person);
      std::string name = enterprise
                             ? kEnterprises[person % 5]
                             : std::string(kSurnames[person % 20]) + kGiven[(person / 20) % 24];
      std::string masked = enterprise ? ""
                                      : t.region_code.substr(0, 6) + "********" +
                                            std::to_string(1000 + person % 9000);
      std::string applicant_account = account, submitted_by = account;
      std::string intake = t.region_code;
      if (channel == ow::cases::kCounterChannel) {
        submitted_by = "hall.counter";
        if (rng.U() < 0.5) applicant_account = "";
      } else if (channel == ow::cases::kAgentChannel) {
        submitted_by = "agent-" + std::to_string(person % 97);
      }
      std::string enterprise_code;
      if (enterprise) {
        enterprise_code = "91330102MA" + std::to_string(10000000 + person % 5) + "X";
        applicant_account = "";
      }

      // The timeline (seconds since the epoch; 0: not reached).
      std::string status = ow::cases::kSubmitted, decision, supplement_from, accepted_on,
                  promised_deadline, statutory_deadline;
      struct Step {
        int64_t at;
        std::string actor, action, from, to, reason;
      };
      std::vector<Step> steps;
      auto reach = [&](int64_t at, const std::string& actor, const std::string& action,
                       const std::string& to, const std::string& reason = "") {
        if (at >= end_unix) return false;
        steps.push_back({at, actor, action, status, to, reason});
        status = to;
        return true;
      };
      steps.push_back({submitted, submitted_by, "submitted", "", ow::cases::kSubmitted, ""});
      auto count = [&](int64_t at, const std::string& by) -> ow::indicators::Figures& {
        return indicators[{ChinaDay(at), t.region_code, t.department_code, t.item_code, by}];
      };
      {
        auto& f = count(submitted, channel);
        const bool counter = channel == ow::cases::kCounterChannel;
        f.sum[ow::indicators::kSubmitted] += 1;
        f.sum[ow::indicators::kOnline] += counter ? 0 : 1;
        f.sum[ow::indicators::kVisits] += counter ? 1 : 0;
      }
      const std::string acceptor = "sc.acceptor", approver = "sc.approver";
      int64_t accept_at = submitted + rng.In(600, 2 * 86400);
      bool withdraws = rng.U() < 0.03;
      bool refused = rng.U() < 0.04;
      if (withdraws && rng.U() < 0.3) {
        reach(submitted + rng.In(600, 86400), submitted_by, "withdrawn", ow::cases::kWithdrawn,
              "不再需要");
      } else if (refused) {
        if (reach(accept_at, acceptor, "not_accepted", ow::cases::kNotAccepted, "材料不齐全"))
          reach(accept_at + rng.In(86400, 10 * 86400), acceptor, "closed", ow::cases::kClosed);
      } else if (reach(accept_at, acceptor, "accepted", ow::cases::kUnderReview)) {
        accepted_on = ChinaDay(accept_at);
        Date a = *ow::ParseDate(accepted_on);
        promised_deadline = ow::FormatDate(ow::AddDays(a, WorkDays(t.promised_days)));
        statutory_deadline = ow::FormatDate(ow::AddDays(a, WorkDays(t.statutory_days)));
        int64_t limit = rng.U() < 0.08 ? WorkDays(t.statutory_days) : WorkDays(t.promised_days);
        int64_t decide_at = accept_at + rng.In(3600, std::max<int64_t>(1, limit) * 86400);
        if (withdraws) {
          reach(accept_at + (decide_at - accept_at) / 2, submitted_by, "withdrawn",
                ow::cases::kWithdrawn, "不再需要");
        } else if (decide_at >= end_unix) {
          // Still under review at the end: some wait for a supplement or are suspended.
          double p = rng.U();
          int64_t at = accept_at + (end_unix - accept_at) / 2;
          if (p < 0.06 && reach(at, approver, "supplement_requested",
                                ow::cases::kSupplementRequested, "请补充材料")) {
            supplement_from = ow::cases::kUnderReview;
          } else if (p < 0.08) {
            reach(at, approver, "suspended", ow::cases::kSuspended, "需要现场核查");
          }
        } else {
          bool approved = rng.U() < 0.9;
          std::string to = approved ? ow::cases::kApproved : ow::cases::kDenied;
          if (reach(decide_at, approver, "decided", to)) {
            decision = to;
            {
              auto& f = count(decide_at, channel);
              const std::string on = ChinaDay(decide_at);
              const int days = static_cast<int>(std::max<int64_t>(
                  0, calendar.WorkingDaysBetween(*ow::ParseDate(accepted_on), *ow::ParseDate(on))));
              f.sum[ow::indicators::kDecided] += 1;
              f.sum[ow::indicators::kApproved] += approved ? 1 : 0;
              f.sum[ow::indicators::kOnTime] += on <= promised_deadline ? 1 : 0;
              f.sum[ow::indicators::kDecideDaysSum] += days;
              f.days[static_cast<size_t>(std::min(days, ow::indicators::kMaxDays))] += 1;
            }
            int64_t deliver_at = decide_at + rng.In(600, 3 * 86400);
            if (reach(deliver_at, acceptor, "delivered", ow::cases::kDelivered)) {
              count(deliver_at, channel).sum[ow::indicators::kDelivered] += 1;
              reach(deliver_at + rng.In(86400, 10 * 86400), acceptor, "closed", ow::cases::kClosed);
              // A rating a day or so after delivery.
              int64_t rated_at = deliver_at + rng.In(600, 3 * 86400);
              if (rng.U() < 0.6 && rated_at < end_unix) {
                double l = rng.U();
                int64_t level = l < 0.70 ? 5 : l < 0.88 ? 4 : l < 0.95 ? 3 : l < 0.98 ? 2 : 1;
                std::string rch = channel == ow::cases::kCounterChannel
                                      ? (rng.U() < 0.5 ? "counter" : "terminal")
                                      : (rng.U() < 0.8 ? "online" : "sms");
                bool bad = level <= 2;
                bool old = rated_at < end_unix - 15 * 86400;
                std::string stage = bad ? (old ? "done" : "department") : "";
                std::string outcome = bad && old ? "confirmed" : "";
                std::string rday = ChinaDay(rated_at);
                std::string due = bad ? ow::FormatDate(ow::AddDays(*ow::ParseDate(rday), 7)) : "";
                static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
                std::string number =
                    "PJ" + rday.substr(0, 4) + rday.substr(5, 2) + rday.substr(8, 2);
                // Unique across runs: the rating id, spelled in the 10 characters.
                for (int i = 9; i >= 0; --i)
                  number += kAlphabet[(static_cast<uint64_t>(next_rating) >> (5 * i)) & 31];
                std::string reasons = level >= 4   ? "[\"efficient\"]"
                                      : level == 3 ? "[]"
                                                   : "[\"slow\"]";
                std::string case_no = ow::cases::TrackingNo(id, TimeText(submitted));
                std::string rater =
                    rch == "counter" || rch == "terminal" ? applicant_account : account;
                std::string registered = rch == "counter" || rch == "terminal" ? acceptor : "";
                int64_t rid = next_rating++;
                row.ratings.push_back({rid,
                                       number,
                                       case_no,
                                       t.item_code,
                                       t.department_code,
                                       t.region_code,
                                       channel,
                                       rch,
                                       rater,
                                       registered,
                                       level,
                                       reasons,
                                       std::string(""),
                                       stage,
                                       outcome,
                                       int64_t{bad ? 5 : 0},
                                       due,
                                       std::string(""),
                                       std::string(""),
                                       std::string(""),
                                       std::string(""),
                                       std::string(""),
                                       int64_t{1},
                                       std::string("null"),
                                       TimeText(rated_at),
                                       TimeText(rated_at),
                                       int64_t{1}});
                row.rating_events.push_back({rid, TimeText(rated_at),
                                             rater.empty() ? registered : rater,
                                             std::string("rated"), std::to_string(level)});
                counts[{rday, t.region_code, t.department_code, t.item_code, rch, level}] += 1;
                {
                  auto& f = count(rated_at, rch);
                  f.sum[ow::indicators::kRatings] += 1;
                  f.sum[ow::indicators::kRatingSum] += level;
                  f.sum[ow::indicators::kSatisfied] += level >= 3 ? 1 : 0;
                  f.sum[ow::indicators::kBad] += bad ? 1 : 0;
                  f.sum[ow::indicators::kRectified] += bad && old ? 1 : 0;
                }
              }
            }
          }
        }
      }
      // The acceptance task of a case waiting for it.
      if (status == ow::cases::kSubmitted) {
        row.tasks.push_back({id, std::string("accept"), int64_t{0}, std::string("accept"),
                             std::string("受理"), std::string("acceptor"), t.department_code,
                             t.region_code, std::string("open"), std::string(""), std::string(""),
                             TimeText(submitted), std::string(""), std::string(""), std::string(""),
                             std::string(""), std::string(""), int64_t{1}});
      }
      for (const auto& s : steps) {
        std::string detail = s.action == "submitted"
                                 ? "{\"intake_region\":\"" + intake + "\",\"department_code\":\"" +
                                       t.department_code + "\",\"region_code\":\"" + t.region_code +
                                       "\",\"materials\":0,\"process\":\"" + process_key + "@" +
                                       std::to_string(process_version) + "\",\"generated\":true}"
                                 : "{\"generated\":true}";
        std::string ev_channel = s.action == "submitted" || s.action == "withdrawn"
                                     ? channel
                                     : std::string(ow::cases::kWorkbench);
        row.events.push_back(
            {id, TimeText(s.at), s.actor, ev_channel, s.action, s.from, s.to, s.reason, detail});
      }
      by_status[status] += 1;
      std::string form = "{\"phone\":\"138" + std::to_string(10000000 + person % 90000000) +
                         "\",\"note\":\"generated\"}";
      int64_t last = steps.back().at;
      row.c = {id,
               t.item_code,
               t.item_name,
               t.item_version,
               Value{},
               applicant_account.empty() ? Value{} : Value{applicant_account},
               name,
               masked,
               channel,
               submitted_by,
               submitted_by == "hall.counter" ? std::string("gen-hall-counter") : submitted_by,
               intake,
               t.department_code,
               t.region_code,
               status,
               decision,
               supplement_from,
               form,
               process_key,
               process_version,
               std::string("null"),
               t.statutory_days,
               t.promised_days,
               accepted_on,
               std::string("[]"),
               promised_deadline,
               statutory_deadline,
               Value{},
               TimeText(submitted),
               TimeText(last),
               static_cast<int64_t>(steps.size()),
               enterprise_code,
               t.item_name_en,
               std::string("[]")};
    }
    auto done = db.Transact([&](Connection& c) -> ow::Status {
      BulkInsert cases(kCaseHead, kCaseColumns, 400);
      BulkInsert events(kEventHead, 9, 2000);
      BulkInsert tasks(kTaskHead, 18, 1000);
      BulkInsert ratings(kRatingHead, 27, 500);
      BulkInsert rating_events(kRatingEventHead, 5, 2000);
      for (auto& r : rows) OW_RETURN_IF_ERROR(cases.Add(c, r.c));
      OW_RETURN_IF_ERROR(cases.Flush(c));
      for (auto& r : rows) {
        for (auto& e : r.events) OW_RETURN_IF_ERROR(events.Add(c, e));
        for (auto& e : r.tasks) OW_RETURN_IF_ERROR(tasks.Add(c, e));
        for (auto& e : r.ratings) OW_RETURN_IF_ERROR(ratings.Add(c, e));
      }
      OW_RETURN_IF_ERROR(events.Flush(c));
      OW_RETURN_IF_ERROR(tasks.Flush(c));
      OW_RETURN_IF_ERROR(ratings.Flush(c));
      for (auto& r : rows)
        for (auto& e : r.rating_events) OW_RETURN_IF_ERROR(rating_events.Add(c, e));
      OW_RETURN_IF_ERROR(rating_events.Flush(c));
      // The batch's indicators, in its own transaction as the transitions would.
      auto ti = Clock::now();
      std::vector<ow::indicators::store::DayTotals> totals;
      totals.reserve(indicators.size());
      for (const auto& [key, fig] : indicators) {
        const auto& [iday, region, dept, item, ch] = key;
        totals.push_back({iday, region, dept, item, "", ch, fig});
      }
      OW_RETURN_IF_ERROR(ow::indicators::store::AddAll(c, totals));
      indicator_seconds += std::chrono::duration<double>(Clock::now() - ti).count();
      return {};
    });
    if (!done) {
      std::fprintf(stderr, "ow_gen_cases: %s\n", done.error().message.c_str());
      return 1;
    }
    for (auto& r : rows) {
      events_made += static_cast<int64_t>(r.events.size());
      ratings_made += static_cast<int64_t>(r.ratings.size());
    }
    indicators.clear();
    made += n;
    if (made % 100000 < n || made == o.count) {
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      std::fprintf(stderr, "%lld cases, %.1f s\n", static_cast<long long>(made), s);
    }
  }

  auto finish = db.Transact([&](Connection& c) -> ow::Status {
    BulkInsert upsert(
        "INSERT INTO rating_counts (day, region_code, department_code, item_code, channel, "
        "level, ratings, annulled, rectified)",
        9, 1000,
        " ON CONFLICT (day, region_code, department_code, item_code, channel, level) DO UPDATE "
        "SET ratings = rating_counts.ratings + excluded.ratings");
    for (const auto& [key, n] : counts) {
      const auto& [day, region, dept, item, channel, level] = key;
      OW_RETURN_IF_ERROR(
          upsert.Add(c, {day, region, dept, item, channel, level, n, int64_t{0}, int64_t{0}}));
    }
    OW_RETURN_IF_ERROR(upsert.Flush(c));
    if (pg) {
      // Explicit ids: move the identity sequences past them.
      for (const char* table : {"cases", "ratings"}) {
        auto r = c.Query(std::string("SELECT setval(pg_get_serial_sequence('") + table +
                         "', 'id'), (SELECT max(id) FROM " + table + "))");
        if (!r) return r.error();
      }
    }
    return {};
  });
  if (!finish) {
    std::fprintf(stderr, "ow_gen_cases: %s\n", finish.error().message.c_str());
    return 1;
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("generated %lld cases (ids %lld to %lld), %lld events, %lld ratings in %.1f s\n",
              static_cast<long long>(made), static_cast<long long>(first_id),
              static_cast<long long>(first_id + made - 1), static_cast<long long>(events_made),
              static_cast<long long>(ratings_made), s);
  std::printf(
      "indicators: %.1f s of that writing their rollups (indicators::store::AddAll, with each "
      "batch)\n",
      indicator_seconds);
  for (const auto& [st, n] : by_status)
    std::printf("  %-22s %lld\n", st.c_str(), static_cast<long long>(n));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = next();
    if (!v) return Usage();
    if (a == "--database") {
      o.database = v;
    } else if (a == "--count") {
      o.count = std::atoll(v);
    } else if (a == "--seed") {
      o.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--end") {
      o.end = v;
    } else if (a == "--days") {
      o.days = std::atoi(v);
    } else if (a == "--batch") {
      o.batch = std::atoi(v);
    } else {
      return Usage();
    }
  }
  if (o.database.empty() || o.count <= 0 || o.count > 100000000 || o.days < 1 || o.days > 3650 ||
      o.batch < 1 || o.batch > 100000)
    return Usage();
  return Run(o);
}
