#include "workflow/definition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "workflow/workflow_test_support.h"

namespace ow::workflow {
namespace {

using ::testing::HasSubstr;
using testing_support::LoadTestdata;
using testing_support::Wrap;

std::string ParseError(const std::string& xml) {
  auto d = Definition::Parse(xml, 1);
  EXPECT_FALSE(d) << "accepted:\n" << xml;
  if (d) return "";
  EXPECT_EQ(d.error().code, Code::kInvalidArgument);
  return d.error().message;
}

constexpr const char* kUser =
    R"(camunda:candidateGroups="reviewer" ow:department="market-supervision" ow:region="330102")";

std::string UserTask(const std::string& id, const std::string& inner = "") {
  return "<bpmn:userTask id=\"" + id + "\" " + kUser + ">" + inner + "</bpmn:userTask>";
}
std::string Flow(const std::string& id, const std::string& from, const std::string& to,
                 const std::string& condition = "") {
  if (condition.empty()) {
    return "<bpmn:sequenceFlow id=\"" + id + "\" sourceRef=\"" + from + "\" targetRef=\"" + to +
           "\"/>";
  }
  return "<bpmn:sequenceFlow id=\"" + id + "\" sourceRef=\"" + from + "\" targetRef=\"" + to +
         "\"><bpmn:conditionExpression>" + condition +
         "</bpmn:conditionExpression></bpmn:sequenceFlow>";
}
// Start -> X -> End around `middle`, which must define node "X".
std::string Around(const std::string& middle) {
  return Wrap("<bpmn:startEvent id=\"Start\"/>" + Flow("F1", "Start", "X") + middle +
              Flow("F2", "X", "End") + "<bpmn:endEvent id=\"End\"/>");
}

TEST(DefinitionTest, ParsesTheParallelApprovalDrawnInBpmnIo) {
  auto d = Definition::Parse(LoadTestdata("parallel_approval.bpmn"), 3);
  ASSERT_TRUE(d) << d.error().message;
  const Definition& def = **d;
  EXPECT_EQ(def.key(), "parallel_approval");
  EXPECT_EQ(def.version(), 3);
  EXPECT_EQ(def.name(), "Approval by two departments");
  EXPECT_EQ(def.nodes().size(), 6u);
  EXPECT_EQ(def.flows().size(), 6u);
  EXPECT_EQ(def.nodes()[static_cast<size_t>(def.start())].id, "Start");
  int a = def.Find("Approve_A");
  ASSERT_GE(a, 0);
  const Node& task = def.nodes()[static_cast<size_t>(a)];
  EXPECT_EQ(task.type, NodeType::kUserTask);
  EXPECT_EQ(task.name, "Market supervision approves");
  EXPECT_EQ(task.role.literal, "approver");
  EXPECT_EQ(task.department.literal, "market-supervision");
  EXPECT_EQ(task.region.literal, "330102");
  const Node& join = def.nodes()[static_cast<size_t>(def.Find("Join"))];
  EXPECT_EQ(join.type, NodeType::kParallelGateway);
  EXPECT_EQ(join.incoming.size(), 2u);
  EXPECT_EQ(def.Find("Flow_ToA"), -1);  // flows are not nodes
}

TEST(DefinitionTest, ParsesEveryTestdataFile) {
  for (const char* file : {"parallel_approval.bpmn", "exclusive_decision.bpmn", "countersign.bpmn",
                           "countersign_2of3.bpmn", "timers.bpmn", "service_task.bpmn"}) {
    auto d = Definition::Parse(LoadTestdata(file), 1);
    EXPECT_TRUE(d) << file << ": " << (d ? "" : d.error().message);
  }
}

TEST(DefinitionTest, DefaultNamespaceAndExpressionsInAttributes) {
  auto d = Definition::Parse(LoadTestdata("exclusive_decision.bpmn"), 1);
  ASSERT_TRUE(d) << d.error().message;
  const Definition& def = **d;
  const Node& decide = def.nodes()[static_cast<size_t>(def.Find("Decide"))];
  EXPECT_EQ(decide.type, NodeType::kExclusiveGateway);
  ASSERT_GE(decide.default_flow, 0);
  EXPECT_EQ(def.flows()[static_cast<size_t>(decide.default_flow)].id, "Flow_Default");
  const workflow::Flow& senior = def.flows()[static_cast<size_t>(decide.outgoing[0])];
  ASSERT_TRUE(senior.condition);
  EXPECT_EQ(senior.condition->text(), "${amount > 1000 && type == \"food\"}");
  const Node& review = def.nodes()[static_cast<size_t>(def.Find("Review_Clerk"))];
  ASSERT_TRUE(review.region.expression);
  EXPECT_EQ(review.region.expression->text(), "${region}");
}

TEST(DefinitionTest, ServiceTasksMultiInstanceAndTimers) {
  auto s = Definition::Parse(LoadTestdata("service_task.bpmn"), 1);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->nodes()[static_cast<size_t>((*s)->Find("Check"))].service, "credit-check");
  EXPECT_EQ((*s)->nodes()[static_cast<size_t>((*s)->Find("Issue"))].service, "issue-licence");

