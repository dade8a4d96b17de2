#include "ratings/store.h"

#include <boost/json.hpp>

#include "db/sql.h"

namespace ow::ratings {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // One rating per case and channel: the unique index is the rule, not a read before the
  // write. rating_events is append-only, like case_events; rating_counts is what
  // indicators aggregate, kept in the same transaction as the rating.
  return {db::Portable("ratings/001_init", R"sql(
CREATE TABLE rating_processes (
  version BIGINT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  xml TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE ratings (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  case_no TEXT NOT NULL,
  item_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  service_channel TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('online', 'counter', 'terminal', 'sms', 'hotline')),
  rater_account TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
  reasons TEXT NOT NULL,
  comment TEXT NOT NULL,
  stage TEXT NOT NULL,
  outcome TEXT NOT NULL,
  rectify_days BIGINT NOT NULL,
  due_date {{TEXT_C}} NOT NULL,
  contact_note TEXT NOT NULL,
  result TEXT NOT NULL,
  appeal TEXT NOT NULL,
  instruction TEXT NOT NULL,
  annul_reason TEXT NOT NULL,
  process_version BIGINT NOT NULL,
  instance TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ratings_case_channel ON ratings(case_no, channel);
CREATE INDEX ratings_rater ON ratings(rater_account, id);
CREATE INDEX ratings_stage ON ratings(stage, region_code, due_date);
CREATE TABLE rating_events (
  seq {{ID}},
  rating_id BIGINT NOT NULL REFERENCES ratings(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX rating_events_rating ON rating_events(rating_id, seq);
{{APPEND_ONLY rating_events}}
CREATE TABLE rating_counts (
  day {{TEXT_C}} NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  department_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  level BIGINT NOT NULL,
  ratings BIGINT NOT NULL,
  annulled BIGINT NOT NULL,
  rectified BIGINT NOT NULL,
  PRIMARY KEY (day, region_code, department_code, item_code, channel, level)
);
CREATE TABLE rating_links (
  token_hash TEXT PRIMARY KEY,
  case_no TEXT NOT NULL,
  account TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT NOT NULL
);
CREATE INDEX rating_links_case ON rating_links(case_no);
)sql"),
          // The evaluators' read of a period (InPeriod) walks ratings by the time given.
          db::Portable("ratings/002_created", R"sql(
CREATE INDEX ratings_created ON ratings(created_at, id);
)sql")};
}

namespace store {
namespace {

constexpr const char* kColumns =
    "id, number, case_no, item_code, department_code, region_code, service_channel, channel, "
    "rater_account, registered_by, level, reasons, comment, stage, outcome, rectify_days, "
    "due_date, contact_note, result, appeal, instruction, annul_reason, process_version, "
    "instance, created_at, updated_at, version";

Rating FromRow(const db::Rows& r, size_t i) {
  Rating x;
  size_t k = 0;
  x.id = r.Int(i, k++);
  x.number = r.Text(i, k++);
  x.case_no = r.Text(i, k++);
  x.item_code = r.Text(i, k++);
  x.department_code = r.Text(i, k++);
  x.region_code = r.Text(i, k++);
  x.service_channel = r.Text(i, k++);
  x.channel = r.Text(i, k++);
  x.rater_account = r.Text(i, k++);
  x.registered_by = r.Text(i, k++);
  x.level = r.Int(i, k++);
  boost::system::error_code ec;
  json::value a = json::parse(r.Text(i, k++), ec);
  if (!ec && a.is_array())
    for (const auto& v : a.as_array())
      if (v.is_string()) x.reasons.emplace_back(v.as_string());
  x.comment = r.Text(i, k++);
  x.stage = r.Text(i, k++);
  x.outcome = r.Text(i, k++);
  x.rectify_days = r.Int(i, k++);
  x.due_date = r.Text(i, k++);
  x.contact_note = r.Text(i, k++);
  x.result = r.Text(i, k++);
  x.appeal = r.Text(i, k++);
  x.instruction = r.Text(i, k++);
  x.annul_reason = r.Text(i, k++);
  x.process_version = r.Int(i, k++);
  x.instance = json::parse(r.Text(i, k++), ec);
  if (ec) x.instance = nullptr;
  x.created_at = r.Text(i, k++);
  x.updated_at = r.Text(i, k++);
  x.version = r.Int(i, k++);
  return x;
}

Result<std::vector<Rating>> Many(db::Connection& c, const db::Sql& q) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Rating> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(FromRow(r, i));
  return out;
}

}  // namespace

Result<int64_t> Insert(db::Connection& c, const Rating& x) {
  OW_ASSIGN_OR_RETURN(bool taken, Exists(c, x.case_no, x.channel));
  if (taken) return AlreadyExists("case " + x.case_no + " was already rated through this channel");
  json::array reasons;
  for (const auto& s : x.reasons) reasons.emplace_back(s);
  auto r = c.Query(
      "INSERT INTO ratings (number, case_no, item_code, department_code, region_code, "
      "service_channel, channel, rater_account, registered_by, level, reasons, comment, stage, "
      "outcome, rectify_days, due_date, contact_note, result, appeal, instruction, annul_reason, "
      "process_version, instance, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, '', '', '', '', '', $17, $18, $19, $19, "
      "1) RETURNING id",
      {x.number, x.case_no, x.item_code, x.department_code, x.region_code, x.service_channel,
       x.channel, x.rater_account, x.registered_by, x.level, json::serialize(reasons), x.comment,
       x.stage, x.outcome, x.rectify_days, x.due_date, x.process_version,
       json::serialize(x.instance), x.created_at});
  // A racing rating of the same case and channel loses on the unique index.
  if (!r && r.error().code == Code::kAlreadyExists)
    return AlreadyExists("case " + x.case_no + " was already rated through this channel");
  if (!r) return r.error();
  return r->Int(0, 0);
}

Result<bool> Exists(db::Connection& c, const std::string& case_no, const std::string& channel) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT 1 FROM ratings WHERE case_no = $1 AND channel = $2",
                                      {case_no, channel}));
  return !r.empty();
}

Result<std::optional<Rating>> Load(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kColumns + " FROM ratings WHERE number = $1", {number}));
  if (r.empty()) return std::optional<Rating>();
  return std::optional<Rating>(FromRow(r, 0));
}

