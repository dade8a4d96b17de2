// Compact JWS (RFC 7515) carrying a JWT (RFC 7519), signed with a SigningKey.
//
// Verification follows RFC 8725 (JWT best current practices): the algorithm comes
// from the key, never from the token. A token is accepted only if its header "alg"
// equals the key's algorithm exactly, so "none", HMAC algorithms, or an ES256 token
// presented against an EdDSA key (and vice versa) are all rejected. Headers with
// "crit" are rejected (we implement no extensions). Claims are parsed only after the
// signature verifies.
//
// VerifyJwt checks the signature only. Time claims are checked separately by
// CheckTimeClaims, with the caller's clock; issuer, audience, nonce, "typ" and the
// like are the caller's to check on the returned header and claims.
//
// Errors: kInvalidArgument when the token is not syntactically a compact JWS with
// JSON object header and claims; kUnauthenticated when it is well-formed but not
// acceptable (unknown kid, wrong or unsupported alg, bad signature, expired). A
// server authenticating a request should treat both as "invalid token" (HTTP 401).
//
// Thread safety: all functions may be called concurrently. VerifyJwt calls `lookup`
// at most once, on the calling thread, and keeps nothing after it returns.
#ifndef OW_CRYPTO_JWS_H_
#define OW_CRYPTO_JWS_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "crypto/keys.h"

namespace ow::crypto {

// Signs `claims` as a compact JWT. The protected header is {"alg", "kid", "typ":"JWT"}
// followed by the members of `extra_header`, which may override "typ" (e.g.
// "at+jwt" for RFC 9068 access tokens) but never "alg" or "kid"; those always
// describe `key`. Errors: kInvalidArgument if extra_header names "alg", "kid" or
// "crit"; otherwise those of SigningKey::Sign (kFailedPrecondition for a
// verify-only key).
Result<std::string> SignJwt(const SigningKey& key, const boost::json::object& claims,
                            const boost::json::object& extra_header = {});

struct VerifiedJwt {
  boost::json::object header;
  boost::json::object claims;
};

// Finds the verification key for a token's "kid" ("" when the header has none), or
// nullopt when there is no such key. For key rotation, return any current or
// recently retired key with that kid.
using KeyLookup = std::function<std::optional<SigningKey>(std::string_view kid)>;

// A lookup over a published JWK Set ({"keys": [...]}, RFC 7517): the key whose "kid"
// matches and that SigningKey::FromPublicJwk accepts; keys it cannot read are skipped.
// Keeps its own copy of `jwks`.
KeyLookup JwksLookup(boost::json::object jwks);

// Verifies `token` with the key that `lookup` returns for its kid.
Result<VerifiedJwt> VerifyJwt(std::string_view token, const KeyLookup& lookup);
// Verifies `token` with `key`; a "kid" in the header, if any, must equal key.kid().
Result<VerifiedJwt> VerifyJwt(std::string_view token, const SigningKey& key);

struct TimeClaimsPolicy {
  // Tolerated clock difference between the issuer and us.
  std::chrono::seconds leeway{60};
  // A token without "exp" is rejected unless this is false.
  bool require_exp = true;
};

// Checks the NumericDate claims against `now`: rejects a token whose "exp" has passed
// (now >= exp + leeway), whose "nbf" lies ahead (now + leeway < nbf), or whose "iat"
// lies in the future (iat > now + leeway). Absent "nbf"/"iat" are fine.
// Errors: kInvalidArgument if a present claim is not a number; kUnauthenticated for
// the failures above.
Status CheckTimeClaims(const boost::json::object& claims, std::chrono::system_clock::time_point now,
                       const TimeClaimsPolicy& policy = {});

}  // namespace ow::crypto

#endif  // OW_CRYPTO_JWS_H_
