#include "crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/openssl_internal.h"

namespace ow::crypto {
namespace {

using internal::BignumPtr;
using internal::BioPtr;
using internal::Deleter;
using internal::MdCtxPtr;
using internal::NoPassphrase;
using internal::OpenSslError;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;
using internal::ReadBio;
using internal::TakeOpenSslErrors;
using internal::U;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

constexpr int kP256FieldSize = 32;
constexpr size_t kEs256SignatureSize = size_t{2} * kP256FieldSize;
constexpr size_t kEd25519KeySize = 32;
constexpr size_t kEd25519SignatureSize = 64;

Result<BioPtr> BioFrom(std::string_view pem) { return internal::MemBio(pem); }

// What a SigningKey derives once from its EVP_PKEY.
struct PublicParts {
  Algorithm alg = Algorithm::kEs256;
  std::string x;  // base64url
  std::string y;  // base64url, ES256 only
  std::string kid;
  std::string public_pem;
};

Result<std::string> EcCoordinate(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return OpenSslError("EC public key");
  BignumPtr bn(raw);
  std::string out(kP256FieldSize, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), kP256FieldSize) !=
      kP256FieldSize) {
    return OpenSslError("EC public key coordinate");
  }
  return Base64UrlEncode(out);
}

Result<PublicParts> Inspect(const EVP_PKEY* pkey) {
  PublicParts parts;
  std::string canonical;  // RFC 7638: required members only, sorted, no whitespace
  if (EVP_PKEY_is_a(pkey, "ED25519") == 1) {
    parts.alg = Algorithm::kEdDsa;
    std::string pub(kEd25519KeySize, '\0');
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(pub.data()), &len) !=
            1 ||
        len != kEd25519KeySize) {
      return OpenSslError("Ed25519 public key");
    }
    parts.x = Base64UrlEncode(pub);
    canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + parts.x + R"("})";
  } else if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &len) != 1) {
      ERR_clear_error();
      return InvalidArgument("EC key without a named curve");
    }
    // OpenSSL reports P-256 by its SEC/X9.62 short name.
    if (std::strcmp(group.data(), "prime256v1") != 0 && std::strcmp(group.data(), "P-256") != 0) {
      return InvalidArgument(std::string("unsupported EC curve ") + group.data() +
                             " (ES256 needs P-256)");
    }
    parts.alg = Algorithm::kEs256;
    OW_ASSIGN_OR_RETURN(parts.x, EcCoordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_X));
    OW_ASSIGN_OR_RETURN(parts.y, EcCoordinate(pkey, OSSL_PKEY_PARAM_EC_PUB_Y));
    canonical = R"({"crv":"P-256","kty":"EC","x":")" + parts.x + R"(","y":")" + parts.y + R"("})";
  } else {
    return InvalidArgument("unsupported key type (need EC P-256 or Ed25519)");
  }
  parts.kid = Base64UrlEncode(Sha256(canonical));
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PUBKEY takes a non-const key but only reads it.
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), const_cast<EVP_PKEY*>(pkey)) != 1) {
    return OpenSslError("writing public key PEM");
  }
  OW_ASSIGN_OR_RETURN(parts.public_pem, ReadBio(bio.get()));
  return parts;
}

Status CheckKey(EVP_PKEY* pkey, bool has_private) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return OpenSslError("EVP_PKEY_CTX_new_from_pkey");
  const int ok = has_private ? EVP_PKEY_check(ctx.get()) : EVP_PKEY_public_check(ctx.get());
  if (ok != 1) return InvalidArgument(TakeOpenSslErrors("key fails consistency check"));
  return {};
}

const char* DigestName(Algorithm alg) { return alg == Algorithm::kEs256 ? "SHA256" : nullptr; }

// OpenSSL produces and expects DER ECDSA-Sig-Value; JOSE uses fixed-width r || s.
Result<std::string> DerToRaw(const std::string& der) {
  const unsigned char* p = U(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OpenSslError("decoding ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(kEs256SignatureSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kP256FieldSize) != kP256FieldSize ||
      BN_bn2binpad(s, out + kP256FieldSize, kP256FieldSize) != kP256FieldSize) {
    return OpenSslError("encoding ECDSA signature");
  }
  return raw;
}

Result<std::string> RawToDer(std::string_view raw) {
  BignumPtr r(BN_bin2bn(U(raw), kP256FieldSize, nullptr));
  BignumPtr s(BN_bin2bn(U(raw) + kP256FieldSize, kP256FieldSize, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslError("building ECDSA signature");
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OpenSslError("encoding ECDSA signature");
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return OpenSslError("encoding ECDSA signature");
  return der;
}

}  // namespace

struct SigningKey::Impl {
  Impl(PkeyPtr k, bool priv, PublicParts p)
      : pkey(std::move(k)), has_private(priv), parts(std::move(p)) {}
  PkeyPtr pkey;
  bool has_private;
  PublicParts parts;
};

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return "ES256";
    case Algorithm::kEdDsa:
      return "EdDSA";
  }
  return "?";
}

Result<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name == "ES256") return Algorithm::kEs256;
  if (name == "EdDSA") return Algorithm::kEdDsa;
  return InvalidArgument("unsupported JOSE algorithm \"" + std::string(name) + "\"");
}

