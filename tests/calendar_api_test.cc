// The holiday calendar over HTTP on both stores: the seeded 2026 schedule, publishing
// and replacing a year with If-Match, validation, the admin check, and the Calendar
// the service hands to other domains for counting deadlines.
#include "app/demo.h"
#include "calendar/service.h"
#include "identity/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using boost::beast::http::verb;
namespace json = boost::json;

class CalendarApi : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url());
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded = app::SeedDemo(server_->app().database(), SourceDir() + "/demo");
    ASSERT_TRUE(seeded);
    EXPECT_EQ(seeded->calendar_years, 1);
  }
  HttpResponse Put(const std::string& path, const std::string& body,
                   std::map<std::string, std::string> extra = {}) {
    auto headers = server_->AdminHeaders();
    headers.insert(extra.begin(), extra.end());
    return client_->SendJson(verb::put, path, body, headers);
  }
  // The field names of a 422's errors, in order.
  static std::vector<std::string> Fields(const HttpResponse& r) {
    std::vector<std::string> out;
    const json::value body = r.json();
    const json::value* errors = body.is_object() ? body.as_object().if_contains("errors") : nullptr;
    if (!errors || !errors->is_array()) return {"<no errors: " + r.body + ">"};
    for (const auto& e : errors->as_array()) out.emplace_back(e.at("field").as_string());
    return out;
  }
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

constexpr const char* k2027 =
    R"({"holidays":["2027-10-01","2027-10-04","2027-01-01"],"working_days":["2027-09-26"]})";

TEST_P(CalendarApi, TheSeeded2026ScheduleIsPublic) {
  auto r = client_->Get("/api/v1/calendar/2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"v1\"");
  json::value v = r.json();
  EXPECT_EQ(v.at("year").as_int64(), 2026);
  EXPECT_EQ(v.at("holidays").as_array().size(), 33u);
  EXPECT_EQ(v.at("holidays").as_array().front().as_string(), "2026-01-01");
  EXPECT_EQ(v.at("working_days"), json::parse(R"(["2026-01-04","2026-02-14","2026-02-28",
      "2026-05-09","2026-09-20","2026-10-10"])"));
  EXPECT_EQ(v.at("updated_by").as_string(), "seed-demo");
  EXPECT_EQ(client_->Get("/api/v1/calendar/2026", {{"If-None-Match", "\"v1\""}}).status, 304);
  // Seeding again changes nothing, so the version stays.
  auto again = app::SeedDemo(server_->app().database(), SourceDir() + "/demo");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->calendar_years, 0);
  EXPECT_EQ(client_->Get("/api/v1/calendar/2026").header("etag"), "\"v1\"");
}

TEST_P(CalendarApi, UnpublishedAndMalformedYears) {
  auto none = client_->Get("/api/v1/calendar/2027");
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(none.header("content-type"), "application/problem+json");
  for (const char* bad : {"/api/v1/calendar/1999", "/api/v1/calendar/2101",
                          "/api/v1/calendar/twenty", "/api/v1/calendar/+2026"}) {
    auto r = client_->Get(bad);
    EXPECT_EQ(r.status, 422) << bad << " " << r.body;
  }
}

