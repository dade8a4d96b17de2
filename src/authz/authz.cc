#include "authz/authz.h"

#include <algorithm>
#include <array>
#include <cassert>

namespace ow::authz {
namespace {

constexpr unsigned kStaffOrAdmin = kBySession | kByAdminToken;

// The table. A bearer token acts only where a scope is named; the portal session is
// needed wherever a person changes their account or their trust relationships (a
// relying party must never be able to do that with a token it holds for them).
constexpr std::array kTable = {
    ActionInfo{Action::kReadAccount, "accounts.read", "read this account",
               kBySession | kByUserToken, "profile", true},
    ActionInfo{Action::kUpdateAccount, "accounts.update", "change this account", kBySession, "",
               true},
    ActionInfo{Action::kManageEnterprise, "enterprises.manage", "manage this enterprise",
               kBySession, "", true},
    ActionInfo{Action::kManageOperators, "enterprises.operators",
               "manage this enterprise's operators", kBySession, "", true},
    ActionInfo{Action::kReadEnterprise, "enterprises.read", "read this enterprise",
               kBySession | kByUserToken, "profile", true},
    ActionInfo{Action::kActForPerson, "cases.write", "act for this person",
               kBySession | kByUserToken, "cases.write", true},
    ActionInfo{Action::kActForEnterprise, "enterprises.apply", "act in this enterprise's name",
               kBySession, "", true},
    ActionInfo{Action::kReadCase, "cases.read", "read this case",
               kBySession | kByUserToken | kByClientToken, "cases.read", true},
    ActionInfo{Action::kReadCaseFiles, "cases.files.read", "read this case's sealed files",
               kBySession | kByUserToken, "cases.read", true},
    ActionInfo{Action::kReadOwnCases, "cases.read.own", "read your own cases",
               kBySession | kByUserToken, "cases.read", true},
    ActionInfo{Action::kUploadMaterial, "materials.write", "upload materials",
               kBySession | kByUserToken, "materials.write", true},
    ActionInfo{Action::kReadMaterial, "materials.read", "read this material",
               kBySession | kByUserToken, "materials.read", true},
    ActionInfo{Action::kWorkOnCases, "workbench", "work on cases", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kAcceptCase, "cases.accept", "accept this case", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kReviewCase, "cases.review", "review this case", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kApproveCase, "cases.approve", "decide this case", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kCounterIntake, "cases.intake", "register applications at this hall",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kVerifyIdentity, "identity.verify", "verify this person's identity",
               kBySession, "", true},
    ActionInfo{Action::kManageStaff, "staff.manage", "manage staff accounts", kStaffOrAdmin, "",
               false},
    ActionInfo{Action::kListStaff, "staff.list", "read the staff accounts", kStaffOrAdmin, "",
               false},
    ActionInfo{Action::kGrantRole, "roles.grant", "grant or revoke this role", kBySession, "",
               true},
    ActionInfo{Action::kReadAudit, "audit.read", "read the audit log", kBySession, "", false},
    ActionInfo{Action::kManageClients, "clients.manage", "manage OpenID Connect clients",
               kStaffOrAdmin, "", false},
    ActionInfo{Action::kRotateKeys, "keys.rotate", "rotate signing keys", kBySession, "", false},
    ActionInfo{Action::kManageTrusts, "trusts.manage", "manage trusted platforms", kStaffOrAdmin,
               "", false},
    ActionInfo{Action::kManageCatalog, "catalog.manage", "manage the catalog", kStaffOrAdmin, "",
               false},
    ActionInfo{Action::kReadIndicators, "indicators.read", "read these indicators",
               kBySession | kByClientToken, "indicators.read", true},
    ActionInfo{Action::kManageSeals, "seals.manage", "manage seals and the certificate authority",
               kBySession, "", false},
    ActionInfo{Action::kIssueLicence, "licences.issue",
               "issue or change this department's licences", kBySession | kByUserToken, "workbench",
               true},
    ActionInfo{Action::kReadLicence, "licences.read", "read this licence",
               kBySession | kByUserToken, "licences.read", true},
    ActionInfo{Action::kShareLicence, "licences.share", "share this licence", kBySession, "", true},
    ActionInfo{Action::kUseLicence, "licences.use", "use this licence for an application",
               kBySession | kByUserToken, "cases.write", true},
    ActionInfo{Action::kManageNotifications, "notifications.manage",
               "change these notification settings", kBySession, "", true},
    ActionInfo{Action::kManageDeliveries, "deliveries.manage", "manage notification deliveries",
               kStaffOrAdmin, "", false},
    ActionInfo{Action::kManageHalls, "halls.manage", "manage service halls", kStaffOrAdmin, "",
               false},
    ActionInfo{Action::kBook, "bookings.write", "book appointments for this person",
               kBySession | kByUserToken, "bookings", true},
    ActionInfo{Action::kOperateHall, "halls.operate", "run this hall's queue",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kAskTicket, "tickets.write", "ask or rate as this person",
               kBySession | kByUserToken, "tickets", true},
    ActionInfo{Action::kReadOwnTickets, "tickets.read.own", "read your own tickets",
               kBySession | kByUserToken, "tickets", true},
    ActionInfo{Action::kReadTicket, "tickets.read", "read this ticket", kBySession | kByUserToken,
               "tickets", true},
    ActionInfo{Action::kAnswerTicket, "tickets.answer", "answer this department's tickets",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kSuperviseTicket, "tickets.supervise", "handle this escalated ticket",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kTicketInbox, "tickets.inbox", "work on tickets", kBySession | kByUserToken,
               "workbench", false},
    ActionInfo{Action::kRegisterTicket, "tickets.register", "register tickets for callers here",
               kBySession, "", true},
    ActionInfo{Action::kManageFaq, "faq.manage", "publish this department's FAQ entries",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kRate, "ratings.write", "rate this case as its applicant", kBySession, "",
               true},
    ActionInfo{Action::kReadOwnRatings, "ratings.read.own", "read your own ratings", kBySession, "",
               true},
    ActionInfo{Action::kReadRating, "ratings.read", "read this rating", kBySession, "", true},
    ActionInfo{Action::kRegisterRating, "ratings.register",
               "record ratings for applicants of this region", kBySession, "", true},
    ActionInfo{Action::kInviteRating, "ratings.invite", "invite this case's applicant to rate",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kRatingInbox, "ratings.inbox", "work on rectifications",
               kBySession | kByUserToken, "workbench", false},
    ActionInfo{Action::kRectifyRating, "ratings.rectify", "rectify this department's bad ratings",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kSuperviseRating, "ratings.supervise", "rule on this rating",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kSearchExchangeLog, "exchange_log.search",
               "search this department's exchange log", kBySession, "", true},
    ActionInfo{Action::kReadOwnDataUses, "data_uses.read.own", "read the uses of your data",
               kBySession, "", true},
    ActionInfo{Action::kObjectDataUse, "data_uses.object", "object to a use of your data",
               kBySession, "", true},
    ActionInfo{Action::kReadDataResources, "exchange.resources.read",
               "read the data resource catalogue", kBySession | kByClientToken | kByAdminToken,
               "exchange", false},
    ActionInfo{Action::kWriteDataResources, "exchange.resources.write",
               "draft this department's data resources", kBySession | kByUserToken, "workbench",
               true},
    ActionInfo{Action::kReviewDataResources, "exchange.resources.review",
               "review this department's data resources", kBySession | kByUserToken, "workbench",
               true},
    ActionInfo{Action::kApplyForData, "exchange.apply", "apply for data resources", kByClientToken,
               "exchange", true},
    ActionInfo{Action::kDecideDataAccess, "exchange.decide",
               "decide access to this department's data resources", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kQueryData, "exchange.query", "query data resources", kByClientToken,
               "exchange", true},
    ActionInfo{Action::kExtractData, "exchange.extract", "bulk-extract data resources",
               kByClientToken, "exchange", true},
    ActionInfo{Action::kMaintainBaseData, "exchange.base.write", "maintain this base's records",
               kBySession | kByClientToken | kByAdminToken, "exchange", true},
    ActionInfo{Action::kReadArchivedCase, "archive.read", "read this archived case",
               kBySession | kByUserToken, "cases.read", true},
    ActionInfo{Action::kExportArchivedCase, "archive.export",
               "export this archived case's signed package", kBySession, "", true},
    ActionInfo{Action::kSubscribeEvents, "webhooks.subscribe",
               "subscribe to this department's events", kByClientToken, "events.subscribe", true},
    ActionInfo{Action::kManageWebhooks, "webhooks.manage",
               "manage webhook subscriptions and deliveries", kStaffOrAdmin, "", false},
    ActionInfo{Action::kApplyForSystems, "exchange.apply.department",
               "apply for data for this department's systems and read their grants",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kSuperviseRegion, "supervision.watch", "supervise this region",
               kBySession | kByUserToken, "workbench", true},
    ActionInfo{Action::kIssueOrder, "supervision.orders.issue",
               "issue supervision orders in this region", kBySession | kByUserToken, "workbench",
               true},
    ActionInfo{Action::kAnswerOrder, "supervision.orders.answer",
               "answer this department's supervision orders", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kSupervisionInbox, "supervision.inbox", "work on supervision orders",
               kBySession | kByUserToken, "workbench", false},
    ActionInfo{Action::kClaimLicensee, "supervision.claim",
               "take this department's licensees under supervision", kBySession | kByUserToken,
               "workbench", true},
    ActionInfo{Action::kPlanInspections, "inspections.plan",
               "plan this department's random inspections", kBySession | kByUserToken, "workbench",
               true},
};

constexpr bool InOrder() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].action) != i) return false;
  return true;
}
static_assert(InOrder(), "kTable lists every Action once, in declaration order");

