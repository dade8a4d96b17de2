// Good/bad ratings (好差评) against a real server on both stores: a 差评 -> rectification by
// the case's department -> the person confirms; an appeal -> the region's supervisors, who
// return it; a malicious claim -> annulment (audited); staff-assisted ratings at the counter
// and on the hotline, and the one-time SMS link. And the attackers: a rating of someone
// else's case, a second rating of a case through one channel, a rating before delivery, an
// unverified account, a member of staff rating, another department's staff rectifying, a
// supervisor of another region ruling.
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "db/database.h"
#include "ratings/service.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // implemented in 330102 by 330102-SCJG

// 10:00 in China on `date`.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
}

std::string Str(const json::value& v, const char* key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

class RatingsTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Thursday 6 June 2030 (no calendar published: weekends are the only days off).
    SystemTime t = At("2030-06-06");
    server_->app().ratings().SetClock([t] { return t; });
  }

  // A case of `s` for kItem, submitted; with `deliver`, accepted, approved and delivered.
  std::string NewCase(const Session& s, bool deliver = true) {
    auto submitted = Submit(s, kItem, "330102", GtdjForm());
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    if (submitted.status != 201) return "";
    json::object c = submitted.json().as_object();
    if (!deliver) return No(c);
    Session acceptor = Login("sc.acceptor");
    Session approver = Login("sc.approver");
    c = Accept(acceptor, c);
    auto done = Complete(approver, TaskOf(c, "Approve"), "approve");
    EXPECT_EQ(done.status, 200) << done.body;
    auto d = Call(verb::post, "/api/v1/cases/" + No(c) + "/deliver", Json({{"method", "online"}}),
                  &acceptor);
    EXPECT_EQ(d.status, 200) << d.body;
    return No(c);
  }

  HttpResponse Rate(const Session& s, const std::string& case_no, int level,
                    json::array reasons = {}) {
    return Call(verb::post, "/api/v1/ratings",
                Json({{"case_no", case_no},
                      {"level", level},
                      {"reasons", std::move(reasons)},
                      {"comment", "等了很久"}}),
                &s);
  }

  json::object Get(const Session& s, const std::string& number, int expect = 200) {
    auto r = Call(verb::get, "/api/v1/ratings/" + number, {}, &s);
    EXPECT_EQ(r.status, expect) << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
  }

  HttpResponse Step(const Session& s, const std::string& number, const std::string& step,
                    json::object body) {
    return Call(verb::post, "/api/v1/ratings/" + number + "/" + step, Json(body), &s);
  }

  HttpResponse Rectify(const Session& s, const json::object& r,
                       const std::string& decision = "rectified") {
    return Step(s, Str(r, "number"), "rectification",
                {{"version", r.at("version").as_int64()},
                 {"decision", decision},
                 {"contact_note", "6月7日电话回访申请人"},
                 {"result", "已向申请人说明原因，并优化了受理流程"}});
  }

  std::vector<std::string> Inbox(const Session& s, const std::string& which) {
    auto r = Call(verb::get, "/api/v1/rating-inbox?which=" + which, {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const json::value doc = r.json();
    for (const auto& x : doc.at("ratings").as_array()) out.push_back(Str(x, "number"));
    return out;
  }

  // The message `code` about `ref` in the portal inbox of `s`, as {text, link}.
  std::pair<std::string, std::string> Message(const Session& s, const std::string& code,
                                              const std::string& ref) {
    auto r = Call(verb::get, "/api/v1/me/messages", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    const json::value doc = r.json();
    for (const auto& m : doc.at("messages").as_array())
      if (Str(m, "code") == code && Str(m, "ref") == ref) return {Str(m, "text"), Str(m, "link")};
    return {};
  }

  static bool Has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  // The rating_counts of `case_no`'s department and item, summed: {ratings, annulled,
  // rectified}: what indicators will aggregate without reading ratings.
  std::vector<int64_t> Counts(const std::string& level) {
    std::vector<int64_t> out;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(
          auto r,
          c.Query(
              "SELECT CAST(COALESCE(SUM(ratings), 0) AS BIGINT), CAST(COALESCE(SUM(annulled), 0) "
              "AS BIGINT), "
              "CAST(COALESCE(SUM(rectified), 0) AS BIGINT) FROM rating_counts WHERE day = $1 AND "
              "department_code = $2 AND item_code = $3 AND level = $4",
              {std::string("2030-06-06"), std::string("330102-SCJG"), std::string(kItem),
               static_cast<int64_t>(std::stoi(level))}));
      out = {r.Int(0, 0), r.Int(0, 1), r.Int(0, 2)};
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }
  static std::vector<std::string> Actions(const json::object& r) {
    std::vector<std::string> out;
    for (const auto& e : r.at("events").as_array()) out.emplace_back(e.at("action").as_string());
    return out;
  }
};

TEST_P(RatingsTest, ABadRatingIsRectifiedAndConfirmed) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  std::string case_no = NewCase(zhang);
  ASSERT_FALSE(case_no.empty());
  auto r = Rate(zhang, case_no, 1, {"overdue", "many_visits"});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object rating = r.json().as_object();
  std::string number = Str(rating, "number");
  EXPECT_EQ(number.substr(0, 10), "PJ20300606");
  EXPECT_EQ(r.header("location"), "/api/v1/ratings/" + number);
  EXPECT_EQ(Str(rating, "channel"), "online");
  EXPECT_EQ(Str(rating, "service_channel"), "web");
  EXPECT_EQ(Str(rating, "department_code"), "330102-SCJG");
  EXPECT_TRUE(rating.at("bad").as_bool());
  EXPECT_EQ(Str(rating, "stage"), "department");
  // 10 working days, the day of rating not counted: Fri 7 ... Thu 20 June.
  EXPECT_EQ(Str(rating, "due_date"), "2030-06-20");
  auto told = Message(zhang, "rating.rectifying", number);
  EXPECT_NE(told.first.find("2030-06-20"), std::string::npos) << told.first;
  EXPECT_EQ(told.second, "/me/ratings/" + number);

  // The department sees it; another department of the region neither sees nor rectifies it.
  EXPECT_TRUE(Has(Inbox(acceptor, "department"), number));
  Session mz = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  EXPECT_FALSE(Has(Inbox(mz, "department"), number));
  EXPECT_EQ(Rectify(mz, rating).status, 404);
  Get(mz, number, 404);
  // A step without the 回访 is refused with the fields named.
  auto bad = Step(acceptor, number, "rectification",
                  {{"version", rating.at("version").as_int64()},
                   {"decision", "rectified"},
                   {"contact_note", ""},
                   {"result", "x"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("contact_note"), std::string::npos);
  // The person cannot confirm before the department answered.
  EXPECT_EQ(
      Step(zhang, number, "confirmation", {{"version", rating.at("version").as_int64()}}).status,
      409);

  r = Rectify(acceptor, Get(acceptor, number));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "applicant");
  EXPECT_FALSE(Message(zhang, "rating.rectified", number).first.empty());
  EXPECT_FALSE(Has(Inbox(acceptor, "department"), number));
  // A stale version is refused.
  EXPECT_EQ(Rectify(acceptor, rating).status, 409);

  // The person sees the result, and "staff" rather than who on the staff wrote it.
  json::object mine = Get(zhang, number);
  EXPECT_EQ(Str(mine, "result"), "已向申请人说明原因，并优化了受理流程");
  EXPECT_FALSE(mine.contains("registered_by"));
  for (const auto& e : mine.at("events").as_array())
    EXPECT_NE(Str(e, "actor"), "sc.acceptor") << json::serialize(mine);
  // Someone else cannot confirm it, nor read it.
  Session li = Login("lisi");
  EXPECT_EQ(Step(li, number, "confirmation", {{"version", mine.at("version").as_int64()}}).status,
            404);
  Get(li, number, 404);

  r = Step(zhang, number, "confirmation", {{"version", mine.at("version").as_int64()}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "done");
  EXPECT_EQ(Str(r.json(), "outcome"), "confirmed");
  EXPECT_EQ(Actions(r.json().as_object()),
            (std::vector<std::string>{"rated", "routed", "rectified", "confirmed"}));
  // Counted once, and once rectified, in the same transactions.
  EXPECT_EQ(Counts("1"), (std::vector<int64_t>{1, 0, 1}));

  // My ratings, and the case's ratings for whoever may read the case.
  auto list = Call(verb::get, "/api/v1/me/ratings", {}, &zhang);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Str(list.json().at("ratings").at(0), "number"), number);
  auto of_case = Call(verb::get, "/api/v1/cases/" + case_no + "/ratings", {}, &acceptor);
  ASSERT_EQ(of_case.status, 200) << of_case.body;
  EXPECT_EQ(of_case.json().at("ratings").as_array().size(), 1u);
  EXPECT_EQ(Call(verb::get, "/api/v1/cases/" + case_no + "/ratings", {}, &li).status, 404);
}

TEST_P(RatingsTest, AnAppealGoesToTheRegionsSupervisorsAndAMaliciousRatingIsAnnulled) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session supervisor = Login("supervisor");  // 3301: the city, above 330102
  std::string case_no = NewCase(zhang);
  auto r = Rate(zhang, case_no, 2, {"rude"});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string number = Str(r.json(), "number");
  ASSERT_EQ(Rectify(acceptor, Get(acceptor, number)).status, 200);
  json::object mine = Get(zhang, number);
  // An appeal needs a reason.
  EXPECT_EQ(Step(zhang, number, "appeal", {{"version", mine.at("version").as_int64()}}).status,
            422);
  r = Step(zhang, number, "appeal",
           {{"version", mine.at("version").as_int64()}, {"reason", "部门没有真正解决问题"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "supervisor");
  EXPECT_TRUE(Has(Inbox(supervisor, "supervisor"), number));

  // A supervisor of another region, and the department itself, cannot rule.
  Session other = Staff("xh.supervisor", "330106-GOV", "330106", "supervisor");
  EXPECT_FALSE(Has(Inbox(other, "supervisor"), number));
  json::object seen = Get(supervisor, number);
  json::object ruling{{"version", seen.at("version").as_int64()},
                      {"decision", "return"},
                      {"text", "请重新回访并当面致歉"}};
  EXPECT_EQ(Step(other, number, "ruling", ruling).status, 404);
  EXPECT_EQ(Step(acceptor, number, "ruling", ruling).status, 403);
  EXPECT_EQ(Step(zhang, number, "ruling", ruling).status, 403);

  // Returned to the department with an instruction; the person is told.
  r = Step(supervisor, number, "ruling", ruling);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "department");
  EXPECT_EQ(Str(r.json(), "instruction"), "请重新回访并当面致歉");
  EXPECT_FALSE(Message(zhang, "rating.returned", number).first.empty());

  // This time the department claims the rating malicious; the supervisors annul it.
  r = Rectify(acceptor, Get(acceptor, number), "malicious");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "supervisor");
  seen = Get(supervisor, number);
  EXPECT_EQ(Step(supervisor, number, "ruling",
                 {{"version", seen.at("version").as_int64()}, {"decision", "annul"}})
                .status,
            422);  // an annulment needs its reason
  r = Step(supervisor, number, "ruling",
           {{"version", seen.at("version").as_int64()},
            {"decision", "annul"},
            {"text", "经调取窗口录像核实，评价内容与事实不符"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "stage"), "done");
  EXPECT_EQ(Str(r.json(), "outcome"), "annulled");
  EXPECT_EQ(Str(r.json(), "annul_reason"), "经调取窗口录像核实，评价内容与事实不符");
  EXPECT_FALSE(Message(zhang, "rating.annulled", number).first.empty());
  EXPECT_EQ(Actions(r.json().as_object()),
            (std::vector<std::string>{"rated", "routed", "rectified", "appealed", "returned",
                                      "routed", "claimed_malicious", "annulled"}));
  // Counted, and counted as annulled.
  EXPECT_EQ(Counts("2"), (std::vector<int64_t>{1, 1, 0}));
  // Audited, for the audit administrator.
  Session auditor = Login("auditor");
  auto audit =
      Call(verb::get, "/api/v1/audit?action=rating.annulled&subject=" + number, {}, &auditor);
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json().at("records").as_array().size(), 1u) << audit.body;
  EXPECT_EQ(Str(audit.json().at("records").at(0), "actor"), "supervisor");
  // Annulled is final: no further ruling.
  EXPECT_EQ(Step(supervisor, number, "ruling",
                 {{"version", r.json().at("version").as_int64()}, {"decision", "close"}})
                .status,
            409);
}

TEST_P(RatingsTest, RatingsAreRefusedToEveryoneButTheApplicantAfterDelivery) {
  Session zhang = Login("zhangsan");
  Session li = Login("lisi");
  // Before delivery: submitted only.
  std::string early = NewCase(zhang, false);
  auto r = Rate(zhang, early, 5);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("delivered"), std::string::npos) << r.body;

  std::string case_no = NewCase(zhang);
  // Someone else's case: not even its existence.
  EXPECT_EQ(Rate(li, case_no, 1, {"rude"}).status, 404);
  // Staff cannot rate online, not even the counter clerk who may read the case.
  Session counter = Login("hall.counter");
  EXPECT_EQ(Rate(counter, case_no, 5).status, 403);
  Session acceptor = Login("sc.acceptor");
  EXPECT_EQ(Rate(acceptor, case_no, 5).status, 403);
  // A bad rating names a reason; reasons must fit the level.
  r = Rate(zhang, case_no, 1);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Rate(zhang, case_no, 5, {"rude"});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Rate(zhang, case_no, 6).status, 422);
  // A good rating opens no rectification.
  r = Rate(zhang, case_no, 5, {"fast", "polite"});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json().at("stage").is_null());
  EXPECT_FALSE(r.json().at("bad").as_bool());
  // A second rating through the same channel is refused.
  r = Rate(zhang, case_no, 1, {"rude"});
  EXPECT_EQ(r.status, 409) << r.body;

  // An account that is not real-name verified cannot rate, even its own refused case.
  Session wang = Person("wangwu", "33010219880715001X", "王五");
  auto submitted = Submit(wang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  auto refused = Complete(acceptor, TaskOf(submitted.json().as_object(), "accept"), "not_accept",
                          "材料不全，不予受理");
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(Str(refused.json(), "status"), "not_accepted");
  r = Rate(wang, No(submitted.json().as_object()), 4);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("verified"), std::string::npos) << r.body;
  // A refusal can be rated by a verified applicant.
  auto zhangs = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(zhangs.status, 201) << zhangs.body;
  ASSERT_EQ(
      Complete(acceptor, TaskOf(zhangs.json().as_object(), "accept"), "not_accept", "不予受理")
          .status,
      200);
  r = Rate(zhang, No(zhangs.json().as_object()), 3, {"guide_unclear"});
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_P(RatingsTest, CounterHotlineAndSmsLinkRatings) {
  Session zhang = Login("zhangsan");
  Session counter = Login("hall.counter");  // 330102
  Session hotline = Login("hotline");       // 3301
  Session acceptor = Login("sc.acceptor");
  std::string case_no = NewCase(zhang);
  auto reg = [&](const Session& s, json::object extra) {
    json::object body{{"case_no", case_no}, {"level", 4}, {"reasons", json::array{"one_visit"}}};
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return Call(verb::post, "/api/v1/rating-registrations", Json(body), &s);
  };
  // At the window, recorded by the counter clerk for the applicant.
  auto r = reg(counter, {{"channel", "counter"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "channel"), "counter");
  EXPECT_EQ(Str(r.json(), "registered_by"), "hall.counter");
  EXPECT_EQ(reg(counter, {{"channel", "counter"}}).status, 409);
  // The counter's terminal is another channel.
  EXPECT_EQ(reg(counter, {{"channel", "terminal"}}).status, 201);
  // Department staff do not record ratings; a person cannot.
  EXPECT_EQ(reg(acceptor, {{"channel", "counter"}}).status, 403);
  EXPECT_EQ(reg(zhang, {{"channel", "counter"}}).status, 403);
  // The hotline: the caller proves the case.
  EXPECT_EQ(reg(hotline, {{"channel", "hotline"}, {"applicant_name", "张三"}, {"id_last4", "0000"}})
                .status,
            404);
  r = reg(hotline, {{"channel", "hotline"}, {"applicant_name", "张三"}, {"id_last4", "3017"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "channel"), "hotline");
  // Counter staff cannot claim a hotline rating, nor hotline staff a counter one.
  EXPECT_EQ(reg(counter, {{"channel", "hotline"}, {"applicant_name", "张三"}, {"id_last4", "3017"}})
                .status,
            403);

  // The SMS link: the department sends it, only the applicant gets the token.
  r = Call(verb::post, "/api/v1/cases/" + case_no + "/rating-link", "", &acceptor);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body.find("token"), std::string::npos);
  Session li = Login("lisi");
  EXPECT_EQ(Call(verb::post, "/api/v1/cases/" + case_no + "/rating-link", "", &li).status, 404);
  auto invited = Message(zhang, "rating.invited", case_no);
  ASSERT_EQ(invited.second.rfind("/rate/link/", 0), 0u) << invited.second;
  std::string token = invited.second.substr(std::string("/rate/link/").size());
  auto look = Call(verb::post, "/api/v1/rating-links/lookup", Json({{"token", token}}));
  ASSERT_EQ(look.status, 200) << look.body;
  EXPECT_EQ(Str(look.json(), "case_no"), case_no);
  EXPECT_EQ(Call(verb::post, "/api/v1/rating-links/lookup", Json({{"token", token + "X"}})).status,
            404);
  auto rate = [&] {
    return Call(verb::post, "/api/v1/rating-links/rating",
                Json({{"token", token}, {"level", 2}, {"reasons", json::array{"long_wait"}}}));
  };
  r = rate();
  ASSERT_EQ(r.status, 201) << r.body;
  std::string number = Str(r.json(), "number");
  EXPECT_EQ(Str(r.json(), "stage"), "department");
  // Used once.
  EXPECT_EQ(rate().status, 404);
  // The applicant sees it among their ratings; the department rectifies it like any other.
  json::object mine = Get(zhang, number);
  EXPECT_EQ(Str(mine, "channel"), "sms");
  EXPECT_EQ(Rectify(acceptor, Get(acceptor, number)).status, 200);
  // The public reasons list: five levels, bad ones flagged.
  auto reasons = Call(verb::get, "/api/v1/rating-reasons");
  ASSERT_EQ(reasons.status, 200) << reasons.body;
  EXPECT_EQ(reasons.json().at("levels").as_array().size(), 5u);
}

OW_INSTANTIATE_STORE_TESTS(RatingsTest);

}  // namespace
}  // namespace ow::testing
