// The cases store's listings on both stores: which cases an applicant, an enterprise and
// staff (by department and region, by task, at a counter) see, how the shared filters
// narrow them and pages cut them, and a staff inbox's tasks, order and counts. The
// service builds these queries from a caller's roles (cases/queries.cc); here they are
// checked against cases written directly, so every scope and filter is seen to bite.
#include <algorithm>
#include <vector>

#include "cases/store.h"
#include "db/migrations.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using cases::Case;
using cases::Task;
namespace store = cases::store;
using Claim = store::InboxQuery::Claim;
using Deadline = store::InboxQuery::Deadline;

class CasesStore : public StoreTest {
 protected:
  // Migrates (or creates its tables) itself.
  TestDatabase::Schema schema() const override { return TestDatabase::Schema::kEmpty; }
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto opened = db::Open(db_url(), db::Options{});
    ASSERT_TRUE(opened) << opened.error().message;
    database_ = std::move(*opened);
    auto migrated = db::Migrate(*database_, cases::Migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
    ASSERT_TRUE(database_->Transact([&](db::Connection& c) { return Seed(c); }));
  }
  void TearDown() override {
    if (database_) database_->Close();
  }

  static Case NewCase(std::string item_code, std::string item_name, std::string department,
                      std::string region, std::string status) {
    Case k;
    k.item_code = std::move(item_code);
    k.item_name = std::move(item_name);
    k.item_version = 1;
    k.channel = cases::kWeb;
    k.submitted_by = "someone";
    k.department_code = std::move(department);
    k.region_code = std::move(region);
    k.intake_region = k.region_code;
    k.status = std::move(status);
    k.process_key = "p";
    k.process_version = 1;
    k.statutory_days = 20;
    k.promised_days = 5;
    k.created_at = "2026-11-16T02:00:00Z";
    k.updated_at = k.created_at;
    return k;
  }

  Result<int64_t> AddTask(db::Connection& c, int64_t case_id, std::string role,
                          std::string department, std::string region) {
    Task t;
    t.case_id = case_id;
    t.kind = role == "acceptor" ? "accept" : "review";
    t.node = t.kind;
    t.name = t.kind;
    t.role = std::move(role);
    t.department_code = std::move(department);
    t.region_code = std::move(region);
    t.created_at = "2026-11-16T02:00:00Z";
    return store::InsertTask(c, t);
  }

  // Five cases: a person's two (one with a deadline), an enterprise's, a hall's
  // cross-region intake, and one handled elsewhere with a task for scjg (parallel
  // approval); tasks for acceptors, reviewers (one claimed, one closed) and approvers.
  Status Seed(db::Connection& c) {
    Case k1 = NewCase("A01", "个体工商户设立登记", "scjg", "330102", cases::kSubmitted);
    k1.applicant_account_id = "acc_a";
    k1.applicant_name = "张三";
    k1.submitted_by_account = "acc_a";
    OW_ASSIGN_OR_RETURN(id1_, store::InsertCase(c, k1));

    Case k2 = NewCase("B02", "食品经营许可", "scjg", "330106", cases::kUnderReview);
    k2.applicant_account_id = "acc_a";
    k2.applicant_name = "张三";
    k2.submitted_by_account = "acc_a";
    k2.accepted_on = "2026-11-16";
    k2.promised_deadline = "2026-11-20";
    OW_ASSIGN_OR_RETURN(id2_, store::InsertCase(c, k2));

    Case k3 = NewCase("C03", "药品零售许可", "yjj", "330102", cases::kApproved);
    k3.applicant_enterprise = "91330100MA2XXXXXX1";
    k3.applicant_name = "杭州某某药房有限公司";
    k3.submitted_by_account = "acc_op";
    OW_ASSIGN_OR_RETURN(id3_, store::InsertCase(c, k3));

    Case k4 = NewCase("D04", "婚姻登记", "mzj", "330501", cases::kSubmitted);
    k4.channel = cases::kCounterChannel;
    k4.applicant_name = "李四";
    k4.submitted_by_account = "acc_clerk";
    k4.intake_region = "330102";
    OW_ASSIGN_OR_RETURN(id4_, store::InsertCase(c, k4));

    Case k5 = NewCase("E05", "社会团体登记", "mzj", "330102", cases::kUnderReview);
    k5.applicant_account_id = "acc_b";
    k5.applicant_name = "王五";
    k5.submitted_by_account = "acc_b";
    OW_ASSIGN_OR_RETURN(id5_, store::InsertCase(c, k5));

    OW_ASSIGN_OR_RETURN(accept1_, AddTask(c, id1_, "acceptor", "scjg", "330102"));
    OW_ASSIGN_OR_RETURN(review2_, AddTask(c, id2_, "reviewer", "scjg", "330106"));
    OW_ASSIGN_OR_RETURN(bool claimed, store::SetClaim(c, review2_, 1, "wang"));
    if (!claimed) return Internal("claim failed");
    OW_ASSIGN_OR_RETURN(int64_t closed, AddTask(c, id2_, "reviewer", "scjg", "330106"));
    OW_ASSIGN_OR_RETURN(bool done, store::CloseTask(c, closed, 1, "li", "approve", "", "completed",
                                                    "2026-11-17T02:00:00Z"));
    if (!done) return Internal("close failed");
    OW_ASSIGN_OR_RETURN(approve5_, AddTask(c, id5_, "approver", "scjg", "330100"));
    return {};
  }

