#include "supervise/routes.h"

#include <boost/json.hpp>

#include "http/json_body.h"
#include "http/problem.h"

namespace ow::supervise {
namespace {

namespace json = boost::json;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::array Array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

http::Response Ok(json::object o, http::Status status = http::Status::ok) {
  return NoStore(http::Json(status, std::move(o)));
}

json::object WatchedJson(const Watched& w) {
  return {{"kind", w.kind},
          {"ref", w.ref},
          {"level", w.level},
          {"department_code", w.department_code},
          {"region_code", w.region_code},
          {"subject", w.subject},
          {"due_date", OrNull(w.due_date)},
          {"warned_at", OrNull(w.warned_at)}};
}

json::object CaseJson(const SupervisedCase& k) {
  json::array steps;
  for (const auto& e : k.steps)
    steps.push_back(json::object{{"at", e.at},
                                 {"action", e.action},
                                 {"from_status", e.from_status},
                                 {"to_status", e.to_status},
                                 {"channel", e.channel}});
  return {{"tracking_no", k.tracking_no},
          {"item_code", k.item_code},
          {"item_name", k.item_name},
          {"department_code", k.department_code},
          {"region_code", k.region_code},
          {"channel", k.channel},
          {"status", k.status},
          {"submitted_at", k.submitted_at},
          {"accepted_on", OrNull(k.accepted_on)},
          {"promised_days", k.promised_days},
          {"promised_deadline", OrNull(k.promised_deadline)},
          {"statutory_deadline", OrNull(k.statutory_deadline)},
          {"level", OrNull(k.level)},
          {"steps", std::move(steps)}};
}

json::object OrderJson(const Order& o) {
  return {{"number", o.number},
          {"department_code", o.department_code},
          {"region_code", o.region_code},
          {"object_kind", o.object_kind},
          {"object_ref", OrNull(o.object_ref)},
          {"subject", o.subject},
          {"instruction", o.instruction},
          {"due_date", o.due_date},
          {"status", o.status},
          {"reply", OrNull(o.reply)},
          {"replied_by", OrNull(o.replied_by)},
          {"replied_at", OrNull(o.replied_at)},
          {"issued_by", o.issued_by},
          {"issued_at", o.issued_at},
          {"closed_at", OrNull(o.closed_at)},
          {"updated_at", o.updated_at},
          {"rounds", o.rounds},
          {"version", o.version}};
}

json::object ClaimJson(const Claim& k) {
  return {{"licence_number", k.licence_number},
          {"type_code", k.type_code},
          {"department_code", k.department_code},
          {"region_code", k.region_code},
          {"case_no", OrNull(k.case_no)},
          {"holder_masked", k.holder_masked},
          {"issued_at", k.issued_at},
          {"due_date", k.due_date},
          {"status", k.status},
          {"claimed_by", OrNull(k.claimed_by)},
          {"claimed_at", OrNull(k.claimed_at)},
          {"note", OrNull(k.note)},
          {"version", k.version}};
}

// `staff`: the department's view (inspectors, notes, the recorded inputs' check); the public
// sees the plan, the seed, the entities drawn (name and USCC) and their results.
json::object PlanJson(const Plan& p, bool staff) {
  json::array entries;
  for (const auto& e : p.entries) {
    json::object o{{"uscc", e.uscc},
                   {"name", e.name},
                   {"result", OrNull(e.result)},
                   {"recorded_at", OrNull(e.recorded_at)}};
    if (staff) {
      json::array inspectors;
      for (size_t i = 0; i < e.inspectors.size(); ++i)
        inspectors.push_back(
            json::object{{"account", e.inspectors[i]},
                         {"name", i < e.inspector_names.size() ? e.inspector_names[i] : ""}});
      o["licences"] = Array(e.licences);
      o["inspectors"] = std::move(inspectors);
      o["note"] = OrNull(e.note);
      o["suspended"] = Array(e.suspended);
    }
    entries.push_back(std::move(o));
  }
  json::object o{{"number", p.number},
                 {"title", p.title},
                 {"department_code", p.department_code},
                 {"region_code", p.region_code},
                 {"licence_type", p.licence_type},
                 {"entities", p.entities},
                 {"inspectors_per_entity", p.inspectors_per_entity},
                 {"pool_entities", p.pool_entities},
                 {"pool_inspectors", p.pool_inspectors},
                 {"seed", p.seed},
                 {"status", p.status},
                 {"created_at", p.created_at},
                 {"published_at", OrNull(p.published_at)},
                 {"entries", std::move(entries)}};
  if (staff) {
    o["version"] = p.version;
    o["reproduced"] = Service::Reproduces(p);
  }
  return o;
}

http::Response OrderReply(const http::Context& ctx, const Result<Order>& o,
                          http::Status status = http::Status::ok) {
  if (!o) return Fail(ctx, o.error());
  auto res = Ok(OrderJson(*o), status);
  if (status == http::Status::created)
    res.set(http::Field::location, "/api/v1/supervision-orders/" + o->number);
  return res;
}

http::Response PlanReply(const http::Context& ctx, const Result<Plan>& p, bool staff,
                         http::Status status = http::Status::ok) {
  if (!p) return Fail(ctx, p.error());
  auto res = Ok(PlanJson(*p, staff), status);
  if (status == http::Status::created)
    res.set(http::Field::location, "/api/v1/inspection-plans/" + p->number);
  return res;
}

http::Response StaffReply(const http::Context& ctx, const Result<std::vector<Inspector>>& v) {
  if (!v) return Fail(ctx, v.error());
  json::array a;
  for (const auto& x : *v) a.push_back(json::object{{"account", x.account}, {"name", x.name}});
  return Ok(json::object{{"inspectors", std::move(a)}});
}

int64_t ReadVersion(http::JsonBody& b) {
  auto v = b.Int("version");
  if (!v) b.Add("version", "is required: the version you read");
  return v.value_or(0);
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/supervision/watch", [s](http::Context& ctx) {
     auto v = s->Watch(ctx.Who(), ctx.Query("region").value_or(""), ctx.Query("kind").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array items;
     for (const auto& w : *v) items.push_back(WatchedJson(w));
     return Ok(json::object{{"items", std::move(items)}});
   }).Requires(authz::Action::kSuperviseRegion);

