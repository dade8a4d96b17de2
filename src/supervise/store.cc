#include "supervise/store.h"

#include <boost/json.hpp>

#include "cases/model.h"
#include "db/sql.h"

namespace ow::supervise {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // One warning per object and level: the unique index makes the job idempotent across
  // nodes and runs. Regions and dates are {{TEXT_C}}: compared bytewise on both stores.
  return {db::Portable("supervise/001_init", R"sql(
CREATE TABLE supervision_warnings (
  id {{ID}},
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('yellow', 'red')),
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  subject TEXT NOT NULL,
  due_date {{TEXT_C}} NOT NULL,
  raised_at TEXT NOT NULL
);
CREATE UNIQUE INDEX supervision_warnings_object ON supervision_warnings(kind, ref, level);
CREATE INDEX supervision_warnings_region ON supervision_warnings(region_code, raised_at);
CREATE TABLE supervision_orders (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  object_kind TEXT NOT NULL,
  object_ref TEXT NOT NULL,
  subject TEXT NOT NULL,
  instruction TEXT NOT NULL,
  due_date {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'replied', 'closed')),
  reply TEXT NOT NULL,
  replied_by TEXT NOT NULL,
  replied_at TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  closed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  rounds BIGINT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX supervision_orders_open ON supervision_orders(status, region_code, due_date);
CREATE TABLE supervision_claims (
  licence_id TEXT PRIMARY KEY,
  licence_number TEXT NOT NULL UNIQUE,
  type_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  case_no TEXT NOT NULL,
  holder_masked TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  due_date {{TEXT_C}} NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'claimed')),
  claimed_by TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  note TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX supervision_claims_open ON supervision_claims(status, region_code, due_date);
CREATE TABLE inspectors (
  department_code TEXT NOT NULL,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (department_code, account_id)
);
CREATE TABLE inspection_bars (
  department_code TEXT NOT NULL,
  account_id TEXT NOT NULL,
  uscc TEXT NOT NULL,
  reason TEXT NOT NULL,
  declared_at TEXT NOT NULL,
  PRIMARY KEY (department_code, account_id, uscc)
);
CREATE TABLE inspection_plans (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  department_code TEXT NOT NULL,
  region_code {{TEXT_C}} NOT NULL,
  licence_type TEXT NOT NULL,
  title TEXT NOT NULL,
  entities BIGINT NOT NULL,
  inspectors_per_entity BIGINT NOT NULL,
  pool_entities BIGINT NOT NULL,
  pool_inspectors BIGINT NOT NULL,
  seed TEXT NOT NULL,
  inputs TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('drawn', 'published')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  published_at TEXT NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX inspection_plans_department ON inspection_plans(department_code, region_code, id);
CREATE TABLE inspection_entries (
  plan_id BIGINT NOT NULL REFERENCES inspection_plans(id),
  uscc TEXT NOT NULL,
  seq BIGINT NOT NULL,
  name TEXT NOT NULL,
  licences TEXT NOT NULL,
  inspectors TEXT NOT NULL,
  inspector_names TEXT NOT NULL,
  result TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  suspended TEXT NOT NULL,
  PRIMARY KEY (plan_id, uscc)
);
)sql")};
}

