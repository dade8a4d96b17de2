// Indicators of supervision (issue 17 part 4): the aggregates every transition keeps
// (Recorder, in the transition's transaction) and the reads of a region's indicators by
// its supervisors (role supervisor, the region or any above it) and by evaluators'
// systems (client credentials with the scope indicators.read).
//
// A read sums day rows of one period (at most kMaxPeriodDays days) in a region's range:
// its cost grows with the rows of that period and region, never with the number of cases.
// Thread-safe.
#ifndef OW_INDICATORS_SERVICE_H_
#define OW_INDICATORS_SERVICE_H_

#include "db/database.h"
#include "identity/model.h"
#include "indicators/model.h"
#include "indicators/recorder.h"

namespace ow::indicators {

class Service : public Recorder {
 public:
  explicit Service(db::Database& db) : db_(db) {}

  Status Add(db::Connection& c, const Count& n) override;

  // The indicators of `q`: totals, the previous period of the same length, and the rows
  // of q.group (ranked for peer groups: region, department, item, hall). Errors: kInvalid
  // (422 with fields) for a bad region, period, group or rank_by; kPermissionDenied when
  // `who` may not read the region's indicators.
  Result<Report> Read(const identity::Principal& who, const Query& q);

 private:
  db::Database& db_;
};

}  // namespace ow::indicators

#endif  // OW_INDICATORS_SERVICE_H_
