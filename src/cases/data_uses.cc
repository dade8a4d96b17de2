// Materials stood for by data from the exchange (issue 14 part 6): the applicant's
// consent at submission, the fetch-data service task, staff retrying a failed fetch,
// and the form pre-filled from the applicant's own data.
#include <algorithm>
#include <map>
#include <set>

#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "core/json_members.h"
#include "identity/ids.h"

namespace ow::cases {

namespace json = boost::json;
using identity::Principal;
using json_members::Str;

namespace {

json::array StringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> Strings(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

json::value Parse(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value() : v;
}

// The item's materials that data can stand for: name -> {resource, fields}.
struct DataMaterial {
  std::string resource;
  std::vector<std::string> fields;
  std::string subject_field;  // "" for the applicant's own data; else the party's form field
};
std::map<std::string, DataMaterial> DataMaterials(const json::object& doc) {
  std::map<std::string, DataMaterial> out;
  if (const json::value* m = doc.if_contains("materials"); m && m->is_array())
    for (const auto& e : m->as_array()) {
      if (!e.is_object()) continue;
      std::string resource = Str(e.as_object(), "data_resource");
      if (resource.empty()) continue;
      out[Str(e.as_object(), "name")] = {resource,
                                         Strings(e.as_object().if_contains("data_fields")),
                                         Str(e.as_object(), "data_subject_field")};
    }
  return out;
}

// A fetch that failed for a reason staff can act on (kept on the data use); any other
// error is the database's and undoes the step.
bool FetchFailure(Code c) {
  return c == Code::kPermissionDenied || c == Code::kNotFound || c == Code::kUnavailable ||
         c == Code::kInvalidArgument || c == Code::kFailedPrecondition ||
         c == Code::kResourceExhausted;
}

}  // namespace

std::vector<std::string> internal::DataMaterialNames(const json::object& doc) {
  std::vector<std::string> out;
  for (const auto& [name, _] : DataMaterials(doc)) out.push_back(name);
  return out;
}

// ---------------------------------------------------------------------------
// Store

namespace store {

namespace {

std::vector<DataUse> DataUsesFrom(const db::Rows& r) {
  std::vector<DataUse> out;
  for (size_t i = 0; i < r.size(); ++i) {
    DataUse u;
    u.name = r.Text(i, 0);
    u.resource = r.Text(i, 1);
    json::value fields = Parse(r.Text(i, 2));
    u.fields = Strings(&fields);
    u.subject = r.Text(i, 3);
    u.consented_by = r.Text(i, 4);
    u.consented_at = r.Text(i, 5);
    u.status = r.Text(i, 6);
    json::value data = Parse(r.Text(i, 7));
    if (data.is_object()) u.data = std::move(data.as_object());
    u.resource_name = r.Text(i, 8);
    u.resource_name_en = r.Text(i, 9);
    u.provider_department = r.Text(i, 10);
    u.signature = r.Text(i, 11);
    u.log_seq = r.Int(i, 12);
    u.fetched_at = r.Text(i, 13);
    u.error = r.Text(i, 14);
    u.attempts = r.Int(i, 15);
    u.party = r.Text(i, 16);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

Status InsertDataUse(db::Connection& c, int64_t case_id, const DataUse& u) {
  auto n = c.Exec(
      "INSERT INTO case_data_uses (case_id, name, resource, fields, subject, consented_by, "
      "consented_at, status, resource_name, resource_name_en, provider_department, party) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {case_id, u.name, u.resource, json::serialize(StringArray(u.fields)), u.subject,
       u.consented_by, u.consented_at, u.status, u.resource_name, u.resource_name_en,
       u.provider_department, u.party});
  if (!n) return n.error();
  return {};
}

Status UpdateDataUse(db::Connection& c, int64_t case_id, const DataUse& u) {
  auto n = c.Exec(
      "UPDATE case_data_uses SET status = $3, data = $4, signature = $5, log_seq = $6, "
      "fetched_at = $7, error = $8, attempts = $9, consented_by = $10, consented_at = $11 "
      "WHERE case_id = $1 AND name = $2",
      {case_id, u.name, u.status, json::serialize(u.data), u.signature, u.log_seq, u.fetched_at,
       u.error, u.attempts, u.consented_by, u.consented_at});
  if (!n) return n.error();
  return {};
}

Result<std::vector<DataUse>> LoadDataUses(db::Connection& c, int64_t case_id) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT name, resource, fields, subject, consented_by, consented_at, status, data, "
              "resource_name, resource_name_en, provider_department, signature, log_seq, "
              "fetched_at, error, attempts, party FROM case_data_uses WHERE case_id = $1 "
              "ORDER BY name",
              {case_id}));
  return DataUsesFrom(r);
}

Result<std::vector<std::pair<int64_t, DataUse>>> DataUsesAwaiting(db::Connection& c,
                                                                  const std::string& subject) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT name, resource, fields, subject, consented_by, consented_at, status, data, "
              "resource_name, resource_name_en, provider_department, signature, log_seq, "
              "fetched_at, error, attempts, party, case_id FROM case_data_uses WHERE subject = $1 "
              "AND status = $2 ORDER BY case_id DESC, name LIMIT 100",
              {subject, std::string(kDataAwaiting)}));
  auto uses = DataUsesFrom(r);
  std::vector<std::pair<int64_t, DataUse>> out;
  for (size_t i = 0; i < uses.size(); ++i) out.emplace_back(r.Int(i, 17), std::move(uses[i]));
  return out;
}

}  // namespace store

