#include "catalog/store.h"

#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>

#include "catalog/item.h"
#include "core/json_members.h"
#include "core/text.h"
#include "db/sql.h"

namespace ow::catalog {
namespace json = boost::json;

Status NotCancelled(const std::optional<ItemRow>& row, const std::string& code) {
  if (!row) return NotFound("no catalog item with code " + code);
  if (row->status == "cancelled") return Conflict("catalog item " + code + " is cancelled");
  return {};
}

std::vector<db::Migration> Migrations() {
  // Two scripts only where the dialects differ: identity columns.
  std::string common = R"sql(
CREATE TABLE catalog_items (
  code TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  current_version INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  type TEXT NOT NULL,
  department_code TEXT NOT NULL,
  level TEXT NOT NULL,
  online_depth INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  statutory_days INTEGER NOT NULL,
  promised_days INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX catalog_items_status ON catalog_items(status, code);
CREATE TABLE catalog_versions (
  code TEXT NOT NULL REFERENCES catalog_items(code),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  document TEXT NOT NULL,
  change_id INTEGER NOT NULL,
  change_kind TEXT NOT NULL,
  author TEXT NOT NULL,
  approver TEXT NOT NULL,
  published_at TEXT NOT NULL,
  PRIMARY KEY (code, version)
);
CREATE TABLE catalog_lineage (
  from_code TEXT NOT NULL,
  from_version INTEGER NOT NULL,
  to_code TEXT NOT NULL,
  to_version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  change_id INTEGER NOT NULL,
  PRIMARY KEY (from_code, from_version, to_code, to_version)
);
CREATE INDEX catalog_lineage_to ON catalog_lineage(to_code);
CREATE TABLE catalog_facets (
  code TEXT NOT NULL,
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (code, facet, value)
);
CREATE INDEX catalog_facets_value ON catalog_facets(facet, value, code);
CREATE TABLE catalog_postings (
  term TEXT NOT NULL,
  code TEXT NOT NULL,
  score INTEGER NOT NULL,
  PRIMARY KEY (term, code)
);
CREATE INDEX catalog_postings_rank ON catalog_postings(term, score DESC, code);
CREATE INDEX catalog_postings_code ON catalog_postings(code);
CREATE TABLE catalog_terms (
  term TEXT PRIMARY KEY,
  df INTEGER NOT NULL
);
CREATE TABLE catalog_implementations (
  item_code TEXT NOT NULL REFERENCES catalog_items(code),
  region_code TEXT NOT NULL REFERENCES regions(code),
  department_code TEXT NOT NULL,
  followed_version INTEGER NOT NULL,
  local TEXT NOT NULL,
  needs_review INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (item_code, region_code)
);
CREATE INDEX catalog_implementations_region ON catalog_implementations(region_code, item_code);
CREATE TABLE catalog_bundles (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  items TEXT NOT NULL,
  intake_schema TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";
  std::string changes = R"sql(
CREATE TABLE catalog_changes (
  id {{ID}},
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  payload TEXT NOT NULL,
  summary TEXT NOT NULL,
  author TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  review_comment TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX catalog_changes_status ON catalog_changes(status, id);
INSERT INTO catalog_terms (term, df) VALUES ('', 0);
)sql";
  return {db::Portable("catalog/001_init", common + changes),
          db::Portable("catalog/002_bundle_description_en",
                       "ALTER TABLE catalog_bundles ADD COLUMN description_en TEXT NOT NULL "
                       "DEFAULT '';\n"),
          // A bundle's situational guidance: {"situations": [...], "item_conditions": [...]}.
          db::Portable("catalog/003_bundle_guidance",
                       "ALTER TABLE catalog_bundles ADD COLUMN guidance TEXT NOT NULL "
                       "DEFAULT '{}';\n")};
}

namespace {

using json_members::Int;
using json_members::Str;

std::string ToText(const json::value& v) { return json::serialize(v); }

json::object ParseObject(const std::string& s) {
  boost::system::error_code ec;
  auto v = json::parse(s, ec);
  return !ec && v.is_object() ? v.as_object() : json::object();
}

constexpr const char* kChangeColumns =
    "id, kind, status, payload, summary, author, reviewer, review_comment, created_at, updated_at, "
    "submitted_at, reviewed_at, revision";

std::vector<Change> ToChanges(const db::Rows& r) {
  std::vector<Change> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Change c;
    c.id = r.Int(i, 0);
    c.kind = r.Text(i, 1);
    c.status = r.Text(i, 2);
    c.payload = ParseObject(r.Text(i, 3));
    c.summary = r.Text(i, 4);
    c.author = r.Text(i, 5);
    c.reviewer = r.Text(i, 6);
    c.review_comment = r.Text(i, 7);
    c.created_at = r.Text(i, 8);
    c.updated_at = r.Text(i, 9);
    c.submitted_at = r.Text(i, 10);
    c.reviewed_at = r.Text(i, 11);
    c.revision = r.Int(i, 12);
    out.push_back(std::move(c));
  }
  return out;
}

constexpr const char* kVersionColumns =
    "code, version, status, document, change_id, change_kind, author, approver, published_at";

std::vector<ItemVersion> ToVersions(const db::Rows& r) {
  std::vector<ItemVersion> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), ParseObject(r.Text(i, 3)), r.Int(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), r.Text(i, 8)});
  }
  return out;
}

