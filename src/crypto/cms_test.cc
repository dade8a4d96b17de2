#include "crypto/cms.h"

#include <gtest/gtest.h>

#include <chrono>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/testdata/p256_test_credentials.h"

namespace ow::crypto {
namespace {

using std::chrono::sys_days;

using testdata::kTestCaCertPem;
using testdata::kTestP384KeyPem;
using testdata::kTestSealCertPem;
using testdata::kTestSealKeyPem;

const std::chrono::system_clock::time_point kWhen = sys_days{std::chrono::year{2030} / 1 / 1};

// DER object identifiers (tag, length, value) of what the signature must and must not hold.
const std::string kOidSignedData("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 11);
const std::string kOidContentType("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03", 11);
const std::string kOidMessageDigest("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04", 11);
const std::string kOidSigningTime("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05", 11);
const std::string kOidSigningCertificateV2("\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x2f",
                                           13);
const std::string kOidEcdsaWithSha256("\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 10);

// The DER inside a one-certificate PEM, decoded independently of OpenSSL.
std::string PemToDer(std::string_view pem) {
  std::string b64;
  for (size_t pos = 0; pos < pem.size();) {
    size_t end = pem.find('\n', pos);
    if (end == std::string_view::npos) end = pem.size();
    const std::string_view line = pem.substr(pos, end - pos);
    if (!line.empty() && line.substr(0, 5) != "-----") b64 += line;
    pos = end + 1;
  }
  for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return Base64UrlDecode(b64).value();
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(Cms, DetachedCadesSignatureHasThePadesAttributesAndNoSigningTime) {
  const std::string content = "%PDF-1.5 签名范围";
  auto cms = SignCadesDetached(content, kTestSealCertPem, kTestSealKeyPem,
                               {std::string(kTestCaCertPem)}, kWhen);
  ASSERT_TRUE(cms) << cms.error().message;
  EXPECT_EQ(cms->substr(0, 1), "\x30");
  EXPECT_NE(cms->find(kOidSignedData), std::string::npos);
  EXPECT_NE(cms->find(kOidContentType), std::string::npos);
  EXPECT_NE(cms->find(kOidMessageDigest), std::string::npos);
  EXPECT_NE(cms->find(kOidSigningCertificateV2), std::string::npos);
  EXPECT_NE(cms->find(kOidEcdsaWithSha256), std::string::npos);
  EXPECT_EQ(cms->find(kOidSigningTime), std::string::npos);
  // Detached: the content itself is not inside, its digest is.
  EXPECT_EQ(cms->find(content), std::string::npos);
  EXPECT_NE(cms->find(Sha256(content)), std::string::npos);
  // Both certificates, once each.
  EXPECT_EQ(Count(*cms, PemToDer(kTestSealCertPem)), 1u);
  EXPECT_EQ(Count(*cms, PemToDer(kTestCaCertPem)), 1u);
  EXPECT_LE(cms->size(), MaxCadesSignatureSize(kTestSealCertPem, {std::string(kTestCaCertPem)}));
}

TEST(Cms, SigningTimeAttributeOnlyWhenAsked) {
  auto cms = SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem, {}, kWhen,
                               SigningTimeAttribute::kInclude);
  ASSERT_TRUE(cms) << cms.error().message;
  EXPECT_NE(cms->find(kOidSigningTime), std::string::npos);
  // The caller's time as UTCTime "300101000000Z", not the machine's clock.
  EXPECT_NE(cms->find("\x17\x0d"
                      "300101000000Z"),
            std::string::npos);
}

TEST(Cms, DigestVariantSignsTheSameDigest) {
  auto cms = SignCadesDetachedSha256(Sha256("abc"), kTestSealCertPem, kTestSealKeyPem, {}, kWhen);
  ASSERT_TRUE(cms) << cms.error().message;
  EXPECT_NE(cms->find(Sha256("abc")), std::string::npos);
  EXPECT_EQ(
      SignCadesDetachedSha256("short", kTestSealCertPem, kTestSealKeyPem, {}, kWhen).error().code,
      Code::kInvalidArgument);
}

TEST(Cms, ChainCertificatesAreIncludedOnce) {
  const std::string ca(kTestCaCertPem);
  auto cms = SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem,
                               {ca + ca, std::string(kTestSealCertPem)}, kWhen);
  ASSERT_TRUE(cms) << cms.error().message;
  EXPECT_EQ(Count(*cms, PemToDer(kTestSealCertPem)), 1u);
  EXPECT_EQ(Count(*cms, PemToDer(kTestCaCertPem)), 1u);
}

TEST(Cms, RefusesKeysOtherThanP256AndForeignKeys) {
  auto p384 = SignCadesDetached("x", kTestSealCertPem, kTestP384KeyPem, {}, kWhen);
  ASSERT_FALSE(p384);
  EXPECT_EQ(p384.error().code, Code::kInvalidArgument);
  EXPECT_NE(p384.error().message.find("P-256"), std::string::npos) << p384.error().message;

  const std::string ed = SigningKey::Generate(Algorithm::kEdDsa).value().PrivatePem().value();
  EXPECT_EQ(SignCadesDetached("x", kTestSealCertPem, ed, {}, kWhen).error().code,
            Code::kInvalidArgument);

  // A P-256 key, but not the certificate's.
  const std::string other = SigningKey::Generate(Algorithm::kEs256).value().PrivatePem().value();
  auto foreign = SignCadesDetached("x", kTestSealCertPem, other, {}, kWhen);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, Code::kInvalidArgument);
  EXPECT_NE(foreign.error().message.find("does not match"), std::string::npos);
}

TEST(Cms, RefusesMalformedInput) {
  EXPECT_EQ(SignCadesDetached("x", "not a certificate", kTestSealKeyPem, {}, kWhen).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(SignCadesDetached("x", kTestSealCertPem, "not a key", {}, kWhen).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem, {"junk"}, kWhen).error().code,
            Code::kInvalidArgument);
  // The CA's certificate with the seal's key.
  EXPECT_EQ(SignCadesDetached("x", kTestCaCertPem, kTestSealKeyPem, {}, kWhen).error().code,
            Code::kInvalidArgument);
  std::vector<std::string> long_chain(kMaxCmsChainCertificates + 1, std::string(kTestCaCertPem));
  EXPECT_EQ(
      SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem, long_chain, kWhen).error().code,
      Code::kInvalidArgument);
}

TEST(Cms, RefusesATimeOutsideTheCertificatesValidity) {
  const auto before = sys_days{std::chrono::year{2020} / 1 / 1};
  const auto after = sys_days{std::chrono::year{2127} / 1 / 1};
  EXPECT_EQ(SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem, {}, before).error().code,
            Code::kFailedPrecondition);
  EXPECT_EQ(SignCadesDetached("x", kTestSealCertPem, kTestSealKeyPem, {}, after).error().code,
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace ow::crypto
