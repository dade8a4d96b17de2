#include "cases/store.h"

#include <boost/json.hpp>
#include <cassert>

#include "db/sql.h"

namespace ow::cases {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // Written once for both stores (db::Portable): regions and dates are {{TEXT_C}},
  // compared bytewise so both stores order them alike; case_events is append-only.
  std::string tables = R"sql(
CREATE TABLE cases (
  id {{ID}},
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  item_version BIGINT NOT NULL,
  bundle_id TEXT,
  applicant_account_id TEXT,
  applicant_name TEXT NOT NULL,
  applicant_id_masked TEXT NOT NULL,
  channel TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  submitted_by_account TEXT NOT NULL,
  intake_region TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL,
  decision TEXT NOT NULL,
  supplement_from TEXT NOT NULL,
  form TEXT NOT NULL,
  process_key TEXT NOT NULL,
  process_version BIGINT NOT NULL,
  instance TEXT NOT NULL,
  statutory_days BIGINT NOT NULL,
  promised_days BIGINT NOT NULL,
  accepted_on TEXT NOT NULL,
  pauses TEXT NOT NULL,
  promised_deadline {{TEXT_C}} NOT NULL,
  statutory_deadline {{TEXT_C}} NOT NULL,
  next_timer_at {{TEXT_C}},
  created_at {{TEXT_C}} NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX cases_applicant ON cases(applicant_account_id, id);
CREATE INDEX cases_department ON cases(department_code, region_code, id);
CREATE INDEX cases_submitter ON cases(submitted_by_account, id);
CREATE INDEX cases_timer ON cases(next_timer_at);
CREATE INDEX cases_bundle ON cases(bundle_id);
CREATE TABLE case_events (
  seq {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, seq);
CREATE TABLE case_tasks (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL,
  engine_task BIGINT NOT NULL,
  node TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  due TEXT NOT NULL,
  created_at TEXT NOT NULL,
  closed_at TEXT NOT NULL,
  closed_by TEXT NOT NULL,
  decision TEXT NOT NULL,
  opinion TEXT NOT NULL,
  close_reason TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id, id);
CREATE INDEX case_tasks_inbox ON case_tasks(status, department_code, role, region_code);
CREATE TABLE case_materials (
  case_id BIGINT NOT NULL REFERENCES cases(id),
  material_id TEXT NOT NULL,
  name TEXT NOT NULL,
  filename TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (case_id, material_id)
);
CREATE INDEX case_materials_material ON case_materials(material_id);
CREATE TABLE case_messages (
  id {{ID}},
  account_id TEXT NOT NULL,
  case_id BIGINT NOT NULL REFERENCES cases(id),
  status TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT NOT NULL
);
CREATE INDEX case_messages_account ON case_messages(account_id, id);
CREATE TABLE case_bundles (
  id TEXT PRIMARY KEY,
  bundle_code TEXT NOT NULL,
  applicant_account_id TEXT NOT NULL,
  region_code TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql";
  tables += "{{APPEND_ONLY case_events}}";
  // An enterprise as the applicant (its credit code; "" for natural persons).
  std::string enterprise = R"sql(
ALTER TABLE cases ADD COLUMN applicant_enterprise TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_enterprise ON cases(applicant_enterprise, id);
)sql";
  // Messages as codes with parameters (cases/notices.h); `text` stays for older rows.
  std::string message_codes = R"sql(
ALTER TABLE case_messages ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE case_messages ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
)sql";
  // Licences used for materials with the holder's consent: one row per material,
  // written with the case and never changed.
  std::string licence_uses = R"sql(
CREATE TABLE case_licences (
  case_id BIGINT NOT NULL REFERENCES cases(id),
  name TEXT NOT NULL,
  licence_id TEXT NOT NULL,
  number TEXT NOT NULL,
  type_code TEXT NOT NULL,
  consented_by TEXT NOT NULL,
  consented_at TEXT NOT NULL,
  PRIMARY KEY (case_id, name)
);
CREATE INDEX case_licences_licence ON case_licences(licence_id);
)sql";
  std::vector<db::Migration> out = {
      db::Portable("cases/001_init", tables),
      {"cases/002_enterprise_applicant", enterprise, ""},
      {"cases/003_message_codes", message_codes, ""},
      db::Portable("cases/004_licence_uses", licence_uses + "{{APPEND_ONLY case_licences}}"),
      // The item's English name at the version applied for; "" for older cases.
      db::Portable("cases/005_item_name_en",
                   "ALTER TABLE cases ADD COLUMN item_name_en TEXT NOT NULL DEFAULT '';\n"),
      // The applicant's answers to the item's situation questions (catalog/item.h).
      db::Portable("cases/006_situation",
                   "ALTER TABLE cases ADD COLUMN situation TEXT NOT NULL DEFAULT '[]';\n"),
      // Data from the exchange standing for materials (model.h DataUse): the
      // consent columns are written once, the fetch columns by each attempt.
      db::Portable("cases/007_data_uses", R"sql(
CREATE TABLE case_data_uses (
  case_id BIGINT NOT NULL REFERENCES cases(id),
  name TEXT NOT NULL,
  resource TEXT NOT NULL,
  fields TEXT NOT NULL,
  subject TEXT NOT NULL,
  consented_by TEXT NOT NULL,
  consented_at TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  resource_name TEXT NOT NULL DEFAULT '',
  resource_name_en TEXT NOT NULL DEFAULT '',
  provider_department TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  log_seq BIGINT NOT NULL DEFAULT 0,
  fetched_at TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  attempts BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (case_id, name)
);
)sql"),
      // Data about another party of the application, awaiting their consent (model.h).
      db::Portable("cases/008_data_use_party",
                   "ALTER TABLE case_data_uses ADD COLUMN party TEXT NOT NULL DEFAULT '';\n"
                   "CREATE INDEX case_data_uses_subject ON case_data_uses(subject, status);\n")};
  for (auto& m : ArchiveMigrations()) out.push_back(std::move(m));
  return out;
}

