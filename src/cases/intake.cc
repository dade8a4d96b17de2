// How applications come in: the checks and lookups before a case is written (Prepare:
// who applies through which channel, the item as implemented in the region, its form),
// the materials attached and handed over to the applicant, the write of a new case with
// its acceptance task (Insert), single and "one thing" bundle submissions, and reading a
// bundle back.
#include <algorithm>
#include <map>
#include <set>

#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "catalog/form_validate.h"
#include "catalog/item.h"
#include "core/json_members.h"
#include "core/text.h"
#include "crypto/random.h"
#include "identity/ids.h"

namespace ow::cases {

namespace json = boost::json;
using identity::Principal;
using internal::ApplicantOwner;
using internal::kOpen;
using json_members::Int;
using json_members::Str;

namespace internal {

// Who the applicant's materials belong to: their account, or the enterprise.
std::string ApplicantOwner(const Case& k) {
  return k.applicant_enterprise.empty() ? k.applicant_account_id
                                        : identity::EnterpriseOwner(k.applicant_enterprise);
}

}  // namespace internal

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

Result<std::vector<LicenceUse>> Service::ResolveLicences(const Principal& who, const Case& k,
                                                         const std::string& channel,
                                                         const json::object& doc,
                                                         const std::vector<LicenceRef>& refs,
                                                         SystemTime now) {
  std::vector<LicenceUse> out;
  if (refs.empty()) return out;
  Validator v;
  // Consent is the holder's own: an agent or a hall cannot give it for the person.
  if (channel == kAgentChannel || channel == kCounterChannel) {
    v.Add("licences", "only the holder can consent to using their licences; attach copies instead");
    return v.Finish().error();
  }
  if (!licences_) return FailedPrecondition("licences are not available on this server");
  if (refs.size() > 50) {
    v.Add("licences", "at most 50 licences per request");
    return v.Finish().error();
  }
  // What each of the item's materials accepts.
  std::map<std::string, std::string> accepts;  // material name -> licence type ("" none)
  if (const json::value* m = doc.if_contains("materials"); m && m->is_array()) {
    for (const auto& e : m->as_array()) {
      if (e.is_object()) accepts[Str(e.as_object(), "name")] = Str(e.as_object(), "license_type");
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < refs.size(); ++i) {
    const LicenceRef& r = refs[i];
    std::string field = "licences/" + std::to_string(i);
    auto it = accepts.find(r.name);
    if (r.name.empty() || it == accepts.end()) {
      v.Add(field + "/name", "is not a material of item " + k.item_code);
      continue;
    }
    if (it->second.empty()) {
      v.Add(field + "/name", "the material " + r.name + " is not satisfied by a licence");
      continue;
    }
    if (!names.insert(r.name).second) {
      v.Add(field + "/name", "is listed twice");
      continue;
    }
    if (r.number.empty() || r.number.size() > 64) {
      v.Add(field + "/number", "is required (a licence number)");
      continue;
    }
    auto l = licences_->Usable(who, k.applicant_enterprise, r.number);
    if (!l) {
      if (l.error().code != Code::kNotFound) return l.error();
      v.Add(field + "/number", "is not a licence you hold: " + r.number);
      continue;
    }
    if (l->type_code != it->second) {
      v.Add(field + "/number", "is a " + l->type_name + "; the material " + r.name +
                                   " takes a licence of type " + it->second);
      continue;
    }
    if (l->status != "valid") {
      v.Add(field + "/number", "the licence " + r.number + " is " + l->status +
                                   " and cannot stand for a material; attach a copy instead");
      continue;
    }
    LicenceUse u;
    u.name = r.name;
    u.licence_id = l->id;
    u.number = l->number;
    u.type_code = l->type_code;
    u.consented_by = who.username;
    u.consented_at = FormatTime(now);
    u.type_name = l->type_name;
    u.holder_name = l->holder_name;
    u.issuer_name = l->issuer_name;
    u.valid_from = l->valid_from;
    u.valid_to = l->valid_to;
    u.trust_level = l->trust_level;
    u.status = l->status;
    out.push_back(std::move(u));
  }
  OW_RETURN_IF_ERROR(v.Finish());
  return out;
}

namespace {

// kInvalidArgument naming the required materials `k` lacks (MissingMaterials).
Status CheckRequired(const json::object& doc, const Case& k,
                     const std::vector<Attachment>& attachments,
                     const std::vector<LicenceUse>& licences) {
  auto missing = MissingMaterials(doc, catalog::AnswersOf(k.situation), k.channel, attachments,
                                  licences, k.data_uses);
  if (missing.empty()) return {};
  std::string names;
  for (const auto& n : missing) names += (names.empty() ? "" : "、") + n;
  Validator v;
  v.Add("materials", "required materials of " + k.item_name +
                         " are missing (attach each under its name, or use a licence you hold "
                         "or consent to fetching your data where the material accepts one): " +
                         names);
  return v.Finish();
}

}  // namespace

Result<std::shared_ptr<const Service::ItemTarget>> Service::TargetOf(const std::string& item,
                                                                     const std::string& region) {
  std::string key = item + "|" + region;
  auto now = std::chrono::steady_clock::now();
  uint64_t generation = catalog_.Generation();
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
                              SystemTime now, std::shared_ptr<const ItemTarget>* used) {
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
  k.item_name_en = Str(doc, "name_en");
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

  // The situation answers decide which materials the item asks for (CheckRequired).
  {
    Validator sv;
    k.situation =
        catalog::CheckAnswers(doc.if_contains("situations"), in.situation, in.situation_field, sv);
    OW_RETURN_IF_ERROR(sv.Finish());
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
  if (used) *used = target;
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
                       const std::vector<LicenceUse>& licences, const std::string& actor) {
  OW_ASSIGN_OR_RETURN(k.id, store::InsertCase(c, k));
  k.tracking_no = TrackingNo(k.id, k.created_at);
  OW_RETURN_IF_ERROR(store::InsertAttachments(c, k.id, attachments));
  OW_RETURN_IF_ERROR(HandOverMaterials(c, k, attachments));
  json::array used;
  for (const auto& u : licences) {
    OW_RETURN_IF_ERROR(store::InsertLicenceUse(c, k.id, u));
    used.push_back({{"material", u.name}, {"licence", u.number}});
  }
  json::array consented;
  for (const auto& u : k.data_uses) {
    OW_RETURN_IF_ERROR(store::InsertDataUse(c, k.id, u));
    consented.push_back({{"material", u.name}, {"resource", u.resource}});
  }
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
  if (!used.empty()) detail["licences"] = std::move(used);
  if (!consented.empty()) detail["data_consents"] = std::move(consented);
  op.Record("submitted", kSubmitted, "", std::move(detail));
  for (auto& e : op.events) {
    OW_ASSIGN_OR_RETURN(e.seq, store::InsertEvent(c, k.id, e));
  }
  for (const auto& m : op.messages) OW_RETURN_IF_ERROR(SendMessage(c, m));
  OW_RETURN_IF_ERROR(PublishEvents(c, op.k, op.events));
  OW_RETURN_IF_ERROR(CountIndicators(c, op));
  // The answer is what was just written: no read-back inside the shared commit.
  k.status = kSubmitted;
  k.version = 1;
  k.materials = attachments;
  k.licences = licences;
  k.tasks = {accept};
  k.events = std::move(op.events);
  // The consents go to the licences' histories and the audit log last (it serializes
  // appenders until the commit).
  for (const auto& u : licences)
    OW_RETURN_IF_ERROR(licences_->RecordUse(c, u, k.tracking_no, actor));
  return {};
}

Result<Case> Service::Submit(const Principal& who, const SubmitInput& in, SystemTime now) {
  std::shared_ptr<const ItemTarget> target;
  OW_ASSIGN_OR_RETURN(Case k, Prepare(who, in, true, now, &target));
  OW_ASSIGN_OR_RETURN(auto attachments,
                      ResolveMaterials(who, ApplicantOwner(k), in.materials, 0, now));
  const json::object& doc = target->view.version.document;
  OW_ASSIGN_OR_RETURN(auto licences, ResolveLicences(who, k, k.channel, doc, in.licences, now));
  OW_ASSIGN_OR_RETURN(k.data_uses, ResolveDataConsents(who, k, doc, in.data_consents, now));
  OW_RETURN_IF_ERROR(CheckRequired(doc, k, attachments, licences));
  Result<Case> out = Internal("not run");
  OW_RETURN_IF_ERROR(db_.TransactGrouped([&](db::Connection& c) -> Status {
    Case fresh = k;  // a retried batch starts again from the prepared case
    OW_RETURN_IF_ERROR(Insert(c, fresh, attachments, licences, who.username));
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
  // The bundle's own answers decide which of its items this application includes.
  std::vector<std::string> included;
  {
    Validator sv;
    json::value situations(bundle->situations);
    catalog::CheckAnswers(&situations, in.situation, "situation", sv);
    OW_RETURN_IF_ERROR(sv.Finish());
    for (const auto& item : bundle->items) {
      const json::value* when = nullptr;
      for (const auto& c : bundle->item_conditions)
        if (c.is_object() && Str(c.as_object(), "item_code") == item)
          when = c.as_object().if_contains("when");
      if (!when || catalog::Applies(*when, in.situation)) included.push_back(item);
    }
    for (const auto& kv : in.item_situations) {
      if (std::find(included.begin(), included.end(), kv.key()) == included.end())
        sv.Add("item_situations/" + std::string(kv.key()),
               "is not an item this application includes");
      else if (!kv.value().is_object())
        sv.Add("item_situations/" + std::string(kv.key()), "must be an object of answers");
    }
    if (included.empty()) sv.Add("situation", "leaves no item of the bundle to apply for");
    OW_RETURN_IF_ERROR(sv.Finish());
  }
  // One case per item, each prepared as if applied for alone; the shared intake form is
  // the bundle's contract with every department, so items' own forms are not re-checked.
  std::vector<Case> cases;
  std::vector<std::vector<Attachment>> attachments;
  std::vector<std::vector<LicenceUse>> licences;
  for (const auto& item : included) {
    SubmitInput one;
    one.item_code = item;
    one.region_code = in.region_code;
    one.form = in.form;
    if (const json::value* a = in.item_situations.if_contains(item)) one.situation = a->as_object();
    one.situation_field = "item_situations/" + item;
    // An item's question that the bundle asked too (the same code) takes the bundle's answer.
    OW_ASSIGN_OR_RETURN(auto target, TargetOf(item, in.region_code));
    const json::value* asked = target->view.version.document.if_contains("situations");
    for (const auto& kv : in.situation) {
      bool item_asks = false;
      if (asked && asked->is_array())
        for (const auto& q : asked->as_array())
          item_asks = item_asks || (q.is_object() && Str(q.as_object(), "code") == kv.key());
      if (item_asks && !one.situation.contains(kv.key())) one.situation[kv.key()] = kv.value();
    }
    one.channel = in.channel;
    one.on_behalf_of = in.on_behalf_of;
    one.on_behalf_of_enterprise = in.on_behalf_of_enterprise;
    OW_ASSIGN_OR_RETURN(Case k, Prepare(who, one, false, now));
    cases.push_back(std::move(k));
  }
  OW_ASSIGN_OR_RETURN(auto all,
                      ResolveMaterials(who, ApplicantOwner(cases.front()), in.materials, 0, now));
  std::set<std::string> taken_consents;
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
    // Licences likewise go to the items whose materials accept them.
    std::vector<LicenceRef> offered;
    for (const auto& l : in.licences) {
      if (std::find(names.begin(), names.end(), l.name) != names.end()) offered.push_back(l);
    }
    const json::object& doc = target->view.version.document;
    OW_ASSIGN_OR_RETURN(auto used,
                        ResolveLicences(who, cases[i], cases[i].channel, doc, offered, now));
    // Consents likewise, checked by the same rules as a single application's.
    std::vector<std::string> consented;
    auto by_data = internal::DataMaterialNames(doc);
    for (const auto& n : in.data_consents)
      if (std::find(by_data.begin(), by_data.end(), n) != by_data.end()) consented.push_back(n);
    OW_ASSIGN_OR_RETURN(cases[i].data_uses,
                        ResolveDataConsents(who, cases[i], doc, consented, now));
    for (const auto& n : consented) taken_consents.insert(n);
    OW_RETURN_IF_ERROR(CheckRequired(doc, cases[i], mine, used));
    attachments.push_back(std::move(mine));
    licences.push_back(std::move(used));
  }
  // A licence that no item of the bundle asks for is a mistake, not silently dropped.
  for (size_t j = 0; j < in.licences.size(); ++j) {
    bool wanted = false;
    for (const auto& used : licences)
      for (const auto& u : used) wanted = wanted || u.name == in.licences[j].name;
    if (!wanted) {
      Validator lv;
      lv.Add("licences/" + std::to_string(j) + "/name",
             "is not a material of any item of bundle " + in.bundle_code);
      return lv.Finish().error();
    }
  }
  for (size_t j = 0; j < in.data_consents.size(); ++j) {
    if (taken_consents.count(in.data_consents[j])) continue;
    Validator dv;
    dv.Add("data_consents/" + std::to_string(j), "is not a material of any item of bundle " +
                                                     in.bundle_code + " that data can stand for");
    return dv.Finish().error();
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
      OW_RETURN_IF_ERROR(Insert(c, k, attachments[i], licences[i], who.username));
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

}  // namespace ow::cases
