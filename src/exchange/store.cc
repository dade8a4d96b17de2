#include "exchange/store.h"

#include <boost/json.hpp>

namespace ow::exchange {

std::vector<db::Migration> Migrations() {
  // One row per resource version; the published one is what consumers see. Fields are a
  // JSON array (a resource is read whole). Base records are JSON objects keyed by the
  // subject's canonical number.
  return {{"exchange/001_init", R"sql(
CREATE TABLE exchange_resources (
  code TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'superseded')),
  department_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  description TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  share_type TEXT NOT NULL,
  conditions TEXT NOT NULL,
  update_cycle TEXT NOT NULL,
  source TEXT NOT NULL,
  adapter_url TEXT NOT NULL,
  fields TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  reviewed_by TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  review_note TEXT NOT NULL,
  PRIMARY KEY (code, version)
);
CREATE INDEX exchange_resources_status ON exchange_resources(status, department_code);
CREATE TABLE exchange_systems (
  client_id TEXT PRIMARY KEY,
  department_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  registered_at TEXT NOT NULL
);
CREATE TABLE exchange_applications (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  consumer_department TEXT NOT NULL,
  resource_code TEXT NOT NULL,
  provider_department TEXT NOT NULL,
  provider_region TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  fields TEXT NOT NULL,
  valid_days INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'refused', 'revoked')),
  created_at TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_by TEXT NOT NULL,
  revoked_at TEXT NOT NULL
);
CREATE INDEX exchange_applications_client ON exchange_applications(client_id, resource_code);
CREATE INDEX exchange_applications_provider ON exchange_applications(provider_department, status);
CREATE TABLE exchange_base_records (
  base TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (base, subject_id)
);
)sql",
           ""},
          // Staff apply for their department's systems: who applied is kept.
          {"exchange/002_applied_by",
           "ALTER TABLE exchange_applications ADD COLUMN applied_by TEXT NOT NULL DEFAULT ''", ""},
          // Resources served by a trusted peer platform (issue 14 part 8).
          {"exchange/003_peer", R"sql(
ALTER TABLE exchange_resources ADD COLUMN peer_platform TEXT NOT NULL DEFAULT '';
ALTER TABLE exchange_resources ADD COLUMN peer_resource TEXT NOT NULL DEFAULT '';
)sql",
           ""},
          // A base whose records are documents about several persons (the birth base:
          // a certificate names the mother and the father) finds them by person here.
          {"exchange/004_base_links", R"sql(
CREATE TABLE exchange_base_links (
  base TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  record_key TEXT NOT NULL,
  PRIMARY KEY (base, subject_id, record_key)
);
CREATE INDEX exchange_base_links_record ON exchange_base_links(base, record_key);
)sql",
           ""},
          // Bulk delivery (part 7): the grant's bulk flag, the extracts and their data in
          // chunks; base records by change time for incremental extracts.
          db::Portable("exchange/005_extracts", R"sql(
ALTER TABLE exchange_applications ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
CREATE INDEX exchange_base_records_updated ON exchange_base_records(base, updated_at, subject_id);
CREATE TABLE exchange_extracts (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  consumer_department TEXT NOT NULL,
  resource_code TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  provider_department TEXT NOT NULL,
  base TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  since TEXT NOT NULL,
  until TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
  failure TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  parts TEXT NOT NULL,
  manifest TEXT NOT NULL,
  log_seq BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  lease_until TEXT NOT NULL
);
CREATE INDEX exchange_extracts_client ON exchange_extracts(client_id, resource_code, created_at);
CREATE INDEX exchange_extracts_status ON exchange_extracts(status, created_at);
CREATE TABLE exchange_extract_chunks (
  extract_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data {{BLOB}} NOT NULL,
  PRIMARY KEY (extract_id, seq)
);
CREATE INDEX exchange_extract_chunks_part ON exchange_extract_chunks(extract_id, part, seq);
)sql")};
}

