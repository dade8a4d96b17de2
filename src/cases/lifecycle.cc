// How a case moves: one operation on one locked case (Mutate), the workflow started at
// acceptance and its effects applied (tasks opened and closed, timers, service tasks,
// the decision), deadlines recomputed, and the actions of applicants (withdraw, supply)
// and staff (request a supplement, suspend, resume, deliver, close).
#include <algorithm>
#include <set>

#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "catalog/form_validate.h"

namespace ow::cases {

namespace json = boost::json;
using identity::Principal;
using internal::ApplicantOwner;
using internal::KnownTaskRole;
using internal::kOpen;

void Service::Op::Record(std::string action, const std::string& to, std::string reason,
                         json::object detail) {
  Event e;
  e.at = at;
  e.actor = actor;
  e.channel = channel;
  e.action = std::move(action);
  e.from_status = k.status;
  e.to_status = to;
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  if (to != k.status && !MessageRecipient(k).empty())
    messages.push_back(internal::StatusChangeMessage(k, to, e.reason, at));
  k.status = to;
  events.push_back(std::move(e));
}

Status Service::Recompute(Op& op) {
  if (op.k.accepted_on.empty()) return {};
  auto start = ParseDate(op.k.accepted_on);
  if (!start) return Internal("bad acceptance date on case " + op.k.tracking_no);
  auto deadline = [&](int64_t days) {
    auto d = op.cal->Deadline(*start, static_cast<int>(days), op.k.pauses);
    return d ? FormatDate(*d) : std::string();
  };
  op.k.promised_deadline = deadline(op.k.promised_days);
  op.k.statutory_deadline = deadline(op.k.statutory_days);
  return {};
}

Status Service::IssueDocuments(db::Connection& c, Op& op) {
  if (!documents_) return {};
  // Copied: issuing records events of its own.
  const std::vector<Event> happened = op.events;
  std::string item_type;
  for (const auto& e : happened) {
    DocumentFacts f;
    f.actor = e.actor;
    if (e.action == "accepted" || e.action == "not_accepted" || e.action == "decided") {
      if (item_type.empty()) {
        // The type words the built-in texts (准予行政许可 or 准予办理); cached lookups.
        if (auto t = TargetOf(op.k.item_code, op.k.region_code); t) {
          if (const auto* v = (*t)->view.version.document.if_contains("type"); v && v->is_string())
            item_type = std::string(v->as_string());
        }
      }
      f.item_type = item_type;
    }
    if (e.action == "accepted") {
      f.kind = kAcceptanceNotice;
    } else if (e.action == "not_accepted") {
      f.kind = kNonAcceptanceNotice;
      f.reasons = e.reason;
    } else if (e.action == "decided" && e.to_status == kApproved) {
      f.kind = kApprovalDecision;
      // The licence an issue-licence step of this process made, if any.
      for (const auto& s : op.events) {
        const auto* result = s.detail.if_contains("result");
        if (s.action != "service_called" || !result || !result->is_object()) continue;
        if (const auto* n = result->as_object().if_contains("licence_number"); n && n->is_string())
          f.licence = std::string(n->as_string());
      }
    } else if (e.action == "decided" && e.to_status == kDenied) {
      f.kind = kDenialDecision;
      // Every reviewer's reason for denying, in the order the tasks were made.
      for (const auto& t : op.tasks) {
        if (t.kind != "review" || t.decision != "deny" || t.opinion.empty()) continue;
        f.reasons += (f.reasons.empty() ? "" : "\n") + t.opinion;
      }
    } else {
      continue;
    }
    OW_ASSIGN_OR_RETURN(auto doc, documents_->Issue(c, op.k, f, op.at));
    op.Record("document_issued", op.k.status, "",
              {{"kind", doc.kind}, {"number", doc.number}, {"title", doc.title}});
    if (!MessageRecipient(op.k).empty())
      op.messages.push_back(internal::DocumentMessage(op.k, doc.title, op.at));
  }
  return {};
}

Result<Case> Service::Mutate(int64_t id, SystemTime now,
                             const std::function<Status(db::Connection&, Op&)>& fn) {
  // The calendar is read once, outside the transaction.
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  Result<Case> out = NotFound("no such case");
  OW_RETURN_IF_ERROR(db_.TransactGrouped([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool exists, store::LockCase(c, id));
    if (!exists) return NotFound("no such case");
    OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
    Op op;
    op.now = now;
    op.at = FormatTime(now);
    op.today = today;
    op.cal = &cal;
    op.k = std::move(*k);
    OW_ASSIGN_OR_RETURN(op.tasks, store::LoadTasks(c, id));
    OW_RETURN_IF_ERROR(fn(c, op));
    OW_RETURN_IF_ERROR(Recompute(op));
    OW_RETURN_IF_ERROR(IssueDocuments(c, op));
    op.k.updated_at = op.at;
    OW_RETURN_IF_ERROR(store::SaveCase(c, op.k));
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::InsertEvent(c, id, e));
    for (const auto& m : op.messages) OW_RETURN_IF_ERROR(SendMessage(c, m));
    OW_RETURN_IF_ERROR(PublishEvents(c, op.k, op.events));
    OW_RETURN_IF_ERROR(CountIndicators(c, op));
    out = LoadFull(c, id);
    return out ? Status() : Status(out.error());
  }));
  return out;
}

