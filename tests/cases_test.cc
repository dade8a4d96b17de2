// Cases over HTTP on both stores, as applicants and staff rely on them: a citizen applies
// for an item whose process has two departments approving in parallel, the departments
// approve in both orders and the applicant sees every step; deadlines counted across a
// weekend and a holiday; the clock stopping while a supplement is awaited and while the
// case is suspended; exactly one of two concurrent completions winning (the other 409);
// withdrawal; counter, agent and cross-region intake; bundle fan-out; timer escalation and
// service tasks; messages; and staff of another department or region not seeing a case.
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "app/demo.h"
#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kItem =
    "3301-SCJG-GTDJ";  // handled by 330102-SCJG in 330102 (promised 3 days)

// 2030 with one made-up holiday on Monday 10 June, published by the test itself.
constexpr const char* kHoliday = "2030-06-10";

// A moment on `date` at 10:00 China time.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  int64_t days = DaysSinceEpoch(*d);
  return SystemTime(std::chrono::seconds(days * 86400 + 2 * 3600));  // 10:00 UTC+8
}

// Two departments of 330102 approve in parallel.
std::string ParallelProcess(const std::string& key) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:test">
  <bpmn:process id=")" +
         key + R"(" name="Parallel approval" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Approve_SCJG" name="市场监管审批" camunda:candidateGroups="approver"
      ow:department="330102-SCJG" ow:region="${case.region}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="Approve_MZ" name="民政审批" camunda:candidateGroups="approver"
      ow:department="330102-MZ" ow:region="330102">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="Join"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Fork" targetRef="Approve_SCJG"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Fork" targetRef="Approve_MZ"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Approve_SCJG" targetRef="Join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Approve_MZ" targetRef="Join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="Join" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>)";
}

// A review with a one-hour interrupting timer escalating to the city reviewer, and a
// service task that notifies the applicant after the decision.
std::string EscalationProcess() {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:test">
  <bpmn:process id="escalating" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="区级审查" camunda:candidateGroups="reviewer"
      ow:department="330102-SCJG" ow:region="330102">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Late" name="超时上报" attachedToRef="Review" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="CityReview" name="市级督办审查" camunda:candidateGroups="reviewer"
      ow:department="3301-SCJG" ow:region="3301">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Merge"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:serviceTask id="Notify" name="通知申请人" ow:service="notify-applicant">
      <bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="End"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Late" targetRef="CityReview"/>
    <bpmn:sequenceFlow id="f4" sourceRef="CityReview" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Merge" targetRef="Notify"/>
    <bpmn:sequenceFlow id="f6" sourceRef="Notify" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>)";
}

// The cases fixture (support/cases_fixture.h) on a fixed clock, with one item under test.
class CasesTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // The clock starts on Thursday 6 June 2030, 10:00 in Hangzhou.
    SetDay("2030-06-06");
    auto cal = Admin(verb::put, "/api/v1/calendar/2030",
                     Json({{"holidays", json::array{kHoliday}}, {"working_days", json::array{}}}));
    ASSERT_EQ(cal.status, 201) << cal.body;
  }

  void SetDay(const std::string& date) {
    SystemTime t = At(date);
    server_->app().cases().SetClock([t] { return t; });
  }

  void UseProcess(const std::string& key, const std::string& xml) {
    CasesFixture::UseProcess(kItem, key, xml);
  }

  json::object Apply(const Session& s, json::object extra = {}) {
    auto r = Submit(s, kItem, "330102", GtdjForm(), std::move(extra));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  json::object Get(const Session& s, const std::string& no, int expect = 200) {
    auto r = Call(verb::get, "/api/v1/cases/" + no, {}, &s);
    EXPECT_EQ(r.status, expect) << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
  }

  // A fresh upload by `s` for each required material of the bundle's items, each named
  // once: a material several items ask for goes to each of them.
  json::array BundleMaterials(const Session& s, const json::value& bundle) {
    std::vector<std::string> names;
    for (const auto& item : bundle.at("items").as_array())
      for (const auto& n : RequiredNames(std::string(item.as_string())))
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    json::array materials;
    for (const auto& n : names) materials.push_back({{"id", Upload(s)}, {"name", n}});
    return materials;
  }

  static std::string Str(const json::object& c, const char* k) {
    return c.at(k).is_string() ? std::string(c.at(k).as_string()) : std::string();
  }
  static std::vector<std::string> Actions(const json::object& c) {
    std::vector<std::string> out;
    for (const auto& e : c.at("events").as_array()) out.emplace_back(e.at("action").as_string());
    return out;
  }
};

