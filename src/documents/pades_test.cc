#include "documents/pades.h"

#include <gtest/gtest.h>

#include <regex>

#include "crypto/testdata/p256_test_credentials.h"
#include "documents/pdf.h"

namespace ow::documents {
namespace {

using std::chrono::sys_days;

using crypto::testdata::kTestCaCertPem;
using crypto::testdata::kTestP384KeyPem;
using crypto::testdata::kTestSealCertPem;
using crypto::testdata::kTestSealKeyPem;

PdfSigner Signer() {
  return {
      std::string(kTestSealCertPem), std::string(kTestSealKeyPem), {std::string(kTestCaCertPem)}};
}

SignatureInfo Info() {
  SignatureInfo info;
  info.name = "某某市行政审批局";
  info.reason = "电子证照签章";
  info.location = "南京";
  info.time = sys_days{std::chrono::year{2030} / 1 / 2} + std::chrono::hours(1);
  return info;
}

RenderedPdf Document() {
  DocumentModel doc;
  doc.title = "准予行政许可决定书";
  doc.document_number = "某审批许〔2030〕1号";
  doc.paragraphs = {"经审查，准予许可。"};
  doc.issuer = "某某市行政审批局";
  doc.date = "2030年1月2日";
  doc.seal = Seal::Drawn({"某某市行政审批局", "行政审批专用章"}).value();
  doc.metadata.creation_date = sys_days{std::chrono::year{2030} / 1 / 2};
  return RenderPdf(doc).value();
}

struct ByteRange {
  size_t a = 0, b = 0, c = 0, d = 0;
};

// Every /ByteRange of the file, in file order, read with a regular expression rather
// than with the code under test.
std::vector<ByteRange> ByteRanges(const std::string& pdf) {
  static const std::regex kRange(R"(/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\])");
  std::vector<ByteRange> out;
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), kRange); it != std::sregex_iterator();
       ++it) {
    out.push_back(
        {std::stoul((*it)[1]), std::stoul((*it)[2]), std::stoul((*it)[3]), std::stoul((*it)[4])});
  }
  return out;
}

void ExpectCoversAllButContents(const std::string& pdf, const ByteRange& r, size_t end) {
  EXPECT_EQ(r.a, 0u);
  ASSERT_LT(r.b, r.c);
  EXPECT_EQ(r.c + r.d, end);
  EXPECT_EQ(pdf[r.b], '<');
  EXPECT_EQ(pdf[r.c - 1], '>');
  EXPECT_EQ(pdf.compare(r.b - 10, 10, "/Contents "), 0);
  const std::string hex = pdf.substr(r.b + 1, r.c - r.b - 2);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  // A DER SEQUENCE with a two-byte length, then zero padding.
  EXPECT_EQ(hex.substr(0, 4), "3082");
  EXPECT_EQ(hex.substr(hex.size() - 64), std::string(64, '0'));
}

TEST(Pades, SignatureCoversTheWholeFileButItsContents) {
  const RenderedPdf doc = Document();
  SignatureInfo info = Info();
  info.widget = doc.seal_area;
  auto signed_pdf = SignPdf(doc.bytes, Signer(), info);
  ASSERT_TRUE(signed_pdf) << signed_pdf.error().message;
  // An incremental update: the original bytes come first, unchanged.
  EXPECT_EQ(signed_pdf->compare(0, doc.bytes.size(), doc.bytes), 0);
  const auto ranges = ByteRanges(*signed_pdf);
  ASSERT_EQ(ranges.size(), 1u);
  ExpectCoversAllButContents(*signed_pdf, ranges[0], signed_pdf->size());
  EXPECT_NE(signed_pdf->find("/SubFilter /ETSI.CAdES.detached"), std::string::npos);
  EXPECT_NE(signed_pdf->find("/SigFlags 3"), std::string::npos);
  EXPECT_NE(signed_pdf->find("/M (D:20300102090000+08'00')"), std::string::npos);
  EXPECT_NE(signed_pdf->find("/T (Signature1)"), std::string::npos);
  EXPECT_EQ(signed_pdf->substr(signed_pdf->size() - 6), "%%EOF\n");
}

TEST(Pades, SigningTwiceKeepsTheFirstRevisionAndAddsASecondField) {
  const RenderedPdf doc = Document();
  const std::string once = SignPdf(doc.bytes, Signer(), Info()).value();
  auto twice = SignPdf(once, Signer(), Info());
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_EQ(twice->compare(0, once.size(), once), 0);
  const auto ranges = ByteRanges(*twice);
  ASSERT_EQ(ranges.size(), 2u);
  ExpectCoversAllButContents(*twice, ranges[0], once.size());
  ExpectCoversAllButContents(*twice, ranges[1], twice->size());
  EXPECT_NE(twice->find("/T (Signature2)"), std::string::npos);
  // Both fields in the form.
  static const std::regex kFields(R"(/Fields\s*\[\s*\d+ 0 R\s+\d+ 0 R\s*\])");
  EXPECT_TRUE(std::regex_search(*twice, kFields));
}

TEST(Pades, RefusesOversizedAndGarbageInput) {
  std::string big = "%PDF-1.7\n";
  big.resize(kMaxPdfToSign + 1, ' ');
  auto r = SignPdf(big, Signer(), Info());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos);

  EXPECT_EQ(SignPdf("", Signer(), Info()).error().code, Code::kInvalidArgument);
  EXPECT_EQ(SignPdf("hello", Signer(), Info()).error().code, Code::kInvalidArgument);
  EXPECT_EQ(SignPdf("%PDF-1.4\ngarbage\nstartxref\n5\n%%EOF\n", Signer(), Info()).error().code,
            Code::kInvalidArgument);
  const std::string pdf = Document().bytes;
  EXPECT_EQ(SignPdf(pdf.substr(0, pdf.size() - 200), Signer(), Info()).error().code,
            Code::kInvalidArgument);
  // A damaged cross-reference table: no recovery, no signature.
  std::string damaged = pdf;
  const size_t xref = damaged.rfind("\nxref\n");
  ASSERT_NE(xref, std::string::npos);
  damaged[xref + 1] = 'X';
  EXPECT_EQ(SignPdf(damaged, Signer(), Info()).error().code, Code::kInvalidArgument);
}

TEST(Pades, RefusesBadSignersAndPlacements) {
  const std::string pdf = Document().bytes;
  PdfSigner p384 = Signer();
  p384.key_pem = std::string(kTestP384KeyPem);
  EXPECT_EQ(SignPdf(pdf, p384, Info()).error().code, Code::kInvalidArgument);
  SignatureInfo early = Info();
  early.time = sys_days{std::chrono::year{2020} / 1 / 1};
  EXPECT_EQ(SignPdf(pdf, Signer(), early).error().code, Code::kFailedPrecondition);
  SignatureInfo page = Info();
  page.widget = PageArea{1, {10, 10, 50, 50}};
  EXPECT_EQ(SignPdf(pdf, Signer(), page).error().code, Code::kInvalidArgument);
  SignatureInfo inverted = Info();
  inverted.widget = PageArea{0, {50, 50, 10, 10}};
  EXPECT_EQ(SignPdf(pdf, Signer(), inverted).error().code, Code::kInvalidArgument);
  SignatureInfo bad_text = Info();
  bad_text.reason = "\xff";
  EXPECT_EQ(SignPdf(pdf, Signer(), bad_text).error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace ow::documents