namespace {

namespace json = boost::json;

constexpr const char* kResourceColumns =
    "code, version, status, department_code, region_code, name_zh, name_en, description, "
    "subject_kind, share_type, conditions, update_cycle, source, adapter_url, fields, "
    "created_by, created_at, submitted_by, submitted_at, reviewed_by, reviewed_at, review_note, "
    "peer_platform, peer_resource";

std::string FieldsJson(const std::vector<Field>& fields) {
  json::array a;
  for (const auto& f : fields)
    a.push_back(json::object{{"name", f.name},
                             {"type", f.type},
                             {"label_zh", f.label_zh},
                             {"label_en", f.label_en},
                             {"personal", f.personal}});
  return json::serialize(a);
}

std::vector<Field> ParseFields(const std::string& text) {
  std::vector<Field> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    auto str = [&](const char* k) {
      const auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    const auto* p = o.if_contains("personal");
    out.push_back({str("name"), str("type"), str("label_zh"), str("label_en"),
                   p && p->is_bool() && p->as_bool()});
  }
  return out;
}

std::string NamesJson(const std::vector<std::string>& names) {
  json::array a;
  for (const auto& n : names) a.emplace_back(n);
  return json::serialize(a);
}

std::vector<std::string> ParseNames(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

Resource ResourceAt(const db::Rows& r, size_t i) {
  Resource x;
  x.code = r.Text(i, 0);
  x.version = r.Int(i, 1);
  x.status = r.Text(i, 2);
  x.department_code = r.Text(i, 3);
  x.region_code = r.Text(i, 4);
  x.name_zh = r.Text(i, 5);
  x.name_en = r.Text(i, 6);
  x.description = r.Text(i, 7);
  x.subject_kind = r.Text(i, 8);
  x.share_type = r.Text(i, 9);
  x.conditions = r.Text(i, 10);
  x.update_cycle = r.Text(i, 11);
  x.source = r.Text(i, 12);
  x.adapter_url = r.Text(i, 13);
  x.fields = ParseFields(r.Text(i, 14));
  x.created_by = r.Text(i, 15);
  x.created_at = r.Text(i, 16);
  x.submitted_by = r.Text(i, 17);
  x.submitted_at = r.Text(i, 18);
  x.reviewed_by = r.Text(i, 19);
  x.reviewed_at = r.Text(i, 20);
  x.review_note = r.Text(i, 21);
  x.peer_platform = r.Text(i, 22);
  x.peer_resource = r.Text(i, 23);
  return x;
}

std::vector<db::Value> ResourceValues(const Resource& x) {
  return {x.code,        x.version,      x.status,        x.department_code, x.region_code,
          x.name_zh,     x.name_en,      x.description,   x.subject_kind,    x.share_type,
          x.conditions,  x.update_cycle, x.source,        x.adapter_url,     FieldsJson(x.fields),
          x.created_by,  x.created_at,   x.submitted_by,  x.submitted_at,    x.reviewed_by,
          x.reviewed_at, x.review_note,  x.peer_platform, x.peer_resource};
}

Result<std::optional<Resource>> OneResource(db::Connection& c, const std::string& where,
                                            const std::vector<db::Value>& params) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kResourceColumns +
                                          " FROM exchange_resources " + where,
                                      params));
  if (r.empty()) return std::optional<Resource>();
  return std::optional<Resource>(ResourceAt(r, 0));
}

constexpr const char* kApplicationColumns =
    "id, client_id, consumer_department, resource_code, provider_department, provider_region, "
    "purpose, legal_basis, fields, valid_days, status, created_at, decided_by, decided_at, "
    "reason, expires_at, revoked_by, revoked_at, applied_by, bulk";

