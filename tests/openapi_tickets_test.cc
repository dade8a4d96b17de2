// The ticket and FAQ operations against docs/openapi.json (support/openapi_checker.h).
#include "support/openapi_checker.h"
#include "tickets/service.h"

namespace ow::testing {
namespace {

class OpenApiTickets : public StoreTest {};

// Every ticket operation on both stores with the demo accounts: a resident and an
// anonymous asker, the department answering, the supervisors after escalation, the
// hotline, the FAQ; each with its refusals.
TEST_P(OpenApiTickets, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url());
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  // Thursday 6 June 2030, 10:00 in Hangzhou.
  const SystemTime day(std::chrono::seconds(1906941600));
  server.app().tickets().SetClock([day] { return day; });
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  auto login = [&](const std::string& username) {
    auto res = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kDemoPassword}}));
    EXPECT_EQ(res.status, 201) << username << ": " << res.body;
    return LoginOf(res);
  };
  const Login zhang = login("zhangsan"), lisi = login("lisi"), acceptor = login("sc.acceptor"),
              supervisor = login("supervisor"), hall = login("hall.counter");
  const auto urlencoded = [](const Login& who) {
    return With(who.write, "Content-Type", "application/x-www-form-urlencoded");
  };
  auto ask = [](const std::string& kind, const std::string& text) {
    return json::serialize(json::object{{"kind", kind},
                                        {"item_code", "3301-SCJG-GTDJ"},
                                        {"region_code", "330102"},
                                        {"text", text}});
  };

  const std::string kTickets = "/api/v1/tickets";
  check(verb::post, kTickets, kTickets, 400, "{\"kind\":", zhang.write);
  check(verb::post, kTickets, kTickets, 415, "kind=consult", urlencoded(zhang));
  check(verb::post, kTickets, kTickets, 422, R"({"kind":"consult"})", zhang.write);
  check(verb::post, kTickets, kTickets, 401, ask("complaint", "匿名投诉"));
  check(verb::post, kTickets, kTickets, 403, ask("consult", "x"), acceptor.write);
  auto asked =
      check(verb::post, kTickets, kTickets, 201, ask("consult", "需要带哪些材料？"), zhang.write);
  const std::string number = Member(asked, "number");
  auto anonymous = check(verb::post, kTickets, kTickets, 201, ask("consult", "可以网办吗？"));
  const std::string anon_number = Member(anonymous, "number");
  const std::string code = Member(anonymous, "lookup_code");

  const std::string kOne = "/api/v1/tickets/{number}";
  check(verb::get, kTickets + "/" + number, kOne, 200, {}, zhang.read);
  check(verb::get, kTickets + "/" + number, kOne, 200, {}, acceptor.read);
  check(verb::get, kTickets + "/" + number, kOne, 401);
  check(verb::get, kTickets + "/" + number, kOne, 404, {}, lisi.read);

  const std::string kMine = "/api/v1/me/tickets";
  check(verb::get, kMine, kMine, 200, {}, zhang.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine, kMine, 403, {}, acceptor.read);

  const std::string kInbox = "/api/v1/ticket-inbox";
  check(verb::get, kInbox + "?which=department", kInbox, 200, {}, acceptor.read);
  check(verb::get, kInbox + "?which=escalated", kInbox, 200, {}, supervisor.read);
  check(verb::get, kInbox + "?which=all", kInbox, 422, {}, acceptor.read);
  check(verb::get, kInbox, kInbox, 401);
  check(verb::get, kInbox, kInbox, 403, {}, zhang.read);

  const std::string kLookups = "/api/v1/ticket-lookups";
  auto lookup = [&](const std::string& c) {
    return json::serialize(json::object{{"number", anon_number}, {"code", c}});
  };
  check(verb::post, kLookups, kLookups, 200, lookup(code));
  check(verb::post, kLookups, kLookups, 404, lookup("WRONGWRONGWR"));
  check(verb::post, kLookups, kLookups, 400, "{");
  check(verb::post, kLookups, kLookups, 415, "number=1", urlencoded(zhang));
  check(verb::post, kLookups, kLookups, 422, R"({"number":"x"})");

  const std::string kRating = "/api/v1/tickets/{number}/rating";
  const std::string rating = kTickets + "/" + number + "/rating";
  check(verb::post, rating, kRating, 409, R"({"score":5})", zhang.write);  // not answered yet
  check(verb::post, rating, kRating, 404, R"({"score":5})", lisi.write);
  check(verb::post, rating, kRating, 401, R"({"score":5})");
  check(verb::post, rating, kRating, 400, "{", zhang.write);
  check(verb::post, rating, kRating, 415, "score=5", urlencoded(zhang));

  const std::string kAnswer = "/api/v1/tickets/{number}/answer";
  const std::string answer = kTickets + "/" + number + "/answer";
  check(verb::post, answer, kAnswer, 422, R"({"version":1})", acceptor.write);
  check(verb::post, answer, kAnswer, 400, "{", acceptor.write);
  check(verb::post, answer, kAnswer, 415, "answer=x", urlencoded(acceptor));
  check(verb::post, answer, kAnswer, 401, R"({"version":1,"answer":"x"})");
  check(verb::post, answer, kAnswer, 403, R"({"version":1,"answer":"x"})", hall.write);
  check(verb::post, answer, kAnswer, 404, R"({"version":1,"answer":"x"})", lisi.write);
  check(verb::post, answer, kAnswer, 409, R"({"version":7,"answer":"x"})", acceptor.write);
  check(verb::post, answer, kAnswer, 200, R"({"version":1,"answer":"请携带身份证。"})",
        acceptor.write);
  check(verb::post, rating, kRating, 422, R"({"score":9})", zhang.write);
  check(verb::post, rating, kRating, 403, R"({"score":5})", acceptor.write);
  check(verb::post, rating, kRating, 200, R"({"score":5,"comment":"清楚"})", zhang.write);

  const std::string kRateCode = "/api/v1/ticket-lookups/rating";
  auto rate_code = [&](const std::string& c) {
    return json::serialize(json::object{{"number", anon_number}, {"code", c}, {"score", 4}});
  };
  check(verb::post, kRateCode, kRateCode, 409, rate_code(code));
  check(verb::post, kRateCode, kRateCode, 404, rate_code("WRONGWRONGWR"));
  check(verb::post, kRateCode, kRateCode, 400, "{");
  check(verb::post, kRateCode, kRateCode, 415, "number=1", urlencoded(zhang));
  check(verb::post, kRateCode, kRateCode, 422, R"({"number":"x","code":"y"})");
  check(verb::post, kTickets + "/" + anon_number + "/answer", kAnswer, 200,
        R"({"version":1,"answer":"可以。"})", acceptor.write);
  check(verb::post, kRateCode, kRateCode, 200, rate_code(code));

  // Escalation: three working days pass (Fri, Mon, Tue); on Wednesday it moves.
  auto late = check(verb::post, kTickets, kTickets, 201, ask("suggestion", "建议延长办公时间"),
                    zhang.write);
  const std::string late_number = Member(late, "number");
  const SystemTime later = day + std::chrono::hours(24 * 22);
  server.app().tickets().SetClock([later] { return later; });
  auto moved = server.app().tickets().EscalateOverdue();
  ASSERT_TRUE(moved && *moved == 1) << (moved ? std::to_string(*moved) : moved.error().message);
  const std::string kReturn = "/api/v1/tickets/{number}/return";
  const std::string back = kTickets + "/" + late_number + "/return";
  check(verb::post, back, kReturn, 403, R"({"version":2,"instruction":"x"})", acceptor.write);
  check(verb::post, back, kReturn, 401, R"({"version":2,"instruction":"x"})");
  check(verb::post, back, kReturn, 400, "{", supervisor.write);
  check(verb::post, back, kReturn, 415, "instruction=x", urlencoded(supervisor));
  check(verb::post, back, kReturn, 422, R"({"version":2})", supervisor.write);
  check(verb::post, back, kReturn, 404, R"({"version":2,"instruction":"x"})", lisi.write);
  check(verb::post, back, kReturn, 409, R"({"version":9,"instruction":"x"})", supervisor.write);
  check(verb::post, back, kReturn, 200, R"({"version":2,"instruction":"请尽快答复"})",
        supervisor.write);

  const std::string kRegister = "/api/v1/ticket-registrations";
  auto caller = json::serialize(json::object{{"kind", "consult"},
                                             {"department_code", "330102-SCJG"},
                                             {"text", "现场咨询"},
                                             {"caller_name", "钱七"}});
  check(verb::post, kRegister, kRegister, 201, caller, hall.write);
  check(verb::post, kRegister, kRegister, 401, caller);
  check(verb::post, kRegister, kRegister, 403, caller, zhang.write);
  check(verb::post, kRegister, kRegister, 400, "{", hall.write);
  check(verb::post, kRegister, kRegister, 415, "kind=consult", urlencoded(hall));
  check(verb::post, kRegister, kRegister, 422, R"({"kind":"consult","text":"x"})", hall.write);

  const std::string kFaq = "/api/v1/faq";
  auto publish = json::serialize(json::object{{"ticket_number", number},
                                              {"question", "办理个体工商户登记要带什么？"},
                                              {"answer", "请携带身份证。"}});
  check(verb::post, kFaq, kFaq, 401, publish);
  check(verb::post, kFaq, kFaq, 403, publish, hall.write);
  check(verb::post, kFaq, kFaq, 404, publish, lisi.write);
  check(verb::post, kFaq, kFaq, 400, "{", acceptor.write);
  check(verb::post, kFaq, kFaq, 415, "ticket_number=1", urlencoded(acceptor));
  check(verb::post, kFaq, kFaq, 422, json::serialize(json::object{{"ticket_number", late_number}}),
        acceptor.write);
  auto entry = check(verb::post, kFaq, kFaq, 201, publish, acceptor.write);
  check(verb::get, kFaq + "?q=%E7%99%BB%E8%AE%B0", kFaq, 200);  // 登记
  check(verb::get, kFaq + "?limit=0", kFaq, 422);
  const std::string kUnpublish = "/api/v1/faq/{id}/unpublish";
  const std::string unpublish =
      kFaq + "/" + std::to_string(entry.json().at("id").as_int64()) + "/unpublish";
  check(verb::post, unpublish, kUnpublish, 401, R"({"version":1})");
  check(verb::post, unpublish, kUnpublish, 403, R"({"version":1})", hall.write);
  check(verb::post, unpublish, kUnpublish, 400, "{", acceptor.write);
  check(verb::post, unpublish, kUnpublish, 415, "version=1", urlencoded(acceptor));
  check(verb::post, unpublish, kUnpublish, 422, "{}", acceptor.write);
  check(verb::post, unpublish, kUnpublish, 409, R"({"version":5})", acceptor.write);
  check(verb::post, kFaq + "/999/unpublish", kUnpublish, 404, R"({"version":1})", acceptor.write);
  check(verb::post, unpublish, kUnpublish, 200, R"({"version":1})", acceptor.write);

  ExpectAllProbed(checker, IsTicketsPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiTickets);

}  // namespace
}  // namespace ow::testing
