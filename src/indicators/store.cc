#include "indicators/store.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <tuple>

#include "core/calendar.h"
#include "core/text.h"
#include "db/sql.h"

namespace ow::indicators {
namespace {

// The cuboids of the cube (store.h): which of department, item, hall, channel they keep.
enum Cuboid : int { kRegionOnly = 0, kDepartmentCuboid = 1, kItemCuboid = 2, kFull = 3 };
constexpr int kCuboids = 4;
int KindOf(int cuboid, bool month) { return cuboid * 2 + (month ? 1 : 0); }
bool Keeps(int cuboid, int dimension) {  // dimension: 0 department, 1 item, 2 hall, 3 channel
  return dimension < cuboid || cuboid == kFull;
}

constexpr const char* kKey =
    "kind, period, region_code, department_code, item_code, hall_code, channel";
constexpr const char* kDimensions[] = {"department_code", "item_code", "hall_code", "channel"};

std::string DaysColumn(size_t d) { return "days_" + std::to_string(d); }

// The value columns in the table's order: the metrics, then the histogram.
const std::vector<std::string>& ValueColumns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> v(kMetricNames.begin(), kMetricNames.end());
    for (size_t d = 0; d <= kMaxDays; ++d) v.push_back(DaysColumn(d));
    return v;
  }();
  return cols;
}

std::string AddExcluded(const std::string& col) {
  return col + " = indicator_rollups." + col + " + excluded." + col;
}

std::string CreateRollups(bool sqlite) {
  std::string s =
      "CREATE TABLE indicator_rollups (\n"
      "  kind INTEGER NOT NULL,\n"
      "  period {{TEXT_C}} NOT NULL,\n"
      "  region_code {{TEXT_C}} NOT NULL,\n"
      "  department_code TEXT NOT NULL,\n"
      "  item_code TEXT NOT NULL,\n"
      "  hall_code TEXT NOT NULL,\n"
      "  channel TEXT NOT NULL,\n";
  for (const auto& col : ValueColumns()) s += "  " + col + " BIGINT NOT NULL DEFAULT 0,\n";
  // SQLite keeps the rows in the primary key's order (no rowid lookups on a read).
  s += "  PRIMARY KEY (" + std::string(kKey) + ")\n)" + (sqlite ? " WITHOUT ROWID" : "") + ";\n";
  return s;
}

// Moves what 001's day tables hold into every kind, then drops them.
std::string Backfill() {
  std::string s;
  for (int cuboid = 0; cuboid < kCuboids; ++cuboid) {
    for (bool month : {false, true}) {
      const std::string period = month ? "substr(day, 1, 7)" : "day";
      std::string dims, group = period + ", region_code";
      for (int d = 0; d < 4; ++d) {
        dims += ", ";
        if (Keeps(cuboid, d)) {
          dims += kDimensions[d];
          group += std::string(", ") + kDimensions[d];
        } else {
          dims += "''";
        }
      }
      const std::string head = "INSERT INTO indicator_rollups (" + std::string(kKey);
      const std::string select = " SELECT " + std::to_string(KindOf(cuboid, month)) + ", " +
                                 period + ", region_code" + dims;
      std::string cols, sums;
      for (const char* m : kMetricNames) {
        cols += std::string(", ") + m;
        sums += std::string(", SUM(") + m + ")";
      }
      s += head + cols + ")" + select + sums + " FROM indicator_days GROUP BY " + group + ";\n";
      cols.clear();
      sums.clear();
      std::string set;
      for (size_t d = 0; d <= kMaxDays; ++d) {
        cols += ", " + DaysColumn(d);
        sums += ", SUM(CASE WHEN days = " + std::to_string(d) + " THEN n ELSE 0 END)";
        set += (d ? ", " : "") + AddExcluded(DaysColumn(d));
      }
      // "WHERE true": SQLite's parser needs a WHERE before an upsert's ON CONFLICT.
      s += head + cols + ")" + select + sums + " FROM indicator_decide_days WHERE true GROUP BY " +
           group + " ON CONFLICT (" + kKey + ") DO UPDATE SET " + set + ";\n";
    }
  }
  s += "DROP TABLE indicator_decide_days;\nDROP TABLE indicator_days;\n";
  return s;
}

