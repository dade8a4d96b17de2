// Appointments over HTTP on both stores: halls, slots from hours and the holiday
// calendar, booking / rescheduling / cancelling with the limits, the no-show ban, the
// .ics, check-in, walk-ins and calling the next number, the public display, the attacks
// (someone else's booking, another hall's staff, an agent without authorization, a token
// without the scope, an unverified account), and contention: concurrent booking attempts
// against slots of known capacity, with 0 over-booked and 0 double-booked.
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "app/demo.h"
#include "appointments/service.h"
#include "calendar/service.h"
#include "catalog/service.h"
#include "core/calendar.h"
#include "departments/service.h"
#include "identity/service.h"
#include "regions/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using boost::beast::http::verb;
namespace json = boost::json;

// Monday 2026-12-07, 08:00 in China.
SystemTime At(const std::string& utc) { return *ParseTime(utc); }
const SystemTime kMonday8 = At("2026-12-07T00:00:00Z");

constexpr const char* kHall = "330102-SMZX";
constexpr const char* kXcydj = "330102-SCJG-XCYDJ";  // capacity 3 a slot (windows 1 and 2)
constexpr const char* kMarriage = "3301-MZ-JHDJ";    // capacity 1 a slot (window 4)

std::string Body(const json::object& o) { return json::serialize(o); }

// A resident ID number with a valid check character.
std::string ResidentId(int n) {
  char base[20];
  std::snprintf(base, sizeof base, "33010219900101%03d", n % 1000);
  static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (base[i] - '0') * kWeights[i];
  return std::string(base) + "10X98765432"[sum % 11];
}

class Appointments : public StoreTest {
 protected:
  void Start(const std::function<void(Config&)>& tweak = {}) {
    server_ = std::make_unique<TestServer>(db_url(), [&](Config& c) {
      c.registration_ip_limit = 100000;
      if (tweak) tweak(c);
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded =
        app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
    ASSERT_TRUE(seeded) << seeded.error().message;
    EXPECT_EQ(seeded->halls, 2);
    SetNow(kMonday8);
  }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Start();
  }
  void SetNow(SystemTime t) {
    now_ = t;
    server_->app().appointments().SetClock([this] { return now_.load(); });
  }
  HttpResponse Call(verb v, const std::string& path, const std::string& body, const Caller& who) {
    if (v == verb::get) return client_->Get(path, who.headers);
    return client_->SendJson(v, path, body.empty() ? "{}" : body, who.headers);
  }
  HttpResponse Book(const Caller& who, const std::string& item, const std::string& day,
                    const std::string& start, const std::string& extra = "") {
    std::string body = R"({"hall_code":")" + std::string(kHall) + R"(","item_code":")" + item +
                       R"(","day":")" + day + R"(","start":")" + start + "\"" + extra + "}";
    return Call(verb::post, "/api/v1/bookings", body, who);
  }
  static std::string No(const HttpResponse& r) {
    return std::string(r.json().at("number").as_string());
  }
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::atomic<SystemTime> now_{kMonday8};
};

