// The catalog's records: items and their immutable versions, reviewed changes,
// lineage, implementation lists and "one thing" bundles.
#ifndef OW_CATALOG_MODEL_H_
#define OW_CATALOG_MODEL_H_

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ow::catalog {

// Kinds of catalog change; each goes draft -> under_review -> published (or rejected).
enum class ChangeKind { kAdd, kChange, kSplit, kMerge, kSuspend, kResume, kCancel, kImport };
// By ChangeKind, as stored and in the API.
inline constexpr std::string_view kChangeKinds[] = {"add",     "change", "split",  "merge",
                                                    "suspend", "resume", "cancel", "import"};
inline std::optional<ChangeKind> ParseChangeKind(std::string_view kind) {
  for (size_t i = 0; i < std::size(kChangeKinds); ++i)
    if (kChangeKinds[i] == kind) return static_cast<ChangeKind>(i);
  return std::nullopt;
}
// draft: editable by its author; under_review: waiting for a second administrator;
// published: applied (immutable); rejected: returned with a comment (the author may
// edit it, which makes it a draft again); withdrawn: abandoned by its author.
inline constexpr std::string_view kChangeStatuses[] = {"draft", "under_review", "published",
                                                       "rejected", "withdrawn"};

struct Change {
  int64_t id = 0;
  std::string kind;
  std::string status;
  boost::json::object payload;  // kind-specific, see service.h
  std::string summary;          // why, in the author's words
  std::string author;
  std::string reviewer;
  std::string review_comment;
  std::string created_at, updated_at, submitted_at, reviewed_at;
  int64_t revision = 1;  // bumped on every edit (optimistic concurrency)
};

// Item status as seen by residents.
inline constexpr std::string_view kItemStatuses[] = {"published", "suspended", "cancelled"};

struct ItemVersion {
  std::string code;
  int64_t version = 0;
  std::string status;            // item status this version put in effect
  boost::json::object document;  // normalized item document (item.h)
  int64_t change_id = 0;
  std::string change_kind;
  std::string author, approver;
  std::string published_at;
};

struct LineageLink {
  std::string from_code;
  int64_t from_version = 0;
  std::string to_code;
  int64_t to_version = 0;
  std::string kind;  // split, merge
  int64_t change_id = 0;
};

// How one region implements an item: the local elements of its implementation list.
struct Implementation {
  std::string item_code;
  std::string region_code;
  std::string department_code;
  int64_t followed_version = 0;  // the item version this implementation follows
  boost::json::object local;     // halls, consult_phone, complaint_phone, promised_days, note
  bool needs_review = false;     // the item changed since followed_version
  std::string updated_at, updated_by;
};

struct Bundle {
  std::string code;
  std::string name, name_en;
  std::string kind;  // life_event, business_event
  std::string description, description_en;
  std::vector<std::string> items;     // item codes, fanned out by the case module
  boost::json::object intake_schema;  // the shared intake form (JSON Schema)
  // Situational guidance (item.h): the bundle's questions, and the items that belong to
  // an application only under some answers: [{item_code, when}].
  boost::json::array situations;
  boost::json::array item_conditions;
  int64_t version = 0;
  std::string updated_at;
};

struct SearchQuery {
  std::string q;
  std::string region;  // visible in this region: implemented here or above
  std::string department;
  std::string theme;
  std::string type;
  std::string served;
  std::string level;
  int64_t online_depth = 0;  // 0 = any; else at least this depth
  int limit = 20;
  std::string cursor;
  bool facets = false;
};

struct SearchHit {
  std::string code;
  int64_t rank = 0;  // 0 when browsing without a query
  boost::json::object summary;
};

struct FacetCount {
  std::string facet, value;
  int64_t count = 0;
};

struct SearchResult {
  std::vector<SearchHit> items;
  std::string next_cursor;
  std::vector<FacetCount> facets;
  int64_t total = -1;  // total matches when facets were requested, else -1
};

}  // namespace ow::catalog

#endif  // OW_CATALOG_MODEL_H_