namespace store {
namespace {

Status Done(const Result<int64_t>& r) {
  if (!r) return r.error();
  return {};
}

std::string Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> ParseStrings(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec && v.is_array())
    for (const auto& x : v.as_array())
      if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

std::string Within(db::Sql& q, const std::string& region) {
  return region.empty() ? std::string("1 = 1") : "region_code LIKE " + q.P(region + "%");
}

constexpr const char* kOrderColumns =
    "id, number, department_code, region_code, object_kind, object_ref, subject, instruction, "
    "due_date, status, reply, replied_by, replied_at, issued_by, issued_at, closed_at, "
    "updated_at, rounds, version";

Order OrderRow(const db::Rows& r, size_t i) {
  Order o;
  size_t k = 0;
  o.id = r.Int(i, k++);
  o.number = r.Text(i, k++);
  o.department_code = r.Text(i, k++);
  o.region_code = r.Text(i, k++);
  o.object_kind = r.Text(i, k++);
  o.object_ref = r.Text(i, k++);
  o.subject = r.Text(i, k++);
  o.instruction = r.Text(i, k++);
  o.due_date = r.Text(i, k++);
  o.status = r.Text(i, k++);
  o.reply = r.Text(i, k++);
  o.replied_by = r.Text(i, k++);
  o.replied_at = r.Text(i, k++);
  o.issued_by = r.Text(i, k++);
  o.issued_at = r.Text(i, k++);
  o.closed_at = r.Text(i, k++);
  o.updated_at = r.Text(i, k++);
  o.rounds = r.Int(i, k++);
  o.version = r.Int(i, k++);
  return o;
}

constexpr const char* kClaimColumns =
    "licence_id, licence_number, type_code, department_code, region_code, case_no, "
    "holder_masked, issued_at, due_date, status, claimed_by, claimed_at, note, version";

Claim ClaimRow(const db::Rows& r, size_t i) {
  Claim k;
  size_t j = 0;
  k.licence_id = r.Text(i, j++);
  k.licence_number = r.Text(i, j++);
  k.type_code = r.Text(i, j++);
  k.department_code = r.Text(i, j++);
  k.region_code = r.Text(i, j++);
  k.case_no = r.Text(i, j++);
  k.holder_masked = r.Text(i, j++);
  k.issued_at = r.Text(i, j++);
  k.due_date = r.Text(i, j++);
  k.status = r.Text(i, j++);
  k.claimed_by = r.Text(i, j++);
  k.claimed_at = r.Text(i, j++);
  k.note = r.Text(i, j++);
  k.version = r.Int(i, j++);
  return k;
}

constexpr const char* kPlanColumns =
    "id, number, department_code, region_code, licence_type, title, entities, "
    "inspectors_per_entity, pool_entities, pool_inspectors, seed, inputs, status, created_by, "
    "created_at, published_at, version";

Plan PlanRow(const db::Rows& r, size_t i) {
  Plan p;
  size_t k = 0;
  p.id = r.Int(i, k++);
  p.number = r.Text(i, k++);
  p.department_code = r.Text(i, k++);
  p.region_code = r.Text(i, k++);
  p.licence_type = r.Text(i, k++);
  p.title = r.Text(i, k++);
  p.entities = r.Int(i, k++);
  p.inspectors_per_entity = r.Int(i, k++);
  p.pool_entities = r.Int(i, k++);
  p.pool_inspectors = r.Int(i, k++);
  p.seed = r.Text(i, k++);
  p.inputs = r.Text(i, k++);
  p.status = r.Text(i, k++);
  p.created_by = r.Text(i, k++);
  p.created_at = r.Text(i, k++);
  p.published_at = r.Text(i, k++);
  p.version = r.Int(i, k++);
  return p;
}

Status LoadEntries(db::Connection& c, Plan& p) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT uscc, name, licences, inspectors, inspector_names, result, note, "
                      "recorded_by, recorded_at, suspended FROM inspection_entries WHERE "
                      "plan_id = $1 ORDER BY seq",
                      {p.id}));
  for (size_t i = 0; i < r.size(); ++i) {
    PlanEntry e;
    e.uscc = r.Text(i, 0);
    e.name = r.Text(i, 1);
    e.licences = ParseStrings(r.Text(i, 2));
    e.inspectors = ParseStrings(r.Text(i, 3));
    e.inspector_names = ParseStrings(r.Text(i, 4));
    e.result = r.Text(i, 5);
    e.note = r.Text(i, 6);
    e.recorded_by = r.Text(i, 7);
    e.recorded_at = r.Text(i, 8);
    e.suspended = ParseStrings(r.Text(i, 9));
    p.entries.push_back(std::move(e));
  }
  return {};
}

}  // namespace

