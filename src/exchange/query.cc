// Queries and the base tables.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <functional>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "exchange/access.h"
#include "exchange/bases.h"
#include "exchange/service.h"
#include "exchange/store.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;
using authz::Action;

}  // namespace

Result<Answered> Service::Query(const authz::Principal& who, const std::string& code,
                                const QueryInput& in, std::string_view raw_request) {
  return Answer(nullptr, who, code, in, raw_request);
}

Result<Answered> Service::QueryWithin(db::Connection& c, const authz::Principal& who,
                                      const std::string& code, const QueryInput& in,
                                      std::string_view raw_request) {
  return Answer(&c, who, code, in, raw_request);
}

Result<Answered> Service::Answer(db::Connection* within, const authz::Principal& who,
                                 const std::string& code, const QueryInput& in,
                                 std::string_view raw_request) {
  // On the caller's connection (inside its transaction), or in transactions of our own.
  auto read = [&](const std::function<Status(db::Connection&)>& fn) -> Status {
    return within ? fn(*within) : db_.Read(fn);
  };
  auto write = [&](const std::function<Status(db::Connection&)>& fn) -> Status {
    // Group commit: concurrent queries' log entries share one commit (one fsync); each
    // entry still goes into the chain inside the transaction that re-reads its grant.
    return within ? fn(*within) : db_.TransactGrouped(fn);
  };
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kQueryData));
  if (!signer_) return Internal("the exchange has no signing key");
  std::optional<Resource> resource;
  std::optional<System> system;
  std::optional<Application> grant;
  auto now = std::chrono::system_clock::now();
  std::string now_text = FormatTime(now);
  // One read for the resource, the caller's system and grant, and (from a base table)
  // the subject's record, which is used only once the request is known to be granted.
  std::string why;
  std::optional<std::string> subject;
  // A base keyed by the subject gives one record; a base of documents about several
  // persons (the birth base) every record naming the subject.
  std::vector<std::string> records;
  OW_RETURN_IF_ERROR(read([&](db::Connection& c) -> Status {
    records.clear();  // a retried read starts again
    OW_ASSIGN_OR_RETURN(resource, Store::Published(c, code));
    if (!resource) return {};
    OW_ASSIGN_OR_RETURN(system, Store::GetSystem(c, who.client_id));
    OW_ASSIGN_OR_RETURN(grant, Store::LatestGrant(c, who.client_id, code));
    subject = NormalizeSubject(resource->subject_kind, in.subject, &why);
    const Base* base = FindBase(resource->source);
    if (!subject || !base) return {};
    if (!base->subject_fields.empty()) {
      OW_ASSIGN_OR_RETURN(records, Store::LinkedRecords(c, resource->source, *subject));
      return {};
    }
    OW_ASSIGN_OR_RETURN(auto one, Store::GetRecord(c, resource->source, *subject));
    if (one) records.push_back(std::move(*one));
    return {};
  }));
  if (!resource) return NotFound("no such data resource");

  // A malformed request is answered 422 and not logged: it asked about nobody.
  Validator v;
  if (!subject) v.Add("subject", why);
  if (in.purpose.size() < 2 || in.purpose.size() > 500) v.Add("purpose", "must be 2 to 500 bytes");
  if (in.legal_basis.size() > 500) v.Add("legal_basis", "must be at most 500 bytes");
  if (in.case_tracking.size() > 64) v.Add("case_tracking", "must be at most 64 bytes");
  if (in.fields.empty() || in.fields.size() > exchange_log::kMaxFields)
    v.Add("fields", "must name 1 to 64 fields");
  for (size_t i = 0; i < in.fields.size(); ++i)
    if (std::none_of(resource->fields.begin(), resource->fields.end(),
                     [&](const Field& f) { return f.name == in.fields[i]; }))
      v.Add("fields/" + std::to_string(i), "is not a field of " + code);
  OW_RETURN_IF_ERROR(v.Finish("query"));

  exchange_log::Entry e;
  e.consumer_client = who.client_id;
  e.consumer_department = system ? system->department_code : "unregistered";
  e.provider_department = resource->department_code;
  e.resource_code = code;
  e.resource_version = resource->version;
  e.subject_kind = resource->subject_kind;
  e.subject_id = *subject;
  e.purpose = in.purpose;
  e.legal_basis = in.legal_basis.empty() && grant ? grant->legal_basis : in.legal_basis;
  if (!in.case_tracking.empty()) e.case_tracking = in.case_tracking;
  e.fields = in.fields;
  e.request_digest = HexSha256(raw_request);

  std::optional<Refusal> refusal =
      CheckAccess(who, *resource, system, grant, in.fields, now_text, /*bulk=*/false);
  // The exchange with a peer platform that serves the resource, when there was one:
  // logged just before the consumer's entry, in the same transaction.
  std::optional<exchange_log::Entry> leg;
  auto refuse = [&](const Refusal& r) -> Status {
    e.outcome = "refused";
    e.refusal_reason = r.reason;
    e.response_digest.clear();
    e.response_signature.clear();
    OW_RETURN_IF_ERROR(write([&](db::Connection& c) -> Status {
      if (leg) OW_RETURN_IF_ERROR(log_.Append(c, *leg));
      OW_ASSIGN_OR_RETURN(auto seq, log_.Append(c, e));
      (void)seq;
      return {};
    }));
    return {};
  };
  if (refusal) {
    OW_RETURN_IF_ERROR(refuse(*refusal));
    return PermissionDenied(refusal->message);
  }

  // The data, outside any transaction when it comes from a provider's system.
  bool found = false;
  json::object data;
  json::object peer;
  if (resource->source == kSourcePeer) {
    if (!peers_) {
      OW_RETURN_IF_ERROR(refuse({"peer_unavailable", "no peer platforms are configured"}));
      return Unavailable("this platform reaches no peer platforms");
    }
    auto x = peers_->Ask({.platform = resource->peer_platform,
                          .resource = resource->peer_resource,
                          .subject = *subject,
                          .fields = in.fields,
                          .purpose = in.purpose,
                          .legal_basis = e.legal_basis,
                          .case_tracking = in.case_tracking});
    if (x.reached) {
      // As the peer logs it: this platform's client there asked, with these bytes.
      leg = e;
      leg->consumer_client = x.client_id;
      leg->provider_department = resource->peer_platform;
      leg->resource_code = resource->peer_resource;
      leg->resource_version = 0;
      leg->request_digest = HexSha256(x.request_body);
      if (x.error) {
        leg->outcome = "refused";
        leg->refusal_reason = x.refusal;
      } else {
        const auto* version = x.answer.if_contains("resource_version");
        leg->resource_version = version && version->is_int64() ? version->as_int64() : 0;
        const auto* d = x.answer.if_contains("provider_department");
        if (d && d->is_string()) leg->provider_department += ":" + std::string(d->as_string());
        leg->outcome = "answered";
        leg->response_digest = x.answer_digest;
        leg->response_signature = Detached(x.jws);
      }
    }
    if (x.error) {
      OW_RETURN_IF_ERROR(refuse({x.refusal, x.error->message}));
      return *x.error;
    }
    found = x.answer.at("found").as_bool();
    const auto& peer_data = x.answer.at("data").as_object();
    for (const auto& f : in.fields) {
      const auto* value = peer_data.if_contains(f);
      data[f] = found && value ? *value : json::value(nullptr);
    }
    peer = json::object{{"platform", resource->peer_platform},
                        {"issuer", x.answer.at("iss")},
                        {"resource", resource->peer_resource},
                        {"answer_digest", x.answer_digest},
                        {"signature", x.jws}};
  } else if (resource->source == kSourceAdapter) {
    auto a =
        adapters_.Ask(resource->adapter_url, code, resource->subject_kind, *subject, in.fields);
    if (!a) {
      OW_RETURN_IF_ERROR(refuse({"source_unavailable", a.error().message}));
      return a.error();
    }
    found = a->found;
    for (const auto& f : in.fields) {
      const auto* x = a->data.if_contains(f);
      data[f] = found && x ? *x : json::value(nullptr);
    }
  } else {
    const Base* base = FindBase(resource->source);
    if (!base) return Internal("resource " + code + " names an unknown base");
    json::object row;
    // A document about the person (a birth certificate of their child): the newest one,
    // the later key on the same date.
    std::string newest;
    for (const auto& record : records) {
      boost::system::error_code ec;
      json::value parsed = json::parse(record, ec);
      if (ec || !parsed.is_object()) return Internal("a base record is not a JSON object");
      std::string when;
      if (!base->newest_by.empty())
        if (const auto* d = parsed.as_object().if_contains(base->newest_by); d && d->is_string())
          when = std::string(d->as_string());
      if (found && when < newest) continue;
      newest = when;
      row = std::move(parsed.as_object());
      found = true;
    }
    for (const auto& f : in.fields) {
      const auto* x = row.if_contains(f);
      data[f] = x ? *x : json::value(nullptr);
    }
  }

  Answered out;
  out.answer = json::object{{"iss", issuer_ ? issuer_() : std::string()},
                            {"iat", UnixSeconds(now)},
                            {"jti", "XQ" + crypto::RandomToken(12)},
                            {"resource", code},
                            {"resource_version", resource->version},
                            {"provider_department", resource->department_code},
                            {"consumer_client", who.client_id},
                            {"consumer_department", system->department_code},
                            {"subject_kind", resource->subject_kind},
                            {"subject", *subject},
                            {"purpose", in.purpose},
                            {"found", found},
                            {"data", std::move(data)}};
  if (!in.case_tracking.empty()) out.answer["case_tracking"] = in.case_tracking;
  if (!peer.empty()) out.answer["peer"] = std::move(peer);
  OW_ASSIGN_OR_RETURN(out.signature, signer_(out.answer));
  e.outcome = "answered";
  e.response_digest = HexSha256(json::serialize(out.answer));
  e.response_signature = Detached(out.signature);
  OW_RETURN_IF_ERROR(write([&](db::Connection& c) -> Status {
    // The grant is read again where the answer is logged: a revocation that committed
    // meanwhile wins.
    OW_ASSIGN_OR_RETURN(auto again, Store::LatestGrant(c, who.client_id, code));
    if (!again || again->id != grant->id || again->status != kGranted)
      return Conflict("the grant changed while answering");
    if (leg) OW_RETURN_IF_ERROR(log_.Append(c, *leg));
    OW_ASSIGN_OR_RETURN(out.log_seq, log_.Append(c, e));
    return {};
  }));
  return out;
}

