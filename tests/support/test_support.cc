#include "support/test_support.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "db/migrations.h"

namespace ow::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string StoreName(Store s) { return s == Store::kSqlite ? "sqlite" : "postgres"; }

std::string SourceDir() { return OW_SOURCE_DIR; }

namespace {

std::string RandomSuffix() {
  static std::atomic<int> counter{0};
  std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rng() % 1000000);
}

const char* PgUrl() {
  const char* url = std::getenv("ONEWINDOW_TEST_PG_URL");
  return url && *url ? url : nullptr;
}

}  // namespace

bool PostgresAvailable() { return PgUrl() != nullptr; }

namespace {

// ONEWINDOW_TEST_PG_URL with its database name replaced by `database`.
std::string PgUrlFor(const std::string& database) {
  auto parsed = boost::urls::parse_uri(PgUrl());
  if (!parsed) throw std::runtime_error("ONEWINDOW_TEST_PG_URL is not a URL");
  boost::urls::url url = *parsed;
  url.set_path("/" + database);
  return std::string(url.buffer());
}

// One libpq connection to the server's own database, for what the db layer cannot do:
// CREATE and DROP DATABASE run outside a transaction, and a session-level advisory
// lock outlives one. Throws on failure (a test cannot go on without its database).
class PgAdmin {
 public:
  PgAdmin() : conn_(PQconnectdb(PgUrl())) {
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error(std::string("cannot reach test PostgreSQL: ") +
                               PQerrorMessage(conn_));
  }
  ~PgAdmin() { PQfinish(conn_); }
  PgAdmin(const PgAdmin&) = delete;
  PgAdmin& operator=(const PgAdmin&) = delete;

  // Runs `sql`; returns the first column of the first row ("" when none), or throws.
  std::string Run(const std::string& sql) {
    std::string error;
    std::string out;
    if (!TryRun(sql, &out, &error)) throw std::runtime_error(sql + ": " + error);
    return out;
  }
  bool TryRun(const std::string& sql, std::string* out, std::string* error) {
    PGresult* r = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && error) *error = PQresultErrorMessage(r);
    if (ok && out && st == PGRES_TUPLES_OK && PQntuples(r) > 0) *out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return ok;
  }

 private:
  PGconn* conn_;
};

// The name of the template for this build's migrations: a hash of every migration's id
// and PostgreSQL script, so a new or changed migration never reuses an old template.
const std::string& TemplateName() {
  static const std::string name = [] {
    crypto::Sha256Hasher h;
    for (const auto& m : app::AllMigrations()) {
      for (const std::string* part : {&m.id, &m.sqlite, &m.postgres}) {
        h.Update(std::to_string(part->size()) + ":");
        h.Update(*part);
      }
    }
    return "ow_template_" + crypto::HexEncode(h.Finish()).substr(0, 16);
  }();
  return name;
}

// Creates the template database unless it exists. Several test processes may get here
// at once: a session-level advisory lock (released if the builder dies) lets the first
// build while the others wait, then find it. The template is built under a temporary
// name and renamed when complete, so a half-built one is never cloned.
void EnsureTemplate(PgAdmin& admin) {
  static std::once_flag once;
  std::call_once(once, [&] {
    const std::string& name = TemplateName();
    auto exists = [&] {
      return admin.Run("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") != "0";
    };
    if (exists()) return;
    // An arbitrary constant: "ow template" (the migrations take their own lock).
    admin.Run("SELECT pg_advisory_lock(7713584030542)");
    struct Unlock {
      PgAdmin& a;
      ~Unlock() { a.TryRun("SELECT pg_advisory_unlock(7713584030542)", nullptr, nullptr); }
    } unlock{admin};
    if (exists()) return;
    const std::string building = name + "_building";
    // Left by a builder that died (its lock went with it).
    admin.Run("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)");
    admin.Run("CREATE DATABASE " + building + " TEMPLATE template0");
    {
      db::Options o;
      o.pool_size = 1;
      auto database = db::Open(PgUrlFor(building), o);
      if (!database) throw std::runtime_error("template: " + database.error().message);
      auto applied = db::Migrate(**database, app::AllMigrations());
      if (!applied) throw std::runtime_error("template migrations: " + applied.error().message);
      (*database)->Close();
    }
    admin.Run("ALTER DATABASE " + building + " RENAME TO " + name);
    admin.Run("ALTER DATABASE " + name + " IS_TEMPLATE true");
  });
}

}  // namespace

