#include "licences/store.h"

#include <boost/json.hpp>

#include "db/sql.h"

namespace ow::licences {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // Written once for both stores (db::Portable). Dates and region codes are {{TEXT_C}}
  // so both stores order them alike; licence_events is append-only.
  std::string tables = R"sql(
CREATE TABLE licence_authorities (
  algorithm TEXT NOT NULL,
  generation INTEGER NOT NULL,
  certificate TEXT NOT NULL,
  private_key TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  not_after {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL,
  created_at {{TEXT_C}} NOT NULL,
  PRIMARY KEY (algorithm, generation)
);
CREATE TABLE seals (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  department_code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  image {{BLOB}} NOT NULL,
  image_source TEXT NOT NULL,
  sm2_certificate TEXT NOT NULL,
  sm2_serial TEXT NOT NULL,
  sm2_key TEXT NOT NULL,
  p256_certificate TEXT NOT NULL,
  p256_serial TEXT NOT NULL,
  p256_key TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  ca_generation INTEGER NOT NULL,
  not_before {{TEXT_C}} NOT NULL,
  not_after {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  status_at {{TEXT_C}} NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at {{TEXT_C}} NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX seals_department ON seals(department_code, seq);
CREATE TABLE seal_holders (
  seal_id TEXT NOT NULL REFERENCES seals(id),
  account_id TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at {{TEXT_C}} NOT NULL,
  PRIMARY KEY (seal_id, account_id)
);
CREATE TABLE licence_types (
  code TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  department_code TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at {{TEXT_C}} NOT NULL
);
CREATE TABLE licence_counters (
  scope TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE licences (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  type_code TEXT NOT NULL REFERENCES licence_types(code),
  holder_kind TEXT NOT NULL,
  holder_key TEXT NOT NULL,
  holder_masked TEXT NOT NULL,
  data TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  signature TEXT NOT NULL,
  qr_payload TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  seal_id TEXT NOT NULL REFERENCES seals(id),
  trust_level TEXT NOT NULL,
  source TEXT NOT NULL,
  case_no TEXT NOT NULL DEFAULT '',
  issued_at {{TEXT_C}} NOT NULL,
  valid_from {{TEXT_C}} NOT NULL,
  valid_to {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  superseded_by TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX licences_holder ON licences(holder_key, issued_at);
CREATE INDEX licences_issuer ON licences(department_code, region_code, issued_at);
CREATE TABLE licence_events (
  seq {{SEQ}},
  licence_id TEXT NOT NULL REFERENCES licences(id),
  at {{TEXT_C}} NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX licence_events_licence ON licence_events(licence_id, seq);
CREATE TABLE licence_shares (
  id TEXT PRIMARY KEY,
  licence_id TEXT NOT NULL REFERENCES licences(id),
  code_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at {{TEXT_C}} NOT NULL,
  expires_at {{TEXT_C}} NOT NULL,
  revoked_at {{TEXT_C}} NOT NULL DEFAULT '',
  views INTEGER NOT NULL DEFAULT 0,
  last_viewed_at {{TEXT_C}} NOT NULL DEFAULT ''
);
CREATE INDEX licence_shares_licence ON licence_shares(licence_id, created_at);
CREATE TABLE licence_documents (
  licence_id TEXT PRIMARY KEY REFERENCES licences(id),
  pdf {{BLOB}} NOT NULL,
  sha256 TEXT NOT NULL,
  created_at {{TEXT_C}} NOT NULL
);
)sql";
  tables += "{{APPEND_ONLY licence_events}}";
  // Case documents (case_documents.cc): the text as issued, append-only; the sealed
  // file made on the first download.
  std::string documents = R"sql(
CREATE TABLE document_templates (
  kind TEXT NOT NULL,
  item_code TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  remedy TEXT NOT NULL,
  number_prefix TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at {{TEXT_C}} NOT NULL,
  PRIMARY KEY (kind, item_code)
);
CREATE TABLE case_documents (
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  number TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  department_code TEXT NOT NULL,
  content TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at {{TEXT_C}} NOT NULL,
  PRIMARY KEY (case_id, kind)
);
CREATE TABLE case_document_files (
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  pdf {{BLOB}} NOT NULL,
  sha256 TEXT NOT NULL,
  seal_id TEXT NOT NULL REFERENCES seals(id),
  created_at {{TEXT_C}} NOT NULL,
  PRIMARY KEY (case_id, kind)
);
)sql";
  documents += "{{APPEND_ONLY case_documents}}";
  return {db::Portable("licences/001_init", tables),
          db::Portable("licences/002_case_documents", documents)};
}

namespace store {
namespace {

std::string Serialize(const json::value& v) { return json::serialize(v); }
json::value ParseOr(const std::string& text, json::value fallback) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? fallback : v;
}

// ---- Seals.
constexpr const char* kSealColumns =
    "s.id, s.department_code, s.name, s.kind, s.image_source, s.sm2_certificate, s.sm2_serial, "
    "s.p256_certificate, s.p256_serial, s.ca_generation, s.not_before, s.not_after, s.status, "
    "s.status_reason, s.created_by, s.created_at, s.version, s.sm2_key, s.p256_key, "
    "s.key_version, s.status_at";

SealRow ToSeal(const db::Rows& r, size_t i, bool with_keys) {
  SealRow row;
  Seal& s = row.seal;
  s.id = r.Text(i, 0);
  s.department_code = r.Text(i, 1);
  s.name = r.Text(i, 2);
  s.kind = r.Text(i, 3);
  s.image_source = r.Text(i, 4);
  s.sm2_certificate = r.Text(i, 5);
  s.sm2_serial = r.Text(i, 6);
  s.p256_certificate = r.Text(i, 7);
  s.p256_serial = r.Text(i, 8);
  s.ca_generation = r.Int(i, 9);
  s.not_before = r.Text(i, 10);
  s.not_after = r.Text(i, 11);
  s.status = r.Text(i, 12);
  s.status_reason = r.Text(i, 13);
  s.created_by = r.Text(i, 14);
  s.created_at = r.Text(i, 15);
  s.version = r.Int(i, 16);
  s.status_at = r.Text(i, 20);
  if (with_keys) {
    row.sm2_key = {r.Text(i, 17), r.Int(i, 19)};
    row.p256_key = {r.Text(i, 18), r.Int(i, 19)};
  }
  return row;
}

// ---- Licences.
constexpr const char* kLicenceColumns =
    "l.id, l.number, l.type_code, l.holder_kind, l.holder_key, l.holder_masked, l.data, "
    "l.key_version, l.signature, l.qr_payload, l.department_code, l.region_code, l.seal_id, "
    "l.trust_level, l.source, l.case_no, l.issued_at, l.valid_from, l.valid_to, l.status, "
    "l.status_reason, l.superseded_by, l.version, t.doc";

LicenceRow ToLicence(const db::Rows& r, size_t i) {
  LicenceRow row;
  Licence& l = row.licence;
  l.id = r.Text(i, 0);
  l.number = r.Text(i, 1);
  l.type_code = r.Text(i, 2);
  l.holder_kind = r.Text(i, 3);
  row.holder_key = r.Text(i, 4);
  row.holder_masked = r.Text(i, 5);
  row.data = {r.Text(i, 6), r.Int(i, 7)};
  l.signature = r.Text(i, 8);
  l.qr_payload = r.Text(i, 9);
  l.department_code = r.Text(i, 10);
  l.region_code = r.Text(i, 11);
  l.seal_id = r.Text(i, 12);
  l.trust_level = r.Text(i, 13);
  l.source = r.Text(i, 14);
  l.case_no = r.Text(i, 15);
  l.issued_at = r.Text(i, 16);
  l.valid_from = r.Text(i, 17);
  l.valid_to = r.Text(i, 18);
  l.status = r.Text(i, 19);
  l.status_reason = r.Text(i, 20);
  l.superseded_by = r.Text(i, 21);
  l.version = r.Int(i, 22);
  json::value doc = ParseOr(r.Text(i, 23), json::object());
  if (doc.is_object())
    if (const auto* name = doc.as_object().if_contains("name"); name && name->is_string())
      l.type_name = std::string(name->as_string());
  return row;
}

Result<std::vector<LicenceRow>> QueryLicences(db::Connection& c, const db::Sql& q) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<LicenceRow> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ToLicence(r, i));
  return out;
}

db::Sql SelectLicences() {
  db::Sql q;
  q.text() = std::string("SELECT ") + kLicenceColumns +
             " FROM licences l JOIN licence_types t ON t.code = l.type_code";
  return q;
}

}  // namespace

// ---- The certificate authority.
Result<bool> InsertAuthority(db::Connection& c, const AuthorityRow& a) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("INSERT INTO licence_authorities (algorithm, generation, certificate, "
             "private_key, key_version, not_after, status, created_at) VALUES ($1, $2, "
             "$3, $4, $5, $6, $7, $8) ON CONFLICT (algorithm, generation) DO NOTHING",
             {a.authority.algorithm, a.authority.generation, a.authority.certificate, a.key.box,
              a.key.key_version, a.authority.not_after, a.status, a.authority.created_at}));
  return n == 1;
}

Result<std::vector<AuthorityRow>> Authorities(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT algorithm, generation, certificate, private_key, key_version, "
                      "not_after, status, created_at FROM licence_authorities ORDER BY "
                      "generation, algorithm"));
  std::vector<AuthorityRow> out;
  for (size_t i = 0; i < r.size(); ++i) {
    AuthorityRow a;
    a.authority = {r.Int(i, 1), r.Text(i, 0), r.Text(i, 2), r.Text(i, 5), r.Text(i, 7)};
    a.key = {r.Text(i, 3), r.Int(i, 4)};
    a.status = r.Text(i, 6);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::string> EarliestActiveNotAfter(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query("SELECT MIN(t) FROM (SELECT not_after AS t FROM seals "
                                          "WHERE status = 'active' UNION ALL SELECT not_after FROM "
                                          "licence_authorities WHERE status = 'active') x",
                                          {}));
  return r.size() == 0 || r.IsNull(0, 0) ? std::string() : r.Text(0, 0);
}

