// supervise::Service: random inspection plans (双随机、一公开): inspection staff and their
// declared conflicts, the draw, results (a serious finding suspends licences through the
// licences service) and publication.
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "departments/service.h"
#include "identity/ids.h"
#include "licences/model.h"
#include "supervise/service.h"
#include "supervise/store.h"

namespace ow::supervise {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTitle = 200, kMaxNote = 2000;
constexpr int64_t kMaxEntities = 1000, kMaxPerEntity = 10;
constexpr int64_t kMaxLicences = 100000;

// What a draw is made from, as recorded with the plan (sorted, so the text is canonical).
std::string Inputs(std::vector<Entity> entities, std::vector<Inspector> inspectors,
                   const Bars& bars) {
  std::sort(entities.begin(), entities.end(),
            [](const Entity& a, const Entity& b) { return a.uscc < b.uscc; });
  std::sort(inspectors.begin(), inspectors.end(),
            [](const Inspector& a, const Inspector& b) { return a.account < b.account; });
  json::array es, xs, bs;
  for (const auto& e : entities) {
    json::array ls;
    for (const auto& l : e.licences) ls.emplace_back(l);
    es.push_back(json::object{{"uscc", e.uscc}, {"name", e.name}, {"licences", std::move(ls)}});
  }
  for (const auto& x : inspectors)
    xs.push_back(json::object{{"account", x.account}, {"name", x.name}});
  for (const auto& [account, uscc] : bars) bs.push_back(json::array{account, uscc});
  return json::serialize(json::object{
      {"entities", std::move(es)}, {"inspectors", std::move(xs)}, {"bars", std::move(bs)}});
}

struct Parsed {
  std::vector<Entity> entities;
  std::vector<Inspector> inspectors;
  Bars bars;
};

std::optional<Parsed> ParseInputs(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  Parsed p;
  try {
    for (const auto& e : v.at("entities").as_array()) {
      Entity x{std::string(e.at("uscc").as_string()), std::string(e.at("name").as_string()), {}};
      for (const auto& l : e.at("licences").as_array()) x.licences.emplace_back(l.as_string());
      p.entities.push_back(std::move(x));
    }
    for (const auto& x : v.at("inspectors").as_array())
      p.inspectors.push_back(
          {std::string(x.at("account").as_string()), std::string(x.at("name").as_string())});
    for (const auto& b : v.at("bars").as_array())
      p.bars.insert({std::string(b.at(0).as_string()), std::string(b.at(1).as_string())});
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return p;
}

authz::Target PlanTarget(const Plan& p) {
  return {p.department_code, p.region_code, "", false, {}};
}

}  // namespace

Result<std::string> Service::PlanningRegion(const Principal& who, const std::string& department) {
  if (department.empty())
    return Error(Code::kInvalidArgument, "the query is not valid", {{"department", "is required"}});
  std::string region;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    auto d = departments::Service::Get(c, department);
    if (!d)
      return d.error().code == Code::kNotFound ? NotFound("no department " + department)
                                               : Status(d.error());
    region = d->region_code;
    return {};
  }));
  OW_RETURN_IF_ERROR(
      authz::Decide(who, authz::Action::kPlanInspections, {department, region, "", false, {}}));
  return region;
}

Result<std::vector<Inspector>> Service::InspectionStaff(const Principal& who,
                                                        const std::string& department) {
  OW_RETURN_IF_ERROR(PlanningRegion(who, department));
  std::vector<Inspector> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Inspectors(c, department));
    return {};
  }));
  return out;
}

Result<std::vector<Inspector>> Service::AddInspector(const Principal& who,
                                                     const std::string& department,
                                                     const std::string& username) {
  OW_RETURN_IF_ERROR(PlanningRegion(who, department));
  std::string at = FormatTime(Now());
  std::vector<Inspector> out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto x, store::StaffOf(c, department, username));
    if (!x)
      return Error(Code::kInvalidArgument, "the inspector is not valid",
                   {{"username", "names no active staff member of " + department}});
    OW_RETURN_IF_ERROR(store::AddInspector(c, department, *x, who.account_id, at));
    OW_ASSIGN_OR_RETURN(out, store::Inspectors(c, department));
    return {};
  }));
  return out;
}

Result<std::vector<Inspector>> Service::RemoveInspector(const Principal& who,
                                                        const std::string& department,
                                                        const std::string& account) {
  OW_RETURN_IF_ERROR(PlanningRegion(who, department));
  std::vector<Inspector> out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool removed, store::RemoveInspector(c, department, account));
    if (!removed) return NotFound("no inspector " + account + " at " + department);
    OW_ASSIGN_OR_RETURN(out, store::Inspectors(c, department));
    return {};
  }));
  return out;
}

Result<std::vector<DeclaredConflict>> Service::Conflicts(const Principal& who,
                                                         const std::string& department) {
  OW_RETURN_IF_ERROR(PlanningRegion(who, department));
  std::vector<DeclaredConflict> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Conflicts(c, department));
    return {};
  }));
  return out;
}

