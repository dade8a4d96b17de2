// Issue 17's indicator benchmark, on a database that ow_gen_cases filled (cases, events,
// ratings and the indicator rollups they leave; bench/indicators.sh makes it):
//
//   ow_indicators_bench DATABASE_URL [--reads N] [--lives N] [--region CODE]
//
// 1. The query mix of GET /api/v1/indicators (indicators::Service::Read as an evaluator's
//    system: totals, the previous period, the rows, ranked among peers): the last whole
//    month, the last whole ISO week and the last day of the data x the child regions, the
//    departments and the items of the city (--region, default the city with the most
//    submissions), its busiest county by item, its busiest department by day, and the
//    city's year by month. N reads each (default 200), p50 / p99 / max.
// 2. The plans of the city's month by department (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
//    ANALYZE on PostgreSQL).
// 3. The cost of keeping the aggregates: N case lives (default 200) through cases::Service
//    in this process, each a counter intake (submitted), acceptance, approval (decided) and
//    delivery, alternately with the indicators recorder wired and without it (cases
//    SetIndicators(nullptr)); the median time of each transition both ways and their
//    ratio. The transitions are the real ones (workflow, events, tasks, messages), on the
//    same database, in the same run. Recording is one append to the indicators' journal;
//    the background job indicator_fold (running here as on a server) folds it every second.
// 4. The fold's own cost: 5,000 journal entries appended and folded in one transaction
//    (rolled back), per entry.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "app/app.h"
#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "db/database.h"
#include "identity/service.h"
#include "indicators/service.h"
#include "indicators/store.h"

using namespace ow;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// This thread's CPU time in ms: unlike the wall clock, it does not count the time the
// thread waited for a core, so it stays meaningful on a shared machine (on SQLite the
// transition's work is this thread's; on PostgreSQL the backend's is not in it).
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Stats {
  double p50, p99, max;
};
Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.99), v.back()};
}

int Usage() {
  std::fprintf(stderr,
               "usage: ow_indicators_bench DATABASE_URL [--reads N] [--lives N] [--region CODE]\n");
  return 2;
}

