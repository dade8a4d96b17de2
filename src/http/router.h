// An explicit route table with path parameters.
//
// Patterns are literal segments and `{name}` parameters that match one
// non-empty segment: r.Get("/api/v1/regions/{code}", handler). Registration happens
// at start-up on one thread; Match is then safe to call concurrently.
#ifndef OW_HTTP_ROUTER_H_
#define OW_HTTP_ROUTER_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "authz/authz.h"
#include "core/error.h"
#include "http/message.h"
#include "http/response_cache.h"

namespace ow::http {

using Handler = std::function<Response(Context&)>;

// Who may call a route: declared on every route, checked by the dispatcher before the
// handler runs. A route that declares nothing answers 500 (and fails the access-matrix
// test): there is no default but deny.
struct Access {
  enum class Rule { kUndeclared, kPublic, kRequires };
  Rule rule = Rule::kUndeclared;
  authz::Action action{};  // kRequires: the action the gate checks
};

struct Route {
  Verb method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;  // split pattern; "{x}" marks a parameter
  // Media types a request body may have (compared without parameters); other
  // bodies get 415. Default: JSON (application/json or any +json type).
  std::vector<std::string> consumes;
  // The handler never blocks (no database, no disk): run it on the network thread.
  bool inline_ok = false;
  // The handler may take long (password hashing, calls to other servers): run it on
  // the blocking pool so it never holds up the short handlers.
  bool blocking = false;
  // GET responses are cached here (keyed by the request target) and served from the
  // network thread on a hit. Not owned.
  ResponseCache* cache = nullptr;
  // Non-zero: the server streams the request body to a temporary file (Context::spool)
  // instead of memory, and answers 413 above this many bytes. server.body_limit does
  // not apply to such a route.
  uint64_t spool_limit = 0;
  // Spool routes: who may send a body, decided from the request's header alone (the
  // Context has no body and no path parameters), after the gate admitted the caller
  // (Context::Who()). Empty: whoever the gate admits.
  std::function<ow::Status(Context&)> spool_admit = {};

  Access access{};
  // The route honours an Idempotency-Key request header (Dispatcher::SetIdempotency): a
  // retry of the same request by the same caller gets the first response again.
  bool idempotent = false;

  // Anyone may call the route, signed in or not; the handler decides what it shows.
  // The OAuth endpoints that authenticate clients or users themselves are public too.
  Route& Public() {
    access.rule = Access::Rule::kPublic;
    return *this;
  }
  // The dispatcher authenticates the caller and runs authz::Gate(caller, action) before
  // the handler, which finds the caller in Context::Who() and makes the resource
  // decision (authz::Decide) itself. Such routes are never Inline() nor cached.
  Route& Requires(authz::Action action) {
    access.rule = Access::Rule::kRequires;
    access.action = action;
    return *this;
  }
  Route& Inline() {
    inline_ok = true;
    return *this;
  }
  Route& Blocking() {
    blocking = true;
    return *this;
  }
  // Before 100 Continue is sent and before any of the body is read, the gate (for a
  // Requires() route) and then `admit`, when given, run on the blocking pool; an error
  // is the answer (its problem+json), the body is never read, no file is written and the
  // connection closes. A request with neither an Authorization nor a Cookie header is
  // answered 401 at once. The gate runs again when the body is in.
  Route& Spool(uint64_t max_bytes, std::function<ow::Status(Context&)> admit = {}) {
    spool_limit = max_bytes;
    spool_admit = std::move(admit);
    return *this;
  }
  Route& Idempotent() {
    idempotent = true;
    return *this;
  }
  Route& CacheIn(ResponseCache* c) {
    cache = c;
    return *this;
  }
};

struct Match {
  const Route* route = nullptr;  // null: no route for this method and path
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<Verb> allowed;  // when route is null: methods the path does support
};

class Router {
 public:
  // Returns the new route so options can be chained: r.Get(...).Inline().
  Route& Add(Verb method, std::string pattern, Handler handler,
             std::vector<std::string> consumes = {});
  Route& Get(std::string pattern, Handler h) {
    return Add(Verb::get, std::move(pattern), std::move(h));
  }
  Route& Post(std::string pattern, Handler h) {
    return Add(Verb::post, std::move(pattern), std::move(h));
  }
  Route& Put(std::string pattern, Handler h) {
    return Add(Verb::put, std::move(pattern), std::move(h));
  }
  Route& Patch(std::string pattern, Handler h) {
    return Add(Verb::patch, std::move(pattern), std::move(h));
  }
  Route& Delete(std::string pattern, Handler h) {
    return Add(Verb::delete_, std::move(pattern), std::move(h));
  }

  // Finds the route for `method` and decoded `path`. HEAD matches GET routes.
  // Literal segments win over parameters at the same position.
  Match Find(Verb method, std::string_view path) const;
  const std::deque<Route>& routes() const { return routes_; }

  // A response cache owned by the router (so it lives as long as its routes).
  ResponseCache* NewCache(std::chrono::milliseconds ttl, size_t max_entries,
                          std::function<uint64_t()> generation) {
    caches_.push_back(std::make_unique<ResponseCache>(ttl, max_entries, std::move(generation)));
    return caches_.back().get();
  }

 private:
  std::deque<Route> routes_;  // a deque keeps references from Add valid
  std::vector<std::unique_ptr<ResponseCache>> caches_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace ow::http

#endif  // OW_HTTP_ROUTER_H_
