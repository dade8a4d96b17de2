// HTTP handlers for the service catalog. Reads are public; writes need an
// administrator (authz::Action::kManageCatalog), and a change's author can never approve it.
// Under /api/v1/catalog:
//   GET  items                              search and browse (facets on request)
//   GET  items/{code}                       the current guide (?region= applies local elements)
//   GET  items/{code}/versions              version history
//   GET  items/{code}/versions/{version}    one immutable version
//   GET  items/{code}/diff?from=&to=        what changed between two versions
//   GET  items/{code}/lineage               split/merge links
//   GET  items/{code}/implementations       where and how it is implemented
//   PUT|DELETE items/{code}/implementations/{region}
//   GET  implementations?needs_review=true&region=
//   GET|POST changes;  GET|PUT changes/{id}
//   POST changes/{id}/{submit|approve|reject|withdraw}
//   GET  bundles;  GET|PUT|DELETE bundles/{code}
//   GET  export?format=json|csv;  POST import?format=json|csv
#ifndef OW_CATALOG_ROUTES_H_
#define OW_CATALOG_ROUTES_H_

#include "catalog/service.h"
#include "http/request_helpers.h"
#include "http/router.h"

namespace ow::catalog {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::catalog

#endif  // OW_CATALOG_ROUTES_H_
