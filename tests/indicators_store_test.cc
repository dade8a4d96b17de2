// The indicator rollups (indicators/store.h) on both stores: after a random mix of
// transitions every kind's rows equal the sums of the finest day rows; every read (each
// grouping, filter and period shape: within a month, across months, whole months, a year)
// equals a brute-force sum of those day rows; rows written in bulk (AddAll) equal the
// same counts added one by one; a database made before the rollups migrates its day rows
// into them; and the reads seek on the primary key (the plans).
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/calendar.h"
#include "db/migrations.h"
#include "indicators/store.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace store = indicators::store;
using indicators::Count;
using indicators::Figures;
using indicators::kMaxDays;
using indicators::kMetricNames;

using Key = std::tuple<int64_t, std::string, std::string, std::string, std::string, std::string,
                       std::string>;  // kind, period, region, department, item, hall, channel

struct Row {
  std::string day, region, department, item, hall, channel;
  Figures f;
};

class IndicatorsStore : public StoreTest {
 protected:
  // Migrates itself (one test starts from the first migration).
  TestDatabase::Schema schema() const override { return TestDatabase::Schema::kEmpty; }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto opened = db::Open(db_url(), db::Options{});
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
  }
  void TearDown() override {
    if (database_) database_->Close();
  }

  void MigrateAll() {
    auto migrated = db::Migrate(*database_, indicators::Migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
  }

  std::map<Key, std::vector<int64_t>> Rollups() {
    std::string cols = "kind, period, region_code, department_code, item_code, hall_code, channel";
    for (const char* m : kMetricNames) cols += std::string(", ") + m;
    for (int i = 0; i <= kMaxDays; ++i) cols += ", days_" + std::to_string(i);
    std::map<Key, std::vector<int64_t>> out;
    auto st = database_->Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT " + cols + " FROM indicator_rollups", {}));
      for (size_t i = 0; i < r.size(); ++i) {
        std::vector<int64_t> v;
        for (size_t col = 7; col < r.columns().size(); ++col) v.push_back(r.Int(i, col));
        out[{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5),
             r.Text(i, 6)}] = v;
      }
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }

  // Every kind as the coarsening of the finest day rows (kind 6) of `rows`.
  static std::map<Key, std::vector<int64_t>> Coarsened(
      const std::map<Key, std::vector<int64_t>>& rows) {
    std::map<Key, std::vector<int64_t>> out;
    for (const auto& [k, v] : rows) {
      if (std::get<0>(k) != 6) continue;
      const auto& [kind, day, region, dept, item, hall, channel] = k;
      for (int64_t to = 0; to < 8; ++to) {
        const int64_t cuboid = to / 2;
        Key coarse{to,
                   to % 2 ? day.substr(0, 7) : day,
                   region,
                   cuboid >= 1 ? dept : "",
                   cuboid >= 2 ? item : "",
                   cuboid >= 3 ? hall : "",
                   cuboid >= 3 ? channel : ""};
        auto& sum = out[coarse];
        sum.resize(v.size());
        for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
      }
    }
    return out;
  }

  // Every kind of read (grouping, filter, period shape) against a brute-force sum of
  // `truth`, the transitions.
  void ExpectReadsMatch(const std::vector<Row>& truth) {
    struct Case {
      std::string from, to, region, department, item, hall, channel;
      store::Column by;
    };
    std::vector<Case> cases = {
        {"2030-06-01", "2030-08-30", "3301", "", "", "", "", store::Column::kNone},
        {"2030-06-01", "2030-08-31", "3301", "", "", "", "", store::Column::kMonth},
        {"2030-06-10", "2030-08-05", "3301", "", "", "", "", store::Column::kMonth},
        {"2030-06-10", "2030-06-20", "3301", "", "", "", "", store::Column::kDay},
        {"2030-06-15", "2030-07-31", "3301", "", "", "", "", store::Column::kRegion},
        {"2030-06-15", "2030-07-31", "330102", "", "", "", "", store::Column::kRegion},
        {"2030-07-01", "2030-07-31", "3301", "", "", "", "", store::Column::kDepartment},
        {"2030-06-03", "2030-08-09", "3301", "", "", "", "", store::Column::kItem},
        {"2030-07-01", "2030-07-31", "3301", "330102-D1", "", "", "", store::Column::kDay},
        {"2030-06-01", "2030-08-31", "3301", "330102-D1", "", "", "", store::Column::kItem},
        {"2030-06-01", "2030-08-31", "33", "", "330106-D2-I1", "", "", store::Column::kMonth},
        {"2030-06-20", "2030-07-10", "3301", "", "", "H1", "", store::Column::kChannel},
        {"2030-06-20", "2030-07-10", "3301", "", "", "", "app", store::Column::kHall},
        {"2030-07-01", "2030-08-31", "3302", "", "", "", "", store::Column::kNone},
    };
    for (const auto& q : cases) {
      SCOPED_TRACE(q.from + ".." + q.to + " " + q.region + " " + q.department + q.item + q.hall +
                   q.channel + " by " + std::to_string(static_cast<int>(q.by)));
      std::map<std::string, Figures> want;
      for (const auto& r : truth) {
        if (r.day < q.from || r.day > q.to) continue;
        if (r.region.compare(0, q.region.size(), q.region) != 0) continue;
        if (!q.department.empty() && r.department != q.department) continue;
        if (!q.item.empty() && r.item != q.item) continue;
        if (!q.hall.empty() && r.hall != q.hall) continue;
        if (!q.channel.empty() && r.channel != q.channel) continue;
        std::string key;
        switch (q.by) {
          case store::Column::kNone:
            break;
          case store::Column::kDay:
            key = r.day;
            break;
          case store::Column::kMonth: {
            // Whole months as "YYYY-MM", the partial months' days as themselves.
            Date d = *ParseDate(r.day);
            Date first{d.year, d.month, 1};
            Date last = AddDays(Date{d.month == 12 ? d.year + 1 : d.year, d.month % 12 + 1, 1}, -1);
            bool whole = FormatDate(first) >= q.from && FormatDate(last) <= q.to;
            key = whole ? r.day.substr(0, 7) : r.day;
            break;
          }
          case store::Column::kRegion:
            key = r.region;
            break;
          case store::Column::kDepartment:
            key = r.department;
            break;
          case store::Column::kItem:
            key = r.item;
            break;
          case store::Column::kHall:
            key = r.hall;
            break;
          case store::Column::kChannel:
            key = r.channel;
            break;
        }
        want[key].Add(r.f);
      }
      store::Filter f{q.from, q.to, q.region, q.department, q.item, q.hall, q.channel};
      std::vector<store::Sum> got;
      ASSERT_TRUE(database_->Read([&](db::Connection& c) -> Status {
        OW_ASSIGN_OR_RETURN(got, store::Sums(c, f, q.by));
        return {};
      }));
      std::map<std::string, Figures> have;
      for (const auto& s : got) have[s.key].Add(s.figures);
      if (q.by == store::Column::kNone && want.empty()) want[""];  // totals of nothing: zeros
      ASSERT_EQ(have.size(), want.size());
      for (const auto& [k, fig] : want) {
        EXPECT_EQ(have[k].sum, fig.sum) << k;
        EXPECT_EQ(have[k].days, fig.days) << k;
      }
    }
  }

  std::unique_ptr<db::Database> database_;
};

