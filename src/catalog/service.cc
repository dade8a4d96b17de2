#include "catalog/service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "catalog/search_terms.h"
#include "catalog/store.h"
#include "core/clock.h"
#include "core/json_members.h"
#include "core/log.h"
#include "core/text.h"
#include "db/shared_state.h"

namespace ow::catalog {
namespace json = boost::json;

namespace {

using json_members::Int;
using json_members::Str;

constexpr std::string_view kGeneration = "catalog";

template <size_t N>
bool OneOf(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

}  // namespace

uint64_t Service::Generation() { return db::CurrentGeneration(db_, kGeneration); }

// Right after the change committed and before it is acknowledged: the next request on any
// node compares its caches with the new generation. A failure here leaves other nodes'
// caches stale for at most their time to live; it is logged.
void Service::Bump() {
  if (auto st = db::BumpGeneration(db_, kGeneration); !st)
    log::Warn("catalog.generation_bump_failed", {{"error", st.error().message}});
}

// ---------------------------------------------------------------------------
// Validation

Status Service::CheckReferences(const json::object& item) {
  Validator v;
  if (auto d = departments_.Get(Str(item, "department_code")); !d) {
    v.Add("department_code", "no department with this code");
  }
  if (const json::value* j = item.if_contains("jurisdiction"); j && j->is_array()) {
    size_t i = 0;
    for (const auto& r : j->as_array()) {
      if (r.is_string() && !regions_.MustExist(std::string(r.as_string()))) {
        v.Add("jurisdiction/" + std::to_string(i), "no region with this code");
      }
      ++i;
    }
  }
  return v.Finish("service item");
}

Status Service::ValidateChange(const std::string& kind, const json::object& payload) {
  Validator v;
  auto item_at = [&](const json::value* doc, const std::string& path) -> Status {
    if (!doc) {
      v.Add(path, "is required");
      return {};
    }
    auto normalized = NormalizeItem(*doc);
    if (!normalized) {
      if (normalized.error().fields.empty()) {
        v.Add(path, normalized.error().message);
      }
      for (const auto& f : normalized.error().fields) v.Add(path + "/" + f.field, f.message);
      return {};
    }
    if (auto refs = CheckReferences(*normalized); !refs) {
      for (const auto& f : refs.error().fields) v.Add(path + "/" + f.field, f.message);
    }
    return {};
  };
  auto items_at = [&](const char* key, size_t min) {
    const json::value* arr = payload.if_contains(key);
    if (!arr || !arr->is_array() || arr->as_array().size() < min) {
      v.Add(std::string("payload/") + key,
            "must be an array of at least " + std::to_string(min) + " items");
      return;
    }
    std::set<std::string> codes;
    for (size_t i = 0; i < arr->as_array().size(); ++i) {
      const json::value& doc = arr->as_array()[i];
      std::string path = std::string("payload/") + key + "/" + std::to_string(i);
      (void)item_at(&doc, path);
      if (doc.is_object() && !codes.insert(Str(doc.as_object(), "code")).second) {
        v.Add(path + "/code", "appears twice in this change");
      }
    }
  };
  auto code_at = [&](const char* key) {
    std::string code = Str(payload, key);
    if (!ValidItemCode(code)) v.Add(std::string("payload/") + key, "must be an item code");
  };
  auto parsed = ParseChangeKind(kind);
  if (!parsed) {
    v.Add("kind", "must be one of add, change, split, merge, suspend, resume, cancel, import");
    return v.Finish("change");
  }
  switch (*parsed) {
    case ChangeKind::kAdd:
      (void)item_at(payload.if_contains("item"), "payload/item");
      break;
    case ChangeKind::kChange:
      (void)item_at(payload.if_contains("item"), "payload/item");
      if (Int(payload, "base_version") < 1)
        v.Add("payload/base_version", "must name the version being changed");
      break;
    case ChangeKind::kSplit:
      code_at("source");
      items_at("items", 2);
      break;
    case ChangeKind::kMerge: {
      const json::value* sources = payload.if_contains("sources");
      std::set<std::string> seen;
      if (!sources || !sources->is_array() || sources->as_array().size() < 2) {
        v.Add("payload/sources", "must list at least two item codes");
      } else {
        for (size_t i = 0; i < sources->as_array().size(); ++i) {
          const auto& s = sources->as_array()[i];
          if (!s.is_string() || !ValidItemCode(s.as_string()) ||
              !seen.insert(std::string(s.as_string())).second) {
            v.Add("payload/sources/" + std::to_string(i), "must be a distinct item code");
          }
        }
      }
      (void)item_at(payload.if_contains("item"), "payload/item");
      break;
    }
    case ChangeKind::kSuspend:
    case ChangeKind::kResume:
    case ChangeKind::kCancel: {
      code_at("code");
      std::string reason = Str(payload, "reason");
      if (reason.empty() || !text::IsValidUtf8(reason) || text::CodePoints(reason) > 1000) {
        v.Add("payload/reason", "must say why, in 1 to 1000 characters");
      }
      break;
    }
    case ChangeKind::kImport:
      items_at("items", 1);
      break;
  }
  return v.Finish("change");
}

// ---------------------------------------------------------------------------
// Changes

namespace {

// Members a change payload may have, by kind.
const std::set<std::string>& PayloadKeys(const std::string& kind) {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"add", {"item"}},
      {"change", {"item", "base_version"}},
      {"split", {"source", "items"}},
      {"merge", {"sources", "item"}},
      {"suspend", {"code", "reason"}},
      {"resume", {"code", "reason"}},
      {"cancel", {"code", "reason"}},
      {"import", {"items", "suspended", "implementations", "bundles"}}};
  static const std::set<std::string> kNone;
  auto it = kKeys.find(kind);
  return it == kKeys.end() ? kNone : it->second;
}

}  // namespace

