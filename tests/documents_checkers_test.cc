// Sealed documents as independent tools see them: poppler's pdftotext reads the
// Chinese text back, pdftoppm renders the page and zbarimg decodes its QR code, qpdf
// checks the structure, poppler's pdfsig validates the PAdES signatures against a CA
// trusted in an NSS database, and the openssl CLI verifies the CMS on its own. Each
// signature check also shows the tool rejecting a tampered file, so a tool that
// accepts anything cannot make a test pass. The CA and the seal's certificate are made
// with the openssl CLI, not with our code.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "crypto/cms.h"
#include "crypto/encoding.h"
#include "documents/pades.h"
#include "documents/pdf.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
using documents::DocumentModel;
using documents::PdfSigner;
using documents::RenderedPdf;
using documents::SignatureInfo;

constexpr const char* kSignerName = "某某市行政审批局电子印章";
constexpr const char* kCosignerName = "某某市市场监督管理局电子印章";
constexpr const char* kQrText = "https://zwfw.example.gov.cn/v/JY13201002024000123?c=9f86d081";

bool HaveTool(const std::string& name) {
  return RunTool({"sh", "-c", "command -v " + name}).exit_code == 0;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, std::string_view content) {
  std::ofstream(p, std::ios::binary) << content;
}

// The licence the checks read back.
DocumentModel Licence() {
  DocumentModel doc;
  doc.title = "食品经营许可证";
  doc.licence_number = "证照编号：JY13201002024000123";
  doc.paragraphs = {
      "经审查，你单位提交的申请材料齐全、符合法定形式，符合《中华人民共和国食品安全法》"
      "第三十五条规定的条件，准予许可。"};
  doc.fields = {{"经营者名称", "某某餐饮管理有限公司"},
                {"统一社会信用代码", "91320100MA1XXXXX0X"},
                {"法定代表人", "张三"},
                {"经营场所", "江苏省南京市某某区某某路88号"},
                {"主体业态", "餐饮服务经营者（中型餐馆）"},
                {"有效期至", "2029年5月5日"}};
  doc.issuer = "某某市行政审批局";
  doc.date = "2024年5月6日";
  documents::SealDesign seal;
  seal.department = "某某市行政审批局";
  seal.bottom_text = "行政审批专用章";
  doc.seal = documents::Seal::Drawn(seal).value();
  doc.qr = documents::QrBlock{kQrText, "扫码核验"};
  doc.footer = "仅供政务服务使用";
  doc.watermark = "某某市行政审批局提供 仅供政务服务使用";
  doc.metadata.title = doc.title;
  doc.metadata.author = doc.issuer;
  doc.metadata.creator = "OneWindow";
  doc.metadata.creation_date = std::chrono::system_clock::now();
  return doc;
}

