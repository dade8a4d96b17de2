// HTTP handlers for the service catalog. Reads are public; writes need an
// administrator (authz::Action::kManageCatalog), and a change's author can never approve it.
//
//   GET  /api/v1/catalog/items                          search and browse (facets on request)
//   GET  /api/v1/catalog/items/{code}                   the current guide (?region= applies local
//   elements) GET  /api/v1/catalog/items/{code}/versions          version history GET
//   /api/v1/catalog/items/{code}/versions/{version} one immutable version GET
//   /api/v1/catalog/items/{code}/diff              ?from=&to= GET
//   /api/v1/catalog/items/{code}/lineage           split/merge links GET
//   /api/v1/catalog/items/{code}/implementations   where and how it is implemented PUT|DELETE
//   /api/v1/catalog/items/{code}/implementations/{region} GET  /api/v1/catalog/implementations
//   ?needs_review=true&region= GET|POST /api/v1/catalog/changes; GET|PUT
//   /api/v1/catalog/changes/{id} POST /api/v1/catalog/changes/{id}/{submit|approve|reject|withdraw}
//   GET  /api/v1/catalog/bundles; GET|PUT|DELETE /api/v1/catalog/bundles/{code}
//   GET  /api/v1/catalog/export?format=json|csv;  POST /api/v1/catalog/import?format=json|csv
#ifndef OW_CATALOG_ROUTES_H_
#define OW_CATALOG_ROUTES_H_

#include "catalog/service.h"
#include "http/request_helpers.h"
#include "http/router.h"

namespace ow::catalog {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::catalog

#endif  // OW_CATALOG_ROUTES_H_
