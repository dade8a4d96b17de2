// The adapter to a real-name verification service (实名核验): a service, run by a
// public-security data provider or a provincial platform, that says whether a resident
// ID number belongs to a person of a given name.
//
// Contract (one HTTP exchange, no retries):
//   POST {identity.realname_url}
//   Content-Type: application/json
//   Authorization: Bearer {identity.realname_secret}      (only when configured)
//   {"resident_id": "11010519491231002X", "real_name": "王小明"}
// answered 200 with
//   {"match": true|false, "reference": "<the service's id of this check>"}
// Anything else (another status, a body that is not that object, no answer within
// identity.realname_timeout_ms) means the service is unavailable. The URL must be https,
// or http to a loopback address (tests and a sidecar on the same host).
// Thread-safe (no state).
#ifndef OW_IDENTITY_REALNAME_H_
#define OW_IDENTITY_REALNAME_H_

#include <chrono>
#include <string>

#include "core/error.h"

namespace ow::identity {

struct RealNameService {
  std::string url;
  std::string secret;
  std::chrono::milliseconds timeout{5000};
};

struct RealNameAnswer {
  bool match = false;
  std::string reference;  // at most 200 characters, as the service gave it
};

// Asks the service. Errors: kUnavailable (unreachable, timed out, unusable answer or
// a URL that is neither https nor loopback http); the message never holds the number.
Result<RealNameAnswer> CheckRealName(const RealNameService& service, const std::string& resident_id,
                                     const std::string& real_name);

}  // namespace ow::identity

#endif  // OW_IDENTITY_REALNAME_H_