constexpr std::array<std::string_view, 10> kScopes = {
    "cases.read",    "cases.write", "materials.read", "materials.write", "workbench",
    "licences.read", "bookings",    "tickets",        "exchange",        "events.subscribe"};

// A department role covers the target if the department matches and the region nests.
bool Covers(const Role& r, const Target& t, bool any_department) {
  if (!any_department && !t.department_code.empty() && r.department_code != t.department_code)
    return false;
  if (!any_department && t.department_code.empty() && !r.department_code.empty()) return false;
  return t.region_code.empty() ? r.region_code.empty() : RegionWithin(t.region_code, r.region_code);
}

bool HasCovering(const Principal& p, std::initializer_list<const char*> roles, const Target& t,
                 bool any_department = false) {
  return std::any_of(p.roles.begin(), p.roles.end(), [&](const Role& r) {
    for (const char* name : roles)
      if (r.role == name && Covers(r, t, any_department)) return true;
    return false;
  });
}

// The resource rule; the gate has already admitted this kind of caller (and its scope).
bool Allowed(const Principal& p, Action a, const Target& t) {
  bool self = !p.account_id.empty() && p.account_id == t.owner_account;
  bool agent = t.agent_for_owner && p.HasRole(kAgent) && p.via == Via::kSession;
  bool system = p.via == Via::kClientToken;
  switch (a) {
    case Action::kReadAccount:
    case Action::kActForPerson:
      return self || agent;
    case Action::kUpdateAccount:
      return self;
    case Action::kReadOwnCases:
    case Action::kManageEnterprise:
    case Action::kReadEnterprise:
    case Action::kUploadMaterial:
    case Action::kReadMaterial:
      // Persons only; whose enterprise or material it is, the owning domain checks.
      return !p.account_id.empty();
    case Action::kWorkOnCases:
      // Staff who handle cases; which cases and tasks, the cases domain decides by role.
      return p.kind == kStaff && std::any_of(p.roles.begin(), p.roles.end(), [](const Role& r) {
               return r.role == kAcceptor || r.role == kReviewer || r.role == kApprover ||
                      r.role == kCounter;
             });
    case Action::kManageStaff:
    case Action::kManageClients:
    case Action::kManageTrusts:
    case Action::kManageCatalog:
      return p.admin_token() || p.HasRole(kSystemAdmin);
    case Action::kListStaff:
      // The security administrator grants staff roles, so sees whom to grant them to.
      return p.admin_token() || p.HasRole(kSystemAdmin) || p.HasRole(kSecurityAdmin);
    case Action::kGrantRole:
      return p.HasRole(kSecurityAdmin) && p.account_id != t.owner_account;
    case Action::kRotateKeys:
      return p.HasRole(kSecurityAdmin);
    case Action::kReadAudit:
      return p.HasRole(kAuditAdmin);
    case Action::kActForEnterprise:
      return t.operator_of_owner.apply && p.kind == kPerson;
    case Action::kManageOperators:
      return t.operator_of_owner.manage && p.kind == kPerson;
    case Action::kReadCase:
    case Action::kReadCaseFiles:
      return self || agent || (t.operator_of_owner.Any() && p.kind == kPerson) ||
             HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             HasCovering(p, {kCounter}, t, true) || system;
    case Action::kAcceptCase:
      return HasCovering(p, {kAcceptor}, t);
    case Action::kReviewCase:
      return HasCovering(p, {kReviewer}, t);
    case Action::kApproveCase:
      return HasCovering(p, {kApprover}, t);
    case Action::kCounterIntake:
      return HasCovering(p, {kCounter}, t, true);
    case Action::kVerifyIdentity:
      return HasCovering(p, {kCounter}, t, true) && !self;
    case Action::kReadIndicators:
      return HasCovering(p, {kSupervisor}, t, true) || system;
    case Action::kManageSeals:
      return p.HasRole(kSecurityAdmin);
    case Action::kIssueLicence:
      return HasCovering(p, {kApprover}, t);
    case Action::kReadLicence:
      // The holder (the caller proved the number: Target::owner_account), the operators
      // of the holding enterprise, and the issuing department's staff.
      return self || (t.operator_of_owner.Any() && p.kind == kPerson) ||
             HasCovering(p, {kAcceptor, kReviewer, kApprover}, t);
    case Action::kShareLicence:
      // Only who holds it: the person, or an operator who acts in the enterprise's name.
      return self ||
             ((t.operator_of_owner.apply || t.operator_of_owner.manage) && p.kind == kPerson);
    case Action::kUseLicence:
      // The holder applying for themselves, or an operator applying in the enterprise's
      // name; never an agent or a hall (the consent is the holder's).
      return self || (t.operator_of_owner.apply && p.kind == kPerson);
    case Action::kManageNotifications:
      return self;
    case Action::kManageDeliveries:
      // Addresses and phone numbers are personal data: the platform's operator, who
      // runs the mail and SMS relays, and nobody who reads cases.
      return p.admin_token() || p.HasRole(kSystemAdmin);
    case Action::kManageHalls:
      return p.admin_token() || p.HasRole(kSystemAdmin);
    case Action::kBook:
      // The person, or their agent under a live authorization; never a hall or a system.
      return (self && p.kind == kPerson) || agent;
    case Action::kOperateHall:
      return HasCovering(p, {kCounter}, t, true);
    case Action::kAskTicket:
      // The asker themselves: never an agent, staff or a system.
      return self && p.kind == kPerson;
    case Action::kReadOwnTickets:
      return !p.account_id.empty() && p.kind == kPerson;
    case Action::kReadTicket:
      return (self && p.kind == kPerson) || HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             HasCovering(p, {kSupervisor, kHotline, kCounter}, t, true);
    case Action::kAnswerTicket:
    case Action::kManageFaq:
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t);
    case Action::kSuperviseTicket:
      return HasCovering(p, {kSupervisor}, t, true);
    case Action::kTicketInbox:
      return p.kind == kStaff && std::any_of(p.roles.begin(), p.roles.end(), [](const Role& r) {
               return r.role == kAcceptor || r.role == kReviewer || r.role == kApprover ||
                      r.role == kSupervisor;
             });
    case Action::kRegisterTicket:
      return HasCovering(p, {kHotline, kCounter}, t, true);
    case Action::kRate:
      // The applicant themselves: an agent's authorization covers applying, not speaking
      // for the person; staff record ratings through kRegisterRating.
      return self && p.kind == kPerson;
    case Action::kReadOwnRatings:
      return !p.account_id.empty() && p.kind == kPerson;
    case Action::kReadRating:
      return (self && p.kind == kPerson) || HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             HasCovering(p, {kSupervisor}, t, true);
    case Action::kRegisterRating:
      return HasCovering(p, {kCounter, kHotline}, t, true);
    case Action::kInviteRating:
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             HasCovering(p, {kCounter}, t, true);
    case Action::kRatingInbox:
      return p.kind == kStaff && std::any_of(p.roles.begin(), p.roles.end(), [](const Role& r) {
               return r.role == kAcceptor || r.role == kReviewer || r.role == kApprover ||
                      r.role == kSupervisor;
             });
    case Action::kRectifyRating:
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t);
    case Action::kSuperviseRating:
      return HasCovering(p, {kSupervisor}, t, true);
    case Action::kSearchExchangeLog:
      // Auditors read the whole log; a department's approvers (its leadership) what
      // their department consumed or provided, in their region.
      return p.HasRole(kAuditAdmin) ||
             (!t.department_code.empty() && HasCovering(p, {kApprover}, t));
    case Action::kReadOwnDataUses:
    case Action::kObjectDataUse:
      return self && p.kind == kPerson;
    case Action::kReadDataResources:
      // Government staff and department systems; a person's session sees nothing here.
      return p.kind == kStaff || system || p.admin_token();
    case Action::kWriteDataResources:
    case Action::kApplyForSystems:
      // A department's staff draft its resources and ask for the data its systems need.
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t);
    case Action::kReviewDataResources:
    case Action::kDecideDataAccess:
      return HasCovering(p, {kApprover}, t);
    case Action::kApplyForData:
    case Action::kQueryData:
    case Action::kExtractData:
      // Which department the system belongs to, and what it was granted, the exchange
      // checks on every call.
      return system;
    case Action::kMaintainBaseData:
      return p.admin_token() || HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) ||
             (system && t.system_of_department);
    case Action::kReadArchivedCase:
      // Not agents: an authorization to apply for someone does not reach their closed
      // history; not systems.
      return (self && p.kind == kPerson) || (t.operator_of_owner.Any() && p.kind == kPerson) ||
             HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) || p.HasRole(kAuditAdmin);
    case Action::kExportArchivedCase:
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t) || p.HasRole(kAuditAdmin);
    case Action::kSubscribeEvents:
      // Only a system registered to the department whose events it asks for.
      return system && t.system_of_department && !t.department_code.empty();
    case Action::kManageWebhooks:
      // Endpoints and dead deliveries are the platform operator's, who runs the outbox.
      return p.admin_token() || p.HasRole(kSystemAdmin);
    case Action::kSuperviseRegion:
    case Action::kIssueOrder:
      return HasCovering(p, {kSupervisor}, t, true);
    case Action::kAnswerOrder:
    case Action::kClaimLicensee:
      return HasCovering(p, {kAcceptor, kReviewer, kApprover}, t);
    case Action::kSupervisionInbox:
      return p.kind == kStaff && std::any_of(p.roles.begin(), p.roles.end(), [](const Role& r) {
               return r.role == kAcceptor || r.role == kReviewer || r.role == kApprover ||
                      r.role == kSupervisor;
             });
    case Action::kPlanInspections:
      return HasCovering(p, {kApprover}, t);
  }
  return false;
}

}  // namespace

