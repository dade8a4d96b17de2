// The service catalog: reviewed changes that publish immutable item versions,
// implementation lists, "one thing" bundles, search, import and export.
//
// Every write is a change that goes draft -> under_review -> published; the author
// of a change may never approve it. Change payloads by kind:
//   add      {"item": ITEM}
//   change   {"item": ITEM, "base_version": N}            N = the version edited
//   split    {"source": CODE, "items": [ITEM, ITEM, ...]}  source is cancelled
//   merge    {"sources": [CODE, CODE, ...], "item": ITEM}  sources are cancelled
//   suspend | resume | cancel  {"code": CODE, "reason": TEXT}
//   import   {"items": [ITEM, ...]}                        adds or changes each
// ITEM is an item document (item.h). Publishing applies the change atomically:
// new versions, item statuses, lineage, search index, and implementation review
// flags all commit together or not at all.
//
// Thread-safe. Errors: kInvalidArgument (field paths), kNotFound, kAlreadyExists,
// kConflict (stale base version, wrong state), kPermissionDenied (four-eyes rule).
#ifndef OW_CATALOG_SERVICE_H_
#define OW_CATALOG_SERVICE_H_

#include <functional>
#include <map>
#include <optional>

#include "catalog/item.h"
#include "catalog/model.h"
#include "db/database.h"
#include "departments/service.h"
#include "regions/service.h"

namespace ow::catalog {

struct Publication;  // an approved change being put into effect (publish.cc)

struct ItemView {
  ItemVersion version;                           // the current (or requested) version
  std::string status;                            // the item's status now
  std::optional<Implementation> implementation;  // nearest one for the requested region
  boost::json::object effective;                 // the guide with local elements applied
};

struct ImportReport {
  int64_t rows = 0;
  int64_t added = 0;
  int64_t changed = 0;
  int64_t unchanged = 0;
  int64_t change_id = 0;
  std::string change_status;
};

// (phase, done, total) during long imports.
using Progress = std::function<void(std::string_view, int64_t, int64_t)>;

// A catalog file (JSON export format or CSV) parsed and checked on its own, before
// any department or region it names is looked up: the first step of Service::Import.
struct ParsedFile {
  boost::json::array items;            // normalized documents
  boost::json::array suspended;        // codes to leave suspended
  boost::json::array implementations;  // {item_code, region_code, ...local}
  boost::json::array bundles;          // bundle bodies with "code"
};

// Parses `text` as `format` ("json" or "csv"). Errors: kInvalidArgument, with one
// field error per bad row, for a malformed file, a bad row or another format.
// Pure and thread-safe.
Result<ParsedFile> ParseImportFile(std::string_view format, std::string_view text,
                                   const Progress& progress = {});

class Service {
 public:
  Service(db::Database& db, regions::Service& regions, departments::Service& departments)
      : db_(db), regions_(regions), departments_(departments) {}

  // Changes. `body` is {kind, summary, payload}.
  Result<Change> CreateChange(const std::string& actor, const boost::json::object& body);
  // Replaces summary and payload of a draft or rejected change (which becomes a draft).
  Result<Change> EditChange(const std::string& actor, int64_t id, const boost::json::object& body,
                            std::optional<int64_t> expected_revision);
  Result<Change> Submit(const std::string& actor, int64_t id);
  Result<Change> Approve(const std::string& actor, int64_t id, const std::string& comment);
  Result<Change> Reject(const std::string& actor, int64_t id, const std::string& comment);
  Result<Change> Withdraw(const std::string& actor, int64_t id);
  Result<Change> GetChange(int64_t id);
  Result<std::vector<Change>> ListChanges(const std::string& status, int64_t after_id, int limit);

