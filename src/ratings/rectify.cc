// Reading ratings (the rater's, a case's, staff inboxes) and the steps of a rectification:
// the department's 回访 and result (or its claim that the rating is malicious), the rater's
// confirmation or appeal, and the supervisors' ruling (close, return, annul).
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "ratings/service.h"
#include "ratings/service_internal.h"
#include "ratings/store.h"
#include "workflow/instance.h"

namespace ow::ratings {

namespace json = boost::json;
using internal::MayRead;
using internal::TargetOf;

namespace {

constexpr int kListLimit = 200;
constexpr size_t kMaxText = 4000;

Status CheckVersion(const Rating& r, int64_t version) {
  // Lock bumped the stored version: what the caller read is one less.
  if (r.version != version + 1)
    return Conflict("rating " + r.number + " changed (version " + std::to_string(r.version - 1) +
                    ", you sent " + std::to_string(version) + "); reload it");
  return {};
}

Status AtStage(const Rating& r, const char* stage, const char* what) {
  if (r.stage != stage) return Conflict("rating " + r.number + " is not waiting for " + what);
  return {};
}

}  // namespace

Status Service::CompleteTask(Op& op, const std::string& node, json::object vars) {
  OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.r.process_version));
  OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.r.instance));
  if (inst.tasks().empty()) return Conflict("rating " + op.r.number + " has no open step");
  const workflow::Task& task = inst.tasks().front();
  if (def->nodes()[task.node].id != node)
    return Conflict("rating " + op.r.number + " is at another step");
  OW_RETURN_IF_ERROR(Advance(op, inst.CompleteTask(task.id, vars, op.now)));
  op.r.instance = inst.Snapshot();
  return {};
}

Result<Rating> Service::Get(const Principal& who, const std::string& number) {
  Result<Rating> out = NotFound("no rating " + number);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, store::Load(c, number));
    if (!r || !MayRead(who, *r)) return {};
    OW_ASSIGN_OR_RETURN(r->events, store::Events(c, r->id));
    out = std::move(*r);
    return {};
  }));
  return out;
}

Result<std::vector<Rating>> Service::Mine(const Principal& who) {
  authz::Target self;
  self.owner_account = who.account_id;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadOwnRatings, self));
  std::vector<Rating> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::ByRater(c, who.account_id, kListLimit));
    return {};
  }));
  return out;
}

Result<std::vector<Rating>> Service::OfCase(const Principal& who, const std::string& case_no) {
  // Whoever may read the case may see that it was rated; each rating then by its own rule.
  OW_ASSIGN_OR_RETURN(auto k, cases_.Get(who, case_no));
  std::vector<Rating> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto list, store::ByCase(c, k.tracking_no));
    for (auto& r : list)
      if (MayRead(who, r)) out.push_back(std::move(r));
    return {};
  }));
  return out;
}

Result<std::vector<Rating>> Service::InPeriod(const Principal& who, const std::string& region,
                                              const std::string& from_at, const std::string& to_at,
                                              int limit) {
  authz::Target t;
  t.region_code = region;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadIndicators, t));
  std::vector<Rating> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::InPeriod(c, region, from_at, to_at, limit + 1));
    return {};
  }));
  if (static_cast<int>(out.size()) > limit)
    return FailedPrecondition("the period holds more than " + std::to_string(limit) +
                              " ratings: choose a shorter period or a smaller region");
  return out;
}

Result<std::vector<Rating>> Service::Inbox(const Principal& who, const std::string& which) {
  if (which != kAtDepartment && which != kAtSupervisor) {
    Validator v;
    v.Add("which", "must be department or supervisor");
    return v.Finish().error();
  }
  std::vector<Rating> out;
  std::set<std::string> seen;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    for (const auto& role : who.roles) {
      bool department = which == kAtDepartment &&
                        (role.role == authz::kAcceptor || role.role == authz::kReviewer ||
                         role.role == authz::kApprover);
      bool supervisor = which == kAtSupervisor && role.role == authz::kSupervisor;
      if ((!department && !supervisor) || role.region_code.empty()) continue;
      OW_ASSIGN_OR_RETURN(auto list,
                          store::AtStage(c, which, department ? role.department_code : "",
                                         role.region_code, kListLimit));
      for (auto& r : list)
        if (seen.insert(r.number).second) out.push_back(std::move(r));
    }
    return {};
  }));
  std::sort(out.begin(), out.end(), [](const Rating& a, const Rating& b) {
    return a.due_date != b.due_date ? a.due_date < b.due_date : a.id < b.id;
  });
  return out;
}