constexpr const char* kImplColumns =
    "item_code, region_code, department_code, followed_version, local, needs_review, updated_at, "
    "updated_by";

std::vector<Implementation> ToImplementations(const db::Rows& r) {
  std::vector<Implementation> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), ParseObject(r.Text(i, 4)),
                   r.Int(i, 5) != 0, r.Text(i, 6), r.Text(i, 7)});
  }
  return out;
}

using db::Sql;

}  // namespace

Result<int64_t> Store::InsertChange(db::Connection& c, const Change& ch) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("INSERT INTO catalog_changes (kind, status, payload, summary, author, "
                      "reviewer, review_comment, "
                      "created_at, updated_at, submitted_at, reviewed_at, revision) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                      {ch.kind, ch.status, ToText(ch.payload), ch.summary, ch.author, ch.reviewer,
                       ch.review_comment, ch.created_at, ch.updated_at, ch.submitted_at,
                       ch.reviewed_at, ch.revision}));
  return r.Int(0, 0);
}

Result<std::optional<Change>> Store::GetChange(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kChangeColumns +
                                          " FROM catalog_changes WHERE id = $1",
                                      {id}));
  if (r.empty()) return std::optional<Change>();
  return std::optional<Change>(ToChanges(r)[0]);
}

Result<bool> Store::UpdateChange(db::Connection& c, const Change& ch) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE catalog_changes SET status = $2, payload = $3, summary = $4, reviewer = $5, "
             "review_comment = $6, updated_at = $7, submitted_at = $8, reviewed_at = $9, revision "
             "= $10 "
             "WHERE id = $1 AND revision = $11",
             {ch.id, ch.status, ToText(ch.payload), ch.summary, ch.reviewer, ch.review_comment,
              ch.updated_at, ch.submitted_at, ch.reviewed_at, ch.revision, ch.revision - 1}));
  return n == 1;
}

Result<std::vector<Change>> Store::ListChanges(db::Connection& c, const std::string& status,
                                               int64_t after_id, int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kChangeColumns +
                          " FROM catalog_changes WHERE ($1 = '' OR status = $1) AND id > $2 "
                          "ORDER BY id LIMIT $3",
                      {status, after_id, int64_t{limit}}));
  return ToChanges(r);
}

Result<std::optional<ItemRow>> Store::GetItem(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query("SELECT code, status, current_version FROM catalog_items WHERE code = $1", {code}));
  if (r.empty()) return std::optional<ItemRow>();
  return std::optional<ItemRow>(ItemRow{r.Text(0, 0), r.Text(0, 1), r.Int(0, 2)});
}

Status Store::UpsertItem(db::Connection& c, const ItemVersion& v, const std::string& updated_at) {
  const auto& d = v.document;
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO catalog_items (code, status, current_version, name, name_en, type, "
             "department_code, level, "
             "online_depth, visits, statutory_days, promised_days, updated_at) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
             "ON CONFLICT (code) DO UPDATE SET status = excluded.status, current_version = "
             "excluded.current_version, "
             "name = excluded.name, name_en = excluded.name_en, type = excluded.type, "
             "department_code = excluded.department_code, level = excluded.level, online_depth = "
             "excluded.online_depth, "
             "visits = excluded.visits, statutory_days = excluded.statutory_days, promised_days = "
             "excluded.promised_days, "
             "updated_at = excluded.updated_at",
             {v.code, v.status, v.version, Str(d, "name"), Str(d, "name_en"), Str(d, "type"),
              Str(d, "department_code"), Str(d, "level"), Int(d, "online_depth"), Int(d, "visits"),
              Int(d, "statutory_days"), Int(d, "promised_days"), updated_at}));
  return {};
}

Status Store::InsertVersion(db::Connection& c, const ItemVersion& v) {
  OW_RETURN_IF_ERROR(c.Exec(std::string("INSERT INTO catalog_versions (") + kVersionColumns +
                                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                            {v.code, v.version, v.status, ToText(v.document), v.change_id,
                             v.change_kind, v.author, v.approver, v.published_at}));
  return {};
}