TEST_P(CasesTest, ParallelApprovalInBothOrdersWithDeadlinesAcrossWeekendAndHoliday) {
  UseProcess("parallel_two_departments", ParallelProcess("parallel_two_departments"));
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session scjg = Login("sc.approver");
  Session mz = Staff("mz.approver", "330102-MZ", "330102", "approver");

  for (bool scjg_first : {true, false}) {
    SCOPED_TRACE(scjg_first ? "market regulation first" : "civil affairs first");
    SetDay("2030-06-06");
    json::object c = Apply(zhang);
    ASSERT_FALSE(c.empty());
    // Read-after-write: the case is in the applicant's list and the acceptor's inbox the
    // moment the submission returned.
    auto mine = Call(verb::get, "/api/v1/me/cases", {}, &zhang).json();
    EXPECT_EQ(mine.at("cases").at(0).at("tracking_no"), c.at("tracking_no"));
    auto inbox = Call(verb::get, "/api/v1/workbench/tasks", {}, &acceptor).json();
    bool listed = false;
    for (const auto& t : inbox.at("tasks").as_array())
      listed = listed || t.at("case").at("tracking_no") == c.at("tracking_no");
    EXPECT_TRUE(listed) << json::serialize(inbox);

    c = Accept(acceptor, c);
    // Accepted Thursday 6 June; 3 working days: Fri 7, (weekend, Mon 10 holiday) Tue 11, Wed 12.
    EXPECT_EQ(Str(c, "accepted_on"), "2030-06-06");
    EXPECT_EQ(Str(c, "promised_deadline"), "2030-06-12");
    EXPECT_EQ(c.at("process").at("key"), "parallel_two_departments");
    auto a = TaskOf(c, "Approve_SCJG");
    auto b = TaskOf(c, "Approve_MZ");
    // Each department sees only its own task in its inbox.
    auto scjg_inbox = Call(verb::get, "/api/v1/workbench/tasks", {}, &scjg).json();
    EXPECT_EQ(scjg_inbox.at("counts").at("total"), 1) << json::serialize(scjg_inbox);
    EXPECT_EQ(scjg_inbox.at("tasks").at(0).at("node"), "Approve_SCJG");
    EXPECT_EQ(scjg_inbox.at("tasks").at(0).at("deadline_state"), "normal");
    auto mz_inbox = Call(verb::get, "/api/v1/workbench/tasks", {}, &mz).json();
    EXPECT_EQ(mz_inbox.at("counts").at("total"), 1);
    // The other department cannot complete a task that is not theirs.
    EXPECT_EQ(Complete(mz, a, "approve").status, 404);

    // On Tuesday 11 June one working day is left: yellow.
    SetDay("2030-06-11");
    scjg_inbox = Call(verb::get, "/api/v1/workbench/tasks?deadline=yellow", {}, &scjg).json();
    EXPECT_EQ(scjg_inbox.at("counts").at("yellow"), 1) << json::serialize(scjg_inbox);
    EXPECT_EQ(scjg_inbox.at("tasks").as_array().size(), 1u);
    // On Thursday 13 June it would be overdue: red.
    SetDay("2030-06-13");
    auto late = Call(verb::get, "/api/v1/workbench/tasks?deadline=red", {}, &scjg).json();
    EXPECT_EQ(late.at("counts").at("red"), 1) << json::serialize(late);
    EXPECT_EQ(late.at("tasks").at(0).at("deadline_state"), "red");
    SetDay("2030-06-11");

    auto first = scjg_first ? Complete(scjg, a, "approve") : Complete(mz, b, "approve");
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json().at("status"), "under_review");  // the join waits for the other
    auto second = scjg_first ? Complete(mz, b, "approve") : Complete(scjg, a, "approve");
    ASSERT_EQ(second.status, 200) << second.body;
    c = second.json().as_object();
    EXPECT_EQ(Str(c, "status"), "approved");
    EXPECT_EQ(Str(c, "decision"), "approved");

    // Thursday 13 June: past the deadline, but decided cases are not red any more.
    SetDay("2030-06-13");
    auto d = Call(verb::post, "/api/v1/cases/" + No(c) + "/deliver", Json({{"method", "online"}}),
                  &acceptor);
    ASSERT_EQ(d.status, 200) << d.body;
    auto closed = Call(verb::post, "/api/v1/cases/" + No(c) + "/close", "{}", &acceptor);
    ASSERT_EQ(closed.status, 200) << closed.body;

    // The applicant sees every step, when and through which channel, but not which member
    // of staff took it; staff see that.
    c = Get(zhang, No(c));
    EXPECT_EQ(Str(c, "status"), "closed");
    // Acceptance and the decision each issue a document (case_documents_test.cc).
    EXPECT_EQ(Actions(c), (std::vector<std::string>{"submitted", "accepted", "document_issued",
                                                    "task_completed", "task_completed", "decided",
                                                    "document_issued", "delivered", "closed"}));
    const auto& events = c.at("events").as_array();
    EXPECT_EQ(events.at(0).at("channel"), "web");
    EXPECT_EQ(events.at(0).at("actor"), "zhangsan");
    EXPECT_EQ(events.at(1).at("actor"), "");
    EXPECT_EQ(events.at(3).at("actor"), "");
    const json::object as_staff = Get(acceptor, No(c));
    const auto& seen = as_staff.at("events").as_array();
    EXPECT_EQ(seen.at(1).at("actor"), "sc.acceptor");
    EXPECT_EQ(seen.at(3).at("actor"), scjg_first ? "sc.approver" : "mz.approver");
    EXPECT_EQ(seen.at(4).at("actor"), scjg_first ? "mz.approver" : "sc.approver");
    EXPECT_EQ(events.at(1).at("at"), "2030-06-06T02:00:00Z");
    EXPECT_EQ(events.at(7).at("at"), "2030-06-13T02:00:00Z");
    // And a message for every status change and every document.
    auto messages = Call(verb::get, "/api/v1/me/messages", {}, &zhang).json();
    int for_this = 0;
    for (const auto& m : messages.at("messages").as_array())
      for_this += m.at("case_no") == c.at("tracking_no") ? 1 : 0;
    // submitted, under_review, the acceptance notice, approved, the decision, delivered, closed
    EXPECT_EQ(for_this, 7);
    // Each is a code with parameters, rendered in the reader's language.
    json::value en =
        Call(verb::get, "/api/v1/me/messages", {}, &zhang, {{"Accept-Language", "en;q=0.9, fr"}})
            .json();
    json::value zh =
        Call(verb::get, "/api/v1/me/messages", {}, &zhang, {{"Accept-Language", "zh-CN,en;q=0.5"}})
            .json();
    const json::object& last_en = en.at("messages").at(0).as_object();
    const json::object& last_zh = zh.at("messages").at(0).as_object();
    EXPECT_EQ(last_en.at("code"), "case.status_changed");
    EXPECT_EQ(last_en.at("params").at("status"), "closed");
    EXPECT_EQ(last_en.at("params").at("tracking_no"), c.at("tracking_no"));
    EXPECT_EQ(last_en.at("lang"), "en");
    EXPECT_EQ(std::string(last_en.at("text").as_string()),
              "Your case " + std::string(c.at("tracking_no").as_string()) + " (" +
                  std::string(c.at("item_name").as_string()) + "): closed");
    EXPECT_EQ(last_zh.at("lang"), "zh-CN");
    EXPECT_EQ(std::string(last_zh.at("text").as_string()),
              "您的办件 " + std::string(c.at("tracking_no").as_string()) + "（" +
                  std::string(c.at("item_name").as_string()) + "）：已办结");
  }
}

