#include "workflow/instance.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "workflow/workflow_test_support.h"

namespace ow::workflow {
namespace {

namespace json = boost::json;
using testing_support::LoadTestdata;
using testing_support::Wrap;
using Kind = Effect::Kind;
using std::chrono::hours;

const SystemTime kT0 = SystemTime(std::chrono::seconds(1795000000));  // 2026-11-18

std::shared_ptr<const Definition> Load(const std::string& file) {
  auto d = Definition::Parse(LoadTestdata(file), 1);
  EXPECT_TRUE(d) << file << ": " << (d ? "" : d.error().message);
  return d ? *d : nullptr;
}

std::vector<const Effect*> Of(const Effects& effects, Kind kind) {
  std::vector<const Effect*> out;
  for (const Effect& e : effects) {
    if (e.kind == kind) out.push_back(&e);
  }
  return out;
}

// "kind:node" for each effect, for comparing whole sequences.
std::vector<std::string> Trace(const Effects& effects) {
  std::vector<std::string> out;
  for (const Effect& e : effects) {
    std::string s = std::string(EffectKindName(e.kind)) + ":" + e.node;
    if (e.kind == Kind::kTaskClosed || e.kind == Kind::kServiceCallCancelled) {
      s += ":" + std::string(CloseReasonName(e.reason));
    }
    out.push_back(std::move(s));
  }
  return out;
}

int64_t TaskAt(const Instance& inst, const std::string& node) {
  for (const Task& t : inst.tasks()) {
    if (inst.definition()->nodes()[static_cast<size_t>(t.node)].id == node) return t.id;
  }
  ADD_FAILURE() << "no open task at " << node;
  return -1;
}

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

// ---------------------------------------------------------------- parallel approval

class ParallelApprovalTest : public ::testing::TestWithParam<bool> {};

TEST_P(ParallelApprovalTest, CompletesInEitherOrder) {
  bool a_first = GetParam();
  auto def = Load("parallel_approval.bpmn");
  ASSERT_TRUE(def);
  Instance inst(def);
  auto started = inst.Start(Obj(R"({"applicant": "Li"})"), kT0);
  ASSERT_TRUE(started) << started.error().message;
  // The fork creates both departments' tasks at once.
  auto created = Of(*started, Kind::kTaskCreated);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0]->node, "Approve_A");
  EXPECT_EQ(created[0]->assignee.role, "approver");
  EXPECT_EQ(created[0]->assignee.department, "market-supervision");
  EXPECT_EQ(created[0]->assignee.region, "330102");
  EXPECT_EQ(created[1]->node, "Approve_B");
  EXPECT_EQ(created[1]->assignee.department, "fire-protection");
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);

  std::string first = a_first ? "Approve_A" : "Approve_B";
  std::string second = a_first ? "Approve_B" : "Approve_A";
  auto e1 = inst.CompleteTask(TaskAt(inst, first), Obj(R"({"approved_1": true})"), kT0 + hours(1));
  ASSERT_TRUE(e1) << e1.error().message;
  // The join waits for the other branch.
  EXPECT_EQ(Trace(*e1), std::vector<std::string>{"task_closed:" + first + ":completed"});
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);
  ASSERT_EQ(inst.tasks().size(), 1u);

  auto e2 = inst.CompleteTask(TaskAt(inst, second), Obj(R"({"approved_2": true})"), kT0 + hours(2));
  ASSERT_TRUE(e2) << e2.error().message;
  EXPECT_EQ(Trace(*e2), (std::vector<std::string>{"task_closed:" + second + ":completed",
                                                  "instance_completed:End"}));
  EXPECT_EQ(inst.status(), InstanceStatus::kCompleted);
  EXPECT_TRUE(inst.tasks().empty());
  EXPECT_TRUE(inst.activities().empty());
  // Both decisions were merged into the variables, beside the form data.
  EXPECT_EQ(inst.variables().at("applicant").as_string(), "Li");
  EXPECT_TRUE(inst.variables().at("approved_1").as_bool());
  EXPECT_TRUE(inst.variables().at("approved_2").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Orders, ParallelApprovalTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "AThenB" : "BThenA";
                         });

