// supervise::Service: the clock, the warning sweep and the watch list, orders and claims.
// Random inspections are in inspections.cc.
#include "supervise/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "cases/model.h"
#include "departments/service.h"
#include "supervise/store.h"

namespace ow::supervise {

namespace json = boost::json;

namespace {

constexpr size_t kMaxSubject = 200, kMaxText = 2000, kMaxRef = 64;

int Rank(const std::string& level) { return level == kRed ? 0 : level == kSuspendedLevel ? 1 : 2; }

// The regions of the caller's supervisor roles, without one nested in another.
std::vector<std::string> SupervisedRegions(const Principal& who) {
  std::vector<std::string> regions;
  for (const auto& r : who.roles)
    if (r.role == authz::kSupervisor && !r.region_code.empty()) regions.push_back(r.region_code);
  std::sort(regions.begin(), regions.end());
  std::vector<std::string> out;
  for (const auto& r : regions)
    if (out.empty() || !authz::RegionWithin(r, out.back())) out.push_back(r);
  return out;
}

// The (department, region) of the caller's department roles.
std::vector<std::pair<std::string, std::string>> DepartmentRoles(const Principal& who) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& r : who.roles)
    if ((r.role == authz::kAcceptor || r.role == authz::kReviewer || r.role == authz::kApprover) &&
        !r.department_code.empty())
      out.insert({r.department_code, r.region_code});
  return {out.begin(), out.end()};
}

bool MayReadOrder(const Principal& who, const Order& o) {
  authz::Target t{o.department_code, o.region_code, "", false, {}};
  return authz::Decide(who, authz::Action::kSuperviseRegion, t) ||
         authz::Decide(who, authz::Action::kAnswerOrder, t);
}

}  // namespace

Service::Service(db::Database& db, calendar::Service& calendar, licences::Service& licences,
                 notify::Notifier& notifier, Options options)
    : db_(db),
      calendar_(calendar),
      licences_(licences),
      notifier_(notifier),
      options_(options),
      clock_([] { return std::chrono::system_clock::now(); }) {}

SystemTime Service::Now() const {
  std::lock_guard lock(mu_);
  return clock_();
}

void Service::SetClock(std::function<SystemTime()> clock) {
  std::lock_guard lock(mu_);
  clock_ = std::move(clock);
}

Result<Calendar> Service::CalendarAround(Date day) {
  return calendar_.ForRange(AddDays(day, -7), AddDays(day, 400));
}

Result<std::string> Service::DepartmentRegion(db::Connection& c, const std::string& department) {
  auto d = departments::Service::Get(c, department);
  if (!d) {
    if (d.error().code == Code::kNotFound)
      return Error(Code::kInvalidArgument, "the order is not valid",
                   {{"department_code", "names no department"}});
    return d.error();
  }
  return d->region_code;
}

Status Service::ListNewLicences(Date today, const Calendar& cal) {
  (void)today;
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto fresh, store::UnlistedLicences(c, options_.scan_limit));
    for (const auto& l : fresh) {
      Claim k;
      k.licence_id = l.id;
      k.licence_number = l.number;
      k.type_code = l.type_code;
      k.department_code = l.department_code;
      k.region_code = l.region_code;
      k.case_no = l.case_no;
      k.holder_masked = l.holder_masked;
      k.issued_at = l.issued_at;
      auto issued = ParseTime(l.issued_at);
      Date day = issued ? ChinaDate(*issued) : today;
      k.due_date = FormatDate(cal.AddWorkingDays(day, options_.claim_days));
      OW_RETURN_IF_ERROR(store::InsertClaim(c, k));
    }
    return {};
  });
}

Status Service::Sweep() {
  SystemTime now = Now();
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  OW_RETURN_IF_ERROR(ListNewLicences(today, cal));
  std::string horizon = FormatDate(cal.AddWorkingDays(today, 2));
  std::string at = FormatTime(now);
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto watched, store::Scan(c, horizon, "", options_.scan_limit));
    std::map<std::string, std::string> names;  // department code -> name
    for (auto& w : watched) {
      if (w.level == kSuspendedLevel) continue;
      auto due = ParseDate(w.due_date);
      if (!due) continue;
      w.level = WarningLevel(*due, today, cal, YellowDays(w.kind));
      if (w.level.empty()) continue;
      OW_ASSIGN_OR_RETURN(bool fresh, store::InsertWarning(c, w, at));
      if (!fresh) continue;
      if (!names.count(w.department_code)) {
        auto d = departments::Service::Get(c, w.department_code);
        names[w.department_code] = d ? d->name : w.department_code;
      }
      json::object params{{"ref", w.ref},
                          {"subject", w.subject},
                          {"due_date", w.due_date},
                          {"department", names[w.department_code]}};
      std::string key = "warning:" + w.kind + ":" + w.ref + ":" + w.level;
      std::string topic = w.kind == kTicket ? "ticket" : "case";
      OW_ASSIGN_OR_RETURN(auto supervisors, store::Supervisors(c, w.region_code));
      for (const auto& account : supervisors)
        OW_RETURN_IF_ERROR(
            notifier_.Notify(c, {account, topic, "supervise." + w.kind + "." + w.level, params,
                                 w.ref, "/supervise/warnings", key}));
      if (w.kind == kRectification && w.level == kRed && !w.account.empty())
        OW_RETURN_IF_ERROR(
            notifier_.Notify(c, {w.account, "case", "supervise.rectification.overdue",
                                 json::object{{"ref", w.ref}, {"due_date", w.due_date}}, w.ref,
                                 "/me/ratings/" + w.ref, key}));
    }
    return {};
  });
}

