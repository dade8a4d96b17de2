// HTTP handlers of the data exchange (src/exchange/service.h has the rules).
//
//   GET  /api/v1/exchange/resources?q=&department=&limit=      search the published catalogue
//   POST /api/v1/exchange/resources                            a new draft (version 1 or next)
//   GET  /api/v1/exchange/resources/{code}                     the published version
//   GET  /api/v1/exchange/resources/{code}/versions/{version}  any version (drafts: provider)
//   PUT  /api/v1/exchange/resources/{code}/versions/{version}  change a draft
//   POST /api/v1/exchange/resources/{code}/versions/{version}/submission
//   POST /api/v1/exchange/resources/{code}/versions/{version}/review {"publish", "note"}
//   GET  /api/v1/exchange/departments/{department}/drafts       versions not yet published
//   PUT  /api/v1/exchange/systems/{client_id} {"department_code"}  register a system
//   GET  /api/v1/exchange/systems
//   POST /api/v1/exchange/applications                         a system applies
//   GET  /api/v1/exchange/applications                         the calling system's own
//   GET  /api/v1/exchange/departments/{department}/applications?status=
//   POST /api/v1/exchange/applications/{id}/decision {"approve", "reason"}
//   POST /api/v1/exchange/applications/{id}/revocation {"reason"}
//   POST /api/v1/exchange/resources/{code}/query               one subject, signed answer
//   POST /api/v1/exchange/resources/{code}/extracts            a bulk extract (202, queued)
//   GET  /api/v1/exchange/resources/{code}/extracts            the calling system's extracts
//   GET  /api/v1/exchange/resources/{code}/extracts/{id}       status, parts, signed manifest
//   GET  /api/v1/exchange/resources/{code}/extracts/{id}/file?part=N  one part (NDJSON)
//   POST /api/v1/exchange/bases/{base}/import                  JSON lines, all or nothing
//   GET|PUT /api/v1/exchange/bases/{base}/records/{subject}
#ifndef OW_EXCHANGE_ROUTES_H_
#define OW_EXCHANGE_ROUTES_H_

#include "exchange/service.h"
#include "http/router.h"

namespace ow::exchange {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_ROUTES_H_
