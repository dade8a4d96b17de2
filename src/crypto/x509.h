// A small certificate authority for the platform's electronic seals: X.509 v3
// certificates (RFC 5280) and CRLs for SM2 keys, signed SM2-with-SM3 (GB/T 35276,
// GM/T 0015), and for ECDSA P-256 keys, signed ecdsa-with-SHA256 (for PDF signatures:
// Debian's OpenSSL 3.0 cannot put SM2 in CMS).
//
// The SM2 distinguishing ID in OpenSSL 3.0, as found on 3.0.19 (Debian 12):
// - Every SM2 signature here, on certificates and CRLs alike, uses the ID
//   "1234567812345678" (crypto/sm2.h), the default that GmSSL, BouncyCastle and Chinese
//   verifiers assume. OpenSSL 3.0's own default ID is empty, and the ID is not recorded
//   in the certificate: signer and verifier must agree on it out of band.
// - Signing: the ID goes on the signing context after EVP_DigestSignInit_ex
//   (EVP_PKEY_CTX_set1_id; as an init parameter the provider refuses it), and
//   X509_sign_ctx/X509_CRL_sign_ctx then sign with it. The command-line equivalent is
//   `openssl x509 -req ... -sm3 -sigopt distid:1234567812345678` (or `openssl req -x509
//   ... -sigopt ...`, `openssl ca -gencrl -sigopt ...` for CRLs); without -sigopt,
//   OpenSSL signs with the empty ID.
// - Certificates: X509_verify uses the ID attached to the certificate object being
//   checked (X509_set0_distinguishing_id), empty if none. VerifyChain attaches ours to
//   every SM2-signed certificate of the chain. On the command line,
//     openssl verify -vfyopt distid:1234567812345678 -CAfile root.pem seal.pem
//   accepts a seal issued directly by the root (without -vfyopt: "certificate signature
//   failure"). But -vfyopt reaches only the certificate named on the command line, not
//   the -untrusted intermediates, so `openssl verify` cannot check an SM2 chain with an
//   intermediate in one go (error 7 at depth 1); check each link instead, e.g. the
//   intermediate against the root, then the seal with `-partial_chain -CAfile
//   intermediate.pem`. OpenSSL skips the root's self-signature unless -check_ss_sig,
//   which then fails for an SM2 root (the trusted copy has no ID attached).
// - CRLs: OpenSSL 3.0 has no way to give X509_CRL_verify an ID (there is no
//   X509_CRL_set0_distinguishing_id): it always checks SM2 CRLs with the empty ID.
//   `openssl verify -crl_check` therefore rejects our SM2 CRLs with "CRL signature
//   failure", and `openssl crl -verify` prints "verify failure" (and exits 0). VerifyChain
//   checks CRL signatures itself, with the ID. An independent check of an SM2 CRL: `openssl
//   crl -text` lists the revoked serials, and `openssl pkeyutl -verify -rawin -digest sm3
//   -pkeyopt distid:1234567812345678` verifies the signature over the CRL's
//   TBSCertList bytes. P-256 CRLs verify with `openssl crl -verify` and
//   `openssl verify -crl_check` as usual.
// - Certificate requests (not used here) have the same ID problem: `openssl req -verify`
//   needs -vfyopt distid:... too, and reports a failure without it while exiting 0.
//
// Profile of what IssueCertificate makes: version 3; a random positive 16-byte serial;
// subject and issuer names with C, O, OU, CN (UTF8String; C is PrintableString);
// subjectKeyIdentifier (SHA-1 of the subject public key, RFC 5280 4.2.1.2 method 1);
// authorityKeyIdentifier (the issuer's key identifier); and
//   a CA:   basicConstraints critical CA:TRUE (with pathLenConstraint if given),
//           keyUsage critical keyCertSign, cRLSign;
//   a seal: basicConstraints CA:FALSE, keyUsage critical digitalSignature,
//           nonRepudiation.
// Times are whole seconds (fractions are dropped), UTCTime before 2050 and
// GeneralizedTime after, as RFC 5280 requires.
//
// One kind per chain: an SM2 CA issues only for SM2 keys (signing SM2-with-SM3), a P-256
// CA only for P-256 keys (signing ecdsa-with-SHA256). Cross-kind issuing is refused with
// kInvalidArgument, and VerifyChain refuses a chain that mixes kinds.
//
// Thread safety: every function is pure (no shared state); each call parses its inputs
// and makes its own OpenSSL objects, so calls may run concurrently.
#ifndef OW_CRYPTO_X509_H_
#define OW_CRYPTO_X509_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace ow::crypto {

