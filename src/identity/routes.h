// HTTP routes of the identity domain: registration, login sessions, the caller's own
// account (/api/v1/me/...), agents, enterprises and operators, staff and roles.
#ifndef OW_IDENTITY_ROUTES_H_
#define OW_IDENTITY_ROUTES_H_

#include <boost/json/object.hpp>

#include "http/router.h"
#include "identity/authn.h"
#include "identity/service.h"

namespace ow::identity {

struct CookieOptions {
  bool secure = true;
  int64_t max_age_seconds = int64_t{12} * 3600;
};

void AddRoutes(http::Router& r, Service& service, const Authenticator& authn, CookieOptions cookie);

// The public JSON of an account (resident ID masked).
boost::json::object AccountJson(const Account& a);
// "Set-Cookie" value that sets, or (value "") clears, the session cookie.
std::string SessionCookie(const std::string& value, const CookieOptions& o);

}  // namespace ow::identity

#endif  // OW_IDENTITY_ROUTES_H_
