// HTTP handlers for appointments.
//
//   GET  /api/v1/halls[?region=]                    public: halls with hours and windows
//   GET  /api/v1/halls/{code}                       public
//   PUT  /api/v1/halls/{code}                       kManageHalls; If-Match "h<version>"
//   GET  /api/v1/halls/{code}/slots?item=           public: the open slots, places left
//   GET  /api/v1/halls/{code}/queue                 public: numbers called, counts waiting
//   POST /api/v1/halls/{code}/check-ins             kOperateHall {"booking_no"}
//   POST /api/v1/halls/{code}/kiosk/check-ins       public {"booking_no"} (the number proves it)
//   POST /api/v1/halls/{code}/walk-ins              kOperateHall {"item_code"}
//   POST /api/v1/halls/{code}/windows/{n}/call-next kOperateHall
//   POST /api/v1/bookings                           kBook {"hall_code", "item_code", "day",
//                                                   "start", "tracking_no"?, "for_username"?}
//   GET  /api/v1/me/bookings                        kBook
//   GET  /api/v1/bookings/{no}                      kBook
//   POST /api/v1/bookings/{no}/reschedule           kBook {"day", "start"}; If-Match "b<v>"
//   POST /api/v1/bookings/{no}/cancel               kBook
//   GET  /api/v1/bookings/{no}/calendar.ics         kBook: text/calendar
#ifndef OW_APPOINTMENTS_ROUTES_H_
#define OW_APPOINTMENTS_ROUTES_H_

#include <boost/json/object.hpp>

#include "appointments/service.h"
#include "http/router.h"

namespace ow::appointments {

void AddRoutes(http::Router& r, Service& service);

// A hall as PUT sends it (also demo/halls.json): field errors as the API reports them.
Result<HallInput> ParseHallInput(boost::json::object body);

}  // namespace ow::appointments

#endif  // OW_APPOINTMENTS_ROUTES_H_
