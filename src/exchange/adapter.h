// Provider adapters: a department system that answers the platform's queries for a
// resource over HTTP.
//
// The contract (what a provider's adapter implements):
//   POST <adapter_url>  Content-Type: application/json
//     {"resource": "<code>", "subject_kind": "person"|"legal", "subject": "<number>",
//      "fields": ["name", ...]}
//   200 {"found": true, "data": {"<field>": <value>, ...}}  (members beyond the asked
//       fields are dropped by the platform), or {"found": false}
//   404 the subject is unknown (same as found: false)
//   anything else is a failure.
//
// Each call has a time budget per attempt; failures (network, timeout, 5xx, a malformed
// answer) are retried with back-off up to `retries` times; after `failure_threshold`
// consecutive failed calls to one URL its circuit opens and calls fail at once
// (kUnavailable) for `cooldown`; then one trial call is let through (half open) and
// its success closes the circuit. The breaker is per process.
//
// Thread-safe.
#ifndef OW_EXCHANGE_ADAPTER_H_
#define OW_EXCHANGE_ADAPTER_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"

namespace ow::exchange {

struct AdapterOptions {
  std::chrono::milliseconds timeout{2000};  // per attempt
  int retries = 2;                          // attempts after the first
  std::chrono::milliseconds backoff{100};   // before the first retry; doubles
  int failure_threshold = 5;                // consecutive failed calls that open the circuit
  std::chrono::milliseconds cooldown{30000};
};

struct AdapterAnswer {
  bool found = false;
  boost::json::object data;
};

class Adapters {
 public:
  explicit Adapters(AdapterOptions options) : options_(options) {}

  // kUnavailable when the system did not answer usefully (after retries) or its
  // circuit is open.
  Result<AdapterAnswer> Ask(const std::string& url, const std::string& resource,
                            const std::string& subject_kind, const std::string& subject,
                            const std::vector<std::string>& fields);

  // Runs `attempt` under the circuit breaker named `key`, with the retries and back-off
  // above: an attempt failing with kUnavailable is retried and counts against the
  // circuit; success or any other error ends the call and counts as the system having
  // answered. kUnavailable at once while the circuit is open. Ask uses it with the URL
  // as the key; the calls to a peer platform (exchange/peer.h) with the peer's name.
  Status Guarded(const std::string& key, const std::function<Status()>& attempt);

 private:
  struct Breaker {
    int failures = 0;
    std::chrono::steady_clock::time_point open_until{};
    bool trial_running = false;
  };
  Result<AdapterAnswer> Once(const std::string& url, const std::string& body);

  AdapterOptions options_;
  std::mutex mu_;
  std::map<std::string, Breaker> breakers_;
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_ADAPTER_H_