Status RetireAuthorities(db::Connection& c, int64_t below_generation) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE licence_authorities SET status = 'retired' WHERE generation < $1",
             {below_generation}));
  return {};
}

// ---- Seals.
Status InsertSeal(db::Connection& c, const SealRow& row) {
  const Seal& s = row.seal;
  // The order seals were made in ("the newest active seal" signs), whatever the clock.
  OW_ASSIGN_OR_RETURN(int64_t seq, NextCounter(c, "seals"));
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO seals (id, department_code, name, kind, image, image_source, "
      "sm2_certificate, sm2_serial, sm2_key, p256_certificate, p256_serial, p256_key, "
      "key_version, ca_generation, not_before, not_after, status, created_by, created_at, seq) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19, $20)",
      {s.id,
       s.department_code,
       s.name,
       s.kind,
       db::Blob{row.image},
       s.image_source,
       s.sm2_certificate,
       s.sm2_serial,
       row.sm2_key.box,
       s.p256_certificate,
       s.p256_serial,
       row.p256_key.box,
       row.sm2_key.key_version,
       s.ca_generation,
       s.not_before,
       s.not_after,
       s.status,
       s.created_by,
       s.created_at,
       seq}));
  return {};
}

Result<std::optional<SealRow>> LoadSeal(db::Connection& c, const std::string& id, bool with_keys) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kSealColumns + " FROM seals s WHERE s.id = $1", {id}));
  if (r.empty()) return std::optional<SealRow>();
  return std::optional<SealRow>(ToSeal(r, 0, with_keys));
}

