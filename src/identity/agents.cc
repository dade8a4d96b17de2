// identity::Service: agent authorizations (a person lets another act for them, scoped and
// revocable).
#include "core/clock.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/ids.h"
#include "identity/service.h"
#include "identity/store.h"

namespace ow::identity {

using std::chrono::system_clock;

Result<AgentAuthorization> Service::AuthorizeAgent(const Principal& person,
                                                   const std::string& agent_username,
                                                   const std::string& scope,
                                                   const std::string& expires_at) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  if (person.kind != kPerson)
    return FailedPrecondition("only a natural person authorizes an agent");
  Validator v;
  auto now = system_clock::now();
  auto until = ParseTime(expires_at);
  if (!until || *until <= now || *until > now + std::chrono::hours(24 * 366))
    v.Add("expires_at", "must be a UTC time (2026-12-31T00:00:00Z) within the next year");
  if (scope.empty() || scope.size() > 2000)
    v.Add("scope", "must be * or item codes, comma-separated");
  OW_RETURN_IF_ERROR(v.Finish("agent"));
  AgentAuthorization g;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto agent, Store::FindByUsername(c, LowerAscii(agent_username)));
    if (!agent)
      return Error(Code::kInvalidArgument, "agent", {{"agent_username", "is not a user"}});
    OW_ASSIGN_OR_RETURN(auto roles, Store::Roles(c, agent->account.id));
    bool is_agent =
        std::any_of(roles.begin(), roles.end(), [](const Role& r) { return r.role == kAgent; });
    if (!is_agent)
      return Error(Code::kInvalidArgument, "agent",
                   {{"agent_username", "is not a township or village agent"}});
    g.id = "agt_" + crypto::RandomToken(12);
    g.agent_account_id = agent->account.id;
    g.agent_username = agent->account.username;
    g.principal_account_id = person.account_id;
    g.scope = scope;
    g.created_at = FormatTime(now);
    g.expires_at = expires_at;
    OW_RETURN_IF_ERROR(Store::InsertAgent(c, g));
    return Audit(&c, {"agent.authorized",
                      person.name_for_audit,
                      g.agent_account_id,
                      "success",
                      "",
                      {{"authorization", g.id}, {"expires_at", expires_at}}});
  }));
  return g;
}

Result<std::vector<AgentAuthorization>> Service::Agents(const Principal& person) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kReadAccount, {"", "", person.account_id}));
  std::vector<AgentAuthorization> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::AgentsOf(c, person.account_id));
    return {};
  }));
  return out;
}

Status Service::RevokeAgent(const Principal& person, const std::string& id) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::RevokeAgent(c, id, person.account_id, NowText()));
    if (!found) return NotFound("no live authorization " + id);
    return Audit(&c, {"agent.revoked", person.name_for_audit, id, "success", "", {}});
  });
}

namespace {
// True when an authorization's scope ("*" or comma-separated item codes) names `item`.
bool ScopeCovers(std::string_view scope, std::string_view item) {
  while (!scope.empty()) {
    size_t comma = scope.find(',');
    std::string_view one = scope.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one == "*" || (!item.empty() && one == item)) return true;
    if (comma == std::string_view::npos) break;
    scope.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

Result<bool> Service::IsAgentFor(const Principal& agent, const std::string& person_account,
                                 std::string_view item_code) {
  if (agent.account_id.empty() || !agent.HasRole(kAgent) || person_account.empty()) return false;
  bool live = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto g, Store::LiveAgent(c, agent.account_id, person_account, NowText()));
    live = std::any_of(g.begin(), g.end(), [&](const AgentAuthorization& a) {
      return item_code.empty() || ScopeCovers(a.scope, item_code);
    });
    return {};
  }));
  return live;
}

}  // namespace ow::identity
