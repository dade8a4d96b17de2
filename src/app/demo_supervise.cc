// demo/supervision.json for seed-demo: the supervision pages' demo data, made through the
// services as the demo staff would make it (their accounts and roles, the services' rules,
// events and audit), so `make run` shows what the pages do. Each part is skipped when it is
// there already, so seed-demo stays idempotent.
#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "app/demo.h"
#include "calendar/service.h"
#include "identity/keys.h"
#include "licences/model.h"
#include "licences/service.h"
#include "notify/service.h"
#include "supervise/service.h"

namespace ow::app {
namespace {

namespace json = boost::json;

std::string Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t Int(const json::object& o, const char* key, int64_t fallback) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : fallback;
}

const json::array& Array(const json::object& o, const char* key) {
  static const json::array kEmpty;
  const auto* v = o.if_contains(key);
  return v && v->is_array() ? v->as_array() : kEmpty;
}

// A demo account acting as after a local sign-in (SessionPrincipal gives the same).
Result<authz::Principal> As(identity::Service& identity, const std::string& username) {
  auto a = identity.AccountByUsername(username);
  if (!a)
    return Error(a.error().code, "supervision.json: no demo account " + username +
                                     " (load demo/accounts.json first)");
  authz::Principal p;
  p.via = authz::Via::kSession;
  p.account_id = a->id;
  p.username = a->username;
  p.kind = a->kind;
  p.roles = a->roles;
  p.acr = identity::LevelName(a->identity_level);
  p.name_for_audit = a->username;
  return p;
}

Error Context(const Error& e, const std::string& what) {
  return Error(e.code, "supervision.json " + what + ": " + e.message, e.fields);
}

}  // namespace

Result<int64_t> SeedSupervision(db::Database& db, const std::string& path, const Config& config,
                                departments::Service& departments) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return int64_t{0};
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(buf.str(), ec);
  if (ec || !doc.is_object()) return InvalidArgument(path + " must be a JSON object");
  const json::object& o = doc.as_object();
  const std::string dept = Str(o, "department_code"), type = Str(o, "licence_type");

  OW_ASSIGN_OR_RETURN(auto keys, identity::LoadKeys(config));
  identity::Service identity(db, departments, std::move(keys), config);
  identity.SetAuditSink(DirectAuditSink(db));
  licences::Service licences(db, identity, departments, {});
  OW_RETURN_IF_ERROR(licences.Bootstrap());
  calendar::Service calendar(db);
  notify::Service notifier(db, {});
  supervise::Service supervise(db, calendar, licences, notifier, {});
  OW_ASSIGN_OR_RETURN(auto planner, As(identity, Str(o, "planner")));
  OW_ASSIGN_OR_RETURN(auto supervisor, As(identity, Str(o, "supervisor")));
  int64_t made = 0;

  // The licensed businesses: permits issued by hand by the department's approver (who holds
  // its licence seal), once.
  OW_ASSIGN_OR_RETURN(auto region, departments.Get(dept));
  OW_ASSIGN_OR_RETURN(auto issued, licences.Issued(planner, dept, region.region_code, 1000));
  bool have_licences = std::any_of(issued.begin(), issued.end(),
                                   [&](const licences::Licence& l) { return l.type_code == type; });
  if (!have_licences) {
    for (const auto& e : Array(o, "enterprises")) {
      if (!e.is_object()) return InvalidArgument(path + ": every enterprise must be an object");
      licences::IssueInput li;
      li.type_code = type;
      li.holder_kind = licences::kEnterprise;
      li.holder_id = Str(e.as_object(), "uscc");
      li.holder_name = Str(e.as_object(), "name");
      li.fields = json::object{{"address", Str(e.as_object(), "address")},
                               {"scope", "预包装食品销售；热食类食品制售"}};
      li.reason = "存量证照补录";
      auto l = licences.Issue(planner, li);
      if (!l) return Context(l.error(), "licence of " + li.holder_id);
      ++made;
    }
  }

  // Inspection staff and declared conflicts (both kept as they are when there).
  for (const auto& u : Array(o, "inspectors")) {
    if (!u.is_string()) continue;
    auto added = supervise.AddInspector(planner, dept, std::string(u.as_string()));
    if (!added) return Context(added.error(), "inspector " + std::string(u.as_string()));
  }
  for (const auto& c : Array(o, "conflicts")) {
    if (!c.is_object()) continue;
    OW_ASSIGN_OR_RETURN(auto who, As(identity, Str(c.as_object(), "username")));
    auto declared = supervise.DeclareConflict(
        planner, dept, who.account_id, Str(c.as_object(), "uscc"), Str(c.as_object(), "reason"));
    if (!declared) return Context(declared.error(), "conflict");
  }

  // One plan, drawn, its results recorded and published, when the department has none.
  OW_ASSIGN_OR_RETURN(auto plans, supervise.Plans(planner, dept));
  const auto* plan = o.if_contains("plan");
  if (plans.empty() && plan && plan->is_object()) {
    const auto& po = plan->as_object();
    supervise::PlanInput pi;
    pi.department_code = dept;
    pi.licence_type = type;
    pi.title = Str(po, "title");
    pi.entities = Int(po, "entities", 4);
    pi.inspectors_per_entity = Int(po, "inspectors_per_entity", 1);
    auto p = supervise.CreatePlan(planner, pi);
    if (!p) return Context(p.error(), "plan");
    const auto& results = Array(po, "results");
    for (size_t i = 0; i < results.size() && i < p->entries.size(); ++i) {
      if (!results[i].is_object()) continue;
      supervise::ResultInput ri;
      ri.version = p->version;
      ri.uscc = p->entries[i].uscc;
      ri.result = Str(results[i].as_object(), "result");
      ri.note = Str(results[i].as_object(), "note");
      p = supervise.RecordResult(planner, p->number, ri);
      if (!p) return Context(p.error(), "plan result");
    }
    p = supervise.Publish(planner, p->number, p->version);
    if (!p) return Context(p.error(), "plan publication");
    ++made;
  }

  // Supervision orders, when the supervisor has issued none; some answered by the department.
  OW_ASSIGN_OR_RETURN(auto orders, supervise.Orders(supervisor, "supervisor", ""));
  if (orders.empty()) {
    for (const auto& x : Array(o, "orders")) {
      if (!x.is_object()) continue;
      const auto& xo = x.as_object();
      supervise::OrderInput oi;
      oi.department_code = Str(xo, "department_code");
      oi.object_kind = Str(xo, "object_kind");
      oi.object_ref = Str(xo, "object_ref");
      oi.subject = Str(xo, "subject");
      oi.instruction = Str(xo, "instruction");
      oi.due_days = Int(xo, "due_days", 5);
      auto order = supervise.IssueOrder(supervisor, oi);
      if (!order) return Context(order.error(), "order");
      ++made;
      const auto* reply = xo.if_contains("reply");
      if (!reply || !reply->is_object()) continue;
      OW_ASSIGN_OR_RETURN(auto by, As(identity, Str(reply->as_object(), "by")));
      supervise::OrderStep step;
      step.version = order->version;
      step.reply = Str(reply->as_object(), "text");
      auto replied = supervise.ReplyOrder(by, order->number, step);
      if (!replied) return Context(replied.error(), "order reply");
    }
  }
  return made;
}

}  // namespace ow::app
