// The identity domain: accounts (persons, staff, enterprises and their operators,
// agent authorizations), passwords and login throttling, portal sessions with CSRF
// protection, and roles. Other domains call only this header (and authz.h).
//
// Personal data: a resident ID number is sealed with AES-256-GCM under the newest data
// key (the box is bound to its account id as associated data) and found through an
// HMAC-SHA-256 of the number under the index key; responses and logs only ever carry
// MaskResidentId(). Passwords are argon2id at OWASP's parameters, at most
// `password_concurrency` hashes at once.
//
// Thread safety: all methods may be called concurrently.
#ifndef OW_IDENTITY_SERVICE_H_
#define OW_IDENTITY_SERVICE_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "authz/authz.h"
#include "core/config.h"
#include "core/error.h"
#include "crypto/aead.h"
#include "db/database.h"
#include "departments/service.h"
#include "identity/keys.h"
#include "identity/model.h"
#include "identity/throttle.h"

namespace ow::identity {

struct AccountRow;

// Called for every audit-worthy event (login, failure, lockout, role change, session
// end). `fields` hold the event's details; personal data is already masked.
struct AuditEvent {
  std::string action;  // "login.succeeded", "login.failed", "account.locked", ...
  std::string actor;
  std::string subject;
  std::string outcome;  // "success", "failure", "denied"
  std::string ip;
  std::map<std::string, std::string> detail;
};
using AuditSink = std::function<Status(db::Connection*, const AuditEvent&)>;

struct RegisterInput {
  std::string username, password, real_name, resident_id, phone;
  // Staff only:
  std::string department_code, region_code;
};

struct LoginInput {
  std::string username, password, ip, user_agent;
};

struct LoginResult {
  Account account;
  Session session;
  std::string cookie_value;  // "<session id>.<secret>": only in the Set-Cookie header
  std::string csrf_token;
};

struct RoleInput {
  std::string role, department_code, region_code;
};

class Service {
 public:
  Service(db::Database& db, departments::Service& departments, Keys keys, const Config& config);
  ~Service();

  void SetAuditSink(AuditSink sink) { audit_ = std::move(sink); }
  const Keys& keys() const { return keys_; }

  // Self-registration of a natural person from client address `ip`, unverified (level
  // 1: the number is only claimed). Field errors for every invalid input (username,
  // password policy, real name, resident ID checksum); kAlreadyExists when the username
  // is taken (usernames are public handles); kResourceExhausted (with retry_after) past
  // `registration_ip_limit` attempts from `ip` in an hour. A number merely claimed by
  // other unverified accounts may be registered again (an impostor who came first must
  // not block the owner); proving it later freezes the other claimants (see
  // VerifyAtCounter). A number a VERIFIED account holds is not revealed: the answer is
  // an account exactly like a new one, which is not stored (so it cannot sign in); the
  // attempt is audited ("account.registration_concealed") against the existing account.
  Result<Account> RegisterPerson(const RegisterInput& in, const std::string& ip = "");
  // A staff account, created by a system administrator (`by`).
  Result<Account> CreateStaff(const Principal& by, const RegisterInput& in);
  Result<std::vector<Account>> ListStaff(const Principal& by, const std::string& after, int limit);
  Status SetAccountStatus(const Principal& by, const std::string& id, bool active);

  // Checks the password. Errors (none tells whether the username exists):
  //  - kResourceExhausted (retry_after, also named in the message) when the client IP
  //    has failed `ip_failure_limit` times in ten minutes, or when this username has
  //    failed `lockout_threshold` times from this IP within `lockout_minutes`. The
  //    second limit is per (username, IP) pair, for known and unknown usernames alike,
  //    so a guesser elsewhere cannot lock the owner out; it is checked before the
  //    password, so a throttled pair learns nothing from a right guess either;
  //  - kUnauthenticated "wrong username or password" for an unknown username, a wrong
  //    password, and a disabled account (whatever the password): one status, one
  //    message, one argon2id verification each, no attempts-left count.
  Result<LoginResult> Login(const LoginInput& in);
  // Creates a session for an account authenticated elsewhere (a trusted peer
  // platform); `acr` and `idp` are recorded on the session.
  Result<LoginResult> StartSession(const std::string& account_id, const std::string& acr,
                                   const std::string& idp, const std::string& ip,
                                   const std::string& user_agent);

  // The principal of a session cookie value, or kUnauthenticated (unknown, expired,
  // idle too long, account disabled).
  Result<Principal> SessionPrincipal(const std::string& cookie_value);
  // The CSRF token bound to a session id.
  std::string CsrfToken(const std::string& session_id) const;
  bool CheckCsrf(const std::string& session_id, std::string_view token) const;