Result<std::vector<Seal>> ListSeals(db::Connection& c, const std::string& department_code) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kSealColumns + " FROM seals s";
  if (!department_code.empty()) q.text() += " WHERE s.department_code = " + q.P(department_code);
  q.text() += " ORDER BY s.seq";
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Seal> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ToSeal(r, i, false).seal);
  return out;
}

Result<std::vector<SealRow>> AllSealsWithKeys(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kSealColumns + " FROM seals s ORDER BY s.seq"));
  std::vector<SealRow> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ToSeal(r, i, true));
  return out;
}

Result<std::optional<std::string>> SealImage(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT image FROM seals WHERE id = $1", {id}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Result<bool> SetSealStatus(db::Connection& c, const std::string& id, int64_t version,
                           const std::string& status, const std::string& reason,
                           const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE seals SET status = $1, status_reason = $2, "
                                     "status_at = $3, version = version + 1 WHERE id = $4 AND "
                                     "version = $5",
                                     {status, reason, at, id, version}));
  return n == 1;
}

Result<std::vector<std::string>> SealHolders(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT account_id FROM seal_holders WHERE seal_id = $1 ORDER BY granted_at, "
                      "account_id",
                      {id}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

Status AddSealHolder(db::Connection& c, const std::string& seal_id, const std::string& account,
                     const std::string& by, const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO seal_holders (seal_id, account_id, granted_by, "
             "granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT (seal_id, "
             "account_id) DO NOTHING",
             {seal_id, account, by, at}));
  return {};
}

