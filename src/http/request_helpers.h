// Helpers handlers share: the bootstrap admin check, pagination parameters and the
// check of client-supplied redirect targets.
#ifndef OW_HTTP_REQUEST_HELPERS_H_
#define OW_HTTP_REQUEST_HELPERS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

// The version an If-Match header names, for resources whose ETag is `"<prefix><n>"`
// (`"v3"`, `"r3"`): nullopt without the header or with `*`; kInvalidArgument for
// anything else. A service compares it with the current version and answers
// StaleVersion (412) when they differ.
Result<std::optional<int64_t>> IfMatchVersion(const Context& ctx, char prefix);
// The ETag of version `n` of such a resource: `"<prefix><n>"`.
std::string VersionETag(char prefix, int64_t n);

// A PDF to download as `filename` ("attachment", private, revalidated). Characters of the
// name other than ASCII letters, digits, '.', '-' and '_' become '_', so no caller can put
// quotes or line breaks into the header.
Response PdfAttachment(std::string pdf, std::string_view filename);

// Sets a strong ETag from the body and answers 304 when If-None-Match matches.
Response Cacheable(const Context& ctx, Response res, std::string_view cache_control);

// A redirect target a client supplied (?return=, ?next=, a form field) accepted only
// as a path on this site, for a Location header or a script's location.assign():
//  - printable ASCII only: no control character (tab, CR, LF, NUL: browsers drop tabs
//    and newlines, so "/\t/evil.example" would become "//evil.example"), no space, no
//    byte above 0x7e, no backslash (browsers read "\" as "/");
//  - exactly one leading '/' (no "//host", no scheme, no authority): a path-absolute
//    relative reference, which Boost.URL must parse; a query and a fragment may follow;
//  - no "." or ".." path segment, and no percent-encoded '/', '\' or control character
//    in the path, because a later decoding step (a proxy, the single-page app's router)
//    could turn "/%2F%2Fevil" or "/..//evil" back into "//evil" (the query may carry
//    encoded URLs: the authorization request a sign-in returns to does);
//  - at most 2000 characters.
// Returns the target unchanged when it passes, nullopt otherwise (callers then use "/"
// or refuse). Thread-safe.
std::optional<std::string> SafeLocalTarget(std::string_view target);

}  // namespace ow::http

#endif  // OW_HTTP_REQUEST_HELPERS_H_
