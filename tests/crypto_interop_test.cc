// Our signatures, keys, JWTs and sealed boxes as independent implementations see them:
// the openssl CLI checks signatures and PEM, the npm `jose` library (an OpenID Connect
// client's view) checks JWTs and key ids, and Node's crypto opens AES-GCM boxes.
// Each check also shows the tool rejecting a tampered input, so a tool that accepts
// anything cannot make the test pass.
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "support/test_support.h"

namespace ow::crypto {
// Readable parameter names in test output (found by argument-dependent lookup).
inline void PrintTo(Algorithm alg, std::ostream* os) { *os << AlgorithmName(alg); }
}  // namespace ow::crypto

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
using crypto::Algorithm;
using crypto::SigningKey;

// DER ECDSA-Sig-Value <-> JOSE r || s, written here rather than taken from src/crypto so
// that the conversion under test is checked against an independent one.
std::string DerInteger(std::string_view big_endian) {
  size_t i = 0;
  while (i + 1 < big_endian.size() && big_endian[i] == '\0') ++i;
  std::string v(big_endian.substr(i));
  if ((static_cast<unsigned char>(v[0]) & 0x80) != 0) v.insert(v.begin(), '\0');
  return std::string{'\x02', static_cast<char>(v.size())} + v;
}
std::string RawToDer(std::string_view raw) {
  const std::string body = DerInteger(raw.substr(0, 32)) + DerInteger(raw.substr(32));
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}
std::string DerToRaw(std::string_view der) {
  // SEQUENCE (short length) { INTEGER r, INTEGER s }: always under 128 bytes for P-256.
  std::string raw;
  size_t pos = 2;
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(der[pos], '\x02');
    const auto len = static_cast<size_t>(static_cast<unsigned char>(der[pos + 1]));
    std::string v(der.substr(pos + 2, len));
    while (v.size() > 32 && v[0] == '\0') v.erase(0, 1);
    raw += std::string(32 - v.size(), '\0') + v;
    pos += 2 + len;
  }
  return raw;
}

class CryptoInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ow_crypto_interop_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, std::string_view content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static fs::path ToolsDir() { return fs::path(OW_SOURCE_DIR) / "tests" / "tools"; }

  ToolRun VerifyWithJose(const SigningKey& key, const std::string& token) {
    const std::string jwk = Write("jwk.json", boost::json::serialize(key.PublicJwk()));
    const std::string token_file = Write("token.jwt", token);
    return RunTool({"node", (ToolsDir() / "verify-jwt.mjs").string(), jwk, token_file},
                   ToolsDir().string());
  }

  fs::path dir_;
};

TEST_F(CryptoInterop, OpensslVerifiesOurEd25519Signatures) {
  const SigningKey key = SigningKey::Generate(Algorithm::kEdDsa).value();
  const std::string data = "header.payload: 一窗受理";
  const std::string pub = Write("pub.pem", key.PublicPem());
  const std::string data_file = Write("data", data);
  const std::string sig_file = Write("sig", key.Sign(data).value());
  const std::vector<std::string> verify = {"openssl", "pkeyutl",  "-verify", "-pubin",
                                           "-inkey",  pub,        "-rawin",  "-in",
                                           data_file, "-sigfile", sig_file};
  ToolRun ok = RunTool(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("Signature Verified Successfully"), std::string::npos) << ok.output;

  Write("data", data + ".");
  ToolRun bad = RunTool(verify);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("Signature Verification Failure"), std::string::npos) << bad.output;
}

TEST_F(CryptoInterop, OpensslVerifiesOurEs256Signatures) {
  const SigningKey key = SigningKey::Generate(Algorithm::kEs256).value();
  const std::string data = "header.payload";
  const std::string raw = key.Sign(data).value();
  ASSERT_EQ(raw.size(), 64u);
  const std::string pub = Write("pub.pem", key.PublicPem());
  const std::string data_file = Write("data", data);
  const std::string sig_file = Write("sig.der", RawToDer(raw));
  const std::vector<std::string> verify = {"openssl", "dgst",       "-sha256", "-verify",
                                           pub,       "-signature", sig_file,  data_file};
  ToolRun ok = RunTool(verify);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("Verified OK"), std::string::npos) << ok.output;

  Write("data", "header.payloaD");
  ToolRun bad = RunTool(verify);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("Verification failure"), std::string::npos) << bad.output;
}

