#include "audit/audit.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "audit/store.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "db/sql.h"

namespace ow::audit {
namespace json = boost::json;

namespace {

bool IsLower(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

// [a-z_]+(\.[a-z_]+)+ when `prefix` is false; [a-z_]+(\.[a-z_]+)*\. when true.
bool ValidAction(std::string_view a, bool prefix) {
  if (a.empty() || a.size() > 64) return false;
  size_t dots = 0;
  bool segment = false;  // the current segment has a character
  for (char c : a) {
    if (c == '.') {
      if (!segment) return false;
      ++dots;
      segment = false;
    } else if (IsLower(c)) {
      segment = true;
    } else {
      return false;
    }
  }
  return prefix ? !segment : segment && dots > 0;
}

bool ValidOutcome(std::string_view o) { return o == "success" || o == "failure" || o == "denied"; }

// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds.
std::string FormatMillis(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

std::vector<db::Migration> Migrations() {
  // Both stores compare bytes: SQLite's default BINARY collation, and COLLATE "C" on
  // PostgreSQL, so that the range scans for an action prefix and for time are exact
  // whatever the database's locale is.
  std::string table = R"sql(
CREATE TABLE audit_log (
  seq {{SEQ}},
  at {{TEXT_C}} NOT NULL,
  action {{TEXT_C}} NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  outcome TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_subject ON audit_log(subject, seq);
CREATE INDEX audit_log_at ON audit_log(at, seq);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'GENESIS');
)sql";
  table = text::ReplaceAll(table, "GENESIS", kGenesisHash);
  table += "{{APPEND_ONLY audit_log}}";
  db::Migration m = db::Portable("audit/001_init", table);
  // The head only moves forward: a refused change is kConflict on both stores.
  m.sqlite += R"sql(
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq <= OLD.seq
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
)sql";
  m.postgres += R"sql(
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_head only moves forward' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward();
)sql";
  // Retention: checkpoints of pruned prefixes of the chain; a record may be deleted only
  // once a checkpoint covers it.
  db::Migration retention = db::Portable("audit/002_retention", R"sql(
CREATE TABLE audit_checkpoints (
  through_seq BIGINT PRIMARY KEY,
  hash TEXT NOT NULL,
  last_at TEXT NOT NULL,
  pruned BIGINT NOT NULL,
  pruned_at TEXT NOT NULL
);
{{APPEND_ONLY audit_checkpoints}}
)sql");
  retention.sqlite += R"sql(
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT COALESCE(MAX(through_seq), 0) FROM audit_checkpoints)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";
  retention.postgres += R"sql(
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.seq <= (SELECT COALESCE(MAX(through_seq), 0) FROM audit_checkpoints) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
)sql";
  return {m, retention};
}

std::string CanonicalForm(const Record& r) {
  std::string out;
  auto field = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
    out += '\n';
  };
  field(std::to_string(r.seq));
  field(r.at);
  field(r.action);
  field(r.actor);
  field(r.subject);
  field(r.outcome);
  field(r.ip);
  field(r.request_id);
  field(r.detail_json);
  return out;
}

std::string RecordHash(const Record& r) {
  crypto::Sha256Hasher h;
  h.Update(r.prev_hash);
  h.Update("\n");
  h.Update(CanonicalForm(r));
  return crypto::HexEncode(h.Finish());
}

