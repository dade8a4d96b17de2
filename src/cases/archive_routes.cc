// The archive's routes (routes.h, AddArchiveRoutes): an archived case by its tracking
// number, and its signed package.
#include <boost/json.hpp>

#include "cases/routes.h"
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
                                   {"case", std::move(k.view)}};
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
