#include "documents/seal.h"

#include <gtest/gtest.h>

namespace ow::documents {
namespace {

uint32_t BigEndian32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

SealDesign Design() {
  SealDesign d;
  d.department = "某某市行政审批局";
  d.bottom_text = "行政审批专用章";
  return d;
}

TEST(Seal, DrawnSealRendersToPngOfTheAskedSize) {
  const Seal seal = Seal::Drawn(Design()).value();
  EXPECT_TRUE(seal.is_drawn());
  auto png = seal.Png(300);
  ASSERT_TRUE(png) << png.error().message;
  ASSERT_GT(png->size(), 33u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(BigEndian32(*png, 16), 300u);
  EXPECT_EQ(BigEndian32(*png, 20), 300u);
}

TEST(Seal, PngSealRoundTrips) {
  const std::string drawn = Seal::Drawn(Design()).value().Png(200).value();
  auto seal = Seal::FromPng(drawn);
  ASSERT_TRUE(seal) << seal.error().message;
  EXPECT_FALSE(seal->is_drawn());
  auto again = seal->Png(100);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(BigEndian32(*again, 16), 100u);
}

TEST(Seal, LongNamesAndEmptyBottomLinesDraw) {
  SealDesign d = Design();
  d.department = std::string();
  for (int i = 0; i < 24; ++i) d.department += "审";
  d.bottom_text.clear();
  auto seal = Seal::Drawn(d);
  ASSERT_TRUE(seal) << seal.error().message;
  EXPECT_TRUE(seal->Png(64));
}

TEST(Seal, RefusesBadDesigns) {
  SealDesign d = Design();
  d.department.clear();
  EXPECT_EQ(Seal::Drawn(d).error().code, Code::kInvalidArgument);
  d.department = std::string();
  for (size_t i = 0; i <= kSealMaxNameChars; ++i) d.department += "局";
  EXPECT_EQ(Seal::Drawn(d).error().code, Code::kInvalidArgument);
  d = Design();
  d.bottom_text = "专用\n章";
  EXPECT_EQ(Seal::Drawn(d).error().code, Code::kInvalidArgument);
  d = Design();
  d.department = "\xff\xfe";
  EXPECT_EQ(Seal::Drawn(d).error().code, Code::kInvalidArgument);
  d = Design();
  d.rgb = 0x1000000;
  EXPECT_EQ(Seal::Drawn(d).error().code, Code::kInvalidArgument);
  EXPECT_EQ(Seal::Drawn(Design()).value().Png(kSealMinPixels - 1).error().code,
            Code::kInvalidArgument);
}

TEST(Seal, ACharacterNoFontHasIsAnErrorNotAnEmptyBox) {
  SealDesign d = Design();
  d.department = "某某局\xee\x80\x80";  // U+E000, private use
  const Seal seal = Seal::Drawn(d).value();
  EXPECT_EQ(seal.Png(128).error().code, Code::kFailedPrecondition);
}

TEST(Seal, RefusesWhatIsNotASmallPng) {
  EXPECT_EQ(Seal::FromPng("GIF89a").error().code, Code::kInvalidArgument);
  // A valid signature and IHDR claiming 100000 x 100000 pixels: refused before decoding.
  std::string huge(
      "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0"
      "\x08\x06\x00\x00\x00\x00\x00\x00\x00",
      33);
  auto r = Seal::FromPng(huge);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("pixels"), std::string::npos) << r.error().message;
  // A plausible header with nothing after it.
  std::string truncated = huge;
  truncated.replace(16, 8, std::string("\x00\x00\x00\x0a\x00\x00\x00\x0a", 8));
  EXPECT_EQ(Seal::FromPng(truncated).error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace ow::documents