TEST(InstanceTest, OperationsOnAFinishedOrUnknownTaskFail) {
  auto def = Load("parallel_approval.bpmn");
  Instance inst(def);
  ASSERT_TRUE(inst.Start({}, kT0));
  EXPECT_EQ(inst.Start({}, kT0).error().code, Code::kFailedPrecondition);
  EXPECT_EQ(inst.CompleteTask(999, {}, kT0).error().code, Code::kNotFound);
  int64_t a = TaskAt(inst, "Approve_A");
  ASSERT_TRUE(inst.CompleteTask(a, {}, kT0));
  auto again = inst.CompleteTask(a, {}, kT0);  // the loser of two concurrent completions
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kNotFound);
  ASSERT_TRUE(inst.CompleteTask(TaskAt(inst, "Approve_B"), {}, kT0));
  EXPECT_EQ(inst.CompleteTask(a, {}, kT0).error().code, Code::kFailedPrecondition);
  EXPECT_EQ(inst.ServiceDone(1, {}, kT0).error().code, Code::kFailedPrecondition);
}

TEST(InstanceTest, TerminateClosesEverything) {
  auto def = Load("timers.bpmn");
  Instance inst(def);
  ASSERT_TRUE(inst.Start({}, kT0));
  auto t = inst.Terminate();
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(Trace(*t),
            (std::vector<std::string>{"task_closed:Review:terminated", "timer_cancelled:Remind_48h",
                                      "timer_cancelled:Escalate_5d", "instance_terminated:"}));
  EXPECT_EQ(inst.status(), InstanceStatus::kTerminated);
  EXPECT_TRUE(inst.timers().empty());
  EXPECT_FALSE(inst.NextTimer());
  EXPECT_EQ(inst.Terminate().error().code, Code::kFailedPrecondition);
}

// ---------------------------------------------------------------- exclusive gateway

struct Branch {
  const char* form;
  const char* task;
  const char* role;
};

class ExclusiveTest : public ::testing::TestWithParam<Branch> {};

TEST_P(ExclusiveTest, TakesTheBranchTheFormDataSelects) {
  auto def = Load("exclusive_decision.bpmn");
  ASSERT_TRUE(def);
  Instance inst(def);
  auto started = inst.Start(Obj(GetParam().form), kT0);
  ASSERT_TRUE(started) << started.error().message;
  auto created = Of(*started, Kind::kTaskCreated);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0]->node, GetParam().task);
  EXPECT_EQ(created[0]->assignee.role, GetParam().role);
  EXPECT_EQ(created[0]->assignee.region, "330106");  // ow:region="${region}"
  auto done = inst.CompleteTask(created[0]->id, {}, kT0);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(inst.status(), InstanceStatus::kCompleted);
}

INSTANTIATE_TEST_SUITE_P(
    Branches, ExclusiveTest,
    ::testing::Values(Branch{R"({"amount": 5000, "type": "food", "region": "330106"})",
                             "Review_Senior", "senior-reviewer"},
                      Branch{R"({"amount": 200, "type": "food", "region": "330106"})",
                             "Review_Clerk", "clerk"},
                      // Neither condition holds: the default flow.
                      Branch{R"({"amount": 5000, "type": "drugs", "region": "330106"})",
                             "Review_General", "reviewer"},
                      // The region may be a number in the form.
                      Branch{R"({"amount": 5000, "type": "drugs", "region": 330106})",
                             "Review_General", "reviewer"}),
    [](const ::testing::TestParamInfo<Branch>& p) {
      return std::string(p.param.task) + std::to_string(p.index);
    });

TEST(InstanceTest, AFailingConditionIsAnErrorAndChangesNothing) {
  auto def = Load("exclusive_decision.bpmn");
  Instance inst(def);
  // "amount" is missing: `amount > 1000` cannot be decided.
  auto r = inst.Start(Obj(R"({"type": "food", "region": "330106"})"), kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(
      r.error().message.find("sequenceFlow \"Flow_Senior\" out of exclusiveGateway \"Decide\""),
      std::string::npos)
      << r.error().message;
  EXPECT_TRUE(inst.tasks().empty());
  EXPECT_TRUE(inst.variables().empty());
  // The instance was left untouched, so a corrected start works.
  auto ok = inst.Start(Obj(R"({"amount": 1, "type": "food", "region": "330106"})"), kT0);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(inst.tasks().size(), 1u);
}

TEST(InstanceTest, AnAssignmentExpressionWithoutAValueIsAnError) {
  auto def = Load("exclusive_decision.bpmn");
  Instance inst(def);
  auto r = inst.Start(Obj(R"({"amount": 1, "type": "food"})"), kT0);  // no region
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("userTask \"Review_Clerk\": ow:region"), std::string::npos)
      << r.error().message;
}