  store::CasePage List(const store::CaseQuery& q) {
    store::CasePage page;
    auto st = database_->Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(page, store::ListCases(c, q));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return page;
  }
  std::vector<int64_t> CaseIds(const store::CaseQuery& q) {
    std::vector<int64_t> ids;
    for (const auto& k : List(q).cases) ids.push_back(k.id);
    return ids;
  }

  store::InboxPage Inbox(const store::InboxQuery& q) {
    store::InboxPage page;
    auto st = database_->Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(page, store::ListInbox(c, q));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return page;
  }
  std::vector<int64_t> TaskIds(const store::InboxQuery& q) {
    std::vector<int64_t> ids;
    for (const auto& row : Inbox(q).rows) ids.push_back(row.task.id);
    return ids;
  }

  static store::CaseQuery Mine(std::string account) {
    store::CaseQuery q;
    q.applicant_account_id = std::move(account);
    return q;
  }
  static store::CaseQuery Staff(std::vector<store::Scope> departments,
                                std::vector<std::string> counter_regions = {},
                                std::string counter_account = "") {
    store::CaseQuery q;
    q.staff = store::StaffScope{std::move(departments), std::move(counter_regions),
                                std::move(counter_account)};
    return q;
  }
  // scjg's acceptors, reviewers and approvers of Hangzhou (3301), Wednesday 2026-11-18.
  static store::InboxQuery Scjg() {
    store::InboxQuery q;
    q.scopes = {
        {"acceptor", "scjg", "3301"}, {"reviewer", "scjg", "3301"}, {"approver", "scjg", "3301"}};
    q.username = "wang";
    q.today = "2026-11-18";
    q.yellow_until = "2026-11-20";
    return q;
  }

  std::unique_ptr<db::Database> database_;
  int64_t id1_ = 0, id2_ = 0, id3_ = 0, id4_ = 0, id5_ = 0;
  int64_t accept1_ = 0, review2_ = 0, approve5_ = 0;
};

using Ids = std::vector<int64_t>;

TEST_P(CasesStore, AnApplicantListsTheirOwnCasesNewestFirst) {
  auto page = List(Mine("acc_a"));
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.cases.size(), 2u);
  EXPECT_EQ(page.cases[0].id, id2_);
  EXPECT_EQ(page.cases[0].item_name, "食品经营许可");
  EXPECT_EQ(page.cases[0].tracking_no, cases::TrackingNo(id2_, "2026-11-16T02:00:00Z"));
  EXPECT_EQ(page.cases[1].id, id1_);
  EXPECT_EQ(CaseIds(Mine("acc_b")), Ids{id5_});
  EXPECT_EQ(CaseIds(Mine("acc_nobody")), Ids{});
  EXPECT_EQ(List(Mine("acc_nobody")).total, 0);

  store::CaseQuery enterprise;
  enterprise.applicant_enterprise = "91330100MA2XXXXXX1";
  EXPECT_EQ(CaseIds(enterprise), Ids{id3_});
  enterprise.applicant_enterprise = "91330100MA2XXXXXX2";
  EXPECT_EQ(CaseIds(enterprise), Ids{});
}

