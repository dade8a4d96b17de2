// The platform's RFC 3161 time-stamping authority: its keys (a P-256 root and a TSA
// certificate with extendedKeyUsage critical timeStamping), kept in the database with
// the private keys sealed under the identity domain's data keys, as the licences' CA
// keeps its roots. The certificates are public (GET /api/v1/tsa/certificates).
//
// Thread safety: every method may be called from any thread once Bootstrap returned.
#ifndef OW_EXCHANGE_LOG_TSA_H_
#define OW_EXCHANGE_LOG_TSA_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/tsa.h"
#include "db/database.h"
#include "identity/keys.h"

namespace ow::exchange_log {

// The policy every token names: a private arc of the platform's.
inline constexpr std::string_view kTsaPolicy = "1.3.6.1.4.1.59999.3161.1";

class Tsa {
 public:
  Tsa(db::Database& db, const identity::Keys& keys);

  // Makes generation 1 when there is none (several nodes at once: the first insert
  // wins), then loads the newest generation.
  Status Bootstrap();

  struct Certificates {
    int64_t generation = 0;
    std::string root_pem;  // the trust anchor: give it to `openssl ts -verify -CAfile`
    std::string tsa_pem;   // the signer (embedded in every token)
  };
  Certificates Current() const;
  // Every generation's certificates, oldest first (a token of an older generation still
  // verifies against its own root).
  Result<std::vector<Certificates>> All() const;

  // See crypto::TimeStamper.
  Result<std::string> Respond(std::string_view request_der) const;
  Result<crypto::TimeStampToken> StampSha256(std::string_view digest) const;

 private:
  db::Database& db_;
  const identity::Keys& keys_;
  mutable std::mutex mu_;
  Certificates current_;
  std::shared_ptr<const crypto::TimeStamper> stamper_;
};

}  // namespace ow::exchange_log

#endif  // OW_EXCHANGE_LOG_TSA_H_
