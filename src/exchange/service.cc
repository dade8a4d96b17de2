#include "exchange/service.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <chrono>
#include <set>

#include "core/clock.h"
#include "core/text.h"
#include "crypto/random.h"
#include "exchange/bases.h"
#include "exchange/store.h"

namespace ow::exchange {
namespace {

using authz::Action;

bool ValidCode(const std::string& s) {
  if (s.size() < 3 || s.size() > 40) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (i > 0 && ch == '-');
    if (!ok) return false;
  }
  return true;
}

bool ValidFieldName(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
}

bool OneOf(const std::string& s, std::initializer_list<const char*> values) {
  for (const char* v : values)
    if (s == v) return true;
  return false;
}

void Text(Validator& v, const char* field, const std::string& s, size_t min_chars,
          size_t max_chars) {
  size_t n = text::IsValidUtf8(s) ? text::CodePoints(s) : 0;
  if (!text::IsValidUtf8(s) || n < min_chars || n > max_chars)
    v.Add(field, min_chars ? "must be " + std::to_string(min_chars) + " to " +
                                 std::to_string(max_chars) + " characters"
                           : "must be at most " + std::to_string(max_chars) + " characters");
}

std::string Plus(std::chrono::system_clock::time_point t, int64_t days) {
  return FormatTime(t + std::chrono::hours(24 * days));
}

}  // namespace

Service::Service(db::Database& db, departments::Service& departments, const exchange_log::Log& log,
                 Options options)
    : db_(db),
      departments_(departments),
      log_(log),
      options_(std::move(options)),
      adapters_(options_.adapter) {}

void Service::SetSigner(Signer signer, std::function<std::string()> issuer) {
  signer_ = std::move(signer);
  issuer_ = std::move(issuer);
}

void Service::SetPeers(PeerDirectory directory) {
  peers_ = std::make_unique<Peers>(std::move(directory), adapters_, options_.adapter.timeout);
}

void Service::SetManifestSigner(Signer signer) { manifest_signer_ = std::move(signer); }

Result<authz::Target> Service::ResourceTarget(const std::string& department) {
  auto d = departments_.Get(department);
  if (!d) {
    if (d.error().code == Code::kNotFound) {
      Validator v;
      v.Add("department_code", "is not a department");
      OW_RETURN_IF_ERROR(v.Finish("resource"));
    }
    return d.error();
  }
  authz::Target t;
  t.department_code = d->code;
  t.region_code = d->region_code;
  return t;
}

