#include "cases/service.h"

#include <algorithm>
#include <set>

#include "authz/authz.h"
#include "cases/store.h"
#include "catalog/form_validate.h"
#include "core/json_members.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/random.h"
#include "identity/ids.h"

namespace ow::cases {

namespace json = boost::json;
using authz::Action;
using authz::Decide;
using authz::Target;
using identity::Principal;

std::string_view DefaultProcessXml() {
  return R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:ow="urn:onewindow:bpmn"
                  id="Definitions_DefaultApproval" targetNamespace="urn:onewindow:processes">
  <bpmn:process id="ow_default_approval" name="办理部门审批" isExecutable="true">
    <bpmn:startEvent id="Start" name="已受理"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Approve" name="审批" camunda:candidateGroups="approver"
                   ow:department="${case.department}" ow:region="${case.region}">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End" name="已决定"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Approve" />
    <bpmn:sequenceFlow id="F2" sourceRef="Approve" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
)xml";
}

namespace {

using json_members::Int;
using json_members::Str;

constexpr const char* kOpen = "open";

authz::Action ActionForRole(std::string_view role) {
  if (role == identity::kAcceptor) return authz::Action::kAcceptCase;
  if (role == identity::kReviewer) return authz::Action::kReviewCase;
  return authz::Action::kApproveCase;
}

bool KnownTaskRole(std::string_view role) {
  return role == identity::kAcceptor || role == identity::kReviewer || role == identity::kApprover;
}

// Who the applicant's materials belong to: their account, or the enterprise.
std::string ApplicantOwner(const Case& k) {
  return k.applicant_enterprise.empty() ? k.applicant_account_id
                                        : identity::EnterpriseOwner(k.applicant_enterprise);
}

}  // namespace

// One operation on one locked case: the case as loaded (and changed), its tasks, and the
// events and messages to write with it.
struct Service::Op {
  std::string actor;
  std::string channel;
  SystemTime now{};
  std::string at;
  Date today{};
  const Calendar* cal = nullptr;
  Case k;
  std::vector<Task> tasks;
  std::vector<Event> events;
  std::vector<Message> messages;

  // Records an event; when the status changes, also a message for the applicant.
  void Record(std::string action, const std::string& to, std::string reason,
              json::object detail = {}) {
    Event e;
    e.at = at;
    e.actor = actor;
    e.channel = channel;
    e.action = std::move(action);
    e.from_status = k.status;
    e.to_status = to;
    e.reason = std::move(reason);
    e.detail = std::move(detail);
    if (to != k.status && !MessageRecipient(k).empty()) {
      Message m;
      m.account_id = MessageRecipient(k);
      m.status = to;
      m.code = e.reason.empty() ? "case.status_changed" : "case.status_changed_with_reason";
      m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}, {"status", to}};
      if (!e.reason.empty()) m.params["reason"] = e.reason;
      m.created_at = at;
      messages.push_back(std::move(m));
    }
    k.status = to;
    events.push_back(std::move(e));
  }
  Task* FindTask(int64_t id) {
    for (auto& t : tasks)
      if (t.id == id) return &t;
    return nullptr;
  }
};

Service::Service(db::Database& db, catalog::Service& catalog, processes::Service& processes,
                 calendar::Service& calendar, identity::Service& identity,
                 MaterialDirectory* materials)
    : db_(db),
      catalog_(catalog),
      processes_(processes),
      calendar_(calendar),
      identity_(identity),
      materials_(materials) {
  // Built-in domain services for service tasks.
  AddDomainService(
      "notify-applicant",
      [](db::Connection& c, const Case& k, const json::object& vars) -> Result<json::object> {
        const std::string to = MessageRecipient(k);
        if (!to.empty()) {
          Message m;
          m.account_id = to;
          m.status = k.status;
          std::string note = Str(vars, "notice");
          m.code = note.empty() ? "case.progress" : "case.progress_with_notice";
          m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}};
          if (!note.empty()) m.params["notice"] = note;
          m.created_at = NowText();
          OW_RETURN_IF_ERROR(store::InsertMessage(c, m, k.id));
        }
        return json::object{{"applicant_notified", !to.empty()}};
      });
}