TEST_P(Appointments, HallsAndSlotsFollowHoursAndTheCalendar) {
  auto halls = client_->Get("/api/v1/halls?region=3301");
  ASSERT_EQ(halls.status, 200) << halls.body;
  EXPECT_EQ(halls.json().at("halls").as_array().size(), 2u);
  // Seeding again changes nothing, so the version stays.
  auto again = app::SeedDemo(server_->app().database(), SourceDir() + "/demo");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->halls, 0);
  // Filtered on the server: the halls with a window serving an item, within a region.
  auto codes_of = [&](const std::string& query) {
    auto r = client_->Get("/api/v1/halls?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const json::value v = r.json();
    for (const auto& h : v.at("halls").as_array()) out.emplace_back(h.at("code").as_string());
    return out;
  };
  using Codes = std::vector<std::string>;
  EXPECT_EQ(codes_of("item=3301-SCJG-QYSL"), (Codes{"330102-SMZX", "330106-SMZX"}));
  EXPECT_EQ(codes_of("item=3301-GJJ-TQ"), (Codes{"330106-SMZX"}));
  EXPECT_EQ(codes_of(std::string("item=") + kXcydj), (Codes{kHall}));
  EXPECT_EQ(codes_of("item=3301-SCJG-QYSL&region=330106"), (Codes{"330106-SMZX"}));
  EXPECT_EQ(codes_of("item=3301-GJJ-TQ&region=330102"), Codes{});
  EXPECT_EQ(codes_of("item=NO-SUCH-ITEM"), Codes{});
  EXPECT_EQ(client_->Get("/api/v1/halls?item=" + std::string(65, 'X')).status, 422);
  EXPECT_EQ(client_->Get("/api/v1/halls?region=abc").status, 422);
  auto hall = client_->Get(std::string("/api/v1/halls/") + kHall);
  ASSERT_EQ(hall.status, 200);
  EXPECT_EQ(hall.header("etag"), "\"h1\"");
  EXPECT_EQ(hall.json().at("windows").as_array().size(), 4u);

  auto slots = client_->Get(std::string("/api/v1/halls/") + kHall + "/slots?item=" + kXcydj);
  ASSERT_EQ(slots.status, 200) << slots.body;
  const json::value slots_json = slots.json();
  const auto& days = slots_json.at("days").as_array();
  // 14 days from Monday 2026-12-07: ten weekdays, no weekend (2026 has no worked weekend
  // in December).
  ASSERT_EQ(days.size(), 10u) << slots.body;
  EXPECT_EQ(days[0].at("day").as_string(), "2026-12-07");
  const auto& first = days[0].at("slots").as_array();
  ASSERT_EQ(first.size(), 13u);  // 09:00-12:00 and 13:30-17:00 in 30 minutes
  EXPECT_EQ(first[0].at("start").as_string(), "09:00");
  EXPECT_EQ(first[6].at("start").as_string(), "13:30");
  EXPECT_EQ(first[0].at("capacity").as_int64(), 3);
  EXPECT_EQ(days[5].at("day").as_string(), "2026-12-14");  // the weekend skipped

  // 2026-10-01..07 are holidays and 2026-10-10 (Saturday) is worked, with Monday's hours.
  SetNow(At("2026-09-30T00:00:00Z"));
  slots = client_->Get(std::string("/api/v1/halls/") + kHall + "/slots?item=" + kXcydj);
  ASSERT_EQ(slots.status, 200);
  std::vector<std::string> open;
  const json::value later = slots.json();
  for (const auto& d : later.at("days").as_array()) open.emplace_back(d.at("day").as_string());
  EXPECT_EQ(open, (std::vector<std::string>{"2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10",
                                            "2026-10-12", "2026-10-13"}));

  // An item no window serves has no slots; a missing item is a 422.
  auto none = client_->Get(std::string("/api/v1/halls/") + kHall + "/slots?item=3301-GJJ-TQ");
  EXPECT_EQ(none.json().at("days").as_array().size(), 0u);
  EXPECT_EQ(client_->Get(std::string("/api/v1/halls/") + kHall + "/slots").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/halls/NOPE/slots?item=x").status, 404);
}

// The hall's opening on the platform calendar: a public holiday closes it; a plain weekend
// day opens with the hours the hall lists for that weekday; a make-up working day (调休)
// opens with its own listed hours, or Monday's when it lists none.
TEST_P(Appointments, WeekendHoursHolidaysAndMakeUpDays) {
  // Monday 09:00-10:00 (2 slots of 30 minutes), Saturday 09:00-09:30 (1 slot), no Sunday.
  std::string body =
      R"({"name":"周末大厅","name_en":"Weekend hall","address":"地址","address_en":"Addr",
    "region_code":"330102","phone":"1","slot_minutes":30,
    "hours":[{"weekday":1,"open":"09:00","close":"10:00"},{"weekday":6,"open":"09:00","close":"09:30"}],
    "windows":[{"number":1,"name":"一号","items":[")" +
      std::string(kXcydj) + R"("],"capacity":1}]})";
  auto created =
      client_->SendJson(verb::put, "/api/v1/halls/T-WEEKEND", body, server_->AdminHeaders());
  ASSERT_EQ(created.status, 201) << created.body;
  // The item filter follows the hall's windows as they are written.
  auto serving = client_->Get(std::string("/api/v1/halls?region=330102&item=") + kXcydj);
  ASSERT_EQ(serving.status, 200);
  EXPECT_EQ(serving.json().at("halls").as_array().size(), 2u) << serving.body;
  auto open_days = [&](const std::string& hall) {
    auto r = client_->Get("/api/v1/halls/" + hall + "/slots?item=" + kXcydj);
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::string, size_t> out;
    const json::value v = r.json();
    for (const auto& d : v.at("days").as_array())
      out[std::string(d.at("day").as_string())] = d.at("slots").as_array().size();
    return out;
  };
  // From Monday 2026-12-07: a plain Saturday (12-12, 12-19) opens with its own hours; a plain
  // Sunday with no hours stays closed.
  auto december = open_days("T-WEEKEND");
  EXPECT_EQ(december,
            (std::map<std::string, size_t>{
                {"2026-12-07", 2}, {"2026-12-12", 1}, {"2026-12-14", 2}, {"2026-12-19", 1}}));
  // The demo hall keeps its hours: no weekend hours listed, so no plain weekend day opens.
  for (const auto& [day, n] : open_days(kHall)) EXPECT_LT(IsoWeekday(*ParseDate(day)), 6) << day;
  // A plain Saturday slot is booked like any other.
  auto zhang = SignIn(*client_, "zhangsan");
  auto booked = Call(verb::post, "/api/v1/bookings",
                     R"({"hall_code":"T-WEEKEND","item_code":")" + std::string(kXcydj) +
                         R"(","day":"2026-12-12","start":"09:00"})",
                     zhang);
  EXPECT_EQ(booked.status, 201) << booked.body;
  // From Wednesday 2026-09-30: 2026-10-03 is a Saturday inside the National Day holiday:
  // closed despite its listed hours. 2026-10-10 is a make-up Saturday: its own hours (1 slot),
  // while the demo hall, with no Saturday hours, opens then with Monday's (13 slots).
  SetNow(At("2026-09-30T00:00:00Z"));
  auto october = open_days("T-WEEKEND");
  EXPECT_EQ(october.count("2026-10-03"), 0u);
  EXPECT_EQ(october, (std::map<std::string, size_t>{{"2026-10-10", 1}, {"2026-10-12", 2}}));
  auto demo = open_days(kHall);
  EXPECT_EQ(demo["2026-10-10"], 13u);
  EXPECT_EQ(demo.count("2026-10-03"), 0u);
  EXPECT_EQ(demo.count("2026-10-11"), 0u);  // a plain Sunday, no hours listed
}

