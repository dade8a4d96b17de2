// HTTP handlers of the ratings domain (好差评 and 差评整改).
//
//   GET  /api/v1/rating-reasons               the five levels and the reasons offered for each
//   POST /api/v1/ratings                      {case_no, level, reasons, comment} the applicant,
//                                             online -> 201
//   GET  /api/v1/me/ratings                   the caller's ratings with their rectification
//   GET  /api/v1/ratings/{number}             one rating, with its events
//   GET  /api/v1/cases/{no}/ratings           the ratings of a case the caller may read
//   POST /api/v1/rating-registrations         counter, terminal or hotline staff, for the
//                                             applicant -> 201
//   POST /api/v1/cases/{no}/rating-link       send the applicant a one-time link -> 202
//   POST /api/v1/rating-links/lookup          {token} -> the case the link rates (public)
//   POST /api/v1/rating-links/rating          {token, level, reasons, comment} (public) -> 201
//   GET  /api/v1/rating-inbox?which=department|supervisor
//   POST /api/v1/ratings/{number}/rectification {version, decision, contact_note, result}
//   POST /api/v1/ratings/{number}/confirmation  {version} the rater
//   POST /api/v1/ratings/{number}/appeal        {version, reason} the rater
//   POST /api/v1/ratings/{number}/ruling        {version, decision, text} the supervisors
#ifndef OW_RATINGS_ROUTES_H_
#define OW_RATINGS_ROUTES_H_

#include "http/router.h"
#include "ratings/service.h"

namespace ow::ratings {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::ratings

#endif  // OW_RATINGS_ROUTES_H_