// 001: the day tables 002 replaces (kept so that a database made before 002 migrates).
std::string InitScript() {
  constexpr const char* kDayKey =
      "day, region_code, department_code, item_code, hall_code, channel";
  const std::string key_columns =
      "  day {{TEXT_C}} NOT NULL,\n"
      "  region_code {{TEXT_C}} NOT NULL,\n"
      "  department_code TEXT NOT NULL,\n"
      "  item_code TEXT NOT NULL,\n"
      "  hall_code TEXT NOT NULL,\n"
      "  channel TEXT NOT NULL,\n";
  std::string s = "CREATE TABLE indicator_days (\n" + key_columns;
  for (const char* m : kMetricNames) s += std::string("  ") + m + " BIGINT NOT NULL DEFAULT 0,\n";
  s += "  PRIMARY KEY (" + std::string(kDayKey) + ")\n);\n";
  s += "CREATE INDEX indicator_days_region ON indicator_days(region_code, day);\n";
  s += "CREATE TABLE indicator_decide_days (\n" + key_columns +
       "  days BIGINT NOT NULL,\n"
       "  n BIGINT NOT NULL,\n"
       "  PRIMARY KEY (" +
       kDayKey +
       ", days)\n);\n"
       "CREATE INDEX indicator_decide_days_region ON indicator_decide_days(region_code, day);\n";
  return s;
}

// Add's statement for a transition whose decision took `bucket` working days (-1: no
// decision): the row of every kind, with the parameters $1 day, $2 month, $3 region,
// $4 department, $5 item, $6 hall, $7 channel, $8.. the metrics, shared by the rows.
const std::string& AddStatement(int bucket) {
  static const std::vector<std::string> sql = [] {
    std::vector<std::string> out;
    for (int b = -1; b <= kMaxDays; ++b) {
      std::string cols = kKey, set;
      for (const char* m : kMetricNames) {
        cols += std::string(", ") + m;
        set += (set.empty() ? "" : ", ") + AddExcluded(m);
      }
      if (b >= 0) {
        cols += ", " + DaysColumn(static_cast<size_t>(b));
        set += ", " + AddExcluded(DaysColumn(static_cast<size_t>(b)));
      }
      std::string values;
      for (int cuboid = 0; cuboid < kCuboids; ++cuboid) {
        for (bool month : {false, true}) {
          values += values.empty() ? "(" : ", (";
          values += std::to_string(KindOf(cuboid, month)) + (month ? ", $2" : ", $1") + ", $3";
          for (int d = 0; d < 4; ++d)
            values += Keeps(cuboid, d) ? ", $" + std::to_string(d + 4) : std::string(", ''");
          for (size_t m = 0; m < kMetricNames.size(); ++m) values += ", $" + std::to_string(m + 8);
          if (b >= 0) values += ", 1";
          values += ")";
        }
      }
      out.push_back("INSERT INTO indicator_rollups (" + cols + ") VALUES " + values +
                    " ON CONFLICT (" + kKey + ") DO UPDATE SET " + set);
    }
    return out;
  }();
  return sql[static_cast<size_t>(bucket + 1)];
}

using RowKey =
    std::tuple<int, std::string, std::string, std::string, std::string, std::string, std::string>;

// Rows of AddAll's statements: this many per statement (91 parameters a row), the rest one
// row a statement. Two statement texts in all, so both stay prepared on the connection;
// SQLite's prepare grows faster than linearly with a statement's parameters.
constexpr size_t kRowsPerStatement = 32;

