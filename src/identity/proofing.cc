// identity::Service: identity proofing (at the counter, online through the real-name source) and
// assurance levels.
#include <algorithm>

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/ids.h"
#include "identity/realname.h"
#include "identity/service.h"
#include "identity/store.h"

namespace ow::identity {

Result<Account> Service::RaiseIdentity(const std::string& id, int level, const std::string& method,
                                       const std::string& by, const std::string& actor,
                                       const std::string& ip,
                                       std::map<std::string, std::string> detail) {
  Account out;
  std::vector<std::string> frozen;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    frozen.clear();
    OW_ASSIGN_OR_RETURN(auto row, Store::GetAccount(c, id));
    if (!row) return NotFound("no account " + id);
    const Account& a = row->account;
    if (a.kind != kPerson)
      return FailedPrecondition("only a natural person's account has its identity verified");
    if (a.status != kActive)
      return FailedPrecondition("the account is " + a.status + "; it cannot be verified");
    if (row->resident_id_hmac.empty())
      return FailedPrecondition("the account has no resident ID number to verify");
    detail["resident_id"] = a.resident_id_masked;
    detail["level"] = LevelName(level);
    detail["method"] = method;
    if (a.identity_level >= level) {
      // Nothing to raise; the check itself is still on record.
      detail["unchanged"] = "true";
      OW_ASSIGN_OR_RETURN(out, Load(c, id));
      return Audit(&c, {"identity.verified", actor, id, "success", ip, detail});
    }
    OW_ASSIGN_OR_RETURN(auto holder, Store::FindVerifiedByResident(c, row->resident_id_hmac));
    if (holder && holder->account.id != id && holder->account.identity_level >= level)
      return Conflict(
          "another account proved this resident ID number at the same or a higher level; a "
          "security administrator must look into it");
    // The proof wins: every other claimant (and a holder proven more weakly) is frozen.
    OW_ASSIGN_OR_RETURN(auto claims, Store::FindClaims(c, row->resident_id_hmac));
    for (const auto& other : claims) {
      if (other.account.id == id) continue;
      if (other.account.status == kFrozen && other.account.identity_level == kLevelSelfAsserted)
        continue;
      OW_RETURN_IF_ERROR(Store::Freeze(c, other.account.id));
      OW_RETURN_IF_ERROR(Store::DeleteSessionsOf(c, other.account.id));
      frozen.push_back(other.account.id);
      OW_RETURN_IF_ERROR(
          Audit(&c, {"account.frozen",
                     actor,
                     other.account.id,
                     "success",
                     ip,
                     {{"reason",
                       "its resident ID number was verified for another "
                       "account"},
                      {"verified_account", id},
                      {"resident_id", a.resident_id_masked},
                      {"previous_level", LevelName(other.account.identity_level)}}}));
    }
    OW_RETURN_IF_ERROR(Store::SetVerified(c, id, level, NowText(), by, method));
    OW_RETURN_IF_ERROR(Audit(&c, {"identity.verified", actor, id, "success", ip, detail}));
    OW_ASSIGN_OR_RETURN(out, Load(c, id));
    return {};
  }));
  // Relying parties lose what they were given for a frozen account.
  for (const auto& f : frozen)
    for (const auto& hook : hooks_) hook(f, ip);
  return out;
}

namespace {
// The counter role of `staff` covering `hall` ("" = the only one), or nullptr.
const Role* CounterRoleFor(const Principal& staff, const std::string& hall) {
  const Role* found = nullptr;
  int counters = 0;
  for (const auto& r : staff.roles) {
    if (r.role != kCounter) continue;
    ++counters;
    if (!hall.empty() && authz::RegionWithin(hall, r.region_code)) return &r;
    if (hall.empty()) found = &r;
  }
  return hall.empty() && counters == 1 ? found : nullptr;
}
}  // namespace

