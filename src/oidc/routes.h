// HTTP routes of the OpenID Connect provider: discovery, JWKS, authorize, token,
// userinfo, logout (RFC 6749 error bodies on the OAuth endpoints), and the
// administration API for clients and signing keys.
#ifndef OW_OIDC_ROUTES_H_
#define OW_OIDC_ROUTES_H_

#include "http/router.h"
#include "identity/authn.h"
#include "identity/routes.h"
#include "oidc/federation.h"
#include "oidc/provider.h"

namespace ow::oidc {

void AddRoutes(http::Router& r, Provider& provider, Federation& federation,
               const identity::Authenticator& authn, identity::CookieOptions cookie);

}  // namespace ow::oidc

#endif  // OW_OIDC_ROUTES_H_