Status Service::CheckResource(const Resource& in, Validator& v) {
  if (!ValidCode(in.code)) v.Add("code", "must be 3 to 40 of A-Z, 0-9 and -, not starting with -");
  Text(v, "name_zh", in.name_zh, 1, 200);
  Text(v, "name_en", in.name_en, 1, 200);
  Text(v, "description", in.description, 0, 2000);
  Text(v, "conditions", in.conditions, 0, 2000);
  if (!OneOf(in.subject_kind, {"person", "legal"}))
    v.Add("subject_kind", "must be person or legal");
  if (!OneOf(in.share_type, {kUnconditional, kConditional, kNotShared}))
    v.Add("share_type", "must be unconditional, conditional or not_shared");
  if (in.share_type == kConditional && in.conditions.empty())
    v.Add("conditions", "is required for a conditional resource");
  if (!OneOf(in.update_cycle, {"realtime", "daily", "weekly", "monthly", "yearly"}))
    v.Add("update_cycle", "must be realtime, daily, weekly, monthly or yearly");
  const Base* base = nullptr;
  if (in.source == kSourceAdapter) {
    auto u = boost::urls::parse_absolute_uri(in.adapter_url);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty() ||
        in.adapter_url.size() > 500)
      v.Add("adapter_url", "must be an absolute http or https URL");
  } else if (in.source == kSourcePeer) {
    // The trust's name (oidc/federation.h) and the resource's code at the peer; that
    // the trust exists is found at the first query (503 until it does).
    bool name_ok = in.peer_platform.size() >= 2 && in.peer_platform.size() <= 40 &&
                   std::all_of(in.peer_platform.begin(), in.peer_platform.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                   });
    if (!name_ok) v.Add("peer_platform", "must name a trusted platform (2 to 40 of a-z, 0-9, -)");
    if (!ValidCode(in.peer_resource))
      v.Add("peer_resource", "must be the resource's code at the peer platform");
    if (!in.adapter_url.empty()) v.Add("adapter_url", "is only for the adapter source");
  } else if ((base = FindBase(in.source)) != nullptr) {
    if (!in.adapter_url.empty()) v.Add("adapter_url", "is only for the adapter source");
    if (base->subject_kind != in.subject_kind)
      v.Add("subject_kind", "must be " + std::string(base->subject_kind) + " for the " +
                                std::string(base->name) + " base");
  } else {
    v.Add("source", "must be population, legal_person, birth, adapter or peer");
  }
  if (in.source != kSourcePeer && (!in.peer_platform.empty() || !in.peer_resource.empty()))
    v.Add("peer_platform", "is only for the peer source");
  if (in.fields.empty() || in.fields.size() > 64) v.Add("fields", "must list 1 to 64 fields");
  std::set<std::string> seen;
  for (size_t i = 0; i < in.fields.size(); ++i) {
    const Field& f = in.fields[i];
    std::string at = "fields/" + std::to_string(i);
    if (!ValidFieldName(f.name)) v.Add(at + "/name", "must be 1 to 64 of a-z, 0-9 and _");
    if (!seen.insert(f.name).second) v.Add(at + "/name", "is listed twice");
    if (!OneOf(f.type, {"string", "date", "number", "boolean"}))
      v.Add(at + "/type", "must be string, date, number or boolean");
    if (f.label_zh.empty() || f.label_zh.size() > 200) v.Add(at + "/label_zh", "is required");
    if (f.label_en.empty() || f.label_en.size() > 200) v.Add(at + "/label_en", "is required");
    if (base && std::none_of(base->fields.begin(), base->fields.end(),
                             [&](const BaseField& b) { return b.name == f.name; }))
      v.Add(at + "/name", "is not a field of the " + std::string(base->name) + " base");
  }
  return {};
}

// ---------------------------------------------------------------------------
// Catalogue

Result<Resource> Service::CreateDraft(const authz::Principal& who, const Resource& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kWriteDataResources));
  Validator v;
  OW_RETURN_IF_ERROR(CheckResource(in, v));
  OW_RETURN_IF_ERROR(v.Finish("resource"));
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(in.department_code));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kWriteDataResources, target));
  Resource r = in;
  r.status = kDraft;
  r.region_code = target.region_code;
  r.created_by = who.name_for_audit;
  r.created_at = NowText();
  r.submitted_by = r.submitted_at = r.reviewed_by = r.reviewed_at = r.review_note = "";
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto latest, Store::Latest(c, r.code));
    if (latest) {
      if (latest->department_code != r.department_code)
        return Conflict("resource " + r.code + " belongs to department " + latest->department_code);
      if (latest->status == kDraft || latest->status == kInReview)
        return Conflict("resource " + r.code + " already has version " +
                        std::to_string(latest->version) + " in " + latest->status);
    }
    r.version = latest ? latest->version + 1 : 1;
    return Store::InsertResource(c, r);
  }));
  return r;
}

Result<Resource> Service::UpdateDraft(const authz::Principal& who, const std::string& code,
                                      int64_t version, const Resource& in) {
  OW_ASSIGN_OR_RETURN(auto current, Get(who, code, version));
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(current.department_code));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kWriteDataResources, target));
  if (current.status != kDraft) return Conflict("only a draft can be changed");
  Resource r = in;
  r.code = code;
  r.department_code = current.department_code;
  Validator v;
  OW_RETURN_IF_ERROR(CheckResource(r, v));
  OW_RETURN_IF_ERROR(v.Finish("resource"));
  r.version = version;
  r.status = kDraft;
  r.region_code = current.region_code;
  r.created_by = current.created_by;
  r.created_at = current.created_at;
  r.review_note = current.review_note;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateResource(c, r, kDraft));
    if (!ok) return Conflict("the version is no longer a draft");
    return {};
  }));
  return r;
}

