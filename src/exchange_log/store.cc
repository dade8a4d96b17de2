#include "exchange_log/store.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "db/sql.h"

namespace ow::exchange_log::internal {
namespace {

constexpr const char* kColumns =
    "seq, at, consumer_client, consumer_department, provider_department, resource_code, "
    "resource_version, subject_kind, subject_key, purpose, legal_basis, case_tracking, fields, "
    "outcome, refusal_reason, request_digest, response_digest, response_signature, prev_hash, "
    "hash";

std::vector<Record> ToRecords(const db::Rows& rows) {
  std::vector<Record> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    Record r;
    r.seq = rows.Int(i, 0);
    r.at = rows.Text(i, 1);
    r.consumer_client = rows.Text(i, 2);
    r.consumer_department = rows.Text(i, 3);
    r.provider_department = rows.Text(i, 4);
    r.resource_code = rows.Text(i, 5);
    r.resource_version = rows.Int(i, 6);
    r.subject_kind = rows.Text(i, 7);
    r.subject_key = rows.Text(i, 8);
    r.purpose = rows.Text(i, 9);
    r.legal_basis = rows.Text(i, 10);
    r.case_tracking = rows.Text(i, 11);
    r.fields = SplitFields(rows.Text(i, 12));
    r.outcome = rows.Text(i, 13);
    r.refusal_reason = rows.Text(i, 14);
    r.request_digest = rows.Text(i, 15);
    r.response_digest = rows.Text(i, 16);
    r.response_signature = rows.Text(i, 17);
    r.prev_hash = rows.Text(i, 18);
    r.hash = rows.Text(i, 19);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<StampRow> ToStamps(const db::Rows& rows) {
  std::vector<StampRow> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back({rows.Int(i, 0), rows.Text(i, 1), rows.Int(i, 2), rows.Text(i, 3),
                   rows.Text(i, 4), rows.Text(i, 5), rows.Text(i, 6)});
  }
  return out;
}

constexpr const char* kStampColumns =
    "head_seq, head_hash, tsa_generation, gen_time, serial, token, stamped_at";

}  // namespace

std::string NowUtc(std::chrono::milliseconds ago) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                (std::chrono::system_clock::now() - ago).time_since_epoch())
                .count();
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string JoinFields(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += fields[i];
  }
  return out;
}

std::vector<std::string> SplitFields(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t comma = joined.find(',', start);
    out.push_back(joined.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Status AppendRecord(db::Connection& c, Record& r) {
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  // The head row's lock orders appenders on PostgreSQL until the caller commits, so seq
  // order is chain order and a rolled-back append leaves no gap (as in audit_log).
  OW_ASSIGN_OR_RETURN(auto head,
                      c.Query(pg ? "SELECT seq, hash FROM exchange_log_head WHERE id = 1 FOR UPDATE"
                                 : "SELECT seq, hash FROM exchange_log_head WHERE id = 1"));
  if (head.empty()) return Internal("exchange_log_head is missing: migrations not applied");
  r.seq = head.Int(0, 0) + 1;
  r.prev_hash = head.Text(0, 1);
  r.hash = EntryHash(r);
  std::string sql = std::string("INSERT INTO exchange_log (") + kColumns + ") ";
  if (pg) sql += "OVERRIDING SYSTEM VALUE ";
  sql +=
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19, $20)";
  OW_RETURN_IF_ERROR(c.Exec(sql, {r.seq,
                                  r.at,
                                  r.consumer_client,
                                  r.consumer_department,
                                  r.provider_department,
                                  r.resource_code,
                                  r.resource_version,
                                  r.subject_kind,
                                  r.subject_key,
                                  r.purpose,
                                  r.legal_basis,
                                  r.case_tracking,
                                  JoinFields(r.fields),
                                  r.outcome,
                                  r.refusal_reason,
                                  r.request_digest,
                                  r.response_digest,
                                  r.response_signature,
                                  r.prev_hash,
                                  r.hash}));
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE exchange_log_head SET seq = $1, hash = $2 WHERE id = 1", {r.seq, r.hash}));
  if (n != 1) return Internal("exchange_log_head was not updated");
  return {};
}

Result<Head> ReadHead(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto h, c.Query("SELECT seq, hash FROM exchange_log_head WHERE id = 1"));
  if (h.empty()) return Internal("exchange_log_head is missing: migrations not applied");
  return Head{h.Int(0, 0), h.Text(0, 1)};
}

Result<std::vector<Record>> Range(db::Connection& c, int64_t from, int64_t to, int64_t limit) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kColumns +
                                             " FROM exchange_log WHERE seq >= $1 AND seq <= $2 "
                                             "ORDER BY seq LIMIT $3",
                                         {from, to, limit}));
  return ToRecords(rows);
}

Result<std::optional<Record>> One(db::Connection& c, int64_t seq) {
  OW_ASSIGN_OR_RETURN(auto rows, Range(c, seq, seq, 1));
  if (rows.empty()) return std::optional<Record>();
  return std::optional<Record>(std::move(rows[0]));
}