Result<std::vector<Watched>> Service::Watch(const Principal& who, const std::string& region,
                                            const std::string& kind) {
  if (!kind.empty() && !IsKind(kind))
    return Error(Code::kInvalidArgument, "the query is not valid",
                 {{"kind", "must be case, ticket, rectification, order or claim"}});
  std::vector<std::string> regions;
  if (!region.empty()) {
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kSuperviseRegion, {"", region, "", false, {}}));
    regions.push_back(region);
  } else {
    regions = SupervisedRegions(who);
    if (regions.empty()) return PermissionDenied("you may not supervise this region");
  }
  SystemTime now = Now();
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  std::string horizon = FormatDate(cal.AddWorkingDays(today, 2));
  std::vector<Watched> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out.clear();
    std::set<std::string> seen;
    for (const auto& r : regions) {
      OW_ASSIGN_OR_RETURN(auto watched, store::Scan(c, horizon, r, options_.scan_limit));
      OW_ASSIGN_OR_RETURN(auto warned, store::WarnedAt(c, r, 20 * options_.scan_limit));
      for (auto& w : watched) {
        if (!kind.empty() && w.kind != kind) continue;
        if (w.level != kSuspendedLevel) {
          auto due = ParseDate(w.due_date);
          if (!due) continue;
          w.level = WarningLevel(*due, today, cal, YellowDays(w.kind));
          if (w.level.empty()) continue;
        }
        if (!seen.insert(w.kind + "/" + w.ref).second) continue;
        if (auto it = warned.find(w.kind + "/" + w.ref + "/" + w.level); it != warned.end())
          w.warned_at = it->second;
        w.account.clear();  // the supervisors need the object, not who rated it
        out.push_back(std::move(w));
      }
    }
    return {};
  }));
  std::stable_sort(out.begin(), out.end(), [](const Watched& a, const Watched& b) {
    if (Rank(a.level) != Rank(b.level)) return Rank(a.level) < Rank(b.level);
    return a.due_date < b.due_date;
  });
  return out;
}

Result<SupervisedCase> Service::Case(const Principal& who, const std::string& tracking_no) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kSuperviseRegion));
  if (SupervisedRegions(who).empty()) return PermissionDenied("you may not supervise cases");
  auto id = cases::ParseTrackingNo(tracking_no);
  if (!id) return NotFound("no case " + tracking_no);
  std::optional<SupervisedCase> k;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(k, store::LoadCase(c, *id));
    return {};
  }));
  if (!k || !cases::SameTrackingNo(k->tracking_no, tracking_no) ||
      !authz::Decide(who, authz::Action::kSuperviseRegion,
                     {k->department_code, k->region_code, "", false, {}}))
    return NotFound("no case " + tracking_no);
  if (k->status == "suspended") {
    k->level = kSuspendedLevel;
  } else if (auto due = ParseDate(k->promised_deadline); due && k->status == "under_review") {
    // The watch list's rule: only a running clock warns.
    Date today = ChinaDate(Now());
    OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
    k->level = WarningLevel(*due, today, cal, YellowDays(kCase));
  }
  return std::move(*k);
}

// ---- Orders.

Result<std::optional<Date>> Service::DueDate(const std::string& date, int64_t days, Date today,
                                             Validator& v, const std::string& when) {
  if (!date.empty() && days != 0) {
    v.Add("due_days", "give due_date or due_days, not both");
    return std::nullopt;
  }
  if (days != 0) {
    if (days < 1 || days > 60) {
      v.Add("due_days", "must be 1 to 60 working days");
      return std::nullopt;
    }
    OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
    return cal.AddWorkingDays(today, static_cast<int>(days));
  }
  auto due = ParseDate(date);
  if (!due)
    v.Add("due_date", "is required" + when + ": YYYY-MM-DD (or due_days, in working days)");
  else if (*due < today)
    v.Add("due_date", "must be today or later");
  return due;
}

