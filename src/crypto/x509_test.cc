#include "crypto/x509.h"

#include <gtest/gtest.h>

#include <chrono>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/sm2.h"

namespace ow::crypto {

// Readable parameter names in test output (found by argument-dependent lookup).
inline void PrintTo(KeyKind kind, std::ostream* os) { *os << KeyKindName(kind); }

namespace {

using std::chrono::hours;
constexpr hours kDay{24};

// An Ed25519 certificate (openssl req -x509 -new -key ed25519.key -subj /CN=ed): well
// formed, but not a key kind of ours.
constexpr std::string_view kEd25519CertPem = R"(-----BEGIN CERTIFICATE-----
MIIBLjCB4aADAgECAhQRyZsxHIm2OlwnqAmxJFn0fJhkYDAFBgMrZXAwDTELMAkG
A1UEAwwCZWQwHhcNMjYxMjA2MDQyNDIyWhcNMzYxMjAzMDQyNDIyWjANMQswCQYD
VQQDDAJlZDAqMAUGAytlcAMhAOGVy+yY6tDq2V4sKi8F+scgipUH8I/bKcWRUQVY
3+TWo1MwUTAdBgNVHQ4EFgQUDoA/dWCsWuGLrDH57cY0AGmGDsIwHwYDVR0jBBgw
FoAUDoA/dWCsWuGLrDH57cY0AGmGDsIwDwYDVR0TAQH/BAUwAwEB/zAFBgMrZXAD
QQCxlCC0WCW9e9TtNLGiyuDmI5bY/yREOhW9syxPCvWAZ15c0C51lWxKnhMOZg8M
iLRPZ+f08skioymb/16lzA8G
-----END CERTIFICATE-----
)";

SystemTime T0() { return ParseTime("2026-01-01T00:00:00Z").value(); }

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair NewKey(KeyKind kind) {
  if (kind == KeyKind::kSm2) {
    const Sm2Key k = Sm2Key::Generate().value();
    return {k.PrivatePem().value(), k.PublicPem()};
  }
  const SigningKey k = SigningKey::Generate(Algorithm::kEs256).value();
  return {k.PrivatePem().value(), k.PublicPem()};
}

// DER -> PEM with the standard base64 alphabet, 64 characters a line.
std::string ToPem(std::string_view der, std::string_view label) {
  std::string b64 = Base64UrlEncode(der);
  for (auto& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b64.size() % 4) b64 += '=';
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END " + std::string(label) + "-----\n";
}

std::string PemToDer(std::string_view pem) {
  std::string b64;
  std::string_view body = pem.substr(pem.find('\n') + 1);
  body = body.substr(0, body.find("-----END"));
  for (char c : body) {
    if (c == '\n' || c == '=') continue;
    b64 += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return Base64UrlDecode(b64).value();
}

// One CA (root or intermediate): its key and certificate.
struct Ca {
  KeyPair key;
  std::string cert;
  Issuer issuer() const { return {cert, key.private_pem}; }
};

class X509Test : public ::testing::TestWithParam<KeyKind> {
 protected:
  static DistinguishedName Name(std::string cn) {
    return {std::move(cn), "某某市人民政府", "政务服务管理局", "CN"};
  }

  Ca NewRoot(std::string cn = "OneWindow Root CA", std::optional<int> path_length = {}) {
    Ca ca;
    ca.key = NewKey(GetParam());
    CertificateSpec spec{Name(std::move(cn)),
                         ca.key.public_pem,
                         T0() - kDay,
                         T0() + 3650 * kDay,
                         CertificateRole::kCertificateAuthority,
                         path_length};
    auto cert = IssueCertificate(spec, {"", ca.key.private_pem});
    EXPECT_TRUE(cert) << cert.error().message;
    ca.cert = cert ? *cert : std::string();
    return ca;
  }

  Ca NewIntermediate(const Ca& parent, std::string cn = "OneWindow Seal CA") {
    Ca ca;
    ca.key = NewKey(GetParam());
    CertificateSpec spec{Name(std::move(cn)),
                         ca.key.public_pem,
                         T0(),
                         T0() + 1825 * kDay,
                         CertificateRole::kCertificateAuthority,
                         std::nullopt};
    auto cert = IssueCertificate(spec, parent.issuer());
    EXPECT_TRUE(cert) << cert.error().message;
    ca.cert = cert ? *cert : std::string();
    return ca;
  }

  std::string NewSeal(const Ca& issuer, KeyPair* key_out = nullptr,
                      std::string cn = "市市场监督管理局电子印章", SystemTime from = T0(),
                      SystemTime to = T0() + 365 * kDay) {
    KeyPair key = NewKey(GetParam());
    CertificateSpec spec{Name(std::move(cn)),    key.public_pem, from, to,
                         CertificateRole::kSeal, std::nullopt};
    auto cert = IssueCertificate(spec, issuer.issuer());
    EXPECT_TRUE(cert) << cert.error().message;
    if (key_out != nullptr) *key_out = key;
    return cert ? *cert : std::string();
  }

  static SystemTime At() { return T0() + 30 * kDay; }
};

TEST_P(X509Test, IssuesAndParsesRootAndSeal) {
  const Ca root = NewRoot("OneWindow Root CA", 1);
  auto info = ParseCertificate(root.cert);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->subject, Name("OneWindow Root CA"));
  EXPECT_EQ(info->issuer, info->subject);
  EXPECT_TRUE(info->self_issued);
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->path_length, 1);
  EXPECT_EQ(info->key_kind, GetParam());
  EXPECT_EQ(info->signature_algorithm, SignatureAlgorithmName(GetParam()));
  EXPECT_EQ(info->not_before, T0() - kDay);
  EXPECT_EQ(info->not_after, T0() + 3650 * kDay);
  EXPECT_EQ(info->public_key_pem, root.key.public_pem);
  EXPECT_EQ(info->der, PemToDer(root.cert));
  EXPECT_EQ(info->sha256_fingerprint, HexEncode(Sha256(info->der)));
  // A positive 16-byte serial: 32 hex digits, the top bit clear.
  ASSERT_EQ(info->serial_hex.size(), 32u) << info->serial_hex;
  EXPECT_TRUE(std::string("4567").find(info->serial_hex[0]) != std::string::npos)
      << info->serial_hex;