Result<std::vector<Account>> Service::CounterLookup(const Principal& staff,
                                                    const std::string& username,
                                                    const std::string& resident_id,
                                                    const std::string& ip) {
  std::string region;
  for (const auto& r : staff.roles)
    if (r.role == kCounter) region = r.region_code;
  OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake, {"", region, "", false}));
  if (username.empty() == resident_id.empty())
    return Error(Code::kInvalidArgument, "lookup",
                 {{"username", "give either a username or a resident_id"}});
  std::vector<Account> out;
  std::string masked;
  std::optional<std::string> id;
  if (!resident_id.empty()) {
    std::string why;
    id = NormalizeResidentId(resident_id, &why);
    if (!id) return Error(Code::kInvalidArgument, "lookup", {{"resident_id", why}});
    masked = MaskResidentId(*id);
  }
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    std::vector<AccountRow> rows;
    if (id) {
      OW_ASSIGN_OR_RETURN(rows, Store::FindClaims(c, ResidentLookup(*id)));
    } else {
      OW_ASSIGN_OR_RETURN(auto one, Store::FindByUsername(c, LowerAscii(username)));
      if (one) rows.push_back(std::move(*one));
    }
    for (auto& r : rows)
      if (r.account.kind == kPerson) out.push_back(std::move(r.account));
    return {};
  }));
  (void)Audit(nullptr, {"identity.looked_up",
                        staff.name_for_audit,
                        "",
                        "success",
                        ip,
                        {{"by", id ? "resident_id" : "username"},
                         {"query", id ? masked : LowerAscii(username)},
                         {"found", std::to_string(out.size())}}});
  return out;
}

Result<Account> Service::VerifyAtCounter(const Principal& staff, const std::string& id,
                                         const std::string& hall_region, bool card_checked,
                                         const std::string& ip) {
  const Role* counter = CounterRoleFor(staff, hall_region);
  std::string hall = counter && hall_region.empty() ? counter->region_code : hall_region;
  if (!counter) {
    // No counter role covers the hall: Decide says why (unauthenticated or denied).
    OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake,
                                     {"", hall.empty() ? "-" : hall, "", false}));
    return Error(Code::kInvalidArgument, "verification",
                 {{"hall_region", "name the hall's region: you serve at several halls"}});
  }
  OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake, {"", hall, "", false}));
  if (!card_checked)
    return Error(Code::kInvalidArgument, "verification",
                 {{"card_checked", "must be true: check the physical ID card first"}});
  if (staff.account_id == id) return PermissionDenied("you cannot verify your own identity");
  std::optional<AccountRow> me, them;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(me, Store::GetAccount(c, staff.account_id));
    OW_ASSIGN_OR_RETURN(them, Store::GetAccount(c, id));
    return {};
  }));
  // A staff member's own person account (same number) is verified by a colleague.
  if (me && them && !me->resident_id_hmac.empty() &&
      crypto::ConstantTimeEquals(me->resident_id_hmac, them->resident_id_hmac))
    return PermissionDenied("you cannot verify an account with your own ID number");
  return RaiseIdentity(id, kLevelInPerson, "counter", staff.username, staff.name_for_audit, ip,
                       {{"hall", hall}, {"staff", staff.username}});
}

Result<Account> Service::VerifyOnline(const Principal& person, const std::string& ip) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  if (person.kind != kPerson)
    return FailedPrecondition("only a natural person's account has its identity verified");
  if (!RealNameConfigured())
    return FailedPrecondition(
        "online verification is not offered here; bring your ID card to any service hall");
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, person.account_id));
    return {};
  }));
  if (!row) return NotFound("no such account");
  if (row->account.identity_level >= kLevelRemote) {
    OW_ASSIGN_OR_RETURN(auto a, AccountById(person.account_id));
    return a;
  }
  std::chrono::seconds retry{0};
  if (!throttle_.AdmitRealName(person.account_id, std::chrono::system_clock::now(), &retry))
    return ResourceExhausted("too many online verification attempts; try again in " +
                                 std::to_string(retry.count()) +
                                 " seconds, or bring your ID card to any service hall",
                             retry);
  OW_ASSIGN_OR_RETURN(auto number, OpenResidentId(*row));
  auto answer = CheckRealName({config_.realname_url, config_.realname_secret,
                               std::chrono::milliseconds(config_.realname_timeout_ms)},
                              number, row->account.real_name);
  std::map<std::string, std::string> detail{{"resident_id", row->account.resident_id_masked}};
  if (!answer) {
    detail["reason"] = answer.error().message;
    (void)Audit(nullptr, {"identity.realname_failed", person.name_for_audit, person.account_id,
                          "failure", ip, detail});
    return answer.error();
  }
  detail["reference"] = answer->reference;
  if (!answer->match) {
    (void)Audit(nullptr, {"identity.realname_mismatch", person.name_for_audit, person.account_id,
                          "failure", ip, detail});
    return FailedPrecondition(
        "the real-name verification service did not match your name and ID number; your "
        "identity is not verified (bring your ID card to any service hall)");
  }
  return RaiseIdentity(person.account_id, kLevelRemote, "realname", "realname:" + answer->reference,
                       person.name_for_audit, ip, detail);
}

}  // namespace ow::identity
