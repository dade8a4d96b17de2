// Reading cases: one case with everything about it, the lists of an applicant, an
// enterprise and staff (paged, filtered), and a staff member's inbox of open tasks
// with its counts and deadline states; and the public lookup of a case's stage.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <optional>

#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "core/log.h"
#include "core/text.h"

namespace ow::cases {

using identity::Principal;
using internal::KnownTaskRole;

Result<Case> Service::LoadFull(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
  if (!k) return NotFound("no such case");
  OW_ASSIGN_OR_RETURN(k->materials, store::LoadAttachments(c, id));
  OW_ASSIGN_OR_RETURN(k->licences, store::LoadLicenceUses(c, id));
  OW_ASSIGN_OR_RETURN(k->data_uses, store::LoadDataUses(c, id));
  OW_ASSIGN_OR_RETURN(k->tasks, store::LoadTasks(c, id));
  OW_ASSIGN_OR_RETURN(k->events, store::LoadEvents(c, id));
  if (documents_) {
    OW_ASSIGN_OR_RETURN(k->documents, documents_->Of(c, *k));
  }
  return std::move(*k);
}

// A refused public lookup, for the audit log: the number asked about (the case id when it
// parses) and the address, never the name or digits given; through the batching writer.
void Service::AuditRefusedLookup(const std::string& key, const std::string& ip, bool throttled) {
  if (!audit_) return;
  identity::AuditEvent e{"case.lookup_refused",
                         "",
                         key,
                         throttled ? "denied" : "failure",
                         ip,
                         {{"throttled", throttled ? "true" : "false"}}};
  if (auto st = audit_(nullptr, e); !st)
    log::Warn("audit.enqueue_failed", {{"error", st.error().message}});
}

Result<PublicCase> Service::Lookup(const LookupInput& in, const std::string& ip, SystemTime now) {
  Validator v;
  if (in.tracking_no.empty() || in.tracking_no.size() > 40)
    v.Add("tracking_no", "is required (the tracking number on the receipt)");
  if (in.name.empty() || text::CodePoints(in.name) > 100 || !text::IsValidUtf8(in.name))
    v.Add("name", "is required, the applicant's name as on the application");
  if (in.id_last4.size() != 4 || !std::all_of(in.id_last4.begin(), in.id_last4.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch));
      }))
    v.Add("id_last4", "must be the last four characters of the ID number or credit code");
  OW_RETURN_IF_ERROR(v.Finish("case lookup"));
  // The number's key: the case id when it parses, so that spellings of one number (a
  // lower-case x) share their limit.
  auto id = ParseTrackingNo(in.tracking_no);
  std::string key = id ? std::to_string(*id) : in.tracking_no;
  {
    std::lock_guard lock(lookup_mu_);
    std::chrono::seconds retry{0};
    if (lookup_failures_by_ip_.Full(ip, now, &retry) ||
        lookup_failures_by_case_.Full(key, now, &retry)) {
      AuditRefusedLookup(key, ip, true);
      return ResourceExhausted("too many failed case lookups; try again in " +
                                   std::to_string(retry.count()) +
                                   " seconds, or sign in to see your own cases",
                               retry);
    }
  }
  const Error none = NotFound("no case matches these details");
  std::optional<Case> k;
  if (id) {
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(k, store::LoadCase(c, *id));
      return {};
    }));
  }
  // An archived case is found too, by what its archive row keeps of the applicant.
  bool archived = false;
  if (id && !k) {
    std::optional<store::ArchiveRow> row;
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(row, store::LoadArchive(c, *id));
      return {};
    }));
    if (row) {
      Case a;
      a.tracking_no = row->tracking_no;
      a.status = row->status;
      a.decision = row->decision;
      a.applicant_name = row->applicant_name;
      a.applicant_enterprise = row->applicant_enterprise;
      boost::system::error_code ec;
      boost::json::value view = boost::json::parse(row->applicant_view, ec);
      const boost::json::value* masked = nullptr;
      if (!ec && view.is_object()) {
        if (const auto* who = view.as_object().if_contains("applicant"); who && who->is_object())
          masked = who->as_object().if_contains("resident_id");
      }
      if (masked && masked->is_string()) a.applicant_id_masked = std::string(masked->as_string());
      k = std::move(a);
      archived = true;
    }
  }
  if (!k || !SameTrackingNo(k->tracking_no, in.tracking_no) ||
      !LookupMatches(*k, in.name, in.id_last4)) {
    std::lock_guard lock(lookup_mu_);
    lookup_failures_by_ip_.Add(ip, now);
    lookup_failures_by_case_.Add(key, now);
    AuditRefusedLookup(key, ip, false);
    return none;
  }
  return PublicCase{k->tracking_no, PublicStage(*k), archived};
}

