// Shared test fixtures: throwaway databases on both stores, an in-process server
// on 127.0.0.1:0, and a small synchronous HTTP client.
#ifndef OW_TESTS_SUPPORT_TEST_SUPPORT_H_
#define OW_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "app/app.h"
#include "core/config.h"
#include "db/database.h"

namespace ow::testing {

enum class Store { kSqlite, kPostgres };
std::string StoreName(Store s);
// Keeps test names readable ("... GetParam() = sqlite").
inline void PrintTo(Store s, std::ostream* os) { *os << StoreName(s); }

// A fresh database, dropped on destruction: a temporary SQLite file, or, on the
// PostgreSQL server named by ONEWINDOW_TEST_PG_URL, either
//   kMigrated (the default): a new database cloned from a template that holds every
//     migration of app::AllMigrations() (CREATE DATABASE ... TEMPLATE, a few ms instead
//     of migrating, about a second under load). The template, ow_template_<hash of the
//     migrations>, is built once per server by the first test process that needs it,
//     under an advisory lock, so parallel ctest processes neither race nor repeat it;
//     a changed migration gives a new hash and a new template. The application's own
//     db::Migrate then finds nothing to do.
//   kEmpty: a new schema in that server's database, with nothing in it, for tests of
//     migrations themselves and of the db layer.
// SQLite databases always start empty (the application migrates them), and so does every
// PostgreSQL one when ONEWINDOW_TEST_PG_TEMPLATE=0. Like the tests' PostgreSQL (fsync off),
// SQLite ones run with synchronous=off: a killed process still loses no committed
// transaction (the WAL is in the kernel's page cache), only a power cut would, and the
// tests need neither the wait for the disk nor its time (0.2 s of every migration here).
// ONEWINDOW_TEST_SQLITE_SYNC=full keeps SQLite's default. `path()` is the SQLite file.
class TestDatabase {
 public:
  enum class Schema { kMigrated, kEmpty };
  explicit TestDatabase(Store store, Schema schema = Schema::kMigrated);
  ~TestDatabase();
  const std::string& url() const { return url_; }
  const std::string& path() const { return path_; }
  Store store() const { return store_; }

 private:
  Store store_;
  std::string url_;
  std::string path_;      // SQLite file
  std::string schema_;    // PostgreSQL schema (kEmpty)
  std::string database_;  // PostgreSQL database (kMigrated)
};

// True when the PostgreSQL cases can run; when not, the caller skips, or fails if
// ONEWINDOW_TEST_REQUIRE_PG is set (make test and CI set it).
bool PostgresAvailable();

// Parametrized over both stores: a test body sees GetParam() and db_url().
class StoreTest : public ::testing::TestWithParam<Store> {
 protected:
  void SetUp() override;
  // kEmpty for suites that migrate (or create tables) themselves.
  virtual TestDatabase::Schema schema() const { return TestDatabase::Schema::kMigrated; }
  const std::string& db_url() const { return db_->url(); }
  std::unique_ptr<TestDatabase> db_;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json() const;
  std::string header(const std::string& name) const;
};

// One keep-alive connection to 127.0.0.1:port; reconnects when the server closed it.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpResponse Send(boost::beast::http::verb method, const std::string& target,
                    const std::string& body = {},
                    const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {}) {
    return Send(boost::beast::http::verb::get, target, {}, headers);
  }
  // POST/PUT with Content-Type: application/json.
  HttpResponse SendJson(boost::beast::http::verb method, const std::string& target,
                        const std::string& json,
                        const std::map<std::string, std::string>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The real application on a free loopback port, serving on a background thread.
class TestServer {
 public:
  static constexpr const char* kAdminToken = "test-admin-token";
  // `tweak` may adjust the configuration (limits, timeouts) before start.
  explicit TestServer(const std::string& database_url,
                      const std::function<void(Config&)>& tweak = {});
  ~TestServer();
  uint16_t port() const { return port_; }
  app::App& app() { return *app_; }
  std::map<std::string, std::string> AdminHeaders() const {
    return {{"Authorization", std::string("Bearer ") + kAdminToken}};
  }

 private:
  std::unique_ptr<app::App> app_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// A signed-in caller: the headers that present its credentials.
struct Caller {
  std::map<std::string, std::string> headers;  // Cookie + X-CSRF-Token, or Authorization
  std::string account_id;                      // "" for a client token
};

// Signs `username` in through POST /api/v1/session (ADD_FAILUREs and returns no headers
// when that fails). The demo accounts' password is kDemoPassword.
inline constexpr const char* kDemoPassword = "OneWindow-demo-2026";  // demo/accounts.json
Caller SignIn(HttpClient& client, const std::string& username,
              const std::string& password = kDemoPassword);
// An access token a relying party holds for `user` (a SignIn session), with `scopes`
// (space-separated): registers a confidential client allowed those scopes with the
// administrator token, then runs the authorization code flow in the user's session.
Caller UserToken(HttpClient& client, const TestServer& server, const Caller& user,
                 const std::string& scopes);
// A client-credentials access token with `scopes`, for a newly registered client.
Caller ClientToken(HttpClient& client, const TestServer& server, const std::string& scopes);

// The repository root (for demo data and web files), from the OW_SOURCE_DIR define.
std::string SourceDir();

// An independent tool run to completion (openssl, node scripts in tests/tools).
struct ToolRun {
  int exit_code = -1;  // -1 when it did not exit normally; 127 when it could not start
  std::string output;  // stdout, and stderr too unless stderr_apart
  std::string errors;  // stderr when stderr_apart
};
// Runs `args` (args[0] looked up on PATH) in `cwd` (empty: ours) and waits for it.
ToolRun RunTool(const std::vector<std::string>& args, const std::string& cwd = {},
                bool stderr_apart = false);

}  // namespace ow::testing

// Instantiates a StoreTest-derived suite on SQLite and PostgreSQL; test names
// start with "Sqlite/" or "Postgres/" so `make test` can count them.
#define OW_INSTANTIATE_STORE_TESTS(Suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(Sqlite, Suite, ::testing::Values(::ow::testing::Store::kSqlite),     \
                           [](const auto&) { return std::string("sqlite"); });                  \
  INSTANTIATE_TEST_SUITE_P(Postgres, Suite, ::testing::Values(::ow::testing::Store::kPostgres), \
                           [](const auto&) { return std::string("postgres"); })

#endif  // OW_TESTS_SUPPORT_TEST_SUPPORT_H_