namespace {

std::string PausesJson(const std::vector<Pause>& pauses) {
  json::array a;
  for (const auto& p : pauses) {
    json::array one{json::value(FormatDate(p.from))};
    one.emplace_back(p.to ? json::value(FormatDate(*p.to)) : json::value(nullptr));
    a.emplace_back(std::move(one));
  }
  return json::serialize(a);
}

std::vector<Pause> ParsePauses(const std::string& text) {
  std::vector<Pause> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& p : v.as_array()) {
    if (!p.is_array() || p.as_array().size() != 2 || !p.as_array()[0].is_string()) continue;
    auto from = ParseDate(p.as_array()[0].as_string());
    if (!from) continue;
    Pause pause{*from, std::nullopt};
    if (p.as_array()[1].is_string()) pause.to = ParseDate(p.as_array()[1].as_string());
    out.push_back(pause);
  }
  return out;
}

json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object();
}

Task TaskAt(const db::Rows& r, size_t i, size_t first) {
  auto col = [first](size_t n) { return first + n; };
  Task t;
  t.id = r.Int(i, col(0));
  t.case_id = r.Int(i, col(1));
  t.kind = r.Text(i, col(2));
  t.engine_task = r.Int(i, col(3));
  t.node = r.Text(i, col(4));
  t.name = r.Text(i, col(5));
  t.role = r.Text(i, col(6));
  t.department_code = r.Text(i, col(7));
  t.region_code = r.Text(i, col(8));
  t.status = r.Text(i, col(9));
  t.claimed_by = r.Text(i, col(10));
  t.due = r.Text(i, col(11));
  t.created_at = r.Text(i, col(12));
  t.closed_at = r.Text(i, col(13));
  t.closed_by = r.Text(i, col(14));
  t.decision = r.Text(i, col(15));
  t.opinion = r.Text(i, col(16));
  t.close_reason = r.Text(i, col(17));
  t.version = r.Int(i, col(18));
  return t;
}

}  // namespace