  KeyPair seal_key;
  const std::string seal = NewSeal(root, &seal_key);
  auto seal_info = ParseCertificate(seal);
  ASSERT_TRUE(seal_info) << seal_info.error().message;
  EXPECT_EQ(seal_info->subject.common_name, "市市场监督管理局电子印章");
  EXPECT_EQ(seal_info->subject.organization, "某某市人民政府");
  EXPECT_EQ(seal_info->subject.country, "CN");
  EXPECT_EQ(seal_info->issuer, info->subject);
  EXPECT_FALSE(seal_info->self_issued);
  EXPECT_FALSE(seal_info->is_ca);
  EXPECT_FALSE(seal_info->path_length);
  EXPECT_EQ(seal_info->public_key_pem, seal_key.public_pem);
  EXPECT_NE(seal_info->serial_hex, info->serial_hex);
  EXPECT_NE(ParseCertificate(NewSeal(root)).value().serial_hex, seal_info->serial_hex);

  // A name with only a common name is fine; its fields read back empty.
  CertificateSpec bare{{"Bare", "", "", ""}, seal_key.public_pem,    T0(),
                       T0() + kDay,          CertificateRole::kSeal, std::nullopt};
  auto bare_cert = IssueCertificate(bare, root.issuer());
  ASSERT_TRUE(bare_cert) << bare_cert.error().message;
  EXPECT_EQ(ParseCertificate(*bare_cert).value().subject, bare.subject);
}

