// An explicit route table with path parameters.
//
// Patterns are literal segments and `{name}` parameters that match one
// non-empty segment: r.Get("/api/v1/regions/{code}", handler). Registration happens
// at start-up on one thread; Match is then safe to call concurrently.
#ifndef OW_HTTP_ROUTER_H_
#define OW_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace ow::http {

using Handler = std::function<Response(Context&)>;

struct Route {
  Verb method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;  // split pattern; "{x}" marks a parameter
  // Media types a request body may have (compared without parameters); other
  // bodies get 415. Default: JSON (application/json or any +json type).
  std::vector<std::string> consumes;
};

struct Match {
  const Route* route = nullptr;  // null: no route for this method and path
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<Verb> allowed;  // when route is null: methods the path does support
};

class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler,
           std::vector<std::string> consumes = {});
  void Get(std::string pattern, Handler h) { Add(Verb::get, std::move(pattern), std::move(h)); }
  void Post(std::string pattern, Handler h) { Add(Verb::post, std::move(pattern), std::move(h)); }
  void Put(std::string pattern, Handler h) { Add(Verb::put, std::move(pattern), std::move(h)); }
  void Patch(std::string pattern, Handler h) { Add(Verb::patch, std::move(pattern), std::move(h)); }
  void Delete(std::string pattern, Handler h) {
    Add(Verb::delete_, std::move(pattern), std::move(h));
  }

  // Finds the route for `method` and decoded `path`. HEAD matches GET routes.
  // Literal segments win over parameters at the same position.
  Match Find(Verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace ow::http

#endif  // OW_HTTP_ROUTER_H_