Result<std::optional<SupervisedCase>> LoadCase(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT created_at, item_code, item_name, department_code, region_code, "
                      "channel, status, accepted_on, promised_deadline, statutory_deadline, "
                      "promised_days FROM cases WHERE id = $1",
                      {id}));
  if (r.size() == 0) return std::optional<SupervisedCase>();
  SupervisedCase k;
  k.submitted_at = r.Text(0, 0);
  k.tracking_no = cases::TrackingNo(id, k.submitted_at);
  k.item_code = r.Text(0, 1);
  k.item_name = r.Text(0, 2);
  k.department_code = r.Text(0, 3);
  k.region_code = r.Text(0, 4);
  k.channel = r.Text(0, 5);
  k.status = r.Text(0, 6);
  k.accepted_on = r.Text(0, 7);
  k.promised_deadline = r.Text(0, 8);
  k.statutory_deadline = r.Text(0, 9);
  k.promised_days = r.Int(0, 10);
  // The steps without their actors and reasons: the reasons may quote the applicant.
  OW_ASSIGN_OR_RETURN(auto e, c.Query("SELECT at, action, from_status, to_status, channel FROM "
                                      "case_events WHERE case_id = $1 ORDER BY seq",
                                      {id}));
  for (size_t i = 0; i < e.size(); ++i)
    k.steps.push_back({e.Text(i, 0), e.Text(i, 1), e.Text(i, 2), e.Text(i, 3), e.Text(i, 4)});
  return std::optional<SupervisedCase>(std::move(k));
}

Result<std::vector<Watched>> Scan(db::Connection& c, const std::string& horizon,
                                  const std::string& region, int limit) {
  std::vector<Watched> out;
  {
    // Cases under review with a promised deadline (the clock runs), and suspended ones.
    db::Sql q;
    std::string h = q.P(horizon);
    q.text() =
        "SELECT id, created_at, item_code, department_code, region_code, promised_deadline, "
        "status FROM cases WHERE ((status = 'under_review' AND promised_deadline <> '' AND "
        "promised_deadline <= " +
        h + ") OR status = 'suspended') AND " + Within(q, region) +
        " ORDER BY promised_deadline, id LIMIT " + q.P(int64_t{limit});
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i) {
      Watched w;
      w.kind = kCase;
      w.ref = cases::TrackingNo(r.Int(i, 0), r.Text(i, 1));
      w.subject = r.Text(i, 2);
      w.department_code = r.Text(i, 3);
      w.region_code = r.Text(i, 4);
      bool suspended = r.Text(i, 6) == "suspended";
      w.due_date = suspended ? "" : r.Text(i, 5);
      w.level = suspended ? kSuspendedLevel : "";
      out.push_back(std::move(w));
    }
  }
  {
    db::Sql q;
    std::string h = q.P(horizon);
    q.text() =
        "SELECT number, kind, department_code, region_code, due_date FROM tickets WHERE "
        "status = 'open' AND due_date <> '' AND due_date <= " +
        h + " AND " + Within(q, region) + " ORDER BY due_date, id LIMIT " + q.P(int64_t{limit});
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i)
      out.push_back({kTicket, r.Text(i, 0), "", r.Text(i, 2), r.Text(i, 3), r.Text(i, 1),
                     r.Text(i, 4), "", ""});
  }
  {
    db::Sql q;
    std::string h = q.P(horizon);
    q.text() =
        "SELECT number, item_code, department_code, region_code, due_date, rater_account FROM "
        "ratings WHERE stage = 'department' AND due_date <> '' AND due_date <= " +
        h + " AND " + Within(q, region) + " ORDER BY due_date, id LIMIT " + q.P(int64_t{limit});
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i)
      out.push_back({kRectification, r.Text(i, 0), "", r.Text(i, 2), r.Text(i, 3), r.Text(i, 1),
                     r.Text(i, 4), r.Text(i, 5), ""});
  }
  {
    db::Sql q;
    std::string h = q.P(horizon);
    q.text() =
        "SELECT number, subject, department_code, region_code, due_date FROM supervision_orders "
        "WHERE status = 'open' AND due_date <= " +
        h + " AND " + Within(q, region) + " ORDER BY due_date, id LIMIT " + q.P(int64_t{limit});
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i)
      out.push_back({kOrder, r.Text(i, 0), "", r.Text(i, 2), r.Text(i, 3), r.Text(i, 1),
                     r.Text(i, 4), "", ""});
  }
  {
    db::Sql q;
    std::string h = q.P(horizon);
    q.text() =
        "SELECT licence_number, type_code, department_code, region_code, due_date FROM "
        "supervision_claims WHERE status = 'pending' AND due_date <= " +
        h + " AND " + Within(q, region) + " ORDER BY due_date, licence_number LIMIT " +
        q.P(int64_t{limit});
    OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
    for (size_t i = 0; i < r.size(); ++i)
      out.push_back({kClaim, r.Text(i, 0), "", r.Text(i, 2), r.Text(i, 3), r.Text(i, 1),
                     r.Text(i, 4), "", ""});
  }
  return out;
}