Result<bool> RemoveSealHolder(db::Connection& c, const std::string& seal_id,
                              const std::string& account) {
  OW_ASSIGN_OR_RETURN(auto n,
                      c.Exec("DELETE FROM seal_holders WHERE seal_id = $1 AND account_id = $2",
                             {seal_id, account}));
  return n == 1;
}

Result<bool> IsSealHolder(db::Connection& c, const std::string& seal_id,
                          const std::string& account) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT 1 FROM seal_holders WHERE seal_id = $1 AND account_id = $2",
                              {seal_id, account}));
  return !r.empty();
}

// ---- Licence types. The type is stored as one JSON document (doc) beside the columns
// queries need.
namespace {
json::object TypeDoc(const LicenceType& t) {
  json::array items;
  for (const auto& i : t.issued_by_items) items.emplace_back(i);
  return {{"name", t.name},
          {"name_en", t.name_en},
          {"holder_kind", t.holder_kind},
          {"schema", t.schema},
          {"validity_months", t.validity_months},
          {"trust_level", t.trust_level},
          {"number_prefix", t.number_prefix},
          {"issued_by_items", std::move(items)},
          {"one_per_holder", t.one_per_holder},
          {"document", t.document},
          {"from_form", t.from_form}};
}

std::string Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

LicenceType ToType(const db::Rows& r, size_t i) {
  LicenceType t;
  t.code = r.Text(i, 0);
  json::value doc = ParseOr(r.Text(i, 1), json::object());
  t.department_code = r.Text(i, 2);
  t.status = r.Text(i, 3);
  t.version = r.Int(i, 4);
  t.updated_by = r.Text(i, 5);
  t.updated_at = r.Text(i, 6);
  if (!doc.is_object()) return t;
  const json::object& o = doc.as_object();
  t.name = Str(o, "name");
  t.name_en = Str(o, "name_en");
  t.holder_kind = Str(o, "holder_kind");
  if (const auto* s = o.if_contains("schema")) t.schema = *s;
  if (const auto* m = o.if_contains("validity_months"); m && m->is_int64())
    t.validity_months = m->as_int64();
  t.trust_level = Str(o, "trust_level");
  t.number_prefix = Str(o, "number_prefix");
  if (const auto* a = o.if_contains("issued_by_items"); a && a->is_array())
    for (const auto& v : a->as_array())
      if (v.is_string()) t.issued_by_items.emplace_back(v.as_string());
  if (const auto* b = o.if_contains("one_per_holder"); b && b->is_bool())
    t.one_per_holder = b->as_bool();
  if (const auto* d = o.if_contains("document"); d && d->is_object()) t.document = d->as_object();
  if (const auto* f = o.if_contains("from_form"); f && f->is_object()) t.from_form = f->as_object();
  return t;
}
constexpr const char* kTypeColumns =
    "code, doc, department_code, status, version, updated_by, updated_at";
}  // namespace

Result<bool> SaveType(db::Connection& c, const LicenceType& t, int64_t expected_version) {
  std::string doc = Serialize(TypeDoc(t));
  if (expected_version == 0) {
    OW_ASSIGN_OR_RETURN(
        auto n, c.Exec("INSERT INTO licence_types (code, doc, department_code, status, version, "
                       "updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT "
                       "(code) DO NOTHING",
                       {t.code, doc, t.department_code, t.status, t.updated_by, t.updated_at}));
    return n == 1;
  }
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE licence_types SET doc = $1, department_code = $2, status = $3, "
                     "version = version + 1, updated_by = $4, updated_at = $5 WHERE code = $6 AND "
                     "version = $7",
                     {doc, t.department_code, t.status, t.updated_by, t.updated_at, t.code,
                      expected_version}));
  return n == 1;
}

