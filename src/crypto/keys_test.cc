#include "crypto/keys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/encoding.h"

namespace ow::crypto {

// Readable parameter names in test output (found by argument-dependent lookup).
inline void PrintTo(Algorithm alg, std::ostream* os) { *os << AlgorithmName(alg); }

namespace {

// The ES256 key of RFC 7515 appendix A.3 (its JWK converted to PKCS#8 by Node's crypto).
constexpr std::string_view kRfc7515EcPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff
H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp
7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt
-----END PRIVATE KEY-----
)";
constexpr std::string_view kRfc7515EcPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7
6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
-----END PUBLIC KEY-----
)";
// RFC 7515 A.3: signing input and signature.
constexpr std::string_view kRfc7515SigningInput =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr std::string_view kRfc7515Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8032 section 7.1 TEST 1 secret key 9d61b19d...7f60, as PKCS#8 (RFC 8410).
constexpr std::string_view kRfc8032PrivatePem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
)";

// Keys we must refuse, made with `openssl genpkey` / `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
constexpr std::string_view kP384PrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAinbYcShWDJoDmK10+
jR7wyIqiiuzec5wAIoorYjD+g+pobqCEA7YlNZyzd0G3hVyhZANiAASrbJGu1oAu
QRGd+fqTLzD+pdNy1w6LzBGGl9z6C7GfXRK6XPiIo7U9JHZkBCuZN6c2saFQCLvg
AxgBpI2xL6qnziHZZ8ntvk1oOK0XZn+uexpsPO4McA8TZr6BkJwdzpY=
-----END PRIVATE KEY-----
)";
constexpr std::string_view kX25519PrivatePem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEIFAfrr9GLDa1d/OCeMbdYq0LAcx8f+EBgpUrvcxZdr93
-----END PRIVATE KEY-----
)";
constexpr std::string_view kEncryptedEd25519Pem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjQ+QLNp0hlQAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOyNOiQazY3HxLJW4GRYx18EQDeU
zRurl/euquBBXbWQykghGbDg7JPHqbZKk30w483MVyYM0HLon4jhrxlxLj7nI7Uc
ENcWI1VrF4K8DhwjAKw=
-----END ENCRYPTED PRIVATE KEY-----
)";
// SEC 1 "EC PRIVATE KEY" (openssl ecparam -genkey), accepted alongside PKCS#8.
constexpr std::string_view kSec1P256Pem = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFHCiAi9POgA0l5rxzAykbDGZl968dqRVYguzPQBGaJ4oAoGCCqGSM49
AwEHoUQDQgAEHABwC9Os0RjN3hEAUcqZ7D4u+DpndNqOLKHuY9XfxWSh5Eyna9U1
bfo6H++pUjY3bW4fMaW8zUME4MNkwY0Ccg==
-----END EC PRIVATE KEY-----
)";

