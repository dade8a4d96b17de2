#include "documents/pdf.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace ow::documents {
namespace {

using std::chrono::sys_days;

DocumentModel Licence() {
  DocumentModel doc;
  doc.title = "食品经营许可证";
  doc.licence_number = "证照编号：JY13201002024000123";
  doc.paragraphs = {"经审查，你单位的申请符合《中华人民共和国食品安全法》的规定，准予许可。"};
  doc.fields = {{"经营者名称", "某某餐饮管理有限公司"},
                {"统一社会信用代码", "91320100MA1XXXXX0X"},
                {"经营场所", "江苏省南京市某某区某某路88号"},
                {"有效期至", "2029年5月5日"}};
  doc.issuer = "某某市行政审批局";
  doc.date = "2024年5月6日";
  SealDesign seal;
  seal.department = "某某市行政审批局";
  seal.bottom_text = "行政审批专用章";
  doc.seal = Seal::Drawn(seal).value();
  doc.qr = QrBlock{"https://zwfw.example.gov.cn/v/JY13201002024000123", "扫码核验"};
  doc.footer = "仅供政务服务使用";
  doc.metadata.title = doc.title;
  doc.metadata.author = doc.issuer;
  doc.metadata.creation_date = sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(2);
  return doc;
}

// Page objects as the PDF itself declares them (not "/Type /Pages").
int CountPages(const std::string& pdf) {
  static const std::regex kPage(R"(/Type\s*/Page[^s])");
  return static_cast<int>(
      std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), kPage), std::sregex_iterator()));
}

TEST(Pdf, OnePageLicenceWithSealArea) {
  auto pdf = RenderPdf(Licence());
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->bytes.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf->bytes.find("%%EOF", pdf->bytes.size() - 16), std::string::npos);
  EXPECT_EQ(pdf->page_count, 1);
  EXPECT_EQ(CountPages(pdf->bytes), 1);
  ASSERT_TRUE(pdf->seal_area);
  const PdfRect& r = pdf->seal_area->rect;
  EXPECT_EQ(pdf->seal_area->page_index, 0);
  EXPECT_NEAR(r.width(), 42 * kPointsPerMm, 0.01);
  EXPECT_NEAR(r.height(), 42 * kPointsPerMm, 0.01);
  EXPECT_GT(r.left, 0);
  EXPECT_LT(r.right, 210 * kPointsPerMm);
  EXPECT_GT(r.bottom, 0);
  EXPECT_LT(r.top, 297 * kPointsPerMm);
  // The fonts are embedded (CID-keyed, with a ToUnicode map for text extraction).
  EXPECT_NE(pdf->bytes.find("/FontFile3"), std::string::npos);
  EXPECT_NE(pdf->bytes.find("/ToUnicode"), std::string::npos);
}

TEST(Pdf, LongTextFlowsOntoMorePagesAndTheSealIsOnTheLast) {
  DocumentModel doc = Licence();
  doc.paragraphs.assign(60,
                        "申请人提交的材料齐全、符合法定形式，本机关依法作出准予行政许可的决定。"
                        "请于收到本决定之日起按照许可范围开展经营活动，并接受监督检查。");
  auto pdf = RenderPdf(doc);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_GE(pdf->page_count, 4);
  EXPECT_EQ(CountPages(pdf->bytes), pdf->page_count);
  ASSERT_TRUE(pdf->seal_area);
  EXPECT_EQ(pdf->seal_area->page_index, pdf->page_count - 1);
}

TEST(Pdf, SameInputSameBytes) {
  const std::string a = RenderPdf(Licence()).value().bytes;
  const std::string b = RenderPdf(Licence()).value().bytes;
  EXPECT_EQ(a, b);
  DocumentModel later = Licence();
  later.metadata.creation_date += std::chrono::hours(1);
  const std::string c = RenderPdf(later).value().bytes;
  EXPECT_NE(a, c);
  // Beijing time, with the "D:" prefix ISO 32000-1 requires.
  EXPECT_NE(c.find("/CreationDate (D:20240506110000+08)"), std::string::npos);
}

TEST(Pdf, RendersConcurrently) {
  std::string a, b;
  std::thread other([&] { a = RenderPdf(Licence()).value().bytes; });
  b = RenderPdf(Licence()).value().bytes;
  other.join();
  EXPECT_EQ(a, b);
}

TEST(Pdf, WithoutSealOrQrThereIsNoSealArea) {
  DocumentModel doc = Licence();
  doc.seal.reset();
  doc.qr.reset();
  auto pdf = RenderPdf(doc);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_FALSE(pdf->seal_area);
}

TEST(Pdf, RefusesInvalidModels) {
  DocumentModel doc = Licence();
  doc.title.clear();
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kInvalidArgument);
  doc = Licence();
  doc.addressee = "张三\xc0";
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kInvalidArgument);
  doc = Licence();
  doc.fields.assign(kMaxFields + 1, {"项", "值"});
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kInvalidArgument);
  doc = Licence();
  doc.fields = {{"", "值"}};
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kInvalidArgument);
  doc = Licence();
  doc.qr->text = std::string(3000, 'x');
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kInvalidArgument);
  doc = Licence();
  PdfStyle style;
  style.line_spacing = 0.5;
  EXPECT_EQ(RenderPdf(doc, style).error().code, Code::kInvalidArgument);
  // A table row taller than a page.
  doc = Licence();
  doc.fields = {{"备注", std::string()}};
  for (size_t i = 0; i < kMaxValueChars; ++i) doc.fields[0].value += "注";
  auto tall = RenderPdf(doc);
  ASSERT_FALSE(tall);
  EXPECT_NE(tall.error().message.find("taller than a page"), std::string::npos);
}

TEST(Pdf, ACharacterNoFontHasIsAnError) {
  DocumentModel doc = Licence();
  doc.title = "许可证\xee\x80\x80";  // U+E000, private use
  EXPECT_EQ(RenderPdf(doc).error().code, Code::kFailedPrecondition);
}

TEST(Pdf, ChineseDates) {
  using std::chrono::year;
  EXPECT_EQ(FormatChineseDate(year{2024} / 5 / 6).value(), "2024年5月6日");
  EXPECT_EQ(FormatChineseDate(year{2024} / 12 / 31).value(), "2024年12月31日");
  EXPECT_EQ(FormatChineseDate(year{2023} / 2 / 29).error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace ow::documents