class DocumentsCheckers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* tool :
         {"openssl", "pdftotext", "pdftoppm", "zbarimg", "qpdf", "pdfsig", "certutil"}) {
      if (!HaveTool(tool)) {
        missing_ = tool;
        return;
      }
    }
    dir_ = fs::temp_directory_path() / ("ow_documents_checkers_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    const std::string d = dir_.string() + "/";
    WriteFile(dir_ / "leaf.ext",
              "basicConstraints=critical,CA:false\n"
              "keyUsage=critical,digitalSignature,nonRepudiation\n"
              "extendedKeyUsage=emailProtection\n"
              "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    const std::vector<std::vector<std::string>> steps = {
        {"openssl",
         "req",
         "-x509",
         "-new",
         "-newkey",
         "ec",
         "-pkeyopt",
         "ec_paramgen_curve:P-256",
         "-nodes",
         "-keyout",
         d + "ca.key",
         "-out",
         d + "ca.crt",
         "-days",
         "30",
         "-subj",
         "/CN=OneWindow Checkers Seal CA/O=OneWindow",
         "-addext",
         "basicConstraints=critical,CA:true",
         "-addext",
         "keyUsage=critical,keyCertSign,cRLSign"},
        {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", d + "signer.key", "-out", d + "signer.csr", "-utf8", "-subj",
         std::string("/CN=") + kSignerName + "/O=OneWindow"},
        {"openssl", "x509", "-req", "-in", d + "signer.csr", "-CA", d + "ca.crt", "-CAkey",
         d + "ca.key", "-CAcreateserial", "-out", d + "signer.crt", "-days", "30", "-extfile",
         d + "leaf.ext"},
        {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", d + "cosigner.key", "-out", d + "cosigner.csr", "-utf8", "-subj",
         std::string("/CN=") + kCosignerName + "/O=OneWindow"},
        {"openssl", "x509", "-req", "-in", d + "cosigner.csr", "-CA", d + "ca.crt", "-CAkey",
         d + "ca.key", "-CAcreateserial", "-out", d + "cosigner.crt", "-days", "30", "-extfile",
         d + "leaf.ext"},
        {"certutil", "-N", "-d", "sql:" + d + "nss", "--empty-password"},
        {"certutil", "-A", "-d", "sql:" + d + "nss", "-n", "ca", "-t", "CT,C,C", "-i",
         d + "ca.crt"},
    };
    fs::create_directories(dir_ / "nss");
    for (const auto& step : steps) {
      ToolRun run = RunTool(step);
      ASSERT_EQ(run.exit_code, 0) << step[0] << " " << step[1] << ": " << run.output;
    }
    signer_ = {
        ReadFile(dir_ / "signer.crt"), ReadFile(dir_ / "signer.key"), {ReadFile(dir_ / "ca.crt")}};
    cosigner_ = {ReadFile(dir_ / "cosigner.crt"),
                 ReadFile(dir_ / "cosigner.key"),
                 {ReadFile(dir_ / "ca.crt")}};
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!missing_.empty())
      FAIL() << missing_ << " is not installed: scripts/install-deps.sh installs it";
  }

  static fs::path Path(const std::string& name) { return dir_ / name; }
  static std::string Save(const std::string& name, std::string_view bytes) {
    WriteFile(Path(name), bytes);
    return Path(name).string();
  }

  static SignatureInfo Info() {
    SignatureInfo info;
    info.name = "某某市行政审批局";
    info.reason = "电子证照签章";
    info.location = "江苏省南京市";
    info.contact = "12345";
    info.time = std::chrono::system_clock::now();
    return info;
  }

  static ToolRun Pdfsig(const std::string& file) {
    return RunTool({"pdfsig", "-nssdir", "sql:" + Path("nss").string(), file});
  }

  // The text of pdfsig's report for signature #n (1-based).
  static std::string SignatureReport(const std::string& report, int n) {
    const std::string start = "Signature #" + std::to_string(n) + ":";
    const size_t from = report.find(start);
    if (from == std::string::npos) return {};
    const size_t to = report.find("Signature #" + std::to_string(n + 1) + ":", from);
    return report.substr(from, to == std::string::npos ? std::string::npos : to - from);
  }

  static inline std::string missing_;
  static inline fs::path dir_;
  static inline PdfSigner signer_;
  static inline PdfSigner cosigner_;  // another department's seal, same CA
};

// The last signature's byte ranges and DER CMS, read with regular expressions.
struct Extracted {
  std::string signed_bytes;
  std::string cms;
};
Extracted ExtractLastSignature(const std::string& pdf) {
  static const std::regex kRange(R"(/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\])");
  Extracted out;
  std::smatch last;
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), kRange); it != std::sregex_iterator();
       ++it) {
    last = *it;
  }
  if (last.empty()) return out;
  const size_t a = std::stoul(last[1]), b = std::stoul(last[2]), c = std::stoul(last[3]),
               d = std::stoul(last[4]);
  out.signed_bytes = pdf.substr(a, b) + pdf.substr(c, d);
  std::string der = crypto::HexDecode(pdf.substr(b + 1, c - b - 2)).value();
  // The placeholder is zero-padded: keep the DER SEQUENCE (length in two bytes).
  if (der.size() > 4 && der[0] == '\x30' && der[1] == '\x82') {
    der.resize(4 + (static_cast<size_t>(static_cast<unsigned char>(der[2])) << 8) +
               static_cast<unsigned char>(der[3]));
  }
  out.cms = der;
  return out;
}

