#include "workflow/definition.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <deque>
#include <map>
#include <pugixml.hpp>
#include <set>

namespace ow::workflow {

namespace {

constexpr std::string_view kBpmnNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL";
constexpr std::string_view kCamundaNamespace = "http://camunda.org/schema/1.0/bpmn";

// pugixml does not resolve namespaces: resolve prefixes from the xmlns declarations in scope
// (bpmn.io writes them all on bpmn:definitions, but any ancestor may declare one).
class Names {
 public:
  // The namespace URI of a prefix ("" = the default namespace) in scope at `node`.
  static std::string_view Namespace(pugi::xml_node node, std::string_view prefix) {
    std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    for (pugi::xml_node n = node; n; n = n.parent()) {
      if (n.type() != pugi::node_element) continue;
      pugi::xml_attribute a = n.attribute(attr.c_str());
      if (a) return a.value();
    }
    return {};
  }
  // The local name of an element in the BPMN model namespace, or "" when the element is in
  // another namespace (bpmndi, camunda, ...).
  static std::string_view BpmnLocal(pugi::xml_node node) {
    std::string_view full = node.name();
    size_t colon = full.find(':');
    std::string_view prefix = colon == std::string_view::npos ? "" : full.substr(0, colon);
    std::string_view local = colon == std::string_view::npos ? full : full.substr(colon + 1);
    return Namespace(node, prefix) == kBpmnNamespace ? local : std::string_view{};
  }
  // The value of attribute `local` in namespace `ns` on `node`, or nullptr.
  static const char* Attribute(pugi::xml_node node, std::string_view ns, std::string_view local) {
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view full = a.name();
      size_t colon = full.find(':');
      if (colon == std::string_view::npos || full.substr(colon + 1) != local) continue;
      std::string_view prefix = full.substr(0, colon);
      if (prefix == "xmlns") continue;
      if (Namespace(node, prefix) == ns) return a.value();
    }
    return nullptr;
  }
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Error ElementError(std::string_view type, std::string_view id, const std::string& what) {
  std::string m(type);
  if (!id.empty()) m += " \"" + std::string(id) + "\"";
  return InvalidArgument(m + ": " + what);
}
Error NodeError(const Node& n, const std::string& what) {
  return ElementError(NodeTypeName(n.type), n.id, what);
}

Result<Text> ParseText(std::string_view type, std::string_view id, const char* attr,
                       std::string_view what) {
  Text t;
  if (attr == nullptr) return t;
  std::string_view v = Trim(attr);
  if (LooksLikeExpression(v)) {
    auto e = Expression::Parse(v);
    if (!e) return ElementError(type, id, std::string(what) + ": " + e.error().message);
    t.expression = std::move(*e);
  } else {
    t.literal = std::string(v);
  }
  return t;
}

bool IsEventDefinition(std::string_view local) {
  return local.size() > 15 && local.substr(local.size() - 15) == "EventDefinition";
}

// Children of a flow node that carry no semantics for us.
bool IsInert(std::string_view local) {
  return local == "incoming" || local == "outgoing" || local == "documentation" ||
         local == "extensionElements";
}

// Builds a Definition from the DOM; Parse wraps it.
class Builder {
 public:
  explicit Builder(std::vector<Node>& nodes, std::vector<Flow>& flows,
                   std::unordered_map<std::string, int>& index)
      : nodes_(nodes), flows_(flows), index_(index) {}

