// A licence as independent tools see it, through the published API only: the openssl CLI
// (with the SM2 distinguishing ID) and npm sm-crypto verify the SM2 signature over its
// sealed data with the seal's published certificate, and openssl chains that
// certificate to the published CA root; the PDF's page is rendered by pdftoppm and its QR
// code read by zbarimg, and a small script of its own (tests/tools/verify-licence-qr.mjs,
// sm-crypto only) verifies the payload offline; pdfsig, trusting the published P-256
// root, reports the PDF's PAdES signature valid and the document unmodified, and broken
// once one byte of the signed range changes. Every tool is also shown a tampered input and
// must refuse it. Tools exit 0 on failure in places (pdfsig): the assertions read text.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "crypto/encoding.h"
#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using verb = boost::beast::http::verb;

constexpr const char* kZhangsanId = "330102199003073017";  // demo/accounts.json

bool Have(const std::string& tool) {
  return RunTool({"sh", "-c", "command -v " + tool}).exit_code == 0;
}

class LicencesCheckersTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* tool : {"openssl", "node", "pdftoppm", "zbarimg", "pdfsig", "certutil"})
      if (!Have(tool)) FAIL() << tool << " is not installed (scripts/install-deps.sh installs it)";
    if (RunTool({"node", SourceDir() + "/tests/tools/verify-sm2.mjs", "probe"}).exit_code == 3)
      FAIL() << "sm-crypto is not installed (scripts/install-deps.sh runs npm ci in tests/tools)";
    dir_ = fs::temp_directory_path() / ("ow-licence-checkers-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // The demo's licence seal of the district's market regulator, which sc.approver
    // may use (demo/licences.json).
    Session approver = Login("sc.approver");
    auto r = Call(
        verb::post, "/api/v1/licences",
        Json({{"type_code", "small_catering_permit"},
              {"holder", {{"kind", "person"}, {"id", kZhangsanId}, {"name", "张三"}}},
              {"fields", {{"shop_name", "张三小吃"}, {"address", "杭州市上城区清河坊街1号"}}}}),
        &approver);
    ASSERT_EQ(r.status, 201) << r.body;
    licence_ = r.json().as_object();
    holder_ = Login("zhangsan");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    CasesFixture::TearDown();
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(Path(name), std::ios::binary) << bytes;
  }
  std::string Str(const char* key) const { return std::string(licence_.at(key).as_string()); }
  // GET a public document (PEM), as a verifier fetches it.
  std::string Fetch(const std::string& target) {
    auto r = client_->Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.body;
  }

  fs::path dir_;
  json::object licence_;
  Session holder_;
};

