// HTTP handlers of the indicators (authz::Action::kReadIndicators: the region's
// supervisors, evaluators' systems with client credentials and the scope indicators.read).
//
//   GET /api/v1/indicators?region=3301&from=2026-11-01&to=2026-11-30
//         [&group=none|day|week|month|region|department|item|hall|channel]
//         [&department=&item=&hall=&channel=] [&rank_by=on_time_rate|satisfaction|...]
//     -> {region, from, to, group, rank_by, totals, previous: {from, to, figures},
//         rows: [{key, rank, figures}]}; figures hold every counter of recorder.h and the
//         derived rates (null where nothing was counted)
//   GET /api/v1/indicators/export?<the same>&format=csv|xlsx
//     -> the rows and totals as a file for third-party evaluation, its SHA-256 in
//        X-Content-SHA256 and the platform's signature of a manifest naming it in
//        X-OneWindow-Signature (a compact JWS, typ ow-indicators-export+jwt, verifiable
//        with the OpenID Connect provider's JWKS); every export is audited.
//        [&dataset=indicators|ratings] (CSV): the anonymised ratings instead; an XLSX holds
//        both sheets, "indicators" and "ratings"
//   GET /api/v1/indicators/ratings?<the same>
//     -> {region, from, to, ratings: [{case_key, day, region_code, department_code,
//         item_code, channel, service_channel, level, reasons, stage, outcome, comment}]}:
//        the anonymised ratings of the period (anonymise.h), audited (indicators.ratings)
//   GET /api/v1/indicators/report?region=&from=&to=
//     -> application/pdf: the region's capability report (report.h), signed and audited
//        (indicators.report) as the exports are
//   GET /api/v1/rating-summary?region=33&from=2026-11-01&to=2026-11-30 (public, no sign-in)
//     -> {region, from, to, totals, previous: {from, to, totals}, departments:
//         [{department_code, rank, ratings, satisfied, bad, rectified, annulled,
//           satisfaction, average_level, rectification_rate}]}: each department's ratings
//        (好差评) as published, ranked by satisfaction; never a person, a case or an item
#ifndef OW_INDICATORS_ROUTES_H_
#define OW_INDICATORS_ROUTES_H_

#include <boost/json/object.hpp>

#include "http/router.h"
#include "indicators/service.h"

namespace ow::indicators {

// The JSON of `f` (the API's "figures").
boost::json::object FiguresJson(const Figures& f);

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::indicators

#endif  // OW_INDICATORS_ROUTES_H_
