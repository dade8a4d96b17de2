#include "crypto/jws.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace ow::crypto {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// RFC 7515 appendix A.3: the public key and the ES256 JWS made with it.
constexpr std::string_view kRfc7515EcPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7
6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
-----END PUBLIC KEY-----
)";
constexpr std::string_view kRfc7515Jws =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

std::string B64(std::string_view s) { return Base64UrlEncode(s); }

std::vector<std::string> SplitToken(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

void ExpectRejected(const Result<VerifiedJwt>& r, Code code, const char* what) {
  ASSERT_FALSE(r) << what;
  EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
}

class CryptoJwt : public ::testing::Test {
 protected:
  SigningKey es_ = SigningKey::Generate(Algorithm::kEs256).value();
  SigningKey ed_ = SigningKey::Generate(Algorithm::kEdDsa).value();
  KeyLookup lookup_ = [this](std::string_view kid) -> std::optional<SigningKey> {
    if (kid == es_.kid()) return es_;
    if (kid == ed_.kid()) return ed_;
    return std::nullopt;
  };
  boost::json::object claims_ = {{"iss", "https://id.example.gov"},
                                 {"sub", "u-42"},
                                 {"aud", "portal"},
                                 {"exp", 2000000000},
                                 {"name", "张三"}};
};

TEST_F(CryptoJwt, SignedTokensVerifyForBothAlgorithms) {
  for (const SigningKey* key : {&es_, &ed_}) {
    auto token = SignJwt(*key, claims_);
    ASSERT_TRUE(token) << token.error().message;
    auto parts = SplitToken(*token);
    auto header = boost::json::parse(Base64UrlDecode(parts[0]).value()).as_object();
    EXPECT_EQ(header,
              (boost::json::object{
                  {"alg", AlgorithmName(key->algorithm())}, {"kid", key->kid()}, {"typ", "JWT"}}));

    auto v = VerifyJwt(*token, lookup_);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->claims, claims_);
    EXPECT_EQ(v->header, header);
    auto direct = VerifyJwt(*token, *key);
    ASSERT_TRUE(direct) << direct.error().message;
    EXPECT_EQ(direct->claims, claims_);
  }
}

TEST_F(CryptoJwt, ExtraHeaderMayChangeTypButNotAlgOrKid) {
  auto token = SignJwt(ed_, claims_, {{"typ", "at+jwt"}, {"x-custom", 1}});
  ASSERT_TRUE(token);
  auto v = VerifyJwt(*token, lookup_);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header.at("typ"), "at+jwt");
  EXPECT_EQ(v->header.at("x-custom"), 1);
  for (const char* reserved : {"alg", "kid", "crit"}) {
    auto r = SignJwt(ed_, claims_, {{reserved, "x"}});
    ASSERT_FALSE(r) << reserved;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
}

TEST_F(CryptoJwt, VerifiesRfc7515AppendixA3) {
  const SigningKey key = SigningKey::FromPublicPem(kRfc7515EcPublicPem).value();
  auto v = VerifyJwt(kRfc7515Jws, key);  // the RFC's header has no kid
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->header, (boost::json::object{{"alg", "ES256"}}));
  EXPECT_EQ(v->claims.at("iss"), "joe");
  EXPECT_EQ(v->claims.at("exp"), 1300819380);
  EXPECT_EQ(v->claims.at("http://example.com/is_root"), true);
  // Long expired: the signature is fine, the time check is not.
  EXPECT_TRUE(CheckTimeClaims(v->claims, system_clock::from_time_t(1300819300)));
  auto expired = CheckTimeClaims(v->claims, system_clock::now());
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Code::kUnauthenticated);
}

TEST_F(CryptoJwt, RejectsAlgNone) {
  const std::string payload = B64(boost::json::serialize(claims_));
  for (std::string alg : {"none", "None", "NONE"}) {
    for (bool with_kid : {false, true}) {
      const std::string header =
          R"({"alg":")" + alg + "\"" + (with_kid ? R"(,"kid":")" + es_.kid() + "\"" : "") + "}";
      const std::string input = B64(header) + "." + payload;
      ExpectRejected(VerifyJwt(input + ".", lookup_), Code::kUnauthenticated, header.c_str());
      ExpectRejected(VerifyJwt(input + ".", es_), Code::kUnauthenticated, header.c_str());
      // Even with a valid signature attached, "none" is not the key's algorithm.
      ExpectRejected(VerifyJwt(input + "." + B64(es_.Sign(input).value()), es_),
                     Code::kUnauthenticated, header.c_str());
    }
  }
}

