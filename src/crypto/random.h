// Cryptographically secure random bytes and tokens, from OpenSSL's DRBG.
//
// Thread safety: every function may be called concurrently from any thread.
// Errors: none are returned. If the generator fails (no entropy source, out of
// memory) the process aborts after logging to stderr: continuing with predictable
// "random" bytes would be worse than stopping.
#ifndef OW_CRYPTO_RANDOM_H_
#define OW_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

namespace ow::crypto {

// Returns n random bytes (n may be 0).
std::string RandomBytes(size_t n);

// Returns `bytes` random bytes encoded as base64url without padding: an opaque,
// URL- and header-safe secret (session ids, authorization codes, CSRF tokens).
// Use at least 16 bytes (128 bits) for anything an attacker might guess; 32 is the
// usual choice for bearer secrets.
std::string RandomToken(size_t bytes);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_RANDOM_H_
