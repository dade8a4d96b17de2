// HTTP routes of the licences domain: the CA and seals (/api/v1/pki, /api/v1/seals),
// licence types, licences, the wallet (/api/v1/me/licences) and public verification
// (/api/v1/licence-verifications). Documented in docs/openapi.json.
#ifndef OW_LICENCES_ROUTES_H_
#define OW_LICENCES_ROUTES_H_

#include "http/router.h"
#include "licences/service.h"

namespace ow::licences {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::licences

#endif  // OW_LICENCES_ROUTES_H_
