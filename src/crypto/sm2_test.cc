#include "crypto/sm2.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace ow::crypto {
namespace {

// A key and two signatures of "message digest" made with the openssl 3.0.19 CLI:
//   openssl genpkey -algorithm SM2 -out kat.key
//   openssl pkeyutl -sign -inkey kat.key -rawin -digest sm3
//       -pkeyopt distid:1234567812345678 -in msg -out kat.sig    (one command)
// and the same without -pkeyopt (OpenSSL's default, empty ID) for kKatEmptyIdSigHex.
constexpr std::string_view kKatPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg3tg2S8I6D6/SIMtb
bU3GLuwDq8hHboCDbd3ZVr5GbjOhRANCAAS+Cwvg0gzbkm29ontSeD2aAGMByJYY
1MHHEyJf+j0xJcTNAg25OixRkgldjApK8ID5wE987YNXsGNB7TsKaPkm
-----END PRIVATE KEY-----
)";
constexpr std::string_view kKatPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEvgsL4NIM25JtvaJ7Ung9mgBjAciW
GNTBxxMiX/o9MSXEzQINuTosUZIJXYwKSvCA+cBPfO2DV7BjQe07Cmj5Jg==
-----END PUBLIC KEY-----
)";
// `openssl pkey -pubin -text`: the uncompressed point.
constexpr std::string_view kKatPointHex =
    "04be0b0be0d20cdb926dbda27b52783d9a006301c89618d4c1c713225ffa3d3125c4cd020db93a2c5192095d8c"
    "0a4af080f9c04f7ced8357b06341ed3b0a68f926";
constexpr std::string_view kKatMessage = "message digest";
constexpr std::string_view kKatSigHex =
    "3044022036a1015bce49b35ca955a9f74d8e4e72eed8ea6e83e9cad7798cebc8a106c42a022014a0bd0188c7f3e8"
    "0f908160f07b79066f618529f887fb4ac69df6da0fcdc745";
constexpr std::string_view kKatEmptyIdSigHex =
    "304502207d9eff9a3854eb9a5f8b389f8009cc53729b7fe7314e5ae523c4ee048ee5013e0221009bf4f272db2f68"
    "d998d6ae670fdeb762536e66c19a7549b192510efa95fe6143";

// Keys of other kinds, which Sm2Key must refuse.
constexpr std::string_view kP256PrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff
H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp
7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt
-----END PRIVATE KEY-----
)";
constexpr std::string_view kP256PublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7
6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
-----END PUBLIC KEY-----
)";
constexpr std::string_view kEd25519PrivatePem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
)";

std::string Unhex(std::string_view hex) { return HexDecode(hex).value(); }

