// The OpenID Connect provider (OpenID Connect Core 1.0, OAuth 2.0 RFC 6749 with PKCE
// RFC 7636, JWT access tokens RFC 9068, RP-initiated logout 1.0):
//  - authorization code flow; PKCE with S256 is required of public clients and, when
//    sent, checked for confidential ones ("plain" is refused);
//  - client credentials for system-to-system calls;
//  - refresh tokens rotated on every use; presenting a used one revokes its whole
//    family (the grant) and is audited as reuse;
//  - pairwise subject identifiers: sub = HMAC(pairwise key, client_id | account), so
//    two department systems see unrelated identifiers for one person;
//  - ID and access tokens signed with the client's algorithm (ES256 or EdDSA) by the
//    KeyRing, which rotates keys with an overlap period.
// Clients are registered by the system administrator; secrets are 256-bit random
// strings stored as SHA-256 (high entropy needs no slow hash), shown once.
// Thread-safe after Init().
#ifndef OW_OIDC_PROVIDER_H_
#define OW_OIDC_PROVIDER_H_

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "identity/service.h"
#include "oidc/keyring.h"
#include "oidc/model.h"

namespace ow::oidc {

struct ProviderOptions {
  std::string issuer;  // e.g. "https://zwfw.zj.gov.cn"; set before serving
  int64_t access_token_seconds = 600;
  int64_t refresh_token_days = 30;
  int64_t key_overlap_hours = 24;
};

struct ClientInput {
  std::string name, type, id_token_alg;
  std::vector<std::string> redirect_uris, post_logout_redirect_uris, grant_types, scopes;
};

// An OAuth error answer (RFC 6749 section 5.2): status 400 or 401.
struct OAuthError {
  int status = 400;
  std::string error;
  std::string description;
};

class Provider {
 public:
  Provider(db::Database& db, identity::Service& identity, ProviderOptions options);
  ~Provider();

  Status Init();
  void SetIssuer(std::string issuer);
  const std::string& issuer() const { return options_.issuer; }
  // High-rate events (token issue) go to `async`, which must not block for long.
  void SetAudit(identity::AuditSink sync, std::function<void(identity::AuditEvent)> async);

  boost::json::object Discovery() const;
  boost::json::object Jwks();

  // Client registry (system administrator). Returns the client and, for confidential
  // clients, its secret (never stored, never shown again).
  Result<std::pair<Client, std::string>> RegisterClient(const identity::Principal& by,
                                                        const ClientInput& in);
  Result<std::vector<Client>> ListClients(const identity::Principal& by);
  Status SetClientDisabled(const identity::Principal& by, const std::string& id, bool disabled);
  // Signing key rotation (security administrator).
  Status RotateKeys(const identity::Principal& by);

  // The authorization endpoint. `params` are the query parameters; `user` is the
  // session's principal, if any. Returns where to redirect the browser: the client
  // (with a code, or an error), or the login page (then *needs_login is true).
  // Errors (no redirect allowed): kInvalidArgument for an unknown client or a
  // redirect_uri it did not register.
  Result<std::string> Authorize(const std::multimap<std::string, std::string>& params,
                                const identity::Principal* user, bool* needs_login);

  // The token endpoint: `form` is the decoded body, `basic` the client credentials of
  // an Authorization: Basic header (if any). Success is the JSON token response.
  std::variant<boost::json::object, OAuthError> Token(
      const std::multimap<std::string, std::string>& form,
      const std::optional<std::pair<std::string, std::string>>& basic, const std::string& ip);

  // Userinfo for an access token: kUnauthenticated for a bad, expired or revoked token
  // or a client's token without a user; kPermissionDenied only for a user's token
  // without the openid scope, which the route answers as RFC 6750 insufficient_scope.
  Result<boost::json::object> UserInfo(const std::string& access_token);