Result<Resource> Service::Submit(const authz::Principal& who, const std::string& code,
                                 int64_t version) {
  OW_ASSIGN_OR_RETURN(auto r, Get(who, code, version));
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(r.department_code));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kWriteDataResources, target));
  if (r.status != kDraft) return Conflict("only a draft can be submitted");
  r.status = kInReview;
  r.submitted_by = who.name_for_audit;
  r.submitted_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateResource(c, r, kDraft));
    if (!ok) return Conflict("the version is no longer a draft");
    return {};
  }));
  return r;
}

Result<Resource> Service::Review(const authz::Principal& who, const std::string& code,
                                 int64_t version, bool publish, const std::string& note) {
  OW_ASSIGN_OR_RETURN(auto r, Get(who, code, version));
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(r.department_code));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kReviewDataResources, target));
  if (r.status != kInReview) return Conflict("only a version in review can be reviewed");
  if (r.submitted_by == who.name_for_audit)
    return PermissionDenied("a version is reviewed by someone other than who submitted it");
  if (!publish && note.empty()) {
    Validator v;
    v.Add("note", "is required when returning a version");
    OW_RETURN_IF_ERROR(v.Finish("review"));
  }
  if (note.size() > 2000) {
    Validator v;
    v.Add("note", "must be at most 2000 bytes");
    OW_RETURN_IF_ERROR(v.Finish("review"));
  }
  r.status = publish ? kPublished : kDraft;
  r.reviewed_by = who.name_for_audit;
  r.reviewed_at = NowText();
  r.review_note = note;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    if (publish) OW_RETURN_IF_ERROR(Store::SupersedePublished(c, code));
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateResource(c, r, kInReview));
    if (!ok) return Conflict("the version is no longer in review");
    return {};
  }));
  return r;
}

Result<std::vector<Resource>> Service::Search(const authz::Principal& who, const std::string& q,
                                              const std::string& department, int limit) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kReadDataResources));
  if (q.size() > 200) {
    Validator v;
    v.Add("q", "must be at most 200 bytes");
    OW_RETURN_IF_ERROR(v.Finish("search"));
  }
  std::vector<Resource> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Search(c, q, department, std::clamp(limit, 1, 200)));
    return {};
  }));
  return out;
}

Result<Resource> Service::Get(const authz::Principal& who, const std::string& code,
                              std::optional<int64_t> version) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kReadDataResources));
  std::optional<Resource> r;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    if (version) {
      OW_ASSIGN_OR_RETURN(r, Store::GetVersion(c, code, *version));
    } else {
      OW_ASSIGN_OR_RETURN(r, Store::Published(c, code));
    }
    return {};
  }));
  if (!r) return NotFound("no such data resource");
  if (r->status == kDraft || r->status == kInReview) {
    authz::Target t = Dept(r->department_code, r->region_code);
    if (!authz::Decide(who, Action::kWriteDataResources, t) &&
        !authz::Decide(who, Action::kReviewDataResources, t))
      return NotFound("no such data resource");
  }
  return *r;
}

Result<std::vector<Resource>> Service::Unpublished(const authz::Principal& who,
                                                   const std::string& department) {
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(department));
  if (!authz::Decide(who, Action::kWriteDataResources, target))
    OW_RETURN_IF_ERROR(authz::Decide(who, Action::kReviewDataResources, target));
  std::vector<Resource> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Unpublished(c, department));
    return {};
  }));
  return out;
}

// ---------------------------------------------------------------------------
// Systems

Result<System> Service::RegisterSystem(const authz::Principal& who, const std::string& client_id,
                                       const std::string& department_code) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageClients));
  Validator v;
  if (client_id.empty() || client_id.size() > 100) v.Add("client_id", "is required");
  auto d = departments_.Get(department_code);
  if (!d) v.Add("department_code", "is not a department");
  OW_RETURN_IF_ERROR(v.Finish("system"));
  System s{client_id, d->code, d->region_code, who.name_for_audit, NowText()};
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r,
                        c.Query("SELECT 1 FROM oidc_clients WHERE client_id = $1", {client_id}));
    if (r.empty()) return NotFound("no OpenID Connect client " + client_id);
    return Store::PutSystem(c, s);
  }));
  return s;
}

Result<std::vector<System>> Service::Systems(const authz::Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageClients));
  std::vector<System> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Systems(c));
    return {};
  }));
  return out;
}

Result<std::optional<System>> Service::SystemOf(const std::string& client_id) {
  std::optional<System> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::GetSystem(c, client_id));
    return {};
  }));
  return out;
}

