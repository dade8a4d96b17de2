#include "workflow/instance.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace ow::workflow {

namespace json = boost::json;

namespace {

Error NodeError(const Node& n, const std::string& what) {
  return InvalidArgument(std::string(NodeTypeName(n.type)) + " \"" + n.id + "\": " + what);
}

SystemTime TruncateToMillis(SystemTime t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

int64_t UnixMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void Merge(json::object& into, const json::object& from) {
  for (const auto& [k, v] : from) into[k] = v;
}

Result<std::string> EvaluateText(const Node& n, const Text& t, std::string_view what,
                                 const json::object& vars) {
  if (!t.expression) return t.literal;
  auto v = t.expression->Evaluate(vars);
  if (!v) return NodeError(n, std::string(what) + ": " + v.error().message);
  switch (v->type) {
    case Value::Type::kString:
      return std::string(v->string);
    case Value::Type::kNumber: {
      double d = v->number;
      if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
      return std::to_string(d);
    }
    default:
      return NodeError(n, std::string(what) + ": " + t.expression->text() +
                              " gives no string on the current variables");
  }
}

}  // namespace

std::string_view InstanceStatusName(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kRunning:
      return "running";
    case InstanceStatus::kCompleted:
      return "completed";
    case InstanceStatus::kTerminated:
      return "terminated";
  }
  return "?";
}

std::string_view CloseReasonName(CloseReason r) {
  switch (r) {
    case CloseReason::kCompleted:
      return "completed";
    case CloseReason::kCancelled:
      return "cancelled";
    case CloseReason::kInterrupted:
      return "interrupted";
    case CloseReason::kTerminated:
      return "terminated";
  }
  return "?";
}

std::string_view EffectKindName(Effect::Kind k) {
  switch (k) {
    case Effect::Kind::kTaskCreated:
      return "task_created";
    case Effect::Kind::kTaskClosed:
      return "task_closed";
    case Effect::Kind::kServiceCallRequested:
      return "service_call_requested";
    case Effect::Kind::kServiceCallCancelled:
      return "service_call_cancelled";
    case Effect::Kind::kTimerScheduled:
      return "timer_scheduled";
    case Effect::Kind::kTimerCancelled:
      return "timer_cancelled";
    case Effect::Kind::kTimerFired:
      return "timer_fired";
    case Effect::Kind::kInstanceCompleted:
      return "instance_completed";
    case Effect::Kind::kInstanceTerminated:
      return "instance_terminated";
  }
  return "?";
}

Instance::Instance(std::shared_ptr<const Definition> definition)
    : definition_(std::move(definition)) {
  assert(definition_ != nullptr);
  state_.join_tokens.assign(definition_->flows().size(), 0);
}

// Runs `body` on the live state; on error puts the state back as it was, so every public
// operation is all or nothing.
template <class F>
Result<Effects> Instance::Atomically(F&& body) {
  State saved = state_;
  Effects out;
  Status s = body(out);
  if (!s) {
    state_ = std::move(saved);
    return s.error();
  }
  return out;
}

Result<Effects> Instance::Start(json::object variables, SystemTime now) {
  if (state_.started) return FailedPrecondition("the instance has already started");
  return Atomically([&](Effects& out) -> Status {
    state_.started = true;
    state_.variables = std::move(variables);
    std::vector<int> pending;
    Leave(definition_->start(), pending);
    return Run(pending, now, out);
  });
}

