// Issuing licences (by hand or when a case is approved) and changing their status.
#include <algorithm>

#include "authz/authz.h"
#include "catalog/form_validate.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/sm2.h"
#include "identity/ids.h"
#include "licences/payload.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

std::string Compact(const std::string& date) {  // YYYY-MM-DD -> YYYYMMDD
  std::string out;
  for (char c : date)
    if (c != '-') out += c;
  return out;
}

// The holder's number in its canonical form, or the field error.
Result<std::string> CanonicalHolder(const std::string& kind, const std::string& id) {
  std::string why;
  if (kind == kPerson) {
    auto n = identity::NormalizeResidentId(id, &why);
    if (!n) return Error(Code::kInvalidArgument, "licence", {{"holder/id", why}});
    return *n;
  }
  auto n = identity::NormalizeCreditCode(id, &why);
  if (!n) return Error(Code::kInvalidArgument, "licence", {{"holder/id", why}});
  return *n;
}

// The licence's data exactly as signed: every member in a fixed order, so the same
// licence always gives the same bytes.
std::string CanonicalData(const internal::Issuing& how, const std::string& number,
                          const std::string& issued_at) {
  json::object o;
  o["v"] = 1;
  o["number"] = number;
  o["type"] = how.type.code;
  o["type_name"] = how.type.name;
  o["holder"] =
      json::object{{"kind", how.holder_kind}, {"id", how.holder_id}, {"name", how.holder_name}};
  o["issuer"] = json::object{{"department", how.department_code},
                             {"department_name", how.department_name},
                             {"region", how.region_code}};
  o["seal"] = how.seal_id;
  o["trust_level"] = how.trust_level;
  o["issued_at"] = issued_at;
  o["valid_from"] = how.valid_from;
  o["valid_to"] = how.valid_to;
  // Fields in the schema's order where it has one, so equal data gives equal bytes.
  json::object fields;
  if (how.type.schema.is_object())
    if (const auto* p = how.type.schema.as_object().if_contains("properties"); p && p->is_object())
      for (const auto& kv : p->as_object())
        if (const auto* v = how.fields.if_contains(kv.key())) fields[kv.key()] = *v;
  for (const auto& kv : how.fields)
    if (!fields.contains(kv.key())) fields[kv.key()] = kv.value();
  o["fields"] = std::move(fields);
  return json::serialize(o);
}

Status CheckDates(internal::Issuing& how, int64_t validity_months, const std::string& today) {
  Validator v;
  if (how.valid_from.empty()) how.valid_from = today;
  if (!ParseDate(how.valid_from)) v.Add("valid_from", "must be a date YYYY-MM-DD");
  if (how.valid_to.empty()) {
    how.valid_to = EndOfValidity(how.valid_from, validity_months);
  } else if (!ParseDate(how.valid_to)) {
    v.Add("valid_to", "must be a date YYYY-MM-DD");
  } else if (how.valid_to < how.valid_from) {
    v.Add("valid_to", "must not be before valid_from");
  }
  return v.Finish("licence");
}

}  // namespace

