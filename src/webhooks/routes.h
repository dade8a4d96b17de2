// HTTP handlers of the webhooks domain (src/webhooks/service.h has the rules).
//
// A department's system (client credentials, scope events.subscribe):
//   POST   /api/v1/webhooks/subscriptions {"url", "events"}   subscribe an endpoint
//   GET    /api/v1/webhooks/subscriptions                     its own subscriptions
//   DELETE /api/v1/webhooks/subscriptions/{id}                disable one of its own
//   GET    /api/v1/webhooks/deliveries?status=&limit=         its own deliveries
// The system administrator:
//   GET    /api/v1/webhook-subscriptions?client_id=           every subscription
//   POST   /api/v1/webhook-subscriptions/{id}/disable
//   GET    /api/v1/webhook-deliveries?status=&limit=          the outbox; status=dead: dead letters
//   POST   /api/v1/webhook-deliveries/{id}/replay             a dead delivery, sent again
#ifndef OW_WEBHOOKS_ROUTES_H_
#define OW_WEBHOOKS_ROUTES_H_

#include "http/router.h"
#include "webhooks/service.h"

namespace ow::webhooks {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::webhooks

#endif  // OW_WEBHOOKS_ROUTES_H_