  r.Get("/api/v1/supervision/cases/{no}", [s](http::Context& ctx) {
     auto k = s->Case(ctx.Who(), ctx.Param("no"));
     if (!k) return Fail(ctx, k.error());
     return Ok(CaseJson(*k));
   }).Requires(authz::Action::kSuperviseRegion);

  r.Post("/api/v1/supervision-orders", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     OrderInput in;
     in.department_code = body->RequiredStr("department_code", 40);
     in.object_kind = body->RequiredStr("object_kind", 20);
     in.object_ref = body->Str("object_ref", 64);
     in.subject = body->RequiredStr("subject", 200);
     in.instruction = body->RequiredStr("instruction", 2000);
     in.due_date = body->Str("due_date", 10);
     in.due_days = body->Int("due_days").value_or(0);
     if (auto st = body->Finish("order"); !st) return Fail(ctx, st.error());
     return OrderReply(ctx, s->IssueOrder(ctx.Who(), in), http::Status::created);
   }).Requires(authz::Action::kIssueOrder);

  r.Get("/api/v1/supervision-orders", [s](http::Context& ctx) {
     auto v = s->Orders(ctx.Who(), ctx.Query("which").value_or("department"),
                        ctx.Query("status").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array items;
     for (const auto& o : *v) items.push_back(OrderJson(o));
     return Ok(json::object{{"orders", std::move(items)}});
   }).Requires(authz::Action::kSupervisionInbox);

  r.Get("/api/v1/supervision-orders/{number}", [s](http::Context& ctx) {
     return OrderReply(ctx, s->GetOrder(ctx.Who(), ctx.Param("number")));
   }).Requires(authz::Action::kSupervisionInbox);

  r.Post("/api/v1/supervision-orders/{number}/reply", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     OrderStep in;
     in.version = ReadVersion(*body);
     in.reply = body->RequiredStr("reply", 2000);
     if (auto st = body->Finish("reply"); !st) return Fail(ctx, st.error());
     return OrderReply(ctx, s->ReplyOrder(ctx.Who(), ctx.Param("number"), in));
   }).Requires(authz::Action::kAnswerOrder);

