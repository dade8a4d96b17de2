// The identity domain's types: accounts, roles, sessions and the acting principal.
#ifndef OW_IDENTITY_MODEL_H_
#define OW_IDENTITY_MODEL_H_

#include <cstdint>
#include <string>
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

struct Account {
  std::string id;  // "acc_" + 22 random base64url characters
  std::string kind;
  std::string username;
  std::string real_name;
  std::string resident_id_masked;  // "" when none; the number itself never leaves Store
  std::string phone;
  std::string department_code;  // staff only
  std::string region_code;      // staff only
  std::string status;           // "active" | "disabled"
  int64_t failed_logins = 0;
  std::string locked_until;  // RFC 3339, "" when not locked
  std::string created_at;
  std::string last_login_at;
  int64_t version = 1;
  std::vector<Role> roles;
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
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_MODEL_H_