  auto c = Definition::Parse(LoadTestdata("countersign_2of3.bpmn"), 1);
  ASSERT_TRUE(c) << c.error().message;
  const Node& sign = (*c)->nodes()[static_cast<size_t>((*c)->Find("Sign"))];
  ASSERT_TRUE(sign.multi_instance);
  EXPECT_TRUE(sign.multi_instance->cardinality_expression);
  ASSERT_TRUE(sign.multi_instance->completion_condition);

  auto t = Definition::Parse(LoadTestdata("timers.bpmn"), 1);
  ASSERT_TRUE(t) << t.error().message;
  const Definition& def = **t;
  const Node& review = def.nodes()[static_cast<size_t>(def.Find("Review"))];
  ASSERT_EQ(review.boundaries.size(), 2u);
  const Node& remind = def.nodes()[static_cast<size_t>(def.Find("Remind_48h"))];
  EXPECT_FALSE(remind.interrupting);
  EXPECT_EQ(remind.duration, std::chrono::hours(48));
  EXPECT_EQ(remind.attached_to, def.Find("Review"));
  const Node& escalate = def.nodes()[static_cast<size_t>(def.Find("Escalate_5d"))];
  EXPECT_TRUE(escalate.interrupting);
  EXPECT_EQ(escalate.duration, std::chrono::hours(24 * 5));
}

TEST(DefinitionTest, RejectsUnsupportedElementsByIdAndType) {
  struct Case {
    std::string middle;
    std::string expected;
  };
  const Case cases[] = {
      {"<bpmn:scriptTask id=\"X\"/>", "scriptTask \"X\": this element is not supported"},
      {"<bpmn:task id=\"X\"/>", "task \"X\": this element is not supported"},
      {"<bpmn:manualTask id=\"X\"/>", "manualTask \"X\""},
      {"<bpmn:businessRuleTask id=\"X\"/>", "businessRuleTask \"X\""},
      {"<bpmn:sendTask id=\"X\"/>", "sendTask \"X\""},
      {"<bpmn:receiveTask id=\"X\"/>", "receiveTask \"X\""},
      {"<bpmn:callActivity id=\"X\" calledElement=\"other\"/>", "callActivity \"X\""},
      {"<bpmn:subProcess id=\"X\"/>", "subProcess \"X\""},
      {"<bpmn:inclusiveGateway id=\"X\"/>", "inclusiveGateway \"X\""},
      {"<bpmn:eventBasedGateway id=\"X\"/>", "eventBasedGateway \"X\""},
      {"<bpmn:complexGateway id=\"X\"/>", "complexGateway \"X\""},
      {"<bpmn:intermediateCatchEvent id=\"X\"><bpmn:messageEventDefinition/>"
       "</bpmn:intermediateCatchEvent>",
       "intermediateCatchEvent \"X\""},
      {"<bpmn:intermediateThrowEvent id=\"X\"/>", "intermediateThrowEvent \"X\""},
      {"<bpmn:dataObjectReference id=\"X\"/>", "dataObjectReference \"X\""},
      {UserTask("X", "<bpmn:standardLoopCharacteristics/>"),
       "userTask \"X\": contains <standardLoopCharacteristics>"},
      {UserTask("X",
                "<bpmn:multiInstanceLoopCharacteristics isSequential=\"true\">"
                "<bpmn:loopCardinality>2</bpmn:loopCardinality>"
                "</bpmn:multiInstanceLoopCharacteristics>"),
       "userTask \"X\": sequential multi-instance is not supported"},
      {"<bpmn:serviceTask id=\"X\" camunda:class=\"com.example.Foo\"/>",
       "serviceTask \"X\": camunda:class is not supported"},
      {"<bpmn:serviceTask id=\"X\"/>", "serviceTask \"X\": names no service"},
      {"<bpmn:userTask id=\"X\"/>", "userTask \"X\": has no role"},
      {"<bpmn:userTask id=\"X\" camunda:candidateGroups=\"a,b\"/>",
       "camunda:candidateGroups must name exactly one role"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseError(Around(c.middle)), HasSubstr(c.expected)) << c.middle;
  }
}

TEST(DefinitionTest, RejectsEventDefinitionsOutsideTheSubset) {
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"><bpmn:messageEventDefinition/>"
                              "</bpmn:startEvent>" +
                              Flow("F", "S", "E") + "<bpmn:endEvent id=\"E\"/>")),
              HasSubstr("startEvent \"S\": messageEventDefinition is not supported"));
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"><bpmn:timerEventDefinition/>"
                              "</bpmn:startEvent>" +
                              Flow("F", "S", "E") + "<bpmn:endEvent id=\"E\"/>")),
              HasSubstr("timerEventDefinition"));
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F", "S", "E") +
                              "<bpmn:endEvent id=\"E\"><bpmn:terminateEventDefinition/>"
                              "</bpmn:endEvent>")),
              HasSubstr("endEvent \"E\": terminateEventDefinition is not supported"));
  std::string message_boundary =
      UserTask("X") +
      "<bpmn:boundaryEvent id=\"B\" attachedToRef=\"X\"><bpmn:messageEventDefinition/>"
      "</bpmn:boundaryEvent>" +
      Flow("F3", "B", "End");
  EXPECT_THAT(ParseError(Around(message_boundary)),
              HasSubstr("boundaryEvent \"B\": a boundary event with <messageEventDefinition>"));
  std::string cycle_timer =
      UserTask("X") +
      "<bpmn:boundaryEvent id=\"B\" attachedToRef=\"X\"><bpmn:timerEventDefinition>"
      "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>"
      "</bpmn:boundaryEvent>" +
      Flow("F3", "B", "End");
  EXPECT_THAT(ParseError(Around(cycle_timer)), HasSubstr("timer <timeCycle> is not supported"));
  std::string month_timer =
      UserTask("X") +
      "<bpmn:boundaryEvent id=\"B\" attachedToRef=\"X\"><bpmn:timerEventDefinition>"
      "<bpmn:timeDuration>P1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
      "</bpmn:boundaryEvent>" +
      Flow("F3", "B", "End");
  EXPECT_THAT(ParseError(Around(month_timer)), HasSubstr("boundaryEvent \"B\": timeDuration"));
}

