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