Result<bool> InsertWarning(db::Connection& c, const Watched& w, const std::string& at) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(
          "INSERT INTO supervision_warnings (kind, ref, level, department_code, region_code, "
          "subject, due_date, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
          "ON CONFLICT (kind, ref, level) DO NOTHING",
          {w.kind, w.ref, w.level, w.department_code, w.region_code, w.subject, w.due_date, at}));
  return n == 1;
}

Result<std::map<std::string, std::string>> WarnedAt(db::Connection& c, const std::string& region,
                                                    int limit) {
  db::Sql q;
  q.text() = "SELECT kind, ref, level, raised_at FROM supervision_warnings WHERE " +
             Within(q, region) + " ORDER BY id DESC LIMIT " + q.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < r.size(); ++i)
    out[r.Text(i, 0) + "/" + r.Text(i, 1) + "/" + r.Text(i, 2)] = r.Text(i, 3);
  return out;
}

Result<std::vector<std::string>> Supervisors(db::Connection& c, const std::string& region) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT DISTINCT r.account_id FROM identity_roles r JOIN identity_accounts "
                      "a ON a.id = r.account_id WHERE r.role = 'supervisor' AND a.status = "
                      "'active' AND r.region_code <> '' AND substr($1, 1, length(r.region_code)) "
                      "= r.region_code ORDER BY r.account_id",
                      {region}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

Result<int64_t> InsertOrder(db::Connection& c, const Order& o) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query("INSERT INTO supervision_orders (number, department_code, region_code, "
              "object_kind, object_ref, subject, instruction, due_date, status, reply, "
              "replied_by, replied_at, issued_by, issued_at, closed_at, updated_at, rounds, "
              "version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', '', $10, $11, '', "
              "$11, 1, 1) RETURNING id",
              {o.number, o.department_code, o.region_code, o.object_kind, o.object_ref, o.subject,
               o.instruction, o.due_date, o.status, o.issued_by, o.issued_at}));
  return r.Int(0, 0);
}

Result<std::optional<Order>> LoadOrder(db::Connection& c, const std::string& number, bool lock) {
  if (lock)
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE supervision_orders SET version = version + 1 WHERE number = $1", {number}));
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kOrderColumns +
                                          " FROM supervision_orders WHERE number = $1",
                                      {number}));
  if (r.empty()) return std::optional<Order>();
  return std::optional<Order>(OrderRow(r, 0));
}

Status SaveOrder(db::Connection& c, const Order& o) {
  return Done(
      c.Exec("UPDATE supervision_orders SET instruction = $1, due_date = $2, status = $3, "
             "reply = $4, replied_by = $5, replied_at = $6, closed_at = $7, updated_at = $8, "
             "rounds = $9 WHERE id = $10",
             {o.instruction, o.due_date, o.status, o.reply, o.replied_by, o.replied_at, o.closed_at,
              o.updated_at, o.rounds, o.id}));
}

Result<std::vector<Order>> Orders(db::Connection& c, const std::string& region,
                                  const std::string& department, const std::string& status,
                                  int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kOrderColumns + " FROM supervision_orders WHERE " +
             Within(q, region);
  if (!department.empty()) q.text() += " AND department_code = " + q.P(department);
  if (!status.empty()) q.text() += " AND status = " + q.P(status);
  q.text() += " ORDER BY id DESC LIMIT " + q.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Order> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(OrderRow(r, i));
  return out;
}

