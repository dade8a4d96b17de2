#include "http/json_body.h"

namespace ow::http {

Result<JsonBody> JsonBody::Read(const Context& ctx) {
  OW_ASSIGN_OR_RETURN(boost::json::object o, ParseJsonObject(ctx));
  return JsonBody(std::move(o));
}

Result<JsonBody> JsonBody::ReadOptional(const Context& ctx) {
  if (ctx.request.body().empty()) return JsonBody(boost::json::object());
  return Read(ctx);
}

const boost::json::value* JsonBody::Get(std::string_view name) {
  known_.emplace(name);
  const boost::json::value* x = o_.if_contains(name);
  return x && !x->is_null() ? x : nullptr;
}

const boost::json::value* JsonBody::Raw(std::string_view name) {
  known_.emplace(name);
  return o_.if_contains(name);
}

std::string JsonBody::Str(std::string_view name, size_t max_bytes) {
  const boost::json::value* x = Get(name);
  if (!x) return {};
  if (!x->is_string()) {
    v_.Add(std::string(name), "must be a string");
    return {};
  }
  if (x->as_string().size() > max_bytes) {
    v_.Add(std::string(name), "at most " + std::to_string(max_bytes) + " bytes");
    return {};
  }
  return std::string(x->as_string());
}

std::string JsonBody::RequiredStr(std::string_view name, size_t max_bytes) {
  if (!Has(name)) {
    known_.emplace(name);
    v_.Add(std::string(name), "is required");
    return {};
  }
  return Str(name, max_bytes);
}

std::optional<int64_t> JsonBody::Int(std::string_view name) {
  const boost::json::value* x = Get(name);
  if (!x) return std::nullopt;
  if (x->is_int64()) return x->as_int64();
  if (x->is_uint64() && x->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(x->as_uint64());
  v_.Add(std::string(name), "must be an integer");
  return std::nullopt;
}

std::optional<bool> JsonBody::Bool(std::string_view name) {
  const boost::json::value* x = Get(name);
  if (!x) return std::nullopt;
  if (x->is_bool()) return x->as_bool();
  v_.Add(std::string(name), "must be a boolean");
  return std::nullopt;
}

std::optional<boost::json::object> JsonBody::Object(std::string_view name) {
  const boost::json::value* x = Get(name);
  if (!x) return std::nullopt;
  if (x->is_object()) return x->as_object();
  v_.Add(std::string(name), "must be an object");
  return std::nullopt;
}

std::optional<std::vector<std::string>> JsonBody::Strings(std::string_view name, size_t max_items) {
  const boost::json::value* x = Get(name);
  if (!x) return std::nullopt;
  if (!x->is_array() || x->as_array().size() > max_items) {
    v_.Add(std::string(name),
           "must be an array of at most " + std::to_string(max_items) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  const auto& a = x->as_array();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string() || a[i].as_string().size() > kDefaultMaxBytes) {
      v_.Add(std::string(name) + "/" + std::to_string(i), "must be a string");
      continue;
    }
    out.emplace_back(a[i].as_string());
  }
  return out;
}

ow::Status JsonBody::Finish(std::string_view what) {
  for (const auto& kv : o_)
    if (!known_.count(std::string_view(kv.key())))
      v_.Add(std::string(kv.key()), "is not a known member");
  return v_.Finish(what);
}

}  // namespace ow::http
