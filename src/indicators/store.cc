#include "indicators/store.h"

#include <algorithm>
#include <map>

#include "db/sql.h"

namespace ow::indicators {
namespace {

constexpr const char* kKey = "day, region_code, department_code, item_code, hall_code, channel";

std::string KeyColumns() {
  return "  day {{TEXT_C}} NOT NULL,\n"
         "  region_code {{TEXT_C}} NOT NULL,\n"
         "  department_code TEXT NOT NULL,\n"
         "  item_code TEXT NOT NULL,\n"
         "  hall_code TEXT NOT NULL,\n"
         "  channel TEXT NOT NULL,\n";
}

std::string InitScript() {
  std::string s = "CREATE TABLE indicator_days (\n" + KeyColumns();
  for (const char* m : kMetricNames) s += std::string("  ") + m + " BIGINT NOT NULL DEFAULT 0,\n";
  s += "  PRIMARY KEY (" + std::string(kKey) + ")\n);\n";
  // Queries name a region and a period: the region's range first, then the days.
  s += "CREATE INDEX indicator_days_region ON indicator_days(region_code, day);\n";
  s += "CREATE TABLE indicator_decide_days (\n" + KeyColumns() +
       "  days BIGINT NOT NULL,\n"
       "  n BIGINT NOT NULL,\n"
       "  PRIMARY KEY (" +
       kKey +
       ", days)\n);\n"
       "CREATE INDEX indicator_decide_days_region ON indicator_decide_days(region_code, day);\n";
  return s;
}

// The upsert of indicator_days, written once from the metric names.
const std::string& UpsertDays() {
  static const std::string sql = [] {
    std::string cols = kKey, vals = "$1, $2, $3, $4, $5, $6", set;
    for (size_t i = 0; i < kMetricNames.size(); ++i) {
      std::string m = kMetricNames[i];
      cols += ", " + m;
      vals += ", $" + std::to_string(i + 7);
      set += (i ? ", " : "") + m + " = indicator_days." + m + " + excluded." + m;
    }
    return "INSERT INTO indicator_days (" + cols + ") VALUES (" + vals + ") ON CONFLICT (" + kKey +
           ") DO UPDATE SET " + set;
  }();
  return sql;
}

const char* ColumnName(store::Column by) {
  switch (by) {
    case store::Column::kDay:
      return "day";
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

// " WHERE ..." for `f`, adding its parameters to `q`. The region and its descendants are
// a range of codes: they are digits, and ':' sorts right after '9'.
std::string Where(db::Sql& q, const store::Filter& f) {
  std::string w = " WHERE region_code >= " + q.P(f.region) + " AND region_code < " +
                  q.P(f.region + ":") + " AND day >= " + q.P(f.from) + " AND day <= " + q.P(f.to);
  if (!f.department.empty()) w += " AND department_code = " + q.P(f.department);
  if (!f.item.empty()) w += " AND item_code = " + q.P(f.item);
  if (!f.hall.empty()) w += " AND hall_code = " + q.P(f.hall);
  if (!f.channel.empty()) w += " AND channel = " + q.P(f.channel);
  return w;
}

}  // namespace

std::vector<db::Migration> Migrations() {
  return {db::Portable("indicators/001_init", InitScript())};
}

namespace store {

Status Add(db::Connection& c, const Count& n) {
  bool any = false;
  for (int64_t v : n.add) any = any || v != 0;
  if (any) {
    std::vector<db::Value> p{n.day,       n.region_code, n.department_code,
                             n.item_code, n.hall_code,   n.channel};
    for (int64_t v : n.add) p.emplace_back(v);
    OW_RETURN_IF_ERROR(c.Exec(UpsertDays(), p));
  }
  if (n.decide_days >= 0) {
    int64_t d = std::min<int64_t>(n.decide_days, kMaxDays);
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO indicator_decide_days (day, region_code, department_code, item_code, "
               "hall_code, channel, days, n) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) "
               "ON CONFLICT (day, region_code, department_code, item_code, hall_code, channel, "
               "days) DO UPDATE SET n = indicator_decide_days.n + 1",
               {n.day, n.region_code, n.department_code, n.item_code, n.hall_code, n.channel, d}));
  }
  return {};
}

Result<std::vector<Sum>> Sums(db::Connection& c, const Filter& f, Column by) {
  const std::string key = ColumnName(by);
  std::map<std::string, Figures> out;
  {
    db::Sql q;
    std::string sql = "SELECT " + key;
    for (const char* m : kMetricNames)
      sql += std::string(", CAST(COALESCE(SUM(") + m + "), 0) AS BIGINT)";
    sql += " FROM indicator_days" + Where(q, f);
    if (by != Column::kNone) sql += " GROUP BY " + key;
    q.text() = sql;
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i) {
      Figures& fig = out[by == Column::kNone ? "" : r.Text(i, 0)];
      for (size_t m = 0; m < kMetricNames.size(); ++m) fig.sum[m] += r.Int(i, m + 1);
    }
  }
  {
    db::Sql q;
    std::string sql = "SELECT " + key + ", days, CAST(SUM(n) AS BIGINT) FROM indicator_decide_days";
    sql += Where(q, f) + " GROUP BY " + (by == Column::kNone ? "" : key + ", ") + "days";
    q.text() = sql;
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i) {
      int64_t d = std::clamp<int64_t>(r.Int(i, 1), 0, kMaxDays);
      out[by == Column::kNone ? "" : r.Text(i, 0)].days[static_cast<size_t>(d)] += r.Int(i, 2);
    }
  }
  std::vector<Sum> sums;
  sums.reserve(out.size());
  for (auto& [k, fig] : out) sums.push_back({k, std::move(fig)});
  return sums;
}

}  // namespace store
}  // namespace ow::indicators