Result<Case> Service::Get(const Principal& who, const std::string& no) {
  auto id = ParseTrackingNo(no);
  if (!id) return NotFound("no case " + no);
  Result<Case> out = NotFound("no case " + no);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    auto k = LoadFull(c, *id);
    if (!k) return k.error().code == Code::kNotFound ? Status() : Status(k.error());
    if (!SameTrackingNo(k->tracking_no, no) || !CanRead(who, *k, k->tasks)) return {};
    for (auto& t : k->tasks)
      t.may_work = t.status == internal::kOpen && CanWorkOn(who, t).has_value();
    out = std::move(*k);
    return {};
  }));
  // The licences used, as they stand now: staff see a revoked one at once.
  if (out && !out->licences.empty() && licences_) {
    std::vector<std::string> numbers;
    for (const auto& u : out->licences) numbers.push_back(u.number);
    OW_ASSIGN_OR_RETURN(auto now, licences_->Current(numbers));
    for (auto& u : out->licences) {
      for (const auto& l : now) {
        if (l.number != u.number) continue;
        u.type_name = l.type_name;
        u.holder_name = l.holder_name;
        u.issuer_name = l.issuer_name;
        u.valid_from = l.valid_from;
        u.valid_to = l.valid_to;
        u.trust_level = l.trust_level;
        u.status = l.status;
      }
    }
  }
  return out;
}

Result<std::string> Service::UsedLicencePdf(const Principal& who, const std::string& no,
                                            const std::string& number) {
  OW_ASSIGN_OR_RETURN(Case k, Get(who, no));
  // A copy for this case (domain.md: A-level copies carry a watermark): who provided it,
  // for what, and for thirty days.
  std::string until = FormatDate(AddDays(ChinaDate(Now()), 30));
  for (const auto& u : k.licences) {
    if (u.number == number && licences_)
      return licences_->Pdf(number, "由" + u.issuer_name + "提供 仅供办件" + k.tracking_no +
                                        "政务服务使用 " + until + "前有效");
  }
  return NotFound("case " + no + " used no licence " + number);
}

Result<std::string> Service::DocumentPdf(const Principal& who, const std::string& no,
                                         const std::string& kind) {
  OW_ASSIGN_OR_RETURN(Case k, Get(who, no));
  for (const auto& d : k.documents) {
    if (d.kind == kind && documents_) return documents_->Pdf(k, kind);
  }
  return NotFound("case " + no + " has no " + kind + " document");
}

namespace {

// The departmental roles of `who` (acceptor, reviewer, approver, each for a department
// and region); empty when the caller holds none.
std::vector<store::Scope> TaskScopes(const Principal& who) {
  std::vector<store::Scope> out;
  for (const auto& r : who.roles) {
    if (!KnownTaskRole(r.role) || r.department_code.empty() || r.region_code.empty()) continue;
    out.push_back({r.role, r.department_code, r.region_code});
  }
  return out;
}

// `q` is a tracking number (its case) or words of the item or applicant name.
store::CaseFilter FilterOf(const std::string& status, const std::string& item_code,
                           const std::string& q) {
  store::CaseFilter f{status, item_code, std::nullopt, ""};
  if (!q.empty()) {
    if (auto id = ParseTrackingNo(q)) {
      f.case_id = *id;
    } else {
      f.name_contains = q;
    }
  }
  return f;
}

Status CheckPaging(const ListFilter& f) {
  Validator v;
  if (f.page < 1 || f.page > 10000) v.Add("page", "must be 1 to 10000");
  if (f.per_page < 1 || f.per_page > 100) v.Add("per_page", "must be 1 to 100");
  if (f.q.size() > 100) v.Add("q", "at most 100 bytes");
  return v.Finish();
}

// The page of `q` that `f` asks for.
Result<CaseList> Page(db::Database& db, store::CaseQuery q, const ListFilter& f) {
  q.filter = FilterOf(f.status, f.item_code, f.q);
  q.limit = f.per_page;
  q.offset = (f.page - 1) * f.per_page;
  CaseList out;
  OW_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto page, store::ListCases(c, q));
    out.total = page.total;
    out.cases = std::move(page.cases);
    return {};
  }));
  return out;
}

}  // namespace

Result<CaseList> Service::ListMine(const Principal& who, const ListFilter& f) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadCase, {"", "", who.account_id, false}));
  OW_RETURN_IF_ERROR(CheckPaging(f));
  store::CaseQuery q;
  q.applicant_account_id = who.account_id;
  return Page(db_, std::move(q), f);
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
  store::CaseQuery q;
  q.applicant_enterprise = access->enterprise.credit_code;
  return Page(db_, std::move(q), f);
}