TEST_F(DocumentsCheckers, SignedLicenceReadsScansChecksAndValidates) {
  auto rendered = documents::RenderPdf(Licence());
  ASSERT_TRUE(rendered) << rendered.error().message;
  ASSERT_EQ(rendered->page_count, 1);
  SignatureInfo info = Info();
  info.widget = rendered->seal_area;
  auto signed_pdf = documents::SignPdf(rendered->bytes, signer_, info);
  ASSERT_TRUE(signed_pdf) << signed_pdf.error().message;
  const std::string file = Save("licence.pdf", *signed_pdf);

  // pdftotext: the exact title on a line of its own, every label and value.
  ToolRun text = RunTool({"pdftotext", "-enc", "UTF-8", file, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  std::istringstream lines(text.output);
  bool title_line = false;
  for (std::string line; std::getline(lines, line);) title_line |= line == "食品经营许可证";
  EXPECT_TRUE(title_line) << text.output;
  for (const auto& f : Licence().fields) {
    EXPECT_NE(text.output.find(f.label), std::string::npos) << f.label << "\n" << text.output;
    EXPECT_NE(text.output.find(f.value), std::string::npos) << f.value << "\n" << text.output;
  }
  for (const char* s : {"证照编号：JY13201002024000123", "某某市行政审批局", "2024年5月6日",
                        "扫码核验", "仅供政务服务使用"}) {
    EXPECT_NE(text.output.find(s), std::string::npos) << s << "\n" << text.output;
  }

  // pdftoppm + zbarimg: the QR code on the rendered page holds exactly the text.
  const std::string png_prefix = Path("licence").string();
  ToolRun ppm = RunTool({"pdftoppm", "-r", "150", "-png", "-singlefile", file, png_prefix});
  ASSERT_EQ(ppm.exit_code, 0) << ppm.output;
  ToolRun zbar = RunTool({"zbarimg", "--raw", "-q", png_prefix + ".png"}, {}, true);
  EXPECT_EQ(zbar.exit_code, 0) << zbar.errors;
  EXPECT_EQ(zbar.output, std::string(kQrText) + "\n");

  // qpdf: structurally clean, before and after signing.
  for (const std::string& f : {Save("rendered.pdf", rendered->bytes), file}) {
    ToolRun check = RunTool({"qpdf", "--check", f});
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("No syntax or stream encoding errors found"), std::string::npos)
        << check.output;
  }

  // pdfsig: valid, trusted, ours. (It exits 0 either way: the text is what counts.)
  ToolRun sig = Pdfsig(file);
  EXPECT_NE(sig.output.find("Signature Validation: Signature is Valid."), std::string::npos)
      << sig.output;
  EXPECT_NE(sig.output.find("Certificate Validation: Certificate is Trusted."), std::string::npos)
      << sig.output;
  EXPECT_NE(sig.output.find(std::string("Signer Certificate Common Name: ") + kSignerName),
            std::string::npos)
      << sig.output;
  EXPECT_NE(sig.output.find("Signature Type: ETSI.CAdES.detached"), std::string::npos)
      << sig.output;
  EXPECT_NE(sig.output.find("Total document signed"), std::string::npos) << sig.output;

  // One byte changed inside the signed range (the binary comment on line 2).
  std::string tampered = *signed_pdf;
  tampered[10] = static_cast<char>(tampered[10] ^ 1);
  ToolRun bad = Pdfsig(Save("tampered.pdf", tampered));
  EXPECT_EQ(bad.output.find("Signature is Valid."), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("Digest Mismatch."), std::string::npos) << bad.output;

  // openssl cms: the CMS alone verifies over the signed ranges with the CA...
  const Extracted ex = ExtractLastSignature(*signed_pdf);
  ASSERT_FALSE(ex.cms.empty());
  const std::string cms_file = Save("sig.der", ex.cms);
  const std::string ca = Path("ca.crt").string();
  auto verify = [&](const std::string& content) {
    return RunTool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cms_file,
                    "-content", Save("ranges.bin", content), "-CAfile", ca, "-out", "/dev/null"});
  };
  ToolRun ok = verify(ex.signed_bytes);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("Verification successful"), std::string::npos) << ok.output;
  ToolRun wrong = verify(ex.signed_bytes + " ");
  EXPECT_NE(wrong.exit_code, 0) << wrong.output;
  EXPECT_NE(wrong.output.find("Verification failure"), std::string::npos) << wrong.output;

  // ...and carries the PAdES attributes but no signing-time.
  ToolRun dump =
      RunTool({"openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", cms_file});
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  EXPECT_NE(dump.output.find("contentType"), std::string::npos);
  EXPECT_NE(dump.output.find("messageDigest"), std::string::npos);
  EXPECT_NE(dump.output.find("id-smime-aa-signingCertificateV2"), std::string::npos) << dump.output;
  EXPECT_EQ(dump.output.find("signingTime"), std::string::npos) << dump.output;
}