Result<Change> Service::ParseChangeBody(const json::object& body) {
  Change ch;
  ch.kind = Str(body, "kind");
  ch.summary = Str(body, "summary");
  Validator shape;
  for (const auto& kv : body) {
    if (kv.key() != "kind" && kv.key() != "summary" && kv.key() != "payload") {
      shape.Add(std::string(kv.key()), "is not a change field");
    }
  }
  if (const json::value* p = body.if_contains("payload"); p && p->is_object()) {
    ch.payload = p->as_object();
    const auto& keys = PayloadKeys(ch.kind);
    for (const auto& kv : ch.payload) {
      if (!keys.empty() && !keys.count(std::string(kv.key()))) {
        shape.Add("payload/" + std::string(kv.key()), "is not part of a " + ch.kind + " change");
      }
    }
  } else {
    shape.Add("payload", "must be an object");
  }
  if (!text::IsValidUtf8(ch.summary) || text::CodePoints(ch.summary) > 1000) {
    shape.Add("summary", "must be at most 1000 characters");
  }
  OW_RETURN_IF_ERROR(shape.Finish("change"));
  OW_RETURN_IF_ERROR(ValidateChange(ch.kind, ch.payload));
  // Normalize embedded documents so the stored payload is exactly what will publish.
  if (const json::value* doc = ch.payload.if_contains("item"))
    ch.payload["item"] = *NormalizeItem(*doc);
  if (json::value* arr = ch.payload.if_contains("items"); arr && arr->is_array()) {
    for (auto& doc : arr->as_array()) doc = *NormalizeItem(doc);
  }
  return ch;
}

Result<Change> Service::CreateChange(const std::string& actor, const json::object& body) {
  OW_ASSIGN_OR_RETURN(Change ch, ParseChangeBody(body));
  ch.status = "draft";
  ch.author = actor;
  ch.created_at = ch.updated_at = NowText();
  ch.revision = 1;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(ch.id, Store::InsertChange(c, ch));
    return {};
  }));
  return ch;
}

Result<Change> Service::GetChange(int64_t id) {
  std::optional<Change> ch;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(ch, Store::GetChange(c, id));
    return {};
  }));
  if (!ch) return NotFound("no catalog change " + std::to_string(id));
  return *ch;
}