// 一次性告知: a supplement request is one checklist of the item's materials and the form's
// fields, each with a note; the applicant gives exactly that, all of it, and nothing else.
// Staff are told which open tasks they may work on, so no client offers a refused button.
TEST_P(CasesTest, ASupplementRequestIsOneChecklistAndOnlyItIsGivenAgain) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  json::object c = Accept(acceptor, Apply(zhang));
  std::string no = No(c);
  auto review_task = [](const json::object& k) -> const json::object* {
    for (const auto& t : k.at("tasks").as_array())
      if (t.at("kind") == "review" && t.at("status") == "open") return &t.as_object();
    return nullptr;
  };
  json::object as_approver = Get(approver, no), as_acceptor = Get(acceptor, no);
  ASSERT_NE(review_task(as_approver), nullptr) << json::serialize(as_approver);
  EXPECT_TRUE(review_task(as_approver)->at("may_work").as_bool());
  EXPECT_FALSE(review_task(as_acceptor)->at("may_work").as_bool());

  const std::string ask = "/api/v1/cases/" + no + "/supplement-request";
  auto entry = [](const char* name, const char* note = nullptr) {
    json::object e{{"name", name}};
    if (note) e["note"] = note;
    return e;
  };
  auto refused = [&](const json::object& body, const char* field) {
    auto r = Call(verb::post, ask, Json(body), &approver);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find(std::string("\"") + field + "\""), std::string::npos) << r.body;
  };
  refused({{"reason", "请补正"}}, "materials");
  refused({{"materials", json::array{entry("不存在的材料")}}}, "materials/0/name");
  refused({{"fields", json::array{entry("no_such_field")}}}, "fields/0/name");
  refused({{"materials", json::array{entry("居民身份证"), entry("居民身份证")}}},
          "materials/1/name");
  refused({{"fields", json::array{entry("phone", std::string(501, 'x').c_str())}}},
          "fields/0/note");
  EXPECT_EQ(
      Call(verb::post, ask, Json({{"materials", json::array{"居民身份证"}}}), &approver).status,
      422);  // entries are objects
  // The applicant cannot ask for themself, and nobody else sees the case.
  json::object good{{"reason", "请一次性补正以下内容"},
                    {"materials", json::array{entry("居民身份证", "照片页不清晰")}},
                    {"fields", json::array{entry("phone", "号码无法接通")}}};
  EXPECT_EQ(Call(verb::post, ask, Json(good), &zhang).status, 403);
  EXPECT_EQ(Call(verb::post, ask, Json(good), &acceptor).status, 403);  // no open task of theirs
  auto r = Call(verb::post, ask, Json(good), &approver);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value asked = r.json().at("events").as_array().back();
  EXPECT_EQ(asked.at("action"), "supplement_requested");
  EXPECT_EQ(asked.at("detail").at("materials").at(0).at("note"), "照片页不清晰");
  EXPECT_EQ(asked.at("detail").at("fields").at(0).at("name"), "phone");

  const std::string supply = "/api/v1/cases/" + no + "/supplement";
  std::string id_card = Upload(zhang), other = Upload(zhang);
  ASSERT_FALSE(id_card.empty());
  json::object phone_fixed = GtdjForm(), address_too = GtdjForm();
  phone_fixed["phone"] = "13900000002";
  address_too["phone"] = "13900000002";
  address_too["address"] = "杭州市上城区解放路9号";
  auto file = [](const std::string& id, const char* name) {
    return json::array{json::object{{"id", id}, {"name", name}}};
  };
  auto supplied = [&](const json::object& body, int status, const char* field) {
    auto s = Call(verb::post, supply, Json(body), &zhang);
    EXPECT_EQ(s.status, status) << s.body;
    if (field) {
      EXPECT_NE(s.body.find(std::string("\"") + field + "\""), std::string::npos) << s.body;
    }
  };
  // Something not asked for, something asked for missing, the form not given.
  supplied({{"materials", file(id_card, "居民身份证")}, {"form", address_too}}, 422,
           "form/address");
  supplied({{"form", phone_fixed}}, 422, "materials");
  supplied({{"materials", file(other, "经营场所使用证明")}, {"form", phone_fixed}}, 422,
           "materials/0/name");
  supplied({{"materials", file(id_card, "居民身份证")}}, 422, "form");
  EXPECT_EQ(Get(zhang, no).at("status"), "supplement_requested");  // nothing changed
  supplied({{"materials", file(id_card, "居民身份证")}, {"form", phone_fixed}, {"note", "已补正"}},
           200, nullptr);
  c = Get(zhang, no);
  EXPECT_EQ(Str(c, "status"), "under_review");
  EXPECT_EQ(c.at("form").at("phone"), "13900000002");

  // The applicant is told what staff did, not who they are; staff see the names.
  auto actor_of = [](const json::object& k, const char* action) {
    for (const auto& e : k.at("events").as_array())
      if (e.at("action") == action) return std::string(e.at("actor").as_string());
    return std::string("(none)");
  };
  EXPECT_EQ(actor_of(c, "supplement_requested"), "");
  EXPECT_EQ(actor_of(c, "accepted"), "");
  EXPECT_EQ(actor_of(c, "supplied"), "zhangsan");
  for (const auto& t : c.at("tasks").as_array()) {
    EXPECT_TRUE(t.at("claimed_by").is_null() && t.at("closed_by").is_null()) << t;
  }
  EXPECT_EQ(json::serialize(c).find("sc.approver"), std::string::npos);
  EXPECT_EQ(json::serialize(c).find("sc.acceptor"), std::string::npos);
  EXPECT_EQ(actor_of(Get(approver, no), "supplement_requested"), "sc.approver");
}

