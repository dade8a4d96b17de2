#include "tickets/store.h"

#include <boost/json.hpp>

#include "db/sql.h"

namespace ow::tickets {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // Regions and dates are {{TEXT_C}}: compared bytewise, so prefixes and due dates order
  // alike on both stores. ticket_events is append-only, like case_events.
  return {db::Portable("tickets/001_init", R"sql(
CREATE TABLE ticket_processes (
  version BIGINT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  xml TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE tickets (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('consult', 'complaint', 'suggestion')),
  channel TEXT NOT NULL CHECK (channel IN ('online', 'hall', 'hotline')),
  asker_account TEXT NOT NULL,
  asker_name TEXT NOT NULL,
  asker_phone TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  item_code TEXT NOT NULL,
  case_no TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  body TEXT NOT NULL,
  attachments TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
  stage TEXT NOT NULL,
  escalation_level BIGINT NOT NULL,
  instruction TEXT NOT NULL,
  deadline_days BIGINT NOT NULL,
  due_date {{TEXT_C}} NOT NULL,
  answer TEXT NOT NULL,
  answered_by TEXT NOT NULL,
  answered_at TEXT NOT NULL,
  rating BIGINT NOT NULL,
  rating_comment TEXT NOT NULL,
  rated_at TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  process_version BIGINT NOT NULL REFERENCES ticket_processes(version),
  instance TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX tickets_asker ON tickets(asker_account, id);
CREATE INDEX tickets_open ON tickets(status, stage, region_code, due_date);
CREATE TABLE ticket_events (
  seq {{ID}},
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, seq);
CREATE TABLE ticket_attachments (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  material_id TEXT NOT NULL,
  PRIMARY KEY (ticket_id, material_id)
);
CREATE INDEX ticket_attachments_material ON ticket_attachments(material_id);
{{APPEND_ONLY ticket_events}}
CREATE TABLE faq_entries (
  id {{ID}},
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  item_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  department_code TEXT NOT NULL,
  ticket_number TEXT NOT NULL,
  published BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE TABLE faq_terms (
  term {{TEXT_C}} NOT NULL,
  faq_id BIGINT NOT NULL REFERENCES faq_entries(id),
  PRIMARY KEY (term, faq_id)
);
CREATE INDEX faq_terms_entry ON faq_terms(faq_id);
)sql")};
}

namespace store {
namespace {

constexpr const char* kColumns =
    "id, number, kind, channel, asker_account, asker_name, asker_phone, item_code, case_no, "
    "department_code, region_code, body, attachments, status, stage, escalation_level, "
    "instruction, deadline_days, due_date, answer, answered_by, answered_at, rating, "
    "rating_comment, rated_at, registered_by, process_version, instance, created_at, "
    "updated_at, version";

Ticket FromRow(const db::Rows& r, size_t i) {
  Ticket t;
  size_t k = 0;
  t.id = r.Int(i, k++);
  t.number = r.Text(i, k++);
  t.kind = r.Text(i, k++);
  t.channel = r.Text(i, k++);
  t.asker_account = r.Text(i, k++);
  t.asker_name = r.Text(i, k++);
  t.asker_phone = r.Text(i, k++);
  t.item_code = r.Text(i, k++);
  t.case_no = r.Text(i, k++);
  t.department_code = r.Text(i, k++);
  t.region_code = r.Text(i, k++);
  t.text = r.Text(i, k++);
  boost::system::error_code ec;
  json::value a = json::parse(r.Text(i, k++), ec);
  if (!ec && a.is_array())
    for (const auto& x : a.as_array())
      if (x.is_string()) t.attachments.emplace_back(x.as_string());
  t.status = r.Text(i, k++);
  t.stage = r.Text(i, k++);
  t.escalation_level = r.Int(i, k++);
  t.instruction = r.Text(i, k++);
  t.deadline_days = r.Int(i, k++);
  t.due_date = r.Text(i, k++);
  t.answer = r.Text(i, k++);
  t.answered_by = r.Text(i, k++);
  t.answered_at = r.Text(i, k++);
  t.rating = r.Int(i, k++);
  t.rating_comment = r.Text(i, k++);
  t.rated_at = r.Text(i, k++);
  t.registered_by = r.Text(i, k++);
  t.process_version = r.Int(i, k++);
  t.instance = json::parse(r.Text(i, k++), ec);
  if (ec) t.instance = nullptr;
  t.created_at = r.Text(i, k++);
  t.updated_at = r.Text(i, k++);
  t.version = r.Int(i, k++);
  return t;
}

std::string Attachments(const Ticket& t) {
  json::array a;
  for (const auto& id : t.attachments) a.emplace_back(id);
  return json::serialize(a);
}

Result<std::vector<Ticket>> Many(db::Connection& c, const db::Sql& q) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Ticket> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(FromRow(r, i));
  return out;
}

constexpr const char* kFaqColumns =
    "id, question, answer, item_code, region_code, department_code, ticket_number, published, "
    "created_by, created_at, updated_at, version";

Faq FaqFromRow(const db::Rows& r, size_t i) {
  Faq f;
  f.id = r.Int(i, 0);
  f.question = r.Text(i, 1);
  f.answer = r.Text(i, 2);
  f.item_code = r.Text(i, 3);
  f.region_code = r.Text(i, 4);
  f.department_code = r.Text(i, 5);
  f.ticket_number = r.Text(i, 6);
  f.published = r.Int(i, 7) != 0;
  f.created_by = r.Text(i, 8);
  f.created_at = r.Text(i, 9);
  f.updated_at = r.Text(i, 10);
  f.version = r.Int(i, 11);
  return f;
}

}  // namespace

Result<int64_t> Insert(db::Connection& c, const Ticket& t) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query("INSERT INTO tickets (number, kind, channel, asker_account, asker_name, "
              "asker_phone, code_hash, item_code, case_no, department_code, region_code, body, "
              "attachments, status, stage, escalation_level, instruction, deadline_days, "
              "due_date, answer, answered_by, answered_at, rating, rating_comment, rated_at, "
              "registered_by, process_version, instance, created_at, updated_at, version) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, '', "
              "$16, $17, '', '', '', 0, '', '', $18, $19, $20, $21, $21, 1) RETURNING id",
              {t.number,          t.kind,
               t.channel,         t.asker_account,
               t.asker_name,      t.asker_phone,
               std::string(),     t.item_code,
               t.case_no,         t.department_code,
               t.region_code,     t.text,
               Attachments(t),    t.status,
               t.stage,           t.deadline_days,
               t.due_date,        t.registered_by,
               t.process_version, json::serialize(t.instance),
               t.created_at}));
  return r.Int(0, 0);
}

Status AddAttachments(db::Connection& c, int64_t ticket_id, const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO ticket_attachments (ticket_id, material_id) VALUES ($1, $2) "
               "ON CONFLICT DO NOTHING",
               {ticket_id, id}));
  return {};
}