TEST_P(Appointments, OnlyTheSystemAdministratorChangesHalls) {
  std::string body =
      R"({"name":"测试大厅","name_en":"Test hall","address":"地址","address_en":"Addr",
    "region_code":"330102","phone":"1","slot_minutes":15,
    "hours":[{"weekday":1,"open":"09:00","close":"10:00"}],
    "windows":[{"number":1,"name":"一号","items":["3301-GA-SFZHL"],"capacity":1}]})";
  auto zhang = SignIn(*client_, "zhangsan");
  auto counter = SignIn(*client_, "hall.counter");
  EXPECT_EQ(Call(verb::put, "/api/v1/halls/T-1", body, zhang).status, 403);
  EXPECT_EQ(Call(verb::put, "/api/v1/halls/T-1", body, counter).status, 403);
  EXPECT_EQ(client_->SendJson(verb::put, "/api/v1/halls/T-1", body).status, 401);
  auto created = client_->SendJson(verb::put, "/api/v1/halls/T-1", body, server_->AdminHeaders());
  ASSERT_EQ(created.status, 201) << created.body;
  auto halls_for = [&](const std::string& item) {
    auto r = client_->Get("/api/v1/halls?region=330102&item=" + item);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    const json::value v = r.json();
    for (const auto& h : v.at("halls").as_array()) out.emplace(h.at("code").as_string());
    return out;
  };
  EXPECT_TRUE(halls_for("3301-GA-SFZHL").count("T-1"));
  // A window moved to another item: the item filter follows the hall as written.
  std::string moved = body;
  moved.replace(moved.find("3301-GA-SFZHL"), 13, "3301-GJJ-TQ");
  auto rewritten = client_->SendJson(
      verb::put, "/api/v1/halls/T-1", moved,
      {{"Authorization", server_->AdminHeaders().at("Authorization")}, {"If-Match", "\"h1\""}});
  ASSERT_EQ(rewritten.status, 200) << rewritten.body;
  EXPECT_FALSE(halls_for("3301-GA-SFZHL").count("T-1"));
  EXPECT_TRUE(halls_for("3301-GJJ-TQ").count("T-1"));
  auto stale = client_->SendJson(
      verb::put, "/api/v1/halls/T-1", body,
      {{"Authorization", server_->AdminHeaders().at("Authorization")}, {"If-Match", "\"h7\""}});
  EXPECT_EQ(stale.status, 412);
  // If-None-Match: * creates only: a second creation of the same code is refused, a new
  // code is created.
  auto admin_create = [&](const std::string& code) {
    return client_->SendJson(
        verb::put, "/api/v1/halls/" + code, body,
        {{"Authorization", server_->AdminHeaders().at("Authorization")}, {"If-None-Match", "*"}});
  };
  EXPECT_EQ(admin_create("T-1").status, 412);
  EXPECT_EQ(admin_create("T-2").status, 201);
  auto bad = client_->SendJson(verb::put, "/api/v1/halls/T-1",
                               R"({"name":"x","name_en":"x","address":"x","address_en":"x",
    "region_code":"330102","phone":"1","slot_minutes":15,
    "hours":[{"weekday":9,"open":"10:00","close":"09:00"}],
    "windows":[{"number":1,"name":"一号","items":["NO-SUCH-ITEM"],"capacity":0}],"extra":1})",
                               server_->AdminHeaders());
  ASSERT_EQ(bad.status, 422) << bad.body;
  std::set<std::string> fields;
  const json::value bad_json = bad.json();
  for (const auto& e : bad_json.at("errors").as_array()) fields.emplace(e.at("field").as_string());
  EXPECT_TRUE(fields.count("extra")) << bad.body;
}

