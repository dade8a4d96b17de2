#include "http/dispatcher.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <exception>

#include "core/log.h"
#include "http/problem.h"
#include "http/server.h"

namespace ow::http {
namespace {

// True when content type `ct` is acceptable for `route`.
bool Accepts(const Route& route, std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(ch));
  if (route.consumes.empty()) {
    return lower == "application/json" ||
           (lower.size() > 5 && lower.compare(lower.size() - 5, 5, "+json") == 0);
  }
  return std::find(route.consumes.begin(), route.consumes.end(), lower) != route.consumes.end();
}

std::string AllowHeader(const std::vector<Verb>& verbs) {
  std::string out;
  for (Verb v : verbs) {
    if (!out.empty()) out += ", ";
    out += std::string(beast_http::to_string(v));
  }
  return out;
}

}  // namespace

Dispatcher::Dispatcher(const Router& router, const StaticFiles* files)
    : router_(router), files_(files) {}

void Dispatcher::Use(Middleware m) { chain_.push_back(std::move(m)); }

namespace {

// Parses the target into ctx; false when it is not a valid origin-form URL.
bool ParseTarget(Context& ctx) {
  auto url = boost::urls::parse_origin_form(ctx.request.target());
  if (!url) return false;
  ctx.path = url->path();  // percent-decoded
  if (ctx.path.empty()) ctx.path = "/";
  for (auto p : url->params()) ctx.query.emplace(p.key, p.value);
  return true;
}

}  // namespace