Result<bool> Lock(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE ratings SET version = version + 1 WHERE number = $1", {number}));
  return n == 1;
}

Status Save(db::Connection& c, const Rating& x) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE ratings SET stage = $1, outcome = $2, due_date = $3, "
             "contact_note = $4, result = $5, appeal = $6, instruction = $7, "
             "annul_reason = $8, instance = $9, updated_at = $10 WHERE id = $11",
             {x.stage, x.outcome, x.due_date, x.contact_note, x.result, x.appeal, x.instruction,
              x.annul_reason, json::serialize(x.instance), x.updated_at, x.id}));
  if (n != 1) return Internal("rating " + x.number + " vanished while saved");
  return {};
}

Status AddEvent(db::Connection& c, int64_t rating_id, const Event& e) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO rating_events (rating_id, at, actor, action, note) VALUES ($1, $2, $3, $4, $5)",
      {rating_id, e.at, e.actor, e.action, e.note}));
  return {};
}

Result<std::vector<Event>> Events(db::Connection& c, int64_t rating_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT seq, at, actor, action, note FROM rating_events "
                                      "WHERE rating_id = $1 ORDER BY seq",
                                      {rating_id}));
  std::vector<Event> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Result<std::vector<Rating>> ByRater(db::Connection& c, const std::string& account, int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns +
             " FROM ratings WHERE rater_account = " + q.P(account) + " ORDER BY id DESC LIMIT " +
             q.P(int64_t{limit});
  return Many(c, q);
}