Result<CaseList> Service::ListForStaff(const Principal& who, const ListFilter& f) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(CheckPaging(f));
  // The caller's departments' cases (and those where they have a task), and for counter
  // staff the cases of their region and those their hall took in.
  store::StaffScope staff;
  staff.departments = TaskScopes(who);
  for (const auto& r : who.roles) {
    if (r.role == identity::kCounter && !r.region_code.empty())
      staff.counter_regions.push_back(r.region_code);
  }
  staff.counter_account = who.account_id;
  if (staff.departments.empty() && staff.counter_regions.empty())
    return PermissionDenied("only department and counter staff list cases");
  store::CaseQuery q;
  q.staff = std::move(staff);
  return Page(db_, std::move(q), f);
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

  store::InboxQuery q;
  q.scopes = TaskScopes(who);
  if (q.scopes.empty())
    return PermissionDenied("only acceptors, reviewers and approvers have an inbox");
  q.filter = FilterOf("", f.item_code, f.q);
  q.username = who.username;
  using Claim = store::InboxQuery::Claim;
  using Deadline = store::InboxQuery::Deadline;
  if (f.status == "unclaimed") q.claim = Claim::kUnclaimed;
  if (f.status == "mine") q.claim = Claim::kMine;
  if (f.deadline == "red") q.deadline = Deadline::kRed;
  if (f.deadline == "yellow") q.deadline = Deadline::kYellow;
  if (f.deadline == "normal") q.deadline = Deadline::kNormal;
  if (f.deadline == "none") q.deadline = Deadline::kNone;
  q.today = FormatDate(today);
  q.yellow_until = FormatDate(cal.AddWorkingDays(today, 2));
  q.limit = f.limit;

  Inbox out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(store::InboxPage page, store::ListInbox(c, q));
    out.total = page.total;
    out.unclaimed = page.unclaimed;
    out.mine = page.mine;
    out.yellow = page.yellow;
    out.red = page.red;
    for (auto& row : page.rows) {
      InboxEntry e;
      e.task = std::move(row.task);
      e.summary = std::move(row.summary);
      e.deadline_state = DeadlineState(e.summary, today, cal);
      e.task.may_work = CanWorkOn(who, e.task).has_value();
      out.tasks.push_back(std::move(e));
    }
    return {};
  }));
  return out;
}

Result<boost::json::object> Service::Prefill(const Principal& who, const std::string& item_code,
                                             const std::string& enterprise) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  if (who.kind != identity::kPerson) return PermissionDenied("only a person applies online");
  OW_ASSIGN_OR_RETURN(auto view, catalog_.GetItem(item_code, ""));
  std::optional<identity::Service::EnterpriseAccess> operated;
  if (!enterprise.empty()) {
    auto access = identity_.AccessTo(who, enterprise);
    if (!access || !access->rights.apply) return NotFound("no enterprise " + enterprise);
    operated = std::move(*access);
  }
  // Read only what the form asks for.
  std::map<std::string, std::string> wanted;  // property -> source
  if (const auto* schema = view.version.document.if_contains("form_schema");
      schema && schema->is_object())
    if (const auto* props = schema->as_object().if_contains("properties");
        props && props->is_object())
      for (const auto& [k, p] : props->as_object())
        if (const auto* src = p.is_object() ? p.as_object().if_contains("x-prefill") : nullptr;
            src && src->is_string())
          wanted[std::string(k)] = std::string(src->as_string());
  std::optional<identity::Account> account;
  std::string resident_id;
  boost::json::object out;
  for (const auto& [key, src] : wanted) {
    std::string value;
    if (src.rfind("person.", 0) == 0) {
      if (!account) {
        OW_ASSIGN_OR_RETURN(account, identity_.AccountById(who.account_id));
      }
      if (src == "person.name") value = account->real_name;
      if (src == "person.phone") value = account->phone;
      if (src == "person.resident_id") {
        if (resident_id.empty() && !account->resident_id_masked.empty()) {
          OW_ASSIGN_OR_RETURN(resident_id, identity_.ResidentId(who.account_id));
        }
        value = resident_id;
      }
    } else if (operated) {
      if (src == "enterprise.name") value = operated->enterprise.name;
      if (src == "enterprise.credit_code") value = operated->enterprise.credit_code;
    }
    if (!value.empty()) out[key] = value;
  }
  return out;
}

}  // namespace ow::cases
