#include "licences/payload.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace ow::licences {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "OWL1.";

Error Bad(const std::string& what) {
  return Error(Code::kInvalidArgument, "payload", {{"payload", what}});
}

bool AllOf(std::string_view s, size_t min, size_t max, bool (*ok)(char)) {
  if (s.size() < min || s.size() > max) return false;
  for (char ch : s)
    if (!ok(ch)) return false;
  return true;
}
bool CodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
bool B64Char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool Digit(char c) { return c >= '0' && c <= '9'; }

bool ValidDate(std::string_view d) {
  if (!AllOf(d, 8, 8, Digit)) return false;
  int month = (d[4] - '0') * 10 + (d[5] - '0');
  int day = (d[6] - '0') * 10 + (d[7] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool ValidNumber(std::string_view n) {
  if (n.empty() || n.size() > 64 || !text::IsValidUtf8(n)) return false;
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

Status CheckClaims(const PayloadClaims& c) {
  if (!ValidNumber(c.number)) return Bad("the licence number (n) is malformed");
  if (!AllOf(c.type_code, 2, 40, CodeChar)) return Bad("the licence type (t) is malformed");
  if (!AllOf(c.holder_digest, 22, 22, B64Char)) return Bad("the holder digest (h) is malformed");
  if (!ValidDate(c.issued)) return Bad("the issue date (i) must be YYYYMMDD");
  if (!ValidDate(c.valid_from)) return Bad("the start of validity (f) must be YYYYMMDD");
  if (!c.valid_to.empty() && !ValidDate(c.valid_to))
    return Bad("the end of validity (u) must be YYYYMMDD or empty");
  if (c.seal_id.size() < 6 || c.seal_id.compare(0, 5, "seal_") != 0 ||
      !AllOf(std::string_view(c.seal_id).substr(5), 1, 40, B64Char))
    return Bad("the seal id (s) is malformed");
  return {};
}

}  // namespace

std::string HolderDigest(std::string_view holder_kind, std::string_view holder_id,
                         std::string_view number) {
  std::string input("OWL1-holder");
  input.push_back('\0');
  input.append(holder_kind).append(":").append(holder_id);
  input.push_back('\0');
  input.append(number);
  return crypto::Base64UrlEncode(crypto::Sm3(input).substr(0, 16));
}

Result<std::string> SigningInput(const PayloadClaims& c) {
  OW_RETURN_IF_ERROR(CheckClaims(c));
  json::object o{{"n", c.number},     {"t", c.type_code}, {"h", c.holder_digest}, {"i", c.issued},
                 {"f", c.valid_from}, {"u", c.valid_to},  {"s", c.seal_id}};
  return std::string(kPrefix) + crypto::Base64UrlEncode(json::serialize(o));
}

std::string Compose(const std::string& signing_input, std::string_view signature) {
  return signing_input + "." + crypto::Base64UrlEncode(signature);
}

Result<Payload> ParsePayload(std::string_view text) {
  if (auto hash = text.rfind('#'); hash != std::string_view::npos) text = text.substr(hash + 1);
  if (text.empty()) return Bad("is empty");
  if (text.size() > kMaxPayloadBytes) return Bad("is longer than a licence payload can be");
  if (text.substr(0, kPrefix.size()) != kPrefix) return Bad("is not a OneWindow licence code");
  auto dot = text.find('.', kPrefix.size());
  if (dot == std::string_view::npos || text.find('.', dot + 1) != std::string_view::npos)
    return Bad("must have three parts separated by '.'");
  auto claims_json = crypto::Base64UrlDecode(text.substr(kPrefix.size(), dot - kPrefix.size()));
  if (!claims_json) return Bad("the claims are not base64url");
  auto signature = crypto::Base64UrlDecode(text.substr(dot + 1));
  if (!signature || signature->size() != 64)
    return Bad("the signature must be 64 bytes of base64url");
  boost::system::error_code ec;
  json::value v = json::parse(*claims_json, ec);
  if (ec || !v.is_object()) return Bad("the claims are not a JSON object");
  const json::object& o = v.as_object();
  if (o.size() != 7) return Bad("the claims must have exactly the members n t h i f u s");
  Payload p;
  struct Member {
    const char* key;
    std::string* out;
  } members[] = {{"n", &p.claims.number},        {"t", &p.claims.type_code},
                 {"h", &p.claims.holder_digest}, {"i", &p.claims.issued},
                 {"f", &p.claims.valid_from},    {"u", &p.claims.valid_to},
                 {"s", &p.claims.seal_id}};
  for (const auto& m : members) {
    const json::value* field = o.if_contains(m.key);
    if (!field || !field->is_string())
      return Bad(std::string("the claim ") + m.key + " is missing or not a string");
    *m.out = std::string(field->as_string());
  }
  OW_RETURN_IF_ERROR(CheckClaims(p.claims));
  p.signing_input = std::string(text.substr(0, dot));
  p.signature = std::move(*signature);
  return p;
}

}  // namespace ow::licences
