// Indicators of supervision (issue 17 part 4) against a real server on both stores: the
// aggregates the transitions keep are checked against a hand count of seeded cases (and
// against the cases table itself), by day and by department with the previous period; and
// the attackers: a supervisor of another region, a city supervisor asking for the province,
// a resident, a department's acceptor, a client token without the scope, bad periods.
// Third-party evaluation (issue 17 part 6): the anonymised ratings (JSON, CSV and the XLSX
// sheet read back by exceljs) carry masked text and no case number, person or staff name;
// the capability report's PDF, read by pdftotext, prints the figures a hand count of the
// seeded catalogue and cases gives; both are signed and audited, and refused to the same
// attackers.
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cases/service.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "db/database.h"
#include "indicators/recorder.h"
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

  // The hand-counted month: three applications on Thursday 6 June 2030; A is accepted,
  // decided and delivered that day (collected at the counter: one visit); B is accepted on
  // Thursday and decided on Monday 10 June (two working days); a 差评 of A with `comment`,
  // and a complaint about the item answered the same Monday ("{case}" in `comment` stands
  // for A's number). Returns A's number; the rating's number in rating_number_.
  std::string SeedJune(std::string comment) {
    Session person = Login("zhangsan");
    Session acceptor = Login("sc.acceptor");
    Session approver = Login("sc.approver");
    json::object a = Submitted(person), b = Submitted(person);
    Submitted(person);
    a = Accept(acceptor, a);
    EXPECT_EQ(Complete(approver, TaskOf(a, "Approve"), "approve").status, 200);
    auto d = Call(verb::post, "/api/v1/cases/" + No(a) + "/deliver", Json({{"method", "counter"}}),
                  &acceptor);
    EXPECT_EQ(d.status, 200) << d.body;
    b = Accept(acceptor, b);
    SetDay("2030-06-10");
    EXPECT_EQ(Complete(approver, TaskOf(b, "Approve"), "approve").status, 200);
    if (size_t at = comment.find("{case}"); at != std::string::npos) comment.replace(at, 6, No(a));
    auto rated = Call(verb::post, "/api/v1/ratings",
                      Json({{"case_no", No(a)},
                            {"level", 1},
                            {"reasons", json::array{"long_wait"}},
                            {"comment", comment}}),
                      &person);
    EXPECT_EQ(rated.status, 201) << rated.body;
    if (rated.status == 201) rating_number_ = rated.json().at("number").as_string();
    auto asked = Call(verb::post, "/api/v1/tickets",
                      Json({{"kind", "complaint"},
                            {"item_code", kItem},
                            {"region_code", "330102"},
                            {"text", "窗口排队时间太长"}}),
                      &person);
    EXPECT_EQ(asked.status, 201) << asked.body;
    if (asked.status == 201) {
      json::object t = asked.json().as_object();
      auto answered = Call(
          verb::post, "/api/v1/tickets/" + std::string(t.at("number").as_string()) + "/answer",
          Json({{"version", t.at("version").as_int64()}, {"answer", "已增开窗口"}}), &acceptor);
      EXPECT_EQ(answered.status, 200) << answered.body;
    }
    return No(a);
  }

  // The claims of the platform's signature over a file (X-OneWindow-Signature), checked with
  // the published JWKS, after checking that they name the file's SHA-256.
  json::object VerifiedClaims(const HttpResponse& r) {
    auto jwks = Call(verb::get, "/oauth2/jwks");
    EXPECT_EQ(jwks.status, 200) << jwks.body;
    const json::value keys = jwks.json();
    crypto::KeyLookup lookup = [&](std::string_view kid) -> std::optional<crypto::SigningKey> {
      for (const auto& k : keys.at("keys").as_array())
        if (k.at("kid").as_string() == kid) {
          auto key = crypto::SigningKey::FromPublicJwk(k.as_object());
          if (key) return *key;
        }
      return std::nullopt;
    };
    auto verified = crypto::VerifyJwt(r.header("x-onewindow-signature"), lookup);
    EXPECT_TRUE(verified) << (verified ? "" : verified.error().message);
    if (!verified) return {};
    EXPECT_EQ(verified->header.at("typ").as_string(), "ow-indicators-export+jwt");
    EXPECT_EQ(r.header("x-content-sha256"), crypto::HexEncode(crypto::Sha256(r.body)));
    EXPECT_EQ(verified->claims.at("sha256").as_string(), r.header("x-content-sha256"));
    return verified->claims;
  }

  // The audit records of `action` about region 3301.
  size_t AuditCount(const std::string& action) {
    Session auditor = Login("auditor");
    auto audit = Call(verb::get, "/api/v1/audit?action=" + action + "&subject=3301", {}, &auditor);
    EXPECT_EQ(audit.status, 200) << audit.body;
    return audit.status == 200 ? audit.json().at("records").as_array().size() : 0;
  }

  std::string rating_number_;
};