TEST_P(CasesTest, TheClockStopsDuringSupplementAndSuspension) {
  UseProcess("parallel_two_departments", ParallelProcess("parallel_two_departments"));
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session scjg = Login("sc.approver");
  json::object c = Accept(acceptor, Apply(zhang));  // Thu 6 June, deadline Wed 12
  ASSERT_EQ(Str(c, "promised_deadline"), "2030-06-12");
  std::string no = No(c);

  // Friday 7 June (day 1 used): the approver asks for a supplement; the clock stops.
  SetDay("2030-06-07");
  auto r = Call(
      verb::post, "/api/v1/cases/" + no + "/supplement-request",
      Json({{"reason", "请核对经营场所"},
            {"fields", json::array{json::object{{"name", "address"}, {"note", "与证明不一致"}}}}}),
      &scjg);
  ASSERT_EQ(r.status, 200) << r.body;
  c = r.json().as_object();
  EXPECT_EQ(Str(c, "status"), "supplement_requested");
  EXPECT_TRUE(c.at("promised_deadline").is_null());
  EXPECT_TRUE(c.at("paused").as_bool());
  // Nobody can decide while it waits.
  EXPECT_EQ(Complete(scjg, TaskOf(c, "Approve_SCJG"), "approve").status, 409);
  // Staff cannot supply on the applicant's behalf.
  EXPECT_EQ(
      Call(verb::post, "/api/v1/cases/" + no + "/supplement", Json({{"note", "x"}}), &scjg).status,
      403);

  // Supplied Wednesday 12 June: Tue 11 and Wed 12 did not count (Mon 10 is a holiday
  // anyway); 2 working days are left: Thu 13, Fri 14.
  SetDay("2030-06-12");
  json::object form = GtdjForm();
  form["address"] = "杭州市上城区解放路2号";
  r = Call(verb::post, "/api/v1/cases/" + no + "/supplement",
           Json({{"form", form}, {"note", "已补充"}}), &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  c = r.json().as_object();
  EXPECT_EQ(Str(c, "status"), "under_review");
  EXPECT_EQ(Str(c, "promised_deadline"), "2030-06-14");
  EXPECT_EQ(c.at("form").at("address"), "杭州市上城区解放路2号");
  // A form that breaks the item's schema is refused and changes nothing.
  auto bad = Call(verb::post, "/api/v1/cases/" + no + "/supplement",
                  Json({{"form", {{"phone", "123"}}}}), &zhang);
  EXPECT_EQ(bad.status, 409) << bad.body;  // no supplement requested any more

  // Thursday 13 June: suspended for a public notice until Monday 17 June.
  SetDay("2030-06-13");
  r = Call(verb::post, "/api/v1/cases/" + no + "/suspend",
           Json({{"procedure", "public_notice"}, {"reason", "依法公示"}}), &scjg);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "suspended");
  EXPECT_TRUE(r.json().at("promised_deadline").is_null());
  SetDay("2030-06-17");
  r = Call(verb::post, "/api/v1/cases/" + no + "/resume", Json({{"reason", "公示期满"}}), &scjg);
  ASSERT_EQ(r.status, 200) << r.body;
  c = r.json().as_object();
  // Used: 7 June and 13 June. Paused 13->17 (Fri 14, Mon 17 not counted). One left: Tue 18.
  EXPECT_EQ(Str(c, "promised_deadline"), "2030-06-18");
  EXPECT_EQ(c.at("pauses").as_array().size(), 2u);
  auto actions = Actions(c);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"submitted", "accepted", "document_issued",
                                      "supplement_requested", "supplied", "suspended", "resumed"}));
}

TEST_P(CasesTest, ExactlyOneOfTwoConcurrentCompletionsWins) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session one = Login("sc.approver");
  Session two = Staff("sc.approver2", "330102-SCJG", "330102", "approver");
  AllowLicenceSeal("sc.approver2", "330102-SCJG");  // the item's approval issues a licence
  for (int round = 0; round < 5; ++round) {
    json::object c = Accept(acceptor, Apply(zhang));
    auto task = TaskOf(c, "Approve");
    std::vector<int> statuses(2);
    std::vector<Session> who{one, two};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        HttpClient client(server_->port());
        auto r = client.Send(
            verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/complete",
            Json({{"version", task.second}, {"decision", "approve"}, {"opinion", "同意"}}),
            {{"Cookie", who[i].cookie},
             {"X-CSRF-Token", who[i].csrf},
             {"Content-Type", "application/json"}});
        statuses[i] = r.status;
      });
    }
    for (auto& t : threads) t.join();
    std::sort(statuses.begin(), statuses.end());
    EXPECT_EQ(statuses, (std::vector<int>{200, 409})) << "round " << round;
    c = Get(zhang, No(c));
    int completions = 0;
    for (const auto& e : c.at("events").as_array())
      completions += e.at("action") == "task_completed" ? 1 : 0;
    EXPECT_EQ(completions, 1);
    EXPECT_EQ(Str(c, "status"), "approved");
  }
  // A claimed task belongs to its claimant; a stale version is refused.
  json::object c = Accept(acceptor, Apply(zhang));
  auto task = TaskOf(c, "Approve");
  auto claim = Call(verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/claim",
                    Json({{"version", task.second}}), &one);
  ASSERT_EQ(claim.status, 200) << claim.body;
  EXPECT_EQ(claim.json().at("claimed_by"), "sc.approver");
  int64_t v = claim.json().at("version").as_int64();
  EXPECT_EQ(Complete(two, {task.first, v}, "approve").status, 409);
  EXPECT_EQ(Complete(one, {task.first, task.second}, "approve").status, 409);  // stale
  // Transfer to the colleague, who then decides.
  auto moved =
      Call(verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/transfer",
           Json({{"version", v}, {"to_username", "sc.approver2"}, {"reason", "休假"}}), &one);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("claimed_by"), "sc.approver2");
  // Not to someone without the role.
  EXPECT_EQ(
      Call(verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/transfer",
           Json({{"version", moved.json().at("version")}, {"to_username", "sc.reviewer"}}), &two)
          .status,
      422);
  auto done =
      Complete(two, {task.first, moved.json().at("version").as_int64()}, "deny", "不符合条件");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("decision"), "denied");
}