Response Dispatcher::Run(Context& ctx, bool bad_target,
                         const std::function<Response(Context&)>& innermost) const {
  size_t index = 0;
  Next next = [&](Context& c) -> Response {
    if (index < chain_.size()) {
      const Middleware& m = chain_[index++];
      return m(c, next);
    }
    if (bad_target)
      return Problem(Status::bad_request, "request target is not a valid origin-form URL");
    // Inside the chain, so an escaped exception still gets a request id, a log line,
    // a metric and the security headers.
    try {
      Response res = innermost(c);
      // Beast writes header values as given: a CR or LF from input (a redirect target, a
      // file name) would split the response. No handler may produce one; if one does, the
      // answer is a 500 rather than a forged header.
      for (const auto& field : res) {
        std::string_view v = field.value();
        if (v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
          log::Error("http.header_injection", {{"header", std::string(field.name_string())},
                                               {"route", c.route},
                                               {"request_id", c.request_id}});
          res = Problem(Status::internal_server_error, "an internal error occurred", c.path);
          break;
        }
      }
      return res;
    } catch (const std::exception& e) {
      log::Error("http.handler_exception",
                 {{"what", e.what()}, {"route", c.route}, {"request_id", c.request_id}});
      return Problem(Status::internal_server_error, "an internal error occurred", c.path);
    }
  };
  Response res;
  try {
    res = next(ctx);
  } catch (const std::exception& e) {
    // A middleware itself failed; still answer.
    log::Error("http.middleware_exception", {{"what", e.what()}});
    res = Problem(Status::internal_server_error, "an internal error occurred", ctx.path);
  }
  res.keep_alive(ctx.request.keep_alive());
  if (ctx.request.method() == Verb::head) {
    // HEAD carries GET's headers, Content-Length included, and no body.
    auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

Response Dispatcher::Handle(Request& request, std::string_view peer,
                            std::optional<SpooledBody> spool) const {
  Context ctx{request, "/", {}, {}, {}, "unmatched", std::string(peer), std::move(spool)};
  bool bad_target = !ParseTarget(ctx);
  return Run(ctx, bad_target, [this](Context& c) { return Route(c); });
}

std::optional<Response> Dispatcher::HandleInline(Request& request, std::string_view peer,
                                                 bool* blocking) const {
  Context ctx{request, "/", {}, {}, {}, "unmatched", std::string(peer), std::nullopt};
  if (!ParseTarget(ctx)) return std::nullopt;
  Verb method = request.method();
  Match m = router_.Find(method, ctx.path);
  if (!m.route) {
    // Static files and 404/405 answers never touch the database.
    return Run(ctx, false, [this](Context& c) { return Route(c); });
  }
  // Said before anything else: a Requires() route marked Blocking() must reach the
  // blocking pool too (it was once left on the handler pool, one thread per core, where
  // two requests waiting on a group commit held every handler thread).
  if (blocking) *blocking = m.route->blocking;
  // Only public routes run on the network thread: the gate may need the database.
  if (m.route->access.rule != Access::Rule::kPublic) return std::nullopt;
  if (m.route->inline_ok) return Run(ctx, false, [this](Context& c) { return Route(c); });
  // Cached routes too: their generation is read from the database (response_cache.h).
  return std::nullopt;
}

Response Dispatcher::Refuse(Request& request, std::string_view peer, const Error& e) const {
  Context ctx{request, "/", {}, {}, {}, "unmatched", std::string(peer), std::nullopt};
  bool bad_target = !ParseTarget(ctx);
  return Run(ctx, bad_target, [&](Context& c) {
    Match m = router_.Find(c.request.method(), c.path);
    if (m.route) c.route = m.route->pattern;
    return Problem(e, c.path);
  });
}

const http::Route* Dispatcher::SpoolRoute(const Request& header) const {
  auto url = boost::urls::parse_origin_form(header.target());
  if (!url) return nullptr;
  std::string path = url->path();
  if (path.empty()) path = "/";
  Match m = router_.Find(header.method(), path);
  return m.route && m.route->spool_limit > 0 ? m.route : nullptr;
}

std::optional<Response> Dispatcher::Admit(const http::Route& route, Context& ctx) const {
  switch (route.access.rule) {
    case Access::Rule::kPublic:
      return std::nullopt;
    case Access::Rule::kUndeclared:
      log::Error("http.route_without_access_rule", {{"route", ctx.route}});
      return Problem(Status::internal_server_error, "an internal error occurred", ctx.path);
    case Access::Rule::kRequires:
      break;
  }
  if (!authenticate_) {
    log::Error("http.no_authenticator", {{"route", ctx.route}});
    return Problem(Status::internal_server_error, "an internal error occurred", ctx.path);
  }
  auto who = authenticate_(ctx);
  if (!who) return Problem(who.error(), ctx.path);
  if (!*who) return Problem(Unauthenticated("log in first"), ctx.path);
  const authz::ActionInfo& action = authz::Info(route.access.action);
  auto st =
      action.needs_target ? authz::Gate(**who, action.action) : authz::Decide(**who, action.action);
  if (!st) {
    Response res = Problem(st.error(), ctx.path);
    if ((*who)->is_token() && !action.scope.empty() && !(*who)->HasScope(action.scope)) {
      // RFC 6750 section 3.1: name the scope the token lacks.
      res.set(Field::www_authenticate,
              "Bearer error=\"insufficient_scope\", scope=\"" + std::string(action.scope) + "\"");
    }
    return res;
  }
  ctx.principal = std::move(**who);
  return std::nullopt;
}

namespace {

// A browser asking for a page (a typed or followed link), not a script asking for data.
bool BrowserNavigation(const Request& req) {
  std::string_view accept = req[Field::accept];
  return accept.find("text/html") != std::string_view::npos;
}

// What a person who followed a dead link sees: where they are, and a way on (the search
// and the home page), in both of the portal's languages. No script or inline style, so
// the security headers' CSP holds.
Response NotFoundPage() {
  Response res{Status::not_found, 11};
  res.set(Field::content_type, "text/html; charset=utf-8");
  res.set(Field::cache_control, "no-store");
  res.body() =
      "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>页面不存在 · Not found · 一网通办</title></head><body><main>"
      "<h1>页面不存在</h1><p>您访问的文件不存在或已被移除。可以搜索要办的事项，或返回首页。</p>"
      "<form action=\"/catalog\" method=\"get\" role=\"search\"><label "
      "for=\"q\">搜索办事事项</label> "
      "<input id=\"q\" name=\"q\" type=\"search\"> <button type=\"submit\">搜索</button></form>"
      "<p><a href=\"/\">返回首页</a></p>"
      "<p lang=\"en\">This page does not exist. <a href=\"/catalog\">Find a service</a> or go to "
      "the <a href=\"/\">home page</a>.</p></main></body></html>\n";
  res.prepare_payload();
  return res;
}

}  // namespace

Response Dispatcher::Route(Context& ctx) const {
  Verb method = ctx.request.method();
  Match m = router_.Find(method, ctx.path);
  if (!m.route) {
    if (!m.allowed.empty()) {
      ctx.route = "method_not_allowed";
      Response res = Problem(
          Status::method_not_allowed,
          std::string(ctx.request.method_string()) + " is not allowed on " + ctx.path, ctx.path);
      res.set(Field::allow, AllowHeader(m.allowed));
      return res;
    }
    bool api = ctx.path.rfind("/api/", 0) == 0 || ctx.path == "/api";
    if (!api && files_ && (method == Verb::get || method == Verb::head)) {
      ctx.route = "static";
      if (auto res = files_->Serve(ctx)) return std::move(*res);
    }
    ctx.route = "not_found";
    if (!api && BrowserNavigation(ctx.request)) return NotFoundPage();
    return Problem(Status::not_found, "no resource at " + ctx.path, ctx.path);
  }
  ctx.route = m.route->pattern;
  ctx.path_params = std::move(m.params);
  if (m.route->spool_limit > 0 && !ctx.spool) {
    // The server spools such bodies before dispatching; reaching here without one
    // means it was built without the spool hook, and the handler would see no body.
    log::Error("http.spool_missing", {{"route", ctx.route}});
    return Problem(Status::internal_server_error, "an internal error occurred", ctx.path);
  }
  if (auto denied = Admit(*m.route, ctx)) return std::move(*denied);
  if ((method == Verb::post || method == Verb::put || method == Verb::patch) &&
      !ctx.request.body().empty() && !Accepts(*m.route, ctx.request[Field::content_type])) {
    std::string types = "application/json";
    if (!m.route->consumes.empty()) {
      types.clear();
      for (const auto& t : m.route->consumes) types += (types.empty() ? "" : " or ") + t;
    }
    return Problem(Status::unsupported_media_type, "request body must be " + types, ctx.path);
  }
  // A cached public GET: the generation is read before the response is computed, and the
  // response stored under it (response_cache.h).
  bool cached = m.route->cache && m.route->access.rule == Access::Rule::kPublic &&
                (method == Verb::get || method == Verb::head);
  uint64_t generation = 0;
  if (cached) {
    generation = m.route->cache->Generation();
    if (auto hit = m.route->cache->Get(std::string(ctx.request.target()), generation)) {
      auto etag = (*hit)[Field::etag];
      auto inm = ctx.request[Field::if_none_match];
      if (!etag.empty() && !inm.empty() &&
          (inm == "*" || inm.find(etag) != std::string_view::npos)) {
        Response nm{Status::not_modified, 11};
        nm.set(Field::etag, etag);
        nm.set(Field::cache_control, (*hit)[Field::cache_control]);
        return nm;
      }
      return std::move(*hit);
    }
  }
  Response res = m.route->idempotent && idempotency_ && ctx.principal &&
                         ctx.request.find("Idempotency-Key") != ctx.request.end()
                     ? idempotency_(ctx, m.route->handler)
                     : m.route->handler(ctx);
  if (cached && res.result() == Status::ok)
    m.route->cache->Put(std::string(ctx.request.target()), res, generation);
  return res;
}

std::optional<Response> Dispatcher::Admit(const http::Route& route, const Request& header,
                                          std::string_view peer) const {
  // A copy of the header: the server's parser keeps the original for the body.
  Request copy = header;
  Context ctx{copy, "/", {}, {}, {}, route.pattern, std::string(peer), std::nullopt};
  if (!ParseTarget(ctx)) return Refuse(copy, peer, InvalidArgument("malformed request target"));
  // The gate, as for every request, then what the route adds (Context::principal set).
  std::optional<Response> denied = Admit(route, ctx);
  if (!denied && route.spool_admit) {
    ow::Status admitted = route.spool_admit(ctx);
    if (!admitted) denied = Problem(admitted.error(), ctx.path);
  }
  if (!denied) return std::nullopt;
  // The refusal through the middleware chain, like any other answer.
  Request again = header;
  Context out{again, "/", {}, {}, {}, "unmatched", std::string(peer), std::nullopt};
  ParseTarget(out);
  return Run(out, false, [&](Context& c) {
    c.route = route.pattern;
    return std::move(*denied);
  });
}

void InstallSpooling(Server& server, const Dispatcher& dispatcher) {
  const Dispatcher* d = &dispatcher;
  server.SetSpooling(
      [d](const Request& header) -> std::optional<Server::SpoolPlan> {
        const http::Route* route = d->SpoolRoute(header);
        if (!route) return std::nullopt;
        Server::SpoolPlan plan{route->spool_limit, route->blocking, std::nullopt, {}};
        if (!route->spool_admit && route->access.rule == Access::Rule::kPublic) return plan;
        bool anonymous = header[Field::authorization].empty() && header[Field::cookie].empty();
        if (anonymous) {
          // Refused on the network thread before a byte of the body is read (the request
          // object is the parser's header; a copy keeps it untouched).
          Request copy = header;
          plan.refusal = d->Refuse(copy, {}, Unauthenticated("log in first"));
          return plan;
        }
        plan.admit = [d, route, header = Request(header)] { return d->Admit(*route, header, {}); };
        return plan;
      },
      [d](Request& req, const std::string& peer, const SpooledBody& body) {
        return d->Handle(req, peer, body);
      });
}

}  // namespace ow::http