const char* kRegions[] = {"330102", "330106", "330108", "3301", "330203", "330102001"};
const char* kChannels[] = {"web", "app", "counter", "agent"};

// A random transition's count over June to August 2030.
Count RandomCount(std::mt19937& g) {
  Count n;
  n.day = FormatDate(AddDays(Date{2030, 6, 1}, static_cast<int>(g() % 92)));
  n.region_code = kRegions[g() % 6];
  n.department_code = n.region_code.substr(0, 6) + "-D" + std::to_string(g() % 3);
  n.item_code = n.department_code + "-I" + std::to_string(g() % 3);
  n.hall_code = g() % 3 == 0 ? "H" + std::to_string(g() % 2) : "";
  n.channel = kChannels[g() % 4];
  switch (g() % 4) {
    case 0:
      n.add[indicators::kSubmitted] = 1;
      n.add[indicators::kOnline] = n.channel == std::string("counter") ? 0 : 1;
      break;
    case 1:
      n.add[indicators::kDecided] = 1;
      n.add[indicators::kOnTime] = g() % 2;
      n.decide_days = static_cast<int>(g() % 70);  // some beyond kMaxDays
      n.add[indicators::kDecideDaysSum] = n.decide_days;
      break;
    case 2:
      n.add[indicators::kRatings] = 1;
      n.add[indicators::kRatingSum] = 1 + g() % 5;
      break;
    default:
      n.add[indicators::kTickets] = 1;
      n.add[indicators::kAnswerHoursSum] = g() % 48;
      break;
  }
  return n;
}