  // RP-initiated logout 1.0. `params`: id_token_hint, client_id,
  // post_logout_redirect_uri, state. `session_user` is the portal session (cookie
  // only), if any; `confirmed` is true when the person confirmed on our own page (the
  // route checked the form's CSRF token).
  //
  // The session ends (and with it the grants and unredeemed codes it gave) only when
  // the person confirmed, or the hint is an ID token (typ "JWT", not an access token's
  // "at+jwt") that we issued to this session: its sub is the session account's pairwise
  // subject for the hint's client and its sid is the session's. Otherwise the answer
  // asks for confirmation; a link planted elsewhere cannot sign anyone out silently.
  // The redirect is used only when registered for the client (named by the hint or
  // client_id). kInvalidArgument for a hint that is not one of our ID tokens, a
  // client_id that differs from the hint's audience, or an unregistered redirect.
  struct LogoutOutcome {
    bool ended = false;     // the session was ended
    bool confirm = false;   // ask the person first (the session is still live)
    std::string redirect;   // after logout: the registered redirect with state, or ""
    std::string client_id;  // the validated client, for the confirmation form
  };
  Result<LogoutOutcome> Logout(const std::multimap<std::string, std::string>& params,
                               const identity::Principal* session_user, bool confirmed);
  // Revokes the grants and unredeemed codes of a session that ended.
  void RevokeSession(const std::string& session_id);

  // Verifies one of our access tokens for a call to the platform's own API: signature,
  // typ at+jwt, issuer, audience, lifetime, the grant (not revoked), the account (active)
  // and the client (registered and not disabled; the registry is re-read at most every
  // 30 seconds, at once in the process that disabled it).
  Result<identity::Principal> VerifyAccessToken(const std::string& token);
  // Revokes every grant of an account (logout everywhere).
  void RevokeAccount(const std::string& account_id);

  // Scopes a client holds beyond its registration, asked at every client-credentials
  // token (the data exchange's live grants, "exchange:<resource>"). Must be thread-safe.
  void SetExtraScopes(std::function<std::vector<std::string>(const std::string& client_id)> fn) {
    extra_scopes_ = std::move(fn);
  }

  // Signs `claims` as an ID token for the client (for the federation tests' peers).
  Result<std::string> SignFor(const Client& client, const boost::json::object& claims,
                              const char* typ);
  std::string PairwiseSubject(const std::string& client_id, const std::string& account_id) const;

 private:
  struct ClientCache;
  std::optional<Client> FindClient(const std::string& id);
  Status ReloadClients();
  std::variant<Client, OAuthError> AuthenticateClient(
      const std::multimap<std::string, std::string>& form,
      const std::optional<std::pair<std::string, std::string>>& basic);
  using Form = std::multimap<std::string, std::string>;
  std::variant<boost::json::object, OAuthError> ClientCredentialsGrant(const Client& client,
                                                                       const Form& form,
                                                                       const std::string& ip);
  std::variant<boost::json::object, OAuthError> AuthorizationCodeGrant(const Client& client,
                                                                       const Form& form,
                                                                       const std::string& ip);
  std::variant<boost::json::object, OAuthError> RefreshTokenGrant(const Client& client,
                                                                  const Form& form,
                                                                  const std::string& ip);
  std::variant<boost::json::object, OAuthError> IssueUserTokens(const Client& client,
                                                                const Grant& grant,
                                                                const std::string& nonce,
                                                                bool with_refresh,
                                                                const std::string& ip);
  void AuditAsync(identity::AuditEvent e);

  db::Database& db_;
  identity::Service& identity_;
  ProviderOptions options_;
  KeyRing keys_;
  std::string pairwise_key_;
  std::function<std::vector<std::string>(const std::string&)> extra_scopes_;
  std::unique_ptr<ClientCache> clients_;
  identity::AuditSink audit_sync_;
  std::function<void(identity::AuditEvent)> audit_async_;
};

}  // namespace ow::oidc

#endif  // OW_OIDC_PROVIDER_H_
