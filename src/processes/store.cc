#include "processes/store.h"

namespace ow::processes {
namespace {

std::vector<Version> ToVersions(const db::Rows& r) {
  std::vector<Version> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back(
        {r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5)});
  return out;
}
constexpr const char* kColumns = "process_key, version, name, sha256, created_by, created_at";

}  // namespace

std::vector<db::Migration> Migrations() {
  return {{"processes/001_init", R"sql(
CREATE TABLE process_definitions (
  process_key TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  xml TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (process_key, version)
);
CREATE TABLE process_items (
  item_code TEXT PRIMARY KEY,
  process_key TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at TEXT NOT NULL
);
)sql",
           ""}};
}

Result<std::optional<Version>> Store::Latest(db::Connection& c, const std::string& key) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kColumns +
                                          " FROM process_definitions WHERE process_key = $1 "
                                          "ORDER BY version DESC LIMIT 1",
                                      {key}));
  auto rows = ToVersions(r);
  if (rows.empty()) return std::optional<Version>();
  return std::optional<Version>(rows[0]);
}

Status Store::Insert(db::Connection& c, const Version& v, const std::string& xml) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO process_definitions (process_key, version, name, xml, sha256, "
             "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
             {v.key, v.version, v.name, xml, v.sha256, v.created_by, v.created_at}));
  return {};
}

Result<std::vector<Version>> Store::LatestOfEach(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kColumns +
              " FROM process_definitions d WHERE version = (SELECT MAX(version) FROM "
              "process_definitions x WHERE x.process_key = d.process_key) ORDER BY process_key"));
  return ToVersions(r);
}

Result<std::vector<Version>> Store::VersionsOf(db::Connection& c, const std::string& key) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kColumns +
                                          " FROM process_definitions WHERE process_key = $1 "
                                          "ORDER BY version DESC",
                                      {key}));
  return ToVersions(r);
}

Result<std::optional<std::string>> Store::Xml(db::Connection& c, const std::string& key,
                                              int64_t version) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT xml FROM process_definitions WHERE process_key = $1 AND version = $2",
                      {key, version}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Status Store::Assign(db::Connection& c, const std::string& item_code, const std::string& key,
                     const std::string& by, const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO process_items (item_code, process_key, assigned_by, assigned_at) VALUES "
             "($1, $2, $3, $4) ON CONFLICT (item_code) DO UPDATE SET process_key = "
             "excluded.process_key, assigned_by = excluded.assigned_by, assigned_at = "
             "excluded.assigned_at",
             {item_code, key, by, at}));
  return {};
}

Result<std::optional<std::string>> Store::ProcessOf(db::Connection& c,
                                                    const std::string& item_code) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT process_key FROM process_items WHERE item_code = $1", {item_code}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

}  // namespace ow::processes
