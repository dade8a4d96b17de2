// identity::Service: staff roles (granted by administrators, within their own reach).
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

Result<std::vector<Role>> Service::RolesOf(const std::string& account_id) {
  std::vector<Role> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Roles(c, account_id));
    return {};
  }));
  return out;
}

Result<Role> Service::GrantRole(const Principal& by, const std::string& account_id,
                                const RoleInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kGrantRole, {"", "", account_id}));
  Validator v;
  if (!IsKnownRole(in.role)) v.Add("role", "is not a role");
  if (RoleNeedsDepartment(in.role) == in.department_code.empty())
    v.Add("department_code", RoleNeedsDepartment(in.role) ? "is required for this role"
                                                          : "must be empty for this role");
  if (RoleNeedsRegion(in.role) && !regions::LevelOfCode(in.region_code))
    v.Add("region_code", "must be a region code");
  if (!RoleNeedsRegion(in.role) && !in.region_code.empty())
    v.Add("region_code", "must be empty for this role");
  OW_RETURN_IF_ERROR(v.Finish("role"));
  Role r{in.role, in.department_code, in.region_code, by.name_for_audit, NowText()};
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto a, Load(c, account_id));
    if (a.kind != kStaff) return FailedPrecondition("roles are granted to staff accounts only");
    if (!r.department_code.empty() && r.department_code != a.department_code)
      return Error(Code::kInvalidArgument, "role",
                   {{"department_code",
                     "must be the staff member's own department (" + a.department_code + ")"}});
    if (!r.region_code.empty() && !authz::RegionWithin(r.region_code, a.region_code))
      return Error(Code::kInvalidArgument, "role",
                   {{"region_code",
                     "must be the staff member's region (" + a.region_code + ") or below it"}});
    for (const auto& held : a.roles) {
      if (held == r) return AlreadyExists("the account holds this role already");
      if (IsAdminDuty(held.role) && IsAdminDuty(r.role))
        return Conflict("the account holds the " + held.role +
                        " duty; no account may hold two administrator duties");
    }
    auto st = Store::GrantRole(c, account_id, r);
    if (!st && st.error().code == Code::kAlreadyExists)
      return Conflict("no account may hold two administrator duties");
    OW_RETURN_IF_ERROR(st);
    return Audit(
        &c, {"role.granted",
             by.name_for_audit,
             account_id,
             "success",
             "",
             {{"role", r.role}, {"department", r.department_code}, {"region", r.region_code}}});
  }));
  return r;
}

Status Service::RevokeRole(const Principal& by, const std::string& account_id,
                           const RoleInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kGrantRole, {"", "", account_id}));
  Role r{in.role, in.department_code, in.region_code, "", ""};
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::RevokeRole(c, account_id, r));
    if (!found) return NotFound("the account does not hold this role");
    return Audit(
        &c, {"role.revoked",
             by.name_for_audit,
             account_id,
             "success",
             "",
             {{"role", r.role}, {"department", r.department_code}, {"region", r.region_code}}});
  });
}

}  // namespace ow::identity