Result<std::vector<Change>> Service::ListChanges(const std::string& status, int64_t after_id,
                                                 int limit) {
  if (!status.empty() && !OneOf(status, kChangeStatuses)) {
    return Error(Code::kInvalidArgument, "invalid query", {{"status", "is not a change status"}});
  }
  std::vector<Change> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListChanges(c, status, after_id, limit));
    return {};
  }));
  return out;
}

namespace {

// Loads a change, checks `allowed(change)`, lets `mutate` change it, and stores it
// with its revision bumped.
template <class Allowed, class Mutate>
Result<Change> Transition(db::Database& db, int64_t id, Allowed allowed, Mutate mutate) {
  Change out;
  OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto ch, Store::GetChange(c, id));
    if (!ch) return NotFound("no catalog change " + std::to_string(id));
    OW_RETURN_IF_ERROR(allowed(*ch));
    OW_RETURN_IF_ERROR(mutate(c, *ch));
    ch->updated_at = NowText();
    ++ch->revision;
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateChange(c, *ch));
    if (!ok) return Conflict("change " + std::to_string(id) + " was modified concurrently");
    out = *ch;
    return {};
  }));
  return out;
}

}  // namespace

Result<Change> Service::EditChange(const std::string& actor, int64_t id, const json::object& body,
                                   std::optional<int64_t> expected_revision) {
  // Who may edit is decided before the new content is checked.
  OW_ASSIGN_OR_RETURN(Change existing, GetChange(id));
  if (existing.author != actor)
    return PermissionDenied("only the author may edit change " + std::to_string(id));
  OW_ASSIGN_OR_RETURN(Change fresh, ParseChangeBody(body));
  return Transition(
      db_, id,
      [&](const Change& ch) -> Status {
        if (ch.author != actor)
          return PermissionDenied("only the author may edit change " + std::to_string(id));
        if (ch.status != "draft" && ch.status != "rejected") {
          return Conflict("change " + std::to_string(id) + " is " + ch.status +
                          " and can no longer be edited");
        }
        if (expected_revision && *expected_revision != ch.revision) {
          return StaleVersion("change " + std::to_string(id) + " was edited meanwhile (revision " +
                              std::to_string(ch.revision) + ")");
        }
        if (fresh.kind != ch.kind) {
          return Error(Code::kInvalidArgument, "invalid change",
                       {{"kind", "cannot change; create a new change"}});
        }
        return {};
      },
      [&](db::Connection&, Change& ch) -> Status {
        ch.payload = fresh.payload;
        ch.summary = fresh.summary;
        ch.status = "draft";
        return {};
      });
}

Result<Change> Service::Submit(const std::string& actor, int64_t id) {
  return Transition(
      db_, id,
      [&](const Change& ch) -> Status {
        if (ch.author != actor)
          return PermissionDenied("only the author may submit change " + std::to_string(id));
        if (ch.status != "draft")
          return Conflict("change " + std::to_string(id) + " is " + ch.status + ", not a draft");
        return {};
      },
      [&](db::Connection&, Change& ch) -> Status {
        ch.status = "under_review";
        ch.submitted_at = NowText();
        return {};
      });
}

Result<Change> Service::Reject(const std::string& actor, int64_t id, const std::string& comment) {
  if (comment.empty() || !text::IsValidUtf8(comment) || text::CodePoints(comment) > 2000) {
    return Error(Code::kInvalidArgument, "invalid review",
                 {{"comment", "must say why, in 1 to 2000 characters"}});
  }
  return Transition(
      db_, id,
      [&](const Change& ch) -> Status {
        if (ch.status != "under_review")
          return Conflict("change " + std::to_string(id) + " is not under review");
        if (ch.author == actor) return PermissionDenied("the author of a change may not review it");
        return {};
      },
      [&](db::Connection&, Change& ch) -> Status {
        ch.status = "rejected";
        ch.reviewer = actor;
        ch.review_comment = comment;
        ch.reviewed_at = NowText();
        return {};
      });
}