TestDatabase::TestDatabase(Store store, Schema schema) : store_(store) {
  if (store == Store::kSqlite) {
    path_ = (std::filesystem::temp_directory_path() / ("onewindow_test_" + RandomSuffix() + ".db"))
                .string();
    const char* sync = std::getenv("ONEWINDOW_TEST_SQLITE_SYNC");
    url_ = "sqlite:" + path_ +
           (sync && std::string(sync) == "full" ? std::string() : std::string("?synchronous=off"));
    return;
  }
  // ONEWINDOW_TEST_PG_TEMPLATE=0: every test migrates its own empty schema, as before the
  // template (to measure the difference, or to rule the template out).
  const char* use_template = std::getenv("ONEWINDOW_TEST_PG_TEMPLATE");
  if (schema == Schema::kMigrated && !(use_template && std::string(use_template) == "0")) {
    PgAdmin admin;
    EnsureTemplate(admin);
    database_ = "t_" + RandomSuffix();
    // A clone fails while another session is connected to the template; none should be
    // (its builder has closed), but a few retries cost nothing.
    std::string error;
    for (int attempt = 0; attempt < 20; ++attempt) {
      if (admin.TryRun("CREATE DATABASE " + database_ + " TEMPLATE " + TemplateName(), nullptr,
                       &error))
        break;
      if (error.find("being accessed by other users") == std::string::npos || attempt == 19)
        throw std::runtime_error("cannot create database from template: " + error);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    url_ = PgUrlFor(database_);
    return;
  }
  schema_ = "t_" + RandomSuffix();
  db::Options o;
  o.pool_size = 1;
  auto admin = db::Open(PgUrl(), o);
  if (!admin) throw std::runtime_error("cannot reach test PostgreSQL: " + admin.error().message);
  auto st = (*admin)->Transact(
      [&](db::Connection& c) { return c.ExecScript("CREATE SCHEMA " + schema_); });
  if (!st) throw std::runtime_error("cannot create schema: " + st.error().message);
  std::string base = PgUrl();
  url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema_;
}

TestDatabase::~TestDatabase() {
  if (store_ == Store::kSqlite) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    return;
  }
  if (!database_.empty()) {
    try {
      PgAdmin admin;
      // FORCE: a server or pool the test left open must not keep the database alive.
      admin.TryRun("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", nullptr, nullptr);
    } catch (const std::exception&) {
      // The server is gone; its throwaway cluster goes with it.
    }
    return;
  }
  db::Options o;
  o.pool_size = 1;
  if (auto admin = db::Open(PgUrl(), o)) {
    (void)(*admin)->Transact(
        [&](db::Connection& c) { return c.ExecScript("DROP SCHEMA " + schema_ + " CASCADE"); });
  }
}

void StoreTest::SetUp() {
  log::SetLevel(log::Level::kWarn);
  if (GetParam() == Store::kPostgres && !PostgresAvailable()) {
    if (std::getenv("ONEWINDOW_TEST_REQUIRE_PG")) FAIL() << "ONEWINDOW_TEST_PG_URL is not set";
    GTEST_SKIP() << "PostgreSQL not configured (set ONEWINDOW_TEST_PG_URL)";
  }
  db_ = std::make_unique<TestDatabase>(GetParam(), schema());
}

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) ADD_FAILURE() << "response is not JSON: " << body.substr(0, 200);
  return v;
}

std::string HttpResponse::header(const std::string& name) const {
  std::string lower = name;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  uint16_t port;
  bool connected = false;
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Send(bhttp::verb method, const std::string& target,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->connected) {
      impl_->stream = std::make_unique<beast::tcp_stream>(impl_->ioc);
      impl_->buffer.clear();
      impl_->stream->connect(
          asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port));
      impl_->connected = true;
    }
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == bhttp::verb::post || method == bhttp::verb::put)
      req.prepare_payload();
    req.keep_alive(true);
    beast::error_code ec;
    impl_->stream->expires_after(std::chrono::seconds(30));
    bhttp::write(*impl_->stream, req, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == bhttp::verb::head) parser.skip(true);
    if (!ec) bhttp::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->connected = false;
      if (attempt == 0) continue;  // the server closed an idle keep-alive connection
      throw std::runtime_error("HTTP " + std::string(bhttp::to_string(method)) + " " + target +
                               ": " + ec.message());
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(c));
      out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) impl_->connected = false;
    return out;
  }
  return {};
}

HttpResponse HttpClient::SendJson(bhttp::verb method, const std::string& target,
                                  const std::string& json,
                                  const std::map<std::string, std::string>& headers) {
  auto h = headers;
  h["Content-Type"] = "application/json";
  return Send(method, target, json, h);
}

TestServer::TestServer(const std::string& database_url, const std::function<void(Config&)>& tweak) {
  log::SetLevel(log::Level::kWarn);
  Config config;
  config.database_url = database_url;
  config.listen = "127.0.0.1:0";
  config.admin_token = kAdminToken;
  // Fixed test keys (never used outside tests), so no key file is written.
  config.data_keys = "1:" + std::string(64, 'a');
  config.index_key = std::string(64, 'b');
  config.web_root = SourceDir() + "/tests/support/webroot";
  // Tests sign in hundreds of times: libsodium's cheapest argon2id instead of OWASP's
  // (crypto_test and identity's own tests check the real parameters).
  config.insecure_password_hashing_for_tests = true;
  config.db_pool_size = 4;
  config.handler_threads = 8;
  config.io_threads = 2;
  if (tweak) tweak(config);
  auto app = app::App::Create(config, /*handle_signals=*/false);
  if (!app) throw std::runtime_error("cannot create app: " + app.error().message);
  app_ = std::move(*app);
  auto port = app_->Listen();
  if (!port) throw std::runtime_error("cannot listen: " + port.error().message);
  port_ = *port;
  thread_ = std::thread([this] { app_->Run(); });
}

