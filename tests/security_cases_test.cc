// Who may act on and read a case, as an attacker would probe it, over HTTP on both stores:
//  - an agent acts and reads only under a live authorization whose scope covers the
//    case's item: outside the scope, after revocation and after expiry, denied at once
//    (the case, its materials, withdrawal and supplements);
//  - an upload's sender is authenticated from its header before 100 Continue and before
//    any of the body reaches the disk (raw sockets);
//  - what an agent uploads and attaches to a person's case becomes the person's, and
//    the agent reads it only through the case while authorized;
//  - an application's form cannot set the variables a gateway decides on;
//  - cross-region intake: a hall of one district takes in a case another district's
//    department handles, and afterwards exactly the intake hall (while it is counter
//    staff) and the handling department read it.
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/clock.h"
#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using boost::beast::http::verb;

constexpr const char* kItem = "3301-SCJG-GTDJ";       // 330102-SCJG, cross_region "none"
constexpr const char* kOtherItem = "3301-SCJG-QYSL";  // 330102-SCJG, cross_region "province"

json::object PersonForm() {
  return {{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
          {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
          {"scope", "日用百货零售"}, {"phone", "13800000001"}};
}

json::object CompanyForm() {
  return {{"company_name", "杭州某某科技有限公司"},
          {"kind", "有限责任公司"},
          {"address", "杭州市上城区解放路3号"},
          {"legal_rep", "张三"},
          {"legal_rep_id", "330102199003073017"},
          {"registered_capital", 100},
          {"scope", "软件开发"},
          {"shareholders",
           json::array{{{"name", "张三"}, {"id", "330102199003073017"}, {"amount", 100}}}},
          {"phone", "13800000001"}};
}

std::string Expiry(std::chrono::seconds from_now) {
  return FormatTime(std::chrono::system_clock::now() + from_now);
}

class SecurityCasesTest : public CasesFixture {
 protected:
  HttpResponse Authorize(const Session& person, const std::string& scope,
                         std::chrono::seconds lasts) {
    return Call(
        verb::post, "/api/v1/me/agents",
        Json(
            {{"agent_username", "village.agent"}, {"scope", scope}, {"expires_at", Expiry(lasts)}}),
        &person);
  }
};

TEST_P(SecurityCasesTest, AnAgentActsAndReadsOnlyUnderALiveAuthorizationCoveringTheItem) {
  Session zhang = Login("zhangsan");
  Session agent = Login("village.agent");
  std::string doc = Upload(zhang);
  ASSERT_FALSE(doc.empty());
  // zhangsan applies herself for another item: not the agent's business.
  auto own = Submit(zhang, kOtherItem, "330102", CompanyForm());
  ASSERT_EQ(own.status, 201) << own.body;
  std::string own_no = No(own.json().as_object());

  auto g = Authorize(zhang, kItem, std::chrono::hours(1));
  ASSERT_EQ(g.status, 201) << g.body;
  std::string grant = std::string(g.json().at("id").as_string());

  // Within the scope: applies, reads the case and the person's material on it.
  auto r = Submit(
      agent, kItem, "330102", PersonForm(),
      {{"on_behalf_of", zhang.account_id}, {"materials", MaterialsFor(agent, kItem, {doc})}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string no = No(r.json().as_object());
  std::string content = "/api/v1/materials/" + doc + "/content";
  EXPECT_EQ(Status(agent, "/api/v1/cases/" + no), 200);
  EXPECT_EQ(Status(agent, content), 200);
  // Outside the scope: neither applies for another item nor reads its case.
  r = Submit(agent, kOtherItem, "330102", CompanyForm(), {{"on_behalf_of", zhang.account_id}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Status(agent, "/api/v1/cases/" + own_no), 404);

  // Revoked: the very next request is refused, though the agent submitted the case.
  ASSERT_EQ(Call(verb::delete_, "/api/v1/me/agents/" + grant, {}, &zhang).status, 204);
  EXPECT_EQ(Status(agent, "/api/v1/cases/" + no), 404);
  EXPECT_EQ(Status(agent, content), 404);
  auto w =
      Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "撤回"}}), &agent);
  EXPECT_EQ(w.status, 404) << w.body;
  auto s = Call(verb::post, "/api/v1/cases/" + no + "/supplement", Json({{"note", "补"}}), &agent);
  EXPECT_EQ(s.status, 404) << s.body;
  r = Submit(agent, kItem, "330102", PersonForm(), {{"on_behalf_of", zhang.account_id}});
  EXPECT_EQ(r.status, 403) << r.body;

  // Expired: a short authorization works, then stops by itself.
  g = Authorize(zhang, "*", std::chrono::seconds(2));
  ASSERT_EQ(g.status, 201) << g.body;
  EXPECT_EQ(Status(agent, "/api/v1/cases/" + no), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Status(agent, "/api/v1/cases/" + no), 404);
  EXPECT_EQ(Status(agent, content), 404);
  w = Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "撤回"}}), &agent);
  EXPECT_EQ(w.status, 404) << w.body;
  // The person still withdraws her own case.
  w = Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "撤回"}}), &zhang);
  EXPECT_EQ(w.status, 200) << w.body;
}

