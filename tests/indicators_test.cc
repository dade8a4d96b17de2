// Indicators of supervision (issue 17 part 4) against a real server on both stores: the
// aggregates the transitions keep are checked against a hand count of seeded cases (and
// against the cases table itself), by day and by department with the previous period; and
// the attackers: a supervisor of another region, a city supervisor asking for the province,
// a resident, a department's acceptor, a client token without the scope, bad periods.
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "db/database.h"
#include "ratings/service.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"
#include "tickets/service.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // implemented in 330102 by 330102-SCJG
constexpr const char* kJune = "region=3301&from=2030-06-01&to=2030-06-30";

// 10:00 in China on `date`.
SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
}

int64_t Int(const json::value& figures, const char* key) {
  return figures.as_object().at(key).as_int64();
}

class IndicatorsTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SetDay("2030-06-06");  // a Thursday; no calendar published: weekends are the days off
  }

  void SetDay(const std::string& day) {
    SystemTime t = At(day);
    server_->app().cases().SetClock([t] { return t; });
    server_->app().ratings().SetClock([t] { return t; });
    server_->app().tickets().SetClock([t] { return t; });
  }

  json::object Submitted(const Session& s) {
    auto r = Submit(s, kItem, "330102", GtdjForm());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  HttpResponse Indicators(const std::string& query, const Session* s,
                          std::map<std::string, std::string> headers = {}) {
    return Call(verb::get, "/api/v1/indicators?" + query, {}, s, std::move(headers));
  }

  // Counted straight from the cases table: the hand count's second opinion.
  int64_t CasesWhere(const std::string& condition) {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM cases WHERE region_code LIKE "
                                          "'3301%' AND " +
                                          condition));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }
};

