// Every JSON request body of every domain, through the real route table: the whole
// application (app/app.h) on an SQLite database (on tmpfs) seeded with the demo data,
// its routes driven by the dispatcher with requests whose credentials the harness
// supplies, so that the fuzzer reaches the body readers behind authentication
// (catalog changes, departments, processes, calendar, identity, cases, agents,
// enterprises, OIDC clients, tasks) instead of stopping at 401.
//
// Input: a request line, header lines, a blank line and the body, as in HTTP/1.1 but
// without a Content-Length (the body is the rest of the input):
//   POST /api/v1/cases
//   As: resident
//
//   {"item_code": "..."}
// The pseudo-header "As" picks the credentials: admin (the bootstrap admin token),
// resident (a demo resident's session cookie and CSRF token), staff (a demo
// acceptor's session), or none. Content-Type defaults to application/json.
// OW_FUZZ_VERBOSE=1 prints each answer (to check what the seeds reach).
#include <unistd.h>

#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/app.h"
#include "app/demo.h"
#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "fuzz_util.h"
#include "http/dispatcher.h"
#include "http/middleware.h"
#include "identity/authn.h"

namespace {

namespace http = ow::http;
constexpr const char* kAdminToken = "fuzz-admin-token-0123456789";
constexpr const char* kDemoPassword = "OneWindow-demo-2026";

struct Login {
  std::string cookie;
  std::string csrf;
};

struct Fixture {
  std::unique_ptr<ow::app::App> app;
  const http::Dispatcher* dispatcher = nullptr;  // the app's own, with its access gate
  std::filesystem::path dir;                     // the database and spooled uploads
  std::filesystem::path spool_dir;
  Login resident, staff;

  Fixture() {
    ow::log::SetLevel(ow::log::Level::kError);
    // A file (each connection to "sqlite::memory:" would see a database of its own), in
    // a fresh folder per process, on tmpfs where there is one.
    dir = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                              : std::filesystem::temp_directory_path();
    dir /= "ow-fuzz-bodies-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ow::Config config;
    config.database_url = "sqlite:" + (dir / "onewindow.db").string();
    config.listen = "127.0.0.1:0";
    config.admin_token = kAdminToken;
    config.data_keys = "1:" + std::string(64, 'a');
    config.index_key = std::string(64, 'b');
    config.web_root = "/nonexistent";
    config.db_pool_size = 4;
    config.cookie_secure = 0;
    // Wrong passwords must not lock the demo accounts the harness logs in with.
    config.lockout_threshold = 1000000000;
    config.ip_failure_limit = 1000000000;
    auto app_or = ow::app::App::Create(config, /*handle_signals=*/false);
    if (!app_or) Die("cannot create the app: " + app_or.error().message);
    app = std::move(*app_or);
    auto seeded = ow::app::SeedDemo(app->database(), OW_SOURCE_DIR "/demo", &config);
    if (!seeded) {
      std::string why = seeded.error().message;
      for (const auto& e : seeded.error().fields) why += "; " + e.field + ": " + e.message;
      Die("cannot seed the demo data: " + why);
    }
    dispatcher = &app->dispatcher();
    spool_dir =
        std::filesystem::temp_directory_path() / ("ow-fuzz-bodies-" + std::to_string(::getpid()));
    std::filesystem::create_directories(spool_dir);
    resident = LogIn("zhangsan");
    staff = LogIn("sc.acceptor");
  }

  [[noreturn]] static void Die(const std::string& why) {
    std::fprintf(stderr, "json_bodies_fuzzer: %s\n", why.c_str());
    std::abort();
  }