Status Service::Bootstrap() {
  auto published =
      processes_.Publish("system", kDefaultProcessKey, std::string(DefaultProcessXml()));
  // Several servers starting on one PostgreSQL race to publish it; one wins, all agree.
  if (!published && published.error().code != Code::kAlreadyExists &&
      published.error().code != Code::kConflict)
    return published.error();
  return {};
}

void Service::AddDomainService(const std::string& name, DomainService fn) {
  services_[name] = std::move(fn);
}

Result<Calendar> Service::CalendarAround(Date day) {
  std::lock_guard lock(calendar_mu_);
  auto now = std::chrono::steady_clock::now();
  // Calendars change a few times a year; a minute's staleness is fine, and one read per
  // minute instead of one per case keeps the calendar off the submission path.
  // Loaded for three years either side of a day, reused while the day asked about stays
  // within a year of it (so at least two years of counting either side).
  constexpr int64_t kYear = 366;
  constexpr int64_t kSpan = 3 * kYear;
  if (calendar_cache_ && day >= AddDays(calendar_from_, kSpan - kYear) &&
      day <= AddDays(calendar_to_, kYear - kSpan) &&
      now - calendar_loaded_ < std::chrono::minutes(1)) {
    return *calendar_cache_;
  }
  Date from = AddDays(day, -kSpan), to = AddDays(day, kSpan);
  OW_ASSIGN_OR_RETURN(Calendar cal, calendar_.ForRange(from, to));
  calendar_cache_ = cal;
  calendar_from_ = from;
  calendar_to_ = to;
  calendar_loaded_ = now;
  return cal;
}

Result<std::shared_ptr<const workflow::Definition>> Service::DefinitionOf(const Case& k) {
  return processes_.Definition(k.process_key, k.process_version);
}

Status Service::CanWorkOn(const Principal& who, const Task& t) const {
  authz::Target target;
  target.department_code = t.department_code;
  target.region_code = t.region_code;
  return authz::Decide(who, ActionForRole(t.role), target);
}

authz::OperatorRights Service::OperatorRightsOn(const Principal& who, const Case& k) {
  if (k.applicant_enterprise.empty() || who.kind != identity::kPerson) return {};
  auto access = identity_.AccessTo(who, k.applicant_enterprise);
  return access ? access->rights : authz::OperatorRights{};
}

