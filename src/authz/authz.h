// Every authorization decision of the platform: one table of actions, one gate, one
// Decide().
//
// A decision has two halves, both here:
//  1. The gate (Gate): may this KIND of caller attempt the action at all? Each Action
//     names the ways of authenticating that may perform it and, for bearer tokens, the
//     OAuth scope the token must carry. Every HTTP route declares its action (or that it
//     is public); the dispatcher runs the gate before the handler, so a route without a
//     rule, a token without the scope, or a bearer token on a browser-only action never
//     reaches domain code. Default: deny.
//  2. The resource rule (Decide): may THIS caller do it to THIS resource (a Target: the
//     department, region and owner)? Decide runs the gate again, then the rule:
//      - Department staff roles (acceptor, reviewer, approver) act on resources of their
//        department in their region or any region below it (region codes nest by
//        prefix: 33 > 3301 > 330102 > 330102001). A county reviewer sees only their
//        county; a city reviewer sees every county of the city.
//      - Counter staff act for every department in their hall's region and below.
//      - The three administrator duties are separate: the system administrator runs the
//        platform (staff accounts, OIDC clients, trusts, catalog, departments), the
//        security administrator grants roles and rotates keys, the audit administrator
//        reads the audit log. None of them reads a person's data.
//      - A person reads and changes only their own data; an agent acts for a person
//        only under a live authorization covering the item (checked by the caller and
//        passed as Target::agent_for_owner).
//      - An enterprise acts through its operators: one holding "apply" applies, supplies
//        and withdraws in its name, any right ("view", "apply", "manage") reads its
//        cases, and "manage" grants and removes operators. The caller looks the live
//        rights up and passes them as Target::operator_of_owner.
// Thread-safe (pure functions).
#ifndef OW_AUTHZ_AUTHZ_H_
#define OW_AUTHZ_AUTHZ_H_

#include <span>
#include <string>
#include <string_view>

#include "authz/principal.h"
#include "core/error.h"

