#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace ow::crypto {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "ow::crypto: %s failed: %s\n", what,
               ERR_error_string(ERR_get_error(), nullptr));
  std::abort();
}

const unsigned char* Bytes(std::string_view s) {
  // OpenSSL treats a null pointer differently from an empty buffer in places (HMAC
  // with a null key means "reuse the previous key"); never hand it one.
  static constexpr unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

struct Sha256Hasher::Ctx {
  Ctx() : md(EVP_MD_CTX_new()) {
    if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) {
      Fatal("EVP_DigestInit_ex");
    }
  }
  ~Ctx() { EVP_MD_CTX_free(md); }
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;
  EVP_MD_CTX* md;
};

std::string Sha256(std::string_view data) {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (EVP_Digest(Bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 EVP_sha256(), nullptr) != 1 ||
      len != kSha256Size) {
    Fatal("EVP_Digest");
  }
  return out;
}

std::string Sm3(std::string_view data) {
  std::string out(kSm3Size, '\0');
  unsigned int len = 0;
  if (EVP_Digest(Bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 EVP_sm3(), nullptr) != 1 ||
      len != kSm3Size) {
    Fatal("EVP_Digest (SM3)");
  }
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(std::make_unique<Ctx>()) {}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_->md, Bytes(data), data.size()) != 1) Fatal("EVP_DigestUpdate");
}

std::string Sha256Hasher::Finish() {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != kSha256Size || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) {
    Fatal("EVP_DigestFinal_ex");
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  if (key.size() > INT_MAX) Fatal("HMAC (key longer than INT_MAX)");
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr ||
      len != kSha256Size) {
    Fatal("HMAC");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ow::crypto