  Status Logout(const Principal& who);
  // Ends every session of the caller's account and calls the logout hooks (the OIDC
  // provider revokes the account's refresh tokens). Returns the sessions ended.
  Result<int64_t> LogoutEverywhere(const Principal& who);
  using LogoutHook = std::function<void(const std::string& account_id, const std::string& ip)>;
  void AddLogoutEverywhereHook(LogoutHook hook) { hooks_.push_back(std::move(hook)); }
  // Called with the session id after Logout ended one session (the OIDC provider
  // revokes the grants and unredeemed codes that session gave).
  using SessionEndHook = std::function<void(const std::string& session_id)>;
  void AddSessionEndHook(SessionEndHook hook) { session_hooks_.push_back(std::move(hook)); }
  Result<std::vector<Session>> Sessions(const Principal& who);
  Status ChangePassword(const Principal& who, const std::string& current, const std::string& next);

  // An account as `who` may see it (authz::Decide(kReadAccount), with agent authorizations).
  Result<Account> GetAccount(const Principal& who, const std::string& id);
  // For the OIDC provider: an account by id without an authorization check.
  Result<Account> AccountById(const std::string& id);
  // An account (with its roles) by username, without an authorization check; kNotFound.
  Result<Account> AccountByUsername(const std::string& username);
  // The decrypted resident ID of a verified (level 2 or 3), active account, for claims
  // released to trusted clients. kNotFound when the account has none or has not proven
  // it: an unverified number is never released.
  Result<std::string> ResidentId(const std::string& account_id);
  // The same, read on the caller's connection (inside another domain's transaction).
  Result<std::string> ResidentId(db::Connection& c, const std::string& account_id);
  // The verified account holding resident ID `id`, or kNotFound (also when only
  // unverified accounts claim the number: they are not taken as its holder).
  Result<Account> FindByResidentId(const std::string& id);

  // ---- Identity proofing: the levels are in model.h.
  bool RealNameConfigured() const { return !config_.realname_url.empty(); }
  // Counter staff look up the person in front of them, by username or by resident ID
  // number (every person account claiming it, any status). Needs a counter role.
  // Audited. kInvalidArgument unless exactly one of the two is given.
  Result<std::vector<Account>> CounterLookup(const Principal& staff, const std::string& username,
                                             const std::string& resident_id, const std::string& ip);
  // Counter staff at the hall of `hall_region` (a region one of their counter roles
  // covers; "" = the region of their only counter role) checked the physical ID card
  // of the holder of person account `id`: the account rises to level 3 and holds the
  // number; every other account claiming it is frozen (sessions ended, relying
  // parties' grants revoked). Audited: staff, hall, masked number. Errors:
  // kInvalidArgument unless card_checked; kPermissionDenied without a counter role
  // covering the hall, or for the staff member's own account or number; kNotFound;
  // kFailedPrecondition for a staff account, an account that is not active or has no
  // number; kConflict when another account proved the number at level 3 already.
  Result<Account> VerifyAtCounter(const Principal& staff, const std::string& id,
                                  const std::string& hall_region, bool card_checked,
                                  const std::string& ip);
  // The person asks the real-name service (identity.realname_url) to match their
  // account's number and name; a match raises the account to level 2 (freezing the
  // other claimants as above). At most identity.realname_attempts calls per account
  // per 24 hours. Errors: kFailedPrecondition when no service is configured, for a
  // non-person account, or when the service answers no match; kResourceExhausted
  // beyond the attempts; kUnavailable when the service cannot be used.
  Result<Account> VerifyOnline(const Principal& person, const std::string& ip);
  // Raises person account `id` to `level` on the word of `by` (method "federation",
  // "bootstrap", ...), as VerifyAtCounter does; never lowers a level. `actor` is the
  // audit actor, `detail` extra audit fields.
  Result<Account> RaiseIdentity(const std::string& id, int level, const std::string& method,
                                const std::string& by, const std::string& actor,
                                const std::string& ip, std::map<std::string, std::string> detail);
  // The resident ID number of account `id` equals `resident_id` (any level).
  Result<bool> ClaimsResidentId(const std::string& id, const std::string& resident_id);
  Result<std::vector<Role>> RolesOf(const std::string& account_id);