  Status Process(pugi::xml_node process) {
    std::vector<pugi::xml_node> flow_elements;
    std::vector<pugi::xml_node> boundaries;
    for (pugi::xml_node child : process.children()) {
      if (child.type() != pugi::node_element) continue;
      std::string_view local = Names::BpmnLocal(child);
      std::string_view id = child.attribute("id").value();
      if (local.empty()) continue;  // another namespace: an extension we do not read
      if (local == "sequenceFlow") {
        flow_elements.push_back(child);
      } else if (local == "startEvent" || local == "endEvent") {
        OW_RETURN_IF_ERROR(Event(child, local));
      } else if (local == "userTask" || local == "serviceTask") {
        OW_RETURN_IF_ERROR(Task(child, local));
      } else if (local == "parallelGateway" || local == "exclusiveGateway") {
        OW_RETURN_IF_ERROR(Gateway(child, local));
      } else if (local == "boundaryEvent") {
        boundaries.push_back(child);
      } else if (local == "documentation" || local == "extensionElements" ||
                 local == "textAnnotation" || local == "association" || local == "laneSet") {
        continue;
      } else {
        return ElementError(local, id, "this element is not supported by the workflow engine");
      }
    }
    // Boundary events may precede the task they are attached to in the document.
    for (pugi::xml_node b : boundaries) OW_RETURN_IF_ERROR(Boundary(b));
    for (pugi::xml_node f : flow_elements) OW_RETURN_IF_ERROR(SequenceFlow(f));
    return {};
  }

 private:
  Result<int> AddNode(pugi::xml_node el, std::string_view local, NodeType type) {
    std::string id = el.attribute("id").value();
    if (id.empty()) return ElementError(local, "", "has no id");
    if (index_.count(id) != 0) return ElementError(local, id, "duplicate id");
    Node n;
    n.id = id;
    n.name = el.attribute("name").value();
    n.type = type;
    nodes_.push_back(std::move(n));
    int i = static_cast<int>(nodes_.size()) - 1;
    index_.emplace(std::move(id), i);
    return i;
  }

  Status Event(pugi::xml_node el, std::string_view local) {
    std::string_view id = el.attribute("id").value();
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      if (IsEventDefinition(cl)) {
        return ElementError(
            local, id, std::string(cl) + " is not supported (only plain start and end events)");
      }
      return ElementError(local, id, "contains <" + std::string(cl) + ">, which is not supported");
    }
    OW_ASSIGN_OR_RETURN(
        int i,
        AddNode(el, local, local == "startEvent" ? NodeType::kStartEvent : NodeType::kEndEvent));
    (void)i;
    return {};
  }

  Status Task(pugi::xml_node el, std::string_view local) {
    bool user = local == "userTask";
    OW_ASSIGN_OR_RETURN(int i,
                        AddNode(el, local, user ? NodeType::kUserTask : NodeType::kServiceTask));
    std::string_view id = el.attribute("id").value();
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      if (cl == "multiInstanceLoopCharacteristics" && user) {
        OW_RETURN_IF_ERROR(Multi(c, i));
        continue;
      }
      return ElementError(local, id, "contains <" + std::string(cl) + ">, which is not supported");
    }
    Node& n = nodes_[static_cast<size_t>(i)];
    if (user) {
      const char* groups = Names::Attribute(el, kCamundaNamespace, "candidateGroups");
      if (groups != nullptr && std::strchr(groups, ',') != nullptr) {
        return ElementError(local, id, "camunda:candidateGroups must name exactly one role");
      }
      OW_ASSIGN_OR_RETURN(n.role, ParseText(local, id, groups, "camunda:candidateGroups"));
      OW_ASSIGN_OR_RETURN(
          n.department,
          ParseText(local, id, Names::Attribute(el, kOwNamespace, "department"), "ow:department"));
      OW_ASSIGN_OR_RETURN(
          n.region,
          ParseText(local, id, Names::Attribute(el, kOwNamespace, "region"), "ow:region"));
      if (n.role.literal.empty() && !n.role.expression) {
        return ElementError(local, id, "has no role: set camunda:candidateGroups");
      }
      // Nobody could ever see a task without both: say so now, not when a case reaches it.
      if (n.department.literal.empty() && !n.department.expression) {
        return ElementError(local, id,
                            "has no department: set ow:department (a code or ${case.department})");
      }
      if (n.region.literal.empty() && !n.region.expression) {
        return ElementError(local, id, "has no region: set ow:region (a code or ${case.region})");
      }
      return {};
    }
    for (const char* unsupported : {"class", "delegateExpression", "expression"}) {
      if (Names::Attribute(el, kCamundaNamespace, unsupported) != nullptr) {
        return ElementError(local, id,
                            std::string("camunda:") + unsupported +
                                " is not supported; use camunda:type=\"external\" with "
                                "camunda:topic, or ow:service");
      }
    }
    const char* service = Names::Attribute(el, kOwNamespace, "service");
    if (service == nullptr) service = Names::Attribute(el, kCamundaNamespace, "topic");
    if (service == nullptr || Trim(service).empty()) {
      return ElementError(local, id, "names no service: set camunda:topic or ow:service");
    }
    n.service = std::string(Trim(service));
    return {};
  }