Result<std::vector<Ticket>> WithMaterial(db::Connection& c, const std::string& material_id) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns +
             " FROM tickets WHERE id IN (SELECT ticket_id FROM ticket_attachments WHERE "
             "material_id = " +
             q.P(material_id) + ") ORDER BY id LIMIT 50";
  return Many(c, q);
}

Status SetCodeHash(db::Connection& c, int64_t id, const std::string& hash) {
  OW_RETURN_IF_ERROR(c.Exec("UPDATE tickets SET code_hash = $1 WHERE id = $2", {hash, id}));
  return {};
}

Result<std::string> CodeHash(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT code_hash FROM tickets WHERE number = $1", {number}));
  return r.empty() ? std::string() : r.Text(0, 0);
}

Result<bool> Lock(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE tickets SET version = version + 1 WHERE number = $1", {number}));
  return n == 1;
}

Result<bool> LockOverdue(db::Connection& c, const std::string& number,
                         const std::string& due_before) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE tickets SET version = version + 1 WHERE number = $1 "
                                     "AND status = 'open' AND stage = 'department' AND "
                                     "due_date < $2",
                                     {number, due_before}));
  return n == 1;
}

Result<std::optional<Ticket>> Load(db::Connection& c, const std::string& number) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kColumns + " FROM tickets WHERE number = $1", {number}));
  if (r.empty()) return std::optional<Ticket>();
  return std::optional<Ticket>(FromRow(r, 0));
}

Status Save(db::Connection& c, const Ticket& t) {
  OW_ASSIGN_OR_RETURN(
      auto n,
      c.Exec("UPDATE tickets SET status = $1, stage = $2, escalation_level = $3, "
             "instruction = $4, due_date = $5, answer = $6, answered_by = $7, answered_at = $8, "
             "rating = $9, rating_comment = $10, rated_at = $11, instance = $12, "
             "updated_at = $13 WHERE id = $14",
             {t.status, t.stage, t.escalation_level, t.instruction, t.due_date, t.answer,
              t.answered_by, t.answered_at, t.rating, t.rating_comment, t.rated_at,
              json::serialize(t.instance), t.updated_at, t.id}));
  if (n != 1) return Internal("ticket " + t.number + " vanished while saved");
  return {};
}

Status AddEvent(db::Connection& c, int64_t ticket_id, const Event& e) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO ticket_events (ticket_id, at, actor, action, note) VALUES ($1, $2, $3, $4, $5)",
      {ticket_id, e.at, e.actor, e.action, e.note}));
  return {};
}

