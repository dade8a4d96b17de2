// Indicator reads over the aggregates of N generated cases (issue 17's benchmark, in part):
// fills indicator_days and indicator_decide_days with what N cases spread over a year would
// have left (13 counties of 3301, 20 departments each, 10 items each, 4 channels), then
// times GET-equivalent reads (indicators::Service::Read) of a month of the city grouped by
// department, and of a year by month; and the cost of one Recorder::Add in a transaction
// against the same transaction without it.
//
//   build/dev/bench/ow_indicators_bench sqlite:/tmp/ind.db [cases] [queries]
//   build/dev/bench/ow_indicators_bench postgresql://... [cases] [queries]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "indicators/service.h"
#include "indicators/store.h"

using namespace ow;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
  double p50, p99, max;
};
Stats Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.99), v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATABASE_URL [cases] [queries]\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const int64_t cases = argc > 2 ? std::stoll(argv[2]) : 1000000;
  const int queries = argc > 3 ? std::stoi(argv[3]) : 1000;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto db = db::Open(url, db::Options{});
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    return 1;
  }
  if (auto m = db::Migrate(**db, indicators::Migrations()); !m) {
    std::fprintf(stderr, "migrate: %s\n", m.error().message.c_str());
    return 1;
  }
  // What N cases leave: one submission and (for 90 %) one decision each, aggregated.
  std::mt19937_64 rng(20261207);
  const Date jan1{2026, 1, 1};
  using Key = std::tuple<int, int, int, int, int>;  // day, county, department, item, channel
  std::map<Key, indicators::Count> rows;
  std::map<std::pair<Key, int>, int64_t> hist;
  const char* channels[] = {"web", "app", "counter", "agent"};
  auto key_of = [&](int day, int county, int dept, int item, int ch) -> indicators::Count& {
    auto& n = rows[{day, county, dept, item, ch}];
    if (n.day.empty()) {
      n.day = FormatDate(AddDays(jan1, day));
      char region[16], department[32], it[48];
      std::snprintf(region, sizeof region, "3301%02d", county + 2);
      std::snprintf(department, sizeof department, "%s-D%02d", region, dept);
      std::snprintf(it, sizeof it, "%s-I%02d", department, item);
      n.region_code = region;
      n.department_code = department;
      n.item_code = it;
      n.channel = channels[ch];
    }
    return n;
  };
  auto t0 = Clock::now();
  for (int64_t i = 0; i < cases; ++i) {
    int day = static_cast<int>(rng() % 365), county = static_cast<int>(rng() % 13),
        dept = static_cast<int>(rng() % 20), item = static_cast<int>(rng() % 10),
        ch = static_cast<int>(rng() % 4);
    auto& s = key_of(day, county, dept, item, ch);
    s.add[indicators::kSubmitted] += 1;
    s.add[indicators::kOnline] += ch == 2 ? 0 : 1;
    s.add[indicators::kVisits] += ch == 2 ? 1 : 0;
    if (rng() % 10 == 9) continue;
    int took = static_cast<int>(rng() % 20);
    int dday = std::min(364, day + took + took / 5 * 2);
    auto& d = key_of(dday, county, dept, item, ch);
    d.add[indicators::kDecided] += 1;
    d.add[indicators::kOnTime] += took <= 15 ? 1 : 0;
    d.add[indicators::kDecideDaysSum] += took;
    hist[{{dday, county, dept, item, ch}, took}] += 1;
  }
  // A database already filled (a second run on the same file) is read as it is.
  int64_t present = 0;
  (void)(*db)->Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM indicator_days", {}));
    present = r.Int(0, 0);
    return {};
  });
  if (present > 0) {
    rows.clear();
    hist.clear();
  }
  // Written through the store in batches (aggregates of equal content to N single Adds).
  std::vector<const indicators::Count*> all;
  for (auto& [k, n] : rows) all.push_back(&n);
  for (size_t at = 0; at < all.size(); at += 2000) {
    auto st = (*db)->Transact([&](db::Connection& c) -> Status {
      for (size_t i = at; i < std::min(all.size(), at + 2000); ++i)
        OW_RETURN_IF_ERROR(indicators::store::Add(c, *all[i]));
      return {};
    });
    if (!st) {
      std::fprintf(stderr, "fill: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  std::vector<std::pair<std::pair<Key, int>, int64_t>> hv(hist.begin(), hist.end());
  for (size_t at = 0; at < hv.size(); at += 2000) {
    auto st = (*db)->Transact([&](db::Connection& c) -> Status {
      for (size_t i = at; i < std::min(hv.size(), at + 2000); ++i) {
        const auto& [kd, count] = hv[i];
        const auto& [day, county, dept, item, ch] = kd.first;
        const indicators::Count& n = key_of(day, county, dept, item, ch);
        // One row per bucket with its count (store::Add adds one decision at a time).
        OW_RETURN_IF_ERROR(c.Exec(
            "INSERT INTO indicator_decide_days (day, region_code, department_code, item_code, "
            "hall_code, channel, days, n) VALUES ($1, $2, $3, $4, '', $5, $6, $7)",
            {n.day, n.region_code, n.department_code, n.item_code, n.channel,
             static_cast<int64_t>(kd.second), count}));
      }
      return {};
    });
    if (!st) {
      std::fprintf(stderr, "fill: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  std::printf("filled %zu day rows and %zu histogram rows for %lld cases in %.1f s\n", rows.size(),
              hist.size(), static_cast<long long>(cases), Ms(Clock::now() - t0) / 1000);

  indicators::Service svc(**db);
  authz::Principal evaluator;
  evaluator.via = authz::Via::kClientToken;
  evaluator.client_id = "bench";
  evaluator.scopes = {"indicators.read"};
  auto run = [&](const char* name, indicators::Query q) {
    std::vector<double> ms;
    for (int i = 0; i < queries; ++i) {
      auto s = Clock::now();
      auto r = svc.Read(evaluator, q);
      ms.push_back(Ms(Clock::now() - s));
      if (!r) {
        std::fprintf(stderr, "%s: %s\n", name, r.error().message.c_str());
        return;
      }
    }
    auto st = Summarize(ms);
    std::printf("%-44s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms (%d reads)\n", name, st.p50, st.p99,
                st.max, queries);
  };
  indicators::Query month{
      "3301", "", "", "", "", Date{2026, 6, 1}, Date{2026, 6, 30}, indicators::Group::kDepartment,
      ""};
  run("city, a month, by department (ranked)", month);
  indicators::Query county = month;
  county.region = "330102";
  county.group = indicators::Group::kItem;
  run("county, a month, by item (ranked)", county);
  indicators::Query dept = county;
  dept.department = "330102-D03";
  dept.group = indicators::Group::kDay;
  run("department, a month, by day", dept);
  indicators::Query year = month;
  year.from = Date{2026, 1, 1};
  year.to = Date{2026, 12, 31};
  year.group = indicators::Group::kMonth;
  run("city, a year, by month", year);

  // The cost of keeping aggregates: a transaction with one Add (a decision's two upserts)
  // against the same transaction doing one representative write without it.
  indicators::Count n = key_of(200, 3, 4, 5, 1);
  n.add = {};
  n.add[indicators::kDecided] = 1;
  n.decide_days = 3;
  std::vector<double> with, without;
  for (int i = 0; i < 2000; ++i) {
    auto s = Clock::now();
    auto st = (*db)->Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Exec("SELECT 1", {}));
      return indicators::store::Add(c, n);
    });
    with.push_back(Ms(Clock::now() - s));
    s = Clock::now();
    st = (*db)->Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(c.Exec("SELECT 1", {}));
      return {};
    });
    without.push_back(Ms(Clock::now() - s));
  }
  auto w = Summarize(with), wo = Summarize(without);
  std::printf(
      "commit with one decision's aggregates: p50 %.3f ms; the same commit without: p50 "
      "%.3f ms; the aggregates add %.3f ms\n",
      w.p50, wo.p50, w.p50 - wo.p50);
  return 0;
}