TEST(CryptoSm3, KnownAnswers) {
  // GB/T 32905-2016 appendix A, examples 1 and 2.
  EXPECT_EQ(HexEncode(Sm3("abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string abcd16;
  for (int i = 0; i < 16; ++i) abcd16 += "abcd";
  EXPECT_EQ(HexEncode(Sm3(abcd16)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  EXPECT_EQ(Sm3("").size(), kSm3Size);
  EXPECT_NE(Sm3(""), Sha256(""));
}

TEST(CryptoSm2, VerifiesOpensslSignatureWithTheStandardId) {
  auto pub = Sm2Key::FromPublicPem(kKatPublicPem);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_FALSE(pub->has_private_key());
  EXPECT_EQ(HexEncode(pub->PublicPoint()), kKatPointHex);
  EXPECT_EQ(pub->PublicPem(), kKatPublicPem);
  EXPECT_TRUE(pub->Verify(kKatMessage, Unhex(kKatSigHex)));

  // Made with OpenSSL's default (empty) ID: a different Z_A, so it must not verify.
  auto empty_id = pub->Verify(kKatMessage, Unhex(kKatEmptyIdSigHex));
  ASSERT_FALSE(empty_id);
  EXPECT_EQ(empty_id.error().code, Code::kUnauthenticated);
  EXPECT_FALSE(pub->Verify("message digesT", Unhex(kKatSigHex)));

  auto priv = Sm2Key::FromPrivatePem(kKatPrivatePem);
  ASSERT_TRUE(priv) << priv.error().message;
  EXPECT_TRUE(priv->has_private_key());
  EXPECT_EQ(priv->PublicPem(), kKatPublicPem);
  EXPECT_EQ(priv->PublicPoint(), pub->PublicPoint());
  EXPECT_EQ(priv->PrivatePem().value(), kKatPrivatePem);
  // Our signature under the same key verifies with the public half.
  auto sig = priv->Sign(kKatMessage);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(pub->Verify(kKatMessage, *sig));
}

TEST(CryptoSm2, SignVerifyAndRejectTampering) {
  auto key = Sm2Key::Generate();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(key->has_private_key());
  ASSERT_EQ(key->PublicPoint().size(), kSm2PublicPointSize);
  EXPECT_EQ(key->PublicPoint()[0], '\x04');

  const std::string data = "电子营业执照 91110000000000000X";
  auto sig = key->Sign(data);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_GE(sig->size(), 8u);
  EXPECT_LE(sig->size(), 72u);
  EXPECT_EQ((*sig)[0], '\x30');
  EXPECT_TRUE(key->Verify(data, *sig));
  // Randomized: a second signature differs and verifies too.
  auto again = key->Sign(data);
  ASSERT_TRUE(again);
  EXPECT_NE(*again, *sig);
  EXPECT_TRUE(key->Verify(data, *again));

  // Every byte flipped in turn (header, lengths, r, s): all refused, none crash.
  for (size_t i = 0; i < sig->size(); ++i) {
    std::string t = *sig;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    auto r = key->Verify(data, t);
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  }
  EXPECT_FALSE(key->Verify(data + " ", *sig));
  EXPECT_FALSE(key->Verify("", *sig));
  EXPECT_FALSE(key->Verify(data, sig->substr(0, sig->size() - 1)));  // truncated
  EXPECT_FALSE(key->Verify(data, *sig + '\0'));                      // trailing byte
  EXPECT_FALSE(key->Verify(data, ""));
  EXPECT_FALSE(key->Verify(data, std::string(72, '\0')));
  // The raw form is not accepted where DER is expected.
  EXPECT_FALSE(key->Verify(data, Sm2SignatureToRaw(*sig).value()));

  auto other = Sm2Key::Generate();
  ASSERT_TRUE(other);
  EXPECT_NE(other->PublicPoint(), key->PublicPoint());
  auto wrong_key = other->Verify(data, *sig);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().code, Code::kUnauthenticated);
}

TEST(CryptoSm2, PemRoundTripAndVerifyOnlyKeys) {
  const Sm2Key key = Sm2Key::Generate().value();
  auto pem = key.PrivatePem();
  ASSERT_TRUE(pem);
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << *pem;  // PKCS#8
  EXPECT_EQ(key.PublicPem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);

  auto loaded = Sm2Key::FromPrivatePem(*pem);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->PublicPoint(), key.PublicPoint());
  EXPECT_EQ(loaded->PublicPem(), key.PublicPem());
  EXPECT_TRUE(key.Verify("d", loaded->Sign("d").value()));

  auto pub = Sm2Key::FromPublicPem(key.PublicPem());
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->PublicPoint(), key.PublicPoint());
  EXPECT_TRUE(pub->Verify("d", key.Sign("d").value()));
  auto no_sign = pub->Sign("d");
  ASSERT_FALSE(no_sign);
  EXPECT_EQ(no_sign.error().code, Code::kFailedPrecondition);
  auto no_pem = pub->PrivatePem();
  ASSERT_FALSE(no_pem);
  EXPECT_EQ(no_pem.error().code, Code::kFailedPrecondition);
}

TEST(CryptoSm2, RejectsOtherKeysAndMalformedPem) {
  const std::pair<std::string_view, const char*> bad_private[] = {
      {kP256PrivatePem, "P-256"},
      {kEd25519PrivatePem, "Ed25519"},
      {kKatPublicPem, "public key given as private"},
      {"", "empty"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "garbage DER"},
  };
  for (const auto& [pem, what] : bad_private) {
    auto r = Sm2Key::FromPrivatePem(pem);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  const std::pair<std::string_view, const char*> bad_public[] = {
      {kP256PublicPem, "P-256"},
      {kKatPrivatePem, "private key given as public"},
      {"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "empty body"},
      {kKatPublicPem.substr(0, 60), "truncated"},
  };
  for (const auto& [pem, what] : bad_public) {
    auto r = Sm2Key::FromPublicPem(pem);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  // A point that is not on the curve (the last byte of y changed).
  std::string off_curve(kKatPublicPem);
  off_curve.replace(off_curve.find("Jg=="), 4, "Jw==");
  auto r = Sm2Key::FromPublicPem(off_curve);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

TEST(CryptoSm2, RawFormRoundTrips) {
  const std::string der = Unhex(kKatSigHex);
  auto raw = Sm2SignatureToRaw(der);
  ASSERT_TRUE(raw) << raw.error().message;
  ASSERT_EQ(raw->size(), kSm2RawSignatureSize);
  EXPECT_EQ(HexEncode(*raw),
            "36a1015bce49b35ca955a9f74d8e4e72eed8ea6e83e9cad7798cebc8a106c42a"
            "14a0bd0188c7f3e80f908160f07b79066f618529f887fb4ac69df6da0fcdc745");
  EXPECT_EQ(Sm2SignatureFromRaw(*raw).value(), der);

  // s with its top bit set needs a 0x00 pad byte in DER, and comes back without it.
  const std::string padded = Unhex(kKatEmptyIdSigHex);
  auto raw2 = Sm2SignatureToRaw(padded);
  ASSERT_TRUE(raw2);
  EXPECT_EQ(HexEncode(raw2->substr(32)),
            "9bf4f272db2f68d998d6ae670fdeb762536e66c19a7549b192510efa95fe6143");
  EXPECT_EQ(Sm2SignatureFromRaw(*raw2).value(), padded);

  // Short values: r = 1, s = 0x80 (a pad byte), both left-padded to 32 bytes in raw.
  const std::string small_der = Unhex(
      "3007020101020200"
      "80");
  auto small_raw = Sm2SignatureToRaw(small_der);
  ASSERT_TRUE(small_raw) << small_raw.error().message;
  EXPECT_EQ(HexEncode(*small_raw), std::string(62, '0') + "01" + std::string(62, '0') + "80");
  EXPECT_EQ(Sm2SignatureFromRaw(*small_raw).value(), small_der);

  // Many fresh signatures survive the round trip and still verify.
  const Sm2Key key = Sm2Key::Generate().value();
  for (int i = 0; i < 20; ++i) {
    const std::string sig = key.Sign("x").value();
    const std::string r = Sm2SignatureToRaw(sig).value();
    EXPECT_EQ(Sm2SignatureFromRaw(r).value(), sig);
  }
}

TEST(CryptoSm2, RawConversionsAreStrict) {
  const std::string r32 = std::string(31, '\x11') + '\x22';
  auto der_int = [](std::string_view v) {
    return std::string{'\x02', static_cast<char>(v.size())} + std::string(v);
  };
  auto seq = [](std::string_view body) {
    return std::string{'\x30', static_cast<char>(body.size())} + std::string(body);
  };
  const std::string good = seq(der_int(r32) + der_int(r32));
  ASSERT_TRUE(Sm2SignatureToRaw(good));
  const std::pair<std::string, const char*> bad[] = {
      {"", "empty"},
      {good.substr(0, good.size() - 1), "truncated"},
      {good + '\0', "trailing byte"},
      {seq(der_int(r32)), "one integer"},
      {seq(der_int(r32) + der_int(r32) + der_int("\x01")), "three integers"},
      {std::string{'\x30', '\x81', static_cast<char>(2 * 34)} + der_int(r32) + der_int(r32),
       "long-form length"},
      {seq(der_int(std::string(1, '\0') + r32) + der_int(r32)), "superfluous zero byte"},
      {seq(der_int("\x80" + r32.substr(1)) + der_int(r32)), "negative r"},
      {seq(der_int("") + der_int(r32)), "empty integer"},
      {seq(der_int(std::string(1, '\0')) + der_int(r32)), "r = 0"},
      {seq(der_int(std::string(33, '\x01')) + der_int(r32)), "33-byte value"},
      {seq(std::string{'\x04', '\x20'} + r32 + der_int(r32)), "OCTET STRING, not INTEGER"},
      {std::string{'\x31', '\x44'} + der_int(r32) + der_int(r32), "SET, not SEQUENCE"},
      // n itself and 2^256 - 1 are out of range.
      {seq(der_int(Unhex("00fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123")) +
           der_int(r32)),
       "r = n"},
      {seq(der_int(r32) + der_int(std::string(1, '\0') + std::string(32, '\xff'))),
       "s = 2^256 - 1"},
  };
  for (const auto& [der, what] : bad) {
    auto r = Sm2SignatureToRaw(der);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what;
  }

  EXPECT_FALSE(Sm2SignatureFromRaw(std::string(63, '\x01')));
  EXPECT_FALSE(Sm2SignatureFromRaw(std::string(65, '\x01')));
  EXPECT_FALSE(Sm2SignatureFromRaw(std::string(64, '\0')));
  EXPECT_FALSE(Sm2SignatureFromRaw(r32 + std::string(32, '\0')));  // s = 0
  const std::string n = Unhex("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
  EXPECT_FALSE(Sm2SignatureFromRaw(n + r32));
  std::string n_minus_1 = n;
  n_minus_1.back() = '\x22';
  EXPECT_TRUE(Sm2SignatureFromRaw(n_minus_1 + r32));
}

TEST(CryptoSm2, ConcurrentSignAndVerifyOnOneKey) {
  const Sm2Key key = Sm2Key::Generate().value();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string data = std::to_string(t) + ":" + std::to_string(i);
        auto sig = key.Sign(data);
        if (!sig || !key.Verify(data, *sig) || key.Verify(data + "!", *sig)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace ow::crypto
