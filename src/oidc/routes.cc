#include "oidc/routes.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include "crypto/encoding.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::oidc {
namespace {

namespace json = boost::json;
using Params = std::multimap<std::string, std::string>;

http::Response Redirect(const std::string& location) {
  http::Response res{http::Status::found, 11};
  res.set(http::Field::location, location);
  res.set(http::Field::cache_control, "no-store");
  res.prepare_payload();
  return res;
}

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  res.set(http::Field::pragma, "no-cache");
  return res;
}

// RFC 6749 section 5.2 error body; the problem+json members ride along so that the
// answer is also an RFC 9457 problem for clients that read those.
http::Response OAuthFailure(const http::Context& ctx, const OAuthError& e) {
  auto status = static_cast<http::Status>(e.status);
  json::object body{{"error", e.error},
                    {"error_description", e.description},
                    {"type", "urn:onewindow:problem:oauth_" + e.error},
                    {"title", std::string(http::beast_http::obsolete_reason(status))},
                    {"status", e.status},
                    {"detail", e.description},
                    {"instance", ctx.path}};
  auto res = NoStore(http::Json(status, body));
  if (e.status == 401) res.set(http::Field::www_authenticate, "Basic realm=\"onewindow\"");
  return res;
}

// Client credentials of an Authorization: Basic header (RFC 6749 section 2.3.1: each
// part form-urlencoded before base64).
std::optional<std::pair<std::string, std::string>> BasicCredentials(const http::Context& ctx,
                                                                    bool* malformed) {
  *malformed = false;
  std::string_view auth = ctx.request[http::Field::authorization];
  if (auth.size() < 6 || (auth.substr(0, 6) != "Basic " && auth.substr(0, 6) != "basic "))
    return std::nullopt;
  std::string b64(auth.substr(6));
  // Standard base64 with padding: convert to base64url without padding for our decoder.
  for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  auto raw = crypto::Base64UrlDecode(b64);
  if (!raw) {
    *malformed = true;
    return std::nullopt;
  }
  auto colon = raw->find(':');
  if (colon == std::string::npos) {
    *malformed = true;
    return std::nullopt;
  }
  auto id = http::ParseForm("a=" + raw->substr(0, colon));
  auto secret = http::ParseForm("a=" + raw->substr(colon + 1));
  if (!id || !secret || id->empty() || secret->empty()) {
    *malformed = true;
    return std::nullopt;
  }
  return std::make_pair(id->begin()->second, secret->begin()->second);
}