std::optional<Refusal> CheckAccess(const authz::Principal& who, const Resource& r,
                                   const std::optional<System>& system,
                                   const std::optional<Application>& grant,
                                   const std::vector<std::string>& fields, const std::string& now,
                                   bool bulk) {
  const std::string& code = r.code;
  if (!system)
    return Refusal{"not_registered", "this client is not registered as a department's system"};
  if (r.share_type == kNotShared)
    return Refusal{"not_shared", "resource " + code + " is not shared"};
  if (!who.HasScope("exchange:" + code))
    return Refusal{"scope_missing", "the token needs the scope exchange:" + code};
  if (!grant) return Refusal{"no_grant", "this system has no grant for " + code};
  if (grant->status == kRevoked)
    return Refusal{"grant_revoked", "the grant for " + code + " was revoked"};
  if (grant->expires_at <= now)
    return Refusal{"grant_expired", "the grant for " + code + " expired"};
  bool personal = false;
  for (const auto& f : fields) {
    if (std::find(grant->fields.begin(), grant->fields.end(), f) == grant->fields.end())
      return Refusal{"field_not_granted", "field " + f + " was not granted"};
    for (const auto& x : r.fields)
      if (x.name == f && x.personal) personal = true;
  }
  // One subject at a time is what a grant is for; everybody at once needs the bulk flag.
  if (bulk && personal && !grant->bulk)
    return Refusal{"bulk_not_granted",
                   "the grant for " + code +
                       " does not allow bulk delivery of personal fields: apply with bulk"};
  return std::nullopt;
}

