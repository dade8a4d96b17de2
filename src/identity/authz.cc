#include "identity/authz.h"

#include <algorithm>

namespace ow::identity {
namespace {

bool IsStaffRole(const Role& r, const char* name) { return r.role == name; }

// A department role covers the target if the department matches and the region nests.
bool Covers(const Role& r, const Target& t, bool any_department) {
  if (!any_department && !t.department_code.empty() && r.department_code != t.department_code)
    return false;
  if (!any_department && t.department_code.empty() && !r.department_code.empty()) return false;
  return t.region_code.empty() ? r.region_code.empty() : RegionWithin(t.region_code, r.region_code);
}

bool HasCovering(const Principal& p, std::initializer_list<const char*> roles, const Target& t,
                 bool any_department = false) {
  return std::any_of(p.roles.begin(), p.roles.end(), [&](const Role& r) {
    for (const char* name : roles)
      if (IsStaffRole(r, name) && Covers(r, t, any_department)) return true;
    return false;
  });
}

bool HasScope(const Principal& p, std::string_view scope) {
  return std::find(p.scopes.begin(), p.scopes.end(), scope) != p.scopes.end();
}

bool Allowed(const Principal& p, Action a, const Target& t) {
  bool self = !p.account_id.empty() && p.account_id == t.owner_account;
  // A bearer token of a relying party acts for its user only within its scopes (profile
  // to read the account, cases.read for the user's cases) and never changes the account
  // or acts for the person; the platform's own sessions are not limited by scopes.
  bool relying_party = p.via == "bearer" && !p.account_id.empty();
  auto within = [&](std::string_view scope) { return !relying_party || HasScope(p, scope); };
  switch (a) {
    case Action::kReadAccount:
      return (self && within("profile")) || (t.agent_for_owner && p.HasRole(kAgent));
    case Action::kUpdateAccount:
      return self && !relying_party;
    case Action::kActForPerson:
      return (self && !relying_party) || (t.agent_for_owner && p.HasRole(kAgent));
    case Action::kManageStaff:
    case Action::kManageClients:
    case Action::kManageTrusts:
    case Action::kManageCatalog:
      return p.admin_token || p.HasRole(kSystemAdmin);
    case Action::kGrantRole:
      return p.HasRole(kSecurityAdmin) && p.account_id != t.owner_account;
    case Action::kRotateKeys:
      return p.HasRole(kSecurityAdmin);
    case Action::kReadAudit:
      return p.HasRole(kAuditAdmin);
    case Action::kReadCase:
      return (self && within("cases.read")) || (t.agent_for_owner && p.HasRole(kAgent)) ||
             (t.operator_of_owner.Any() && p.kind == kPerson && within("cases.read")) ||
             HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             HasCovering(p, {kCounter}, t, true) ||
             (!p.client_id.empty() && p.account_id.empty() && HasScope(p, "cases.read"));
    case Action::kAcceptCase:
      return HasCovering(p, {kAcceptor}, t);
    case Action::kReviewCase:
      return HasCovering(p, {kReviewer}, t);
    case Action::kApproveCase:
      return HasCovering(p, {kApprover}, t);
    case Action::kCounterIntake:
      return HasCovering(p, {kCounter}, t, true);
    case Action::kReadIndicators:
      return HasCovering(p, {kSupervisor}, t, true) ||
             (!p.client_id.empty() && p.account_id.empty() && HasScope(p, "indicators.read"));
    case Action::kActForEnterprise:
      return t.operator_of_owner.apply && p.kind == kPerson && !relying_party;
    case Action::kManageOperators:
      return t.operator_of_owner.manage && p.kind == kPerson && !relying_party;
  }
  return false;
}

}  // namespace

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kReadAccount:
      return "read this account";
    case Action::kUpdateAccount:
      return "change this account";
    case Action::kActForPerson:
      return "act for this person";
    case Action::kManageStaff:
      return "manage staff accounts";
    case Action::kGrantRole:
      return "grant or revoke this role";
    case Action::kReadAudit:
      return "read the audit log";
    case Action::kManageClients:
      return "manage OpenID Connect clients";
    case Action::kRotateKeys:
      return "rotate signing keys";
    case Action::kManageTrusts:
      return "manage trusted platforms";
    case Action::kManageCatalog:
      return "manage the catalog";
    case Action::kReadCase:
      return "read this case";
    case Action::kAcceptCase:
      return "accept this case";
    case Action::kReviewCase:
      return "review this case";
    case Action::kApproveCase:
      return "decide this case";
    case Action::kCounterIntake:
      return "register applications at this hall";
    case Action::kReadIndicators:
      return "read these indicators";
    case Action::kActForEnterprise:
      return "act in this enterprise's name";
    case Action::kManageOperators:
      return "manage this enterprise's operators";
  }
  return "do this";
}

bool RegionWithin(std::string_view inner, std::string_view outer) {
  return !outer.empty() && inner.size() >= outer.size() && inner.substr(0, outer.size()) == outer;
}

Status Decide(const Principal& who, Action what, const Target& on) {
  if (who.account_id.empty() && who.client_id.empty() && !who.admin_token)
    return Unauthenticated("log in first");
  if (Allowed(who, what, on)) return {};
  return PermissionDenied("you may not " + std::string(ActionName(what)));
}

}  // namespace ow::identity
