// HTTP handlers for the holiday calendar. Reads are public; writes need a system
// administrator (authz::Action::kManageCatalog, as for catalog and departments).
//
//   GET /api/v1/calendar/{year}   the published year, with ETag "v<version>"; 304 on
//                                 If-None-Match; 404 when the year was never published
//   PUT /api/v1/calendar/{year}   {"holidays": ["2026-10-01", ...],
//                                  "working_days": ["2026-09-20", ...]} (both required;
//                                 "year" may be echoed if it matches the URL) -> 201 when
//                                 first published, 200 when replaced; If-Match honoured
//                                 (412 when stale or the year is not published yet)
#ifndef OW_CALENDAR_ROUTES_H_
#define OW_CALENDAR_ROUTES_H_

#include "calendar/service.h"
#include "http/request_helpers.h"
#include "http/router.h"

namespace ow::calendar {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::calendar

#endif  // OW_CALENDAR_ROUTES_H_
