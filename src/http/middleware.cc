#include "http/middleware.h"

#include <chrono>
#include <random>

#include "core/log.h"

namespace ow::http {
namespace {

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (auto& c : id) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return id;
}

}  // namespace

Middleware RequestId() {
  return [](Context& ctx, const Next& next) {
    auto incoming = ctx.request["X-Request-Id"];
    ctx.request_id = ValidRequestId(incoming) ? std::string(incoming) : NewRequestId();
    Response res = next(ctx);
    res.set("X-Request-Id", ctx.request_id);
    return res;
  };
}

Middleware AccessLog() {
  return [](Context& ctx, const Next& next) {
    auto start = std::chrono::steady_clock::now();
    Response res = next(ctx);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    log::Info("http.request", {{"method", std::string(ctx.request.method_string())},
                               {"path", ctx.path},
                               {"route", ctx.route},
                               {"status", res.result_int()},
                               {"bytes", res.body().size()},
                               {"ms", ms},
                               {"request_id", ctx.request_id}});
    return res;
  };
}

Middleware RecordMetrics(Metrics& metrics) {
  return [&metrics](Context& ctx, const Next& next) {
    auto start = std::chrono::steady_clock::now();
    Response res = next(ctx);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The method is the client's to choose: one Beast does not know counts as "OTHER",
    // or every new token would add a series (memory and scrape size without bound;
    // found writing the oracle of fuzz/http_fuzzer.cc).
    std::string_view method = ctx.request.method() == Verb::unknown
                                  ? std::string_view("OTHER")
                                  : std::string_view(ctx.request.method_string());
    metrics.Observe(ctx.route, method, static_cast<int>(res.result_int()), s);
    return res;
  };
}

void ApplySecurityHeaders(Response& res) {
  if (res["Content-Security-Policy"].empty()) {
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
  }
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
}

Middleware SecurityHeaders() {
  return [](Context& ctx, const Next& next) {
    Response res = next(ctx);
    ApplySecurityHeaders(res);
    return res;
  };
}

}  // namespace ow::http