  Status Multi(pugi::xml_node el, int task) {
    Node& n = nodes_[static_cast<size_t>(task)];
    std::string_view sequential = el.attribute("isSequential").value();
    if (sequential == "true") {
      return NodeError(n, "sequential multi-instance is not supported (countersign is parallel)");
    }
    if (Names::Attribute(el, kCamundaNamespace, "collection") != nullptr) {
      return NodeError(n, "camunda:collection is not supported; use bpmn:loopCardinality");
    }
    MultiInstance mi;
    bool has_cardinality = false;
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      std::string_view text = Trim(c.text().get());
      if (cl == "loopCardinality") {
        has_cardinality = true;
        if (LooksLikeExpression(text)) {
          auto e = Expression::Parse(text);
          if (!e) return NodeError(n, "loopCardinality: " + e.error().message);
          mi.cardinality_expression = std::move(*e);
        } else {
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mi.cardinality);
          if (ec != std::errc() || end != text.data() + text.size() || mi.cardinality < 1 ||
              mi.cardinality > 1000) {
            return NodeError(n, "loopCardinality must be an integer from 1 to 1000 or ${...}");
          }
        }
      } else if (cl == "completionCondition") {
        auto e = Expression::Parse(text);
        if (!e) return NodeError(n, "completionCondition: " + e.error().message);
        mi.completion_condition = std::move(*e);
      } else {
        return NodeError(n, "multiInstanceLoopCharacteristics contains <" + std::string(cl) +
                                ">, which is not supported");
      }
    }
    if (!has_cardinality) return NodeError(n, "multi-instance needs a bpmn:loopCardinality");
    n.multi_instance = std::move(mi);
    return {};
  }

  Status Gateway(pugi::xml_node el, std::string_view local) {
    bool parallel = local == "parallelGateway";
    OW_ASSIGN_OR_RETURN(
        int i,
        AddNode(el, local, parallel ? NodeType::kParallelGateway : NodeType::kExclusiveGateway));
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      return NodeError(nodes_[static_cast<size_t>(i)],
                       "contains <" + std::string(cl) + ">, which is not supported");
    }
    std::string_view def = el.attribute("default").value();
    if (!def.empty()) default_ids_.emplace(i, std::string(def));
    return {};
  }

  Status Boundary(pugi::xml_node el) {
    OW_ASSIGN_OR_RETURN(int i, AddNode(el, "boundaryEvent", NodeType::kBoundaryTimer));
    Node& n = nodes_[static_cast<size_t>(i)];
    std::string_view cancel = el.attribute("cancelActivity").value();
    n.interrupting = cancel != "false";
    bool has_timer = false;
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      if (cl != "timerEventDefinition") {
        return ElementError("boundaryEvent", n.id,
                            "a boundary event with <" + std::string(cl) +
                                "> is not supported (only timerEventDefinition)");
      }
      if (has_timer) return ElementError("boundaryEvent", n.id, "has two event definitions");
      has_timer = true;
      pugi::xml_node duration;
      for (pugi::xml_node t : c.children()) {
        if (t.type() != pugi::node_element) continue;
        std::string_view tl = Names::BpmnLocal(t);
        if (tl == "timeDuration") {
          duration = t;
        } else if (!tl.empty() && !IsInert(tl)) {
          return ElementError(
              "boundaryEvent", n.id,
              "timer <" + std::string(tl) + "> is not supported (only timeDuration)");
        }
      }
      if (!duration) return ElementError("boundaryEvent", n.id, "timer has no timeDuration");
      auto d = ParseIsoDuration(Trim(duration.text().get()));
      if (!d) return ElementError("boundaryEvent", n.id, d.error().message);
      n.duration = *d;
    }
    if (!has_timer) {
      return ElementError("boundaryEvent", n.id,
                          "a boundary event without a timerEventDefinition is not supported");
    }
    std::string_view attached = el.attribute("attachedToRef").value();
    auto it = index_.find(std::string(attached));
    if (it == index_.end()) {
      return ElementError("boundaryEvent", n.id,
                          "attachedToRef \"" + std::string(attached) + "\" names no task");
    }
    Node& task = nodes_[static_cast<size_t>(it->second)];
    if (task.type != NodeType::kUserTask && task.type != NodeType::kServiceTask) {
      return ElementError("boundaryEvent", n.id,
                          "is attached to " + std::string(NodeTypeName(task.type)) + " \"" +
                              task.id + "\"; timers attach to user and service tasks only");
    }
    n.attached_to = it->second;
    task.boundaries.push_back(i);
    return {};
  }

  Status SequenceFlow(pugi::xml_node el) {
    Flow f;
    f.id = el.attribute("id").value();
    if (f.id.empty()) return ElementError("sequenceFlow", "", "has no id");
    if (index_.count(f.id) != 0 || !flow_ids_.insert(f.id).second) {
      return ElementError("sequenceFlow", f.id, "duplicate id");
    }
    for (const char* ref : {"sourceRef", "targetRef"}) {
      std::string_view v = el.attribute(ref).value();
      auto it = index_.find(std::string(v));
      if (it == index_.end()) {
        return ElementError(
            "sequenceFlow", f.id,
            std::string(ref) + " \"" + std::string(v) + "\" names no supported node");
      }
      (std::strcmp(ref, "sourceRef") == 0 ? f.source : f.target) = it->second;
    }
    for (pugi::xml_node c : el.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view cl = Names::BpmnLocal(c);
      if (cl.empty() || IsInert(cl)) continue;
      if (cl != "conditionExpression") {
        return ElementError("sequenceFlow", f.id,
                            "contains <" + std::string(cl) + ">, which is not supported");
      }
      auto e = Expression::Parse(c.text().get());
      if (!e) return ElementError("sequenceFlow", f.id, "condition: " + e.error().message);
      f.condition = std::move(*e);
    }
    flows_.push_back(std::move(f));
    const Flow& added = flows_.back();
    int fi = static_cast<int>(flows_.size()) - 1;
    nodes_[static_cast<size_t>(added.source)].outgoing.push_back(fi);
    nodes_[static_cast<size_t>(added.target)].incoming.push_back(fi);
    return {};
  }

 public:
  // Resolves gateway default flows (flows are known only after all elements are read).
  Status Defaults() {
    for (const auto& [node, flow_id] : default_ids_) {
      Node& n = nodes_[static_cast<size_t>(node)];
      for (int f : n.outgoing) {
        if (flows_[static_cast<size_t>(f)].id == flow_id) n.default_flow = f;
      }
      if (n.default_flow < 0) {
        return NodeError(n, "default flow \"" + flow_id + "\" is not one of its outgoing flows");
      }
    }
    return {};
  }

 private:
  std::vector<Node>& nodes_;
  std::vector<Flow>& flows_;
  std::unordered_map<std::string, int>& index_;
  std::map<int, std::string> default_ids_;
  std::set<std::string> flow_ids_;
};

}  // namespace

