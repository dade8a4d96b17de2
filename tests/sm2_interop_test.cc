// Our SM2 signatures, seal certificates and CRLs as independent implementations see
// them: the openssl 3.0 command line, and the npm sm-crypto library (pure JavaScript, as
// a phone or browser verifier would be); in the other direction, we accept what they
// make. Each check also shows the tool rejecting a tampered input, so a tool that
// accepts anything cannot make a test pass. A missing tool is a failure naming it:
// scripts/install-deps.sh installs every one.
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/keys.h"
#include "crypto/sm2.h"
#include "crypto/x509.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
using crypto::CertificateRole;
using crypto::CertificateSpec;
using crypto::Sm2Key;
using std::chrono::hours;

constexpr const char* kDistId = "distid:1234567812345678";

bool Contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The value of a DER element that starts at `der[pos]` (tag, then a short or long-form
// length), and where the next element starts. Written here, not taken from src/crypto,
// so the TBS bytes we hand to openssl are cut independently of the code under test.
struct Tlv {
  std::string_view whole;  // tag, length and value
  std::string_view value;
};
Tlv ReadTlv(std::string_view der, size_t pos) {
  size_t len = static_cast<unsigned char>(der.at(pos + 1));
  size_t header = 2;
  if (len & 0x80) {
    const size_t n = len & 0x7F;
    len = 0;
    for (size_t i = 0; i < n; ++i)
      len = (len << 8) | static_cast<unsigned char>(der.at(pos + 2 + i));
    header += n;
  }
  return {der.substr(pos, header + len), der.substr(pos + header, len)};
}

// 1.2.840.10045.2.1 id-ecPublicKey with the named curve 1.2.156.10197.1.301 (SM2),
// then the BIT STRING header of a 65-byte point: a SubjectPublicKeyInfo is this + point.
constexpr std::string_view kSm2SpkiPrefixHex =
    "3059301306072a8648ce3d020106082a811ccf5501822d034200";

std::string PublicPemFromPoint(std::string_view point) {
  const std::string der = crypto::HexDecode(kSm2SpkiPrefixHex).value() + std::string(point);
  std::string b64 = crypto::Base64UrlEncode(der);
  for (auto& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b64.size() % 4) b64 += '=';
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END PUBLIC KEY-----\n";
}

class Sm2Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ow_sm2_interop_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, std::string_view content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return Path(name);
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Whether the openssl command line runs (scripts/install-deps.sh installs it; the caller
  // fails without it).
  static bool HaveOpenssl() { return RunTool({"openssl", "version"}).exit_code == 0; }
  static fs::path ToolsDir() { return fs::path(OW_SOURCE_DIR) / "tests" / "tools"; }
  // Why sm-crypto cannot run, or "" when it can.
  static std::string SmCryptoMissing() {
    ToolRun probe =
        RunTool({"node", (ToolsDir() / "verify-sm2.mjs").string(), "probe"}, ToolsDir().string());
    if (probe.exit_code == 127) return "node is not installed";
    if (probe.exit_code == 3) return "sm-crypto is not installed (npm ci in tests/tools)";
    EXPECT_EQ(probe.exit_code, 0) << probe.output;
    return "";
  }
  ToolRun SmCrypto(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"node", (ToolsDir() / "verify-sm2.mjs").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(argv, ToolsDir().string());
  }

  // A CA of `kind`, written to <name>.pem and <name>.key.
  struct Ca {
    std::string key_pem;
    std::string cert_pem;
    crypto::Issuer issuer() const { return {cert_pem, key_pem}; }
  };
  static std::pair<std::string, std::string> NewKey(crypto::KeyKind kind) {
    if (kind == crypto::KeyKind::kSm2) {
      const Sm2Key k = Sm2Key::Generate().value();
      return {k.PrivatePem().value(), k.PublicPem()};
    }
    const crypto::SigningKey k = crypto::SigningKey::Generate(crypto::Algorithm::kEs256).value();
    return {k.PrivatePem().value(), k.PublicPem()};
  }
  Ca NewCa(crypto::KeyKind kind, const std::string& name, const Ca* parent = nullptr) {
    auto [priv, pub] = NewKey(kind);
    const CertificateSpec spec{{name, "某某市人民政府", "政务服务管理局", "CN"},
                               pub,
                               now_ - hours(2),
                               now_ + hours(24 * 365),
                               CertificateRole::kCertificateAuthority,
                               std::nullopt};
    auto cert = crypto::IssueCertificate(
        spec, parent != nullptr ? parent->issuer() : crypto::Issuer{"", priv});
    EXPECT_TRUE(cert) << cert.error().message;
    Ca ca{priv, cert ? *cert : std::string()};
    Write(name + ".pem", ca.cert_pem);
    Write(name + ".key", ca.key_pem);
    return ca;
  }
  std::string NewSeal(crypto::KeyKind kind, const Ca& issuer, const std::string& name) {
    auto [priv, pub] = NewKey(kind);
    const CertificateSpec spec{{name, "某某市人民政府", "市场监督管理局", "CN"},
                               pub,
                               now_ - hours(1),
                               now_ + hours(24 * 30),
                               CertificateRole::kSeal,
                               std::nullopt};
    auto cert = crypto::IssueCertificate(spec, issuer.issuer());
    EXPECT_TRUE(cert) << cert.error().message;
    Write(name + ".pem", cert ? *cert : std::string());
    return cert ? *cert : std::string();
  }

  fs::path dir_;
  // Whole seconds: `openssl verify` checks against the current time.
  SystemTime now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
};

TEST_F(Sm2Interop, OpensslVerifiesOurSignatures) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  const Sm2Key key = Sm2Key::Generate().value();
  const std::string data = "营业执照 91110108MA01ABCD2X|某某科技有限公司";
  const std::string pub = Write("pub.pem", key.PublicPem());
  const std::string data_file = Write("data", data);
  const std::string sig_file = Write("sig.der", key.Sign(data).value());
  const std::vector<std::string> pkeyutl = {"openssl", "pkeyutl", "-verify", "-pubin",   "-inkey",
                                            pub,       "-rawin",  "-digest", "sm3",      "-pkeyopt",
                                            kDistId,   "-in",     data_file, "-sigfile", sig_file};
  ToolRun ok = RunTool(pkeyutl);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Contains(ok.output, "Signature Verified Successfully")) << ok.output;
  ToolRun dgst = RunTool({"openssl", "dgst", "-sm3", "-verify", pub, "-sigopt", kDistId,
                          "-signature", sig_file, data_file});
  EXPECT_EQ(dgst.exit_code, 0) << dgst.output;
  EXPECT_TRUE(Contains(dgst.output, "Verified OK")) << dgst.output;

  // OpenSSL's own default ID is empty: without -pkeyopt our signature must fail.
  std::vector<std::string> no_id = pkeyutl;
  no_id.erase(no_id.begin() + 9, no_id.begin() + 11);
  ToolRun empty_id = RunTool(no_id);
  EXPECT_NE(empty_id.exit_code, 0) << empty_id.output;
  EXPECT_TRUE(Contains(empty_id.output, "Signature Verification Failure")) << empty_id.output;

  Write("data", data + " ");
  ToolRun bad = RunTool(pkeyutl);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_TRUE(Contains(bad.output, "Signature Verification Failure")) << bad.output;
}