TEST_P(Appointments, BookRescheduleCancelAndTheCalendarFile) {
  auto zhang = SignIn(*client_, "zhangsan");
  auto li = SignIn(*client_, "lisi");
  auto booked = Book(zhang, kXcydj, "2026-12-08", "09:30");
  ASSERT_EQ(booked.status, 201) << booked.body;
  std::string no = No(booked);
  EXPECT_EQ(no.size(), 12u);
  EXPECT_EQ(booked.json().at("end").as_string(), "10:00");
  EXPECT_EQ(booked.json().at("item_name").as_string(), "小餐饮店登记证核发（上城区）");

  auto mine = Call(verb::get, "/api/v1/me/bookings", "", zhang);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().at("bookings").as_array().size(), 1u);
  EXPECT_EQ(Call(verb::get, "/api/v1/me/bookings", "", li).json().at("bookings").as_array().size(),
            0u);
  // Someone else's booking does not exist for them, whatever they try.
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no, "", li).status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + no + "/cancel", "", li).status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + no + "/reschedule",
                 R"({"day":"2026-12-09","start":"10:00"})", li)
                .status,
            404);
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no + "/calendar.ics", "", li).status, 404);
  // Staff cannot book for themselves, nor act on a person's booking.
  auto counter = SignIn(*client_, "hall.counter");
  EXPECT_EQ(Book(counter, kXcydj, "2026-12-08", "10:00").status, 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no, "", counter).status, 404);

  auto ics = Call(verb::get, "/api/v1/bookings/" + no + "/calendar.ics", "", zhang);
  ASSERT_EQ(ics.status, 200) << ics.body;
  EXPECT_EQ(ics.header("content-type"), "text/calendar; charset=utf-8");
  EXPECT_NE(ics.body.find("DTSTART;TZID=Asia/Shanghai:20261208T093000\r\n"), std::string::npos);
  EXPECT_NE(ics.body.find("UID:" + no + "@"), std::string::npos);
  // An independent parser reads the same instants (tests/tools/verify-ics.mjs, ical.js).
  std::string path = ::testing::TempDir() + "/" + no + ".ics";
  {
    std::ofstream f(path, std::ios::binary);
    f << ics.body;
  }
  auto checked =
      RunTool({"node", "verify-ics.mjs", path, no, "2026-12-08T01:30:00Z", "2026-12-08T02:00:00Z"},
              SourceDir() + "/tests/tools");
  EXPECT_EQ(checked.exit_code, 0) << checked.output;

  // Reschedule with If-Match; a stale version is refused.
  auto moved = client_->SendJson(verb::post, "/api/v1/bookings/" + no + "/reschedule",
                                 R"({"day":"2026-12-09","start":"14:00"})", [&] {
                                   auto h = zhang.headers;
                                   h["If-Match"] = "\"b1\"";
                                   return h;
                                 }());
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("day").as_string(), "2026-12-09");
  EXPECT_EQ(moved.header("etag"), "\"b2\"");
  auto stale = client_->SendJson(verb::post, "/api/v1/bookings/" + no + "/reschedule",
                                 R"({"day":"2026-12-10","start":"14:00"})", [&] {
                                   auto h = zhang.headers;
                                   h["If-Match"] = "\"b1\"";
                                   return h;
                                 }());
  EXPECT_EQ(stale.status, 412) << stale.body;
  // Not a slot: closed at 12:30, and a Saturday.
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + no + "/reschedule",
                 R"({"day":"2026-12-09","start":"12:30"})", zhang)
                .status,
            422);
  EXPECT_EQ(Book(zhang, kMarriage, "2026-12-12", "09:00").status, 422);

  auto cancelled = Call(verb::post, "/api/v1/bookings/" + no + "/cancel", "", zhang);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json().at("status").as_string(), "cancelled");
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + no + "/cancel", "", zhang).status, 409);
  // Its place is free again: the slot shows 3 of 3.
  auto slots = client_->Get(std::string("/api/v1/halls/") + kHall + "/slots?item=" + kXcydj);
  const json::value freed = slots.json();
  for (const auto& d : freed.at("days").as_array()) {
    if (d.at("day").as_string() != "2026-12-09") continue;
    for (const auto& s : d.at("slots").as_array())
      if (s.at("start").as_string() == "14:00") {
        EXPECT_EQ(s.at("available").as_int64(), 3);
      }
  }
  // A slot that has started can no longer be booked or cancelled.
  auto late = Book(zhang, kXcydj, "2026-12-07", "09:00");
  ASSERT_EQ(late.status, 201) << late.body;
  SetNow(At("2026-12-07T01:05:00Z"));  // 09:05
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + No(late) + "/cancel", "", zhang).status, 409);
  EXPECT_EQ(Book(li, kXcydj, "2026-12-07", "09:00").status, 409);
}

