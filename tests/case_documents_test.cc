// Case documents through the HTTP API, on both stores: acceptance gives an acceptance
// notice, the decision a decision (with the licence it issued, or the reasons and the
// right to reconsideration or litigation), non-acceptance a notice with the reasons and
// that right; each numbered per prefix and year, told to the applicant, and sealed by
// the department's approval seal on download (pdfsig and pdftotext read it). Templates
// are the catalog administrators'. And as an attacker would try: another person, staff
// of another department, a client system, a token without the scope; a department
// without an approval seal gets a clear 409, not an unsealed file.
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using verb = boost::beast::http::verb;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // handled by 330102-SCJG; issues a licence
constexpr const char* kDept = "330102-SCJG";

class CaseDocumentsTest : public CasesFixture {
 protected:
  void SetUp() override {
    CasesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    zhang_ = Login("zhangsan");
    acceptor_ = Login("sc.acceptor");
    approver_ = Login("sc.approver");  // holds the demo's licence seal
  }

  json::object Apply() {
    auto r = Submit(zhang_, kItem, "330102", GtdjForm());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }

  json::object Get(const Session& s, const std::string& no) {
    auto r = Call(verb::get, "/api/v1/cases/" + no, {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
  }

  static json::object Document(const json::object& c, const std::string& kind) {
    for (const auto& d : c.at("documents").as_array())
      if (d.at("kind").as_string() == kind) return d.as_object();
    ADD_FAILURE() << "no " << kind << " document in " << json::serialize(c.at("documents"));
    return {};
  }

  static std::string Text(const json::object& o, const char* key) {
    return std::string(o.at(key).as_string());
  }

  // The text pdftotext reads from a PDF.
  static std::string PdfText(const std::string& pdf) {
    fs::path file =
        fs::temp_directory_path() / ("ow-casedoc-" + std::to_string(::getpid()) + ".pdf");
    std::ofstream(file, std::ios::binary) << pdf;
    auto out = RunTool({"pdftotext", "-layout", file.string(), "-"});
    fs::remove(file);
    EXPECT_EQ(out.exit_code, 0) << out.output;
    // Lines are wrapped: compare without spaces and line breaks.
    std::string flat;
    for (char ch : out.output)
      if (ch != ' ' && ch != '\n') flat += ch;
    return flat;
  }

  // pdfsig's report on `pdf`, trusting the platform's published P-256 root.
  std::string Pdfsig(const std::string& pdf) {
    fs::path dir = fs::temp_directory_path() / ("ow-casedoc-sig-" + std::to_string(::getpid()));
    fs::create_directories(dir / "nss");
    auto root = client_->Get("/api/v1/pki/authorities/p256/1.pem");
    EXPECT_EQ(root.status, 200);
    std::ofstream(dir / "root.pem") << root.body;
    std::ofstream(dir / "doc.pdf", std::ios::binary) << pdf;
    std::string db = "sql:" + (dir / "nss").string();
    EXPECT_EQ(RunTool({"certutil", "-N", "-d", db, "--empty-password"}).exit_code, 0);
    EXPECT_EQ(RunTool({"certutil", "-A", "-d", db, "-n", "onewindow-root", "-t", "CT,C,C", "-i",
                       (dir / "root.pem").string()})
                  .exit_code,
              0);
    auto out = RunTool({"pdfsig", "-nssdir", db, (dir / "doc.pdf").string()});
    fs::remove_all(dir);
    return out.output;
  }

  Session zhang_, acceptor_, approver_;
};

TEST_P(CaseDocumentsTest, AcceptanceAndDecisionIssueNumberedSealedDocumentsToldToTheApplicant) {
  auto c = Accept(acceptor_, Apply());
  ASSERT_FALSE(c.empty());
  std::string no = No(c);
  ASSERT_EQ(c.at("documents").as_array().size(), 1u) << json::serialize(c.at("documents"));
  auto notice = Document(c, "acceptance");
  EXPECT_EQ(Text(notice, "title"), "受理通知书");
  std::string first = Text(notice, "number");
  EXPECT_EQ(first.rfind("上城区市场监督管理局受字〔", 0), 0u) << first;
  EXPECT_TRUE(notice.at("available").as_bool());
  EXPECT_EQ(Text(notice, "pdf_url"), "/api/v1/cases/" + no + "/documents/acceptance/pdf");

  auto d = Complete(approver_, TaskOf(c, "Approve"), "approve");
  ASSERT_EQ(d.status, 200) << d.body;
  c = d.json().as_object();
  EXPECT_EQ(Text(c, "status"), "approved");
  ASSERT_EQ(c.at("documents").as_array().size(), 2u);
  EXPECT_EQ(c.at("documents").at(0).at("kind").as_string(), "acceptance");
  auto decision = Document(c, "approval");
  EXPECT_EQ(Text(decision, "title"), "准予行政许可决定书");
  EXPECT_EQ(Text(decision, "number").rfind("上城区市场监督管理局准字〔", 0), 0u);
  // The events and the applicant's messages say so.
  int issued = 0;
  for (const auto& e : c.at("events").as_array())
    if (e.at("action").as_string() == "document_issued") ++issued;
  EXPECT_EQ(issued, 2);
  auto messages = Call(verb::get, "/api/v1/me/messages", {}, &zhang_);
  ASSERT_EQ(messages.status, 200) << messages.body;
  EXPECT_NE(messages.body.find("准予行政许可决定书"), std::string::npos) << messages.body;
  EXPECT_NE(messages.body.find("受理通知书"), std::string::npos) << messages.body;

  // The applicant downloads the decision: sealed, naming the licence it issued.
  auto pdf = Call(verb::get, Text(decision, "pdf_url"), {}, &zhang_);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf.body.find("/ETSI.CAdES.detached"), std::string::npos);
  // pdfsig: valid, trusted, the whole document signed (it exits 0 either way).
  std::string sig = Pdfsig(pdf.body);
  EXPECT_NE(sig.find("Signature is Valid."), std::string::npos) << sig;
  EXPECT_NE(sig.find("Certificate is Trusted."), std::string::npos) << sig;
  EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;
  std::string text = PdfText(pdf.body);
  EXPECT_NE(text.find(Text(decision, "number")), std::string::npos) << text;
  EXPECT_NE(text.find("准予行政许可"), std::string::npos) << text;
  EXPECT_NE(text.find(no), std::string::npos) << text;
  std::string licence;
  for (const auto& e : c.at("events").as_array())
    if (e.at("action").as_string() == "service_called")
      licence = std::string(e.at("detail").at("result").at("licence_number").as_string());
  ASSERT_FALSE(licence.empty());
  EXPECT_NE(text.find(licence), std::string::npos) << text;
  // Made once: staff get the same bytes.
  auto again = Call(verb::get, Text(decision, "pdf_url"), {}, &acceptor_);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body, pdf.body);