Result<std::optional<LicenceType>> LoadType(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kTypeColumns + " FROM licence_types WHERE code = $1",
                      {code}));
  if (r.empty()) return std::optional<LicenceType>();
  return std::optional<LicenceType>(ToType(r, 0));
}

Result<std::vector<LicenceType>> ListTypes(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kTypeColumns + " FROM licence_types ORDER BY code"));
  std::vector<LicenceType> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ToType(r, i));
  return out;
}

// ---- Licences.
Result<int64_t> NextCounter(db::Connection& c, const std::string& scope) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("INSERT INTO licence_counters (scope, value) VALUES ($1, 1) "
                                      "ON CONFLICT (scope) DO UPDATE SET value = "
                                      "licence_counters.value + 1 RETURNING value",
                                      {scope}));
  if (r.empty()) return Internal("licence counter " + scope + " returned nothing");
  return r.Int(0, 0);
}

Status InsertLicence(db::Connection& c, const LicenceRow& row) {
  const Licence& l = row.licence;
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO licences (id, number, type_code, holder_kind, holder_key, holder_masked, "
      "data, key_version, signature, qr_payload, department_code, region_code, seal_id, "
      "trust_level, source, case_no, issued_at, valid_from, valid_to, status) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
      {l.id,           l.number,          l.type_code,       l.holder_kind,
       row.holder_key, row.holder_masked, row.data.box,      row.data.key_version,
       l.signature,    l.qr_payload,      l.department_code, l.region_code,
       l.seal_id,      l.trust_level,     l.source,          l.case_no,
       l.issued_at,    l.valid_from,      l.valid_to,        l.status}));
  return {};
}

Result<std::optional<LicenceRow>> LoadLicence(db::Connection& c, const std::string& number) {
  db::Sql q = SelectLicences();
  q.text() += " WHERE l.number = " + q.P(number);
  OW_ASSIGN_OR_RETURN(auto rows, QueryLicences(c, q));
  if (rows.empty()) return std::optional<LicenceRow>();
  return std::optional<LicenceRow>(std::move(rows[0]));
}

Result<std::optional<LicenceRow>> LoadLicenceById(db::Connection& c, const std::string& id) {
  db::Sql q = SelectLicences();
  q.text() += " WHERE l.id = " + q.P(id);
  OW_ASSIGN_OR_RETURN(auto rows, QueryLicences(c, q));
  if (rows.empty()) return std::optional<LicenceRow>();
  return std::optional<LicenceRow>(std::move(rows[0]));
}

Result<std::vector<LicenceRow>> LicencesOfHolder(db::Connection& c, const std::string& holder_key) {
  db::Sql q = SelectLicences();
  q.text() += " WHERE l.holder_key = " + q.P(holder_key) + " ORDER BY l.issued_at DESC, l.id";
  return QueryLicences(c, q);
}

Result<std::vector<LicenceRow>> LicencesOfIssuer(db::Connection& c,
                                                 const std::string& department_code,
                                                 const std::string& region_code, int64_t limit) {
  db::Sql q = SelectLicences();
  // Region codes nest by prefix: a region's licences and those of every region below it.
  q.text() += " WHERE l.department_code = " + q.P(department_code) +
              " AND l.region_code >= " + q.P(region_code) + " AND l.region_code < " +
              q.P(region_code + "\x7f") + " ORDER BY l.issued_at DESC, l.id LIMIT " + q.P(limit);
  return QueryLicences(c, q);
}

Result<bool> SetLicenceStatus(db::Connection& c, const std::string& id, int64_t version,
                              const std::string& status, const std::string& reason,
                              const std::string& superseded_by) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE licences SET status = $1, status_reason = $2, superseded_by = $3, "
                     "version = version + 1 WHERE id = $4 AND version = $5",
                     {status, reason, superseded_by, id, version}));
  return n == 1;
}