Application ApplicationAt(const db::Rows& r, size_t i) {
  Application a;
  a.id = r.Text(i, 0);
  a.client_id = r.Text(i, 1);
  a.consumer_department = r.Text(i, 2);
  a.resource_code = r.Text(i, 3);
  a.provider_department = r.Text(i, 4);
  a.provider_region = r.Text(i, 5);
  a.purpose = r.Text(i, 6);
  a.legal_basis = r.Text(i, 7);
  a.fields = ParseNames(r.Text(i, 8));
  a.valid_days = r.Int(i, 9);
  a.status = r.Text(i, 10);
  a.created_at = r.Text(i, 11);
  a.decided_by = r.Text(i, 12);
  a.decided_at = r.Text(i, 13);
  a.reason = r.Text(i, 14);
  a.expires_at = r.Text(i, 15);
  a.revoked_by = r.Text(i, 16);
  a.revoked_at = r.Text(i, 17);
  a.applied_by = r.Text(i, 18);
  a.bulk = r.Int(i, 19) != 0;
  return a;
}

std::string Like(const std::string& q) {
  std::string out = "%";
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  return out + "%";
}

}  // namespace

Status Store::InsertResource(db::Connection& c, const Resource& r) {
  std::string sql = std::string("INSERT INTO exchange_resources (") + kResourceColumns +
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                    "$16, $17, $18, $19, $20, $21, $22, $23, $24)";
  OW_RETURN_IF_ERROR(c.Exec(sql, ResourceValues(r)));
  return {};
}

Result<bool> Store::UpdateResource(db::Connection& c, const Resource& r,
                                   const std::string& expected_status) {
  auto v = ResourceValues(r);
  v.push_back(expected_status);
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE exchange_resources SET status = $3, department_code = $4, region_code = $5, "
             "name_zh = $6, name_en = $7, description = $8, subject_kind = $9, share_type = $10, "
             "conditions = $11, update_cycle = $12, source = $13, adapter_url = $14, fields = $15, "
             "created_by = $16, created_at = $17, submitted_by = $18, submitted_at = $19, "
             "reviewed_by = $20, reviewed_at = $21, review_note = $22, peer_platform = $23, "
             "peer_resource = $24 WHERE code = $1 AND version = $2 AND status = $25",
             v));
  return n == 1;
}

Result<std::optional<Resource>> Store::GetVersion(db::Connection& c, const std::string& code,
                                                  int64_t version) {
  return OneResource(c, "WHERE code = $1 AND version = $2", {code, version});
}

Result<std::optional<Resource>> Store::Latest(db::Connection& c, const std::string& code) {
  return OneResource(c, "WHERE code = $1 ORDER BY version DESC LIMIT 1", {code});
}

Result<std::optional<Resource>> Store::Published(db::Connection& c, const std::string& code) {
  return OneResource(c, "WHERE code = $1 AND status = 'published'", {code});
}

Status Store::SupersedePublished(db::Connection& c, const std::string& code) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE exchange_resources SET status = 'superseded' WHERE code = $1 AND status = "
             "'published'",
             {code}));
  return {};
}

Result<std::vector<Resource>> Store::Search(db::Connection& c, const std::string& q,
                                            const std::string& department, int limit) {
  std::string pattern = Like(q);
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kResourceColumns +
                  " FROM exchange_resources WHERE status = 'published' AND ($1 = '' OR "
                  "department_code = $1) AND (LOWER(code) LIKE $2 ESCAPE '\\' OR LOWER(name_zh) "
                  "LIKE $2 ESCAPE '\\' OR LOWER(name_en) LIKE $2 ESCAPE '\\' OR "
                  "LOWER(department_code) LIKE $2 ESCAPE '\\') ORDER BY code LIMIT $3",
              {department, pattern, int64_t{limit}}));
  std::vector<Resource> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ResourceAt(r, i));
  return out;
}

Result<std::vector<Resource>> Store::Unpublished(db::Connection& c, const std::string& department) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kResourceColumns +
                                          " FROM exchange_resources WHERE status IN ('draft', "
                                          "'in_review') AND department_code = $1 ORDER BY code",
                                      {department}));
  std::vector<Resource> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ResourceAt(r, i));
  return out;
}

