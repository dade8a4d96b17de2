#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

#include "crypto/random.h"

namespace ow::crypto {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

Error OpenSslError(std::string what) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) what += std::string(": ") + ERR_error_string(e, nullptr);
  return Internal(std::move(what));
}

unsigned char* U(std::string& s, size_t offset = 0) {
  return reinterpret_cast<unsigned char*>(s.data() + offset);
}
const unsigned char* U(std::string_view s, size_t offset = 0) {
  return reinterpret_cast<const unsigned char*>(s.data() + offset);
}

// EVP lengths are ints; keep every input well inside that range.
constexpr size_t kMaxInput = INT_MAX - 64;

}  // namespace

Result<AeadKey> AeadKey::FromBytes(std::string_view key) {
  if (key.size() != kAeadKeySize) {
    return InvalidArgument("AES-256-GCM key must be 32 bytes, got " + std::to_string(key.size()));
  }
  AeadKey k;
  std::copy(key.begin(), key.end(), reinterpret_cast<char*>(k.key_.data()));
  return k;
}

AeadKey AeadKey::Generate() {
  std::string bytes = RandomBytes(kAeadKeySize);
  AeadKey k = *FromBytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return k;
}

AeadKey::~AeadKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

Result<std::string> AeadKey::Seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > kMaxInput || aad.size() > kMaxInput) {
    return InvalidArgument("AES-256-GCM input too large");
  }
  std::string out = RandomBytes(kAeadNonceSize);
  out.resize(kAeadOverhead + plaintext.size());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  // The default GCM IV length is 12 bytes, which is what we pass.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), U(out)) != 1) {
    return OpenSslError("AES-256-GCM init");
  }
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-256-GCM aad");
  }
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), U(out, kAeadNonceSize), &len, U(plaintext),
                                              static_cast<int>(plaintext.size())) != 1) {
    return OpenSslError("AES-256-GCM encrypt");
  }
  // GCM is a stream mode: Final writes nothing, but it must run to compute the tag.
  if (EVP_EncryptFinal_ex(ctx.get(), U(out, kAeadNonceSize + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagSize),
                          U(out, kAeadNonceSize + plaintext.size())) != 1) {
    return OpenSslError("AES-256-GCM tag");
  }
  return out;
}

Result<std::string> AeadKey::Open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < kAeadOverhead || sealed.size() > kMaxInput || aad.size() > kMaxInput) {
    return Unauthenticated("sealed data does not authenticate");
  }
  const size_t text_size = sealed.size() - kAeadOverhead;
  // EVP_CTRL_GCM_SET_TAG wants a mutable pointer; hand it a copy.
  std::string tag(sealed.substr(kAeadNonceSize + text_size));
  std::string plain(text_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), U(sealed)) != 1) {
    return OpenSslError("AES-256-GCM init");
  }
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-256-GCM aad");
  }
  if (text_size > 0 && EVP_DecryptUpdate(ctx.get(), U(plain), &len, U(sealed, kAeadNonceSize),
                                         static_cast<int>(text_size)) != 1) {
    return OpenSslError("AES-256-GCM decrypt");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagSize),
                          U(tag)) != 1) {
    return OpenSslError("AES-256-GCM set tag");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), U(plain, text_size), &len) != 1) {
    ERR_clear_error();
    // Never release unauthenticated plaintext, not even through a string the caller drops.
    OPENSSL_cleanse(plain.data(), plain.size());
    return Unauthenticated("sealed data does not authenticate");
  }
  return plain;
}

}  // namespace ow::crypto