Result<Case> Service::MutateByNo(const Principal& who, const std::string& no, SystemTime now,
                                 const std::function<Status(db::Connection&, Op&)>& fn) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  auto id = ParseTrackingNo(no);
  if (!id) return NotFound("no case " + no);
  return Mutate(*id, now, [&](db::Connection& c, Op& op) -> Status {
    // The whole number must match (its date too), as for reads.
    if (!SameTrackingNo(op.k.tracking_no, no) || !CanRead(who, op.k, op.tasks))
      return NotFound("no case " + no);
    op.actor = who.username;
    op.actor_account = who.account_id;
    return fn(c, op);
  });
}

Status Service::StartWorkflow(db::Connection& c, Op& op) {
  OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.k));
  workflow::Instance inst(def);
  // The applicant's data only under "form": engine-owned variables (decisions,
  // decision, service results) and the case's facts cannot be set by an application.
  json::object vars{{"form", op.k.form}};
  // The case's own facts, for assignments (ow:region="${case.region}") and conditions.
  vars["case"] = json::object{{"tracking_no", op.k.tracking_no},     {"item_code", op.k.item_code},
                              {"department", op.k.department_code},  {"region", op.k.region_code},
                              {"intake_region", op.k.intake_region}, {"channel", op.k.channel}};
  return Apply(c, op, inst, inst.Start(std::move(vars), op.now));
}