TEST_P(Appointments, TokensAgentsAndUnverifiedAccounts) {
  auto zhang = SignIn(*client_, "zhangsan");
  // A token without the bookings scope cannot book; one with it can.
  auto narrow = UserToken(*client_, *server_, zhang, "openid cases.read");
  auto r = Book(narrow, kXcydj, "2026-12-08", "09:00");
  EXPECT_EQ(r.status, 403) << r.body;
  auto wide = UserToken(*client_, *server_, zhang, "openid bookings");
  r = Book(wide, kXcydj, "2026-12-08", "09:00");
  EXPECT_EQ(r.status, 201) << r.body;
  auto system = ClientToken(*client_, *server_, "cases.read");
  EXPECT_EQ(Book(system, kXcydj, "2026-12-08", "10:00").status, 403);

  // An agent without a live authorization cannot book for a person, nor see the booking.
  auto agent = SignIn(*client_, "village.agent");
  std::string for_zhang = R"(,"for_username":"zhangsan")";
  r = Book(agent, kXcydj, "2026-12-09", "09:00", for_zhang);
  EXPECT_EQ(r.status, 403) << r.body;
  auto auth = Call(
      verb::post, "/api/v1/me/agents",
      Body({{"agent_username", "village.agent"},
            {"expires_at", FormatTime(std::chrono::system_clock::now() + std::chrono::hours(1))}}),
      zhang);
  ASSERT_EQ(auth.status, 201) << auth.body;
  r = Book(agent, kXcydj, "2026-12-09", "09:00", for_zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string no = No(r);
  EXPECT_TRUE(r.json().at("booked_by_agent").as_bool());
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no, "", zhang).status, 200);
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no, "", agent).status, 200);
  // Revoked: the agent loses the booking.
  auto revoked =
      Call(verb::delete_, "/api/v1/me/agents/" + std::string(auth.json().at("id").as_string()), "",
           zhang);
  ASSERT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(Call(verb::get, "/api/v1/bookings/" + no, "", agent).status, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/bookings/" + no + "/cancel", "", agent).status, 404);
  EXPECT_EQ(
      Call(verb::get, "/api/v1/me/bookings", "", agent).json().at("bookings").as_array().size(),
      0u);

  // A self-registered account whose identity nobody verified cannot book.
  auto reg = client_->SendJson(verb::post, "/api/v1/accounts",
                               Body({{"username", "wang.unverified"},
                                     {"password", kDemoPassword},
                                     {"real_name", "王未核"},
                                     {"resident_id", ResidentId(901)}}));
  ASSERT_EQ(reg.status, 201) << reg.body;
  auto wang = SignIn(*client_, "wang.unverified");
  r = Book(wang, kXcydj, "2026-12-08", "11:00");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("verify your identity"), std::string::npos);
}

TEST_P(Appointments, LimitsAgainstHoarding) {
  auto zhang = SignIn(*client_, "zhangsan");
  auto li = SignIn(*client_, "lisi");
  ASSERT_EQ(Book(zhang, kMarriage, "2026-12-08", "09:00").status, 201);
  // The marriage window takes one booking a slot: full for the next person.
  auto full = Book(li, kMarriage, "2026-12-08", "09:00");
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(full.header("content-type"), "application/problem+json");
  EXPECT_NE(full.body.find("is full"), std::string::npos) << full.body;
  // One booking of an item a day.
  auto again = Book(zhang, kMarriage, "2026-12-08", "10:00");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("already have a booking"), std::string::npos) << again.body;
  // At most three to come.
  ASSERT_EQ(Book(zhang, kMarriage, "2026-12-09", "09:00").status, 201);
  ASSERT_EQ(Book(zhang, kMarriage, "2026-12-10", "09:00").status, 201);
  auto fourth = Book(zhang, kMarriage, "2026-12-11", "09:00");
  EXPECT_EQ(fourth.status, 409);
  EXPECT_NE(fourth.body.find("cancel one first"), std::string::npos) << fourth.body;
  // Outside the booking window, a bad date, unknown members.
  auto far = Book(li, kMarriage, "2026-12-21", "09:00");
  EXPECT_EQ(far.status, 422) << far.body;
  EXPECT_EQ(Book(li, kMarriage, "2026-13-01", "09:00").status, 422);
  EXPECT_EQ(Book(li, kMarriage, "2026-12-08", "09:00", R"(,"seat":1)").status, 422);
  // A case that is not the person's cannot be linked.
  EXPECT_EQ(Book(li, kMarriage, "2026-12-09", "10:00", R"(,"tracking_no":"NOPE")").status, 422);
}