bool Service::CanRead(const Principal& who, const Case& k, const std::vector<Task>& tasks) {
  authz::Target t{k.department_code, k.region_code, k.applicant_account_id, false};
  if (!k.applicant_account_id.empty() && who.HasRole(identity::kAgent) &&
      who.account_id != k.applicant_account_id) {
    auto agent = identity_.IsAgentFor(who, k.applicant_account_id, k.item_code);
    t.agent_for_owner = agent && *agent;
  }
  t.operator_of_owner = OperatorRightsOn(who, k);
  if (authz::Decide(who, authz::Action::kReadCase, t)) return true;
  for (const auto& task : tasks) {
    if (authz::Decide(who, authz::Action::kReadCase,
                      {task.department_code, task.region_code, "", false}))
      return true;
  }
  // The hall that took the application in (cross-region intake) follows it while its
  // clerk is counter staff. Agents and operators who submitted a case do not: they read
  // it only under a live authorization or operator right (checked above).
  return k.channel == kCounterChannel && !who.account_id.empty() &&
         who.account_id == k.submitted_by_account && who.HasRole(identity::kCounter);
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

Result<std::vector<Attachment>> Service::ResolveMaterials(const Principal& who,
                                                          const std::string& applicant,
                                                          const std::vector<MaterialRef>& refs,
                                                          int64_t already, SystemTime now) {
  std::vector<Attachment> out;
  if (refs.empty()) return out;
  if (!materials_) return FailedPrecondition("materials are not available on this server");
  if (refs.size() > 100) {
    Validator v;
    v.Add("materials", "at most 100 materials per request");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  std::vector<std::string> ids;
  ids.reserve(refs.size());
  for (const auto& r : refs) ids.push_back(r.id);
  auto found = materials_->Find(ids);
  if (!found) {
    if (found.error().code != Code::kNotFound) return found.error();
    Validator v;
    v.Add("materials", found.error().message);
    OW_RETURN_IF_ERROR(v.Finish());
  }
  int64_t total = already;
  Validator v;
  std::set<std::string> seen;
  for (size_t i = 0; i < refs.size(); ++i) {
    const MaterialInfo& m = (*found)[i];
    std::string field = "materials/" + std::to_string(i);
    // Only one's own uploads (or the applicant's earlier ones, an enterprise's uploaded in
    // its name) can be attached: a material id is not a capability to read someone
    // else's document.
    if (m.owner_account_id != who.account_id &&
        (applicant.empty() || m.owner_account_id != applicant)) {
      v.Add(field + "/id", "no material " + m.id);
      continue;
    }
    if (!seen.insert(m.id).second) v.Add(field + "/id", "is listed twice");
    total += m.size;
    out.push_back({m.id, refs[i].name, m.filename, m.media_type, m.size, m.sha256, FormatTime(now),
                   who.username});
  }
  if (total > materials_->max_case_bytes()) {
    constexpr int64_t kMiB = int64_t{1024} * 1024;
    int64_t max = materials_->max_case_bytes();
    v.Add("materials",
          "the materials of one case may add up to at most " +
              (max >= kMiB ? std::to_string(max / kMiB) + " MiB" : std::to_string(max) + " bytes"));
  }
  OW_RETURN_IF_ERROR(v.Finish());
  return out;
}

Result<std::shared_ptr<const Service::ItemTarget>> Service::TargetOf(const std::string& item,
                                                                     const std::string& region) {
  std::string key = item + "|" + region;
  auto now = std::chrono::steady_clock::now();
  uint64_t generation = catalog::Service::Generation();
  {
    std::lock_guard lock(targets_mu_);
    auto it = targets_.find(key);
    if (it != targets_.end() && it->second.expires > now && it->second.generation == generation)
      return it->second.target;
  }
  auto view = catalog_.GetItem(item, region);
  if (!view) {
    if (view.error().code == Code::kNotFound) {
      Validator nv;
      nv.Add("item_code", "no service item " + item);
      return nv.Finish().error();
    }
    return view.error();
  }
  auto target = std::make_shared<ItemTarget>();
  target->view = std::move(*view);
  // The process, pinned at its latest version now: the case keeps it to the end.
  auto process = processes_.ProcessOf(item);
  if (!process && process.error().code != Code::kNotFound) return process.error();
  target->process_key = process ? *process : kDefaultProcessKey;
  OW_ASSIGN_OR_RETURN(auto versions, processes_.Versions(target->process_key));
  if (versions.empty()) return Internal("process " + target->process_key + " has no version");
  target->process_version = versions.front().version;
  std::lock_guard lock(targets_mu_);
  if (targets_.size() > 10000) targets_.clear();
  // A new process version or assignment reaches new applications within two seconds
  // (at once in this process when the catalog changes).
  targets_[key] = {target, now + std::chrono::seconds(2), generation};
  return std::shared_ptr<const ItemTarget>(target);
}

// Everything about a new case that needs reads of other domains, done before the write
// transaction so it holds no locks while the catalog, processes and accounts are consulted.
Result<Case> Service::Prepare(const Principal& who, const SubmitInput& in, bool validate_form,
                              SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  Validator v;
  if (in.item_code.empty()) v.Add("item_code", "is required");
  if (in.region_code.empty() || !text::IsDigits(in.region_code) || in.region_code.size() > 12)
    v.Add("region_code", "must be a region code such as 330102");
  if (!in.channel.empty() && in.channel != kWeb && in.channel != kApp)
    v.Add("channel", "must be web or app");
  OW_RETURN_IF_ERROR(v.Finish());

  Case k;
  k.created_at = FormatTime(now);
  k.updated_at = k.created_at;
  k.submitted_by = who.username;
  k.submitted_by_account = who.account_id;

  // Who applies, through which channel.
  if (!in.applicant_resident_id.empty()) {
    // Counter intake: a hall registers an offline application.
    const identity::Role* counter = nullptr;
    for (const auto& r : who.roles)
      if (r.role == identity::kCounter) counter = &r;
    if (!counter) return PermissionDenied("only counter staff register applications at a hall");
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kCounterIntake, {"", counter->region_code, "", false}));
    std::string why;
    auto id = identity::NormalizeResidentId(in.applicant_resident_id, &why);
    Validator iv;
    if (!id) iv.Add("applicant_resident_id", why.empty() ? "is not a resident ID number" : why);
    if (in.applicant_name.empty() || in.applicant_name.size() > 100)
      iv.Add("applicant_name", "is required (at most 100 bytes)");
    OW_RETURN_IF_ERROR(iv.Finish());
    k.channel = kCounterChannel;
    k.intake_region = counter->region_code;
    k.applicant_name = in.applicant_name;
    k.applicant_id_masked = identity::MaskResidentId(*id);
    // Linked only to the account that proved the number: anyone may claim a number at
    // registration, and an impostor must not receive the owner's offline cases.
    if (auto account = identity_.FindByResidentId(*id)) {
      k.applicant_account_id = account->id;
      if (!account->real_name.empty()) k.applicant_name = account->real_name;
    } else if (account.error().code != Code::kNotFound) {
      return account.error();
    }
  } else if (!in.on_behalf_of_enterprise.empty()) {
    // An operator holding "apply" applies in the enterprise's name; the enterprise is
    // the applicant, the operator the one who submitted it.
    if (!in.on_behalf_of.empty()) {
      Validator bv;
      bv.Add("on_behalf_of_enterprise", "cannot be combined with on_behalf_of");
      return bv.Finish().error();
    }
    auto access = identity_.AccessTo(who, in.on_behalf_of_enterprise);
    if (!access && access.error().code != Code::kNotFound) return access.error();
    if (!access || !access->rights.Any()) {
      Validator ev;
      ev.Add("on_behalf_of_enterprise",
             "is not an enterprise you operate: " + in.on_behalf_of_enterprise);
      return ev.Finish().error();
    }
    authz::Target t;
    t.operator_of_owner = access->rights;
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kActForEnterprise, t));
    k.channel = in.channel.empty() ? kWeb : in.channel;
    k.applicant_enterprise = access->enterprise.credit_code;
    k.applicant_name = access->enterprise.name;
  } else if (!in.on_behalf_of.empty()) {
    // An agent applies for a person under that person's live authorization, which must
    // cover this item.
    OW_ASSIGN_OR_RETURN(bool authorized, identity_.IsAgentFor(who, in.on_behalf_of, in.item_code));
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kActForPerson, {"", "", in.on_behalf_of, authorized}));
    OW_ASSIGN_OR_RETURN(identity::Account person, identity_.AccountById(in.on_behalf_of));
    k.channel = kAgentChannel;
    k.applicant_account_id = person.id;
    k.applicant_name = person.real_name;
    k.applicant_id_masked = person.resident_id_masked;
    for (const auto& r : who.roles)
      if (r.role == identity::kAgent) k.intake_region = r.region_code;
  } else {
    if (who.kind != identity::kPerson)
      return PermissionDenied(
          "staff register applications as counter intake (applicant_resident_id)");
    OW_RETURN_IF_ERROR(
        authz::Decide(who, authz::Action::kActForPerson, {"", "", who.account_id, false}));
    OW_ASSIGN_OR_RETURN(identity::Account me, identity_.AccountById(who.account_id));
    k.channel = in.channel.empty() ? kWeb : in.channel;
    k.applicant_account_id = me.id;
    k.applicant_name = me.real_name;
    k.applicant_id_masked = me.resident_id_masked;
  }

  // The item as implemented in the requested region, and its process.
  OW_ASSIGN_OR_RETURN(auto target, TargetOf(in.item_code, in.region_code));
  const catalog::ItemView* view = &target->view;
  const json::object& doc = view->version.document;
  if (view->status != "published")
    return FailedPrecondition("the item " + in.item_code + " is " + view->status +
                              " and takes no applications");
  if (!view->implementation) {
    Validator nv;
    nv.Add("region_code",
           "the item " + in.item_code + " is not handled in region " + in.region_code);
    return nv.Finish().error();
  }
  if (!k.applicant_enterprise.empty()) {
    bool legal = false;
    if (const json::value* served = doc.if_contains("served"); served && served->is_array()) {
      for (const auto& x : served->as_array())
        legal = legal || (x.is_string() && x.as_string() == "legal_person");
    }
    if (!legal) {
      Validator lv;
      lv.Add("item_code", "the item " + in.item_code +
                              " serves natural persons only; an enterprise cannot apply for it");
      return lv.Finish().error();
    }
  }
  k.item_code = in.item_code;
  k.item_name = Str(doc, "name");
  k.item_version = view->version.version;
  k.department_code = view->implementation->department_code;
  k.region_code = view->implementation->region_code;
  k.statutory_days = Int(doc, "statutory_days");
  k.promised_days = Int(view->effective, "promised_days");
  if (k.promised_days <= 0 || k.promised_days > k.statutory_days)
    k.promised_days = k.statutory_days;
  if (k.intake_region.empty()) k.intake_region = in.region_code;
  if (k.channel == kCounterChannel && !authz::RegionWithin(k.intake_region, k.region_code)) {
    size_t prefix = CrossRegionPrefix(Str(doc, "cross_region"));
    if (prefix > 6 || k.intake_region.substr(0, prefix) != k.region_code.substr(0, prefix)) {
      return FailedPrecondition("the item " + in.item_code +
                                " cannot be taken in at a hall outside region " + k.region_code +
                                " (cross_region: " + Str(doc, "cross_region") + ")");
    }
  }

  if (validate_form) {
    const json::value* schema = doc.if_contains("form_schema");
    if (schema) OW_RETURN_IF_ERROR(catalog::CheckFormData(*schema, in.form, "form"));
  }
  k.form = in.form;

  k.process_key = target->process_key;
  k.process_version = target->process_version;
  k.status = kSubmitted;
  k.instance = nullptr;
  return k;
}