Result<Change> Service::Withdraw(const std::string& actor, int64_t id) {
  return Transition(
      db_, id,
      [&](const Change& ch) -> Status {
        if (ch.author != actor)
          return PermissionDenied("only the author may withdraw change " + std::to_string(id));
        if (ch.status == "published" || ch.status == "withdrawn") {
          return Conflict("change " + std::to_string(id) + " is already " + ch.status);
        }
        return {};
      },
      [&](db::Connection&, Change& ch) -> Status {
        ch.status = "withdrawn";
        return {};
      });
}

Result<Change> Service::Approve(const std::string& actor, int64_t id, const std::string& comment) {
  if (!text::IsValidUtf8(comment) || text::CodePoints(comment) > 2000) {
    return Error(Code::kInvalidArgument, "invalid review",
                 {{"comment", "must be at most 2000 characters"}});
  }
  // Who may approve is decided before what is approved; then the payload is checked
  // again, because departments and regions may have changed since it was written.
  OW_ASSIGN_OR_RETURN(Change current, GetChange(id));
  if (current.status != "under_review")
    return Conflict("change " + std::to_string(id) + " is not under review");
  if (current.author == actor) {
    return PermissionDenied(
        "the author of a change may not approve it; another administrator must");
  }
  OW_RETURN_IF_ERROR(ValidateChange(current.kind, current.payload));
  auto result = Transition(
      db_, id,
      [&](const Change& ch) -> Status {
        if (ch.status != "under_review")
          return Conflict("change " + std::to_string(id) + " is not under review");
        if (ch.author == actor) {
          return PermissionDenied(
              "the author of a change may not approve it; another administrator must");
        }
        return {};
      },
      [&](db::Connection& c, Change& ch) -> Status {
        ch.status = "published";
        ch.reviewer = actor;
        ch.review_comment = comment;
        ch.reviewed_at = NowText();
        return Apply(c, ch, actor, nullptr, {});
      });
  Bump();
  return result;
}

// ---------------------------------------------------------------------------
// Items

namespace {

// The guide with the implementation's local elements applied (ItemView::effective).
void ApplyLocal(ItemView& view) {
  view.effective = view.version.document;
  if (!view.implementation) return;
  const json::object& local = view.implementation->local;
  for (const char* key : {"halls", "consult_phone", "complaint_phone", "promised_days"}) {
    const json::value* v = local.if_contains(key);
    bool present = v && !v->is_null() && !(v->is_string() && v->as_string().empty()) &&
                   !(v->is_array() && v->as_array().empty());
    if (present) view.effective[key] = *v;
  }
  view.effective["department_code"] = view.implementation->department_code;
}

}  // namespace

Result<ItemView> Service::GetItem(const std::string& code, const std::string& region) {
  if (!region.empty() && !regions::LevelOfCode(region)) {
    return Error(Code::kInvalidArgument, "invalid query", {{"region", "must be a region code"}});
  }
  ItemView view;
  bool found = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, code));
    if (!row) return {};
    OW_ASSIGN_OR_RETURN(auto v, Store::GetVersion(c, code, row->current_version));
    if (!v) return Internal("missing current version of " + code);
    found = true;
    view.version = std::move(*v);
    view.status = row->status;
    if (!region.empty()) {
      std::vector<std::string> scope = regions::AncestorCodes(region);
      scope.push_back(region);
      for (auto it = scope.rbegin(); it != scope.rend() && !view.implementation; ++it) {
        OW_ASSIGN_OR_RETURN(view.implementation, Store::GetImplementation(c, code, *it));
      }
    }
    return {};
  }));
  if (!found) return NotFound("no catalog item with code " + code);
  ApplyLocal(view);
  return view;
}

Status Service::EachPublishedIn(const std::string& region,
                                const std::function<Status(const ItemView&)>& fn, int page_size) {
  if (!regions::LevelOfCode(region)) {
    return Error(Code::kInvalidArgument, "invalid query", {{"region", "must be a region code"}});
  }
  std::vector<std::string> scope = regions::AncestorCodes(region);
  scope.push_back(region);
  auto depth = [&](const std::string& code) {
    return std::find(scope.begin(), scope.end(), code) - scope.begin();
  };
  std::string after;
  for (;;) {
    std::vector<Store::ScopedItem> page;
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(page, Store::PublishedIn(c, scope, after, page_size));
      return {};
    }));
    if (page.empty()) return {};
    after = page.back().version.code;  // before the items are moved from
    for (auto& item : page) {
      ItemView view;
      view.status = "published";
      view.version = std::move(item.version);
      for (auto& m : item.implementations) {  // the nearest one, as GetItem picks it
        if (!view.implementation ||
            depth(m.region_code) > depth(view.implementation->region_code)) {
          view.implementation = std::move(m);
        }
      }
      ApplyLocal(view);
      OW_RETURN_IF_ERROR(fn(view));
    }
  }
}

