// HTTP handlers of the tickets domain: consultations, complaints, suggestions, the FAQ.
//
//   POST /api/v1/tickets                     ask (public: signed in, or an anonymous consultation
//                                            answered with a lookup_code shown once) -> 201
//   POST /api/v1/ticket-lookups              {number, code} -> the anonymous asker's ticket
//   POST /api/v1/ticket-lookups/rating       {number, code, score, comment} -> rate it
//   GET  /api/v1/me/tickets                  the caller's tickets
//   GET  /api/v1/tickets/{number}            one ticket, with its events
//   POST /api/v1/tickets/{number}/answer     {version, answer} department staff or supervisors
//   POST /api/v1/tickets/{number}/return     {version, instruction} supervisors
//   POST /api/v1/tickets/{number}/rating     {score, comment} the asker
//   GET  /api/v1/ticket-inbox?which=department|escalated
//   POST /api/v1/ticket-registrations        hotline and hall staff, for a caller
//   GET  /api/v1/faq?q=&item_code=&region_code=&limit=   public search
//   POST /api/v1/faq                         publish from an answered consultation
//   POST /api/v1/faq/{id}/unpublish          {version}
#ifndef OW_TICKETS_ROUTES_H_
#define OW_TICKETS_ROUTES_H_

#include "http/router.h"
#include "identity/authn.h"
#include "tickets/service.h"

namespace ow::tickets {

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn);

}  // namespace ow::tickets

#endif  // OW_TICKETS_ROUTES_H_
