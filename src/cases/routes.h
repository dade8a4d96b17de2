// HTTP routes of the cases domain: applications (/api/v1/cases, bundles), the applicant's
// own cases and messages (/api/v1/me/...), staff actions on a case, and the workbench
// (/api/v1/workbench/tasks, /api/v1/tasks/{id}/...). Writes run on the blocking pool:
// they wait for a group commit.
//
// Applicants: POST /api/v1/cases applies as the caller (a natural person), for a person
// as their agent ("on_behalf_of": account id), in an enterprise's name as its operator
// holding "apply" ("on_behalf_of_enterprise": credit code; items serving legal persons
// only), or at a hall counter ("applicant_resident_id"). A case's "applicant" is
// {kind: person|enterprise, account_id, credit_code, name, resident_id};
// GET /api/v1/enterprises/{code}/cases lists an enterprise's cases to its operators.
#ifndef OW_CASES_ROUTES_H_
#define OW_CASES_ROUTES_H_

#include <boost/json/object.hpp>

#include "cases/service.h"
#include "http/router.h"
#include "identity/authn.h"

namespace ow::cases {

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn);
// The archive (archive_routes.cc): GET /api/v1/archive/cases/{no} (the archived case,
// read-only) and /api/v1/archive/cases/{no}/package (its signed package). AddRoutes adds
// them.
void AddArchiveRoutes(http::Router& r, Service& service, const identity::Authenticator& authn);

// A case as JSON: with its form, materials, tasks and events when `full`. Without
// `staff_view` (the applicant, their agent, an enterprise's operator) the staff who worked on
// it are not named: tasks' claimed_by and closed_by are null, and events done at the
// workbench or a counter have an empty actor.
boost::json::object CaseJson(const Case& k, bool full, bool staff_view = true);

}  // namespace ow::cases

#endif  // OW_CASES_ROUTES_H_
