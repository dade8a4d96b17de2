// Internal to src/exchange: the checks and digests that queries (query.cc) and bulk
// extracts (extract.cc) share. Not for other domains.
#ifndef OW_EXCHANGE_ACCESS_H_
#define OW_EXCHANGE_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/principal.h"
#include "exchange/model.h"

namespace ow::exchange {

// Why access is refused: the code the message log keeps, and the message the consumer reads.
struct Refusal {
  std::string reason;
  std::string message;
};

// The rules every call of a consuming system passes, in this order: registered system,
// shared resource, the token's scope "exchange:<code>", a grant that is neither revoked nor
// expired at `now`, every field granted; with `bulk`, personal fields need the grant's bulk
// flag ("bulk_not_granted").
std::optional<Refusal> CheckAccess(const authz::Principal& who, const Resource& r,
                                   const std::optional<System>& system,
                                   const std::optional<Application>& grant,
                                   const std::vector<std::string>& fields, const std::string& now,
                                   bool bulk);

// Lower-case hex SHA-256.
std::string HexSha256(std::string_view data);
// The JWS without its payload (RFC 7515 appendix F): what the log keeps of a signature.
std::string Detached(const std::string& jws);

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_ACCESS_H_
