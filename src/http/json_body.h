// The one strict reader for JSON request bodies. The body must be a JSON object; each
// member a handler reads is checked for its type as it is read; a member the handler
// never asked for is an error ("is not a known member"); Finish() reports every
// problem at once as field errors (422 problem+json). Optional members may be absent
// or null; Required* adds "is required" when absent.
//
//   OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
//   in.name = b.RequiredStr("name", 200);
//   in.tags = b.Strings("tags").value_or({});
//   OW_RETURN_IF_ERROR(b.Finish("department"));
#ifndef OW_HTTP_JSON_BODY_H_
#define OW_HTTP_JSON_BODY_H_

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/message.h"

namespace ow::http {

class JsonBody {
 public:
  // kInvalidArgument (400) when the body is not a JSON object.
  static Result<JsonBody> Read(const Context& ctx);
  // The same, but an empty body reads as {}.
  static Result<JsonBody> ReadOptional(const Context& ctx);
  explicit JsonBody(boost::json::object o) : o_(std::move(o)) {}

  static constexpr size_t kDefaultMaxBytes = 2000;

  // A string member; "" when absent or null.
  std::string Str(std::string_view name, size_t max_bytes = kDefaultMaxBytes);
  std::string RequiredStr(std::string_view name, size_t max_bytes = kDefaultMaxBytes);
  std::optional<int64_t> Int(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<boost::json::object> Object(std::string_view name);
  // An array of strings; each bad element is reported as "name/i".
  std::optional<std::vector<std::string>> Strings(std::string_view name, size_t max_items = 1000);
  // The member as sent, for a handler that checks its shape itself (null when absent).
  const boost::json::value* Raw(std::string_view name);

  bool Has(std::string_view name) const { return o_.contains(name); }
  // A handler's own finding about a member.
  void Add(std::string field, std::string message) { v_.Add(std::move(field), std::move(message)); }
  // Every error found, unknown members included; success when there were none.
  ow::Status Finish(std::string_view what = "request");

 private:
  const boost::json::value* Get(std::string_view name);
  boost::json::object o_;
  Validator v_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace ow::http

#endif  // OW_HTTP_JSON_BODY_H_