enum class KeyKind {
  kSm2,   // SM2 curve; certificates and CRLs signed SM2-with-SM3
  kP256,  // NIST P-256; signed ecdsa-with-SHA256
};
// "SM2" or "P-256".
std::string_view KeyKindName(KeyKind kind);
// The signature algorithm a key of this kind signs certificates and CRLs with, by its
// OpenSSL long name: "SM2-with-SM3" (OID 1.2.156.10197.1.501) or "ecdsa-with-SHA256".
std::string_view SignatureAlgorithmName(KeyKind kind);

struct DistinguishedName {
  std::string common_name;          // CN: required, 1 to 64 characters of UTF-8
  std::string organization;         // O: optional (empty: absent), at most 64 characters
  std::string organizational_unit;  // OU: optional, at most 64 characters
  std::string country;              // C: optional, two upper-case letters ("CN")
  bool operator==(const DistinguishedName&) const = default;
};

enum class CertificateRole {
  kCertificateAuthority,  // issues certificates and CRLs
  kSeal,                  // an end entity that signs (a department's electronic seal)
  // An end entity that signs RFC 3161 time-stamps: a seal's key usage plus
  // extendedKeyUsage critical timeStamping, as RFC 3161 2.3 requires.
  kTimeStamping,
};

struct CertificateSpec {
  DistinguishedName subject;
  // The subject's "PUBLIC KEY" PEM (SM2 or P-256). The caller vouches that the subject
  // holds the private key (no certificate request is involved).
  std::string public_key_pem;
  SystemTime not_before;
  SystemTime not_after;  // after not_before
  CertificateRole role = CertificateRole::kSeal;
  // CA only: how many intermediate CAs may follow this one (0: it issues only seals).
  // Unset: no limit. Must be unset for a seal.
  std::optional<int> path_length;
};

// Who signs: the issuing CA's certificate and private key (PKCS#8 PEM).
struct Issuer {
  // Empty for a self-signed root: the spec's public key must then be the private key's
  // own and the role a CA, and the issuer name is the subject name.
  std::string certificate_pem;
  std::string private_key_pem;
};

// Issues a certificate and returns it as PEM ("CERTIFICATE"); its serial number is
// in ParseCertificate's serial_hex.
// Errors: kInvalidArgument for an invalid spec (missing or overlong name fields, a
// country that is not two letters, not_after <= not_before, a path length on a seal or a
// negative one, a key that is not SM2 or P-256), an issuer that cannot issue (its
// certificate is not a CA with keyCertSign or has no subjectKeyIdentifier, its private
// key does not match its certificate, a validity outside the issuer's), or a subject key
// of the other kind than the issuer's; kInternal if OpenSSL fails.
Result<std::string> IssueCertificate(const CertificateSpec& spec, const Issuer& issuer);

struct CertificateInfo {
  DistinguishedName subject;
  DistinguishedName issuer;
  std::string serial_hex;  // lower-case, big-endian, no leading zero byte ("5f3a...")
  SystemTime not_before;
  SystemTime not_after;
  KeyKind key_kind = KeyKind::kSm2;  // of the subject key
  // The algorithm of the certificate's own signature, by OpenSSL long name (see
  // SignatureAlgorithmName); a certificate we issue is signed by its issuer's kind.
  std::string signature_algorithm;
  bool is_ca = false;
  std::optional<int> path_length;  // CA only, when constrained
  bool self_issued = false;        // subject name == issuer name
  std::string public_key_pem;      // SubjectPublicKeyInfo PEM of the subject key
  std::string sha256_fingerprint;  // lower-case hex of SHA-256(DER)
  std::string der;
};

