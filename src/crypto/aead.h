// Authenticated encryption: AES-256-GCM with a random 96-bit nonce.
//
// A sealed box is `nonce (12 bytes) || ciphertext (as long as the plaintext) || tag
// (16 bytes)`, i.e. plaintext size + 28 bytes. The same format can be opened by any
// AES-256-GCM implementation (the interop test checks it against Node's crypto).
//
// Associated data (AAD) is authenticated but not encrypted and not stored in the box:
// bind every box to where it lives (e.g. "identity.resident.id_number:" + row id) so a
// ciphertext copied to another row or column fails to open.
//
// Nonces are random, so one key may seal at most 2^32 boxes (NIST SP 800-38D section
// 8.3); rotate keys long before that. The box does not name its key: store a key
// version beside it if keys will rotate.
//
// Thread safety: an AeadKey is immutable after construction; Seal and Open may be
// called concurrently on one key.
#ifndef OW_CRYPTO_AEAD_H_
#define OW_CRYPTO_AEAD_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// An AES-256 key. Copyable; the key bytes are wiped from memory on destruction.
class AeadKey {
 public:
  // kInvalidArgument unless `key` is exactly 32 bytes (raw bytes, not hex/base64).
  static Result<AeadKey> FromBytes(std::string_view key);
  // A fresh random key.
  static AeadKey Generate();

  AeadKey(const AeadKey&) = default;
  AeadKey& operator=(const AeadKey&) = default;
  ~AeadKey();

  // Encrypts `plaintext` under a fresh random nonce, authenticating `aad` too.
  // Errors: kInvalidArgument for inputs over 2 GiB; kInternal if OpenSSL fails.
  Result<std::string> Seal(std::string_view plaintext, std::string_view aad = {}) const;

  // Returns the plaintext of a box made by Seal with this key and the same `aad`.
  // Errors: kUnauthenticated for anything else: a different key or aad, or any
  // changed, truncated or extended byte of the box. No plaintext is released then.
  Result<std::string> Open(std::string_view sealed, std::string_view aad = {}) const;

  // The raw key bytes, for storing the key in a secret store. Handle with care.
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(key_.data()), key_.size()};
  }

 private:
  AeadKey() = default;
  std::array<unsigned char, kAeadKeySize> key_{};
};

}  // namespace ow::crypto

#endif  // OW_CRYPTO_AEAD_H_