TEST(DefinitionTest, RejectsPoolsAndSeveralProcesses) {
  std::string collab =
      R"(<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
           <bpmn:collaboration id="Collab"><bpmn:participant id="P" processRef="p"/></bpmn:collaboration>
           <bpmn:process id="p"><bpmn:startEvent id="S"/></bpmn:process></bpmn:definitions>)";
  EXPECT_THAT(ParseError(collab), HasSubstr("collaboration \"Collab\""));
  std::string two =
      R"(<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
           <bpmn:process id="p1"/><bpmn:process id="p2"/></bpmn:definitions>)";
  EXPECT_THAT(ParseError(two), HasSubstr("process \"p2\": a definition holds exactly one process"));
  EXPECT_THAT(ParseError("<definitions/>"), HasSubstr("root element must be bpmn:definitions"));
  EXPECT_THAT(ParseError("<bpmn:definitions xmlns:bpmn=\"urn:wrong\"/>"),
              HasSubstr("root element must be bpmn:definitions"));
  EXPECT_THAT(ParseError("<not xml"), HasSubstr("not well-formed XML"));
}

TEST(DefinitionTest, StructuralChecks) {
  // No start event; two start events.
  EXPECT_THAT(ParseError(Wrap("<bpmn:endEvent id=\"E\"/>")), HasSubstr("no start event"));
  EXPECT_THAT(
      ParseError(Wrap("<bpmn:startEvent id=\"S1\"/><bpmn:startEvent id=\"S2\"/>" +
                      Flow("F1", "S1", "E") + Flow("F2", "S2", "E") + "<bpmn:endEvent id=\"E\"/>")),
      HasSubstr("exactly one start event"));
  // A flow to a node that does not exist.
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F", "S", "Nowhere") +
                              "<bpmn:endEvent id=\"E\"/>")),
              HasSubstr("sequenceFlow \"F\": targetRef \"Nowhere\" names no supported node"));
  // Duplicate ids.
  EXPECT_THAT(ParseError(Around(UserTask("X") + UserTask("X"))), HasSubstr("duplicate id"));
  // No end reachable: a task that loops back to itself through a gateway.
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F1", "S", "G") +
                              "<bpmn:exclusiveGateway id=\"G\"/>" + Flow("F2", "G", "T") +
                              UserTask("T") + Flow("F3", "T", "G"))),
              HasSubstr("no end event can be reached from it"));
  // An unreachable task.
  EXPECT_THAT(
      ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F1", "S", "E") + UserTask("Orphan") +
                      Flow("F2", "Orphan", "E") + "<bpmn:endEvent id=\"E\"/>")),
      HasSubstr("userTask \"Orphan\": has no incoming flow"));
  EXPECT_THAT(ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F1", "S", "E") + UserTask("A") +
                              UserTask("B") + Flow("F2", "A", "B") + Flow("F3", "B", "A") +
                              Flow("F4", "B", "E") + "<bpmn:endEvent id=\"E\"/>")),
              HasSubstr("cannot be reached from the start event"));
  // A task that ends nowhere.
  EXPECT_THAT(
      ParseError(Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F1", "S", "T") + UserTask("T"))),
      HasSubstr("userTask \"T\": has no outgoing flow"));
  // A mixed gateway.
  EXPECT_THAT(
      ParseError(
          Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F1", "S", "Fork") +
               "<bpmn:parallelGateway id=\"Fork\"/>" + Flow("F2", "Fork", "A") +
               Flow("F3", "Fork", "B") + UserTask("A") + UserTask("B") + Flow("F4", "A", "G") +
               Flow("F5", "B", "G") + "<bpmn:parallelGateway id=\"G\"/>" + Flow("F6", "G", "E1") +
               Flow("F7", "G", "E2") + "<bpmn:endEvent id=\"E1\"/><bpmn:endEvent id=\"E2\"/>")),
      HasSubstr("parallelGateway \"G\": a gateway either splits or joins"));
}

