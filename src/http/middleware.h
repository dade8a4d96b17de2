// The standard middleware chain, outermost first:
// RequestId -> AccessLog -> Metrics -> SecurityHeaders -> route.
#ifndef OW_HTTP_MIDDLEWARE_H_
#define OW_HTTP_MIDDLEWARE_H_

#include "http/dispatcher.h"
#include "http/metrics.h"

namespace ow::http {

// Takes a well-formed incoming X-Request-Id (1-64 of [A-Za-z0-9._-]) or makes a
// random one; echoes it in the response's X-Request-Id.
Middleware RequestId();
// One JSON log line per request: method, path (no query: it may hold personal
// data), route, status, bytes, duration, request id.
Middleware AccessLog();
Middleware RecordMetrics(Metrics& metrics);
// CSP, nosniff, frame-ancestors / X-Frame-Options, Referrer-Policy, COOP.
Middleware SecurityHeaders();
// The same headers, for responses the server sends before routing (413, 431, 400).
void ApplySecurityHeaders(Response& res);

}  // namespace ow::http

#endif  // OW_HTTP_MIDDLEWARE_H_
