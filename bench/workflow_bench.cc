// Our side of bench/workflow.sh: ow::workflow runs instances of a BPMN file to completion,
// in memory, one after another, and reports microseconds per instance as one JSON line per
// mode, in the same shape as bench/workflow/bpmn_engine_bench.mjs.
//
//   ow_workflow_bench FILE [MAX_INSTANCES] [SECONDS] [WARMUP]
//
// Each instance: Start with the same form data as the Node script, then complete the open
// user tasks one by one in the order they were created, until the instance completes. An
// instance that does not complete, or waits in a number of user tasks other than
// EXPECTED_WAITS (default 2), fails the run.
//   preparsed: one Definition::Parse, shared by every instance (how the server runs);
//   parse:     Definition::Parse of the XML for every instance.
// Bounded by MAX_INSTANCES (default 2,000,000) and SECONDS (default 5) per mode.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "workflow/definition.h"
#include "workflow/instance.h"

namespace {

using ow::workflow::Definition;
using ow::workflow::Instance;
using ow::workflow::InstanceStatus;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "ow_workflow_bench: %s\n", what.c_str());
  std::exit(1);
}

// Runs one instance start to completion; returns the number of user tasks completed.
int RunOne(const std::shared_ptr<const Definition>& def, ow::SystemTime now) {
  Instance inst(def);
  auto started = inst.Start(boost::json::object{{"applicant", "Li"}}, now);
  if (!started) Fail("start: " + started.error().message);
  int completed = 0;
  static const boost::json::object kDecision{{"approved", true}};
  while (!inst.tasks().empty()) {
    auto done = inst.CompleteTask(inst.tasks().front().id, kDecision, now);
    if (!done) Fail("complete: " + done.error().message);
    ++completed;
  }
  if (inst.status() != InstanceStatus::kCompleted) Fail("the instance did not complete");
  return completed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ow_workflow_bench FILE [MAX_INSTANCES] [SECONDS] [WARMUP]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) Fail(std::string("cannot read ") + argv[1]);
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string xml = buf.str();
  const long max_instances = argc > 2 ? std::atol(argv[2]) : 2000000;
  const double seconds = argc > 3 ? std::atof(argv[3]) : 5.0;
  const long warmup = argc > 4 ? std::atol(argv[4]) : 1000;
  const char* expected_env = std::getenv("EXPECTED_WAITS");
  const int expected = expected_env != nullptr ? std::atoi(expected_env) : 2;
  const ow::SystemTime now = std::chrono::system_clock::now();  // passed in, as the server does

  auto parsed = Definition::Parse(xml, 1);
  if (!parsed) Fail("parse: " + parsed.error().message);
  const std::shared_ptr<const Definition> shared = std::move(parsed).value();
  for (const char* mode : {"preparsed", "parse"}) {
    const bool reparse = std::string(mode) == "parse";
    auto one = [&] {
      std::shared_ptr<const Definition> fresh;
      if (reparse) {
        auto d = Definition::Parse(xml, 1);
        if (!d) Fail("parse: " + d.error().message);
        fresh = std::move(d).value();
      }
      int waits = RunOne(reparse ? fresh : shared, now);
      if (waits != expected) {
        Fail("instance waited in " + std::to_string(waits) + " user tasks, expected " +
             std::to_string(expected));
      }
    };
    for (long i = 0; i < warmup; ++i) one();
    const auto t0 = Clock::now();
    const auto deadline = t0 + std::chrono::duration<double>(seconds);
    long n = 0;
    while (n < max_instances) {
      one();
      ++n;
      if ((n & 1023) == 0 && Clock::now() > deadline) break;
    }
    const double ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    std::printf(
        "{\"engine\":\"ow::workflow\",\"mode\":\"%s\",\"instances\":%ld,\"seconds\":%.6f,"
        "\"us_per_instance\":%.4f}\n",
        mode, n, ns / 1e9, ns / 1e3 / static_cast<double>(n));
    std::fflush(stdout);
  }
  return 0;
}
