#include "processes/service.h"

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "processes/store.h"

namespace ow::processes {

namespace {
constexpr size_t kMaxXml = 1 << 20;

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
    OW_ASSIGN_OR_RETURN(std::optional<Version> latest, Store::Latest(c, key));
    if (latest && latest->sha256 == sha) {
      out = {*latest, false};
      return {};
    }
    Version v{key, latest ? latest->version + 1 : 1, (*def)->name(), sha, by, NowText()};
    OW_RETURN_IF_ERROR(Store::Insert(c, v, xml));
    out = {v, true};
    return {};
  }));
  return out;
}

Result<std::vector<Version>> Service::List() {
  std::vector<Version> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::LatestOfEach(c));
    return {};
  }));
  return out;
}

Result<std::vector<Version>> Service::Versions(const std::string& key) {
  std::vector<Version> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::VersionsOf(c, key));
    return {};
  }));
  if (out.empty()) return NotFound("no process " + key);
  return out;
}

Result<std::string> Service::Xml(const std::string& key, int64_t version) {
  std::optional<std::string> xml;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(xml, Store::Xml(c, key, version));
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
  return db_.Transact(
      [&](db::Connection& c) -> Status { return Store::Assign(c, item_code, key, by, NowText()); });
}

Result<std::string> Service::ProcessOf(const std::string& item_code) {
  std::optional<std::string> key;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(key, Store::ProcessOf(c, item_code));
    return {};
  }));
  if (!key) return NotFound("no process is assigned to item " + item_code);
  return *key;
}

}  // namespace ow::processes