std::string EncodeComponent(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

json::object ClientJson(const Client& k) {
  auto arr = [](const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  return {{"client_id", k.client_id},
          {"name", k.name},
          {"type", k.type},
          {"redirect_uris", arr(k.redirect_uris)},
          {"post_logout_redirect_uris", arr(k.post_logout_redirect_uris)},
          {"grant_types", arr(k.grant_types)},
          {"scopes", arr(k.scopes)},
          {"id_token_signed_response_alg", k.id_token_alg},
          {"token_endpoint_auth_method", k.type == "public" ? "none" : "client_secret_basic"},
          {"created_by", k.created_by},
          {"created_at", k.created_at},
          {"disabled", k.disabled}};
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

http::Response Html(std::string body) {
  http::Response res{http::Status::ok, 11};
  res.set(http::Field::content_type, "text/html; charset=utf-8");
  res.set(http::Field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// The browser's federation cookie: the nonce that binds a login's state to the browser
// that started it, only ever sent back to that trust's callback.
constexpr const char* kFederationCookie = "ow_federation";
std::string FederationCookie(std::string_view trust, const std::string& value,
                             const identity::CookieOptions& o) {
  // Trust names are [a-z0-9-] (federation.cc); anything else from a URL gets no path.
  bool plain = !trust.empty() && std::all_of(trust.begin(), trust.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
  if (!plain) trust = "-";
  std::string c = std::string(kFederationCookie) + "=" + value + "; Path=/oauth2/federation/" +
                  std::string(trust) + "/callback; HttpOnly; SameSite=Lax";
  // As long as a state lives (federation.cc), no longer.
  c += value.empty() ? "; Max-Age=0" : "; Max-Age=600";
  if (o.secure) c += "; Secure";
  return c;
}

// RP-initiated logout without proof that the relying party speaks for this session:
// the person confirms with a form of ours, carrying the session's CSRF token.
http::Response LogoutConfirmation(const std::string& csrf, const Params& p,
                                  const std::string& client_id) {
  auto get = [&](const char* k) {
    auto it = p.find(k);
    return it == p.end() ? std::string() : it->second;
  };
  std::string hidden =
      "<input type=\"hidden\" name=\"csrf_token\" value=\"" + HtmlEscape(csrf) + "\">";
  std::pair<const char*, std::string> carried[] = {
      {"client_id", client_id},
      {"post_logout_redirect_uri", get("post_logout_redirect_uri")},
      {"state", get("state")}};
  for (const auto& [name, value] : carried)
    if (!value.empty())
      hidden += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
                HtmlEscape(value) + "\">";
  auto res = Html(
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>退出登录？ "
      "Sign out?</title></head><body><main><h1>要退出登录吗？ / Sign out?</h1>"
      "<p>一个应用请求结束您在本平台的登录。 / An application asks to end your session here.</p>"
      "<form method=\"post\" action=\"/oauth2/logout\">" +
      hidden +
      "<button type=\"submit\">退出登录 / Sign out</button></form>"
      "<p><a href=\"/\">留在登录状态 / Stay signed in</a></p></main></body></html>");
  // Our own policy: the global one's form-action 'self' would stop the redirect to
  // the relying party that follows the form.
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'");
  return res;
}

constexpr const char* kLoggedOutPage =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>已退出 Signed "
    "out</title></head><body><main><h1>您已退出登录 / You are signed out</h1>"
    "<p><a href=\"/\">返回首页 / Home</a></p></main></body></html>";

// The OpenID provider's protocol endpoints: discovery, keys, authorization, token, user info.
void AddProviderRoutes(http::Router& r, Provider* p, const identity::Authenticator* a) {
  r.Get("/.well-known/openid-configuration",
        [p](http::Context&) {
          auto res = http::Json(http::Status::ok, p->Discovery());
          res.set(http::Field::cache_control, "public, max-age=3600");
          res.set(http::Field::access_control_allow_origin, "*");
          return res;
        })
      .Public()
      .Inline();

  r.Get("/oauth2/jwks", [p](http::Context&) {
     auto res = http::Json(http::Status::ok, p->Jwks());
     res.set(http::Field::content_type, "application/jwk-set+json");
     // Short enough that a rotation reaches relying parties well within the overlap.
     res.set(http::Field::cache_control, "public, max-age=300");
     res.set(http::Field::access_control_allow_origin, "*");
     return res;
   }).Public();

  r.Get("/oauth2/authorize", [p, a](http::Context& ctx) {
     // Only the portal session signs a person in here: a bearer token (a relying party's
     // access token) is ignored, so it cannot mint a grant for another client.
     auto user = a->SessionOnly(ctx);
     std::optional<identity::Principal> who;
     if (user && *user) who = **user;
     bool needs_login = false;
     auto where = p->Authorize(ctx.query, who ? &*who : nullptr, &needs_login);
     if (!where) return http::Problem(where.error(), ctx.path);
     if (needs_login) {
       std::string back(ctx.request.target());
       return Redirect("/login?return=" + EncodeComponent(back));
     }
     return Redirect(*where);
   }).Public();

  r.Add(http::Verb::post, "/oauth2/token",
        [p](http::Context& ctx) {
          auto form = http::ParseForm(ctx.request.body());
          if (!form) return OAuthFailure(ctx, {400, "invalid_request", form.error().message});
          bool malformed = false;
          auto basic = BasicCredentials(ctx, &malformed);
          if (malformed)
            return OAuthFailure(ctx, {401, "invalid_client", "malformed Basic credentials"});
          auto result = p->Token(*form, basic, ctx.peer);
          if (auto* e = std::get_if<OAuthError>(&result)) return OAuthFailure(ctx, *e);
          return NoStore(http::Json(http::Status::ok, std::get<json::object>(result)));
        },
        {"application/x-www-form-urlencoded"})
      .Public();

  auto userinfo = [p](http::Context& ctx) {
    auto token = identity::BearerToken(ctx);
    if (!token) {
      auto res =
          http::Problem(Unauthenticated("send the access token as a Bearer token"), ctx.path);
      return res;
    }
    auto info = p->UserInfo(*token);
    if (!info) {
      auto res = http::Problem(info.error(), ctx.path);
      // RFC 6750 section 3.1: a bad token is invalid_token (401); a good token without
      // the openid scope is insufficient_scope (403), naming the scope it needs.
      if (info.error().code == Code::kUnauthenticated)
        res.set(http::Field::www_authenticate, "Bearer error=\"invalid_token\"");
      if (info.error().code == Code::kPermissionDenied)
        res.set(http::Field::www_authenticate,
                "Bearer error=\"insufficient_scope\", scope=\"openid\"");
      return res;
    }
    auto res = NoStore(http::Json(http::Status::ok, *info));
    res.set(http::Field::access_control_allow_origin, "*");
    return res;
  };
  r.Get("/oauth2/userinfo", userinfo).Public();
  r.Add(http::Verb::post, "/oauth2/userinfo", userinfo, {"application/x-www-form-urlencoded"})
      .Public();
}

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
void AddLogoutRoutes(http::Router& r, Provider* p, const identity::Authenticator* a,
                     const identity::CookieOptions& cookie) {
  // RP-initiated logout: GET from relying parties; POST from our confirmation form.
  auto logout = [p, a, cookie](http::Context& ctx, const Params& params,
                               const identity::Principal* session, bool confirmed) {
    auto out = p->Logout(params, session, confirmed);
    if (!out) return http::Problem(out.error(), ctx.path);
    if (out->confirm) return LogoutConfirmation(a->CsrfToken(*session), params, out->client_id);
    http::Response res = out->redirect.empty() ? Html(kLoggedOutPage) : Redirect(out->redirect);
    res.set(http::Field::set_cookie, identity::SessionCookie("", cookie));
    return res;
  };
  r.Get("/oauth2/logout", [a, logout](http::Context& ctx) {
     auto user = a->SessionOnly(ctx);
     if (!user) return http::Problem(user.error(), ctx.path);
     return logout(ctx, ctx.query, *user ? &**user : nullptr, false);
   }).Public();
  r.Add(http::Verb::post, "/oauth2/logout",
        [a, logout](http::Context& ctx) {
          auto form = http::ParseForm(ctx.request.body());
          if (!form) return http::Problem(form.error(), ctx.path);
          auto token = form->find("csrf_token");
          if (token == form->end()) {
            // A relying party's POST (RP-initiated logout 1.0): the same as its GET.
            boost::urls::url u("/oauth2/logout");
            for (const auto& [k, v] : *form) u.params().append({k, v});
            http::Response res{http::Status::see_other, 11};
            res.set(http::Field::location, u.buffer());
            res.set(http::Field::cache_control, "no-store");
            res.prepare_payload();
            return res;
          }
          auto user = a->SessionFromForm(ctx, token->second);
          if (!user) return http::Problem(user.error(), ctx.path);
          Params params = *form;
          params.erase("csrf_token");
          return logout(ctx, params, *user ? &**user : nullptr, true);
        },
        {"application/x-www-form-urlencoded"})
      .Public();
}

// Administration: clients (system administrator) and keys (security administrator).
void AddAdministrationRoutes(http::Router& r, Provider* p, const identity::Authenticator* a) {
  // Administration: clients (system administrator) and keys (security administrator).
  r.Post("/api/v1/oidc/clients", [p, a](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return http::Problem(who.error(), ctx.path);
     auto body = http::JsonBody::Read(ctx);
     if (!body) return http::Problem(body.error(), ctx.path);
     ClientInput in;
     const std::vector<std::string> none;
     in.name = body->Str("name");
     in.type = body->Str("type");
     in.id_token_alg = body->Str("id_token_signed_response_alg");
     in.redirect_uris = body->Strings("redirect_uris").value_or(none);
     in.post_logout_redirect_uris = body->Strings("post_logout_redirect_uris").value_or(none);
     in.grant_types = body->Strings("grant_types").value_or(none);
     in.scopes = body->Strings("scopes").value_or(none);
     if (auto st = body->Finish("client"); !st) return http::Problem(st.error(), ctx.path);
     auto made = p->RegisterClient(*who, in);
     if (!made) return http::Problem(made.error(), ctx.path);
     auto out = ClientJson(made->first);
     if (!made->second.empty()) out["client_secret"] = made->second;
     auto res = NoStore(http::Json(http::Status::created, out));
     res.set(http::Field::location, "/api/v1/oidc/clients/" + made->first.client_id);
     return res;
   }).Requires(authz::Action::kManageClients);

  r.Get("/api/v1/oidc/clients", [p, a](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return http::Problem(who.error(), ctx.path);
     auto list = p->ListClients(*who);
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& k : *list) items.push_back(ClientJson(k));
     return NoStore(http::Json(http::Status::ok, {{"clients", std::move(items)}}));
   }).Requires(authz::Action::kManageClients);

  r.Put("/api/v1/oidc/clients/{id}/status", [p, a](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return http::Problem(who.error(), ctx.path);
     auto body = http::ParseJsonObject(ctx);
     if (!body) return http::Problem(body.error(), ctx.path);
     auto* status = body->if_contains("status");
     if (body->size() != 1 || !status || !status->is_string() ||
         (status->as_string() != "active" && status->as_string() != "disabled"))
       return http::Problem(
           Error(Code::kInvalidArgument, "status", {{"status", "must be active or disabled"}}),
           ctx.path);
     if (auto st = p->SetClientDisabled(*who, ctx.Param("id"), status->as_string() == "disabled");
         !st)
       return http::Problem(st.error(), ctx.path);
     http::Response res{http::Status::no_content, 11};
     res.prepare_payload();
     return NoStore(std::move(res));
   }).Requires(authz::Action::kManageClients);

  r.Post("/api/v1/oidc/keys/rotation", [p, a](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return http::Problem(who.error(), ctx.path);
     if (auto st = p->RotateKeys(*who); !st) return http::Problem(st.error(), ctx.path);
     return NoStore(http::Json(http::Status::ok, p->Jwks()));
   }).Requires(authz::Action::kRotateKeys);
}

// Trusted peer platforms, and logging in or verifying identity through them.
void AddFederationRoutes(http::Router& r, Federation* f, const identity::Authenticator* a,
                         const identity::CookieOptions& cookie) {
  // Trusted peer platforms.
  auto trust_json = [](const Trust& t) {
    return json::object{{"name", t.name},
                        {"display_name", t.display_name},
                        {"issuer", t.issuer},
                        {"discovery_url", t.discovery_url},
                        {"assurance", t.assurance},
                        {"login_url", "/oauth2/federation/" + t.name + "/login"},
                        {"verify_url", identity::LevelOf(t.assurance) >= identity::kLevelRemote
                                           ? json::value("/oauth2/federation/" + t.name + "/verify")
                                           : json::value(nullptr)}};
  };
  r.Get("/api/v1/trusts", [f, trust_json](http::Context& ctx) {
     auto list = f->Trusts();
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& t : *list) items.push_back(trust_json(t));
     return NoStore(http::Json(http::Status::ok, {{"trusts", std::move(items)}}));
   }).Public();

  r.Post("/api/v1/trusts",
         [f, a, trust_json](http::Context& ctx) {
           auto who = a->Authenticate(ctx);
           if (!who) return http::Problem(who.error(), ctx.path);
           auto body = http::JsonBody::Read(ctx);
           if (!body) return http::Problem(body.error(), ctx.path);
           TrustInput in;
           in.name = body->Str("name");
           in.display_name = body->Str("display_name");
           in.discovery_url = body->Str("discovery_url");
           in.client_id = body->Str("client_id");
           in.client_secret = body->Str("client_secret");
           in.assurance = body->Str("assurance");
           if (auto st = body->Finish("trust"); !st) return http::Problem(st.error(), ctx.path);
           auto t = f->AddTrust(*who, in);
           if (!t) return http::Problem(t.error(), ctx.path);
           auto res = NoStore(http::Json(http::Status::created, trust_json(*t)));
           res.set(http::Field::location, "/api/v1/trusts/" + t->name);
           return res;
         })
      .Requires(authz::Action::kManageTrusts)
      .Blocking();

  r.Delete("/api/v1/trusts/{name}", [f, a](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return http::Problem(who.error(), ctx.path);
     if (auto st = f->RemoveTrust(*who, ctx.Param("name")); !st)
       return http::Problem(st.error(), ctx.path);
     http::Response res{http::Status::no_content, 11};
     res.prepare_payload();
     return NoStore(std::move(res));
   }).Requires(authz::Action::kManageTrusts);

  r.Get("/oauth2/federation/{name}/login",
        [f, cookie](http::Context& ctx) {
          auto started = f->StartLogin(ctx.Param("name"), ctx.Query("return").value_or("/"));
          if (!started) return http::Problem(started.error(), ctx.path);
          auto res = Redirect(started->url);
          // The trust exists (StartLogin found it), so its name is a plain path segment.
          res.set(http::Field::set_cookie,
                  FederationCookie(ctx.Param("name"), started->browser, cookie));
          return res;
        })
      .Public()
      .Blocking();

  // A logged-in person verifies their identity through the peer (a browser GET: the
  // state it creates is bound to this session's account and to this browser).
  r.Get("/oauth2/federation/{name}/verify",
        [f, a, cookie](http::Context& ctx) {
          auto who = a->SessionOnly(ctx);
          if (!who) return http::Problem(who.error(), ctx.path);
          if (!*who) return http::Problem(Unauthenticated("log in first"), ctx.path);
          auto started =
              f->StartVerification(**who, ctx.Param("name"), ctx.Query("return").value_or("/"));
          if (!started) return http::Problem(started.error(), ctx.path);
          auto res = Redirect(started->url);
          res.set(http::Field::set_cookie,
                  FederationCookie(ctx.Param("name"), started->browser, cookie));
          return res;
        })
      .Public()
      .Blocking();

  r.Get("/oauth2/federation/{name}/callback",
        [f, a, cookie](http::Context& ctx) {
          auto browser = identity::RequestCookie(ctx, kFederationCookie);
          // Only the portal session may complete a verification (never a bearer token).
          auto user = a->SessionOnly(ctx);
          std::optional<identity::Principal> who;
          if (user && *user) who = **user;
          auto done =
              f->Complete(ctx.Param("name"), ctx.query, browser.value_or(""), who ? &*who : nullptr,
                          ctx.peer, std::string(ctx.request[http::Field::user_agent]));
          // The nonce is single use: cleared whatever the outcome.
          std::string clear = FederationCookie(ctx.Param("name"), "", cookie);
          if (!done) {
            auto res = http::Problem(done.error(), ctx.path);
            res.insert(http::Field::set_cookie, clear);
            return res;
          }
          auto res = Redirect(done->return_to);
          res.insert(http::Field::set_cookie, clear);
          if (!done->login.cookie_value.empty())
            res.insert(http::Field::set_cookie,
                       identity::SessionCookie(done->login.cookie_value, cookie));
          return res;
        })
      .Public()
      .Blocking();
}

}  // namespace

void AddRoutes(http::Router& r, Provider& provider, Federation& federation,
               const identity::Authenticator& authn, identity::CookieOptions cookie) {
  Provider* p = &provider;
  Federation* f = &federation;
  const identity::Authenticator* a = &authn;
  AddProviderRoutes(r, p, a);
  AddLogoutRoutes(r, p, a, cookie);
  AddAdministrationRoutes(r, p, a);
  AddFederationRoutes(r, f, a, cookie);
}

}  // namespace ow::oidc
