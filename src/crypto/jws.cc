#include "crypto/jws.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "crypto/encoding.h"

namespace ow::crypto {
namespace {

struct Parts {
  std::string_view header_b64, payload_b64, signature_b64;
  std::string_view signing_input;  // header_b64 "." payload_b64
};

Result<Parts> Split(std::string_view token) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return InvalidArgument("a compact JWS has exactly three dot-separated parts");
  }
  Parts p;
  p.header_b64 = token.substr(0, dot1);
  p.payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  p.signature_b64 = token.substr(dot2 + 1);
  p.signing_input = token.substr(0, dot2);
  return p;
}

Result<boost::json::object> DecodeObject(std::string_view b64, std::string_view what) {
  auto bytes = Base64UrlDecode(b64);
  if (!bytes) return InvalidArgument("JWS " + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  // RFC 7515 section 4 allows a parser that keeps only the last of duplicate member
  // names, which is what Boost.JSON does.
  boost::json::value v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_object()) {
    return InvalidArgument("JWS " + std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

Result<VerifiedJwt> Verify(const Parts& parts, boost::json::object header, const SigningKey& key) {
  const boost::json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return InvalidArgument("JWS header has no \"alg\"");
  // Comparing with the key's own algorithm rejects "none" and algorithm confusion.
  if (alg->as_string() != AlgorithmName(key.algorithm())) {
    return Unauthenticated("JWS \"alg\" " + std::string(alg->as_string()) +
                           " does not match the key (" +
                           std::string(AlgorithmName(key.algorithm())) + ")");
  }
  if (header.contains("crit")) return Unauthenticated("JWS \"crit\" extensions are not supported");
  auto signature = Base64UrlDecode(parts.signature_b64);
  if (!signature) return InvalidArgument("JWS signature is not base64url");
  OW_RETURN_IF_ERROR(key.Verify(parts.signing_input, *signature));
  OW_ASSIGN_OR_RETURN(boost::json::object claims, DecodeObject(parts.payload_b64, "payload"));
  return VerifiedJwt{std::move(header), std::move(claims)};
}

Result<std::string> HeaderKid(const boost::json::object& header) {
  const boost::json::value* kid = header.if_contains("kid");
  if (kid == nullptr) return std::string();
  if (!kid->is_string()) return InvalidArgument("JWS \"kid\" is not a string");
  return std::string(kid->as_string());
}

Result<double> NumericDate(const boost::json::object& claims, std::string_view name,
                           bool* present) {
  const boost::json::value* v = claims.if_contains(name);
  *present = v != nullptr;
  if (v == nullptr) return 0.0;
  boost::system::error_code ec;
  const auto seconds = v->to_number<double>(ec);
  if (ec) {
    return InvalidArgument("JWT \"" + std::string(name) + "\" is not a NumericDate");
  }
  return seconds;
}

}  // namespace

Result<std::string> SignJwt(const SigningKey& key, const boost::json::object& claims,
                            const boost::json::object& extra_header) {
  for (std::string_view reserved : {"alg", "kid", "crit"}) {
    if (extra_header.contains(reserved)) {
      return InvalidArgument("extra JWS header may not set \"" + std::string(reserved) + "\"");
    }
  }
  boost::json::object header;
  header["alg"] = AlgorithmName(key.algorithm());
  header["kid"] = key.kid();
  header["typ"] = "JWT";
  for (const auto& [name, value] : extra_header) header[name] = value;
  std::string token = Base64UrlEncode(boost::json::serialize(header));
  token += '.';
  token += Base64UrlEncode(boost::json::serialize(claims));
  OW_ASSIGN_OR_RETURN(std::string signature, key.Sign(token));
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

KeyLookup JwksLookup(boost::json::object jwks) {
  return [jwks = std::move(jwks)](std::string_view kid) -> std::optional<SigningKey> {
    const auto* keys = jwks.if_contains("keys");
    if (!keys || !keys->is_array()) return std::nullopt;
    for (const auto& k : keys->as_array()) {
      const auto* id = k.is_object() ? k.as_object().if_contains("kid") : nullptr;
      if (!id || !id->is_string() || id->as_string() != kid) continue;
      auto key = SigningKey::FromPublicJwk(k.as_object());
      if (key) return *key;
    }
    return std::nullopt;
  };
}

Result<VerifiedJwt> VerifyJwt(std::string_view token, const KeyLookup& lookup) {
  OW_ASSIGN_OR_RETURN(Parts parts, Split(token));
  OW_ASSIGN_OR_RETURN(boost::json::object header, DecodeObject(parts.header_b64, "header"));
  OW_ASSIGN_OR_RETURN(std::string kid, HeaderKid(header));
  std::optional<SigningKey> key = lookup(kid);
  if (!key) return Unauthenticated("no key for JWS \"kid\" \"" + kid + "\"");
  return Verify(parts, std::move(header), *key);
}

Result<VerifiedJwt> VerifyJwt(std::string_view token, const SigningKey& key) {
  OW_ASSIGN_OR_RETURN(Parts parts, Split(token));
  OW_ASSIGN_OR_RETURN(boost::json::object header, DecodeObject(parts.header_b64, "header"));
  OW_ASSIGN_OR_RETURN(std::string kid, HeaderKid(header));
  if (!kid.empty() && kid != key.kid()) {
    return Unauthenticated("JWS \"kid\" \"" + kid + "\" does not name this key");
  }
  return Verify(parts, std::move(header), key);
}

Status CheckTimeClaims(const boost::json::object& claims, std::chrono::system_clock::time_point now,
                       const TimeClaimsPolicy& policy) {
  // system_clock counts from the Unix epoch (guaranteed since C++20), as NumericDate does.
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto leeway = static_cast<double>(policy.leeway.count());
  bool present = false;
  OW_ASSIGN_OR_RETURN(const double exp_s, NumericDate(claims, "exp", &present));
  if (!present && policy.require_exp) return Unauthenticated("JWT has no \"exp\"");
  if (present && now_s >= exp_s + leeway) return Unauthenticated("JWT has expired");
  OW_ASSIGN_OR_RETURN(const double nbf_s, NumericDate(claims, "nbf", &present));
  if (present && now_s + leeway < nbf_s) return Unauthenticated("JWT is not valid yet (\"nbf\")");
  OW_ASSIGN_OR_RETURN(const double iat_s, NumericDate(claims, "iat", &present));
  if (present && iat_s > now_s + leeway) return Unauthenticated("JWT was issued in the future");
  return {};
}

}  // namespace ow::crypto