Result<std::optional<ItemVersion>> Store::GetVersion(db::Connection& c, const std::string& code,
                                                     int64_t version) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kVersionColumns +
                                          " FROM catalog_versions WHERE code = $1 AND version = $2",
                                      {code, version}));
  if (r.empty()) return std::optional<ItemVersion>();
  return std::optional<ItemVersion>(ToVersions(r)[0]);
}

Result<std::vector<ItemVersion>> Store::ListVersions(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kVersionColumns +
                                          " FROM catalog_versions WHERE code = $1 ORDER BY version",
                                      {code}));
  return ToVersions(r);
}

Status Store::InsertLineage(db::Connection& c, const LineageLink& l) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO catalog_lineage (from_code, from_version, to_code, to_version, kind, change_id) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {l.from_code, l.from_version, l.to_code, l.to_version, l.kind, l.change_id}));
  return {};
}

Result<std::vector<LineageLink>> Store::Lineage(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT from_code, from_version, to_code, to_version, kind, change_id "
                      "FROM catalog_lineage WHERE from_code = $1 OR to_code = $1 "
                      "ORDER BY change_id, from_code, to_code",
                      {code}));
  std::vector<LineageLink> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back(
        {r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Int(i, 3), r.Text(i, 4), r.Int(i, 5)});
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FacetsOf(const json::object& doc) {
  std::vector<std::pair<std::string, std::string>> facets = {
      {"department", Str(doc, "department_code")},
      {"type", Str(doc, "type")},
      {"level", Str(doc, "level")},
      {"online_depth", std::to_string(Int(doc, "online_depth"))}};
  for (const char* key : {"served", "themes"}) {
    if (const json::value* arr = doc.if_contains(key); arr && arr->is_array()) {
      for (const auto& v : arr->as_array()) {
        if (v.is_string())
          facets.emplace_back(std::string(key) == "themes" ? "theme" : "served",
                              std::string(v.as_string()));
      }
    }
  }
  std::sort(facets.begin(), facets.end());
  facets.erase(std::unique(facets.begin(), facets.end()), facets.end());
  return facets;
}

Result<std::vector<ItemRow>> Store::AllItems(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT code, status, current_version FROM catalog_items"));
  std::vector<ItemRow> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)});
  return out;
}

Status Store::Reindex(db::Connection& c, const std::string& code, const json::object* doc,
                      TermCounts& df) {
  // Document frequencies are only collected here and written once per term by
  // FlushTermCounts: updating the same hot row (a common term, the item count) once
  // per item inside one PostgreSQL transaction builds version chains that make a
  // large import quadratic.
  OW_ASSIGN_OR_RETURN(auto old,
                      c.Query("SELECT term FROM catalog_postings WHERE code = $1", {code}));
  for (size_t i = 0; i < old.size(); ++i) --df[old.Text(i, 0)];
  if (!old.empty()) --df[""];
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM catalog_postings WHERE code = $1", {code}));
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM catalog_facets WHERE code = $1", {code}));
  if (!doc) return {};

  std::vector<WeightedTerm> terms = IndexTerms(*doc);
  // Batched multi-row statements: 300 rows x 3 parameters stays within both stores' limits.
  constexpr size_t kBatch = 300;
  for (size_t start = 0; start < terms.size(); start += kBatch) {
    size_t n = std::min(kBatch, terms.size() - start);
    Sql postings;
    postings.text() = "INSERT INTO catalog_postings (term, code, score) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      const auto& t = terms[start + i];
      postings.text() += (i ? "," : "") + std::string("(") + postings.P(t.term) + "," +
                         postings.P(code) + "," + postings.P(t.weight) + ")";
      ++df[t.term];
    }
    OW_RETURN_IF_ERROR(c.Exec(postings.text(), postings.params()));
  }
  ++df[""];

  std::vector<std::pair<std::string, std::string>> facets = FacetsOf(*doc);
  Sql f;
  f.text() = "INSERT INTO catalog_facets (code, facet, value) VALUES ";
  for (size_t i = 0; i < facets.size(); ++i) {
    f.text() += (i ? "," : "") + std::string("(") + f.P(code) + "," + f.P(facets[i].first) + "," +
                f.P(facets[i].second) + ")";
  }
  OW_RETURN_IF_ERROR(c.Exec(f.text(), f.params()));
  return {};
}

Status Store::FlushTermCounts(db::Connection& c, TermCounts& df) {
  std::vector<std::pair<std::string, int64_t>> changed;
  for (const auto& [term, delta] : df) {
    if (delta != 0) changed.emplace_back(term, delta);
  }
  constexpr size_t kBatch = 400;
  for (size_t start = 0; start < changed.size(); start += kBatch) {
    size_t n = std::min(kBatch, changed.size() - start);
    Sql sql;
    sql.text() = "INSERT INTO catalog_terms (term, df) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      sql.text() += (i ? "," : "") + std::string("(") + sql.P(changed[start + i].first) +
                    ", CAST(" + sql.P(changed[start + i].second) + " AS BIGINT))";
    }
    sql.text() += " ON CONFLICT (term) DO UPDATE SET df = catalog_terms.df + excluded.df";
    OW_RETURN_IF_ERROR(c.Exec(sql.text(), sql.params()));
  }
  df.clear();
  return {};
}

