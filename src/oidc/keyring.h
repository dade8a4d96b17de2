// The provider's signing keys: one active ES256 and one active EdDSA key, and the
// retired ones still published for verification during the overlap period.
//
// Private keys are stored in oidc_keys as AES-256-GCM boxes under the identity data
// key (associated data "oidc_keys:" + kid). Rotation retires every active key and makes
// a new one per algorithm; a retired key keeps verifying and stays in the JWKS for
// `overlap` (longer than any token lives), so relying parties that cached the JWKS
// keep working. Several server processes sharing one database pick up a rotation at
// their next use of the ring: a rotation bumps the "oidc.keys" generation
// (db/shared_state.h) in its transaction, and every use compares it.
//
// Thread-safe: readers take a shared snapshot; Reload/Rotate replace it.
#ifndef OW_OIDC_KEYRING_H_
#define OW_OIDC_KEYRING_H_

#include <atomic>
#include <boost/json/array.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "crypto/keys.h"
#include "db/database.h"
#include "identity/service.h"

namespace ow::oidc {

class KeyRing {
 public:
  KeyRing(db::Database& db, const identity::Keys& keys, std::chrono::hours overlap);

  // Loads the keys, creating the first ones if there are none. Errors: kInternal when a
  // stored key cannot be opened (wrong data key).
  Status Init();
  // Retires the active keys and creates new ones.
  Status Rotate();
  // The active key for `alg` ("ES256" or "EdDSA").
  Result<crypto::SigningKey> Active(const std::string& alg);
  // A current or retired (within the overlap) key by kid.
  std::optional<crypto::SigningKey> Find(std::string_view kid);
  // {"keys": [...]} of every published key.
  boost::json::array PublicJwks();

 private:
  struct Snapshot {
    std::map<std::string, crypto::SigningKey> active;            // alg -> key
    std::map<std::string, crypto::SigningKey, std::less<>> all;  // kid -> key (published)
    std::chrono::steady_clock::time_point loaded;
    uint64_t generation = 0;
  };
  Status Reload();
  Status CreateKeys(db::Connection& c);
  std::shared_ptr<const Snapshot> Current();

  db::Database& db_;
  const identity::Keys& keys_;
  std::chrono::hours overlap_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::atomic<bool> reloading_{false};
};

}  // namespace ow::oidc

#endif  // OW_OIDC_KEYRING_H_
