// Every authorization decision of the platform goes through Decide().
//
// A decision takes who is acting (a Principal from authn.h), what they want to do (an
// Action) and what it is about (a Target: the department, region and owner of the
// resource). Rules, in one table in authz.cc:
//  - Department staff roles (acceptor, reviewer, approver) act on resources of their
//    department in their region or any region below it (region codes nest by prefix:
//    33 > 3301 > 330102 > 330102001 > 330102001001). A county reviewer sees only their
//    county; a city reviewer sees every county of the city.
//  - Counter staff act for every department in their hall's region and below.
//  - The three administrator duties are separate: the system administrator runs the
//    platform (staff accounts, OIDC clients, trusts, catalog, departments), the security
//    administrator grants roles and rotates keys, the audit administrator reads the audit
//    log. None of them reads a person's data.
//  - A person reads and changes only their own data; an agent acts for a person only
//    under a live authorization covering the item concerned (checked by the caller and
//    passed as `agent_for_owner`).
//  - An enterprise acts through its operators: one holding "apply" applies, supplies and
//    withdraws in its name, any right ("view", "apply", "manage") reads its cases, and
//    "manage" grants and removes operators. The caller looks the live rights up
//    (Service::EnterpriseAccess) and passes them as `operator_of_owner`.
//  - Client-credentials tokens carry scopes, and act only where a scope allows. A
//    relying party's access token for a user acts for that user only within its
//    scopes: "profile" reads the account, "cases.read" the user's own cases; it never
//    changes the account or acts for the person (that needs the platform's session).
// Thread-safe (pure functions).
#ifndef OW_IDENTITY_AUTHZ_H_
#define OW_IDENTITY_AUTHZ_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "identity/model.h"

namespace ow::identity {

enum class Action {
  kReadAccount,       // an account's profile (owner: the account)
  kUpdateAccount,     // change one's password, phone, log out everywhere
  kActForPerson,      // an agent applying or reading for a person (owner: the person)
  kManageStaff,       // create/disable staff accounts
  kGrantRole,         // grant or revoke roles (target.owner: the grantee)
  kReadAudit,         // the audit log
  kManageClients,     // OIDC client registration
  kRotateKeys,        // signing key rotation
  kManageTrusts,      // trusted peer platforms
  kManageCatalog,     // catalog and department writes (author or reviewer)
  kReadCase,          // a case of a department in a region (or the applicant's own)
  kAcceptCase,        // pre-review and acceptance
  kReviewCase,        // review step
  kApproveCase,       // decision
  kCounterIntake,     // register an offline application at a hall
  kReadIndicators,    // supervision indicators of a region
  kActForEnterprise,  // apply, supply, withdraw in an enterprise's name (operator "apply")
  kManageOperators,   // grant or remove an enterprise's operators (operator "manage")
};

std::string_view ActionName(Action a);

// The live rights of an operator of an enterprise (model.h Operator::rights).
struct OperatorRights {
  bool apply = false, view = false, manage = false;
  bool Any() const { return apply || view || manage; }
};

struct Target {
  std::string department_code;   // "" when the resource is not departmental
  std::string region_code;       // "" when the resource has no region
  std::string owner_account;     // the person the data belongs to, if any
  bool agent_for_owner = false;  // the caller checked a live agent authorization
  // When an enterprise owns the resource: the caller's live rights as its operator.
  OperatorRights operator_of_owner = {};
};

// True when region `inner` is `outer` or lies below it.
bool RegionWithin(std::string_view inner, std::string_view outer);

// OK, or kPermissionDenied naming the action (kUnauthenticated when `who` is empty:
// no account, client or admin token).
Status Decide(const Principal& who, Action what, const Target& on = {});

}  // namespace ow::identity

#endif  // OW_IDENTITY_AUTHZ_H_