  // Roles: granted by a security administrator to staff accounts only, within the
  // staff member's own department and region; an administrator duty only to an
  // account without another duty (kConflict otherwise). Audited.
  Result<Role> GrantRole(const Principal& by, const std::string& account_id, const RoleInput& in);
  Status RevokeRole(const Principal& by, const std::string& account_id, const RoleInput& in);

  // Agent authorizations, recorded by the person they act for.
  Result<AgentAuthorization> AuthorizeAgent(const Principal& person,
                                            const std::string& agent_username,
                                            const std::string& scope,
                                            const std::string& expires_at);
  Result<std::vector<AgentAuthorization>> Agents(const Principal& person);
  Status RevokeAgent(const Principal& person, const std::string& id);
  // True when `agent` holds a live authorization (not revoked, not expired, read now)
  // to act for `person_account` whose scope covers `item_code` ("*" or a list naming
  // it). `item_code` "" asks about the person's account itself: any live authorization.
  Result<bool> IsAgentFor(const Principal& agent, const std::string& person_account,
                          std::string_view item_code);

  // Enterprises: the registering person becomes its administrator operator.
  Result<Enterprise> RegisterEnterprise(const Principal& person, const std::string& credit_code,
                                        const std::string& name);
  Result<std::vector<Operator>> Operators(const Principal& who, const std::string& credit_code);
  // Grants `rights` to the natural person `username` (replacing what they held). Only
  // an operator holding "manage" through the platform's session (Decide
  // kManageOperators); kNotFound for callers who operate no such enterprise,
  // kPermissionDenied for operators without "manage", kFailedPrecondition for the
  // administrator operator (who keeps every right). Audited.
  Result<Operator> GrantOperator(const Principal& admin, const std::string& credit_code,
                                 const std::string& username,
                                 const std::vector<std::string>& rights);
  // Removes the operator with `username` (as granted by GrantOperator); their access to
  // the enterprise's cases and materials ends with the next request. Same rule as
  // GrantOperator; kNotFound when the user is not an operator of it;
  // kFailedPrecondition for the administrator operator. Audited.
  Status RemoveOperator(const Principal& admin, const std::string& credit_code,
                        const std::string& username);
  Result<std::vector<Operator>> MyEnterprises(const Principal& who);

  // The enterprise `credit_code` (any spelling NormalizeCreditCode accepts) and the
  // rights `who` holds as its operator now (none when `who` is not one), read from the
  // database at every call so a removal takes effect at once. kNotFound when there is
  // no such enterprise or the code is malformed. No authorization check: callers pass
  // the rights to authz::Decide() as Target::operator_of_owner.
  struct EnterpriseAccess {
    Enterprise enterprise;
    authz::OperatorRights rights;
  };
  Result<EnterpriseAccess> AccessTo(const Principal& who, const std::string& credit_code);

  // Bootstrap (CLI and demo data, run by whoever runs the server): an account of `kind`
  // with `roles`, granted by "bootstrap" without an authorization check; the rules on
  // roles (staff only, own department and region, one administrator duty) still hold.
  // kAlreadyExists if the username is taken.
  Result<Account> Bootstrap(const RegisterInput& in, const std::string& kind,
                            const std::vector<RoleInput>& roles);
  Result<Account> CreateAdmin(const RegisterInput& in, const std::string& duty) {
    return Bootstrap(in, kStaff, {{duty, "", ""}});
  }

  // Checks a password against the policy: 10 to 128 characters, not the username, not
  // one repeated character, not a common password. Field errors under "password".
  static void CheckPassword(const std::string& password, const std::string& username, Validator& v);

 private:
  // `conceal_taken_id`: answer a registered resident ID number with an unsaved account
  // (self-registration) instead of kAlreadyExists (staff created by an administrator).
  Result<Account> Create(const RegisterInput& in, const std::string& kind, bool id_required,
                         bool conceal_taken_id = false);
  Result<Account> Load(db::Connection& c, const std::string& id);
  Status Audit(db::Connection* c, AuditEvent e);
  Result<std::string> OpenResidentId(const AccountRow& row) const;
  // The keyed hash under which a canonical resident ID number is looked up.
  std::string ResidentLookup(const std::string& canonical_id) const;

  db::Database& db_;
  departments::Service& departments_;
  Keys keys_;
  std::string lookup_key_, csrf_key_;
  std::string dummy_hash_;  // verified against for unknown usernames (equal timing)
  Config config_;
  AuditSink audit_;
  std::vector<LogoutHook> hooks_;
  std::vector<SessionEndHook> session_hooks_;
  Throttle throttle_;
  PasswordHasher hasher_;
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_SERVICE_H_