TEST_P(Appointments, NoShowsPauseBooking) {
  auto zhang = SignIn(*client_, "zhangsan");
  ASSERT_EQ(Book(zhang, kXcydj, "2026-12-07", "09:00").status, 201);
  ASSERT_EQ(Book(zhang, kXcydj, "2026-12-08", "09:00").status, 201);
  ASSERT_EQ(Book(zhang, kXcydj, "2026-12-09", "09:00").status, 201);
  // Tomorrow's booking is reminded once (the app's sweep; the reminder itself is
  // checked with a recording notifier in ReminderGoesOutOnce).
  SetNow(At("2026-12-10T01:00:00Z"));  // Thursday 09:00: all three slots have ended
  auto swept = server_->app().appointments().SweepNoShows();
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 3);
  EXPECT_EQ(*server_->app().appointments().SweepNoShows(), 0);
  auto mine = Call(verb::get, "/api/v1/me/bookings", "", zhang).json();
  for (const auto& b : mine.at("bookings").as_array())
    EXPECT_EQ(b.at("status").as_string(), "no_show");
  auto banned = Book(zhang, kXcydj, "2026-12-11", "09:00");
  EXPECT_EQ(banned.status, 403) << banned.body;
  // 30 days after the last no-show (2026-12-09).
  EXPECT_NE(banned.body.find("book again from 2027-01-08"), std::string::npos) << banned.body;
  SetNow(At("2027-01-08T00:00:00Z"));
  EXPECT_EQ(Book(zhang, kXcydj, "2027-01-08", "09:00").status, 201);
}

TEST_P(Appointments, CheckInWalkInAndCallNext) {
  auto zhang = SignIn(*client_, "zhangsan");
  auto li = SignIn(*client_, "lisi");
  auto b1 = Book(zhang, kXcydj, "2026-12-07", "09:00");
  auto b2 = Book(li, kXcydj, "2026-12-07", "09:30");
  auto b3 = Book(li, kMarriage, "2026-12-07", "09:00");
  ASSERT_EQ(b1.status, 201);
  ASSERT_EQ(b2.status, 201);
  ASSERT_EQ(b3.status, 201);
  std::string base = std::string("/api/v1/halls/") + kHall;
  auto counter = SignIn(*client_, "hall.counter");
  // Not the day's staff: a resident, a department reviewer of the region.
  auto acceptor = SignIn(*client_, "sc.acceptor");
  EXPECT_EQ(Call(verb::post, base + "/check-ins", Body({{"booking_no", No(b1)}}), zhang).status,
            403);
  EXPECT_EQ(Call(verb::post, base + "/windows/1/call-next", "", acceptor).status, 403);
  EXPECT_EQ(Call(verb::post, base + "/walk-ins", Body({{"item_code", kXcydj}}), li).status, 403);
  // Counter staff of 330102 do not run the Xihu hall.
  EXPECT_EQ(Call(verb::post, "/api/v1/halls/330106-SMZX/walk-ins",
                 Body({{"item_code", "3301-SCJG-QYSL"}}), counter)
                .status,
            403);

  SetNow(At("2026-12-07T00:50:00Z"));  // 08:50
  auto t1 = Call(verb::post, base + "/check-ins", Body({{"booking_no", No(b1)}}), counter);
  ASSERT_EQ(t1.status, 201) << t1.body;
  EXPECT_EQ(t1.json().at("number").as_string(), "A001");
  EXPECT_EQ(Call(verb::post, base + "/check-ins", Body({{"booking_no", No(b1)}}), counter).status,
            409);
  // The kiosk: the booking number alone, at its own hall only.
  EXPECT_EQ(client_
                ->SendJson(verb::post, "/api/v1/halls/330106-SMZX/kiosk/check-ins",
                           Body({{"booking_no", No(b2)}}))
                .status,
            404);
  auto t2 =
      client_->SendJson(verb::post, base + "/kiosk/check-ins", Body({{"booking_no", No(b2)}}));
  ASSERT_EQ(t2.status, 201) << t2.body;
  EXPECT_EQ(t2.json().at("number").as_string(), "A002");
  SetNow(At("2026-12-07T01:05:00Z"));  // 09:05: a walk-in after the 09:00 booking
  auto w1 = Call(verb::post, base + "/walk-ins", Body({{"item_code", kXcydj}}), counter);
  ASSERT_EQ(w1.status, 201) << w1.body;
  EXPECT_EQ(w1.json().at("number").as_string(), "W001");
  auto t3 = Call(verb::post, base + "/check-ins", Body({{"booking_no", No(b3)}}), counter);
  ASSERT_EQ(t3.status, 201);

  // Window 1 serves XCYDJ: the 09:00 booking, then the 09:05 walk-in, then the 09:30 booking.
  auto c1 = Call(verb::post, base + "/windows/1/call-next", "", counter);
  ASSERT_EQ(c1.status, 200) << c1.body;
  EXPECT_EQ(c1.json().at("ticket").at("number").as_string(), "A001");
  EXPECT_EQ(c1.json().at("person").at("name").as_string(), "张三");
  EXPECT_EQ(c1.json().at("ticket").at("item_code").as_string(), kXcydj);
  auto c2 = Call(verb::post, base + "/windows/2/call-next", "", counter);
  EXPECT_EQ(c2.json().at("ticket").at("number").as_string(), "W001");
  EXPECT_FALSE(c2.json().as_object().contains("person"));
  auto c3 = Call(verb::post, base + "/windows/1/call-next", "", counter);
  EXPECT_EQ(c3.json().at("ticket").at("number").as_string(), "A002");
  auto c4 = Call(verb::post, base + "/windows/1/call-next", "", counter);
  ASSERT_EQ(c4.status, 200);
  EXPECT_TRUE(c4.json().at("ticket").is_null());
  EXPECT_EQ(Call(verb::post, base + "/windows/9/call-next", "", counter).status, 404);

  // The display: numbers and windows, how many wait, no names.
  auto q = client_->Get(base + "/queue");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.json().at("waiting_total").as_int64(), 1);  // the marriage booking
  EXPECT_EQ(q.json().at("called").as_array().size(), 3u);
  EXPECT_EQ(q.body.find("张三"), std::string::npos);
  EXPECT_EQ(q.body.find("zhangsan"), std::string::npos);
  auto mine = Call(verb::get, "/api/v1/bookings/" + No(b1), "", zhang);
  EXPECT_EQ(mine.json().at("status").as_string(), "checked_in");
  EXPECT_EQ(mine.json().at("queue_number").as_string(), "A001");
}

