// Departments over HTTP on both stores: CRUD, validation, admin check,
// optimistic concurrency and the unit tree rules.
#include "app/demo.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using boost::beast::http::verb;

class DepartmentsApi : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url());
    client_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
  }
  HttpResponse Create(const std::string& json) {
    return client_->SendJson(verb::post, "/api/v1/departments", json, server_->AdminHeaders());
  }
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

constexpr const char* kBureau =
    R"({"code":"330106-MZ","name":"西湖区民政局","name_en":"Xihu District Civil Affairs Bureau",)"
    R"("type":"department","region_code":"330106","parent_code":"330106-GOV"})";

TEST_P(DepartmentsApi, CreateReadUpdateDelete) {
  auto created = Create(kBureau);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("location"), "/api/v1/departments/330106-MZ");
  EXPECT_EQ(created.header("etag"), "\"v1\"");
  auto got = client_->Get("/api/v1/departments/330106-MZ");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("name").as_string(), "西湖区民政局");
  EXPECT_EQ(got.json().at("parent_code").as_string(), "330106-GOV");
  EXPECT_EQ(client_->Get("/api/v1/departments/330106-MZ", {{"If-None-Match", "\"v1\""}}).status,
            304);

  auto headers = server_->AdminHeaders();
  headers["If-Match"] = "\"v1\"";
  auto updated = client_->SendJson(
      verb::put, "/api/v1/departments/330106-MZ",
      R"({"name":"杭州市西湖区民政局","type":"department","region_code":"330106","parent_code":"330106-GOV"})",
      headers);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("version").as_int64(), 2);
  EXPECT_EQ(updated.json().at("name_en").as_string(), "");

  auto del =
      client_->Send(verb::delete_, "/api/v1/departments/330106-MZ", {}, server_->AdminHeaders());
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(client_->Get("/api/v1/departments/330106-MZ").status, 404);
}

TEST_P(DepartmentsApi, StaleIfMatchIs412AndChangesNothing) {
  ASSERT_EQ(Create(kBureau).status, 201);
  auto headers = server_->AdminHeaders();
  headers["If-Match"] = "\"v7\"";
  auto r = client_->SendJson(verb::put, "/api/v1/departments/330106-MZ",
                             R"({"name":"X","type":"department","region_code":"330106"})", headers);
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_EQ(client_->Get("/api/v1/departments/330106-MZ").json().at("name").as_string(),
            "西湖区民政局");
  headers["If-Match"] = "v1";  // not a quoted ETag
  EXPECT_EQ(client_->Send(verb::delete_, "/api/v1/departments/330106-MZ", {}, headers).status, 400);
}

TEST_P(DepartmentsApi, WritesNeedTheAdminToken) {
  auto none = client_->SendJson(verb::post, "/api/v1/departments", kBureau);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  auto wrong = client_->SendJson(verb::post, "/api/v1/departments", kBureau,
                                 {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(client_->Send(verb::delete_, "/api/v1/departments/3301-GA").status, 401);
  EXPECT_EQ(client_->Get("/api/v1/departments/3301-GA").status, 200);  // reads are public
}

TEST_P(DepartmentsApi, ValidationNamesEveryBadField) {
  auto r = Create(
      R"({"code":"a b","name":"","type":"ministry","region_code":"123","parent_code":7,"extra":1})");
  ASSERT_EQ(r.status, 422) << r.body;
  std::set<std::string> fields;
  auto body = r.json();
  for (const auto& e : body.at("errors").as_array())
    fields.insert(std::string(e.at("field").as_string()));
  EXPECT_EQ(fields,
            (std::set<std::string>{"parent_code", "extra"}));  // type errors are reported first
  auto r2 = Create(R"({"code":"a b","name":"","type":"ministry","region_code":"123"})");
  ASSERT_EQ(r2.status, 422);
  fields.clear();
  auto body2 = r2.json();
  for (const auto& e : body2.at("errors").as_array())
    fields.insert(std::string(e.at("field").as_string()));
  EXPECT_EQ(fields, (std::set<std::string>{"code", "name", "type", "region_code"}));
  auto missing = Create(R"({"code":"x1"})");
  ASSERT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json().at("errors").as_array().size(), 3u);  // name, type, region_code
  EXPECT_EQ(Create("[1,2]").status, 400);
}

TEST_P(DepartmentsApi, DuplicateCodeIs409) {
  ASSERT_EQ(Create(kBureau).status, 201);
  auto again = Create(kBureau);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.header("content-type"), "application/problem+json");
}

TEST_P(DepartmentsApi, ParentMustServeTheSameOrAHigherRegion) {
  // A Shangcheng (330102) unit cannot sit under the Xihu (330106) government.
  auto r = Create(R"({"code":"330102-X","name":"X","type":"department","region_code":"330102",)"
                  R"("parent_code":"330106-GOV"})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json().at("errors").as_array()[0].at("field").as_string(), "parent_code");
  // Under the city government is fine.
  EXPECT_EQ(Create(R"({"code":"330102-X","name":"X","type":"department","region_code":"330102",)"
                   R"("parent_code":"3301-GOV"})")
                .status,
            201);
}

TEST_P(DepartmentsApi, CyclesAreRefused) {
  // 3301-GOV -> 3301-GA -> 330106-GA; making 3301-GA a child of 330106-GA would loop.
  auto r = client_->SendJson(verb::put, "/api/v1/departments/3301-GA",
                             R"({"name":"杭州市公安局","type":"department","region_code":"3301",)"
                             R"("parent_code":"330106-GA"})",
                             server_->AdminHeaders());
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_P(DepartmentsApi, CannotDeleteAUnitWithSubUnits) {
  auto r =
      client_->Send(verb::delete_, "/api/v1/departments/3301-GOV", {}, server_->AdminHeaders());
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.json().at("detail").as_string().find("sub-unit"), std::string::npos);
  EXPECT_EQ(client_->Get("/api/v1/departments/3301-GOV").status, 200);
}

TEST_P(DepartmentsApi, ListFiltersAndPaginates) {
  auto city = client_->Get("/api/v1/departments?region=3301&limit=500").json();
  EXPECT_EQ(city.at("items").as_array().size(), 14u);  // the city government and its 13 units
  auto within = client_->Get("/api/v1/departments?within=330106").json();
  EXPECT_EQ(within.at("items").as_array().size(), 3u);
  auto halls = client_->Get("/api/v1/departments?type=service_center").json();
  EXPECT_EQ(halls.at("items").as_array().size(), 3u);
  auto children = client_->Get("/api/v1/departments?parent=330102-GOV").json();
  EXPECT_EQ(children.at("items").as_array().size(), 3u);

  std::vector<std::string> codes;
  std::string cursor;
  for (int i = 0; i < 30; ++i) {
    auto page =
        client_->Get("/api/v1/departments?limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor))
            .json();
    for (const auto& d : page.at("items").as_array()) codes.emplace_back(d.at("code").as_string());
    if (page.at("next_cursor").is_null()) break;
    cursor = page.at("next_cursor").as_string();
  }
  EXPECT_EQ(codes.size(), 21u);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_EQ(client_->Get("/api/v1/departments?type=nope").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/departments?within=1").status, 422);
}

OW_INSTANTIATE_STORE_TESTS(DepartmentsApi);

}  // namespace
}  // namespace ow::testing
