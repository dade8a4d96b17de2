#include "documents/qr.h"

#include <gtest/gtest.h>

namespace ow::documents {
namespace {

TEST(Qr, SmallestSymbolAtLevelMInByteMode) {
  // Version 1 at level M holds 14 bytes in byte mode (ISO/IEC 18004 table 7); one more
  // needs version 2. Level L would hold 17, level Q 11.
  auto v1 = QrCode::Encode(std::string(14, 'a'));
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->version(), 1);
  EXPECT_EQ(v1->size(), 21);
  auto v2 = QrCode::Encode(std::string(15, 'a'));
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->version(), 2);
  EXPECT_EQ(v2->size(), 25);
  // Byte mode even for digits (numeric mode would fit 20 digits into version 1).
  EXPECT_EQ(QrCode::Encode("20240506202405062024")->version(), 2);
}

TEST(Qr, LargestSymbolAndLimits) {
  auto big = QrCode::Encode(std::string(kQrMaxBytes, 'x'));
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->version(), 40);
  EXPECT_EQ(big->size(), 177);
  EXPECT_EQ(QrCode::Encode(std::string(kQrMaxBytes + 1, 'x')).error().code, Code::kInvalidArgument);
  EXPECT_EQ(QrCode::Encode("").error().code, Code::kInvalidArgument);
}

TEST(Qr, FinderPatternsAreWhereTheStandardPutsThem) {
  const QrCode qr = QrCode::Encode("https://zwfw.example.gov.cn/v/3201002024000123").value();
  const int n = qr.size();
  for (auto [ox, oy] : {std::pair{0, 0}, std::pair{n - 7, 0}, std::pair{0, n - 7}}) {
    for (int i = 0; i < 7; ++i) {
      EXPECT_TRUE(qr.dark(ox + i, oy));
      EXPECT_TRUE(qr.dark(ox + i, oy + 6));
      EXPECT_TRUE(qr.dark(ox, oy + i));
      EXPECT_TRUE(qr.dark(ox + 6, oy + i));
    }
    for (int i = 1; i < 6; ++i) EXPECT_FALSE(qr.dark(ox + i, oy + 1));
    EXPECT_TRUE(qr.dark(ox + 3, oy + 3));
  }
}

TEST(Qr, SvgHasTheQuietZoneAndOneRunPerDarkStretch) {
  const QrCode qr = QrCode::Encode("电子证照").value();
  const std::string svg = qr.Svg(3);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 29 29\""), std::string::npos) << svg.substr(0, 200);
  EXPECT_NE(svg.find("width=\"87\""), std::string::npos);
  // The top-left finder pattern's top row: 7 dark modules from (4, 4).
  EXPECT_NE(svg.find("M4 4h7v1h-7z"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

}  // namespace
}  // namespace ow::documents
