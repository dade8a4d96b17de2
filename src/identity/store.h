// SQL for the identity domain. Used only by identity::Service and oidc (through
// Service). Resident ID numbers reach this layer only sealed (AES-256-GCM box) and
// as a keyed hash; Store never sees a key.
#ifndef OW_IDENTITY_STORE_H_
#define OW_IDENTITY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "identity/model.h"

namespace ow::identity {

std::vector<db::Migration> Migrations();

// An account as stored, with the secrets Account never carries.
struct AccountRow {
  Account account;
  std::string password_hash;
  std::string resident_id_box;  // base64url AES-GCM box, "" when none
  int64_t resident_id_key = 0;  // version of the data key that sealed it
  // base64url HMAC-SHA-256 of the number the account claims, "" when none. Stored as
  // resident_id_claim; copied to the unique resident_id_hmac when the claim is proven.
  std::string resident_id_hmac;
  std::string verified_by;  // who proved it: staff username, "realname:<ref>", "trust:<name>"
};

struct SessionRow {
  Session session;
  std::string secret_hash;  // base64url SHA-256 of the cookie secret
};

// A session with its account (and the account's roles in account.roles); no account
// when it no longer exists.
struct SessionWithAccount {
  SessionRow session;
  std::optional<AccountRow> account;
};

class Store {
 public:
  // Inserts an unverified account (level 1; the resident ID only claimed).
  // kAlreadyExists when the username is taken.
  static Status InsertAccount(db::Connection& c, const AccountRow& a);
  static Result<std::optional<AccountRow>> GetAccount(db::Connection& c, const std::string& id);
  // The account with its roles (account.roles) in one statement.
  static Result<std::optional<AccountRow>> GetAccountWithRoles(db::Connection& c,
                                                               const std::string& id);
  static Result<std::optional<AccountRow>> FindByUsername(db::Connection& c,
                                                          const std::string& username);
  // The account that proved the resident ID number with this keyed hash (at most one).
  static Result<std::optional<AccountRow>> FindVerifiedByResident(db::Connection& c,
                                                                  const std::string& hmac);
  // Every account claiming the number (verified or not, any status), oldest first.
  static Result<std::vector<AccountRow>> FindClaims(db::Connection& c, const std::string& hmac);
  // Raises the account to `level` and makes it the holder of the number it claims.
  // kAlreadyExists when another account holds the number (the unique index);
  // kFailedPrecondition when the account has no number or is at `level` already.
  static Status SetVerified(db::Connection& c, const std::string& id, int level,
                            const std::string& at, const std::string& by,
                            const std::string& method);
  // Adds one to the account's failed logins (atomically) and returns the new count.
  // Freezes a claimant of a number another account proved: status frozen, level 1, no
  // longer the number's holder.
  static Status Freeze(db::Connection& c, const std::string& id);
  static Result<int64_t> CountFailedLogin(db::Connection& c, const std::string& id);
  static Status SetLoginState(db::Connection& c, const std::string& id, int64_t failed,
                              const std::string& locked_until, const std::string& last_login_at);
  static Status SetPasswordHash(db::Connection& c, const std::string& id, const std::string& hash);
  static Result<bool> SetStatus(db::Connection& c, const std::string& id,
                                const std::string& status);
  static Result<std::vector<Account>> ListStaff(db::Connection& c, const std::string& after,
                                                int limit);

  static Result<std::vector<Role>> Roles(db::Connection& c, const std::string& account_id);
  // kAlreadyExists when held already, or when it is a second administrator duty (the
  // database enforces one duty per account with a partial unique index).
  static Status GrantRole(db::Connection& c, const std::string& account_id, const Role& r);
  static Result<bool> RevokeRole(db::Connection& c, const std::string& account_id, const Role& r);

  static Status InsertSession(db::Connection& c, const SessionRow& s);
  static Result<std::optional<SessionRow>> GetSession(db::Connection& c, const std::string& id);
  // GetSession and the account's GetAccountWithRoles in one statement.
  static Result<std::optional<SessionWithAccount>> GetSessionWithAccount(db::Connection& c,
                                                                         const std::string& id);
  static Status TouchSession(db::Connection& c, const std::string& id, const std::string& at);
  static Result<int64_t> DeleteSession(db::Connection& c, const std::string& id);
  static Result<int64_t> DeleteSessionsOf(db::Connection& c, const std::string& account_id);
  static Result<std::vector<Session>> SessionsOf(db::Connection& c, const std::string& account_id);

  static Status InsertAgent(db::Connection& c, const AgentAuthorization& a);
  static Result<std::vector<AgentAuthorization>> AgentsOf(db::Connection& c,
                                                          const std::string& principal_account);
  // Live (not revoked, not expired at `now`) authorizations of `agent` for `principal`.
  static Result<std::vector<AgentAuthorization>> LiveAgent(db::Connection& c,
                                                           const std::string& agent,
                                                           const std::string& principal,
                                                           const std::string& now);
  static Result<bool> RevokeAgent(db::Connection& c, const std::string& id,
                                  const std::string& principal, const std::string& at);

  static Status InsertEnterprise(db::Connection& c, const Enterprise& e);
  static Result<std::optional<Enterprise>> GetEnterprise(db::Connection& c,
                                                         const std::string& credit_code);
  static Status UpsertOperator(db::Connection& c, const Operator& o);
  static Result<std::vector<Operator>> Operators(db::Connection& c, const std::string& credit_code);
  static Result<std::optional<Operator>> OperatorOf(db::Connection& c,
                                                    const std::string& credit_code,
                                                    const std::string& account_id);
  static Result<std::vector<Operator>> EnterprisesOf(db::Connection& c,
                                                     const std::string& account_id);
  static Result<bool> DeleteOperator(db::Connection& c, const std::string& credit_code,
                                     const std::string& account_id);
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_STORE_H_
