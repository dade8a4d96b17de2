// SQL of the OpenID Connect provider. Secrets reach this layer only hashed (client
// secrets, codes, refresh tokens) or sealed (private keys, trust client secrets).
#ifndef OW_OIDC_STORE_H_
#define OW_OIDC_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "oidc/model.h"

namespace ow::oidc {

// The shared generation of the client table (db/shared_state.h): bumped in every transaction
// that changes a client, compared per lookup on every node.
inline constexpr std::string_view kClientsGeneration = "oidc.clients";

std::vector<db::Migration> Migrations();

class Store {
 public:
  static Status InsertClient(db::Connection& c, const Client& client);
  static Result<std::vector<Client>> Clients(db::Connection& c);
  static Result<bool> SetClientDisabled(db::Connection& c, const std::string& id, bool disabled);

  static Status InsertKey(db::Connection& c, const StoredKey& k);
  static Result<std::vector<StoredKey>> Keys(db::Connection& c);
  static Status RetireKeys(db::Connection& c, const std::string& at);

  static Status InsertCode(db::Connection& c, const AuthCode& code);
  static Result<std::optional<AuthCode>> GetCode(db::Connection& c, const std::string& hash);
  // Marks the code used; false when it was used already (a replay).
  static Result<bool> UseCode(db::Connection& c, const std::string& hash, const std::string& at,
                              const std::string& grant_id);

  static Status InsertGrant(db::Connection& c, const Grant& g);
  static Result<std::optional<Grant>> GetGrant(db::Connection& c, const std::string& id);
  static Result<int64_t> RevokeGrant(db::Connection& c, const std::string& id,
                                     const std::string& at);
  // Revoke the grants, and delete the unredeemed codes, of an account or a session
  // (a logout: a code issued to the session must not become a grant afterwards).
  // Return the grants revoked.
  static Result<int64_t> RevokeGrantsOfAccount(db::Connection& c, const std::string& account,
                                               const std::string& at);
  static Result<int64_t> RevokeGrantsOfSession(db::Connection& c, const std::string& session,
                                               const std::string& at);

  static Status InsertRefresh(db::Connection& c, const std::string& hash,
                              const std::string& grant_id, const std::string& at,
                              const std::string& expires_at);
  struct Refresh {
    std::string grant_id, expires_at, used_at;
  };
  static Result<std::optional<Refresh>> GetRefresh(db::Connection& c, const std::string& hash);
  static Result<bool> UseRefresh(db::Connection& c, const std::string& hash, const std::string& at);

  static Status InsertTrust(db::Connection& c, const Trust& t);
  static Result<std::vector<Trust>> Trusts(db::Connection& c);
  static Result<bool> DeleteTrust(db::Connection& c, const std::string& name);

  struct FederationState {
    std::string state, trust, nonce, verifier, return_to, expires_at;
    std::string browser_hash;  // SHA-256 (base64url) of the browser cookie's nonce
    std::string account_id;    // a verification started by this account; "" for a login
  };
  static Status InsertState(db::Connection& c, const FederationState& s);
  // Reads and deletes (single use).
  static Result<std::optional<FederationState>> TakeState(db::Connection& c,
                                                          const std::string& state);
};

}  // namespace ow::oidc

#endif  // OW_OIDC_STORE_H_
