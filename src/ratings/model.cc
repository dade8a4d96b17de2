#include "ratings/model.h"

#include <array>
#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace ow::ratings {
namespace {

// After the reasons of the national practice's evaluation forms (GB/T 39735-2020 and the
// 好差评 system): good ones for levels 3-5, bad ones for 1-3.
constexpr std::array kReasons = {
    Reason{"guide_clear", 3, 5, "办事指南清晰易懂", "The guide was clear"},
    Reason{"few_materials", 3, 5, "材料精简，无需重复提交", "Few materials, none twice"},
    Reason{"fast", 3, 5, "办理快捷，按时办结", "Handled quickly and on time"},
    Reason{"one_visit", 3, 5, "一次办成，少跑腿", "Done in one visit or none"},
    Reason{"polite", 3, 5, "服务热情，态度好", "Friendly, helpful staff"},
    Reason{"online_easy", 3, 5, "网上办理方便", "Easy to do online"},
    Reason{"guide_unclear", 1, 3, "办事指南不清晰", "The guide was unclear"},
    Reason{"materials_repeated", 1, 3, "材料繁琐或重复提交", "Too many materials, or asked twice"},
    Reason{"many_visits", 1, 3, "多次跑动", "Had to come back several times"},
    Reason{"overdue", 1, 3, "超时办理", "Not handled in time"},
    Reason{"long_wait", 1, 3, "排队等候时间长", "Long waiting"},
    Reason{"rude", 1, 2, "服务态度差", "Unfriendly staff"},
    Reason{"shirking", 1, 2, "推诿扯皮", "Passed from one office to another"},
    Reason{"fees", 1, 2, "乱收费或索要好处", "Improper fees or favours asked"},
    Reason{"system_hard", 1, 3, "网上办事系统不好用", "The online system was hard to use"},
    Reason{"other", 1, 5, "其他", "Other"},
};

std::string RandomBase32(size_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string bytes = crypto::RandomBytes(n);
  std::string out;
  for (unsigned char b : bytes) out.push_back(kAlphabet[b & 31]);
  return out;
}

}  // namespace

std::span<const Reason> Reasons() { return kReasons; }

bool ReasonFits(std::string_view code, int64_t level) {
  for (const auto& r : kReasons)
    if (r.code == code) return level >= r.min_level && level <= r.max_level;
  return false;
}

bool IsChannel(std::string_view c) {
  return c == kOnline || c == kCounter || c == kTerminal || c == kSms || c == kHotline;
}

std::string ProcessXml() {
  return R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:ow="urn:onewindow:bpmn"
                  id="Definitions_Rating" targetNamespace="urn:onewindow:ratings">
  <bpmn:process id="ow_rating_rectification" name="差评整改" isExecutable="true">
    <bpmn:startEvent id="Start" name="差评"><bpmn:outgoing>ToRectify</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Rectify" name="回访整改" camunda:candidateGroups="department"
                   ow:department="${department}" ow:region="${region}">
      <bpmn:incoming>ToRectify</bpmn:incoming><bpmn:incoming>Returned</bpmn:incoming>
      <bpmn:outgoing>Rectified</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="AfterRectify" name="整改结果" default="ToConfirm">
      <bpmn:incoming>Rectified</bpmn:incoming>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="Confirm" name="评价人确认" camunda:candidateGroups="applicant"
                   ow:department="${department}" ow:region="${region}">
      <bpmn:incoming>ToConfirm</bpmn:incoming>
      <bpmn:outgoing>Answered</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="AfterConfirm" name="确认或申诉" default="Confirmed">
      <bpmn:incoming>Answered</bpmn:incoming>
    </bpmn:exclusiveGateway>
    <bpmn:exclusiveGateway id="ToSupervisors" name="提交督查">
      <bpmn:incoming>Appealed</bpmn:incoming><bpmn:incoming>Claimed</bpmn:incoming>
      <bpmn:outgoing>ToSupervise</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="Supervise" name="督查复核" camunda:candidateGroups="supervisor"
                   ow:department="${department}" ow:region="${region}">
      <bpmn:incoming>ToSupervise</bpmn:incoming>
      <bpmn:outgoing>Ruled</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="AfterSupervise" name="复核决定" default="Closed">
      <bpmn:incoming>Ruled</bpmn:incoming>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="End" name="办结" />
    <bpmn:sequenceFlow id="ToRectify" sourceRef="Start" targetRef="Rectify" />
    <bpmn:sequenceFlow id="Rectified" sourceRef="Rectify" targetRef="AfterRectify" />
    <bpmn:sequenceFlow id="Claimed" sourceRef="AfterRectify" targetRef="ToSupervisors">
      <bpmn:conditionExpression>${decision == "malicious"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Unconfirmable" sourceRef="AfterRectify" targetRef="End">
      <bpmn:conditionExpression>${has_account == false}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="ToConfirm" sourceRef="AfterRectify" targetRef="Confirm" />
    <bpmn:sequenceFlow id="Answered" sourceRef="Confirm" targetRef="AfterConfirm" />
    <bpmn:sequenceFlow id="Appealed" sourceRef="AfterConfirm" targetRef="ToSupervisors">
      <bpmn:conditionExpression>${decision == "appeal"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Confirmed" sourceRef="AfterConfirm" targetRef="End" />
    <bpmn:sequenceFlow id="ToSupervise" sourceRef="ToSupervisors" targetRef="Supervise" />
    <bpmn:sequenceFlow id="Ruled" sourceRef="Supervise" targetRef="AfterSupervise" />
    <bpmn:sequenceFlow id="Returned" sourceRef="AfterSupervise" targetRef="Rectify">
      <bpmn:conditionExpression>${decision == "return"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Closed" sourceRef="AfterSupervise" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
)xml";
}

std::string NewNumber(Date day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "PJ%04d%02d%02d", day.year, day.month, day.day);
  return buf + RandomBase32(10);
}

std::string NewLinkToken() { return RandomBase32(24); }

std::string HashToken(std::string_view token) { return crypto::HexEncode(crypto::Sha256(token)); }

}  // namespace ow::ratings
