// Establishes who is making a request (an authz::Principal): one of
//  - a configured administrator token (config admin_token / admin_tokens): acts as
//    system administrator;
//  - a bearer access token issued by our OpenID Connect provider (verified by the
//    verifier the oidc domain installs);
//  - the portal session cookie. Cookie-authenticated requests with an unsafe method
//    (POST, PUT, PATCH, DELETE) must carry the session's CSRF token in the
//    X-CSRF-Token header, and an Origin header, when sent, must be our own origin;
//    otherwise they fail with kPermissionDenied ("CSRF check failed").
// Thread-safe after set-up.
#ifndef OW_IDENTITY_AUTHN_H_
#define OW_IDENTITY_AUTHN_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"
#include "http/request_helpers.h"
#include "identity/service.h"

namespace ow::identity {

inline constexpr const char* kSessionCookie = "ow_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> RequestCookie(const http::Context& ctx, std::string_view name);
// Authorization: Bearer <token>, if present.
std::optional<std::string> BearerToken(const http::Context& ctx);

class Authenticator {
 public:
  using BearerVerifier = std::function<Result<Principal>(const std::string& token)>;
  // `admin_tokens`: (name, token) pairs, as http::ParseAdminTokens reads them.
  Authenticator(Service& service, std::vector<std::pair<std::string, std::string>> admin_tokens,
                std::string origin);
  void SetBearerVerifier(BearerVerifier v) { bearer_ = std::move(v); }
  void SetOrigin(std::string origin) { origin_ = std::move(origin); }

  // kUnauthenticated when the request carries no valid credentials. On a route that
  // Requires() an action, the caller the gate admitted (Context::principal).
  Result<Principal> Authenticate(const http::Context& ctx) const;
  // Like Authenticate, but a request without any credentials yields nullopt.
  Result<std::optional<Principal>> Optional(const http::Context& ctx) const;

  // Browser-only endpoints (authorization, logout, federation): the person is who the
  // portal session cookie says, and nothing else. A bearer access token is a relying
  // party acting within its scopes, not a signed-in person: it must never start a new
  // grant. (JSON endpoints that need the session, such as the account-security ones,
  // say so in their action's row: authz.cc, kUpdateAccount, which no token may attempt.)
  //
  // SessionOnly ignores any Authorization header and answers the cookie's principal
  // (with the CSRF check of Optional for unsafe methods), or nullopt without a valid
  // session cookie (the caller then asks the person to sign in).
  Result<std::optional<Principal>> SessionOnly(const http::Context& ctx) const;
  // For an HTML form of our own posted with the session cookie: the session's
  // principal when `form_token` (a form field, as a form cannot send headers) is the
  // session's CSRF token and an Origin header, when sent, is our origin
  // (kPermissionDenied otherwise); nullopt without a valid session.
  // The CSRF token of a session, for a form of our own to carry.
  std::string CsrfToken(const Principal& session) const {
    return service_.CsrfToken(session.session_id);
  }
  Result<std::optional<Principal>> SessionFromForm(const http::Context& ctx,
                                                   std::string_view form_token) const;

 private:
  // The name of the configured administrator token the request presents, if any.
  std::optional<std::string> MatchAdminToken(const http::Context& ctx) const;

  Service& service_;
  // The session cookie's principal (CSRF-checked for unsafe methods), or nullopt.
  Result<std::optional<Principal>> CookiePrincipal(const http::Context& ctx) const;

  std::string origin_;
  std::vector<std::pair<std::string, std::string>> admins_;  // name, token
  BearerVerifier bearer_;
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_AUTHN_H_