// ---------------------------------------------------------------------------
// Access

Result<Application> Service::Apply(const authz::Principal& who, const ApplicationInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kApplyForData));
  return ApplyAs(who, who.client_id, in);
}

Result<Application> Service::ApplyAs(const authz::Principal& who, const std::string& client_id,
                                     const ApplicationInput& in) {
  Validator v;
  Text(v, "purpose", in.purpose, 2, 500);
  Text(v, "legal_basis", in.legal_basis, 2, 500);
  if (in.valid_days < 0 || in.valid_days > options_.max_grant_days)
    v.Add("valid_days", "must be 1 to " + std::to_string(options_.max_grant_days));
  if (in.fields.empty()) v.Add("fields", "must name at least one field");
  Application a;
  auto now = std::chrono::system_clock::now();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto system, Store::GetSystem(c, client_id));
    if (!system) return PermissionDenied("this client is not registered as a department's system");
    OW_ASSIGN_OR_RETURN(auto r, Store::Published(c, in.resource));
    if (!r) return NotFound("no such data resource");
    if (r->share_type == kNotShared)
      return PermissionDenied("resource " + r->code + " is not shared");
    std::set<std::string> seen;
    for (size_t i = 0; i < in.fields.size(); ++i) {
      const auto& f = in.fields[i];
      if (std::none_of(r->fields.begin(), r->fields.end(),
                       [&](const Field& x) { return x.name == f; }))
        v.Add("fields/" + std::to_string(i), "is not a field of " + r->code);
      else if (!seen.insert(f).second)
        v.Add("fields/" + std::to_string(i), "is listed twice");
    }
    bool personal = false;
    for (const auto& f : r->fields)
      if (f.personal && std::find(in.fields.begin(), in.fields.end(), f.name) != in.fields.end())
        personal = true;
    if (in.bulk && r->source == kSourceAdapter)
      v.Add("bulk", "bulk delivery is only from the platform's base tables");
    OW_RETURN_IF_ERROR(v.Finish("application"));
    a.id = "XA" + crypto::RandomToken(12);
    a.bulk = in.bulk;
    a.client_id = client_id;
    a.applied_by = who.name_for_audit;
    a.consumer_department = system->department_code;
    a.resource_code = r->code;
    a.provider_department = r->department_code;
    a.provider_region = r->region_code;
    a.purpose = in.purpose;
    a.legal_basis = in.legal_basis;
    a.fields = in.fields;
    a.valid_days = in.valid_days ? in.valid_days : options_.max_grant_days;
    a.created_at = FormatTime(now);
    // Everybody's personal data in one file is not what an unconditional share offers:
    // the provider decides each such grant.
    if (r->share_type == kUnconditional && !(in.bulk && personal)) {
      a.status = kGranted;
      a.decided_by = "platform";
      a.decided_at = a.created_at;
      a.reason = "unconditional";
      a.expires_at = Plus(now, a.valid_days);
    } else {
      a.status = kPending;
    }
    return Store::InsertApplication(c, a);
  }));
  return a;
}

Result<std::vector<DepartmentSystem>> Service::DepartmentSystems(const authz::Principal& who,
                                                                 const std::string& department) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kApplyForSystems));
  auto d = departments_.Get(department);
  // Another department's systems are not shown to be there.
  if (!d) return PermissionDenied("you may not act for the systems of " + department);
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kApplyForSystems, Dept(d->code, d->region_code)));
  std::vector<DepartmentSystem> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out.clear();
    OW_ASSIGN_OR_RETURN(auto all, Store::Systems(c));
    for (auto& s : all) {
      if (s.department_code != d->code) continue;
      DepartmentSystem x;
      OW_ASSIGN_OR_RETURN(x.applications, Store::Applications(c, s.client_id, "", "", 500));
      OW_ASSIGN_OR_RETURN(x.extracts, Store::Extracts(c, s.client_id, "", 20));
      x.system = std::move(s);
      out.push_back(std::move(x));
    }
    return {};
  }));
  return out;
}

