// SQL of the ratings domain. Used only by ratings::Service. Every function runs on the
// caller's connection, inside its transaction.
#ifndef OW_RATINGS_STORE_H_
#define OW_RATINGS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "ratings/model.h"

namespace ow::ratings {

std::vector<db::Migration> Migrations();

namespace store {

// Inserts `r` (version 1) and returns its id; kAlreadyExists when the case already has a
// rating from that channel (the unique index decides, so two racing ratings cannot both land).
Result<int64_t> Insert(db::Connection& c, const Rating& r);
Result<std::optional<Rating>> Load(db::Connection& c, const std::string& number);
// Takes the row lock of rating `number` (bumping its version); false when there is none.
Result<bool> Lock(db::Connection& c, const std::string& number);
// Writes the rectification fields and the instance of `r`.
Status Save(db::Connection& c, const Rating& r);
Status AddEvent(db::Connection& c, int64_t rating_id, const Event& e);
Result<std::vector<Event>> Events(db::Connection& c, int64_t rating_id);
// True when case `case_no` has a rating from `channel`.
Result<bool> Exists(db::Connection& c, const std::string& case_no, const std::string& channel);

// Newest first.
Result<std::vector<Rating>> ByRater(db::Connection& c, const std::string& account, int limit);
Result<std::vector<Rating>> ByCase(db::Connection& c, const std::string& case_no);
// Ratings at rectification `stage` in `region` or below; `department` "" for every one.
// Earliest due first.
Result<std::vector<Rating>> AtStage(db::Connection& c, const std::string& stage,
                                    const std::string& department, const std::string& region,
                                    int limit);
// Ratings given in [from_at, to_at) (FormatTime instants) in `region` or below, oldest
// first, at most `limit`.
Result<std::vector<Rating>> InPeriod(db::Connection& c, const std::string& region,
                                     const std::string& from_at, const std::string& to_at,
                                     int limit);

// The counts indicators read (rating_counts): one row per day (in China), region, department, item,
// channel and level, moved in the transaction that changes a rating. `ratings`, `annulled`
// and `rectified` are added to the row's counters.
struct CountDelta {
  std::string day, region_code, department_code, item_code, channel;
  int64_t level = 0;
  int64_t ratings = 0, annulled = 0, rectified = 0;
};
Status Count(db::Connection& c, const CountDelta& d);

// SMS links: stores a fresh one; claims one (marks it used) and returns its case and
// account, nullopt when unknown, used or expired at `now`.
Status InsertLink(db::Connection& c, const std::string& token_hash, const std::string& case_no,
                  const std::string& account, const std::string& created_at,
                  const std::string& expires_at);
struct Link {
  std::string case_no, account;
};
Result<std::optional<Link>> ClaimLink(db::Connection& c, const std::string& token_hash,
                                      const std::string& now);
// The link without claiming it (to read the case before rating).
Result<std::optional<Link>> PeekLink(db::Connection& c, const std::string& token_hash,
                                     const std::string& now);

Result<int64_t> ProcessVersion(db::Connection& c, const std::string& sha256, const std::string& xml,
                               const std::string& at);
Result<std::optional<std::string>> ProcessXml(db::Connection& c, int64_t version);

}  // namespace store
}  // namespace ow::ratings

#endif  // OW_RATINGS_STORE_H_