TEST(InstanceTest, NoTrueConditionAndNoDefaultIsAnError) {
  std::string xml = Wrap(R"(
    <bpmn:startEvent id="S"/><bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="G"/>
    <bpmn:exclusiveGateway id="G"/>
    <bpmn:sequenceFlow id="F1" sourceRef="G" targetRef="E"><bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F2" sourceRef="G" targetRef="E"><bpmn:conditionExpression>${x == 2}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="E"/>)");
  auto def = Definition::Parse(xml, 1);
  ASSERT_TRUE(def) << def.error().message;
  Instance inst(*def);
  auto r = inst.Start(Obj(R"({"x": 3})"), kT0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exclusiveGateway \"G\": no condition is true"),
            std::string::npos);
  Instance two(*def);
  auto ok = two.Start(Obj(R"({"x": 2})"), kT0);  // a process with no wait state runs through
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(Trace(*ok), std::vector<std::string>{"instance_completed:E"});
}

// ---------------------------------------------------------------- countersign

TEST(InstanceTest, CountersignAllOfThree) {
  auto def = Load("countersign.bpmn");
  Instance inst(def);
  auto started = inst.Start({}, kT0);
  ASSERT_TRUE(started);
  auto created = Of(*started, Kind::kTaskCreated);
  ASSERT_EQ(created.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(created[static_cast<size_t>(i)]->loop_counter, i);
    EXPECT_EQ(created[static_cast<size_t>(i)]->assignee.role, "committee");
  }
  ASSERT_EQ(inst.activities().size(), 1u);
  EXPECT_EQ(inst.activities()[0].instances, 3);
  ASSERT_TRUE(inst.CompleteTask(created[2]->id, {}, kT0));
  ASSERT_TRUE(inst.CompleteTask(created[0]->id, {}, kT0));
  EXPECT_EQ(inst.activities()[0].completed, 2);
  EXPECT_EQ(inst.activities()[0].active, 1);
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);  // all three must sign
  auto last = inst.CompleteTask(created[1]->id, {}, kT0);
  ASSERT_TRUE(last);
  EXPECT_EQ(Trace(*last),
            (std::vector<std::string>{"task_closed:Sign:completed", "instance_completed:End"}));
}

TEST(InstanceTest, CountersignTwoOfThree) {
  auto def = Load("countersign_2of3.bpmn");
  Instance inst(def);
  auto started = inst.Start(Obj(R"({"signers": 3})"), kT0);
  ASSERT_TRUE(started) << started.error().message;
  auto created = Of(*started, Kind::kTaskCreated);
  ASSERT_EQ(created.size(), 3u);
  auto first = inst.CompleteTask(created[1]->id, {}, kT0);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);  // 1 of 3 is not enough
  auto second = inst.CompleteTask(created[0]->id, {}, kT0);
  ASSERT_TRUE(second) << second.error().message;
  // Two signed: the third task is withdrawn from its inbox and the process moves on.
  EXPECT_EQ(Trace(*second),
            (std::vector<std::string>{"task_closed:Sign:completed", "task_closed:Sign:cancelled",
                                      "instance_completed:End"}));
  EXPECT_EQ(Of(*second, Kind::kTaskClosed)[1]->id, created[2]->id);
  EXPECT_EQ(inst.status(), InstanceStatus::kCompleted);
}

TEST(InstanceTest, CountersignCardinalityFromTheFormMustBeSane) {
  auto def = Load("countersign_2of3.bpmn");
  for (const char* form : {R"({})", R"({"signers": 0})", R"({"signers": 2.5})",
                           R"({"signers": "3"})", R"({"signers": 5000})"}) {
    Instance inst(def);
    auto r = inst.Start(Obj(form), kT0);
    ASSERT_FALSE(r) << form;
    EXPECT_NE(r.error().message.find("userTask \"Sign\": loopCardinality"), std::string::npos)
        << r.error().message;
  }
}

// ---------------------------------------------------------------- service tasks