TEST_P(IndicatorsStore, RollupsAndReadsEqualTheSumsOfTheDayRows) {
  MigrateAll();
  std::mt19937 g(17);
  std::vector<Row> truth;
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    for (int i = 0; i < 600; ++i) {
      Count n = RandomCount(g);
      Row r{n.day, n.region_code, n.department_code, n.item_code, n.hall_code, n.channel, {}};
      r.f.sum = n.add;
      if (n.decide_days >= 0) r.f.days[std::min(n.decide_days, kMaxDays)] += 1;
      truth.push_back(r);
      OW_RETURN_IF_ERROR(store::Add(c, n));
    }
    return {};
  }));
  auto rows = Rollups();
  std::set<int64_t> kinds;
  for (const auto& [k, v] : rows) kinds.insert(std::get<0>(k));
  EXPECT_EQ(kinds.size(), 8u);
  EXPECT_EQ(rows, Coarsened(rows));

  ExpectReadsMatch(truth);

  // The same counts written in bulk give the same rows.
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM indicator_rollups", {}));
    std::vector<store::DayTotals> bulk;
    for (const auto& r : truth)
      bulk.push_back({r.day, r.region, r.department, r.item, r.hall, r.channel, r.f});
    return store::AddAll(c, bulk);
  }));
  EXPECT_EQ(Rollups(), rows);
}

// Transitions append to the journal; the fold moves it into the rollups. Reads count every
// entry exactly once before, during and after the fold, and the folded rollups equal those
// the same counts give when added directly.
TEST_P(IndicatorsStore, JournalEntriesCountOnceBeforeAndAfterTheFold) {
  MigrateAll();
  std::mt19937 g(18);
  std::vector<Row> truth;
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    for (int i = 0; i < 600; ++i) {
      Count n = RandomCount(g);
      if (i % 7 == 0) n.add[indicators::kAnnulled] = -1;  // negative counts travel too
      Row r{n.day, n.region_code, n.department_code, n.item_code, n.hall_code, n.channel, {}};
      r.f.sum = n.add;
      if (n.decide_days >= 0) r.f.days[std::min(n.decide_days, kMaxDays)] += 1;
      truth.push_back(r);
      // Half folded already, half still in the journal.
      OW_RETURN_IF_ERROR(i % 2 ? store::Journal(c, n) : store::Add(c, n));
    }
    return {};
  }));
  {
    SCOPED_TRACE("half in the journal");
    ExpectReadsMatch(truth);
  }
  int64_t moved = 0;
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(moved, store::Fold(c, 100));
    return {};
  }));
  EXPECT_EQ(moved, 100);
  {
    SCOPED_TRACE("partly folded");
    ExpectReadsMatch(truth);
  }
  for (int turn = 0; turn < 10 && moved > 0; ++turn) {
    ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(moved, store::Fold(c, 100));
      return {};
    }));
  }
  EXPECT_EQ(moved, 0);
  int64_t left = -1;
  ASSERT_TRUE(database_->Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM indicator_journal", {}));
    left = r.Int(0, 0);
    return {};
  }));
  EXPECT_EQ(left, 0);
  {
    SCOPED_TRACE("all folded");
    ExpectReadsMatch(truth);
  }
  auto folded = Rollups();
  EXPECT_EQ(folded, Coarsened(folded));
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM indicator_rollups", {}));
    for (const auto& r : truth) {
      Count n;
      n.day = r.day;
      n.region_code = r.region;
      n.department_code = r.department;
      n.item_code = r.item;
      n.hall_code = r.hall;
      n.channel = r.channel;
      n.add = r.f.sum;
      for (int d = 0; d <= kMaxDays; ++d)
        if (r.f.days[static_cast<size_t>(d)]) n.decide_days = d;
      OW_RETURN_IF_ERROR(store::Add(c, n));
    }
    return {};
  }));
  EXPECT_EQ(Rollups(), folded);
}

