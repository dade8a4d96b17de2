// The public case lookup (我要查) through the HTTP API, on both stores: whoever knows a
// case's tracking number, the applicant's name and the last four characters of the ID
// number learns its stage along 申请 → 受理 → 审查 → 决定 → 送达, and nothing else, without
// signing in. And as an attacker would try: every wrong detail (and a number that does
// not exist) is the same 404; guessing the four characters is throttled per tracking
// number and per address, and then even the right details wait; bad input is a 422.
#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using verb = boost::beast::http::verb;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // handled by 330102-SCJG in 330102
constexpr const char* kName = "张三";            // zhangsan, 330102199003073017
constexpr const char* kLast4 = "3017";

class CaseLookupTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    zhang_ = Login("zhangsan");
    acceptor_ = Login("sc.acceptor");
  }

  json::object Apply() {
    auto r = Submit(zhang_, kItem, "330102", GtdjForm());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  // A lookup by someone who is not signed in (through a proxy that says it came from
  // `forwarded_for`, when not "").
  HttpResponse Lookup(const std::string& no, const std::string& name, const std::string& last4,
                      const std::string& forwarded_for = "") {
    std::map<std::string, std::string> headers;
    if (!forwarded_for.empty()) headers["X-Forwarded-For"] = forwarded_for;
    return Call(verb::post, "/api/v1/case-lookups",
                Json({{"tracking_no", no}, {"name", name}, {"id_last4", last4}}), nullptr, headers);
  }

  // Twenty failed lookups of numbers that do not exist, "from" `forwarded_for`: what
  // stops an address for ten minutes.
  void FailTwentyTimes(const std::string& no, const std::string& forwarded_for) {
    auto id = cases::ParseTrackingNo(no);
    ASSERT_TRUE(id.has_value());
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(Lookup(cases::TrackingNo(*id + 1000 + i, "2026-12-06T00:00:00Z"), kName, kLast4,
                       forwarded_for)
                    .status,
                404);
    }
  }

  std::string StageOf(const std::string& no) {
    auto r = Lookup(no, kName, kLast4);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("stage").as_string()) : "";
  }

  // The same tracking number with another check character: well formed, no such case.
  static std::string Another(const std::string& no) {
    auto id = cases::ParseTrackingNo(no);
    return id ? cases::TrackingNo(*id + 100000, "2026-12-06T00:00:00Z") : no;
  }

  Session zhang_, acceptor_;
};

TEST_P(CaseLookupTest, TheApplicantsDetailsShowTheStageAndNothingElse) {
  auto c = Apply();
  ASSERT_FALSE(c.empty());
  std::string no = No(c);
  auto r = Lookup(no, kName, kLast4);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  // The stage and the number: not the item, the department, the applicant or the outcome.
  const json::value found = r.json();
  EXPECT_EQ(found.as_object().size(), 3u) << r.body;
  EXPECT_EQ(found.at("tracking_no").as_string(), no);
  EXPECT_EQ(found.at("stage").as_string(), "applied");
  EXPECT_FALSE(found.at("archived").as_bool());

  // Accepted: under review.
  auto accepted = Accept(acceptor_, c);
  ASSERT_FALSE(accepted.empty());
  EXPECT_EQ(StageOf(no), "review");

  // Not accepted, and withdrawn: each says so.
  auto refused = Complete(acceptor_, TaskOf(Apply(), "accept"), "not_accept", "不属于本机关职权");
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(StageOf(No(refused.json().as_object())), "not_accepted");
  std::string gone = No(Apply());
  ASSERT_EQ(Call(verb::post, "/api/v1/cases/" + gone + "/withdraw", "{}", &zhang_).status, 200);
  EXPECT_EQ(StageOf(gone), "withdrawn");

  // Archived, it is still found by the same details, and says so; a wrong one still is 404.
  auto now = std::chrono::system_clock::now();
  auto archived = server_->app().cases().ArchiveClosed(now + std::chrono::hours(1), 100, now);
  ASSERT_TRUE(archived) << archived.error().message;
  ASSERT_GE(*archived, 2);
  ASSERT_EQ(Call(verb::get, "/api/v1/cases/" + gone, {}, &zhang_).status, 404);
  auto old = Lookup(gone, kName, kLast4);
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(old.json().at("stage").as_string(), "withdrawn");
  EXPECT_TRUE(old.json().at("archived").as_bool());
  EXPECT_EQ(Lookup(gone, kName, "3018").status, 404);
  EXPECT_EQ(Lookup(gone, "李四", kLast4).status, 404);
}

TEST_P(CaseLookupTest, EveryWrongDetailIsTheSame404) {
  std::string no = No(Apply());
  ASSERT_FALSE(no.empty());
  std::set<std::string> answers;
  for (const auto& [n, name, last4] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {no, "李四", kLast4},          // another name
           {no, "张", kLast4},            // a part of it
           {no, kName, "3018"},           // another ID
           {no, kName, "3301"},           // the first four
           {no, kName, "017X"},           // shifted by one
           {Another(no), kName, kLast4},  // no such case
           {"not-a-number", kName, kLast4}}) {
    auto r = Lookup(n, name, last4);
    EXPECT_EQ(r.status, 404) << n << " " << name << " " << last4 << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    // The same problem whatever was wrong: only the request path is in it besides.
    answers.insert(json::serialize(r.json().at("detail")) + json::serialize(r.json().at("type")));
  }
  EXPECT_EQ(answers.size(), 1u);
  // Five failures for that number: it is throttled now (the next test). Another case:
  // the tracking number is matched as everywhere else, a lower-case x being its check
  // character X.
  std::string again = No(Apply());
  std::string lower = again;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(Lookup(lower, kName, kLast4).status, 200);
  // A signed-in person needs the details as well: the session is not a proof.
  Session lisi = Login("lisi");
  EXPECT_EQ(Call(verb::post, "/api/v1/case-lookups",
                 Json({{"tracking_no", again}, {"name", "李四"}, {"id_last4", "4526"}}), &lisi)
                .status,
            404);
}