TestServer::~TestServer() {
  app_->Shutdown();
  thread_.join();
}

ToolRun RunTool(const std::vector<std::string>& args, const std::string& cwd, bool stderr_apart) {
  int out_fds[2], err_fds[2];
  if (pipe(out_fds) != 0) return {};
  if (pipe(err_fds) != 0) {
    close(out_fds[0]);
    close(out_fds[1]);
    return {};
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fds[1], 1);
    dup2(stderr_apart ? err_fds[1] : out_fds[1], 2);
    for (int fd : {out_fds[0], out_fds[1], err_fds[0], err_fds[1]}) close(fd);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(out_fds[1]);
  close(err_fds[1]);
  ToolRun run;
  // Both pipes are drained together, so a chatty stderr cannot block the tool.
  pollfd fds[2] = {{out_fds[0], POLLIN, 0}, {err_fds[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.output, &run.errors};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0 && poll(fds, 2, -1) > 0) {
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

namespace {

std::string Enc(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}
constexpr const char* kRedirect = "https://rp.example/cb";

// A confidential client allowed `scopes` for `grant`: {client_id, client_secret}.
std::pair<std::string, std::string> RegisterClient(HttpClient& client, const TestServer& server,
                                                   const std::string& grant,
                                                   const std::string& scopes) {
  boost::json::array list;
  for (size_t i = 0; i < scopes.size();) {
    size_t end = scopes.find(' ', i);
    if (end == std::string::npos) end = scopes.size();
    if (end > i) list.emplace_back(scopes.substr(i, end - i));
    i = end + 1;
  }
  auto r =
      client.SendJson(bhttp::verb::post, "/api/v1/oidc/clients",
                      boost::json::serialize(boost::json::object{{"name", "Test client " + scopes},
                                                                 {"type", "confidential"},
                                                                 {"redirect_uris", {kRedirect}},
                                                                 {"grant_types", {grant}},
                                                                 {"scopes", list}}),
                      server.AdminHeaders());
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status != 201) return {};
  auto j = r.json();
  return {std::string(j.at("client_id").as_string()),
          std::string(j.at("client_secret").as_string())};
}

Caller Bearer(HttpClient& client, const std::string& form, std::string account_id) {
  auto t = client.Send(bhttp::verb::post, "/oauth2/token", form,
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(t.status, 200) << t.body;
  if (t.status != 200) return {};
  return {{{"Authorization", "Bearer " + std::string(t.json().at("access_token").as_string())}},
          std::move(account_id)};
}

}  // namespace

Caller SignIn(HttpClient& client, const std::string& username, const std::string& password) {
  auto r = client.SendJson(
      bhttp::verb::post, "/api/v1/session",
      boost::json::serialize(boost::json::object{{"username", username}, {"password", password}}));
  EXPECT_EQ(r.status, 201) << username << ": " << r.body;
  if (r.status != 201) return {};
  std::string cookie = r.header("set-cookie");
  auto j = r.json();
  return {{{"Cookie", cookie.substr(0, cookie.find(';'))},
           {"X-CSRF-Token", std::string(j.at("csrf_token").as_string())}},
          std::string(j.at("account").at("id").as_string())};
}

Caller UserToken(HttpClient& client, const TestServer& server, const Caller& user,
                 const std::string& scopes) {
  auto [id, secret] = RegisterClient(client, server, "authorization_code", scopes);
  if (id.empty()) return {};
  auto a = client.Get("/oauth2/authorize?response_type=code&client_id=" + id +
                          "&redirect_uri=" + Enc(kRedirect) + "&scope=" + Enc(scopes) + "&state=s1",
                      {{"Cookie", user.headers.count("Cookie") ? user.headers.at("Cookie") : ""}});
  EXPECT_EQ(a.status, 302) << a.body;
  auto location = boost::urls::parse_absolute_uri(a.header("location"));
  if (!location || location->params().find("code") == location->params().end()) {
    ADD_FAILURE() << "no code in " << a.header("location");
    return {};
  }
  return Bearer(
      client,
      "grant_type=authorization_code&code=" + Enc((*location->params().find("code")).value) +
          "&redirect_uri=" + Enc(kRedirect) + "&client_id=" + id + "&client_secret=" + Enc(secret),
      user.account_id);
}

Caller ClientToken(HttpClient& client, const TestServer& server, const std::string& scopes) {
  auto [id, secret] = RegisterClient(client, server, "client_credentials", scopes);
  if (id.empty()) return {};
  return Bearer(client,
                "grant_type=client_credentials&scope=" + Enc(scopes) + "&client_id=" + id +
                    "&client_secret=" + Enc(secret),
                "");
}

}  // namespace ow::testing