TEST(InstanceTest, ServiceTasksAskTheCallerAndContinueOnItsResult) {
  auto def = Load("service_task.bpmn");
  Instance inst(def);
  auto started = inst.Start({}, kT0);
  ASSERT_TRUE(started);
  auto calls = Of(*started, Kind::kServiceCallRequested);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]->service, "credit-check");
  EXPECT_EQ(calls[0]->node, "Check");
  EXPECT_EQ(inst.CompleteTask(calls[0]->id, {}, kT0).error().code, Code::kNotFound);
  auto checked = inst.ServiceDone(calls[0]->id, Obj(R"({"credit": {"ok": true}})"), kT0);
  ASSERT_TRUE(checked) << checked.error().message;
  auto issue = Of(*checked, Kind::kServiceCallRequested);
  ASSERT_EQ(issue.size(), 1u);
  EXPECT_EQ(issue[0]->service, "issue-licence");
  EXPECT_EQ(inst.ServiceDone(calls[0]->id, {}, kT0).error().code, Code::kNotFound);
  auto done = inst.ServiceDone(issue[0]->id, {}, kT0);
  ASSERT_TRUE(done);
  EXPECT_EQ(Trace(*done), std::vector<std::string>{"instance_completed:End_Issued"});

  Instance refused(def);
  auto s2 = refused.Start({}, kT0);
  ASSERT_TRUE(s2);
  auto r = refused.ServiceDone(Of(*s2, Kind::kServiceCallRequested)[0]->id,
                               Obj(R"({"credit": {"ok": false}})"), kT0);
  ASSERT_TRUE(r);
  EXPECT_EQ(Trace(*r), std::vector<std::string>{"instance_completed:End_Refused"});
}

// ---------------------------------------------------------------- timers

TEST(InstanceTest, NonInterruptingTimerSendsAReminderAndKeepsTheTask) {
  auto def = Load("timers.bpmn");
  Instance inst(def);
  auto started = inst.Start({}, kT0);
  ASSERT_TRUE(started);
  auto scheduled = Of(*started, Kind::kTimerScheduled);
  ASSERT_EQ(scheduled.size(), 2u);
  EXPECT_EQ(scheduled[0]->node, "Remind_48h");
  EXPECT_EQ(scheduled[0]->due, kT0 + hours(48));
  EXPECT_EQ(scheduled[1]->node, "Escalate_5d");
  EXPECT_EQ(scheduled[1]->due, kT0 + hours(120));
  EXPECT_EQ(inst.NextTimer(), kT0 + hours(48));

  auto early = inst.FireTimers(kT0 + hours(47));
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());

  auto fired = inst.FireTimers(kT0 + hours(48));
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(Trace(*fired), (std::vector<std::string>{"timer_fired:Remind_48h",
                                                     "service_call_requested:Send_Reminder"}));
  int64_t review = TaskAt(inst, "Review");  // still open
  EXPECT_EQ(inst.NextTimer(), kT0 + hours(120));
  auto reminded = inst.ServiceDone(Of(*fired, Kind::kServiceCallRequested)[0]->id, {}, kT0);
  ASSERT_TRUE(reminded);
  EXPECT_TRUE(reminded->empty());  // End_Reminded consumed that token; Review is still open
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);

  auto done = inst.CompleteTask(review, {}, kT0 + hours(50));
  ASSERT_TRUE(done);
  EXPECT_EQ(Trace(*done),
            (std::vector<std::string>{"task_closed:Review:completed", "timer_cancelled:Escalate_5d",
                                      "instance_completed:End"}));
  EXPECT_FALSE(inst.NextTimer());
}

