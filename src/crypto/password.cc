#include "crypto/password.h"

#include <sodium.h>

#include <array>
#include <mutex>

namespace ow::crypto {
namespace {

bool SodiumReady() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = sodium_init() >= 0; });
  return ready;
}

// libsodium wants a NUL-terminated PHC string of bounded length.
Result<std::string> TerminatedHash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_argon2id_STRBYTES || hash.find('\0') != std::string_view::npos ||
      hash.substr(0, sizeof(crypto_pwhash_argon2id_STRPREFIX) - 1) !=
          crypto_pwhash_argon2id_STRPREFIX) {
    return InvalidArgument("not an argon2id password hash");
  }
  return std::string(hash);
}

// libsodium declares the password pointer nonnull, even for length 0.
const char* Chars(std::string_view s) { return s.empty() ? "" : s.data(); }

}  // namespace

Result<std::string> HashPassword(std::string_view password, const PasswordParams& params) {
  if (params.ops_limit < crypto_pwhash_argon2id_opslimit_min() ||
      params.ops_limit > crypto_pwhash_argon2id_opslimit_max() ||
      params.mem_limit < crypto_pwhash_argon2id_memlimit_min() ||
      params.mem_limit > crypto_pwhash_argon2id_memlimit_max()) {
    return InvalidArgument("argon2id parameters out of range");
  }
  if (password.size() > crypto_pwhash_argon2id_passwd_max()) {
    return InvalidArgument("password too long");
  }
  if (!SodiumReady()) return Internal("sodium_init failed");
  std::array<char, crypto_pwhash_argon2id_STRBYTES> out{};
  if (crypto_pwhash_argon2id_str(out.data(), Chars(password), password.size(), params.ops_limit,
                                 params.mem_limit) != 0) {
    return Internal("argon2id hashing failed (out of memory?)");
  }
  return std::string(out.data());
}

Status VerifyPassword(std::string_view hash, std::string_view password) {
  OW_ASSIGN_OR_RETURN(std::string stored, TerminatedHash(hash));
  if (!SodiumReady()) return Internal("sodium_init failed");
  // needs_rehash parses the whole string and answers -1 when it is malformed, which
  // verify would otherwise report the same way as a wrong password.
  if (crypto_pwhash_argon2id_str_needs_rehash(stored.c_str(), crypto_pwhash_argon2id_opslimit_min(),
                                              crypto_pwhash_argon2id_memlimit_min()) < 0) {
    return InvalidArgument("malformed argon2id password hash");
  }
  if (crypto_pwhash_argon2id_str_verify(stored.c_str(), Chars(password), password.size()) != 0) {
    return Unauthenticated("wrong password");
  }
  return {};
}

bool NeedsRehash(std::string_view hash, const PasswordParams& params) {
  auto stored = TerminatedHash(hash);
  if (!stored || !SodiumReady()) return true;
  return crypto_pwhash_argon2id_str_needs_rehash(stored->c_str(), params.ops_limit,
                                                 params.mem_limit) != 0;
}

}  // namespace ow::crypto