Status Service::Apply(db::Connection& c, Op& op, workflow::Instance& inst,
                      Result<workflow::Effects> effects) {
  using Kind = workflow::Effect::Kind;
  std::vector<workflow::Effect> created;
  // Service tasks run here, in the case's transaction, one at a time in the order the
  // engine started them (a service task's call id is its activity id); each result may
  // lead to more effects and more calls.
  while (true) {
    if (!effects) {
      auto e = effects.error();
      if (e.code == Code::kNotFound) return Conflict("this task is no longer open");
      return e;
    }
    for (const auto& e : *effects) {
      switch (e.kind) {
        case Kind::kTaskCreated:
          if (!KnownTaskRole(e.assignee.role) || e.assignee.department.empty() ||
              e.assignee.region.empty()) {
            return FailedPrecondition("userTask " + e.node + " of process " + op.k.process_key +
                                      " is assigned to role '" + e.assignee.role +
                                      "' in department '" + e.assignee.department + "', region '" +
                                      e.assignee.region +
                                      "'; it needs acceptor, reviewer or approver with both");
          }
          created.push_back(e);
          break;
        case Kind::kTaskClosed:
          if (e.reason != workflow::CloseReason::kCompleted) {
            OW_RETURN_IF_ERROR(store::CloseEngineTask(
                c, op.k.id, e.id, std::string(workflow::CloseReasonName(e.reason)), op.at));
            created.erase(std::remove_if(created.begin(), created.end(),
                                         [&](const auto& t) { return t.id == e.id; }),
                          created.end());
          }
          break;
        case Kind::kTimerFired:
          op.Record("timer_fired", op.k.status, "", {{"node", e.node}, {"name", e.name}});
          break;
        case Kind::kInstanceCompleted: {
          bool denied = false;
          for (const auto& t : op.tasks)
            if (t.kind == "review" && t.decision == "deny") denied = true;
          op.k.decision = denied ? kDenied : kApproved;
          op.Record("decided", op.k.decision, "", {{"end", e.node}});
          break;
        }
        case Kind::kInstanceTerminated:
          // Terminate() (withdrawal) names no node; a join left waiting does.
          if (!e.node.empty()) {
            return FailedPrecondition("the process " + op.k.process_key +
                                      " cannot go on: its join " + e.node +
                                      " waits for a branch that was not taken");
          }
          break;
        default:
          break;
      }
    }
    const workflow::Activity* call = nullptr;
    for (const auto& a : inst.activities()) {
      if (inst.definition()->nodes()[static_cast<size_t>(a.node)].type ==
          workflow::NodeType::kServiceTask) {
        call = &a;
        break;
      }
    }
    if (!call) break;
    const std::string& name = inst.definition()->nodes()[static_cast<size_t>(call->node)].service;
    auto fn = services_.find(name);
    if (fn == services_.end()) {
      return FailedPrecondition("serviceTask of process " + op.k.process_key +
                                " calls the unknown service '" + name + "'");
    }
    auto result = fn->second(c, op.k, inst.variables(), {op.actor, op.actor_account});
    if (!result) return result.error();
    op.Record("service_called", op.k.status, "", {{"service", name}, {"result", *result}});
    effects = inst.ServiceDone(call->id, *result, op.now);
  }
  for (const auto& e : created) {
    if (!inst.FindTask(e.id)) continue;  // closed again in the same step
    Task t;
    t.case_id = op.k.id;
    t.kind = "review";
    t.engine_task = e.id;
    t.node = e.node;
    t.name = e.name.empty() ? e.node : e.name;
    t.role = e.assignee.role;
    t.department_code = e.assignee.department;
    t.region_code = e.assignee.region;
    t.created_at = op.at;
    const workflow::Task* wt = inst.FindTask(e.id);
    for (const auto& timer : inst.timers())
      if (timer.activity == wt->activity) t.due = FormatTime(timer.due);
    OW_ASSIGN_OR_RETURN(t.id, store::InsertTask(c, t));
    op.tasks.push_back(t);
  }
  if (auto next = inst.NextTimer()) {
    op.k.next_timer_at = FormatTime(*next + std::chrono::milliseconds(999));
  } else {
    op.k.next_timer_at.clear();
  }
  op.k.instance = inst.Snapshot();
  return {};
}

Result<Case> Service::Withdraw(const Principal& who, const std::string& no,
                               const std::string& reason, const std::string& channel,
                               SystemTime now) {
  return MutateByNo(who, no, now, [&](db::Connection& c, Op& op) -> Status {
    // Only the applicant (or their agent) withdraws; staff who can read the case cannot.
    OW_ASSIGN_OR_RETURN(
        op.channel,
        ApplicantChannel(who, op.k, channel, "only the applicant may withdraw an application"));
    if (!BeforeDecision(op.k.status))
      return FailedPrecondition("the case is " + op.k.status + "; it can no longer be withdrawn");
    if (!op.k.instance.is_null()) {
      OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.k));
      OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.k.instance));
      OW_RETURN_IF_ERROR(Apply(c, op, inst, inst.Terminate()));
    }
    OW_RETURN_IF_ERROR(store::CloseAllTasks(c, op.k.id, "withdrawn", op.at));
    for (auto& p : op.k.pauses)
      if (!p.to) p.to = op.today;
    op.Record("withdrawn", kWithdrawn, reason);
    return {};
  });
}

