#include "identity/authn.h"

#include "core/text.h"

namespace ow::identity {

std::optional<std::string> RequestCookie(const http::Context& ctx, std::string_view name) {
  for (const auto& field : ctx.request) {
    if (field.name() != http::Field::cookie) continue;
    std::string_view v = field.value();
    while (!v.empty()) {
      size_t end = v.find(';');
      std::string_view pair = v.substr(0, end);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        std::string_view value = pair.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
          value = value.substr(1, value.size() - 2);
        return std::string(value);
      }
      if (end == std::string_view::npos) break;
      v.remove_prefix(end + 1);
    }
  }
  return std::nullopt;
}

std::optional<std::string> BearerToken(const http::Context& ctx) {
  std::string_view auth = ctx.request[http::Field::authorization];
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer "))
    return std::string(auth.substr(7));
  return std::nullopt;
}

Authenticator::Authenticator(Service& service,
                             std::vector<std::pair<std::string, std::string>> admin_tokens,
                             std::string origin)
    : service_(service), origin_(std::move(origin)), admins_(std::move(admin_tokens)) {}

std::optional<std::string> Authenticator::MatchAdminToken(const http::Context& ctx) const {
  auto presented = BearerToken(ctx);
  if (!presented) return std::nullopt;
  const std::string* who = nullptr;
  // Compare against every token so timing does not tell which one matched.
  for (const auto& [name, token] : admins_)
    if (text::ConstantTimeEquals(*presented, token)) who = &name;
  if (!who) return std::nullopt;
  return *who;
}

Result<std::optional<Principal>> Authenticator::Optional(const http::Context& ctx) const {
  if (ctx.principal) return ctx.principal;
  if (auto name = MatchAdminToken(ctx)) {
    Principal p;
    p.via = authz::Via::kAdminToken;
    p.username = *name;
    p.name_for_audit = *name;
    return std::optional<Principal>(std::move(p));
  }
  if (auto token = BearerToken(ctx)) {
    if (!bearer_) return Unauthenticated("the bearer token is not valid");
    OW_ASSIGN_OR_RETURN(auto p, bearer_(*token));
    return std::optional<Principal>(std::move(p));
  }
  return CookiePrincipal(ctx);
}

Result<std::optional<Principal>> Authenticator::CookiePrincipal(const http::Context& ctx) const {
  auto cookie = RequestCookie(ctx, kSessionCookie);
  if (!cookie) return std::optional<Principal>();
  OW_ASSIGN_OR_RETURN(auto p, service_.SessionPrincipal(*cookie));
  auto method = ctx.request.method();
  bool safe =
      method == http::Verb::get || method == http::Verb::head || method == http::Verb::options;
  if (!safe) {
    std::string_view origin = ctx.request[http::Field::origin];
    if (!origin.empty() && origin != origin_)
      return PermissionDenied("CSRF check failed: the request comes from another site");
    std::string_view token = ctx.request[kCsrfHeader];
    if (token.empty() || !service_.CheckCsrf(p.session_id, token))
      return PermissionDenied("CSRF check failed: send the session's token in X-CSRF-Token");
  }
  return std::optional<Principal>(std::move(p));
}

Result<std::optional<Principal>> Authenticator::SessionOnly(const http::Context& ctx) const {
  auto p = CookiePrincipal(ctx);
  // An expired or forged cookie is "not signed in" here: the browser is sent to log in.
  if (!p && p.error().code == Code::kUnauthenticated) return std::optional<Principal>();
  return p;
}

Result<std::optional<Principal>> Authenticator::SessionFromForm(const http::Context& ctx,
                                                                std::string_view form_token) const {
  auto cookie = RequestCookie(ctx, kSessionCookie);
  if (!cookie) return std::optional<Principal>();
  auto p = service_.SessionPrincipal(*cookie);
  if (!p) {
    if (p.error().code == Code::kUnauthenticated) return std::optional<Principal>();
    return p.error();
  }
  std::string_view origin = ctx.request[http::Field::origin];
  if (!origin.empty() && origin != origin_)
    return PermissionDenied("CSRF check failed: the request comes from another site");
  if (form_token.empty() || !service_.CheckCsrf(p->session_id, form_token))
    return PermissionDenied("CSRF check failed: the form is not from this session");
  return std::optional<Principal>(std::move(*p));
}

Result<Principal> Authenticator::Authenticate(const http::Context& ctx) const {
  OW_ASSIGN_OR_RETURN(auto p, Optional(ctx));
  if (!p) return Unauthenticated("log in first");
  return std::move(*p);
}

}  // namespace ow::identity