TEST(DefinitionTest, ConditionsAndDefaults) {
  std::string head = "<bpmn:startEvent id=\"S\"/>" + Flow("F0", "S", "G");
  std::string tail = UserTask("A") + UserTask("B") + Flow("FA", "A", "E") + Flow("FB", "B", "E") +
                     "<bpmn:endEvent id=\"E\"/>";
  // A decision flow without a condition that is not the default.
  EXPECT_THAT(ParseError(Wrap(head + "<bpmn:exclusiveGateway id=\"G\"/>" +
                              Flow("F1", "G", "A", "${x &gt; 1}") + Flow("F2", "G", "B") + tail)),
              HasSubstr("sequenceFlow \"F2\": leaves exclusive gateway \"G\" without a condition"));
  // A default that is not an outgoing flow of the gateway.
  EXPECT_THAT(ParseError(Wrap(head + "<bpmn:exclusiveGateway id=\"G\" default=\"FA\"/>" +
                              Flow("F1", "G", "A", "${x &gt; 1}") +
                              Flow("F2", "G", "B", "${x &lt; 1}") + tail)),
              HasSubstr("exclusiveGateway \"G\": default flow \"FA\" is not one of its outgoing"));
  // A syntax error in a condition names the flow.
  EXPECT_THAT(ParseError(Wrap(head + "<bpmn:exclusiveGateway id=\"G\" default=\"F2\"/>" +
                              Flow("F1", "G", "A", "${x &gt;}") + Flow("F2", "G", "B") + tail)),
              HasSubstr("sequenceFlow \"F1\": condition:"));
  // A condition on a flow out of a task (implicit inclusive split) is refused.
  EXPECT_THAT(ParseError(Around(UserTask("X") + Flow("F3", "X", "End", "${ok}"))),
              HasSubstr("sequenceFlow \"F3\": conditions are supported only on flows out of an "
                        "exclusive gateway"));
}