Result<Order> Service::IssueOrder(const Principal& who, const OrderInput& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kIssueOrder));
  SystemTime now = Now();
  Date today = ChinaDate(now);
  Validator v;
  static const std::set<std::string> kKinds = {kCase, kTicket, kRectification, "licence", "other"};
  if (in.department_code.empty()) v.Add("department_code", "is required");
  if (!kKinds.count(in.object_kind))
    v.Add("object_kind", "must be case, ticket, rectification, licence or other");
  if (in.object_ref.size() > kMaxRef) v.Add("object_ref", "at most 64 bytes");
  if (in.object_kind != "other" && in.object_ref.empty())
    v.Add("object_ref", "names the object (a tracking, ticket, rating or licence number)");
  if (in.subject.empty() || in.subject.size() > kMaxSubject)
    v.Add("subject", "is required, at most 200 bytes");
  if (in.instruction.empty() || in.instruction.size() > kMaxText)
    v.Add("instruction", "is required, at most 2000 bytes");
  OW_ASSIGN_OR_RETURN(auto due, DueDate(in.due_date, in.due_days, today, v, ""));
  OW_RETURN_IF_ERROR(v.Finish());
  Order o;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(std::string region, DepartmentRegion(c, in.department_code));
    // A supervisor orders only departments of the regions they supervise.
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kIssueOrder,
                                     {in.department_code, region, "", false, {}}));
    o = Order{};
    o.number = NewNumber("DB", today);
    o.department_code = in.department_code;
    o.region_code = region;
    o.object_kind = in.object_kind;
    o.object_ref = in.object_ref;
    o.subject = in.subject;
    o.instruction = in.instruction;
    o.due_date = FormatDate(*due);
    o.status = kOpen;
    o.issued_by = who.account_id;
    o.issued_at = FormatTime(now);
    o.updated_at = o.issued_at;
    OW_ASSIGN_OR_RETURN(o.id, store::InsertOrder(c, o));
    return {};
  }));
  return o;
}

Result<Order> Service::MutateOrder(const std::string& number,
                                   const std::function<Status(db::Connection&, Order&)>& fn) {
  Order out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto o, store::LoadOrder(c, number, true));
    if (!o) return NotFound("no supervision order " + number);
    o->version -= 1;  // the lock bumped it: the caller names the version they read
    OW_RETURN_IF_ERROR(fn(c, *o));
    o->version += 1;
    OW_RETURN_IF_ERROR(store::SaveOrder(c, *o));
    out = *o;
    return {};
  }));
  return out;
}

Result<Order> Service::ReplyOrder(const Principal& who, const std::string& number,
                                  const OrderStep& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kAnswerOrder));
  if (in.reply.empty() || in.reply.size() > kMaxText)
    return Error(Code::kInvalidArgument, "the reply is not valid",
                 {{"reply", "is required, at most 2000 bytes"}});
  std::string at = FormatTime(Now());
  return MutateOrder(number, [&](db::Connection& c, Order& o) -> Status {
    if (!MayReadOrder(who, o)) return NotFound("no supervision order " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kAnswerOrder,
                                     {o.department_code, o.region_code, "", false, {}}));
    if (o.version != in.version) return Conflict("the order changed: read it again");
    if (o.status != kOpen) return Conflict("the order is " + o.status + ", not open");
    o.status = kReplied;
    o.reply = in.reply;
    o.replied_by = who.account_id;
    o.replied_at = at;
    o.updated_at = at;
    auto d = departments::Service::Get(c, o.department_code);
    return notifier_.Notify(
        c, {o.issued_by, "case", "supervise.order.replied",
            json::object{{"ref", o.number}, {"department", d ? d->name : o.department_code}},
            o.number, "/supervise/orders/" + o.number, ""});
  });
}

Result<Order> Service::CloseOrder(const Principal& who, const std::string& number,
                                  const OrderStep& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kIssueOrder));
  Date today = ChinaDate(Now());
  Validator v;
  if (in.decision != "close" && in.decision != "return")
    v.Add("decision", "must be close or return");
  std::optional<Date> due;
  if (in.decision == "return") {
    if (in.instruction.empty() || in.instruction.size() > kMaxText)
      v.Add("instruction", "is required to send an order back, at most 2000 bytes");
    OW_ASSIGN_OR_RETURN(due, DueDate(in.due_date, in.due_days, today, v, " to send an order back"));
  }
  OW_RETURN_IF_ERROR(v.Finish());
  std::string at = FormatTime(Now());
  return MutateOrder(number, [&](db::Connection&, Order& o) -> Status {
    if (!MayReadOrder(who, o)) return NotFound("no supervision order " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kIssueOrder,
                                     {o.department_code, o.region_code, "", false, {}}));
    if (o.version != in.version) return Conflict("the order changed: read it again");
    if (o.status != kReplied)
      return Conflict("the order is " + o.status + ": only a replied order is closed or returned");
    o.updated_at = at;
    if (in.decision == "close") {
      o.status = kClosed;
      o.closed_at = at;
    } else {
      o.status = kOpen;
      o.instruction = in.instruction;
      o.due_date = FormatDate(*due);
      o.rounds += 1;
    }
    return {};
  });
}

