// Reverse proxies the server believes (server.trusted_proxies): behind nginx or HAProxy
// every connection comes from the proxy, so the client's address is in X-Forwarded-For.
// That header is believed only from a trusted proxy, and only as far back as the chain
// of trusted proxies goes: anyone can write an X-Forwarded-For header, so an entry added
// by an untrusted hop never decides the address (nginx's real_ip_recursive, the same rule).
#ifndef OW_HTTP_PROXIES_H_
#define OW_HTTP_PROXIES_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::http {

class TrustedProxies {
 public:
  // "10.0.0.5, 10.1.0.0/16, ::1, fd00::/8" (addresses or CIDR ranges, IPv4 or IPv6,
  // comma-separated; "" is none). kInvalidArgument names a malformed entry.
  static Result<TrustedProxies> Parse(std::string_view spec);

  bool empty() const { return ranges_.empty(); }
  bool Contains(std::string_view address) const;

 private:
  struct Range {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;  // leading bits that must match
  };
  std::vector<Range> ranges_;
};

// The client's address for a request that came from `peer`: `peer` itself unless it is a
// trusted proxy; otherwise X-Forwarded-For (`forwarded_for`, all of the request's header
// lines joined by commas) read from the right: the first entry that is not a trusted
// proxy, or the leftmost entry when every one is. An entry that is not an IP address
// stops the walk at the last trusted hop before it (which is returned).
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace ow::http

#endif  // OW_HTTP_PROXIES_H_