Result<Case> Service::Supply(const Principal& who, const std::string& no, const SupplyInput& in,
                             const std::string& channel, SystemTime now) {
  // Everything that reads other stores (the item's version, the offered licences and
  // files) is resolved before the case is locked, against the case as read now; the
  // locked case must still be that one (no event since), or the caller reloads.
  OW_ASSIGN_OR_RETURN(Case pre, Get(who, no));
  OW_ASSIGN_OR_RETURN(
      std::string ch,
      ApplicantChannel(who, pre, channel, "only the applicant supplies what was asked for"));
  if (pre.status != kSupplementRequested)
    return FailedPrecondition("no supplement was requested for this case");
  auto ask = PendingSupplement(pre.events).value_or(SupplementAsk{});
  std::vector<LicenceUse> used;
  std::vector<DataUse> consented;
  if (in.form || !in.licences.empty() || !in.data_consents.empty()) {
    auto version = catalog_.GetVersion(pre.item_code, pre.item_version);
    if (!version) return version.error();
    // Consents, by the rules of submission for the person supplying now (a case taken in
    // at a hall may be supplied online by the person themselves); a material data stands
    // for already is not consented to twice.
    Case now_by = pre;
    now_by.channel = ch;
    OW_ASSIGN_OR_RETURN(consented,
                        ResolveDataConsents(who, now_by, version->document, in.data_consents, now));
    Validator dv;
    for (size_t i = 0; i < consented.size(); ++i)
      for (const auto& u : pre.data_uses)
        if (u.name == consented[i].name)
          dv.Add("data_consents/" + std::to_string(i),
                 "data from " + u.resource + " stands for " + u.name + " already");
    OW_RETURN_IF_ERROR(dv.Finish());
    if (in.form) {
      if (const json::value* schema = version->document.if_contains("form_schema"))
        OW_RETURN_IF_ERROR(catalog::CheckFormData(*schema, *in.form, "form"));
    }
    // Held licences for materials, as at submission (the holder's own consent); a
    // material a licence stands for already is not taken twice.
    OW_ASSIGN_OR_RETURN(used, ResolveLicences(who, pre, ch, version->document, in.licences, now));
  }
  int64_t bytes = 0;
  for (const auto& a : pre.materials) bytes += a.size;
  OW_ASSIGN_OR_RETURN(auto added,
                      ResolveMaterials(who, ApplicantOwner(pre), in.materials, bytes, now));
  {
    Validator v;
    std::vector<std::string> files, licences;
    for (const auto& a : added) files.push_back(a.name);
    for (const auto& u : used) licences.push_back(u.name);
    std::vector<std::string> consents;
    for (const auto& u : consented) consents.push_back(u.name);
    CheckSupplyAgainstAsk(ask, files, licences, in.form ? &*in.form : nullptr, pre.form, v,
                          consents);
    for (size_t i = 0; i < used.size(); ++i)
      for (const auto& b : pre.licences)
        if (b.name == used[i].name)
          v.Add("licences/" + std::to_string(i) + "/name",
                "the licence " + b.number + " stands for " + b.name + " already");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  int64_t last_seq = pre.events.empty() ? 0 : pre.events.back().seq;
  return MutateByNo(who, no, now, [&](db::Connection& c, Op& op) -> Status {
    OW_ASSIGN_OR_RETURN(int64_t seq, store::LastEventSeq(c, op.k.id));
    if (op.k.status != kSupplementRequested || seq != last_seq)
      return Conflict("the case changed while the supplement was checked; reload it");
    op.channel = ch;
    if (in.form) op.k.form = *in.form;
    for (const auto& u : used) {
      OW_RETURN_IF_ERROR(store::InsertLicenceUse(c, op.k.id, u));
      OW_RETURN_IF_ERROR(licences_->RecordUse(c, u, op.k.tracking_no, who.username));
    }
    for (const auto& a : added) OW_RETURN_IF_ERROR(store::InsertAttachment(c, op.k.id, a));
    OW_RETURN_IF_ERROR(HandOverMaterials(c, op.k, added, who.account_id));
    for (const auto& u : consented) OW_RETURN_IF_ERROR(store::InsertDataUse(c, op.k.id, u));
    for (auto& p : op.k.pauses)
      if (!p.to) p.to = op.today;
    std::string back = op.k.supplement_from.empty() ? kSubmitted : op.k.supplement_from;
    op.k.supplement_from.clear();
    json::array data_consents;
    for (const auto& u : consented)
      data_consents.push_back({{"material", u.name}, {"resource", u.resource}});
    op.Record("supplied", back, in.note,
              {{"materials", added.size()},
               {"licences", in.licences.size()},
               {"data_consents", std::move(data_consents)},
               {"form_changed", in.form.has_value()}});
    // After acceptance the process's fetch-data step has run already: the data consented
    // to now is fetched with the supplement (a failure is kept on the use for staff).
    if (!consented.empty() && !op.k.accepted_on.empty()) {
      OW_ASSIGN_OR_RETURN(auto fetched, FetchDataUses(c, op.k));
      op.Record("data_fetched", back, "", std::move(fetched));
    }
    return {};
  });
}

namespace {

// The first open task of the case that `who` may work on, or an error.
Status MayHandle(const std::vector<Task>& tasks, const std::function<Status(const Task&)>& can,
                 std::string_view kind = {}) {
  Status last = PermissionDenied("you have no open task on this case");
  for (const auto& t : tasks) {
    if (t.status != kOpen || (!kind.empty() && t.kind != kind)) continue;
    if (auto st = can(t); st) return {};
  }
  return last;
}

}  // namespace

Result<Case> Service::RequestSupplement(const Principal& who, const std::string& no,
                                        const SupplementAsk& ask, SystemTime now) {
  Validator v;
  if (ask.reason.size() > 2000) v.Add("reason", "at most 2000 bytes");
  if (ask.materials.empty() && ask.fields.empty())
    v.Add("materials", "name at least one material or form field to give again");
  if (ask.materials.size() > 50) v.Add("materials", "at most 50 materials");
  if (ask.fields.size() > 100) v.Add("fields", "at most 100 fields");
  OW_RETURN_IF_ERROR(v.Finish());
  // The names are checked against the case's item version (immutable, read before the
  // case is locked).
  OW_ASSIGN_OR_RETURN(Case pre, Get(who, no));
  OW_ASSIGN_OR_RETURN(auto version, catalog_.GetVersion(pre.item_code, pre.item_version));
  std::set<std::string> materials, fields;
  for (const auto& m : MaterialNames(version.document)) materials.insert(m);
  if (const auto* schema = version.document.if_contains("form_schema");
      schema && schema->is_object())
    if (const auto* props = schema->as_object().if_contains("properties");
        props && props->is_object())
      for (const auto& [k, _] : props->as_object()) fields.insert(std::string(k));
  auto check = [&](const std::vector<SupplementAsk::Entry>& list, const std::string& key,
                   const std::set<std::string>& known, const char* what) {
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string at = key + "/" + std::to_string(i);
      if (!known.count(list[i].name))
        v.Add(at + "/name", "is not " + std::string(what) + " of item " + pre.item_code);
      else if (!seen.insert(list[i].name).second)
        v.Add(at + "/name", "is listed twice");
      if (list[i].note.size() > 500) v.Add(at + "/note", "at most 500 bytes");
    }
  };
  check(ask.materials, "materials", materials, "a material");
  check(ask.fields, "fields", fields, "a form field");
  OW_RETURN_IF_ERROR(v.Finish());
  return MutateByNo(who, no, now, [&](db::Connection&, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayHandle(op.tasks, [&](const Task& t) { return CanWorkOn(who, t); }));
    if (op.k.status != kSubmitted && op.k.status != kUnderReview)
      return FailedPrecondition("the case is " + op.k.status + "; no supplement can be requested");
    op.channel = kWorkbench;
    op.k.supplement_from = op.k.status;
    // Before acceptance no clock runs; after it, the clock stops until the applicant supplies.
    if (!op.k.accepted_on.empty()) op.k.pauses.push_back({op.today, std::nullopt});
    auto entries = [](const std::vector<SupplementAsk::Entry>& list) {
      json::array out;
      for (const auto& e : list) out.push_back(json::object{{"name", e.name}, {"note", e.note}});
      return out;
    };
    op.Record("supplement_requested", kSupplementRequested, ask.reason,
              {{"materials", entries(ask.materials)}, {"fields", entries(ask.fields)}});
    return {};
  });
}

