// BPMN process definitions (workflow/definition.h), as an administrator uploads them:
// parsing and the structural checks, then, for a definition that passes, a bounded
// run of the engine (workflow/instance.h) that completes every task, finishes every
// service call and fires every timer, with snapshot/restore round trips along the way.
#include <chrono>
#include <cstdlib>

#include "fuzz_util.h"
#include "workflow/definition.h"
#include "workflow/instance.h"

namespace wf = ow::workflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml = ow::fuzz::AsText(data, size);
  (void)wf::ParseIsoDuration(xml.substr(0, 64));
  auto def = wf::Definition::Parse(xml, 1);
  if (!def) return 0;
  wf::Instance instance(*def);
  auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);
  boost::json::object vars = {{"amount", 5}, {"region", "330102"}, {"approved", true}};
  auto started = instance.Start(vars, now);
  if (!started) return 0;
  std::vector<int64_t> calls;
  for (const auto& e : *started) {
    if (e.kind == wf::Effect::Kind::kServiceCallRequested) calls.push_back(e.id);
  }
  for (int step = 0; step < 64 && instance.status() == wf::InstanceStatus::kRunning; ++step) {
    now += std::chrono::hours(1);
    // Restore(Snapshot()) must accept every snapshot: checked at the first steps and
    // then every 8th (a 1000-way multi-instance makes each round trip costly, and doing
    // it at all 64 steps made one input take seconds: regressions/bpmn/wide-multi-instance).
    if (step < 8 || step % 8 == 0) {
      auto snapshot = instance.Snapshot();
      auto restored = wf::Instance::Restore(*def, snapshot);
      if (!restored) std::abort();
    }
    wf::Effects effects;
    if (!instance.tasks().empty()) {
      auto r =
          instance.CompleteTask(instance.tasks().front().id, {{"approved", step % 2 == 0}}, now);
      if (r) effects = std::move(*r);
    } else if (!calls.empty()) {
      auto r = instance.ServiceDone(calls.back(), {{"ok", true}}, now);
      calls.pop_back();
      if (r) effects = std::move(*r);
    } else if (auto next = instance.NextTimer()) {
      auto r = instance.FireTimers(*next);
      if (r) effects = std::move(*r);
    } else {
      break;
    }
    for (const auto& e : effects) {
      if (e.kind == wf::Effect::Kind::kServiceCallRequested) calls.push_back(e.id);
    }
  }
  (void)instance.Terminate();
  return 0;
}
