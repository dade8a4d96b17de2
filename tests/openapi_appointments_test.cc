// The appointments operations against docs/openapi.json (support/openapi_checker.h):
// halls, slots, booking through cancel and the .ics, check-in at the counter and the
// kiosk, walk-ins, calling the next number and the display, with their refusals.
#include "app/demo.h"
#include "appointments/service.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

TEST(OpenApi, AppointmentsResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url());
  ASSERT_TRUE(
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config()));
  // Monday 2026-12-07, 08:50 in China.
  SystemTime now = *ParseTime("2026-12-07T00:50:00Z");
  server.app().appointments().SetClock([&now] { return now; });
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  auto admin = server.AdminHeaders();
  auto zhang = SignIn(client, "zhangsan").headers;
  auto li = SignIn(client, "lisi").headers;
  auto counter = SignIn(client, "hall.counter").headers;
  const std::string kHalls = "/api/v1/halls", kHall = kHalls + "/{code}", kSlots = kHall + "/slots",
                    kQueue = kHall + "/queue", kCheckIns = kHall + "/check-ins",
                    kKiosk = kHall + "/kiosk/check-ins", kWalkIns = kHall + "/walk-ins",
                    kCall = kHall + "/windows/{number}/call-next", kBookings = "/api/v1/bookings",
                    kMine = "/api/v1/me/bookings", kBooking = kBookings + "/{no}",
                    kReschedule = kBooking + "/reschedule", kCancel = kBooking + "/cancel",
                    kIcs = kBooking + "/calendar.ics";
  const std::string smzx = "/api/v1/halls/330102-SMZX";
  const std::string hall_body =
      R"({"name":"测试大厅","name_en":"Test hall","address":"地址","address_en":"Address",
      "region_code":"330102","phone":"1","slot_minutes":15,
      "hours":[{"weekday":1,"open":"09:00","close":"10:00"}],
      "windows":[{"number":1,"name":"一号","name_en":"One","items":["3301-GA-SFZHL"],"capacity":1}]})";
  auto check = [&](verb m, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({m, target, path, status, body, headers});
  };
  check(verb::get, kHalls + "?region=3301", kHalls, 200);
  check(verb::get, kHalls + "?region=x", kHalls, 422);
  check(verb::get, kHalls + "?item=3301-SCJG-QYSL&region=3301", kHalls, 200);
  check(verb::get, kHalls + "?item=" + std::string(65, 'X'), kHalls, 422);
  check(verb::get, smzx, kHall, 200);
  check(verb::get, "/api/v1/halls/NOPE", kHall, 404);
  check(verb::put, "/api/v1/halls/T-1", kHall, 401, hall_body);
  check(verb::put, "/api/v1/halls/T-1", kHall, 403, hall_body, zhang);
  check(verb::put, "/api/v1/halls/T-1", kHall, 201, hall_body, admin);
  check(verb::put, "/api/v1/halls/T-1", kHall, 200, hall_body, With(admin, "If-Match", "\"h1\""));
  check(verb::put, "/api/v1/halls/T-1", kHall, 412, hall_body, With(admin, "If-Match", "\"h1\""));
  check(verb::put, "/api/v1/halls/T-1", kHall, 400, "{", admin);
  check(verb::put, "/api/v1/halls/T-1", kHall, 422, R"({"name":1})", admin);
  check(verb::get, smzx + "/slots?item=330102-SCJG-XCYDJ", kSlots, 200);
  check(verb::get, smzx + "/slots", kSlots, 422);
  check(verb::get, "/api/v1/halls/NOPE/slots?item=x", kSlots, 404);

  const std::string book = R"({"hall_code":"330102-SMZX","item_code":"330102-SCJG-XCYDJ",)"
                           R"("day":"2026-12-07","start":"09:00"})";
  check(verb::post, kBookings, kBookings, 401, book);
  check(verb::post, kBookings, kBookings, 403, book, counter);
  check(verb::post, kBookings, kBookings, 400, "{", zhang);
  check(verb::post, kBookings, kBookings, 422, R"({"hall_code":"330102-SMZX"})", zhang);
  auto booked = check(verb::post, kBookings, kBookings, 201, book, zhang);
  std::string no(booked.json().at("number").as_string());
  check(verb::post, kBookings, kBookings, 409, book, zhang);
  std::string later = R"({"hall_code":"330102-SMZX","item_code":"330102-SCJG-XCYDJ",)"
                      R"("day":"2026-12-08","start":"09:00"})";
  auto second = check(verb::post, kBookings, kBookings, 201, later, li);
  std::string no2(second.json().at("number").as_string());
  check(verb::get, kMine, kMine, 200, {}, zhang);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kBookings + "/" + no, kBooking, 200, {}, zhang);
  check(verb::get, kBookings + "/" + no, kBooking, 404, {}, li);
  check(verb::get, kBookings + "/" + no, kBooking, 401);
  check(verb::get, kBookings + "/" + no + "/calendar.ics", kIcs, 200, {}, zhang);
  check(verb::get, kBookings + "/" + no + "/calendar.ics", kIcs, 404, {}, li);
  check(verb::get, kBookings + "/" + no + "/calendar.ics", kIcs, 401);
  std::string move = R"({"day":"2026-12-09","start":"10:00"})";
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 200, move, li);
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 412, move,
        With(li, "If-Match", "\"b1\""));
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 422,
        R"({"day":"x","start":"10:00"})", li);
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 400, "{", li);
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 404, move, zhang);
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 401, move);
  check(verb::post, kBookings + "/" + no2 + "/cancel", kCancel, 200, {}, li);
  check(verb::post, kBookings + "/" + no2 + "/cancel", kCancel, 409, {}, li);
  check(verb::post, kBookings + "/" + no2 + "/reschedule", kReschedule, 409, move, li);
  check(verb::post, kBookings + "/" + no2 + "/cancel", kCancel, 404, {}, zhang);
  check(verb::post, kBookings + "/" + no2 + "/cancel", kCancel, 401);

  std::string ci = R"({"booking_no":")" + no + "\"}";
  check(verb::post, smzx + "/check-ins", kCheckIns, 401, ci);
  check(verb::post, smzx + "/check-ins", kCheckIns, 403, ci, zhang);
  check(verb::post, smzx + "/check-ins", kCheckIns, 422, R"({"booking_no":"x"})", counter);
  check(verb::post, smzx + "/check-ins", kCheckIns, 400, "{", counter);
  check(verb::post, smzx + "/check-ins", kCheckIns, 404, R"({"booking_no":"BK0000000000"})",
        counter);
  check(verb::post, "/api/v1/halls/330106-SMZX/kiosk/check-ins", kKiosk, 404, ci);
  check(verb::post, smzx + "/kiosk/check-ins", kKiosk, 422, R"({"booking_no":1})");
  check(verb::post, smzx + "/kiosk/check-ins", kKiosk, 400, "{");
  check(verb::post, smzx + "/kiosk/check-ins", kKiosk, 201, ci);
  check(verb::post, smzx + "/check-ins", kCheckIns, 409, ci, counter);
  check(verb::post, smzx + "/kiosk/check-ins", kKiosk, 409, ci);
  // A second booking, checked in at the counter.
  auto third = check(verb::post, kBookings, kBookings, 201,
                     R"({"hall_code":"330102-SMZX","item_code":"3301-MZ-JHDJ",)"
                     R"("day":"2026-12-07","start":"09:00"})",
                     li);
  check(verb::post, smzx + "/check-ins", kCheckIns, 201,
        R"({"booking_no":")" + std::string(third.json().at("number").as_string()) + "\"}", counter);
  std::string walk = R"({"item_code":"330102-SCJG-XCYDJ"})";
  check(verb::post, smzx + "/walk-ins", kWalkIns, 201, walk, counter);
  check(verb::post, smzx + "/walk-ins", kWalkIns, 401, walk);
  check(verb::post, smzx + "/walk-ins", kWalkIns, 403, walk, zhang);
  check(verb::post, smzx + "/walk-ins", kWalkIns, 422, R"({"item_code":"3301-GJJ-TQ"})", counter);
  check(verb::post, smzx + "/walk-ins", kWalkIns, 400, "{", counter);
  check(verb::post, "/api/v1/halls/NOPE/walk-ins", kWalkIns, 404, walk, counter);
  check(verb::post, smzx + "/windows/1/call-next", kCall, 200, {}, counter);
  check(verb::post, smzx + "/windows/1/call-next", kCall, 200, {}, counter);
  check(verb::post, smzx + "/windows/1/call-next", kCall, 200, {}, counter);  // nobody left
  check(verb::post, smzx + "/windows/9/call-next", kCall, 404, {}, counter);
  check(verb::post, smzx + "/windows/x/call-next", kCall, 422, {}, counter);
  check(verb::post, smzx + "/windows/1/call-next", kCall, 401);
  check(verb::post, smzx + "/windows/1/call-next", kCall, 403, {}, zhang);
  check(verb::get, smzx + "/queue", kQueue, 200);
  check(verb::get, "/api/v1/halls/NOPE/queue", kQueue, 404);
  ExpectAllProbed(checker, IsAppointmentsPath);
}

}  // namespace
}  // namespace ow::testing