Status Service::DeclareConflict(const Principal& who, const std::string& department,
                                const std::string& account, const std::string& uscc,
                                const std::string& reason) {
  OW_RETURN_IF_ERROR(PlanningRegion(who, department));
  Validator v;
  std::string why;
  auto code = identity::NormalizeCreditCode(uscc, &why);
  if (!code) v.Add("uscc", why);
  if (reason.empty() || reason.size() > kMaxNote)
    v.Add("reason", "is required, at most 2000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  std::string at = FormatTime(Now());
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto staff, store::Inspectors(c, department));
    bool known = std::any_of(staff.begin(), staff.end(),
                             [&](const Inspector& x) { return x.account == account; });
    if (!known) return NotFound("no inspector " + account + " at " + department);
    return store::AddBar(c, department, account, *code, reason, at);
  });
}

Result<Plan> Service::CreatePlan(const Principal& who, const PlanInput& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kPlanInspections));
  Validator v;
  if (in.department_code.empty()) v.Add("department_code", "is required");
  if (in.licence_type.empty()) v.Add("licence_type", "is required");
  if (in.title.empty() || in.title.size() > kMaxTitle)
    v.Add("title", "is required, at most 200 bytes");
  if (in.entities < 1 || in.entities > kMaxEntities) v.Add("entities", "must be 1 to 1000");
  if (in.inspectors_per_entity < 1 || in.inspectors_per_entity > kMaxPerEntity)
    v.Add("inspectors_per_entity", "must be 1 to 10");
  OW_RETURN_IF_ERROR(v.Finish());
  OW_ASSIGN_OR_RETURN(std::string dept_region, PlanningRegion(who, in.department_code));
  std::string region = in.region_code.empty() ? dept_region : in.region_code;
  if (!authz::RegionWithin(region, dept_region))
    return Error(Code::kInvalidArgument, "the plan is not valid",
                 {{"region_code", "must be the department's region " + dept_region + " or below"}});
  SystemTime now = Now();
  Date today = ChinaDate(now);
  std::string today_text = FormatDate(today);
  // The licensed list: enterprises holding a licence of the type, valid today.
  OW_ASSIGN_OR_RETURN(auto issued, licences_.Issued(who, in.department_code, region, kMaxLicences));
  std::map<std::string, Entity> by_uscc;
  for (const auto& l : issued) {
    if (l.type_code != in.licence_type || l.holder_kind != licences::kEnterprise) continue;
    if (l.Effective(today_text) != licences::kValid) continue;
    Entity& e = by_uscc[l.holder_id];
    e.uscc = l.holder_id;
    e.name = l.holder_name;
    e.licences.push_back(l.number);
  }
  std::vector<Entity> entities;
  for (auto& [k, e] : by_uscc) {
    std::sort(e.licences.begin(), e.licences.end());
    entities.push_back(std::move(e));
  }
  if (entities.empty())
    return FailedPrecondition("no enterprise holds a valid licence of type " + in.licence_type +
                              " issued by " + in.department_code + " in " + region);
  Plan p;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto inspectors, store::Inspectors(c, in.department_code));
    OW_ASSIGN_OR_RETURN(auto bars, store::BarsOf(c, in.department_code));
    if (inspectors.empty())
      return FailedPrecondition(in.department_code + " has no inspection staff: add some first");
    p = Plan{};
    p.number = NewNumber("SS", today);
    p.department_code = in.department_code;
    p.region_code = region;
    p.licence_type = in.licence_type;
    p.title = in.title;
    p.entities = in.entities;
    p.inspectors_per_entity = in.inspectors_per_entity;
    p.pool_entities = static_cast<int64_t>(entities.size());
    p.pool_inspectors = static_cast<int64_t>(inspectors.size());
    p.seed = NewSeed();
    p.inputs = Inputs(entities, inspectors, bars);
    p.status = kDrawn;
    p.created_by = who.account_id;
    p.created_at = FormatTime(now);
    OW_ASSIGN_OR_RETURN(auto draw,
                        Draw(p.seed, entities, inspectors, bars, static_cast<int>(in.entities),
                             static_cast<int>(in.inspectors_per_entity)));
    std::map<std::string, std::string> names;
    for (const auto& x : inspectors) names[x.account] = x.name;
    for (const auto& d : draw) {
      PlanEntry e;
      e.uscc = d.uscc;
      for (const auto& x : entities)
        if (x.uscc == d.uscc) e.name = x.name, e.licences = x.licences;
      e.inspectors = d.inspectors;
      for (const auto& a : d.inspectors) e.inspector_names.push_back(names[a]);
      p.entries.push_back(std::move(e));
    }
    OW_ASSIGN_OR_RETURN(p.id, store::InsertPlan(c, p));
    return {};
  }));
  return p;
}