// Reads one certificate. Strict: the text must be exactly one "CERTIFICATE" PEM block
// (surrounding whitespace allowed), DER without trailing bytes, version 3, a positive
// serial, an SM2 or P-256 subject key and a signature algorithm of ours, well-formed
// extensions, and name fields that are C, O, OU, CN only (at most one each).
// The signature is not checked (VerifyChain does that).
// Errors: kInvalidArgument for anything else.
Result<CertificateInfo> ParseCertificate(std::string_view pem);

// Checks that `leaf_pem` is a seal certificate valid at `at`: a chain leaf ->
// intermediates (any order; those not needed are ignored) -> `root_pem`, with every
// signature (SM2 with our ID), every validity period (not_before <= at < not_after, as
// OpenSSL counts it), basic constraints and path lengths, issuers' keyUsage keyCertSign,
// the leaf's keyUsage digitalSignature, and OpenSSL's strict RFC 5280 checks
// (X509_V_FLAG_X509_STRICT: key identifiers present, CA constraints critical, ...). The
// root is the trust anchor: it must be self-signed, and its own signature is checked
// too. All certificates must be of one key kind.
//
// `crl_pems` are CRLs to apply (none: revocation is not checked). Each must be issued by
// a CA of the chain (by name, with that CA's key, which must have cRLSign), be current
// at `at` (this_update <= at < next_update) and carry no critical extension; a
// certificate of the chain whose serial a CRL of its issuer lists is revoked, whatever
// the revocation date.
//
// Errors: kInvalidArgument for a PEM that ParseCertificate (or, for CRLs, the same
// strictness) refuses, or a CRL from outside the chain; kUnauthenticated, with a message
// naming the certificate and the reason, for a chain that does not verify: expired or not
// yet valid, bad signature, unknown issuer (no path to this root), an issuer that is not
// a CA, a leaf that is not for signatures, mixed key kinds, a revoked certificate ("...
// revoked ..."), or a CRL whose signature fails or that is not current at `at`.
Status VerifyChain(std::string_view leaf_pem, const std::vector<std::string>& intermediate_pems,
                   std::string_view root_pem, SystemTime at,
                   const std::vector<std::string>& crl_pems = {});

// RFC 5280 5.3.1 CRLReason; kUnspecified is written as no reasonCode at all, as RFC 5280
// recommends. (certificateHold and removeFromCRL are not offered: revocation here is
// final.)
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kPrivilegeWithdrawn = 9,
};

struct RevokedCertificate {
  std::string serial_hex;  // as CertificateInfo::serial_hex (either case accepted)
  SystemTime revoked_at;
  RevocationReason reason = RevocationReason::kUnspecified;
};

struct CrlSpec {
  std::vector<RevokedCertificate> revoked;  // no serial twice
  SystemTime this_update;
  SystemTime next_update;  // after this_update
  // The cRLNumber extension: must grow with every CRL this issuer publishes (RFC 5280
  // 5.2.3); the caller keeps the counter.
  uint64_t crl_number = 0;
};

// Issues a version 2 CRL signed by `issuer` (which must be a CA certificate with
// cRLSign and its private key; not empty), with authorityKeyIdentifier and cRLNumber, and
// returns it as PEM ("X509 CRL").
// Errors: kInvalidArgument for an issuer as IssueCertificate refuses it, an empty
// certificate, a serial that is not positive hex of at most 20 bytes or appears twice,
// next_update <= this_update; kInternal if OpenSSL fails.
Result<std::string> IssueCrl(const Issuer& issuer, const CrlSpec& spec);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_X509_H_