Status Store::UpsertImplementation(db::Connection& c, const Implementation& m) {
  OW_RETURN_IF_ERROR(
      c.Exec(std::string("INSERT INTO catalog_implementations (") + kImplColumns +
                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (item_code, region_code) "
                 "DO UPDATE SET "
                 "department_code = excluded.department_code, followed_version = "
                 "excluded.followed_version, "
                 "local = excluded.local, needs_review = excluded.needs_review, updated_at = "
                 "excluded.updated_at, "
                 "updated_by = excluded.updated_by",
             {m.item_code, m.region_code, m.department_code, m.followed_version, ToText(m.local),
              int64_t{m.needs_review ? 1 : 0}, m.updated_at, m.updated_by}));
  return {};
}

Result<std::optional<Implementation>> Store::GetImplementation(db::Connection& c,
                                                               const std::string& item,
                                                               const std::string& region) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kImplColumns +
                          " FROM catalog_implementations WHERE item_code = $1 AND region_code = $2",
                      {item, region}));
  if (r.empty()) return std::optional<Implementation>();
  return std::optional<Implementation>(ToImplementations(r)[0]);
}

Result<std::vector<Store::ScopedItem>> Store::PublishedIn(db::Connection& c,
                                                          const std::vector<std::string>& scope,
                                                          const std::string& after, int limit) {
  std::vector<ScopedItem> out;
  if (scope.empty() || limit <= 0) return out;
  Sql s;
  std::string in;
  for (const auto& r : scope) in += (in.empty() ? "" : ",") + s.P(r);
  s.text() =
      "SELECT DISTINCT im.item_code FROM catalog_implementations im JOIN catalog_items i "
      "ON i.code = im.item_code WHERE im.region_code IN (" +
      in + ") AND i.status = 'published' AND im.item_code > " + s.P(after) +
      " ORDER BY im.item_code LIMIT " + s.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto codes, c.Query(s.text(), s.params()));
  if (codes.empty()) return out;
  Sql v, m;
  std::string vin, min_codes, min_scope;
  for (size_t i = 0; i < codes.size(); ++i) {
    vin += (i ? "," : "") + v.P(codes.Text(i, 0));
    min_codes += (i ? "," : "") + m.P(codes.Text(i, 0));
  }
  for (const auto& r : scope) min_scope += (min_scope.empty() ? "" : ",") + m.P(r);
  v.text() =
      "SELECT v.code, v.version, v.status, v.document, v.change_id, v.change_kind, "
      "v.author, v.approver, v.published_at FROM catalog_items i JOIN catalog_versions v ON v.code "
      "= i.code AND v.version = "
      "i.current_version WHERE i.code IN (" +
      vin + ") ORDER BY v.code";
  // ORDER BY v.code and the page's codes use the same collation, so the page stays in order.
  OW_ASSIGN_OR_RETURN(auto vr, c.Query(v.text(), v.params()));
  for (auto& version : ToVersions(vr)) out.push_back({std::move(version), {}});
  m.text() = std::string("SELECT ") + kImplColumns +
             " FROM catalog_implementations WHERE item_code IN (" + min_codes +
             ") AND region_code IN (" + min_scope + ")";
  OW_ASSIGN_OR_RETURN(auto mr, c.Query(m.text(), m.params()));
  // Matched by code in C++: the stores' text collations need not agree with std::string's.
  std::map<std::string, size_t> at;
  for (size_t k = 0; k < out.size(); ++k) at[out[k].version.code] = k;
  for (auto& impl : ToImplementations(mr)) {
    auto it = at.find(impl.item_code);
    if (it != at.end()) out[it->second].implementations.push_back(std::move(impl));
  }
  return out;
}

Result<std::vector<Implementation>> Store::ListImplementations(
    db::Connection& c, const std::string& item, const std::string& region, bool only_needing_review,
    const std::string& after_item, const std::string& after_region, int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kImplColumns +
                          " FROM catalog_implementations WHERE ($1 = '' OR item_code = $1) "
                          "AND ($2 = '' OR region_code = $2) AND ($3 = 0 OR needs_review = 1) "
                          "AND (item_code, region_code) > ($4, $5) "
                          "ORDER BY item_code, region_code LIMIT $6",
                      {item, region, int64_t{only_needing_review ? 1 : 0}, after_item, after_region,
                       int64_t{limit}}));
  return ToImplementations(r);
}