Status Upsert(db::Connection& c, const std::vector<const std::pair<const RowKey, Figures>*>& rows) {
  if (rows.empty()) return {};
  std::string sql = "INSERT INTO indicator_rollups (" + std::string(kKey);
  for (const auto& col : ValueColumns()) sql += ", " + col;
  sql += ") VALUES ";
  std::vector<db::Value> p;
  p.reserve(rows.size() * (7 + ValueColumns().size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& [key, fig] = *rows[r];
    sql += r ? ", (" : "(";
    const auto& [kind, period, region, dept, item, hall, channel] = key;
    for (db::Value v : {db::Value(int64_t{kind}), db::Value(period), db::Value(region),
                        db::Value(dept), db::Value(item), db::Value(hall), db::Value(channel)}) {
      sql += (p.size() % (7 + ValueColumns().size()) ? ", $" : "$") + std::to_string(p.size() + 1);
      p.push_back(std::move(v));
    }
    for (int64_t v : fig.sum) {
      sql += ", $" + std::to_string(p.size() + 1);
      p.emplace_back(v);
    }
    for (int64_t v : fig.days) {
      sql += ", $" + std::to_string(p.size() + 1);
      p.emplace_back(v);
    }
    sql += ")";
  }
  std::string set;
  for (const auto& col : ValueColumns()) set += (set.empty() ? "" : ", ") + AddExcluded(col);
  sql += " ON CONFLICT (" + std::string(kKey) + ") DO UPDATE SET " + set;
  OW_RETURN_IF_ERROR(c.Exec(sql, p));
  return {};
}

// The whole months inside [from, to] and the days outside them.
struct Periods {
  std::vector<std::string> months, days;
};
Periods Split(Date from, Date to, bool days_only) {
  Periods out;
  Date d = from;
  while (!(to < d)) {
    Date month_end = AddDays(Date{d.month == 12 ? d.year + 1 : d.year, d.month % 12 + 1, 1}, -1);
    if (!days_only && d.day == 1 && !(to < month_end)) {
      out.months.push_back(PeriodKey(Group::kMonth, d));
      d = AddDays(month_end, 1);
    } else {
      out.days.push_back(FormatDate(d));
      d = AddDays(d, 1);
    }
  }
  return out;
}

const char* ColumnName(store::Column by) {
  switch (by) {
    case store::Column::kDay:
    case store::Column::kMonth:
      return "period";
    case store::Column::kRegion:
      return "region_code";
    case store::Column::kDepartment:
      return "department_code";
    case store::Column::kItem:
      return "item_code";
    case store::Column::kHall:
      return "hall_code";
    case store::Column::kChannel:
      return "channel";
    case store::Column::kNone:
      break;
  }
  return "''";
}

// The coarsest cuboid keeping every column `f` filters on and `by` groups by.
int CuboidFor(const store::Filter& f, store::Column by) {
  if (!f.hall.empty() || !f.channel.empty() || by == store::Column::kHall ||
      by == store::Column::kChannel)
    return kFull;
  if (!f.item.empty() || by == store::Column::kItem) return kItemCuboid;
  if (!f.department.empty() || by == store::Column::kDepartment) return kDepartmentCuboid;
  return kRegionOnly;
}

// One statement of Sums: the rows of `kind` in `periods` matching `f`. The region and its
// descendants are a range of codes: they are digits, and ':' sorts right after '9'.
std::pair<std::string, std::vector<db::Value>> SumStatement(
    const store::Filter& f, store::Column by, int kind, const std::vector<std::string>& periods) {
  db::Sql q;
  const std::string key = ColumnName(by);
  std::string sql = "SELECT " + key;
  for (const auto& col : ValueColumns()) sql += ", CAST(COALESCE(SUM(" + col + "), 0) AS BIGINT)";
  sql += " FROM indicator_rollups WHERE kind = " + q.P(int64_t{kind}) + " AND period IN (";
  for (size_t i = 0; i < periods.size(); ++i) sql += (i ? ", " : "") + q.P(periods[i]);
  sql += ") AND region_code >= " + q.P(f.region) + " AND region_code < " + q.P(f.region + ":");
  if (!f.department.empty()) sql += " AND department_code = " + q.P(f.department);
  if (!f.item.empty()) sql += " AND item_code = " + q.P(f.item);
  if (!f.hall.empty()) sql += " AND hall_code = " + q.P(f.hall);
  if (!f.channel.empty()) sql += " AND channel = " + q.P(f.channel);
  if (by != store::Column::kNone) sql += " GROUP BY " + key;
  q.text() = std::move(sql);
  return {q.text(), q.params()};
}

constexpr const char* kJournalColumns =
    "day, region_code, department_code, item_code, hall_code, channel, decide_days, counts";

// One journal row (kJournalColumns at row i) as the day totals it adds.
Result<store::DayTotals> JournalRow(const db::Rows& r, size_t i) {
  store::DayTotals t{
      r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5), {}};
  const int64_t days = r.Int(i, 6);
  if (days >= 0) t.figures.days[static_cast<size_t>(std::min<int64_t>(days, kMaxDays))] += 1;
  const std::string counts = r.Text(i, 7);
  for (size_t at = 0; at < counts.size();) {
    size_t end = counts.find(',', at);
    if (end == std::string::npos) end = counts.size();
    std::string_view part(counts.data() + at, end - at);
    at = end + 1;
    const size_t eq = part.find('=');
    size_t m = 0;
    while (m < kMetricNames.size() && part.substr(0, eq) != kMetricNames[m]) ++m;
    auto value = eq == std::string_view::npos
                     ? std::nullopt
                     : text::ParseInt(part.substr(eq + 1), LLONG_MIN, LLONG_MAX);
    if (m == kMetricNames.size() || !value) {
      return Internal("indicator_journal: bad counts " + counts);
    }
    t.figures.sum[m] += *value;
  }
  return t;
}

