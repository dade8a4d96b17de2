#include "http/message.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cassert>

namespace ow::http {

const authz::Principal& Context::Who() const {
  assert(principal && "Who() on a route that does not Require() an action");
  return *principal;
}

const std::string& Context::Param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  assert(false && "undeclared path parameter");
  static const std::string empty;
  return empty;
}

std::optional<std::string> Context::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response Json(Status status, const boost::json::value& body) {
  Response res{status, 11};
  res.set(Field::content_type, "application/json; charset=utf-8");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Result<boost::json::object> ParseJsonObject(const Context& ctx) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(ctx.request.body(), ec);
  if (ec) {
    return InvalidArgument("request body is not valid JSON: " + ec.message());
  }
  if (!v.is_object()) return InvalidArgument("request body must be a JSON object");
  return std::move(v.as_object());
}

Result<std::multimap<std::string, std::string>> ParseForm(std::string_view body) {
  std::string target = "/?" + std::string(body);
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return InvalidArgument("the body is not application/x-www-form-urlencoded");
  std::multimap<std::string, std::string> out;
  for (auto p : url->params()) {
    if (p.key.empty() && p.value.empty()) continue;
    out.emplace(p.key, p.value);
  }
  return out;
}

}  // namespace ow::http