Result<Case> Service::Suspend(const Principal& who, const std::string& no,
                              const std::string& procedure, const std::string& reason,
                              SystemTime now) {
  Validator v;
  if (procedure != "expert_review" && procedure != "public_notice" && procedure != "hearing" &&
      procedure != "inspection") {
    v.Add("procedure", "must be expert_review, public_notice, hearing or inspection");
  }
  if (reason.empty() || reason.size() > 2000) v.Add("reason", "is required (at most 2000 bytes)");
  OW_RETURN_IF_ERROR(v.Finish());
  return MutateByNo(who, no, now, [&](db::Connection&, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayHandle(
        op.tasks, [&](const Task& t) { return CanWorkOn(who, t); }, "review"));
    if (op.k.status != kUnderReview)
      return FailedPrecondition("the case is " + op.k.status +
                                "; only a case under review can be suspended");
    op.channel = kWorkbench;
    op.k.pauses.push_back({op.today, std::nullopt});
    op.Record("suspended", kSuspended, reason, {{"procedure", procedure}});
    return {};
  });
}

Result<Case> Service::Resume(const Principal& who, const std::string& no, const std::string& reason,
                             SystemTime now) {
  return MutateByNo(who, no, now, [&](db::Connection&, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayHandle(
        op.tasks, [&](const Task& t) { return CanWorkOn(who, t); }, "review"));
    if (op.k.status != kSuspended) return FailedPrecondition("the case is not suspended");
    op.channel = kWorkbench;
    for (auto& p : op.k.pauses)
      if (!p.to) p.to = op.today;
    op.Record("resumed", kUnderReview, reason);
    return {};
  });
}