Status Store::PutSystem(db::Connection& c, const System& s) {
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM exchange_systems WHERE client_id = $1", {s.client_id}));
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO exchange_systems (client_id, department_code, region_code, "
             "registered_by, registered_at) VALUES ($1, $2, $3, $4, $5)",
             {s.client_id, s.department_code, s.region_code, s.registered_by, s.registered_at}));
  return {};
}

Result<std::optional<System>> Store::GetSystem(db::Connection& c, const std::string& client_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT client_id, department_code, region_code, "
                                      "registered_by, registered_at FROM exchange_systems WHERE "
                                      "client_id = $1",
                                      {client_id}));
  if (r.empty()) return std::optional<System>();
  return std::optional<System>(
      System{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4)});
}

Result<std::vector<System>> Store::Systems(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT client_id, department_code, region_code, "
                                      "registered_by, registered_at FROM exchange_systems ORDER "
                                      "BY department_code, client_id"));
  std::vector<System> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Status Store::InsertApplication(db::Connection& c, const Application& a) {
  OW_RETURN_IF_ERROR(c.Exec(
      std::string("INSERT INTO exchange_applications (") + kApplicationColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
          "$18, $19, $20)",
      {a.id,
       a.client_id,
       a.consumer_department,
       a.resource_code,
       a.provider_department,
       a.provider_region,
       a.purpose,
       a.legal_basis,
       NamesJson(a.fields),
       a.valid_days,
       a.status,
       a.created_at,
       a.decided_by,
       a.decided_at,
       a.reason,
       a.expires_at,
       a.revoked_by,
       a.revoked_at,
       a.applied_by,
       int64_t{a.bulk ? 1 : 0}}));
  return {};
}

Result<bool> Store::UpdateApplication(db::Connection& c, const Application& a,
                                      const std::string& expected_status) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE exchange_applications SET status = $2, fields = $3, decided_by = $4, "
                     "decided_at = $5, reason = $6, expires_at = $7, revoked_by = $8, "
                     "revoked_at = $9 WHERE id = $1 AND status = $10",
                     {a.id, a.status, NamesJson(a.fields), a.decided_by, a.decided_at, a.reason,
                      a.expires_at, a.revoked_by, a.revoked_at, expected_status}));
  return n == 1;
}

Result<std::optional<Application>> Store::GetApplication(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kApplicationColumns +
                                          " FROM exchange_applications WHERE id = $1",
                                      {id}));
  if (r.empty()) return std::optional<Application>();
  return std::optional<Application>(ApplicationAt(r, 0));
}

Result<std::vector<Application>> Store::Applications(db::Connection& c,
                                                     const std::string& client_id,
                                                     const std::string& provider_department,
                                                     const std::string& status, int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kApplicationColumns +
                          " FROM exchange_applications WHERE ($1 = '' OR client_id = $1) AND ($2 "
                          "= '' OR provider_department = $2) AND ($3 = '' OR status = $3) ORDER "
                          "BY created_at DESC, id LIMIT $4",
                      {client_id, provider_department, status, int64_t{limit}}));
  std::vector<Application> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ApplicationAt(r, i));
  return out;
}

Result<std::optional<Application>> Store::LatestGrant(db::Connection& c,
                                                      const std::string& client_id,
                                                      const std::string& resource) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query(std::string("SELECT ") + kApplicationColumns +
                                  " FROM exchange_applications WHERE client_id = $1 AND "
                                  "resource_code = $2 AND status IN ('granted', 'revoked') ORDER "
                                  "BY decided_at DESC, id LIMIT 1",
                              {client_id, resource}));
  if (r.empty()) return std::optional<Application>();
  return std::optional<Application>(ApplicationAt(r, 0));
}