Result<ItemVersion> Service::GetVersion(const std::string& code, int64_t version) {
  std::optional<ItemVersion> v;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(v, Store::GetVersion(c, code, version));
    return {};
  }));
  if (!v) return NotFound("catalog item " + code + " has no version " + std::to_string(version));
  return *v;
}

Result<std::vector<ItemVersion>> Service::Versions(const std::string& code) {
  std::vector<ItemVersion> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListVersions(c, code));
    return {};
  }));
  if (out.empty()) return NotFound("no catalog item with code " + code);
  return out;
}

Result<std::vector<DiffEntry>> Service::DiffVersions(const std::string& code, int64_t from,
                                                     int64_t to) {
  OW_ASSIGN_OR_RETURN(auto a, GetVersion(code, from));
  OW_ASSIGN_OR_RETURN(auto b, GetVersion(code, to));
  auto entries = Diff(a.document, b.document);
  if (a.status != b.status)
    entries.push_back({"replace", "#status", json::value(a.status), json::value(b.status)});
  return entries;
}

Result<std::vector<LineageLink>> Service::Lineage(const std::string& code) {
  std::vector<LineageLink> out;
  bool exists = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, code));
    exists = row.has_value();
    OW_ASSIGN_OR_RETURN(out, Store::Lineage(c, code));
    return {};
  }));
  if (!exists) return NotFound("no catalog item with code " + code);
  return out;
}

// ---------------------------------------------------------------------------
// Implementations