TEST_P(CasesTest, WithdrawalBeforeTheDecisionOnly) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  json::object c = Accept(acceptor, Apply(zhang));
  std::string no = No(c);
  // Staff cannot withdraw for the applicant.
  EXPECT_EQ(Call(verb::post, "/api/v1/cases/" + no + "/withdraw", "{}", &approver).status, 403);
  auto w =
      Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "不再需要"}}), &zhang);
  ASSERT_EQ(w.status, 200) << w.body;
  c = w.json().as_object();
  EXPECT_EQ(Str(c, "status"), "withdrawn");
  for (const auto& t : c.at("tasks").as_array()) EXPECT_EQ(t.at("status"), "closed");
  auto inbox = Call(verb::get, "/api/v1/workbench/tasks", {}, &approver).json();
  EXPECT_EQ(inbox.at("counts").at("total"), 0);
  EXPECT_EQ(Call(verb::post, "/api/v1/cases/" + no + "/withdraw", "{}", &zhang).status, 409);

  // After the decision it is too late.
  c = Accept(acceptor, Apply(zhang));
  ASSERT_EQ(Complete(approver, TaskOf(c, "Approve"), "approve").status, 200);
  auto late = Call(verb::post, "/api/v1/cases/" + No(c) + "/withdraw", "{}", &zhang);
  EXPECT_EQ(late.status, 409) << late.body;
  // Not accepted is final too, with the reason shown.
  c = Apply(zhang);
  auto na = Complete(acceptor, TaskOf(c, "accept"), "not_accept", "不属于本机关职权范围");
  ASSERT_EQ(na.status, 200) << na.body;
  EXPECT_EQ(na.json().at("status"), "not_accepted");
  EXPECT_EQ(Complete(acceptor, TaskOf(Apply(zhang), "accept"), "not_accept", "").status, 422);
}