// ---------------------------------------------------------------------------
// Service

void Service::SetDataExchange(DataExchange* exchange) {
  data_ = exchange;
  AddDomainService("fetch-data", [this](db::Connection& c, const Case& k, const json::object&,
                                        const ServiceCaller&) { return FetchDataUses(c, k); });
}

Result<std::vector<DataUse>> Service::ResolveDataConsents(const Principal& who, const Case& k,
                                                          const json::object& doc,
                                                          const std::vector<std::string>& names,
                                                          SystemTime now) {
  std::vector<DataUse> out;
  if (names.empty()) return out;
  Validator v;
  // The consent is the person's own, for their own application.
  if (k.channel == kAgentChannel || k.channel == kCounterChannel ||
      !k.applicant_enterprise.empty() || who.account_id.empty() ||
      who.account_id != k.applicant_account_id) {
    v.Add("data_consents",
          "only the person applying for themselves can consent to fetching their data; attach "
          "the materials instead");
    return v.Finish().error();
  }
  if (!data_) return FailedPrecondition("the data exchange is not available on this server");
  if (names.size() > 20) {
    v.Add("data_consents", "at most 20 materials");
    return v.Finish().error();
  }
  // Only a proven resident ID (level 2 or 3): a self-declared number may be anyone's.
  auto subject = identity_.ResidentId(who.account_id);
  if (!subject && subject.error().code != Code::kNotFound) return subject.error();
  if (!subject || subject->empty()) {
    v.Add("data_consents",
          "your account has no verified resident ID; verify your identity or attach the materials");
    return v.Finish().error();
  }
  auto materials = DataMaterials(doc);
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string at = "data_consents/" + std::to_string(i);
    auto it = materials.find(names[i]);
    if (it == materials.end()) {
      v.Add(at, "is not a material of item " + k.item_code + " that data can stand for");
      continue;
    }
    if (!seen.insert(names[i]).second) {
      v.Add(at, "is listed twice");
      continue;
    }
    auto info = data_->Describe(it->second.resource);
    if (!info) {
      if (info.error().code != Code::kNotFound) return info.error();
      v.Add(at, "the data resource " + it->second.resource +
                    " is not published; attach the "
                    "material instead");
      continue;
    }
    if (info->subject_kind != "person") {
      v.Add(at, "the data resource " + it->second.resource + " is not about persons");
      continue;
    }
    DataUse u;
    u.name = names[i];
    u.resource = it->second.resource;
    u.fields = it->second.fields;
    u.subject = *subject;
    u.consented_by = who.username;
    u.consented_at = FormatTime(now);
    if (const std::string& field = it->second.subject_field; !field.empty()) {
      // Whose data the form says: another party's is only asked for here; that person
      // consents in their own account (AnswerDataConsent).
      std::string why;
      const json::value* id = k.form.if_contains(field);
      auto party = id && id->is_string()
                       ? identity::NormalizeResidentId(std::string(id->as_string()), &why)
                       : std::nullopt;
      if (!party) {
        v.Add(at, "needs a valid resident ID number in form/" + field);
        continue;
      }
      // The applicant's own data when the field names them (their consent is this one).
      if (*party != *subject) {
        u.subject = *party;
        u.party = field;
        u.status = kDataAwaiting;
        u.consented_by.clear();
        u.consented_at.clear();
      }
    }
    u.resource_name = info->name;
    u.resource_name_en = info->name_en;
    u.provider_department = info->provider_department;
    out.push_back(std::move(u));
  }
  OW_RETURN_IF_ERROR(v.Finish());
  return out;
}