  Login LogIn(const std::string& username) {
    http::Request req{http::Verb::post, "/api/v1/session", 11};
    req.set(http::Field::content_type, "application/json");
    req.body() = boost::json::serialize(
        boost::json::object{{"username", username}, {"password", kDemoPassword}});
    req.prepare_payload();
    http::Response res = dispatcher->Handle(req, "127.0.0.1");
    if (res.result() != http::Status::created) Die("cannot log in " + username + ": " + res.body());
    std::string set_cookie(res[http::Field::set_cookie]);
    Login out;
    out.cookie = set_cookie.substr(0, set_cookie.find(';'));
    out.csrf = std::string(boost::json::parse(res.body()).at("csrf_token").as_string());
    return out;
  }
};

// The fixture lives until the process ends (libFuzzer never returns from main). Then
// the app stops first (its audit writer thread must not hash a record while OpenSSL's
// own exit handler, registered earlier and so run later, tears OpenSSL down: ASan found
// that race at exit), and its folder is removed.
Fixture& TheFixture() {
  static Fixture* f = new Fixture();
  static const bool cleanup = [] {
    std::atexit([] {
      TheFixture().app.reset();
      std::error_code ignored;
      std::filesystem::remove_all(TheFixture().dir, ignored);
    });
    return true;
  }();
  (void)cleanup;
  return *f;
}

// Builds the request from the harness's input format; false when there is no
// request line.
bool BuildRequest(std::string_view in, http::Request& req, std::string& as) {
  size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  std::string_view method = line.substr(0, sp), target = line.substr(sp + 1);
  if (!target.empty() && target.back() == '\r') target.remove_suffix(1);
  if (target.empty()) return false;
  http::Verb verb = boost::beast::http::string_to_verb(method);
  if (verb == http::Verb::unknown) return false;
  req.method(verb);
  req.target(target);
  req.version(11);
  req.set(http::Field::content_type, "application/json");
  while (!in.empty()) {
    eol = in.find('\n');
    line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (boost::beast::iequals(name, "As")) {
      as = std::string(value);
    } else {
      req.set(name, value);
    }
  }
  req.body() = std::string(in);
  req.content_length(
      req.body().size());  // as the parser leaves it (prepare_payload throws on TRACE)
  return true;
}

// Routes that call other servers (a federation peer's discovery document, JWKS and
// token endpoint): a fuzzer must send no traffic off the machine.
bool CallsOtherServers(const http::Router& router, const http::Request& req) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return false;
  std::string path = url->path();
  http::Match m = router.Find(req.method(), path.empty() ? "/" : path);
  if (!m.route) return false;
  return m.route->pattern == "/api/v1/trusts" ||
         m.route->pattern.rfind("/oauth2/federation", 0) == 0;
}

}  // namespace

// Routes that draw (a seal's picture, a licence's PDF) load fontconfig, pango and cairo,
// which keep process-wide caches fontconfig partly loses track of: LeakSanitizer would
// report them after the first input that draws. They are the libraries' one-time state,
// not leaks of ours; everything else is still checked.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libpango\nleak:libcairo.so\nleak:libharfbuzz.so\n"
         "leak:libglib-2.0.so\nleak:libgobject-2.0.so\n";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = TheFixture();
  http::Request req;
  std::string as;
  if (!BuildRequest(ow::fuzz::AsText(data, size), req, as)) return 0;
  if (CallsOtherServers(f.app->router(), req)) return 0;
  const Login* login = as == "resident" ? &f.resident : as == "staff" ? &f.staff : nullptr;
  if (as == "admin") req.set(http::Field::authorization, std::string("Bearer ") + kAdminToken);
  if (login) {
    req.set(http::Field::cookie, login->cookie);
    req.set(ow::identity::kCsrfHeader, login->csrf);
  }

  // Upload routes get their body the way the server hands it over: spooled to a file.
  std::optional<http::SpooledBody> spool;
  if (f.dispatcher->SpoolRoute(req)) {
    http::SpooledBody body;
    body.path = (f.spool_dir / "upload").string();
    std::ofstream(body.path, std::ios::binary) << req.body();
    body.size = req.body().size();
    body.sha256_hex = ow::crypto::HexEncode(ow::crypto::Sha256(req.body()));
    req.body().clear();
    spool = std::move(body);
  }
  http::Response res = f.dispatcher->Handle(req, "127.0.0.1", std::move(spool));
  if (res.result_int() >= 500) {
    std::fprintf(stderr, "json_bodies_fuzzer: %u for %s %s: %s\n", res.result_int(),
                 std::string(req.method_string()).c_str(), std::string(req.target()).c_str(),
                 res.body().c_str());
    std::abort();  // a request, however bad, is never the server's fault
  }
  static const bool verbose = std::getenv("OW_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%u %s %s: %.300s\n", res.result_int(),
                 std::string(req.method_string()).c_str(), std::string(req.target()).c_str(),
                 res.body().c_str());
  }
  // A logged-out session (DELETE /api/v1/session) is logged in again for the next input.
  if (login && res.result() == http::Status::unauthorized) {
    if (login == &f.resident) f.resident = f.LogIn("zhangsan");
    if (login == &f.staff) f.staff = f.LogIn("sc.acceptor");
  }
  std::ostringstream wire;
  wire << res;
  return 0;
}