namespace internal {
namespace {

// Untrusted text made storable: bad bytes become U+FFFD, and the result is cut to
// kMaxFieldBytes at a character boundary. A failed login must be recorded whatever
// the user typed.
std::string Clean(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(std::min(s.size(), kMaxFieldBytes));
  for (size_t i = 0; i < s.size();) {
    size_t at = i;
    auto cp = text::DecodeUtf8(s, i);
    // NUL is replaced too: it ends C strings in log tools.
    std::string_view piece = cp && *cp != 0 ? s.substr(at, i - at) : kReplacement;
    if (out.size() + piece.size() > kMaxFieldBytes) break;
    out += piece;
  }
  return out;
}

}  // namespace

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  return FormatMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

Result<Record> Stamp(Event e) {
  Validator v;
  if (!ValidAction(e.action, false))
    v.Add("action", "must be dotted lower-case words like login.failed, at most 64 bytes");
  if (!ValidOutcome(e.outcome)) v.Add("outcome", "must be success, failure or denied");
  std::string detail = json::serialize(e.detail);
  if (detail.size() > kMaxDetailBytes || !text::IsValidUtf8(detail)) {
    v.Add("detail",
          "must be valid UTF-8 of at most " + std::to_string(kMaxDetailBytes) + " bytes as JSON");
  }
  OW_RETURN_IF_ERROR(v.Finish("audit event"));
  Record r;
  r.action = std::move(e.action);
  r.actor = Clean(e.actor);
  r.subject = Clean(e.subject);
  r.outcome = std::move(e.outcome);
  r.ip = Clean(e.ip);
  r.request_id = Clean(e.request_id);
  r.detail = std::move(e.detail);
  r.detail_json = std::move(detail);
  r.at = NowUtc();
  return r;
}

namespace {

// INSERT of `rows` records. seq is given explicitly (it is hashed, so it must be
// known before the insert); PostgreSQL's GENERATED ALWAYS wants that said out loud.
const std::string& InsertSql(bool pg, size_t rows) {
  auto build = [](bool postgres, size_t n) {
    std::string sql =
        "INSERT INTO audit_log (seq, at, action, actor, subject, outcome, ip, request_id, detail, "
        "prev_hash, hash) ";
    if (postgres) sql += "OVERRIDING SYSTEM VALUE ";
    sql += "VALUES ";
    for (size_t i = 0; i < n; ++i) {
      sql += i ? ", (" : "(";
      for (size_t k = 1; k <= 11; ++k) {
        sql += "$" + std::to_string(i * 11 + k);
        sql += k < 11 ? ", " : ")";
      }
    }
    return sql;
  };
  static const std::string kSqlite[] = {build(false, 1), build(false, 10), build(false, 100)};
  static const std::string kPostgres[] = {build(true, 1), build(true, 10), build(true, 100)};
  size_t i = rows == 100 ? 2 : rows == 10 ? 1 : 0;
  assert(rows == 1 || rows == 10 || rows == 100);
  return pg ? kPostgres[i] : kSqlite[i];
}

}  // namespace

Status AppendRecords(db::Connection& c, std::vector<Record>& records) {
  if (records.empty()) return {};
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  // The lock on the head row is what orders concurrent appenders on PostgreSQL: it
  // is held until the caller's transaction ends, and seq is taken under it, so seq
  // order is chain order and a rolled-back append leaves no gap.
  OW_ASSIGN_OR_RETURN(auto head, c.Query(pg ? "SELECT seq, hash FROM audit_head WHERE id = 1 "
                                              "FOR UPDATE"
                                            : "SELECT seq, hash FROM audit_head WHERE id = 1"));
  if (head.empty()) return Internal("audit_head is missing: audit migrations not applied");
  int64_t seq = head.Int(0, 0);
  std::string prev = head.Text(0, 1);
  for (Record& r : records) {
    r.seq = ++seq;
    r.prev_hash = prev;
    r.hash = RecordHash(r);
    prev = r.hash;
  }
  // Rows go in statements of 100, 10 and 1 rows: few round trips while the head is
  // locked, and only three statement texts for each connection to prepare.
  for (size_t done = 0; done < records.size();) {
    size_t left = records.size() - done;
    size_t rows = left >= 100 ? 100 : left >= 10 ? 10 : 1;
    std::vector<db::Value> params;
    params.reserve(rows * 11);
    for (size_t i = done; i < done + rows; ++i) {
      const Record& r = records[i];
      for (db::Value v :
           {db::Value(r.seq), db::Value(r.at), db::Value(r.action), db::Value(r.actor),
            db::Value(r.subject), db::Value(r.outcome), db::Value(r.ip), db::Value(r.request_id),
            db::Value(r.detail_json), db::Value(r.prev_hash), db::Value(r.hash)}) {
        params.push_back(std::move(v));
      }
    }
    OW_RETURN_IF_ERROR(c.Exec(InsertSql(pg, rows), params));
    done += rows;
  }
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", {seq, prev}));
  if (n != 1) return Internal("audit_head was not updated");
  return {};
}

}  // namespace internal

