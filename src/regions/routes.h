// HTTP handlers for regions. Public reads, no login.
//
//   GET /api/v1/regions                  provinces, paginated
//   GET /api/v1/regions/search           name prefix search (?q=&level=&within=)
//   GET /api/v1/regions/{code}           a region with its ancestors
//   GET /api/v1/regions/{code}/children  paginated by cursor
//   GET /api/v1/regions/{code}/path      the full path of names, e.g. of a village
#ifndef OW_REGIONS_ROUTES_H_
#define OW_REGIONS_ROUTES_H_

#include "http/router.h"
#include "regions/service.h"

namespace ow::regions {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::regions

#endif  // OW_REGIONS_ROUTES_H_
