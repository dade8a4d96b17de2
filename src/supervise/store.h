// SQL of the supervision domain. Used only by supervise::Service; every function runs on the
// caller's connection, inside its transaction.
//
// The watch scans (Scan*) READ the tables of cases, tickets, ratings and licences, and the
// supervisor lookup reads identity_roles: region-wide lists of what is late cannot be had
// through those domains' per-caller services without one call per object. They never write
// to another domain's tables; a change there goes through its service.
#ifndef OW_SUPERVISE_STORE_H_
#define OW_SUPERVISE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "supervise/model.h"

namespace ow::supervise {

std::vector<db::Migration> Migrations();

namespace store {

// Candidates of the watch list in `region` and below ("" = everywhere): objects due on or
// before `horizon` (YYYY-MM-DD) still open, and suspended cases. Their level is the
// service's to compute (working days). At most `limit` of each kind, earliest due first.
Result<std::vector<Watched>> Scan(db::Connection& c, const std::string& horizon,
                                  const std::string& region, int limit);

// The case with id `id` (its level left to the service), or nullopt.
Result<std::optional<SupervisedCase>> LoadCase(db::Connection& c, int64_t id);

// Records a warning; false when (kind, ref, level) was already warned.
Result<bool> InsertWarning(db::Connection& c, const Watched& w, const std::string& at);
// When each warning of `region` and below was raised: "kind/ref/level" -> raised_at.
Result<std::map<std::string, std::string>> WarnedAt(db::Connection& c, const std::string& region,
                                                    int limit);
// The active supervisors whose region covers `region`.
Result<std::vector<std::string>> Supervisors(db::Connection& c, const std::string& region);

// Orders.
Result<int64_t> InsertOrder(db::Connection& c, const Order& o);
// With `lock`, takes the row lock (bumping the version).
Result<std::optional<Order>> LoadOrder(db::Connection& c, const std::string& number, bool lock);
Status SaveOrder(db::Connection& c, const Order& o);
// Orders in `region` and below, of `department` ("" for all), with `status` ("" for all),
// newest first.
Result<std::vector<Order>> Orders(db::Connection& c, const std::string& region,
                                  const std::string& department, const std::string& status,
                                  int limit);

// Claims: licences issued from a case that have no claim yet (oldest first).
struct NewLicence {
  std::string id, number, type_code, department_code, region_code, case_no, holder_masked,
      issued_at;
};
Result<std::vector<NewLicence>> UnlistedLicences(db::Connection& c, int limit);
Result<bool> InsertClaim(db::Connection& c, const Claim& k);
Result<std::optional<Claim>> LoadClaim(db::Connection& c, const std::string& licence_number,
                                       bool lock);
Status SaveClaim(db::Connection& c, const Claim& k);
Result<std::vector<Claim>> Claims(db::Connection& c, const std::string& region,
                                  const std::string& department, const std::string& status,
                                  int limit);

// Inspection staff and declared conflicts, per department.
Status AddInspector(db::Connection& c, const std::string& department, const Inspector& x,
                    const std::string& by, const std::string& at);
Result<bool> RemoveInspector(db::Connection& c, const std::string& department,
                             const std::string& account);
Result<std::vector<Inspector>> Inspectors(db::Connection& c, const std::string& department);
Status AddBar(db::Connection& c, const std::string& department, const std::string& account,
              const std::string& uscc, const std::string& reason, const std::string& at);
// The department's declared conflicts with the inspectors' names, by inspector then USCC.
Result<std::vector<DeclaredConflict>> Conflicts(db::Connection& c, const std::string& department);
Result<Bars> BarsOf(db::Connection& c, const std::string& department);
// A staff account of `department` by username: {account id, real name}.
Result<std::optional<Inspector>> StaffOf(db::Connection& c, const std::string& department,
                                         const std::string& username);

// Plans and their entries.
Result<int64_t> InsertPlan(db::Connection& c, const Plan& p);
Result<std::optional<Plan>> LoadPlan(db::Connection& c, const std::string& number, bool lock);
Status SavePlanStatus(db::Connection& c, const Plan& p);
Status SaveEntry(db::Connection& c, int64_t plan_id, const PlanEntry& e);
// Plans of `department` ("" for all) in `region` and below, newest first; `published_only`
// for the public list.
Result<std::vector<Plan>> Plans(db::Connection& c, const std::string& department,
                                const std::string& region, bool published_only, int limit);

}  // namespace store
}  // namespace ow::supervise

#endif  // OW_SUPERVISE_STORE_H_