TEST_F(CryptoInterop, OpensslKeysLoadAndAgreeWithUs) {
  // Ed25519 is deterministic: openssl and we must produce the same signature bytes.
  const std::string ed_pem = Write("ed.pem", "");
  ASSERT_EQ(RunTool({"openssl", "genpkey", "-algorithm", "ed25519", "-out", ed_pem}).exit_code, 0);
  auto ed = SigningKey::FromPrivatePem(Read("ed.pem"));
  ASSERT_TRUE(ed) << ed.error().message;
  ToolRun ed_pub = RunTool({"openssl", "pkey", "-in", ed_pem, "-pubout"});
  ASSERT_EQ(ed_pub.exit_code, 0);
  EXPECT_EQ(ed->PublicPem(), ed_pub.output);
  const std::string data_file = Write("data", "sign me");
  ToolRun ed_sig = RunTool({"openssl", "pkeyutl", "-sign", "-inkey", ed_pem, "-rawin", "-in",
                            data_file, "-out", (dir_ / "ed.sig").string()});
  ASSERT_EQ(ed_sig.exit_code, 0) << ed_sig.output;
  EXPECT_EQ(crypto::HexEncode(ed->Sign("sign me").value()), crypto::HexEncode(Read("ed.sig")));
  EXPECT_TRUE(ed->Verify("sign me", Read("ed.sig")));

  // ECDSA is randomized: we verify openssl's signature after converting DER to r || s.
  const std::string ec_pem = Write("ec.pem", "");
  ASSERT_EQ(RunTool({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-out", ec_pem})
                .exit_code,
            0);
  auto ec = SigningKey::FromPrivatePem(Read("ec.pem"));
  ASSERT_TRUE(ec) << ec.error().message;
  ToolRun ec_pub = RunTool({"openssl", "pkey", "-in", ec_pem, "-pubout"});
  ASSERT_EQ(ec_pub.exit_code, 0);
  EXPECT_EQ(ec->PublicPem(), ec_pub.output);
  ToolRun ec_sig = RunTool({"openssl", "dgst", "-sha256", "-sign", ec_pem, "-out",
                            (dir_ / "ec.sig").string(), data_file});
  ASSERT_EQ(ec_sig.exit_code, 0) << ec_sig.output;
  const std::string raw = DerToRaw(Read("ec.sig"));
  EXPECT_TRUE(ec->Verify("sign me", raw));
  EXPECT_FALSE(ec->Verify("sign me!", raw));

  // Our PKCS#8 output is readable by openssl.
  const std::string ours = Write("ours.pem", ec->PrivatePem().value());
  ToolRun check = RunTool({"openssl", "pkey", "-in", ours, "-check", "-noout"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("Key is valid"), std::string::npos) << check.output;
}

class CryptoInteropJose : public CryptoInterop, public ::testing::WithParamInterface<Algorithm> {};

TEST_P(CryptoInteropJose, JoseVerifiesOurJwts) {
  const SigningKey key = SigningKey::Generate(GetParam()).value();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const boost::json::object claims = {{"iss", "https://id.example.gov"},
                                      {"sub", "resident-42"},
                                      {"aud", "portal"},
                                      {"iat", now},
                                      {"exp", now + 600},
                                      {"name", "张三"}};
  const std::string token = crypto::SignJwt(key, claims).value();

  ToolRun ok = VerifyWithJose(key, token);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  boost::system::error_code ec;
  const boost::json::value payload = boost::json::parse(ok.output, ec);
  ASSERT_FALSE(ec) << ok.output;
  EXPECT_EQ(payload, claims);

  // A changed claim with the original signature.
  boost::json::object forged = claims;
  forged["sub"] = "admin";
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');
  const std::string tampered = token.substr(0, dot1 + 1) +
                               crypto::Base64UrlEncode(boost::json::serialize(forged)) +
                               token.substr(dot2);
  ToolRun bad = VerifyWithJose(key, tampered);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"), std::string::npos)
      << bad.output;

  // A token signed by another key of the same kind.
  const SigningKey other = SigningKey::Generate(GetParam()).value();
  ToolRun wrong_key = VerifyWithJose(key, crypto::SignJwt(other, claims).value());
  EXPECT_EQ(wrong_key.exit_code, 1) << wrong_key.output;

  // jose applies exp itself: an expired token of ours is refused there too.
  boost::json::object expired = claims;
  expired["exp"] = now - 3600;
  ToolRun old = VerifyWithJose(key, crypto::SignJwt(key, expired).value());
  EXPECT_EQ(old.exit_code, 1) << old.output;
  EXPECT_NE(old.output.find("ERR_JWT_EXPIRED"), std::string::npos) << old.output;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CryptoInteropJose,
                         ::testing::Values(Algorithm::kEs256, Algorithm::kEdDsa),
                         [](const ::testing::TestParamInfo<Algorithm>& p) {
                           return std::string(crypto::AlgorithmName(p.param));
                         });

TEST_F(CryptoInterop, NodeOpensOurAesGcmBoxesAndWeOpenNodes) {
  // Node's crypto reads our layout nonce(12) || ciphertext || tag(16), then seals a box
  // of its own in the same layout for us to open.
  static constexpr const char* kScript = R"JS(
const c = require('crypto');
const [keyHex, boxHex, aad] = process.argv.slice(1);
const key = Buffer.from(keyHex, 'hex'), box = Buffer.from(boxHex, 'hex');
const d = c.createDecipheriv('aes-256-gcm', key, box.subarray(0, 12));
d.setAAD(Buffer.from(aad));
d.setAuthTag(box.subarray(box.length - 16));
const plain = Buffer.concat([d.update(box.subarray(12, box.length - 16)), d.final()]);
const iv = c.randomBytes(12);
const e = c.createCipheriv('aes-256-gcm', key, iv);
e.setAAD(Buffer.from(aad));
const ct = Buffer.concat([e.update(Buffer.concat([plain, Buffer.from(' (node)')])), e.final()]);
console.log(plain.toString('utf8'));
console.log(Buffer.concat([iv, ct, e.getAuthTag()]).toString('hex'));
)JS";
  const crypto::AeadKey key = crypto::AeadKey::Generate();
  const std::string aad = "identity.resident.id_number:42";
  const std::string box = key.Seal("110101199003077777 张三", aad).value();
  ToolRun ok =
      RunTool({"node", "-e", kScript, crypto::HexEncode(key.bytes()), crypto::HexEncode(box), aad});
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const size_t nl = ok.output.find('\n');
  ASSERT_NE(nl, std::string::npos) << ok.output;
  EXPECT_EQ(ok.output.substr(0, nl), "110101199003077777 张三");
  std::string node_box_hex = ok.output.substr(nl + 1);
  while (!node_box_hex.empty() && node_box_hex.back() == '\n') node_box_hex.pop_back();
  auto node_box = crypto::HexDecode(node_box_hex);
  ASSERT_TRUE(node_box) << ok.output;
  auto opened = key.Open(*node_box, aad);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, "110101199003077777 张三 (node)");

  // Node refuses a box with one ciphertext bit flipped, as we do.
  std::string tampered = box;
  tampered[crypto::kAeadNonceSize] = static_cast<char>(tampered[crypto::kAeadNonceSize] ^ 1);
  ToolRun bad = RunTool(
      {"node", "-e", kScript, crypto::HexEncode(key.bytes()), crypto::HexEncode(tampered), aad});
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("Unsupported state or unable to authenticate data"), std::string::npos)
      << bad.output;
}

}  // namespace
}  // namespace ow::testing
