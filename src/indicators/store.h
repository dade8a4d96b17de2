// SQL of the indicators domain. Used only by indicators::Service. Every function runs on
// the caller's connection, inside its transaction.
//
// indicator_days holds one row per day (in China), region, department, item, hall and
// channel with the counters of recorder.h; indicator_decide_days the histogram of the
// working days to decide on the same key. Both are only ever added to.
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

// Adds `n` to its rows (an upsert per table touched).
Status Add(db::Connection& c, const Count& n);

// Which rows to sum: days [from, to], region `region` and below, and the other
// dimensions when not "".
struct Filter {
  std::string from, to;  // YYYY-MM-DD
  std::string region;
  std::string department, item, hall, channel;
};
// The column rows are grouped by (never user text).
enum class Column { kNone, kDay, kRegion, kDepartment, kItem, kHall, kChannel };

struct Sum {
  std::string key;  // the grouping column's value, "" for kNone
  Figures figures;
};
// The sums of the matching rows, one per value of `by`, with their histograms.
Result<std::vector<Sum>> Sums(db::Connection& c, const Filter& f, Column by);

}  // namespace store
}  // namespace ow::indicators

#endif  // OW_INDICATORS_STORE_H_