std::string_view NodeTypeName(NodeType t) {
  switch (t) {
    case NodeType::kStartEvent:
      return "startEvent";
    case NodeType::kEndEvent:
      return "endEvent";
    case NodeType::kUserTask:
      return "userTask";
    case NodeType::kServiceTask:
      return "serviceTask";
    case NodeType::kParallelGateway:
      return "parallelGateway";
    case NodeType::kExclusiveGateway:
      return "exclusiveGateway";
    case NodeType::kBoundaryTimer:
      return "boundaryEvent";
  }
  return "?";
}

int Definition::Find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? -1 : it->second;
}

Result<std::shared_ptr<const Definition>> Definition::Parse(std::string_view xml, int version) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return InvalidArgument(std::string("process definition is not well-formed XML: ") +
                           parsed.description() + " at offset " + std::to_string(parsed.offset));
  }
  pugi::xml_node root = doc.document_element();
  if (Names::BpmnLocal(root) != "definitions") {
    return InvalidArgument(
        "process definition: the root element must be bpmn:definitions in namespace " +
        std::string(kBpmnNamespace));
  }
  pugi::xml_node process;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view local = Names::BpmnLocal(child);
    if (local == "process") {
      if (process) {
        return ElementError("process", child.attribute("id").value(),
                            "a definition holds exactly one process");
      }
      process = child;
    } else if (local == "collaboration") {
      return ElementError("collaboration", child.attribute("id").value(),
                          "pools and collaborations are not supported; draw a single process");
    }
  }
  if (!process) return InvalidArgument("process definition has no bpmn:process");

  std::shared_ptr<Definition> def(new Definition());
  def->key_ = process.attribute("id").value();
  if (def->key_.empty()) return ElementError("process", "", "has no id");
  def->name_ = process.attribute("name").value();
  def->version_ = version;
  Builder builder(def->nodes_, def->flows_, def->index_);
  OW_RETURN_IF_ERROR(builder.Process(process));
  OW_RETURN_IF_ERROR(builder.Defaults());

  const std::vector<Node>& nodes = def->nodes_;
  const std::vector<Flow>& flows = def->flows_;
  if (std::none_of(nodes.begin(), nodes.end(),
                   [](const Node& n) { return n.type == NodeType::kStartEvent; })) {
    return InvalidArgument("process \"" + def->key_ + "\" has no start event");
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    size_t in = n.incoming.size(), out = n.outgoing.size();
    switch (n.type) {
      case NodeType::kStartEvent:
        if (def->start_ >= 0) {
          return NodeError(n, "a process has exactly one start event; \"" +
                                  nodes[static_cast<size_t>(def->start_)].id + "\" is another");
        }
        def->start_ = static_cast<int>(i);
        if (in != 0) return NodeError(n, "a start event has no incoming flow");
        if (out == 0) return NodeError(n, "has no outgoing flow");
        break;
      case NodeType::kEndEvent:
        if (out != 0) return NodeError(n, "an end event has no outgoing flow");
        if (in == 0) return NodeError(n, "has no incoming flow");
        break;
      case NodeType::kUserTask:
      case NodeType::kServiceTask:
        if (in == 0) return NodeError(n, "has no incoming flow");
        if (out == 0) return NodeError(n, "has no outgoing flow (end it with an end event)");
        break;
      case NodeType::kParallelGateway:
      case NodeType::kExclusiveGateway:
        if (in == 0 || out == 0) return NodeError(n, "needs incoming and outgoing flows");
        if (in > 1 && out > 1) {
          return NodeError(n, "a gateway either splits or joins; use two gateways");
        }
        break;
      case NodeType::kBoundaryTimer:
        if (in != 0) return NodeError(n, "a boundary event has no incoming flow");
        if (out == 0) return NodeError(n, "has no outgoing flow");
        break;
    }
    for (int f : n.outgoing) {
      const Flow& flow = flows[static_cast<size_t>(f)];
      bool decision = n.type == NodeType::kExclusiveGateway && out > 1;
      if (flow.condition && !decision) {
        return ElementError("sequenceFlow", flow.id,
                            "conditions are supported only on flows out of an exclusive "
                            "gateway that splits");
      }
      if (decision && !flow.condition && f != n.default_flow) {
        return ElementError("sequenceFlow", flow.id,
                            "leaves exclusive gateway \"" + n.id +
                                "\" without a condition and is not its default flow");
      }
      if (nodes[static_cast<size_t>(flow.target)].type == NodeType::kBoundaryTimer) {
        return ElementError("sequenceFlow", flow.id, "a boundary event cannot be a flow target");
      }
    }
  }

  // Reachability, both ways. Boundary timers go with the task they are attached to.
  std::vector<char> reached(nodes.size(), 0), ends(nodes.size(), 0);
  std::deque<int> queue{def->start_};
  reached[static_cast<size_t>(def->start_)] = 1;
  auto visit = [&](std::vector<char>& seen, int n) {
    if (!seen[static_cast<size_t>(n)]) {
      seen[static_cast<size_t>(n)] = 1;
      queue.push_back(n);
    }
  };
  while (!queue.empty()) {
    const Node& n = nodes[static_cast<size_t>(queue.front())];
    queue.pop_front();
    for (int f : n.outgoing) visit(reached, flows[static_cast<size_t>(f)].target);
    for (int b : n.boundaries) visit(reached, b);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].type == NodeType::kEndEvent) visit(ends, static_cast<int>(i));
  }
  while (!queue.empty()) {
    const Node& n = nodes[static_cast<size_t>(queue.front())];
    queue.pop_front();
    for (int f : n.incoming) visit(ends, flows[static_cast<size_t>(f)].source);
    if (n.type == NodeType::kBoundaryTimer && n.interrupting) visit(ends, n.attached_to);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!reached[i]) return NodeError(nodes[i], "cannot be reached from the start event");
    if (!ends[i]) return NodeError(nodes[i], "no end event can be reached from it");
  }

  // A parallel join whose incoming branches trace back (through tasks and events only) to
  // one exclusive decision waits for a token that never comes.
  for (const Node& join : nodes) {
    if (join.type != NodeType::kParallelGateway || join.incoming.size() < 2) continue;
    std::map<int, std::string> origin;  // decision gateway -> first flow that traced to it
    for (int f : join.incoming) {
      int cur = flows[static_cast<size_t>(f)].source;
      for (size_t steps = 0; steps <= nodes.size(); ++steps) {
        const Node& c = nodes[static_cast<size_t>(cur)];
        if (c.type == NodeType::kExclusiveGateway && c.outgoing.size() > 1) {
          auto [it, inserted] = origin.emplace(cur, flows[static_cast<size_t>(f)].id);
          if (!inserted) {
            return NodeError(join, "joins flows \"" + it->second + "\" and \"" +
                                       flows[static_cast<size_t>(f)].id +
                                       "\", which are alternatives of exclusive gateway \"" + c.id +
                                       "\"; the join would never fire");
          }
          break;
        }
        if (c.type == NodeType::kParallelGateway || c.type == NodeType::kExclusiveGateway ||
            c.incoming.size() != 1) {
          break;
        }
        cur = flows[static_cast<size_t>(c.incoming[0])].source;
      }
    }
  }
  return std::shared_ptr<const Definition>(std::move(def));
}