Result<json::object> Service::FetchDataUses(db::Connection& c, const Case& k) {
  json::array verified, failed;
  OW_ASSIGN_OR_RETURN(auto uses, store::LoadDataUses(c, k.id));
  for (auto& u : uses) {
    // No consent, no fetch: a party's data waits for them, and a refusal is final.
    if (u.status == kDataVerified || u.status == kDataAwaiting || u.status == kDataRefused)
      continue;
    ++u.attempts;
    u.fetched_at = NowText();
    Result<FetchedData> got =
        data_ ? data_->Fetch(c, u.resource, u.subject, u.fields,
                             "办理" + k.item_name + "：核验" + u.name, k.tracking_no)
              : Result<FetchedData>(
                    FailedPrecondition("the data exchange is not available on this server"));
    if (!got) {
      if (!FetchFailure(got.error().code)) return got.error();
      u.status = kDataFailed;
      u.error = got.error().message;
    } else if (!got->found) {
      u.status = kDataFailed;
      u.error = "the resource " + u.resource + " has no record of the applicant";
      u.log_seq = got->log_seq;
    } else {
      u.status = kDataVerified;
      u.error.clear();
      u.data = std::move(got->data);
      u.signature = std::move(got->signature);
      u.log_seq = got->log_seq;
    }
    OW_RETURN_IF_ERROR(store::UpdateDataUse(c, k.id, u));
    (u.status == kDataVerified ? verified : failed).emplace_back(u.name);
  }
  // No personal data here: the result goes into the process variables and the history.
  return json::object{{"data_verified", failed.empty()},
                      {"data_verified_materials", std::move(verified)},
                      {"data_failed_materials", std::move(failed)}};
}

Result<Case> Service::RetryDataFetch(const Principal& who, const std::string& no, SystemTime now) {
  return MutateByNo(who, no, now, [&](db::Connection& c, Op& op) -> Status {
    bool may = false;
    for (const auto& t : op.tasks)
      if (t.status == internal::kOpen && CanWorkOn(who, t)) may = true;
    if (!may) return PermissionDenied("you have no open task on this case");
    OW_ASSIGN_OR_RETURN(auto result, FetchDataUses(c, op.k));
    if (result.at("data_verified_materials").as_array().empty() &&
        result.at("data_failed_materials").as_array().empty())
      return FailedPrecondition(
          "no data use of this case can be fetched: each is verified already or waits for "
          "(or was refused) the consent of the person it is about");
    op.channel = kWorkbench;
    op.Record("data_fetched", op.k.status, "", std::move(result));
    return {};
  });
}

Result<std::vector<DataConsentRequest>> Service::DataConsentRequests(const Principal& who) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  if (who.kind != identity::kPerson) return PermissionDenied("only a person consents");
  std::vector<DataConsentRequest> out;
  // Asked by the resident ID: only a proven one is theirs (a typed number may be anyone's).
  auto subject = identity_.ResidentId(who.account_id);
  if (!subject && subject.error().code != Code::kNotFound) return subject.error();
  if (!subject || subject->empty()) return out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto uses, store::DataUsesAwaiting(c, *subject));
    for (auto& [case_id, u] : uses) {
      OW_ASSIGN_OR_RETURN(auto k, store::LoadCase(c, case_id));
      if (!k || k->applicant_account_id == who.account_id) continue;
      out.push_back({k->tracking_no, k->item_code, k->item_name, k->item_name_en, k->applicant_name,
                     k->created_at, k->status, std::move(u)});
    }
    return {};
  }));
  return out;
}

Result<DataConsentRequest> Service::AnswerDataConsent(const Principal& who, const std::string& no,
                                                      const std::string& material, bool consent,
                                                      SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  if (who.kind != identity::kPerson) return PermissionDenied("only a person consents");
  auto id = ParseTrackingNo(no);
  if (!id) return NotFound("no consent request of case " + no);
  auto subject = identity_.ResidentId(who.account_id);
  if (!subject && subject.error().code != Code::kNotFound) return subject.error();
  // Whoever the request is not about learns nothing of it, not even that it exists.
  if (!subject || subject->empty()) return NotFound("no consent request of case " + no);
  DataConsentRequest out;
  auto k = Mutate(*id, now, [&](db::Connection& c, Op& op) -> Status {
    if (!SameTrackingNo(op.k.tracking_no, no)) return NotFound("no consent request of case " + no);
    OW_ASSIGN_OR_RETURN(auto uses, store::LoadDataUses(c, op.k.id));
    auto u = std::find_if(uses.begin(), uses.end(), [&](const DataUse& x) {
      return x.name == material && !x.party.empty() && x.subject == *subject;
    });
    if (u == uses.end() || op.k.applicant_account_id == who.account_id)
      return NotFound("no consent request of case " + no);
    if (u->status != kDataAwaiting)
      return FailedPrecondition("this request was answered already (" + u->status + ")");
    const std::string& st = op.k.status;
    if (st == kNotAccepted || st == kApproved || st == kDenied || st == kDelivered ||
        st == kClosed || st == kWithdrawn)
      return FailedPrecondition("the case is " + op.k.status + "; nothing will be fetched");
    op.actor = who.username;
    op.actor_account = who.account_id;
    op.channel = kWeb;
    u->status = consent ? kDataConsented : kDataRefused;
    u->consented_by = consent ? who.username : "";
    u->consented_at = FormatTime(now);
    OW_RETURN_IF_ERROR(store::UpdateDataUse(c, op.k.id, *u));
    op.Record(consent ? "data_consented" : "data_consent_refused", op.k.status, "",
              {{"material", u->name}, {"resource", u->resource}});
    // Accepted already: the process's fetch-data step has run, so the data is fetched now.
    if (consent && !op.k.accepted_on.empty()) {
      OW_ASSIGN_OR_RETURN(auto fetched, FetchDataUses(c, op.k));
      op.Record("data_fetched", op.k.status, "", std::move(fetched));
    }
    OW_ASSIGN_OR_RETURN(auto again, store::LoadDataUses(c, op.k.id));
    for (auto& x : again)
      if (x.name == material)
        out = {op.k.tracking_no,    op.k.item_code,  op.k.item_name, op.k.item_name_en,
               op.k.applicant_name, op.k.created_at, op.k.status,    std::move(x)};
    return {};
  });
  if (!k) return k.error();
  out.case_status = k->status;
  return out;
}