TEST_P(CaseLookupTest, GuessingIsThrottledPerNumberThenPerAddress) {
  std::string no = No(Apply());
  std::string other = No(Apply());
  ASSERT_FALSE(no.empty());
  ASSERT_FALSE(other.empty());
  // Five wrong guesses at one number: then it answers 429 with Retry-After, even to the
  // right details, for an hour.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Lookup(no, kName, "000" + std::to_string(i)).status, 404);
  auto blocked = Lookup(no, kName, kLast4);
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_FALSE(blocked.headers["retry-after"].empty());
  EXPECT_GT(std::stoi(blocked.headers["retry-after"]), 3000);
  // Another number is still answered: the address has failed five times of twenty.
  EXPECT_EQ(StageOf(other), "applied");
  // Fifteen more failures from this address, spread over numbers that do not exist:
  // then every lookup from it waits ten minutes.
  for (int i = 0; i < 15; ++i) {
    auto id = cases::ParseTrackingNo(no);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(
        Lookup(cases::TrackingNo(*id + 1000 + i, "2026-12-06T00:00:00Z"), kName, kLast4).status,
        404);
  }
  auto address = Lookup(other, kName, kLast4);
  EXPECT_EQ(address.status, 429) << address.body;
  int wait = std::stoi(address.headers["retry-after"]);
  EXPECT_GT(wait, 500);
  EXPECT_LE(wait, 601);
  // The applicant, signed in, still sees the case.
  EXPECT_EQ(Status(zhang_, "/api/v1/cases/" + other), 200);

  // Every refusal is audited: the number asked about and the address, failed or throttled;
  // never the name or digits given. (The batching writer: read until both are there.)
  Session auditor = Login("auditor");
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body = Call(verb::get, "/api/v1/audit?action=case.lookup_refused&limit=100", {}, &auditor).body;
    if (body.find("\"denied\"") != std::string::npos &&
        body.find("\"failure\"") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(body.find("\"denied\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"failure\""), std::string::npos) << body;
  EXPECT_NE(body.find(std::to_string(*cases::ParseTrackingNo(no))), std::string::npos) << body;
  EXPECT_EQ(body.find(kName), std::string::npos) << body;
  EXPECT_EQ(body.find("0003"), std::string::npos) << body;
}

// Behind a reverse proxy every connection comes from the proxy: the per-address limit
// counts the address the proxy names in X-Forwarded-For, but only for a proxy the
// configuration trusts; anyone else's header is ignored (else a guesser would write a new
// address into every request).
TEST_P(CaseLookupTest, TheAddressLimitCountsClientsBehindATrustedProxyOnly) {
  std::string no = No(Apply());
  ASSERT_FALSE(no.empty());
  // Not trusted (the default): the header changes nothing, the connection is limited.
  FailTwentyTimes(no, "198.51.100.1");
  EXPECT_EQ(Lookup(no, kName, kLast4, "198.51.100.2").status, 429);

  // Trusted: each client behind the proxy has its own count, and what a client wrote
  // into the header itself (the left entries) does not choose its address.
  Start([](Config& c) { c.trusted_proxies = "127.0.0.1, ::1"; });
  FailTwentyTimes(no, "198.51.100.3");
  EXPECT_EQ(Lookup(no, kName, kLast4, "198.51.100.3").status, 429);
  EXPECT_EQ(Lookup(no, kName, kLast4, "10.9.9.9, 198.51.100.3").status, 429);
  EXPECT_EQ(Lookup(no, kName, kLast4, "198.51.100.4").status, 200);
}

TEST_P(CaseLookupTest, BadInputIsA422AndCountsForNothing) {
  for (const std::string& body :
       {std::string("{}"), std::string(R"({"tracking_no":"X","name":"张三"})"),
        std::string(R"({"tracking_no":"X","name":"张三","id_last4":"30171"})"),
        std::string(R"({"tracking_no":"X","name":"张三","id_last4":"30-7"})"),
        std::string(R"({"tracking_no":"X","name":"","id_last4":"3017"})"),
        std::string(R"({"tracking_no":"X","name":"张三","id_last4":"3017","extra":1})"),
        std::string(R"({"tracking_no":7,"name":"张三","id_last4":"3017"})")}) {
    auto r = Call(verb::post, "/api/v1/case-lookups", body);
    EXPECT_EQ(r.status, 422) << body << ": " << r.body;
  }
  EXPECT_EQ(Call(verb::post, "/api/v1/case-lookups", "not json").status, 400);
  EXPECT_EQ(Call(verb::get, "/api/v1/case-lookups").status, 405);
  // None of them counted as a guess.
  std::string no = No(Apply());
  EXPECT_EQ(StageOf(no), "applied");
}

OW_INSTANTIATE_STORE_TESTS(CaseLookupTest);

}  // namespace
}  // namespace ow::testing