// What an agent or a hall attached to a person's case becomes that person's: it leaves
// the uploader's own list, and the uploader reads it from then on only through the case
// (for an agent, while the authorization lasts). `uploader` defaults to who submitted.
Status Service::HandOverMaterials(db::Connection& c, const Case& k,
                                  const std::vector<Attachment>& attachments,
                                  const std::string& uploader) {
  const std::string& from = uploader.empty() ? k.submitted_by_account : uploader;
  if (!materials_ || attachments.empty() || k.applicant_account_id.empty() || from.empty() ||
      from == k.applicant_account_id)
    return {};
  std::vector<std::string> ids;
  ids.reserve(attachments.size());
  for (const auto& a : attachments) ids.push_back(a.material_id);
  return materials_->HandOver(c, ids, from, k.applicant_account_id);
}

// Writes a prepared case with its materials, the acceptance task, the first event and
// message. Fills k.id and k.tracking_no.
Status Service::Insert(db::Connection& c, Case& k, const std::vector<Attachment>& attachments,
                       const std::string& actor) {
  OW_ASSIGN_OR_RETURN(k.id, store::InsertCase(c, k));
  k.tracking_no = TrackingNo(k.id, k.created_at);
  for (const auto& a : attachments) OW_RETURN_IF_ERROR(store::InsertAttachment(c, k.id, a));
  OW_RETURN_IF_ERROR(HandOverMaterials(c, k, attachments));
  Task accept;
  accept.case_id = k.id;
  accept.kind = "accept";
  accept.node = "accept";
  accept.name = "受理";
  accept.role = identity::kAcceptor;
  accept.department_code = k.department_code;
  accept.region_code = k.region_code;
  accept.created_at = k.created_at;
  OW_ASSIGN_OR_RETURN(accept.id, store::InsertTask(c, accept));
  accept.status = kOpen;
  Op op;
  op.actor = actor;
  op.channel = k.channel;
  op.at = k.created_at;
  op.k = k;
  op.k.status = "";
  json::object detail{{"intake_region", k.intake_region},
                      {"department_code", k.department_code},
                      {"region_code", k.region_code},
                      {"materials", attachments.size()},
                      {"process", k.process_key + "@" + std::to_string(k.process_version)}};
  if (!k.bundle_id.empty()) detail["bundle_id"] = k.bundle_id;
  op.Record("submitted", kSubmitted, "", std::move(detail));
  for (auto& e : op.events) {
    OW_ASSIGN_OR_RETURN(e.seq, store::InsertEvent(c, k.id, e));
  }
  for (const auto& m : op.messages) OW_RETURN_IF_ERROR(store::InsertMessage(c, m, k.id));
  // The answer is what was just written: no read-back inside the shared commit.
  k.status = kSubmitted;
  k.version = 1;
  k.materials = attachments;
  k.tasks = {accept};
  k.events = std::move(op.events);
  return {};
}