TEST(DefinitionTest, AParallelJoinOfExclusiveAlternativesIsRefused) {
  std::string xml =
      Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F0", "S", "G") +
           "<bpmn:exclusiveGateway id=\"G\" default=\"F2\"/>" + Flow("F1", "G", "A", "${x}") +
           Flow("F2", "G", "B") + UserTask("A") + UserTask("B") + Flow("FA", "A", "J") +
           Flow("FB", "B", "J") + "<bpmn:parallelGateway id=\"J\"/>" + Flow("FJ", "J", "E") +
           "<bpmn:endEvent id=\"E\"/>");
  EXPECT_THAT(ParseError(xml),
              HasSubstr("parallelGateway \"J\": joins flows \"FA\" and \"FB\", which are "
                        "alternatives of exclusive gateway \"G\""));
}

TEST(DefinitionTest, TimersAttachOnlyToTasks) {
  std::string xml =
      Wrap("<bpmn:startEvent id=\"S\"/>" + Flow("F0", "S", "G") +
           "<bpmn:parallelGateway id=\"G\"/>" + Flow("F1", "G", "E") +
           "<bpmn:boundaryEvent id=\"B\" attachedToRef=\"G\"><bpmn:timerEventDefinition>"
           "<bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>"
           "</bpmn:boundaryEvent>" +
           Flow("F2", "B", "E") + "<bpmn:endEvent id=\"E\"/>");
  EXPECT_THAT(ParseError(xml), HasSubstr("boundaryEvent \"B\": is attached to parallelGateway"));
}

TEST(DefinitionTest, IsoDurations) {
  using std::chrono::seconds;
  EXPECT_EQ(*ParseIsoDuration("P5D"), seconds(5 * 86400));
  EXPECT_EQ(*ParseIsoDuration("PT48H"), seconds(48 * 3600));
  EXPECT_EQ(*ParseIsoDuration("P2W"), seconds(14 * 86400));
  EXPECT_EQ(*ParseIsoDuration("P1DT2H30M15S"), seconds(86400 + 2 * 3600 + 30 * 60 + 15));
  EXPECT_EQ(*ParseIsoDuration("PT90S"), seconds(90));
  for (const char* bad : {"", "P", "PT", "5D", "P1Y", "P1M", "P1H", "PT1D", "P1DT", "P-1D", "PT0S",
                          "P1D1D", "PTXH", "P1.5D"}) {
    EXPECT_FALSE(ParseIsoDuration(bad)) << bad;
  }
}

}  // namespace
}  // namespace ow::workflow