Result<std::vector<std::string>> Store::LiveGrantCodes(db::Connection& c,
                                                       const std::string& client_id,
                                                       const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT DISTINCT resource_code FROM exchange_applications "
                                      "WHERE client_id = $1 AND status = 'granted' AND "
                                      "expires_at > $2 ORDER BY resource_code",
                                      {client_id, now}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

Result<bool> Store::PutRecord(db::Connection& c, const std::string& base, const std::string& key,
                              const std::string& data, const std::string& actor,
                              const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE exchange_base_records SET data = $3, updated_by = "
                                     "$4, updated_at = $5 WHERE base = $1 AND subject_id = $2",
                                     {base, key, data, actor, now}));
  if (n == 1) return false;
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO exchange_base_records (base, subject_id, data, "
             "updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
             {base, key, data, actor, now}));
  return true;
}

Status Store::PutLinks(db::Connection& c, const std::string& base, const std::string& key,
                       const std::vector<std::string>& subjects) {
  OW_RETURN_IF_ERROR(
      c.Exec("DELETE FROM exchange_base_links WHERE base = $1 AND record_key = $2", {base, key}));
  for (const auto& s : subjects)
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO exchange_base_links (base, subject_id, record_key) VALUES ($1, $2, $3)",
               {base, s, key}));
  return {};
}

Result<std::vector<std::string>> Store::LinkedRecords(db::Connection& c, const std::string& base,
                                                      const std::string& subject) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT r.data FROM exchange_base_links l JOIN exchange_base_records r ON "
                      "r.base = l.base AND r.subject_id = l.record_key WHERE l.base = $1 AND "
                      "l.subject_id = $2 ORDER BY l.record_key LIMIT 100",
                      {base, subject}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

Result<std::optional<std::string>> Store::GetRecord(db::Connection& c, const std::string& base,
                                                    const std::string& key) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT data FROM exchange_base_records WHERE base = $1 "
                                      "AND subject_id = $2",
                                      {base, key}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Result<std::vector<Store::RecordRow>> Store::RecordPage(db::Connection& c, const std::string& base,
                                                        const std::string& since,
                                                        const std::string& until,
                                                        const std::string& after_at,
                                                        const std::string& after_key, int limit) {
  db::Rows r;
  if (since.empty()) {
    OW_ASSIGN_OR_RETURN(r, c.Query("SELECT subject_id, data, updated_at FROM "
                                   "exchange_base_records WHERE base = $1 AND subject_id > $2 "
                                   "ORDER BY subject_id LIMIT $3",
                                   {base, after_key, int64_t{limit}}));
  } else {
    OW_ASSIGN_OR_RETURN(
        r, c.Query("SELECT subject_id, data, updated_at FROM exchange_base_records WHERE base = $1 "
                   "AND updated_at >= $2 AND updated_at < $3 AND (updated_at > $4 OR "
                   "(updated_at = $4 AND subject_id > $5)) ORDER BY updated_at, subject_id "
                   "LIMIT $6",
                   {base, since, until, after_at, after_key, int64_t{limit}}));
  }
  std::vector<RecordRow> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2)});
  return out;
}

namespace {

constexpr const char* kExtractColumns =
    "id, client_id, consumer_department, resource_code, resource_version, provider_department, "
    "base, grant_id, fields, purpose, legal_basis, since, until, status, failure, "
    "request_digest, row_count, bytes, sha256, parts, manifest, log_seq, attempts, created_at, "
    "started_at, finished_at, expires_at, lease_until";

std::string PartsJson(const std::vector<ExtractPart>& parts) {
  json::array a;
  for (const auto& p : parts)
    a.push_back(json::object{
        {"part", p.number}, {"rows", p.rows}, {"bytes", p.bytes}, {"sha256", p.sha256}});
  return json::serialize(a);
}

std::vector<ExtractPart> ParseParts(const std::string& text) {
  std::vector<ExtractPart> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    const auto* o = e.if_object();
    if (!o) continue;
    auto num = [&](const char* k) -> int64_t {
      const auto* x = o->if_contains(k);
      return x && x->is_int64() ? x->as_int64() : 0;
    };
    const auto* sha = o->if_contains("sha256");
    out.push_back({num("part"), num("rows"), num("bytes"),
                   sha && sha->is_string() ? std::string(sha->as_string()) : std::string()});
  }
  return out;
}

