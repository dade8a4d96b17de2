// The identity domain's keys: the sealing keys of personal data by version, and the
// index key from which the lookup, pairwise-identifier and CSRF keys are derived.
// Loaded from the configuration, or from a key file created on first start.
#ifndef OW_IDENTITY_KEYS_H_
#define OW_IDENTITY_KEYS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"
#include "crypto/aead.h"

namespace ow::identity {

// The keys of the identity domain. `data_keys` by version (the highest seals);
// `index_key` is 32 bytes from which purpose keys are derived by HMAC.
struct Keys {
  std::map<int64_t, crypto::AeadKey> data_keys;
  std::string index_key;
  // HMAC(index_key, purpose): separate keys for lookups, pairwise ids, CSRF tokens.
  std::string Derive(std::string_view purpose) const;
};

// Parses identity.data_keys / identity.index_key; when both are empty, reads
// `key_file` or creates it (mode 0600) with fresh random keys and says so in the log.
// Errors: kInvalidArgument naming the malformed setting; kUnavailable if the key file
// cannot be read or written.
Result<Keys> LoadKeys(const Config& config);

}  // namespace ow::identity

#endif  // OW_IDENTITY_KEYS_H_
