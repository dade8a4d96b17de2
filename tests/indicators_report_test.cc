// Third-party evaluation (issue 17 part 6) against a real server on both stores: the
// anonymised ratings (JSON, CSV and the XLSX sheet read back by exceljs) carry masked text
// and no case number, person or staff name; the capability report's PDF, read by
// pdftotext, prints the figures a hand count of the seeded catalogue and cases gives; both
// are signed and audited; residents, another region's supervisor and a client without
// indicators.read are refused.
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "ratings/service.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"
#include "tickets/service.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";
constexpr const char* kJune = "region=3301&from=2030-06-01&to=2030-06-30";

SystemTime At(const std::string& date) {
  auto d = ParseDate(date);
  return SystemTime(std::chrono::seconds(DaysSinceEpoch(*d) * 86400 + 2 * 3600));
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

class IndicatorsReportTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SetDay("2030-06-06");
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

  // The hand-counted scenario of indicators_test: three applications on Thursday 6 June
  // 2030, A decided and delivered that day, B decided on Monday 10 June (two working
  // days), a 差评 of A and a complaint answered on the Monday. Returns A's number.
  std::string Seed() {
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
    auto rated = Call(verb::post, "/api/v1/ratings",
                      Json({{"case_no", No(a)},
                            {"level", 1},
                            {"reasons", json::array{"long_wait"}},
                            {"comment", "王先生说办件号" + No(a) +
                                            "还要等，电话13812345678，身份证330102199003073017，"
                                            "我叫张三"}}),
                      &person);
    EXPECT_EQ(rated.status, 201) << rated.body;
    rating_number_ = rated.status == 201 ? std::string(rated.json().at("number").as_string()) : "";
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

  // The platform's signature over a file, checked with the published JWKS.
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

  size_t AuditCount(const std::string& action) {
    Session auditor = Login("auditor");
    auto audit = Call(verb::get, "/api/v1/audit?action=" + action + "&subject=3301", {}, &auditor);
    EXPECT_EQ(audit.status, 200) << audit.body;
    return audit.status == 200 ? audit.json().at("records").as_array().size() : 0;
  }

  std::string rating_number_;
};

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

TEST_P(IndicatorsReportTest, AnonymisedRatingsAreMaskedKeyedAndAudited) {
  const std::string case_no = Seed();
  Session supervisor = Login("supervisor");
  auto r = Call(verb::get, std::string("/api/v1/indicators/ratings?") + kJune, {}, &supervisor);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array& list = r.json().at("ratings").as_array();
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
  TempFile file(xlsx.body, ".xlsx");
  auto run =
      RunTool({"node", SourceDir() + "/tests/xlsx/read-indicators.cjs", file.path, "ratings"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ExpectNothingIdentifying(run.output, case_no, rating_number_);
  auto line = json::parse(run.output.substr(0, run.output.find('\n')));
  const json::object& row = line.at("values").as_object();
  EXPECT_EQ(row.at("comment").as_string(), kMasked);
  EXPECT_EQ(row.at("level").to_number<double>(), 1.0);
  EXPECT_EQ(row.at("reasons").as_string(), "long_wait");
  EXPECT_EQ(row.at("case_key").as_string().size(), 17u);
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1) << run.output;
  // The indicators sheet is still there, first.
  auto ind = RunTool({"node", SourceDir() + "/tests/xlsx/read-indicators.cjs", file.path});
  ASSERT_EQ(ind.exit_code, 0) << ind.output;
  EXPECT_NE(ind.output.find("\"key\":\"total\""), std::string::npos) << ind.output;
  EXPECT_EQ(AuditCount("indicators.export"), 2u);
  // XLSX holds both sheets: dataset is a CSV choice only.
  EXPECT_EQ(Call(verb::get,
                 std::string("/api/v1/indicators/export?") + kJune + "&format=xlsx&dataset=ratings",
                 {}, &supervisor)
                .status,
            422);
}

TEST_P(IndicatorsReportTest, TheCapabilityReportPrintsTheHandCountedFigures) {
  Seed();
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
  // implemented in the city (none in the province itself); 42 of online depth 3 or 4, 29 of
  // depth 4; 32 needing no visit; 44 with a guide text; 7 with appointments, 14 with
  // delivery; 43 with a material an e-licence replaces; 23 with every guide element, the
  // other 21 lacking a promised limit within the statutory one (18 of them with no
  // statutory limit at all).
  has("目录事项 Catalogue items 44");
  has("95.45% (42/44)");
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
  // The period, as indicators_test counts it: 3 online applications, 1 visit, 2 decisions
  // on time in 2 working days together (p90 2), 1 complaint answered on time, one 差评.
  has("网上申请占比 Online applications 100.00% (3/3)");
  has("0.33 (1/3)");
  has("按时办结率 Decided on time 100.00% (2/2)");
  has("1.00 日 days (2/2)");
  has("90% 办件用时 90th percentile 2 日 days");
  has("按时答复率 Answered on time 100.00% (1/1)");
  has("满意率 Satisfaction 0.00% (0/1)");
  has("差评 Bad ratings 1");
  has("差评整改率 Rectification rate 0.00% (0/1)");
  has("1.00 / 5 (1/1)");
}

TEST_P(IndicatorsReportTest, OnlyTheRegionsSupervisorsAndEvaluatorsGetThem) {
  Seed();
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

OW_INSTANTIATE_STORE_TESTS(IndicatorsReportTest);

}  // namespace
}  // namespace ow::testing