Result<Effects> Instance::CompleteTask(int64_t task_id, const json::object& output,
                                       SystemTime now) {
  if (state_.status != InstanceStatus::kRunning) {
    return FailedPrecondition("the instance is " + std::string(InstanceStatusName(state_.status)));
  }
  auto it = std::find_if(state_.tasks.begin(), state_.tasks.end(),
                         [&](const Task& t) { return t.id == task_id; });
  if (it == state_.tasks.end()) return NotFound("no open task " + std::to_string(task_id));
  return Atomically([&](Effects& out) -> Status {
    Task task = *it;
    state_.tasks.erase(it);
    Merge(state_.variables, output);
    const Node& node = definition_->nodes()[static_cast<size_t>(task.node)];
    out.push_back({.kind = Effect::Kind::kTaskClosed,
                   .id = task.id,
                   .node = node.id,
                   .name = node.name,
                   .loop_counter = task.loop_counter,
                   .reason = CloseReason::kCompleted});
    auto act = std::find_if(state_.activities.begin(), state_.activities.end(),
                            [&](const Activity& a) { return a.id == task.activity; });
    assert(act != state_.activities.end());
    act->completed++;
    act->active--;
    bool done = act->active == 0;
    if (!done && node.multi_instance && node.multi_instance->completion_condition) {
      Locals locals{{"nrOfInstances", act->instances},
                    {"nrOfCompletedInstances", act->completed},
                    {"nrOfActiveInstances", act->active}};
      auto cond = node.multi_instance->completion_condition->EvaluateBool(state_.variables, locals);
      if (!cond) return NodeError(node, "completionCondition: " + cond.error().message);
      done = *cond;
    }
    if (!done) return {};
    EndActivity(task.activity, CloseReason::kCancelled, out);
    std::vector<int> pending;
    Leave(task.node, pending);
    return Run(pending, now, out);
  });
}

Result<Effects> Instance::ServiceDone(int64_t call_id, const json::object& result, SystemTime now) {
  if (state_.status != InstanceStatus::kRunning) {
    return FailedPrecondition("the instance is " + std::string(InstanceStatusName(state_.status)));
  }
  auto it =
      std::find_if(state_.activities.begin(), state_.activities.end(), [&](const Activity& a) {
        return a.id == call_id &&
               definition_->nodes()[static_cast<size_t>(a.node)].type == NodeType::kServiceTask;
      });
  if (it == state_.activities.end()) {
    return NotFound("no pending service call " + std::to_string(call_id));
  }
  return Atomically([&](Effects& out) -> Status {
    int node = it->node;
    Merge(state_.variables, result);
    EndActivity(call_id, CloseReason::kCompleted, out);
    std::vector<int> pending;
    Leave(node, pending);
    return Run(pending, now, out);
  });
}

Result<Effects> Instance::FireTimers(SystemTime now) {
  if (state_.status != InstanceStatus::kRunning) return Effects{};
  return Atomically([&](Effects& out) -> Status {
    for (;;) {
      if (state_.status != InstanceStatus::kRunning) return {};
      auto due = state_.timers.end();
      for (auto t = state_.timers.begin(); t != state_.timers.end(); ++t) {
        if (t->due > now) continue;
        if (due == state_.timers.end() || t->due < due->due ||
            (t->due == due->due && t->id < due->id)) {
          due = t;
        }
      }
      if (due == state_.timers.end()) return {};
      Timer timer = *due;
      state_.timers.erase(due);
      const Node& boundary = definition_->nodes()[static_cast<size_t>(timer.node)];
      out.push_back({.kind = Effect::Kind::kTimerFired,
                     .id = timer.id,
                     .node = boundary.id,
                     .name = boundary.name,
                     .due = timer.due});
      if (boundary.interrupting) EndActivity(timer.activity, CloseReason::kInterrupted, out);
      std::vector<int> pending;
      Leave(timer.node, pending);
      OW_RETURN_IF_ERROR(Run(pending, now, out));
    }
  });
}

Result<Effects> Instance::Terminate() {
  if (state_.status != InstanceStatus::kRunning) {
    return FailedPrecondition("the instance is " + std::string(InstanceStatusName(state_.status)));
  }
  return Atomically([&](Effects& out) -> Status {
    while (!state_.activities.empty()) {
      EndActivity(state_.activities.front().id, CloseReason::kTerminated, out);
    }
    std::fill(state_.join_tokens.begin(), state_.join_tokens.end(), 0);
    state_.status = InstanceStatus::kTerminated;
    out.push_back({.kind = Effect::Kind::kInstanceTerminated});
    return {};
  });
}