TEST_P(IndicatorsTest, TransitionsKeepTheAggregatesThatAHandCountGives) {
  SeedJune("等了很久");
  Session supervisor = Login("supervisor");  // 3301: the city, above 330102

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

// A file of `bytes` in /tmp, removed with the object.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes, const char* suffix) {
    char p[] = "/tmp/ow-report-test-XXXXXX";
    int fd = mkstemp(p);
    close(fd);
    std::remove(p);
    path = std::string(p) + suffix;
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// Whitespace runs (pdftotext's line and cell breaks) as one space.
std::string Squeeze(const std::string& s) {
  std::string out;
  for (char ch : s) {
    bool space = ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(ch);
    }
  }
  return out;
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
// data row of `sheet`, keyed by the header row.
std::vector<json::object> ReadXlsx(const std::string& bytes,
                                   const std::string& sheet = "indicators") {
  char path[] = "/tmp/ow-indicators-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  close(fd);
  std::ofstream(path, std::ios::binary) << bytes;
  std::string cmd =
      "node " + SourceDir() + "/tests/xlsx/read-indicators.cjs " + path + " " + sheet + " 2>&1";
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
  json::object claims = VerifiedClaims(csv);
  EXPECT_EQ(claims.at("region").as_string(), "3301");
  EXPECT_EQ(claims.at("exported_by").as_string(), "supervisor");
  // Changed by one byte, the file no longer matches what was signed.
  std::string tampered = csv.body;
  tampered[tampered.size() - 3] ^= 1;
  EXPECT_NE(crypto::HexEncode(crypto::Sha256(tampered)),
            std::string(claims.at("sha256").as_string()));

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
  EXPECT_EQ(AuditCount("indicators.export"), 2u) << audit.body;
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

// The rollups (indicators/store.h) through the API after a mix of transitions over the end of
// June and the start of July: a read over partial and whole months (month rows for July, day
// rows for the second half of June) answers what its day rows add up to, whatever it is
// grouped by (indicators_store_test checks the rows themselves).
TEST_P(IndicatorsTest, ReadsOverWholeAndPartialMonthsAddUpToTheDays) {
  Session person = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  Session approver = Login("sc.approver");
  Session supervisor = Login("supervisor");
  SetDay("2030-06-27");  // a Thursday
  json::object a = Submitted(person), b = Submitted(person), c = Submitted(person);
  a = Accept(acceptor, a);
  b = Accept(acceptor, b);
  ASSERT_EQ(Complete(approver, TaskOf(a, "Approve"), "approve").status, 200);
  SetDay("2030-07-01");
  auto denied = Complete(approver, TaskOf(b, "Approve"), "deny", "不符合受理条件");
  ASSERT_EQ(denied.status, 200) << denied.body;
  auto withdrawn = Call(verb::post, "/api/v1/cases/" + No(c) + "/withdraw",
                        Json({{"reason", "不再需要"}}), &person);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  auto delivered = Call(verb::post, "/api/v1/cases/" + No(a) + "/deliver",
                        Json({{"method", "counter"}}), &acceptor);
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  json::object d = Accept(acceptor, Submitted(person));
  SetDay("2030-07-09");
  ASSERT_EQ(Complete(approver, TaskOf(d, "Approve"), "approve").status, 200);
  auto rated = Call(verb::post, "/api/v1/ratings",
                    Json({{"case_no", No(a)}, {"level", 5}, {"reasons", json::array{}}}), &person);
  ASSERT_EQ(rated.status, 201) << rated.body;

  // Reads: the second half of June (days) and all of July (a month row).
  const std::string q = "region=3301&from=2030-06-15&to=2030-07-31";
  auto by_day = Indicators(q + "&group=day", &supervisor);
  ASSERT_EQ(by_day.status, 200) << by_day.body;
  json::value days = by_day.json();
  const json::value& totals = days.at("totals");
  EXPECT_EQ(Int(totals, "submitted"), 4);
  EXPECT_EQ(Int(totals, "decided"), 3);
  EXPECT_EQ(Int(totals, "approved"), 2);
  EXPECT_EQ(Int(totals, "delivered"), 1);
  EXPECT_EQ(Int(totals, "ratings"), 1);
  std::map<std::string, std::map<std::string, int64_t>> by_month_from_days;
  std::map<std::string, int64_t> from_days;
  for (const auto& row : days.at("rows").as_array()) {
    std::string month(row.at("key").as_string().subview().substr(0, 7));
    for (const char* m : indicators::kMetricNames) {
      from_days[m] += Int(row.at("figures"), m);
      by_month_from_days[month][m] += Int(row.at("figures"), m);
    }
  }
  for (const char* m : indicators::kMetricNames) EXPECT_EQ(Int(totals, m), from_days[m]) << m;
  for (const char* group : {"month", "week", "region", "department", "item", "channel", "hall"}) {
    auto r = Indicators(q + "&group=" + group, &supervisor);
    ASSERT_EQ(r.status, 200) << r.body;
    json::value doc = r.json();
    std::map<std::string, int64_t> rows_sum;
    for (const auto& row : doc.at("rows").as_array()) {
      for (const char* m : indicators::kMetricNames) rows_sum[m] += Int(row.at("figures"), m);
      if (std::string(group) == "month") {
        std::string key(row.at("key").as_string());
        for (const char* m : indicators::kMetricNames)
          EXPECT_EQ(Int(row.at("figures"), m), by_month_from_days[key][m]) << key << " " << m;
      }
    }
    for (const char* m : indicators::kMetricNames) {
      EXPECT_EQ(Int(doc.at("totals"), m), from_days[m]) << group << " " << m;
      EXPECT_EQ(rows_sum[m], from_days[m]) << group << " " << m;
    }
    EXPECT_EQ(doc.at("totals").at("p90_days"), totals.at("p90_days")) << group;
  }
  // The same read of the county and its department, and of July alone, from month rows.
  auto dept = Indicators(
      "region=330102&department=330102-SCJG&from=2030-06-15&to=2030-07-31&group=item", &supervisor);
  ASSERT_EQ(dept.status, 200) << dept.body;
  EXPECT_EQ(Int(dept.json().at("totals"), "decided"), 3);
  auto july = Indicators("region=3301&from=2030-07-01&to=2030-07-31", &supervisor);
  ASSERT_EQ(july.status, 200) << july.body;
  EXPECT_EQ(Int(july.json().at("totals"), "submitted"), by_month_from_days["2030-07"]["submitted"]);
  EXPECT_EQ(Int(july.json().at("previous").at("figures"), "submitted"), 3);
}

// What nothing an evaluator receives may hold.
void ExpectNothingIdentifying(const std::string& body, const std::string& case_no,
                              const std::string& rating_number) {
  EXPECT_EQ(body.find(case_no), std::string::npos) << body;
  EXPECT_EQ(body.find(case_no.substr(0, 18)), std::string::npos) << body;
  EXPECT_FALSE(rating_number.empty());
  EXPECT_EQ(body.find(rating_number), std::string::npos) << body;
  EXPECT_EQ(body.find("13812345678"), std::string::npos) << body;
  EXPECT_EQ(body.find("330102199003073017"), std::string::npos) << body;
  EXPECT_EQ(body.find("张三"), std::string::npos) << body;
  EXPECT_EQ(body.find("zhangsan"), std::string::npos) << body;
  EXPECT_EQ(body.find("sc.acceptor"), std::string::npos) << body;
}

constexpr const char* kMasked =
    "[name]先生说办件号[number]还要等，电话[phone]，身份证[id]，我叫[name]";

TEST_P(IndicatorsTest, AnonymisedRatingsAreMaskedKeyedAndAudited) {
  const std::string case_no =
      SeedJune("王先生说办件号{case}还要等，电话13812345678，身份证330102199003073017，我叫张三");
  Session supervisor = Login("supervisor");
  auto r = Call(verb::get, std::string("/api/v1/indicators/ratings?") + kJune, {}, &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value doc = r.json();
  const json::array& list = doc.at("ratings").as_array();
  ASSERT_EQ(list.size(), 1u) << r.body;
  const json::object& one = list[0].as_object();
  EXPECT_EQ(one.at("level").as_int64(), 1);
  EXPECT_EQ(one.at("reasons").as_array(), (json::array{"long_wait"}));
  EXPECT_EQ(one.at("day").as_string(), "2030-06-10");
  EXPECT_EQ(one.at("channel").as_string(), "online");
  EXPECT_EQ(one.at("item_code").as_string(), kItem);
  EXPECT_EQ(one.at("stage").as_string(), "department");  // its rectification is open
  EXPECT_EQ(one.at("comment").as_string(), kMasked);
  ExpectNothingIdentifying(r.body, case_no, rating_number_);
  // The case key groups within one read and changes with the next: nothing to look up.
  const std::string key(one.at("case_key").as_string());
  EXPECT_EQ(key.size(), 17u);
  auto again = Call(verb::get, std::string("/api/v1/indicators/ratings?") + kJune, {}, &supervisor);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.json().at("ratings").at(0).at("case_key").as_string(), key);
  // The day before the rating: nothing.
  auto before =
      Call(verb::get, "/api/v1/indicators/ratings?region=3301&from=2030-06-01&to=2030-06-09", {},
           &supervisor);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(before.json().at("ratings").as_array().empty()) << before.body;
  EXPECT_EQ(AuditCount("indicators.ratings"), 3u);

  // The CSV of the ratings: signed, the same masked text, no case number.
  auto csv = Call(verb::get,
                  std::string("/api/v1/indicators/export?") + kJune + "&format=csv&dataset=ratings",
                  {}, &supervisor);
  ASSERT_EQ(csv.status, 200) << csv.body;
  json::object claims = VerifiedClaims(csv);
  EXPECT_EQ(claims.at("dataset").as_string(), "ratings");
  EXPECT_EQ(claims.at("ratings").as_int64(), 1);
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")),
            "case_key,day,region_code,department_code,item_code,channel,service_channel,level,"
            "reasons,stage,outcome,comment");
  EXPECT_NE(csv.body.find(std::string(",2030-06-10,330102,330102-SCJG,") + kItem + ",online,"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find(kMasked), std::string::npos) << csv.body;
  ExpectNothingIdentifying(csv.body, case_no, rating_number_);

  // The XLSX: the sheet "ratings", read by exceljs.
  auto xlsx = Call(verb::get, std::string("/api/v1/indicators/export?") + kJune + "&format=xlsx",
                   {}, &supervisor);
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(VerifiedClaims(xlsx).at("ratings").as_int64(), 1);
  auto rows = ReadXlsx(xlsx.body, "ratings");
  ASSERT_EQ(rows.size(), 1u);
  ExpectNothingIdentifying(json::serialize(rows[0]), case_no, rating_number_);
  EXPECT_EQ(rows[0].at("comment").as_string(), kMasked);
  EXPECT_EQ(rows[0].at("level").to_number<double>(), 1.0);
  EXPECT_EQ(rows[0].at("reasons").as_string(), "long_wait");
  EXPECT_EQ(rows[0].at("case_key").as_string().size(), 17u);
  // The indicators sheet is still there.
  EXPECT_EQ(ReadXlsx(xlsx.body).back().at("key").as_string(), "total");
  EXPECT_EQ(AuditCount("indicators.export"), 2u);
  // XLSX holds both sheets: dataset is a CSV choice only.
  EXPECT_EQ(Call(verb::get,
                 std::string("/api/v1/indicators/export?") + kJune + "&format=xlsx&dataset=ratings",
                 {}, &supervisor)
                .status,
            422);
}

TEST_P(IndicatorsTest, TheCapabilityReportPrintsTheHandCountedFigures) {
  SeedJune("好");
  Session supervisor = Login("supervisor");
  auto r = Call(verb::get, std::string("/api/v1/indicators/report?") + kJune, {}, &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/pdf");
  json::object claims = VerifiedClaims(r);
  EXPECT_EQ(claims.at("report").as_string(), "capability");
  EXPECT_EQ(claims.at("region").as_string(), "3301");
  EXPECT_EQ(AuditCount("indicators.report"), 1u);

  TempFile pdf(r.body, ".pdf");
  auto check = RunTool({"qpdf", "--check", pdf.path});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  auto text = RunTool({"pdftotext", "-enc", "UTF-8", pdf.path, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  const std::string t = Squeeze(text.output);
  auto has = [&](const std::string& s) {
    EXPECT_NE(t.find(s), std::string::npos) << s << "\n" << t;
  };
  has("政务服务能力评估报告");
  has("Capability Report of Government Services");
  has("3301 杭州市");
  has("2030-06-01 至 to 2030-06-30");
  for (const char* section :
       {"服务方式完备度", "Service coverage", "办理成熟度", "Online maturity", "办事指南准确度",
        "Guide accuracy", "在线服务成效度", "Response", "Effectiveness"})
    has(section);
  // The catalogue of 3301, counted by hand from demo/catalog.json: 44 published items
  // implemented in the city (none in the province itself); 43 of online depth 3 or 4, 29 of
  // depth 4; 32 needing no visit; 44 with a guide text; 7 with appointments, 14 with
  // delivery; 43 with a material an e-licence replaces; 23 with every guide element, the
  // other 21 lacking a promised limit within the statutory one (18 of them with no
  // statutory limit at all).
  // pdftotext reads a table's cells in its own order: the figures are checked by their
  // values, which are unique but for 43/44 (online, and e-licences), counted twice (the
  // denominators say how many items were counted).
  has("目录事项 Catalogue items");
  size_t online_and_licence = 0;
  for (size_t at = t.find("97.73% (43/44)"); at != std::string::npos;
       at = t.find("97.73% (43/44)", at + 1))
    ++online_and_licence;
  EXPECT_EQ(online_and_licence, 2u) << t;
  has("65.91% (29/44)");
  has("72.73% (32/44)");
  has("100.00% (44/44)");
  has("15.91% (7/44)");
  has("31.82% (14/44)");
  has("97.73% (43/44)");
  has("52.27% (23/44)");
  has("缺法定时限 no statutory time limit 18 项 items");
  has("too long 21 项 items");
  has("缺法律依据 no legal basis 0 项 items");
  // The period, as the first test counts it: 3 online applications, 1 visit, 2 decisions
  // on time in 2 working days together (p90 2), 1 complaint answered on time, one 差评,
  // neither satisfied nor rectified.
  has("网上申请占比 Online applications 100.00% (3/3)");
  has("0.33 (1/3)");
  has("100.00% (2/2)");
  has("1.00 日 days (2/2)");
  has("90% 办件用时 90th percentile 2 日 days");
  has("按时答复率 Answered on time 100.00% (1/1)");
  has("1（投诉 complaints 1）");
  size_t zero_of_one = 0;
  for (size_t at = t.find("0.00% (0/1)"); at != std::string::npos;
       at = t.find("0.00% (0/1)", at + 1))
    ++zero_of_one;
  EXPECT_EQ(zero_of_one, 2u) << "satisfaction and rectification rate:\n" << t;
  has("1.00 / 5 (1/1)");
}

TEST_P(IndicatorsTest, OnlyTheRegionsSupervisorsAndEvaluatorsGetThem) {
  SeedJune("好");
  Session person = Login("zhangsan");
  Session other = Staff("xh.supervisor", "330106-GOV", "330106", "supervisor");
  Caller without = ClientToken(*client_, *server_, "cases.read");
  Caller evaluator = ClientToken(*client_, *server_, "indicators.read");
  for (std::string path : {"/api/v1/indicators/ratings?", "/api/v1/indicators/report?",
                           "/api/v1/indicators/export?format=csv&dataset=ratings&"}) {
    const std::string target = path + kJune;
    EXPECT_EQ(Call(verb::get, target, {}, &person).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, &other).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, nullptr, without.headers).status, 403) << target;
    EXPECT_EQ(Call(verb::get, target, {}, nullptr).status, 401) << target;
    // Another county's supervisor may read their own county, which holds nothing of ours.
    auto own = Call(verb::get, path + "region=330106&from=2030-06-01&to=2030-06-30", {}, &other);
    EXPECT_EQ(own.status, 200) << own.body;
    auto ok = Call(verb::get, target, {}, nullptr, evaluator.headers);
    EXPECT_EQ(ok.status, 200) << target << ok.body;
  }
  auto own =
      Call(verb::get, "/api/v1/indicators/ratings?region=330106&from=2030-06-01&to=2030-06-30", {},
           &other);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_TRUE(own.json().at("ratings").as_array().empty());
  // Bad questions are 422.
  Session supervisor = Login("supervisor");
  EXPECT_EQ(Call(verb::get, "/api/v1/indicators/report?region=3301&from=2030-06-30&to=2030-06-01",
                 {}, &supervisor)
                .status,
            422);
  EXPECT_EQ(Call(verb::get, "/api/v1/indicators/ratings?region=3301", {}, &supervisor).status, 422);
  EXPECT_EQ(Call(verb::get, std::string("/api/v1/indicators/export?") + kJune + "&dataset=people",
                 {}, &supervisor)
                .status,
            422);
}

OW_INSTANTIATE_STORE_TESTS(IndicatorsTest);

}  // namespace
}  // namespace ow::testing