Result<std::vector<Event>> Events(db::Connection& c, int64_t ticket_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT seq, at, actor, action, note FROM ticket_events "
                                      "WHERE ticket_id = $1 ORDER BY seq",
                                      {ticket_id}));
  std::vector<Event> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Result<std::vector<Ticket>> ByAsker(db::Connection& c, const std::string& account, int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns +
             " FROM tickets WHERE asker_account = " + q.P(account) + " ORDER BY id DESC LIMIT " +
             q.P(int64_t{limit});
  return Many(c, q);
}

Result<std::vector<Ticket>> Open(db::Connection& c, const std::string& stage,
                                 const std::string& department, const std::string& region,
                                 int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kColumns +
             " FROM tickets WHERE status = 'open' AND stage = " + q.P(stage) +
             " AND region_code LIKE " + q.P(region + "%");
  if (!department.empty()) q.text() += " AND department_code = " + q.P(department);
  q.text() += " ORDER BY due_date, id LIMIT " + q.P(int64_t{limit});
  return Many(c, q);
}

Result<std::vector<std::string>> Overdue(db::Connection& c, const std::string& due_before,
                                         int limit) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT number FROM tickets WHERE status = 'open' AND "
                                      "stage = 'department' AND due_date < $1 ORDER BY due_date, "
                                      "id LIMIT $2",
                                      {due_before, int64_t{limit}}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

Result<int64_t> ProcessVersion(db::Connection& c, const std::string& sha256, const std::string& xml,
                               const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT version FROM ticket_processes WHERE sha256 = $1", {sha256}));
  if (!r.empty()) return r.Int(0, 0);
  OW_ASSIGN_OR_RETURN(auto m, c.Query("SELECT COALESCE(MAX(version), 0) FROM ticket_processes"));
  int64_t next = m.Int(0, 0) + 1;
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO ticket_processes (version, sha256, xml, created_at) VALUES ($1, $2, $3, $4)",
      {next, sha256, xml, at}));
  return next;
}

Result<std::optional<std::string>> ProcessXml(db::Connection& c, int64_t version) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT xml FROM ticket_processes WHERE version = $1", {version}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Text(0, 0));
}

Result<int64_t> InsertFaq(db::Connection& c, const Faq& f) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("INSERT INTO faq_entries (question, answer, item_code, region_code, "
                      "department_code, ticket_number, published, created_by, created_at, "
                      "updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8, 1) "
                      "RETURNING id",
                      {f.question, f.answer, f.item_code, f.region_code, f.department_code,
                       f.ticket_number, f.created_by, f.created_at}));
  return r.Int(0, 0);
}

Result<std::optional<Faq>> LoadFaq(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kFaqColumns + " FROM faq_entries WHERE id = $1", {id}));
  if (r.empty()) return std::optional<Faq>();
  return std::optional<Faq>(FaqFromRow(r, 0));
}

Result<bool> SaveFaq(db::Connection& c, const Faq& f, int64_t previous_version) {
  OW_ASSIGN_OR_RETURN(
      auto n, c.Exec("UPDATE faq_entries SET question = $1, answer = $2, item_code = $3, "
                     "published = $4, updated_at = $5, version = $6 WHERE id = $7 AND version = $8",
                     {f.question, f.answer, f.item_code, int64_t{f.published ? 1 : 0}, f.updated_at,
                      f.version, f.id, previous_version}));
  return n == 1;
}

Status IndexFaq(db::Connection& c, int64_t id, const std::vector<std::string>& terms) {
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM faq_terms WHERE faq_id = $1", {id}));
  for (const auto& term : terms)
    OW_RETURN_IF_ERROR(c.Exec("INSERT INTO faq_terms (term, faq_id) VALUES ($1, $2)", {term, id}));
  return {};
}

Result<std::vector<Faq>> SearchFaq(db::Connection& c, const std::vector<std::string>& terms,
                                   const std::string& item, const std::string& region, int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kFaqColumns + " FROM faq_entries WHERE published = 1";
  if (!terms.empty()) {
    q.text() += " AND id IN (SELECT faq_id FROM faq_terms WHERE term IN (";
    for (size_t i = 0; i < terms.size(); ++i) q.text() += (i ? ", " : "") + q.P(terms[i]);
    q.text() +=
        ") GROUP BY faq_id HAVING COUNT(*) = " + q.P(static_cast<int64_t>(terms.size())) + ")";
  }
  if (!item.empty()) q.text() += " AND item_code = " + q.P(item);
  // An entry of a region answers for that region and every region below it.
  if (!region.empty())
    q.text() += " AND (region_code = '' OR " + q.P(region) + " LIKE region_code || '%')";
  q.text() += " ORDER BY id DESC LIMIT " + q.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Faq> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(FaqFromRow(r, i));
  return out;
}

}  // namespace store
}  // namespace ow::tickets