TEST_P(X509Test, VerifiesSealChains) {
  const Ca root = NewRoot();
  const std::string direct = NewSeal(root);
  EXPECT_TRUE(VerifyChain(direct, {}, root.cert, At()));

  const Ca inter = NewIntermediate(root);
  const std::string seal = NewSeal(inter);
  auto ok = VerifyChain(seal, {inter.cert}, root.cert, At());
  EXPECT_TRUE(ok) << ok.error().message;
  // Unneeded intermediates are ignored; order does not matter.
  const Ca other_inter = NewIntermediate(root, "Another CA");
  EXPECT_TRUE(VerifyChain(seal, {other_inter.cert, inter.cert}, root.cert, At()));
  // Validity at the edges: from not_before up to, not including, not_after (as OpenSSL
  // counts it).
  EXPECT_TRUE(VerifyChain(seal, {inter.cert}, root.cert, T0()));
  EXPECT_TRUE(
      VerifyChain(seal, {inter.cert}, root.cert, T0() + 365 * kDay - std::chrono::seconds(1)));
  EXPECT_FALSE(VerifyChain(seal, {inter.cert}, root.cert, T0() + 365 * kDay));
}

TEST_P(X509Test, RejectsExpiredAndNotYetValid) {
  const Ca root = NewRoot();
  const std::string seal = NewSeal(root);
  auto late = VerifyChain(seal, {}, root.cert, T0() + 365 * kDay);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Code::kUnauthenticated);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos) << late.error().message;

  auto early = VerifyChain(seal, {}, root.cert, T0() - std::chrono::seconds(1));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Code::kUnauthenticated);
  EXPECT_NE(early.error().message.find("not yet valid"), std::string::npos)
      << early.error().message;
}

TEST_P(X509Test, RejectsUnknownIssuerAndWrongRoot) {
  const Ca root = NewRoot();
  const Ca inter = NewIntermediate(root);
  const std::string seal = NewSeal(inter);
  // Another root with the very same name but its own key.
  const Ca impostor = NewRoot();
  auto wrong_root = VerifyChain(seal, {inter.cert}, impostor.cert, At());
  ASSERT_FALSE(wrong_root);
  EXPECT_EQ(wrong_root.error().code, Code::kUnauthenticated);
  EXPECT_NE(wrong_root.error().message.find("issuer"), std::string::npos)
      << wrong_root.error().message;

  auto missing = VerifyChain(seal, {}, root.cert, At());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kUnauthenticated);
  EXPECT_NE(missing.error().message.find("issuer"), std::string::npos) << missing.error().message;

  // The intermediate is no trust anchor: it is not self-signed.
  auto not_root = VerifyChain(seal, {}, inter.cert, At());
  ASSERT_FALSE(not_root);
  EXPECT_EQ(not_root.error().code, Code::kUnauthenticated);
}

TEST_P(X509Test, RejectsTamperedCertificates) {
  const Ca root = NewRoot();
  const std::string seal = NewSeal(root, nullptr, "Seal AAAA");
  std::string der = PemToDer(seal);
  const size_t at = der.find("Seal AAAA");
  ASSERT_NE(at, std::string::npos);
  der[at + 5] = 'B';
  const std::string tampered = ToPem(der, "CERTIFICATE");
  ASSERT_TRUE(ParseCertificate(tampered));  // still well-formed
  auto r = VerifyChain(tampered, {}, root.cert, At());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  EXPECT_NE(r.error().message.find("signature"), std::string::npos) << r.error().message;

  // A root whose own signature is broken (its serial number changed; nothing that links
  // the seal to it) is refused as a trust anchor.
  std::string root_der = PemToDer(root.cert);
  const std::string root_serial = HexDecode(ParseCertificate(root.cert).value().serial_hex).value();
  const size_t r_at = root_der.find(root_serial);
  ASSERT_NE(r_at, std::string::npos);
  root_der[r_at + 5] = static_cast<char>(root_der[r_at + 5] ^ 1);
  auto bad_root = VerifyChain(seal, {}, ToPem(root_der, "CERTIFICATE"), At());
  ASSERT_FALSE(bad_root);
  EXPECT_EQ(bad_root.error().code, Code::kUnauthenticated);
  EXPECT_NE(bad_root.error().message.find("signature"), std::string::npos)
      << bad_root.error().message;
}

