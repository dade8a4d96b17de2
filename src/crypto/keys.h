// Asymmetric signing keys for JOSE: ES256 (ECDSA on P-256 with SHA-256) and EdDSA
// (Ed25519, RFC 8032).
//
// A SigningKey holds either a private key (it can sign and verify) or only a public
// key (it can verify; Sign and PrivatePem fail with kFailedPrecondition). Keys are
// generated here or loaded from PEM: PKCS#8 "PRIVATE KEY" for private keys (SEC 1
// "EC PRIVATE KEY" is accepted too; encrypted PEM is not), SubjectPublicKeyInfo
// "PUBLIC KEY" for public keys. Any other key type or curve is kInvalidArgument.
//
// Signatures use the JOSE encodings (RFC 7518 section 3.4, RFC 8037 section 3.1): for
// ES256 the 64-byte concatenation r || s of two 32-byte big-endian integers, not the
// DER that OpenSSL and X.509 use; for EdDSA the 64-byte RFC 8032 signature. ECDSA
// signatures are randomized and malleable (r, n - s also verifies): never use
// signature bytes as an identifier. Ed25519 signatures are deterministic.
//
// The key id (`kid`) is the RFC 7638 JWK thumbprint: base64url(SHA-256 of the
// canonical public JWK). It depends only on the public key, so it is stable across
// processes, restarts and PEM round trips, and never reveals anything private.
//
// Ownership and thread safety: SigningKey is a cheap, copyable handle to immutable
// shared state (copies share one OpenSSL key). All const methods, including Sign and
// Verify, may be called concurrently from any number of threads: every call makes
// its own OpenSSL context and the shared key is only read.
#ifndef OW_CRYPTO_KEYS_H_
#define OW_CRYPTO_KEYS_H_

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace ow::crypto {

enum class Algorithm {
  kEs256,  // "ES256": ECDSA P-256 + SHA-256
  kEdDsa,  // "EdDSA": Ed25519
};

// The JOSE "alg" name: "ES256" or "EdDSA".
std::string_view AlgorithmName(Algorithm alg);
// Parses a JOSE "alg" name (case-sensitive). kInvalidArgument for anything else,
// including "none", "HS256" and "Ed25519" (the RFC 9864 name, not used by us yet).
Result<Algorithm> ParseAlgorithm(std::string_view name);

class SigningKey {
 public:
  // A new random private key. Errors: kInternal if OpenSSL fails.
  static Result<SigningKey> Generate(Algorithm alg);
  // Loads a private key from PEM. The algorithm follows from the key.
  // Errors: kInvalidArgument for malformed or encrypted PEM, another key type or
  // curve, or a key that fails OpenSSL's consistency check.
  static Result<SigningKey> FromPrivatePem(std::string_view pem);
  // Loads a verify-only key from a "PUBLIC KEY" PEM. Errors as FromPrivatePem.
  static Result<SigningKey> FromPublicPem(std::string_view pem);
  // Loads a verify-only key from a public JWK as PublicJwk() writes it (EC P-256 or
  // OKP Ed25519; "alg", if present, must agree). Another party's "kid" is not
  // trusted: kid() is always our RFC 7638 thumbprint. Errors: kInvalidArgument for
  // any other key type, curve, coordinate size, or a point not on the curve.
  static Result<SigningKey> FromPublicJwk(const boost::json::object& jwk);

  Algorithm algorithm() const;
  bool has_private_key() const;
  // RFC 7638 thumbprint of the public key, base64url (43 characters).
  const std::string& kid() const;

  // PKCS#8 PEM of the private key: a secret; the caller owns the returned copy.
  // Errors: kFailedPrecondition for a verify-only key; kInternal if OpenSSL fails.
  Result<std::string> PrivatePem() const;
  // SubjectPublicKeyInfo PEM of the public key.
  const std::string& PublicPem() const;

  // The public key as a JWK for a JWKS document:
  //   ES256: {"kty":"EC","crv":"P-256","x":..,"y":..,"kid":..,"alg":"ES256","use":"sig"}
  //   EdDSA: {"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"alg":"EdDSA","use":"sig"}
  boost::json::object PublicJwk() const;

  // Signs `data` (the whole message; hashing is part of the algorithm).
  // Errors: kFailedPrecondition for a verify-only key; kInternal if OpenSSL fails.
  Result<std::string> Sign(std::string_view data) const;
  // OK when `signature` is a valid signature of `data` under this key.
  // Errors: kUnauthenticated otherwise (including a signature of the wrong length).
  Status Verify(std::string_view data, std::string_view signature) const;

 private:
  struct Impl;  // the OpenSSL key and the derived public values; defined in keys.cc
  explicit SigningKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace ow::crypto

#endif  // OW_CRYPTO_KEYS_H_
