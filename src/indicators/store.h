// SQL of the indicators domain. Used only by indicators::Service and the bulk loaders of
// bench/. Every function runs on the caller's connection, inside its transaction.
//
// indicator_rollups holds the counters of recorder.h and the histogram of the working days
// to decide (days_0 .. days_60) as a small cube, every row only ever added to:
//
//   kind  keeps                                    period
//   0, 1  region                                   day, month
//   2, 3  region, department                       day, month
//   4, 5  region, department, item                 day, month
//   6, 7  region, department, item, hall, channel  day, month
//
// (even kinds are days "YYYY-MM-DD", odd kinds months "YYYY-MM"; a column a kind does not
// keep is ""). One transition adds to its row of each kind in one statement (Add), so a
// read picks the coarsest kind that keeps the columns it filters and groups by, and reads
// whole months from a month kind and only the partial months at the ends of its period
// from a day kind: a read touches at most (13 months + 62 days) x the rows of one period,
// whatever the history. The primary key (kind, period, region_code, ...) is what every
// read seeks on: one seek per period, then the region's range.
#ifndef OW_INDICATORS_STORE_H_
#define OW_INDICATORS_STORE_H_

#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "indicators/model.h"

namespace ow::indicators {

std::vector<db::Migration> Migrations();

namespace store {

// Adds `n` to its row of every kind (one statement).
Status Add(db::Connection& c, const Count& n);

// The journal: what a transition pays inside its own transaction is one narrow append to
// indicator_journal (Journal); Fold, run every second by one node (the background job
// indicator_fold), moves up to `limit` of the oldest entries into the rollups with AddAll's
// multi-row statements and deletes them, in the caller's transaction, and returns how many
// it moved. Sums adds the entries not folded yet, so a read in one snapshot (a read
// transaction: REPEATABLE READ on PostgreSQL) counts every committed transition exactly
// once, folded or not.
Status Journal(db::Connection& c, const Count& n);
Result<int64_t> Fold(db::Connection& c, int limit);

// What many transitions added to one day's row of the finest key: the bulk loaders' form
// (bench/gen_cases.cc). Same result as the Adds they stand for.
struct DayTotals {
  std::string day;  // YYYY-MM-DD
  std::string region_code, department_code, item_code, hall_code, channel;
  Figures figures;
};
// Adds every row of `rows` to its rows of every kind, in multi-row statements.
Status AddAll(db::Connection& c, const std::vector<DayTotals>& rows);

// Which rows to sum: days [from, to], region `region` and below, and the other
// dimensions when not "".
struct Filter {
  std::string from, to;  // YYYY-MM-DD
  std::string region;
  std::string department, item, hall, channel;
};
// The column rows are grouped by (never user text). kDay: one row per day; kMonth: one row
// per whole month ("YYYY-MM") and one per day of a partial month at the period's ends.
enum class Column { kNone, kDay, kMonth, kRegion, kDepartment, kItem, kHall, kChannel };

struct Sum {
  std::string key;  // the grouping column's value, "" for kNone
  Figures figures;
};
// The sums of the matching rows (the journal's included), one per value of `by`, with their
// histograms. Errors:
// kInvalid for a period that is not two dates in order.
Result<std::vector<Sum>> Sums(db::Connection& c, const Filter& f, Column by);

// The statements Sums runs for `f` and `by` (text and parameters), for EXPLAIN in the
// benchmark and the plan test.
std::vector<std::pair<std::string, std::vector<db::Value>>> SumStatements(const Filter& f,
                                                                          Column by);

}  // namespace store
}  // namespace ow::indicators

#endif  // OW_INDICATORS_STORE_H_
