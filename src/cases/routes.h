// HTTP routes of the cases domain: applications (/api/v1/cases, bundles), the applicant's
// own cases and messages (/api/v1/me/...), staff actions on a case, and the workbench
// (/api/v1/workbench/tasks, /api/v1/tasks/{id}/...). Writes run on the blocking pool:
// they wait for a group commit.
#ifndef OW_CASES_ROUTES_H_
#define OW_CASES_ROUTES_H_

#include <boost/json/object.hpp>

#include "cases/service.h"
#include "http/router.h"
#include "identity/authn.h"

namespace ow::cases {

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn);

boost::json::object CaseJson(const Case& k, bool full);

}  // namespace ow::cases

#endif  // OW_CASES_ROUTES_H_
