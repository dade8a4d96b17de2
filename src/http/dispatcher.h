// Turns one parsed request into one response: URL decoding, the middleware chain,
// route lookup (404, 405 with Allow, 415), the handler, static files, and a last
// line of defence that turns an escaped exception into a 500 problem.
//
// Thread-safe after set-up: Handle may run on many threads at once.
#ifndef OW_HTTP_DISPATCHER_H_
#define OW_HTTP_DISPATCHER_H_

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"

namespace ow::http {

class Server;

using Next = std::function<Response(Context&)>;
using Middleware = std::function<Response(Context&, const Next&)>;

class Dispatcher {
 public:
  // `files` may be null (no static files). Both must outlive the dispatcher.
  Dispatcher(const Router& router, const StaticFiles* files);

  // Adds a middleware; the first added is the outermost.
  void Use(Middleware m);
  // Establishes the caller of a request: nullopt when it carries no credentials, an
  // error when it carries bad ones. Called (possibly blocking) for Requires() routes.
  using Authenticate = std::function<Result<std::optional<authz::Principal>>(const Context& ctx)>;
  void SetAuthenticator(Authenticate a) { authenticate_ = std::move(a); }
  // Runs the handler of an Idempotent() route whose request carries an Idempotency-Key
  // header, after the gate admitted the caller (app/idempotency.h): it may answer from
  // a stored response instead.
  using IdempotencyHook = std::function<Response(Context& ctx, const Handler& handler)>;
  void SetIdempotency(IdempotencyHook h) { idempotency_ = std::move(h); }
  // Handles the request completely; may block (database). Fills route caches.
  // `peer` is the client's IP address (Context::peer); `spool` the body the server
  // spooled to disk for a route with Route::Spool (Context::spool).
  Response Handle(Request& request, std::string_view peer = {},
                  std::optional<SpooledBody> spool = std::nullopt) const;
  // Handles the request only if that cannot block: an inline route, a static file,
  // or a cache hit. nullopt means "run Handle on the handler pool".
  // When it returns nullopt, *blocking (if given) says whether the route is Blocking().
  std::optional<Response> HandleInline(Request& request, std::string_view peer = {},
                                       bool* blocking = nullptr) const;
  // The route `header` leads to when that route spools its body (Route::Spool), else
  // null. Looks only at the method and target; never blocks (the server calls it on
  // the network thread as soon as a request's header is read).
  const http::Route* SpoolRoute(const Request& header) const;
  // The answer `e` to `request`, through the middleware chain (request id, access log,
  // metrics, security headers) like any other; never blocks.
  Response Refuse(Request& request, std::string_view peer, const Error& e) const;
  // Admits a spool request from its `header` alone, before 100 Continue: the gate
  // (Route::Requires) and then the route's own check (Route::Spool); nullopt when
  // admitted, else the refusal (through the middleware chain). May block. The gate runs
  // again once the body is in: a session that ended during a long upload stores nothing.
  std::optional<Response> Admit(const http::Route& route, const Request& header,
                                std::string_view peer) const;

 private:
  // Runs the middleware chain around `innermost`.
  Response Run(Context& ctx, bool bad_target,
               const std::function<Response(Context&)>& innermost) const;
  Response Route(Context& ctx) const;
  // The gate: nullopt when the route's access rule admits the caller (then
  // ctx.principal is set for Requires() routes), else the refusal.
  std::optional<Response> Admit(const http::Route& route, Context& ctx) const;
  const Router& router_;
  const StaticFiles* files_;
  std::vector<Middleware> chain_;
  Authenticate authenticate_;
  IdempotencyHook idempotency_;
};

// Has `server` spool the bodies of `dispatcher`'s Route::Spool routes to disk and hand
// them to dispatcher.Handle (on the blocking pool for Blocking() routes). Both must
// outlive the server.
void InstallSpooling(Server& server, const Dispatcher& dispatcher);

}  // namespace ow::http

#endif  // OW_HTTP_DISPATCHER_H_
