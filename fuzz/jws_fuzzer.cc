// JWS/JWT (crypto/jws.h) and the key formats around it (crypto/keys.h,
// crypto/encoding.h): everything a token or a federation peer's JWKS can put in front
// of us. The first byte picks what the rest is:
//   0  a compact token, verified with fixed ES256 and EdDSA keys (by kid and directly)
//   1  "header JSON\n%%\nclaims JSON", signed with the fixed EdDSA key so that the
//      parts after the signature check (claims, CheckTimeClaims) are reached too
//   2  a JWK, loaded with SigningKey::FromPublicJwk, then used to verify a token
//   3  text for the base64url and hex decoders
// (PEM keys come from the operator's configuration, not from clients: not fuzzed here.)
#include <chrono>
#include <cstdlib>

#include "crypto/encoding.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "fuzz_util.h"

namespace {

using ow::crypto::SigningKey;

// RFC 7515 appendix A.3's ES256 key and RFC 8032 7.1 TEST 1's Ed25519 key.
constexpr std::string_view kEcPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff
H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp
7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt
-----END PRIVATE KEY-----
)";
constexpr std::string_view kEdPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
)";

struct Keys {
  SigningKey es = SigningKey::FromPrivatePem(kEcPrivatePem).value();
  SigningKey ed = SigningKey::FromPrivatePem(kEdPrivatePem).value();
  ow::crypto::KeyLookup lookup = [this](std::string_view kid) -> std::optional<SigningKey> {
    if (kid == es.kid() || kid.empty()) return es;
    if (kid == ed.kid()) return ed;
    return std::nullopt;
  };
};

const Keys& TheKeys() {
  static const Keys* keys = new Keys();
  return *keys;
}

void CheckClaims(const ow::Result<ow::crypto::VerifiedJwt>& v) {
  if (!v) return;
  auto now = std::chrono::system_clock::from_time_t(1700000000);
  (void)ow::crypto::CheckTimeClaims(v->claims, now);
  (void)ow::crypto::CheckTimeClaims(v->claims, now, {std::chrono::seconds(0), false});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Keys& keys = TheKeys();
  std::string_view in = ow::fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      CheckClaims(ow::crypto::VerifyJwt(in, keys.lookup));
      CheckClaims(ow::crypto::VerifyJwt(in, keys.es));
      CheckClaims(ow::crypto::VerifyJwt(in, keys.ed));
      break;
    case 1: {
      auto [header, claims] = ow::fuzz::SplitTwo(in);
      std::string input =
          ow::crypto::Base64UrlEncode(header) + "." + ow::crypto::Base64UrlEncode(claims);
      auto sig = keys.ed.Sign(input);
      if (!sig) std::abort();
      std::string token = input + "." + ow::crypto::Base64UrlEncode(*sig);
      CheckClaims(ow::crypto::VerifyJwt(token, keys.ed));
      CheckClaims(ow::crypto::VerifyJwt(token, keys.lookup));
      break;
    }
    case 2: {
      boost::json::value jwk = ow::fuzz::ParseOrNull(in);
      if (!jwk.is_object()) break;
      auto key = SigningKey::FromPublicJwk(jwk.as_object());
      if (!key) break;
      if (key->has_private_key()) std::abort();  // a public JWK never gives a private key
      (void)key->PublicJwk();
      (void)key->Verify("payload", std::string(64, 'x'));
      break;
    }
    default: {
      if (auto bytes = ow::crypto::Base64UrlDecode(in)) {
        if (ow::crypto::Base64UrlDecode(ow::crypto::Base64UrlEncode(*bytes)).value() != *bytes)
          std::abort();  // encoding what was decoded must decode to the same bytes
      }
      if (auto bytes = ow::crypto::HexDecode(in)) {
        if (ow::crypto::HexDecode(ow::crypto::HexEncode(*bytes)).value() != *bytes) std::abort();
      }
      break;
    }
  }
  return 0;
}
