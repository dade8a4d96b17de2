// The case archive against a real server on both stores: closed cases (delivered,
// withdrawn) leave the hot tables as signed packages, a live case stays; the applicant,
// the department's staff and the auditor still find an archived case by its tracking
// number; jose (npm) verifies the package's signature with the key kept beside it, and
// openssl recomputes its digest. And the attackers: another person, another department's
// staff, an agent, the region's supervisor, the hall's counter, a token without cases.read,
// the applicant asking for the package, a deletion of a live case's events.
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/encoding.h"
#include "db/database.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";  // implemented in 330102 by 330102-SCJG

class ArchiveTest : public CasesFixture {
 protected:
  // A case of zhangsan's for kItem, accepted, approved and delivered.
  std::string Delivered(const Session& applicant) {
    auto submitted = Submit(applicant, kItem, "330102", GtdjForm());
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    if (submitted.status != 201) return "";
    json::object c = submitted.json().as_object();
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

  int64_t Count(const std::string& sql, std::vector<db::Value> params = {}) {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, params));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }

  struct Hot {
    int64_t cases, events, tasks, materials;
  };
  Hot HotRows() {
    return {Count("SELECT COUNT(*) FROM cases"), Count("SELECT COUNT(*) FROM case_events"),
            Count("SELECT COUNT(*) FROM case_tasks"), Count("SELECT COUNT(*) FROM case_materials")};
  }

  int64_t Archive() {
    auto now = std::chrono::system_clock::now();
    // Everything closed up to an hour from now counts as old enough.
    auto n = server_->app().cases().ArchiveClosed(now + std::chrono::hours(1), 100, now);
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }
};

// Runs a node script of tests/tools; its exit code and output.
ToolRun Node(const std::vector<std::string>& args) {
  const fs::path tools = fs::path(SourceDir()) / "tests" / "tools";
  std::vector<std::string> all = {"node"};
  all.insert(all.end(), args.begin(), args.end());
  return RunTool(all, tools.string(), true);
}

