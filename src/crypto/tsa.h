// RFC 3161 time-stamping with OpenSSL's TS API (TS_RESP_CTX), in process.
//
// A TimeStamper signs time-stamp tokens with a P-256 key whose certificate carries
// extendedKeyUsage critical timeStamping (crypto/x509.h CertificateRole::kTimeStamping;
// OpenSSL refuses any other signer). Tokens are ESS signingCertificateV2 (SHA-256),
// signed ecdsa-with-SHA256, accuracy 1 second, with a random 128-bit serial number;
// the genTime is the system clock. They verify with
//   openssl ts -verify -digest <hex> -token_in -in token.der -CAfile root.pem
// when the token embeds the TSA certificate (StampSha256 always asks for it; a query
// sent to Respond decides with its certReq).
//
// Thread safety: a TimeStamper is an immutable handle (copies share the key and
// certificates); Respond and StampSha256 may run concurrently (each call makes its
// own OpenSSL context).
#ifndef OW_CRYPTO_TSA_H_
#define OW_CRYPTO_TSA_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::crypto {

struct TimeStampToken {
  std::string der;         // the TimeStampToken: a CMS ContentInfo (SignedData), DER
  std::string gen_time;    // its genTime as RFC 3339 UTC, "2026-03-01T02:30:00Z"
  std::string serial_hex;  // its serial number, lower-case hex
};

class TimeStamper {
 public:
  // `certificate_pem`: the TSA's certificate; `private_key_pem`: its P-256 key (PKCS#8);
  // `chain_pems`: the certificates above it, included in replies that ask for
  // certificates; `policy_oid`: the TSA policy named in every token (dotted decimal).
  // Errors: kInvalidArgument for unreadable PEM, a key that does not match the
  // certificate, a certificate OpenSSL refuses as a TSA signer, or a bad policy OID.
  static Result<TimeStamper> Load(std::string_view certificate_pem,
                                  std::string_view private_key_pem,
                                  const std::vector<std::string>& chain_pems,
                                  std::string_view policy_oid);

  // Answers a TimeStampReq (DER, as application/timestamp-query carries it) with a
  // TimeStampResp (DER). A malformed or unacceptable request (an unsupported hash
  // algorithm, an unknown policy) gets a rejection reply with its PKIFailureInfo, as
  // RFC 3161 says, not an error. Errors: kInternal when OpenSSL fails.
  Result<std::string> Respond(std::string_view request_der) const;

  // Time-stamps a SHA-256 digest (32 raw bytes) and returns the token, with the TSA
  // certificate and chain embedded. Errors: kInvalidArgument when `digest` is not 32
  // bytes; kInternal when OpenSSL fails.
  Result<TimeStampToken> StampSha256(std::string_view digest) const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

// Checks a token (DER) independently of any TimeStamper: its CMS signature, that the
// signer certificate (embedded, or among `untrusted_pems`) has the timeStamping purpose
// and chains to `root_pem`, and that it time-stamps the SHA-256 digest `digest` (32 raw
// bytes). Returns the token's genTime and serial.
// Errors: kInvalidArgument for unreadable input; kUnauthenticated when the token does
// not verify, with OpenSSL's reason ("message imprint mismatch", ...).
Result<TimeStampToken> VerifyTimeStampToken(std::string_view token_der, std::string_view digest,
                                            std::string_view root_pem,
                                            const std::vector<std::string>& untrusted_pems = {});

}  // namespace ow::crypto

#endif  // OW_CRYPTO_TSA_H_
