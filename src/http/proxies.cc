#include "http/proxies.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <optional>

namespace ow::http {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address's 16 bytes (IPv4 in the first 4) and whether it is IPv6; an IPv4-mapped IPv6
// address counts as IPv4. nullopt when `s` is not an address.
std::optional<std::pair<bool, std::array<uint8_t, 16>>> Bytes(std::string_view s) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  std::array<uint8_t, 16> out{};
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
    return std::make_pair(false, out);
  }
  auto b = a.to_v6().to_bytes();
  std::copy(b.begin(), b.end(), out.begin());
  return std::make_pair(true, out);
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view spec) {
  TrustedProxies out;
  for (auto part : Split(spec, ',')) {
    std::string_view entry = Trim(part);
    if (entry.empty()) continue;
    size_t slash = entry.find('/');
    auto bytes = Bytes(entry.substr(0, slash));
    Range r;
    bool ok = bytes.has_value();
    if (ok) {
      r.v6 = bytes->first;
      r.bytes = bytes->second;
      int max = r.v6 ? 128 : 32;
      r.prefix = max;
      if (slash != std::string_view::npos) {
        std::string_view bits = entry.substr(slash + 1);
        auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), r.prefix);
        ok = !bits.empty() && ec == std::errc() && p == bits.data() + bits.size() &&
             r.prefix >= 0 && r.prefix <= max;
      }
    }
    if (!ok) {
      return InvalidArgument("server.trusted_proxies: '" + std::string(entry) +
                             "' is not an IP address or CIDR range (such as 10.0.0.0/8)");
    }
    out.ranges_.push_back(r);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  auto bytes = Bytes(address);
  if (!bytes) return false;
  for (const auto& r : ranges_) {
    if (r.v6 != bytes->first) continue;
    int full = r.prefix / 8, rest = r.prefix % 8;
    bool match = std::equal(r.bytes.begin(), r.bytes.begin() + full, bytes->second.begin());
    if (match && rest) {
      auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
      match = (r.bytes[full] & mask) == (bytes->second[full] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  if (trusted.empty() || !trusted.Contains(peer)) return std::string(peer);
  std::string client(peer);
  auto hops = Split(forwarded_for, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::string_view hop = Trim(*it);
    if (!Bytes(hop)) break;
    client = std::string(hop);
    if (!trusted.Contains(hop)) break;
  }
  return client;
}

}  // namespace ow::http
