// The archive's SQL (store.h, "Archive"): the case_archive table, one row per archived
// case with its signed package, and the move of a case out of the hot tables.
#include "cases/store.h"

namespace ow::cases {

std::vector<db::Migration> ArchiveMigrations() {
  // One row per archived case: what finds it (tracking number, applicant, department and
  // region, item, when it closed) and the package: the compact JWS whose payload is the
  // manifest (the case with its events, tasks, materials' digests, licences used and
  // documents), its SHA-256, and the public key that signed it. `applicant_view` is the
  // same case as its applicant reads it (staff not named). Written once, never changed.
  std::string archive = R"sql(
CREATE TABLE case_archive (
  case_id BIGINT PRIMARY KEY,
  tracking_no TEXT NOT NULL UNIQUE,
  applicant_account_id TEXT NOT NULL,
  applicant_enterprise TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  status TEXT NOT NULL,
  decision TEXT NOT NULL,
  created_at {{TEXT_C}} NOT NULL,
  closed_at {{TEXT_C}} NOT NULL,
  archived_at {{TEXT_C}} NOT NULL,
  package TEXT NOT NULL,
  digest TEXT NOT NULL,
  kid TEXT NOT NULL,
  jwk TEXT NOT NULL,
  applicant_view TEXT NOT NULL
);
CREATE INDEX case_archive_applicant ON case_archive(applicant_account_id, case_id);
CREATE INDEX case_archive_enterprise ON case_archive(applicant_enterprise, case_id);
CREATE INDEX case_archive_department ON case_archive(department_code, region_code, case_id);
CREATE INDEX case_archive_closed ON case_archive(closed_at);
CREATE INDEX cases_final ON cases(status, updated_at);
{{APPEND_ONLY case_archive}}
)sql";
  db::Migration m = db::Portable("cases/007_archive", archive);
  // case_events and case_licences stay append-only for every case that is not archived:
  // their rows may be deleted only once the case's package is in case_archive (the
  // archive writes it first, in the same transaction).
  for (const char* table : {"case_events", "case_licences"}) {
    std::string t(table);
    m.sqlite += "DROP TRIGGER " + t + "_no_delete;\nCREATE TRIGGER " + t +
                "_no_delete BEFORE DELETE ON " + t +
                "\nWHEN NOT EXISTS (SELECT 1 FROM case_archive WHERE case_id = OLD.case_id)\n"
                "BEGIN SELECT RAISE(ABORT, '" +
                t + " is append-only'); END;\n";
    m.postgres += "CREATE OR REPLACE FUNCTION " + t +
                  "_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                  "  IF TG_OP = 'DELETE' THEN\n"
                  "    IF EXISTS (SELECT 1 FROM case_archive WHERE case_id = OLD.case_id) THEN\n"
                  "      RETURN OLD;\n    END IF;\n  END IF;\n  RAISE EXCEPTION '" +
                  t +
                  " is append-only' USING ERRCODE = 'integrity_constraint_violation';\nEND\n$$;\n";
  }
  return {m};
}

namespace store {

namespace {

constexpr char kArchiveColumns[] =
    "case_id, tracking_no, applicant_account_id, applicant_enterprise, applicant_name, "
    "department_code, region_code, item_code, item_name, status, decision, created_at, "
    "closed_at, archived_at, package, digest, kid, jwk, applicant_view";

ArchiveRow ArchiveFromRow(const db::Rows& r, size_t i) {
  ArchiveRow a;
  size_t k = 0;
  a.case_id = r.Int(i, k++);
  for (std::string* s :
       {&a.tracking_no, &a.applicant_account_id, &a.applicant_enterprise, &a.applicant_name,
        &a.department_code, &a.region_code, &a.item_code, &a.item_name, &a.status, &a.decision,
        &a.created_at, &a.closed_at, &a.archived_at, &a.package, &a.digest, &a.kid, &a.jwk,
        &a.applicant_view}) {
    *s = r.Text(i, k++);
  }
  return a;
}

}  // namespace

Result<std::vector<int64_t>> ArchivableCases(db::Connection& c, const std::string& closed_before,
                                             int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT id FROM cases WHERE status IN ('delivered', 'not_accepted', "
                              "'closed', 'withdrawn') AND updated_at < $1 ORDER BY updated_at, id "
                              "LIMIT $2",
                              {closed_before, limit}));
  std::vector<int64_t> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Int(i, 0));
  return out;
}