TEST_P(CasesStore, FiltersNarrowAndPagesCut) {
  auto q = Mine("acc_a");
  q.filter.status = cases::kUnderReview;
  EXPECT_EQ(CaseIds(q), Ids{id2_});
  q = Mine("acc_a");
  q.filter.item_code = "A01";
  EXPECT_EQ(CaseIds(q), Ids{id1_});
  q.filter.status = cases::kUnderReview;  // both must hold
  EXPECT_EQ(CaseIds(q), Ids{});

  q = Mine("acc_a");
  q.filter.case_id = id2_;
  EXPECT_EQ(CaseIds(q), Ids{id2_});
  q.filter.case_id = id5_;  // someone else's case stays out
  EXPECT_EQ(CaseIds(q), Ids{});

  q = Mine("acc_a");
  q.filter.name_contains = "食品";  // the item's name
  EXPECT_EQ(CaseIds(q), Ids{id2_});
  q.filter.name_contains = "张三";  // the applicant's name
  EXPECT_EQ(CaseIds(q), (Ids{id2_, id1_}));
  q.filter.name_contains = "王五";
  EXPECT_EQ(CaseIds(q), Ids{});

  q = Mine("acc_a");
  q.limit = 1;
  q.offset = 1;
  auto page = List(q);
  EXPECT_EQ(page.total, 2);  // all matches, not the page
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(page.cases[0].id, id1_);
  q.offset = 2;
  EXPECT_EQ(CaseIds(q), Ids{});
}

TEST_P(CasesStore, StaffSeeTheirDepartmentsCasesInTheirRegionAndBelowAndWhereTheyHaveATask) {
  // Hangzhou's scjg: its cases in 330102 and 330106, and 330102-mzj's case where scjg
  // approves in parallel; not yjj's case in the same district.
  EXPECT_EQ(CaseIds(Staff({{"", "scjg", "3301"}})), (Ids{id5_, id2_, id1_}));
  // A district's scjg: its own case only (the parallel task sits with the city).
  EXPECT_EQ(CaseIds(Staff({{"", "scjg", "330102"}})), Ids{id1_});
  EXPECT_EQ(CaseIds(Staff({{"", "scjg", "330106"}})), Ids{id2_});
  // Either of two scopes.
  EXPECT_EQ(CaseIds(Staff({{"", "yjj", "330102"}, {"", "scjg", "330106"}})), (Ids{id3_, id2_}));
  // Another department, or the right department elsewhere: nothing.
  EXPECT_EQ(CaseIds(Staff({{"", "scjg", "3302"}})), Ids{});
  EXPECT_EQ(CaseIds(Staff({{"", "gaj", "3301"}})), Ids{});

  auto q = Staff({{"", "scjg", "3301"}});
  q.filter.status = cases::kUnderReview;
  EXPECT_EQ(CaseIds(q), (Ids{id5_, id2_}));
  EXPECT_EQ(List(q).total, 2);
}

TEST_P(CasesStore, CounterStaffSeeTheirRegionAndWhatTheirHallTookIn) {
  // Huzhou's counter sees the case handled there.
  EXPECT_EQ(CaseIds(Staff({}, {"3305"}, "acc_other")), Ids{id4_});
  // A Shangcheng clerk: every case handled in 330102, and the Huzhou case they took in.
  EXPECT_EQ(CaseIds(Staff({}, {"330102"}, "acc_clerk")), (Ids{id5_, id4_, id3_, id1_}));
  EXPECT_EQ(CaseIds(Staff({}, {"330102"}, "acc_other")), (Ids{id5_, id3_, id1_}));
  // Counter and department scopes together.
  EXPECT_EQ(CaseIds(Staff({{"", "scjg", "330106"}}, {"3305"}, "acc_other")), (Ids{id4_, id2_}));
  // No scope at all reaches nothing.
  EXPECT_EQ(CaseIds(Staff({})), Ids{});
  EXPECT_EQ(List(Staff({})).total, 0);
}