Result<Licence> Service::IssueWith(db::Connection& c, const internal::Issuing& how) {
  // The seal as stored now: only an active seal with a current certificate signs, and
  // only for the staff allowed to use it.
  OW_ASSIGN_OR_RETURN(auto seal, store::LoadSeal(c, how.seal_id, false));
  if (!seal) return FailedPrecondition("no seal " + how.seal_id);
  std::string now = NowText();
  if (seal->seal.status != kSealActive)
    return FailedPrecondition("the seal " + how.seal_id + " is " + seal->seal.status +
                              ": it cannot sign");
  if (seal->seal.not_after <= now || seal->seal.not_before > now)
    return FailedPrecondition("the certificate of seal " + how.seal_id +
                              " is not valid now (valid " + seal->seal.not_before + " to " +
                              seal->seal.not_after + "): it cannot sign");
  OW_ASSIGN_OR_RETURN(bool holder, store::IsSealHolder(c, how.seal_id, how.actor_account));
  if (!holder)
    return PermissionDenied("you may not use the seal " + how.seal_id + " (" + seal->seal.name +
                            "): ask the security administrator to allow you");

  Licence l;
  l.id = "lic_" + crypto::RandomToken(16);
  l.number = how.number;
  if (l.number.empty()) {
    std::string year = how.valid_from.substr(0, 4);
    std::string region = how.region_code.substr(0, 6);
    region.resize(6, '0');
    OW_ASSIGN_OR_RETURN(
        int64_t seq, store::NextCounter(c, "number:" + how.type.code + ":" + region + ":" + year));
    std::string digits = std::to_string(seq);
    if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
    l.number = how.type.number_prefix + region + year + digits;
  }
  l.type_code = how.type.code;
  l.type_name = how.type.name;
  l.holder_kind = how.holder_kind;
  l.holder_id = how.holder_id;
  l.holder_name = how.holder_name;
  l.department_code = how.department_code;
  l.department_name = how.department_name;
  l.region_code = how.region_code;
  l.seal_id = how.seal_id;
  l.trust_level = how.trust_level;
  l.source = how.source;
  l.case_no = how.case_no;
  l.issued_at = now;
  l.valid_from = how.valid_from;
  l.valid_to = how.valid_to;
  l.status = kValid;
  l.fields = how.fields;
  l.sealed_data = CanonicalData(how, l.number, l.issued_at);

  OW_ASSIGN_OR_RETURN(auto der, ring_->SignSm2(how.seal_id, l.sealed_data));
  l.signature = crypto::Base64UrlEncode(der);
  PayloadClaims claims{l.number,
                       l.type_code,
                       HolderDigest(l.holder_kind, l.holder_id, l.number),
                       Compact(FormatDate(ChinaDate(std::chrono::system_clock::now()))),
                       Compact(l.valid_from),
                       Compact(l.valid_to),
                       l.seal_id};
  OW_ASSIGN_OR_RETURN(auto input, SigningInput(claims));
  OW_ASSIGN_OR_RETURN(auto qr_der, ring_->SignSm2(how.seal_id, input));
  OW_ASSIGN_OR_RETURN(auto qr_raw, crypto::Sm2SignatureToRaw(qr_der));
  l.qr_payload = Compose(input, qr_raw);

  store::LicenceRow row;
  row.licence = l;
  row.holder_key = HolderKey(l.holder_kind, l.holder_id);
  row.holder_masked = MaskName(l.holder_kind, l.holder_name);
  const auto& keys = identity_.keys().data_keys;
  auto sealer = keys.rbegin();
  OW_ASSIGN_OR_RETURN(auto box, sealer->second.Seal(l.sealed_data, LicenceAad(l.id)));
  row.data = {crypto::Base64UrlEncode(box), sealer->first};

  // One valid licence of such a type per holder: the new one supersedes the old.
  if (how.type.one_per_holder) {
    OW_ASSIGN_OR_RETURN(auto held, store::LicencesOfHolder(c, row.holder_key));
    for (const auto& h : held) {
      if (h.licence.type_code != l.type_code ||
          (h.licence.status != kValid && h.licence.status != kSuspended))
        continue;
      OW_ASSIGN_OR_RETURN(bool set, store::SetLicenceStatus(c, h.licence.id, h.licence.version,
                                                            kSuperseded, "", l.number));
      if (!set) return Conflict("licence " + h.licence.number + " changed meanwhile; try again");
      OW_RETURN_IF_ERROR(store::InsertLicenceEvent(
          c, h.licence.id,
          {now, "superseded", how.actor_name, "", json::object{{"by", l.number}}}));
    }
  }
  auto inserted = store::InsertLicence(c, row);
  if (!inserted) {
    if (inserted.error().code == Code::kAlreadyExists || inserted.error().code == Code::kConflict)
      return Error(Code::kAlreadyExists, "licence " + l.number + " exists already");
    return inserted.error();
  }
  json::object detail{{"source", l.source}, {"seal", l.seal_id}};
  if (!l.case_no.empty()) detail["case"] = l.case_no;
  OW_RETURN_IF_ERROR(
      store::InsertLicenceEvent(c, l.id, {now, "issued", how.actor_name, how.reason, detail}));
  l.events.push_back({now, "issued", how.actor_name, how.reason, detail});
  OW_RETURN_IF_ERROR(PublishEvent(c, l, webhooks::kLicenceIssued, now));
  // Last in the transaction (audit::Append holds the chain's head until commit).
  OW_RETURN_IF_ERROR(
      audit::Append(c, SealUse(l.seal_id, how.actor_name, "licence.issued", l.number)));
  return l;
}

Status Service::PublishEvent(db::Connection& c, const Licence& l, const char* type,
                             const std::string& at) {
  if (events_ == nullptr) return {};
  webhooks::DomainEvent e;
  e.type = type;
  e.department_code = l.department_code;
  e.region_code = l.region_code;
  e.subject = l.number;
  e.occurred_at = at;
  // The licence's identity and dates; the holder is personal data, asked for under a grant.
  e.data = {{"number", l.number},
            {"type_code", l.type_code},
            {"type_name", l.type_name},
            {"status", std::string_view(type) == webhooks::kLicenceRevoked ? kRevoked : kValid},
            {"case_no", l.case_no},
            {"valid_from", l.valid_from},
            {"valid_to", l.valid_to}};
  return events_->Publish(c, e);
}

