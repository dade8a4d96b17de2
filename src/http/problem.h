// RFC 9457 problem details: the one place that maps error codes to HTTP statuses.
//
// Every error response of the server is application/problem+json with members
// type (urn:onewindow:problem:<name>), title, status, detail, instance and, for
// validation failures, errors: [{field, message}]. The request id travels in the
// X-Request-Id header.
#ifndef OW_HTTP_PROBLEM_H_
#define OW_HTTP_PROBLEM_H_

#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace ow::http {

Status StatusFor(const Error& e);

// A problem response for a domain error. kUnauthenticated adds `WWW-Authenticate:
// Bearer`; kUnavailable and kResourceExhausted add Retry-After: the error's
// retry_after in seconds when it has one, else 1 and 60.
Response Problem(const Error& e, std::string_view instance = {});
// A problem response for a protocol-level failure (404 route, 405, 413, 415, 431...).
Response Problem(Status status, std::string_view detail, std::string_view instance = {});

}  // namespace ow::http

#endif  // OW_HTTP_PROBLEM_H_