TEST_P(CasesStore, AnInboxHoldsOpenTasksOfTheCallersRolesMostUrgentFirst) {
  auto page = Inbox(Scjg());
  // The task with a deadline first, then those without, oldest first; the closed
  // reviewer task is not there.
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].task.id, review2_);
  EXPECT_EQ(page.rows[0].task.claimed_by, "wang");
  EXPECT_EQ(page.rows[0].summary.id, id2_);
  EXPECT_EQ(page.rows[0].summary.promised_deadline, "2026-11-20");
  EXPECT_EQ(page.rows[0].summary.tracking_no, cases::TrackingNo(id2_, "2026-11-16T02:00:00Z"));
  EXPECT_EQ(page.rows[1].task.id, accept1_);
  EXPECT_EQ(page.rows[1].summary.id, id1_);
  EXPECT_EQ(page.rows[2].task.id, approve5_);
  EXPECT_EQ(page.rows[2].summary.item_name, "社会团体登记");
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(page.unclaimed, 2);
  EXPECT_EQ(page.mine, 1);
  EXPECT_EQ(page.yellow, 1);
  EXPECT_EQ(page.red, 0);

  // Only the role the scope names: scjg's acceptors see the acceptance task alone.
  auto acceptors = Scjg();
  acceptors.scopes = {{"acceptor", "scjg", "3301"}};
  EXPECT_EQ(TaskIds(acceptors), Ids{accept1_});
  EXPECT_EQ(Inbox(acceptors).total, 1);
  EXPECT_EQ(Inbox(acceptors).mine, 0);
  acceptors.scopes = {{"acceptor", "scjg", "330106"}};
  EXPECT_EQ(TaskIds(acceptors), Ids{});
  acceptors.scopes = {};
  EXPECT_EQ(TaskIds(acceptors), Ids{});
  EXPECT_EQ(Inbox(acceptors).total, 0);
}

TEST_P(CasesStore, InboxFiltersSelectTheListButTheCountsCoverTheWholeInbox) {
  auto q = Scjg();
  q.claim = Claim::kUnclaimed;
  EXPECT_EQ(TaskIds(q), (Ids{accept1_, approve5_}));
  EXPECT_EQ(Inbox(q).total, 3);
  q.claim = Claim::kMine;
  EXPECT_EQ(TaskIds(q), Ids{review2_});
  q.username = "li";
  EXPECT_EQ(TaskIds(q), Ids{});
  EXPECT_EQ(Inbox(q).mine, 0);

  q = Scjg();
  q.deadline = Deadline::kNone;
  EXPECT_EQ(TaskIds(q), (Ids{accept1_, approve5_}));
  q.deadline = Deadline::kYellow;
  EXPECT_EQ(TaskIds(q), Ids{review2_});
  q.deadline = Deadline::kNormal;
  EXPECT_EQ(TaskIds(q), Ids{});
  q.deadline = Deadline::kRed;
  EXPECT_EQ(TaskIds(q), Ids{});

  // On Monday (11-16) with two working days to go by 11-18, the 11-20 deadline is normal.
  q = Scjg();
  q.today = "2026-11-16";
  q.yellow_until = "2026-11-18";
  q.deadline = Deadline::kNormal;
  EXPECT_EQ(TaskIds(q), Ids{review2_});
  EXPECT_EQ(Inbox(q).yellow, 0);
  // On Saturday 11-21 it is past.
  q = Scjg();
  q.today = "2026-11-21";
  q.yellow_until = "2026-11-25";
  q.deadline = Deadline::kRed;
  EXPECT_EQ(TaskIds(q), Ids{review2_});
  EXPECT_EQ(Inbox(q).red, 1);
  EXPECT_EQ(Inbox(q).yellow, 0);

  q = Scjg();
  q.filter.item_code = "E05";
  EXPECT_EQ(TaskIds(q), Ids{approve5_});
  EXPECT_EQ(Inbox(q).total, 1);  // the case filters narrow the counts too
  q = Scjg();
  q.filter.case_id = id1_;
  EXPECT_EQ(TaskIds(q), Ids{accept1_});
  q = Scjg();
  q.filter.name_contains = "王五";
  EXPECT_EQ(TaskIds(q), Ids{approve5_});

  q = Scjg();
  q.limit = 1;
  auto page = Inbox(q);
  EXPECT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.total, 3);
}

OW_INSTANTIATE_STORE_TESTS(CasesStore);

}  // namespace
}  // namespace ow::testing
