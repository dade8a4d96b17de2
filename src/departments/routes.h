// HTTP handlers for departments. Reads are public; writes need a system administrator
// (authz::Action::kManageCatalog).
//
//   GET    /api/v1/departments          list (?region=&within=&type=&parent=&limit=&cursor=)
//   POST   /api/v1/departments          create -> 201 with Location and ETag
//   GET    /api/v1/departments/{code}   one, with ETag
//   PUT    /api/v1/departments/{code}   replace writable fields; If-Match honoured (412)
//   DELETE /api/v1/departments/{code}   -> 204; If-Match honoured
#ifndef OW_DEPARTMENTS_ROUTES_H_
#define OW_DEPARTMENTS_ROUTES_H_

#include "departments/service.h"
#include "http/request_helpers.h"
#include "http/router.h"

namespace ow::departments {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::departments

#endif  // OW_DEPARTMENTS_ROUTES_H_
