#include "materials/scanner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "core/log.h"
#include "materials/model.h"

extern char** environ;

namespace ow::materials {
namespace {

Result<std::vector<std::string>> SplitCommand(const std::string& command) {
  std::vector<std::string> args;
  std::string cur;
  bool in_arg = false;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_arg = true;
    } else if (c == ' ' || c == '\t') {
      if (in_arg) args.push_back(std::move(cur));
      cur.clear();
      in_arg = false;
    } else {
      cur += c;
      in_arg = true;
    }
  }
  if (quote) return InvalidArgument("materials.scanner_command has an unclosed quote");
  if (in_arg) args.push_back(std::move(cur));
  if (args.empty()) return InvalidArgument("materials.scanner_command is empty");
  return args;
}

// The first non-empty line of `output` with `path` replaced, at most 200 bytes;
// `fallback` when there is none.
std::string Reason(std::string output, const std::string& path, const char* fallback) {
  for (size_t at; !path.empty() && (at = output.find(path)) != std::string::npos;)
    output.replace(at, path.size(), "upload");
  size_t start = output.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return fallback;
  std::string line = output.substr(start, output.find_first_of("\r\n", start) - start);
  if (line.size() > 200) line.resize(200);
  return line;
}

struct Spawned {
  pid_t pid = -1;
  int out = -1;  // the child's stdout and stderr
};

Result<Spawned> Spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Unavailable("virus scanner: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  // Sockets and database connections of the server are not the scanner's business.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a timeout kills its children too
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return Unavailable("the virus scanner could not start: " + std::string(std::strerror(rc)));
  }
  return Spawned{pid, fds[0]};
}

Result<std::string> Run(const std::vector<std::string>& command, std::chrono::milliseconds timeout,
                        const std::string& path) {
  std::vector<std::string> args = command;
  args.push_back(path);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  OW_ASSIGN_OR_RETURN(Spawned child, Spawn(args));
  std::string output;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{child.out, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // a timeout shows on the next turn
    char buf[4096];
    ssize_t r = ::read(child.out, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // end of output
    if (output.size() < 16384) output.append(buf, static_cast<size_t>(r));
  }
  ::close(child.out);
  int status = 0;
  // It closed its output; give it until the deadline to exit.
  while (!timed_out) {
    pid_t w = ::waitpid(child.pid, &status, WNOHANG);
    if (w == child.pid) break;
    if (w < 0 && errno != EINTR) return Unavailable("virus scanner: lost track of the process");
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (timed_out) {
    ::kill(-child.pid, SIGKILL);
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    log::Warn("materials.scan_timeout", {{"timeout_ms", static_cast<int64_t>(timeout.count())}});
    return Unavailable("the virus scanner did not answer in time");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string(kClean);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
    std::string msg = "rejected by the virus scanner: " + Reason(output, path, "infected");
    return Error(Code::kInvalidArgument, msg, {{"file", msg}});
  }
  log::Warn("materials.scan_failed", {{"exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                                      {"output", Reason(output, path, "")}});
  return Unavailable("the virus scanner failed; try again later");
}

}  // namespace

Result<Scanner> CommandScanner(const std::string& command, std::chrono::milliseconds timeout) {
  OW_ASSIGN_OR_RETURN(auto args, SplitCommand(command));
  return Scanner([args, timeout](const std::string& path) { return Run(args, timeout, path); });
}

}  // namespace ow::materials
