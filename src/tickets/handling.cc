// Reading tickets (the asker's, staff inboxes, the anonymous lookup), answering, sending
// back, rating, and the escalation of overdue tickets by their timers.
#include <set>

#include "core/log.h"
#include "core/text.h"
#include "tickets/service.h"
#include "tickets/service_internal.h"
#include "tickets/store.h"
#include "workflow/instance.h"

namespace ow::tickets {

namespace json = boost::json;
using internal::MayRead;
using internal::TargetOf;

namespace {

constexpr int kListLimit = 200;

Result<const workflow::Task*> OpenTask(const workflow::Instance& inst) {
  if (inst.tasks().empty()) return Conflict("the ticket is no longer waiting for an answer");
  return &inst.tasks().front();
}

}  // namespace

Result<Ticket> Service::Get(const Principal& who, const std::string& number) {
  Result<Ticket> out = NotFound("no ticket " + number);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto t, store::Load(c, number));
    if (!t || !MayRead(who, *t)) return {};
    OW_ASSIGN_OR_RETURN(t->events, store::Events(c, t->id));
    out = std::move(*t);
    return {};
  }));
  return out;
}

bool Service::MayReadMaterial(const Principal& who, const std::string& material_id) {
  bool ok = false;
  auto st = db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto list, store::WithMaterial(c, material_id));
    for (const auto& t : list) ok = ok || MayRead(who, t);
    return {};
  });
  return st && ok;
}

Result<Ticket> Service::Lookup(const std::string& number, const std::string& code,
                               const std::string& ip) {
  std::chrono::seconds retry{0};
  SystemTime now = Now();
  {
    std::lock_guard lock(mu_);
    if (lookup_ip_.Full(ip, now, &retry) || lookup_number_.Full(number, now, &retry))
      return ResourceExhausted(
          "too many failed lookups; try again in " + std::to_string(retry.count()) + " seconds",
          retry);
  }
  Result<Ticket> out = NotFound("no ticket with this number and code");
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(std::string hash, store::CodeHash(c, number));
    // Every miss looks the same: no ticket, a signed-in asker's ticket (no code), a wrong code.
    if (hash.empty() || !text::ConstantTimeEquals(hash, HashCode(code))) return {};
    OW_ASSIGN_OR_RETURN(auto t, store::Load(c, number));
    if (!t) return {};
    OW_ASSIGN_OR_RETURN(t->events, store::Events(c, t->id));
    out = std::move(*t);
    return {};
  }));
  if (!out && out.error().code == Code::kNotFound) {
    std::lock_guard lock(mu_);
    lookup_ip_.Add(ip, now);
    lookup_number_.Add(number, now);
  }
  return out;
}

Result<std::vector<Ticket>> Service::Mine(const Principal& who) {
  authz::Target self;
  self.owner_account = who.account_id;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadOwnTickets, self));
  std::vector<Ticket> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::ByAsker(c, who.account_id, kListLimit));
    return {};
  }));
  return out;
}

Result<std::vector<Ticket>> Service::Inbox(const Principal& who, const std::string& which) {
  if (which != kAtDepartment && which != "escalated") {
    Validator v;
    v.Add("which", "must be department or escalated");
    return v.Finish().error();
  }
  std::vector<Ticket> out;
  std::set<std::string> seen;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    for (const auto& r : who.roles) {
      bool department =
          which == kAtDepartment &&
          (r.role == authz::kAcceptor || r.role == authz::kReviewer || r.role == authz::kApprover);
      bool supervisor = which != kAtDepartment && r.role == authz::kSupervisor;
      if ((!department && !supervisor) || r.region_code.empty()) continue;
      OW_ASSIGN_OR_RETURN(
          auto list, store::Open(c, department ? kAtDepartment : kAtSupervisor,
                                 department ? r.department_code : "", r.region_code, kListLimit));
      for (auto& t : list)
        if (seen.insert(t.number).second) out.push_back(std::move(t));
    }
    return {};
  }));
  std::sort(out.begin(), out.end(), [](const Ticket& a, const Ticket& b) {
    return a.due_date != b.due_date ? a.due_date < b.due_date : a.id < b.id;
  });
  return out;
}

Result<Ticket> Service::Answer(const Principal& who, const std::string& number, int64_t version,
                               const std::string& answer) {
  Validator v;
  if (answer.empty()) v.Add("answer", "is required");
  if (answer.size() > 8000) v.Add("answer", "at most 8000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return Mutate(number, false, [&](db::Connection& c, Op& op) -> Status {
    if (!MayRead(who, op.t)) return NotFound("no ticket " + number);
    if (op.t.status != kOpen) return Conflict("ticket " + number + " was already answered");
    bool escalated = op.t.stage == kAtSupervisor;
    OW_RETURN_IF_ERROR(authz::Decide(
        who, escalated ? authz::Action::kSuperviseTicket : authz::Action::kAnswerTicket,
        TargetOf(op.t)));
    if (op.t.version != version + 1)
      return Conflict("ticket " + number + " changed (version " + std::to_string(op.t.version - 1) +
                      ", you sent " + std::to_string(version) + "); reload it");
    OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.t.process_version));
    OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.t.instance));
    OW_ASSIGN_OR_RETURN(const workflow::Task* task, OpenTask(inst));
    op.actor = who.username;
    OW_RETURN_IF_ERROR(Advance(c, op,
                               inst.CompleteTask(task->id, json::object{{"decision", "answer"}},
                                                 WorkingClock(*op.cal, op.today))));
    op.t.instance = inst.Snapshot();
    op.t.status = kAnswered;
    op.t.stage = "";
    op.t.answer = answer;
    op.t.answered_by = who.username;
    op.t.answered_at = op.at;
    op.Record("answered", answer);
    op.Tell("ticket.answered");
    OW_RETURN_IF_ERROR(CountIndicators(c, op.t, true, op.today));
    return {};
  });
}