namespace ow::authz {

enum class Action {
  // A person's own account.
  kReadAccount,       // an account's profile (owner: the account)
  kUpdateAccount,     // password, sessions, logout everywhere, agent authorizations
  kManageEnterprise,  // register an enterprise (one becomes its managing operator)
  kManageOperators,   // grant or remove an enterprise's operators (an operator holding "manage")
  kReadEnterprise,    // the enterprises one operates for, and their operators
  // Applying.
  kActForPerson,      // apply, withdraw, supplement, mark messages read (owner: the applicant)
  kActForEnterprise,  // the same in an enterprise's name (an operator holding "apply")
  kReadCase,          // a case of a department in a region (or the applicant's own)
  kReadCaseFiles,     // a case's sealed files (its documents, the licences it used): people only
  kReadOwnCases,      // one's own cases, bundle applications and messages (the "me" lists)
  kUploadMaterial,    // upload a file for an application
  kReadMaterial,      // list and download uploaded files
  // Handling.
  kWorkOnCases,     // the workbench: inbox, tasks, supplement requests, suspend, deliver
  kAcceptCase,      // pre-review and acceptance
  kReviewCase,      // review step
  kApproveCase,     // decision
  kCounterIntake,   // register an offline application at a hall
  kVerifyIdentity,  // mark a person's identity verified after checking the ID card
  // Administration (three separate duties).
  kManageStaff,    // create/disable staff accounts
  kListStaff,      // read the staff accounts (those who manage them, and who grant roles)
  kGrantRole,      // grant or revoke roles (target.owner: the grantee)
  kReadAudit,      // the audit log
  kManageClients,  // OIDC client registration
  kRotateKeys,     // signing key rotation
  kManageTrusts,   // trusted peer platforms
  kManageCatalog,  // catalog, departments, processes and the holiday calendar
  // Supervision.
  kReadIndicators,  // supervision indicators of a region
  // Licences and seals.
  kManageSeals,   // seals and the platform CA (the security administrator: they are keys)
  kIssueLicence,  // issue, suspend, resume, revoke a licence of a department in a region
  kReadLicence,   // a licence: its holder, the holding enterprise's operators, issuing staff
  kShareLicence,  // share a licence with a third party (its holder; an operator with apply)
  kUseLicence,    // use a licence for one's own application (its holder; an operator with apply)
  // Notifications.
  kManageNotifications,  // one's own notification preferences and e-mail address check
  kManageDeliveries,     // the outbox's deliveries: list them, requeue dead ones (system admin)
  // Appointments.
  kManageHalls,  // halls, their hours and windows (the system administrator)
  kBook,         // book, reschedule, cancel and read bookings (owner: the person booked for)
  kOperateHall,  // check-in, walk-ins, call next at a hall (counter staff of its region)
  // Consultations, complaints and suggestions (tickets).
  kAskTicket,        // ask online and rate the answer (owner: the asker; persons only)
  kReadOwnTickets,   // one's own tickets
  kReadTicket,       // a ticket: its asker, its department's staff, the region's supervisors,
                     // hotline and hall staff of the region
  kAnswerTicket,     // answer a ticket of a department in a region (acceptor/reviewer/approver)
  kSuperviseTicket,  // answer or send back an escalated ticket (the region's supervisors)
  kTicketInbox,      // the ticket inbox (department staff and supervisors)
  kRegisterTicket,   // register a caller's ticket (hotline and hall counter staff of the region)
  kManageFaq,        // publish and unpublish FAQ entries of a department in a region
  // Good/bad ratings (好差评) and the rectification of bad ones.
  kRate,             // rate one's own case online, confirm or appeal a rectification (owner:
                     // the applicant; persons only, never an agent or staff)
  kReadOwnRatings,   // one's own ratings
  kReadRating,       // a rating: its rater, the case's department's staff, the region's
                     // supervisors
  kRegisterRating,   // record an applicant's rating at the counter, the hall's device or the
                     // hotline (counter and hotline staff of the case's region)
  kInviteRating,     // send an applicant a one-time rating link (the case's department, counter)
  kRatingInbox,      // the rectification inbox (department staff and supervisors)
  kRectifyRating,    // contact, fix or explain, record the result (the case's department)
  kSuperviseRating,  // rule on an appeal or a malicious claim; annul (the region's supervisors)
  // The exchange message log (issue 14).
  kSearchExchangeLog,  // search and export entries: auditors all, a department's approvers its own
  kReadOwnDataUses,    // the uses of one's own data (owner: the person; proven ID number)
  kObjectDataUse,      // object to a use of one's data: a complaint to the provider
  // Data sharing and exchange (src/exchange).
  kReadDataResources,    // search and read the data resource catalogue (staff, systems)
  kWriteDataResources,   // draft and submit a provider department's data resources
  kReviewDataResources,  // publish or return a submitted data resource (its approvers)
  kApplyForData,         // a consuming system applies for a resource, reads its grants
  kDecideDataAccess,     // approve, refuse or revoke access to a department's resource
  kQueryData,            // a consuming system queries a resource for one subject
  kExtractData,          // a consuming system asks for and downloads bulk extracts
  kMaintainBaseData,     // import and update a base (population, legal persons)
  // The case archive (issue 18): closed cases moved out of the hot tables.
  kReadArchivedCase,    // an archived case: its applicant, the applying enterprise's
                        // operators, its department's staff in its region, auditors
  kExportArchivedCase,  // its signed package: its department's staff in its region, auditors
  // Events to department systems (src/webhooks).
  kSubscribeEvents,  // a department's system subscribes to its department's events
  kManageWebhooks,   // every subscription, dead deliveries and their replay (system admin)
  kApplyForSystems,  // a department's staff apply for its systems, read their grants
  // Supervision (电子监察) and supervision after approval (事中事后监管, issue 17).
  kSuperviseRegion,   // the warning list, orders and claims of a region (its supervisors)
  kIssueOrder,        // issue, close or send back a supervision order (the region's supervisors)
  kAnswerOrder,       // reply to an order to a department (its acceptor/reviewer/approver)
  kSupervisionInbox,  // the orders and claims lists (department staff and supervisors)
  kClaimLicensee,     // take a new licensee under supervision (the licensing department's staff)
  kPlanInspections,   // inspection staff, conflicts, random plans, results (a department's
                      // approvers)
};

// A bit per Via: which kinds of caller may attempt an action.
enum ViaMask : unsigned {
  kBySession = 1u << static_cast<unsigned>(Via::kSession),
  kByUserToken = 1u << static_cast<unsigned>(Via::kUserToken),
  kByClientToken = 1u << static_cast<unsigned>(Via::kClientToken),
  kByAdminToken = 1u << static_cast<unsigned>(Via::kAdminToken),
};

struct ActionInfo {
  Action action;
  std::string_view id;           // stable name ("cases.read"), for logs and the access matrix
  std::string_view description;  // "read this case": completes "you may not ..."
  unsigned vias;                 // ViaMask bits
  std::string_view scope;        // the scope a bearer token needs ("" when tokens may not)
  // False: the action is about no particular resource (the administrator duties, the
  // workbench), so the gate makes the whole decision, Decide(who, action) included, and
  // a handler cannot forget it. True: the handler calls Decide with the resource.
  bool needs_target;
};

// The table, one entry per Action, in declaration order.
std::span<const ActionInfo> Actions();
const ActionInfo& Info(Action a);

// The scopes tokens may be granted for actions of the table (beside openid, profile,
// resident_id, offline_access and catalog.read, which the provider knows itself).
std::span<const std::string_view> ActionScopes();

// The live rights of an operator of an enterprise.
struct OperatorRights {
  bool apply = false, view = false, manage = false;
  bool Any() const { return apply || view || manage; }
};

struct Target {
  std::string department_code;   // "" when the resource is not departmental
  std::string region_code;       // "" when the resource has no region
  std::string owner_account;     // the person the data belongs to, if any
  bool agent_for_owner = false;  // the caller checked a live agent authorization
  // When an enterprise owns the resource: the caller's live rights as its operator.
  OperatorRights operator_of_owner = {};
  // A client-credentials caller: the caller checked that the calling system is
  // registered to target.department_code (the exchange's system registry).
  bool system_of_department = false;
};

// True when region `inner` is `outer` or lies below it.
bool RegionWithin(std::string_view inner, std::string_view outer);

// The gate. kUnauthenticated when `who` is not authenticated; kPermissionDenied when
// this kind of caller may never do `what` ("... needs a portal session, not a bearer
// token") or a token lacks the action's scope ("... needs the scope cases.write").
Status Gate(const Principal& who, Action what);

// The gate, then the resource rule. OK, or kPermissionDenied naming the action.
Status Decide(const Principal& who, Action what, const Target& on = {});

}  // namespace ow::authz

#endif  // OW_AUTHZ_AUTHZ_H_