std::string HexSha256(std::string_view data) { return crypto::HexEncode(crypto::Sha256(data)); }

std::string Detached(const std::string& jws) {
  size_t a = jws.find('.');
  size_t b = jws.rfind('.');
  if (a == std::string::npos || b == a) return HexSha256(jws);
  return jws.substr(0, a) + ".." + jws.substr(b + 1);
}

// ---------------------------------------------------------------------------
// Bases

Status Service::MayMaintain(const authz::Principal& who, const std::string& base) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kMaintainBaseData));
  if (!FindBase(base)) return NotFound("no base " + base);
  const std::string& department = base == kSourcePopulation ? options_.population_department
                                  : base == kSourceBirth    ? options_.birth_department
                                                            : options_.legal_person_department;
  auto d = departments_.Get(department);
  if (!d) return FailedPrecondition("the department keeping the " + base + " base is not set up");
  authz::Target t = Dept(d->code, d->region_code);
  if (who.via == authz::Via::kClientToken) {
    std::optional<System> s;
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(s, Store::GetSystem(c, who.client_id));
      return {};
    }));
    t.system_of_department = s && s->department_code == d->code;
  }
  return authz::Decide(who, Action::kMaintainBaseData, t);
}

Result<ImportReport> Service::Import(const authz::Principal& who, const std::string& base_name,
                                     std::string_view lines) {
  OW_RETURN_IF_ERROR(MayMaintain(who, base_name));
  const Base& base = *FindBase(base_name);
  Validator v;
  std::vector<json::object> records;
  size_t line_no = 0;
  size_t i = 0;
  while (i < lines.size()) {
    size_t end = lines.find('\n', i);
    if (end == std::string_view::npos) end = lines.size();
    std::string_view line = lines.substr(i, end - i);
    i = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string at = "lines/" + std::to_string(line_no);
    boost::system::error_code ec;
    json::value value = json::parse(line, ec);
    if (ec || !value.is_object()) {
      v.Add(at, "must be one JSON object");
      continue;
    }
    auto record = CheckRecord(base, value.as_object(), at, v);
    if (record) records.push_back(std::move(*record));
    if (records.size() > 100000) {
      v.Add("lines", "at most 100000 records per import");
      break;
    }
  }
  if (records.empty() && v.ok()) v.Add("lines", "holds no record");
  OW_RETURN_IF_ERROR(v.Finish("import"));
  ImportReport report;
  std::string now = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    report = {};
    for (const auto& r : records) {
      std::string key(r.at(base.key).as_string());
      OW_ASSIGN_OR_RETURN(bool created, Store::PutRecord(c, base_name, key, json::serialize(r),
                                                         who.name_for_audit, now));
      if (!base.subject_fields.empty())
        OW_RETURN_IF_ERROR(Store::PutLinks(c, base_name, key, SubjectsOf(base, r)));
      ++(created ? report.created : report.updated);
    }
    return {};
  }));
  return report;
}