// What a domain hands the notifications domain, recorded.
class RecordingNotifier final : public notify::Notifier {
 public:
  Status Notify(db::Connection&, const notify::Outgoing& m) override {
    std::lock_guard lock(mu);
    sent.push_back(m);
    return {};
  }
  std::mutex mu;
  std::vector<notify::Outgoing> sent;
};

TEST_P(Appointments, ReminderGoesOutOnceTheDayBefore) {
  auto zhang = SignIn(*client_, "zhangsan");
  auto booked = Book(zhang, kXcydj, "2026-12-08", "09:30");
  ASSERT_EQ(booked.status, 201) << booked.body;
  auto later = Book(zhang, kXcydj, "2026-12-09", "09:30");
  ASSERT_EQ(later.status, 201) << later.body;
  // A second node's service on the same database, with a recording notifier.
  db::Database& db = server_->app().database();
  regions::Service regions(db);
  departments::Service departments(db, regions);
  catalog::Service catalog(db, regions, departments);
  calendar::Service calendar(db);
  RecordingNotifier notifier;
  appointments::Service node(db, calendar, catalog, server_->app().identity(), notifier,
                             appointments::Limits{});
  // Not at night: nothing at 08:00, the reminder at 09:00.
  node.SetClock([] { return kMonday8; });
  EXPECT_EQ(*node.SendReminders(), 0);
  node.SetClock([] { return At("2026-12-07T01:00:00Z"); });
  auto sent = node.SendReminders();
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(*sent, 1);
  // Both nodes sweep again: nothing goes out twice.
  EXPECT_EQ(*node.SendReminders(), 0);
  server_->app().appointments().SetClock([] { return At("2026-12-07T01:00:00Z"); });
  EXPECT_EQ(*server_->app().appointments().SendReminders(), 0);
  ASSERT_EQ(notifier.sent.size(), 1u);
  const auto& m = notifier.sent[0];
  EXPECT_EQ(m.code, "booking.reminder");
  EXPECT_EQ(m.topic, "booking");
  EXPECT_EQ(m.account_id, zhang.account_id);
  EXPECT_EQ(m.dedupe_key, "booking-reminder-" + No(booked));
  EXPECT_EQ(m.ref, No(booked));
  // The template renders in both languages with the parameters given.
  std::string zh = notice::Render(appointments::Notices(), m.code, m.params, notice::Lang::kZhCn);
  std::string en = notice::Render(appointments::Notices(), m.code, m.params, notice::Lang::kEn);
  EXPECT_NE(zh.find("2026-12-08 09:30–10:00"), std::string::npos) << zh;
  EXPECT_NE(zh.find("上城区市民中心"), std::string::npos) << zh;
  EXPECT_NE(en.find("booking number " + No(booked)), std::string::npos) << en;
  // The next booking is reminded on the eve of its own day.
  node.SetClock([] { return At("2026-12-08T01:00:00Z"); });
  EXPECT_EQ(*node.SendReminders(), 1);
  EXPECT_EQ(notifier.sent.back().ref, No(later));
  // The no-show sweep tells the person too.
  node.SetClock([] { return At("2026-12-08T02:00:00Z"); });
  EXPECT_EQ(*node.SweepNoShows(), 1);
  EXPECT_EQ(notifier.sent.back().code, "booking.no_show");
}