Result<SigningKey> SigningKey::Generate(Algorithm alg) {
  PkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, alg == Algorithm::kEs256 ? "EC" : "ED25519", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      (alg == Algorithm::kEs256 && EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1)) {
    return OpenSslError("key generation setup");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) return OpenSslError("key generation");
  PkeyPtr pkey(raw);
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  return SigningKey(std::make_shared<const Impl>(std::move(pkey), true, std::move(parts)));
}

Result<SigningKey> SigningKey::FromPrivatePem(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, BioFrom(pem));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) return InvalidArgument(TakeOpenSslErrors("not an unencrypted private key PEM"));
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  OW_RETURN_IF_ERROR(CheckKey(pkey.get(), true));
  return SigningKey(std::make_shared<const Impl>(std::move(pkey), true, std::move(parts)));
}

Result<SigningKey> SigningKey::FromPublicPem(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, BioFrom(pem));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) return InvalidArgument(TakeOpenSslErrors("not a public key PEM"));
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  OW_RETURN_IF_ERROR(CheckKey(pkey.get(), false));
  return SigningKey(std::make_shared<const Impl>(std::move(pkey), false, std::move(parts)));
}

Result<SigningKey> SigningKey::FromPublicJwk(const boost::json::object& jwk) {
  auto str = [&](const char* k) -> std::string {
    auto* v = jwk.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  std::string kty = str("kty"), crv = str("crv"), alg = str("alg");
  // SubjectPublicKeyInfo DER prefixes (RFC 5480 for P-256 uncompressed points, RFC 8410
  // for Ed25519), followed by the raw public key.
  std::string der;
  if (kty == "EC" && crv == "P-256" && (alg.empty() || alg == "ES256")) {
    auto x = Base64UrlDecode(str("x"));
    auto y = Base64UrlDecode(str("y"));
    if (!x || !y || x->size() != 32 || y->size() != 32)
      return InvalidArgument("JWK: x and y must be 32-byte base64url coordinates");
    static const unsigned char kPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
    der.assign(reinterpret_cast<const char*>(kPrefix), sizeof kPrefix);
    der += *x + *y;
  } else if (kty == "OKP" && crv == "Ed25519" && (alg.empty() || alg == "EdDSA")) {
    auto x = Base64UrlDecode(str("x"));
    if (!x || x->size() != 32) return InvalidArgument("JWK: x must be a 32-byte base64url key");
    static const unsigned char kPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                            0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    der.assign(reinterpret_cast<const char*>(kPrefix), sizeof kPrefix);
    der += *x;
  } else {
    return InvalidArgument("JWK: only EC P-256 (ES256) and OKP Ed25519 (EdDSA) keys are supported");
  }
  std::string b64 = Base64UrlEncode(der);
  for (auto& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b64.size() % 4) b64 += '=';
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END PUBLIC KEY-----\n";
  return FromPublicPem(pem);
}

Algorithm SigningKey::algorithm() const { return impl_->parts.alg; }
bool SigningKey::has_private_key() const { return impl_->has_private; }
const std::string& SigningKey::kid() const { return impl_->parts.kid; }

Result<std::string> SigningKey::PrivatePem() const {
  if (!impl_->has_private) return FailedPrecondition("verify-only key has no private part");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslError("writing private key PEM");
  }
  return ReadBio(bio.get());
}

const std::string& SigningKey::PublicPem() const { return impl_->parts.public_pem; }

boost::json::object SigningKey::PublicJwk() const {
  const PublicParts& p = impl_->parts;
  boost::json::object jwk;
  if (p.alg == Algorithm::kEs256) {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = p.x;
    jwk["y"] = p.y;
  } else {
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = p.x;
  }
  jwk["kid"] = p.kid;
  jwk["alg"] = AlgorithmName(p.alg);
  jwk["use"] = "sig";
  return jwk;
}

Result<std::string> SigningKey::Sign(std::string_view data) const {
  if (!impl_->has_private) return FailedPrecondition("verify-only key cannot sign");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, DigestName(impl_->parts.alg), nullptr,
                                    nullptr, impl_->pkey.get(), nullptr) != 1) {
    return OpenSslError("signature setup");
  }
  const int max_size = EVP_PKEY_get_size(impl_->pkey.get());
  if (max_size <= 0) return OpenSslError("signature size");
  std::string sig(static_cast<size_t>(max_size), '\0');
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, U(data),
                     data.size()) != 1) {
    return OpenSslError("signing");
  }
  sig.resize(len);
  if (impl_->parts.alg == Algorithm::kEs256) return DerToRaw(sig);
  return sig;
}

Status SigningKey::Verify(std::string_view data, std::string_view signature) const {
  const Algorithm alg = impl_->parts.alg;
  const size_t want = alg == Algorithm::kEs256 ? kEs256SignatureSize : kEd25519SignatureSize;
  if (signature.size() != want) return Unauthenticated("signature has the wrong length");
  std::string der;
  if (alg == Algorithm::kEs256) {
    OW_ASSIGN_OR_RETURN(der, RawToDer(signature));
    signature = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, DigestName(alg), nullptr, nullptr,
                                      impl_->pkey.get(), nullptr) != 1) {
    return OpenSslError("verification setup");
  }
  const int ok = EVP_DigestVerify(ctx.get(), U(signature), signature.size(), U(data), data.size());
  if (ok != 1) {
    ERR_clear_error();
    return Unauthenticated("signature does not verify");
  }
  return {};
}

}  // namespace ow::crypto
