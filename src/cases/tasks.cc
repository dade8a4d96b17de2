// Work on tasks from the workbench: finding a task's case, claiming a task, handing it
// to a colleague who may work on it, and completing it (acceptance starts the workflow;
// a review decision moves it on).
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"

namespace ow::cases {

namespace json = boost::json;
using identity::Principal;
using internal::kOpen;

Result<int64_t> Service::CaseOfTask(int64_t task_id) {
  int64_t case_id = 0;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto found, store::CaseOfTask(c, task_id));
    case_id = found.value_or(0);
    return {};
  }));
  if (case_id == 0) return NotFound("no task " + std::to_string(task_id));
  return case_id;
}

namespace {

// The open task `id` at `version` that `who` may take: kNotFound when they may not even
// see it, kConflict when it moved on or someone else holds it.
Result<Task*> TakeTask(std::vector<Task>& tasks, int64_t id, int64_t version, const Principal& who,
                       const std::function<Status(const Task&)>& can) {
  Task* t = nullptr;
  for (auto& x : tasks)
    if (x.id == id) t = &x;
  if (!t || !can(*t)) return NotFound("no task " + std::to_string(id));
  if (t->status != kOpen)
    return Conflict("task " + std::to_string(id) + " was already completed by " +
                    (t->closed_by.empty() ? "someone else" : t->closed_by));
  if (t->version != version)
    return Conflict("task " + std::to_string(id) + " changed (version " +
                    std::to_string(t->version) + ", you sent " + std::to_string(version) +
                    "); reload it");
  if (!t->claimed_by.empty() && t->claimed_by != who.username)
    return Conflict("task " + std::to_string(id) + " is claimed by " + t->claimed_by);
  return t;
}

}  // namespace

Result<Task> Service::Claim(const Principal& who, int64_t task_id, int64_t version,
                            SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_ASSIGN_OR_RETURN(int64_t case_id, CaseOfTask(task_id));
  Task claimed;
  auto done = Mutate(case_id, now, [&](db::Connection& c, Op& op) -> Status {
    OW_ASSIGN_OR_RETURN(Task * t, TakeTask(op.tasks, task_id, version, who,
                                           [&](const Task& x) { return CanWorkOn(who, x); }));
    OW_ASSIGN_OR_RETURN(bool ok, store::SetClaim(c, t->id, t->version, who.username));
    if (!ok) return Conflict("task " + std::to_string(task_id) + " changed; reload it");
    op.actor = who.username;
    op.actor_account = who.account_id;
    op.channel = kWorkbench;
    op.Record("task_claimed", op.k.status, "", {{"task", t->id}, {"name", t->name}});
    return {};
  });
  if (!done) return done.error();
  for (const auto& t : done->tasks)
    if (t.id == task_id) claimed = t;
  claimed.may_work = true;
  return claimed;
}

