// The archive's routes (routes.h, AddArchiveRoutes): an archived case by its tracking
// number, and its signed package.
#include <boost/json.hpp>

#include "cases/routes.h"
#include "core/text.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::cases {
namespace {

namespace json = boost::json;
using identity::Principal;

http::Response Reply(const http::Context& ctx, const Result<json::object>& body) {
  http::Response res =
      body ? http::Json(http::Status::ok, *body) : http::Problem(body.error(), ctx.path);
  res.set(http::Field::cache_control, "no-store");
  return res;
}

int64_t PageParam(const http::Context& ctx, const char* name, int64_t fallback, Validator& v) {
  auto q = ctx.Query(name);
  if (!q) return fallback;
  auto n = text::ParseInt(*q, -1000000, 1000000);
  if (!n) v.Add(name, "must be an integer");
  return n ? *n : fallback;
}

template <typename Fn>
http::Handler With(const identity::Authenticator* a, Fn fn) {
  return [a, fn](http::Context& ctx) -> http::Response {
    auto who = a->Authenticate(ctx);
    if (!who) return Reply(ctx, who.error());
    return Reply(ctx, fn(ctx, *who));
  };
}

}  // namespace

void AddArchiveRoutes(http::Router& r, Service& service, const identity::Authenticator& authn) {
  Service* s = &service;
  const identity::Authenticator* a = &authn;
  // Read-only: an archived case accepts no action; "archived" is true in the case.
  r.Get("/api/v1/archive/cases/{no}",
        With(a,
             [s](http::Context& ctx, const Principal& who) -> Result<json::object> {
               OW_ASSIGN_OR_RETURN(auto k, s->GetArchived(who, ctx.Param("no")));
               return json::object{{"tracking_no", k.tracking_no},
                                   {"status", k.status},
                                   {"decision", k.decision.empty() ? json::value(nullptr)
                                                                   : json::value(k.decision)},
                                   {"closed_at", k.closed_at},
                                   {"archived_at", k.archived_at},
                                   {"digest", k.digest},
                                   {"kid", k.kid},
                                   {"may_export", k.may_export},
                                   {"case", std::move(k.view)}};
             }))
      .Requires(authz::Action::kReadArchivedCase);
  // The caller's own archived cases, as a person's "my cases" lists them.
  r.Get("/api/v1/me/archived-cases",
        With(a,
             [s](http::Context& ctx, const Principal& who) -> Result<json::object> {
               Validator v;
               int64_t page = PageParam(ctx, "page", 1, v);
               int64_t per_page = PageParam(ctx, "per_page", 20, v);
               OW_RETURN_IF_ERROR(v.Finish());
               OW_ASSIGN_OR_RETURN(auto list, s->ListMyArchived(who, page, per_page));
               json::array cases;
               for (const auto& k : list.cases) {
                 cases.push_back({{"tracking_no", k.tracking_no},
                                  {"item_code", k.item_code},
                                  {"item_name", k.item_name},
                                  {"status", k.status},
                                  {"decision", k.decision.empty() ? json::value(nullptr)
                                                                  : json::value(k.decision)},
                                  {"created_at", k.created_at},
                                  {"closed_at", k.closed_at},
                                  {"archived_at", k.archived_at}});
               }
               return json::object{{"cases", std::move(cases)},
                                   {"total", list.total},
                                   {"page", page},
                                   {"per_page", per_page}};
             }))
      .Requires(authz::Action::kReadArchivedCase);
  // The package: a compact JWS (ES256) whose payload is the manifest, the SHA-256 of that
  // payload, and the public JWK that verifies it (also in the provider's JWKS while the
  // key is current).
  r.Get("/api/v1/archive/cases/{no}/package",
        With(a,
             [s](http::Context& ctx, const Principal& who) -> Result<json::object> {
               OW_ASSIGN_OR_RETURN(auto p, s->ExportArchived(who, ctx.Param("no")));
               return json::object{{"tracking_no", p.tracking_no},
                                   {"archived_at", p.archived_at},
                                   {"digest", p.digest},
                                   {"kid", p.kid},
                                   {"jws", p.package},
                                   {"jwk", std::move(p.jwk)}};
             }))
      .Requires(authz::Action::kExportArchivedCase);
}

}  // namespace ow::cases