// Where a journal row goes in Sums(f, by): false when `f` leaves it out, else its key.
bool JournalKey(const store::Filter& f, store::Column by, const std::set<std::string>& months,
                const store::DayTotals& t, std::string* key) {
  if (t.day < f.from || t.day > f.to) return false;
  if (t.region_code.compare(0, f.region.size(), f.region) != 0) return false;
  if ((!f.department.empty() && t.department_code != f.department) ||
      (!f.item.empty() && t.item_code != f.item) || (!f.hall.empty() && t.hall_code != f.hall) ||
      (!f.channel.empty() && t.channel != f.channel))
    return false;
  switch (by) {
    case store::Column::kNone:
      key->clear();
      break;
    case store::Column::kDay:
      *key = t.day;
      break;
    case store::Column::kMonth:
      *key = months.count(t.day.substr(0, 7)) ? t.day.substr(0, 7) : t.day;
      break;
    case store::Column::kRegion:
      *key = t.region_code;
      break;
    case store::Column::kDepartment:
      *key = t.department_code;
      break;
    case store::Column::kItem:
      *key = t.item_code;
      break;
    case store::Column::kHall:
      *key = t.hall_code;
      break;
    case store::Column::kChannel:
      *key = t.channel;
      break;
  }
  return true;
}

}  // namespace

std::vector<db::Migration> Migrations() {
  std::string rollups = CreateRollups(true) + Backfill();
  // The journal (store.h): a rowid table on SQLite (no AUTOINCREMENT bookkeeping per
  // insert: the fold claims rows by deleting them, so a reused id is harmless).
  const std::string journal =
      "CREATE TABLE indicator_journal (\n"
      "  id {{JOURNAL_ID}},\n"
      "  day TEXT NOT NULL,\n"
      "  region_code {{TEXT_C}} NOT NULL,\n"
      "  department_code TEXT NOT NULL,\n"
      "  item_code TEXT NOT NULL,\n"
      "  hall_code TEXT NOT NULL,\n"
      "  channel TEXT NOT NULL,\n"
      "  decide_days INTEGER NOT NULL,\n"
      "  counts TEXT NOT NULL\n"
      ");\n";
  auto spell = [&](db::Dialect d) {
    return db::SpellFor(text::ReplaceAll(journal, "{{JOURNAL_ID}}",
                                         d == db::Dialect::kPostgres
                                             ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                                             : "INTEGER PRIMARY KEY"),
                        d);
  };
  return {db::Portable("indicators/001_init", InitScript()),
          {"indicators/002_rollups", db::SpellFor(rollups, db::Dialect::kSqlite),
           db::SpellFor(CreateRollups(false) + Backfill(), db::Dialect::kPostgres)},
          {"indicators/003_journal", spell(db::Dialect::kSqlite), spell(db::Dialect::kPostgres)}};
}

namespace store {

Status Add(db::Connection& c, const Count& n) {
  std::vector<db::Value> p{n.day,       n.day.substr(0, 7), n.region_code, n.department_code,
                           n.item_code, n.hall_code,        n.channel};
  for (int64_t v : n.add) p.emplace_back(v);
  OW_RETURN_IF_ERROR(
      c.Exec(AddStatement(n.decide_days < 0 ? -1 : std::min(n.decide_days, kMaxDays)), p));
  return {};
}

Status Journal(db::Connection& c, const Count& n) {
  std::string counts;
  for (size_t m = 0; m < kMetricNames.size(); ++m) {
    if (n.add[m] == 0) continue;
    counts +=
        (counts.empty() ? "" : ",") + std::string(kMetricNames[m]) + "=" + std::to_string(n.add[m]);
  }
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO indicator_journal (day, region_code, department_code, item_code, hall_code, "
      "channel, decide_days, counts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {n.day, n.region_code, n.department_code, n.item_code, n.hall_code, n.channel,
       int64_t{n.decide_days < 0 ? -1 : std::min(n.decide_days, kMaxDays)}, counts}));
  return {};
}

