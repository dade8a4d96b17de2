// Running one process: tokens, open tasks, service calls, timers and variables of one case,
// advanced by the caller's events. Pure logic: no clock reads (every operation takes `now`),
// no storage (Snapshot/Restore give the caller a JSON value to keep), no threads.
//
// Each operation returns the effects it caused, in the order they happened, for the caller to
// act on: put created tasks in inboxes and take closed ones out, run requested service calls
// and report back with ServiceDone, arm timers (and call FireTimers when one is due), mark
// the case done. Ids of tasks, service calls and timers come from a counter inside the
// instance, so the same events on the same snapshot give the same ids and effects: an
// instance can be stored, restored and replayed.
//
// Semantics in brief (the element subset is in workflow/definition.h):
//   - A task's outgoing flows are all taken when it completes (one flow is the usual case).
//   - A parallel join fires when every incoming flow holds a token, consuming one from each.
//   - An exclusive decision takes the first outgoing flow whose condition is true, in
//     document order, else its default flow; neither is an error.
//   - A multi-instance user task creates n tasks at once; it completes when all n are done or,
//     after any completion, its completion condition is true; the rest are then closed
//     (reason kCancelled).
//   - Boundary timers are armed when their task starts (due = now + duration, to the
//     millisecond) and cancelled when it ends. An interrupting one closes the task (reason
//     kInterrupted) and continues along the timer's flow; a non-interrupting one continues
//     along its flow and leaves the task open. Each fires at most once.
//   - Task output and service results are merged into the variables (top-level keys
//     replaced), which the conditions then see.
//   - The instance completes when no token is left anywhere; if only tokens waiting at a
//     parallel join are left, nothing can move them and the instance is terminated
//     (kInstanceTerminated, naming the join).
//
// Errors: every operation is atomic. On error nothing changed and no effect happened.
// kNotFound for an unknown task or call id; kFailedPrecondition when the instance is not
// running (or Start is called twice); kInvalidArgument when a condition or assignment
// expression fails on the current variables (the message names the element), or for a
// malformed snapshot.
//
// Thread safety: none; one instance is used by one thread at a time (the cases module
// serializes operations per case). The Definition is shared and immutable.
#ifndef OW_WORKFLOW_INSTANCE_H_
#define OW_WORKFLOW_INSTANCE_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "workflow/definition.h"

namespace ow::workflow {

enum class InstanceStatus { kRunning, kCompleted, kTerminated };
std::string_view InstanceStatusName(InstanceStatus s);  // "running", "completed", "terminated"

// Who may work on a user task: a role in a department and region.
struct Assignee {
  std::string role;
  std::string department;
  std::string region;
};

enum class CloseReason {
  kCompleted,    // the assignee completed it / the service reported done
  kCancelled,    // a multi-instance activity finished without it (k of n reached)
  kInterrupted,  // an interrupting boundary timer fired
  kTerminated,   // the instance was terminated
};
std::string_view CloseReasonName(CloseReason r);

struct Effect {
  enum class Kind {
    kTaskCreated,           // id = task; node, name, assignee, loop_counter
    kTaskClosed,            // id = task; node, reason
    kServiceCallRequested,  // id = call; node, name, service
    kServiceCallCancelled,  // id = call; node, reason
    kTimerScheduled,        // id = timer; node (the boundary event), due
    kTimerCancelled,        // id = timer; node
    kTimerFired,            // id = timer; node
    kInstanceCompleted,     // node = the last end event reached
    kInstanceTerminated,    // node = the join left waiting, if any
  };
  Kind kind = Kind::kTaskCreated;
  int64_t id = 0;
  std::string node{};  // the BPMN element id
  std::string name{};  // the element's name
  Assignee assignee{};
  int loop_counter = 0;  // 0..n-1 for multi-instance tasks, else 0
  std::string service{};
  SystemTime due{};
  CloseReason reason = CloseReason::kCompleted;
};
using Effects = std::vector<Effect>;
std::string_view EffectKindName(Effect::Kind k);  // "task_created", ...

// An open user task.
struct Task {
  int64_t id = 0;
  int64_t activity = 0;  // the Activity it belongs to
  int node = -1;         // index into definition().nodes()
  int loop_counter = 0;
  Assignee assignee{};
};

// A user or service task in progress. For a service task, the call id is the activity id.
struct Activity {
  int64_t id = 0;
  int node = -1;
  int instances = 1;  // nrOfInstances
  int completed = 0;  // nrOfCompletedInstances
  int active = 1;     // nrOfActiveInstances
};

struct Timer {
  int64_t id = 0;
  int64_t activity = 0;
  int node = -1;  // the boundary event
  SystemTime due{};
};

class Instance {
 public:
  // An instance of `definition`, not started. `definition` must not be null.
  explicit Instance(std::shared_ptr<const Definition> definition);

