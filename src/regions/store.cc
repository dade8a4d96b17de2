#include "regions/store.h"

namespace ow::regions {

std::vector<db::Migration> Migrations() {
  // Names use byte order ("C" collation on PostgreSQL) so that prefix ranges use the index
  // and both stores sort identically.
  return {db::Portable("regions/001_init", R"sql(
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name {{TEXT_C}} NOT NULL,
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_code TEXT REFERENCES regions(code)
);
CREATE INDEX regions_parent ON regions(parent_code, code);
CREATE INDEX regions_name ON regions(name, code);
)sql"),
          // English names (pinyin) arrived after the first imports: existing databases get
          // the column empty and fill it on their next import of files that have it.
          db::Portable("regions/002_name_en",
                       "ALTER TABLE regions ADD COLUMN name_en TEXT NOT NULL DEFAULT '';\n")};
}

namespace {

constexpr const char* kColumns = "code, name, level, parent_code, name_en";

std::vector<Region> ToRegions(const db::Rows& r) {
  std::vector<Region> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back(
        {r.Text(i, 0), r.Text(i, 1), static_cast<Level>(r.Int(i, 2)), r.Text(i, 3), r.Text(i, 4)});
  }
  return out;
}

// With `english`, rows carry name_en as a fifth value; without, a stored name_en stays (files
// without the column do not erase the English names an earlier import gave).
std::string UpsertSql(size_t rows, bool english) {
  size_t width = english ? 5 : 4;
  std::string sql = english
                        ? "INSERT INTO regions (code, name, level, parent_code, name_en) VALUES "
                        : "INSERT INTO regions (code, name, level, parent_code) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    sql += i ? ",(" : "(";
    for (size_t k = 1; k <= width; ++k) sql += (k > 1 ? ",$" : "$") + std::to_string(i * width + k);
    sql += ")";
  }
  sql +=
      " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,"
      " parent_code = excluded.parent_code";
  if (english) sql += ", name_en = excluded.name_en";
  return sql;
}

}  // namespace

Status Store::Upsert(db::Connection& c, const std::vector<Region>& rows, bool english) {
  // Multi-row statements cut round trips (PostgreSQL) and statement overhead (SQLite);
  // 500 rows x 5 parameters stays under both stores' parameter limits.
  constexpr size_t kBatch = 500;
  static const std::string full[2] = {UpsertSql(kBatch, false), UpsertSql(kBatch, true)};
  std::vector<db::Value> params;
  for (size_t start = 0; start < rows.size(); start += kBatch) {
    size_t n = std::min(kBatch, rows.size() - start);
    params.clear();
    params.reserve(n * 5);
    for (size_t i = start; i < start + n; ++i) {
      const Region& r = rows[i];
      params.emplace_back(r.code);
      params.emplace_back(r.name);
      params.emplace_back(int64_t{static_cast<int>(r.level)});
      params.emplace_back(r.parent_code.empty() ? db::Value{} : db::Value{r.parent_code});
      if (english) params.emplace_back(r.name_en);
    }
    OW_RETURN_IF_ERROR(c.Exec(n == kBatch ? full[english] : UpsertSql(n, english), params));
  }
  return {};
}

Result<std::optional<Region>> Store::Get(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kColumns + " FROM regions WHERE code = $1", {code}));
  if (r.empty()) return std::optional<Region>();
  return std::optional<Region>(ToRegions(r)[0]);
}

Result<std::vector<Region>> Store::GetMany(db::Connection& c,
                                           const std::vector<std::string>& codes) {
  // Ancestor lists have at most 5 codes; pad to a fixed arity so one prepared statement serves all.
  std::vector<db::Value> params;
  for (size_t i = 0; i < 5; ++i) params.emplace_back(i < codes.size() ? codes[i] : std::string());
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT code, name, level, parent_code, name_en FROM regions "
                                      "WHERE code IN ($1, $2, $3, $4, $5)",
                                      params));
  return ToRegions(r);
}

Result<std::vector<Region>> Store::Children(db::Connection& c, const std::string& parent,
                                            const std::string& after, int limit) {
  db::Rows r;
  if (parent.empty()) {
    OW_ASSIGN_OR_RETURN(r, c.Query("SELECT code, name, level, parent_code, name_en FROM regions "
                                   "WHERE parent_code IS NULL AND code > $1 ORDER BY code LIMIT $2",
                                   {after, int64_t{limit}}));
  } else {
    OW_ASSIGN_OR_RETURN(r, c.Query("SELECT code, name, level, parent_code, name_en FROM regions "
                                   "WHERE parent_code = $1 AND code > $2 ORDER BY code LIMIT $3",
                                   {parent, after, int64_t{limit}}));
  }
  return ToRegions(r);
}

Result<std::vector<Region>> Store::SearchByName(db::Connection& c, const std::string& prefix,
                                                std::optional<Level> level,
                                                const std::string& within,
                                                const std::string& after_name,
                                                const std::string& after_code, int limit) {
  // [prefix, prefix + U+10FFFF) covers every name starting with prefix in byte order.
  std::string upper = prefix + "\xF4\x8F\xBF\xBF";
  int64_t lvl = level ? static_cast<int>(*level) : 0;
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT code, name, level, parent_code, name_en FROM regions "
                      "WHERE name >= $1 AND name < $2 AND ($3 = 0 OR level = $3) "
                      "AND ($4 = '' OR code LIKE $4 || '%') AND (name, code) > ($5, $6) "
                      "ORDER BY name, code LIMIT $7",
                      {prefix, upper, lvl, within, after_name, after_code, int64_t{limit}}));
  return ToRegions(r);
}

Result<int64_t> Store::Count(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT count(*) FROM regions"));
  return r.Int(0, 0);
}

}  // namespace ow::regions