std::string Service::HolderKey(const std::string& kind, const std::string& id) const {
  return crypto::HexEncode(crypto::HmacSha256(holder_key_, kind + ":" + id));
}

Result<std::string> Service::ActiveSealOf(db::Connection& c, const std::string& department,
                                          const std::string& kind) {
  OW_ASSIGN_OR_RETURN(auto seals, store::ListSeals(c, department));
  std::string now = NowText();
  // The newest active seal of the kind with a current certificate.
  for (auto it = seals.rbegin(); it != seals.rend(); ++it)
    if (it->kind == kind && it->status == kSealActive && it->not_after > now &&
        it->not_before <= now)
      return it->id;
  return FailedPrecondition(
      "the department " + department + " has no active " +
      (kind == kSealLicence ? "licence seal (证照专用章)" : "approval seal (行政审批专用章)") +
      " with a current certificate");
}

Result<internal::Issuing> Service::ResolveIssuer(const Principal& who, const std::string& type_code,
                                                 const std::string& region_code) {
  internal::Issuing how;
  {
    auto type = GetType(type_code);
    if (!type) {
      if (type.error().code == Code::kNotFound)
        return Error(Code::kInvalidArgument, "licence", {{"type_code", "names no licence type"}});
      return type.error();
    }
    how.type = std::move(*type);
  }
  if (how.type.status != "active")
    return FailedPrecondition("the licence type " + how.type.code + " is retired");
  how.department_code = how.type.department_code;
  // Where: the region asked for, or the one region the caller approves for the department.
  how.region_code = region_code;
  if (how.region_code.empty()) {
    for (const auto& r : who.roles)
      if (r.role == authz::kApprover && r.department_code == how.department_code) {
        if (!how.region_code.empty())
          return Error(Code::kInvalidArgument, "licence",
                       {{"region_code", "is required: you approve in several regions"}});
        how.region_code = r.region_code;
      }
  }
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kIssueLicence,
                                   {how.department_code, how.region_code, "", false, {}}));
  OW_ASSIGN_OR_RETURN(auto dept, departments_.Get(how.department_code));
  how.department_name = dept.name;
  how.source = "manual";
  how.trust_level = how.type.trust_level;
  how.actor_account = who.account_id;
  how.actor_name = who.name_for_audit;
  return how;
}

Result<internal::Issuing> Service::ResolveHolder(internal::Issuing how, const IssueInput& in) {
  Validator v;
  if (in.holder_kind != how.type.holder_kind)
    v.Add("holder/kind", "must be " + how.type.holder_kind + " for this licence type");
  size_t name = text::CodePoints(in.holder_name);
  if (name < 1 || name > 100) v.Add("holder/name", "is required, at most 100 characters");
  for (const auto& e : catalog::ValidateFormData(how.type.schema, json::value(in.fields), "fields"))
    v.Add(e.field, e.message);
  if (in.reason.size() > 500) v.Add("reason", "must be at most 500 bytes");
  OW_RETURN_IF_ERROR(v.Finish("licence"));
  how.holder_kind = in.holder_kind;
  OW_ASSIGN_OR_RETURN(how.holder_id, CanonicalHolder(in.holder_kind, in.holder_id));
  how.holder_name = in.holder_name;
  how.fields = in.fields;
  how.valid_from = in.valid_from;
  how.valid_to = in.valid_to;
  OW_RETURN_IF_ERROR(CheckDates(how, how.type.validity_months,
                                FormatDate(ChinaDate(std::chrono::system_clock::now()))));
  how.reason = in.reason;
  return how;
}

Result<internal::Issuing> Service::Resolve(const Principal& who, const IssueInput& in) {
  OW_ASSIGN_OR_RETURN(auto issuer, ResolveIssuer(who, in.type_code, in.region_code));
  return ResolveHolder(std::move(issuer), in);
}

Result<Licence> Service::Issue(const Principal& who, const IssueInput& in) {
  OW_ASSIGN_OR_RETURN(internal::Issuing how, Resolve(who, in));
  Licence out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(how.seal_id, ActiveSealOf(c, how.department_code, kSealLicence));
    OW_ASSIGN_OR_RETURN(out, IssueWith(c, how));
    return {};
  }));
  return out;
}