Result<std::vector<Rating>> ByCase(db::Connection& c, const std::string& case_no) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns + " FROM ratings WHERE case_no = " + q.P(case_no) +
             " ORDER BY id";
  return Many(c, q);
}

Result<std::vector<Rating>> AtStage(db::Connection& c, const std::string& stage,
                                    const std::string& department, const std::string& region,
                                    int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns + " FROM ratings WHERE stage = " + q.P(stage) +
             " AND region_code LIKE " + q.P(region + "%");
  if (!department.empty()) q.text() += " AND department_code = " + q.P(department);
  q.text() += " ORDER BY due_date, id LIMIT " + q.P(int64_t{limit});
  return Many(c, q);
}

Result<std::vector<Rating>> InPeriod(db::Connection& c, const std::string& region,
                                     const std::string& from_at, const std::string& to_at,
                                     int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns + " FROM ratings WHERE region_code LIKE " +
             q.P(region + "%") + " AND created_at >= " + q.P(from_at) + " AND created_at < " +
             q.P(to_at) + " ORDER BY created_at, id LIMIT " + q.P(int64_t{limit});
  return Many(c, q);
}

Status Count(db::Connection& c, const CountDelta& d) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO rating_counts (day, region_code, department_code, item_code, channel, level, "
      "ratings, annulled, rectified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (day, region_code, department_code, item_code, channel, level) DO UPDATE SET "
      "ratings = rating_counts.ratings + excluded.ratings, "
      "annulled = rating_counts.annulled + excluded.annulled, "
      "rectified = rating_counts.rectified + excluded.rectified",
      {d.day, d.region_code, d.department_code, d.item_code, d.channel, d.level, d.ratings,
       d.annulled, d.rectified}));
  return {};
}

Status InsertLink(db::Connection& c, const std::string& token_hash, const std::string& case_no,
                  const std::string& account, const std::string& created_at,
                  const std::string& expires_at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO rating_links (token_hash, case_no, account, created_at, "
             "expires_at, used_at) VALUES ($1, $2, $3, $4, $5, '')",
             {token_hash, case_no, account, created_at, expires_at}));
  return {};
}

Result<std::optional<Link>> PeekLink(db::Connection& c, const std::string& token_hash,
                                     const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT case_no, account FROM rating_links WHERE "
                                      "token_hash = $1 AND used_at = '' AND expires_at > $2",
                                      {token_hash, now}));
  if (r.empty()) return std::optional<Link>();
  return std::optional<Link>(Link{r.Text(0, 0), r.Text(0, 1)});
}

Result<std::optional<Link>> ClaimLink(db::Connection& c, const std::string& token_hash,
                                      const std::string& now) {
  // The conditional update is the claim: of two requests with one token, one changes the row.
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE rating_links SET used_at = $1 WHERE token_hash = $2 "
                                     "AND used_at = '' AND expires_at > $1",
                                     {now, token_hash}));
  if (n != 1) return std::optional<Link>();
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT case_no, account FROM rating_links WHERE "
                                      "token_hash = $1",
                                      {token_hash}));
  if (r.empty()) return std::optional<Link>();
  return std::optional<Link>(Link{r.Text(0, 0), r.Text(0, 1)});
}

Result<int64_t> ProcessVersion(db::Connection& c, const std::string& sha256, const std::string& xml,
                               const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT version FROM rating_processes WHERE sha256 = $1", {sha256}));
  if (!r.empty()) return r.Int(0, 0);
  OW_ASSIGN_OR_RETURN(auto m, c.Query("SELECT COALESCE(MAX(version), 0) FROM rating_processes"));
  int64_t next = m.Int(0, 0) + 1;
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO rating_processes (version, sha256, xml, created_at) VALUES ($1, $2, $3, $4)",
      {next, sha256, xml, at}));
  return next;
}

Result<std::optional<std::string>> ProcessXml(db::Connection& c, int64_t version) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT xml FROM rating_processes WHERE version = $1", {version}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

}  // namespace store
}  // namespace ow::ratings