Result<Task> Service::Transfer(const Principal& who, int64_t task_id, int64_t version,
                               const std::string& to_username, const std::string& reason,
                               SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  Validator v;
  if (to_username.empty()) v.Add("to_username", "is required");
  if (reason.size() > 2000) v.Add("reason", "at most 2000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  OW_ASSIGN_OR_RETURN(int64_t case_id, CaseOfTask(task_id));
  // The receiver must hold the task's role for its department and region.
  auto to = identity_.AccountByUsername(to_username);
  Principal receiver;
  if (to && to->kind == identity::kStaff && to->status == "active") {
    // Judged as if the receiver were working at the portal (the decision is about roles).
    receiver.via = authz::Via::kSession;
    receiver.account_id = to->id;
    receiver.username = to->username;
    receiver.kind = to->kind;
    receiver.roles = to->roles;
  }
  Task moved;
  auto done = Mutate(case_id, now, [&](db::Connection& c, Op& op) -> Status {
    OW_ASSIGN_OR_RETURN(Task * t, TakeTask(op.tasks, task_id, version, who,
                                           [&](const Task& x) { return CanWorkOn(who, x); }));
    if (receiver.account_id.empty() || !CanWorkOn(receiver, *t) ||
        receiver.account_id == who.account_id) {
      Validator rv;
      rv.Add("to_username", to_username + " cannot take this task (it needs role " + t->role +
                                " in " + t->department_code + ", region " + t->region_code + ")");
      return rv.Finish();
    }
    OW_ASSIGN_OR_RETURN(bool ok, store::SetClaim(c, t->id, t->version, receiver.username));
    if (!ok) return Conflict("task " + std::to_string(task_id) + " changed; reload it");
    op.actor = who.username;
    op.actor_account = who.account_id;
    op.channel = kWorkbench;
    op.Record("task_transferred", op.k.status, reason,
              {{"task", t->id}, {"name", t->name}, {"to", receiver.username}});
    return {};
  });
  if (!done) return done.error();
  for (const auto& t : done->tasks)
    if (t.id == task_id) moved = t;
  moved.may_work = CanWorkOn(who, moved).has_value();
  return moved;
}

Result<Case> Service::Complete(const Principal& who, int64_t task_id, int64_t version,
                               const std::string& decision, const std::string& opinion,
                               SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  if (opinion.size() > 4000) {
    Validator v;
    v.Add("opinion", "at most 4000 bytes");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  OW_ASSIGN_OR_RETURN(int64_t case_id, CaseOfTask(task_id));
  return Mutate(case_id, now, [&](db::Connection& c, Op& op) -> Status {
    OW_ASSIGN_OR_RETURN(Task * t, TakeTask(op.tasks, task_id, version, who,
                                           [&](const Task& x) { return CanWorkOn(who, x); }));
    op.actor = who.username;
    op.actor_account = who.account_id;
    op.channel = kWorkbench;
    Validator v;
    if (t->kind == "accept") {
      if (decision != "accept" && decision != "not_accept")
        v.Add("decision", "must be accept or not_accept");
    } else if (decision != "approve" && decision != "deny") {
      v.Add("decision", "must be approve or deny");
    }
    if ((decision == "not_accept" || decision == "deny") && opinion.empty())
      v.Add("opinion", "give the reason for " + decision);
    OW_RETURN_IF_ERROR(v.Finish());
    std::string wanted = t->kind == "accept" ? kSubmitted : kUnderReview;
    if (op.k.status != wanted) {
      return FailedPrecondition("the case is " + op.k.status +
                                "; this task can be completed when it is " + wanted);
    }
    OW_ASSIGN_OR_RETURN(bool ok, store::CloseTask(c, t->id, t->version, who.username, decision,
                                                  opinion, "completed", op.at));
    if (!ok) return Conflict("task " + std::to_string(task_id) + " was completed by someone else");
    t->status = "closed";
    t->decision = decision;
    t->opinion = opinion;
    t->closed_by = who.username;
    json::object detail{{"task", t->id},
                        {"name", t->name},
                        {"decision", decision},
                        {"department_code", t->department_code}};
    if (t->kind == "accept") {
      if (decision == "not_accept") {
        op.Record("not_accepted", kNotAccepted, opinion, std::move(detail));
        return {};
      }
      op.k.accepted_on = FormatDate(op.today);
      op.Record("accepted", kUnderReview, opinion, std::move(detail));
      return StartWorkflow(c, op);
    }
    op.Record("task_completed", op.k.status, opinion, std::move(detail));
    OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.k));
    OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.k.instance));
    json::object decisions;
    if (const json::value* d = inst.variables().if_contains("decisions"); d && d->is_object())
      decisions = d->as_object();
    decisions[t->node] = decision;
    json::object output{{"decision", decision},
                        {"opinion", opinion},
                        {"decided_by", who.username},
                        {"decisions", std::move(decisions)}};
    return Apply(c, op, inst, inst.CompleteTask(t->engine_task, output, op.now));
  });
}

}  // namespace ow::cases