Result<Application> Service::ApplyForSystem(const authz::Principal& who,
                                            const std::string& client_id,
                                            const ApplicationInput& in) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kApplyForSystems));
  // Only a department's staff ever act for a system; anyone else is refused outright.
  if (!who.HasRole(authz::kAcceptor) && !who.HasRole(authz::kReviewer) &&
      !who.HasRole(authz::kApprover))
    return PermissionDenied("only a department's staff apply for its systems");
  std::optional<System> system;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(system, Store::GetSystem(c, client_id));
    return {};
  }));
  // An unregistered client and another department's system read alike.
  if (!system) return NotFound("no department system " + client_id);
  if (!authz::Decide(who, Action::kApplyForSystems,
                     Dept(system->department_code, system->region_code)))
    return NotFound("no department system " + client_id);
  return ApplyAs(who, client_id, in);
}

Result<std::vector<Application>> Service::MyApplications(const authz::Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kApplyForData));
  std::vector<Application> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Applications(c, who.client_id, "", "", 500));
    return {};
  }));
  return out;
}

Result<std::vector<Application>> Service::Incoming(const authz::Principal& who,
                                                   const std::string& department,
                                                   const std::string& status) {
  OW_ASSIGN_OR_RETURN(auto target, ResourceTarget(department));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kDecideDataAccess, target));
  if (!status.empty() && !OneOf(status, {kPending, kGranted, kRefused, kRevoked})) {
    Validator v;
    v.Add("status", "must be pending, granted, refused or revoked");
    OW_RETURN_IF_ERROR(v.Finish("query"));
  }
  std::vector<Application> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Applications(c, "", department, status, 500));
    return {};
  }));
  return out;
}

Result<Application> Service::GetApplication(const authz::Principal& who, const std::string& id) {
  std::optional<Application> a;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(a, Store::GetApplication(c, id));
    return {};
  }));
  if (!a) return NotFound("no such application");
  if (who.via == authz::Via::kClientToken && who.client_id == a->client_id) return *a;
  // The provider department's staff see its applications; its approvers decide them.
  auto target = Dept(a->provider_department, a->provider_region);
  if (!authz::Decide(who, Action::kDecideDataAccess, target) &&
      !authz::Decide(who, Action::kWriteDataResources, target))
    return NotFound("no such application");
  return *a;
}

Result<Application> Service::Decide(const authz::Principal& who, const std::string& id,
                                    bool approve, const std::string& reason) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kDecideDataAccess));
  OW_ASSIGN_OR_RETURN(auto a, GetApplication(who, id));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kDecideDataAccess,
                                   Dept(a.provider_department, a.provider_region)));
  Validator v;
  Text(v, "reason", reason, approve ? 0 : 2, 500);
  OW_RETURN_IF_ERROR(v.Finish("decision"));
  if (a.status != kPending) return Conflict("the application was already decided");
  auto now = std::chrono::system_clock::now();
  a.status = approve ? kGranted : kRefused;
  a.decided_by = who.name_for_audit;
  a.decided_at = FormatTime(now);
  a.reason = reason;
  if (approve) a.expires_at = Plus(now, a.valid_days);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateApplication(c, a, kPending));
    if (!ok) return Conflict("the application was already decided");
    return {};
  }));
  return a;
}

Result<Application> Service::Revoke(const authz::Principal& who, const std::string& id,
                                    const std::string& reason) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kDecideDataAccess));
  OW_ASSIGN_OR_RETURN(auto a, GetApplication(who, id));
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kDecideDataAccess,
                                   Dept(a.provider_department, a.provider_region)));
  Validator v;
  Text(v, "reason", reason, 2, 500);
  OW_RETURN_IF_ERROR(v.Finish("revocation"));
  if (a.status != kGranted) return Conflict("only a granted application can be revoked");
  a.status = kRevoked;
  a.revoked_by = who.name_for_audit;
  a.revoked_at = NowText();
  a.reason = reason;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool ok, Store::UpdateApplication(c, a, kGranted));
    if (!ok) return Conflict("the grant changed meanwhile");
    return {};
  }));
  return a;
}

std::vector<std::string> Service::GrantedScopes(const std::string& client_id) {
  std::vector<std::string> codes;
  auto st = db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(codes, Store::LiveGrantCodes(c, client_id, NowText()));
    return {};
  });
  std::vector<std::string> out;
  if (!st) return out;
  for (auto& code : codes) out.push_back("exchange:" + code);
  return out;
}

}  // namespace ow::exchange