namespace store {

namespace {

// Columns of `cases c` and `case_tasks t` in the order CaseFromRow and TaskAt read them
// (from column `first` of a row, so one row may carry a task and its case).
constexpr char kCaseColumns[] =
    "c.id, c.item_code, c.item_name, c.item_version, c.bundle_id, c.applicant_account_id, "
    "c.applicant_name, c.applicant_id_masked, c.channel, c.submitted_by, c.submitted_by_account, "
    "c.intake_region, c.department_code, c.region_code, c.status, c.decision, c.supplement_from, "
    "c.form, c.process_key, c.process_version, c.instance, c.statutory_days, c.promised_days, "
    "c.accepted_on, c.pauses, c.promised_deadline, c.statutory_deadline, c.next_timer_at, "
    "c.created_at, c.updated_at, c.version, c.applicant_enterprise, c.item_name_en, c.situation";
constexpr char kTaskColumns[] =
    "t.id, t.case_id, t.kind, t.engine_task, t.node, t.name, t.role, t.department_code, "
    "t.region_code, t.status, t.claimed_by, t.due, t.created_at, t.closed_at, t.closed_by, "
    "t.decision, t.opinion, t.close_reason, t.version";
constexpr size_t CountColumns(std::string_view list) {
  size_t n = 1;
  for (char ch : list) n += ch == ',' ? 1 : 0;
  return n;
}
constexpr size_t kTaskColumnCount = CountColumns(kTaskColumns);
static_assert(kTaskColumnCount == 19);

Case CaseFromRow(const db::Rows& r, size_t i, size_t first = 0) {
  auto col = [first](size_t n) { return first + n; };
  Case k;
  k.id = r.Int(i, col(0));
  k.item_code = r.Text(i, col(1));
  k.item_name = r.Text(i, col(2));
  k.item_version = r.Int(i, col(3));
  k.bundle_id = r.Text(i, col(4));
  k.applicant_account_id = r.Text(i, col(5));
  k.applicant_name = r.Text(i, col(6));
  k.applicant_id_masked = r.Text(i, col(7));
  k.channel = r.Text(i, col(8));
  k.submitted_by = r.Text(i, col(9));
  k.submitted_by_account = r.Text(i, col(10));
  k.intake_region = r.Text(i, col(11));
  k.department_code = r.Text(i, col(12));
  k.region_code = r.Text(i, col(13));
  k.status = r.Text(i, col(14));
  k.decision = r.Text(i, col(15));
  k.supplement_from = r.Text(i, col(16));
  k.form = ParseObject(r.Text(i, col(17)));
  k.process_key = r.Text(i, col(18));
  k.process_version = r.Int(i, col(19));
  std::string instance = r.Text(i, col(20));
  if (!instance.empty()) {
    boost::system::error_code ec;
    k.instance = json::parse(instance, ec);
    if (ec) k.instance = nullptr;
  }
  k.statutory_days = r.Int(i, col(21));
  k.promised_days = r.Int(i, col(22));
  k.accepted_on = r.Text(i, col(23));
  k.pauses = ParsePauses(r.Text(i, col(24)));
  k.promised_deadline = r.Text(i, col(25));
  k.statutory_deadline = r.Text(i, col(26));
  k.next_timer_at = r.Text(i, col(27));
  k.created_at = r.Text(i, col(28));
  k.updated_at = r.Text(i, col(29));
  k.version = r.Int(i, col(30));
  k.applicant_enterprise = r.Text(i, col(31));
  k.item_name_en = r.Text(i, col(32));
  {
    boost::system::error_code ec;
    json::value s = json::parse(r.Text(i, col(33)), ec);
    if (!ec && s.is_array()) k.situation = std::move(s.as_array());
  }
  k.tracking_no = TrackingNo(k.id, k.created_at);
  return k;
}

std::vector<db::Value> MutableValues(const Case& k) {
  db::Value timer =
      k.next_timer_at.empty() ? db::Value(std::monostate{}) : db::Value(k.next_timer_at);
  return {k.status,
          k.decision,
          k.supplement_from,
          json::serialize(k.form),
          k.instance.is_null() ? std::string() : json::serialize(k.instance),
          k.accepted_on,
          PausesJson(k.pauses),
          k.promised_deadline,
          k.statutory_deadline,
          timer,
          k.updated_at};
}

}  // namespace

Result<int64_t> InsertCase(db::Connection& c, const Case& k) {
  std::vector<db::Value> v = {
      k.item_code,
      k.item_name,
      k.item_version,
      k.bundle_id.empty() ? db::Value() : db::Value(k.bundle_id),
      k.applicant_account_id.empty() ? db::Value() : db::Value(k.applicant_account_id),
      k.applicant_name,
      k.applicant_id_masked,
      k.channel,
      k.submitted_by,
      k.submitted_by_account,
      k.intake_region,
      k.department_code,
      k.region_code,
      k.process_key,
      k.process_version,
      k.statutory_days,
      k.promised_days,
      k.created_at};
  auto rest = MutableValues(k);
  v.insert(v.end(), rest.begin(), rest.end());
  v.emplace_back(k.applicant_enterprise);
  v.emplace_back(k.item_name_en);
  v.emplace_back(json::serialize(k.situation));
  OW_ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("INSERT INTO cases (item_code, item_name, item_version, bundle_id, "
              "applicant_account_id, applicant_name, applicant_id_masked, channel, submitted_by, "
              "submitted_by_account, intake_region, department_code, region_code, process_key, "
              "process_version, statutory_days, promised_days, created_at, status, decision, "
              "supplement_from, form, instance, accepted_on, pauses, promised_deadline, "
              "statutory_deadline, next_timer_at, updated_at, version, applicant_enterprise, "
              "item_name_en, situation) VALUES "
              "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
              "$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, 1, $30, $31, $32) "
              "RETURNING id",
              v));
  return rows.Int(0, 0);
}