Status Append(db::Connection& c, const Event& e) {
  OW_ASSIGN_OR_RETURN(Record r, internal::Stamp(e));
  std::vector<Record> one;
  one.push_back(std::move(r));
  return internal::AppendRecords(c, one);
}

namespace {

constexpr const char* kColumns =
    "seq, at, action, actor, subject, outcome, ip, request_id, detail, prev_hash, hash";

std::vector<Record> ToRecords(const db::Rows& rows) {
  std::vector<Record> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    Record r;
    r.seq = rows.Int(i, 0);
    r.at = rows.Text(i, 1);
    r.action = rows.Text(i, 2);
    r.actor = rows.Text(i, 3);
    r.subject = rows.Text(i, 4);
    r.outcome = rows.Text(i, 5);
    r.ip = rows.Text(i, 6);
    r.request_id = rows.Text(i, 7);
    r.detail_json = rows.Text(i, 8);
    boost::system::error_code ec;
    json::value v = json::parse(r.detail_json, ec);
    if (!ec && v.is_object()) r.detail = std::move(v.as_object());
    r.prev_hash = rows.Text(i, 9);
    r.hash = rows.Text(i, 10);
    out.push_back(std::move(r));
  }
  return out;
}

bool Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// An RFC 3339 date-time ("2025-03-01T10:30:00+08:00", fraction optional) as the
// stored form: UTC with milliseconds, rounded up to the next millisecond, which
// keeps both `>= since` and `< until` exact against millisecond timestamps.
std::optional<std::string> NormalizeTime(std::string_view s) {
  if (s.size() < 20 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2) || s[13] != ':' ||
      !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = Num(s, 0, 4) - 1900;
  tm.tm_mon = Num(s, 5, 2) - 1;
  tm.tm_mday = Num(s, 8, 2);
  tm.tm_hour = Num(s, 11, 2);
  tm.tm_min = Num(s, 14, 2);
  tm.tm_sec = Num(s, 17, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > kDays[tm.tm_mon] ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t ms = 0;
  bool extra = false;  // nonzero digits beyond milliseconds
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      size_t k = i - start;
      if (k < 3) {
        ms = ms * 10 + (s[i] - '0');
      } else if (s[i] != '0') {
        extra = true;
      }
      ++i;
    }
    if (i == start) return std::nullopt;
    for (size_t k = i - start; k < 3; ++k) ms *= 10;
  }
  int offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && Digits(s, i + 1, 2) &&
             s[i + 3] == ':' && Digits(s, i + 4, 2)) {
    int h = Num(s, i + 1, 2), m = Num(s, i + 4, 2);
    if (h > 23 || m > 59) return std::nullopt;
    offset_min = (s[i] == '+' ? 1 : -1) * (h * 60 + m);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  int64_t total =
      (static_cast<int64_t>(t) - int64_t{offset_min} * 60) * 1000 + ms + (extra ? 1 : 0);
  if (total < 0) return std::nullopt;
  if (total >= int64_t{253402300800} * 1000) return std::nullopt;  // year 10000
  return FormatMillis(total);
}

std::string EncodeCursor(int64_t seq) { return text::Base64UrlEncode(std::to_string(seq)); }

std::optional<int64_t> DecodeCursor(std::string_view cursor) {
  auto raw = text::Base64UrlDecode(cursor);
  if (!raw) return std::nullopt;
  auto n = text::ParseInt(*raw, 1, INT64_MAX);
  if (!n) return std::nullopt;
  return static_cast<int64_t>(*n);
}

using db::Sql;

}  // namespace