TEST_F(CryptoJwt, RejectsAlgorithmConfusion) {
  const std::string payload = B64(boost::json::serialize(claims_));
  // HS256 keyed with the public key PEM: the classic confusion attack on libraries that
  // take the algorithm from the token.
  {
    const std::string input =
        B64(R"({"alg":"HS256","kid":")" + es_.kid() + R"("})") + "." + payload;
    const std::string token = input + "." + B64(HmacSha256(es_.PublicPem(), input));
    ExpectRejected(VerifyJwt(token, lookup_), Code::kUnauthenticated, "HS256");
  }
  // A genuine EdDSA signature presented under an ES256 kid, and the reverse.
  for (auto [signer, named] : {std::pair{&ed_, &es_}, std::pair{&es_, &ed_}}) {
    const std::string input = B64(R"({"alg":")" + std::string(AlgorithmName(signer->algorithm())) +
                                  R"(","kid":")" + named->kid() + R"("})") +
                              "." + payload;
    const std::string token = input + "." + B64(signer->Sign(input).value());
    ExpectRejected(VerifyJwt(token, lookup_), Code::kUnauthenticated, "alg/key mismatch");
  }
  // An ES256 token whose header claims EdDSA (same kid, same signature).
  auto token = SignJwt(es_, claims_).value();
  auto parts = SplitToken(token);
  const std::string relabeled = B64(R"({"alg":"EdDSA","kid":")" + es_.kid() + R"(","typ":"JWT"})") +
                                "." + parts[1] + "." + parts[2];
  ExpectRejected(VerifyJwt(relabeled, lookup_), Code::kUnauthenticated, "relabeled alg");
}

TEST_F(CryptoJwt, RejectsTamperingAndUnknownKeys) {
  const std::string token = SignJwt(es_, claims_).value();
  auto parts = SplitToken(token);
  boost::json::object admin = claims_;
  admin["sub"] = "admin";
  ExpectRejected(
      VerifyJwt(parts[0] + "." + B64(boost::json::serialize(admin)) + "." + parts[2], lookup_),
      Code::kUnauthenticated, "payload swapped");
  std::string sig = Base64UrlDecode(parts[2]).value();
  sig[5] = static_cast<char>(sig[5] ^ 1);
  ExpectRejected(VerifyJwt(parts[0] + "." + parts[1] + "." + B64(sig), lookup_),
                 Code::kUnauthenticated, "signature bit flipped");
  ExpectRejected(VerifyJwt(parts[0] + "." + parts[1] + "." + B64(sig.substr(1)), lookup_),
                 Code::kUnauthenticated, "short signature");

  const SigningKey stranger = SigningKey::Generate(Algorithm::kEs256).value();
  ExpectRejected(VerifyJwt(SignJwt(stranger, claims_).value(), lookup_), Code::kUnauthenticated,
                 "unknown kid");
  ExpectRejected(VerifyJwt(token, stranger), Code::kUnauthenticated, "kid names another key");
  // A token without kid is looked up under "".
  const std::string input = B64(R"({"alg":"ES256"})") + "." + parts[1];
  const std::string no_kid = input + "." + B64(es_.Sign(input).value());
  ExpectRejected(VerifyJwt(no_kid, lookup_), Code::kUnauthenticated, "no kid");
  EXPECT_TRUE(VerifyJwt(no_kid, es_));
  EXPECT_TRUE(VerifyJwt(no_kid, [&](std::string_view kid) -> std::optional<SigningKey> {
    if (kid.empty()) return es_;
    return std::nullopt;
  }));
}

TEST_F(CryptoJwt, RejectsCritAndMalformedTokens) {
  const std::string payload = B64(boost::json::serialize(claims_));
  auto sign = [&](const std::string& header_json, const std::string& payload_b64) {
    const std::string input = B64(header_json) + "." + payload_b64;
    return input + "." + B64(ed_.Sign(input).value());
  };
  const std::string kid = R"("kid":")" + ed_.kid() + R"(")";
  ExpectRejected(
      VerifyJwt(sign(R"({"alg":"EdDSA",)" + kid + R"(,"crit":["exp"]})", payload), lookup_),
      Code::kUnauthenticated, "crit");

  const std::string good = sign(R"({"alg":"EdDSA",)" + kid + "}", payload);
  ASSERT_TRUE(VerifyJwt(good, lookup_));
  const std::pair<std::string, const char*> malformed[] = {
      {"", "empty"},
      {"abc", "one part"},
      {good.substr(0, good.rfind('.')), "two parts"},
      {good + ".x", "four parts"},
      {"!!." + payload + ".AAAA", "header not base64url"},
      {B64("not json") + "." + payload + ".AAAA", "header not JSON"},
      {B64("[1]") + "." + payload + ".AAAA", "header not an object"},
      {B64(R"({"kid":1})") + "." + payload + ".AAAA", "kid not a string"},
      {sign(R"({)" + kid + "}", payload), "no alg"},
      {good.substr(0, good.rfind('.')) + ".A", "signature not base64url"},
      {sign(R"({"alg":"EdDSA",)" + kid + "}", B64("[]")), "claims not an object"},
      {sign(R"({"alg":"EdDSA",)" + kid + "}", B64("{")), "claims not JSON"},
      {sign(R"({"alg":"EdDSA",)" + kid + "}", payload + "="), "padded payload"},
  };
  for (const auto& [token, what] : malformed) {
    ExpectRejected(VerifyJwt(token, lookup_), Code::kInvalidArgument, what);
  }
}

