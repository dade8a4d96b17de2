// The onewindow binary as an operator uses it: subcommands, configuration
// precedence, masking of secrets, exit codes, and a graceful stop on SIGTERM.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
};

Child Spawn(const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env = {}) {
  int out[2], err[2];
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = OW_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  return {pid, out[0], err[0]};
}

std::string Drain(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

struct Run {
  int exit_code;
  std::string out, err;
};

Run RunCli(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env = {}) {
  Child c = Spawn(args, env);
  // Read stderr fully first only after stdout closes; outputs here are small.
  std::string out = Drain(c.out);
  std::string err = Drain(c.err);
  int status = 0;
  waitpid(c.pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ow_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Db() const { return "sqlite:" + (dir_ / "cli.db").string(); }
  fs::path dir_;
};

TEST_F(Cli, HelpAndVersion) {
  auto help = RunCli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* sub : {"serve", "migrate", "import-regions", "seed-demo"}) {
    EXPECT_NE(help.out.find(sub), std::string::npos) << sub;
  }
  auto version = RunCli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("onewindow 0.1.0"), std::string::npos) << version.out;
  EXPECT_NE(RunCli({}).exit_code, 0);  // a subcommand is required
}

TEST_F(Cli, PrintConfigMasksSecretsAndAppliesPrecedence) {
  fs::path toml = dir_ / "ow.toml";
  std::ofstream(toml)
      << "[server]\nlisten = \"127.0.0.1:7000\"\nbody_limit = 2048\nio_threads = 3\n"
         "[database]\npool_size = 7\n";
  auto r = RunCli(
      {"--config", toml.string(), "--database", "postgresql://app:hunter2@db.example:5432/ow",
       "serve", "--print-config", "--listen", "127.0.0.1:7001"},
      {{"ONEWINDOW_ADMIN_TOKEN", "supersecret"},
       {"ONEWINDOW_BODY_LIMIT", "4096"},
       {"ONEWINDOW_IO_THREADS", "5"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("supersecret"), std::string::npos);
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
  EXPECT_NE(r.out.find("admin_token = \"****\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("url = \"postgresql://app:****@db.example:5432/ow\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("listen = \"127.0.0.1:7001\""), std::string::npos);  // flag beats file
  EXPECT_NE(r.out.find("body_limit = 4096"), std::string::npos);            // env beats file
  EXPECT_NE(r.out.find("io_threads = 5"), std::string::npos);
  EXPECT_NE(r.out.find("pool_size = 7"), std::string::npos);  // file beats default
}

TEST_F(Cli, BadConfigurationIsRejectedWithTheKey) {
  fs::path toml = dir_ / "bad.toml";
  std::ofstream(toml) << "[server]\nlisten_on = \"x\"\nbody_limit = \"big\"\n";
  auto r = RunCli({"--config", toml.string(), "serve", "--print-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("server.listen_on"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("server.body_limit"), std::string::npos) << r.err;
  auto env = RunCli({"serve", "--print-config"}, {{"ONEWINDOW_READ_TIMEOUT_MS", "-5"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("ONEWINDOW_READ_TIMEOUT_MS"), std::string::npos);
  auto listen = RunCli({"--database", Db(), "serve", "--listen", "localhost:80:80"});
  EXPECT_EQ(listen.exit_code, 2) << listen.err;
}

TEST_F(Cli, MigrateSeedAndImportPrintOneLineSummaries) {
  auto m = RunCli({"--database", Db(), "migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("migrations applied"), std::string::npos);
  auto seed = RunCli({"--database", Db(), "seed-demo", "--dir", SourceDir() + "/demo"});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_NE(seed.out.find("3351 regions"), std::string::npos) << seed.out;
  // demo/supervision.json: 6 licences, a published plan, 2 orders; nothing again the second time.
  EXPECT_NE(seed.out.find(", 9 supervision records"), std::string::npos) << seed.out;
  auto again = RunCli({"--database", Db(), "seed-demo", "--dir", SourceDir() + "/demo"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(", 0 supervision records"), std::string::npos) << again.out;
  auto import = RunCli({"--database", Db(), "import-regions", SourceDir() + "/demo/regions"});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  // Not a terminal: no progress bar, one summary line.
  EXPECT_EQ(std::count(import.out.begin(), import.out.end(), '\n'), 1);
  EXPECT_NE(import.out.find("imported 3351 regions (31 provinces, 342 cities, 2978 counties"),
            std::string::npos)
      << import.out;
  EXPECT_EQ(import.err.find('\r'), std::string::npos);
}

TEST_F(Cli, MalformedImportExitsNonZeroNamingFileAndLine) {
  fs::create_directories(dir_ / "csv");
  std::ofstream(dir_ / "csv" / "provinces.csv") << "code,name\n11,\"北京市\"\n1X,\"坏\"\n";
  auto r = RunCli({"--database", Db(), "import-regions", (dir_ / "csv").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("provinces.csv:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;
}

TEST_F(Cli, ServeLogsItsPortAndStopsGracefullyOnSigterm) {
  Child c = Spawn({"--database", Db(), "serve", "--listen", "127.0.0.1:0", "--web-root",
                   SourceDir() + "/tests/support/webroot"});
  std::string log;
  std::smatch m;
  std::regex port_re("\"event\":\"server.listening\".*\"port\":([0-9]+)");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::regex_search(log, m, port_re) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{c.err, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char buf[4096];
      ssize_t n = read(c.err, buf, sizeof buf);
      if (n <= 0) break;
      log.append(buf, static_cast<size_t>(n));
    }
  }
  ASSERT_TRUE(std::regex_search(log, m, port_re)) << log;
  uint16_t port = static_cast<uint16_t>(std::stoi(m[1]));
  ASSERT_GT(port, 0);
  HttpClient client(port);
  EXPECT_EQ(client.Get("/readyz").status, 200);
  EXPECT_EQ(client.Get("/").status, 200);

  auto start = std::chrono::steady_clock::now();
  kill(c.pid, SIGTERM);
  std::string rest = Drain(c.err);
  Drain(c.out);
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  log += rest;
  EXPECT_NE(log.find("\"event\":\"http.shutdown_started\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"event\":\"server.stopped\""), std::string::npos) << log;
  // Structured logs: every stderr line is a JSON object.
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    EXPECT_FALSE(ec) << line;
    EXPECT_TRUE(v.is_object()) << line;
  }
}

}  // namespace
}  // namespace ow::testing
