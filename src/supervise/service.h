// Supervision (电子监察) and supervision after approval (事中事后监管): the warning sweep and
// the supervisors' watch list, supervision orders (督办), claims of new licensees (审管联动)
// and random inspection plans (双随机、一公开). See model.h for the rules.
//
// Who may do what (authz.h, docs/security.md):
//  - The watch list, issuing and closing orders, the region's claims: the supervisors of the
//    region (role supervisor, their region and below). Never another region's objects.
//  - Replying to an order, claiming a licensee: the staff (acceptor, reviewer, approver) of
//    the order's or licence's department covering its region.
//  - Inspection staff, declared conflicts, plans, results, publication: the department's
//    approvers (its leadership). A serious finding suspends the entity's licences of the
//    plan's type through licences::Service::SetStatusIn, as the caller (an approver of the
//    issuing department: the department that licenses also inspects), in the transaction
//    that records the result.
//  - Published plans (entity name, USCC, result; never the inspectors): everyone.
//
// Errors: kInvalidArgument with field errors (422); kNotFound for what the caller may not
// see; kPermissionDenied; kConflict (a stale version or a step out of order);
// kFailedPrecondition (nothing to draw from, too few inspectors without a conflict).
// Thread-safe.
#ifndef OW_SUPERVISE_SERVICE_H_
#define OW_SUPERVISE_SERVICE_H_

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "authz/authz.h"
#include "calendar/service.h"
#include "core/clock.h"
#include "db/database.h"
#include "licences/service.h"
#include "notify/notifier.h"
#include "supervise/model.h"

namespace ow::supervise {

using authz::Principal;

struct Options {
  int claim_days = 5;    // working days for the regulating department to claim a licensee
  int scan_limit = 500;  // objects of each kind per sweep and per watch list
};

struct OrderInput {
  std::string department_code;
  std::string object_kind;  // case, ticket, rectification, licence or other
  std::string object_ref;
  std::string subject, instruction;
  std::string due_date;  // YYYY-MM-DD, today or later; or
  int64_t due_days = 0;  // working days from today (1 to 60) by the holiday calendar
};

// A step on an order: the department's reply, or the supervisor's decision.
struct OrderStep {
  int64_t version = 0;
  std::string reply;                  // reply
  std::string decision;               // close: "close" | "return"
  std::string instruction, due_date;  // return: what else to do, by when
  int64_t due_days = 0;               // return: or by when in working days, as for OrderInput
};

struct PlanInput {
  std::string department_code;
  std::string region_code;  // the department's region or below ("" for the department's)
  std::string licence_type;
  std::string title;
  int64_t entities = 0;
  int64_t inspectors_per_entity = 2;
};

struct ResultInput {
  int64_t version = 0;
  std::string uscc, result, note;
};

class Service {
 public:
  Service(db::Database& db, calendar::Service& calendar, licences::Service& licences,
          notify::Notifier& notifier, Options options);

  // The background job: lists licences issued from cases for their department to claim,
  // then raises each new yellow or red warning once (one per object and level, whichever
  // node runs it) and tells the supervisors of its region; a rectification gone red also
  // tells the person who rated.
  Status Sweep();

  // What is late, nearly late or suspended in the caller's supervised regions (or in
  // `region`, one of them or below), `kind` "" for every kind. Red first.
  Result<std::vector<Watched>> Watch(const Principal& who, const std::string& region,
                                     const std::string& kind);

  // One case of the caller's supervised regions, with its warning level today (the
  // console's drill-down ends here). kNotFound for a malformed or unknown tracking number
  // and for a case outside the caller's regions (as if there were none); kPermissionDenied
  // for a caller who supervises no region.
  Result<SupervisedCase> Case(const Principal& who, const std::string& tracking_no);

  Result<Order> IssueOrder(const Principal& who, const OrderInput& in);
  Result<Order> ReplyOrder(const Principal& who, const std::string& number, const OrderStep& in);
  Result<Order> CloseOrder(const Principal& who, const std::string& number, const OrderStep& in);
  Result<Order> GetOrder(const Principal& who, const std::string& number);
  // "supervisor": orders in the caller's supervised regions; "department": orders to the
  // caller's departments. `status` "" for all.
  Result<std::vector<Order>> Orders(const Principal& who, const std::string& which,
                                    const std::string& status);

  // "supervisor" or "department", as for Orders.
  Result<std::vector<Claim>> Claims(const Principal& who, const std::string& which,
                                    const std::string& status);
  Result<Claim> ClaimLicensee(const Principal& who, const std::string& licence_number,
                              int64_t version, const std::string& note);

  // Inspection staff of a department and their declared conflicts.
  Result<std::vector<Inspector>> InspectionStaff(const Principal& who,
                                                 const std::string& department);
  Result<std::vector<Inspector>> AddInspector(const Principal& who, const std::string& department,
                                              const std::string& username);
  Result<std::vector<Inspector>> RemoveInspector(const Principal& who,
                                                 const std::string& department,
                                                 const std::string& account);
  Result<std::vector<DeclaredConflict>> Conflicts(const Principal& who,
                                                  const std::string& department);
  Status DeclareConflict(const Principal& who, const std::string& department,
                         const std::string& account, const std::string& uscc,
                         const std::string& reason);

  // Draws the plan from a fresh seed: the department's licences of `licence_type` valid
  // today in the region, held by enterprises, and its inspection staff.
  Result<Plan> CreatePlan(const Principal& who, const PlanInput& in);
  Result<Plan> GetPlan(const Principal& who, const std::string& number);
  Result<std::vector<Plan>> Plans(const Principal& who, const std::string& department);
  Result<Plan> Publish(const Principal& who, const std::string& number, int64_t version);
  Result<Plan> RecordResult(const Principal& who, const std::string& number, const ResultInput& in);
  // True when drawing again from the plan's recorded seed and inputs gives its draw.
  static bool Reproduces(const Plan& p);

  // Published plans, for everyone.
  Result<std::vector<Plan>> PublishedPlans(const std::string& region);
  Result<Plan> PublishedPlan(const std::string& number);

  SystemTime Now() const;
  void SetClock(std::function<SystemTime()> clock);

 private:
  Result<Calendar> CalendarAround(Date day);
  // The due date of an order: `date` (YYYY-MM-DD, today or later) or `days` working days
  // from today; field errors go to `v` (then the result is empty).
  Result<std::optional<Date>> DueDate(const std::string& date, int64_t days, Date today,
                                      Validator& v, const std::string& when);
  Status ListNewLicences(Date today, const Calendar& cal);
  Result<std::string> DepartmentRegion(db::Connection& c, const std::string& department);
  Result<std::string> PlanningRegion(const Principal& who, const std::string& department);
  Result<Order> MutateOrder(const std::string& number,
                            const std::function<Status(db::Connection&, Order&)>& fn);

  db::Database& db_;
  calendar::Service& calendar_;
  licences::Service& licences_;
  notify::Notifier& notifier_;
  Options options_;
  mutable std::mutex mu_;
  std::function<SystemTime()> clock_;
};

}  // namespace ow::supervise

#endif  // OW_SUPERVISE_SERVICE_H_