Result<std::vector<Record>> Search(db::Connection& c, const Query& q) {
  db::Sql s;
  s.text() = std::string("SELECT ") + kColumns + " FROM exchange_log WHERE 1 = 1";
  if (!q.subject_key.empty()) s.text() += " AND subject_key = " + s.P(q.subject_key);
  if (!q.department.empty()) {
    std::string p = s.P(q.department);
    s.text() += " AND (consumer_department = " + p + " OR provider_department = " + p + ")";
  }
  if (!q.consumer_department.empty())
    s.text() += " AND consumer_department = " + s.P(q.consumer_department);
  if (!q.provider_department.empty())
    s.text() += " AND provider_department = " + s.P(q.provider_department);
  if (!q.resource_code.empty()) s.text() += " AND resource_code = " + s.P(q.resource_code);
  if (!q.outcome.empty()) s.text() += " AND outcome = " + s.P(q.outcome);
  if (!q.case_tracking.empty()) s.text() += " AND case_tracking = " + s.P(q.case_tracking);
  if (!q.consumer_client.empty()) s.text() += " AND consumer_client = " + s.P(q.consumer_client);
  if (!q.from.empty()) s.text() += " AND at >= " + s.P(q.from);
  if (!q.until.empty()) s.text() += " AND at < " + s.P(q.until);
  if (q.before_seq > 0) s.text() += " AND seq < " + s.P(q.before_seq);
  s.text() += " ORDER BY seq DESC LIMIT " + s.P(q.limit);
  OW_ASSIGN_OR_RETURN(auto rows, c.Query(s.text(), s.params()));
  return ToRecords(rows);
}

Result<std::optional<StampRow>> StampCovering(db::Connection& c, int64_t seq) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kStampColumns +
                                             " FROM exchange_log_stamps WHERE head_seq >= $1 "
                                             "ORDER BY head_seq LIMIT 1",
                                         {seq}));
  auto s = ToStamps(rows);
  if (s.empty()) return std::optional<StampRow>();
  return std::optional<StampRow>(std::move(s[0]));
}

Result<std::vector<StampRow>> Stamps(db::Connection& c, int64_t after_head, int64_t limit) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kStampColumns +
                                             " FROM exchange_log_stamps WHERE head_seq > $1 "
                                             "ORDER BY head_seq LIMIT $2",
                                         {after_head, limit}));
  return ToStamps(rows);
}

Status InsertStamp(db::Connection& c, const StampRow& s) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO exchange_log_stamps (head_seq, head_hash, tsa_generation, gen_time, serial, "
      "token, stamped_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {s.head_seq, s.head_hash, s.tsa_generation, s.gen_time, s.serial, db::Blob{s.token},
       s.stamped_at}));
  return {};
}

Result<std::optional<int64_t>> ClaimStamper(db::Connection& c, bool wait) {
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  const char* sql = !pg    ? "SELECT stamped_seq FROM exchange_log_stamper WHERE id = 1"
                    : wait ? "SELECT stamped_seq FROM exchange_log_stamper WHERE id = 1 FOR UPDATE"
                           : "SELECT stamped_seq FROM exchange_log_stamper WHERE id = 1 FOR UPDATE "
                             "SKIP LOCKED";
  OW_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.Int(0, 0));
}

Status SetStamped(db::Connection& c, int64_t seq) {
  OW_ASSIGN_OR_RETURN(auto n,
                      c.Exec("UPDATE exchange_log_stamper SET stamped_seq = $1 WHERE id = 1 AND "
                             "stamped_seq < $1",
                             {seq}));
  if (n != 1) return Conflict("another node time-stamped the log at the same time");
  return {};
}

Result<std::vector<TsaKeyRow>> TsaKeys(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto rows,
                      c.Query("SELECT generation, root_certificate, root_key, root_key_version, "
                              "certificate, private_key, key_version, created_at FROM "
                              "exchange_tsa_keys ORDER BY generation"));
  std::vector<TsaKeyRow> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    out.push_back({rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Int(i, 3),
                   rows.Text(i, 4), rows.Text(i, 5), rows.Int(i, 6), rows.Text(i, 7)});
  }
  return out;
}

Result<bool> InsertTsaKey(db::Connection& c, const TsaKeyRow& k) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("INSERT INTO exchange_tsa_keys (generation, root_certificate, root_key, "
             "root_key_version, certificate, private_key, key_version, created_at) VALUES ($1, $2, "
             "$3, $4, $5, $6, $7, $8) ON CONFLICT (generation) DO NOTHING",
             {k.generation, k.root_certificate, k.root_key, k.root_key_version, k.certificate,
              k.private_key, k.key_version, k.created_at}));
  return n == 1;
}

Result<std::optional<Objection>> FindObjection(db::Connection& c, int64_t seq,
                                               const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT seq, account_id, ticket_number, at FROM "
                                         "exchange_log_objections WHERE seq = $1 AND account_id = "
                                         "$2",
                                         {seq, account_id}));
  if (rows.empty()) return std::optional<Objection>();
  return std::optional<Objection>(
      Objection{rows.Int(0, 0), rows.Text(0, 1), rows.Text(0, 2), rows.Text(0, 3)});
}

Result<bool> InsertObjection(db::Connection& c, const Objection& o) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("INSERT INTO exchange_log_objections (seq, account_id, "
                                     "ticket_number, at) VALUES ($1, $2, $3, $4) ON CONFLICT "
                                     "(seq, account_id) DO NOTHING",
                                     {o.seq, o.account_id, o.ticket_number, o.at}));
  return n == 1;
}

Result<std::vector<Objection>> ObjectionsOf(db::Connection& c, const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT seq, account_id, ticket_number, at FROM "
                                         "exchange_log_objections WHERE account_id = $1",
                                         {account_id}));
  std::vector<Objection> out;
  for (size_t i = 0; i < rows.size(); ++i)
    out.push_back({rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3)});
  return out;
}

}  // namespace ow::exchange_log::internal
