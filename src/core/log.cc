#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace ow::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

void SetLevel(Level level) { g_level.store(level); }

bool ParseLevel(std::string_view name, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

namespace {
void Emit(std::string_view level, std::string_view event, boost::json::object fields) {
  boost::json::object line;
  line["ts"] = Timestamp();
  line["level"] = level;
  line["event"] = event;
  for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  // One write per line keeps concurrent lines whole; a short write to stderr is not retried.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, text.data(), text.size());
}
}  // namespace

void Write(Level level, std::string_view event, boost::json::object fields) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  Emit(LevelName(level), event, std::move(fields));
}

void Notice(std::string_view event, boost::json::object fields) {
  Emit("notice", event, std::move(fields));
}

}  // namespace ow::log