TEST_P(IndicatorsStore, DayRowsMadeBeforeTheRollupsMigrateIntoThem) {
  auto first = indicators::Migrations();
  first.resize(1);
  ASSERT_TRUE(db::Migrate(*database_, first));
  ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO indicator_days (day, region_code, department_code, item_code, "
               "hall_code, channel, submitted, decided, on_time, decide_days_sum) VALUES "
               "('2030-06-30', '330102', '330102-SCJG', 'I1', '', 'web', 3, 2, 1, 7), "
               "('2030-07-01', '330102', '330102-SCJG', 'I1', '', 'web', 1, 0, 0, 0), "
               "('2030-07-02', '330106', '330106-GA', 'I2', 'H1', 'counter', 2, 1, 1, 2)",
               {}));
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO indicator_decide_days (day, region_code, department_code, item_code, "
               "hall_code, channel, days, n) VALUES "
               "('2030-06-30', '330102', '330102-SCJG', 'I1', '', 'web', 3, 1), "
               "('2030-06-30', '330102', '330102-SCJG', 'I1', '', 'web', 4, 1), "
               "('2030-07-02', '330106', '330106-GA', 'I2', 'H1', 'counter', 2, 1)",
               {}));
    return {};
  }));
  MigrateAll();
  auto rows = Rollups();
  EXPECT_EQ(rows, Coarsened(rows));
  const size_t submitted = 0, days3 = kMetricNames.size() + 3;
  auto month = rows.at({3, "2030-07", "330102", "330102-SCJG", "", "", ""});
  EXPECT_EQ(month[submitted], 1);
  auto june = rows.at({1, "2030-06", "330102", "", "", "", ""});
  EXPECT_EQ(june[submitted], 3);
  EXPECT_EQ(june[days3], 1);
  EXPECT_EQ(june[days3 + 1], 1);
  auto hall = rows.at({6, "2030-07-02", "330106", "330106-GA", "I2", "H1", "counter"});
  EXPECT_EQ(hall[kMetricNames.size() + 2], 1);
  // The day tables are gone: nothing writes them any more.
  auto gone = database_->Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM indicator_days", {}));
    return {};
  });
  EXPECT_FALSE(gone);
}

TEST_P(IndicatorsStore, ReadsSeekOnThePrimaryKey) {
  MigrateAll();
  store::Filter f{"2030-06-10", "2030-08-05", "3301", "", "", "", ""};
  auto statements = store::SumStatements(f, store::Column::kDepartment);
  ASSERT_EQ(statements.size(), 2u);  // July from month rows; June's and August's days
  for (const auto& [sql, params] : statements) {
    std::string plan;
    ASSERT_TRUE(database_->Transact([&](db::Connection& c) -> Status {
      // An empty table: PostgreSQL would scan it whole; the plan with an index must exist.
      if (c.dialect() == db::Dialect::kPostgres)
        OW_RETURN_IF_ERROR(c.Exec("SET LOCAL enable_seqscan = off", {}));
      OW_ASSIGN_OR_RETURN(
          auto r,
          c.Query(
              (c.dialect() == db::Dialect::kPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql,
              params));
      for (size_t i = 0; i < r.size(); ++i) plan += r.Text(i, r.columns().size() - 1) + "\n";
      return {};
    }));
    if (GetParam() == Store::kSqlite) {
      EXPECT_NE(plan.find("SEARCH indicator_rollups USING PRIMARY KEY (kind=? AND period=? AND "
                          "region_code>? AND region_code<?)"),
                std::string::npos)
          << plan;
    } else {
      EXPECT_NE(plan.find("Index Cond: ((kind = "), std::string::npos) << plan;
      EXPECT_NE(plan.find("(period = "), std::string::npos) << plan;  // = or = ANY (the list)
      EXPECT_NE(plan.find("region_code >="), std::string::npos) << plan;
    }
  }
}

OW_INSTANTIATE_STORE_TESTS(IndicatorsStore);

}  // namespace
}  // namespace ow::testing