TEST_P(LicencesCheckersTest, OpensslAndSmCryptoVerifyTheSealedDataWithThePublishedCertificate) {
  std::string seal(licence_.at("seal_id").as_string());
  Write("seal.pem", Fetch("/api/v1/seals/" + seal + "/certificate?algorithm=sm2"));
  Write("root.pem", Fetch("/api/v1/pki/authorities/sm2/1.pem"));
  Write("data.json", Str("sealed_data"));
  auto sig = crypto::Base64UrlDecode(Str("signature"));
  ASSERT_TRUE(sig);
  Write("sig.der", *sig);
  Write("tampered.json", Str("sealed_data") + " ");

  // The certificate chains to the published root (openssl needs the SM2 ID too).
  auto chain = RunTool({"openssl", "verify", "-vfyopt", "distid:1234567812345678", "-CAfile",
                        Path("root.pem"), Path("seal.pem")});
  EXPECT_NE(chain.output.find(": OK"), std::string::npos) << chain.output;
  Write("other-root.pem", Fetch("/api/v1/pki/authorities/p256/1.pem"));
  auto wrong = RunTool({"openssl", "verify", "-vfyopt", "distid:1234567812345678", "-CAfile",
                        Path("other-root.pem"), Path("seal.pem")});
  EXPECT_EQ(wrong.output.find(": OK"), std::string::npos) << wrong.output;

  // openssl: the signature over the sealed data, with the key from the certificate.
  auto key = RunTool({"openssl", "x509", "-in", Path("seal.pem"), "-pubkey", "-noout"});
  ASSERT_EQ(key.exit_code, 0) << key.output;
  Write("pub.pem", key.output);
  auto verify = [&](const std::string& data) {
    return RunTool({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", Path("pub.pem"), "-rawin",
                    "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", Path(data),
                    "-sigfile", Path("sig.der")});
  };
  EXPECT_NE(verify("data.json").output.find("Signature Verified Successfully"), std::string::npos)
      << verify("data.json").output;
  EXPECT_EQ(verify("tampered.json").output.find("Signature Verified Successfully"),
            std::string::npos);

  // sm-crypto, with the public point openssl reads from the certificate.
  auto text = RunTool({"openssl", "pkey", "-pubin", "-in", Path("pub.pem"), "-outform", "DER",
                       "-out", Path("pub.der")});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  std::ifstream in(Path("pub.der"), std::ios::binary);
  std::string spki((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GE(spki.size(), 65u);
  std::string point = crypto::HexEncode(spki.substr(spki.size() - 65));
  auto sm = [&](const std::string& data) {
    return RunTool({"node", SourceDir() + "/tests/tools/verify-sm2.mjs", "verify", point,
                    Path(data), Path("sig.der"), "der"});
  };
  EXPECT_EQ(sm("data.json").exit_code, 0) << sm("data.json").output;
  EXPECT_EQ(sm("tampered.json").exit_code, 1) << sm("tampered.json").output;
}

TEST_P(LicencesCheckersTest, TheQrCodeOnThePdfVerifiesOfflineAndThePdfSignatureHolds) {
  std::string number = Str("number");
  auto pdf = Call(verb::get, "/api/v1/licences/" + number + "/pdf", "", &holder_);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  ASSERT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  Write("licence.pdf", pdf.body);
  // The same bytes for every download.
  EXPECT_EQ(Call(verb::get, "/api/v1/licences/" + number + "/pdf", "", &holder_).body, pdf.body);

  // zbarimg reads the QR code off the rendered page: the verification URL.
  auto ppm =
      RunTool({"pdftoppm", "-r", "150", "-png", "-singlefile", Path("licence.pdf"), Path("page")});
  ASSERT_EQ(ppm.exit_code, 0) << ppm.output;
  auto zbar = RunTool({"zbarimg", "--raw", "-q", Path("page.png")}, {}, true);
  std::string qr = zbar.output;
  while (!qr.empty() && (qr.back() == '\n' || qr.back() == '\r')) qr.pop_back();
  EXPECT_EQ(qr, Str("qr_text"));

  // Offline: the payload checked with the seal's public key only, by sm-crypto.
  std::string seal(licence_.at("seal_id").as_string());
  Write("seal.pem", Fetch("/api/v1/seals/" + seal + "/certificate?algorithm=sm2"));
  auto key = RunTool({"openssl", "x509", "-in", Path("seal.pem"), "-pubkey", "-noout"});
  Write("pub.pem", key.output);
  std::string script = SourceDir() + "/tests/tools/verify-licence-qr.mjs";
  auto offline = RunTool({"node", script, qr, Path("pub.pem"), "person", kZhangsanId});
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_NE(offline.output.find("\"n\":\"" + number + "\""), std::string::npos) << offline.output;
  // Someone else's ID card does not match it; an altered code does not verify.
  auto other = RunTool({"node", script, qr, Path("pub.pem"), "person", "330106198506124526"});
  EXPECT_EQ(other.exit_code, 1) << other.output;
  std::string altered = qr;
  altered[altered.size() - 5] = altered[altered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(RunTool({"node", script, altered, Path("pub.pem")}).exit_code, 1);

  // pdfsig, trusting the published P-256 root: valid, unmodified, trusted; one byte
  // changed inside the signed range breaks it.
  Write("p256-root.pem", Fetch("/api/v1/pki/authorities/p256/1.pem"));
  fs::create_directories(dir_ / "nss");
  ASSERT_EQ(RunTool({"certutil", "-N", "-d", "sql:" + Path("nss"), "--empty-password"}).exit_code,
            0);
  ASSERT_EQ(RunTool({"certutil", "-A", "-d", "sql:" + Path("nss"), "-n", "onewindow-root", "-t",
                     "CT,C,C", "-i", Path("p256-root.pem")})
                .exit_code,
            0);
  auto sig = RunTool({"pdfsig", "-nssdir", "sql:" + Path("nss"), Path("licence.pdf")});
  EXPECT_NE(sig.output.find("Signature is Valid."), std::string::npos) << sig.output;
  EXPECT_NE(sig.output.find("Certificate is Trusted."), std::string::npos) << sig.output;
  EXPECT_NE(sig.output.find("Total document signed"), std::string::npos) << sig.output;
  std::string bytes = pdf.body;
  size_t at = bytes.find("/Title");  // inside the first revision: covered by the signature
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = 'X';
  Write("tampered.pdf", bytes);
  auto broken = RunTool({"pdfsig", "-nssdir", "sql:" + Path("nss"), Path("tampered.pdf")});
  EXPECT_EQ(broken.output.find("Signature is Valid."), std::string::npos) << broken.output;
}

OW_INSTANTIATE_STORE_TESTS(LicencesCheckersTest);

}  // namespace
}  // namespace ow::testing
