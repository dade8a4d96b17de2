#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/random.h"

namespace ow::crypto {
namespace {

TEST(CryptoEncoding, Base64UrlMatchesRfc4648Vectors) {
  // RFC 4648 section 10, without padding.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  // The URL-safe alphabet: standard base64 would be "+/8=".
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(CryptoEncoding, Base64UrlDecodeIsStrict) {
  for (const char* bad :
       {"Zg==", "Zm9v YmFy", "Zm9v\n", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9=", "Zm9v\t"}) {
    auto r = Base64UrlDecode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
  // "Zh" and "Zg" would both decode to "f" if the unused bits were ignored.
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zh", 2)));
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zg\0", 3)));
}

TEST(CryptoEncoding, Hex) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(HexEncode(""), "");
  auto decoded = HexDecode("00FF10ab");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, std::string_view("\x00\xff\x10\xab", 4));
  for (const char* bad : {"0", "zz", "0g", "0 ", "+1"}) {
    auto r = HexDecode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
}

TEST(CryptoRandom, BytesAreFreshEachCall) {
  EXPECT_TRUE(RandomBytes(0).empty());
  const std::string a = RandomBytes(32);
  const std::string b = RandomBytes(32);
  ASSERT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  // A large request is filled completely, not just its first chunk.
  const std::string big = RandomBytes(1 << 20);
  ASSERT_EQ(big.size(), 1u << 20);
  EXPECT_NE(big.substr(big.size() - 64), std::string(64, '\0'));
}

TEST(CryptoRandom, TokensAreUrlSafeAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = RandomToken(32);
    ASSERT_EQ(token.size(), 43u);  // 256 bits, no padding
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << token;
    auto bytes = Base64UrlDecode(token);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), 32u);
    EXPECT_TRUE(seen.insert(token).second) << "duplicate token " << token;
  }
  EXPECT_EQ(RandomToken(16).size(), 22u);
}

}  // namespace
}  // namespace ow::crypto