Result<std::vector<NewLicence>> UnlistedLicences(db::Connection& c, int limit) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT l.id, l.number, l.type_code, l.department_code, l.region_code, "
                      "l.case_no, l.holder_masked, l.issued_at FROM licences l LEFT JOIN "
                      "supervision_claims k ON k.licence_id = l.id WHERE l.source = 'case' AND "
                      "k.licence_id IS NULL ORDER BY l.issued_at, l.id LIMIT $1",
                      {int64_t{limit}}));
  std::vector<NewLicence> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7)});
  return out;
}

Result<bool> InsertClaim(db::Connection& c, const Claim& k) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("INSERT INTO supervision_claims (licence_id, licence_number, type_code, "
             "department_code, region_code, case_no, holder_masked, issued_at, due_date, status, "
             "claimed_by, claimed_at, note, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
             "'pending', '', '', '', 1) ON CONFLICT (licence_id) DO NOTHING",
             {k.licence_id, k.licence_number, k.type_code, k.department_code, k.region_code,
              k.case_no, k.holder_masked, k.issued_at, k.due_date}));
  return n == 1;
}

Result<std::optional<Claim>> LoadClaim(db::Connection& c, const std::string& licence_number,
                                       bool lock) {
  if (lock)
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE supervision_claims SET version = version + 1 WHERE "
               "licence_number = $1",
               {licence_number}));
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kClaimColumns +
                                          " FROM supervision_claims WHERE licence_number = $1",
                                      {licence_number}));
  if (r.empty()) return std::optional<Claim>();
  return std::optional<Claim>(ClaimRow(r, 0));
}

Status SaveClaim(db::Connection& c, const Claim& k) {
  return Done(
      c.Exec("UPDATE supervision_claims SET status = $1, claimed_by = $2, claimed_at = $3, "
             "note = $4 WHERE licence_id = $5",
             {k.status, k.claimed_by, k.claimed_at, k.note, k.licence_id}));
}

Result<std::vector<Claim>> Claims(db::Connection& c, const std::string& region,
                                  const std::string& department, const std::string& status,
                                  int limit) {
  db::Sql q;
  q.text() = std::string("SELECT ") + kClaimColumns + " FROM supervision_claims WHERE " +
             Within(q, region);
  if (!department.empty()) q.text() += " AND department_code = " + q.P(department);
  if (!status.empty()) q.text() += " AND status = " + q.P(status);
  q.text() += " ORDER BY due_date, licence_number LIMIT " + q.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Claim> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(ClaimRow(r, i));
  return out;
}

Status AddInspector(db::Connection& c, const std::string& department, const Inspector& x,
                    const std::string& by, const std::string& at) {
  return Done(
      c.Exec("INSERT INTO inspectors (department_code, account_id, name, added_by, added_at) "
             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (department_code, account_id) DO NOTHING",
             {department, x.account, x.name, by, at}));
}

Result<bool> RemoveInspector(db::Connection& c, const std::string& department,
                             const std::string& account) {
  OW_ASSIGN_OR_RETURN(
      int64_t n, c.Exec("DELETE FROM inspectors WHERE department_code = $1 AND account_id = $2",
                        {department, account}));
  return n > 0;
}

Result<std::vector<Inspector>> Inspectors(db::Connection& c, const std::string& department) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT account_id, name FROM inspectors WHERE "
                                      "department_code = $1 ORDER BY account_id",
                                      {department}));
  std::vector<Inspector> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1)});
  return out;
}

Status AddBar(db::Connection& c, const std::string& department, const std::string& account,
              const std::string& uscc, const std::string& reason, const std::string& at) {
  return Done(
      c.Exec("INSERT INTO inspection_bars (department_code, account_id, uscc, reason, "
             "declared_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (department_code, account_id, "
             "uscc) DO UPDATE SET reason = excluded.reason",
             {department, account, uscc, reason, at}));
}