Result<Licence> Service::IssueForCase(db::Connection& c, const cases::Case& k,
                                      const std::string& approver_account,
                                      const std::string& approver_name) {
  internal::Issuing how;
  {
    OW_ASSIGN_OR_RETURN(auto types, store::ListTypes(c));
    for (auto& t : types)
      if (t.status == "active" && std::find(t.issued_by_items.begin(), t.issued_by_items.end(),
                                            k.item_code) != t.issued_by_items.end())
        how.type = std::move(t);
    if (how.type.code.empty())
      return FailedPrecondition("no licence type is issued by item " + k.item_code +
                                ": the process's issue-licence step has nothing to issue");
  }
  how.holder_kind = k.applicant_enterprise.empty() ? kPerson : kEnterprise;
  if (how.holder_kind != how.type.holder_kind)
    return FailedPrecondition("the licence type " + how.type.code + " is issued to a " +
                              how.type.holder_kind + ", and this case's applicant is a " +
                              how.holder_kind);
  if (how.holder_kind == kPerson) {
    // Only a proven number becomes a licence's holder (never a self-declared one).
    auto id = identity_.ResidentId(c, k.applicant_account_id);
    if (!id)
      return FailedPrecondition(
          "the applicant's identity is not verified: a licence is issued only to a proven "
          "resident ID number (verification at a hall counter or online)");
    how.holder_id = *id;
  } else {
    how.holder_id = k.applicant_enterprise;
  }
  how.holder_name = k.applicant_name;
  for (const auto& kv : how.type.from_form) {
    if (!kv.value().is_string()) continue;
    if (const auto* v = k.form.if_contains(kv.value().as_string())) how.fields[kv.key()] = *v;
  }
  if (auto errors = catalog::ValidateFormData(how.type.schema, json::value(how.fields), "fields");
      !errors.empty())
    return Error(
        Code::kFailedPrecondition,
        "the application's form does not give what the licence " + how.type.code + " needs",
        errors);
  OW_RETURN_IF_ERROR(CheckDates(how, how.type.validity_months,
                                FormatDate(ChinaDate(std::chrono::system_clock::now()))));
  // The department that decided the case issues it (a type names the authority that
  // issues it by hand; cases of its items are decided by the departments implementing
  // them, each with its own seal).
  how.department_code = k.department_code;
  how.region_code = k.region_code;
  OW_ASSIGN_OR_RETURN(auto dept, departments::Service::Get(c, how.department_code));
  how.department_name = dept.name;
  how.source = "case";
  how.case_no = k.tracking_no;
  how.trust_level = how.type.trust_level;
  how.actor_account = approver_account;
  how.actor_name = approver_name;
  OW_ASSIGN_OR_RETURN(how.seal_id, ActiveSealOf(c, how.department_code, kSealLicence));
  return IssueWith(c, how);
}

Result<Licence> Service::SetStatus(const Principal& who, const std::string& number, int64_t version,
                                   const std::string& status, const std::string& reason) {
  Licence out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, SetStatusIn(c, who, number, version, status, reason));
    return {};
  }));
  return out;
}

Result<Licence> Service::SetStatusIn(db::Connection& c, const Principal& who,
                                     const std::string& number, int64_t version,
                                     const std::string& status, const std::string& reason) {
  Validator v;
  if (status != kValid && status != kSuspended && status != kRevoked)
    v.Add("status", "must be suspended, revoked or valid (to resume a suspended licence)");
  size_t n = text::CodePoints(reason);
  if (n < 1 || n > 500) v.Add("reason", "is required, at most 500 characters");
  OW_RETURN_IF_ERROR(v.Finish("status change"));
  OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, number));
  if (!row) return NotFound("no licence " + number);
  const Licence& l = row->licence;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kIssueLicence,
                                   {l.department_code, l.region_code, "", false, {}}));
  if (l.version != version)
    return StaleVersion("licence " + number + " is no longer at version " +
                        std::to_string(version));
  bool allowed = (l.status == kValid && (status == kSuspended || status == kRevoked)) ||
                 (l.status == kSuspended && (status == kValid || status == kRevoked));
  if (!allowed) return FailedPrecondition("a " + l.status + " licence cannot become " + status);
  OW_ASSIGN_OR_RETURN(bool set, store::SetLicenceStatus(c, l.id, version, status, reason, ""));
  if (!set) return StaleVersion("licence " + number + " changed meanwhile");
  const char* action = status == kValid       ? "resumed"
                       : status == kSuspended ? "suspended"
                                              : "revoked";
  OW_RETURN_IF_ERROR(
      store::InsertLicenceEvent(c, l.id, {NowText(), action, who.name_for_audit, reason, {}}));
  if (status == kRevoked)
    OW_RETURN_IF_ERROR(PublishEvent(c, l, webhooks::kLicenceRevoked, NowText()));
  OW_RETURN_IF_ERROR(audit::Append(c, {std::string("licence.") + action, who.name_for_audit, number,
                                       "success", "", "", json::object{}}));
  OW_ASSIGN_OR_RETURN(auto updated, store::LoadLicence(c, number));
  return Open(c, *updated, true);
}

}  // namespace ow::licences