TEST_P(IndicatorsTest, TransitionsKeepTheAggregatesThatAHandCountGives) {
  Session person = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  Session supervisor = Login("supervisor");  // 3301: the city, above 330102

  // Three applications on Thursday 6 June; A is decided and delivered the same day.
  json::object a = Submitted(person), b = Submitted(person), c = Submitted(person);
  a = Accept(acceptor, a);
  ASSERT_EQ(Complete(approver, TaskOf(a, "Approve"), "approve").status, 200);
  auto d = Call(verb::post, "/api/v1/cases/" + No(a) + "/deliver", Json({{"method", "counter"}}),
                &acceptor);
  ASSERT_EQ(d.status, 200) << d.body;
  // B is accepted on Thursday and decided on Monday 10 June: two working days.
  b = Accept(acceptor, b);
  SetDay("2030-06-10");
  ASSERT_EQ(Complete(approver, TaskOf(b, "Approve"), "approve").status, 200);
  // A bad rating of A, and a complaint about the item, answered the same Monday.
  auto rated = Call(verb::post, "/api/v1/ratings",
                    Json({{"case_no", No(a)},
                          {"level", 1},
                          {"reasons", json::array{"long_wait"}},
                          {"comment", "等了很久"}}),
                    &person);
  ASSERT_EQ(rated.status, 201) << rated.body;
  auto asked = Call(verb::post, "/api/v1/tickets",
                    Json({{"kind", "complaint"},
                          {"item_code", kItem},
                          {"region_code", "330102"},
                          {"text", "窗口排队时间太长"}}),
                    &person);
  ASSERT_EQ(asked.status, 201) << asked.body;
  json::object t = asked.json().as_object();
  auto answered =
      Call(verb::post, "/api/v1/tickets/" + std::string(t.at("number").as_string()) + "/answer",
           Json({{"version", t.at("version").as_int64()}, {"answer", "已增开窗口"}}), &acceptor);
  ASSERT_EQ(answered.status, 200) << answered.body;

  auto r = Indicators(kJune, &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value doc = r.json();
  const json::value& totals = doc.at("totals");
  // The hand count.
  EXPECT_EQ(Int(totals, "submitted"), 3);
  EXPECT_EQ(Int(totals, "online"), 3);
  EXPECT_EQ(Int(totals, "decided"), 2);
  EXPECT_EQ(Int(totals, "approved"), 2);
  EXPECT_EQ(Int(totals, "on_time"), 2);
  EXPECT_EQ(Int(totals, "decide_days_sum"), 2);
  EXPECT_EQ(Int(totals, "delivered"), 1);
  EXPECT_EQ(Int(totals, "visits"), 1);  // A's result was collected at the counter
  EXPECT_EQ(Int(totals, "ratings"), 1);
  EXPECT_EQ(Int(totals, "bad"), 1);
  EXPECT_EQ(Int(totals, "satisfied"), 0);
  EXPECT_EQ(Int(totals, "tickets"), 1);
  EXPECT_EQ(Int(totals, "complaints"), 1);
  EXPECT_EQ(Int(totals, "answered"), 1);
  EXPECT_EQ(Int(totals, "answered_on_time"), 1);
  EXPECT_DOUBLE_EQ(totals.at("online_share").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(totals.at("average_days").as_double(), 1.0);
  EXPECT_EQ(Int(totals, "p90_days"), 2);
  EXPECT_DOUBLE_EQ(totals.at("satisfaction").as_double(), 0.0);
  EXPECT_TRUE(totals.at("no_show_rate").is_null());  // nothing booked
  // The second opinion: the cases table itself.
  EXPECT_EQ(Int(totals, "submitted"), CasesWhere("created_at >= '2030-06-01'"));
  EXPECT_EQ(Int(totals, "delivered"), CasesWhere("status = 'delivered'"));
  EXPECT_EQ(Int(totals, "decided") - Int(totals, "delivered"), CasesWhere("status = 'approved'"));
  // Nothing in the month before.
  EXPECT_EQ(doc.at("previous").at("from").as_string(), "2030-05-02");
  EXPECT_EQ(Int(doc.at("previous").at("figures"), "submitted"), 0);

  // By day: Thursday's and Monday's rows.
  r = Indicators(std::string(kJune) + "&group=day", &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = r.json();
  const json::array& days = doc.at("rows").as_array();
  ASSERT_EQ(days.size(), 2u) << r.body;
  EXPECT_EQ(days[0].at("key").as_string(), "2030-06-06");
  EXPECT_EQ(Int(days[0].at("figures"), "submitted"), 3);
  EXPECT_EQ(Int(days[0].at("figures"), "decided"), 1);
  EXPECT_EQ(days[1].at("key").as_string(), "2030-06-10");
  EXPECT_EQ(Int(days[1].at("figures"), "decided"), 1);
  EXPECT_EQ(Int(days[1].at("figures"), "p90_days"), 2);
  // By ISO week: week 23 (Thursday) and week 24 (Monday).
  r = Indicators(std::string(kJune) + "&group=week", &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = r.json();
  ASSERT_EQ(doc.at("rows").as_array().size(), 2u) << r.body;
  EXPECT_EQ(doc.at("rows").at(0).at("key").as_string(), "2030-W23");
  // The departments of the city, ranked; and the county as a child region.
  r = Indicators(std::string(kJune) + "&group=department&rank_by=satisfaction", &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = r.json();
  ASSERT_EQ(doc.at("rows").as_array().size(), 1u) << r.body;
  EXPECT_EQ(doc.at("rows").at(0).at("key").as_string(), "330102-SCJG");
  EXPECT_EQ(doc.at("rows").at(0).at("rank").as_int64(), 1);
  r = Indicators(std::string(kJune) + "&group=region", &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("rows").at(0).at("key").as_string(), "330102");
  // The next month compares with June.
  r = Indicators("region=3301&from=2030-07-01&to=2030-07-30", &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Int(r.json().at("previous").at("figures"), "submitted"), 3);
  EXPECT_EQ(Int(r.json().at("totals"), "submitted"), 0);
  // An evaluator's system with client credentials and indicators.read reads the same.
  Caller evaluator = ClientToken(*client_, *server_, "indicators.read");
  r = Indicators(kJune, nullptr, evaluator.headers);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Int(r.json().at("totals"), "submitted"), 3);
}

// The public page of ratings (好差评 公示): anyone reads each department's counts and rates,
// which a hand count gives, and nothing that names a person, a case or a member of staff.
TEST_P(IndicatorsTest, ThePublicReadsEachDepartmentsRatingsAndNobodyInThem) {
  Session person = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  std::vector<std::string> rated;
  for (int level : {1, 5}) {
    json::object c = Accept(acceptor, Submitted(person));
    ASSERT_EQ(Complete(approver, TaskOf(c, "Approve"), "approve").status, 200);
    auto d = Call(verb::post, "/api/v1/cases/" + No(c) + "/deliver", Json({{"method", "online"}}),
                  &acceptor);
    ASSERT_EQ(d.status, 200) << d.body;
    auto r = Call(verb::post, "/api/v1/ratings",
                  Json({{"case_no", No(c)},
                        {"level", level},
                        {"reasons", json::array{level == 1 ? "long_wait" : "fast"}},
                        {"comment", "窗口的王某态度"}}),
                  &person);
    ASSERT_EQ(r.status, 201) << r.body;
    rated.push_back(No(c));
  }
  const std::string target = "/api/v1/rating-summary?region=33&from=2030-06-01&to=2030-06-30";
  auto r = Call(verb::get, target);  // no sign-in
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=300");
  json::value doc = r.json();
  const json::array& departments = doc.at("departments").as_array();
  ASSERT_EQ(departments.size(), 1u) << r.body;
  const json::value& dept = departments[0];
  EXPECT_EQ(dept.at("department_code").as_string(), "330102-SCJG");
  EXPECT_EQ(dept.at("rank").as_int64(), 1);
  EXPECT_EQ(Int(dept, "ratings"), 2);
  EXPECT_EQ(Int(dept, "satisfied"), 1);
  EXPECT_EQ(Int(dept, "bad"), 1);
  EXPECT_EQ(Int(dept, "rectified"), 0);
  EXPECT_DOUBLE_EQ(dept.at("satisfaction").as_double(), 0.5);
  EXPECT_DOUBLE_EQ(dept.at("average_level").as_double(), 3.0);
  EXPECT_DOUBLE_EQ(dept.at("rectification_rate").as_double(), 0.0);
  EXPECT_EQ(Int(doc.at("totals"), "ratings"), 2);
  EXPECT_EQ(Int(doc.at("previous").at("totals"), "ratings"), 0);
  // The second opinion: the ratings table itself.
  int64_t stored = -1;
  ASSERT_TRUE(server_->app().database().Read([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(auto q, c.Query("SELECT COUNT(*) FROM ratings"));
    stored = q.Int(0, 0);
    return {};
  }));
  EXPECT_EQ(Int(dept, "ratings"), stored);
  // Nobody in it: no person, comment, case, item or member of staff.
  for (const std::string& leak :
       {std::string("张三"), std::string("zhangsan"), std::string("王某"),
        std::string("sc.acceptor"), std::string(kItem), rated[0], rated[1]})
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak << " in " << r.body;
  // Cache-friendly: the same answer for everyone, revalidated by its ETag.
  const std::string etag = r.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Call(verb::get, target, {}, &person).body, r.body);
  EXPECT_EQ(Call(verb::get, target, {}, nullptr, {{"If-None-Match", etag}}).status, 304);
  // Bad queries are named.
  EXPECT_EQ(Call(verb::get, "/api/v1/rating-summary?region=x&from=2030-06-01&to=2030-06-30").status,
            422);
  EXPECT_EQ(Call(verb::get, "/api/v1/rating-summary?region=33&from=2030-06-01").status, 422);
  EXPECT_EQ(
      Call(verb::get, "/api/v1/rating-summary?region=33&from=2029-01-01&to=2030-06-30").status,
      422);
  // Another month: nothing yet, June as the period before.
  r = Call(verb::get, "/api/v1/rating-summary?region=3301&from=2030-07-01&to=2030-07-30");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("departments").as_array().empty()) << r.body;
  EXPECT_EQ(Int(r.json().at("previous").at("totals"), "ratings"), 2);
}

// The XLSX read back by exceljs (tests/xlsx, an independent reader): one JSON object per
// data row, keyed by the header row.
std::vector<json::object> ReadXlsx(const std::string& bytes) {
  char path[] = "/tmp/ow-indicators-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  close(fd);
  std::ofstream(path, std::ios::binary) << bytes;
  std::string cmd = "node " + SourceDir() + "/tests/xlsx/read-indicators.cjs " + path + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << out;
  }
  std::remove(path);
  std::vector<json::object> rows;
  size_t at = 0;
  while (at < out.size()) {
    size_t end = out.find('\n', at);
    std::string line = out.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? out.size() : end + 1;
    if (line.empty()) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    EXPECT_FALSE(ec) << line;
    if (!ec) rows.push_back(v.at("values").as_object());
  }
  return rows;
}

TEST_P(IndicatorsTest, ExportsAreSignedAuditedAndReadBackByAnotherReader) {
  Session person = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  Session supervisor = Login("supervisor");
  json::object a = Submitted(person);
  Submitted(person);
  a = Accept(acceptor, a);
  ASSERT_EQ(Complete(approver, TaskOf(a, "Approve"), "approve").status, 200);

  const std::string q = std::string(kJune) + "&group=department";
  auto csv = Call(verb::get, "/api/v1/indicators/export?" + q + "&format=csv", {}, &supervisor);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("x-content-sha256"), crypto::HexEncode(crypto::Sha256(csv.body)));
  // Header, the department's row, the totals.
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")).substr(0, 36),
            "key,rank,submitted,online,visits,dec");
  EXPECT_NE(csv.body.find("\r\n330102-SCJG,1,2,2,0,1,1,1,0,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\r\ntotal,0,2,2,0,1,1,1,0,"), std::string::npos) << csv.body;

  // The signature: a JWS by the provider's published key over a manifest naming the digest.
  auto jwks = Call(verb::get, "/oauth2/jwks");
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  const json::value keys = jwks.json();
  crypto::KeyLookup lookup = [&](std::string_view kid) -> std::optional<crypto::SigningKey> {
    for (const auto& k : keys.at("keys").as_array())
      if (k.at("kid").as_string() == kid) {
        auto key = crypto::SigningKey::FromPublicJwk(k.as_object());
        if (key) return *key;
      }
    return std::nullopt;
  };
  auto verified = crypto::VerifyJwt(csv.header("x-onewindow-signature"), lookup);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->header.at("typ").as_string(), "ow-indicators-export+jwt");
  EXPECT_EQ(verified->claims.at("sha256").as_string(), csv.header("x-content-sha256"));
  EXPECT_EQ(verified->claims.at("region").as_string(), "3301");
  EXPECT_EQ(verified->claims.at("exported_by").as_string(), "supervisor");
  // Changed by one byte, the file no longer matches what was signed.
  std::string tampered = csv.body;
  tampered[tampered.size() - 3] ^= 1;
  EXPECT_NE(crypto::HexEncode(crypto::Sha256(tampered)),
            std::string(verified->claims.at("sha256").as_string()));

  // The XLSX, read by exceljs: the same numbers, as numbers.
  auto xlsx = Call(verb::get, "/api/v1/indicators/export?" + q + "&format=xlsx", {}, &supervisor);
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.header("x-content-sha256"), crypto::HexEncode(crypto::Sha256(xlsx.body)));
  auto rows = ReadXlsx(xlsx.body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("key").as_string(), "330102-SCJG");
  EXPECT_EQ(rows[0].at("submitted").to_number<double>(), 2.0);
  EXPECT_EQ(rows[0].at("decided").to_number<double>(), 1.0);
  EXPECT_EQ(rows[0].at("online_share").to_number<double>(), 1.0);
  EXPECT_EQ(rows[0].at("on_time_rate").to_number<double>(), 1.0);
  EXPECT_TRUE(rows[0].at("satisfaction").is_null());
  EXPECT_EQ(rows[1].at("key").as_string(), "total");
  EXPECT_EQ(rows[1].at("submitted").to_number<double>(), 2.0);

  // Both exports are in the audit log, with their digests.
  Session auditor = Login("auditor");
  auto audit = Call(verb::get, "/api/v1/audit?action=indicators.export&subject=3301", {}, &auditor);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.json().at("records").as_array().size(), 2u) << audit.body;
  EXPECT_NE(audit.body.find(xlsx.header("x-content-sha256")), std::string::npos);

  // The same refusals as the read; an unknown format.
  Session other = Staff("xh.supervisor", "330106-GOV", "330106", "supervisor");
  EXPECT_EQ(Call(verb::get, "/api/v1/indicators/export?" + q, {}, &other).status, 403);
  EXPECT_EQ(Call(verb::get, "/api/v1/indicators/export?" + q, {}, &person).status, 403);
  EXPECT_EQ(
      Call(verb::get, "/api/v1/indicators/export?" + q + "&format=pdf", {}, &supervisor).status,
      422);
}

