// OpenSSL plumbing shared by the SM2 and X.509 code of src/crypto: owning pointers,
// error-queue handling, memory BIOs, and the one place that prepares an SM2 signing or
// verifying context with its distinguishing ID.
//
// Internal to src/crypto (the include rule keeps *_internal.h out of other folders):
// it includes OpenSSL headers, which nothing outside ow_crypto may see.
#ifndef OW_CRYPTO_OPENSSL_INTERNAL_H_
#define OW_CRYPTO_OPENSSL_INTERNAL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace ow::crypto::internal {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;

inline const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Takes (and clears) the OpenSSL error queue into a message, so a failure in one call
// never shows up as the reason for a later one on the same thread.
std::string TakeOpenSslErrors(std::string what);
inline Error OpenSslError(std::string what) { return Internal(TakeOpenSslErrors(std::move(what))); }

// Never prompts on a terminal for a passphrase (the default callback would).
int NoPassphrase(char* buf, int size, int rwflag, void* u);

// A read-only memory BIO over `text` (which must outlive it).
Result<BioPtr> MemBio(std::string_view text);
// Everything still readable from a memory BIO.
Result<std::string> ReadBio(BIO* bio);

// The kinds of key this folder signs with outside JOSE.
enum class EcKind { kSm2, kP256 };
// SM2 (an "SM2" key, curve 1.2.156.10197.1.301) or P-256; kInvalidArgument for
// anything else (other curves, RSA, Ed25519, an EC key on the SM2 curve that OpenSSL
// did not load as SM2).
Result<EcKind> ClassifyKey(const EVP_PKEY* pkey);

// Prepares `ctx` to sign (or verify) with `pkey`: SM2 with SM3 and the distinguishing ID
// of crypto/sm2.h (kSm2DistinguishingId), or ECDSA with SHA-256. The context can then
// be used with EVP_DigestSign/EVP_DigestVerify or X509_sign_ctx/X509_CRL_sign_ctx.
Status DigestInit(EVP_MD_CTX* ctx, EVP_PKEY* pkey, EcKind kind, bool sign);

// True when `der_signature` is a valid signature of `data` under `pkey` (as DigestInit
// sets it up). Clears the error queue on failure.
bool DigestVerify(EVP_PKEY* pkey, EcKind kind, std::string_view data,
                  std::string_view der_signature);

// Reads one private key (PKCS#8 or SEC 1, unencrypted) or one SubjectPublicKeyInfo
// from PEM. kInvalidArgument when the text is not one.
Result<PkeyPtr> ReadPrivateKey(std::string_view pem);
Result<PkeyPtr> ReadPublicKey(std::string_view pem);
// The SubjectPublicKeyInfo PEM of `pkey`.
Result<std::string> PublicKeyPem(const EVP_PKEY* pkey);

}  // namespace ow::crypto::internal

#endif  // OW_CRYPTO_OPENSSL_INTERNAL_H_