Extract ExtractAt(const db::Rows& r, size_t i) {
  Extract x;
  x.id = r.Text(i, 0);
  x.client_id = r.Text(i, 1);
  x.consumer_department = r.Text(i, 2);
  x.resource_code = r.Text(i, 3);
  x.resource_version = r.Int(i, 4);
  x.provider_department = r.Text(i, 5);
  x.base = r.Text(i, 6);
  x.grant_id = r.Text(i, 7);
  x.fields = ParseNames(r.Text(i, 8));
  x.purpose = r.Text(i, 9);
  x.legal_basis = r.Text(i, 10);
  x.since = r.Text(i, 11);
  x.until = r.Text(i, 12);
  x.status = r.Text(i, 13);
  x.failure = r.Text(i, 14);
  x.request_digest = r.Text(i, 15);
  x.row_count = r.Int(i, 16);
  x.bytes = r.Int(i, 17);
  x.sha256 = r.Text(i, 18);
  x.parts = ParseParts(r.Text(i, 19));
  x.manifest = r.Text(i, 20);
  x.log_seq = r.Int(i, 21);
  x.attempts = r.Int(i, 22);
  x.created_at = r.Text(i, 23);
  x.started_at = r.Text(i, 24);
  x.finished_at = r.Text(i, 25);
  x.expires_at = r.Text(i, 26);
  x.lease_until = r.Text(i, 27);
  return x;
}

}  // namespace

Status Store::InsertExtract(db::Connection& c, const Extract& x) {
  OW_RETURN_IF_ERROR(c.Exec(
      std::string("INSERT INTO exchange_extracts (") + kExtractColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
          "$18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)",
      {x.id,
       x.client_id,
       x.consumer_department,
       x.resource_code,
       x.resource_version,
       x.provider_department,
       x.base,
       x.grant_id,
       NamesJson(x.fields),
       x.purpose,
       x.legal_basis,
       x.since,
       x.until,
       x.status,
       x.failure,
       x.request_digest,
       x.row_count,
       x.bytes,
       x.sha256,
       PartsJson(x.parts),
       x.manifest,
       x.log_seq,
       x.attempts,
       x.created_at,
       x.started_at,
       x.finished_at,
       x.expires_at,
       x.lease_until}));
  return {};
}

Result<std::optional<Extract>> Store::GetExtract(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kExtractColumns +
                                          " FROM exchange_extracts WHERE id = $1",
                                      {id}));
  if (r.empty()) return std::optional<Extract>();
  return std::optional<Extract>(ExtractAt(r, 0));
}

Result<std::vector<Extract>> Store::Extracts(db::Connection& c, const std::string& client_id,
                                             const std::string& resource, int limit) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kExtractColumns +
                                          " FROM exchange_extracts WHERE client_id = $1 AND "
                                          "($2 = '' OR resource_code = $2) ORDER BY created_at "
                                          "DESC, id DESC LIMIT $3",
                                      {client_id, resource, int64_t{limit}}));
  std::vector<Extract> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ExtractAt(r, i));
  return out;
}

Result<std::optional<Extract>> Store::NextExtract(db::Connection& c, const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kExtractColumns +
                                          " FROM exchange_extracts WHERE status = 'queued' OR "
                                          "(status = 'running' AND lease_until < $1) ORDER BY "
                                          "created_at, id LIMIT 1",
                                      {now}));
  if (r.empty()) return std::optional<Extract>();
  return std::optional<Extract>(ExtractAt(r, 0));
}

