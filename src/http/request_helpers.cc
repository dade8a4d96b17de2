#include "http/request_helpers.h"

#include <boost/url/parse.hpp>
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

Result<std::optional<int64_t>> IfMatchVersion(const Context& ctx, char prefix) {
  std::string_view h = ctx.request[Field::if_match];
  if (h.empty() || h == "*") return std::optional<int64_t>();
  if (h.size() >= 4 && h.front() == '"' && h.back() == '"' && h[1] == prefix) {
    if (auto n = text::ParseInt(h.substr(2, h.size() - 3), 1, INT64_MAX))
      return std::optional<int64_t>(*n);
  }
  return InvalidArgument("If-Match must be an ETag this API returned, like \"" +
                         std::string(1, prefix) + "3\"");
}

Response PdfAttachment(std::string pdf, std::string_view filename) {
  std::string name(filename);
  for (char& c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) c = '_';
  }
  Response res{Status::ok, 11};
  res.set(Field::content_type, "application/pdf");
  res.set(Field::content_disposition, "attachment; filename=\"" + name + "\"");
  res.set(Field::cache_control, "private, no-cache");
  res.body() = std::move(pdf);
  res.prepare_payload();
  return res;
}

std::string VersionETag(char prefix, int64_t n) {
  return "\"" + std::string(1, prefix) + std::to_string(n) + "\"";
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

std::optional<std::string> SafeLocalTarget(std::string_view target) {
  if (target.empty() || target.size() > 2000 || target[0] != '/') return std::nullopt;
  if (target.size() > 1 && target[1] == '/') return std::nullopt;
  for (unsigned char ch : target)
    if (ch <= 0x20 || ch >= 0x7f || ch == '\\') return std::nullopt;
  // In the path only: the query may well carry an encoded URL (the authorization
  // request a sign-in returns to does), which is data, not a place to go.
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] != '%') continue;
    auto hex = [](char h) -> int {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    int byte = hi * 16 + lo;
    if (byte < 0x20 || byte == 0x7f || byte == '/' || byte == '\\') return std::nullopt;
  }
  auto ref = boost::urls::parse_relative_ref(target);
  if (!ref || ref->has_scheme() || ref->has_authority() || !ref->is_path_absolute())
    return std::nullopt;
  // Split by hand: Boost.URL hides a leading "." segment it keeps for disambiguation.
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "." || seg == ".." || seg == "%2e" || seg == "%2E" || seg == "%2e%2e" ||
        seg == "%2E%2E" || seg == ".%2e" || seg == ".%2E" || seg == "%2e." || seg == "%2E.")
      return std::nullopt;
    start = end + 1;
  }
  return std::string(target);
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
