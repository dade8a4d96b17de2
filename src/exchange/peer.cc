#include "exchange/peer.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json_members.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "http/client.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;
using json_members::Str;

constexpr const char* kAnswerType = "ow-exchange-answer+jwt";
constexpr auto kMaxAnswerSkew = std::chrono::minutes(5);

// The problem detail of a peer's error answer, for our consumer.
std::string Detail(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  return Str(v.as_object(), "detail");
}

}  // namespace

Peers::Peers(PeerDirectory directory, Adapters& breakers, std::chrono::milliseconds timeout)
    : directory_(std::move(directory)), breakers_(breakers), timeout_(timeout) {}

void Peers::DropToken(const std::string& name) {
  std::lock_guard lock(mu_);
  tokens_.erase(name);
}

Result<std::string> Peers::Token(const PeerPlatform& p, bool fresh, bool* was_cached) {
  *was_cached = false;
  if (!fresh) {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(p.name);
    if (it != tokens_.end() && std::chrono::steady_clock::now() < it->second.until) {
      *was_cached = true;
      return it->second.token;
    }
  }
  // No scope asked: the token carries every scope the client holds at the peer, its
  // live grants included (the peer decides which; a revoked grant is missing).
  OW_ASSIGN_OR_RETURN(
      auto res, http::Fetch({.method = "POST",
                             .url = p.token_endpoint,
                             .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                         {"Accept", "application/json"}},
                             .body = http::FormEncode({{"grant_type", "client_credentials"},
                                                       {"client_id", p.client_id},
                                                       {"client_secret", p.client_secret}}),
                             .timeout = timeout_,
                             .max_body = 64 * 1024}));
  if (res.status >= 500)
    return Unavailable("the peer's token endpoint answered HTTP " + std::to_string(res.status));
  boost::system::error_code ec;
  auto v = json::parse(res.body, ec);
  std::string token = !ec && v.is_object() ? Str(v.as_object(), "access_token") : "";
  if (res.status != 200 || token.empty())
    return PermissionDenied("the peer platform " + p.name +
                            " did not issue this platform a token (HTTP " +
                            std::to_string(res.status) + ")");
  int64_t expires_in = json_members::Int(v.as_object(), "expires_in", 60);
  std::lock_guard lock(mu_);
  tokens_[p.name] = {token, std::chrono::steady_clock::now() +
                                std::chrono::seconds(std::max<int64_t>(0, expires_in - 30))};
  return token;
}