namespace {

Status MayFinish(const Principal& who, const Case& k) {
  authz::Target t{k.department_code, k.region_code, "", false};
  if (authz::Decide(who, authz::Action::kAcceptCase, t)) return {};
  if (authz::Decide(who, authz::Action::kCounterIntake, t)) return {};
  return PermissionDenied("only the handling department's acceptors or a hall counter may do this");
}

}  // namespace

Result<Case> Service::Deliver(const Principal& who, const std::string& no,
                              const std::string& method, const std::string& note, SystemTime now) {
  Validator v;
  if (method != "online" && method != "mail" && method != "counter")
    v.Add("method", "must be online, mail or counter");
  if (note.size() > 2000) v.Add("note", "at most 2000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return MutateByNo(who, no, now, [&](db::Connection&, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayFinish(who, op.k));
    if (op.k.status != kApproved && op.k.status != kDenied)
      return FailedPrecondition("the case is " + op.k.status +
                                "; only a decided case is delivered");
    op.channel = kWorkbench;
    op.Record("delivered", kDelivered, note, {{"method", method}});
    return {};
  });
}

Result<Case> Service::Close(const Principal& who, const std::string& no, const std::string& reason,
                            SystemTime now) {
  return MutateByNo(who, no, now, [&](db::Connection& c, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayFinish(who, op.k));
    if (op.k.status != kDelivered && op.k.status != kNotAccepted)
      return FailedPrecondition("the case is " + op.k.status +
                                "; only a delivered or not accepted case is closed");
    op.channel = kWorkbench;
    OW_RETURN_IF_ERROR(store::CloseAllTasks(c, op.k.id, "closed", op.at));
    op.Record("closed", kClosed, reason);
    return {};
  });
}

}  // namespace ow::cases
