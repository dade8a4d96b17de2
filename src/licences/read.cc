// Reading licences: one by number, a holder's wallet, what a department issued.
#include "authz/authz.h"
#include "licences/service_internal.h"

namespace ow::licences {

Result<authz::Target> Service::TargetOf(const Principal& who, const Licence& l) {
  authz::Target t{l.department_code, l.region_code, "", false, {}};
  if (l.holder_kind == kPerson) {
    // The holder is whoever proved the licence's number (level 2 or 3), nobody else.
    if (!who.account_id.empty() && who.kind == authz::kPerson) {
      auto id = identity_.ResidentId(who.account_id);
      if (id && *id == l.holder_id) t.owner_account = who.account_id;
    }
  } else if (!who.account_id.empty()) {
    auto access = identity_.AccessTo(who, l.holder_id);
    if (access) t.operator_of_owner = access->rights;
  }
  return t;
}

Result<Licence> Service::Get(const Principal& who, const std::string& number) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kReadLicence));
  Licence out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, number));
    if (!row) return NotFound("no licence " + number);
    OW_ASSIGN_OR_RETURN(out, Open(c, *row, true));
    return {};
  }));
  OW_ASSIGN_OR_RETURN(auto target, TargetOf(who, out));
  // Whoever may not read it learns nothing, not even that it exists.
  if (!authz::Decide(who, authz::Action::kReadLicence, target))
    return NotFound("no licence " + number);
  return out;
}

Result<Licence> Service::GetIn(db::Connection& c, const Principal& who, const std::string& number) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kReadLicence));
  OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, number));
  if (!row) return NotFound("no licence " + number);
  OW_ASSIGN_OR_RETURN(Licence out, Open(c, *row, true));
  // Staff of the issuing department only: the holder's side (TargetOf) reads other tables
  // outside `c`.
  if (!authz::Decide(who, authz::Action::kReadLicence,
                     {out.department_code, out.region_code, "", false, {}}))
    return NotFound("no licence " + number);
  return out;
}

Result<std::vector<Licence>> Service::Wallet(const Principal& who, const std::string& enterprise) {
  std::string key;
  if (enterprise.empty()) {
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kReadLicence, {"", "", who.account_id, false, {}}));
    if (who.kind != authz::kPerson)
      return FailedPrecondition("licences are held by persons and enterprises, not staff");
    auto id = identity_.ResidentId(who.account_id);
    if (!id) {
      if (id.error().code != Code::kNotFound) return id.error();
      return FailedPrecondition(
          "your identity is not verified yet: licences are shown to the proven holder of the "
          "resident ID number only (verify online or at a hall counter)");
    }
    key = HolderKey(kPerson, *id);
  } else {
    auto access = identity_.AccessTo(who, enterprise);
    if (!access) return NotFound("no enterprise " + enterprise + " that you operate");
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kReadLicence, {"", "", "", false, access->rights}));
    key = HolderKey(kEnterprise, access->enterprise.credit_code);
  }
  std::vector<Licence> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, store::LicencesOfHolder(c, key));
    for (const auto& r : rows) {
      OW_ASSIGN_OR_RETURN(auto l, Open(c, r, false));
      out.push_back(std::move(l));
    }
    return {};
  }));
  return out;
}

Result<std::vector<Licence>> Service::Issued(const Principal& who,
                                             const std::string& department_code,
                                             const std::string& region_code, int64_t limit) {
  if (department_code.empty() || region_code.empty())
    return Error(Code::kInvalidArgument, "query",
                 {{"department", "department and region are required"}});
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadLicence,
                                   {department_code, region_code, "", false, {}}));
  std::vector<Licence> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, store::LicencesOfIssuer(c, department_code, region_code, limit));
    for (const auto& r : rows) {
      OW_ASSIGN_OR_RETURN(auto l, Open(c, r, false));
      out.push_back(std::move(l));
    }
    return {};
  }));
  return out;
}

}  // namespace ow::licences