// Many concurrent attempts from many connections at once against slots whose capacity is
// known: no slot holds more than its capacity, nobody holds a slot twice or more than the
// limits allow, the server's counters match the bookings, and every refusal is a 409.
void Contention(TestServer& server, int attempts, int persons) {
  HttpClient setup(server.port());
  std::vector<Caller> people;
  for (int i = 0; i < persons; ++i) {
    std::string user = "load.person" + std::to_string(i);
    auto reg = setup.SendJson(verb::post, "/api/v1/accounts",
                              Body({{"username", user},
                                    {"password", kDemoPassword},
                                    {"real_name", "测试"},
                                    {"resident_id", ResidentId(100 + i)}}));
    ASSERT_EQ(reg.status, 201) << reg.body;
    std::string id(reg.json().at("id").as_string());
    ASSERT_TRUE(server.app().identity().RaiseIdentity(id, identity::kLevelRemote, "bootstrap",
                                                      "test", "test", "", {}));
    people.push_back(SignIn(setup, user));
  }
  const std::vector<std::pair<std::string, std::string>> item_days = {
      {kXcydj, "2026-12-08"}, {kXcydj, "2026-12-09"}, {kMarriage, "2026-12-08"}};
  const std::vector<std::string> starts = {"09:00", "09:30", "10:00", "10:30", "11:00",
                                           "11:30", "13:30", "14:00", "14:30", "15:00",
                                           "15:30", "16:00", "16:30"};
  std::atomic<int> next{0}, created{0}, refused{0};
  std::mutex mu;
  std::vector<std::string> odd;  // anything but 201 or a 409 problem
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  std::vector<std::thread> threads;
  for (int th = 0; th < 16; ++th) {
    threads.emplace_back([&, th] {
      HttpClient c(server.port());
      std::mt19937 rng(1234 + th);
      for (int i = next++; i < attempts && std::chrono::steady_clock::now() < deadline;
           i = next++) {
        const Caller& who = people[rng() % people.size()];
        const auto& [item, day] = item_days[rng() % item_days.size()];
        std::string body = Body({{"hall_code", kHall},
                                 {"item_code", item},
                                 {"day", day},
                                 {"start", starts[rng() % starts.size()]}});
        auto r = c.SendJson(verb::post, "/api/v1/bookings", body, who.headers);
        if (r.status == 201) {
          ++created;
        } else if (r.status == 409 && r.header("content-type") == "application/problem+json") {
          ++refused;
        } else {
          std::lock_guard lock(mu);
          if (odd.size() < 5) odd.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(odd.empty()) << odd.front();
  EXPECT_EQ(created + refused, attempts) << "did not finish in time";
  // What the database holds.
  int64_t live = 0;
  auto st = server.app().database().Read([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(auto over, c.Query("SELECT b.item_code, b.day, b.start_min, COUNT(*) FROM "
                                           "appt_bookings b WHERE b.status = "
                                           "'booked' GROUP BY b.item_code, b.day, b.start_min"));
    for (size_t i = 0; i < over.size(); ++i) {
      int64_t cap = over.Text(i, 0) == kMarriage ? 1 : 3;
      EXPECT_LE(over.Int(i, 3), cap)
          << "over-booked " << over.Text(i, 0) << " " << over.Text(i, 1) << " " << over.Int(i, 2);
      live += over.Int(i, 3);
    }
    OW_ASSIGN_OR_RETURN(
        auto counters,
        c.Query(
            "SELECT s.item_code, s.day, s.start_min, s.booked, (SELECT COUNT(*) FROM appt_bookings "
            "b "
            "WHERE b.hall_code = s.hall_code AND b.item_code = s.item_code AND b.day = s.day AND "
            "b.start_min = s.start_min AND b.status = 'booked') FROM appt_slots s"));
    for (size_t i = 0; i < counters.size(); ++i)
      EXPECT_EQ(counters.Int(i, 3), counters.Int(i, 4))
          << "counter differs " << counters.Text(i, 0);
    OW_ASSIGN_OR_RETURN(auto per, c.Query("SELECT account_id, COUNT(*), COUNT(DISTINCT item_code "
                                          "|| day) FROM appt_bookings WHERE "
                                          "status = 'booked' GROUP BY account_id"));
    for (size_t i = 0; i < per.size(); ++i) {
      EXPECT_LE(per.Int(i, 1), 3) << "more than 3 to come for " << per.Text(i, 0);
      EXPECT_EQ(per.Int(i, 1), per.Int(i, 2)) << "two bookings of one item a day";
    }
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(live, created.load());
  // Demand exceeds the marriage window: its 13 places all went.
  auto slots = setup.Get(std::string("/api/v1/halls/") + kHall + "/slots?item=" + kMarriage);
  const json::value freed = slots.json();
  for (const auto& d : freed.at("days").as_array()) {
    if (d.at("day").as_string() != "2026-12-08") continue;
    for (const auto& s : d.at("slots").as_array()) EXPECT_EQ(s.at("available").as_int64(), 0);
  }
}

TEST_P(Appointments, ContentionNeverOverBooks) { Contention(*server_, 2000, 24); }

OW_INSTANTIATE_STORE_TESTS(Appointments);

// The full contention run (10,000 attempts): run by bench/, not by the normal tests.
class AppointmentsBench : public Appointments {};
TEST_P(AppointmentsBench, DISABLED_TenThousandAttempts) { Contention(*server_, 10000, 40); }
OW_INSTANTIATE_STORE_TESTS(AppointmentsBench);

}  // namespace
}  // namespace ow::testing