Result<bool> Service::PutRecord(const authz::Principal& who, const std::string& base_name,
                                const std::string& subject, const json::object& record) {
  OW_RETURN_IF_ERROR(MayMaintain(who, base_name));
  const Base& base = *FindBase(base_name);
  Validator v;
  std::string why;
  auto key = NormalizeKey(base, subject, &why);
  if (!key) v.Add(std::string(base.key), why);
  json::object with_key = record;
  if (!with_key.contains(base.key)) with_key[base.key] = subject;
  auto checked = CheckRecord(base, with_key, "record", v);
  if (checked && key && checked->at(base.key).as_string() != *key)
    v.Add("record/" + std::string(base.key), "differs from the number in the URL");
  OW_RETURN_IF_ERROR(v.Finish("record"));
  bool created = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(created, Store::PutRecord(c, base_name, *key, json::serialize(*checked),
                                                  who.name_for_audit, NowText()));
    if (!base.subject_fields.empty())
      OW_RETURN_IF_ERROR(Store::PutLinks(c, base_name, *key, SubjectsOf(base, *checked)));
    return {};
  }));
  return created;
}

Result<json::object> Service::GetRecord(const authz::Principal& who, const std::string& base_name,
                                        const std::string& subject) {
  OW_RETURN_IF_ERROR(MayMaintain(who, base_name));
  const Base& base = *FindBase(base_name);
  auto key = NormalizeKey(base, subject, nullptr);
  if (!key) return NotFound("no such record");
  std::optional<std::string> record;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(record, Store::GetRecord(c, base_name, *key));
    return {};
  }));
  if (!record) return NotFound("no such record");
  boost::system::error_code ec;
  json::value parsed = json::parse(*record, ec);
  if (ec || !parsed.is_object()) return Internal("a base record is not a JSON object");
  return parsed.as_object();
}

}  // namespace ow::exchange