Result<bool> LockCase(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(int64_t n,
                      c.Exec("UPDATE cases SET version = version + 1 WHERE id = $1", {id}));
  return n == 1;
}

Result<std::optional<Case>> LoadCase(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = $1", {id}));
  if (rows.empty()) return std::optional<Case>();
  return std::optional<Case>(CaseFromRow(rows, 0));
}

Status SaveCase(db::Connection& c, const Case& k) {
  auto v = MutableValues(k);
  v.emplace_back(k.id);
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("UPDATE cases SET status = $1, decision = $2, supplement_from = $3, form = $4, "
             "instance = $5, accepted_on = $6, pauses = $7, promised_deadline = $8, "
             "statutory_deadline = $9, next_timer_at = $10, updated_at = $11 WHERE id = $12",
             v));
  if (n != 1) return Internal("case row vanished");
  return {};
}

Result<int64_t> InsertEvent(db::Connection& c, int64_t case_id, const Event& e) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("INSERT INTO case_events (case_id, at, actor, channel, action, from_status, "
              "to_status, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
              "RETURNING seq",
              {case_id, e.at, e.actor, e.channel, e.action, e.from_status, e.to_status, e.reason,
               json::serialize(e.detail)}));
  return r.Int(0, 0);
}

Result<int64_t> LastEventSeq(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT COALESCE(MAX(seq), 0) FROM case_events WHERE case_id = $1", {case_id}));
  return r.Int(0, 0);
}

Result<std::vector<Event>> LoadEvents(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r, c.Query("SELECT seq, at, actor, channel, action, from_status, to_status, reason, "
                          "detail FROM case_events WHERE case_id = $1 ORDER BY seq",
                          {case_id}));
  std::vector<Event> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), ParseObject(r.Text(i, 8))});
  }
  return out;
}

