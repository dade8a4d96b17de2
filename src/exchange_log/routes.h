// HTTP routes of the exchange message log and the platform's time-stamping authority.
//
//   POST /api/v1/tsa                       RFC 3161 over HTTP (public, limited per address)
//   GET  /api/v1/tsa/certificates          the TSA certificate chain, PEM (public)
//   GET  /api/v1/exchange/log              search (exchange_log.search)
//   GET  /api/v1/exchange/log/verify       the whole chain and its time-stamps (auditors)
//   GET  /api/v1/exchange/log/{seq}/evidence
//   GET  /api/v1/me/data-uses              the person's own (data_uses.read.own)
//   GET  /api/v1/me/data-uses/{seq}/evidence
//   POST /api/v1/me/data-uses/{seq}/objection  a complaint to the provider (data_uses.object)
#ifndef OW_EXCHANGE_LOG_ROUTES_H_
#define OW_EXCHANGE_LOG_ROUTES_H_

#include <cstdint>

#include "exchange_log/service.h"
#include "exchange_log/tsa.h"
#include "http/router.h"

namespace ow::exchange_log {

// `tsa_per_minute`: time-stamp requests one client address may send per minute.
void AddRoutes(http::Router& r, Service& service, const Tsa& tsa, int64_t tsa_per_minute);

}  // namespace ow::exchange_log

#endif  // OW_EXCHANGE_LOG_ROUTES_H_