std::string_view ViaName(Via v) {
  switch (v) {
    case Via::kNone:
      return "anonymous";
    case Via::kSession:
      return "session";
    case Via::kUserToken:
      return "user token";
    case Via::kClientToken:
      return "client token";
    case Via::kAdminToken:
      return "administrator token";
  }
  return "unknown";
}

std::span<const ActionInfo> Actions() { return kTable; }

const ActionInfo& Info(Action a) {
  size_t i = static_cast<size_t>(a);
  assert(i < kTable.size());
  return kTable[i];
}

std::span<const std::string_view> ActionScopes() { return kScopes; }

bool RegionWithin(std::string_view inner, std::string_view outer) {
  return !outer.empty() && inner.size() >= outer.size() && inner.substr(0, outer.size()) == outer;
}

Status Gate(const Principal& who, Action what) {
  if (who.via == Via::kNone) return Unauthenticated("log in first");
  const ActionInfo& info = Info(what);
  unsigned bit = 1u << static_cast<unsigned>(who.via);
  std::string action(info.description);
  if ((info.vias & bit) == 0) {
    if (who.is_token() && (info.vias & kBySession))
      return PermissionDenied("to " + action + ", sign in to the portal: a bearer token cannot");
    return PermissionDenied("a caller with " + std::string(authz::ViaName(who.via)) + " may not " +
                            action);
  }
  if (who.is_token() && !who.HasScope(info.scope))
    return PermissionDenied("to " + action + ", the token needs the scope " +
                            std::string(info.scope));
  return {};
}

Status Decide(const Principal& who, Action what, const Target& on) {
  if (auto st = Gate(who, what); !st) return st;
  if (Allowed(who, what, on)) return {};
  return PermissionDenied("you may not " + std::string(Info(what).description));
}

}  // namespace ow::authz