Result<Order> Service::GetOrder(const Principal& who, const std::string& number) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kSupervisionInbox));
  std::optional<Order> o;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(o, store::LoadOrder(c, number, false));
    return {};
  }));
  if (!o || !MayReadOrder(who, *o)) return NotFound("no supervision order " + number);
  return *o;
}

Result<std::vector<Order>> Service::Orders(const Principal& who, const std::string& which,
                                           const std::string& status) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kSupervisionInbox));
  if (which != "supervisor" && which != "department")
    return Error(Code::kInvalidArgument, "the query is not valid",
                 {{"which", "must be supervisor or department"}});
  if (!status.empty() && status != kOpen && status != kReplied && status != kClosed)
    return Error(Code::kInvalidArgument, "the query is not valid",
                 {{"status", "must be open, replied or closed"}});
  std::vector<Order> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out.clear();
    std::set<std::string> seen;
    auto add = [&](std::vector<Order> v) {
      for (auto& o : v)
        if (seen.insert(o.number).second) out.push_back(std::move(o));
    };
    if (which == "supervisor") {
      for (const auto& r : SupervisedRegions(who)) {
        OW_ASSIGN_OR_RETURN(auto v, store::Orders(c, r, "", status, options_.scan_limit));
        add(std::move(v));
      }
    } else {
      for (const auto& [dept, region] : DepartmentRoles(who)) {
        OW_ASSIGN_OR_RETURN(auto v, store::Orders(c, region, dept, status, options_.scan_limit));
        add(std::move(v));
      }
    }
    return {};
  }));
  std::sort(out.begin(), out.end(), [](const Order& a, const Order& b) { return a.id > b.id; });
  return out;
}

// ---- Claims (审管联动).

Result<std::vector<Claim>> Service::Claims(const Principal& who, const std::string& which,
                                           const std::string& status) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kSupervisionInbox));
  if (which != "supervisor" && which != "department")
    return Error(Code::kInvalidArgument, "the query is not valid",
                 {{"which", "must be supervisor or department"}});
  if (!status.empty() && status != kPending && status != kClaimed)
    return Error(Code::kInvalidArgument, "the query is not valid",
                 {{"status", "must be pending or claimed"}});
  std::vector<Claim> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out.clear();
    std::set<std::string> seen;
    auto add = [&](std::vector<Claim> v) {
      for (auto& k : v)
        if (seen.insert(k.licence_number).second) out.push_back(std::move(k));
    };
    if (which == "supervisor") {
      for (const auto& r : SupervisedRegions(who)) {
        OW_ASSIGN_OR_RETURN(auto v, store::Claims(c, r, "", status, options_.scan_limit));
        add(std::move(v));
      }
    } else {
      for (const auto& [dept, region] : DepartmentRoles(who)) {
        OW_ASSIGN_OR_RETURN(auto v, store::Claims(c, region, dept, status, options_.scan_limit));
        add(std::move(v));
      }
    }
    return {};
  }));
  std::sort(out.begin(), out.end(),
            [](const Claim& a, const Claim& b) { return a.due_date < b.due_date; });
  return out;
}

Result<Claim> Service::ClaimLicensee(const Principal& who, const std::string& licence_number,
                                     int64_t version, const std::string& note) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kClaimLicensee));
  if (note.size() > kMaxText)
    return Error(Code::kInvalidArgument, "the claim is not valid",
                 {{"note", "at most 2000 bytes"}});
  std::string at = FormatTime(Now());
  Claim out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto k, store::LoadClaim(c, licence_number, true));
    if (!k) return NotFound("no licensee to claim for licence " + licence_number);
    authz::Target t{k->department_code, k->region_code, "", false, {}};
    if (!authz::Decide(who, authz::Action::kClaimLicensee, t) &&
        !authz::Decide(who, authz::Action::kSuperviseRegion, t))
      return NotFound("no licensee to claim for licence " + licence_number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kClaimLicensee, t));
    if (k->version - 1 != version) return Conflict("the claim changed: read it again");
    if (k->status != kPending) return Conflict("the licensee was already claimed");
    k->status = kClaimed;
    k->claimed_by = who.account_id;
    k->claimed_at = at;
    k->note = note;
    OW_RETURN_IF_ERROR(store::SaveClaim(c, *k));
    out = *k;
    return {};
  }));
  return out;
}

}  // namespace ow::supervise