TEST_P(ArchiveTest, ClosedCasesLeaveTheHotTablesSignedAndStayFindable) {
  Session zhangsan = Login("zhangsan");
  const std::string delivered = Delivered(zhangsan);
  ASSERT_FALSE(delivered.empty());
  auto w = Submit(zhangsan, kItem, "330102", GtdjForm());
  ASSERT_EQ(w.status, 201) << w.body;
  const std::string withdrawn = No(w.json().as_object());
  auto wr = Call(verb::post, "/api/v1/cases/" + withdrawn + "/withdraw",
                 Json({{"reason", "不办了"}}), &zhangsan);
  ASSERT_EQ(wr.status, 200) << wr.body;
  auto l = Submit(zhangsan, kItem, "330102", GtdjForm());
  ASSERT_EQ(l.status, 201) << l.body;
  const std::string live = No(l.json().as_object());

  const Hot before = HotRows();
  const int64_t delivered_events =
      Count("SELECT COUNT(*) FROM case_events WHERE case_id = $1",
            {static_cast<int64_t>(*cases::ParseTrackingNo(delivered))});
  ASSERT_GT(delivered_events, 3);

  // Nothing is archived before it is old enough.
  auto now = std::chrono::system_clock::now();
  auto none = server_->app().cases().ArchiveClosed(now - std::chrono::hours(1), 100, now);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0);

  ASSERT_EQ(Archive(), 2);
  const Hot after = HotRows();
  EXPECT_EQ(after.cases, before.cases - 2);
  EXPECT_LT(after.events, before.events - delivered_events);
  EXPECT_LT(after.tasks, before.tasks);
  EXPECT_LT(after.materials, before.materials);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_archive"), 2);
  for (const auto& no : {delivered, withdrawn}) {
    EXPECT_EQ(Count("SELECT COUNT(*) FROM cases WHERE id = $1",
                    {static_cast<int64_t>(*cases::ParseTrackingNo(no))}),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events WHERE case_id = $1",
                    {static_cast<int64_t>(*cases::ParseTrackingNo(no))}),
              0);
  }
  // A second run finds nothing more; the live case is untouched and still workable.
  EXPECT_EQ(Archive(), 0);
  EXPECT_EQ(Status(zhangsan, "/api/v1/cases/" + live), 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_archive"), 2);

  // The live case's events stay append-only: only an archived case's rows may go.
  auto del = server_->app().database().Transact([&](db::Connection& c) -> ow::Status {
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM case_events WHERE case_id = $1",
                              {static_cast<int64_t>(*cases::ParseTrackingNo(live))}));
    return {};
  });
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Code::kConflict) << del.error().message;

  // The live read no longer has it; the archive does, read-only, for the applicant ...
  EXPECT_EQ(Status(zhangsan, "/api/v1/cases/" + delivered), 404);
  auto mine = Call(verb::get, "/api/v1/archive/cases/" + delivered, {}, &zhangsan);
  ASSERT_EQ(mine.status, 200) << mine.body;
  json::value doc = mine.json();
  EXPECT_EQ(doc.at("status").as_string(), "delivered");
  EXPECT_EQ(doc.at("case").at("tracking_no").as_string(), delivered);
  EXPECT_TRUE(doc.at("case").at("archived").as_bool());
  EXPECT_EQ(doc.at("case").at("form").at("scope").as_string(), "日用百货零售");
  bool staff_named = false;
  for (const auto& e : doc.at("case").at("events").as_array())
    staff_named = staff_named || e.at("actor").as_string() == "sc.acceptor";
  EXPECT_FALSE(staff_named) << "the applicant's view names no staff";
  EXPECT_FALSE(doc.at("case").at("materials").as_array().empty());
  EXPECT_FALSE(doc.at("case").at("materials").at(0).as_object().contains("content_url"));
  // ... for the department's staff and the auditor (staff named) ...
  Session acceptor = Login("sc.acceptor");
  auto staff = Call(verb::get, "/api/v1/archive/cases/" + withdrawn, {}, &acceptor);
  ASSERT_EQ(staff.status, 200) << staff.body;
  EXPECT_EQ(staff.json().at("status").as_string(), "withdrawn");
  auto staff_view = Call(verb::get, "/api/v1/archive/cases/" + delivered, {}, &acceptor);
  ASSERT_EQ(staff_view.status, 200);
  staff_named = false;
  const json::value staff_doc = staff_view.json();
  for (const auto& e : staff_doc.at("case").at("events").as_array())
    staff_named = staff_named || e.at("actor").as_string() == "sc.acceptor";
  EXPECT_TRUE(staff_named) << staff_view.body;
  Session auditor = Login("auditor");
  EXPECT_EQ(Status(auditor, "/api/v1/archive/cases/" + delivered), 200);
  // Nobody else: another person, another department's staff, an agent, the region's
  // supervisor, the hall's counter: all as if it did not exist.
  Session lisi = Login("lisi");
  EXPECT_EQ(Status(lisi, "/api/v1/archive/cases/" + delivered), 404);
  EXPECT_EQ(Status(Login("city.reviewer"), "/api/v1/archive/cases/" + delivered), 404);
  EXPECT_EQ(Status(Login("village.agent"), "/api/v1/archive/cases/" + delivered), 404);
  EXPECT_EQ(Status(Login("supervisor"), "/api/v1/archive/cases/" + delivered), 404);
  EXPECT_EQ(Status(Login("hall.counter"), "/api/v1/archive/cases/" + delivered), 404);
  EXPECT_EQ(Status(lisi, "/api/v1/archive/cases/" + live), 404);
  EXPECT_EQ(Status(zhangsan, "/api/v1/archive/cases/" + live), 404);  // not archived
  EXPECT_EQ(Status(zhangsan, "/api/v1/archive/cases/20260101000000000X"), 404);
  EXPECT_EQ(client_->Get("/api/v1/archive/cases/" + delivered).status, 401);
  // Tokens: cases.read reads it; a token with other scopes is refused at the gate.
  Caller zs = SignIn(*client_, "zhangsan");
  Caller reader = UserToken(*client_, *server_, zs, "openid cases.read");
  EXPECT_EQ(client_->Get("/api/v1/archive/cases/" + delivered, reader.headers).status, 200);
  Caller profile = UserToken(*client_, *server_, zs, "openid profile");
  EXPECT_EQ(client_->Get("/api/v1/archive/cases/" + delivered, profile.headers).status, 403);
  // The package: the department's staff and the auditor; the applicant may read the case
  // but not export it (403), anyone else learns nothing (404); never with a token.
  EXPECT_EQ(Status(zhangsan, "/api/v1/archive/cases/" + delivered + "/package"), 403);
  EXPECT_EQ(Status(lisi, "/api/v1/archive/cases/" + delivered + "/package"), 404);
  EXPECT_EQ(Status(Login("city.reviewer"), "/api/v1/archive/cases/" + delivered + "/package"), 404);
  EXPECT_EQ(client_->Get("/api/v1/archive/cases/" + delivered + "/package", reader.headers).status,
            403);
  EXPECT_EQ(Status(auditor, "/api/v1/archive/cases/" + delivered + "/package"), 200);
  auto pkg = Call(verb::get, "/api/v1/archive/cases/" + delivered + "/package", {}, &acceptor);
  ASSERT_EQ(pkg.status, 200) << pkg.body;
  json::value p = pkg.json();
  const std::string jws(p.at("jws").as_string());
  const std::string digest(p.at("digest").as_string());

  // jose verifies the signature with the public key kept beside the package (the same key
  // the provider publishes while it is current), and the payload is the manifest.
  ASSERT_TRUE(fs::exists(fs::path(SourceDir()) / "tests" / "tools" / "node_modules" / "jose"))
      << "tests/tools/node_modules is missing: run npm ci in tests/tools";
  auto jwks = client_->Get("/oauth2/jwks").json();
  bool published = false;
  for (const auto& k : jwks.at("keys").as_array()) published = published || k == p.at("jwk");
  EXPECT_TRUE(published) << "the package's key is the provider's published key";
  const fs::path dir = fs::temp_directory_path() /
                       ("ow_archive_" + std::to_string(getpid()) + "_" + StoreName(GetParam()));
  fs::create_directories(dir);
  std::ofstream(dir / "key.json") << json::serialize(p.at("jwk"));
  std::ofstream(dir / "package.jwt") << jws;
  ToolRun run =
      Node({"verify-jwt.mjs", (dir / "key.json").string(), (dir / "package.jwt").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output << run.errors;
  json::value manifest = json::parse(run.output);
  EXPECT_EQ(manifest.at("tracking_no").as_string(), delivered);
  EXPECT_EQ(manifest.at("case").at("status").as_string(), "delivered");
  EXPECT_EQ(manifest.at("case").at("events").as_array().size(),
            static_cast<size_t>(delivered_events));
  EXPECT_EQ(manifest.at("case").at("materials").at(0).at("sha256").as_string().size(), 64u);
  // openssl recomputes the digest over the payload's bytes.
  auto payload =
      crypto::Base64UrlDecode(jws.substr(jws.find('.') + 1, jws.rfind('.') - jws.find('.') - 1));
  ASSERT_TRUE(payload);
  std::ofstream(dir / "manifest.json", std::ios::binary) << *payload;
  ToolRun dgst = RunTool({"openssl", "dgst", "-sha256", "-r", (dir / "manifest.json").string()});
  ASSERT_EQ(dgst.exit_code, 0) << dgst.output;
  EXPECT_EQ(dgst.output.substr(0, 64), digest);
  // One changed byte of the payload: jose refuses it.
  std::string tampered = jws;
  char& ch = tampered[jws.find('.') + 10];
  ch = ch == 'A' ? 'B' : 'A';
  std::ofstream(dir / "package.jwt", std::ios::trunc) << tampered;
  run = Node({"verify-jwt.mjs", (dir / "key.json").string(), (dir / "package.jwt").string()});
  EXPECT_NE(run.exit_code, 0) << run.output;
  fs::remove_all(dir);

  // The archive is append-only too.
  auto change = server_->app().database().Transact([&](db::Connection& c) -> ow::Status {
    OW_RETURN_IF_ERROR(c.Exec("UPDATE case_archive SET status = 'approved'"));
    return {};
  });
  EXPECT_FALSE(change);
}

// "My cases" of an applicant whose cases were archived: the list of their archived cases
// (only theirs, paged), and whether each reader may download the package.
TEST_P(ArchiveTest, MyArchivedCasesListOnlyMineAndSayWhoMayExport) {
  Session zhangsan = Login("zhangsan");
  std::vector<std::string> mine;
  for (int i = 0; i < 3; ++i) {
    auto w = Submit(zhangsan, kItem, "330102", GtdjForm());
    ASSERT_EQ(w.status, 201) << w.body;
    mine.push_back(No(w.json().as_object()));
    ASSERT_EQ(Call(verb::post, "/api/v1/cases/" + mine.back() + "/withdraw",
                   Json({{"reason", "不办了"}}), &zhangsan)
                  .status,
              200);
  }
  Session lisi = Login("lisi");
  auto other = Submit(lisi, kItem, "330102", GtdjForm());
  ASSERT_EQ(other.status, 201) << other.body;
  const std::string lisis = No(other.json().as_object());
  ASSERT_EQ(
      Call(verb::post, "/api/v1/cases/" + lisis + "/withdraw", Json({{"reason", "撤回"}}), &lisi)
          .status,
      200);
  // Before archiving, the list is empty.
  auto empty = Call(verb::get, "/api/v1/me/archived-cases", {}, &zhangsan);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json().at("total").as_int64(), 0);
  ASSERT_EQ(Archive(), 4);

  auto page1 = Call(verb::get, "/api/v1/me/archived-cases?per_page=2", {}, &zhangsan);
  ASSERT_EQ(page1.status, 200) << page1.body;
  json::value p1 = page1.json();
  EXPECT_EQ(p1.at("total").as_int64(), 3);
  ASSERT_EQ(p1.at("cases").as_array().size(), 2u);
  // The latest first.
  EXPECT_EQ(p1.at("cases").at(0).at("tracking_no").as_string(), mine[2]);
  EXPECT_EQ(p1.at("cases").at(1).at("tracking_no").as_string(), mine[1]);
  EXPECT_EQ(p1.at("cases").at(0).at("status").as_string(), "withdrawn");
  EXPECT_EQ(p1.at("cases").at(0).at("item_code").as_string(), kItem);
  auto page2 = Call(verb::get, "/api/v1/me/archived-cases?per_page=2&page=2", {}, &zhangsan);
  ASSERT_EQ(page2.status, 200) << page2.body;
  ASSERT_EQ(page2.json().at("cases").as_array().size(), 1u);
  EXPECT_EQ(page2.json().at("cases").at(0).at("tracking_no").as_string(), mine[0]);
  // Another person sees only their own; staff see none of the residents' (their list is
  // of cases they applied for themselves).
  auto theirs = Call(verb::get, "/api/v1/me/archived-cases", {}, &lisi);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  ASSERT_EQ(theirs.json().at("cases").as_array().size(), 1u);
  EXPECT_EQ(theirs.json().at("cases").at(0).at("tracking_no").as_string(), lisis);
  Session acceptor = Login("sc.acceptor");
  auto staff_list = Call(verb::get, "/api/v1/me/archived-cases", {}, &acceptor);
  if (staff_list.status == 200)
    EXPECT_EQ(staff_list.json().at("total").as_int64(), 0);
  else
    EXPECT_EQ(staff_list.status, 403) << staff_list.body;
  // Bad paging is a problem, not an empty page.
  auto bad = Call(verb::get, "/api/v1/me/archived-cases?per_page=0", {}, &zhangsan);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.header("content-type").find("application/problem+json"), std::string::npos);
  EXPECT_EQ(Call(verb::get, "/api/v1/me/archived-cases?page=x", {}, &zhangsan).status, 422);
  EXPECT_EQ(client_->Get("/api/v1/me/archived-cases").status, 401);
  Caller zs = SignIn(*client_, "zhangsan");
  Caller reader = UserToken(*client_, *server_, zs, "openid cases.read");
  EXPECT_EQ(client_->Get("/api/v1/me/archived-cases", reader.headers).status, 200);
  Caller profile = UserToken(*client_, *server_, zs, "openid profile");
  EXPECT_EQ(client_->Get("/api/v1/me/archived-cases", profile.headers).status, 403);

  // may_export: the applicant reads but may not download; the department's staff and the
  // auditor may.
  auto as_applicant = Call(verb::get, "/api/v1/archive/cases/" + mine[0], {}, &zhangsan);
  ASSERT_EQ(as_applicant.status, 200) << as_applicant.body;
  EXPECT_FALSE(as_applicant.json().at("may_export").as_bool());
  auto as_staff = Call(verb::get, "/api/v1/archive/cases/" + mine[0], {}, &acceptor);
  ASSERT_EQ(as_staff.status, 200) << as_staff.body;
  EXPECT_TRUE(as_staff.json().at("may_export").as_bool());
  Session auditor = Login("auditor");
  auto as_auditor = Call(verb::get, "/api/v1/archive/cases/" + mine[0], {}, &auditor);
  ASSERT_EQ(as_auditor.status, 200) << as_auditor.body;
  EXPECT_TRUE(as_auditor.json().at("may_export").as_bool());
}

OW_INSTANTIATE_STORE_TESTS(ArchiveTest);

}  // namespace
}  // namespace ow::testing