Result<bool> Store::ClaimExtract(db::Connection& c, const Extract& x, const std::string& now,
                                 const std::string& lease_until) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE exchange_extracts SET status = 'running', attempts = "
                                     "attempts + 1, started_at = $2, lease_until = $3 WHERE id = "
                                     "$1 AND attempts = $4 AND (status = 'queued' OR (status = "
                                     "'running' AND lease_until < $2))",
                                     {x.id, now, lease_until, x.attempts}));
  if (n != 1) return false;
  OW_RETURN_IF_ERROR(DropExtractData(c, x.id));
  return true;
}

Status Store::DropExtractData(db::Connection& c, const std::string& id) {
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM exchange_extract_chunks WHERE extract_id = $1", {id}));
  return {};
}

Result<bool> Store::RenewExtract(db::Connection& c, const std::string& id, int64_t attempt,
                                 const std::string& lease_until) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE exchange_extracts SET lease_until = $3 WHERE id = $1 "
                                     "AND attempts = $2 AND status = 'running'",
                                     {id, attempt, lease_until}));
  return n == 1;
}

Result<bool> Store::FinishExtract(db::Connection& c, const Extract& x) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE exchange_extracts SET status = $3, failure = $4, until = $5, "
             "row_count = $6, bytes = $7, sha256 = $8, parts = $9, manifest = $10, "
             "log_seq = $11, finished_at = $12, expires_at = $13, lease_until = '' "
             "WHERE id = $1 AND attempts = $2 AND status = 'running'",
             {x.id, x.attempts, x.status, x.failure, x.until, x.row_count, x.bytes, x.sha256,
              PartsJson(x.parts), x.manifest, x.log_seq, x.finished_at, x.expires_at}));
  return n == 1;
}

Status Store::AddExtractChunk(db::Connection& c, const std::string& id, int64_t seq, int64_t part,
                              std::string bytes) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO exchange_extract_chunks (extract_id, seq, part, data) "
             "VALUES ($1, $2, $3, $4)",
             {id, seq, part, db::Blob{std::move(bytes)}}));
  return {};
}

Result<std::string> Store::ExtractPartData(db::Connection& c, const std::string& id, int64_t part) {
  // Chunk by chunk, so the part is held once (not also as the rows of one big result).
  OW_ASSIGN_OR_RETURN(auto seqs, c.Query("SELECT seq, LENGTH(data) FROM exchange_extract_chunks "
                                         "WHERE extract_id = $1 AND part = $2 ORDER BY seq",
                                         {id, part}));
  int64_t total = 0;
  for (size_t i = 0; i < seqs.size(); ++i) total += seqs.Int(i, 1);
  std::string out;
  out.reserve(static_cast<size_t>(total));
  for (size_t i = 0; i < seqs.size(); ++i) {
    OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT data FROM exchange_extract_chunks WHERE "
                                        "extract_id = $1 AND seq = $2",
                                        {id, seqs.Int(i, 0)}));
    const auto* blob = r.empty() ? nullptr : std::get_if<db::Blob>(&r.At(0, 0));
    if (!blob) return Internal("exchange_extract_chunks.data is not binary");
    out += blob->bytes;
  }
  return out;
}

Result<bool> Store::AnyExpired(db::Connection& c, const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT id FROM exchange_extracts WHERE status = 'ready' AND "
                                      "expires_at <= $1 LIMIT 1",
                                      {now}));
  return !r.empty();
}

Result<int64_t> Store::ExpireExtracts(db::Connection& c, const std::string& now) {
  OW_RETURN_IF_ERROR(
      c.Exec("DELETE FROM exchange_extract_chunks WHERE extract_id IN (SELECT id "
             "FROM exchange_extracts WHERE status = 'ready' AND expires_at <= $1)",
             {now}));
  return c.Exec(
      "UPDATE exchange_extracts SET status = 'expired' WHERE status = 'ready' AND "
      "expires_at <= $1",
      {now});
}

}  // namespace ow::exchange
