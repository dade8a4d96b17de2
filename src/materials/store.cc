#include "materials/store.h"

#include "core/text.h"

namespace ow::materials {

std::vector<db::Migration> Migrations() {
  // Content lives once per SHA-256 in blobs + blob_chunks (256 KiB pieces, so no
  // statement moves more than that); materials point at it. created_us orders a
  // person's materials newest first (created_at has whole seconds only).
  std::string schema = R"sql(
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL CHECK (size >= 0),
  media_type TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE blob_chunks (
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  seq INTEGER NOT NULL CHECK (seq >= 0),
  data {{BLOB}} NOT NULL,
  PRIMARY KEY (sha256, seq)
);
CREATE TABLE materials (
  id TEXT PRIMARY KEY,
  owner_account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  filename TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL CHECK (size >= 0),
  created_at TEXT NOT NULL,
  created_us BIGINT NOT NULL,
  scan_result TEXT NOT NULL
);
CREATE INDEX materials_owner ON materials(owner_account_id, created_us);
CREATE INDEX materials_sha256 ON materials(sha256);
)sql";
  return {db::Portable("materials/001_init", schema),
          {"materials/002_enterprise_owner",
           "ALTER TABLE materials ADD COLUMN owner_enterprise TEXT NOT NULL DEFAULT '';\n"
           "CREATE INDEX materials_enterprise ON materials(owner_enterprise, created_us);\n",
           ""}};
}

namespace {

constexpr const char* kColumns =
    "id, owner_account_id, sha256, filename, media_type, size, created_at, scan_result, "
    "owner_enterprise";

Material Row(const db::Rows& r, size_t i) {
  Material m;
  m.id = r.Text(i, 0);
  m.owner_account_id = r.Text(i, 1);
  m.sha256 = r.Text(i, 2);
  m.filename = r.Text(i, 3);
  m.media_type = r.Text(i, 4);
  m.size = r.Int(i, 5);
  m.created_at = r.Text(i, 6);
  m.scan_result = r.Text(i, 7);
  m.owner_enterprise = r.Text(i, 8);
  return m;
}

}  // namespace

Result<bool> Store::AddBlob(db::Connection& c, const std::string& sha256, int64_t size,
                            const std::string& media_type, const std::string& created_at) {
  OW_ASSIGN_OR_RETURN(int64_t n, c.Exec("INSERT INTO blobs (sha256, size, media_type, created_at) "
                                        "VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                                        {sha256, size, media_type, created_at}));
  return n == 1;
}

Status Store::AddChunk(db::Connection& c, const std::string& sha256, int64_t seq,
                       std::string bytes) {
  OW_RETURN_IF_ERROR(c.Exec("INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)",
                            {sha256, seq, db::Blob{std::move(bytes)}}));
  return {};
}

Status Store::AddMaterial(db::Connection& c, const Material& m, int64_t created_us) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO materials (id, owner_account_id, sha256, filename, media_type, size, "
             "created_at, created_us, scan_result, owner_enterprise) VALUES ($1, $2, $3, $4, $5, "
             "$6, $7, $8, $9, $10)",
             {m.id, m.owner_account_id, m.sha256, m.filename, m.media_type, m.size, m.created_at,
              created_us, m.scan_result, m.owner_enterprise}));
  return {};
}

Result<std::optional<Material>> Store::Get(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kColumns + " FROM materials WHERE id = $1", {id}));
  if (r.empty()) return std::optional<Material>();
  return std::optional<Material>(Row(r, 0));
}

Result<std::vector<Material>> Store::GetMany(db::Connection& c,
                                             const std::vector<std::string>& ids) {
  std::vector<Material> out;
  if (ids.empty()) return out;
  std::string sql = std::string("SELECT ") + kColumns + " FROM materials WHERE id IN (";
  std::vector<db::Value> params;
  params.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += (i ? ", $" : "$") + std::to_string(i + 1);
    params.emplace_back(ids[i]);
  }
  sql += ")";
  OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, params));
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back(Row(r, i));
  return out;
}

Result<std::vector<Material>> Store::ByOwner(db::Connection& c, const std::string& account_id,
                                             const std::string& enterprise) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT ") + kColumns + " FROM materials WHERE " +
                          (enterprise.empty() ? "owner_account_id = $1 AND owner_enterprise = ''"
                                              : "owner_enterprise = $1") +
                          " ORDER BY created_us DESC, id DESC",
                      {enterprise.empty() ? account_id : enterprise}));
  std::vector<Material> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back(Row(r, i));
  return out;
}

Status Store::HandOver(db::Connection& c, const std::string& id, const std::string& from_account,
                       const std::string& to_account) {
  OW_RETURN_IF_ERROR(c.Exec(
      "UPDATE materials SET owner_account_id = $1 WHERE id = $2 AND owner_account_id = $3 AND "
      "owner_enterprise = ''",
      {to_account, id, from_account}));
  return {};
}

Result<std::optional<std::string>> Store::Chunk(db::Connection& c, const std::string& sha256,
                                                int64_t seq) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT data FROM blob_chunks WHERE sha256 = $1 AND seq = $2",
                                      {sha256, seq}));
  if (r.empty()) return std::optional<std::string>();
  const auto* blob = std::get_if<db::Blob>(&r.At(0, 0));
  if (!blob) return Internal("blob_chunks.data is not binary");
  return std::optional<std::string>(blob->bytes);
}

}  // namespace ow::materials
