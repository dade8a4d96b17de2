// Reading cases: one case with everything about it, the lists of an applicant, an
// enterprise and staff (paged, filtered), and a staff member's inbox of open tasks
// with its counts and deadline states.
#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"

namespace ow::cases {

using identity::Principal;
using internal::KnownTaskRole;

Result<Case> Service::LoadFull(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
  if (!k) return NotFound("no such case");
  OW_ASSIGN_OR_RETURN(k->materials, store::LoadAttachments(c, id));
  OW_ASSIGN_OR_RETURN(k->tasks, store::LoadTasks(c, id));
  OW_ASSIGN_OR_RETURN(k->events, store::LoadEvents(c, id));
  return std::move(*k);
}

Result<Case> Service::Get(const Principal& who, const std::string& no) {
  auto id = ParseTrackingNo(no);
  if (!id) return NotFound("no case " + no);
  Result<Case> out = NotFound("no case " + no);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    auto k = LoadFull(c, *id);
    if (!k) return k.error().code == Code::kNotFound ? Status() : Status(k.error());
    if (!SameTrackingNo(k->tracking_no, no) || !CanRead(who, *k, k->tasks)) return {};
    out = std::move(*k);
    return {};
  }));
  return out;
}

namespace {

// "(c.department_code = $n AND (c.region_code = $n+1 OR c.region_code LIKE $n+2))" per
// departmental role of `who`, OR-ed; empty when the caller holds none.
std::string RoleScope(const Principal& who, const char* table, std::vector<db::Value>& params,
                      bool with_roles) {
  std::string sql;
  for (const auto& r : who.roles) {
    if (!KnownTaskRole(r.role) || r.department_code.empty() || r.region_code.empty()) continue;
    size_t n = params.size();
    if (!sql.empty()) sql += " OR ";
    sql += "(";
    if (with_roles) {
      params.emplace_back(r.role);
      sql += std::string(table) + ".role = $" + std::to_string(++n) + " AND ";
    }
    params.emplace_back(r.department_code);
    params.emplace_back(r.region_code);
    params.emplace_back(r.region_code + "%");
    sql += std::string(table) + ".department_code = $" + std::to_string(n + 1) + " AND (" + table +
           ".region_code = $" + std::to_string(n + 2) + " OR " + table + ".region_code LIKE $" +
           std::to_string(n + 3) + "))";
  }
  return sql;
}

void AddListFilters(const ListFilter& f, std::string& where, std::vector<db::Value>& params) {
  auto next = [&] { return "$" + std::to_string(params.size()); };
  if (!f.status.empty()) {
    params.emplace_back(f.status);
    where += " AND c.status = " + next();
  }
  if (!f.item_code.empty()) {
    params.emplace_back(f.item_code);
    where += " AND c.item_code = " + next();
  }
  if (!f.q.empty()) {
    if (auto id = ParseTrackingNo(f.q)) {
      params.emplace_back(*id);
      where += " AND c.id = " + next();
    } else {
      params.emplace_back("%" + f.q + "%");
      where += " AND (c.item_name LIKE " + next() + " OR c.applicant_name LIKE " + next() + ")";
    }
  }
}

Status CheckPaging(const ListFilter& f) {
  Validator v;
  if (f.page < 1 || f.page > 10000) v.Add("page", "must be 1 to 10000");
  if (f.per_page < 1 || f.per_page > 100) v.Add("per_page", "must be 1 to 100");
  if (f.q.size() > 100) v.Add("q", "at most 100 bytes");
  return v.Finish();
}

}  // namespace

Result<CaseList> Service::Page(const std::string& where, const std::vector<db::Value>& params,
                               const ListFilter& f) {
  CaseList out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto page,
                        store::ListCases(c, where, params, f.per_page, (f.page - 1) * f.per_page));
    out.total = page.total;
    out.cases = std::move(page.cases);
    return {};
  }));
  return out;
}

Result<CaseList> Service::ListMine(const Principal& who, const ListFilter& f) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadCase, {"", "", who.account_id, false}));
  OW_RETURN_IF_ERROR(CheckPaging(f));
  std::vector<db::Value> params{who.account_id};
  std::string where = " WHERE c.applicant_account_id = $1";
  AddListFilters(f, where, params);
  return Page(where, params, f);
}

Result<CaseList> Service::ListForEnterprise(const Principal& who, const std::string& credit_code,
                                            const ListFilter& f) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(CheckPaging(f));
  auto access = identity_.AccessTo(who, credit_code);
  if (!access && access.error().code != Code::kNotFound) return access.error();
  authz::Target t;
  if (access) t.operator_of_owner = access->rights;
  if (!access || !authz::Decide(who, authz::Action::kReadCase, t))
    return NotFound("no enterprise " + credit_code + " you operate");
  std::vector<db::Value> params{access->enterprise.credit_code};
  std::string where = " WHERE c.applicant_enterprise = $1";
  AddListFilters(f, where, params);
  return Page(where, params, f);
}