TEST_P(CasesTest, OtherRegionsAndDepartmentsDoNotSeeTheCase) {
  Session zhang = Login("zhangsan");
  Session lisi = Login("lisi");
  Session acceptor = Login("sc.acceptor");
  Session other_dept = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  Session other_region = Staff("xh.acceptor", "330106-GA", "330106", "acceptor");
  json::object c = Apply(zhang);
  std::string no = No(c);
  Get(lisi, no, 404);
  Get(other_dept, no, 404);
  Get(other_region, no, 404);
  Get(acceptor, no, 200);
  EXPECT_EQ(
      Call(verb::get, "/api/v1/workbench/tasks", {}, &other_dept).json().at("counts").at("total"),
      0);
  EXPECT_EQ(Call(verb::get, "/api/v1/cases", {}, &other_region).json().at("total"), 0);
  EXPECT_EQ(Complete(other_dept, TaskOf(c, "accept"), "accept").status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/cases/" + no + "/withdraw", "{}", &lisi).status, 404);
  EXPECT_EQ(Call(verb::get, "/api/v1/cases/" + no).status, 401);
  // A mistyped tracking number fails its check character.
  std::string typo = no;
  typo[10] = typo[10] == '9' ? '8' : static_cast<char>(typo[10] + 1);
  Get(zhang, typo, 404);
  // Staff search by tracking number finds it.
  auto found = Call(verb::get, "/api/v1/cases?q=" + no, {}, &acceptor).json();
  EXPECT_EQ(found.at("total"), 1);
}

TEST_P(CasesTest, CounterAgentAndCrossRegionIntakeAreTheSameRecord) {
  Session counter = Login("hall.counter");  // counter in 330102
  Session agent = Login("village.agent");
  Session zhang = Login("zhangsan");
  Session lisi = Login("lisi");
  // Counter intake for a resident with an account: linked to her, channel counter.
  json::object c =
      Apply(counter, {{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}});
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(Str(c, "channel"), "counter");
  EXPECT_EQ(c.at("events").at(0).at("actor"), "hall.counter");
  EXPECT_EQ(c.at("applicant").at("resident_id"), "330***********4526");
  auto hers = Call(verb::get, "/api/v1/me/cases", {}, &lisi).json();
  EXPECT_EQ(hers.at("total"), 1);
  // A person cannot pose as counter staff.
  auto r = Call(verb::post, "/api/v1/cases",
                Json({{"item_code", kItem},
                      {"region_code", "330102"},
                      {"form", GtdjForm()},
                      {"applicant_resident_id", "330106198506124526"},
                      {"applicant_name", "李四"}}),
                &zhang);
  EXPECT_EQ(r.status, 403) << r.body;

  // Agent: only under the person's live authorization.
  r = Call(verb::post, "/api/v1/cases",
           Json({{"item_code", kItem},
                 {"region_code", "330102"},
                 {"form", GtdjForm()},
                 {"on_behalf_of", zhang.account_id}}),
           &agent);
  EXPECT_EQ(r.status, 403) << r.body;
  auto auth = Call(
      verb::post, "/api/v1/me/agents",
      Json({{"agent_username", "village.agent"},
            {"expires_at", FormatTime(std::chrono::system_clock::now() + std::chrono::hours(1))}}),
      &zhang);
  ASSERT_EQ(auth.status, 201) << auth.body;
  c = Apply(agent, {{"on_behalf_of", zhang.account_id}});
  EXPECT_EQ(Str(c, "channel"), "agent");
  EXPECT_EQ(c.at("applicant").at("account_id"), json::value(zhang.account_id));
  Get(zhang, No(c), 200);

  // Cross-region: a Xihu (330106) hall takes in a Shangcheng (330102) case; the item may
  // be taken in anywhere in the city or not, depending on its cross_region flag.
  Session xihu = Staff("xh.counter", "330106-ZWFW", "330106", "counter");
  auto item = Call(verb::get, std::string("/api/v1/catalog/items/") + kItem).json();
  std::string flag = std::string(item.at("item").at("cross_region").as_string());
  r = Call(verb::post, "/api/v1/cases",
           Json({{"item_code", kItem},
                 {"region_code", "330102"},
                 {"form", GtdjForm()},
                 {"applicant_resident_id", "330102199003073017"},
                 {"applicant_name", "张三"}}),
           &xihu);
  if (flag == "none") {
    EXPECT_EQ(r.status, 409) << r.body;
  } else {
    ASSERT_EQ(r.status, 201) << r.body;
    c = r.json().as_object();
    EXPECT_EQ(Str(c, "intake_region"), "330106");
    EXPECT_EQ(Str(c, "region_code"), "330102");
    EXPECT_EQ(Str(c, "department_code"), "330102-SCJG");
    Get(xihu, No(c), 200);  // the intake hall follows its case
    Session acceptor = Login("sc.acceptor");
    Accept(acceptor, c);  // and the handling department takes it from there
  }
}

TEST_P(CasesTest, BundleFansOutIntoOneCasePerItem) {
  Session zhang = Login("zhangsan");
  auto bundle = Call(verb::get, "/api/v1/catalog/bundles/ONE-BABY").json();
  size_t items = bundle.at("items").as_array().size();
  json::object form{{"baby_name", "张小宝"},      {"baby_gender", "女"},
                    {"birth_date", "2030-06-01"}, {"birth_place", "杭州市妇产科医院"},
                    {"mother_name", "王芳"},      {"mother_id", "330102199203074529"},
                    {"father_name", "张三"},      {"father_id", "330102199003073017"},
                    {"follow", "随父"},           {"address", "杭州市上城区解放路1号"},
                    {"phone", "13800000001"}};
  json::object body{{"bundle_code", "ONE-BABY"}, {"region_code", "330102"}, {"form", form}};
  // Every item's required materials are checked: none given, the first item's are named.
  auto r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("出生医学证明"), std::string::npos) << r.body;
  // A material several items ask for is uploaded once and goes to each of them.
  body["materials"] = BundleMaterials(zhang, bundle);
  r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  auto b = r.json().as_object();
  EXPECT_EQ(b.at("cases").as_array().size(), items);
  EXPECT_EQ(b.at("status"), "in_progress");
  std::set<std::string> departments;
  for (const auto& c : b.at("cases").as_array()) {
    departments.emplace(c.at("department_code").as_string());
    EXPECT_EQ(c.at("bundle_id"), b.at("id"));
  }
  EXPECT_GE(departments.size(), 3u);  // several departments handle it in parallel
  auto again = Call(verb::get, "/api/v1/bundle-applications/" + std::string(b.at("id").as_string()),
                    {}, &zhang);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("cases").as_array().size(), items);
  Session lisi = Login("lisi");
  EXPECT_EQ(Call(verb::get, "/api/v1/bundle-applications/" + std::string(b.at("id").as_string()),
                 {}, &lisi)
                .status,
            404);
  // The intake form is checked against the bundle's schema.
  form.erase("baby_name");
  r = Call(verb::post, "/api/v1/bundle-applications",
           Json({{"bundle_code", "ONE-BABY"}, {"region_code", "330102"}, {"form", form}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
}

// Situational guidance (情形引导): the applicant's answers decide which materials an item
// asks for and which items a bundle includes; they are kept with the case in the words
// the applicant saw; an answer that leads to another item is refused with its code.
TEST_P(CasesTest, SituationAnswersDecideMaterialsAndBundleItems) {
  Session zhang = Login("zhangsan");
  const json::object id_form{{"name", "张三"},
                             {"id_number", "330102199003073017"},
                             {"phone", "13800000001"},
                             {"reason", "有效期满"},
                             {"delivery", "窗口自取"}};
  auto card_only = [&] {
    return json::array{json::object{{"id", Upload(zhang)}, {"name", "居民身份证"}}};
  };
  auto apply = [&](json::object extra) {
    return Submit(zhang, "3301-GA-SFZHL", "3301", id_form, std::move(extra));
  };
  auto r = apply({{"materials", card_only()}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("\"situation/residence\""), std::string::npos) << r.body;
  r = apply({{"materials", card_only()}, {"situation", {{"residence", "local"}}}});
  EXPECT_EQ(r.status, 422) << r.body;  // the household register applies to local residents
  EXPECT_NE(r.body.find("居民户口簿"), std::string::npos) << r.body;
  r = apply({{"materials", card_only()}, {"situation", {{"residence", "mars"}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  r = apply(
      {{"materials", card_only()}, {"situation", {{"residence", "elsewhere"}, {"pets", "yes"}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("\"situation/pets\""), std::string::npos) << r.body;
  r = apply({{"materials", card_only()}, {"situation", {{"residence", "elsewhere"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object c = Get(zhang, No(r.json().as_object()));
  ASSERT_EQ(c.at("situation").as_array().size(), 1u) << json::serialize(c);
  EXPECT_EQ(c.at("situation").at(0).at("option"), "elsewhere");
  EXPECT_EQ(c.at("situation").at(0).at("label"), "杭州市以外（异地受理）");
  EXPECT_EQ(c.at("situation").at(0).at("question_en"), "Where is your household registered?");
  // An item without questions takes no answers.
  r = Submit(zhang, kItem, "330102", GtdjForm(), {{"situation", {{"residence", "local"}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  // With a small shop the food business licence is the wrong item: its code is named.
  r = Submit(zhang, "3301-SCJG-SPJY", "3301", json::object{},
             {{"materials", json::array{}}, {"situation", {{"scale", "small"}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("330102-SCJG-XCYDJ"), std::string::npos) << r.body;

  // 开餐馆一件事: the size of the restaurant decides between the food business licence and
  // the small catering shop's registration.
  auto bundle = Call(verb::get, "/api/v1/catalog/bundles/ONE-RESTAURANT").json();
  ASSERT_EQ(bundle.at("situations").at(0).at("code"), "scale") << bundle;
  json::object form{{"company_name", "杭州小张面馆有限公司"},
                    {"kind", "有限责任公司"},
                    {"address", "杭州市上城区解放路1号"},
                    {"area", 40},
                    {"legal_rep", "张三"},
                    {"legal_rep_id", "330102199003073017"},
                    {"phone", "13800000001"},
                    {"food_items", json::array{"热食类食品制售"}}};
  json::object body{{"bundle_code", "ONE-RESTAURANT"}, {"region_code", "330102"}, {"form", form}};
  auto items_of = [](const json::value& b) {
    std::set<std::string> out;
    for (const auto& k : b.at("cases").as_array()) out.emplace(k.at("item_code").as_string());
    return out;
  };
  body["materials"] = BundleMaterials(zhang, bundle);
  r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("\"situation/scale\""), std::string::npos) << r.body;
  body["situation"] = json::object{{"scale", "small"}};
  body["item_situations"] = json::object{{"3301-SCJG-SPJY", {{"scale", "standard"}}}};
  r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;  // answers for an item the application does not include
  EXPECT_NE(r.body.find("item_situations/3301-SCJG-SPJY"), std::string::npos) << r.body;
  body.erase("item_situations");
  r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  auto small = items_of(r.json());
  EXPECT_TRUE(small.count("330102-SCJG-XCYDJ"));
  EXPECT_FALSE(small.count("3301-SCJG-SPJY"));
  EXPECT_EQ(small.size(), bundle.at("items").as_array().size() - 1);
  body["situation"] = json::object{{"scale", "standard"}};
  body["materials"] = BundleMaterials(zhang, bundle);
  r = Call(verb::post, "/api/v1/bundle-applications", Json(body), &zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  auto standard = items_of(r.json());
  EXPECT_TRUE(standard.count("3301-SCJG-SPJY"));
  EXPECT_FALSE(standard.count("330102-SCJG-XCYDJ"));
  // The food business licence asks the same question as the bundle: the bundle's answer
  // is its answer, kept with its case.
  const json::value made = r.json();
  for (const auto& k : made.at("cases").as_array()) {
    if (k.at("item_code") != "3301-SCJG-SPJY") continue;
    json::object spjy = Get(zhang, std::string(k.at("tracking_no").as_string()));
    EXPECT_EQ(spjy.at("situation").at(0).at("option"), "standard") << json::serialize(spjy);
  }
}

// An implementation removed from a region takes no more applications there at once:
// intake's cache of items and processes follows the catalog in this process.
TEST_P(CasesTest, ARemovedImplementationTakesNoApplicationAtOnce) {
  Session zhang = Login("zhangsan");
  ASSERT_FALSE(Apply(zhang).empty());
  // The item is handled in 330102 and, above it, in 3301: remove both.
  for (const char* region : {"330102", "3301"}) {
    auto removed =
        Admin(verb::delete_,
              std::string("/api/v1/catalog/items/") + kItem + "/implementations/" + region, "");
    ASSERT_EQ(removed.status, 204) << removed.body;
  }
  auto r = Submit(zhang, kItem, "330102", GtdjForm());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("\"region_code\""), std::string::npos) << r.body;
}

TEST_P(CasesTest, TimersEscalateAndServiceTasksRun) {
  UseProcess("escalating", EscalationProcess());
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session city = Login("city.reviewer");
  json::object c = Accept(acceptor, Apply(zhang));
  auto review = TaskOf(c, "Review");
  (void)review;
  // An hour later the district review escalates to the city.
  auto& cases = server_->app().cases();
  auto moved = cases.FireDueTimers(At("2030-06-06") + std::chrono::minutes(61));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(*moved, 1);
  c = Get(zhang, No(c));
  TaskOf(c, "CityReview");
  bool interrupted = false;
  for (const auto& t : c.at("tasks").as_array())
    interrupted =
        interrupted || (t.at("node") == "Review" && t.at("close_reason") == "interrupted");
  EXPECT_TRUE(interrupted) << json::serialize(c);
  auto r = Complete(city, TaskOf(c, "CityReview"), "approve");
  ASSERT_EQ(r.status, 200) << r.body;
  c = r.json().as_object();
  EXPECT_EQ(Str(c, "status"), "approved");
  auto actions = Actions(c);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "timer_fired"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "service_called"), actions.end());
  auto messages = Call(verb::get, "/api/v1/me/messages", {}, &zhang).json();
  bool notified = false;
  for (const auto& m : messages.at("messages").as_array())
    notified =
        notified || std::string(m.at("text").as_string()).find("新进展") != std::string::npos;
  EXPECT_TRUE(notified);
}

TEST_P(CasesTest, BadInputIsRefusedClearlyAndEventsAreAppendOnly) {
  Session zhang = Login("zhangsan");
  auto r = Call(verb::post, "/api/v1/cases",
                Json({{"item_code", kItem}, {"region_code", "330102"}, {"form", {{"phone", "1"}}}}),
                &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("form/phone"), std::string::npos);
  r = Call(verb::post, "/api/v1/cases", Json({{"item_code", "NO-SUCH"}, {"region_code", "330102"}}),
           &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::post, "/api/v1/cases",
           Json({{"item_code", kItem}, {"region_code", "110101"}, {"form", GtdjForm()}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;  // not handled in Beijing
  r = Call(verb::post, "/api/v1/cases", "{\"item_code\": ", &zhang);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call(verb::post, "/api/v1/cases", Json({{"surprise", 1}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::post, "/api/v1/tasks/abc/complete", "{}", &zhang);
  EXPECT_EQ(r.status, 404);
  json::object c = Apply(zhang);
  auto& db = server_->app().database();
  auto tamper = db.Transact([](db::Connection& conn) -> ow::Status {
    auto n = conn.Exec("UPDATE case_events SET reason = 'rewritten'");
    if (!n) return n.error();
    return {};
  });
  EXPECT_FALSE(tamper);
  c = Get(zhang, No(c));
  EXPECT_EQ(c.at("events").at(0).at("reason"), "");
}

TEST_P(CasesTest, MaterialsAreAttachedReusedAndReadByTheHandlingStaffOnly) {
  Session zhang = Login("zhangsan");
  Session lisi = Login("lisi");
  Session acceptor = Login("sc.acceptor");
  Session other_dept = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  auto upload = [&](const Session& s, const std::string& bytes, const std::string& name) {
    auto r = client_->Send(verb::post, "/api/v1/materials?filename=" + name, bytes,
                           {{"Cookie", s.cookie},
                            {"X-CSRF-Token", s.csrf},
                            {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : std::string();
  };
  std::string pdf =
      "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  std::string id = upload(zhang, pdf, "lease.pdf");
  const std::string lease = "经营场所使用证明";
  // The lease, and a copy of each other required material.
  auto with_lease = [&] {
    json::array m = RequiredMaterials(zhang, kItem, {lease});
    m.insert(m.begin(), json::object{{"id", id}, {"name", lease}});
    return m;
  };
  json::object c = Apply(zhang, {{"materials", with_lease()}});
  ASSERT_FALSE(c.empty());
  ASSERT_EQ(c.at("materials").as_array().size(), RequiredNames(kItem).size());
  const json::value* first = nullptr;
  for (const auto& m : c.at("materials").as_array())
    if (m.at("id").as_string() == id) first = &m;
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->at("media_type"), "application/pdf");
  EXPECT_EQ(first->at("name").as_string(), lease);
  // The handling department reads it through the case; others do not.
  std::string content = "/api/v1/materials/" + id + "/content";
  auto mine = Call(verb::get, content, {}, &acceptor);
  EXPECT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.body, pdf);
  EXPECT_EQ(Call(verb::get, content, {}, &other_dept).status, 404);
  EXPECT_EQ(Call(verb::get, content, {}, &lisi).status, 404);
  // Someone else's material cannot be attached, not even by guessing its id.
  auto r = Call(verb::post, "/api/v1/cases",
                Json({{"item_code", kItem},
                      {"region_code", "330102"},
                      {"form", GtdjForm()},
                      {"materials", json::array{id}}}),
                &lisi);
  EXPECT_EQ(r.status, 422) << r.body;
  // Reuse: the same material goes into a second application of its owner.
  json::object again = Apply(zhang, {{"materials", with_lease()}});
  ASSERT_FALSE(again.empty());
  for (const auto& m : again.at("materials").as_array()) {
    if (m.at("id").as_string() == id) {
      EXPECT_EQ(m.at("sha256"), first->at("sha256"));
    }
  }
  // Supplied later too, when asked.
  c = Accept(acceptor, c);
  Session approver = Login("sc.approver");
  ASSERT_EQ(Call(verb::post, "/api/v1/cases/" + No(c) + "/supplement-request",
                 Json({{"reason", "请补充身份证明"},
                       {"materials", json::array{json::object{{"name", "居民身份证"}}}}}),
                 &approver)
                .status,
            200);
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  std::string id2 = upload(zhang, png, "id.png");
  r = Call(verb::post, "/api/v1/cases/" + No(c) + "/supplement",
           Json({{"materials", json::array{json::object{{"id", id2}, {"name", "居民身份证"}}}}}),
           &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("materials").as_array().size(), RequiredNames(kItem).size() + 1);
}

TEST_P(CasesTest, MaterialsOfOneCaseStayWithinTheLimit) {
  server_.reset();
  server_ = std::make_unique<TestServer>(db_url(), [](Config& c) {
    c.password_concurrency = 4;
    c.materials_max_case_bytes = 100;
  });
  client_ = std::make_unique<HttpClient>(server_->port());
  Session zhang = Login("zhangsan");
  std::string pdf = "%PDF-1.4\n" + std::string(80, 'x') + "\n%%EOF\n";
  auto up = [&] {
    auto r = client_->Send(verb::post, "/api/v1/materials?filename=a.pdf", pdf,
                           {{"Cookie", zhang.cookie}, {"X-CSRF-Token", zhang.csrf}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  };
  std::string a = up(), b = up();
  auto r = Call(verb::post, "/api/v1/cases",
                Json({{"item_code", kItem},
                      {"region_code", "330102"},
                      {"form", GtdjForm()},
                      {"materials", json::array{a, b}}}),
                &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("at most"), std::string::npos);
}

OW_INSTANTIATE_STORE_TESTS(CasesTest);

}  // namespace
}  // namespace ow::testing