Result<Rating> Service::Rectify(const Principal& who, const std::string& number,
                                const StepInput& in) {
  Validator v;
  bool malicious = in.decision == "malicious";
  if (in.decision != "rectified" && !malicious) v.Add("decision", "must be rectified or malicious");
  if (in.contact_note.empty())
    v.Add("contact_note", "is required: when and how the person was contacted (回访)");
  if (in.result.empty())
    v.Add("result", malicious ? "is required: why the rating is malicious"
                              : "is required: what was fixed or explained");
  if (in.contact_note.size() > kMaxText) v.Add("contact_note", "at most 4000 bytes");
  if (in.result.size() > kMaxText) v.Add("result", "at most 4000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return Mutate(number, [&](db::Connection&, Op& op) -> Status {
    if (!MayRead(who, op.r)) return NotFound("no rating " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kRectifyRating, TargetOf(op.r)));
    OW_RETURN_IF_ERROR(CheckVersion(op.r, in.version));
    OW_RETURN_IF_ERROR(AtStage(op.r, kAtDepartment, "the department"));
    op.actor = who.username;
    op.r.contact_note = in.contact_note;
    op.r.result = in.result;
    op.Record(malicious ? "claimed_malicious" : "rectified", in.result);
    OW_RETURN_IF_ERROR(CompleteTask(op, "Rectify", {{"decision", in.decision}}));
    if (op.r.stage == kDone) {
      // No account to confirm with: the department's record ends it.
      op.r.outcome = kUnconfirmed;
      op.CountChange(0, 0, 1);
    }
    return {};
  });
}

Result<Rating> Service::Confirm(const Principal& who, const std::string& number,
                                const StepInput& in) {
  return Mutate(number, [&](db::Connection&, Op& op) -> Status {
    if (!MayRead(who, op.r)) return NotFound("no rating " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kRate, TargetOf(op.r)));
    OW_RETURN_IF_ERROR(CheckVersion(op.r, in.version));
    OW_RETURN_IF_ERROR(AtStage(op.r, kAtApplicant, "your confirmation"));
    op.actor = "applicant";
    op.Record("confirmed");
    OW_RETURN_IF_ERROR(CompleteTask(op, "Confirm", {{"decision", "confirm"}}));
    op.r.outcome = kConfirmed;
    op.CountChange(0, 0, 1);
    return {};
  });
}

Result<Rating> Service::Appeal(const Principal& who, const std::string& number,
                               const StepInput& in) {
  Validator v;
  if (in.text.empty()) v.Add("reason", "is required: what is still wrong");
  if (in.text.size() > kMaxText) v.Add("reason", "at most 4000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return Mutate(number, [&](db::Connection&, Op& op) -> Status {
    if (!MayRead(who, op.r)) return NotFound("no rating " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kRate, TargetOf(op.r)));
    OW_RETURN_IF_ERROR(CheckVersion(op.r, in.version));
    OW_RETURN_IF_ERROR(AtStage(op.r, kAtApplicant, "your confirmation"));
    op.actor = "applicant";
    op.r.appeal = in.text;
    op.Record("appealed", in.text);
    return CompleteTask(op, "Confirm", {{"decision", "appeal"}});
  });
}

Result<Rating> Service::Rule(const Principal& who, const std::string& number, const StepInput& in) {
  Validator v;
  if (in.decision != "close" && in.decision != "return" && in.decision != "annul")
    v.Add("decision", "must be close, return or annul");
  if ((in.decision == "return" || in.decision == "annul") && in.text.empty())
    v.Add("text", in.decision == "annul" ? "is required: why the rating is malicious"
                                         : "is required: what the department must do");
  if (in.text.size() > kMaxText) v.Add("text", "at most 4000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  return Mutate(number, [&](db::Connection&, Op& op) -> Status {
    if (!MayRead(who, op.r)) return NotFound("no rating " + number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kSuperviseRating, TargetOf(op.r)));
    OW_RETURN_IF_ERROR(CheckVersion(op.r, in.version));
    OW_RETURN_IF_ERROR(AtStage(op.r, kAtSupervisor, "the supervisors"));
    op.actor = who.username;
    if (in.decision == "return") {
      op.r.instruction = in.text;
      op.Record("returned", in.text);
      return CompleteTask(op, "Supervise", {{"decision", "return"}});
    }
    OW_RETURN_IF_ERROR(CompleteTask(op, "Supervise", {{"decision", in.decision}}));
    if (in.decision == "close") {
      op.r.outcome = kUpheld;
      op.Record("closed", in.text);
      op.Tell("rating.closed");
      op.CountChange(0, 0, 1);
      return {};
    }
    op.r.outcome = kAnnulled;
    op.r.annul_reason = in.text;
    op.Record("annulled", in.text);
    op.Tell("rating.annulled");
    op.CountChange(0, 1, 0);
    op.audits.push_back({"rating.annulled", who.name_for_audit, op.r.number, "success", "", "",
                         json::object{{"case_no", op.r.case_no},
                                      {"department", op.r.department_code},
                                      {"region", op.r.region_code},
                                      {"level", op.r.level}}});
    return {};
  });
}

}  // namespace ow::ratings