Result<std::chrono::seconds> ParseIsoDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("timeDuration \"" + std::string(text) + "\" " + why +
                           " (expected an ISO 8601 duration such as P5D or PT48H)");
  };
  if (text.size() < 3 || text[0] != 'P') return bad("is not a duration");
  int64_t total = 0;
  bool time_part = false, any = false;
  size_t i = 1;
  std::string order;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (time_part) return bad("has two T");
      time_part = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i >= text.size()) return bad("is malformed");
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, n);
    if (ec != std::errc() || end != text.data() + i || n > 100000) return bad("is out of range");
    char unit = text[i++];
    int64_t scale = 0;
    if (!time_part && (unit == 'Y' || unit == 'M')) {
      return bad("uses years or months, whose length varies; use days");
    }
    if (!time_part) {
      if (unit == 'W') scale = int64_t{7} * 86400;
      if (unit == 'D') scale = 86400;
    } else {
      if (unit == 'H') scale = 3600;
      if (unit == 'M') scale = 60;
      if (unit == 'S') scale = 1;
    }
    if (scale == 0) return bad("has an unknown unit");
    std::string key = std::string(time_part ? "T" : "") + unit;
    if (order.find(key) != std::string::npos) return bad("repeats a unit");
    order += key;
    total += n * scale;
    any = true;
  }
  if (!any || text.back() == 'T') return bad("is malformed");
  if (total <= 0) return bad("must be positive");
  return std::chrono::seconds(total);
}

}  // namespace ow::workflow