Status Service::CheckImplementation(db::Connection& c, Implementation& m, const json::object& local,
                                    const std::string& prefix) {
  Validator v;
  auto region_level = regions::LevelOfCode(m.region_code);
  if (!region_level) v.Add(prefix + "region", "must be a region code");
  for (const char* key : {"item_code", "region_code"}) {
    const json::value* given = local.if_contains(key);
    const std::string& expected =
        std::string_view(key) == "item_code" ? m.item_code : m.region_code;
    if (given && (!given->is_string() || given->as_string() != expected)) {
      v.Add(prefix + key, "must match " + expected);
    }
  }
  static const std::set<std::string> kKnown = {"department_code", "halls",         "consult_phone",
                                               "complaint_phone", "promised_days", "note",
                                               "item_code",       "region_code"};
  for (const auto& kv : local) {
    if (!kKnown.count(std::string(kv.key())))
      v.Add(prefix + std::string(kv.key()), "is not a local element");
  }
  m.department_code = Str(local, "department_code");
  if (m.department_code.empty()) v.Add(prefix + "department_code", "is required");
  int64_t promised = -1;
  if (const json::value* pd = local.if_contains("promised_days"); pd && !pd->is_null()) {
    if (!pd->is_int64() || pd->as_int64() < 0 || pd->as_int64() > 3650) {
      v.Add(prefix + "promised_days", "must be an integer from 0 to 3650");
    } else {
      promised = pd->as_int64();
    }
  }
  std::string note = Str(local, "note");
  if (!text::IsValidUtf8(note) || text::CodePoints(note) > 1000)
    v.Add(prefix + "note", "must be at most 1000 characters");
  // The item validator checks halls and phones the same way as in the item itself.
  json::object probe = MinimalItem();
  json::object shape{
      {"halls",
       local.contains("halls") && !local.at("halls").is_null() ? local.at("halls") : json::array()},
      {"consult_phone", Str(local, "consult_phone")},
      {"complaint_phone", Str(local, "complaint_phone")}};
  for (const auto& kv : shape) probe[kv.key()] = kv.value();
  auto checked = NormalizeItem(probe);
  if (!checked) {
    for (const auto& f : checked.error().fields) v.Add(prefix + f.field, f.message);
  }
  OW_RETURN_IF_ERROR(v.Finish("implementation"));

  auto dept = departments_.Get(m.department_code);
  if (!dept)
    return Error(Code::kInvalidArgument, "invalid implementation",
                 {{prefix + "department_code", "no department with this code"}});
  if (!regions_.MustExist(m.region_code)) {
    return Error(Code::kInvalidArgument, "invalid implementation",
                 {{prefix + "region", "no region with this code"}});
  }
  if (!regions::Service::IsWithin(m.region_code, dept->region_code)) {
    return Error(
        Code::kInvalidArgument, "invalid implementation",
        {{prefix + "department_code", "the department must serve this region or one above it"}});
  }
  OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, m.item_code));
  OW_RETURN_IF_ERROR(NotCancelled(row, m.item_code));
  OW_ASSIGN_OR_RETURN(auto current, Store::GetVersion(c, m.item_code, row->current_version));
  const json::object& doc = current->document;
  // Inherited downward only: within the item's jurisdiction, at its level or below.
  bool within = false;
  for (const auto& j : doc.at("jurisdiction").as_array()) {
    if (regions::Service::IsWithin(m.region_code, j.as_string())) within = true;
  }
  Validator rules;
  if (!within) rules.Add(prefix + "region", "is outside the item's jurisdiction");
  if (static_cast<int>(*region_level) < LevelRank(Str(doc, "level"))) {
    rules.Add(prefix + "region", "is above the item's level (" + Str(doc, "level") +
                                     "); implementations inherit downward");
  }
  int64_t statutory = Int(doc, "statutory_days");
  if (promised > statutory && statutory > 0) {
    rules.Add(prefix + "promised_days",
              "may not exceed the statutory limit of " + std::to_string(statutory) + " days");
  }
  OW_RETURN_IF_ERROR(rules.Finish("implementation"));
  m.followed_version = row->current_version;
  m.needs_review = false;
  m.local = {{"halls", checked ? checked->at("halls") : shape["halls"]},
             {"consult_phone", shape["consult_phone"]},
             {"complaint_phone", shape["complaint_phone"]},
             {"promised_days", promised >= 0 ? json::value(promised) : json::value(nullptr)},
             {"note", note}};
  return {};
}

Result<Implementation> Service::PutImplementation(const std::string& actor, const std::string& item,
                                                  const std::string& region,
                                                  const json::object& local) {
  Implementation m;
  m.item_code = item;
  m.region_code = region;
  m.updated_by = actor;
  m.updated_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(CheckImplementation(c, m, local, ""));
    return Store::UpsertImplementation(c, m);
  }));
  Bump();
  return m;
}

Result<std::vector<Implementation>> Service::ListImplementations(
    const std::string& item, const std::string& region, bool only_needing_review, int limit,
    const std::string& cursor, std::string* next_cursor) {
  std::string after_item, after_region;
  if (!cursor.empty()) {
    auto decoded = text::Base64UrlDecode(cursor);
    auto sep = decoded ? decoded->find('\x1f') : std::string::npos;
    if (sep == std::string::npos) {
      return Error(Code::kInvalidArgument, "invalid query",
                   {{"cursor", "is not a cursor this API returned"}});
    }
    after_item = decoded->substr(0, sep);
    after_region = decoded->substr(sep + 1);
  }
  std::vector<Implementation> out;
  bool item_missing = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    if (!item.empty()) {
      OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, item));
      if (!row) {
        item_missing = true;
        return {};
      }
    }
    OW_ASSIGN_OR_RETURN(out, Store::ListImplementations(c, item, region, only_needing_review,
                                                        after_item, after_region, limit + 1));
    return {};
  }));
  if (item_missing) return NotFound("no catalog item with code " + item);
  if (next_cursor) next_cursor->clear();
  if (static_cast<int>(out.size()) > limit) {
    out.pop_back();
    if (next_cursor)
      *next_cursor = text::Base64UrlEncode(out.back().item_code + '\x1f' + out.back().region_code);
  }
  return out;
}

