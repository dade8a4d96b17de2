// catalog::Service: publishing an approved change, one function per change kind, in
// the approving administrator's transaction. Each version written is immutable; the
// search index and the implementation lists' review flags follow in the same
// transaction.
#include <set>
#include <unordered_map>

#include "catalog/service.h"
#include "catalog/store.h"
#include "core/clock.h"
#include "core/json_members.h"

namespace ow::catalog {

namespace json = boost::json;
using json_members::Int;
using json_members::Str;

// One approved change being put into effect.
struct Publication {
  db::Connection& c;
  const Change& ch;
  const json::object& payload;  // ch.payload
  const std::string& approver;
  std::string now;
  TermCounts& term_counts;

  // Writes version `version` of item `code` with `status` and document `doc`.
  Status Publish(const std::string& code, int64_t version, const std::string& status,
                 const json::object& doc) {
    ItemVersion v{code, version, status, doc, ch.id, ch.kind, ch.author, approver, now};
    OW_RETURN_IF_ERROR(Store::UpsertItem(c, v, now));
    OW_RETURN_IF_ERROR(Store::InsertVersion(c, v));
    OW_RETURN_IF_ERROR(
        Store::Reindex(c, code, status == "published" ? &doc : nullptr, term_counts));
    if (version > 1) OW_RETURN_IF_ERROR(Store::FlagImplementations(c, code, version));
    return {};
  }
  Result<json::object> CurrentDoc(const ItemRow& row) {
    OW_ASSIGN_OR_RETURN(auto v, Store::GetVersion(c, row.code, row.current_version));
    if (!v)
      return Internal("missing version " + std::to_string(row.current_version) + " of " + row.code);
    return v->document;
  }
  Status MustBeNew(const std::string& code) {
    OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, code));
    if (row) return AlreadyExists("catalog item " + code + " already exists");
    return {};
  }
};

namespace {

// add: a new item at version 1.
Status PublishAdd(Publication& p) {
  const json::object& doc = p.payload.at("item").as_object();
  OW_RETURN_IF_ERROR(p.MustBeNew(Str(doc, "code")));
  return p.Publish(Str(doc, "code"), 1, "published", doc);
}

// change: the next version of an item, against the version the change was written for.
Status PublishChange(Publication& p) {
  const json::object& doc = p.payload.at("item").as_object();
  std::string code = Str(doc, "code");
  OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(p.c, code));
  OW_RETURN_IF_ERROR(NotCancelled(row, code));
  if (row->current_version != Int(p.payload, "base_version")) {
    return Conflict("catalog item " + code + " is at version " +
                    std::to_string(row->current_version) + ", but this change edits version " +
                    std::to_string(Int(p.payload, "base_version")) +
                    "; edit the change against the current version");
  }
  return p.Publish(code, row->current_version + 1, row->status, doc);
}

// split (one item into several) and merge (several into one): the sources are
// cancelled, the targets published, and the lineage from each source to each target kept.
Status PublishSplitOrMerge(Publication& p, ChangeKind kind) {
  std::vector<std::string> sources;
  std::vector<const json::object*> targets;
  if (kind == ChangeKind::kSplit) {
    sources.push_back(Str(p.payload, "source"));
    for (const auto& d : p.payload.at("items").as_array()) targets.push_back(&d.as_object());
  } else {
    for (const auto& s : p.payload.at("sources").as_array()) sources.emplace_back(s.as_string());
    targets.push_back(&p.payload.at("item").as_object());
  }
  for (const auto* t : targets) OW_RETURN_IF_ERROR(p.MustBeNew(Str(*t, "code")));
  std::vector<std::pair<std::string, int64_t>> cancelled;
  for (const auto& code : sources) {
    OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(p.c, code));
    OW_RETURN_IF_ERROR(NotCancelled(row, code));
    OW_ASSIGN_OR_RETURN(auto doc, p.CurrentDoc(*row));
    OW_RETURN_IF_ERROR(p.Publish(code, row->current_version + 1, "cancelled", doc));
    cancelled.emplace_back(code, row->current_version + 1);
  }
  for (const auto* t : targets) {
    std::string code = Str(*t, "code");
    OW_RETURN_IF_ERROR(p.Publish(code, 1, "published", *t));
    for (const auto& [from, from_version] : cancelled) {
      OW_RETURN_IF_ERROR(
          Store::InsertLineage(p.c, {from, from_version, code, 1, p.ch.kind, p.ch.id}));
    }
  }
  return {};
}

