// SQL for the catalog. Used only by catalog::Service; every function runs inside
// the caller's transaction.
#ifndef OW_CATALOG_STORE_H_
#define OW_CATALOG_STORE_H_

#include <map>
#include <optional>
#include <vector>

#include "catalog/model.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::catalog {

std::vector<db::Migration> Migrations();

// Pending changes of search-term document frequencies ("" counts indexed items).
using TermCounts = std::map<std::string, int64_t>;

// One version of an item written by Store::PublishMany; `doc` outlives the call.
struct BulkVersion {
  std::string code;
  int64_t version = 0;
  std::string status;
  const boost::json::object* doc = nullptr;
};
// What every version of one publication shares.
struct BulkMeta {
  int64_t change_id = 0;
  std::string change_kind, author, approver, published_at;
};

// The (facet, value) rows of an item document, sorted and distinct.
std::vector<std::pair<std::string, std::string>> FacetsOf(const boost::json::object& doc);

struct ItemRow {
  std::string code;
  std::string status;
  int64_t current_version = 0;
};

// kNotFound when there is no such item, kConflict when it is cancelled.
Status NotCancelled(const std::optional<ItemRow>& row, const std::string& code);

class Store {
 public:
  // Changes.
  static Result<int64_t> InsertChange(db::Connection& c, const Change& ch);
  static Result<std::optional<Change>> GetChange(db::Connection& c, int64_t id);
  // Writes every mutable field when the stored revision is ch.revision - 1.
  static Result<bool> UpdateChange(db::Connection& c, const Change& ch);
  static Result<std::vector<Change>> ListChanges(db::Connection& c, const std::string& status,
                                                 int64_t after_id, int limit);

  // Items and versions.
  static Result<std::optional<ItemRow>> GetItem(db::Connection& c, const std::string& code);
  static Status UpsertItem(db::Connection& c, const ItemVersion& v, const std::string& updated_at);
  static Status InsertVersion(db::Connection& c, const ItemVersion& v);
  static Result<std::optional<ItemVersion>> GetVersion(db::Connection& c, const std::string& code,
                                                       int64_t version);
  static Result<std::vector<ItemVersion>> ListVersions(db::Connection& c, const std::string& code);
  static Status InsertLineage(db::Connection& c, const LineageLink& l);
  static Result<std::vector<LineageLink>> Lineage(db::Connection& c, const std::string& code);

  // Search index: replaces an item's postings and facets (or removes them when
  // `doc` is null because the item is no longer published).
  // Search index: replaces an item's postings and facets (or removes them when
  // `doc` is null because the item is no longer published). Document-frequency
  // changes are added to `df`; FlushTermCounts writes them, once per term.
  static Status Reindex(db::Connection& c, const std::string& code, const boost::json::object* doc,
                        TermCounts& df);
  static Status FlushTermCounts(db::Connection& c, TermCounts& df);

  // Bulk publication (store_bulk.cc), for imports: upserts the items, inserts the
  // versions and indexes the published ones like UpsertItem + InsertVersion + Reindex per
  // item, in multi-row statements. Items that were indexed before must be unindexed first.
  static Status PublishMany(db::Connection& c, const std::vector<BulkVersion>& vs,
                            const BulkMeta& meta, TermCounts& df);
  static Status Unindex(db::Connection& c, const std::string& code, TermCounts& df);
  // Every (code, status, current_version), for an import to compare its file against.
  static Result<std::vector<ItemRow>> AllItems(db::Connection& c);
  // A load that multiplies the catalog drops the postings' secondary indexes first and
  // builds them once at the end, in the same transaction.
  static Status DropPostingIndexes(db::Connection& c);
  static Status CreatePostingIndexes(db::Connection& c);

  // Implementations.
  static Status UpsertImplementation(db::Connection& c, const Implementation& m);
  static Result<std::optional<Implementation>> GetImplementation(db::Connection& c,
                                                                 const std::string& item,
                                                                 const std::string& region);
  // Ordered by (item_code, region_code), after the given pair.
  static Result<std::vector<Implementation>> ListImplementations(
      db::Connection& c, const std::string& item, const std::string& region,
      bool only_needing_review, const std::string& after_item, const std::string& after_region,
      int limit);
  static Result<bool> DeleteImplementation(db::Connection& c, const std::string& item,
                                           const std::string& region);
  static Status FlagImplementations(db::Connection& c, const std::string& item, int64_t version);

  // Up to `limit` published items implemented in one of `scope`'s regions, with code after
  // `after`, ordered by code: each with its current version and its implementations in
  // `scope` (any order). Three statements per page, whatever the page's size.
  struct ScopedItem {
    ItemVersion version;
    std::vector<Implementation> implementations;
  };
  static Result<std::vector<ScopedItem>> PublishedIn(db::Connection& c,
                                                     const std::vector<std::string>& scope,
                                                     const std::string& after, int limit);

  // Bundles.
  static Status UpsertBundle(db::Connection& c, const Bundle& b);
  static Result<std::optional<Bundle>> GetBundle(db::Connection& c, const std::string& code);
  static Result<std::vector<Bundle>> ListBundles(db::Connection& c);
  static Result<bool> DeleteBundle(db::Connection& c, const std::string& code);

  // Search: see Service::Search for semantics.
  static Result<SearchResult> Search(db::Connection& c, const SearchQuery& q,
                                     const std::vector<std::string>& terms,
                                     const std::vector<std::string>& region_scope, int64_t offset);
  static Result<std::vector<std::string>> AllItemCodes(db::Connection& c, bool include_cancelled);
};

}  // namespace ow::catalog

#endif  // OW_CATALOG_STORE_H_