Status InsertLicenceEvent(db::Connection& c, const std::string& licence_id, const LicenceEvent& e) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO licence_events (licence_id, at, action, actor, reason, "
             "detail) VALUES ($1, $2, $3, $4, $5, $6)",
             {licence_id, e.at, e.action, e.actor, e.reason, Serialize(e.detail)}));
  return {};
}

Result<std::vector<LicenceEvent>> LicenceEvents(db::Connection& c, const std::string& licence_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT at, action, actor, reason, detail FROM "
                                      "licence_events WHERE licence_id = $1 ORDER BY seq",
                                      {licence_id}));
  std::vector<LicenceEvent> out;
  for (size_t i = 0; i < r.size(); ++i) {
    json::value d = ParseOr(r.Text(i, 4), json::object());
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
                   d.is_object() ? d.as_object() : json::object()});
  }
  return out;
}

Result<std::optional<StatusRow>> LicenceStatus(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT l.id, l.status, l.valid_to, l.type_code, l.seal_id, l.qr_payload, "
                      "l.holder_masked, l.department_code, l.valid_from, t.doc FROM licences l "
                      "JOIN licence_types t ON t.code = l.type_code WHERE l.number = $1",
                      {number}));
  if (r.empty()) return std::optional<StatusRow>();
  StatusRow s{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4),
              r.Text(0, 5), r.Text(0, 6), r.Text(0, 7), r.Text(0, 8), ""};
  json::value doc = ParseOr(r.Text(0, 9), json::object());
  if (doc.is_object()) s.type_name = Str(doc.as_object(), "name");
  return std::optional<StatusRow>(std::move(s));
}

namespace {
Share ToShare(const db::Rows& r, size_t i) {
  return {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
          r.Text(i, 4), r.Text(i, 5), r.Int(i, 6),  r.Text(i, 7)};
}
constexpr const char* kShareColumns =
    "id, licence_id, created_by, created_at, expires_at, revoked_at, views, last_viewed_at";
}  // namespace

Status InsertShare(db::Connection& c, const Share& s, const std::string& code_hash) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO licence_shares (id, licence_id, code_hash, created_by, "
             "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
             {s.id, s.licence_id, code_hash, s.created_by, s.created_at, s.expires_at}));
  return {};
}

Result<std::vector<Share>> SharesOf(db::Connection& c, const std::string& licence_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kShareColumns +
                                          " FROM licence_shares WHERE licence_id = $1 ORDER BY "
                                          "created_at DESC, id",
                                      {licence_id}));
  std::vector<Share> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ToShare(r, i));
  return out;
}

Result<std::optional<Share>> ShareByCode(db::Connection& c, const std::string& code_hash) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kShareColumns +
                                          " FROM licence_shares WHERE code_hash = $1",
                                      {code_hash}));
  if (r.empty()) return std::optional<Share>();
  return std::optional<Share>(ToShare(r, 0));
}

Result<bool> RevokeShare(db::Connection& c, const std::string& licence_id, const std::string& id,
                         const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE licence_shares SET revoked_at = $1 WHERE id = $2 AND "
                                     "licence_id = $3 AND revoked_at = ''",
                                     {at, id, licence_id}));
  return n == 1;
}

Status CountShareView(db::Connection& c, const std::string& id, const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE licence_shares SET views = views + 1, last_viewed_at = $1 "
             "WHERE id = $2",
             {at, id}));
  return {};
}

Result<std::optional<std::string>> LicenceDocument(db::Connection& c,
                                                   const std::string& licence_id) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT pdf FROM licence_documents WHERE licence_id = $1", {licence_id}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Status InsertLicenceDocument(db::Connection& c, const std::string& licence_id,
                             const std::string& pdf, const std::string& sha256,
                             const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO licence_documents (licence_id, pdf, sha256, created_at) "
             "VALUES ($1, $2, $3, $4) ON CONFLICT (licence_id) DO NOTHING",
             {licence_id, db::Blob{pdf}, sha256, at}));
  return {};
}

