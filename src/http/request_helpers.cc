#include "http/request_helpers.h"

#include <functional>

#include "core/text.h"

namespace ow::http {

ow::Status AdminGuard::Check(const Context& ctx) const {
  if (token_.empty())
    return PermissionDenied("administrative writes are disabled: no admin token is configured");
  std::string_view auth = ctx.request[Field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
    return Unauthenticated("an administrator bearer token is required");
  }
  if (!text::ConstantTimeEquals(auth.substr(kBearer.size()), token_)) {
    return Unauthenticated("the bearer token is not valid");
  }
  return {};
}

Result<Page> ParsePage(const Context& ctx, int def, int max) {
  Page page;
  page.limit = def;
  Validator v;
  if (auto l = ctx.Query("limit")) {
    if (auto n = text::ParseInt(*l, 1, max)) {
      page.limit = static_cast<int>(*n);
    } else {
      v.Add("limit", "must be an integer from 1 to " + std::to_string(max));
    }
  }
  if (auto c = ctx.Query("cursor")) page.cursor = *c;
  OW_RETURN_IF_ERROR(v.Finish("query"));
  return page;
}

Response Cacheable(const Context& ctx, Response res, std::string_view cache_control) {
  // FNV-1a is enough for change detection; ETags are not a security boundary.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : res.body()) h = (h ^ c) * 1099511628211ull;
  char tag[24];
  std::snprintf(tag, sizeof tag, "\"%016llx\"", static_cast<unsigned long long>(h));
  res.set(Field::etag, tag);
  res.set(Field::cache_control, cache_control);
  auto inm = ctx.request[Field::if_none_match];
  if (!inm.empty() && (inm == "*" || inm.find(tag) != std::string_view::npos)) {
    Response nm{Status::not_modified, 11};
    nm.set(Field::etag, tag);
    nm.set(Field::cache_control, cache_control);
    return nm;
  }
  return res;
}

}  // namespace ow::http