TEST_F(CryptoJwt, KeyRotationVerifiesOldAndNewTokens) {
  std::map<std::string, SigningKey, std::less<>> keys;
  const SigningKey old_key = SigningKey::Generate(Algorithm::kEs256).value();
  keys.emplace(old_key.kid(), old_key);
  const std::string old_token = SignJwt(old_key, claims_).value();
  const SigningKey new_key = SigningKey::Generate(Algorithm::kEdDsa).value();
  keys.emplace(new_key.kid(), new_key);
  const std::string new_token = SignJwt(new_key, claims_).value();
  KeyLookup lookup = [&](std::string_view kid) -> std::optional<SigningKey> {
    auto it = keys.find(kid);
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_TRUE(VerifyJwt(old_token, lookup));
  EXPECT_TRUE(VerifyJwt(new_token, lookup));
  keys.erase(old_key.kid());  // retired
  ExpectRejected(VerifyJwt(old_token, lookup), Code::kUnauthenticated, "retired key");
  EXPECT_TRUE(VerifyJwt(new_token, lookup));
}

TEST(CryptoJwtTime, ExpiredTokenIsRejected) {
  const SigningKey key = SigningKey::Generate(Algorithm::kEdDsa).value();
  const auto now = system_clock::now();
  const auto unix = [](system_clock::time_point t) {
    return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
  };
  auto token = SignJwt(
      key, {{"sub", "u"}, {"iat", unix(now - seconds(3600))}, {"exp", unix(now - seconds(600))}});
  ASSERT_TRUE(token);
  auto v = VerifyJwt(*token, key);
  ASSERT_TRUE(v);  // the signature is valid ...
  auto r = CheckTimeClaims(v->claims, now);
  ASSERT_FALSE(r);  // ... but the token has expired
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  EXPECT_TRUE(CheckTimeClaims(v->claims, now - seconds(700)));
}

TEST(CryptoJwtTime, ClaimsAgainstNowWithLeeway) {
  const auto now = system_clock::from_time_t(1700000000);
  auto check = [&](const boost::json::object& claims, const TimeClaimsPolicy& policy = {}) {
    return CheckTimeClaims(claims, now, policy);
  };
  EXPECT_TRUE(check({{"exp", 1700000001}}));
  EXPECT_TRUE(check({{"exp", 1699999950}}));  // 50 s late: within the 60 s leeway
  EXPECT_FALSE(check({{"exp", 1699999940}}));
  EXPECT_FALSE(check({{"exp", 1699999999}}, {seconds(0), true}));
  EXPECT_FALSE(check({{"exp", 1700000000}}, {seconds(0), true}));  // exp is exclusive
  EXPECT_TRUE(check({{"exp", 1700000000.5}}, {seconds(0), true}));
  EXPECT_FALSE(check({{"exp", 1699999999.5}}, {seconds(0), true}));

  auto missing = check({{"sub", "x"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kUnauthenticated);
  EXPECT_TRUE(check({{"sub", "x"}}, {seconds(60), false}));

  EXPECT_TRUE(check({{"exp", 1700000600}, {"nbf", 1700000030}}));   // within leeway
  EXPECT_FALSE(check({{"exp", 1700000600}, {"nbf", 1700000100}}));  // not yet valid
  EXPECT_TRUE(check({{"exp", 1700000600}, {"iat", 1700000030}}));
  EXPECT_FALSE(check({{"exp", 1700000600}, {"iat", 1700000100}}));  // issued in the future

  for (const boost::json::object& bad :
       {boost::json::object{{"exp", "1700000600"}}, boost::json::object{{"exp", true}},
        boost::json::object{{"exp", nullptr}},
        boost::json::object{{"exp", 1700000600}, {"nbf", "soon"}},
        boost::json::object{{"exp", 1700000600}, {"iat", {1}}}}) {
    auto r = check(bad);
    ASSERT_FALSE(r) << boost::json::serialize(bad);
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ow::crypto