// suspend, resume, cancel: the item's next version with the same document.
Status PublishStatus(Publication& p, ChangeKind kind) {
  std::string code = Str(p.payload, "code");
  OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(p.c, code));
  OW_RETURN_IF_ERROR(NotCancelled(row, code));
  std::string want_from = kind == ChangeKind::kResume    ? "suspended"
                          : kind == ChangeKind::kSuspend ? "published"
                                                         : "";
  if (!want_from.empty() && row->status != want_from) {
    return Conflict("catalog item " + code + " is " + row->status + "; only a " + want_from +
                    " item can be " + (kind == ChangeKind::kResume ? "resumed" : "suspended"));
  }
  std::string to = kind == ChangeKind::kResume    ? "published"
                   : kind == ChangeKind::kSuspend ? "suspended"
                                                  : "cancelled";
  OW_ASSIGN_OR_RETURN(auto doc, p.CurrentDoc(*row));
  return p.Publish(code, row->current_version + 1, to, doc);
}

}  // namespace

Status Service::Apply(db::Connection& c, const Change& ch, const std::string& approver,
                      ImportReport* report, const Progress& progress) {
  if (c.dialect() == db::Dialect::kPostgres) {
    // Publishing can grow the catalog tables by orders of magnitude in one transaction
    // (an import). A generic plan cached while they were small (a sequential scan)
    // would then be reused for every row; plan each statement for the data it meets.
    OW_RETURN_IF_ERROR(c.ExecScript("SET LOCAL plan_cache_mode = force_custom_plan"));
  }
  std::map<std::string, int64_t> term_counts;
  OW_RETURN_IF_ERROR(ApplyChange(c, ch, approver, report, progress, term_counts));
  return Store::FlushTermCounts(c, term_counts);
}

Status Service::ApplyChange(db::Connection& c, const Change& ch, const std::string& approver,
                            ImportReport* report, const Progress& progress,
                            TermCounts& term_counts) {
  Publication p{c, ch, ch.payload, approver, NowText(), term_counts};
  auto kind = ParseChangeKind(ch.kind);
  if (!kind) return Internal("unknown change kind " + ch.kind);
  switch (*kind) {
    case ChangeKind::kAdd:
      return PublishAdd(p);
    case ChangeKind::kChange:
      return PublishChange(p);
    case ChangeKind::kSplit:
    case ChangeKind::kMerge:
      return PublishSplitOrMerge(p, *kind);
    case ChangeKind::kSuspend:
    case ChangeKind::kResume:
    case ChangeKind::kCancel:
      return PublishStatus(p, *kind);
    case ChangeKind::kImport:
      return PublishImport(p, report, progress);
  }
  return Internal("unknown change kind " + ch.kind);
}

