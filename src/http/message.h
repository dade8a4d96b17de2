// HTTP message types and the request context handed to handlers.
#ifndef OW_HTTP_MESSAGE_H_
#define OW_HTTP_MESSAGE_H_

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/principal.h"
#include "core/error.h"

namespace ow::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Field = beast_http::field;
using Verb = beast_http::verb;

// A request body the server wrote to a temporary file instead of memory (routes
// declared with Route::Spool). The server owns the file: it is readable by the
// handler for the duration of the handler call and deleted afterwards, whatever the
// handler does. `sha256_hex` is the lower-case hex SHA-256 of its `size` bytes.
struct SpooledBody {
  std::string path;
  uint64_t size = 0;
  std::string sha256_hex;
};

// Everything a handler may read about one request. Owned by the dispatcher; valid
// for the duration of the handler call only.
struct Context {
  Request& request;
  std::string path;  // percent-decoded path, no query
  std::vector<std::pair<std::string, std::string>> path_params;
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::string request_id;
  std::string route;  // matched route pattern, for metrics
  std::string peer;   // the client's IP address as the socket sees it ("" in unit tests)
  // Spool routes: the body, on disk (request.body() is then empty). Empty otherwise.
  std::optional<SpooledBody> spool{};
  // Routes that Require() an action: the caller, authenticated and admitted by the gate
  // before the handler runs. Empty on public routes.
  std::optional<authz::Principal> principal{};

  // The gate-admitted caller of a Require()d route; asserts there is one.
  const authz::Principal& Who() const;

  // The value of path parameter `name`; asserts it was declared in the pattern.
  const std::string& Param(std::string_view name) const;
  // First value of query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
  std::string_view Header(Field f) const { return request[f]; }
};

// Builds a JSON response (application/json; charset=utf-8).
Response Json(Status status, const boost::json::value& body);
// Parses the request body as a JSON object. kInvalidArgument names the parse
// position for malformed JSON or a non-object top level.
Result<boost::json::object> ParseJsonObject(const Context& ctx);

// Parses an application/x-www-form-urlencoded body ('+' is a space). kInvalidArgument
// when it is not one.
Result<std::multimap<std::string, std::string>> ParseForm(std::string_view body);

}  // namespace ow::http

#endif  // OW_HTTP_MESSAGE_H_