PeerExchange Peers::Ask(const PeerRequest& q) {
  PeerExchange out;
  auto platform = directory_(q.platform, false);
  if (!platform) {
    out.refusal = "peer_unavailable";
    out.error = Unavailable("the peer platform " + q.platform +
                            " is not reachable here: " + platform.error().message);
    return out;
  }
  PeerPlatform p = std::move(*platform);
  out.client_id = p.client_id;
  json::array fields;
  for (const auto& f : q.fields) fields.emplace_back(f);
  json::object body{{"subject", q.subject}, {"fields", std::move(fields)}, {"purpose", q.purpose}};
  if (!q.legal_basis.empty()) body["legal_basis"] = q.legal_basis;
  if (!q.case_tracking.empty()) body["case_tracking"] = q.case_tracking;
  out.request_body = json::serialize(body);
  const std::string url = p.issuer + "/api/v1/exchange/resources/" + q.resource + "/query";

  http::FetchResponse res;
  auto call = [&]() -> Status {
    // A cached token may predate a grant (no scope yet) or outlive a revoked one: an
    // answer refusing it is asked again once with a fresh token.
    bool fresh = false;
    for (int round = 0; round < 2; ++round) {
      bool was_cached = false;
      OW_ASSIGN_OR_RETURN(auto token, Token(p, fresh, &was_cached));
      OW_ASSIGN_OR_RETURN(res, http::Fetch({.method = "POST",
                                            .url = url,
                                            .headers = {{"Content-Type", "application/json"},
                                                        {"Accept", "application/json"},
                                                        {"Authorization", "Bearer " + token}},
                                            .body = out.request_body,
                                            .timeout = timeout_,
                                            .max_body = 256 * 1024}));
      if (res.status >= 500)
        return Unavailable("the peer platform answered HTTP " + std::to_string(res.status));
      if ((res.status == 401 || res.status == 403) && was_cached) {
        DropToken(p.name);
        fresh = true;
        continue;
      }
      break;
    }
    return {};
  };
  if (auto st = breakers_.Guarded("peer:" + p.name, call); !st) {
    out.refusal = st.error().code == Code::kPermissionDenied ? "peer_refused" : "peer_unavailable";
    out.error =
        st.error().code == Code::kUnavailable
            ? Unavailable("the peer platform " + p.name + " did not answer: " + st.error().message)
            : st.error();
    return out;
  }
  out.reached = true;
  if (res.status == 403) {
    out.refusal = "peer_refused";
    std::string d = Detail(res.body);
    out.error = PermissionDenied("the peer platform " + p.name + " refused the query" +
                                 (d.empty() ? std::string() : ": " + d));
    return out;
  }
  if (res.status != 200) {
    // The peer's catalogue and ours disagree (404, 422) or our credentials do (401): a
    // misconfiguration the peer's answer names; the consumer can only wait for a fix.
    out.refusal = "peer_rejected";
    std::string d = Detail(res.body);
    out.error = Unavailable("the peer platform " + p.name + " answered HTTP " +
                            std::to_string(res.status) + (d.empty() ? std::string() : ": " + d));
    return out;
  }

  auto invalid = [&](const std::string& why) {
    out.refusal = "peer_signature_invalid";
    out.error = Unavailable("the answer of the peer platform " + p.name + " was refused: " + why);
    out.jws.clear();
    out.answer_digest.clear();
    out.answer = {};
    return out;
  };
  boost::system::error_code ec;
  auto envelope = json::parse(res.body, ec);
  if (ec || !envelope.is_object()) return invalid("it is not a JSON object");
  out.jws = Str(envelope.as_object(), "signature");
  size_t a = out.jws.find('.');
  size_t b = out.jws.rfind('.');
  if (out.jws.empty() || a == std::string::npos || b == a) return invalid("it is not signed");
  auto payload = crypto::Base64UrlDecode(std::string_view(out.jws).substr(a + 1, b - a - 1));
  if (!payload) return invalid("its signature's payload is not base64url");
  out.answer_digest = crypto::HexEncode(crypto::Sha256(*payload));
  auto verified = crypto::VerifyJwt(out.jws, crypto::JwksLookup(p.jwks));
  if (!verified) {
    // Perhaps the peer rotated its keys: its JWKS once more.
    auto again = directory_(q.platform, true);
    if (again) {
      p.jwks = again->jwks;
      verified = crypto::VerifyJwt(out.jws, crypto::JwksLookup(p.jwks));
    }
  }
  if (!verified) return invalid("its signature does not verify with the peer's published keys");
  const auto& claims = verified->claims;
  if (Str(verified->header, "typ") != kAnswerType) return invalid("it is not an exchange answer");
  if (Str(claims, "iss") != p.issuer) return invalid("it names another issuer");
  if (Str(claims, "resource") != q.resource || Str(claims, "subject") != q.subject ||
      Str(claims, "consumer_client") != p.client_id)
    return invalid("it answers another query");
  const auto* iat = claims.if_contains("iat");
  auto now = UnixSeconds(std::chrono::system_clock::now());
  auto skew = std::chrono::duration_cast<std::chrono::seconds>(kMaxAnswerSkew).count();
  if (!iat || !iat->is_int64() || iat->as_int64() < now - skew || iat->as_int64() > now + skew)
    return invalid("it is not from now");
  const auto* found = claims.if_contains("found");
  const auto* data = claims.if_contains("data");
  if (!found || !found->is_bool() || !data || !data->is_object())
    return invalid("it holds no found and data");
  for (const auto& [k, v] : data->as_object()) {
    (void)v;
    if (std::find(q.fields.begin(), q.fields.end(), std::string(k)) == q.fields.end())
      return invalid("it holds a field that was not asked for");
  }
  out.answer = claims;
  return out;
}

}  // namespace ow::exchange
