// The identity domain's types: accounts, roles, sessions and the acting principal.
#ifndef OW_IDENTITY_MODEL_H_
#define OW_IDENTITY_MODEL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authz/principal.h"

namespace ow::identity {

// The acting principal, roles and account kinds live in the authorization library
// (src/authz); the identity domain establishes them (authn.h) and stores roles.
using authz::kAcceptor;
using authz::kAgent;
using authz::kApprover;
using authz::kAuditAdmin;
using authz::kCounter;
using authz::kHotline;
using authz::kPerson;
using authz::kReviewer;
using authz::kSecurityAdmin;
using authz::kStaff;
using authz::kSupervisor;
using authz::kSystemAdmin;
using authz::Principal;
using authz::Role;

// True for the three administrator duties.
bool IsAdminDuty(const std::string& role);
// True for any role above.
bool IsKnownRole(const std::string& role);
// True when `role` needs a department (acceptor, reviewer, approver) or a region
// (those and counter, agent, supervisor).
bool RoleNeedsDepartment(const std::string& role);
bool RoleNeedsRegion(const std::string& role);

// Identity assurance levels (how strongly the resident ID number of a person account is
// bound to the person holding it), carried as the OpenID Connect `acr` value:
//  ow:loa:1  self-asserted: the number was typed at registration and proves nothing
//            (NIST SP 800-63A IAL1, eIDAS LoA low);
//  ow:loa:2  verified remotely: a real-name verification service matched the number to
//            the name, or a trusted peer platform asserted it at this level
//            (IAL2 remote, eIDAS substantial);
//  ow:loa:3  verified in person: counter staff checked the physical ID card, or a trusted
//            peer platform asserted it at this level (IAL2 in person / IAL3 without
//            biometrics, eIDAS high as far as identity proofing goes).
// Staff accounts stay at level 1: staff are not residents of the portal.
inline constexpr int kLevelSelfAsserted = 1;
inline constexpr int kLevelRemote = 2;
inline constexpr int kLevelInPerson = 3;
inline constexpr const char* kLevelNames[] = {"ow:loa:1", "ow:loa:2", "ow:loa:3"};
// "ow:loa:N" for N in 1..3 (clamped).
std::string LevelName(int level);
// The level of an acr value, or 0 when it is not one of ours.
int LevelOf(std::string_view acr);

// Account statuses: "active"; "disabled" by an administrator; "frozen" when another
// account proved the resident ID number this account only claimed (it cannot log in).
inline constexpr const char* kActive = "active";
inline constexpr const char* kDisabled = "disabled";
inline constexpr const char* kFrozen = "frozen";

struct Account {
  std::string id;  // "acc_" + 22 random base64url characters
  std::string kind;
  std::string username;
  std::string real_name;
  std::string resident_id_masked;  // "" when none; the number itself never leaves Store
  std::string phone;
  std::string department_code;  // staff only
  std::string region_code;      // staff only
  std::string status;           // kActive | kDisabled | kFrozen
  int64_t failed_logins = 0;
  std::string locked_until;  // RFC 3339, "" when not locked
  std::string created_at;
  std::string last_login_at;
  int64_t version = 1;
  std::vector<Role> roles;
  // Identity proofing (person accounts): the level, and when and how it was reached
  // ("counter", "realname", "federation", "bootstrap"; "" at level 1).
  int identity_level = kLevelSelfAsserted;
  std::string verified_at;
  std::string verification_method;
};

struct Session {
  std::string id;  // public id (for listing and revoking), not the cookie secret
  std::string account_id;
  std::string created_at;
  std::string expires_at;
  std::string last_seen_at;
  std::string ip;
  std::string user_agent;
  std::string acr;
  std::string idp;  // "" for local logins; the trust name for federated ones
};

// A recorded, expiring authorization of an agent (proxy clerk) to act for a person.
struct AgentAuthorization {
  std::string id;
  std::string agent_account_id;
  std::string agent_username;
  std::string principal_account_id;
  std::string principal_name;
  std::string scope;  // "*" or a comma-separated list of catalog item codes
  std::string created_at;
  std::string expires_at;
  std::string revoked_at;
};

struct Enterprise {
  std::string credit_code;
  std::string name;
  std::string created_at;
};

// The owner key of data that belongs to an enterprise rather than to an account (a
// material uploaded in its name): "ent:" and the normalized credit code. Account ids
// start with "acc_", so the two never collide.
inline std::string EnterpriseOwner(const std::string& credit_code) { return "ent:" + credit_code; }
// The credit code of an EnterpriseOwner key, or "" for an account id.
inline std::string EnterpriseOfOwner(const std::string& owner) {
  return owner.rfind("ent:", 0) == 0 ? owner.substr(4) : std::string();
}

// A natural person acting for a legal person, with the rights its administrator
// operator granted ("apply", "view", "manage" for the administrator).
struct Operator {
  std::string credit_code;
  std::string account_id;
  std::string username;
  bool administrator = false;
  std::vector<std::string> rights;
  std::string granted_by;
  std::string granted_at;
  std::string enterprise_name = {};  // filled by reads
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_MODEL_H_