Result<Ticket> Service::Return(const Principal& who, const std::string& number, int64_t version,
                               const std::string& instruction) {
  Validator v;
  if (instruction.empty()) v.Add("instruction", "is required: what the department must do");
  if (instruction.size() > 4000) v.Add("instruction", "at most 4000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return Mutate(number, false, [&](db::Connection& c, Op& op) -> Status {
    if (!MayRead(who, op.t)) return NotFound("no ticket " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kSuperviseTicket, TargetOf(op.t)));
    if (op.t.status != kOpen || op.t.stage != kAtSupervisor)
      return Conflict("ticket " + number + " is not waiting for the supervisors");
    if (op.t.version != version + 1) return Conflict("ticket " + number + " changed; reload it");
    OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.t.process_version));
    OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.t.instance));
    OW_ASSIGN_OR_RETURN(const workflow::Task* task, OpenTask(inst));
    op.actor = who.username;
    op.t.instruction = instruction;
    op.Record("returned", instruction);
    OW_RETURN_IF_ERROR(Advance(
        c, op,
        inst.CompleteTask(task->id,
                          json::object{{"decision", "return"}, {"instruction", instruction}},
                          WorkingClock(*op.cal, op.today))));
    op.t.instance = inst.Snapshot();
    return {};
  });
}

namespace {

Status CheckRating(int64_t score, const std::string& comment) {
  Validator v;
  if (score < 1 || score > 5) v.Add("score", "must be 1 (very dissatisfied) to 5 (very satisfied)");
  if (comment.size() > 2000) v.Add("comment", "at most 2000 bytes");
  return v.Finish();
}

// Closes an answered ticket with the asker's rating.
Status Close(Ticket& t, const std::string& at, int64_t score, const std::string& comment) {
  if (t.status == kOpen)
    return FailedPrecondition("ticket " + t.number + " has no answer to rate yet");
  if (t.status == kClosed) return Conflict("ticket " + t.number + " was already rated");
  t.status = kClosed;
  t.rating = score;
  t.rating_comment = comment;
  t.rated_at = at;
  return {};
}

std::string RatingNote(int64_t score, const std::string& comment) {
  return std::to_string(score) + (comment.empty() ? "" : " " + comment);
}

}  // namespace

Result<Ticket> Service::Rate(const Principal& who, const std::string& number, int64_t score,
                             const std::string& comment) {
  OW_RETURN_IF_ERROR(CheckRating(score, comment));
  return Mutate(number, false, [&](db::Connection&, Op& op) -> Status {
    if (!MayRead(who, op.t)) return NotFound("no ticket " + number);
    // Only the asker rates: not the staff who may read it.
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kAskTicket, TargetOf(op.t)));
    op.actor = who.username;
    OW_RETURN_IF_ERROR(Close(op.t, op.at, score, comment));
    op.Record("rated", RatingNote(score, comment));
    return {};
  });
}

Result<Ticket> Service::RateWithCode(const std::string& number, const std::string& code,
                                     int64_t score, const std::string& comment,
                                     const std::string& ip) {
  OW_RETURN_IF_ERROR(CheckRating(score, comment));
  // The same check and throttle as a lookup.
  OW_RETURN_IF_ERROR(Lookup(number, code, ip));
  return Mutate(number, false, [&](db::Connection&, Op& op) -> Status {
    op.actor = "anonymous";
    OW_RETURN_IF_ERROR(Close(op.t, op.at, score, comment));
    op.Record("rated", RatingNote(score, comment));
    return {};
  });
}

Result<int64_t> Service::EscalateOverdue() {
  SystemTime now = Now();
  Date today = ChinaDate(now);
  std::vector<std::string> due;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(due, store::Overdue(c, FormatDate(today), 100));
    return {};
  }));
  int64_t moved = 0;
  for (const auto& number : due) {
    bool fired = false;
    auto done = Mutate(number, true, [&](db::Connection& c, Op& op) -> Status {
      OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.t.process_version));
      OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.t.instance));
      op.actor = "system";
      // The clock of yesterday's end: a ticket escalates the day after its due date.
      int64_t before = op.t.escalation_level;
      OW_RETURN_IF_ERROR(
          Advance(c, op, inst.FireTimers(WorkingClock(*op.cal, AddDays(op.today, -1)))));
      op.t.instance = inst.Snapshot();
      fired = op.t.escalation_level > before;
      return {};
    });
    // Not found: another server escalated it first, or it was answered meanwhile. Any other
    // failure is logged and the sweep goes on: the next sweep tries the ticket again.
    if (!done && done.error().code != Code::kNotFound)
      log::Warn("ticket_escalation_failed", {{"ticket", number}, {"error", done.error().message}});
    if (done && fired) ++moved;
  }
  return moved;
}

}  // namespace ow::tickets