TEST_P(SecurityCasesTest, WhatAnAgentAttachesBecomesThePersonsAndLeavesTheAgent) {
  Session zhang = Login("zhangsan");
  Session agent = Login("village.agent");
  auto g = Authorize(zhang, kItem, std::chrono::hours(1));
  ASSERT_EQ(g.status, 201) << g.body;
  std::string grant = std::string(g.json().at("id").as_string());
  // The agent scans the person's document and applies with it.
  std::string scan = Upload(agent);
  ASSERT_FALSE(scan.empty());
  auto listed = [&](const Session& s) {
    auto r = Call(verb::get, "/api/v1/me/materials", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.find(scan) != std::string::npos;
  };
  EXPECT_TRUE(listed(agent));
  auto r = Submit(
      agent, kItem, "330102", PersonForm(),
      {{"on_behalf_of", zhang.account_id}, {"materials", MaterialsFor(agent, kItem, {scan})}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string no = No(r.json().as_object());
  // Now it is the person's: in her list for reuse, out of the agent's.
  EXPECT_FALSE(listed(agent));
  EXPECT_TRUE(listed(zhang));
  std::string content = "/api/v1/materials/" + scan + "/content";
  EXPECT_EQ(Status(zhang, content), 200);
  EXPECT_EQ(Status(agent, content), 200);  // through the case, while authorized
  // Nor can the agent put it into another person's application.
  Session li = Login("lisi");
  ASSERT_EQ(Authorize(li, kItem, std::chrono::hours(1)).status, 201);
  r = Submit(agent, kItem, "330102", PersonForm(),
             {{"on_behalf_of", li.account_id}, {"materials", {scan}}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("no material"), std::string::npos) << r.body;
  // Revoked: the agent keeps no copy of the person's document.
  ASSERT_EQ(Call(verb::delete_, "/api/v1/me/agents/" + grant, {}, &zhang).status, 204);
  EXPECT_EQ(Status(agent, content), 404);
  EXPECT_EQ(Status(agent, "/api/v1/materials/" + scan), 404);
  EXPECT_EQ(Status(zhang, content), 200);
  // The case still shows it to the person.
  auto k = Call(verb::get, "/api/v1/cases/" + no, {}, &zhang);
  ASSERT_EQ(k.status, 200) << k.body;
  EXPECT_NE(k.body.find(scan), std::string::npos) << k.body;
}

// Sends `head` on a fresh connection and returns what the server says first (up to the
// end of the first response's header, or whatever arrived before it closed).
std::string FirstAnswer(uint16_t port, const std::string& head) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(head));
  std::string got;
  char buf[4096];
  boost::system::error_code ec;
  while (got.find("\r\n\r\n") == std::string::npos) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  return got;
}

size_t FilesIn(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST_P(SecurityCasesTest, AnUploadIsAdmittedBeforeContinueAndBeforeItsBodyIsRead) {
  fs::path dir = fs::temp_directory_path() / ("ent-spool-" + std::to_string(::getpid()) + "-" +
                                              (GetParam() == Store::kSqlite ? "s" : "p"));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Start([&](Config& c) {
    c.spool_dir = dir.string();
    c.read_timeout_ms = 3000;
  });
  Session zhang = Login("zhangsan");
  uint16_t port = server_->port();
  auto head = [](const std::string& target, const std::string& credentials, bool expect) {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credentials +
           (expect ? "Expect: 100-continue\r\n" : "") +
           "Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n";
  };
  struct Probe {
    const char* what;
    std::string credentials;
    std::string query;
    const char* status;
  };
  std::vector<Probe> refused = {
      {"a forged session cookie", "Cookie: ow_session=ses_forged.secret\r\n", "", "401"},
      {"a forged bearer token", "Authorization: Bearer not-a-token\r\n", "", "401"},
      {"a real session without its CSRF token", "Cookie: " + zhang.cookie + "\r\n", "", "403"},
      {"a real session in an enterprise's name it does not operate",
       "Cookie: " + zhang.cookie + "\r\nX-CSRF-Token: " + zhang.csrf + "\r\n",
       "?enterprise=91350100M000100Y43", "404"},
      {"the admin token (no account to own it)",
       std::string("Authorization: Bearer ") + TestServer::kAdminToken + "\r\n", "", "403"},
  };
  for (const auto& p : refused) {
    for (bool expect : {true, false}) {
      SCOPED_TRACE(std::string(p.what) + (expect ? ", Expect: 100-continue" : ""));
      std::string got =
          FirstAnswer(port, head("/api/v1/materials" + p.query, p.credentials, expect));
      EXPECT_EQ(got.rfind(std::string("HTTP/1.1 ") + p.status, 0), 0u) << got;
      EXPECT_EQ(got.find("100 Continue"), std::string::npos) << got;
      EXPECT_EQ(FilesIn(dir), 0u) << "a spool file was created for a refused upload";
    }
  }

  // A valid session is told to go on, and its upload is stored.
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string pdf = "%PDF-1.4\n" + std::string(1000 - 16, 'x') + "\n%%EOF\n";
  ASSERT_EQ(pdf.size(), 1000u);
  asio::write(
      s, asio::buffer(head("/api/v1/materials?filename=a.pdf",
                           "Cookie: " + zhang.cookie + "\r\nX-CSRF-Token: " + zhang.csrf + "\r\n",
                           true)));
  std::string got;
  char buf[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    size_t n = s.read_some(asio::buffer(buf));
    got.append(buf, n);
  }
  ASSERT_EQ(got.rfind("HTTP/1.1 100", 0), 0u) << got;
  asio::write(s, asio::buffer(pdf));
  got.clear();
  boost::system::error_code ec;
  while (got.find("\r\n\r\n") == std::string::npos) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  EXPECT_EQ(got.rfind("HTTP/1.1 201", 0), 0u) << got;
  fs::remove_all(dir);
}

// Review by the department, then a gateway: a case whose review decisions say "approve"
// for node "Review" skips the approval; form.capital above 1000 goes to the city; anything
// else to the county approver.
std::string GatewayProcess() {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:test">
  <bpmn:process id="gated" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="Gate" default="toApprove"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>skip</bpmn:outgoing><bpmn:outgoing>toCity</bpmn:outgoing>
      <bpmn:outgoing>toApprove</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="Approve" name="审批" camunda:candidateGroups="approver"
      ow:department="330102-SCJG" ow:region="330102">
      <bpmn:incoming>toApprove</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="CityReview" name="市级审查" camunda:candidateGroups="reviewer"
      ow:department="3301-SCJG" ow:region="3301">
      <bpmn:incoming>toCity</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End"><bpmn:incoming>skip</bpmn:incoming><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Gate"/>
    <bpmn:sequenceFlow id="skip" sourceRef="Gate" targetRef="End">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${decisions.Review == 'approve' || decision == 'approve' || case.channel == 'fast'}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toCity" sourceRef="Gate" targetRef="CityReview">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${form.capital &gt; 1000}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toApprove" sourceRef="Gate" targetRef="Approve"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Approve" targetRef="End"/>
    <bpmn:sequenceFlow id="f3" sourceRef="CityReview" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>)";
}

TEST_P(SecurityCasesTest, AnApplicationsFormCannotSteerAGateway) {
  UseProcess(kItem, "gated", GatewayProcess());
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  // The form pre-seeds every engine-owned name a condition could read.
  json::object forged = PersonForm();
  forged["capital"] = 10;
  forged["decisions"] = json::object{{"Review", "approve"}, {"Approve", "approve"}};
  forged["decision"] = "approve";
  forged["case"] = json::object{{"channel", "fast"}, {"department", "3301-SCJG"}};
  auto r = Submit(zhang, kItem, "330102", forged);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object c = Accept(acceptor, r.json().as_object());
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.at("status"), "under_review") << json::serialize(c);
  EXPECT_TRUE(HasOpenTask(c, "Approve")) << json::serialize(c);
  EXPECT_TRUE(c.at("decision").is_null());
  // The form still reaches the gateways, under form.
  json::object big = PersonForm();
  big["capital"] = 5000;
  r = Submit(zhang, kItem, "330102", big);
  ASSERT_EQ(r.status, 201) << r.body;
  c = Accept(acceptor, r.json().as_object());
  ASSERT_FALSE(c.empty());
  EXPECT_TRUE(HasOpenTask(c, "CityReview")) << json::serialize(c);
}

TEST_P(SecurityCasesTest, CrossRegionIntakeIsReadByTheIntakeHallAndTheHandlingDepartmentOnly) {
  // A Xihu (330106) hall takes in a case of Shangcheng's (330102) market regulation
  // department: the item may be taken in anywhere in the province.
  auto item = Call(verb::get, std::string("/api/v1/catalog/items/") + kOtherItem).json();
  ASSERT_EQ(item.at("item").at("cross_region"), "province");
  std::string xihu_id;
  Session xihu = Staff("xh.counter", "330106-ZWFW", "330106", "counter", &xihu_id);
  Session xihu_other = Staff("xh.counter2", "330106-ZWFW", "330106", "counter");
  Session mz = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  Session city = Login("city.reviewer");  // 3301-SCJG: another department above
  Session acceptor = Login("sc.acceptor");
  Session lisi = Login("lisi");
  Session zhang = Login("zhangsan");

  // An item that may not be taken in across districts is refused.
  auto refused =
      Submit(xihu, kItem, "330102", PersonForm(),
             {{"applicant_resident_id", "330102199003073017"}, {"applicant_name", "张三"}});
  EXPECT_EQ(refused.status, 409) << refused.body;

  auto r = Submit(xihu, kOtherItem, "330102", CompanyForm(),
                  {{"applicant_resident_id", "330106198506124526"}, {"applicant_name", "李四"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object c = r.json().as_object();
  EXPECT_EQ(c.at("intake_region"), "330106");
  EXPECT_EQ(c.at("region_code"), "330102");
  EXPECT_EQ(c.at("department_code"), "330102-SCJG");
  EXPECT_EQ(c.at("channel"), "counter");
  std::string at = "/api/v1/cases/" + No(c);

  // Readers: the intake hall, the handling department, the applicant.
  EXPECT_EQ(Status(xihu, at), 200);
  EXPECT_EQ(Status(acceptor, at), 200);
  EXPECT_EQ(Status(lisi, at), 200);
  // Not: another clerk of the same hall, another department here or above, another person.
  EXPECT_EQ(Status(xihu_other, at), 404);
  EXPECT_EQ(Status(mz, at), 404);
  EXPECT_EQ(Status(city, at), 404);
  EXPECT_EQ(Status(zhang, at), 404);
  // The intake hall's staff list has it; the other hall's does not.
  auto list = Call(verb::get, "/api/v1/cases", {}, &xihu);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json().at("total"), 1);
  EXPECT_EQ(Call(verb::get, "/api/v1/cases", {}, &xihu_other).json().at("total"), 0);
  // The handling department takes it from there.
  c = Accept(acceptor, Call(verb::get, at, {}, &acceptor).json().as_object());
  EXPECT_EQ(c.at("status"), "under_review");

  // A clerk who is no longer counter staff no longer follows the case.
  Session sec = Login("secadmin");
  auto revoke =
      Call(verb::delete_, "/api/v1/staff/" + xihu_id + "/roles?role=counter&region_code=330106", {},
           &sec);
  ASSERT_EQ(revoke.status, 204) << revoke.body;
  EXPECT_EQ(Status(xihu, at), 404);
}

OW_INSTANTIATE_STORE_TESTS(SecurityCasesTest);

}  // namespace
}  // namespace ow::testing