Result<CaseList> Service::ListForStaff(const Principal& who, const ListFilter& f) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(CheckPaging(f));
  std::vector<db::Value> params;
  std::string scope = RoleScope(who, "c", params, false);
  // Cases where one of the caller's departments has a task (parallel approval).
  std::string task_scope;
  {
    std::vector<db::Value> p = params;
    std::string s = RoleScope(who, "t", p, false);
    if (!s.empty()) {
      params = std::move(p);
      task_scope = "EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = c.id AND (" + s + "))";
    }
  }
  std::string counter;
  for (const auto& r : who.roles) {
    if (r.role != identity::kCounter || r.region_code.empty()) continue;
    params.emplace_back(r.region_code + "%");
    std::string n = "$" + std::to_string(params.size());
    params.emplace_back(who.account_id);
    std::string m = "$" + std::to_string(params.size());
    if (!counter.empty()) counter += " OR ";
    counter += "c.region_code LIKE ";
    counter += n;
    counter += " OR (c.channel = 'counter' AND c.submitted_by_account = ";
    counter += m;
    counter += ")";
  }
  std::vector<std::string> parts;
  for (const auto& s : {scope, task_scope, counter})
    if (!s.empty()) parts.push_back("(" + s + ")");
  if (parts.empty()) return PermissionDenied("only department and counter staff list cases");
  std::string where = " WHERE (";
  for (size_t i = 0; i < parts.size(); ++i) where += (i ? " OR " : "") + parts[i];
  where += ")";
  AddListFilters(f, where, params);
  return Page(where, params, f);
}

Result<Inbox> Service::InboxOf(const Principal& who, const InboxFilter& f, SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  Validator v;
  if (!f.status.empty() && f.status != "open" && f.status != "unclaimed" && f.status != "mine")
    v.Add("status", "must be open, unclaimed or mine");
  if (!f.deadline.empty() && f.deadline != "normal" && f.deadline != "yellow" &&
      f.deadline != "red" && f.deadline != "none") {
    v.Add("deadline", "must be none, normal, yellow or red");
  }
  if (f.limit < 1 || f.limit > 200) v.Add("limit", "must be 1 to 200");
  if (f.q.size() > 100) v.Add("q", "at most 100 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  std::string today_text = FormatDate(today);
  std::string yellow_until = FormatDate(cal.AddWorkingDays(today, 2));

  std::vector<db::Value> params;
  std::string scope = RoleScope(who, "t", params, true);
  if (scope.empty())
    return PermissionDenied("only acceptors, reviewers and approvers have an inbox");
  std::string where = " WHERE t.status = 'open' AND (" + scope + ")";
  ListFilter lf{"", f.item_code, f.q, 1, 1};
  AddListFilters(lf, where, params);
  // PostgreSQL wants every parameter of a statement used in it, so the counts and the
  // page bind their own copies of what they use.
  auto bind = [](std::vector<db::Value>& p, db::Value value) {
    p.push_back(std::move(value));
    return "$" + std::to_string(p.size());
  };
  auto red = [&](std::vector<db::Value>& p) {
    return "(c.promised_deadline <> '' AND c.promised_deadline < " + bind(p, today_text) + ")";
  };
  auto yellow = [&](std::vector<db::Value>& p) {
    return "(c.promised_deadline >= " + bind(p, today_text) +
           " AND c.promised_deadline <= " + bind(p, yellow_until) + ")";
  };
  std::string from = " FROM case_tasks t JOIN cases c ON c.id = t.case_id";
  std::vector<db::Value> counted = params;
  std::string counts =
      "SELECT COUNT(*), SUM(CASE WHEN t.claimed_by = '' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN t.claimed_by = " +
      bind(counted, who.username) + " THEN 1 ELSE 0 END), SUM(CASE WHEN " + yellow(counted) +
      " THEN 1 ELSE 0 END), SUM(CASE WHEN " + red(counted) + " THEN 1 ELSE 0 END)" + from + where;
  std::vector<db::Value> page = params;
  std::string filters;
  if (f.status == "unclaimed") filters += " AND t.claimed_by = ''";
  if (f.status == "mine") filters += " AND t.claimed_by = " + bind(page, who.username);
  if (f.deadline == "red") filters += " AND " + red(page);
  if (f.deadline == "yellow") filters += " AND " + yellow(page);
  if (f.deadline == "normal") filters += " AND c.promised_deadline > " + bind(page, yellow_until);
  if (f.deadline == "none") filters += " AND c.promised_deadline = ''";

  Inbox out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(db::Rows n, c.Query(counts, counted));
    out.total = n.Int(0, 0);
    out.unclaimed = n.Int(0, 1);
    out.mine = n.Int(0, 2);
    out.yellow = n.Int(0, 3);
    out.red = n.Int(0, 4);
    page.emplace_back(f.limit);
    // Most urgent first: overdue, then by deadline, then oldest.
    OW_ASSIGN_OR_RETURN(
        db::Rows rows,
        c.Query(std::string("SELECT ") + store::kTaskColumns + ", " + store::kCaseColumns + from +
                    where + filters +
                    " ORDER BY CASE WHEN c.promised_deadline = '' THEN '9999-12-31' ELSE "
                    "c.promised_deadline END, t.id LIMIT $" +
                    std::to_string(page.size()),
                page));
    // Each row is the task, then its case.
    for (size_t i = 0; i < rows.size(); ++i) {
      InboxEntry e;
      e.task = store::TaskFromRow(rows, i);
      e.summary = store::CaseFromRow(rows, i, store::kTaskColumnCount);
      e.deadline_state = DeadlineState(e.summary, today, cal);
      out.tasks.push_back(std::move(e));
    }
    return {};
  }));
  return out;
}

}  // namespace ow::cases
