#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace ow::crypto {
namespace {

std::string Unhex(std::string_view hex) { return HexDecode(hex).value(); }

TEST(CryptoAead, OpensThePublishedGcmVector) {
  // "The Galois/Counter Mode of Operation" (McGrew & Viega), test case 16: AES-256,
  // 96-bit IV, with AAD. Our box is simply IV || C || T.
  auto key =
      AeadKey::FromBytes(Unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
  ASSERT_TRUE(key);
  const std::string box = Unhex(
      "cafebabefacedbaddecaf888"
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
      "56828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");
  auto plain = key->Open(box, Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(
      HexEncode(*plain),
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
      "49a6b525b16aedf5aa0de657ba637b39");
}

TEST(CryptoAead, RoundTripWithFreshNonces) {
  const AeadKey key = AeadKey::Generate();
  const std::string plain = "110101199003077777";
  const std::string aad = "identity.resident.id_number:42";
  auto a = key.Seal(plain, aad);
  auto b = key.Seal(plain, aad);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), plain.size() + kAeadOverhead);
  EXPECT_NE(*a, *b);  // random nonce: equal plaintexts do not give equal boxes
  EXPECT_NE(a->substr(0, kAeadNonceSize), b->substr(0, kAeadNonceSize));
  EXPECT_EQ(a->find(plain), std::string::npos);
  EXPECT_EQ(key.Open(*a, aad).value(), plain);
  EXPECT_EQ(key.Open(*b, aad).value(), plain);

  auto empty = key.Seal("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), kAeadOverhead);
  EXPECT_EQ(key.Open(*empty).value(), "");

  // The key survives a round trip through its bytes.
  auto copy = AeadKey::FromBytes(key.bytes());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->Open(*a, aad).value(), plain);
}

TEST(CryptoAead, AnyTamperingFailsUnauthenticated) {
  const AeadKey key = AeadKey::Generate();
  const std::string aad = "row:7";
  const std::string box = key.Seal("secret resident data", aad).value();
  auto expect_rejected = [&](const std::string& sealed, std::string_view with_aad,
                             const char* what) {
    auto r = key.Open(sealed, with_aad);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kUnauthenticated) << what;
  };
  for (size_t i = 0; i < box.size(); ++i) {
    std::string t = box;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    const char* part = i < kAeadNonceSize              ? "nonce"
                       : i < box.size() - kAeadTagSize ? "ciphertext"
                                                       : "tag";
    expect_rejected(t, aad, part);
  }
  expect_rejected(box, "row:8", "different aad");
  expect_rejected(box, "", "missing aad");
  expect_rejected(box.substr(0, box.size() - 1), aad, "truncated");
  expect_rejected(box + '\0', aad, "extended");
  expect_rejected(box.substr(0, kAeadOverhead - 1), aad, "shorter than nonce + tag");
  expect_rejected("", aad, "empty");
  auto other = AeadKey::Generate().Open(box, aad);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Code::kUnauthenticated);
}

TEST(CryptoAead, KeyMustBe32Bytes) {
  for (size_t n : {0u, 16u, 31u, 33u, 64u}) {
    auto k = AeadKey::FromBytes(std::string(n, 'k'));
    ASSERT_FALSE(k) << n;
    EXPECT_EQ(k.error().code, Code::kInvalidArgument);
  }
  EXPECT_TRUE(AeadKey::FromBytes(std::string(32, 'k')));
  EXPECT_NE(AeadKey::Generate().bytes(), AeadKey::Generate().bytes());
}

}  // namespace
}  // namespace ow::crypto
