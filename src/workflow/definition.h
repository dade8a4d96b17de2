// Process definitions: a subset of BPMN 2.0 XML, as drawn in bpmn.io or Camunda Modeler,
// parsed and checked once into an immutable graph.
//
// The supported subset (anything else inside the process is rejected by Parse with an error
// naming the element's id and type):
//
//   startEvent            exactly one, with no event definition (no timer/message start).
//   endEvent              one or more, with no event definition (no terminate/error end).
//   userTask              work for a person holding a role in a department and region:
//                           camunda:candidateGroups="reviewer"   the role (one group only)
//                           ow:department="market-supervision"   the department code
//                           ow:region="330102"                   the region code
//                         (xmlns:ow="urn:onewindow:bpmn"; set them in Camunda Modeler's
//                         properties panel or as plain XML attributes.) Each of the three may
//                         instead be an expression such as ow:region="${region}" that must
//                         give a string or number when the task is created. All three are
//                         required.
//                         Optional bpmn:multiInstanceLoopCharacteristics (parallel only,
//                         isSequential="false") for countersign: bpmn:loopCardinality is the
//                         number of instances n (an integer, or an expression giving one);
//                         bpmn:completionCondition ends the activity early (k of n), e.g.
//                         ${nrOfCompletedInstances >= 2}; the counters nrOfInstances,
//                         nrOfCompletedInstances and nrOfActiveInstances are visible to it.
//                         Without a completion condition all n must complete.
//   serviceTask           calls a named domain service: camunda:type="external" with
//                         camunda:topic="service-name" (what Camunda Modeler writes for an
//                         external task), or ow:service="service-name". The engine asks the
//                         caller to run it (Effect kServiceCallRequested) and continues when
//                         the caller reports it done.
//   parallelGateway       fork (one incoming, several outgoing) or join (several incoming,
//                         one outgoing); a join waits for a token on every incoming flow.
//   exclusiveGateway      decision (one incoming, several outgoing) or merge (several
//                         incoming, one outgoing). Every outgoing flow of a decision except
//                         the gateway's `default` flow needs a bpmn:conditionExpression
//                         (language: workflow/expression.h); the first true condition in
//                         document order wins, else the default flow.
//   boundaryEvent         with a bpmn:timerEventDefinition holding bpmn:timeDuration (ISO 8601
//                         duration: PnW, PnD, PTnH, PTnM, PTnS and combinations such as
//                         P1DT12H; years and months are refused as ambiguous), attached to a
//                         user or service task. cancelActivity="true" (the default) is
//                         interrupting: the task is closed and the flow leaves by the
//                         event (escalation). cancelActivity="false" leaves the task open and
//                         sends a token down the event's flow once (a reminder).
//   sequenceFlow          conditionExpression only on flows out of an exclusive decision.
//
// Ignored: documentation, extensionElements (other than those above), text annotations,
// associations, the bpmndi diagram, root-level message/signal/error declarations.
//
// Structural checks: exactly one bpmn:process and no collaboration (pools); unique ids;
// flows reference existing nodes; exactly one start event; start has no incoming flow and
// ends have no outgoing flow; every task has incoming and outgoing flows; gateways are not
// mixed (several in and several out); every node is reachable from the start and can reach
// an end; a parallel join is not fed by alternative branches of one exclusive decision (it
// would never fire).
//
// Thread safety: a Definition is immutable after Parse; share it (std::shared_ptr) between
// instances and threads freely.
#ifndef OW_WORKFLOW_DEFINITION_H_
#define OW_WORKFLOW_DEFINITION_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "workflow/expression.h"

namespace ow::workflow {

// The BPMN namespace of our own attributes (ow:department, ow:region, ow:service).
inline constexpr std::string_view kOwNamespace = "urn:onewindow:bpmn";

enum class NodeType {
  kStartEvent,
  kEndEvent,
  kUserTask,
  kServiceTask,
  kParallelGateway,
  kExclusiveGateway,
  kBoundaryTimer,
};
std::string_view NodeTypeName(NodeType t);  // the BPMN element name, e.g. "userTask"

// A literal string or an expression computed when a task is created.
struct Text {
  std::string literal;
  std::optional<Expression> expression;
};

struct MultiInstance {
  int cardinality = 0;  // when no expression
  std::optional<Expression> cardinality_expression;
  std::optional<Expression> completion_condition;
};

struct Node {
  std::string id;
  std::string name;
  NodeType type = NodeType::kStartEvent;
  std::vector<int> incoming;  // indexes into Definition::flows()
  std::vector<int> outgoing;
  // kUserTask
  Text role, department, region;
  std::optional<MultiInstance> multi_instance;
  // kServiceTask
  std::string service;
  // kUserTask, kServiceTask: indexes of the boundary timers attached to it
  std::vector<int> boundaries;
  // kExclusiveGateway: the default flow, or -1
  int default_flow = -1;
  // kBoundaryTimer
  int attached_to = -1;
  bool interrupting = true;
  std::chrono::seconds duration{0};
};

struct Flow {
  std::string id;
  int source = -1;
  int target = -1;
  std::optional<Expression> condition;
};

class Definition {
 public:
  // Parses and checks `xml`. The key is the bpmn:process id; `version` is the caller's
  // (the store numbers versions per key). kInvalidArgument naming the element on any
  // error; the message starts with the element's type and id where there is one.
  // The caller bounds the size of `xml` (an upload limit); pugixml expands no DTD entities
  // and fetches nothing, so a definition cannot pull in files or blow up in memory.
  static Result<std::shared_ptr<const Definition>> Parse(std::string_view xml, int version);

  const std::string& key() const { return key_; }
  int version() const { return version_; }
  const std::string& name() const { return name_; }  // the process's name attribute
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Flow>& flows() const { return flows_; }
  int start() const { return start_; }
  // Index of the node with `id`, or -1.
  int Find(std::string_view id) const;

 private:
  Definition() = default;

  std::string key_;
  int version_ = 0;
  std::string name_;
  std::vector<Node> nodes_;
  std::vector<Flow> flows_;
  int start_ = -1;
  std::unordered_map<std::string, int> index_;
};

// Parses an ISO 8601 duration of weeks, days, hours, minutes and seconds (P2W, P5D, PT48H,
// P1DT2H30M, PT90S). kInvalidArgument for anything else, including years and months.
Result<std::chrono::seconds> ParseIsoDuration(std::string_view text);

}  // namespace ow::workflow

#endif  // OW_WORKFLOW_DEFINITION_H_