Result<bool> Store::DeleteImplementation(db::Connection& c, const std::string& item,
                                         const std::string& region) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("DELETE FROM catalog_implementations WHERE item_code = $1 AND region_code = $2",
             {item, region}));
  return n == 1;
}

Status Store::FlagImplementations(db::Connection& c, const std::string& item, int64_t version) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE catalog_implementations SET needs_review = 1 "
             "WHERE item_code = $1 AND followed_version < $2",
             {item, version}));
  return {};
}

Status Store::UpsertBundle(db::Connection& c, const Bundle& b) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO catalog_bundles (code, name, name_en, kind, description, items, "
             "intake_schema, version, updated_at, description_en, guidance) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
             "ON CONFLICT (code) DO UPDATE SET "
             "name = excluded.name, "
             "name_en = excluded.name_en, kind = excluded.kind, description = "
             "excluded.description, items = excluded.items, "
             "intake_schema = excluded.intake_schema, version = excluded.version, updated_at = "
             "excluded.updated_at, description_en = excluded.description_en, "
             "guidance = excluded.guidance",
             {b.code, b.name, b.name_en, b.kind, b.description, text::JsonStringList(b.items),
              ToText(b.intake_schema), b.version, b.updated_at, b.description_en,
              ToText(json::object{{"situations", b.situations},
                                  {"item_conditions", b.item_conditions}})}));
  return {};
}

namespace {
std::vector<Bundle> ToBundles(const db::Rows& r) {
  std::vector<Bundle> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Bundle b;
    b.code = r.Text(i, 0);
    b.name = r.Text(i, 1);
    b.name_en = r.Text(i, 2);
    b.kind = r.Text(i, 3);
    b.description = r.Text(i, 4);
    b.items = text::ParseJsonStringList(r.Text(i, 5));
    b.intake_schema = ParseObject(r.Text(i, 6));
    b.version = r.Int(i, 7);
    b.updated_at = r.Text(i, 8);
    b.description_en = r.Text(i, 9);
    json::object guidance = ParseObject(r.Text(i, 10));
    if (auto* s = guidance.if_contains("situations"); s && s->is_array())
      b.situations = s->as_array();
    if (auto* c = guidance.if_contains("item_conditions"); c && c->is_array())
      b.item_conditions = c->as_array();
    out.push_back(std::move(b));
  }
  return out;
}
constexpr const char* kBundleColumns =
    "code, name, name_en, kind, description, items, intake_schema, version, updated_at, "
    "description_en, guidance";
}  // namespace

Result<std::optional<Bundle>> Store::GetBundle(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kBundleColumns +
                                          " FROM catalog_bundles WHERE code = $1",
                                      {code}));
  if (r.empty()) return std::optional<Bundle>();
  return std::optional<Bundle>(ToBundles(r)[0]);
}

Result<std::vector<Bundle>> Store::ListBundles(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kBundleColumns +
                                      " FROM catalog_bundles ORDER BY code"));
  return ToBundles(r);
}

Result<bool> Store::DeleteBundle(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM catalog_bundles WHERE code = $1", {code}));
  return n == 1;
}

