#include "departments/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/problem.h"

namespace ow::departments {
namespace {

namespace json = boost::json;

json::object ToJson(const Department& d) {
  json::object o;
  o["code"] = d.code;
  o["name"] = d.name;
  o["name_en"] = d.name_en;
  o["type"] = d.type;
  o["region_code"] = d.region_code;
  if (d.parent_code.empty()) {
    o["parent_code"] = nullptr;
  } else {
    o["parent_code"] = d.parent_code;
  }
  o["version"] = d.version;
  o["created_at"] = d.created_at;
  o["updated_at"] = d.updated_at;
  return o;
}

std::string ETag(const Department& d) { return "\"v" + std::to_string(d.version) + "\""; }

http::Response WithETag(http::Response res, const Department& d) {
  res.set(http::Field::etag, ETag(d));
  // Departments are edited by administrators at any time: clients revalidate.
  res.set(http::Field::cache_control, "no-cache");
  return res;
}

// Reads the writable fields; every wrong type or unknown member is a field error.
Result<DepartmentInput> ParseInput(const http::Context& ctx, bool creating) {
  OW_ASSIGN_OR_RETURN(json::object body, http::ParseJsonObject(ctx));
  DepartmentInput in;
  Validator v;
  struct Member {
    const char* name;
    std::string* out;
    bool required;
  };
  Member members[] = {
      {"code", &in.code, creating},           {"name", &in.name, true},
      {"name_en", &in.name_en, false},        {"type", &in.type, true},
      {"region_code", &in.region_code, true}, {"parent_code", &in.parent_code, false}};
  for (const auto& [key, value] : body) {
    bool known = false;
    for (auto& m : members) {
      if (key != m.name) continue;
      known = true;
      if (key == "code" && !creating) {
        // Echoing the department back is fine; changing its code is not.
        if (!value.is_string() || value.as_string() != ctx.Param("code")) {
          v.Add("code", "cannot be changed; it is taken from the URL");
        }
      } else if (value.is_string()) {
        *m.out = std::string(value.as_string());
      } else if (!(value.is_null() && !m.required)) {
        v.Add(m.name, "must be a string");
      }
    }
    if (!known) v.Add(std::string(key), "is not a department field");
  }
  for (auto& m : members) {
    if (m.required && !body.contains(m.name)) v.Add(m.name, "is required");
  }
  OW_RETURN_IF_ERROR(v.Finish());
  return in;
}

// The version named by If-Match ("v3" as an ETag), if the client sent one.
Result<std::optional<int64_t>> IfMatch(const http::Context& ctx) {
  std::string_view h = ctx.request[http::Field::if_match];
  if (h.empty() || h == "*") return std::optional<int64_t>();
  if (h.size() >= 4 && h.front() == '"' && h.back() == '"' && h[1] == 'v') {
    if (auto n = text::ParseInt(h.substr(2, h.size() - 3), 1, INT64_MAX))
      return std::optional<int64_t>(*n);
  }
  return InvalidArgument("If-Match must be an ETag this API returned, like \"v3\"");
}

http::Response Fail(const http::Context& ctx, const Error& e, bool precondition) {
  // A stale If-Match is 412 Precondition Failed (RFC 9110 13.1.1), not 409.
  if (precondition && e.code == Code::kConflict &&
      e.message.find("changed by someone else") != std::string::npos) {
    return http::Problem(http::Status::precondition_failed, e.message, ctx.path);
  }
  return http::Problem(e, ctx.path);
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/departments", [s](http::Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 500);
     if (!page) return http::Problem(page.error(), ctx.path);
     ListQuery q;
     q.region_code = ctx.Query("region").value_or("");
     q.within = ctx.Query("within").value_or("");
     q.type = ctx.Query("type").value_or("");
     q.parent_code = ctx.Query("parent").value_or("");
     q.limit = page->limit;
     q.cursor = page->cursor;
     auto result = s->List(q);
     if (!result) return http::Problem(result.error(), ctx.path);
     json::array items;
     for (const auto& d : result->items) items.push_back(ToJson(d));
     json::object o{{"items", std::move(items)}};
     if (result->next_cursor.empty()) {
       o["next_cursor"] = nullptr;
     } else {
       o["next_cursor"] = result->next_cursor;
     }
     return http::Json(http::Status::ok, o);
   }).Public();

  r.Post("/api/v1/departments", [s](http::Context& ctx) {
     auto in = ParseInput(ctx, true);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto d = s->Create(*in);
     if (!d) return http::Problem(d.error(), ctx.path);
     http::Response res = WithETag(http::Json(http::Status::created, ToJson(*d)), *d);
     res.set(http::Field::location, "/api/v1/departments/" + d->code);
     return res;
   }).Requires(authz::Action::kManageCatalog);

  r.Get("/api/v1/departments/{code}", [s](http::Context& ctx) {
     auto d = s->Get(ctx.Param("code"));
     if (!d) return http::Problem(d.error(), ctx.path);
     if (ctx.request[http::Field::if_none_match] == ETag(*d)) {
       http::Response nm{http::Status::not_modified, 11};
       return WithETag(std::move(nm), *d);
     }
     return WithETag(http::Json(http::Status::ok, ToJson(*d)), *d);
   }).Public();

  r.Put("/api/v1/departments/{code}", [s](http::Context& ctx) {
     auto version = IfMatch(ctx);
     if (!version) return http::Problem(version.error(), ctx.path);
     auto in = ParseInput(ctx, false);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto d = s->Update(ctx.Param("code"), *in, *version);
     if (!d) return Fail(ctx, d.error(), version->has_value());
     return WithETag(http::Json(http::Status::ok, ToJson(*d)), *d);
   }).Requires(authz::Action::kManageCatalog);

  r.Delete("/api/v1/departments/{code}", [s](http::Context& ctx) {
     auto version = IfMatch(ctx);
     if (!version) return http::Problem(version.error(), ctx.path);
     if (auto st = s->Delete(ctx.Param("code"), *version); !st)
       return Fail(ctx, st.error(), version->has_value());
     return http::Response{http::Status::no_content, 11};
   }).Requires(authz::Action::kManageCatalog);
}

}  // namespace ow::departments