  r.Post("/api/v1/supervision-orders/{number}/decision", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     OrderStep in;
     in.version = ReadVersion(*body);
     in.decision = body->RequiredStr("decision", 10);
     in.instruction = body->Str("instruction", 2000);
     in.due_date = body->Str("due_date", 10);
     in.due_days = body->Int("due_days").value_or(0);
     if (auto st = body->Finish("decision"); !st) return Fail(ctx, st.error());
     return OrderReply(ctx, s->CloseOrder(ctx.Who(), ctx.Param("number"), in));
   }).Requires(authz::Action::kIssueOrder);

  r.Get("/api/v1/supervision-claims", [s](http::Context& ctx) {
     auto v = s->Claims(ctx.Who(), ctx.Query("which").value_or("department"),
                        ctx.Query("status").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array items;
     for (const auto& k : *v) items.push_back(ClaimJson(k));
     return Ok(json::object{{"claims", std::move(items)}});
   }).Requires(authz::Action::kSupervisionInbox);

  r.Post("/api/v1/supervision-claims/{licence}/claim", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     int64_t version = ReadVersion(*body);
     std::string note = body->Str("note", 2000);
     if (auto st = body->Finish("claim"); !st) return Fail(ctx, st.error());
     auto k = s->ClaimLicensee(ctx.Who(), ctx.Param("licence"), version, note);
     if (!k) return Fail(ctx, k.error());
     return Ok(ClaimJson(*k));
   }).Requires(authz::Action::kClaimLicensee);

  r.Get("/api/v1/inspection-staff", [s](http::Context& ctx) {
     return StaffReply(ctx, s->InspectionStaff(ctx.Who(), ctx.Query("department").value_or("")));
   }).Requires(authz::Action::kPlanInspections);

  r.Post("/api/v1/inspection-staff", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string department = body->RequiredStr("department_code", 40);
     std::string username = body->RequiredStr("username", 100);
     if (auto st = body->Finish("inspector"); !st) return Fail(ctx, st.error());
     return StaffReply(ctx, s->AddInspector(ctx.Who(), department, username));
   }).Requires(authz::Action::kPlanInspections);

  r.Delete("/api/v1/inspection-staff/{department}/{account}", [s](http::Context& ctx) {
     return StaffReply(
         ctx, s->RemoveInspector(ctx.Who(), ctx.Param("department"), ctx.Param("account")));
   }).Requires(authz::Action::kPlanInspections);

  r.Get("/api/v1/inspection-conflicts", [s](http::Context& ctx) {
     auto v = s->Conflicts(ctx.Who(), ctx.Query("department").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array a;
     for (const auto& x : *v)
       a.push_back(json::object{{"account", x.account},
                                {"name", x.name},
                                {"uscc", x.uscc},
                                {"reason", x.reason},
                                {"declared_at", x.declared_at}});
     return Ok(json::object{{"conflicts", std::move(a)}});
   }).Requires(authz::Action::kPlanInspections);

  r.Post("/api/v1/inspection-conflicts", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     std::string department = body->RequiredStr("department_code", 40);
     std::string account = body->RequiredStr("account", 100);
     std::string uscc = body->RequiredStr("uscc", 18);
     std::string reason = body->RequiredStr("reason", 2000);
     if (auto st = body->Finish("conflict"); !st) return Fail(ctx, st.error());
     if (auto st = s->DeclareConflict(ctx.Who(), department, account, uscc, reason); !st)
       return Fail(ctx, st.error());
     return http::Response{http::Status::no_content, 11};
   }).Requires(authz::Action::kPlanInspections);

  r.Post("/api/v1/inspection-plans", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     PlanInput in;
     in.department_code = body->RequiredStr("department_code", 40);
     in.region_code = body->Str("region_code", 20);
     in.licence_type = body->RequiredStr("licence_type", 64);
     in.title = body->RequiredStr("title", 200);
     auto n = body->Int("entities");
     if (!n) body->Add("entities", "is required: how many entities to draw");
     in.entities = n.value_or(0);
     in.inspectors_per_entity = body->Int("inspectors_per_entity").value_or(2);
     if (auto st = body->Finish("plan"); !st) return Fail(ctx, st.error());
     return PlanReply(ctx, s->CreatePlan(ctx.Who(), in), true, http::Status::created);
   }).Requires(authz::Action::kPlanInspections);

  r.Get("/api/v1/inspection-plans", [s](http::Context& ctx) {
     auto v = s->Plans(ctx.Who(), ctx.Query("department").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array items;
     for (const auto& p : *v) items.push_back(PlanJson(p, true));
     return Ok(json::object{{"plans", std::move(items)}});
   }).Requires(authz::Action::kPlanInspections);

  r.Get("/api/v1/inspection-plans/{number}", [s](http::Context& ctx) {
     return PlanReply(ctx, s->GetPlan(ctx.Who(), ctx.Param("number")), true);
   }).Requires(authz::Action::kPlanInspections);

  r.Post("/api/v1/inspection-plans/{number}/publication", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     int64_t version = ReadVersion(*body);
     if (auto st = body->Finish("publication"); !st) return Fail(ctx, st.error());
     return PlanReply(ctx, s->Publish(ctx.Who(), ctx.Param("number"), version), true);
   }).Requires(authz::Action::kPlanInspections);

  r.Post("/api/v1/inspection-plans/{number}/results", [s](http::Context& ctx) {
     auto body = http::JsonBody::Read(ctx);
     if (!body) return Fail(ctx, body.error());
     ResultInput in;
     in.version = ReadVersion(*body);
     in.uscc = body->RequiredStr("uscc", 18);
     in.result = body->RequiredStr("result", 20);
     in.note = body->Str("note", 2000);
     if (auto st = body->Finish("result"); !st) return Fail(ctx, st.error());
     return PlanReply(ctx, s->RecordResult(ctx.Who(), ctx.Param("number"), in), true);
   }).Requires(authz::Action::kPlanInspections);

  r.Get("/api/v1/inspections", [s](http::Context& ctx) {
     auto v = s->PublishedPlans(ctx.Query("region").value_or(""));
     if (!v) return Fail(ctx, v.error());
     json::array items;
     for (const auto& p : *v) items.push_back(PlanJson(p, false));
     auto res = http::Json(http::Status::ok, json::object{{"plans", std::move(items)}});
     res.set(http::Field::cache_control, "public, max-age=60");
     return res;
   }).Public();

  r.Get("/api/v1/inspections/{number}", [s](http::Context& ctx) {
     auto p = s->PublishedPlan(ctx.Param("number"));
     if (!p) return Fail(ctx, p.error());
     auto res = http::Json(http::Status::ok, PlanJson(*p, false));
     res.set(http::Field::cache_control, "public, max-age=60");
     return res;
   }).Public();
}

}  // namespace ow::supervise
