// The process registry over HTTP on both stores: versions of BPMN definitions (only what
// the engine runs is accepted), immutable per-version XML, and the process each catalog
// item follows.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "app/demo.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class Processes : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url());
    ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
    xml_ = ReadFile(SourceDir() + "/src/workflow/testdata/parallel_approval.bpmn");
    ASSERT_FALSE(xml_.empty());
  }
  HttpResponse Put(const std::string& target, const std::string& body, bool admin = true) {
    HttpClient c(server_->port());
    auto h = admin ? server_->AdminHeaders() : std::map<std::string, std::string>{};
    h["Content-Type"] = "application/xml";
    return c.Send(verb::put, target, body, h);
  }
  std::unique_ptr<TestServer> server_;
  std::string xml_;
};

TEST_P(Processes, PublishingMakesImmutableVersionsOnlyWhenTheXmlChanges) {
  auto first = Put("/api/v1/processes/parallel_approval", xml_);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json().at("version").as_int64(), 1);
  EXPECT_EQ(first.header("location"), "/api/v1/processes/parallel_approval/versions/1");
  auto again = Put("/api/v1/processes/parallel_approval", xml_);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("version").as_int64(), 1);
  std::string changed = xml_;
  changed.replace(changed.find("Approval by two departments"), 27, "Approval by two bureaus");
  auto second = Put("/api/v1/processes/parallel_approval", changed);
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.json().at("version").as_int64(), 2);

  HttpClient c(server_->port());
  auto versions = c.Get("/api/v1/processes/parallel_approval");
  ASSERT_EQ(versions.status, 200) << versions.body;
  EXPECT_EQ(versions.json().at("latest").at("version").as_int64(), 2);
  EXPECT_EQ(versions.json().at("versions").as_array().size(), 2u);
  // The list has the latest version of each key: ours and the built-in default process
  // of items that name none (cases::kDefaultProcessKey).
  auto list = c.Get("/api/v1/processes");
  auto list_json = list.json();
  const auto& processes = list_json.at("processes").as_array();
  ASSERT_EQ(processes.size(), 2u) << list.body;
  for (const auto& p : processes) {
    if (p.at("key") == "parallel_approval")
      EXPECT_EQ(p.at("version").as_int64(), 2);
    else
      EXPECT_EQ(p.at("key"), "ow_default_approval");
  }
  // Version 1 is still exactly what was published, and cacheable as immutable.
  auto v1 = c.Get("/api/v1/processes/parallel_approval/versions/1");
  ASSERT_EQ(v1.status, 200);
  EXPECT_EQ(v1.body, xml_);
  EXPECT_NE(v1.header("cache-control").find("immutable"), std::string::npos);
  auto again304 = c.Get("/api/v1/processes/parallel_approval/versions/1",
                        {{"If-None-Match", v1.header("etag")}});
  EXPECT_EQ(again304.status, 304);
  EXPECT_EQ(c.Get("/api/v1/processes/parallel_approval/versions/3").status, 404);
  EXPECT_EQ(c.Get("/api/v1/processes/nothing").status, 404);
}

TEST_P(Processes, WhatTheEngineCannotRunIsRefusedNamingTheElement) {
  std::string bad = xml_;
  auto at = bad.find("<bpmn:endEvent");
  ASSERT_NE(at, std::string::npos);
  bad.insert(at, "<bpmn:inclusiveGateway id=\"Odd\"/>\n");
  auto r = Put("/api/v1/processes/parallel_approval", bad);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("inclusiveGateway"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Odd"), std::string::npos) << r.body;
  auto wrong_key = Put("/api/v1/processes/other_key", xml_);
  EXPECT_EQ(wrong_key.status, 422) << wrong_key.body;
  EXPECT_EQ(Put("/api/v1/processes/parallel_approval", "<not-bpmn/>").status, 422);
  EXPECT_EQ(Put("/api/v1/processes/parallel_approval", xml_, /*admin=*/false).status, 401);
  HttpClient c(server_->port());
  EXPECT_EQ(c.Get("/api/v1/processes/parallel_approval").status, 404);  // nothing stored
}

TEST_P(Processes, AUserTaskNobodyCouldBeAssignedIsRefusedNamingIt) {
  auto without = [&](const std::string& attr) {
    std::string x = xml_;
    auto at = x.find(attr, x.find("id=\"Approve_B\""));
    EXPECT_NE(at, std::string::npos) << attr;
    x.erase(at, x.find('"', x.find('"', at) + 1) + 1 - at);
    return x;
  };
  auto no_department = Put("/api/v1/processes/parallel_approval", without("ow:department="));
  ASSERT_EQ(no_department.status, 422) << no_department.body;
  EXPECT_NE(no_department.body.find(R"(userTask \"Approve_B\": has no department)"),
            std::string::npos)
      << no_department.body;
  auto no_region = Put("/api/v1/processes/parallel_approval", without("ow:region="));
  ASSERT_EQ(no_region.status, 422) << no_region.body;
  EXPECT_NE(no_region.body.find(R"(userTask \"Approve_B\": has no region)"), std::string::npos);
  std::string odd_role = xml_;
  auto at = odd_role.find("approver", odd_role.find("id=\"Approve_B\""));
  odd_role.replace(at, 8, "clerk");
  auto r = Put("/api/v1/processes/parallel_approval", odd_role);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("userTask Approve_B has role 'clerk'"), std::string::npos) << r.body;
  std::string expressions = xml_;
  at = expressions.find("ow:department=\"fire-protection\"");
  expressions.replace(at, 31, "ow:department=\"${case.department}\"");
  EXPECT_EQ(Put("/api/v1/processes/parallel_approval", expressions).status, 201);
}

TEST_P(Processes, EachCatalogItemNamesItsProcess) {
  ASSERT_EQ(Put("/api/v1/processes/parallel_approval", xml_).status, 201);
  HttpClient c(server_->port());
  const std::string item = "/api/v1/catalog/items/3301-SCJG-SPJY/process";
  EXPECT_EQ(c.Get(item).status, 404);
  auto set = c.SendJson(verb::put, item, R"({"process_key":"parallel_approval"})",
                        server_->AdminHeaders());
  ASSERT_EQ(set.status, 200) << set.body;
  auto got = c.Get(item);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("process_key").as_string(), "parallel_approval");
  EXPECT_EQ(got.json().at("latest").at("version").as_int64(), 1);
  EXPECT_EQ(
      c.SendJson(verb::put, item, R"({"process_key":"nope"})", server_->AdminHeaders()).status,
      404);
  EXPECT_EQ(c.SendJson(verb::put, "/api/v1/catalog/items/NO-SUCH-ITEM/process",
                       R"({"process_key":"parallel_approval"})", server_->AdminHeaders())
                .status,
            404);
  EXPECT_EQ(c.SendJson(verb::put, item, R"({"process_key":"parallel_approval"})").status, 401);
}

OW_INSTANTIATE_STORE_TESTS(Processes);

}  // namespace
}  // namespace ow::testing
