// SQL for regions, through the db interface. Used only by regions::Service.
#ifndef OW_REGIONS_STORE_H_
#define OW_REGIONS_STORE_H_

#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "regions/model.h"

namespace ow::regions {

std::vector<db::Migration> Migrations();

class Store {
 public:
  // Inserts or updates regions in batches; parents must exist or be earlier in `rows`.
  // With `english`, name_en is written too; without, a stored name_en is kept.
  static Status Upsert(db::Connection& c, const std::vector<Region>& rows, bool english);
  static Result<std::optional<Region>> Get(db::Connection& c, const std::string& code);
  // The regions among `codes` that exist, in no particular order.
  static Result<std::vector<Region>> GetMany(db::Connection& c,
                                             const std::vector<std::string>& codes);
  // Children of `parent` (empty = provinces) with code > after, ordered by code.
  static Result<std::vector<Region>> Children(db::Connection& c, const std::string& parent,
                                              const std::string& after, int limit);
  // Names starting with `prefix`, optionally at `level` and under code prefix `within`,
  // ordered by (name, code) after the given key.
  static Result<std::vector<Region>> SearchByName(db::Connection& c, const std::string& prefix,
                                                  std::optional<Level> level,
                                                  const std::string& within,
                                                  const std::string& after_name,
                                                  const std::string& after_code, int limit);
  static Result<int64_t> Count(db::Connection& c);
};

}  // namespace ow::regions

#endif  // OW_REGIONS_STORE_H_
