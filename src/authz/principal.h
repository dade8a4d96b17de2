// Who is acting on a request. The identity domain establishes a Principal (from the
// portal session cookie, a bearer access token of our OpenID Connect provider, or a
// configured administrator token); everything else only reads it.
//
// This header and authz.h form the platform's one authorization model: a small library
// below every domain, with no I/O, so the rules can be read, and tested, in one place.
#ifndef OW_AUTHZ_PRINCIPAL_H_
#define OW_AUTHZ_PRINCIPAL_H_

#include <string>
#include <string_view>
#include <vector>

namespace ow::authz {

// Account kinds.
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
inline constexpr const char* kSupervisor = "supervisor";  // indicators; escalated tickets
inline constexpr const char* kHotline = "hotline";        // 12345 hotline, any department
inline constexpr const char* kSystemAdmin = "system_admin";
inline constexpr const char* kSecurityAdmin = "security_admin";
inline constexpr const char* kAuditAdmin = "audit_admin";

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

// How a principal was authenticated. Each is a different kind of caller with different
// powers: only a browser session is "the person at the keyboard"; a bearer token acts
// within its scopes; an administrator token is an operator's break-glass credential.
enum class Via {
  kNone,         // not authenticated
  kSession,      // the portal session cookie (a local login, or one federated in: idp set)
  kUserToken,    // an access token a relying party holds for a user (scopes apply)
  kClientToken,  // a client-credentials access token: a system, no user (scopes apply)
  kAdminToken,   // a configured administrator token (system administrator duties)
};

std::string_view ViaName(Via v);

// Exactly one of account_id (a person or staff member) and client_id (a system using
// client credentials) identifies the caller, except for the administrator token (both
// empty). A user token carries both: the user, and the relying party holding the token.
struct Principal {
  Via via = Via::kNone;
  std::string account_id;
  std::string username;
  std::string kind;                 // kPerson or kStaff, for accounts
  std::string client_id;            // client-credentials tokens; or the RP of a user token
  std::vector<std::string> scopes;  // bearer tokens: the granted scopes
  std::vector<Role> roles;          // empty for federated sessions and client tokens
  std::string session_id;           // cookie sessions
  std::string idp;                  // the trusted platform a federated session came from
  std::string acr;                  // assurance level of the authentication
  std::string name_for_audit;       // username, "client:<id>" or the admin token's name

  bool HasRole(std::string_view role) const {
    for (const auto& r : roles)
      if (r.role == role) return true;
    return false;
  }
  bool HasScope(std::string_view scope) const {
    for (const auto& s : scopes)
      if (s == scope) return true;
    return false;
  }
  bool is_token() const { return via == Via::kUserToken || via == Via::kClientToken; }
  bool admin_token() const { return via == Via::kAdminToken; }
};

}  // namespace ow::authz

#endif  // OW_AUTHZ_PRINCIPAL_H_