Result<int64_t> InsertTask(db::Connection& c, const Task& t) {
  OW_ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("INSERT INTO case_tasks (case_id, kind, engine_task, node, name, role, "
              "department_code, region_code, status, claimed_by, due, created_at, closed_at, "
              "closed_by, decision, opinion, close_reason, version) VALUES ($1, $2, $3, $4, $5, "
              "$6, $7, $8, 'open', '', $9, $10, '', '', '', '', '', 1) RETURNING id",
              {t.case_id, t.kind, t.engine_task, t.node, t.name, t.role, t.department_code,
               t.region_code, t.due, t.created_at}));
  return rows.Int(0, 0);
}

Result<std::optional<Task>> LoadTask(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query(std::string("SELECT ") + kTaskColumns + " FROM case_tasks t WHERE t.id = $1", {id}));
  if (r.empty()) return std::optional<Task>();
  return std::optional<Task>(TaskAt(r, 0, 0));
}

Result<std::vector<Task>> LoadTasks(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query(std::string("SELECT ") + kTaskColumns +
                                  " FROM case_tasks t WHERE t.case_id = $1 ORDER BY t.id",
                              {case_id}));
  std::vector<Task> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(TaskAt(r, i, 0));
  return out;
}

Result<bool> CloseTask(db::Connection& c, int64_t id, int64_t version, const std::string& by,
                       const std::string& decision, const std::string& opinion,
                       const std::string& reason, const std::string& at) {
  OW_ASSIGN_OR_RETURN(
      int64_t n, c.Exec("UPDATE case_tasks SET status = 'closed', closed_at = $1, closed_by = $2, "
                        "decision = $3, opinion = $4, close_reason = $5, version = version + 1 "
                        "WHERE id = $6 AND version = $7 AND status = 'open'",
                        {at, by, decision, opinion, reason, id, version}));
  return n == 1;
}

Status CloseEngineTask(db::Connection& c, int64_t case_id, int64_t engine_task,
                       const std::string& reason, const std::string& at) {
  auto n = c.Exec(
      "UPDATE case_tasks SET status = 'closed', closed_at = $1, close_reason = $2, "
      "closed_by = 'system', version = version + 1 WHERE case_id = $3 AND kind = 'review' AND "
      "engine_task = $4 AND status = 'open'",
      {at, reason, case_id, engine_task});
  if (!n) return n.error();
  return {};
}

Status CloseAllTasks(db::Connection& c, int64_t case_id, const std::string& reason,
                     const std::string& at) {
  auto n = c.Exec(
      "UPDATE case_tasks SET status = 'closed', closed_at = $1, close_reason = $2, "
      "closed_by = 'system', version = version + 1 WHERE case_id = $3 AND status = 'open'",
      {at, reason, case_id});
  if (!n) return n.error();
  return {};
}

Result<bool> SetClaim(db::Connection& c, int64_t id, int64_t version, const std::string& who) {
  OW_ASSIGN_OR_RETURN(int64_t n, c.Exec("UPDATE case_tasks SET claimed_by = $1, version = "
                                        "version + 1 WHERE id = $2 AND version = $3 AND "
                                        "status = 'open'",
                                        {who, id, version}));
  return n == 1;
}

Status InsertAttachment(db::Connection& c, int64_t case_id, const Attachment& a) {
  auto n = c.Exec(
      "INSERT INTO case_materials (case_id, material_id, name, filename, media_type, size, "
      "sha256, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {case_id, a.material_id, a.name, a.filename, a.media_type, a.size, a.sha256, a.added_at,
       a.added_by});
  if (!n) {
    if (n.error().code == Code::kAlreadyExists)
      return InvalidArgument("material " + a.material_id + " is already attached to this case");
    return n.error();
  }
  return {};
}

