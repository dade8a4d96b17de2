#include "crypto/sm2.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>

#include "crypto/openssl_internal.h"

namespace ow::crypto {
namespace {

using internal::BignumPtr;
using internal::BioPtr;
using internal::EcKind;
using internal::MdCtxPtr;
using internal::OpenSslError;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;

constexpr size_t kScalarSize = 32;

// The order n of the SM2 curve's base point (GB/T 32918.5-2017).
constexpr std::array<unsigned char, kScalarSize> kOrder = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23};

// 1 <= v < n for a 32-byte big-endian v. Signature values are public: no need for
// constant time.
bool InScalarRange(std::string_view v) {
  if (std::all_of(v.begin(), v.end(), [](char c) { return c == '\0'; })) return false;
  for (size_t i = 0; i < kScalarSize; ++i) {
    const auto byte = static_cast<unsigned char>(v[i]);
    if (byte != kOrder[i]) return byte < kOrder[i];
  }
  return false;  // v == n
}

// Reads one minimal DER INTEGER holding a positive value of at most 32 bytes from the
// front of `in` into a 32-byte big-endian `out`.
bool TakeDerInteger(std::string_view& in, std::string& out) {
  if (in.size() < 2 || in[0] != '\x02') return false;
  const auto len = static_cast<unsigned char>(in[1]);
  if (len == 0 || len > kScalarSize + 1 || in.size() < size_t{2} + len) return false;
  std::string_view v = in.substr(2, len);
  const auto first = static_cast<unsigned char>(v[0]);
  if ((first & 0x80) != 0) return false;  // negative
  if (first == 0 && v.size() > 1) {
    if ((static_cast<unsigned char>(v[1]) & 0x80) == 0) return false;  // superfluous zero
    v.remove_prefix(1);
  }
  if (v.size() > kScalarSize) return false;
  out.assign(kScalarSize - v.size(), '\0');
  out.append(v);
  in.remove_prefix(size_t{2} + len);
  return true;
}

std::string DerInteger(std::string_view big_endian) {
  size_t i = 0;
  while (i + 1 < big_endian.size() && big_endian[i] == '\0') ++i;
  std::string v(big_endian.substr(i));
  if ((static_cast<unsigned char>(v[0]) & 0x80) != 0) v.insert(v.begin(), '\0');
  return std::string{'\x02', static_cast<char>(v.size())} + v;
}

Result<std::string> PublicPointOf(const EVP_PKEY* pkey) {
  std::string point = "\x04";
  for (const char* name : {OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y}) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return OpenSslError("SM2 public key");
    BignumPtr bn(raw);
    std::string coordinate(kScalarSize, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(coordinate.data()), kScalarSize) !=
        static_cast<int>(kScalarSize)) {
      return OpenSslError("SM2 public key coordinate");
    }
    point += coordinate;
  }
  return point;
}

// What an Sm2Key derives once from its EVP_PKEY.
struct PublicParts {
  std::string pem;
  std::string point;
};

Result<PublicParts> Inspect(const EVP_PKEY* pkey) {
  OW_ASSIGN_OR_RETURN(EcKind kind, internal::ClassifyKey(pkey));
  if (kind != EcKind::kSm2) return InvalidArgument("not an SM2 key (a P-256 key)");
  PublicParts parts;
  OW_ASSIGN_OR_RETURN(parts.pem, internal::PublicKeyPem(pkey));
  OW_ASSIGN_OR_RETURN(parts.point, PublicPointOf(pkey));
  return parts;
}

}  // namespace

struct Sm2Key::Impl {
  Impl(PkeyPtr k, bool priv, PublicParts p)
      : pkey(std::move(k)), has_private(priv), parts(std::move(p)) {}
  PkeyPtr pkey;
  bool has_private;
  PublicParts parts;
};

Result<Sm2Key> Sm2Key::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) return OpenSslError("SM2 key generation setup");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) return OpenSslError("SM2 key generation");
  PkeyPtr pkey(raw);
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  return Sm2Key(std::make_shared<const Impl>(std::move(pkey), true, std::move(parts)));
}

Result<Sm2Key> Sm2Key::FromPrivatePem(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ReadPrivateKey(pem));
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  return Sm2Key(std::make_shared<const Impl>(std::move(pkey), true, std::move(parts)));
}

Result<Sm2Key> Sm2Key::FromPublicPem(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::ReadPublicKey(pem));
  OW_ASSIGN_OR_RETURN(PublicParts parts, Inspect(pkey.get()));
  return Sm2Key(std::make_shared<const Impl>(std::move(pkey), false, std::move(parts)));
}

bool Sm2Key::has_private_key() const { return impl_->has_private; }

Result<std::string> Sm2Key::PrivatePem() const {
  if (!impl_->has_private) return FailedPrecondition("verify-only key has no private part");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslError("writing private key PEM");
  }
  return internal::ReadBio(bio.get());
}

const std::string& Sm2Key::PublicPem() const { return impl_->parts.pem; }
const std::string& Sm2Key::PublicPoint() const { return impl_->parts.point; }

Result<std::string> Sm2Key::Sign(std::string_view data) const {
  if (!impl_->has_private) return FailedPrecondition("verify-only key cannot sign");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  OW_RETURN_IF_ERROR(internal::DigestInit(ctx.get(), impl_->pkey.get(), EcKind::kSm2, true));
  const int max_size = EVP_PKEY_get_size(impl_->pkey.get());
  if (max_size <= 0) return OpenSslError("signature size");
  std::string sig(static_cast<size_t>(max_size), '\0');
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     internal::U(data), data.size()) != 1) {
    return OpenSslError("SM2 signing");
  }
  sig.resize(len);
  return sig;
}

Status Sm2Key::Verify(std::string_view data, std::string_view der_signature) const {
  // OpenSSL is lenient about some encodings; one signature has one accepted form here.
  if (!Sm2SignatureToRaw(der_signature)) return Unauthenticated("malformed SM2 signature");
  if (!internal::DigestVerify(impl_->pkey.get(), EcKind::kSm2, data, der_signature)) {
    return Unauthenticated("SM2 signature does not verify");
  }
  return {};
}

Result<std::string> Sm2SignatureToRaw(std::string_view der) {
  // SEQUENCE of two INTEGERs of at most 33 bytes each: always a short-form length.
  if (der.size() < 2 || der[0] != '\x30' || static_cast<unsigned char>(der[1]) >= 0x80 ||
      static_cast<unsigned char>(der[1]) != der.size() - 2) {
    return InvalidArgument("SM2 signature: not one DER SEQUENCE");
  }
  std::string_view body = der.substr(2);
  std::string r;
  std::string s;
  if (!TakeDerInteger(body, r) || !TakeDerInteger(body, s) || !body.empty()) {
    return InvalidArgument("SM2 signature: not two minimal DER INTEGERs");
  }
  if (!InScalarRange(r) || !InScalarRange(s)) {
    return InvalidArgument("SM2 signature: r or s out of range");
  }
  return r + s;
}

Result<std::string> Sm2SignatureFromRaw(std::string_view raw) {
  if (raw.size() != kSm2RawSignatureSize) {
    return InvalidArgument("SM2 signature: r || s must be 64 bytes");
  }
  const std::string_view r = raw.substr(0, kScalarSize);
  const std::string_view s = raw.substr(kScalarSize);
  if (!InScalarRange(r) || !InScalarRange(s)) {
    return InvalidArgument("SM2 signature: r or s out of range");
  }
  const std::string body = DerInteger(r) + DerInteger(s);
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}

}  // namespace ow::crypto