Status Service::DeleteImplementation(const std::string& item, const std::string& region) {
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool deleted, Store::DeleteImplementation(c, item, region));
    if (!deleted)
      return NotFound("catalog item " + item + " has no implementation in region " + region);
    return {};
  }));
  // Intake's cached targets (cases::Service::TargetOf) follow at once in this process.
  Bump();
  return {};
}

// ---------------------------------------------------------------------------
// Bundles

Status Service::CheckBundle(db::Connection& c, Bundle& b, const json::object& body,
                            const std::string& prefix) {
  Validator v;
  if (!ValidItemCode(b.code))
    v.Add(prefix + "code", "must be 2 to 40 of A-Z, a-z, 0-9, '.', '_', '-'");
  static const std::set<std::string> kKnown = {
      "code",           "name",  "name_en",       "kind",       "description",
      "description_en", "items", "intake_schema", "situations", "item_conditions"};
  for (const auto& kv : body) {
    if (!kKnown.count(std::string(kv.key())))
      v.Add(prefix + std::string(kv.key()), "is not a bundle field");
  }
  b.name = Str(body, "name");
  b.name_en = Str(body, "name_en");
  b.kind = Str(body, "kind");
  b.description = Str(body, "description");
  b.description_en = Str(body, "description_en");
  b.items.clear();
  if (b.name.empty() || !text::IsValidUtf8(b.name) || text::CodePoints(b.name) > 200) {
    v.Add(prefix + "name", "must be 1 to 200 characters");
  }
  if (!text::IsValidUtf8(b.name_en) || text::CodePoints(b.name_en) > 300)
    v.Add(prefix + "name_en", "must be at most 300 characters");
  if (b.kind != "life_event" && b.kind != "business_event")
    v.Add(prefix + "kind", "must be life_event or business_event");
  if (!text::IsValidUtf8(b.description) || text::CodePoints(b.description) > 5000) {
    v.Add(prefix + "description", "must be at most 5000 characters");
  }
  if (!text::IsValidUtf8(b.description_en) || text::CodePoints(b.description_en) > 10000)
    v.Add(prefix + "description_en", "must be at most 10000 characters");
  const json::value* items = body.if_contains("items");
  if (!items || !items->is_array() || items->as_array().size() < 2 ||
      items->as_array().size() > 50) {
    v.Add(prefix + "items", "must list 2 to 50 item codes");
  } else {
    std::set<std::string> seen;
    for (size_t i = 0; i < items->as_array().size(); ++i) {
      const auto& it = items->as_array()[i];
      if (!it.is_string() || !seen.insert(std::string(it.as_string())).second) {
        v.Add(prefix + "items/" + std::to_string(i), "must be a distinct item code");
        continue;
      }
      b.items.emplace_back(it.as_string());
      OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, b.items.back()));
      if (!row || row->status != "published")
        v.Add(prefix + "items/" + std::to_string(i), "is not a published item");
    }
  }
  // Situational guidance: questions, and items that belong only under some answers.
  b.situations = NormalizeSituations(body.if_contains("situations"), prefix + "situations", v);
  b.item_conditions.clear();
  if (const json::value* conds = body.if_contains("item_conditions"); conds && !conds->is_null()) {
    if (!conds->is_array() || conds->as_array().size() > 50) {
      v.Add(prefix + "item_conditions", "must be an array of at most 50 {item_code, when}");
    } else {
      std::set<std::string> seen;
      size_t i = 0;
      for (const auto& e : conds->as_array()) {
        std::string at = prefix + "item_conditions/" + std::to_string(i++);
        const json::object* o = e.if_object();
        std::string item = o ? Str(*o, "item_code") : "";
        if (!o || o->size() != 2 || !o->contains("when") ||
            std::find(b.items.begin(), b.items.end(), item) == b.items.end() ||
            !seen.insert(item).second) {
          v.Add(at, "must be {item_code, when} for an item of the bundle, each item once");
          continue;
        }
        json::array when = NormalizeWhen(o->if_contains("when"), at + "/when", b.situations, v);
        if (when.empty()) v.Add(at + "/when", "must name at least one situation");
        b.item_conditions.push_back(json::object{{"item_code", item}, {"when", std::move(when)}});
      }
    }
  }
  const json::value* schema = body.if_contains("intake_schema");
  if (!schema || !schema->is_object() || Str(schema->as_object(), "type") != "object") {
    v.Add(prefix + "intake_schema", "must be a JSON Schema object with \"type\": \"object\"");
  } else {
    b.intake_schema = schema->as_object();
  }
  return v.Finish("bundle");
}