Status InsertAttachments(db::Connection& c, int64_t case_id, const std::vector<Attachment>& list) {
  if (list.empty()) return {};
  if (list.size() == 1) return InsertAttachment(c, case_id, list.front());
  std::string sql =
      "INSERT INTO case_materials (case_id, material_id, name, filename, media_type, size, "
      "sha256, added_at, added_by) VALUES ";
  std::vector<db::Value> v;
  v.reserve(list.size() * 9);
  for (size_t i = 0; i < list.size(); ++i) {
    const Attachment& a = list[i];
    sql += i ? ", (" : "(";
    for (int col = 1; col <= 9; ++col) sql += (col > 1 ? ", $" : "$") + std::to_string(i * 9 + col);
    sql += ")";
    for (db::Value x :
         std::initializer_list<db::Value>{case_id, a.material_id, a.name, a.filename, a.media_type,
                                          a.size, a.sha256, a.added_at, a.added_by})
      v.push_back(std::move(x));
  }
  auto n = c.Exec(sql, v);
  if (!n) {
    if (n.error().code == Code::kAlreadyExists)
      return InvalidArgument("a material is attached to this case twice");
    return n.error();
  }
  return {};
}

Result<std::vector<Attachment>> LoadAttachments(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT material_id, name, filename, media_type, size, sha256, "
                              "added_at, added_by FROM case_materials WHERE case_id = $1 "
                              "ORDER BY added_at, material_id",
                              {case_id}));
  std::vector<Attachment> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7)});
  }
  return out;
}

Status InsertLicenceUse(db::Connection& c, int64_t case_id, const LicenceUse& u) {
  auto n = c.Exec(
      "INSERT INTO case_licences (case_id, name, licence_id, number, type_code, consented_by, "
      "consented_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {case_id, u.name, u.licence_id, u.number, u.type_code, u.consented_by, u.consented_at});
  if (!n) return n.error();
  return {};
}

Result<std::vector<LicenceUse>> LoadLicenceUses(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query("SELECT name, licence_id, number, type_code, "
                                          "consented_by, consented_at FROM case_licences WHERE "
                                          "case_id = $1 ORDER BY consented_at, name",
                                          {case_id}));
  std::vector<LicenceUse> out;
  for (size_t i = 0; i < r.size(); ++i) {
    LicenceUse u;
    u.name = r.Text(i, 0);
    u.licence_id = r.Text(i, 1);
    u.number = r.Text(i, 2);
    u.type_code = r.Text(i, 3);
    u.consented_by = r.Text(i, 4);
    u.consented_at = r.Text(i, 5);
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<int64_t>> CasesWithMaterial(db::Connection& c, const std::string& material_id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT case_id FROM case_materials WHERE material_id = $1 LIMIT 50", {material_id}));
  std::vector<int64_t> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Int(i, 0));
  return out;
}

Result<std::optional<int64_t>> CaseOfTask(db::Connection& c, int64_t task_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT case_id FROM case_tasks WHERE id = $1", {task_id}));
  if (r.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

Result<int64_t> CountDueTimers(db::Connection& c, const std::string& before) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT COUNT(*) FROM cases WHERE next_timer_at IS NOT "
                              "NULL AND next_timer_at <= $1 AND status = 'under_review'",
                              {before}));
  return r.Int(0, 0);
}

Result<std::vector<int64_t>> CasesWithDueTimers(db::Connection& c, const std::string& now,
                                                int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT id FROM cases WHERE next_timer_at IS NOT NULL AND "
                              "next_timer_at <= $1 AND status = 'under_review' "
                              "ORDER BY next_timer_at LIMIT $2",
                              {now, limit}));
  std::vector<int64_t> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Int(i, 0));
  return out;
}

Status InsertBundle(db::Connection& c, const BundleApplication& b) {
  auto n = c.Exec(
      "INSERT INTO case_bundles (id, bundle_code, applicant_account_id, region_code, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {b.id, b.bundle_code, b.applicant_account_id, b.region_code, b.created_at});
  if (!n) return n.error();
  return {};
}

Result<std::optional<BundleApplication>> LoadBundle(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query("SELECT id, bundle_code, applicant_account_id, "
                                          "region_code, created_at FROM case_bundles WHERE id = $1",
                                          {id}));
  if (r.empty()) return std::optional<BundleApplication>();
  BundleApplication b;
  b.id = r.Text(0, 0);
  b.bundle_code = r.Text(0, 1);
  b.applicant_account_id = r.Text(0, 2);
  b.region_code = r.Text(0, 3);
  b.created_at = r.Text(0, 4);
  return std::optional<BundleApplication>(std::move(b));
}