Result<int64_t> Fold(db::Connection& c, int limit) {
  // Deleting claims the rows: on PostgreSQL a second folder skips the locked ones, and
  // SQLite has one writer at a time; whoever deletes a row adds it, in the same transaction.
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("DELETE FROM indicator_journal WHERE id IN (SELECT id FROM "
                                  "indicator_journal ORDER BY id LIMIT $1") +
                          (c.dialect() == db::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") +
                          ") RETURNING " + kJournalColumns,
                      {int64_t{limit}}));
  std::vector<DayTotals> rows;
  rows.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    OW_ASSIGN_OR_RETURN(auto row, JournalRow(r, i));
    rows.push_back(std::move(row));
  }
  OW_RETURN_IF_ERROR(AddAll(c, rows));
  return static_cast<int64_t>(rows.size());
}

Status AddAll(db::Connection& c, const std::vector<DayTotals>& rows) {
  // One statement may not change a row twice (PostgreSQL): merged first.
  std::map<RowKey, Figures> merged;
  for (const auto& r : rows) {
    for (int cuboid = 0; cuboid < kCuboids; ++cuboid) {
      for (bool month : {false, true}) {
        RowKey k{KindOf(cuboid, month),
                 month ? r.day.substr(0, 7) : r.day,
                 r.region_code,
                 Keeps(cuboid, 0) ? r.department_code : "",
                 Keeps(cuboid, 1) ? r.item_code : "",
                 Keeps(cuboid, 2) ? r.hall_code : "",
                 Keeps(cuboid, 3) ? r.channel : ""};
        merged[k].Add(r.figures);
      }
    }
  }
  std::vector<const std::pair<const RowKey, Figures>*> batch;
  for (const auto& row : merged) {
    batch.push_back(&row);
    if (batch.size() == kRowsPerStatement) {
      OW_RETURN_IF_ERROR(Upsert(c, batch));
      batch.clear();
    }
  }
  for (const auto* row : batch) OW_RETURN_IF_ERROR(Upsert(c, {row}));
  return {};
}

std::vector<std::pair<std::string, std::vector<db::Value>>> SumStatements(const Filter& f,
                                                                          Column by) {
  std::vector<std::pair<std::string, std::vector<db::Value>>> out;
  auto from = ParseDate(f.from), to = ParseDate(f.to);
  if (!from || !to || *to < *from) return out;
  const int cuboid = CuboidFor(f, by);
  Periods p = Split(*from, *to, by == Column::kDay);
  if (!p.months.empty()) out.push_back(SumStatement(f, by, KindOf(cuboid, true), p.months));
  if (!p.days.empty()) out.push_back(SumStatement(f, by, KindOf(cuboid, false), p.days));
  return out;
}

Result<std::vector<Sum>> Sums(db::Connection& c, const Filter& f, Column by) {
  auto statements = SumStatements(f, by);
  if (statements.empty()) return InvalidArgument("the period must be two dates in order");
  std::map<std::string, Figures> out;
  const size_t metrics = kMetricNames.size();
  for (const auto& [sql, params] : statements) {
    OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, params));
    for (size_t i = 0; i < r.size(); ++i) {
      Figures& fig = out[by == Column::kNone ? "" : r.Text(i, 0)];
      for (size_t m = 0; m < metrics; ++m) fig.sum[m] += r.Int(i, m + 1);
      for (size_t d = 0; d <= kMaxDays; ++d) fig.days[d] += r.Int(i, metrics + d + 1);
    }
  }
  // The journal's rows not folded yet (a second or so of transitions): read in the same
  // snapshot as the rollups, so a fold in between neither hides nor repeats them.
  std::set<std::string> months;
  if (by == Column::kMonth) {
    auto from = ParseDate(f.from), to = ParseDate(f.to);
    for (auto& m : Split(*from, *to, false).months) months.insert(std::move(m));
  }
  OW_ASSIGN_OR_RETURN(auto j,
                      c.Query(std::string("SELECT ") + kJournalColumns +
                                  " FROM indicator_journal WHERE day >= $1 AND day <= $2 AND "
                                  "region_code >= $3 AND region_code < $4",
                              {f.from, f.to, f.region, f.region + ":"}));
  std::string key;
  for (size_t i = 0; i < j.size(); ++i) {
    OW_ASSIGN_OR_RETURN(auto t, JournalRow(j, i));
    if (JournalKey(f, by, months, t, &key)) out[key].Add(t.figures);
  }
  std::vector<Sum> sums;
  sums.reserve(out.size());
  for (auto& [k, fig] : out) sums.push_back({k, std::move(fig)});
  return sums;
}

}  // namespace store
}  // namespace ow::indicators
