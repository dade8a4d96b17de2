// Operational endpoints: /healthz, /readyz, /metrics, and the API description
// (/api/openapi.json, /api/docs).
#ifndef OW_APP_SYSTEM_ROUTES_H_
#define OW_APP_SYSTEM_ROUTES_H_

#include <string_view>

#include "db/database.h"
#include "http/metrics.h"
#include "http/router.h"

namespace ow::app {

void AddSystemRoutes(http::Router& r, db::Database& db, http::Metrics& metrics);

// The OpenAPI 3.1 document compiled into the binary.
std::string_view OpenApiDocument();

}  // namespace ow::app

#endif  // OW_APP_SYSTEM_ROUTES_H_
