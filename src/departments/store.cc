#include "departments/store.h"

namespace ow::departments {

std::vector<db::Migration> Migrations() {
  return {{"departments/001_init", R"sql(
CREATE TABLE departments (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  parent_code TEXT REFERENCES departments(code),
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX departments_region ON departments(region_code, code);
CREATE INDEX departments_parent ON departments(parent_code, code);
)sql",
           ""}};
}

namespace {

constexpr const char* kSelect =
    "SELECT code, name, name_en, type, region_code, parent_code, version, created_at, updated_at "
    "FROM departments ";

std::vector<Department> ToDepartments(const db::Rows& r) {
  std::vector<Department> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Int(i, 6), r.Text(i, 7), r.Text(i, 8)});
  }
  return out;
}

db::Value NullIfEmpty(const std::string& s) { return s.empty() ? db::Value{} : db::Value{s}; }

}  // namespace

Result<std::optional<Department>> Store::Get(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string(kSelect) + "WHERE code = $1", {code}));
  if (r.empty()) return std::optional<Department>();
  return std::optional<Department>(ToDepartments(r)[0]);
}

Status Store::Insert(db::Connection& c, const Department& d) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO departments (code, name, name_en, type, region_code, parent_code, "
             "version, created_at, "
             "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             {d.code, d.name, d.name_en, d.type, d.region_code, NullIfEmpty(d.parent_code),
              d.version, d.created_at, d.updated_at}));
  return {};
}

Result<bool> Store::Update(db::Connection& c, const Department& d) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE departments SET name = $2, name_en = $3, type = $4, region_code = $5, "
                     "parent_code = $6, version = $7, updated_at = $8 "
                     "WHERE code = $1 AND version = $9",
                     {d.code, d.name, d.name_en, d.type, d.region_code, NullIfEmpty(d.parent_code),
                      d.version, d.updated_at, d.version - 1}));
  return n == 1;
}

Result<bool> Store::Delete(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM departments WHERE code = $1", {code}));
  return n == 1;
}

Result<int64_t> Store::CountChildren(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT count(*) FROM departments WHERE parent_code = $1", {code}));
  return r.Int(0, 0);
}

Result<std::vector<Department>> Store::List(db::Connection& c, const ListQuery& q,
                                            const std::string& after, int limit) {
  // Every filter is a parameter; an empty one matches everything.
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string(kSelect) +
                  "WHERE ($1 = '' OR region_code = $1) AND ($2 = '' OR region_code LIKE $2 || '%') "
                  "AND ($3 = '' OR type = $3) AND ($4 = '' OR parent_code = $4) AND code > $5 "
                  "ORDER BY code LIMIT $6",
              {q.region_code, q.within, q.type, q.parent_code, after, int64_t{limit}}));
  return ToDepartments(r);
}

}  // namespace ow::departments