Result<Case> Service::LoadFull(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
  if (!k) return NotFound("no such case");
  OW_ASSIGN_OR_RETURN(k->materials, store::LoadAttachments(c, id));
  OW_ASSIGN_OR_RETURN(k->tasks, store::LoadTasks(c, id));
  OW_ASSIGN_OR_RETURN(k->events, store::LoadEvents(c, id));
  return std::move(*k);
}

Result<Case> Service::Submit(const Principal& who, const SubmitInput& in, SystemTime now) {
  OW_ASSIGN_OR_RETURN(Case k, Prepare(who, in, true, now));
  OW_ASSIGN_OR_RETURN(auto attachments,
                      ResolveMaterials(who, ApplicantOwner(k), in.materials, 0, now));
  Result<Case> out = Internal("not run");
  OW_RETURN_IF_ERROR(db_.TransactGrouped([&](db::Connection& c) -> Status {
    Case fresh = k;  // a retried batch starts again from the prepared case
    OW_RETURN_IF_ERROR(Insert(c, fresh, attachments, who.username));
    out = std::move(fresh);
    return {};
  }));
  return out;
}

Result<BundleApplication> Service::SubmitBundle(const Principal& who, const BundleInput& in,
                                                SystemTime now) {
  Validator v;
  if (in.bundle_code.empty()) v.Add("bundle_code", "is required");
  OW_RETURN_IF_ERROR(v.Finish());
  auto bundle = catalog_.GetBundle(in.bundle_code);
  if (!bundle) {
    if (bundle.error().code != Code::kNotFound) return bundle.error();
    Validator nv;
    nv.Add("bundle_code", "no bundle " + in.bundle_code);
    return nv.Finish().error();
  }
  OW_RETURN_IF_ERROR(catalog::CheckFormData(bundle->intake_schema, in.form, "form"));
  // One case per item, each prepared as if applied for alone; the shared intake form is
  // the bundle's contract with every department, so items' own forms are not re-checked.
  std::vector<Case> cases;
  std::vector<std::vector<Attachment>> attachments;
  for (const auto& item : bundle->items) {
    SubmitInput one{item,
                    in.region_code,
                    in.form,
                    {},
                    in.channel,
                    in.on_behalf_of,
                    in.on_behalf_of_enterprise,
                    "",
                    ""};
    OW_ASSIGN_OR_RETURN(Case k, Prepare(who, one, false, now));
    cases.push_back(std::move(k));
  }
  OW_ASSIGN_OR_RETURN(auto all,
                      ResolveMaterials(who, ApplicantOwner(cases.front()), in.materials, 0, now));
  for (size_t i = 0; i < cases.size(); ++i) {
    // A named material goes to the items that ask for it; unnamed ones to every item.
    // Prepare just looked the item up; this is the same (cached) version.
    OW_ASSIGN_OR_RETURN(auto target, TargetOf(cases[i].item_code, in.region_code));
    auto names = MaterialNames(target->view.version.document);
    std::vector<Attachment> mine;
    for (const auto& a : all) {
      if (a.name.empty() || std::find(names.begin(), names.end(), a.name) != names.end())
        mine.push_back(a);
    }
    attachments.push_back(std::move(mine));
  }
  BundleApplication b;
  b.id = "bun_" + crypto::RandomToken(12);
  b.bundle_code = in.bundle_code;
  b.applicant_account_id = cases.front().applicant_account_id;
  b.region_code = in.region_code;
  b.created_at = FormatTime(now);
  OW_RETURN_IF_ERROR(db_.TransactGrouped([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(store::InsertBundle(c, b));
    b.cases.clear();
    for (size_t i = 0; i < cases.size(); ++i) {
      Case k = cases[i];
      k.bundle_id = b.id;
      OW_RETURN_IF_ERROR(Insert(c, k, attachments[i], who.username));
      OW_ASSIGN_OR_RETURN(auto loaded, store::LoadCase(c, k.id));
      b.cases.push_back(std::move(*loaded));
    }
    return {};
  }));
  b.status = CombinedStatus(b.cases);
  return b;
}