  // The next acceptance of the department takes the next number.
  auto next = Accept(acceptor_, Apply());
  ASSERT_FALSE(next.empty());
  std::string second = Text(Document(next, "acceptance"), "number");
  auto seq = [](const std::string& n) {
    size_t close = n.find("〕");
    return std::stoll(n.substr(close + std::string("〕").size()));
  };
  EXPECT_EQ(seq(second), seq(first) + 1) << first << " / " << second;
}

TEST_P(CaseDocumentsTest, RefusalsStateTheReasonsAndTheRightToReconsiderationAndLitigation) {
  // Denied after review.
  auto c = Accept(acceptor_, Apply());
  ASSERT_FALSE(c.empty());
  auto d = Complete(approver_, TaskOf(c, "Approve"), "deny", "经营场所不符合规划用途");
  ASSERT_EQ(d.status, 200) << d.body;
  c = d.json().as_object();
  EXPECT_EQ(Text(c, "status"), "denied");
  auto denial = Document(c, "denial");
  EXPECT_EQ(Text(denial, "title"), "不予行政许可决定书");
  auto pdf = Call(verb::get, Text(denial, "pdf_url"), {}, &zhang_);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  std::string text = PdfText(pdf.body);
  EXPECT_NE(text.find("经营场所不符合规划用途"), std::string::npos) << text;
  EXPECT_NE(text.find("六十日内向杭州市上城区人民政府申请行政复议"), std::string::npos) << text;
  EXPECT_NE(text.find("六个月内依法向杭州市上城区人民法院提起行政诉讼"), std::string::npos) << text;

  // Not accepted.
  auto refused = Complete(acceptor_, TaskOf(Apply(), "accept"), "not_accept", "不属于本机关职权");
  ASSERT_EQ(refused.status, 200) << refused.body;
  auto n = refused.json().as_object();
  ASSERT_EQ(n.at("documents").as_array().size(), 1u);
  auto notice = Document(n, "non_acceptance");
  EXPECT_EQ(Text(notice, "title"), "不予受理通知书");
  EXPECT_EQ(Text(notice, "number").rfind("上城区市场监督管理局不受字〔", 0), 0u);
  auto npdf = Call(verb::get, Text(notice, "pdf_url"), {}, &zhang_);
  ASSERT_EQ(npdf.status, 200) << npdf.body;
  text = PdfText(npdf.body);
  EXPECT_NE(text.find("不属于本机关职权"), std::string::npos) << text;
  EXPECT_NE(text.find("申请行政复议"), std::string::npos) << text;
}

