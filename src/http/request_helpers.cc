#include "http/request_helpers.h"

#include <functional>

#include "core/text.h"

namespace ow::http {

Result<std::vector<std::pair<std::string, std::string>>> ParseAdminTokens(const std::string& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string entry = spec.substr(start, end - start);
    size_t colon = entry.find(':');
    if (colon == std::string::npos || colon == 0 || entry.size() - colon - 1 < 16) {
      return InvalidArgument(
          "server.admin_tokens: each entry must be name:token with a token of 16+ characters");
    }
    out.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
    start = end + 1;
  }
  return out;
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
