// Helpers shared by the provider's parts (provider.cc: clients, keys, authorization,
// user info, logout; token.cc: the token endpoint). Internal to oidc/.
#ifndef OW_OIDC_PROVIDER_INTERNAL_H_
#define OW_OIDC_PROVIDER_INTERNAL_H_

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "oidc/provider.h"

namespace ow::oidc {

using Params = std::multimap<std::string, std::string>;

// The one value of `key`; nullptr when absent or repeated (ambiguous).
inline const std::string* One(const Params& p, const std::string& key) {
  auto range = p.equal_range(key);
  if (range.first == range.second) return nullptr;
  if (std::next(range.first) != range.second) return nullptr;  // repeated: ambiguous
  return &range.first->second;
}
inline std::string Get(const Params& p, const std::string& key) {
  const std::string* v = One(p, key);
  return v ? *v : std::string();
}
inline bool Repeated(const Params& p, const std::string& key) { return p.count(key) > 1; }

inline std::vector<std::string> SplitSpaces(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w)
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  return out;
}
inline std::string JoinSpaces(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}
inline bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

inline std::string Hash(const std::string& secret) {
  return crypto::Base64UrlEncode(crypto::Sha256(secret));
}

inline OAuthError Bad(std::string error, std::string description, int status = 400) {
  return {status, std::move(error), std::move(description)};
}

// The sid claim of a session's ID tokens: not the session id itself (a cookie half).
inline std::string SessionSid(const std::string& session_id) {
  return crypto::Base64UrlEncode(crypto::Sha256(session_id)).substr(0, 22);
}

}  // namespace ow::oidc

#endif  // OW_OIDC_PROVIDER_INTERNAL_H_
