// Password hashing with argon2id (libsodium).
//
// Hashes are self-describing PHC strings such as
//   $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
// carrying the algorithm, parameters and a random 16-byte salt, so a stored hash
// stays verifiable after the defaults change. After a successful login, call
// NeedsRehash with the current parameters and, if true, store HashPassword(password).
//
// The default PasswordParams are OWASP's recommended minimum for argon2id
// (Password Storage Cheat Sheet): m = 19 MiB, t = 2, p = 1 (libsodium always uses one
// lane). Each hash or verify then takes tens of milliseconds and 19 MiB of memory:
// run them on the handler pool, never on an I/O thread, and bound their concurrency.
//
// Passwords are byte strings, compared exactly; normalize Unicode (if at all) before
// calling. Thread safety: all functions may be called concurrently; libsodium is
// initialized once, on first use, by whichever thread gets there first.
#ifndef OW_CRYPTO_PASSWORD_H_
#define OW_CRYPTO_PASSWORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::crypto {

struct PasswordParams {
  uint64_t ops_limit = 2;                       // argon2 t (passes)
  size_t mem_limit = size_t{19} * 1024 * 1024;  // argon2 m, in bytes (19 MiB = 19456 KiB)

  // OWASP's minimum; the default-constructed value.
  static PasswordParams Owasp() { return {}; }
  // libsodium's smallest allowed cost: for unit tests only, never for real passwords.
  static PasswordParams InsecureForTests() { return {1, size_t{8} * 1024}; }
};

// Returns a PHC string for `password` with a fresh random salt.
// Errors: kInvalidArgument for parameters outside libsodium's limits; kInternal if
// hashing fails (libsodium could not allocate mem_limit bytes) or cannot initialize.
Result<std::string> HashPassword(std::string_view password,
                                 const PasswordParams& params = PasswordParams::Owasp());

// OK when `password` matches the stored `hash` (made by HashPassword, with any
// parameters). Errors: kUnauthenticated for a wrong password; kInvalidArgument when
// `hash` is not an argon2id PHC string; kInternal if libsodium cannot initialize.
// A wrong password and an out-of-memory failure look the same to libsodium, so under
// memory pressure a right password can be reported as kUnauthenticated.
Status VerifyPassword(std::string_view hash, std::string_view password);

// True when `hash` was not made by argon2id with exactly `params` (including when it
// is not an argon2id string at all): the caller should rehash on next login.
bool NeedsRehash(std::string_view hash, const PasswordParams& params = PasswordParams::Owasp());

}  // namespace ow::crypto

#endif  // OW_CRYPTO_PASSWORD_H_