Result<Page> List(db::Database& db, const Filter& f) {
  Validator v;
  bool prefix = !f.action.empty() && f.action.back() == '.';
  if (!f.action.empty() && !ValidAction(f.action, prefix))
    v.Add("action", "must be an action like login.failed or a prefix ending in '.' like login.");
  if (!f.outcome.empty() && !ValidOutcome(f.outcome))
    v.Add("outcome", "must be success, failure or denied");
  // Longer values than are ever stored are allowed: they simply match nothing.
  if (!text::IsValidUtf8(f.actor)) v.Add("actor", "must be valid UTF-8");
  if (!text::IsValidUtf8(f.subject)) v.Add("subject", "must be valid UTF-8");
  std::optional<std::string> since, until;
  if (!f.since.empty() && !(since = NormalizeTime(f.since)))
    v.Add("since", "must be an RFC 3339 date-time such as 2025-03-01T10:30:00+08:00");
  if (!f.until.empty() && !(until = NormalizeTime(f.until)))
    v.Add("until", "must be an RFC 3339 date-time such as 2025-03-01T10:30:00+08:00");
  if (f.limit < 1 || f.limit > 200) v.Add("limit", "must be an integer from 1 to 200");
  std::optional<int64_t> before;
  if (!f.cursor.empty() && !(before = DecodeCursor(f.cursor)))
    v.Add("cursor", "is not a cursor this API returned");
  OW_RETURN_IF_ERROR(v.Finish("query"));

  Sql q;
  q.text() = std::string("SELECT ") + kColumns + " FROM audit_log WHERE 1 = 1";
  if (!f.actor.empty()) q.text() += " AND actor = " + q.P(f.actor);
  if (!f.action.empty() && !prefix) q.text() += " AND action = " + q.P(f.action);
  if (prefix) {
    // "login." .. "login/": '/' follows '.' in byte order, so this range is exactly the
    // actions starting with the prefix, and it can use the index.
    std::string upper = f.action;
    upper.back() = '/';
    q.text() += " AND action >= " + q.P(f.action);
    q.text() += " AND action < " + q.P(upper);
  }
  if (!f.subject.empty()) q.text() += " AND subject = " + q.P(f.subject);
  if (!f.outcome.empty()) q.text() += " AND outcome = " + q.P(f.outcome);
  if (since) q.text() += " AND at >= " + q.P(*since);
  if (until) q.text() += " AND at < " + q.P(*until);
  if (before) q.text() += " AND seq < " + q.P(*before);
  q.text() += " ORDER BY seq DESC LIMIT " + q.P(int64_t{f.limit} + 1);

  Page page;
  OW_RETURN_IF_ERROR(db.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, c.Query(q.text(), q.params()));
    page.records = ToRecords(rows);
    return {};
  }));
  if (page.records.size() > static_cast<size_t>(f.limit)) {
    page.records.pop_back();
    page.next_cursor = EncodeCursor(page.records.back().seq);
  }
  return page;
}

Result<ChainCheck> VerifyChain(db::Database& db, int64_t from) {
  if (from < 1) return InvalidArgument("from must be at least 1");
  constexpr int64_t kBatch = 1000;
  ChainCheck check;
  auto bad = [&check](int64_t seq, std::string problem) {
    check.ok = false;
    check.first_bad_seq = seq;
    check.problem = std::move(problem);
    return check;
  };

  int64_t head_seq = 0;
  std::string head_hash, prev = kGenesisHash;
  bool anchor_found = from == 1;
  OW_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto h, c.Query("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (h.empty()) return Internal("audit_head is missing: audit migrations not applied");
    head_seq = h.Int(0, 0);
    head_hash = h.Text(0, 1);
    OW_ASSIGN_OR_RETURN(auto cp, c.Query("SELECT through_seq, hash FROM audit_checkpoints "
                                         "ORDER BY through_seq DESC LIMIT 1"));
    if (!cp.empty()) {
      check.pruned_through = cp.Int(0, 0);
      if (from <= check.pruned_through + 1) {
        from = check.pruned_through + 1;
        prev = cp.Text(0, 1);
        anchor_found = true;
        return {};
      }
    }
    if (from > 1) {
      OW_ASSIGN_OR_RETURN(auto a, c.Query("SELECT hash FROM audit_log WHERE seq = $1", {from - 1}));
      if (!a.empty()) {
        anchor_found = true;
        prev = a.Text(0, 0);
      }
    }
    return {};
  }));
  if (from > head_seq) {
    // Everything was pruned: the checkpoint is the head.
    if (check.pruned_through > 0 && check.pruned_through == head_seq && prev != head_hash)
      return bad(head_seq, "hash does not match audit_head");
    return check;
  }
  if (!anchor_found) return bad(from - 1, "record is missing");

  int64_t expected = from;
  while (expected <= head_seq) {
    std::vector<Record> batch;
    OW_RETURN_IF_ERROR(db.ReadOneStatement([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto rows,
                          c.Query(std::string("SELECT ") + kColumns +
                                      " FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq "
                                      "LIMIT $3",
                                  {expected, head_seq, kBatch}));
      batch = ToRecords(rows);
      return {};
    }));
    if (batch.empty()) return bad(expected, "record is missing");
    for (const Record& r : batch) {
      if (r.seq != expected) return bad(expected, "record is missing");
      if (r.prev_hash != prev) return bad(r.seq, "prev_hash does not match the previous record");
      ++check.checked;
      if (RecordHash(r) != r.hash) return bad(r.seq, "hash does not match the record's fields");
      prev = r.hash;
      ++expected;
    }
  }
  if (prev != head_hash) return bad(head_seq, "hash does not match audit_head");
  return check;
}

