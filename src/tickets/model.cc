#include "tickets/model.h"

#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace ow::tickets {

namespace {

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

bool IsKind(std::string_view kind) {
  return kind == kConsult || kind == kComplaint || kind == kSuggestion;
}

int Deadlines::For(std::string_view kind) const {
  if (kind == kComplaint) return complaint;
  if (kind == kSuggestion) return suggestion;
  return consult;
}

std::string ProcessXml(const Deadlines& d) {
  // One answer task per kind, so that each carries its own deadline; they share the
  // escalation to the supervisors and the way back. {k}, {days} and {condition} are filled
  // in per kind.
  constexpr std::string_view kAnswer =
      R"xml(    <bpmn:userTask id="Answer_{k}" name="答复" camunda:candidateGroups="department"
                   ow:department="${department}" ow:region="${region}">
      <bpmn:incoming>ToAnswer_{k}</bpmn:incoming><bpmn:incoming>Back_{k}</bpmn:incoming>
      <bpmn:outgoing>Answered_{k}</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Due_{k}" name="逾期" attachedToRef="Answer_{k}" cancelActivity="true">
      <bpmn:outgoing>Escalate_{k}</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P{days}D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
)xml";
  constexpr std::string_view kFlows =
      R"xml(    <bpmn:sequenceFlow id="ToAnswer_{k}" sourceRef="ByKind" targetRef="Answer_{k}">{condition}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Back_{k}" sourceRef="BackByKind" targetRef="Answer_{k}">{condition}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Answered_{k}" sourceRef="Answer_{k}" targetRef="End" />
    <bpmn:sequenceFlow id="Escalate_{k}" sourceRef="Due_{k}" targetRef="Overdue" />
)xml";
  std::string answers, flows;
  const std::pair<const char*, int> kinds[] = {
      {kConsult, d.consult}, {kComplaint, d.complaint}, {kSuggestion, d.suggestion}};
  for (const auto& [kind, days] : kinds) {
    // Consultations take the gateways' default flows; the other kinds a condition.
    std::string condition;
    if (std::string_view(kind) != kConsult) {
      condition = R"(<bpmn:conditionExpression>${kind == "{k}"}</bpmn:conditionExpression>)";
    }
    std::string f = ReplaceAll(std::string(kFlows), "{condition}", condition);
    flows += ReplaceAll(std::move(f), "{k}", kind);
    std::string a = ReplaceAll(std::string(kAnswer), "{days}", std::to_string(days));
    answers += ReplaceAll(std::move(a), "{k}", kind);
  }
  return R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:ow="urn:onewindow:bpmn"
                  id="Definitions_Ticket" targetNamespace="urn:onewindow:tickets">
  <bpmn:process id="ow_ticket" name="咨询投诉建议" isExecutable="true">
    <bpmn:startEvent id="Start" name="已登记"><bpmn:outgoing>ToByKind</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="ByKind" name="按类别" default="ToAnswer_consult">
      <bpmn:incoming>ToByKind</bpmn:incoming>
    </bpmn:exclusiveGateway>
    <bpmn:exclusiveGateway id="BackByKind" name="退回部门" default="Back_consult">
      <bpmn:incoming>Returned</bpmn:incoming>
    </bpmn:exclusiveGateway>
)xml" + answers +
         R"xml(    <bpmn:exclusiveGateway id="Overdue" name="逾期">
      <bpmn:outgoing>ToSupervise</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="Supervise" name="督办" camunda:candidateGroups="supervisor"
                   ow:department="${department}" ow:region="${region}">
      <bpmn:incoming>ToSupervise</bpmn:incoming>
      <bpmn:outgoing>Decided</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="SupervisorDecision" name="督办决定" default="SupervisorAnswered">
      <bpmn:incoming>Decided</bpmn:incoming>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="End" name="已答复" />
    <bpmn:sequenceFlow id="ToByKind" sourceRef="Start" targetRef="ByKind" />
)xml" + flows +
         R"xml(    <bpmn:sequenceFlow id="ToSupervise" sourceRef="Overdue" targetRef="Supervise" />
    <bpmn:sequenceFlow id="Decided" sourceRef="Supervise" targetRef="SupervisorDecision" />
    <bpmn:sequenceFlow id="Returned" sourceRef="SupervisorDecision" targetRef="BackByKind">
      <bpmn:conditionExpression>${decision == "return"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="SupervisorAnswered" sourceRef="SupervisorDecision" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
)xml";
}

SystemTime WorkingClock(const Calendar& cal, Date day) {
  int64_t days = cal.WorkingDaysBetween(kWorkingClockBase, day);
  if (days < 0) days = 0;
  return SystemTime{} + std::chrono::hours(24) * days;
}

namespace {

std::string RandomBase32(size_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string bytes = crypto::RandomBytes(n);
  std::string out;
  for (unsigned char b : bytes) out.push_back(kAlphabet[b & 31]);
  return out;
}

}  // namespace

std::string NewNumber(Date day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "ZX%04d%02d%02d", day.year, day.month, day.day);
  return buf + RandomBase32(10);
}

std::string NewLookupCode() { return RandomBase32(12); }

std::string HashCode(std::string_view code) { return crypto::HexEncode(crypto::Sha256(code)); }

}  // namespace ow::tickets