std::optional<SystemTime> Instance::NextTimer() const {
  std::optional<SystemTime> next;
  for (const Timer& t : state_.timers) {
    if (!next || t.due < *next) next = t.due;
  }
  return next;
}

const Task* Instance::FindTask(int64_t id) const {
  for (const Task& t : state_.tasks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

// Moves tokens until each waits somewhere. `pending` holds flows with a token in transit,
// taken first in, first out, which fixes the order of effects.
Status Instance::Run(std::vector<int>& pending, SystemTime now, Effects& out) {
  int last_end = -1;
  // A definition without cycles moves each token over each flow at most once per event;
  // the bound only guards against a loop drawn without any wait state in it.
  size_t budget = 10000 + 100 * definition_->flows().size();
  for (size_t head = 0; head < pending.size(); ++head) {
    if (--budget == 0) return InvalidArgument("the process loops without waiting anywhere");
    int flow = pending[head];
    int target = definition_->flows()[static_cast<size_t>(flow)].target;
    if (definition_->nodes()[static_cast<size_t>(target)].type == NodeType::kEndEvent) {
      last_end = target;
    }
    OW_RETURN_IF_ERROR(Enter(target, flow, pending, now, out));
  }
  CheckDone(last_end, out);
  return {};
}

Status Instance::Enter(int node_index, int via_flow, std::vector<int>& pending, SystemTime now,
                       Effects& out) {
  const Node& node = definition_->nodes()[static_cast<size_t>(node_index)];
  switch (node.type) {
    case NodeType::kStartEvent:
    case NodeType::kBoundaryTimer:
      return NodeError(node, "entered by a flow");  // excluded by Definition::Parse
    case NodeType::kEndEvent:
      return {};
    case NodeType::kUserTask:
    case NodeType::kServiceTask:
      return StartActivity(node_index, now, out);
    case NodeType::kParallelGateway: {
      if (node.incoming.size() > 1) {
        state_.join_tokens[static_cast<size_t>(via_flow)]++;
        for (int f : node.incoming) {
          if (state_.join_tokens[static_cast<size_t>(f)] == 0) return {};
        }
        for (int f : node.incoming) state_.join_tokens[static_cast<size_t>(f)]--;
      }
      Leave(node_index, pending);
      return {};
    }
    case NodeType::kExclusiveGateway: {
      if (node.outgoing.size() == 1) {
        pending.push_back(node.outgoing[0]);
        return {};
      }
      for (int f : node.outgoing) {
        const Flow& flow = definition_->flows()[static_cast<size_t>(f)];
        if (!flow.condition) continue;
        auto taken = flow.condition->EvaluateBool(state_.variables);
        if (!taken) {
          return InvalidArgument("sequenceFlow \"" + flow.id + "\" out of exclusiveGateway \"" +
                                 node.id + "\": " + taken.error().message);
        }
        if (*taken) {
          pending.push_back(f);
          return {};
        }
      }
      if (node.default_flow < 0) {
        return NodeError(node, "no condition is true and there is no default flow");
      }
      pending.push_back(node.default_flow);
      return {};
    }
  }
  return {};
}

Status Instance::StartActivity(int node_index, SystemTime now, Effects& out) {
  const Node& node = definition_->nodes()[static_cast<size_t>(node_index)];
  Activity act;
  act.id = state_.next_id++;
  act.node = node_index;
  if (node.type == NodeType::kServiceTask) {
    out.push_back({.kind = Effect::Kind::kServiceCallRequested,
                   .id = act.id,
                   .node = node.id,
                   .name = node.name,
                   .service = node.service});
  } else {
    int n = 1;
    if (node.multi_instance) {
      n = node.multi_instance->cardinality;
      if (node.multi_instance->cardinality_expression) {
        auto v = node.multi_instance->cardinality_expression->Evaluate(state_.variables);
        if (!v) return NodeError(node, "loopCardinality: " + v.error().message);
        if (v->type != Value::Type::kNumber || v->number < 1 || v->number > 1000 ||
            v->number != std::floor(v->number)) {
          return NodeError(node, "loopCardinality " +
                                     node.multi_instance->cardinality_expression->text() +
                                     " must give an integer from 1 to 1000");
        }
        n = static_cast<int>(v->number);
      }
    }
    act.instances = n;
    act.active = n;
    Assignee assignee;
    OW_ASSIGN_OR_RETURN(assignee.role,
                        EvaluateText(node, node.role, "camunda:candidateGroups", state_.variables));
    OW_ASSIGN_OR_RETURN(assignee.department,
                        EvaluateText(node, node.department, "ow:department", state_.variables));
    OW_ASSIGN_OR_RETURN(assignee.region,
                        EvaluateText(node, node.region, "ow:region", state_.variables));
    for (int i = 0; i < n; ++i) {
      Task t{.id = state_.next_id++,
             .activity = act.id,
             .node = node_index,
             .loop_counter = i,
             .assignee = assignee};
      out.push_back({.kind = Effect::Kind::kTaskCreated,
                     .id = t.id,
                     .node = node.id,
                     .name = node.name,
                     .assignee = assignee,
                     .loop_counter = i});
      state_.tasks.push_back(std::move(t));
    }
  }
  for (int b : node.boundaries) {
    const Node& boundary = definition_->nodes()[static_cast<size_t>(b)];
    Timer t{.id = state_.next_id++,
            .activity = act.id,
            .node = b,
            .due = TruncateToMillis(now + boundary.duration)};
    out.push_back({.kind = Effect::Kind::kTimerScheduled,
                   .id = t.id,
                   .node = boundary.id,
                   .name = boundary.name,
                   .due = t.due});
    state_.timers.push_back(t);
  }
  state_.activities.push_back(act);
  return {};
}

void Instance::EndActivity(int64_t activity, CloseReason reason, Effects& out) {
  auto act = std::find_if(state_.activities.begin(), state_.activities.end(),
                          [&](const Activity& a) { return a.id == activity; });
  if (act == state_.activities.end()) return;
  const Node& node = definition_->nodes()[static_cast<size_t>(act->node)];
  if (node.type == NodeType::kServiceTask && reason != CloseReason::kCompleted) {
    out.push_back({.kind = Effect::Kind::kServiceCallCancelled,
                   .id = act->id,
                   .node = node.id,
                   .name = node.name,
                   .reason = reason});
  }
  for (const Task& t : state_.tasks) {
    if (t.activity != activity) continue;
    out.push_back({.kind = Effect::Kind::kTaskClosed,
                   .id = t.id,
                   .node = node.id,
                   .name = node.name,
                   .loop_counter = t.loop_counter,
                   .reason = reason});
  }
  std::erase_if(state_.tasks, [&](const Task& t) { return t.activity == activity; });
  for (const Timer& t : state_.timers) {
    if (t.activity != activity) continue;
    const Node& boundary = definition_->nodes()[static_cast<size_t>(t.node)];
    out.push_back({.kind = Effect::Kind::kTimerCancelled,
                   .id = t.id,
                   .node = boundary.id,
                   .name = boundary.name,
                   .due = t.due});
  }
  std::erase_if(state_.timers, [&](const Timer& t) { return t.activity == activity; });
  state_.activities.erase(act);
}

void Instance::Leave(int node, std::vector<int>& pending) const {
  for (int f : definition_->nodes()[static_cast<size_t>(node)].outgoing) pending.push_back(f);
}

void Instance::CheckDone(int last_end, Effects& out) {
  if (state_.status != InstanceStatus::kRunning || !state_.activities.empty()) return;
  for (size_t f = 0; f < state_.join_tokens.size(); ++f) {
    if (state_.join_tokens[f] == 0) continue;
    const Node& join = definition_->nodes()[static_cast<size_t>(definition_->flows()[f].target)];
    state_.status = InstanceStatus::kTerminated;
    std::fill(state_.join_tokens.begin(), state_.join_tokens.end(), 0);
    out.push_back({.kind = Effect::Kind::kInstanceTerminated, .node = join.id, .name = join.name});
    return;
  }
  state_.status = InstanceStatus::kCompleted;
  Effect e{.kind = Effect::Kind::kInstanceCompleted};
  if (last_end >= 0) {
    const Node& end = definition_->nodes()[static_cast<size_t>(last_end)];
    e.node = end.id;
    e.name = end.name;
  }
  out.push_back(std::move(e));
}

json::object Instance::Snapshot() const {
  const auto& nodes = definition_->nodes();
  json::object s;
  s["definition"] = {{"key", definition_->key()}, {"version", definition_->version()}};
  s["started"] = state_.started;
  s["status"] = InstanceStatusName(state_.status);
  s["next_id"] = state_.next_id;
  s["variables"] = state_.variables;
  json::object joins;
  for (size_t f = 0; f < state_.join_tokens.size(); ++f) {
    if (state_.join_tokens[f] != 0) joins[definition_->flows()[f].id] = state_.join_tokens[f];
  }
  s["join_tokens"] = std::move(joins);
  json::array acts;
  for (const Activity& a : state_.activities) {
    acts.push_back({{"id", a.id},
                    {"node", nodes[static_cast<size_t>(a.node)].id},
                    {"instances", a.instances},
                    {"completed", a.completed},
                    {"active", a.active}});
  }
  s["activities"] = std::move(acts);
  json::array tasks;
  for (const Task& t : state_.tasks) {
    tasks.push_back({{"id", t.id},
                     {"activity", t.activity},
                     {"node", nodes[static_cast<size_t>(t.node)].id},
                     {"loop_counter", t.loop_counter},
                     {"role", t.assignee.role},
                     {"department", t.assignee.department},
                     {"region", t.assignee.region}});
  }
  s["tasks"] = std::move(tasks);
  json::array timers;
  for (const Timer& t : state_.timers) {
    timers.push_back({{"id", t.id},
                      {"activity", t.activity},
                      {"node", nodes[static_cast<size_t>(t.node)].id},
                      {"due", FormatTime(t.due)},
                      {"due_unix_ms", UnixMillis(t.due)}});
  }
  s["timers"] = std::move(timers);
  return s;
}

namespace {

// Typed field access for Restore; errors name the field.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}
  Error Bad(std::string_view field, std::string_view what) const {
    return InvalidArgument("snapshot: " + where_ + std::string(field) + " " + std::string(what));
  }
  Result<int64_t> Int(const json::object& o, std::string_view field) const {
    const json::value* v = o.if_contains(field);
    if (v == nullptr) return Bad(field, "is missing");
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      return static_cast<int64_t>(v->get_uint64());
    }
    return Bad(field, "is not an integer");
  }
  Result<std::string> String(const json::object& o, std::string_view field) const {
    const json::value* v = o.if_contains(field);
    if (v == nullptr || !v->is_string()) return Bad(field, "is not a string");
    return std::string(v->get_string());
  }
  Result<const json::array*> Array(const json::object& o, std::string_view field) const {
    const json::value* v = o.if_contains(field);
    if (v == nullptr || !v->is_array()) return Bad(field, "is not an array");
    return &v->get_array();
  }
  Result<const json::object*> Object(const json::value& v, std::string_view field) const {
    if (!v.is_object()) return Bad(field, "is not an object");
    return &v.get_object();
  }

 private:
  std::string where_;
};

}  // namespace