Result<std::vector<std::string>> Store::AllItemCodes(db::Connection& c, bool include_cancelled) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query("SELECT code FROM catalog_items WHERE $1 = 1 OR status <> 'cancelled' ORDER BY code",
              {int64_t{include_cancelled ? 1 : 0}}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

namespace {

// " AND ..." for the query's facet, depth and region conditions on the item `key`
// (catalog_items joined as `i`).
std::string FilterConditions(db::Sql& s, const SearchQuery& q, const std::string& key,
                             const std::vector<std::string>& region_scope) {
  std::string filters;
  auto facet = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    filters += " AND EXISTS (SELECT 1 FROM catalog_facets f WHERE f.code = " + key +
               " AND f.facet = " + s.P(std::string(name)) + " AND f.value = " + s.P(value) + ")";
  };
  facet("department", q.department);
  facet("theme", q.theme);
  facet("type", q.type);
  facet("served", q.served);
  facet("level", q.level);
  if (q.online_depth > 0) filters += " AND i.online_depth >= " + s.P(q.online_depth);
  if (!region_scope.empty()) {
    std::string in;
    for (const auto& r : region_scope) in += (in.empty() ? "" : ",") + s.P(r);
    filters += " AND EXISTS (SELECT 1 FROM catalog_implementations im WHERE im.item_code = " + key +
               " AND im.region_code IN (" + in + "))";
  }
  return filters;
}

constexpr const char* kSummaryColumns =
    "i.name, i.name_en, i.type, i.department_code, i.level, i.online_depth, i.visits, "
    "i.promised_days, i.statutory_days";

// The summary of a hit from kSummaryColumns starting at column `at`.
json::object Summary(const db::Rows& r, size_t row, size_t at, const std::string& code) {
  return {{"code", code},
          {"name", r.Text(row, at)},
          {"name_en", r.Text(row, at + 1)},
          {"type", r.Text(row, at + 2)},
          {"department_code", r.Text(row, at + 3)},
          {"level", r.Text(row, at + 4)},
          {"online_depth", r.Int(row, at + 5)},
          {"visits", r.Int(row, at + 6)},
          {"promised_days", r.Int(row, at + 7)},
          {"statutory_days", r.Int(row, at + 8)}};
}

// The first offset + limit + 1 hits of a query of several terms, exactly as the complete
// ranking orders them (summed score x idf descending, then code), without reading every
// match: Fagin's threshold algorithm over the postings. Every term's postings are read in
// (score DESC, code) order from catalog_postings_rank, a chunk of each per statement; each
// item read probes every term by its (term, code) key and the filters, and its rank is
// summed here. An item not read yet sits, in each term's list, below that list's last score
// read (f) or at it with a greater code, so it can at most reach T = sum of f x idf; and it
// reaches T only at f in every list, i.e. with a code after every list's last code. So
// reading stops once the k-th best rank so far beats T, or equals it with a code not after
// the greatest of those last codes. Scores take few distinct values and the highest ones
// are rare (a term's maximum is often one item's), so the frontier drops to the common
// levels at once and a top page often ends within the first chunk or two, where a bound
// from each term's maximum (max-score/WAND) never tightened on this catalog.
//
// The threshold falls only as fast as the lists' scores do: when the terms rarely meet at
// high scores (marriage + registration, presumably: items about marriage mention it in the
// guide, with a low score), it stays above the best sums for thousands of rows. So after
// kRounds statements without an answer TopK gives up (nullopt) and the caller ranks every
// match from the rarest term, as before TopK: a page never costs much more than that.
constexpr int kRounds = 3;
Result<std::optional<SearchResult>> TopK(db::Connection& c, const SearchQuery& q,
                                         const std::vector<std::string>& terms,
                                         const std::vector<int64_t>& idf,
                                         const std::vector<std::string>& region_scope,
                                         int64_t offset) {
  struct Hit {
    int64_t rank;
    std::string code;
    json::object summary;
  };
  auto before = [](const Hit& a, const Hit& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.code < b.code;
  };
  struct List {
    int64_t score = 2147483647;  // last score read; scores fit PostgreSQL's INTEGER
    std::string code;            // last code read at that score
    bool exhausted = false;
  };
  const size_t m = terms.size();
  const size_t need = static_cast<size_t>(offset) + static_cast<size_t>(q.limit) + 1;
  std::vector<List> lists(m);
  std::set<std::string> seen;
  std::vector<Hit> hits;
  int64_t chunk = std::max<int64_t>(16, static_cast<int64_t>(need));
  for (int round = 1;; ++round) {
    // Per list still open: the rest of its current score after its last code (part 1),
    // then its lower scores (part 2): two range reads of the index. Part 2 continues part 1
    // only when part 1 came back short.
    db::Sql s;
    s.text() = "SELECT d.list, d.part, d.code, d.score";
    for (size_t k = 0; k < m; ++k) s.text() += ", p" + std::to_string(k) + ".score";
    s.text() += ", CASE WHEN 1 = 1";
    std::string filters = FilterConditions(s, q, "d.code", region_scope);
    s.text() += filters + " THEN 1 ELSE 0 END, " + std::string(kSummaryColumns) + " FROM (";
    bool first = true;
    for (size_t k = 0; k < m; ++k) {
      if (lists[k].exhausted) continue;
      std::string n = std::to_string(k);
      s.text() +=
          std::string(first ? "" : " UNION ALL ") + "SELECT " + n + " AS list, 1 AS part, a" + n +
          ".code, a" + n +
          ".score FROM (SELECT code, score FROM catalog_postings WHERE term = " + s.P(terms[k]) +
          " AND score = " + s.P(lists[k].score) + " AND code > " + s.P(lists[k].code) +
          " ORDER BY code LIMIT " + s.P(chunk) + ") a" + n + " UNION ALL SELECT " + n + ", 2, b" +
          n + ".code, b" + n +
          ".score FROM (SELECT code, score FROM catalog_postings WHERE term = " + s.P(terms[k]) +
          " AND score < " + s.P(lists[k].score) + " ORDER BY score DESC, code LIMIT " + s.P(chunk) +
          ") b" + n;
      first = false;
    }
    s.text() += ") d";
    for (size_t k = 0; k < m; ++k) {
      std::string p = "p" + std::to_string(k);
      s.text() += " LEFT JOIN catalog_postings " + p + " ON " + p + ".term = " + s.P(terms[k]) +
                  " AND " + p + ".code = d.code";
    }
    s.text() += " LEFT JOIN catalog_items i ON i.code = d.code";
    OW_ASSIGN_OR_RETURN(auto r, c.Query(s.text(), s.params()));

    std::vector<size_t> order(r.size());
    std::vector<int64_t> part1(m, 0), part2(m, 0);
    for (size_t i = 0; i < r.size(); ++i) {
      order[i] = i;
      ++(r.Int(i, 1) == 1 ? part1 : part2)[static_cast<size_t>(r.Int(i, 0))];
    }
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      int64_t lx = r.Int(x, 0), ly = r.Int(y, 0), sx = r.Int(x, 3), sy = r.Int(y, 3);
      if (lx != ly) return lx < ly;
      return sx != sy ? sx > sy : r.Text(x, 2) < r.Text(y, 2);
    });
    const size_t flag = 4 + m, summary = flag + 1;
    for (size_t i : order) {
      size_t k = static_cast<size_t>(r.Int(i, 0));
      if (r.Int(i, 1) == 2 && part1[k] == chunk) continue;  // not contiguous with what was read
      lists[k].score = r.Int(i, 3);
      lists[k].code = r.Text(i, 2);
      if (!seen.insert(lists[k].code).second) continue;
      bool match = r.Int(i, flag) == 1;
      int64_t rank = 0;
      for (size_t j = 0; match && j < m; ++j) {
        match = !r.IsNull(i, 4 + j);
        if (match) rank += r.Int(i, 4 + j) * idf[j];
      }
      if (match) hits.push_back({rank, lists[k].code, Summary(r, i, summary, lists[k].code)});
    }
    bool done = false;
    for (size_t k = 0; k < m; ++k) {
      if (!lists[k].exhausted && part1[k] < chunk && part2[k] < chunk) lists[k].exhausted = true;
      // An item matches only if every list holds it: one list read to its end leaves none.
      done = done || lists[k].exhausted;
    }
    if (hits.size() > need) {
      std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(need), hits.end(),
                        before);
      hits.resize(need);
    } else {
      std::sort(hits.begin(), hits.end(), before);
    }
    if (!done && hits.size() == need) {
      int64_t threshold = 0;
      const std::string* last = &lists[0].code;
      for (size_t k = 0; k < m; ++k) {
        threshold += lists[k].score * idf[k];
        if (lists[k].code > *last) last = &lists[k].code;
      }
      const Hit& kth = hits.back();
      done = kth.rank > threshold || (kth.rank == threshold && *last >= kth.code);
    }
    if (done) break;
    if (round == kRounds) return std::optional<SearchResult>();
    chunk *= 4;
  }

  SearchResult result;
  for (size_t i = static_cast<size_t>(offset); i < hits.size(); ++i) {
    SearchHit h;
    h.code = std::move(hits[i].code);
    h.rank = hits[i].rank;
    h.summary = std::move(hits[i].summary);
    result.items.push_back(std::move(h));
  }
  return std::optional<SearchResult>(std::move(result));
}

}  // namespace

