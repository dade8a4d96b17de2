// SM2 signing keys and signatures (GB/T 32918.2-2016) with the SM3 hash (GB/T
// 32905-2016): the national algorithms that electronic seals and licences are signed
// with. SM3 alone is crypto/hash.h's Sm3.
//
// A signature covers SM3(Z_A || M), where Z_A = SM3(ENTL || ID || a || b || xG || yG ||
// xA || yA) binds the curve, the signer's public key and a distinguishing ID. We always
// use the ID "1234567812345678" (kSm2DistinguishingId), the default of GB/T 35276-2017
// that other implementations (sm-crypto, GmSSL, BouncyCastle, phones) assume. OpenSSL
// 3.0's own default is the empty ID, so its command line must be told every time:
//   openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -digest sm3
//       -pkeyopt distid:1234567812345678 -in data -sigfile sig.der    (one command)
//   openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678 -signature sig.der data
// Without it, OpenSSL rejects our signatures ("Signature Verification Failure").
//
// Keys are on the SM2 curve (OID 1.2.156.10197.1.301) and are generated here or loaded
// from PEM: PKCS#8 "PRIVATE KEY" for private keys (encrypted PEM is not accepted),
// SubjectPublicKeyInfo "PUBLIC KEY" for public keys. Any other key (P-256, Ed25519, RSA)
// is kInvalidArgument. A key holds either a private key (it can sign and verify) or only
// a public key (it can verify; Sign and PrivatePem fail with kFailedPrecondition).
//
// Signatures are DER SEQUENCE { r INTEGER, s INTEGER } (the SM2Signature of GB/T 35276,
// what X.509, openssl and sm-crypto's {der: true} use), 70 to 72 bytes. For QR codes
// there is a compact form, the 64-byte r || s of two 32-byte big-endian integers
// (sm-crypto's default); Sm2SignatureToRaw/FromRaw convert between the two. SM2
// signatures are randomized (a fresh nonce each time): never use signature bytes as an
// identifier.
//
// Ownership and thread safety: Sm2Key is a cheap, copyable handle to immutable shared
// state (copies share one OpenSSL key). All const methods, including Sign and Verify,
// may be called concurrently from any number of threads: every call makes its own
// OpenSSL context and the shared key is only read. The free functions are pure.
#ifndef OW_CRYPTO_SM2_H_
#define OW_CRYPTO_SM2_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace ow::crypto {

// The distinguishing ID of every SM2 signature we make or check (GB/T 35276-2017).
inline constexpr std::string_view kSm2DistinguishingId = "1234567812345678";
// 0x04 || x || y, each coordinate 32 bytes big-endian.
inline constexpr size_t kSm2PublicPointSize = 65;
// r || s, each 32 bytes big-endian.
inline constexpr size_t kSm2RawSignatureSize = 64;

class Sm2Key {
 public:
  // A new random private key. Errors: kInternal if OpenSSL fails.
  static Result<Sm2Key> Generate();
  // Loads a private key from PEM. Errors: kInvalidArgument for malformed or encrypted
  // PEM, a key that is not SM2, or one that fails OpenSSL's consistency check.
  static Result<Sm2Key> FromPrivatePem(std::string_view pem);
  // Loads a verify-only key from a "PUBLIC KEY" PEM. Errors as FromPrivatePem,
  // including a point that is not on the curve.
  static Result<Sm2Key> FromPublicPem(std::string_view pem);

  bool has_private_key() const;

  // PKCS#8 PEM of the private key: a secret; the caller owns the returned copy.
  // Errors: kFailedPrecondition for a verify-only key; kInternal if OpenSSL fails.
  Result<std::string> PrivatePem() const;
  // SubjectPublicKeyInfo PEM of the public key (what a certificate carries).
  const std::string& PublicPem() const;
  // The uncompressed public point 0x04 || x || y (kSm2PublicPointSize bytes), the
  // form sm-crypto takes (hex-encoded) as a public key.
  const std::string& PublicPoint() const;

  // Signs `data` (the whole message: Z_A and SM3 are part of the algorithm) and returns
  // the DER signature. Errors: kFailedPrecondition for a verify-only key; kInternal if
  // OpenSSL fails.
  Result<std::string> Sign(std::string_view data) const;
  // OK when `der_signature` is a valid DER signature of `data` under this key with our
  // distinguishing ID. Errors: kUnauthenticated otherwise, including a signature that is
  // not strict DER (see Sm2SignatureToRaw) or is made with another ID.
  Status Verify(std::string_view data, std::string_view der_signature) const;

 private:
  struct Impl;  // the OpenSSL key and the derived public values; defined in sm2.cc
  explicit Sm2Key(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // never null
};

// DER SEQUENCE { r, s } -> the 64-byte r || s. Strict: exactly one SEQUENCE of two
// INTEGERs in minimal DER (short-form lengths, no superfluous leading zero byte), no
// trailing bytes, and 1 <= r, s < n (the order of the SM2 curve).
// Errors: kInvalidArgument for anything else.
Result<std::string> Sm2SignatureToRaw(std::string_view der);
// The 64-byte r || s -> DER. Errors: kInvalidArgument for another length or for r or s
// outside [1, n - 1].
Result<std::string> Sm2SignatureFromRaw(std::string_view raw);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_SM2_H_