// The value of the first row's first column of `sql`, as text ("" when none).
std::string One(db::Database& db, const std::string& sql, std::vector<db::Value> params = {}) {
  std::string out;
  (void)db.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, params));
    if (r.size() > 0 && !r.IsNull(0, 0)) {
      const auto& v = r.At(0, 0);
      out =
          std::holds_alternative<int64_t>(v) ? std::to_string(std::get<int64_t>(v)) : r.Text(0, 0);
    }
    return {};
  });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string url = argv[1];
  int reads = 200, lives = 200;
  std::string city;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reads"))
      reads = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--lives"))
      lives = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--region"))
      city = argv[i + 1];
    else
      return Usage();
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  log::SetLevel(log::Level::kWarn);
  // The environment as onewindow reads it (ONEWINDOW_KEY_FILE: the keys seed-demo used).
  auto config = LoadConfig("", ProcessEnvironment());
  if (!config) {
    std::fprintf(stderr, "ow_indicators_bench: %s\n", config.error().message.c_str());
    return 1;
  }
  config->database_url = url;
  config->listen = "127.0.0.1:0";
  auto app = app::App::Create(*config, /*handle_signals=*/false);
  if (!app) {
    std::fprintf(stderr, "ow_indicators_bench: %s\n", app.error().message.c_str());
    return 1;
  }
  db::Database& db = (*app)->database();
  const bool pg = url.rfind("postgres", 0) == 0;

  std::printf("store: %s\n", pg ? "postgresql" : "sqlite");
  std::printf("cases: %s, case events: %s, ratings: %s, indicator rollup rows: %s\n",
              One(db, "SELECT COUNT(*) FROM cases").c_str(),
              One(db, "SELECT COUNT(*) FROM case_events").c_str(),
              One(db, "SELECT COUNT(*) FROM ratings").c_str(),
              One(db, "SELECT COUNT(*) FROM indicator_rollups").c_str());
  for (int kind = 0; kind < 8; ++kind)
    std::printf(
        "  kind %d: %s rows\n", kind,
        One(db, "SELECT COUNT(*) FROM indicator_rollups WHERE kind = $1", {int64_t{kind}}).c_str());
  const std::string last = One(db, "SELECT MAX(period) FROM indicator_rollups WHERE kind = 0");
  auto last_day = ParseDate(last);
  if (!last_day) {
    std::fprintf(stderr, "ow_indicators_bench: no indicators (run ow_gen_cases first)\n");
    return 1;
  }
  if (city.empty())
    city = One(db,
               "SELECT substr(region_code, 1, 4) FROM indicator_rollups WHERE kind = 1 "
               "GROUP BY substr(region_code, 1, 4) ORDER BY SUM(submitted) DESC LIMIT 1");
  const std::string county =
      One(db,
          "SELECT region_code FROM indicator_rollups WHERE kind = 1 AND region_code >= $1 AND "
          "region_code < $2 AND length(region_code) >= 6 GROUP BY region_code ORDER BY "
          "SUM(submitted) DESC LIMIT 1",
          {city, city + ":"});
  const std::string department =
      One(db,
          "SELECT department_code FROM indicator_rollups WHERE kind = 3 AND region_code >= $1 AND "
          "region_code < $2 GROUP BY department_code ORDER BY SUM(submitted) DESC LIMIT 1",
          {city, city + ":"});
  const std::string department_region = One(
      db,
      "SELECT region_code FROM indicator_rollups WHERE kind = 3 AND department_code = $1 LIMIT 1",
      {department});

  // The periods: the last whole month, ISO week (Monday to Sunday) and day of the data.
  Date month_end = AddDays(Date{last_day->year, last_day->month, 1}, -1);
  if (AddDays(*last_day, 1).day == 1) month_end = *last_day;
  const Date month_start{month_end.year, month_end.month, 1};
  Date week_end = AddDays(*last_day, -(IsoWeekday(*last_day) % 7));
  const Date week_start = AddDays(week_end, -6);
  const Date year_start = AddDays(month_end, 1 - 365);
  std::printf("city %s, county %s, department %s (%s); month %s..%s, week %s..%s, day %s\n",
              city.c_str(), county.c_str(), department.c_str(), department_region.c_str(),
              FormatDate(month_start).c_str(), FormatDate(month_end).c_str(),
              FormatDate(week_start).c_str(), FormatDate(week_end).c_str(),
              FormatDate(*last_day).c_str());

  indicators::Service& svc = (*app)->indicators();
  authz::Principal evaluator;
  evaluator.via = authz::Via::kClientToken;
  evaluator.client_id = "bench";
  evaluator.scopes = {"indicators.read"};
  evaluator.name_for_audit = "client:bench";
  std::vector<double> all;
  double worst_p99 = 0;
  auto run = [&](const std::string& name, indicators::Query q) {
    std::vector<double> ms;
    size_t rows = 0;
    int64_t submitted = 0;
    for (int i = 0; i < reads; ++i) {
      auto s = Clock::now();
      auto r = svc.Read(evaluator, q);
      ms.push_back(Ms(Clock::now() - s));
      if (!r) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), r.error().message.c_str());
        std::exit(1);
      }
      rows = r->rows.size();
      submitted = r->totals.sum[indicators::kSubmitted];
    }
    all.insert(all.end(), ms.begin(), ms.end());
    auto st = Summarize(ms);
    worst_p99 = std::max(worst_p99, st.p99);
    std::printf("%-46s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%3zu rows, %lld submitted)\n",
                name.c_str(), st.p50, st.p99, st.max, rows, static_cast<long long>(submitted));
  };
  std::printf("\nreads (%d each; totals, previous period, rows, ranked):\n", reads);
  struct Period {
    const char* name;
    Date from, to;
  };
  for (const Period& p :
       {Period{"month", month_start, month_end}, Period{"week", week_start, week_end},
        Period{"day", *last_day, *last_day}}) {
    for (auto [gname, group] : {std::pair{"region", indicators::Group::kRegion},
                                std::pair{"department", indicators::Group::kDepartment},
                                std::pair{"item", indicators::Group::kItem}}) {
      indicators::Query q;
      q.region = city;
      q.from = p.from;
      q.to = p.to;
      q.group = group;
      run("city, " + std::string(p.name) + ", by " + gname, q);
    }
    indicators::Query q;
    q.region = county;
    q.from = p.from;
    q.to = p.to;
    q.group = indicators::Group::kItem;
    q.rank_by = "satisfaction";
    run("county, " + std::string(p.name) + ", by item (by satisfaction)", q);
    q.region = department_region;
    q.department = department;
    q.group = p.to == p.from ? indicators::Group::kChannel : indicators::Group::kDay;
    run("department, " + std::string(p.name) + ", by " + (p.to == p.from ? "channel" : "day"), q);
  }
  indicators::Query year;
  year.region = city;
  year.from = year_start;
  year.to = month_end;
  year.group = indicators::Group::kMonth;
  run("city, 365 days, by month", year);
  year.group = indicators::Group::kWeek;
  run("city, 365 days, by week", year);
  auto overall = Summarize(all);
  std::printf("ALL READS: p50 %.2f ms, p99 %.2f ms, worst query's p99 %.2f ms (target < 50 ms)\n",
              overall.p50, overall.p99, worst_p99);

  // The plans of the city's month by department.
  std::printf("\nplans of the city's month by department:\n");
  indicators::store::Filter f;
  f.region = city;
  f.from = FormatDate(month_start);
  f.to = FormatDate(month_end);
  for (const auto& [sql, params] :
       indicators::store::SumStatements(f, indicators::store::Column::kDepartment)) {
    (void)db.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(
          auto r,
          c.Query((pg ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + sql, params));
      for (size_t i = 0; i < r.size(); ++i)
        std::printf("  %s\n", r.Text(i, pg ? 0 : r.columns().size() - 1).c_str());
      return {};
    });
  }

  // The cost of keeping the aggregates on real case transitions.
  if (lives <= 0) return 0;
  auto login = [&](const char* user) -> Result<identity::Principal> {
    identity::LoginInput in{user, "OneWindow-demo-2026", "127.0.0.1", "ow_indicators_bench"};
    OW_ASSIGN_OR_RETURN(auto l, (*app)->identity().Login(in));
    return (*app)->identity().SessionPrincipal(l.cookie_value);
  };
  auto counter = login("hall.counter"), acceptor = login("sc.acceptor"),
       approver = login("sc.approver");
  if (!counter || !acceptor || !approver) {
    std::fprintf(stderr, "ow_indicators_bench: the demo accounts are needed (seed-demo)\n");
    return 1;
  }
  cases::Service& cs = (*app)->cases();
  const char* kSteps[] = {"submit (counter intake)", "accept", "approve (decided)", "deliver"};
  std::vector<double> with[4], without[4], cpu_with[4], cpu_without[4];
  auto life = [&](bool record) -> Status {
    cs.SetIndicators(record ? &svc : nullptr);
    auto& out = record ? with : without;
    auto& cpu = record ? cpu_with : cpu_without;
    cases::SubmitInput in;
    in.item_code = "3301-SCJG-GTDJ";
    in.region_code = "330102";
    in.form = {{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
               {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
               {"scope", "日用百货零售"}, {"phone", "13800000001"}};
    in.applicant_resident_id = "330102199003073017";
    in.applicant_name = "张三";
    auto t = Clock::now();
    double c0 = CpuMs();
    OW_ASSIGN_OR_RETURN(auto k, cs.Submit(*counter, in, std::chrono::system_clock::now()));
    out[0].push_back(Ms(Clock::now() - t));
    cpu[0].push_back(CpuMs() - c0);
    auto task = [&](const cases::Case& c, const char* node) -> const cases::Task* {
      for (const auto& x : c.tasks)
        if (x.status == "open" && (x.node == node || x.kind == node)) return &x;
      return nullptr;
    };
    const cases::Task* a = task(k, "accept");
    if (!a) return Internal("no acceptance task");
    t = Clock::now();
    c0 = CpuMs();
    OW_ASSIGN_OR_RETURN(k, cs.Complete(*acceptor, a->id, a->version, "accept", "材料齐全",
                                       std::chrono::system_clock::now()));
    out[1].push_back(Ms(Clock::now() - t));
    cpu[1].push_back(CpuMs() - c0);
    const cases::Task* r = task(k, "review");
    if (!r) return Internal("no review task");
    t = Clock::now();
    c0 = CpuMs();
    OW_ASSIGN_OR_RETURN(k, cs.Complete(*approver, r->id, r->version, "approve", "同意",
                                       std::chrono::system_clock::now()));
    out[2].push_back(Ms(Clock::now() - t));
    cpu[2].push_back(CpuMs() - c0);
    t = Clock::now();
    c0 = CpuMs();
    OW_ASSIGN_OR_RETURN(
        k, cs.Deliver(*acceptor, k.tracking_no, "counter", "", std::chrono::system_clock::now()));
    out[3].push_back(Ms(Clock::now() - t));
    cpu[3].push_back(CpuMs() - c0);
    return {};
  };
  std::printf(
      "\ncase transitions with and without keeping the aggregates (%d lives each, "
      "alternating, same database):\n",
      lives);
  for (int i = 0; i < 5; ++i)  // warm-up: caches, prepared statements
    if (auto st = life(i % 2 == 0); !st) {
      std::fprintf(stderr, "ow_indicators_bench: life: %s\n", st.error().message.c_str());
      return 1;
    }
  for (auto* vs : {with, without, cpu_with, cpu_without})
    for (int k = 0; k < 4; ++k) vs[k].clear();
  for (int i = 0; i < 2 * lives; ++i)
    if (auto st = life(i % 2 == 0); !st) {
      std::fprintf(stderr, "ow_indicators_bench: life: %s\n", st.error().message.c_str());
      return 1;
    }
  double sum_with = 0, sum_without = 0, worst = 0;
  for (int s = 0; s < 4; ++s) {
    auto w = Summarize(with[s]), wo = Summarize(without[s]);
    sum_with += w.p50;
    sum_without += wo.p50;
    const double extra = (w.p50 - wo.p50) / wo.p50 * 100;
    if (s != 1) worst = std::max(worst, extra);
    std::printf("%-26s with p50 %7.3f ms  without p50 %7.3f ms  aggregates %+6.1f %%\n", kSteps[s],
                w.p50, wo.p50, extra);
  }
  std::printf(
      "A WHOLE LIFE: with %.3f ms, without %.3f ms: aggregates %+.1f %%; worst counting "
      "transition %+.1f %% (target < 10 %%)\n",
      sum_with, sum_without, (sum_with - sum_without) / sum_without * 100, worst);
  std::printf("the same, as this thread's CPU time (p50):\n");
  double cpu_sum_with = 0, cpu_sum_without = 0;
  for (int s = 0; s < 4; ++s) {
    auto w = Summarize(cpu_with[s]), wo = Summarize(cpu_without[s]);
    cpu_sum_with += w.p50;
    cpu_sum_without += wo.p50;
    std::printf("%-26s with %7.3f ms  without %7.3f ms  aggregates %+6.1f %%\n", kSteps[s], w.p50,
                wo.p50, (w.p50 - wo.p50) / wo.p50 * 100);
  }
  std::printf("A WHOLE LIFE (CPU): with %.3f ms, without %.3f ms: aggregates %+.1f %%\n",
              cpu_sum_with, cpu_sum_without,
              (cpu_sum_with - cpu_sum_without) / cpu_sum_without * 100);

  // What the journal's fold costs, off the transitions' path: 5,000 entries shaped like a
  // busy second's (one county's items and halls, today and a few days back) appended, then
  // folded, in one transaction (so the background fold cannot take them first).
  constexpr int kFolded = 5000;
  double append_ms = 0, fold_ms = 0;
  auto fold = (*app)->database().Transact([&](db::Connection& c) -> Status {
    std::vector<indicators::Count> counts(kFolded);
    for (int i = 0; i < kFolded; ++i) {
      indicators::Count& n = counts[static_cast<size_t>(i)];
      n.day = FormatDate(AddDays(*last_day, -(i % 3)));
      n.region_code = county;
      n.department_code = department;
      n.item_code = "3301-SCJG-GTDJ-" + std::to_string(i % 40);
      n.hall_code = "H" + std::to_string(i % 4);
      n.channel = i % 3 == 0 ? "counter" : "online";
      n.add[indicators::kSubmitted] = 1;
      n.add[indicators::kOnline] = i % 3 == 0 ? 0 : 1;
      if (i % 2) n.decide_days = i % 25;
    }
    auto t = Clock::now();
    for (const auto& n : counts) OW_RETURN_IF_ERROR(indicators::store::Journal(c, n));
    append_ms = Ms(Clock::now() - t);
    t = Clock::now();
    OW_ASSIGN_OR_RETURN(int64_t moved, indicators::store::Fold(c, kFolded));
    fold_ms = Ms(Clock::now() - t);
    if (moved < kFolded) return Internal("the fold moved only " + std::to_string(moved));
    return Internal("rolled back on purpose");  // leave the database as it was
  });
  if (fold.error().message != "rolled back on purpose") {
    std::fprintf(stderr, "ow_indicators_bench: fold: %s\n", fold.error().message.c_str());
    return 1;
  }
  std::printf(
      "the journal: %d entries appended in %.1f ms (%.1f us each, inside the transitions), "
      "folded into the rollups in %.1f ms (%.1f us each, by the background job)\n",
      kFolded, append_ms, append_ms * 1000 / kFolded, fold_ms, fold_ms * 1000 / kFolded);
  return 0;
}