Result<PruneResult> Prune(db::Database& db, std::chrono::system_clock::time_point before,
                          int64_t max_records) {
  if (max_records < 1) return InvalidArgument("max_records must be at least 1");
  const std::string cutoff = FormatMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count());
  PruneResult out;
  OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
    out = {};
    const bool pg = c.dialect() == db::Dialect::kPostgres;
    // The head's lock keeps appenders out while the prefix is cut (SQLite's writer lock
    // does the same).
    OW_ASSIGN_OR_RETURN(auto head, c.Query(pg ? "SELECT seq FROM audit_head WHERE id = 1 FOR "
                                                "UPDATE"
                                              : "SELECT seq FROM audit_head WHERE id = 1"));
    if (head.empty()) return Internal("audit_head is missing: audit migrations not applied");
    const int64_t head_seq = head.Int(0, 0);
    OW_ASSIGN_OR_RETURN(auto cp,
                        c.Query("SELECT COALESCE(MAX(through_seq), 0) FROM audit_checkpoints"));
    const int64_t pruned = cp.Int(0, 0);
    out.through_seq = pruned;
    int64_t upper = std::min(head_seq, pruned + max_records);
    if (upper <= pruned) return {};
    // The first record in the window that is young enough to keep: nothing from it on
    // goes, even when older records follow it (the writer stamps before it appends).
    OW_ASSIGN_OR_RETURN(auto young, c.Query("SELECT MIN(seq) FROM audit_log WHERE seq > $1 AND "
                                            "seq <= $2 AND at >= $3",
                                            {pruned, upper, cutoff}));
    if (!young.IsNull(0, 0)) upper = young.Int(0, 0) - 1;
    if (upper <= pruned) return {};
    OW_ASSIGN_OR_RETURN(auto last,
                        c.Query("SELECT hash, at FROM audit_log WHERE seq = $1", {upper}));
    if (last.empty()) return Internal("audit record " + std::to_string(upper) + " is missing");
    const std::string hash = last.Text(0, 0);
    const int64_t count = upper - pruned;
    OW_RETURN_IF_ERROR(c.Exec(
        "INSERT INTO audit_checkpoints (through_seq, hash, last_at, pruned, pruned_at) VALUES "
        "($1, $2, $3, $4, $5)",
        {upper, hash, last.Text(0, 1), count, internal::NowUtc()}));
    OW_ASSIGN_OR_RETURN(
        int64_t n, c.Exec("DELETE FROM audit_log WHERE seq > $1 AND seq <= $2", {pruned, upper}));
    if (n != count) return Internal("audit prune found a gap in the chain");
    Event e;
    e.action = "audit.pruned";
    e.actor = "system";
    e.outcome = "success";
    e.detail = {{"through_seq", upper}, {"hash", hash}, {"pruned", count}, {"before", cutoff}};
    OW_ASSIGN_OR_RETURN(Record r, internal::Stamp(std::move(e)));
    std::vector<Record> one;
    one.push_back(std::move(r));
    OW_RETURN_IF_ERROR(internal::AppendRecords(c, one));
    out.pruned = count;
    out.through_seq = upper;
    return {};
  }));
  return out;
}

}  // namespace ow::audit
