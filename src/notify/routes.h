// HTTP routes of the notifications domain: the person's inbox (/api/v1/me/messages),
// their notification preferences with the e-mail address check, and the system
// administrator's view of deliveries with the requeue of dead ones.
#ifndef OW_NOTIFY_ROUTES_H_
#define OW_NOTIFY_ROUTES_H_

#include "http/router.h"
#include "notify/service.h"

namespace ow::notify {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::notify

#endif  // OW_NOTIFY_ROUTES_H_
