// Consultations, complaints and suggestions against a real server on both stores: ask ->
// route -> answer -> rate; a complaint needs a verified account, and is answered and rated;
// the anonymous asker's lookup code; escalation by the ticket process's timer to the region's
// supervisors, who send it back or answer; hotline registration; the FAQ found by a Chinese
// query; and the attackers: another person, another department, a token without the scope, a
// hall clerk, rating someone else's ticket, rating twice, rating before the answer.
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <thread>

#include "core/calendar.h"
#include "core/clock.h"
#include "notify/notifier.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"
#include "tickets/service.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // implemented in 330102 by 330102-SCJG

// 10:00 in China on `date`.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
}

// Percent-encodes a query value.
std::string Encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Str(const json::value& v, const char* key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

class TicketsTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Thursday 6 June 2030 (no calendar published: weekends are the only days off).
    SetDay("2030-06-06");
  }

  void SetDay(const std::string& date) {
    SystemTime t = At(date);
    server_->app().tickets().SetClock([t] { return t; });
  }

  HttpResponse Ask(const Session* s, json::object body) {
    return Call(verb::post, "/api/v1/tickets", Json(body), s);
  }

  json::object Consult(const Session& s,
                       const std::string& text = "个体工商户设立登记需要带哪些材料？") {
    auto r = Ask(
        &s, {{"kind", "consult"}, {"item_code", kItem}, {"region_code", "330102"}, {"text", text}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  json::object Get(const Session& s, const std::string& number, int expect = 200) {
    auto r = Call(verb::get, "/api/v1/tickets/" + number, {}, &s);
    EXPECT_EQ(r.status, expect) << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
  }

  HttpResponse AnswerAs(const Session& s, const json::object& t, const std::string& answer) {
    return Call(verb::post, "/api/v1/tickets/" + Str(t, "number") + "/answer",
                Json({{"version", t.at("version").as_int64()}, {"answer", answer}}), &s);
  }

  HttpResponse Rate(const Session& s, const std::string& number, int score) {
    return Call(verb::post, "/api/v1/tickets/" + number + "/rating",
                Json({{"score", score}, {"comment", "答复清楚"}}), &s);
  }

  // Whether `s` has a message `code` about ticket `number` in the portal inbox (the
  // notifications domain), rendered from the tickets domain's table.
  bool Notified(const Session& s, const std::string& code, const std::string& number) {
    auto r = Call(verb::get, "/api/v1/me/messages", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return false;
    const json::value doc = r.json();
    for (const auto& m : doc.at("messages").as_array())
      if (Str(m, "code") == code && Str(m, "ref") == number && Str(m, "topic") == "ticket" &&
          Str(m, "text").find(number) != std::string::npos)
        return true;
    return false;
  }

  std::vector<std::string> Inbox(const Session& s, const std::string& which) {
    auto r = Call(verb::get, "/api/v1/ticket-inbox?which=" + which, {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const json::value doc = r.json();
    for (const auto& t : doc.at("tickets").as_array()) out.push_back(Str(t, "number"));
    return out;
  }

  static bool Has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
};

TEST_P(TicketsTest, AskRouteAnswerRate) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  std::string attachment = Upload(zhang);
  ASSERT_FALSE(attachment.empty());
  auto r = Ask(&zhang, {{"kind", "consult"},
                        {"item_code", kItem},
                        {"region_code", "330102"},
                        {"text", "个体工商户设立登记需要带哪些材料？"},
                        {"attachments", json::array{attachment}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::object t = r.json().as_object();
  std::string number = Str(t, "number");
  EXPECT_EQ(number.substr(0, 10), "ZX20300606");
  EXPECT_EQ(number.size(), 20u);
  EXPECT_EQ(Str(t, "department_code"), "330102-SCJG");  // the item's implementation
  EXPECT_EQ(Str(t, "status"), "open");
  EXPECT_EQ(Str(t, "stage"), "department");
  // 3 working days, the day of asking not counted: Fri 7, Mon 10, Tue 11 June.
  EXPECT_EQ(Str(t, "due_date"), "2030-06-11");
  EXPECT_EQ(t.at("attachments").as_array().size(), 1u);
  EXPECT_FALSE(t.contains("lookup_code"));

  EXPECT_TRUE(Has(Inbox(acceptor, "department"), number));
  // The department reads the attachment through the ticket; another department does not.
  EXPECT_EQ(Status(acceptor, "/api/v1/materials/" + attachment + "/content"), 200);
  Session other = Staff("mz.reader", "330102-MZ", "330102", "acceptor");
  EXPECT_EQ(Status(other, "/api/v1/materials/" + attachment + "/content"), 404);
  json::object seen = Get(acceptor, number);
  r = AnswerAs(acceptor, seen, "请携带身份证和经营场所证明。");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "answered");
  EXPECT_EQ(Str(r.json(), "answered_by"), "sc.acceptor");
  EXPECT_TRUE(Notified(zhang, "ticket.answered", number));
  // Answering twice is refused: it moved on.
  EXPECT_EQ(AnswerAs(acceptor, seen, "again").status, 409);
  EXPECT_FALSE(Has(Inbox(acceptor, "department"), number));

  // The asker sees the answer, not who on the staff wrote it.
  json::object mine = Get(zhang, number);
  EXPECT_EQ(Str(mine, "answer"), "请携带身份证和经营场所证明。");
  EXPECT_FALSE(mine.contains("answered_by"));
  auto list = Call(verb::get, "/api/v1/me/tickets", {}, &zhang);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::value listed = list.json();
  EXPECT_EQ(Str(listed.at("tickets").as_array().at(0), "number"), number);

  r = Rate(zhang, number, 5);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "closed");
  EXPECT_EQ(r.json().at("rating").as_int64(), 5);
  // Rating twice is refused.
  EXPECT_EQ(Rate(zhang, number, 1).status, 409);
  EXPECT_EQ(Get(zhang, number).at("rating").as_int64(), 5);
}

TEST_P(TicketsTest, AComplaintNeedsAVerifiedAccount) {
  Session wang = Person("wangwu", "33010219880715001X", "王五");
  auto r = Ask(&wang, {{"kind", "complaint"},
                       {"item_code", kItem},
                       {"region_code", "330102"},
                       {"text", "窗口人员态度不好"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("verified"), std::string::npos) << r.body;
  // A consultation needs no verification.
  Consult(wang);
  // A verified person complains about their own case: routed to the case's department.
  Session zhang = Login("zhangsan");
  auto submitted = Submit(zhang, kItem, "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  std::string case_no = Str(submitted.json(), "tracking_no");
  r = Ask(&zhang, {{"kind", "complaint"}, {"case_no", case_no}, {"text", "办件迟迟没有受理"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "department_code"), "330102-SCJG");
  EXPECT_EQ(Str(r.json(), "due_date"), "2030-06-20");  // 10 working days
  std::string complaint = Str(r.json(), "number");
  // Someone else's case is not theirs to ask about.
  Session li = Login("lisi");
  r = Ask(&li, {{"kind", "complaint"}, {"case_no", case_no}, {"text", "x"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("case_no"), std::string::npos);

  // The department answers the complaint; the person is told and rates it, which closes it.
  Session acceptor = Login("sc.acceptor");
  r = AnswerAs(acceptor, Get(acceptor, complaint), "已核实，今日已受理，并对窗口人员进行了提醒。");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Notified(zhang, "ticket.answered", complaint));
  EXPECT_EQ(Rate(li, complaint, 1).status, 404);  // not theirs: not even its existence
  r = Rate(zhang, complaint, 2);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "status"), "closed");
  EXPECT_EQ(Get(zhang, complaint).at("rating").as_int64(), 2);
}

TEST_P(TicketsTest, AnAnonymousConsultationIsReadWithItsCode) {
  auto r = Ask(nullptr, {{"kind", "consult"},
                         {"item_code", kItem},
                         {"region_code", "330102"},
                         {"text", "可以网上办理吗？"}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string number = Str(r.json(), "number");
  std::string code = Str(r.json(), "lookup_code");
  ASSERT_EQ(code.size(), 12u);
  EXPECT_EQ(r.header("location"), "");
  auto look = [&](const std::string& c) {
    return Call(verb::post, "/api/v1/ticket-lookups", Json({{"number", number}, {"code", c}}));
  };
  auto found = look(code);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(Str(found.json(), "text"), "可以网上办理吗？");
  EXPECT_EQ(look("AAAAAAAAAAAA").status, 404);
  // Complaints and suggestions need an account.
  EXPECT_EQ(
      Ask(nullptr,
          {{"kind", "complaint"}, {"item_code", kItem}, {"region_code", "330102"}, {"text", "x"}})
          .status,
      401);
  // Rating before the answer is refused; after it, with the code.
  auto rate = [&](const std::string& c) {
    return Call(verb::post, "/api/v1/ticket-lookups/rating",
                Json({{"number", number}, {"code", c}, {"score", 4}}));
  };
  EXPECT_EQ(rate(code).status, 409);
  Session acceptor = Login("sc.acceptor");
  ASSERT_EQ(AnswerAs(acceptor, Get(acceptor, number), "可以，全程网办。").status, 200);
  EXPECT_EQ(rate("BBBBBBBBBBBB").status, 404);
  auto rated = rate(code);
  ASSERT_EQ(rated.status, 200) << rated.body;
  EXPECT_EQ(Str(rated.json(), "status"), "closed");
}

TEST_P(TicketsTest, AnonymousQuestionsAndLookupsAreThrottled) {
  // Failed lookups: 20 per address in ten minutes, then 429 whatever is asked.
  int last = 0;
  for (int i = 0; i < 21; ++i)
    last = Call(verb::post, "/api/v1/ticket-lookups",
                Json({{"number", "ZX20300606AAAAAAAAA" + std::to_string(i % 10)},
                      {"code", "WRONGWRONGWR"}}))
               .status;
  EXPECT_EQ(last, 429);
  // Anonymous questions: 10 per address per hour.
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(Ask(nullptr, {{"kind", "consult"},
                            {"department_code", "330102-SCJG"},
                            {"text", "问题" + std::to_string(i)}})
                  .status,
              201);
  auto r =
      Ask(nullptr, {{"kind", "consult"}, {"department_code", "330102-SCJG"}, {"text", "再问"}});
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_FALSE(r.header("retry-after").empty());
}

TEST_P(TicketsTest, AnOverdueTicketEscalatesToTheSupervisors) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session supervisor = Login("supervisor");  // 3301
  std::string number = Str(Consult(zhang), "number");
  auto& tickets = server_->app().tickets();
  // On the due date (Tuesday 11 June) nothing moves.
  SetDay("2030-06-11");
  auto moved = tickets.EscalateOverdue();
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(*moved, 0);
  // The next day it escalates, once, however often the sweep runs.
  SetDay("2030-06-12");
  moved = tickets.EscalateOverdue();
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(*moved, 1);
  moved = tickets.EscalateOverdue();
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 0);
  json::object t = Get(supervisor, number);
  EXPECT_EQ(Str(t, "stage"), "supervisor");
  EXPECT_EQ(t.at("escalation_level").as_int64(), 1);
  EXPECT_TRUE(t.at("overdue").as_bool());
  EXPECT_TRUE(Notified(zhang, "ticket.escalated", number));
  EXPECT_TRUE(Has(Inbox(supervisor, "escalated"), number));
  EXPECT_FALSE(Has(Inbox(acceptor, "department"), number));
  // The department can no longer answer it; the supervisors send it back.
  EXPECT_EQ(AnswerAs(acceptor, Get(acceptor, number), "迟到的答复").status, 403);
  auto back =
      Call(verb::post, "/api/v1/tickets/" + number + "/return",
           Json({{"version", t.at("version").as_int64()}, {"instruction", "请于两日内答复群众"}}),
           &supervisor);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Str(back.json(), "stage"), "department");
  EXPECT_EQ(Str(back.json(), "instruction"), "请于两日内答复群众");
  // A fresh deadline from Wednesday 12 June: Thu 13, Fri 14, Mon 17.
  EXPECT_EQ(Str(back.json(), "due_date"), "2030-06-17");
  // Only supervisors return tickets.
  EXPECT_EQ(Call(verb::post, "/api/v1/tickets/" + number + "/return",
                 Json({{"version", back.json().at("version").as_int64()}, {"instruction", "x"}}),
                 &acceptor)
                .status,
            403);
  // Overdue again: the second escalation; this time the supervisor answers.
  SetDay("2030-06-18");
  moved = tickets.EscalateOverdue();
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 1);
  t = Get(supervisor, number);
  EXPECT_EQ(t.at("escalation_level").as_int64(), 2);
  auto answered = AnswerAs(supervisor, t, "经督办，答复如下：请携带身份证。");
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(Str(answered.json(), "status"), "answered");
  EXPECT_EQ(Str(answered.json(), "answered_by"), "supervisor");
  ASSERT_EQ(Rate(zhang, number, 3).status, 200);
}

// Several sweeps at once (as several servers on one PostgreSQL would run them): each overdue
// ticket escalates exactly once.
TEST_P(TicketsTest, ConcurrentSweepsEscalateEachTicketOnce) {
  Session zhang = Login("zhangsan");
  std::vector<std::string> numbers;
  for (int i = 0; i < 6; ++i)
    numbers.push_back(Str(Consult(zhang, "问题 " + std::to_string(i)), "number"));
  SetDay("2030-06-12");
  auto& tickets = server_->app().tickets();
  std::atomic<int64_t> moved{0};
  std::vector<std::thread> sweepers;
  for (int i = 0; i < 4; ++i)
    sweepers.emplace_back([&] {
      auto n = tickets.EscalateOverdue();
      if (n) moved += *n;
    });
  for (auto& t : sweepers) t.join();
  EXPECT_EQ(moved.load(), 6);
  Session supervisor = Login("supervisor");
  for (const auto& n : numbers) {
    json::object t = Get(supervisor, n);
    EXPECT_EQ(t.at("escalation_level").as_int64(), 1) << n;
    int escalated = 0;
    for (const auto& e : t.at("events").as_array()) escalated += e.at("action") == "escalated";
    EXPECT_EQ(escalated, 1) << n;
  }
}

TEST_P(TicketsTest, TheHotlineRegistersForCallers) {
  std::string id;
  Session hotline = Staff("hotline.li", "3301-ZWFW", "3301", "hotline", &id);
  auto r = Call(verb::post, "/api/v1/ticket-registrations",
                Json({{"kind", "complaint"},
                      {"item_code", kItem},
                      {"region_code", "330102"},
                      {"text", "来电反映：办理时间过长"},
                      {"caller_name", "赵六"},
                      {"caller_phone", "13900000000"}}),
                &hotline);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "channel"), "hotline");
  EXPECT_EQ(Str(r.json(), "caller_name"), "赵六");
  EXPECT_EQ(Str(r.json(), "registered_by"), "hotline.li");
  std::string number = Str(r.json(), "number");
  Session acceptor = Login("sc.acceptor");
  EXPECT_TRUE(Has(Inbox(acceptor, "department"), number));
  // The hall's counter registers too; a resident may not.
  Session hall = Login("hall.counter");
  r = Call(verb::post, "/api/v1/ticket-registrations",
           Json({{"kind", "consult"},
                 {"department_code", "330102-SCJG"},
                 {"text", "现场咨询"},
                 {"caller_name", "钱七"}}),
           &hall);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "channel"), "hall");
  Session zhang = Login("zhangsan");
  r = Call(verb::post, "/api/v1/ticket-registrations",
           Json({{"kind", "consult"},
                 {"department_code", "330102-SCJG"},
                 {"text", "x"},
                 {"caller_name", "x"}}),
           &zhang);
  EXPECT_EQ(r.status, 403) << r.body;
  // A hotline clerk of another region may not register for this one.
  Session far = Staff("hotline.far", "3301-ZWFW", "330106", "hotline");
  r = Call(verb::post, "/api/v1/ticket-registrations",
           Json({{"kind", "consult"},
                 {"department_code", "330102-SCJG"},
                 {"text", "x"},
                 {"caller_name", "x"}}),
           &far);
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_P(TicketsTest, APublishedAnswerIsFoundByAChineseQuery) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  std::string number = Str(Consult(zhang, "个体户营业执照丢了怎么补办？"), "number");
  // Only an answered consultation is published.
  auto early = Call(verb::post, "/api/v1/faq", Json({{"ticket_number", number}}), &acceptor);
  EXPECT_EQ(early.status, 422) << early.body;
  ASSERT_EQ(AnswerAs(acceptor, Get(acceptor, number), "可在线申请补领营业执照。").status, 200);
  auto f = Call(verb::post, "/api/v1/faq",
                Json({{"ticket_number", number},
                      {"question", "营业执照遗失如何补领？"},
                      {"answer", "登录门户，在线申请补领营业执照，无需登报。"}}),
                &acceptor);
  ASSERT_EQ(f.status, 201) << f.body;
  int64_t id = f.json().at("id").as_int64();
  auto search = [&](const std::string& q, const std::string& region = "") {
    std::string target = "/api/v1/faq?q=" + Encode(q);
    if (!region.empty()) target += "&region_code=" + region;
    auto r = Call(verb::get, target);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    const json::value doc = r.status == 200 ? r.json() : json::value();
    if (r.status == 200)
      for (const auto& e : doc.at("entries").as_array()) ids.push_back(e.at("id").as_int64());
    return ids;
  };
  EXPECT_EQ(search("补领"), std::vector<int64_t>{id});      // two characters
  EXPECT_EQ(search("营业执照"), std::vector<int64_t>{id});  // four
  EXPECT_EQ(search("补领", "330102"), std::vector<int64_t>{id});
  EXPECT_TRUE(search("补领", "330106").empty());  // another district
  EXPECT_TRUE(search("离婚").empty());
  // Another department's staff may not publish or unpublish it.
  Session other = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  EXPECT_EQ(Call(verb::post, "/api/v1/faq/" + std::to_string(id) + "/unpublish",
                 Json({{"version", 1}}), &other)
                .status,
            403);
  auto un = Call(verb::post, "/api/v1/faq/" + std::to_string(id) + "/unpublish",
                 Json({{"version", 1}}), &acceptor);
  ASSERT_EQ(un.status, 200) << un.body;
  EXPECT_TRUE(search("补领").empty());
}

TEST_P(TicketsTest, AttackersAreRefused) {
  Session zhang = Login("zhangsan");
  Session li = Login("lisi");
  std::string number = Str(Consult(zhang), "number");
  // Another person: as if there were no such ticket.
  Get(li, number, 404);
  EXPECT_EQ(Rate(li, number, 1).status, 404);
  // Rating before an answer.
  EXPECT_EQ(Rate(zhang, number, 5).status, 409);
  // Staff of another department in the same district.
  Session other = Staff("mz.acceptor", "330102-MZ", "330102", "acceptor");
  Get(other, number, 404);
  EXPECT_EQ(Call(verb::post, "/api/v1/tickets/" + number + "/answer",
                 Json({{"version", 1}, {"answer", "x"}}), &other)
                .status,
            404);
  EXPECT_FALSE(Has(Inbox(other, "department"), number));
  // The hall's counter may read it (it registers tickets), not answer it.
  Session hall = Login("hall.counter");
  json::object t = Get(hall, number);
  EXPECT_EQ(AnswerAs(hall, t, "x").status, 403);
  // The asker may not answer their own ticket; staff may not rate it.
  EXPECT_EQ(AnswerAs(zhang, t, "x").status, 403);
  Session acceptor = Login("sc.acceptor");
  ASSERT_EQ(AnswerAs(acceptor, Get(acceptor, number), "答复").status, 200);
  EXPECT_EQ(Rate(acceptor, number, 5).status, 403);
  EXPECT_EQ(Rate(li, number, 1).status, 404);
  // A token without the tickets scope reads no tickets; one with it reads the asker's.
  Caller user = SignIn(*client_, "zhangsan");
  Caller narrow = UserToken(*client_, *server_, user, "openid cases.read");
  auto r = client_->Send(verb::get, "/api/v1/me/tickets", "", narrow.headers);
  EXPECT_EQ(r.status, 403) << r.body;
  r = client_->Send(verb::get, "/api/v1/tickets/" + number, "", narrow.headers);
  EXPECT_EQ(r.status, 403) << r.body;
  Caller scoped = UserToken(*client_, *server_, user, "openid tickets");
  r = client_->Send(verb::get, "/api/v1/me/tickets", "", scoped.headers);
  EXPECT_EQ(r.status, 200) << r.body;
  // A staff member asks nothing online; and lists nobody's tickets as their own.
  EXPECT_EQ(Ask(&acceptor, {{"kind", "consult"}, {"department_code", "330102-SCJG"}, {"text", "x"}})
                .status,
            403);
  EXPECT_EQ(Call(verb::get, "/api/v1/me/tickets", {}, &acceptor).status, 403);
  // Residents have no inbox.
  EXPECT_EQ(Call(verb::get, "/api/v1/ticket-inbox", {}, &zhang).status, 403);
  // Attachments must be the asker's own.
  std::string lis_file = Upload(li);
  r = Ask(&zhang, {{"kind", "consult"},
                   {"department_code", "330102-SCJG"},
                   {"text", "x"},
                   {"attachments", json::array{lis_file}}});
  EXPECT_EQ(r.status, 422) << r.body;
}

OW_INSTANTIATE_STORE_TESTS(TicketsTest);

}  // namespace
}  // namespace ow::testing
