// Helpers handlers share: the bootstrap admin check and pagination parameters.
#ifndef OW_HTTP_REQUEST_HELPERS_H_
#define OW_HTTP_REQUEST_HELPERS_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "http/message.h"

namespace ow::http {

// Administrative writes (catalog, departments, staff, clients) are made by a system
// administrator: a staff account holding the system_admin duty (checked by the
// fallback the identity domain installs), or a bearer token from configuration: the
// bootstrap `server.admin_token` (acting as "admin") or one of the named
// `server.admin_tokens` ("alice:token1,bob:token2") for automation, so that rules
// such as "the author of a catalog change may not approve it" can tell people apart.
// Check returns the acting administrator's name; kUnauthenticated without
// credentials or with a wrong token; kPermissionDenied for a logged-in user without
// the duty, or when neither tokens nor a fallback are configured.
class AdminGuard {
 public:
  // `named` is "name:token" pairs separated by commas; malformed pairs are ignored
  // (ParseAdminTokens reports them at start-up).
  AdminGuard(std::string bootstrap_token, const std::string& named = {});
  Result<std::string> Check(const Context& ctx) const;
  // The name of the configured token the request presents, if any.
  std::optional<std::string> MatchToken(const Context& ctx) const;
  // Asked when the request presents no configured token. Set once at start-up.
  void SetFallback(std::function<Result<std::string>(const Context&)> fallback) {
    fallback_ = std::move(fallback);
  }

 private:
  std::vector<std::pair<std::string, std::string>> admins_;  // name, token
  std::function<Result<std::string>(const Context&)> fallback_;
};

// Parses "name:token,name:token"; kInvalidArgument names a malformed entry.
Result<std::vector<std::pair<std::string, std::string>>> ParseAdminTokens(const std::string& spec);

struct Page {
  int limit = 20;
  std::string cursor;  // opaque, as the client sent it
};

// Reads ?limit= (1..max, default `def`) and ?cursor=; field errors name the parameter.
Result<Page> ParsePage(const Context& ctx, int def = 20, int max = 200);

// Sets a strong ETag from the body and answers 304 when If-None-Match matches.
Response Cacheable(const Context& ctx, Response res, std::string_view cache_control);

}  // namespace ow::http

#endif  // OW_HTTP_REQUEST_HELPERS_H_
