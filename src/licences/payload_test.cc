#include "licences/payload.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "crypto/sm2.h"

namespace ow::licences {
namespace {

PayloadClaims Claims() {
  return {"XCY3301022026000001",
          "small_catering_permit",
          HolderDigest("person", "330102199003073017", "XCY3301022026000001"),
          "20261206",
          "20261206",
          "20291205",
          "seal_abcDEF012"};
}

TEST(PayloadTest, ComposedPayloadsParseBackAndVerify) {
  auto key = crypto::Sm2Key::Generate();
  ASSERT_TRUE(key);
  auto input = SigningInput(Claims());
  ASSERT_TRUE(input) << input.error().message;
  auto der = key->Sign(*input);
  ASSERT_TRUE(der);
  auto raw = crypto::Sm2SignatureToRaw(*der);
  ASSERT_TRUE(raw);
  std::string payload = Compose(*input, *raw);
  EXPECT_LT(payload.size(), 400u) << "small enough for a QR code at 3 cm";
  for (const std::string& text :
       {payload, "https://gov.example/verify#" + payload, "http://127.0.0.1:1/verify#" + payload}) {
    auto p = ParsePayload(text);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->claims.number, "XCY3301022026000001");
    EXPECT_EQ(p->claims.valid_to, "20291205");
    EXPECT_EQ(p->claims.seal_id, "seal_abcDEF012");
    EXPECT_EQ(p->signing_input, *input);
    auto back = crypto::Sm2SignatureFromRaw(p->signature);
    ASSERT_TRUE(back);
    EXPECT_TRUE(key->Verify(p->signing_input, *back));
  }
}

TEST(PayloadTest, TheHolderDigestBindsKindNumberAndLicence) {
  std::string d = HolderDigest("person", "330102199003073017", "N1");
  EXPECT_EQ(d.size(), 22u);
  EXPECT_EQ(d, HolderDigest("person", "330102199003073017", "N1"));
  EXPECT_NE(d, HolderDigest("person", "330102199003073017", "N2"));
  EXPECT_NE(d, HolderDigest("enterprise", "330102199003073017", "N1"));
  EXPECT_NE(d, HolderDigest("person", "33010219900307301X", "N1"));
}

TEST(PayloadTest, MalformedPayloadsAreRefusedWithTheReason) {
  auto input = SigningInput(Claims());
  ASSERT_TRUE(input);
  std::string sig = crypto::Base64UrlEncode(std::string(64, '\x01'));
  auto claims_of = [](const std::string& json) {
    return "OWL1." + crypto::Base64UrlEncode(json) + "." +
           crypto::Base64UrlEncode(std::string(64, '\x01'));
  };
  const std::string bad[] = {
      "",
      "#",
      "OWL2." + input->substr(5) + "." + sig,
      *input,                        // no signature
      *input + "." + sig + ".x",     // four parts
      *input + "." + sig.substr(1),  // 63 bytes
      *input + "." + sig + "=",      // padding
      "OWL1.!!!." + sig,             // not base64url
      claims_of("[]"),               // not an object
      claims_of("{\"n\":\"1\"}"),    // members missing
      claims_of(
          R"({"n":"1","t":"x","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"seal_a"})"),  // type too short
      claims_of(
          R"({"n":"1","t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20261301","f":"20260101","u":"","s":"seal_a"})"),  // month 13
      claims_of(
          R"({"n":"1","t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"key_a"})"),  // seal id
      claims_of(
          R"({"n":"a\u0001b","t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"seal_a"})"),  // control char
      claims_of(
          R"({"n":1,"t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"seal_a"})"),  // number not a string
      claims_of(
          R"({"n":"1","t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"seal_a","x":"1"})"),  // extra
      std::string(kMaxPayloadBytes + 1, 'A'),
  };
  for (const auto& text : bad) {
    auto p = ParsePayload(text);
    EXPECT_FALSE(p) << text;
    if (!p) {
      EXPECT_EQ(p.error().code, Code::kInvalidArgument);
      ASSERT_FALSE(p.error().fields.empty());
      EXPECT_EQ(p.error().fields[0].field, "payload");
    }
  }
  // A valid minimal one, for contrast.
  EXPECT_TRUE(ParsePayload(claims_of(
      R"({"n":"1","t":"xy","h":"AAAAAAAAAAAAAAAAAAAAAA","i":"20260101","f":"20260101","u":"","s":"seal_a"})")));
}

}  // namespace
}  // namespace ow::licences