TEST(InstanceTest, InterruptingTimerEscalates) {
  auto def = Load("timers.bpmn");
  Instance inst(def);
  ASSERT_TRUE(inst.Start({}, kT0));
  int64_t review = TaskAt(inst, "Review");
  // Nobody looked at it for six days: both timers fire in due order.
  auto fired = inst.FireTimers(kT0 + hours(24 * 6));
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(Trace(*fired), (std::vector<std::string>{
                               "timer_fired:Remind_48h", "service_call_requested:Send_Reminder",
                               "timer_fired:Escalate_5d", "task_closed:Review:interrupted",
                               "task_created:Chief_Review"}));
  EXPECT_EQ(inst.CompleteTask(review, {}, kT0).error().code, Code::kNotFound);
  auto chief = Of(*fired, Kind::kTaskCreated)[0];
  EXPECT_EQ(chief->assignee.role, "section-chief");
  ASSERT_TRUE(inst.CompleteTask(chief->id, {}, kT0 + hours(24 * 6)));
  EXPECT_EQ(inst.status(), InstanceStatus::kRunning);  // the reminder call is still pending
  ASSERT_TRUE(inst.ServiceDone(Of(*fired, Kind::kServiceCallRequested)[0]->id, {}, kT0));
  EXPECT_EQ(inst.status(), InstanceStatus::kCompleted);
  auto none = inst.FireTimers(kT0 + hours(24 * 30));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(InstanceTest, EscalationBeforeTheReminderCancelsIt) {
  std::string xml = Wrap(R"(
    <bpmn:startEvent id="S"/><bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="T"/>
    <bpmn:serviceTask id="T" ow:service="slow"/>
    <bpmn:boundaryEvent id="Late" attachedToRef="T"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="Nag" cancelActivity="false" attachedToRef="T"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="T" targetRef="E"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Late" targetRef="E"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Nag" targetRef="E"/>
    <bpmn:endEvent id="E"/>)");
  auto def = Definition::Parse(xml, 1);
  ASSERT_TRUE(def) << def.error().message;
  Instance inst(*def);
  ASSERT_TRUE(inst.Start({}, kT0));
  auto fired = inst.FireTimers(kT0 + hours(3));
  ASSERT_TRUE(fired);
  EXPECT_EQ(Trace(*fired),
            (std::vector<std::string>{"timer_fired:Late", "service_call_cancelled:T:interrupted",
                                      "timer_cancelled:Nag", "instance_completed:E"}));
}

// ---------------------------------------------------------------- snapshots

TEST(InstanceTest, SnapshotAndRestoreMidFlight) {
  auto def = Load("parallel_approval.bpmn");
  Instance inst(def);
  ASSERT_TRUE(inst.Start(Obj(R"({"form": {"name": "Li"}})"), kT0));
  ASSERT_TRUE(inst.CompleteTask(TaskAt(inst, "Approve_B"), Obj(R"({"b": "yes"})"), kT0));
  // Store it as text, as the cases module does, and bring it back.
  std::string stored = json::serialize(inst.Snapshot());
  auto restored = Instance::Restore(def, json::parse(stored));
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(json::serialize(restored->Snapshot()), stored);
  EXPECT_EQ(restored->variables().at("b").as_string(), "yes");
  ASSERT_EQ(restored->tasks().size(), 1u);
  // The restored instance goes on exactly as the original would.
  auto a = inst.CompleteTask(TaskAt(inst, "Approve_A"), {}, kT0);
  auto b = restored->CompleteTask(TaskAt(*restored, "Approve_A"), {}, kT0);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(Trace(*a), Trace(*b));
  EXPECT_EQ(restored->status(), InstanceStatus::kCompleted);
}

TEST(InstanceTest, SnapshotKeepsTimersAndCounters) {
  auto def = Load("timers.bpmn");
  Instance inst(def);
  SystemTime start = kT0 + std::chrono::milliseconds(1234);
  ASSERT_TRUE(inst.Start({}, start));
  auto restored = Instance::Restore(def, json::parse(json::serialize(inst.Snapshot())));
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(restored->NextTimer(), start + hours(48));
  auto f1 = inst.FireTimers(start + hours(200));
  auto f2 = restored->FireTimers(start + hours(200));
  ASSERT_TRUE(f1);
  ASSERT_TRUE(f2);
  EXPECT_EQ(Trace(*f1), Trace(*f2));
  // Ids come from the instance's counter: equal on both.
  for (size_t i = 0; i < f1->size(); ++i) EXPECT_EQ((*f1)[i].id, (*f2)[i].id);

  auto c = Load("countersign.bpmn");
  Instance sign(c);
  auto started = sign.Start({}, kT0);
  ASSERT_TRUE(sign.CompleteTask(Of(*started, Kind::kTaskCreated)[0]->id, {}, kT0));
  auto back = Instance::Restore(c, sign.Snapshot());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->activities().size(), 1u);
  EXPECT_EQ(back->activities()[0].completed, 1);
  EXPECT_EQ(back->activities()[0].active, 2);
  EXPECT_EQ(back->tasks().size(), 2u);
}

