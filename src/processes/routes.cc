#include "processes/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/problem.h"

namespace ow::processes {
namespace {

namespace json = boost::json;

json::object VersionJson(const Version& v) {
  return {{"key", v.key},
          {"version", v.version},
          {"name", v.name},
          {"sha256", v.sha256},
          {"created_by", v.created_by},
          {"created_at", v.created_at},
          {"bpmn_url", "/api/v1/processes/" + v.key + "/versions/" + std::to_string(v.version)}};
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Add(http::Verb::put, "/api/v1/processes/{key}",
        [s](http::Context& ctx) {
          auto published =
              s->Publish(ctx.Who().name_for_audit, ctx.Param("key"), ctx.request.body());
          if (!published) return Fail(ctx, published.error());
          auto res = http::Json(published->created ? http::Status::created : http::Status::ok,
                                VersionJson(published->version));
          res.set(http::Field::location, "/api/v1/processes/" + published->version.key +
                                             "/versions/" +
                                             std::to_string(published->version.version));
          res.set(http::Field::cache_control, "no-store");
          return res;
        },
        {"application/xml", "text/xml", "application/bpmn+xml"})
      .Requires(authz::Action::kManageCatalog)
      .Blocking();  // parsing a large definition takes a while

  r.Get("/api/v1/processes", [s](http::Context& ctx) {
     auto list = s->List();
     if (!list) return Fail(ctx, list.error());
     json::array items;
     for (const auto& v : *list) items.push_back(VersionJson(v));
     auto res = http::Json(http::Status::ok, {{"processes", std::move(items)}});
     res.set(http::Field::cache_control, "no-cache");
     return res;
   }).Public();

  r.Get("/api/v1/processes/{key}", [s](http::Context& ctx) {
     auto versions = s->Versions(ctx.Param("key"));
     if (!versions) return Fail(ctx, versions.error());
     json::array items;
     for (const auto& v : *versions) items.push_back(VersionJson(v));
     auto res = http::Json(http::Status::ok, {{"key", ctx.Param("key")},
                                              {"latest", VersionJson(versions->front())},
                                              {"versions", std::move(items)}});
     res.set(http::Field::cache_control, "no-cache");
     return res;
   }).Public();

  r.Get("/api/v1/processes/{key}/versions/{version}", [s](http::Context& ctx) {
     auto n = text::ParseInt(ctx.Param("version"), 1, 1000000000);
     if (!n)
       return Fail(
           ctx, Error(Code::kInvalidArgument, "path", {{"version", "must be a version number"}}));
     auto xml = s->Xml(ctx.Param("key"), *n);
     if (!xml) return Fail(ctx, xml.error());
     http::Response res{http::Status::ok, 11};
     res.set(http::Field::content_type, "application/xml; charset=utf-8");
     res.body() = std::move(*xml);
     res.prepare_payload();
     // A published version never changes.
     return http::Cacheable(ctx, std::move(res), "public, max-age=31536000, immutable");
   }).Public();

  r.Put("/api/v1/catalog/items/{code}/process", [s](http::Context& ctx) {
     auto body = http::ParseJsonObject(ctx);
     if (!body) return Fail(ctx, body.error());
     auto* key = body->if_contains("process_key");
     if (body->size() != 1 || !key || !key->is_string())
       return Fail(ctx, Error(Code::kInvalidArgument, "body",
                              {{"process_key", "is required and must be the only member"}}));
     if (auto st =
             s->Assign(ctx.Who().name_for_audit, ctx.Param("code"), std::string(key->as_string()));
         !st)
       return Fail(ctx, st.error());
     auto res = http::Json(http::Status::ok,
                           {{"item_code", ctx.Param("code")}, {"process_key", key->as_string()}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kManageCatalog);

  r.Get("/api/v1/catalog/items/{code}/process", [s](http::Context& ctx) {
     auto key = s->ProcessOf(ctx.Param("code"));
     if (!key) return Fail(ctx, key.error());
     auto versions = s->Versions(*key);
     if (!versions) return Fail(ctx, versions.error());
     auto res = http::Json(http::Status::ok, {{"item_code", ctx.Param("code")},
                                              {"process_key", *key},
                                              {"latest", VersionJson(versions->front())}});
     res.set(http::Field::cache_control, "no-cache");
     return res;
   }).Public();
}

}  // namespace ow::processes
