// Reading members of a JSON object that was validated before (a stored document, a
// checked request): the member's value when it has the expected type, else a default.
// For untrusted input, validate first (http::JsonBody, catalog::NormalizeItem).
#ifndef OW_CORE_JSON_MEMBERS_H_
#define OW_CORE_JSON_MEMBERS_H_

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace ow::json_members {

// The string member `key`, or "" when it is missing or not a string.
inline std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The integer member `key`, or `def` when it is missing or not an int64.
inline int64_t Int(const boost::json::object& o, std::string_view key, int64_t def = 0) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : def;
}

}  // namespace ow::json_members

#endif  // OW_CORE_JSON_MEMBERS_H_
