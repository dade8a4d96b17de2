#include "departments/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

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

std::string ETag(const Department& d) { return http::VersionETag('v', d.version); }

http::Response WithETag(http::Response res, const Department& d) {
  res.set(http::Field::etag, ETag(d));
  // Departments are edited by administrators at any time: clients revalidate.
  res.set(http::Field::cache_control, "no-cache");
  return res;
}

// Reads the writable fields; every wrong type or unknown member is a field error.
Result<DepartmentInput> ParseInput(const http::Context& ctx, bool creating) {
  OW_ASSIGN_OR_RETURN(http::JsonBody b, http::JsonBody::Read(ctx));
  DepartmentInput in;
  if (creating) {
    in.code = b.RequiredStr("code");
  } else if (const json::value* code = b.Raw("code");
             code && !(code->is_string() && code->as_string() == ctx.Param("code"))) {
    // Echoing the department back is fine; changing its code is not.
    b.Add("code", "cannot be changed; it is taken from the URL");
  }
  in.name = b.RequiredStr("name");
  in.name_en = b.Str("name_en");
  in.type = b.RequiredStr("type");
  in.region_code = b.RequiredStr("region_code");
  in.parent_code = b.Str("parent_code");
  OW_RETURN_IF_ERROR(b.Finish("department"));
  return in;
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
     auto version = http::IfMatchVersion(ctx, 'v');
     if (!version) return http::Problem(version.error(), ctx.path);
     auto in = ParseInput(ctx, false);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto d = s->Update(ctx.Param("code"), *in, *version);
     if (!d) return http::Problem(d.error(), ctx.path);
     return WithETag(http::Json(http::Status::ok, ToJson(*d)), *d);
   }).Requires(authz::Action::kManageCatalog);

  r.Delete("/api/v1/departments/{code}", [s](http::Context& ctx) {
     auto version = http::IfMatchVersion(ctx, 'v');
     if (!version) return http::Problem(version.error(), ctx.path);
     if (auto st = s->Delete(ctx.Param("code"), *version); !st)
       return http::Problem(st.error(), ctx.path);
     return http::Response{http::Status::no_content, 11};
   }).Requires(authz::Action::kManageCatalog);
}

}  // namespace ow::departments