TEST_F(Sm2Interop, WeAcceptOpensslKeysAndSignatures) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  const std::string key_file = Path("key.pem");
  ASSERT_EQ(RunTool({"openssl", "genpkey", "-algorithm", "SM2", "-out", key_file}).exit_code, 0);
  auto key = Sm2Key::FromPrivatePem(Read("key.pem"));
  ASSERT_TRUE(key) << key.error().message;
  ToolRun pub = RunTool({"openssl", "pkey", "-in", key_file, "-pubout"});
  ASSERT_EQ(pub.exit_code, 0) << pub.output;
  EXPECT_EQ(key->PublicPem(), pub.output);
  // The point as openssl prints it ("pub:" in colon-separated hex lines).
  ToolRun text = RunTool({"openssl", "pkey", "-in", key_file, "-pubout", "-text", "-noout"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  const size_t from = text.output.find("pub:");
  const size_t to = text.output.find("ASN1 OID");
  ASSERT_TRUE(from != std::string::npos && to != std::string::npos) << text.output;
  std::string point_hex;
  for (char c : text.output.substr(from + 4, to - from - 4)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) point_hex += c;
  }
  EXPECT_EQ(crypto::HexEncode(key->PublicPoint()), point_hex);

  const std::string data_file = Write("data", "sign me 签名");
  std::vector<std::string> sign = {"openssl", "pkeyutl", "-sign", "-inkey",   key_file,
                                   "-rawin",  "-digest", "sm3",   "-pkeyopt", kDistId,
                                   "-in",     data_file, "-out",  Path("sig")};
  ToolRun signed_ok = RunTool(sign);
  ASSERT_EQ(signed_ok.exit_code, 0) << signed_ok.output;
  const std::string sig = Read("sig");
  EXPECT_TRUE(key->Verify("sign me 签名", sig));
  EXPECT_TRUE(crypto::Sm2SignatureToRaw(sig)) << "openssl's DER is strict DER";
  auto tampered = key->Verify("sign me 签名!", sig);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, Code::kUnauthenticated);
  // A signature openssl makes with its default (empty) ID is not one of ours.
  sign.erase(sign.begin() + 8, sign.begin() + 10);
  ASSERT_EQ(RunTool(sign).exit_code, 0);
  EXPECT_FALSE(key->Verify("sign me 签名", Read("sig")));

  // Our PKCS#8 output is a valid key to openssl.
  const std::string ours = Write("ours.pem", Sm2Key::Generate().value().PrivatePem().value());
  ToolRun check = RunTool({"openssl", "pkey", "-in", ours, "-check", "-noout"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_TRUE(Contains(check.output, "Key is valid")) << check.output;
}

TEST_F(Sm2Interop, SmCryptoVerifiesOurSignatures) {
  if (const std::string missing = SmCryptoMissing(); !missing.empty()) FAIL() << missing;
  const Sm2Key key = Sm2Key::Generate().value();
  const std::string point = crypto::HexEncode(key.PublicPoint());
  const std::string data = "电子证照 licence #42 {\"holder\":\"张三\"}";
  const std::string data_file = Write("data", data);
  const std::string der = key.Sign(data).value();
  const std::string der_file = Write("sig.der", der);
  const std::string raw_file = Write("sig.raw", crypto::Sm2SignatureToRaw(der).value());

  ToolRun ok = SmCrypto({"verify", point, data_file, der_file, "der"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Contains(ok.output, "valid")) << ok.output;
  ToolRun raw_ok = SmCrypto({"verify", point, data_file, raw_file, "raw"});
  EXPECT_EQ(raw_ok.exit_code, 0) << raw_ok.output;

  // Another key, and a changed message, are refused.
  const std::string other = crypto::HexEncode(Sm2Key::Generate().value().PublicPoint());
  ToolRun wrong_key = SmCrypto({"verify", other, data_file, der_file, "der"});
  EXPECT_EQ(wrong_key.exit_code, 1) << wrong_key.output;
  EXPECT_TRUE(Contains(wrong_key.output, "invalid")) << wrong_key.output;
  Write("data", data + ".");
  ToolRun bad = SmCrypto({"verify", point, data_file, der_file, "der"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  ToolRun bad_raw = SmCrypto({"verify", point, data_file, raw_file, "raw"});
  EXPECT_EQ(bad_raw.exit_code, 1) << bad_raw.output;
}

TEST_F(Sm2Interop, WeVerifySmCryptoSignatures) {
  if (const std::string missing = SmCryptoMissing(); !missing.empty()) FAIL() << missing;
  const std::string data = "亮证 QR payload 2026";
  ToolRun made = SmCrypto({"sign", Write("data", data)});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  boost::system::error_code ec;
  const boost::json::value out = boost::json::parse(made.output, ec);
  ASSERT_FALSE(ec) << made.output;
  const std::string point = crypto::HexDecode(std::string(out.at("publicKey").as_string())).value();
  const std::string sig = crypto::HexDecode(std::string(out.at("signature").as_string())).value();
  ASSERT_EQ(point.size(), crypto::kSm2PublicPointSize);

  auto key = Sm2Key::FromPublicPem(PublicPemFromPoint(point));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->PublicPoint(), point);
  auto ok = key->Verify(data, sig);
  EXPECT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(key->Verify(data + "x", sig));
  EXPECT_FALSE(Sm2Key::Generate().value().Verify(data, sig));
}

TEST_F(Sm2Interop, OpensslVerifiesOurSm2SealCertificates) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  const Ca root = NewCa(crypto::KeyKind::kSm2, "root");
  const std::string seal = NewSeal(crypto::KeyKind::kSm2, root, "seal");
  const std::vector<std::string> verify = {"openssl",        "verify",        "-x509_strict",
                                           "-vfyopt",        kDistId,         "-CAfile",
                                           Path("root.pem"), Path("seal.pem")};
  ToolRun ok = RunTool(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Contains(ok.output, "seal.pem: OK")) << ok.output;

  // Signed with the standard ID, not OpenSSL's empty default.
  ToolRun no_id = RunTool({"openssl", "verify", "-CAfile", Path("root.pem"), Path("seal.pem")});
  EXPECT_NE(no_id.exit_code, 0) << no_id.output;
  EXPECT_TRUE(Contains(no_id.output, "certificate signature failure")) << no_id.output;

  // Another root with the same name is not the issuer.
  NewCa(crypto::KeyKind::kSm2, "impostor");
  std::vector<std::string> other = verify;
  other[6] = Path("impostor.pem");
  ToolRun wrong_root = RunTool(other);
  EXPECT_NE(wrong_root.exit_code, 0) << wrong_root.output;
  EXPECT_TRUE(Contains(wrong_root.output, "unable to get local issuer certificate"))
      << wrong_root.output;

  // A changed byte in the seal's name breaks its signature.
  ToolRun der = RunTool(
      {"openssl", "x509", "-in", Path("seal.pem"), "-outform", "DER", "-out", Path("seal.der")});
  ASSERT_EQ(der.exit_code, 0) << der.output;
  std::string bytes = Read("seal.der");
  const size_t at = bytes.find("市场监督管理局");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 1);
  Write("seal.der", bytes);
  ASSERT_EQ(RunTool({"openssl", "x509", "-inform", "DER", "-in", Path("seal.der"), "-out",
                     Path("tampered.pem")})
                .exit_code,
            0);
  std::vector<std::string> tampered = verify;
  tampered[7] = Path("tampered.pem");
  ToolRun bad = RunTool(tampered);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_TRUE(Contains(bad.output, "certificate signature failure")) << bad.output;

  // openssl reads the profile, serial and fingerprint as ParseCertificate does.
  const crypto::CertificateInfo info = crypto::ParseCertificate(seal).value();
  ToolRun text = RunTool({"openssl", "x509", "-in", Path("seal.pem"), "-noout", "-text", "-serial",
                          "-fingerprint", "-sha256"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const std::string& want :
       {std::string("Signature Algorithm: SM2-with-SM3"), std::string("ASN1 OID: SM2"),
        std::string("CA:FALSE"), std::string("X509v3 Key Usage: critical"),
        std::string("Digital Signature, Non Repudiation"),
        std::string("X509v3 Subject Key Identifier"),
        std::string("X509v3 Authority Key Identifier"), std::string("CN = seal"),
        "serial=" + Upper(info.serial_hex)}) {
    EXPECT_TRUE(Contains(text.output, want)) << want << "\n" << text.output;
  }
  std::string fingerprint;
  for (size_t i = 0; i < info.sha256_fingerprint.size(); i += 2) {
    fingerprint += (i ? ":" : "") + Upper(info.sha256_fingerprint.substr(i, 2));
  }
  EXPECT_TRUE(Contains(text.output, "Fingerprint=" + fingerprint)) << text.output;
  ToolRun root_text = RunTool({"openssl", "x509", "-in", Path("root.pem"), "-noout", "-text"});
  EXPECT_TRUE(Contains(root_text.output, "X509v3 Basic Constraints: critical")) << root_text.output;
  EXPECT_TRUE(Contains(root_text.output, "CA:TRUE")) << root_text.output;
  EXPECT_TRUE(Contains(root_text.output, "Certificate Sign, CRL Sign")) << root_text.output;
}

TEST_F(Sm2Interop, OpensslVerifiesEachLinkOfAnSm2ChainWithIntermediate) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  // `openssl verify -vfyopt` gives the ID to the named certificate only (x509.h), so the
  // links are checked one at a time.
  const Ca root = NewCa(crypto::KeyKind::kSm2, "root");
  const Ca inter = NewCa(crypto::KeyKind::kSm2, "inter", &root);
  NewSeal(crypto::KeyKind::kSm2, inter, "seal");
  ToolRun upper = RunTool({"openssl", "verify", "-x509_strict", "-vfyopt", kDistId, "-CAfile",
                           Path("root.pem"), Path("inter.pem")});
  EXPECT_EQ(upper.exit_code, 0) << upper.output;
  EXPECT_TRUE(Contains(upper.output, "inter.pem: OK")) << upper.output;
  ToolRun lower = RunTool({"openssl", "verify", "-x509_strict", "-vfyopt", kDistId,
                           "-partial_chain", "-CAfile", Path("inter.pem"), Path("seal.pem")});
  EXPECT_EQ(lower.exit_code, 0) << lower.output;
  EXPECT_TRUE(Contains(lower.output, "seal.pem: OK")) << lower.output;
  // The seal does not chain to the root without the intermediate.
  ToolRun skipped = RunTool(
      {"openssl", "verify", "-vfyopt", kDistId, "-CAfile", Path("root.pem"), Path("seal.pem")});
  EXPECT_NE(skipped.exit_code, 0) << skipped.output;
  EXPECT_TRUE(Contains(skipped.output, "unable to get local issuer certificate")) << skipped.output;
  // And our own VerifyChain takes the whole chain at once.
  EXPECT_TRUE(crypto::VerifyChain(Read("seal.pem"), {inter.cert_pem}, root.cert_pem, now_));
}

TEST_F(Sm2Interop, OpensslVerifiesOurP256ChainAndSeesItsRevocation) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  const Ca root = NewCa(crypto::KeyKind::kP256, "root");
  const Ca inter = NewCa(crypto::KeyKind::kP256, "inter", &root);
  const std::string seal = NewSeal(crypto::KeyKind::kP256, inter, "seal");
  const std::vector<std::string> verify = {"openssl",         "verify",         "-x509_strict",
                                           "-CAfile",         Path("root.pem"), "-untrusted",
                                           Path("inter.pem"), Path("seal.pem")};
  ToolRun ok = RunTool(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Contains(ok.output, "seal.pem: OK")) << ok.output;
  ToolRun text = RunTool({"openssl", "x509", "-in", Path("seal.pem"), "-noout", "-text"});
  EXPECT_TRUE(Contains(text.output, "Signature Algorithm: ecdsa-with-SHA256")) << text.output;
  EXPECT_TRUE(Contains(text.output, "NIST CURVE: P-256")) << text.output;

  NewCa(crypto::KeyKind::kP256, "impostor");
  std::vector<std::string> other = verify;
  other[4] = Path("impostor.pem");
  ToolRun wrong_root = RunTool(other);
  EXPECT_NE(wrong_root.exit_code, 0) << wrong_root.output;
  EXPECT_TRUE(Contains(wrong_root.output, "unable to get local issuer certificate"))
      << wrong_root.output;

  // The intermediate revokes the seal.
  const std::string serial = crypto::ParseCertificate(seal).value().serial_hex;
  const std::string crl =
      crypto::IssueCrl(inter.issuer(),
                       {{{serial, now_ - hours(1), crypto::RevocationReason::kKeyCompromise}},
                        now_ - hours(1),
                        now_ + hours(24 * 7),
                        1})
          .value();
  Write("crl.pem", crl);
  ToolRun crl_ok =
      RunTool({"openssl", "crl", "-in", Path("crl.pem"), "-CAfile", Path("inter.pem"), "-noout"});
  EXPECT_EQ(crl_ok.exit_code, 0) << crl_ok.output;
  EXPECT_TRUE(Contains(crl_ok.output, "verify OK")) << crl_ok.output;
  ToolRun crl_text = RunTool({"openssl", "crl", "-in", Path("crl.pem"), "-noout", "-text"});
  EXPECT_TRUE(Contains(crl_text.output, "Serial Number: " + Upper(serial))) << crl_text.output;
  EXPECT_TRUE(Contains(crl_text.output, "Key Compromise")) << crl_text.output;
  EXPECT_TRUE(Contains(crl_text.output, "X509v3 CRL Number")) << crl_text.output;

  std::vector<std::string> crl_check = verify;
  crl_check.insert(crl_check.begin() + 2, {"-crl_check", "-CRLfile", Path("crl.pem")});
  ToolRun revoked = RunTool(crl_check);
  EXPECT_NE(revoked.exit_code, 0) << revoked.output;
  EXPECT_TRUE(Contains(revoked.output, "certificate revoked")) << revoked.output;
  auto ours = crypto::VerifyChain(seal, {inter.cert_pem}, root.cert_pem, now_, {crl});
  ASSERT_FALSE(ours);
  EXPECT_TRUE(Contains(ours.error().message, "revoked")) << ours.error().message;

  // A CRL that does not list the seal: openssl agrees it is fine.
  Write("crl.pem",
        crypto::IssueCrl(inter.issuer(), {{}, now_ - hours(1), now_ + hours(24 * 7), 2}).value());
  ToolRun clean = RunTool(crl_check);
  EXPECT_EQ(clean.exit_code, 0) << clean.output;

  // A tampered CRL (its CRL number changed) fails openssl's signature check. `openssl crl`
  // exits 0 either way: its text says which.
  ASSERT_EQ(RunTool({"openssl", "crl", "-in", Path("crl.pem"), "-outform", "DER", "-out",
                     Path("crl.der")})
                .exit_code,
            0);
  std::string der = Read("crl.der");
  const size_t number = der.find(std::string("\x06\x03\x55\x1d\x14\x04\x03\x02\x01\x02", 10));
  ASSERT_NE(number, std::string::npos);
  der[number + 9] = '\x03';
  Write("crl.der", der);
  ToolRun tampered = RunTool({"openssl", "crl", "-inform", "DER", "-in", Path("crl.der"), "-CAfile",
                              Path("inter.pem"), "-noout"});
  EXPECT_TRUE(Contains(tampered.output, "verify failure")) << tampered.output;
  EXPECT_FALSE(Contains(tampered.output, "verify OK")) << tampered.output;
}