// import: every listed item added or versioned when it differs, then the listed
// implementations and bundles, unchanged entries left as they are.
Status Service::PublishImport(Publication& p, ImportReport* report, const Progress& progress) {
  const auto& items = p.payload.at("items").as_array();
  std::set<std::string> suspended;
  if (const json::value* sus = p.payload.if_contains("suspended"); sus && sus->is_array()) {
    for (const auto& code : sus->as_array()) suspended.emplace(code.as_string());
  }
  // Every item's state is read once; the versions to write are then written in batches of
  // multi-row statements (Store::PublishMany) rather than item by item.
  std::unordered_map<std::string, ItemRow> existing;
  int64_t published_before = 0;
  {
    OW_ASSIGN_OR_RETURN(auto all, Store::AllItems(p.c));
    existing.reserve(all.size());
    for (auto& r : all) {
      published_before += r.status == "published" ? 1 : 0;
      std::string code = r.code;
      existing.emplace(std::move(code), std::move(r));
    }
  }
  std::vector<BulkVersion> writes;
  std::vector<std::string> unindex;
  std::vector<std::pair<std::string, int64_t>> flag;
  int64_t added = 0, done = 0;
  const auto total = static_cast<int64_t>(items.size());
  for (const auto& d : items) {
    const json::object& doc = d.as_object();
    std::string code = Str(doc, "code");
    std::string status = suspended.count(code) ? "suspended" : "published";
    auto it = existing.find(code);
    if (it == existing.end()) {
      writes.push_back({code, 1, status, &doc});
      ++added;
      if (report) ++report->added;
    } else {
      const ItemRow& row = it->second;
      OW_ASSIGN_OR_RETURN(auto old, p.CurrentDoc(row));
      if (old == doc && row.status == status) {
        if (report) ++report->unchanged;
      } else {
        // A cancelled item comes back when the directory lists it again.
        writes.push_back({code, row.current_version + 1, status, &doc});
        if (row.status == "published") unindex.push_back(code);
        flag.emplace_back(code, row.current_version + 1);
        if (report) ++report->changed;
      }
    }
    if (progress && (++done % 5000 == 0 || done == total)) progress("compare", done, total);
  }
  // A load that at least doubles the published catalog builds the postings' secondary
  // indexes once at the end instead of growing them row by row (same transaction: on
  // PostgreSQL other sessions' searches wait for the commit; the first load of a
  // province's directory, not a routine update).
  const bool rebuild = added >= 5000 && added > published_before;
  if (rebuild) OW_RETURN_IF_ERROR(Store::DropPostingIndexes(p.c));
  for (const auto& code : unindex) OW_RETURN_IF_ERROR(Store::Unindex(p.c, code, p.term_counts));
  BulkMeta meta{p.ch.id, p.ch.kind, p.ch.author, p.approver, p.now};
  constexpr size_t kBatch = 2000;
  for (size_t start = 0; start < writes.size(); start += kBatch) {
    std::vector<BulkVersion> batch(
        writes.begin() + static_cast<std::ptrdiff_t>(start),
        writes.begin() + static_cast<std::ptrdiff_t>(std::min(writes.size(), start + kBatch)));
    OW_RETURN_IF_ERROR(Store::PublishMany(p.c, batch, meta, p.term_counts));
    if (progress)
      progress("write", static_cast<int64_t>(start + batch.size()),
               static_cast<int64_t>(writes.size()));
  }
  for (const auto& [code, version] : flag)
    OW_RETURN_IF_ERROR(Store::FlagImplementations(p.c, code, version));
  if (rebuild) {
    if (progress) progress("index", 0, 1);
    OW_RETURN_IF_ERROR(Store::CreatePostingIndexes(p.c));
    // Statistics for the planner before the first search meets the grown tables.
    if (p.c.dialect() == db::Dialect::kPostgres)
      OW_RETURN_IF_ERROR(
          p.c.ExecScript("ANALYZE catalog_items; ANALYZE catalog_postings; ANALYZE catalog_facets; "
                         "ANALYZE catalog_versions"));
    if (progress) progress("index", 1, 1);
  }
  if (const json::value* impls = p.payload.if_contains("implementations");
      impls && impls->is_array()) {
    size_t i = 0;
    for (const auto& entry : impls->as_array()) {
      std::string prefix = "implementations/" + std::to_string(i++) + "/";
      if (!entry.is_object())
        return Error(Code::kInvalidArgument, "invalid import", {{prefix, "must be an object"}});
      const json::object& o = entry.as_object();
      Implementation m;
      m.item_code = Str(o, "item_code");
      m.region_code = Str(o, "region_code");
      m.updated_at = p.now;
      m.updated_by = p.approver;
      OW_RETURN_IF_ERROR(CheckImplementation(p.c, m, o, prefix));
      OW_ASSIGN_OR_RETURN(auto old, Store::GetImplementation(p.c, m.item_code, m.region_code));
      if (old && old->department_code == m.department_code && old->local == m.local &&
          old->followed_version == m.followed_version && !old->needs_review) {
        continue;  // unchanged: keep its history as it is
      }
      OW_RETURN_IF_ERROR(Store::UpsertImplementation(p.c, m));
    }
  }
  if (const json::value* bundles = p.payload.if_contains("bundles");
      bundles && bundles->is_array()) {
    size_t i = 0;
    for (const auto& entry : bundles->as_array()) {
      std::string prefix = "bundles/" + std::to_string(i++) + "/";
      if (!entry.is_object())
        return Error(Code::kInvalidArgument, "invalid import", {{prefix, "must be an object"}});
      Bundle b;
      b.code = Str(entry.as_object(), "code");
      OW_RETURN_IF_ERROR(CheckBundle(p.c, b, entry.as_object(), prefix));
      OW_ASSIGN_OR_RETURN(auto old, Store::GetBundle(p.c, b.code));
      if (old && old->name == b.name && old->name_en == b.name_en && old->kind == b.kind &&
          old->description == b.description && old->description_en == b.description_en &&
          old->items == b.items && old->intake_schema == b.intake_schema &&
          old->situations == b.situations && old->item_conditions == b.item_conditions) {
        continue;
      }
      b.version = old ? old->version + 1 : 1;
      b.updated_at = p.now;
      OW_RETURN_IF_ERROR(Store::UpsertBundle(p.c, b));
    }
  }
  return {};
}

}  // namespace ow::catalog