TEST_P(X509Test, RejectsASealUsedAsCa) {
  const Ca root = NewRoot();
  KeyPair seal_key;
  const std::string seal = NewSeal(root, &seal_key, "Seal as CA");
  // IssueCertificate refuses a seal as issuer...
  auto refused = IssueCertificate({Name("victim"), NewKey(GetParam()).public_pem, T0(), T0() + kDay,
                                   CertificateRole::kSeal, std::nullopt},
                                  {seal, seal_key.private_pem});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kInvalidArgument);
  // ...so forge one: a self-signed CA certificate with the seal's name and key issues a
  // certificate whose issuer name and key identifier point at the seal.
  CertificateSpec forged_ca{Name("Seal as CA"),
                            seal_key.public_pem,
                            T0() - kDay,
                            T0() + 3650 * kDay,
                            CertificateRole::kCertificateAuthority,
                            std::nullopt};
  const std::string forger = IssueCertificate(forged_ca, {"", seal_key.private_pem}).value();
  const std::string leaf = NewSeal({seal_key, forger}, nullptr, "victim");
  auto r = VerifyChain(leaf, {seal}, root.cert, At());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  EXPECT_NE(r.error().message.find("invalid CA certificate"), std::string::npos)
      << r.error().message;

  // A CA certificate is not a seal.
  const Ca inter = NewIntermediate(root);
  auto ca_as_leaf = VerifyChain(inter.cert, {}, root.cert, At());
  ASSERT_FALSE(ca_as_leaf);
  EXPECT_EQ(ca_as_leaf.error().code, Code::kUnauthenticated);
  EXPECT_NE(ca_as_leaf.error().message.find("not a seal"), std::string::npos)
      << ca_as_leaf.error().message;
}

TEST_P(X509Test, EnforcesPathLength) {
  const Ca root = NewRoot("Root 0", 0);
  const Ca inter = NewIntermediate(root);
  const std::string seal = NewSeal(inter);
  auto r = VerifyChain(seal, {inter.cert}, root.cert, At());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  EXPECT_NE(r.error().message.find("path length"), std::string::npos) << r.error().message;
  EXPECT_TRUE(VerifyChain(NewSeal(root), {}, root.cert, At()));
}

TEST_P(X509Test, CrlRevokesASeal) {
  const Ca root = NewRoot();
  const Ca inter = NewIntermediate(root);
  const std::string seal = NewSeal(inter);
  const std::string other = NewSeal(inter);
  const std::string serial = ParseCertificate(seal).value().serial_hex;
  CrlSpec spec{{{serial, T0() + 10 * kDay, RevocationReason::kKeyCompromise}},
               T0() + 10 * kDay,
               T0() + 40 * kDay,
               7};
  auto crl = IssueCrl(inter.issuer(), spec);
  ASSERT_TRUE(crl) << crl.error().message;
  EXPECT_EQ(crl->rfind("-----BEGIN X509 CRL-----\n", 0), 0u);

  auto revoked = VerifyChain(seal, {inter.cert}, root.cert, At(), {*crl});
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, Code::kUnauthenticated);
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos) << revoked.error().message;
  EXPECT_NE(revoked.error().message.find("keyCompromise"), std::string::npos)
      << revoked.error().message;
  EXPECT_NE(revoked.error().message.find(serial), std::string::npos) << revoked.error().message;
  // Without the CRL the chain is fine; a seal the CRL does not list is fine with it.
  EXPECT_TRUE(VerifyChain(seal, {inter.cert}, root.cert, At()));
  auto other_ok = VerifyChain(other, {inter.cert}, root.cert, At(), {*crl});
  EXPECT_TRUE(other_ok) << other_ok.error().message;

  // The root's (empty) CRL applies to the intermediate, and then revokes it.
  const std::string root_crl = IssueCrl(root.issuer(), {{}, T0(), T0() + 40 * kDay, 1}).value();
  auto both = VerifyChain(other, {inter.cert}, root.cert, At(), {root_crl, *crl});
  EXPECT_TRUE(both) << both.error().message;
  const std::string inter_serial = ParseCertificate(inter.cert).value().serial_hex;
  const std::string root_crl2 =
      IssueCrl(root.issuer(),
               {{{inter_serial, T0(), RevocationReason::kCaCompromise}}, T0(), T0() + 40 * kDay, 2})
          .value();
  auto inter_revoked = VerifyChain(other, {inter.cert}, root.cert, At(), {root_crl2});
  ASSERT_FALSE(inter_revoked);
  EXPECT_NE(inter_revoked.error().message.find("revoked"), std::string::npos)
      << inter_revoked.error().message;
}