TEST(InstanceTest, RestoreRefusesAnotherVersionAndBrokenSnapshots) {
  auto def = Load("parallel_approval.bpmn");
  Instance inst(def);
  ASSERT_TRUE(inst.Start({}, kT0));
  json::object snap = inst.Snapshot();

  auto v2 = Definition::Parse(LoadTestdata("parallel_approval.bpmn"), 2);
  ASSERT_TRUE(v2);
  auto other = Instance::Restore(*v2, snap);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("version 1, not parallel_approval version 2"),
            std::string::npos)
      << other.error().message;

  auto broken = [&](auto mutate) {
    json::object s = snap;
    mutate(s);
    auto r = Instance::Restore(def, s);
    EXPECT_FALSE(r) << json::serialize(s);
    if (!r) {
      EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    }
  };
  broken([](json::object& s) { s["status"] = "sleeping"; });
  broken([](json::object& s) { s.erase("variables"); });
  broken([](json::object& s) { s["tasks"].as_array()[0].as_object()["node"] = "Nope"; });
  broken([](json::object& s) { s["tasks"].as_array()[0].as_object()["node"] = "Join"; });
  broken([](json::object& s) { s["tasks"].as_array()[0].as_object()["activity"] = 77; });
  broken([](json::object& s) { s["tasks"].as_array()[0].as_object()["id"] = 1000; });
  broken([](json::object& s) { s["activities"].as_array()[0].as_object()["completed"] = 5; });
  broken([](json::object& s) { s["join_tokens"] = json::object{{"NoSuchFlow", 1}}; });
  broken([](json::object& s) { s["status"] = "completed"; });         // with open tasks
  broken([](json::object& s) { s["tasks"].as_array().pop_back(); });  // an activity without
  broken([](json::object& s) {
    s["tasks"].as_array()[1].as_object()["id"] = s["tasks"].as_array()[0].as_object()["id"];
  });
  EXPECT_FALSE(Instance::Restore(def, json::value("text")));
}

TEST(InstanceTest, SameEventsGiveTheSameEffects) {
  auto def = Load("parallel_approval.bpmn");
  Instance one(def), two(def);
  auto s1 = one.Start({}, kT0);
  auto s2 = two.Start({}, kT0);
  ASSERT_TRUE(s1);
  ASSERT_TRUE(s2);
  ASSERT_EQ(s1->size(), s2->size());
  for (size_t i = 0; i < s1->size(); ++i) EXPECT_EQ((*s1)[i].id, (*s2)[i].id);
  EXPECT_EQ(json::serialize(one.Snapshot()), json::serialize(two.Snapshot()));
}

TEST(InstanceTest, AJoinLeftWaitingTerminatesTheInstance) {
  // A parallel join fed by a decision that the structural check cannot see through (a
  // merge in between): only one branch arrives.
  std::string xml = Wrap(R"(
    <bpmn:startEvent id="S"/><bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="Fork"/>
    <bpmn:parallelGateway id="Fork"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Fork" targetRef="G"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Fork" targetRef="J"/>
    <bpmn:exclusiveGateway id="G" default="F4"/>
    <bpmn:sequenceFlow id="F3" sourceRef="G" targetRef="M"><bpmn:conditionExpression>${go}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F4" sourceRef="G" targetRef="E2"/>
    <bpmn:exclusiveGateway id="M"/>
    <bpmn:sequenceFlow id="F5" sourceRef="M" targetRef="J"/>
    <bpmn:parallelGateway id="J"/>
    <bpmn:sequenceFlow id="F6" sourceRef="J" targetRef="E"/>
    <bpmn:endEvent id="E"/><bpmn:endEvent id="E2"/>)");
  auto def = Definition::Parse(xml, 1);
  ASSERT_TRUE(def) << def.error().message;
  Instance go(*def);
  auto ok = go.Start(Obj(R"({"go": true})"), kT0);
  ASSERT_TRUE(ok);
  EXPECT_EQ(go.status(), InstanceStatus::kCompleted);
  Instance stuck(*def);
  auto r = stuck.Start(Obj(R"({"go": false})"), kT0);
  ASSERT_TRUE(r);
  EXPECT_EQ(Trace(*r), std::vector<std::string>{"instance_terminated:J"});
  EXPECT_EQ(stuck.status(), InstanceStatus::kTerminated);
}

}  // namespace
}  // namespace ow::workflow
