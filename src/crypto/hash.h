// SHA-256, SM3, HMAC-SHA-256 and constant-time comparison.
//
// Digests and MACs are returned as raw bytes in a std::string (32 bytes); use
// HexEncode or Base64UrlEncode (crypto/encoding.h) to display or store them.
//
// Thread safety: the free functions may be called concurrently. A Sha256Hasher is a
// value owned by one thread at a time (no internal locking).
// Errors: none are returned. These operations fail only when OpenSSL cannot allocate
// memory; the process then aborts after logging to stderr rather than returning a
// digest that is not one.
#ifndef OW_CRYPTO_HASH_H_
#define OW_CRYPTO_HASH_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ow::crypto {

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kSm3Size = 32;

// The SHA-256 digest of `data` (FIPS 180-4).
std::string Sha256(std::string_view data);

// The SM3 digest of `data` (GB/T 32905-2016), China's national hash. This is the plain
// hash: an SM2 signature hashes SM3(Z_A || data) itself (crypto/sm2.h), so do not sign
// Sm3(data) expecting others to verify it as a signature of `data`.
std::string Sm3(std::string_view data);

// Incremental SHA-256 for input that arrives in pieces (uploads, files):
//
//   Sha256Hasher h;
//   while (...) h.Update(chunk);
//   std::string digest = h.Finish();
//
// Finish() returns the digest of everything passed to Update() since construction
// or the previous Finish(), and leaves the hasher empty and ready for reuse.
// Move-only; a moved-from hasher may only be destroyed or assigned to.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&& other) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&& other) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  std::string Finish();

 private:
  struct Ctx;  // wraps an EVP_MD_CTX, kept out of this header so only src/crypto sees OpenSSL
  std::unique_ptr<Ctx> ctx_;
};

// HMAC-SHA-256 (RFC 2104) of `data` under `key`. Any key length is accepted; keys
// for keyed lookups (e.g. blind indexes over encrypted columns) should be 32
// random bytes kept apart from the encryption key.
std::string HmacSha256(std::string_view key, std::string_view data);

// True when a and b are equal, in time that depends only on their lengths, never
// on where they differ. Unequal lengths return false at once: compare values of a
// fixed, public length (digests, MACs) so the length reveals nothing.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_HASH_H_
