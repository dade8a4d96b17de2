#include "app/system_routes.h"

#include <boost/json.hpp>

#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::embedded {
extern const std::string_view openapi_json;
extern const std::string_view api_docs_html;
extern const std::string_view api_docs_js;
}  // namespace ow::embedded

namespace ow::app {

std::string_view OpenApiDocument() { return embedded::openapi_json; }

namespace {

http::Response Text(std::string_view content_type, std::string_view body) {
  http::Response res{http::Status::ok, 11};
  res.set(http::Field::content_type, content_type);
  res.body() = std::string(body);
  res.prepare_payload();
  return res;
}

}  // namespace

void AddSystemRoutes(http::Router& r, db::Database& db, http::Metrics& metrics) {
  r.Get("/healthz",
        [](http::Context&) {
          http::Response res = http::Json(http::Status::ok, {{"status", "ok"}});
          res.set(http::Field::cache_control, "no-store");
          return res;
        })
      .Public()
      .Inline();

  r.Get("/readyz", [&db](http::Context& ctx) {
     if (auto st = db.Ping(); !st) {
       return http::Problem(Unavailable("database is not reachable: " + st.error().message),
                            ctx.path);
     }
     http::Response res = http::Json(
         http::Status::ok,
         {{"status", "ready"}, {"database", std::string(db::DialectName(db.dialect()))}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Public();

  r.Get("/metrics",
        [&metrics](http::Context&) {
          http::Response res = Text("text/plain; version=0.0.4; charset=utf-8", metrics.Render());
          res.set(http::Field::cache_control, "no-store");
          return res;
        })
      .Public()
      .Inline();

  r.Get("/api/openapi.json",
        [](http::Context& ctx) {
          return http::Cacheable(ctx, Text("application/json", embedded::openapi_json), "no-cache");
        })
      .Public()
      .Inline();
  r.Get("/api/docs",
        [](http::Context& ctx) {
          return http::Cacheable(ctx, Text("text/html; charset=utf-8", embedded::api_docs_html),
                                 "no-cache");
        })
      .Public()
      .Inline();
  r.Get("/api/docs.js",
        [](http::Context& ctx) {
          return http::Cacheable(ctx, Text("text/javascript; charset=utf-8", embedded::api_docs_js),
                                 "no-cache");
        })
      .Public()
      .Inline();
}

}  // namespace ow::app
