// The HTTP front end without a database: raw bytes through Beast's request parser
// with the server's limits (http/server.cc), then the dispatcher (http/dispatcher.h)
// with the production middleware chain, a route table shaped like the real one
// (literal and {param} segments, an inline route, a cached route, a form route, a
// spooled upload route) and the static file handler. Handlers read what handlers
// read: path parameters, query parameters, pagination, JSON and form bodies.
//
// Oracles beyond the sanitizers: the static file handler never serves a file outside
// its root, and per-request state (metrics series) stays bounded however many
// distinct requests arrive.
#include <unistd.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "fuzz_util.h"
#include "http/dispatcher.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/problem.h"
#include "http/request_helpers.h"
#include "http/router.h"
#include "http/static_files.h"

namespace {

namespace http = ow::http;
namespace json = boost::json;
constexpr std::string_view kSecret = "SECRET-OUTSIDE-THE-WEB-ROOT";

http::Response Echo(const http::Context& ctx) {
  json::object o{{"path", ctx.path}, {"route", ctx.route}};
  json::array params, query;
  for (const auto& [k, v] : ctx.path_params)
    params.push_back(json::array{json::string(k), json::string(v)});
  for (const auto& [k, v] : ctx.query)
    query.push_back(json::array{json::string(k), json::string(v)});
  o["params"] = std::move(params);
  o["query"] = std::move(query);
  return http::Json(http::Status::ok, o);
}

http::Response Answer(const ow::Status& st, const http::Context& ctx) {
  if (!st) return http::Problem(st.error(), ctx.path);
  return Echo(ctx);
}

struct Fixture {
  std::filesystem::path dir;
  http::Router router;
  http::Metrics metrics;
  std::unique_ptr<http::StaticFiles> files;
  std::unique_ptr<http::Dispatcher> dispatcher;

  Fixture() {
    ow::log::SetLevel(ow::log::Level::kError);
    dir = std::filesystem::temp_directory_path() / ("ow-fuzz-http-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "www" / "assets");
    std::ofstream(dir / "secret.txt") << kSecret;
    std::ofstream(dir / "www-secret.txt") << kSecret;
    std::ofstream(dir / "www" / "index.html") << "<!doctype html><title>portal</title>";
    std::ofstream(dir / "www" / "assets" / "app.js") << "console.log(1)";
    files = std::make_unique<http::StaticFiles>(dir / "www");

    auto& r = router;
    r.Get("/api/v1/health", Echo).Public().Inline();
    r.Get("/api/v1/regions", [](http::Context& ctx) {
       auto page = http::ParsePage(ctx);
       if (!page) return http::Problem(page.error(), ctx.path);
       return Echo(ctx);
     }).Public();
    r.Get("/api/v1/regions/{code}", Echo)
        .Public()
        .CacheIn(r.NewCache(std::chrono::seconds(1), 64, [] { return uint64_t{1}; }));
    r.Get("/api/v1/regions/{code}/children", [](http::Context& ctx) {
       return http::Cacheable(ctx, Echo(ctx), "public, max-age=60");
     }).Public();
    r.Get("/api/v1/catalog/items/{code}/implementations/{region}", Echo).Public();
    r.Put("/api/v1/catalog/items/{code}/implementations/{region}", [](http::Context& ctx) {
       auto body = http::ParseJsonObject(ctx);
       return Answer(body ? ow::Status() : ow::Status(body.error()), ctx);
     }).Public();
    r.Delete("/api/v1/catalog/items/{code}/implementations/{region}", Echo).Public();
    r.Post("/api/v1/cases", [](http::Context& ctx) {
       auto body = http::ParseJsonObject(ctx);
       if (!body) return http::Problem(body.error(), ctx.path);
       return http::Json(http::Status::created, *body);
     }).Public();
    r.Get("/api/v1/cases/{no}", Echo).Public();
    r.Post("/api/v1/cases/{no}/withdraw", Echo).Public();
    r.Add(http::Verb::post, "/oauth2/token",
          [](http::Context& ctx) {
            auto form = http::ParseForm(ctx.request.body());
            if (!form) return http::Problem(form.error(), ctx.path);
            json::object o;
            for (const auto& [k, v] : *form) o[k] = v;
            return http::Json(http::Status::ok, o);
          },
          {"application/x-www-form-urlencoded"})
        .Public();
    r.Post("/api/v1/materials", Echo).Public().Spool(1 << 20);
    r.Get("/.well-known/openid-configuration", Echo).Public().Inline();

    dispatcher = std::make_unique<http::Dispatcher>(router, files.get());
    dispatcher->Use(http::RequestId());
    dispatcher->Use(http::AccessLog());
    dispatcher->Use(http::RecordMetrics(metrics));
    dispatcher->Use(http::SecurityHeaders());
  }
};

// The fixture lives until the process ends (libFuzzer never returns from main); its
// folder is removed then.
Fixture& TheFixture() {
  static Fixture* f = new Fixture();
  static const bool cleanup = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(TheFixture().dir, ignored);
    });
    return true;
  }();
  (void)cleanup;
  return *f;
}

// `input` is the whole request: a path may name the marker and be echoed in a 404.
void Check(const http::Response& res, std::string_view input) {
  if (res.body().find(kSecret) != std::string::npos && input.find(kSecret) == std::string::npos)
    std::abort();  // a file from outside the web root
  std::ostringstream wire;
  wire << res;  // the response must serialize
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = TheFixture();
  const std::string_view input = ow::fuzz::AsText(data, size);
  std::string_view in = input;

  // As the server reads a request: header limit first, then the body limit.
  http::beast_http::request_parser<http::beast_http::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!in.empty() && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (ec == http::beast_http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) return 0;
    in.remove_prefix(n);
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return 0;  // no request at all: the server just closes
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  http::Request req = parser.release();

  (void)f.dispatcher->SpoolRoute(req);
  http::Request copy = req;
  bool blocking = false;
  if (auto quick = f.dispatcher->HandleInline(copy, "127.0.0.1", &blocking)) Check(*quick, input);
  Check(f.dispatcher->Handle(req, "127.0.0.1"), input);
  copy = req;
  Check(f.dispatcher->Refuse(copy, "127.0.0.1", ow::Unauthenticated("log in first")), input);

  // Metrics keep one series per route, method and status: a bounded set, whatever
  // the clients send.
  static size_t runs = 0;
  if (++runs % 4096 == 0 && f.metrics.Render().size() > (1u << 20)) std::abort();
  return 0;
}