Result<Bundle> Service::PutBundle(const std::string& code, const json::object& body) {
  Bundle b;
  b.code = code;
  if (body.contains("code") && Str(body, "code") != code) {
    return Error(Code::kInvalidArgument, "invalid bundle", {{"code", "must match the URL"}});
  }
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(CheckBundle(c, b, body, ""));
    OW_ASSIGN_OR_RETURN(auto old, Store::GetBundle(c, code));
    b.version = old ? old->version + 1 : 1;
    b.updated_at = NowText();
    return Store::UpsertBundle(c, b);
  }));
  Bump();
  return b;
}

Result<Bundle> Service::GetBundle(const std::string& code) {
  std::optional<Bundle> b;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(b, Store::GetBundle(c, code));
    return {};
  }));
  if (!b) return NotFound("no bundle with code " + code);
  return *b;
}

Result<std::vector<Bundle>> Service::ListBundles() {
  std::vector<Bundle> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListBundles(c));
    return {};
  }));
  return out;
}

Status Service::DeleteBundle(const std::string& code) {
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool deleted, Store::DeleteBundle(c, code));
    if (!deleted) return NotFound("no bundle with code " + code);
    return {};
  }));
  Bump();
  return {};
}

// ---------------------------------------------------------------------------
// Search

Result<SearchResult> Service::Search(const SearchQuery& q) {
  Validator v;
  if (!text::IsValidUtf8(q.q) || text::CodePoints(q.q) > 100)
    v.Add("q", "must be at most 100 characters of text");
  if (!q.region.empty() && !regions::LevelOfCode(q.region))
    v.Add("region", "must be a region code");
  if (!q.type.empty() && !OneOf(q.type, kItemTypes)) v.Add("type", "is not an item type");
  if (!q.served.empty() && !OneOf(q.served, kServed))
    v.Add("served", "must be natural_person or legal_person");
  if (!q.level.empty() && LevelRank(q.level) < 0) v.Add("level", "is not a government level");
  if (q.online_depth < 0 || q.online_depth > 4) v.Add("online_depth", "must be from 1 to 4");
  int64_t offset = 0;
  if (!q.cursor.empty()) {
    auto decoded = text::Base64UrlDecode(q.cursor);
    auto n = decoded && decoded->rfind("o:", 0) == 0 ? text::ParseInt(decoded->substr(2), 1, 10000)
                                                     : std::nullopt;
    if (!n) {
      v.Add("cursor", "is not a cursor this API returned");
    } else {
      offset = *n;
    }
  }
  std::vector<std::string> terms = QueryTerms(q.q);
  if (terms.size() > 16) v.Add("q", "has too many words");
  if (!q.q.empty() && terms.empty()) v.Add("q", "has no searchable words");
  OW_RETURN_IF_ERROR(v.Finish("query"));
  std::vector<std::string> scope;
  if (!q.region.empty()) {
    scope = regions::AncestorCodes(q.region);
    scope.push_back(q.region);
  }
  SearchResult result;
  auto search = [&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(result, Store::Search(c, q, terms, scope, offset));
    return {};
  };
  // The common page (one word or none, no facet counts) is one statement: on PostgreSQL
  // one round trip instead of four.
  OW_RETURN_IF_ERROR(terms.size() <= 1 && !q.facets ? db_.ReadOneStatement(search)
                                                    : db_.Read(search));
  if (static_cast<int>(result.items.size()) > q.limit) {
    result.items.pop_back();
    int64_t next = offset + q.limit;
    if (next <= 10000) result.next_cursor = text::Base64UrlEncode("o:" + std::to_string(next));
  }
  return result;
}

}  // namespace ow::catalog
