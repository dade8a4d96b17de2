// Who may read and act on a case (service.h, "Authorization"): readers of a case, staff
// who may work on a task, an enterprise operator's rights, the channel an applicant's
// own action is recorded with, and material reads that go through a case. Every answer
// is an authz::Decide over facts looked up now.
#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"

namespace ow::cases {

using identity::Principal;

namespace {

authz::Action ActionForRole(std::string_view role) {
  if (role == identity::kAcceptor) return authz::Action::kAcceptCase;
  if (role == identity::kReviewer) return authz::Action::kReviewCase;
  return authz::Action::kApproveCase;
}

}  // namespace

namespace internal {

bool KnownTaskRole(std::string_view role) {
  return role == identity::kAcceptor || role == identity::kReviewer || role == identity::kApprover;
}

}  // namespace internal

Status Service::CanWorkOn(const Principal& who, const Task& t) const {
  authz::Target target;
  target.department_code = t.department_code;
  target.region_code = t.region_code;
  return authz::Decide(who, ActionForRole(t.role), target);
}

authz::OperatorRights Service::OperatorRightsOn(const Principal& who, const Case& k) {
  if (k.applicant_enterprise.empty() || who.kind != identity::kPerson) return {};
  auto access = identity_.AccessTo(who, k.applicant_enterprise);
  return access ? access->rights : authz::OperatorRights{};
}

bool Service::CanRead(const Principal& who, const Case& k, const std::vector<Task>& tasks) {
  authz::Target t{k.department_code, k.region_code, k.applicant_account_id, false};
  if (!k.applicant_account_id.empty() && who.HasRole(identity::kAgent) &&
      who.account_id != k.applicant_account_id) {
    auto agent = identity_.IsAgentFor(who, k.applicant_account_id, k.item_code);
    t.agent_for_owner = agent && *agent;
  }
  t.operator_of_owner = OperatorRightsOn(who, k);
  if (authz::Decide(who, authz::Action::kReadCase, t)) return true;
  for (const auto& task : tasks) {
    if (authz::Decide(who, authz::Action::kReadCase,
                      {task.department_code, task.region_code, "", false}))
      return true;
  }
  // The hall that took the application in (cross-region intake) follows it while its
  // clerk is counter staff. Agents and operators who submitted a case do not: they read
  // it only under a live authorization or operator right (checked above).
  return k.channel == kCounterChannel && !who.account_id.empty() &&
         who.account_id == k.submitted_by_account && who.HasRole(identity::kCounter);
}

Result<std::string> Service::ApplicantChannel(const Principal& who, const Case& k,
                                              const std::string& channel,
                                              std::string_view refusal) {
  if (!k.applicant_enterprise.empty()) {
    // Any operator reads the case; only one holding "apply" now acts in its name.
    authz::Target t;
    t.operator_of_owner = OperatorRightsOn(who, k);
    if (!authz::Decide(who, authz::Action::kActForEnterprise, t))
      return PermissionDenied(std::string(refusal));
    return channel.empty() ? kWeb : channel;
  }
  if (who.account_id == k.applicant_account_id) return channel.empty() ? kWeb : channel;
  if (k.applicant_account_id.empty()) return PermissionDenied(std::string(refusal));
  OW_ASSIGN_OR_RETURN(bool agent, identity_.IsAgentFor(who, k.applicant_account_id, k.item_code));
  if (!agent) return PermissionDenied(std::string(refusal));
  return std::string(kAgentChannel);
}

bool Service::MayReadMaterial(const Principal& who, const std::string& material_id) {
  bool ok = false;
  auto st = db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto ids, store::CasesWithMaterial(c, material_id));
    for (int64_t id : ids) {
      OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
      OW_ASSIGN_OR_RETURN(auto tasks, store::LoadTasks(c, id));
      if (k && CanRead(who, *k, tasks)) {
        ok = true;
        return {};
      }
    }
    return {};
  });
  return st && ok;
}

}  // namespace ow::cases