Result<BundleApplication> Service::GetBundle(const Principal& who, const std::string& id) {
  BundleApplication b;
  bool visible = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto found, store::LoadBundle(c, id));
    if (!found) return {};
    b = std::move(*found);
    OW_ASSIGN_OR_RETURN(auto ids, store::BundleCases(c, id));
    for (int64_t cid : ids) {
      OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, cid));
      OW_ASSIGN_OR_RETURN(auto tasks, store::LoadTasks(c, cid));
      if (k && CanRead(who, *k, tasks)) {
        visible = true;
        b.cases.push_back(std::move(*k));
      }
    }
    return {};
  }));
  if (!visible) return NotFound("no bundle application " + id);
  b.status = CombinedStatus(b.cases);
  return b;
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
    op.k.updated_at = op.at;
    OW_RETURN_IF_ERROR(store::SaveCase(c, op.k));
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::InsertEvent(c, id, e));
    for (const auto& m : op.messages) OW_RETURN_IF_ERROR(store::InsertMessage(c, m, id));
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
    auto result = fn->second(c, op.k, inst.variables());
    if (!result) return result.error();
    op.Record("service_called", op.k.status, "", {{"service", name}});
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

Result<std::string> Service::ApplicantChannel(const Principal& who, const Case& k,
                                              const std::string& channel,
                                              std::string_view refusal) {
  if (!k.applicant_enterprise.empty()) {
    // Any operator reads the case; only one holding "apply" now acts in its name.
    authz::Target t;
    t.operator_of_owner = OperatorRightsOn(who, k);
    if (!authz::Decide(who, authz::Action::kActForEnterprise, t))
      return PermissionDenied(std::string(refusal));
    return channel.empty() ? kWeb : channel;
  }
  if (who.account_id == k.applicant_account_id) return channel.empty() ? kWeb : channel;
  if (k.applicant_account_id.empty()) return PermissionDenied(std::string(refusal));
  OW_ASSIGN_OR_RETURN(bool agent, identity_.IsAgentFor(who, k.applicant_account_id, k.item_code));
  if (!agent) return PermissionDenied(std::string(refusal));
  return std::string(kAgentChannel);
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
  // Form and materials are checked before the case is locked.
  auto id = ParseTrackingNo(no);
  if (!id) return NotFound("no case " + no);
  return MutateByNo(who, no, now, [&](db::Connection& c, Op& op) -> Status {
    OW_ASSIGN_OR_RETURN(
        op.channel,
        ApplicantChannel(who, op.k, channel, "only the applicant supplies what was asked for"));
    if (op.k.status != kSupplementRequested)
      return FailedPrecondition("no supplement was requested for this case");
    if (in.form) {
      auto version = catalog_.GetVersion(op.k.item_code, op.k.item_version);
      if (!version) return version.error();
      if (const json::value* schema = version->document.if_contains("form_schema"))
        OW_RETURN_IF_ERROR(catalog::CheckFormData(*schema, *in.form, "form"));
      op.k.form = *in.form;
    }
    OW_ASSIGN_OR_RETURN(auto existing, store::LoadAttachments(c, op.k.id));
    int64_t bytes = 0;
    for (const auto& a : existing) bytes += a.size;
    OW_ASSIGN_OR_RETURN(auto added,
                        ResolveMaterials(who, ApplicantOwner(op.k), in.materials, bytes, now));
    for (const auto& a : added) OW_RETURN_IF_ERROR(store::InsertAttachment(c, op.k.id, a));
    OW_RETURN_IF_ERROR(HandOverMaterials(c, op.k, added, who.account_id));
    for (auto& p : op.k.pauses)
      if (!p.to) p.to = op.today;
    std::string back = op.k.supplement_from.empty() ? kSubmitted : op.k.supplement_from;
    op.k.supplement_from.clear();
    op.Record("supplied", back, in.note,
              {{"materials", added.size()}, {"form_changed", in.form.has_value()}});
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
                                        const std::string& reason,
                                        const std::vector<std::string>& materials, SystemTime now) {
  Validator v;
  if (reason.empty() || reason.size() > 2000)
    v.Add("reason", "say what is missing (at most 2000 bytes)");
  if (materials.size() > 50) v.Add("materials", "at most 50 names");
  OW_RETURN_IF_ERROR(v.Finish());
  return MutateByNo(who, no, now, [&](db::Connection&, Op& op) -> Status {
    OW_RETURN_IF_ERROR(MayHandle(op.tasks, [&](const Task& t) { return CanWorkOn(who, t); }));
    if (op.k.status != kSubmitted && op.k.status != kUnderReview)
      return FailedPrecondition("the case is " + op.k.status + "; no supplement can be requested");
    op.channel = kWorkbench;
    op.k.supplement_from = op.k.status;
    // Before acceptance no clock runs; after it, the clock stops until the applicant supplies.
    if (!op.k.accepted_on.empty()) op.k.pauses.push_back({op.today, std::nullopt});
    json::array names;
    for (const auto& m : materials) names.emplace_back(m);
    op.Record("supplement_requested", kSupplementRequested, reason, {{"materials", names}});
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
    op.channel = kWorkbench;
    op.Record("task_claimed", op.k.status, "", {{"task", t->id}, {"name", t->name}});
    return {};
  });
  if (!done) return done.error();
  for (const auto& t : done->tasks)
    if (t.id == task_id) claimed = t;
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
    op.channel = kWorkbench;
    op.Record("task_transferred", op.k.status, reason,
              {{"task", t->id}, {"name", t->name}, {"to", receiver.username}});
    return {};
  });
  if (!done) return done.error();
  for (const auto& t : done->tasks)
    if (t.id == task_id) moved = t;
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

Result<std::vector<Message>> Service::Messages(const Principal& who, int64_t limit) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadCase, {"", "", who.account_id, false}));
  std::vector<Message> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out,
                        store::MessagesFor(c, who.account_id, std::clamp<int64_t>(limit, 1, 200)));
    return {};
  }));
  return out;
}

