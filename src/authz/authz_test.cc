#include "authz/authz.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace ow::authz {
namespace {

// The role matrix: every principal the platform knows x every Action x the targets
// below, each cell the decision a user relies on. A row lists, per action, one
// character per target: 'A' allowed, '.' denied.
constexpr const char* kD = "330102-MZ";    // department D
constexpr const char* kE = "330102-SCJG";  // department E
constexpr const char* kPersonId = "acc_person";
constexpr const char* kOtherId = "acc_other";
constexpr const char* kApplicantId =
    "acc_applicant";  // a person, not a row; the agent acts for them

struct TargetCase {
  const char* name;
  const char* department;
  const char* region;
  const char* owner;  // nullptr: the acting principal's own account
};

constexpr TargetCase kTargets[] = {
    {"own data", "", "", nullptr},
    {"another person's data", "", "", kApplicantId},
    {"case of D in 330102", kD, "330102", kApplicantId},
    {"case of D in 330106 (another county of the city)", kD, "330106", kApplicantId},
    {"case of D in 330102001 (a township below)", kD, "330102001", kApplicantId},
    {"case of E in 330102", kE, "330102", kApplicantId},
    {"own case (D in 330102, applicant = the principal)", kD, "330102", nullptr},
};
constexpr size_t kTargetCount = std::size(kTargets);

std::vector<Action> AllActions() {
  std::vector<Action> out;
  for (const ActionInfo& info : Actions()) out.push_back(info.action);
  return out;
}
const std::vector<Action> kActions = AllActions();
std::string ActionName(Action a) { return std::string(Info(a).description); }

struct Row {
  std::string name;
  Principal who;
  bool agent_for_applicant = false;       // holds a live authorization from kApplicantId
  std::map<Action, std::string> allowed;  // actions not listed: denied everywhere
};

Role R(const char* role, const char* dept, const char* region) {
  return Role{role, dept, region, "test", "2025-01-01T00:00:00Z"};
}

Principal Holder(const char* id, const char* kind, std::vector<Role> roles = {}) {
  Principal p;
  p.account_id = id;
  p.username = id;
  p.kind = kind;
  p.roles = std::move(roles);
  p.session_id = std::string("ses_") + id;
  p.via = Via::kSession;
  p.name_for_audit = id;
  return p;
}

Principal Bearer(const char* account, const char* client, std::vector<std::string> scopes) {
  Principal p;
  p.account_id = account;
  p.client_id = client;
  p.kind = *account ? kPerson : "";
  p.scopes = std::move(scopes);
  p.via = *account ? Via::kUserToken : Via::kClientToken;
  p.name_for_audit = *account ? account : std::string("client:") + client;
  return p;
}

// What any account holder may do with their own data (and their own case).
constexpr const char* kSelf = "A.....A";
constexpr const char* kAll = "AAAAAAA";

std::vector<Row> Matrix() {
  using A = Action;
  std::map<A, std::string> self{{A::kReadAccount, kSelf},  {A::kUpdateAccount, kSelf},
                                {A::kActForPerson, kSelf}, {A::kReadCase, kSelf},
                                {A::kReadLicence, kSelf},  {A::kShareLicence, kSelf},
                                {A::kUseLicence, kSelf},   {A::kManageNotifications, kSelf}};
  // Every account holder with a session may attempt these; whose enterprise or file it
  // is, the owning domain decides.
  for (A a : {A::kReadOwnCases, A::kManageEnterprise, A::kReadEnterprise, A::kUploadMaterial,
              A::kReadMaterial})
    self[a] = kAll;
  auto staff = [](const char* id, std::vector<Role> roles) {
    return Holder(id, kStaff, std::move(roles));
  };
  // Staff also open the workbench (what it shows depends on their roles).
  auto staff_self = [&](const std::map<A, std::string>& extra) {
    auto m = self;
    m[A::kWorkOnCases] = kAll;
    // Every staff member reads the data resource catalogue; department staff draft their
    // department's resources and keep its bases as they answer its tickets; approvers
    // review resources and decide access as they decide cases.
    m[A::kReadDataResources] = kAll;
    for (auto& [k, v] : extra) m[k] = v;
    if (auto it = extra.find(A::kAnswerTicket); it != extra.end()) {
      m[A::kWriteDataResources] = it->second;
      m[A::kMaintainBaseData] = it->second;
      m[A::kApplyForSystems] = it->second;
    }
    if (auto it = extra.find(A::kApproveCase); it != extra.end()) {
      m[A::kReviewDataResources] = it->second;
      m[A::kDecideDataAccess] = it->second;
    }
    return m;
  };
  std::vector<Row> rows;
  // A person books appointments for themselves (staff accounts do not), and asks, reads and
  // rates their own tickets.
  auto person = self;
  person[A::kBook] = kSelf;
  person[A::kAskTicket] = kSelf;
  person[A::kReadOwnTickets] = kAll;
  person[A::kReadTicket] = kSelf;
  person[A::kReadOwnDataUses] = kSelf;
  person[A::kObjectDataUse] = kSelf;
  rows.push_back({"person", Holder(kPersonId, kPerson), false, person});
  rows.push_back({"other person", Holder(kOtherId, kPerson), false, person});
  rows.push_back({"person via a relying party's token (openid tickets)",
                  Bearer(kPersonId, "cl_portal", {"openid", "tickets"}),
                  false,
                  {{A::kAskTicket, kSelf}, {A::kReadOwnTickets, kAll}, {A::kReadTicket, kSelf}}});
  // A relying party's access token for the person acts only within its scopes, and never
  // changes the account or acts for the person.
  rows.push_back({"person via a relying party's token (openid profile)",
                  Bearer(kPersonId, "cl_portal", {"openid", "profile"}),
                  false,
                  {{A::kReadAccount, kSelf}, {A::kReadEnterprise, kAll}}});
  rows.push_back({"person via a relying party's token (openid cases.read)",
                  Bearer(kPersonId, "cl_portal", {"openid", "cases.read"}),
                  false,
                  {{A::kReadCase, kSelf}, {A::kReadOwnCases, kAll}}});
  rows.push_back({"agent with a live authorization",
                  staff("acc_agent_live", {R(kAgent, "", "330102")}), true,
                  staff_self({{A::kReadAccount, kAll},
                              {A::kActForPerson, kAll},
                              {A::kReadCase, kAll},
                              {A::kBook, ".AAAAA."}})});
  rows.push_back({"agent without authorization", staff("acc_agent_none", {R(kAgent, "", "330102")}),
                  false, staff_self({})});
  rows.push_back({"county acceptor of D in 330102",
                  staff("acc_cty_acc", {R(kAcceptor, kD, "330102")}), false,
                  staff_self({{A::kReadTicket, "..A.A.A"},
                              {A::kAnswerTicket, "..A.A.A"},
                              {A::kManageFaq, "..A.A.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.A.A.A"},
                              {A::kAcceptCase, "..A.A.A"},
                              {A::kReadLicence, "A.A.A.A"}})});
  rows.push_back({"county reviewer of D in 330102",
                  staff("acc_cty_rev", {R(kReviewer, kD, "330102")}), false,
                  staff_self({{A::kReadTicket, "..A.A.A"},
                              {A::kAnswerTicket, "..A.A.A"},
                              {A::kManageFaq, "..A.A.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.A.A.A"},
                              {A::kReviewCase, "..A.A.A"},
                              {A::kReadLicence, "A.A.A.A"}})});
  rows.push_back({"county approver of D in 330102",
                  staff("acc_cty_apr", {R(kApprover, kD, "330102")}), false,
                  staff_self({{A::kReadTicket, "..A.A.A"},
                              {A::kAnswerTicket, "..A.A.A"},
                              {A::kManageFaq, "..A.A.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.A.A.A"},
                              {A::kApproveCase, "..A.A.A"},
                              {A::kReadLicence, "A.A.A.A"},
                              {A::kIssueLicence, "..A.A.A"},
                              {A::kSearchExchangeLog, "..A.A.A"}})});
  rows.push_back({"city acceptor of D in 3301", staff("acc_city_acc", {R(kAcceptor, kD, "3301")}),
                  false,
                  staff_self({{A::kReadTicket, "..AAA.A"},
                              {A::kAnswerTicket, "..AAA.A"},
                              {A::kManageFaq, "..AAA.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.AAA.A"},
                              {A::kAcceptCase, "..AAA.A"},
                              {A::kReadLicence, "A.AAA.A"}})});
  rows.push_back({"city reviewer of D in 3301", staff("acc_city_rev", {R(kReviewer, kD, "3301")}),
                  false,
                  staff_self({{A::kReadTicket, "..AAA.A"},
                              {A::kAnswerTicket, "..AAA.A"},
                              {A::kManageFaq, "..AAA.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.AAA.A"},
                              {A::kReviewCase, "..AAA.A"},
                              {A::kReadLicence, "A.AAA.A"}})});
  rows.push_back({"city approver of D in 3301", staff("acc_city_apr", {R(kApprover, kD, "3301")}),
                  false,
                  staff_self({{A::kReadTicket, "..AAA.A"},
                              {A::kAnswerTicket, "..AAA.A"},
                              {A::kManageFaq, "..AAA.A"},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A.AAA.A"},
                              {A::kApproveCase, "..AAA.A"},
                              {A::kReadLicence, "A.AAA.A"},
                              {A::kIssueLicence, "..AAA.A"},
                              {A::kSearchExchangeLog, "..AAA.A"}})});
  rows.push_back({"reviewer of department E in 330102",
                  staff("acc_e_rev", {R(kReviewer, kE, "330102")}), false,
                  staff_self({{A::kReadTicket, ".....A."},
                              {A::kAnswerTicket, ".....A."},
                              {A::kManageFaq, ".....A."},
                              {A::kTicketInbox, kAll},
                              {A::kReadCase, "A....AA"},
                              {A::kReviewCase, ".....A."},
                              {A::kReadLicence, "A....AA"}})});
  rows.push_back({"counter staff of 330102", staff("acc_counter", {R(kCounter, "", "330102")}),
                  false,
                  staff_self({{A::kReadTicket, "..A.AAA"},
                              {A::kRegisterTicket, "..A.AAA"},
                              {A::kReadCase, "A.A.AAA"},
                              {A::kCounterIntake, "..A.AAA"},
                              {A::kVerifyIdentity, "..A.AA."},
                              {A::kOperateHall, "..A.AAA"}})});
  rows.push_back({"supervisor of 3301", staff("acc_sup", {R(kSupervisor, "", "3301")}), false,
                  staff_self({{A::kReadIndicators, "..AAAAA"},
                              {A::kReadTicket, "..AAAAA"},
                              {A::kSuperviseTicket, "..AAAAA"},
                              {A::kTicketInbox, kAll}})});
  rows.push_back({"12345 hotline of 3301", staff("acc_hotline", {R(kHotline, "", "3301")}), false,
                  staff_self({{A::kReadTicket, "..AAAAA"}, {A::kRegisterTicket, "..AAAAA"}})});
  rows.push_back({"system administrator", staff("acc_sysadm", {R(kSystemAdmin, "", "")}), false,
                  staff_self({{A::kManageStaff, kAll},
                              {A::kListStaff, kAll},
                              {A::kManageClients, kAll},
                              {A::kManageTrusts, kAll},
                              {A::kManageCatalog, kAll},
                              {A::kManageDeliveries, kAll},
                              {A::kManageHalls, kAll},
                              {A::kManageWebhooks, kAll}})});
  rows.push_back({"security administrator", staff("acc_secadm", {R(kSecurityAdmin, "", "")}), false,
                  staff_self({{A::kGrantRole, ".AAAAA."},
                              {A::kListStaff, kAll},
                              {A::kRotateKeys, kAll},
                              {A::kManageSeals, kAll}})});
  rows.push_back({"audit administrator", staff("acc_audadm", {R(kAuditAdmin, "", "")}), false,
                  staff_self({{A::kReadAudit, kAll}, {A::kSearchExchangeLog, kAll}})});
  Principal token;
  token.username = "ops";
  token.via = Via::kAdminToken;
  token.name_for_audit = "ops";
  rows.push_back({"admin token",
                  token,
                  false,
                  {{A::kManageStaff, kAll},
                   {A::kListStaff, kAll},
                   {A::kManageClients, kAll},
                   {A::kManageTrusts, kAll},
                   {A::kManageCatalog, kAll},
                   {A::kManageDeliveries, kAll},
                   {A::kManageHalls, kAll},
                   {A::kManageWebhooks, kAll},
                   {A::kReadDataResources, kAll},
                   {A::kMaintainBaseData, kAll}}});
  rows.push_back({"client credentials with cases.read indicators.read",
                  Bearer("", "cl_peer", {"cases.read", "indicators.read"}),
                  false,
                  {{A::kReadCase, kAll}, {A::kReadIndicators, kAll}}});
  rows.push_back({"client credentials without scopes", Bearer("", "cl_bare", {}), false, {}});
  // Ratings (好差评) follow the tickets' rules role by role: a person with a session rates
  // and reads their own (never through a token); the department that answers a ticket
  // rectifies a rating and invites the applicant to rate, the supervisors who take escalated
  // tickets rule on appeals, the hotline and hall staff who register tickets record ratings,
  // and the counter also sends rating links.
  for (Row& row : rows) {
    auto pattern = [&](A a) -> std::string {
      auto it = row.allowed.find(a);
      return it == row.allowed.end() ? "" : it->second;
    };
    if (row.who.kind == kPerson && row.who.via == Via::kSession) {
      row.allowed[A::kRate] = kSelf;
      row.allowed[A::kReadOwnRatings] = kAll;
      row.allowed[A::kReadRating] = kSelf;
    }
    if (std::string answer = pattern(A::kAnswerTicket); !answer.empty()) {
      row.allowed[A::kRectifyRating] = answer;
      row.allowed[A::kInviteRating] = answer;
      row.allowed[A::kReadRating] = answer;
    }
    if (std::string supervise = pattern(A::kSuperviseTicket); !supervise.empty()) {
      row.allowed[A::kSuperviseRating] = supervise;
      row.allowed[A::kReadRating] = supervise;
    }
    if (std::string inbox = pattern(A::kTicketInbox); !inbox.empty())
      row.allowed[A::kRatingInbox] = inbox;
    if (std::string reg = pattern(A::kRegisterTicket); !reg.empty()) {
      row.allowed[A::kRegisterRating] = reg;
      if (row.who.HasRole(kCounter)) row.allowed[A::kInviteRating] = reg;
    }
    // Supervision (issue 17) follows the same roles: the supervisors who take escalated
    // tickets watch their regions and issue orders; the department that answers tickets
    // answers orders and claims its new licensees; the ticket inbox's holders see the
    // orders lists; the approvers who decide cases plan random inspections.
    if (std::string supervise = pattern(A::kSuperviseTicket); !supervise.empty()) {
      row.allowed[A::kSuperviseRegion] = supervise;
      row.allowed[A::kIssueOrder] = supervise;
    }
    if (std::string answer = pattern(A::kAnswerTicket); !answer.empty()) {
      row.allowed[A::kAnswerOrder] = answer;
      row.allowed[A::kClaimLicensee] = answer;
    }
    if (std::string inbox = pattern(A::kTicketInbox); !inbox.empty())
      row.allowed[A::kSupervisionInbox] = inbox;
    if (std::string approve = pattern(A::kApproveCase); !approve.empty())
      row.allowed[A::kPlanInspections] = approve;
  }
  // The workbench is for staff who handle cases: not agents, supervisors or administrators.
  for (Row& row : rows) {
    bool handles = false;
    for (const Role& r : row.who.roles)
      handles |=
          r.role == kAcceptor || r.role == kReviewer || r.role == kApprover || r.role == kCounter;
    if (!handles) row.allowed.erase(A::kWorkOnCases);
    // A case's sealed files (documents, licences used) go to whoever may read the case,
    // but not to client systems, which read cases without a person.
    if (auto it = row.allowed.find(A::kReadCase);
        it != row.allowed.end() && row.who.via != Via::kClientToken)
      row.allowed[A::kReadCaseFiles] = it->second;
    // The archive: persons read their own archived cases as they read their live ones;
    // handling staff read and export those of their department as they handle its cases
    // (agents and counters do not); auditors all of them.
    if (auto it = row.allowed.find(A::kReadCase);
        it != row.allowed.end() && row.who.kind == kPerson)
      row.allowed[A::kReadArchivedCase] = it->second;
    for (A a : {A::kAcceptCase, A::kReviewCase, A::kApproveCase}) {
      if (auto it = row.allowed.find(a); it != row.allowed.end()) {
        row.allowed[A::kReadArchivedCase] = it->second;
        row.allowed[A::kExportArchivedCase] = it->second;
      }
    }
    if (row.who.HasRole(kAuditAdmin)) {
      row.allowed[A::kReadArchivedCase] = kAll;
      row.allowed[A::kExportArchivedCase] = kAll;
    }
  }
  return rows;
}

Target MakeTarget(const TargetCase& t, const Row& row) {
  Target out;
  out.department_code = t.department;
  out.region_code = t.region;
  out.owner_account = t.owner ? t.owner : row.who.account_id;
  out.agent_for_owner = row.agent_for_applicant && out.owner_account == kApplicantId;
  return out;
}

TEST(Authz, RoleMatrix) {
  int cells = 0;
  for (const Row& row : Matrix()) {
    for (const auto& [action, pattern] : row.allowed)
      ASSERT_EQ(pattern.size(), kTargetCount) << row.name << " / " << ActionName(action);
    for (Action action : kActions) {
      auto it = row.allowed.find(action);
      std::string pattern = it == row.allowed.end() ? std::string(kTargetCount, '.') : it->second;
      for (size_t i = 0; i < kTargetCount; ++i) {
        bool expected = pattern[i] == 'A';
        Status got = Decide(row.who, action, MakeTarget(kTargets[i], row));
        ++cells;
        EXPECT_EQ(got.has_value(), expected)
            << "\n  principal: " << row.name << "\n  action:    " << ActionName(action)
            << "\n  target:    " << kTargets[i].name
            << "\n  expected:  " << (expected ? "allow" : "deny") << ", got "
            << (got ? std::string("allow") : "deny (" + got.error().message + ")");
        if (!got) {
          EXPECT_EQ(got.error().code, Code::kPermissionDenied) << row.name;
          // Refused by the gate (this kind of caller, or a missing scope) or by the rule.
          if (Gate(row.who, action)) {
            EXPECT_EQ(got.error().message, "you may not " + std::string(ActionName(action)));
          }
        }
      }
    }
  }
  EXPECT_EQ(cells, 23 * static_cast<int>(kActions.size()) * 7);
}

TEST(Authz, NoCredentialsIsUnauthenticated) {
  Principal nobody;
  for (Action a : kActions) {
    Status st = Decide(nobody, a, {kD, "330102", kApplicantId, false});
    ASSERT_FALSE(st) << ActionName(a);
    EXPECT_EQ(st.error().code, Code::kUnauthenticated) << ActionName(a);
  }
}

TEST(Authz, AnAgentFlagWithoutTheAgentRoleGrantsNothing) {
  // The caller found an authorization, but the account is no longer an agent.
  Principal clerk = Holder("acc_clerk", kStaff, {R(kCounter, "", "330106")});
  Target t{"", "", kApplicantId, true};
  EXPECT_FALSE(Decide(clerk, Action::kReadAccount, t));
  EXPECT_FALSE(Decide(clerk, Action::kActForPerson, t));
}

TEST(Authz, AnEnterpriseActsThroughItsOperatorsRights) {
  // The caller looked the rights up; Decide maps each to what it allows.
  Principal person = Holder("acc_op", kPerson);
  auto on = [](bool apply, bool view, bool manage) {
    Target t;
    t.operator_of_owner = {apply, view, manage};
    return t;
  };
  EXPECT_TRUE(Decide(person, Action::kActForEnterprise, on(true, false, false)));
  EXPECT_FALSE(Decide(person, Action::kActForEnterprise, on(false, true, true)));
  EXPECT_TRUE(Decide(person, Action::kManageOperators, on(false, false, true)));
  EXPECT_FALSE(Decide(person, Action::kManageOperators, on(true, true, false)));
  // An enterprise's licence stands for a material only in an application by an operator
  // who may apply in its name.
  EXPECT_TRUE(Decide(person, Action::kUseLicence, on(true, false, false)));
  EXPECT_FALSE(Decide(person, Action::kUseLicence, on(false, true, true)));
  for (auto t : {on(true, false, false), on(false, true, false), on(false, false, true)})
    EXPECT_TRUE(Decide(person, Action::kReadCase, t));
  EXPECT_FALSE(Decide(person, Action::kReadCase, on(false, false, false)));
  // A relying party's token reads within cases.read, and never acts or manages.
  Principal rp = Bearer("acc_op", "cl_portal", {"openid", "cases.read"});
  EXPECT_TRUE(Decide(rp, Action::kReadCase, on(false, true, false)));
  EXPECT_FALSE(Decide(rp, Action::kActForEnterprise, on(true, true, true)));
  EXPECT_FALSE(Decide(rp, Action::kManageOperators, on(true, true, true)));
  EXPECT_FALSE(Decide(Bearer("acc_op", "cl_portal", {"openid", "profile"}), Action::kReadCase,
                      on(true, true, true)));
  // Staff never act as an enterprise's operators, whatever the caller passes.
  Principal clerk = Holder("acc_clerk", kStaff, {R(kCounter, "", "330106")});
  EXPECT_FALSE(Decide(clerk, Action::kActForEnterprise, on(true, true, true)));
  EXPECT_FALSE(Decide(clerk, Action::kManageOperators, on(true, true, true)));
  EXPECT_FALSE(Decide(clerk, Action::kUseLicence, on(true, true, true)));
}

TEST(Authz, RegionsNestByWholeLevels) {
  EXPECT_TRUE(RegionWithin("330102", "330102"));
  EXPECT_TRUE(RegionWithin("330102001", "3301"));
  EXPECT_TRUE(RegionWithin("330102001001", "330102001"));
  EXPECT_TRUE(RegionWithin("3301", "33"));
  EXPECT_FALSE(RegionWithin("3301", "330102"));  // a city is not inside its county
  EXPECT_FALSE(RegionWithin("330106", "330102"));
  EXPECT_FALSE(RegionWithin("3302", "3301"));
  EXPECT_FALSE(RegionWithin("330102", ""));  // an unscoped role covers no region
  EXPECT_FALSE(RegionWithin("", "3301"));
}

}  // namespace
}  // namespace ow::authz