Result<std::vector<Message>> LoadCaseMessages(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT id, account_id, status, code, params, text, created_at, "
                              "read_at FROM case_messages WHERE case_id = $1 ORDER BY id",
                              {case_id}));
  std::vector<Message> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Message m;
    m.id = r.Int(i, 0);
    m.account_id = r.Text(i, 1);
    m.status = r.Text(i, 2);
    m.code = r.Text(i, 3);
    boost::system::error_code ec;
    boost::json::value p = boost::json::parse(r.Text(i, 4), ec);
    if (!ec && p.is_object()) m.params = std::move(p.as_object());
    m.text = r.Text(i, 5);
    m.created_at = r.Text(i, 6);
    m.read_at = r.Text(i, 7);
    out.push_back(std::move(m));
  }
  return out;
}

Status InsertArchive(db::Connection& c, const ArchiveRow& a) {
  auto n = c.Exec(std::string("INSERT INTO case_archive (") + kArchiveColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                      "$15, $16, $17, $18, $19)",
                  {a.case_id, a.tracking_no, a.applicant_account_id, a.applicant_enterprise,
                   a.applicant_name, a.department_code, a.region_code, a.item_code, a.item_name,
                   a.status, a.decision, a.created_at, a.closed_at, a.archived_at, a.package,
                   a.digest, a.kid, a.jwk, a.applicant_view});
  if (!n) return n.error();
  return {};
}

Status RemoveArchivedCase(db::Connection& c, int64_t case_id) {
  // Children first: they reference cases(id). The triggers on case_events and
  // case_licences let these deletes through because the archive row exists.
  for (const char* sql :
       {"DELETE FROM case_events WHERE case_id = $1",
        "DELETE FROM case_licences WHERE case_id = $1", "DELETE FROM case_tasks WHERE case_id = $1",
        "DELETE FROM case_materials WHERE case_id = $1",
        "DELETE FROM case_messages WHERE case_id = $1",
        "DELETE FROM case_data_uses WHERE case_id = $1"}) {
    OW_RETURN_IF_ERROR(c.Exec(sql, {case_id}));
  }
  OW_ASSIGN_OR_RETURN(int64_t n, c.Exec("DELETE FROM cases WHERE id = $1", {case_id}));
  if (n != 1) return Internal("archived case row vanished");
  return {};
}

Result<std::optional<ArchiveRow>> LoadArchive(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(std::string("SELECT ") + kArchiveColumns +
                                              " FROM case_archive WHERE case_id = $1",
                                          {case_id}));
  if (r.empty()) return std::optional<ArchiveRow>();
  return std::optional<ArchiveRow>(ArchiveFromRow(r, 0));
}

Result<std::pair<std::vector<ArchiveRow>, int64_t>> ListArchiveOfApplicant(
    db::Connection& c, const std::string& account_id, int64_t offset, int64_t limit) {
  // case_archive_applicant (applicant_account_id, case_id) serves both statements.
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT case_id, tracking_no, item_code, item_name, status, decision, created_at, "
              "closed_at, archived_at FROM case_archive WHERE applicant_account_id = $1 "
              "ORDER BY case_id DESC LIMIT $2 OFFSET $3",
              {account_id, limit, offset}));
  std::vector<ArchiveRow> rows;
  for (size_t i = 0; i < r.size(); ++i) {
    ArchiveRow a;
    a.case_id = r.Int(i, 0);
    size_t k = 1;
    for (std::string* s : {&a.tracking_no, &a.item_code, &a.item_name, &a.status, &a.decision,
                           &a.created_at, &a.closed_at, &a.archived_at})
      *s = r.Text(i, k++);
    rows.push_back(std::move(a));
  }
  OW_ASSIGN_OR_RETURN(
      db::Rows n,
      c.Query("SELECT COUNT(*) FROM case_archive WHERE applicant_account_id = $1", {account_id}));
  return std::make_pair(std::move(rows), n.Int(0, 0));
}

}  // namespace store
}  // namespace ow::cases