Result<json::object> Service::PrefillFromData(const Principal& who, const std::string& item_code,
                                              const std::vector<std::string>& materials) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  if (who.kind != identity::kPerson) return PermissionDenied("only a person applies online");
  Validator v;
  if (materials.empty() || materials.size() > 20) {
    v.Add("materials", "name 1 to 20 materials");
    return v.Finish().error();
  }
  if (!data_) return FailedPrecondition("the data exchange is not available on this server");
  OW_ASSIGN_OR_RETURN(auto view, catalog_.GetItem(item_code, ""));
  const json::object& doc = view.version.document;
  auto known = DataMaterials(doc);
  std::vector<std::pair<std::string, DataMaterial>> wanted;
  std::set<std::string> seen;
  for (size_t i = 0; i < materials.size(); ++i) {
    auto it = known.find(materials[i]);
    if (it == known.end())
      v.Add("materials/" + std::to_string(i),
            "is not a material of item " + item_code + " that data can stand for");
    else if (!it->second.subject_field.empty())
      // Whose data it is depends on the form (maybe another party's): never pre-filled.
      v.Add("materials/" + std::to_string(i),
            "is data about a party the form names; it is not used to fill in the form");
    else if (seen.insert(materials[i]).second)
      wanted.emplace_back(*it);
  }
  OW_RETURN_IF_ERROR(v.Finish());
  auto proven = identity_.ResidentId(who.account_id);
  if (!proven && proven.error().code != Code::kNotFound) return proven.error();
  if (!proven || proven->empty())
    return FailedPrecondition("your account has no verified resident ID to fetch data with");
  const std::string subject = *proven;
  std::string purpose = "预填" + Str(doc, "name") + "申请表";
  json::array data;
  std::map<std::string, json::object> by_resource;  // resource -> fields fetched
  for (const auto& w : wanted) {
    const std::string& name = w.first;
    const DataMaterial& m = w.second;
    OW_ASSIGN_OR_RETURN(auto info, data_->Describe(m.resource));
    Result<FetchedData> got = Internal("not run");
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      got = data_->Fetch(c, m.resource, subject, m.fields, purpose, "");
      if (!got && !FetchFailure(got.error().code)) return got.error();
      return {};
    }));
    json::object one{{"name", name},
                     {"resource", m.resource},
                     {"resource_name", info.name},
                     {"resource_name_en", info.name_en},
                     {"provider_department", info.provider_department},
                     {"found", got && got->found}};
    if (got && got->found) {
      one["fields"] = got->data;
      for (const auto& [f, x] : got->data) by_resource[m.resource][f] = x;
    } else {
      one["fields"] = json::object();
      one["error"] = got ? "no record of you in " + info.name : got.error().message;
    }
    data.push_back(std::move(one));
  }
  // The form properties annotated "x-prefill": "data.<resource>.<field>".
  json::object values;
  if (const auto* schema = doc.if_contains("form_schema"); schema && schema->is_object())
    if (const auto* props = schema->as_object().if_contains("properties");
        props && props->is_object())
      for (const auto& [key, p] : props->as_object()) {
        if (!p.is_object()) continue;
        std::string src = Str(p.as_object(), "x-prefill");
        if (src.rfind("data.", 0) != 0) continue;
        size_t dot = src.find('.', 5);
        if (dot == std::string::npos) continue;
        auto r = by_resource.find(src.substr(5, dot - 5));
        if (r == by_resource.end()) continue;
        const json::value* x = r->second.if_contains(src.substr(dot + 1));
        if (x && x->is_string() && !x->as_string().empty()) values[key] = *x;
      }
  return json::object{{"values", std::move(values)}, {"data", std::move(data)}};
}

}  // namespace ow::cases
