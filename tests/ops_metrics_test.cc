// The operations metrics the alerting rules of deploy/prometheus rely on, on both stores:
// overdue case timers (a timer due for over a minute that no node has fired) and the
// earliest expiry of the certificates that sign licences (the active CA generations and
// seals). Both are read from the database at scrape time, so every node reports the same.
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <regex>

#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using boost::beast::http::verb;

// A review with a one-hour timer escalating to the city (as in cases_test.cc).
constexpr const char* kTimerProcess = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:test">
  <bpmn:process id="metrics_timer" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="区级审查" camunda:candidateGroups="reviewer"
      ow:department="330102-SCJG" ow:region="330102">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Late" attachedToRef="Review" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="CityReview" camunda:candidateGroups="reviewer"
      ow:department="3301-SCJG" ow:region="3301">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Merge"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Late" targetRef="CityReview"/>
    <bpmn:sequenceFlow id="f4" sourceRef="CityReview" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Merge" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>)";

constexpr const char* kItem = "3301-SCJG-GTDJ";

// 10:00 in Hangzhou on `date`, years ahead of the real clock: the server's own timer sweep
// (every 15 s on the real clock) never finds these timers due, so the test decides when.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
}

// The value of an unlabelled sample in a Prometheus text exposition; NaN when absent.
double Sample(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("\n" + name + " ([^\n]+)\n"))) return std::nan("");
  return std::stod(m[1].str());
}

class OpsMetricsTest : public CasesFixture {};

TEST_P(OpsMetricsTest, OverdueTimersAreCountedUntilTheyFire) {
  auto& cases = server_->app().cases();
  SystemTime t0 = At("2031-03-06");
  cases.SetClock([t0] { return t0; });
  UseProcess(kItem, "metrics_timer", kTimerProcess);
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  for (int i = 0; i < 2; ++i) {
    auto r = Submit(zhang, kItem, "330102", GtdjForm());
    ASSERT_EQ(r.status, 201) << r.body;
    Accept(acceptor, r.json().as_object());
  }
  // Nothing is overdue on the real clock: the metric says 0 on this node.
  auto m = client_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(Sample(m.body, "onewindow_case_timers_overdue"), 0) << m.body;
  EXPECT_NE(m.body.find("# TYPE onewindow_case_timers_overdue gauge"), std::string::npos);
  // Both timers fall due one hour after acceptance.
  auto n = cases.OverdueTimers(t0 + std::chrono::minutes(59));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0);
  n = cases.OverdueTimers(t0 + std::chrono::minutes(61));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);
  // Once fired they are no longer overdue, whenever one looks.
  auto moved = cases.FireDueTimers(t0 + std::chrono::minutes(61));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(*moved, 2);
  n = cases.OverdueTimers(t0 + std::chrono::hours(48));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0);
}

TEST_P(OpsMetricsTest, EarliestSigningCertificateExpiryIsExported) {
  auto m = client_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("# TYPE onewindow_signing_certificate_expiry_timestamp_seconds gauge"),
            std::string::npos);
  double expiry = Sample(m.body, "onewindow_signing_certificate_expiry_timestamp_seconds");
  ASSERT_FALSE(std::isnan(expiry)) << m.body;
  // The demo seals and the CA: valid now, not for ever; and no later than the CA itself.
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(expiry, now + 86400);
  EXPECT_LT(expiry, now + 40.0 * 365 * 86400);
  // No later than any CA generation or any active seal that signs now (public reads).
  auto not_after = [](const boost::json::value& v) {
    auto t = ParseTime(std::string(v.at("not_after").as_string()));
    EXPECT_TRUE(t);
    return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0.0;
  };
  auto ca = client_->Get("/api/v1/pki/authorities");
  ASSERT_EQ(ca.status, 200) << ca.body;
  const boost::json::value authorities = ca.json();
  ASSERT_FALSE(authorities.at("authorities").as_array().empty());
  for (const auto& a : authorities.at("authorities").as_array()) EXPECT_LE(expiry, not_after(a));
  auto seals = client_->Get("/api/v1/seals?department=330102-SCJG");
  ASSERT_EQ(seals.status, 200) << seals.body;
  const boost::json::value listed = seals.json();
  int active = 0;
  for (const auto& x : listed.at("seals").as_array()) {
    if (x.at("status") != "active") continue;
    ++active;
    EXPECT_LE(expiry, not_after(x));
  }
  EXPECT_GT(active, 0) << seals.body;
}

}  // namespace

OW_INSTANTIATE_STORE_TESTS(OpsMetricsTest);

}  // namespace ow::testing