Result<std::vector<int64_t>> BundleCases(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT id FROM cases WHERE bundle_id = $1 ORDER BY id", {id}));
  std::vector<int64_t> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Int(i, 0));
  return out;
}

namespace {

// Statements are built with db::Sql. PostgreSQL wants every parameter of a statement
// used in it, so each statement has its own: a copy of the shared WHERE clause with its
// parameters, then its own additions.
using db::Sql;

// "(t.role = $n AND t.department_code = $n+1 AND (t.region_code = $n+2 OR t.region_code
// LIKE $n+3))" per scope, OR-ed, for `table` (c or t); the role only `with_role`.
std::string ScopeSql(Sql& sql, const std::vector<Scope>& scopes, std::string_view table,
                     bool with_role) {
  const std::string t(table);
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += " OR ";
    out += "(";
    if (with_role) out.append(t).append(".role = ").append(sql.P(s.role)).append(" AND ");
    out.append(t).append(".department_code = ").append(sql.P(s.department_code));
    out.append(" AND (").append(t).append(".region_code = ").append(sql.P(s.region_code));
    out.append(" OR ").append(t).append(".region_code LIKE ");
    out.append(sql.P(s.region_code + "%")).append("))");
  }
  return out;
}

// Appends " AND ..." for each field of `f` that narrows.
void AddFilter(Sql& sql, const CaseFilter& f) {
  if (!f.status.empty()) sql.text() += " AND c.status = " + sql.P(f.status);
  if (!f.item_code.empty()) sql.text() += " AND c.item_code = " + sql.P(f.item_code);
  if (f.case_id) {
    sql.text() += " AND c.id = " + sql.P(*f.case_id);
  } else if (!f.name_contains.empty()) {
    std::string pattern = sql.P("%" + f.name_contains + "%");
    sql.text() +=
        " AND (c.item_name LIKE " + pattern + " OR c.applicant_name LIKE " + pattern + ")";
  }
}

// " WHERE ..." selecting the cases `staff` reaches.
std::string StaffWhere(Sql& sql, const StaffScope& staff) {
  std::vector<std::string> parts;
  if (!staff.departments.empty()) {
    parts.push_back(ScopeSql(sql, staff.departments, "c", false));
    // Cases where one of the departments has a task (parallel approval).
    parts.push_back("EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = c.id AND (" +
                    ScopeSql(sql, staff.departments, "t", false) + "))");
  }
  std::string counter;
  for (const auto& region : staff.counter_regions) {
    if (!counter.empty()) counter += " OR ";
    counter +=
        "c.region_code LIKE " + sql.P(region + "%") +
        " OR (c.channel = 'counter' AND c.submitted_by_account = " + sql.P(staff.counter_account) +
        ")";
  }
  if (!counter.empty()) parts.push_back(std::move(counter));
  if (parts.empty()) return " WHERE 1 = 0";
  std::string where = " WHERE (";
  for (size_t i = 0; i < parts.size(); ++i) where += (i ? " OR (" : "(") + parts[i] + ")";
  return where + ")";
}

}  // namespace