Status Service::MarkRead(const Principal& who, int64_t id, SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  bool found = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(found, store::MarkMessageRead(c, id, who.account_id, FormatTime(now)));
    return {};
  }));
  if (!found) return NotFound("no message " + std::to_string(id));
  return {};
}

Result<int64_t> Service::FireDueTimers(SystemTime now) {
  std::vector<int64_t> due;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(due, store::CasesWithDueTimers(c, FormatTime(now), 100));
    return {};
  }));
  int64_t moved = 0;
  for (int64_t id : due) {
    auto done = Mutate(id, now, [&](db::Connection& c, Op& op) -> Status {
      if (op.k.status != kUnderReview || op.k.instance.is_null()) return {};
      op.actor = "system";
      op.channel = kSystem;
      OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(op.k));
      OW_ASSIGN_OR_RETURN(auto inst, workflow::Instance::Restore(def, op.k.instance));
      return Apply(c, op, inst, inst.FireTimers(now));
    });
    if (done) {
      ++moved;
    } else {
      log::Warn("case_timer_failed", {{"case", id}, {"error", done.error().message}});
    }
  }
  return moved;
}

bool Service::MayReadMaterial(const Principal& who, const std::string& material_id) {
  bool ok = false;
  auto st = db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto ids, store::CasesWithMaterial(c, material_id));
    for (int64_t id : ids) {
      OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, id));
      OW_ASSIGN_OR_RETURN(auto tasks, store::LoadTasks(c, id));
      if (k && CanRead(who, *k, tasks)) {
        ok = true;
        return {};
      }
    }
    return {};
  });
  return st && ok;
}

}  // namespace ow::cases
