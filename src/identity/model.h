// The identity domain's types: accounts, roles, sessions and the acting principal.
#ifndef OW_IDENTITY_MODEL_H_
#define OW_IDENTITY_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ow::identity {

// Account kinds. A natural person (resident) always has a verified-format resident ID;
// staff are government employees bound to one department and one region.
inline constexpr const char* kPerson = "person";
inline constexpr const char* kStaff = "staff";

// Roles. Department staff roles are scoped to a department and a region (and every
// region below it); the three administrator duties are global and mutually exclusive
// per account.
inline constexpr const char* kAcceptor = "acceptor";
inline constexpr const char* kReviewer = "reviewer";
inline constexpr const char* kApprover = "approver";
inline constexpr const char* kCounter = "counter";        // hall counter, any department
inline constexpr const char* kAgent = "agent";            // township/village proxy clerk
inline constexpr const char* kSupervisor = "supervisor";  // read-only indicators
inline constexpr const char* kSystemAdmin = "system_admin";
inline constexpr const char* kSecurityAdmin = "security_admin";
inline constexpr const char* kAuditAdmin = "audit_admin";

// True for the three administrator duties.
bool IsAdminDuty(const std::string& role);
// True for any role above.
bool IsKnownRole(const std::string& role);
// True when `role` needs a department (acceptor, reviewer, approver) or a region
// (those and counter, agent, supervisor).
bool RoleNeedsDepartment(const std::string& role);
bool RoleNeedsRegion(const std::string& role);

struct Role {
  std::string role;
  std::string department_code;  // "" when the role is not departmental
  std::string region_code;      // "" for global roles (the admin duties)
  std::string granted_by;
  std::string granted_at;
  bool operator==(const Role& o) const {
    return role == o.role && department_code == o.department_code && region_code == o.region_code;
  }
};

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

// Who is acting on a request, as established by authn.h. Exactly one of account_id
// (a person or staff member) and client_id (a system using client credentials) is
// set, except for the bootstrap administrator token (both empty, admin_token true).
struct Principal {
  std::string account_id;
  std::string username;
  std::string kind;
  std::string client_id;            // client-credentials tokens; or the RP of a user token
  std::vector<std::string> scopes;  // bearer tokens: the granted scopes
  std::vector<Role> roles;          // empty for federated sessions and client tokens
  std::string session_id;           // cookie sessions
  std::string acr;                  // assurance level of the authentication
  std::string via;                  // "session", "bearer", "admin_token"
  std::string name_for_audit;       // username, "client:<id>" or the admin token's name
  bool admin_token = false;

  bool HasRole(const std::string& role) const {
    for (const auto& r : roles)
      if (r.role == role) return true;
    return false;
  }
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