bool Service::Reproduces(const Plan& p) {
  auto in = ParseInputs(p.inputs);
  if (!in) return false;
  auto draw = Draw(p.seed, in->entities, in->inspectors, in->bars, static_cast<int>(p.entities),
                   static_cast<int>(p.inspectors_per_entity));
  if (!draw || draw->size() != p.entries.size()) return false;
  for (size_t i = 0; i < draw->size(); ++i)
    if ((*draw)[i].uscc != p.entries[i].uscc || (*draw)[i].inspectors != p.entries[i].inspectors)
      return false;
  return true;
}

Result<Plan> Service::GetPlan(const Principal& who, const std::string& number) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kPlanInspections));
  std::optional<Plan> p;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(p, store::LoadPlan(c, number, false));
    return {};
  }));
  if (!p || !authz::Decide(who, authz::Action::kPlanInspections, PlanTarget(*p)))
    return NotFound("no inspection plan " + number);
  return *p;
}

Result<std::vector<Plan>> Service::Plans(const Principal& who, const std::string& department) {
  OW_ASSIGN_OR_RETURN(std::string region, PlanningRegion(who, department));
  std::vector<Plan> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Plans(c, department, region, false, 200));
    return {};
  }));
  return out;
}

Result<Plan> Service::Publish(const Principal& who, const std::string& number, int64_t version) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kPlanInspections));
  std::string at = FormatTime(Now());
  Plan out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto p, store::LoadPlan(c, number, true));
    if (!p || !authz::Decide(who, authz::Action::kPlanInspections, PlanTarget(*p)))
      return NotFound("no inspection plan " + number);
    if (p->version - 1 != version) return Conflict("the plan changed: read it again");
    if (p->status == kPublished) return Conflict("the plan is already published");
    p->status = kPublished;
    p->published_at = at;
    OW_RETURN_IF_ERROR(store::SavePlanStatus(c, *p));
    out = *p;
    return {};
  }));
  return out;
}

Result<Plan> Service::RecordResult(const Principal& who, const std::string& number,
                                   const ResultInput& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kPlanInspections));
  Validator v;
  if (!IsResult(in.result)) v.Add("result", "must be no_problem, rectify, serious or not_found");
  if (in.note.size() > kMaxNote) v.Add("note", "at most 2000 bytes");
  if (in.uscc.empty()) v.Add("uscc", "is required: the entity inspected");
  OW_RETURN_IF_ERROR(v.Finish());
  std::string today = FormatDate(ChinaDate(Now()));
  std::string at = FormatTime(Now());
  std::string reason = "双随机抽查 " + number + " 发现严重违法违规";
  Plan out;
  // One transaction: a serious finding suspends the entity's licences of the plan's type
  // (through the licences service: its rules, history and audit) and the result is recorded,
  // both or neither. A failure leaves no suspended licence without its finding, and the
  // request can simply be sent again.
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto p, store::LoadPlan(c, number, true));
    if (!p || !authz::Decide(who, authz::Action::kPlanInspections, PlanTarget(*p)))
      return NotFound("no inspection plan " + number);
    if (p->version - 1 != in.version) return Conflict("the plan changed: read it again");
    auto it = std::find_if(p->entries.begin(), p->entries.end(),
                           [&](const PlanEntry& e) { return e.uscc == in.uscc; });
    if (it == p->entries.end())
      return Error(Code::kInvalidArgument, "the result is not valid",
                   {{"uscc", "names no entity drawn in this plan"}});
    if (!it->result.empty()) return Conflict("a result is already recorded for " + in.uscc);
    std::vector<std::string> suspended;
    if (in.result == kSerious) {
      for (const auto& n : it->licences) {
        OW_ASSIGN_OR_RETURN(auto l, licences_.GetIn(c, who, n));
        if (l.status == licences::kSuspended) {
          suspended.push_back(n);
          continue;
        }
        if (l.Effective(today) != licences::kValid) continue;
        OW_RETURN_IF_ERROR(
            licences_.SetStatusIn(c, who, n, l.version, licences::kSuspended, reason));
        suspended.push_back(n);
      }
    }
    it->result = in.result;
    it->note = in.note;
    it->recorded_by = who.account_id;
    it->recorded_at = at;
    it->suspended = std::move(suspended);
    OW_RETURN_IF_ERROR(store::SaveEntry(c, p->id, *it));
    out = *p;
    return {};
  }));
  return out;
}

Result<std::vector<Plan>> Service::PublishedPlans(const std::string& region) {
  std::vector<Plan> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Plans(c, "", region, true, 100));
    return {};
  }));
  return out;
}

Result<Plan> Service::PublishedPlan(const std::string& number) {
  std::optional<Plan> p;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(p, store::LoadPlan(c, number, false));
    return {};
  }));
  if (!p || p->status != kPublished) return NotFound("no published inspection plan " + number);
  return *p;
}

}  // namespace ow::supervise