TEST_P(CalendarApi, PublishReplaceAndIfMatch) {
  auto created = Put("/api/v1/calendar/2027", k2027);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("location"), "/api/v1/calendar/2027");
  EXPECT_EQ(created.header("etag"), "\"v1\"");
  EXPECT_EQ(created.json().at("holidays"),
            json::parse(R"(["2027-01-01","2027-10-01","2027-10-04"])"));  // sorted
  EXPECT_EQ(created.json().at("updated_by").as_string(), "admin");

  auto replaced =
      Put("/api/v1/calendar/2027", R"({"year":2027,"holidays":["2027-10-01"],"working_days":[]})",
          {{"If-Match", "\"v1\""}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json().at("version").as_int64(), 2);
  EXPECT_EQ(replaced.header("etag"), "\"v2\"");
  auto got = client_->Get("/api/v1/calendar/2027").json();
  EXPECT_EQ(got.at("holidays"), json::parse(R"(["2027-10-01"])"));
  EXPECT_EQ(got.at("working_days"), json::array());

  // A stale version, or one for a year nobody published, fails and changes nothing.
  auto stale = Put("/api/v1/calendar/2027", k2027, {{"If-Match", "\"v1\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(client_->Get("/api/v1/calendar/2027").header("etag"), "\"v2\"");
  EXPECT_EQ(
      Put("/api/v1/calendar/2028", R"({"holidays":[],"working_days":[]})", {{"If-Match", "\"v1\""}})
          .status,
      412);
  EXPECT_EQ(client_->Get("/api/v1/calendar/2028").status, 404);
  EXPECT_EQ(Put("/api/v1/calendar/2027", k2027, {{"If-Match", "v2"}}).status, 400);
  // Without If-Match the last writer wins.
  EXPECT_EQ(Put("/api/v1/calendar/2027", k2027).status, 200);
  EXPECT_EQ(client_->Get("/api/v1/calendar/2027").header("etag"), "\"v3\"");
}

TEST_P(CalendarApi, WritesNeedASystemAdministrator) {
  auto none = client_->SendJson(verb::put, "/api/v1/calendar/2027", k2027);
  EXPECT_EQ(none.status, 401);
  auto wrong = client_->SendJson(verb::put, "/api/v1/calendar/2027", k2027,
                                 {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(client_->Get("/api/v1/calendar/2027").status, 404);
}

// A staff account with the system administrator duty may publish from its session; a
// security administrator may not (one duty per account, and the calendar is system data).
TEST_P(CalendarApi, ASystemAdministratorsSessionMayPublishOthersMayNot) {
  const std::string kPassword = "Qiantang-River-1949";
  auto session = [&](const std::string& username, const char* duty) {
    identity::RegisterInput in;
    in.username = username;
    in.password = kPassword;
    in.real_name = "管理员";
    in.department_code = "3301-ZWFW";
    in.region_code = "3301";
    auto made = server_->app().identity().CreateAdmin(in, duty);
    EXPECT_TRUE(made) << made.error().message;
    auto r = client_->SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string cookie = r.header("set-cookie");
    return std::map<std::string, std::string>{
        {"Cookie", cookie.substr(0, cookie.find(';'))},
        {"X-CSRF-Token",
         r.status == 201 ? std::string(r.json().at("csrf_token").as_string()) : std::string()}};
  };
  auto security = session("security", identity::kSecurityAdmin);
  auto refused = client_->SendJson(verb::put, "/api/v1/calendar/2027", k2027, security);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(client_->Get("/api/v1/calendar/2027").status, 404);

  auto system = session("sysadmin", identity::kSystemAdmin);
  auto published = client_->SendJson(verb::put, "/api/v1/calendar/2027", k2027, system);
  EXPECT_EQ(published.status, 201) << published.body;
  // Without the CSRF header a cookie alone does not write.
  system.erase("X-CSRF-Token");
  EXPECT_EQ(client_->SendJson(verb::put, "/api/v1/calendar/2027", k2027, system).status, 403);
}

TEST_P(CalendarApi, ValidationNamesEveryBadEntry) {
  // 2027-10-02 is a Saturday, 2027-09-27 a Monday.
  auto r =
      Put("/api/v1/calendar/2027",
          R"({"holidays":["2027-10-01","2026-10-01","2027-02-29","2027-10-01",7,"2027-10-02"],)"
          R"("working_days":["2027-10-02","2027-09-27","2027-09-26"],"note":"x"})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Fields(r), (std::vector<std::string>{"holidays/4", "note"})) << r.body;
  // Types fixed: now the dates themselves are checked, each by its index.
  r = Put("/api/v1/calendar/2027",
          R"({"holidays":["2027-10-01","2026-10-01","2027-02-29","2027-10-01","2027-10-02"],)"
          R"("working_days":["2027-10-02","2027-09-27","2027-09-26"]})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Fields(r), (std::vector<std::string>{"holidays/1", "holidays/2", "holidays/3",
                                                 "working_days/0", "working_days/1"}))
      << r.body;
  EXPECT_EQ(Fields(Put("/api/v1/calendar/2027", "{}")),
            (std::vector<std::string>{"holidays", "working_days"}));
  EXPECT_EQ(
      Fields(Put("/api/v1/calendar/2027", R"({"year":2026,"holidays":[],"working_days":[]})")),
      std::vector<std::string>{"year"});
  EXPECT_EQ(Put("/api/v1/calendar/2027", R"({"holidays":)").status, 400);
  EXPECT_EQ(client_->Get("/api/v1/calendar/2027").status, 404);
}

TEST_P(CalendarApi, TheServiceCountsDeadlinesByThePublishedDays) {
  calendar::Service service(server_->app().database());
  auto cal = service.ForRange(*ParseDate("2026-09-01"), *ParseDate("2026-12-31"));
  ASSERT_TRUE(cal) << cal.error().message;
  // Accepted Tuesday 9-29 with five working days: 9-30, 10-08, 10-09, Saturday 10-10
  // (worked instead of a holiday), Monday 10-12.
  EXPECT_EQ(FormatDate(cal->AddWorkingDays(*ParseDate("2026-09-29"), 5)), "2026-10-12");
  // A supplement requested 9-30 and supplied 10-09 stops the clock for two working days.
  auto deadline = cal->Deadline(*ParseDate("2026-09-28"), 10,
                                {{*ParseDate("2026-09-30"), *ParseDate("2026-10-09")}});
  ASSERT_TRUE(deadline);
  EXPECT_EQ(FormatDate(*deadline), "2026-10-20");
  // Only the asked range is loaded: outside it, weekends are the only days off.
  auto october = service.ForRange(*ParseDate("2026-10-01"), *ParseDate("2026-10-31"));
  ASSERT_TRUE(october);
  EXPECT_TRUE(october->IsWorkingDay(*ParseDate("2026-09-25")));
  EXPECT_FALSE(october->IsWorkingDay(*ParseDate("2026-10-05")));
  EXPECT_FALSE(service.ForRange(*ParseDate("2026-10-31"), *ParseDate("2026-10-01")));
}

OW_INSTANTIATE_STORE_TESTS(CalendarApi);

}  // namespace
}  // namespace ow::testing
