// The rating operations against docs/openapi.json (support/openapi_checker.h): every one,
// with its refusals, on both stores.
#include "ratings/service.h"
#include "support/cases_fixture.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiRatings : public CasesFixture {
 protected:
  // A delivered case of `s` for 3301-SCJG-GTDJ.
  std::string DeliveredCase(const Session& s) {
    auto submitted = Submit(s, "3301-SCJG-GTDJ", "330102", GtdjForm());
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    if (submitted.status != 201) return "";
    json::object c = submitted.json().as_object();
    Session acceptor = Login("sc.acceptor");
    Session approver = Login("sc.approver");
    c = Accept(acceptor, c);
    EXPECT_EQ(Complete(approver, TaskOf(c, "Approve"), "approve").status, 200);
    auto d = Call(verb::post, "/api/v1/cases/" + No(c) + "/deliver", Json({{"method", "online"}}),
                  &acceptor);
    EXPECT_EQ(d.status, 200) << d.body;
    return No(c);
  }
  static ow::testing::Login Headers(const Session& s) {
    return {{{"Cookie", s.cookie}}, {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}};
  }
};

TEST_P(OpenApiRatings, ResponsesMatchTheDocument) {
  // Thursday 6 June 2030, 10:00 in Hangzhou.
  const SystemTime day(std::chrono::seconds(1906941600));
  server_->app().ratings().SetClock([day] { return day; });
  ResponseChecker checker(server_->port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  Session zhang_s = Login("zhangsan");
  const auto zhang = Headers(zhang_s), lisi = Headers(Login("lisi")),
             acceptor = Headers(Login("sc.acceptor")), supervisor = Headers(Login("supervisor")),
             hall = Headers(Login("hall.counter"));
  const auto urlencoded = [](const ow::testing::Login& who) {
    return With(who.write, "Content-Type", "application/x-www-form-urlencoded");
  };
  const std::string case_no = DeliveredCase(zhang_s);
  ASSERT_FALSE(case_no.empty());
  auto rating = [&](int level, const char* reason) {
    return json::serialize(
        json::object{{"case_no", case_no}, {"level", level}, {"reasons", json::array{reason}}});
  };

  check(verb::get, "/api/v1/rating-reasons", "/api/v1/rating-reasons", 200);

  const std::string kRatings = "/api/v1/ratings";
  check(verb::post, kRatings, kRatings, 400, "{", zhang.write);
  check(verb::post, kRatings, kRatings, 415, "level=1", urlencoded(zhang));
  check(verb::post, kRatings, kRatings, 422, R"({"case_no":"x"})", zhang.write);
  check(verb::post, kRatings, kRatings, 401, rating(1, "rude"));
  check(verb::post, kRatings, kRatings, 403, rating(1, "rude"), acceptor.write);
  check(verb::post, kRatings, kRatings, 404, rating(1, "rude"), lisi.write);
  auto rated = check(verb::post, kRatings, kRatings, 201, rating(1, "rude"), zhang.write);
  const std::string number = Member(rated, "number");
  check(verb::post, kRatings, kRatings, 409, rating(1, "rude"), zhang.write);

  const std::string kOne = "/api/v1/ratings/{number}";
  check(verb::get, kRatings + "/" + number, kOne, 200, {}, zhang.read);
  check(verb::get, kRatings + "/" + number, kOne, 200, {}, acceptor.read);
  check(verb::get, kRatings + "/" + number, kOne, 401);
  check(verb::get, kRatings + "/" + number, kOne, 404, {}, lisi.read);

  const std::string kMine = "/api/v1/me/ratings";
  check(verb::get, kMine, kMine, 200, {}, zhang.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine, kMine, 403, {}, acceptor.read);

  const std::string kOfCase = "/api/v1/cases/{no}/ratings";
  const std::string of_case = "/api/v1/cases/" + case_no + "/ratings";
  check(verb::get, of_case, kOfCase, 200, {}, zhang.read);
  check(verb::get, of_case, kOfCase, 200, {}, acceptor.read);
  check(verb::get, of_case, kOfCase, 401);
  check(verb::get, of_case, kOfCase, 404, {}, lisi.read);

  const std::string kInbox = "/api/v1/rating-inbox";
  check(verb::get, kInbox + "?which=department", kInbox, 200, {}, acceptor.read);
  check(verb::get, kInbox + "?which=supervisor", kInbox, 200, {}, supervisor.read);
  check(verb::get, kInbox + "?which=all", kInbox, 422, {}, acceptor.read);
  check(verb::get, kInbox, kInbox, 401);
  check(verb::get, kInbox, kInbox, 403, {}, zhang.read);

  const std::string kRectify = "/api/v1/ratings/{number}/rectification";
  const std::string rectify = kRatings + "/" + number + "/rectification";
  auto step = [](int version, const char* decision) {
    return json::serialize(json::object{{"version", version},
                                        {"decision", decision},
                                        {"contact_note", "电话回访"},
                                        {"result", "已说明"}});
  };
  check(verb::post, rectify, kRectify, 400, "{", acceptor.write);
  check(verb::post, rectify, kRectify, 415, "version=1", urlencoded(acceptor));
  check(verb::post, rectify, kRectify, 422, R"({"version":1})", acceptor.write);
  check(verb::post, rectify, kRectify, 401, step(1, "rectified"));
  check(verb::post, rectify, kRectify, 403, step(1, "rectified"), zhang.write);
  check(verb::post, rectify, kRectify, 404, step(1, "rectified"), lisi.write);
  check(verb::post, rectify, kRectify, 409, step(7, "rectified"), acceptor.write);
  check(verb::post, rectify, kRectify, 200, step(1, "rectified"), acceptor.write);

  const std::string kAppeal = "/api/v1/ratings/{number}/appeal";
  const std::string appeal = kRatings + "/" + number + "/appeal";
  const std::string appeal_body = R"({"version":2,"reason":"没有解决"})";
  check(verb::post, appeal, kAppeal, 400, "{", zhang.write);
  check(verb::post, appeal, kAppeal, 415, "version=2", urlencoded(zhang));
  check(verb::post, appeal, kAppeal, 422, R"({"version":2})", zhang.write);
  check(verb::post, appeal, kAppeal, 401, appeal_body);
  check(verb::post, appeal, kAppeal, 403, appeal_body, acceptor.write);
  check(verb::post, appeal, kAppeal, 404, appeal_body, lisi.write);
  check(verb::post, appeal, kAppeal, 409, R"({"version":5,"reason":"x"})", zhang.write);
  check(verb::post, appeal, kAppeal, 200, appeal_body, zhang.write);

  const std::string kRuling = "/api/v1/ratings/{number}/ruling";
  const std::string ruling = kRatings + "/" + number + "/ruling";
  const std::string back = R"({"version":3,"decision":"return","text":"重新回访"})";
  check(verb::post, ruling, kRuling, 400, "{", supervisor.write);
  check(verb::post, ruling, kRuling, 415, "version=3", urlencoded(supervisor));
  check(verb::post, ruling, kRuling, 422, R"({"version":3,"decision":"annul"})", supervisor.write);
  check(verb::post, ruling, kRuling, 401, back);
  check(verb::post, ruling, kRuling, 403, back, acceptor.write);
  check(verb::post, ruling, kRuling, 404, back, lisi.write);
  check(verb::post, ruling, kRuling, 409, R"({"version":9,"decision":"close"})", supervisor.write);
  check(verb::post, ruling, kRuling, 200, back, supervisor.write);
  check(verb::post, rectify, kRectify, 200, step(4, "rectified"), acceptor.write);

  const std::string kConfirm = "/api/v1/ratings/{number}/confirmation";
  const std::string confirm = kRatings + "/" + number + "/confirmation";
  check(verb::post, confirm, kConfirm, 400, "{", zhang.write);
  check(verb::post, confirm, kConfirm, 415, "version=5", urlencoded(zhang));
  check(verb::post, confirm, kConfirm, 422, "{}", zhang.write);
  check(verb::post, confirm, kConfirm, 401, R"({"version":5})");
  check(verb::post, confirm, kConfirm, 403, R"({"version":5})", acceptor.write);
  check(verb::post, confirm, kConfirm, 404, R"({"version":5})", lisi.write);
  check(verb::post, confirm, kConfirm, 409, R"({"version":9})", zhang.write);
  check(verb::post, confirm, kConfirm, 200, R"({"version":5})", zhang.write);

  const std::string kRegister = "/api/v1/rating-registrations";
  auto counter = [&](const char* channel) {
    return json::serialize(json::object{
        {"channel", channel}, {"case_no", case_no}, {"level", 5}, {"reasons", json::array{}}});
  };
  check(verb::post, kRegister, kRegister, 400, "{", hall.write);
  check(verb::post, kRegister, kRegister, 415, "level=5", urlencoded(hall));
  check(verb::post, kRegister, kRegister, 422, counter("online"), hall.write);
  check(verb::post, kRegister, kRegister, 401, counter("counter"));
  check(verb::post, kRegister, kRegister, 403, counter("counter"), zhang.write);
  check(verb::post, kRegister, kRegister, 404,
        json::serialize(json::object{{"channel", "counter"}, {"case_no", "SX000"}, {"level", 5}}),
        hall.write);
  check(verb::post, kRegister, kRegister, 201, counter("counter"), hall.write);
  check(verb::post, kRegister, kRegister, 409, counter("counter"), hall.write);

  const std::string kLink = "/api/v1/cases/{no}/rating-link";
  const std::string link = "/api/v1/cases/" + case_no + "/rating-link";
  check(verb::post, link, kLink, 401, "");
  check(verb::post, link, kLink, 403, "", zhang.write);
  check(verb::post, "/api/v1/cases/SX000/rating-link", kLink, 404, "", acceptor.write);
  check(verb::post, link, kLink, 202, "", acceptor.write);
  std::string token;
  {
    auto messages = client_->Send(verb::get, "/api/v1/me/messages", "", zhang.read);
    const json::value doc = messages.json();
    for (const auto& m : doc.at("messages").as_array())
      if (m.at("code") == "rating.invited")
        token = std::string(m.at("link").as_string()).substr(std::string("/rate/link/").size());
  }
  ASSERT_FALSE(token.empty());
  const std::string kLookup = "/api/v1/rating-links/lookup";
  check(verb::post, kLookup, kLookup, 200, json::serialize(json::object{{"token", token}}));
  check(verb::post, kLookup, kLookup, 404, R"({"token":"WRONG"})");
  check(verb::post, kLookup, kLookup, 400, "{");
  check(verb::post, kLookup, kLookup, 415, "token=x", urlencoded(zhang));
  check(verb::post, kLookup, kLookup, 422, "{}");
  const std::string kByLink = "/api/v1/rating-links/rating";
  const std::string by_link =
      json::serialize(json::object{{"token", token}, {"level", 5}, {"reasons", json::array{}}});
  check(verb::post, kByLink, kByLink, 400, "{");
  check(verb::post, kByLink, kByLink, 415, "token=x", urlencoded(zhang));
  check(verb::post, kByLink, kByLink, 422, json::serialize(json::object{{"token", token}}));
  check(verb::post, kByLink, kByLink, 201, by_link);
  check(verb::post, kByLink, kByLink, 404, by_link);
  // The link was used: another link for the same case is refused (rated by SMS already).
  check(verb::post, link, kLink, 409, "", acceptor.write);

  ExpectAllProbed(checker, IsRatingsPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiRatings);

}  // namespace
}  // namespace ow::testing
