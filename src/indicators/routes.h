// HTTP handlers of the indicators (authz::Action::kReadIndicators: the region's
// supervisors, evaluators' systems with client credentials and the scope indicators.read).
//
//   GET /api/v1/indicators?region=3301&from=2026-11-01&to=2026-11-30
//         [&group=none|day|week|month|region|department|item|hall|channel]
//         [&department=&item=&hall=&channel=] [&rank_by=on_time_rate|satisfaction|...]
//     -> {region, from, to, group, rank_by, totals, previous: {from, to, figures},
//         rows: [{key, rank, figures}]}; figures hold every counter of recorder.h and the
//         derived rates (null where nothing was counted)
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