  // Items. `region` (optional) picks the nearest implementation at or above it.
  Result<ItemView> GetItem(const std::string& code, const std::string& region);
  // Calls `fn` with every published item implemented in `region` or above it, as GetItem
  // would show it there, in pages of `page_size` read in one transaction each (no limit on the
  // count, unlike Search's paging). Stops at the first error `fn` returns.
  Status EachPublishedIn(const std::string& region,
                         const std::function<Status(const ItemView&)>& fn, int page_size = 500);
  Result<ItemVersion> GetVersion(const std::string& code, int64_t version);
  Result<std::vector<ItemVersion>> Versions(const std::string& code);
  Result<std::vector<DiffEntry>> DiffVersions(const std::string& code, int64_t from, int64_t to);
  Result<std::vector<LineageLink>> Lineage(const std::string& code);

  // Implementation lists. `local` is {department_code, halls, consult_phone,
  // complaint_phone, promised_days, note}.
  Result<Implementation> PutImplementation(const std::string& actor, const std::string& item,
                                           const std::string& region,
                                           const boost::json::object& local);
  // One page, ordered by (item, region); `cursor` is what the previous page returned
  // in `next_cursor`. kNotFound when `item` is given but unknown.
  Result<std::vector<Implementation>> ListImplementations(const std::string& item,
                                                          const std::string& region,
                                                          bool only_needing_review, int limit,
                                                          const std::string& cursor,
                                                          std::string* next_cursor);
  Status DeleteImplementation(const std::string& item, const std::string& region);

  // Bundles.
  Result<Bundle> PutBundle(const std::string& code, const boost::json::object& body);
  Result<Bundle> GetBundle(const std::string& code);
  Result<std::vector<Bundle>> ListBundles();
  Status DeleteBundle(const std::string& code);

  Result<SearchResult> Search(const SearchQuery& q);

  // Moves on whenever the published catalog changes, on any node sharing the database
  // (db/shared_state.h): response caches compare it per use.
  uint64_t Generation();

  // Export: {"format": "onewindow-catalog", "items": [{"status", "item"}],
  // "implementations": [...], "bundles": [...]}; CSV holds items, one per row.
  Result<boost::json::object> ExportJson();
  Result<std::string> ExportCsv();
  // Parses and validates the whole file first (JSON export format or CSV); any bad
  // row rejects everything with one error per row. Then either records an `import`
  // change under review (publish = false), or applies it at once as `actor`
  // (publish = true, for operators loading a directory from the command line).
  // Implementations and bundles in a JSON file are applied with the items.
  Result<ImportReport> Import(const std::string& actor, std::string_view format,
                              std::string_view text, bool publish, const Progress& progress = {});

 private:
  Status ValidateChange(const std::string& kind, const boost::json::object& payload);
  // Checks a {kind, summary, payload} body and normalizes its item documents.
  Result<Change> ParseChangeBody(const boost::json::object& body);
  Status CheckReferences(const boost::json::object& item);
  // The rules of an implementation list entry (department serves the region, region
  // within the jurisdiction and not above the item's level, promised <= statutory,
  // local element shapes); fills m.department_code, m.local and m.followed_version.
  // Field errors are prefixed with `prefix`.
  Status CheckImplementation(db::Connection& c, Implementation& m, const boost::json::object& local,
                             const std::string& prefix);
  // The rules of a bundle (2-50 distinct published items, an object intake schema).
  Status CheckBundle(db::Connection& c, Bundle& b, const boost::json::object& body,
                     const std::string& prefix);
  // Applies a change and then writes the search-term counts it collected.
  // Puts an approved change into effect (publish.cc), collecting search-term counts.
  Status ApplyChange(db::Connection& c, const Change& ch, const std::string& approver,
                     ImportReport* report, const Progress& progress,
                     std::map<std::string, int64_t>& term_counts);
  Status PublishImport(Publication& p, ImportReport* report, const Progress& progress);
  Status Apply(db::Connection& c, const Change& ch, const std::string& approver,
               ImportReport* report, const Progress& progress);

  void Bump();
  db::Database& db_;
  regions::Service& regions_;
  departments::Service& departments_;
};

}  // namespace ow::catalog

#endif  // OW_CATALOG_SERVICE_H_
