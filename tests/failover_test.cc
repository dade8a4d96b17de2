// A server whose PostgreSQL goes away and comes back (issue 18, part 3): while the database
// is unreachable, requests fail fast with 503 problem+json and Retry-After, never hang; once
// it is back, the connection pool replaces its broken connections by itself and the same
// server answers again, with nothing restarted. PostgreSQL only (its own throwaway cluster,
// scripts/start-postgres.sh); SQLite has no server to lose.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/test_support.h"

namespace ow::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class Failover : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/lib/postgresql/15/bin/pg_ctl", X_OK) != 0) {
      if (std::getenv("ONEWINDOW_TEST_REQUIRE_PG")) FAIL() << "PostgreSQL 15 is not installed";
      GTEST_SKIP() << "PostgreSQL 15 is not installed";
    }
    char tmpl[] = "/tmp/ow-failover-XXXXXX";
    dir_ = mkdtemp(tmpl);
    chmod(dir_.c_str(), 0755);  // the cluster's own folder inside belongs to postgres
    auto run = RunTool({"bash", SourceDir() + "/scripts/start-postgres.sh", dir_ + "/pg"}, {},
                       /*stderr_apart=*/true);
    ASSERT_EQ(run.exit_code, 0) << run.output << run.errors;
    url_ = Trim(run.output);
    port_ = url_.substr(url_.rfind(':') + 1);
    port_ = port_.substr(0, port_.find('/'));
  }
  void TearDown() override {
    if (!dir_.empty()) RunTool({"bash", SourceDir() + "/scripts/stop-postgres.sh", dir_ + "/pg"});
  }
  // Stops the database as a crash would, keeping its files.
  void Crash() {
    auto r = RunTool({"runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
                      dir_ + "/pg/data", "-m", "immediate", "-w", "stop"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  void Restart() {
    auto r = RunTool({"bash", SourceDir() + "/scripts/start-postgres.sh", dir_ + "/pg", port_}, {},
                     true);
    ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  }

  std::string dir_, url_, port_;
};

TEST_F(Failover, RequestsFailFastWhileTheDatabaseIsDownAndRecoverWhenItIsBack) {
  TestServer server(url_, [](Config& c) {
    c.db_connect_timeout_ms = 2000;
    c.db_pool_wait_ms = 1000;
    c.db_statement_timeout_ms = 5000;
  });
  HttpClient client(server.port());
  const std::string target = "/api/v1/catalog/items";
  ASSERT_EQ(client.Get(target).status, 200);
  ASSERT_EQ(client.Get("/readyz").status, 200);

  Crash();
  // Every request while it is down: 503, problem+json, Retry-After, within a few seconds.
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto r = client.Get(i % 2 ? "/readyz" : target);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_FALSE(r.header("retry-after").empty());
    EXPECT_LT(took, seconds(5)) << "request " << i << " hung";
  }

  Restart();
  // The same server answers again once its pool reconnected, by itself (at most 10 s).
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    status = client.Get(target).status;
    if (status == 200) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(client.Get("/readyz").status, 200);
}

}  // namespace
}  // namespace ow::testing