Result<SearchResult> Store::Search(db::Connection& c, const SearchQuery& q,
                                   const std::vector<std::string>& terms,
                                   const std::vector<std::string>& region_scope, int64_t offset) {
  SearchResult result;
  // idf per term, as integers so that ranks (and therefore order) are exact on both stores.
  auto idf_of = [](int64_t n, int64_t df) {
    return static_cast<int64_t>(std::llround(1000.0 * std::log(1.0 + static_cast<double>(n) / df)));
  };
  std::vector<int64_t> idf, df_of;
  // One term: its df and N come back with the hits (one statement in all); several:
  // the statement ranks with every term's idf, so they are read first.
  if (terms.size() > 1) {
    Sql s;
    s.text() = "SELECT term, df FROM catalog_terms WHERE term IN (" + s.P(std::string());
    for (const auto& t : terms) s.text() += "," + s.P(t);
    s.text() += ")";
    OW_ASSIGN_OR_RETURN(auto r, c.Query(s.text(), s.params()));
    int64_t n = 0;
    std::map<std::string, int64_t> df;
    for (size_t i = 0; i < r.size(); ++i) {
      if (r.Text(i, 0).empty()) {
        n = r.Int(i, 1);
      } else {
        df[r.Text(i, 0)] = r.Int(i, 1);
      }
    }
    for (const auto& t : terms) {
      auto it = df.find(t);
      if (it == df.end() || it->second <= 0) return result;  // a term nobody has: no match
      idf.push_back(idf_of(n, it->second));
      df_of.push_back(it->second);
    }
  }

  Sql s;
  // Browsing: the published items. One term: its (term, score DESC, code) index range read
  // from the top. Several, without facet counts: TopK. Several, with facet counts (every
  // match is counted anyway): driven from the rarest term's postings (`p0`), each other term
  // probed by its (term, code) key, so the work is bounded by the rarest term's document
  // frequency rather than the sum of all of them (CROSS JOIN keeps that order on SQLite;
  // PostgreSQL's planner picks it from the statistics). Ranks are summed in SQL with the
  // same integer idfs as TopK, so both stores and both paths order alike.
  std::vector<size_t> by_df(terms.size());
  for (size_t i = 0; i < by_df.size(); ++i) by_df[i] = i;
  std::stable_sort(by_df.begin(), by_df.end(),
                   [&](size_t a, size_t b) { return df_of[a] < df_of[b]; });
  const bool single = terms.size() == 1, multi = terms.size() > 1;
  // A page of several words without facet counts (the common search): the top k only,
  // with early termination (TopK), unless it gives up. Facet counts and the total need
  // every match: the complete ranking below.
  if (multi && !q.facets) {
    OW_ASSIGN_OR_RETURN(auto top, TopK(c, q, terms, idf, region_scope, offset));
    if (top) return std::move(*top);
  }
  std::string key = single ? "p.code" : multi ? "p0.code" : "m.code";
  std::string joins, filters = terms.empty() ? " WHERE i.status = 'published'" : " WHERE 1 = 1";
  std::string rank;
  if (single) filters += " AND p.term = " + s.P(terms[0]);
  if (multi) {
    for (size_t k = 0; k < by_df.size(); ++k) {
      std::string p = "p" + std::to_string(k);
      if (k) joins += " CROSS JOIN catalog_postings " + p;
      filters += " AND " + p + ".term = " + s.P(terms[by_df[k]]);
      if (k) filters += " AND " + p + ".code = p0.code";
    }
  }
  // Postings exist only for published items (Reindex removes the rest), so queries
  // with terms need no status condition; browsing does.
  filters += FilterConditions(s, q, key, region_scope);
  // Going through a derived table would make both planners sort every posting.
  std::string from =
      single  ? " FROM catalog_postings p JOIN catalog_items i ON i.code = p.code" + filters
      : multi ? " FROM catalog_postings p0" + joins + " JOIN catalog_items i ON i.code = p0.code" +
                    filters
              : " FROM (SELECT i.code AS code, 0 AS rank FROM catalog_items i WHERE i.status = "
                "'published') m JOIN catalog_items i ON i.code = m.code" +
                    filters;

  if (q.facets) {
    Sql fs = s;  // same parameters
    fs.text() = "SELECT f.facet, f.value, COUNT(*) FROM catalog_facets f WHERE f.code IN (SELECT " +
                key + from + ") GROUP BY f.facet, f.value ORDER BY f.facet, COUNT(*) DESC, f.value";
    OW_ASSIGN_OR_RETURN(auto fr, c.Query(fs.text(), fs.params()));
    for (size_t i = 0; i < fr.size(); ++i)
      result.facets.push_back({fr.Text(i, 0), fr.Text(i, 1), fr.Int(i, 2)});
    Sql cs = s;
    cs.text() = "SELECT COUNT(*)" + from;
    OW_ASSIGN_OR_RETURN(auto cr, c.Query(cs.text(), cs.params()));
    result.total = cr.Int(0, 0);
  }

  // The idfs of the summed rank (after the facet statements, which do not use them).
  for (size_t k = 0; multi && k < by_df.size(); ++k) {
    rank += (k ? " + p" : "p") + std::to_string(k) + ".score * CAST(" + s.P(idf[by_df[k]]) +
            " AS BIGINT)";
  }
  std::string order = terms.empty() ? " ORDER BY m.code"
                      : single      ? " ORDER BY p.score DESC, p.code"
                                    : " ORDER BY score_sum DESC, p0.code";
  std::string head =
      single
          ? "SELECT p.code, p.score, (SELECT df FROM catalog_terms WHERE term = " + s.P(terms[0]) +
                "), (SELECT df FROM catalog_terms WHERE term = ''), "
      : multi ? "SELECT p0.code, " + rank + " AS score_sum, NULL, NULL, "
              : std::string("SELECT m.code, m.rank, NULL, NULL, ");
  s.text() = head + kSummaryColumns + from + order + " LIMIT " + s.P(int64_t{q.limit + 1}) +
             " OFFSET " + s.P(offset);
  OW_ASSIGN_OR_RETURN(auto r, c.Query(s.text(), s.params()));
  for (size_t i = 0; i < r.size(); ++i) {
    SearchHit h;
    h.code = r.Text(i, 0);
    h.rank = r.Int(i, 1);
    if (single) {
      int64_t df = r.Int(i, 2), n = r.Int(i, 3);
      h.rank = df > 0 ? h.rank * idf_of(n, df) : 0;
    }
    h.summary = Summary(r, i, 4, h.code);
    result.items.push_back(std::move(h));
  }
  return result;
}

}  // namespace ow::catalog