// A decision sealed by two departments: the second signature is appended to the
// signed file, and the first keeps covering exactly its own revision.
TEST_F(DocumentsCheckers, SigningTwiceGivesTwoValidSignatures) {
  const RenderedPdf rendered = documents::RenderPdf(Licence()).value();
  SignatureInfo first = Info();
  first.widget = rendered.seal_area;
  const std::string once = documents::SignPdf(rendered.bytes, signer_, first).value();
  SignatureInfo second = Info();
  second.name = "某某市市场监督管理局";
  second.reason = "联合签章";
  auto twice = documents::SignPdf(once, cosigner_, second);
  ASSERT_TRUE(twice) << twice.error().message;
  const std::string file = Save("twice.pdf", *twice);

  ToolRun check = RunTool({"qpdf", "--check", file});
  EXPECT_EQ(check.exit_code, 0) << check.output;

  ToolRun sig = Pdfsig(file);
  const std::string s1 = SignatureReport(sig.output, 1);
  const std::string s2 = SignatureReport(sig.output, 2);
  ASSERT_FALSE(s1.empty()) << sig.output;
  ASSERT_FALSE(s2.empty()) << sig.output;
  for (const std::string& s : {s1, s2}) {
    EXPECT_NE(s.find("Signature Validation: Signature is Valid."), std::string::npos) << sig.output;
    EXPECT_NE(s.find("Certificate Validation: Certificate is Trusted."), std::string::npos)
        << sig.output;
  }
  EXPECT_NE(s1.find(kSignerName), std::string::npos) << sig.output;
  EXPECT_NE(s2.find(kCosignerName), std::string::npos) << sig.output;
  // The first covers its own revision only, the second the whole file.
  EXPECT_NE(s1.find("Signed Ranges: [0 - "), std::string::npos) << sig.output;
  EXPECT_NE(s1.find("Not total document signed"), std::string::npos) << sig.output;
  EXPECT_NE(s2.find("Total document signed"), std::string::npos) << sig.output;
  EXPECT_EQ(s2.find("Not total document signed"), std::string::npos) << sig.output;

  // A byte changed in the second update breaks the second signature only.
  std::string tampered = *twice;
  const size_t at = tampered.find("/Reason", once.size());
  ASSERT_NE(at, std::string::npos);
  tampered[at + 1] = 'r';
  ToolRun bad = Pdfsig(Save("twice-tampered.pdf", tampered));
  EXPECT_NE(SignatureReport(bad.output, 1).find("Signature is Valid."), std::string::npos)
      << bad.output;
  EXPECT_EQ(SignatureReport(bad.output, 2).find("Signature is Valid."), std::string::npos)
      << bad.output;
}