Result<std::optional<DocumentTemplate>> LoadTemplate(db::Connection& c, const std::string& kind,
                                                     const std::string& item_code) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT kind, item_code, title, body, remedy, number_prefix, "
                                      "version, updated_by, updated_at FROM document_templates "
                                      "WHERE kind = $1 AND item_code = $2",
                                      {kind, item_code}));
  if (r.empty()) return std::optional<DocumentTemplate>();
  return std::optional<DocumentTemplate>(
      DocumentTemplate{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4),
                       r.Text(0, 5), r.Int(0, 6), false, r.Text(0, 7), r.Text(0, 8), "all"});
}

Result<std::vector<DocumentTemplate>> ListTemplates(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT kind, item_code, title, body, remedy, number_prefix, "
                                      "version, updated_by, updated_at FROM document_templates "
                                      "ORDER BY kind, item_code",
                                      {}));
  std::vector<DocumentTemplate> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Int(i, 6), false, r.Text(i, 7), r.Text(i, 8), "all"});
  return out;
}

Result<bool> SaveTemplate(db::Connection& c, const DocumentTemplate& t, int64_t expected_version) {
  if (expected_version == 0) {
    OW_ASSIGN_OR_RETURN(auto r,
                        c.Query("INSERT INTO document_templates (kind, item_code, title, "
                                "body, remedy, number_prefix, version, updated_by, "
                                "updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) "
                                "ON CONFLICT (kind, item_code) DO NOTHING RETURNING version",
                                {t.kind, t.item_code, t.title, t.body, t.remedy, t.number_prefix,
                                 t.updated_by, t.updated_at}));
    return !r.empty();
  }
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("UPDATE document_templates SET title = $3, body = $4, remedy = $5, "
                      "number_prefix = $6, version = version + 1, updated_by = $7, updated_at = $8 "
                      "WHERE kind = $1 AND item_code = $2 AND version = $9 RETURNING version",
                      {t.kind, t.item_code, t.title, t.body, t.remedy, t.number_prefix,
                       t.updated_by, t.updated_at, expected_version}));
  return !r.empty();
}

Result<bool> DeleteTemplate(db::Connection& c, const std::string& kind,
                            const std::string& item_code, int64_t version) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("DELETE FROM document_templates WHERE kind = $1 AND "
                                      "item_code = $2 AND version = $3 RETURNING version",
                                      {kind, item_code, version}));
  return !r.empty();
}

Status InsertCaseDocument(db::Connection& c, const CaseDocumentRow& d) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO case_documents (case_id, kind, number, title, department_code, content, "
             "issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             {d.case_id, d.kind, d.number, d.title, d.department_code, json::serialize(d.content),
              d.issued_by, d.issued_at}));
  return {};
}

Result<std::vector<CaseDocumentRow>> CaseDocuments(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT d.case_id, d.kind, d.number, d.title, d.department_code, d.content, "
                      "d.issued_by, d.issued_at, CASE WHEN EXISTS (SELECT 1 FROM "
                      "case_document_files f WHERE f.case_id = d.case_id AND f.kind = d.kind) "
                      "THEN 1 ELSE 0 END FROM case_documents d WHERE d.case_id = $1 "
                      "ORDER BY d.issued_at",
                      {case_id}));
  std::vector<CaseDocumentRow> out;
  for (size_t i = 0; i < r.size(); ++i) {
    json::value content = ParseOr(r.Text(i, 5), json::object{});
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   content.is_object() ? content.as_object() : json::object{}, r.Text(i, 6),
                   r.Text(i, 7), r.Int(i, 8) != 0});
  }
  return out;
}

Result<std::optional<std::string>> CaseDocumentFile(db::Connection& c, int64_t case_id,
                                                    const std::string& kind) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT pdf FROM case_document_files WHERE case_id = $1 "
                                      "AND kind = $2",
                                      {case_id, kind}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Status InsertCaseDocumentFile(db::Connection& c, int64_t case_id, const std::string& kind,
                              const std::string& pdf, const std::string& sha256,
                              const std::string& seal_id, const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO case_document_files (case_id, kind, pdf, sha256, seal_id, created_at) "
             "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, kind) DO NOTHING",
             {case_id, kind, db::Blob{pdf}, sha256, seal_id, at}));
  return {};
}

}  // namespace store
}  // namespace ow::licences