TEST_P(IndicatorsTest, OnlyTheRegionsSupervisorsAndEvaluatorsReadThem) {
  Session person = Login("zhangsan");
  Submitted(person);
  Session city = Login("supervisor");  // 3301
  Session other = Staff("xh.supervisor", "330106-GOV", "330106", "supervisor");
  // Another county's supervisor: not this city, nor this county; their own county is empty.
  EXPECT_EQ(Indicators(kJune, &other).status, 403);
  EXPECT_EQ(Indicators("region=330102&from=2030-06-01&to=2030-06-30", &other).status, 403);
  auto own = Indicators("region=330106&from=2030-06-01&to=2030-06-30", &other);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Int(own.json().at("totals"), "submitted"), 0);
  // The city's supervisor may not read the province.
  EXPECT_EQ(Indicators("region=33&from=2030-06-01&to=2030-06-30", &city).status, 403);
  // A resident, a department's acceptor, nobody.
  EXPECT_EQ(Indicators(kJune, &person).status, 403);
  Session acceptor = Login("sc.acceptor");
  EXPECT_EQ(Indicators(kJune, &acceptor).status, 403);
  EXPECT_EQ(Indicators(kJune, nullptr).status, 401);
  // A system without the scope; a person's token for an application.
  Caller reader = ClientToken(*client_, *server_, "cases.read");
  EXPECT_EQ(Indicators(kJune, nullptr, reader.headers).status, 403);
  // Bad questions are 422 with the field named.
  auto bad = Indicators("region=3301&from=2030-06-30&to=2030-06-01", &city);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("\"to\""), std::string::npos) << bad.body;
  EXPECT_EQ(Indicators("region=3301&from=2029-01-01&to=2030-06-01", &city).status, 422);
  EXPECT_EQ(Indicators("region=3301&from=2030-06-01&to=2030-06-30&group=case", &city).status, 422);
  EXPECT_EQ(Indicators("region=33x1&from=2030-06-01&to=2030-06-30", &city).status, 422);
  EXPECT_EQ(Indicators("region=3301&from=2030-06-01", &city).status, 422);
  EXPECT_EQ(Indicators("region=3301&from=2030-06-01&to=2030-06-30&rank_by=submitted", &city).status,
            422);
}

OW_INSTANTIATE_STORE_TESTS(IndicatorsTest);

}  // namespace
}  // namespace ow::testing