// The same seal signing twice. pdfsig 22.12 (NSS, OCSP soft-fail policy) reports the
// certificate of the second signature as "Unknown issue with Certificate or corrupted
// data" when it has already validated the same certificate in the same run, although
// it trusts it for the first; so only the signatures themselves are asserted here, and
// openssl verifies the second one's CMS with the CA.
TEST_F(DocumentsCheckers, TheSameSealSigningTwiceGivesTwoValidSignatures) {
  const RenderedPdf rendered = documents::RenderPdf(Licence()).value();
  SignatureInfo first = Info();
  first.widget = rendered.seal_area;
  const std::string once = documents::SignPdf(rendered.bytes, signer_, first).value();
  auto twice = documents::SignPdf(once, signer_, Info());
  ASSERT_TRUE(twice) << twice.error().message;
  ToolRun sig = Pdfsig(Save("same-twice.pdf", *twice));
  const std::string s1 = SignatureReport(sig.output, 1);
  const std::string s2 = SignatureReport(sig.output, 2);
  EXPECT_NE(s1.find("Signature Validation: Signature is Valid."), std::string::npos) << sig.output;
  EXPECT_NE(s1.find("Certificate is Trusted."), std::string::npos) << sig.output;
  EXPECT_NE(s2.find("Signature Validation: Signature is Valid."), std::string::npos) << sig.output;
  const Extracted ex = ExtractLastSignature(*twice);
  ToolRun ok =
      RunTool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
               Save("same-twice.der", ex.cms), "-content", Save("same-twice.bin", ex.signed_bytes),
               "-CAfile", Path("ca.crt").string(), "-out", "/dev/null"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST_F(DocumentsCheckers, FileWithCrossReferenceStreamsIsUpdatedAndValidates) {
  const std::string plain = Save("plain.pdf", documents::RenderPdf(Licence()).value().bytes);
  const std::string streams = Path("streams.pdf").string();
  ToolRun convert = RunTool({"qpdf", "--object-streams=generate", plain, streams});
  ASSERT_EQ(convert.exit_code, 0) << convert.output;
  auto signed_pdf = documents::SignPdf(ReadFile(streams), signer_, Info());
  ASSERT_TRUE(signed_pdf) << signed_pdf.error().message;
  EXPECT_NE(signed_pdf->find("/Type /XRef", ReadFile(streams).size()), std::string::npos);
  const std::string file = Save("streams-signed.pdf", *signed_pdf);
  ToolRun check = RunTool({"qpdf", "--check", file});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("No syntax or stream encoding errors found"), std::string::npos)
      << check.output;
  ToolRun sig = Pdfsig(file);
  EXPECT_NE(sig.output.find("Signature is Valid."), std::string::npos) << sig.output;
  EXPECT_NE(sig.output.find("Certificate is Trusted."), std::string::npos) << sig.output;
}

TEST_F(DocumentsCheckers, OpensslVerifiesCadesWithAndWithoutSigningTime) {
  const std::string content = "任意内容 / any content\n";
  const std::string content_file = Save("content.bin", content);
  const std::string ca = Path("ca.crt").string();
  for (auto attr : {crypto::SigningTimeAttribute::kOmit, crypto::SigningTimeAttribute::kInclude}) {
    auto cms =
        crypto::SignCadesDetached(content, signer_.cert_pem, signer_.key_pem, signer_.chain_pems,
                                  std::chrono::system_clock::now(), attr);
    ASSERT_TRUE(cms) << cms.error().message;
    const std::string cms_file = Save("detached.der", *cms);
    ToolRun ok = RunTool({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cms_file,
                          "-content", content_file, "-CAfile", ca, "-out", "/dev/null"});
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    ToolRun dump =
        RunTool({"openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", cms_file});
    EXPECT_EQ(dump.output.find("signingTime") != std::string::npos,
              attr == crypto::SigningTimeAttribute::kInclude)
        << dump.output;
  }
}

// Figures for the report, not assertions: how long a one-page licence with seal and QR
// takes to render, and to sign.
TEST_F(DocumentsCheckers, RenderAndSignTimes) {
  using Clock = std::chrono::steady_clock;
  const DocumentModel doc = Licence();
  ASSERT_TRUE(documents::RenderPdf(doc));  // loads the fonts on this thread
  constexpr int kRounds = 20;
  std::string pdf;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) pdf = documents::RenderPdf(doc).value().bytes;
  const double render_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kRounds;
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) ASSERT_TRUE(documents::SignPdf(pdf, signer_, Info()));
  const double sign_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kRounds;
  std::printf("render one-page licence: %.1f ms, sign: %.1f ms (mean of %d, %zu bytes)\n",
              render_ms, sign_ms, kRounds, pdf.size());
  RecordProperty("render_ms", std::to_string(render_ms));
  RecordProperty("sign_ms", std::to_string(sign_ms));
}

}  // namespace
}  // namespace ow::testing