Result<CasePage> ListCases(db::Connection& c, const CaseQuery& q) {
  assert((q.applicant_account_id ? 1 : 0) + (q.applicant_enterprise ? 1 : 0) + (q.staff ? 1 : 0) ==
         1);
  Sql where;
  if (q.applicant_account_id) {
    where.text() = " WHERE c.applicant_account_id = " + where.P(*q.applicant_account_id);
  } else if (q.applicant_enterprise) {
    where.text() = " WHERE c.applicant_enterprise = " + where.P(*q.applicant_enterprise);
  } else {
    std::string staff = StaffWhere(where, *q.staff);
    where.text() = std::move(staff);
  }
  AddFilter(where, q.filter);

  CasePage out;
  OW_ASSIGN_OR_RETURN(db::Rows n,
                      c.Query("SELECT COUNT(*) FROM cases c" + where.text(), where.params()));
  out.total = n.Int(0, 0);
  Sql page = where;
  page.text() = std::string("SELECT ") + kCaseColumns + " FROM cases c" + where.text() +
                " ORDER BY c.id DESC LIMIT " + page.P(q.limit);
  page.text() += " OFFSET " + page.P(q.offset);
  OW_ASSIGN_OR_RETURN(db::Rows rows, c.Query(page.text(), page.params()));
  for (size_t i = 0; i < rows.size(); ++i) out.cases.push_back(CaseFromRow(rows, i));
  return out;
}

Result<InboxPage> ListInbox(db::Connection& c, const InboxQuery& q) {
  Sql where;
  std::string scope = ScopeSql(where, q.scopes, "t", true);
  where.text() = " WHERE t.status = 'open' AND (" + (scope.empty() ? "1 = 0" : scope) + ")";
  AddFilter(where, q.filter);
  const std::string from = " FROM case_tasks t JOIN cases c ON c.id = t.case_id";
  auto red = [&](Sql& s) {
    return "(c.promised_deadline <> '' AND c.promised_deadline < " + s.P(q.today) + ")";
  };
  auto yellow = [&](Sql& s) {
    std::string from_today = "(c.promised_deadline >= " + s.P(q.today);
    return from_today + " AND c.promised_deadline <= " + s.P(q.yellow_until) + ")";
  };

  InboxPage out;
  Sql counts = where;
  std::string mine = counts.P(q.username);
  std::string yellow_sql = yellow(counts);
  std::string red_sql = red(counts);
  OW_ASSIGN_OR_RETURN(
      db::Rows n, c.Query("SELECT COUNT(*), SUM(CASE WHEN t.claimed_by = '' THEN 1 ELSE 0 END), "
                          "SUM(CASE WHEN t.claimed_by = " +
                              mine + " THEN 1 ELSE 0 END), SUM(CASE WHEN " + yellow_sql +
                              " THEN 1 ELSE 0 END), SUM(CASE WHEN " + red_sql +
                              " THEN 1 ELSE 0 END)" + from + where.text(),
                          counts.params()));
  out.total = n.Int(0, 0);
  out.unclaimed = n.Int(0, 1);
  out.mine = n.Int(0, 2);
  out.yellow = n.Int(0, 3);
  out.red = n.Int(0, 4);

  Sql page = where;
  std::string filters;
  using Claim = InboxQuery::Claim;
  using Deadline = InboxQuery::Deadline;
  if (q.claim == Claim::kUnclaimed) filters += " AND t.claimed_by = ''";
  if (q.claim == Claim::kMine) filters += " AND t.claimed_by = " + page.P(q.username);
  if (q.deadline == Deadline::kRed) filters += " AND " + red(page);
  if (q.deadline == Deadline::kYellow) filters += " AND " + yellow(page);
  if (q.deadline == Deadline::kNormal)
    filters += " AND c.promised_deadline > " + page.P(q.yellow_until);
  if (q.deadline == Deadline::kNone) filters += " AND c.promised_deadline = ''";
  std::string limit = page.P(q.limit);
  // Most urgent first: overdue, then by deadline, then oldest.
  OW_ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(std::string("SELECT ") + kTaskColumns + ", " + kCaseColumns + from + where.text() +
                  filters +
                  " ORDER BY CASE WHEN c.promised_deadline = '' THEN '9999-12-31' ELSE "
                  "c.promised_deadline END, t.id LIMIT " +
                  limit,
              page.params()));
  // Each row is the task, then its case.
  for (size_t i = 0; i < rows.size(); ++i)
    out.rows.push_back({TaskAt(rows, i, 0), CaseFromRow(rows, i, kTaskColumnCount)});
  return out;
}
}  // namespace store
}  // namespace ow::cases
