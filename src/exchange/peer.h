// Queries between platforms (issue 14 part 8), as X-Road's security servers exchange
// messages between member instances: a resource in this platform's catalogue may be
// served by a peer platform this one already trusts (oidc/federation.h). The peer
// issued this platform an OpenID Connect client (the trust's client_id and secret,
// also allowed client_credentials and registered there as an exchange system with a
// grant like any department system's). For a local consumer's query this platform
//
//   1. takes a client-credentials token at the peer's token endpoint (all the scopes the
//      client holds there: its live grants come as "exchange:<code>"), cached until
//      shortly before it expires;
//   2. POSTs the query to <issuer>/api/v1/exchange/resources/<code>/query (the peer's
//      exchange API; `issuer` is the peer's base URL);
//   3. verifies the peer's signed answer (compact JWS, typ ow-exchange-answer+jwt)
//      against the peer's published JWKS (fetched through the trust; refreshed once on
//      an unknown key), and checks that it is the peer's answer to this very query:
//      iss, resource, subject, consumer_client (our client at the peer), the asked
//      fields, and an iat within five minutes of our clock.
//
// The peer logs the query in its own message log; the caller logs it in ours with the
// same request digest (SHA-256 of the bytes sent), answer digest (SHA-256 of the JWS
// payload, which is what the peer logs) and detached signature.
//
// Calls run under the adapters' circuit breaker (key "peer:<name>") with their time
// budget and retries: a peer that is down costs at most the retries' time, then
// nothing while the circuit is open.
// Thread-safe.
#ifndef OW_EXCHANGE_PEER_H_
#define OW_EXCHANGE_PEER_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "exchange/adapter.h"

namespace ow::exchange {

// A trusted peer platform as the exchange needs it (the composition root fills it from
// the federation trust of that name).
struct PeerPlatform {
  std::string name;            // the trust's name here
  std::string issuer;          // the peer's issuer: the base URL of its API
  std::string token_endpoint;  // from its discovery document
  std::string client_id;       // this platform's client at the peer
  std::string client_secret;
  boost::json::object jwks;  // the peer's published keys
};

// kNotFound when no trust has that name; kUnavailable when the peer's documents cannot
// be fetched. `refresh_keys` fetches the JWKS again (after a key rotation).
using PeerDirectory =
    std::function<Result<PeerPlatform>(const std::string& name, bool refresh_keys)>;

struct PeerRequest {
  std::string platform;  // the trust's name
  std::string resource;  // the resource's code at the peer
  std::string subject;   // normalized
  std::vector<std::string> fields;
  std::string purpose;
  std::string legal_basis;
  std::string case_tracking;
};

// What happened. `error` is empty exactly when the peer's answer verified.
struct PeerExchange {
  std::string client_id;     // ours at the peer ("" when the trust is unknown)
  std::string request_body;  // the bytes sent (the peer logs their digest)
  bool reached = false;      // the peer answered the query (and so logged it)
  std::optional<Error> error;
  // "peer_unavailable", "peer_refused" (403 from the peer), "peer_rejected" (another
  // answer from the peer), "peer_signature_invalid"; "" when answered.
  std::string refusal;
  // When answered:
  std::string jws;             // the peer's compact JWS, as received
  std::string answer_digest;   // hex SHA-256 of its payload bytes
  boost::json::object answer;  // its verified claims
};

class Peers {
 public:
  Peers(PeerDirectory directory, Adapters& breakers, std::chrono::milliseconds timeout);

  PeerExchange Ask(const PeerRequest& q);

 private:
  // A token at the peer; `fresh` fetches a new one even when one is cached.
  Result<std::string> Token(const PeerPlatform& p, bool fresh, bool* was_cached);
  void DropToken(const std::string& name);

  PeerDirectory directory_;
  Adapters& breakers_;
  std::chrono::milliseconds timeout_;
  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex mu_;
  std::map<std::string, CachedToken> tokens_;
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_PEER_H_
