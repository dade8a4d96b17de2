#include "processes/service.h"

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace ow::processes {

namespace {
constexpr size_t kMaxXml = 1 << 20;

std::vector<Version> ToVersions(const db::Rows& r) {
  std::vector<Version> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back(
        {r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5)});
  return out;
}
constexpr const char* kColumns = "process_key, version, name, sha256, created_by, created_at";

// The engine accepts a userTask without an assignee (the subset is wider than our use of it),
// but a case cannot route such a task to anyone: refuse it when it is published rather than
// when the first application reaches it. Expressions are checked when the task is created.
Status CheckAssignees(const workflow::Definition& def) {
  for (const auto& n : def.nodes()) {
    if (n.type != workflow::NodeType::kUserTask) continue;
    // The engine already refuses a task without a role, department or region; which roles
    // exist is the platform's business (identity), not the engine's.
    if (!n.role.expression && n.role.literal != "acceptor" && n.role.literal != "reviewer" &&
        n.role.literal != "approver") {
      return Error(
          Code::kInvalidArgument, "process",
          {{"bpmn", "userTask " + n.id + " has role '" + n.role.literal +
                        "': set camunda:candidateGroups to acceptor, reviewer or approver"}});
    }
  }
  return {};
}
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

Service::Service(db::Database& db, catalog::Service& catalog) : db_(db), catalog_(catalog) {}

Result<Published> Service::Publish(const std::string& by, const std::string& key,
                                   const std::string& xml) {
  if (xml.size() > kMaxXml)
    return Error(Code::kInvalidArgument, "process", {{"bpmn", "must be at most 1 MiB"}});
  // Parsed before anything is stored: what the engine cannot run is never published.
  auto def = workflow::Definition::Parse(xml, 1);
  if (!def) return Error(Code::kInvalidArgument, "process", {{"bpmn", def.error().message}});
  if ((*def)->key() != key)
    return Error(Code::kInvalidArgument, "process",
                 {{"bpmn", "the bpmn:process id is " + (*def)->key() + ", not " + key}});
  OW_RETURN_IF_ERROR(CheckAssignees(**def));
  std::string sha = crypto::HexEncode(crypto::Sha256(xml));
  Published out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto latest, c.Query(std::string("SELECT ") + kColumns +
                                                 " FROM process_definitions WHERE process_key = $1 "
                                                 "ORDER BY version DESC LIMIT 1",
                                             {key}));
    auto rows = ToVersions(latest);
    if (!rows.empty() && rows[0].sha256 == sha) {
      out = {rows[0], false};
      return {};
    }
    Version v{key, rows.empty() ? 1 : rows[0].version + 1, (*def)->name(), sha, by, NowText()};
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO process_definitions (process_key, version, name, xml, sha256, created_by, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {v.key, v.version, v.name, xml, v.sha256, v.created_by, v.created_at}));
    out = {v, true};
    return {};
  }));
  return out;
}

Result<std::vector<Version>> Service::List() {
  std::vector<Version> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        auto r,
        c.Query(std::string("SELECT ") + kColumns +
                " FROM process_definitions d WHERE version = (SELECT MAX(version) FROM "
                "process_definitions x WHERE x.process_key = d.process_key) ORDER BY process_key"));
    out = ToVersions(r);
    return {};
  }));
  return out;
}

Result<std::vector<Version>> Service::Versions(const std::string& key) {
  std::vector<Version> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kColumns +
                                            " FROM process_definitions WHERE process_key = $1 "
                                            "ORDER BY version DESC",
                                        {key}));
    out = ToVersions(r);
    return {};
  }));
  if (out.empty()) return NotFound("no process " + key);
  return out;
}

Result<std::string> Service::Xml(const std::string& key, int64_t version) {
  std::optional<std::string> xml;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        auto r,
        c.Query("SELECT xml FROM process_definitions WHERE process_key = $1 AND version = $2",
                {key, version}));
    if (!r.empty()) xml = r.Text(0, 0);
    return {};
  }));
  if (!xml) return NotFound("no version " + std::to_string(version) + " of process " + key);
  return *xml;
}

Result<std::shared_ptr<const workflow::Definition>> Service::Definition(const std::string& key,
                                                                        int64_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find({key, version});
    if (it != cache_.end()) return it->second;
  }
  OW_ASSIGN_OR_RETURN(auto xml, Xml(key, version));
  OW_ASSIGN_OR_RETURN(auto def, workflow::Definition::Parse(xml, static_cast<int>(version)));
  std::lock_guard<std::mutex> lock(mu_);
  cache_[{key, version}] = def;
  return def;
}

Status Service::Assign(const std::string& by, const std::string& item_code,
                       const std::string& key) {
  OW_RETURN_IF_ERROR(catalog_.GetItem(item_code, ""));
  OW_RETURN_IF_ERROR(Versions(key));
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO process_items (item_code, process_key, assigned_by, assigned_at) VALUES "
        "($1, $2, $3, $4) ON CONFLICT (item_code) DO UPDATE SET process_key = "
        "excluded.process_key, assigned_by = excluded.assigned_by, assigned_at = "
        "excluded.assigned_at",
        {item_code, key, by, NowText()}));
    return {};
  });
}

Result<std::string> Service::ProcessOf(const std::string& item_code) {
  std::optional<std::string> key;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        auto r, c.Query("SELECT process_key FROM process_items WHERE item_code = $1", {item_code}));
    if (!r.empty()) key = r.Text(0, 0);
    return {};
  }));
  if (!key) return NotFound("no process is assigned to item " + item_code);
  return *key;
}

}  // namespace ow::processes