TEST(CryptoKeys, AlgorithmNames) {
  EXPECT_EQ(AlgorithmName(Algorithm::kEs256), "ES256");
  EXPECT_EQ(AlgorithmName(Algorithm::kEdDsa), "EdDSA");
  EXPECT_EQ(ParseAlgorithm("ES256").value(), Algorithm::kEs256);
  EXPECT_EQ(ParseAlgorithm("EdDSA").value(), Algorithm::kEdDsa);
  for (const char* bad : {"none", "None", "HS256", "RS256", "es256", "ES384", "Ed25519", ""}) {
    auto r = ParseAlgorithm(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
}

TEST(CryptoKeys, Ed25519MatchesRfc8032Test1) {
  auto key = SigningKey::FromPrivatePem(kRfc8032PrivatePem);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), Algorithm::kEdDsa);
  // Public key d75a9801...511a (RFC 8032), i.e. "x" of RFC 8037 appendix A.2.
  boost::json::object jwk = key->PublicJwk();
  EXPECT_EQ(jwk.at("kty"), "OKP");
  EXPECT_EQ(jwk.at("crv"), "Ed25519");
  EXPECT_EQ(jwk.at("x"), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  EXPECT_FALSE(jwk.contains("y"));
  EXPECT_FALSE(jwk.contains("d"));
  // RFC 8037 appendix A.3: the RFC 7638 thumbprint of this very key.
  EXPECT_EQ(key->kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  EXPECT_EQ(jwk.at("kid").as_string(), key->kid());

  // RFC 8032 TEST 1: the empty message.
  auto sig = key->Sign("");
  ASSERT_TRUE(sig);
  EXPECT_EQ(
      HexEncode(*sig),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
      "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(key->Verify("", *sig));
  // RFC 8037 appendix A.4: a JWS signing input under the same key.
  auto jws_sig = key->Sign("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
  ASSERT_TRUE(jws_sig);
  EXPECT_EQ(
      Base64UrlEncode(*jws_sig),
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
}

TEST(CryptoKeys, Es256VerifiesRfc7515AppendixA3) {
  auto pub = SigningKey::FromPublicPem(kRfc7515EcPublicPem);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->algorithm(), Algorithm::kEs256);
  EXPECT_FALSE(pub->has_private_key());
  boost::json::object jwk = pub->PublicJwk();
  EXPECT_EQ(jwk.at("kty"), "EC");
  EXPECT_EQ(jwk.at("crv"), "P-256");
  EXPECT_EQ(jwk.at("x"), "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
  EXPECT_EQ(jwk.at("y"), "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
  EXPECT_EQ(jwk.at("alg"), "ES256");
  EXPECT_EQ(jwk.at("use"), "sig");
  // RFC 7638 thumbprint of this JWK, cross-checked with jose's calculateJwkThumbprint and
  // with `printf '{"crv":"P-256","kty":"EC","x":"...","y":"..."}' | openssl dgst -sha256`.
  EXPECT_EQ(pub->kid(), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");

  const std::string sig = Base64UrlDecode(kRfc7515Signature).value();
  EXPECT_TRUE(pub->Verify(kRfc7515SigningInput, sig));
  std::string tampered_sig = sig;
  tampered_sig[63] = static_cast<char>(tampered_sig[63] ^ 1);
  auto r = pub->Verify(kRfc7515SigningInput, tampered_sig);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  std::string tampered_input(kRfc7515SigningInput);
  tampered_input.back() = 'R';
  EXPECT_FALSE(pub->Verify(tampered_input, sig));

  // The private key derives the same public values.
  auto priv = SigningKey::FromPrivatePem(kRfc7515EcPrivatePem);
  ASSERT_TRUE(priv) << priv.error().message;
  EXPECT_EQ(priv->kid(), pub->kid());
  EXPECT_EQ(priv->PublicPem(), kRfc7515EcPublicPem);
}

class CryptoKeysByAlg : public ::testing::TestWithParam<Algorithm> {};

TEST_P(CryptoKeysByAlg, SignVerifyAndRejectTampering) {
  auto key = SigningKey::Generate(GetParam());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), GetParam());
  EXPECT_TRUE(key->has_private_key());
  EXPECT_EQ(key->kid().size(), 43u);

  const std::string data = "eyJhbGciOiJFUzI1NiJ9.payload";
  auto sig = key->Sign(data);
  ASSERT_TRUE(sig) << sig.error().message;
  ASSERT_EQ(sig->size(), 64u);  // JOSE raw form for both algorithms
  EXPECT_TRUE(key->Verify(data, *sig));

  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    std::string t = *sig;
    t[i] = static_cast<char>(t[i] ^ 0x80);
    auto r = key->Verify(data, t);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  }
  EXPECT_FALSE(key->Verify(data + "x", *sig));
  EXPECT_FALSE(key->Verify(data, sig->substr(0, 63)));
  EXPECT_FALSE(key->Verify(data, *sig + '\0'));
  EXPECT_FALSE(key->Verify(data, ""));
  EXPECT_FALSE(key->Verify(data, std::string(64, '\0')));
  EXPECT_FALSE(key->Verify(data, std::string(64, '\xff')));
  auto other = SigningKey::Generate(GetParam());
  ASSERT_TRUE(other);
  EXPECT_NE(other->kid(), key->kid());
  EXPECT_FALSE(other->Verify(data, *sig));
}

TEST_P(CryptoKeysByAlg, PemRoundTripKeepsTheKey) {
  auto key = SigningKey::Generate(GetParam());
  ASSERT_TRUE(key);
  auto pem = key->PrivatePem();
  ASSERT_TRUE(pem);
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << *pem;  // PKCS#8
  EXPECT_EQ(key->PublicPem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);

  auto loaded = SigningKey::FromPrivatePem(*pem);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->kid(), key->kid());
  EXPECT_EQ(loaded->PublicJwk(), key->PublicJwk());
  auto sig = loaded->Sign("data");
  ASSERT_TRUE(sig);
  EXPECT_TRUE(key->Verify("data", *sig));

  auto pub = SigningKey::FromPublicPem(key->PublicPem());
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->kid(), key->kid());
  EXPECT_TRUE(pub->Verify("data", *sig));
  auto no_sign = pub->Sign("data");
  ASSERT_FALSE(no_sign);
  EXPECT_EQ(no_sign.error().code, Code::kFailedPrecondition);
  auto no_pem = pub->PrivatePem();
  ASSERT_FALSE(no_pem);
  EXPECT_EQ(no_pem.error().code, Code::kFailedPrecondition);
}

TEST_P(CryptoKeysByAlg, ConcurrentSignAndVerifyOnOneKey) {
  const SigningKey key = SigningKey::Generate(GetParam()).value();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string data = std::to_string(t) + ":" + std::to_string(i);
        auto sig = key.Sign(data);
        if (!sig || !key.Verify(data, *sig) || key.Verify(data + "!", *sig)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CryptoKeysByAlg,
                         ::testing::Values(Algorithm::kEs256, Algorithm::kEdDsa),
                         [](const ::testing::TestParamInfo<Algorithm>& p) {
                           return std::string(AlgorithmName(p.param));
                         });

TEST(CryptoKeys, AcceptsSec1EcPrivateKey) {
  auto key = SigningKey::FromPrivatePem(kSec1P256Pem);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), Algorithm::kEs256);
}

TEST(CryptoKeys, RejectsOtherKeysAndMalformedPem) {
  const std::pair<std::string_view, const char*> bad_private[] = {
      {kP384PrivatePem, "P-384"},
      {kX25519PrivatePem, "X25519"},
      {kEncryptedEd25519Pem, "encrypted"},  // must fail, never prompt for a passphrase
      {kRfc7515EcPublicPem, "public key given as private"},
      {"", "empty"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "garbage DER"},
  };
  for (const auto& [pem, what] : bad_private) {
    auto r = SigningKey::FromPrivatePem(pem);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  auto pub = SigningKey::FromPublicPem(kRfc8032PrivatePem);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().code, Code::kInvalidArgument);
  // A public point that is not on the curve (one byte of y changed).
  std::string off_curve(kRfc7515EcPublicPem);
  off_curve.replace(off_curve.find("YjlrQ=="), 7, "YjlrA==");
  EXPECT_FALSE(SigningKey::FromPublicPem(off_curve));
}

TEST(CryptoKeys, RawSignatureIsNotDer) {
  // An ES256 signature is r || s, not a DER SEQUENCE (which starts with 0x30 and is
  // 70-72 bytes long): feeding DER to a JOSE verifier is the classic interop bug.
  const SigningKey key = SigningKey::Generate(Algorithm::kEs256).value();
  const std::string sig = key.Sign("x").value();
  EXPECT_EQ(sig.size(), 64u);
  // A DER encoding of the same (r, s) must not verify as a JOSE signature.
  const std::string r = sig.substr(0, 32);
  const std::string s = sig.substr(32);
  auto der_int = [](std::string v) {
    size_t i = 0;
    while (i + 1 < v.size() && v[i] == '\0') ++i;
    v = v.substr(i);
    if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(v.begin(), '\0');
    return std::string{'\x02', static_cast<char>(v.size())} + v;
  };
  const std::string body = der_int(r) + der_int(s);
  const std::string der = std::string{'\x30', static_cast<char>(body.size())} + body;
  EXPECT_FALSE(key.Verify("x", der));
}

TEST(CryptoKeys, PublicJwkRoundTripsForBothAlgorithms) {
  for (auto alg : {Algorithm::kEs256, Algorithm::kEdDsa}) {
    auto key = SigningKey::Generate(alg).value();
    auto pub = SigningKey::FromPublicJwk(key.PublicJwk());
    ASSERT_TRUE(pub) << pub.error().message;
    EXPECT_FALSE(pub->has_private_key());
    EXPECT_EQ(pub->kid(), key.kid());
    auto sig = key.Sign("message").value();
    EXPECT_TRUE(pub->Verify("message", sig));
    EXPECT_FALSE(pub->Verify("messagf", sig));
  }
}

TEST(CryptoKeys, PublicJwkRejectsOtherKeysAndBadPoints) {
  auto jwk = SigningKey::Generate(Algorithm::kEs256).value().PublicJwk();
  auto wrong_alg = jwk;
  wrong_alg["alg"] = "EdDSA";
  EXPECT_FALSE(SigningKey::FromPublicJwk(wrong_alg));
  auto off_curve = jwk;
  off_curve["y"] = Base64UrlEncode(std::string(32, '\x01'));
  EXPECT_FALSE(SigningKey::FromPublicJwk(off_curve));
  EXPECT_FALSE(SigningKey::FromPublicJwk({{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}));
  EXPECT_FALSE(SigningKey::FromPublicJwk({{"kty", "oct"}, {"k", "c2VjcmV0"}}));
}

}  // namespace
}  // namespace ow::crypto