  // Puts a token on the start event and runs until every token waits (at a task, a service
  // call or a join) or the instance completes. `variables` is the form data.
  Result<Effects> Start(boost::json::object variables, SystemTime now);
  // Completes open task `task_id`, merging `output` (the decision, opinion, ...) into the
  // variables.
  Result<Effects> CompleteTask(int64_t task_id, const boost::json::object& output, SystemTime now);
  // Reports service call `call_id` done, merging `result` into the variables.
  Result<Effects> ServiceDone(int64_t call_id, const boost::json::object& result, SystemTime now);
  // Fires every timer due at or before `now`, earliest first (ties by id). No effects when
  // none is due or the instance is no longer running.
  Result<Effects> FireTimers(SystemTime now);
  // Ends a running instance at once (withdrawal): closes tasks, cancels calls and timers.
  Result<Effects> Terminate();

  // When the earliest timer is due, if any: when the caller should call FireTimers.
  std::optional<SystemTime> NextTimer() const;

  const std::shared_ptr<const Definition>& definition() const { return definition_; }
  InstanceStatus status() const { return state_.status; }
  const boost::json::object& variables() const { return state_.variables; }
  const std::vector<Task>& tasks() const { return state_.tasks; }
  const std::vector<Activity>& activities() const { return state_.activities; }
  const std::vector<Timer>& timers() const { return state_.timers; }
  // The open task with `id`, or nullptr.
  const Task* FindTask(int64_t id) const;

  // The whole state as JSON (ids, counters, variables, tokens, tasks, timers to the
  // millisecond), naming the definition by key and version. Restore(Snapshot()) gives an
  // instance that behaves identically.
  boost::json::object Snapshot() const;
  // Rebuilds an instance from Snapshot() output. `definition` must be the definition the
  // snapshot names (key and version are checked) and not null. kInvalidArgument on any
  // inconsistency.
  static Result<Instance> Restore(std::shared_ptr<const Definition> definition,
                                  const boost::json::value& snapshot);

 private:
  struct State {
    bool started = false;
    InstanceStatus status = InstanceStatus::kRunning;
    int64_t next_id = 1;
    boost::json::object variables;
    std::vector<int> join_tokens;  // per flow: tokens waiting at a parallel join
    std::vector<Activity> activities;
    std::vector<Task> tasks;
    std::vector<Timer> timers;
  };

  template <class F>
  Result<Effects> Atomically(F&& body);
  Status Run(std::vector<int>& pending_flows, SystemTime now, Effects& out);
  Status Enter(int node, int via_flow, std::vector<int>& pending, SystemTime now, Effects& out);
  Status StartActivity(int node, SystemTime now, Effects& out);
  // Ends the activity: closes its remaining tasks with `reason`, cancels its timers and (for
  // a service task) its call, and forgets it.
  void EndActivity(int64_t activity, CloseReason reason, Effects& out);
  void Leave(int node, std::vector<int>& pending) const;
  void CheckDone(int last_end, Effects& out);

  std::shared_ptr<const Definition> definition_;
  State state_;
};

}  // namespace ow::workflow

#endif  // OW_WORKFLOW_INSTANCE_H_