TEST_P(CaseDocumentsTest, OnlyWhoMayReadTheCaseGetsItsDocumentsAndNoSealMeansNoFile) {
  auto c = Accept(acceptor_, Apply());
  ASSERT_FALSE(c.empty());
  std::string no = No(c);
  std::string url = "/api/v1/cases/" + no + "/documents/acceptance/pdf";
  // Another person, staff of another department: as if there were no case.
  Session lisi = Login("lisi");
  EXPECT_EQ(Status(lisi, url), 404);
  Session mz = Staff("mz.acceptor9", "330102-MZ", "330102", "acceptor");
  EXPECT_EQ(Status(mz, url), 404);
  EXPECT_EQ(Call(verb::get, url).status, 401);
  EXPECT_EQ(Admin(verb::get, url, "").status, 403);
  // A document the case does not have; a kind that does not exist.
  EXPECT_EQ(Status(zhang_, "/api/v1/cases/" + no + "/documents/approval/pdf"), 404);
  EXPECT_EQ(Status(zhang_, "/api/v1/cases/" + no + "/documents/..%2f/pdf"), 404);
  // The applicant and the department's staff do.
  EXPECT_EQ(Status(zhang_, url), 200);
  EXPECT_EQ(Status(acceptor_, url), 200);

  // A department whose approval seal is revoked: the document is issued and numbered,
  // its file cannot be sealed, and nobody gets an unsealed one.
  Session sec = Login("secadmin");
  auto seals = Call(verb::get, std::string("/api/v1/seals?department=") + kDept);
  ASSERT_EQ(seals.status, 200);
  const json::value listed = seals.json();
  for (const auto& x : listed.at("seals").as_array()) {
    if (x.at("kind").as_string() != "approval" || x.at("status").as_string() != "active") continue;
    auto r = Call(verb::post, "/api/v1/seals/" + std::string(x.at("id").as_string()) + "/status",
                  Json({{"status", "revoked"}, {"reason", "印章更换"}}), &sec,
                  {{"If-Match", "\"v" + std::to_string(x.at("version").as_int64()) + "\""}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto later = Accept(acceptor_, Apply());
  ASSERT_FALSE(later.empty());
  auto doc = Document(later, "acceptance");
  EXPECT_FALSE(doc.at("available").as_bool());
  auto none = Call(verb::get, Text(doc, "pdf_url"), {}, &zhang_);
  EXPECT_EQ(none.status, 409) << none.body;
  EXPECT_NE(none.body.find("行政审批专用章"), std::string::npos) << none.body;
  // The one sealed before stays what it was, and is listed as available.
  EXPECT_EQ(Status(zhang_, url), 200);
  EXPECT_TRUE(Document(Get(zhang_, no), "acceptance").at("available").as_bool());
  // A new seal seals it.
  auto made = Call(verb::post, "/api/v1/seals",
                   Json({{"department_code", kDept}, {"kind", "approval"}}), &sec);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_TRUE(Document(Get(zhang_, No(later)), "acceptance").at("available").as_bool());
  EXPECT_EQ(Status(zhang_, Text(doc, "pdf_url")), 200);
}

TEST_P(CaseDocumentsTest, TemplatesAreTheCatalogAdministratorsAndShapeTheNextDocument) {
  auto list = Admin(verb::get, "/api/v1/document-templates", "");
  ASSERT_EQ(list.status, 200) << list.body;
  // The built-ins: the notices, and each decision in its two wordings.
  std::vector<std::string> builtins;
  const json::value listed = list.json();  // bound: the loop must not outlive it
  for (const auto& t : listed.at("templates").as_array()) {
    EXPECT_TRUE(t.at("builtin").as_bool());
    builtins.push_back(std::string(t.at("kind").as_string()) + "/" +
                       std::string(t.at("applies_to").as_string()) + "/" +
                       std::string(t.at("title").as_string()));
  }
  EXPECT_EQ(builtins, (std::vector<std::string>{
                          "acceptance/all/受理通知书", "non_acceptance/all/不予受理通知书",
                          "approval/licensing/准予行政许可决定书", "approval/other/准予办理决定书",
                          "denial/licensing/不予行政许可决定书", "denial/other/不予办理决定书"}));
  EXPECT_FALSE(list.json().at("placeholders").as_array().empty());

  json::object body{
      {"item_code", kItem},
      {"title", "个体工商户登记受理通知书"},
      {"body", "{applicant}申请的{item}已受理，办件编号{tracking_no}。\n承诺{deadline}前办结。"},
      {"number_prefix", "上市监登受字"},
      {"version", 0}};
  // Nobody but the system administrator (session or admin token).
  Session sec = Login("secadmin");
  EXPECT_EQ(Call(verb::put, "/api/v1/document-templates/acceptance", Json(body), &sec).status, 403);
  EXPECT_EQ(Call(verb::put, "/api/v1/document-templates/acceptance", Json(body), &approver_).status,
            403);
  EXPECT_EQ(Call(verb::get, "/api/v1/document-templates", {}, &zhang_).status, 403);
  // Bad input, each field named.
  json::object bad = body;
  bad["title"] = "{nope}";
  bad["item_code"] = "3301-NO-SUCH";
  bad["number_prefix"] = "上〔";
  auto invalid = Admin(verb::put, "/api/v1/document-templates/acceptance", Json(bad));
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  for (const char* field : {"\"title\"", "\"item_code\"", "\"number_prefix\""})
    EXPECT_NE(invalid.body.find(field), std::string::npos) << field << invalid.body;
  EXPECT_EQ(Admin(verb::put, "/api/v1/document-templates/verdict", Json(body)).status, 422);
  // A refusal without the right to reconsideration is refused.
  json::object silent{{"title", "不予受理通知书"}, {"body", "不予受理。{reasons}"}, {"version", 0}};
  auto no_remedy = Admin(verb::put, "/api/v1/document-templates/non_acceptance", Json(silent));
  EXPECT_EQ(no_remedy.status, 422) << no_remedy.body;
  EXPECT_NE(no_remedy.body.find("remedy"), std::string::npos) << no_remedy.body;

  Session sys = Login("sysadmin");
  auto saved = Call(verb::put, "/api/v1/document-templates/acceptance", Json(body), &sys);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json().at("version").as_int64(), 1);
  EXPECT_EQ(Admin(verb::put, "/api/v1/document-templates/acceptance", Json(body)).status, 412);

  auto c = Accept(acceptor_, Apply());
  ASSERT_FALSE(c.empty());
  auto notice = Document(c, "acceptance");
  EXPECT_EQ(Text(notice, "title"), "个体工商户登记受理通知书");
  std::string year = Text(notice, "issued_at").substr(0, 4);
  EXPECT_EQ(Text(notice, "number"), "上市监登受字〔" + year + "〕1号");
  auto pdf = Call(verb::get, Text(notice, "pdf_url"), {}, &zhang_);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  std::string text = PdfText(pdf.body);
  EXPECT_NE(text.find("张三申请的个体工商户设立登记已受理"), std::string::npos) << text;

  // Reverted: the built-in text applies again.
  auto stale = Admin(
      verb::delete_,
      std::string("/api/v1/document-templates/acceptance?item_code=") + kItem + "&version=7", "");
  EXPECT_EQ(stale.status, 412) << stale.body;
  auto gone = Admin(
      verb::delete_,
      std::string("/api/v1/document-templates/acceptance?item_code=") + kItem + "&version=1", "");
  EXPECT_EQ(gone.status, 204) << gone.body;
  auto after = Accept(acceptor_, Apply());
  EXPECT_EQ(Text(Document(after, "acceptance"), "title"), "受理通知书");
}

OW_INSTANTIATE_STORE_TESTS(CaseDocumentsTest);

}  // namespace
}  // namespace ow::testing