Result<std::vector<DeclaredConflict>> Conflicts(db::Connection& c, const std::string& department) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT b.account_id, COALESCE(a.real_name, ''), b.uscc, b.reason, "
                      "b.declared_at FROM inspection_bars b LEFT JOIN identity_accounts a ON "
                      "a.id = b.account_id WHERE b.department_code = $1 "
                      "ORDER BY b.account_id, b.uscc",
                      {department}));
  std::vector<DeclaredConflict> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Result<Bars> BarsOf(db::Connection& c, const std::string& department) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT account_id, uscc FROM inspection_bars WHERE "
                                      "department_code = $1",
                                      {department}));
  Bars out;
  for (size_t i = 0; i < r.size(); ++i) out.insert({r.Text(i, 0), r.Text(i, 1)});
  return out;
}

Result<std::optional<Inspector>> StaffOf(db::Connection& c, const std::string& department,
                                         const std::string& username) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT id, real_name FROM identity_accounts WHERE "
                                      "username = $1 AND kind = 'staff' AND status = 'active' "
                                      "AND department_code = $2",
                                      {username, department}));
  if (r.empty()) return std::optional<Inspector>();
  return std::optional<Inspector>(Inspector{r.Text(0, 0), r.Text(0, 1)});
}

Result<int64_t> InsertPlan(db::Connection& c, const Plan& p) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query("INSERT INTO inspection_plans (number, department_code, region_code, licence_type, "
              "title, entities, inspectors_per_entity, pool_entities, pool_inspectors, seed, "
              "inputs, status, created_by, created_at, published_at, version) VALUES ($1, $2, "
              "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', 1) RETURNING id",
              {p.number, p.department_code, p.region_code, p.licence_type, p.title, p.entities,
               p.inspectors_per_entity, p.pool_entities, p.pool_inspectors, p.seed, p.inputs,
               p.status, p.created_by, p.created_at}));
  int64_t id = r.Int(0, 0);
  int64_t seq = 0;
  for (const auto& e : p.entries)
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO inspection_entries (plan_id, uscc, seq, name, licences, inspectors, "
               "inspector_names, result, note, recorded_by, recorded_at, suspended) VALUES ($1, "
               "$2, $3, $4, $5, $6, $7, '', '', '', '', '[]')",
               {id, e.uscc, ++seq, e.name, Strings(e.licences), Strings(e.inspectors),
                Strings(e.inspector_names)}));
  return id;
}

Result<std::optional<Plan>> LoadPlan(db::Connection& c, const std::string& number, bool lock) {
  if (lock)
    OW_RETURN_IF_ERROR(
        c.Exec("UPDATE inspection_plans SET version = version + 1 WHERE number = $1", {number}));
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kPlanColumns +
                                          " FROM inspection_plans WHERE number = $1",
                                      {number}));
  if (r.empty()) return std::optional<Plan>();
  Plan p = PlanRow(r, 0);
  OW_RETURN_IF_ERROR(LoadEntries(c, p));
  return std::optional<Plan>(std::move(p));
}

Status SavePlanStatus(db::Connection& c, const Plan& p) {
  return Done(c.Exec("UPDATE inspection_plans SET status = $1, published_at = $2 WHERE id = $3",
                     {p.status, p.published_at, p.id}));
}

Status SaveEntry(db::Connection& c, int64_t plan_id, const PlanEntry& e) {
  return Done(c.Exec(
      "UPDATE inspection_entries SET result = $1, note = $2, recorded_by = $3, "
      "recorded_at = $4, suspended = $5 WHERE plan_id = $6 AND uscc = $7",
      {e.result, e.note, e.recorded_by, e.recorded_at, Strings(e.suspended), plan_id, e.uscc}));
}

Result<std::vector<Plan>> Plans(db::Connection& c, const std::string& department,
                                const std::string& region, bool published_only, int limit) {
  db::Sql q;
  q.text() =
      std::string("SELECT ") + kPlanColumns + " FROM inspection_plans WHERE " + Within(q, region);
  if (!department.empty()) q.text() += " AND department_code = " + q.P(department);
  if (published_only) q.text() += " AND status = 'published'";
  q.text() += " ORDER BY id DESC LIMIT " + q.P(int64_t{limit});
  OW_ASSIGN_OR_RETURN(auto r, c.Query(q.text(), q.params()));
  std::vector<Plan> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Plan p = PlanRow(r, i);
    OW_RETURN_IF_ERROR(LoadEntries(c, p));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace store
}  // namespace ow::supervise