TEST_F(Sm2Interop, OpensslReadsOurSm2CrlAndVerifiesItsSignature) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  const Ca root = NewCa(crypto::KeyKind::kSm2, "root");
  const std::string seal = NewSeal(crypto::KeyKind::kSm2, root, "seal");
  const std::string serial = crypto::ParseCertificate(seal).value().serial_hex;
  const std::string crl =
      crypto::IssueCrl(
          root.issuer(),
          {{{serial, now_ - hours(1), crypto::RevocationReason::kCessationOfOperation}},
           now_ - hours(1),
           now_ + hours(24 * 7),
           9})
          .value();
  Write("crl.pem", crl);
  ToolRun text = RunTool({"openssl", "crl", "-in", Path("crl.pem"), "-noout", "-text"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(Contains(text.output, "Signature Algorithm: SM2-with-SM3")) << text.output;
  EXPECT_TRUE(Contains(text.output, "Serial Number: " + Upper(serial))) << text.output;
  EXPECT_TRUE(Contains(text.output, "Cessation Of Operation")) << text.output;

  // OpenSSL 3.0 checks CRL signatures only with the empty SM2 ID (x509.h), so the
  // signature is checked directly: the TBSCertList bytes against the root's key, with
  // the standard ID.
  ASSERT_EQ(RunTool({"openssl", "crl", "-in", Path("crl.pem"), "-outform", "DER", "-out",
                     Path("crl.der")})
                .exit_code,
            0);
  const std::string der = Read("crl.der");
  const Tlv outer = ReadTlv(der, 0);
  const size_t body = outer.value.data() - der.data();
  const Tlv tbs = ReadTlv(der, body);
  const Tlv alg = ReadTlv(der, body + tbs.whole.size());
  const Tlv bits = ReadTlv(der, body + tbs.whole.size() + alg.whole.size());
  ASSERT_EQ(bits.whole[0], '\x03');
  ASSERT_EQ(bits.value[0], '\0');  // no unused bits
  Write("tbs", tbs.whole);
  Write("crl.sig", bits.value.substr(1));
  ASSERT_EQ(RunTool({"openssl", "x509", "-in", Path("root.pem"), "-pubkey", "-noout", "-out",
                     Path("root.pub")})
                .exit_code,
            0);
  const std::vector<std::string> verify = {"openssl",   "pkeyutl",        "-verify",      "-pubin",
                                           "-inkey",    Path("root.pub"), "-rawin",       "-digest",
                                           "sm3",       "-pkeyopt",       kDistId,        "-in",
                                           Path("tbs"), "-sigfile",       Path("crl.sig")};
  ToolRun ok = RunTool(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Contains(ok.output, "Signature Verified Successfully")) << ok.output;

  std::string changed(tbs.whole);
  changed[changed.size() - 1] = static_cast<char>(changed.back() ^ 1);
  Write("tbs", changed);
  ToolRun bad = RunTool(verify);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_TRUE(Contains(bad.output, "Signature Verification Failure")) << bad.output;

  // Our VerifyChain sees the revocation.
  auto ours = crypto::VerifyChain(seal, {}, root.cert_pem, now_, {crl});
  ASSERT_FALSE(ours);
  EXPECT_TRUE(Contains(ours.error().message, "revoked")) << ours.error().message;
  EXPECT_TRUE(Contains(ours.error().message, "cessationOfOperation")) << ours.error().message;
}

TEST_F(Sm2Interop, WeVerifyAnSm2ChainAndCrlMadeByOpenssl) {
  if (!HaveOpenssl())
    FAIL() << "the openssl command line is not installed (scripts/install-deps.sh)";
  Write("seal.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  auto run = [](const std::vector<std::string>& args) {
    ToolRun r = RunTool(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r;
  };
  run({"openssl", "genpkey", "-algorithm", "SM2", "-out", Path("root.key")});
  run({"openssl", "genpkey", "-algorithm", "SM2", "-out", Path("seal.key")});
  run({"openssl",
       "req",
       "-x509",
       "-new",
       "-key",
       Path("root.key"),
       "-sm3",
       "-sigopt",
       kDistId,
       "-subj",
       "/C=CN/O=OpenSSL CA/CN=OpenSSL Root",
       "-days",
       "30",
       "-set_serial",
       "1000",
       "-addext",
       "basicConstraints=critical,CA:TRUE",
       "-addext",
       "keyUsage=critical,keyCertSign,cRLSign",
       "-out",
       Path("root.pem")});
  run({"openssl", "req", "-new", "-key", Path("seal.key"), "-sm3", "-sigopt", kDistId, "-subj",
       "/C=CN/O=OpenSSL CA/CN=OpenSSL Seal", "-out", Path("seal.csr")});
  const std::vector<std::string> issue = {
      "openssl",        "x509",          "-req",           "-in",
      Path("seal.csr"), "-CA",           Path("root.pem"), "-CAkey",
      Path("root.key"), "-sm3",          "-sigopt",        kDistId,
      "-vfyopt",        kDistId,         "-days",          "10",
      "-set_serial",    "4660",          "-extfile",       Path("seal.ext"),
      "-out",           Path("seal.pem")};
  run(issue);
  const std::string root = Read("root.pem");
  const std::string seal = Read("seal.pem");
  // openssl dates its certificates and CRLs from the moment it runs.
  const auto soon = [] { return std::chrono::system_clock::now() + std::chrono::minutes(1); };
  const crypto::CertificateInfo info = crypto::ParseCertificate(seal).value();
  EXPECT_EQ(info.signature_algorithm, "SM2-with-SM3");
  EXPECT_EQ(info.serial_hex, "1234");
  EXPECT_EQ(info.subject.common_name, "OpenSSL Seal");
  EXPECT_EQ(info.issuer.organization, "OpenSSL CA");
  auto ok = crypto::VerifyChain(seal, {}, root, soon());
  EXPECT_TRUE(ok) << ok.error().message;

  // The same seal signed with OpenSSL's default (empty) ID does not verify with ours.
  std::vector<std::string> empty_id = issue;
  empty_id.erase(empty_id.begin() + 10, empty_id.begin() + 12);  // -sigopt distid:...
  empty_id.back() = Path("seal_empty_id.pem");
  run(empty_id);
  auto bad = crypto::VerifyChain(Read("seal_empty_id.pem"), {}, root, soon());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kUnauthenticated);
  EXPECT_TRUE(Contains(bad.error().message, "signature")) << bad.error().message;

  // The SM2 root certifying a P-256 key: a valid signature, but two kinds in one chain.
  run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
       Path("p256.key")});
  run({"openssl", "req", "-new", "-key", Path("p256.key"), "-subj", "/CN=P-256 Seal", "-out",
       Path("p256.csr")});
  run({"openssl",        "x509",
       "-req",           "-in",
       Path("p256.csr"), "-CA",
       Path("root.pem"), "-CAkey",
       Path("root.key"), "-sm3",
       "-sigopt",        kDistId,
       "-days",          "10",
       "-set_serial",    "7",
       "-extfile",       Path("seal.ext"),
       "-out",           Path("p256.pem")});
  auto mixed = crypto::VerifyChain(Read("p256.pem"), {}, root, soon());
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, Code::kUnauthenticated);
  EXPECT_TRUE(Contains(mixed.error().message, "one kind per chain")) << mixed.error().message;

  // openssl ca revokes the seal and signs a v2 CRL with the standard ID.
  fs::create_directories(dir_ / "db");
  Write("db/index.txt", "");
  Write("ca.cnf", "[ ca ]\ndefault_ca = ow\n[ ow ]\ndatabase = " + Path("db/index.txt") +
                      "\ncrlnumber = " + Path("db/crlnumber") +
                      "\ndefault_md = sm3\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n"
                      "[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n");
  Write("db/crlnumber", "01\n");
  run({"openssl", "ca", "-config", Path("ca.cnf"), "-keyfile", Path("root.key"), "-cert",
       Path("root.pem"), "-revoke", Path("seal.pem"), "-crl_reason", "superseded"});
  run({"openssl", "ca", "-config", Path("ca.cnf"), "-keyfile", Path("root.key"), "-cert",
       Path("root.pem"), "-gencrl", "-sigopt", kDistId, "-out", Path("crl.pem")});
  auto revoked = crypto::VerifyChain(seal, {}, root, soon(), {Read("crl.pem")});
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, Code::kUnauthenticated);
  EXPECT_TRUE(Contains(revoked.error().message, "revoked")) << revoked.error().message;
  EXPECT_TRUE(Contains(revoked.error().message, "superseded")) << revoked.error().message;
  // Signed with the empty ID, the same CRL is refused as unverifiable.
  run({"openssl", "ca", "-config", Path("ca.cnf"), "-keyfile", Path("root.key"), "-cert",
       Path("root.pem"), "-gencrl", "-out", Path("crl_empty_id.pem")});
  auto unverified = crypto::VerifyChain(seal, {}, root, soon(), {Read("crl_empty_id.pem")});
  ASSERT_FALSE(unverified);
  EXPECT_TRUE(Contains(unverified.error().message, "signature")) << unverified.error().message;
}

}  // namespace
}  // namespace ow::testing