Result<Instance> Instance::Restore(std::shared_ptr<const Definition> definition,
                                   const json::value& snapshot) {
  assert(definition != nullptr);
  Reader r("");
  OW_ASSIGN_OR_RETURN(const json::object* s, r.Object(snapshot, "(root)"));
  const json::value* defv = s->if_contains("definition");
  if (defv == nullptr) return r.Bad("definition", "is missing");
  OW_ASSIGN_OR_RETURN(const json::object* def, r.Object(*defv, "definition"));
  OW_ASSIGN_OR_RETURN(std::string key, r.String(*def, "key"));
  OW_ASSIGN_OR_RETURN(int64_t version, r.Int(*def, "version"));
  if (key != definition->key() || version != definition->version()) {
    return InvalidArgument("snapshot: it belongs to definition " + key + " version " +
                           std::to_string(version) + ", not " + definition->key() + " version " +
                           std::to_string(definition->version()));
  }
  Instance inst(definition);
  State& st = inst.state_;
  const json::value* started = s->if_contains("started");
  if (started == nullptr || !started->is_bool()) return r.Bad("started", "is not a boolean");
  st.started = started->get_bool();
  OW_ASSIGN_OR_RETURN(std::string status, r.String(*s, "status"));
  if (status == "running")
    st.status = InstanceStatus::kRunning;
  else if (status == "completed")
    st.status = InstanceStatus::kCompleted;
  else if (status == "terminated")
    st.status = InstanceStatus::kTerminated;
  else
    return r.Bad("status", "is unknown");
  OW_ASSIGN_OR_RETURN(st.next_id, r.Int(*s, "next_id"));
  const json::value* vars = s->if_contains("variables");
  if (vars == nullptr || !vars->is_object()) return r.Bad("variables", "is not an object");
  st.variables = vars->get_object();

  auto node_of = [&](const json::object& o, NodeType a, NodeType b) -> Result<int> {
    OW_ASSIGN_OR_RETURN(std::string id, r.String(o, "node"));
    int n = definition->Find(id);
    if (n < 0) return r.Bad("node", "\"" + id + "\" is not in the definition");
    NodeType t = definition->nodes()[static_cast<size_t>(n)].type;
    if (t != a && t != b) return r.Bad("node", "\"" + id + "\" has the wrong type");
    return n;
  };
  auto check_id = [&](int64_t id, std::string_view field) -> Status {
    if (id < 1 || id >= st.next_id) return r.Bad(field, "is out of range");
    return {};
  };

  const json::value* joins = s->if_contains("join_tokens");
  if (joins == nullptr || !joins->is_object()) return r.Bad("join_tokens", "is not an object");
  for (const json::key_value_pair& kv : joins->get_object()) {
    const std::string_view flow_id = kv.key();
    const json::value& count = kv.value();
    auto f = std::find_if(definition->flows().begin(), definition->flows().end(),
                          [&](const Flow& fl) { return fl.id == flow_id; });
    if (f == definition->flows().end() || !count.is_int64() || count.get_int64() < 0) {
      return r.Bad("join_tokens", "names an unknown flow or a bad count");
    }
    st.join_tokens[static_cast<size_t>(f - definition->flows().begin())] =
        static_cast<int>(count.get_int64());
  }

  OW_ASSIGN_OR_RETURN(const json::array* acts, r.Array(*s, "activities"));
  for (const json::value& v : *acts) {
    OW_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, "activities[]"));
    Activity a;
    OW_ASSIGN_OR_RETURN(a.id, r.Int(*o, "id"));
    OW_RETURN_IF_ERROR(check_id(a.id, "activities[].id"));
    OW_ASSIGN_OR_RETURN(a.node, node_of(*o, NodeType::kUserTask, NodeType::kServiceTask));
    OW_ASSIGN_OR_RETURN(int64_t instances, r.Int(*o, "instances"));
    OW_ASSIGN_OR_RETURN(int64_t completed, r.Int(*o, "completed"));
    OW_ASSIGN_OR_RETURN(int64_t active, r.Int(*o, "active"));
    if (instances < 1 || instances > 1000 || completed < 0 || active < 0 ||
        completed + active > instances) {
      return r.Bad("activities[]", "has inconsistent counters");
    }
    a.instances = static_cast<int>(instances);
    a.completed = static_cast<int>(completed);
    a.active = static_cast<int>(active);
    st.activities.push_back(a);
  }
  auto has_activity = [&](int64_t id, int node) {
    return std::any_of(st.activities.begin(), st.activities.end(), [&](const Activity& a) {
      return a.id == id && (node < 0 || a.node == node);
    });
  };

  OW_ASSIGN_OR_RETURN(const json::array* tasks, r.Array(*s, "tasks"));
  for (const json::value& v : *tasks) {
    OW_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, "tasks[]"));
    Task t;
    OW_ASSIGN_OR_RETURN(t.id, r.Int(*o, "id"));
    OW_RETURN_IF_ERROR(check_id(t.id, "tasks[].id"));
    OW_ASSIGN_OR_RETURN(t.activity, r.Int(*o, "activity"));
    OW_ASSIGN_OR_RETURN(t.node, node_of(*o, NodeType::kUserTask, NodeType::kUserTask));
    if (!has_activity(t.activity, t.node)) return r.Bad("tasks[].activity", "is unknown");
    OW_ASSIGN_OR_RETURN(int64_t loop, r.Int(*o, "loop_counter"));
    if (loop < 0 || loop >= 1000) return r.Bad("tasks[].loop_counter", "is out of range");
    t.loop_counter = static_cast<int>(loop);
    OW_ASSIGN_OR_RETURN(t.assignee.role, r.String(*o, "role"));
    OW_ASSIGN_OR_RETURN(t.assignee.department, r.String(*o, "department"));
    OW_ASSIGN_OR_RETURN(t.assignee.region, r.String(*o, "region"));
    st.tasks.push_back(std::move(t));
  }

  OW_ASSIGN_OR_RETURN(const json::array* timers, r.Array(*s, "timers"));
  for (const json::value& v : *timers) {
    OW_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, "timers[]"));
    Timer t;
    OW_ASSIGN_OR_RETURN(t.id, r.Int(*o, "id"));
    OW_RETURN_IF_ERROR(check_id(t.id, "timers[].id"));
    OW_ASSIGN_OR_RETURN(t.activity, r.Int(*o, "activity"));
    OW_ASSIGN_OR_RETURN(t.node, node_of(*o, NodeType::kBoundaryTimer, NodeType::kBoundaryTimer));
    int attached = definition->nodes()[static_cast<size_t>(t.node)].attached_to;
    if (!has_activity(t.activity, attached)) return r.Bad("timers[].activity", "is unknown");
    OW_ASSIGN_OR_RETURN(int64_t ms, r.Int(*o, "due_unix_ms"));
    t.due = SystemTime(std::chrono::milliseconds(ms));
    st.timers.push_back(t);
  }
  // Every id once; each activity holds as many open tasks as it counts active (a service
  // call: exactly one, its own id).
  std::vector<int64_t> ids;
  for (const Activity& a : st.activities) ids.push_back(a.id);
  for (const Task& t : st.tasks) ids.push_back(t.id);
  for (const Timer& t : st.timers) ids.push_back(t.id);
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return r.Bad("ids", "are not unique");
  }
  for (const Activity& a : st.activities) {
    bool service = definition->nodes()[static_cast<size_t>(a.node)].type == NodeType::kServiceTask;
    auto open = std::count_if(st.tasks.begin(), st.tasks.end(),
                              [&](const Task& t) { return t.activity == a.id; });
    if (service ? (a.instances != 1 || a.active != 1) : open != a.active || a.active == 0) {
      return r.Bad("activities[]", "do not match the open tasks");
    }
  }
  if (st.status != InstanceStatus::kRunning &&
      (!st.activities.empty() || !st.tasks.empty() || !st.timers.empty())) {
    return r.Bad("status", "is final but work is still open");
  }
  return inst;
}

}  // namespace ow::workflow
