#include "crypto/openssl_internal.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstring>

#include "crypto/sm2.h"

namespace ow::crypto::internal {

std::string TakeOpenSslErrors(std::string what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) what += std::string(": ") + ERR_error_string(e, nullptr);
  return what;
}

int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

Result<BioPtr> MemBio(std::string_view text) {
  if (text.size() > INT_MAX) return InvalidArgument("input too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  return bio;
}

Result<std::string> ReadBio(BIO* bio) {
  const size_t pending = BIO_ctrl_pending(bio);
  if (pending > INT_MAX) return Internal("output too large");
  std::string out(pending, '\0');
  if (pending > 0 &&
      BIO_read(bio, out.data(), static_cast<int>(pending)) != static_cast<int>(pending)) {
    return OpenSslError("reading a memory BIO");
  }
  return out;
}

Result<EcKind> ClassifyKey(const EVP_PKEY* pkey) {
  // OpenSSL 3.0 decodes a key on the SM2 curve as the distinct key type "SM2" (which
  // signs with SM2); an "EC" key would sign with ECDSA, so only the group name of a
  // genuine EC key is consulted.
  if (EVP_PKEY_is_a(pkey, "SM2") == 1) return EcKind::kSm2;
  if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &len) != 1) {
      ERR_clear_error();
      return InvalidArgument("EC key without a named curve");
    }
    if (std::strcmp(group.data(), "prime256v1") == 0 || std::strcmp(group.data(), "P-256") == 0) {
      return EcKind::kP256;
    }
    return InvalidArgument(std::string("unsupported EC curve ") + group.data() +
                           " (need SM2 or P-256)");
  }
  return InvalidArgument("unsupported key type (need SM2 or EC P-256)");
}

Status DigestInit(EVP_MD_CTX* ctx, EVP_PKEY* pkey, EcKind kind, bool sign) {
  const char* digest = kind == EcKind::kSm2 ? "SM3" : "SHA256";
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const int ok = sign
                     ? EVP_DigestSignInit_ex(ctx, &pctx, digest, nullptr, nullptr, pkey, nullptr)
                     : EVP_DigestVerifyInit_ex(ctx, &pctx, digest, nullptr, nullptr, pkey, nullptr);
  if (ok != 1) return OpenSslError(sign ? "signature setup" : "verification setup");
  // OpenSSL 3.0's default SM2 ID is empty. The ID must be set after the init call (the
  // provider computes Z_A lazily on the first update; passing it as an init parameter is
  // refused because the context is not ready for it yet), exactly as `openssl pkeyutl
  // -pkeyopt distid:` does.
  if (kind == EcKind::kSm2 &&
      EVP_PKEY_CTX_set1_id(pctx, kSm2DistinguishingId.data(),
                           static_cast<int>(kSm2DistinguishingId.size())) != 1) {
    return OpenSslError("setting the SM2 distinguishing ID");
  }
  return {};
}

bool DigestVerify(EVP_PKEY* pkey, EcKind kind, std::string_view data,
                  std::string_view der_signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !DigestInit(ctx.get(), pkey, kind, false)) {
    ERR_clear_error();
    return false;
  }
  const int ok =
      EVP_DigestVerify(ctx.get(), U(der_signature), der_signature.size(), U(data), data.size());
  if (ok != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

namespace {

Status CheckKey(EVP_PKEY* pkey, bool has_private) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return OpenSslError("EVP_PKEY_CTX_new_from_pkey");
  const int ok = has_private ? EVP_PKEY_check(ctx.get()) : EVP_PKEY_public_check(ctx.get());
  if (ok != 1) return InvalidArgument(TakeOpenSslErrors("key fails consistency check"));
  return {};
}

}  // namespace

Result<PkeyPtr> ReadPrivateKey(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, MemBio(pem));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) return InvalidArgument(TakeOpenSslErrors("not an unencrypted private key PEM"));
  OW_RETURN_IF_ERROR(CheckKey(pkey.get(), true));
  return pkey;
}

Result<PkeyPtr> ReadPublicKey(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, MemBio(pem));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) return InvalidArgument(TakeOpenSslErrors("not a public key PEM"));
  OW_RETURN_IF_ERROR(CheckKey(pkey.get(), false));
  return pkey;
}

Result<std::string> PublicKeyPem(const EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PUBKEY takes a non-const key but only reads it.
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), const_cast<EVP_PKEY*>(pkey)) != 1) {
    return OpenSslError("writing public key PEM");
  }
  return ReadBio(bio.get());
}

}  // namespace ow::crypto::internal