TEST_P(X509Test, RejectsBadCrls) {
  const Ca root = NewRoot();
  const std::string seal = NewSeal(root);
  const std::string serial = ParseCertificate(seal).value().serial_hex;
  const CrlSpec spec{{{serial, T0(), RevocationReason::kSuperseded}}, T0(), T0() + 40 * kDay, 3};
  const std::string crl = IssueCrl(root.issuer(), spec).value();

  // Out of date at `at`: expired (at next_update), or not yet issued.
  EXPECT_TRUE(
      VerifyChain(NewSeal(root), {}, root.cert, T0() + 40 * kDay - std::chrono::seconds(1), {crl}));
  auto stale = VerifyChain(seal, {}, root.cert, T0() + 40 * kDay, {crl});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Code::kUnauthenticated);
  EXPECT_NE(stale.error().message.find("CRL"), std::string::npos) << stale.error().message;
  const std::string future_crl =
      IssueCrl(root.issuer(), {{}, T0() + 40 * kDay, T0() + 80 * kDay, 4}).value();
  auto early = VerifyChain(seal, {}, root.cert, At(), {future_crl});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Code::kUnauthenticated);
  EXPECT_NE(early.error().message.find("not yet valid"), std::string::npos)
      << early.error().message;

  // A changed CRL body (the revoked serial's last byte): the signature fails, the seal
  // would otherwise pass as not revoked.
  std::string der = PemToDer(crl);
  const std::string serial_bytes = HexDecode(serial).value();
  const size_t pos = der.find(serial_bytes);
  ASSERT_NE(pos, std::string::npos);
  der[pos + serial_bytes.size() - 1] = static_cast<char>(der[pos + serial_bytes.size() - 1] ^ 1);
  auto tampered = VerifyChain(seal, {}, root.cert, At(), {ToPem(der, "X509 CRL")});
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, Code::kUnauthenticated);
  EXPECT_NE(tampered.error().message.find("signature"), std::string::npos)
      << tampered.error().message;

  // A CRL from another CA (even one named the same) does not apply to this chain.
  const Ca impostor = NewRoot();
  const std::string foreign = IssueCrl(impostor.issuer(), {{}, T0(), T0() + 40 * kDay, 1}).value();
  auto wrong = VerifyChain(seal, {}, root.cert, At(), {foreign});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Code::kUnauthenticated) << wrong.error().message;
  const Ca stranger = NewRoot("Stranger CA");
  auto outside =
      VerifyChain(seal, {}, root.cert, At(),
                  {IssueCrl(stranger.issuer(), {{}, T0(), T0() + 40 * kDay, 1}).value()});
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, Code::kInvalidArgument) << outside.error().message;

  // Malformed CRL text.
  for (const std::string& bad : {std::string(), std::string("garbage"), seal, crl + crl}) {
    auto r = VerifyChain(seal, {}, root.cert, At(), {bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << r.error().message;
  }
}

TEST_P(X509Test, IssueCrlValidatesItsInput) {
  const Ca root = NewRoot();
  KeyPair seal_key;
  const std::string seal = NewSeal(root, &seal_key);
  const SystemTime t = T0();
  const std::pair<CrlSpec, const char*> bad[] = {
      {{{{"zz", t, RevocationReason::kUnspecified}}, t, t + kDay, 1}, "not hex"},
      {{{{"00", t, RevocationReason::kUnspecified}}, t, t + kDay, 1}, "zero"},
      {{{{std::string(42, 'a'), t, RevocationReason::kUnspecified}}, t, t + kDay, 1}, "21 bytes"},
      {{{{"0a0b", t, RevocationReason::kUnspecified}, {"0A0B", t, RevocationReason::kSuperseded}},
        t,
        t + kDay,
        1},
       "the same serial twice"},
      {{{}, t, t, 1}, "next_update == this_update"},
  };
  for (const auto& [spec, what] : bad) {
    auto r = IssueCrl(root.issuer(), spec);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  const CrlSpec fine{{}, t, t + kDay, 1};
  EXPECT_EQ(IssueCrl({seal, seal_key.private_pem}, fine).error().code, Code::kInvalidArgument);
  EXPECT_EQ(IssueCrl({"", root.key.private_pem}, fine).error().code, Code::kInvalidArgument);
  EXPECT_TRUE(IssueCrl(root.issuer(), fine));
}

TEST_P(X509Test, IssueCertificateValidatesSpecAndIssuer) {
  const Ca root = NewRoot();
  const KeyPair key = NewKey(GetParam());
  const auto spec = [&](DistinguishedName dn) {
    return CertificateSpec{std::move(dn), key.public_pem,         T0(),
                           T0() + kDay,   CertificateRole::kSeal, std::nullopt};
  };
  const std::pair<CertificateSpec, const char*> bad_specs[] = {
      {spec({"", "O", "OU", "CN"}), "empty common name"},
      {spec({std::string(65, 'a'), "", "", ""}), "65-character common name"},
      {spec({"a", std::string(65, 'b'), "", ""}), "65-character organization"},
      {spec({"a", "", "", "cn"}), "lower-case country"},
      {spec({"a", "", "", "CHN"}), "three-letter country"},
      {spec({"bad \xff utf-8", "", "", ""}), "invalid UTF-8"},
      {spec({"line\nbreak", "", "", ""}), "control character"},
      {{{"a", "", "", ""}, key.public_pem, T0(), T0(), CertificateRole::kSeal, std::nullopt},
       "empty validity"},
      {{{"a", "", "", ""}, key.public_pem, T0(), T0() + kDay, CertificateRole::kSeal, 0},
       "path length on a seal"},
      {{{"a", "", "", ""},
        key.public_pem,
        T0(),
        T0() + kDay,
        CertificateRole::kCertificateAuthority,
        -1},
       "negative path length"},
      {{{"a", "", "", ""}, "", T0(), T0() + kDay, CertificateRole::kSeal, std::nullopt},
       "no public key"},
      {{{"a", "", "", ""},
        key.private_pem,
        T0(),
        T0() + kDay,
        CertificateRole::kSeal,
        std::nullopt},
       "private key as public key"},
      {{{"a", "", "", ""},
        key.public_pem,
        T0() - 2 * kDay,
        T0() + kDay,
        CertificateRole::kSeal,
        std::nullopt},
       "starts before the issuer"},
      {{{"a", "", "", ""},
        key.public_pem,
        T0(),
        T0() + 3651 * kDay,
        CertificateRole::kSeal,
        std::nullopt},
       "ends after the issuer"},
  };
  for (const auto& [s, what] : bad_specs) {
    auto r = IssueCertificate(s, root.issuer());
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  // A 64-character name of Chinese characters (192 bytes) is within the limit.
  std::string long_cn;
  for (int i = 0; i < 64; ++i) long_cn += "印";
  EXPECT_TRUE(IssueCertificate(spec({long_cn, "", "", ""}), root.issuer()));

  // Issuers that cannot issue.
  const Ca other = NewRoot("Other");
  const CertificateSpec good = spec({"a", "", "", ""});
  const std::pair<Issuer, const char*> bad_issuers[] = {
      {{root.cert, other.key.private_pem}, "key of another CA"},
      {{root.cert, ""}, "no key"},
      {{root.cert, root.key.public_pem}, "public key as private key"},
      {{"garbage", root.key.private_pem}, "garbage certificate"},
      {{"", key.private_pem}, "self-signed seal"},
  };
  for (const auto& [issuer, what] : bad_issuers) {
    auto r = IssueCertificate(good, issuer);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  // Self-signed, but the public key is not the signer's.
  auto foreign_key = IssueCertificate({{"root", "", "", ""},
                                       key.public_pem,
                                       T0(),
                                       T0() + kDay,
                                       CertificateRole::kCertificateAuthority,
                                       std::nullopt},
                                      {"", root.key.private_pem});
  ASSERT_FALSE(foreign_key);
  EXPECT_EQ(foreign_key.error().code, Code::kInvalidArgument);
}

TEST_P(X509Test, RefusesCrossKindIssuing) {
  const Ca root = NewRoot();
  const KeyKind other_kind = GetParam() == KeyKind::kSm2 ? KeyKind::kP256 : KeyKind::kSm2;
  const KeyPair foreign = NewKey(other_kind);
  auto r = IssueCertificate({{"cross", "", "", ""},
                             foreign.public_pem,
                             T0(),
                             T0() + kDay,
                             CertificateRole::kSeal,
                             std::nullopt},
                            root.issuer());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().message.find(std::string(KeyKindName(other_kind))), std::string::npos)
      << r.error().message;
}

TEST_P(X509Test, ParseCertificateIsStrict) {
  const Ca root = NewRoot();
  const std::string der = PemToDer(root.cert);
  const std::string crl = IssueCrl(root.issuer(), {{}, T0(), T0() + kDay, 1}).value();
  // The outer SEQUENCE's two-byte length written in three bytes: valid BER, not DER.
  ASSERT_EQ(static_cast<unsigned char>(der[1]), 0x82);
  const std::string ber = std::string("\x30\x83\x00", 3) + der.substr(2);
  const std::pair<std::string, const char*> bad[] = {
      {"", "empty"},
      {"garbage", "garbage"},
      {root.cert + root.cert, "two certificates"},
      {root.cert + "trailing text\n", "trailing text"},
      {"junk\n" + root.cert, "leading text"},
      {crl, "a CRL"},
      {root.key.private_pem, "a private key"},
      {root.cert.substr(0, root.cert.size() / 2), "truncated"},
      {ToPem(der + std::string(1, '\0'), "CERTIFICATE"), "trailing byte after the DER"},
      {ToPem(ber, "CERTIFICATE"), "BER length"},
      {ToPem(der.substr(0, der.size() - 1), "CERTIFICATE"), "DER cut short"},
      {std::string(kEd25519CertPem), "Ed25519 key"},
  };
  for (const auto& [pem, what] : bad) {
    auto r = ParseCertificate(pem);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << what << ": " << r.error().message;
  }
  // Whitespace around the block is fine.
  EXPECT_TRUE(ParseCertificate("\n  " + root.cert + "\n\n"));
  // VerifyChain reports malformed input as such, not as a failed verification.
  auto r = VerifyChain("garbage", {}, root.cert, At());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Kinds, X509Test, ::testing::Values(KeyKind::kSm2, KeyKind::kP256),
                         [](const ::testing::TestParamInfo<KeyKind>& p) {
                           return p.param == KeyKind::kSm2 ? std::string("SM2")
                                                           : std::string("P256");
                         });

TEST(X509, NamesOfKindsAndAlgorithms) {
  EXPECT_EQ(KeyKindName(KeyKind::kSm2), "SM2");
  EXPECT_EQ(KeyKindName(KeyKind::kP256), "P-256");
  EXPECT_EQ(SignatureAlgorithmName(KeyKind::kSm2), "SM2-with-SM3");
  EXPECT_EQ(SignatureAlgorithmName(KeyKind::kP256), "ecdsa-with-SHA256");
}

}  // namespace
}  // namespace ow::crypto
