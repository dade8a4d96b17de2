// The case archive (service.h, "ArchiveClosed"): closed cases leave the hot tables as
// packages signed by the platform, and stay readable by tracking number.
#include <boost/json.hpp>

#include "authz/authz.h"
#include "cases/routes.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"
#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace ow::cases {

namespace json = boost::json;
using identity::Principal;

namespace {

bool Final(const std::string& status) {
  return status == kDelivered || status == kNotAccepted || status == kClosed ||
         status == kWithdrawn;
}

// The links of a live case's JSON lead to routes that answer only while it is live.
void DropLinks(json::object& view) {
  for (const char* list : {"materials", "licences", "documents"}) {
    json::value* v = view.if_contains(list);
    if (!v || !v->is_array()) continue;
    for (auto& entry : v->as_array()) {
      if (!entry.is_object()) continue;
      entry.as_object().erase("content_url");
      entry.as_object().erase("pdf_url");
      if (entry.as_object().contains("available")) entry.as_object()["available"] = false;
    }
  }
  view["archived"] = true;
}

// The manifest a package signs: the case (staff view), its legacy messages, and when
// it closed and was archived, by which platform.
json::object Manifest(const Case& k, const std::vector<Message>& messages,
                      const std::string& issuer, SystemTime now) {
  json::object c = CaseJson(k, true, true);
  DropLinks(c);
  json::array ms;
  for (const auto& m : messages) {
    ms.push_back({{"account_id", m.account_id},
                  {"status", m.status},
                  {"code", m.code},
                  {"params", m.params},
                  {"text", m.text},
                  {"created_at", m.created_at},
                  {"read_at", m.read_at}});
  }
  return {{"iss", issuer},
          {"iat", UnixSeconds(now)},
          {"typ", "onewindow-case-archive"},
          {"version", 1},
          {"tracking_no", k.tracking_no},
          {"closed_at", k.updated_at},
          {"archived_at", FormatTime(now)},
          {"case", std::move(c)},
          {"messages", std::move(ms)}};
}

// The JWS's header and payload, decoded; nullopt for something that is not one.
std::optional<std::pair<json::object, std::string>> SplitJws(const std::string& jws) {
  size_t a = jws.find('.');
  size_t b = a == std::string::npos ? a : jws.find('.', a + 1);
  if (b == std::string::npos) return std::nullopt;
  auto header = crypto::Base64UrlDecode(std::string_view(jws).substr(0, a));
  auto payload = crypto::Base64UrlDecode(std::string_view(jws).substr(a + 1, b - a - 1));
  if (!header || !payload) return std::nullopt;
  boost::system::error_code ec;
  json::value h = json::parse(*header, ec);
  if (ec || !h.is_object()) return std::nullopt;
  return std::make_pair(std::move(h.as_object()), std::move(*payload));
}

json::object ParseObjectText(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object();
}

}  // namespace

Result<int64_t> Service::ArchiveClosed(SystemTime closed_before, int64_t limit, SystemTime now) {
  if (!archive_signer_.sign || !archive_signer_.public_key)
    return FailedPrecondition("no signing key for archive packages");
  const std::string cutoff = FormatTime(closed_before);
  std::vector<int64_t> ids;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(ids, store::ArchivableCases(c, cutoff, limit));
    return {};
  }));
  int64_t archived = 0;
  for (int64_t id : ids) {
    OW_ASSIGN_OR_RETURN(bool done, ArchiveOne(id, cutoff, now));
    archived += done ? 1 : 0;
  }
  if (archived > 0) log::Info("cases.archived", {{"count", std::to_string(archived)}});
  return archived;
}

Result<bool> Service::ArchiveOne(int64_t id, const std::string& cutoff, SystemTime now) {
  bool done = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    done = false;
    // The row lock orders this against an operation on the same case (a late close).
    OW_ASSIGN_OR_RETURN(bool exists, store::LockCase(c, id));
    if (!exists) return {};
    OW_ASSIGN_OR_RETURN(Case k, LoadFull(c, id));
    if (!Final(k.status) || !(k.updated_at < cutoff)) return {};
    OW_ASSIGN_OR_RETURN(auto messages, store::LoadCaseMessages(c, id));
    json::object manifest = Manifest(k, messages, archive_signer_.issuer(), now);
    OW_ASSIGN_OR_RETURN(std::string jws, archive_signer_.sign(manifest));
    auto parts = SplitJws(jws);
    if (!parts) return Internal("the archive signer returned no JWS");
    store::ArchiveRow a;
    a.case_id = k.id;
    a.tracking_no = k.tracking_no;
    a.applicant_account_id = k.applicant_account_id;
    a.applicant_enterprise = k.applicant_enterprise;
    a.applicant_name = k.applicant_name;
    a.department_code = k.department_code;
    a.region_code = k.region_code;
    a.item_code = k.item_code;
    a.item_name = k.item_name;
    a.status = k.status;
    a.decision = k.decision;
    a.created_at = k.created_at;
    a.closed_at = k.updated_at;
    a.archived_at = FormatTime(now);
    a.package = jws;
    a.digest = crypto::HexEncode(crypto::Sha256(parts->second));
    const json::value* kid = parts->first.if_contains("kid");
    a.kid = kid && kid->is_string() ? std::string(kid->as_string()) : "";
    auto jwk = archive_signer_.public_key(a.kid);
    if (!jwk) return Internal("the archive signer's public key is unknown");
    a.jwk = json::serialize(*jwk);
    json::object view = CaseJson(k, true, false);
    DropLinks(view);
    a.applicant_view = json::serialize(view);
    OW_RETURN_IF_ERROR(store::InsertArchive(c, a));
    OW_RETURN_IF_ERROR(store::RemoveArchivedCase(c, id));
    if (audit_) {
      OW_RETURN_IF_ERROR(audit_(&c, {"case.archived",
                                     "system",
                                     k.tracking_no,
                                     "success",
                                     "",
                                     {{"digest", a.digest}, {"kid", a.kid}}}));
    }
    done = true;
    return {};
  }));
  return done;
}

bool Service::ArchiveAllowed(const Principal& who, authz::Action action,
                             const std::string& department, const std::string& region,
                             const std::string& account, const std::string& enterprise) {
  authz::Target t;
  t.department_code = department;
  t.region_code = region;
  t.owner_account = account;
  Case k;
  k.applicant_enterprise = enterprise;
  t.operator_of_owner = OperatorRightsOn(who, k);
  return authz::Decide(who, action, t).has_value();
}

namespace {

// The archive row `no` names, when it does.
Result<std::optional<store::ArchiveRow>> FindArchive(db::Database& db, const std::string& no) {
  std::optional<store::ArchiveRow> row;
  auto id = ParseTrackingNo(no);
  if (!id) return row;
  OW_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, store::LoadArchive(c, *id));
    return {};
  }));
  if (row && !SameTrackingNo(row->tracking_no, no)) row.reset();
  return row;
}

}  // namespace

Result<ArchivedCase> Service::GetArchived(const Principal& who, const std::string& no) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kReadArchivedCase));
  OW_ASSIGN_OR_RETURN(auto row, FindArchive(db_, no));
  if (!row ||
      !ArchiveAllowed(who, authz::Action::kReadArchivedCase, row->department_code, row->region_code,
                      row->applicant_account_id, row->applicant_enterprise))
    return NotFound("no archived case " + no);
  ArchivedCase out;
  out.tracking_no = row->tracking_no;
  out.status = row->status;
  out.decision = row->decision;
  out.closed_at = row->closed_at;
  out.archived_at = row->archived_at;
  out.digest = row->digest;
  out.kid = row->kid;
  // Staff and auditors read the case as the package holds it; the applicant and the
  // enterprise's operators as an applicant reads a live case (staff not named).
  out.may_export =
      ArchiveAllowed(who, authz::Action::kExportArchivedCase, row->department_code,
                     row->region_code, row->applicant_account_id, row->applicant_enterprise);
  bool staff = who.kind == identity::kStaff;
  if (staff) {
    auto parts = SplitJws(row->package);
    if (!parts) return Internal("archive package of " + row->tracking_no + " is not a JWS");
    json::object manifest = ParseObjectText(parts->second);
    json::value* c = manifest.if_contains("case");
    if (!c || !c->is_object()) return Internal("archive package has no case");
    out.view = std::move(c->as_object());
  } else {
    out.view = ParseObjectText(row->applicant_view);
  }
  return out;
}

Result<ArchivedList> Service::ListMyArchived(const Principal& who, int64_t page, int64_t per_page) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kReadArchivedCase));
  authz::Target t;
  t.owner_account = who.account_id;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadArchivedCase, t));
  Validator v;
  if (page < 1 || page > 10000) v.Add("page", "must be 1 to 10000");
  if (per_page < 1 || per_page > 100) v.Add("per_page", "must be 1 to 100");
  OW_RETURN_IF_ERROR(v.Finish());
  ArchivedList out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto found, store::ListArchiveOfApplicant(c, who.account_id,
                                                                  (page - 1) * per_page, per_page));
    out.total = found.second;
    for (auto& a : found.first) {
      out.cases.push_back({std::move(a.tracking_no), std::move(a.item_code), std::move(a.item_name),
                           std::move(a.status), std::move(a.decision), std::move(a.created_at),
                           std::move(a.closed_at), std::move(a.archived_at)});
    }
    return {};
  }));
  return out;
}

Result<ArchivePackage> Service::ExportArchived(const Principal& who, const std::string& no) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kExportArchivedCase));
  OW_ASSIGN_OR_RETURN(auto row, FindArchive(db_, no));
  if (!row) return NotFound("no archived case " + no);
  if (!ArchiveAllowed(who, authz::Action::kExportArchivedCase, row->department_code,
                      row->region_code, row->applicant_account_id, row->applicant_enterprise)) {
    // Whoever may read it learns they may not export it; anyone else learns nothing.
    if (ArchiveAllowed(who, authz::Action::kReadArchivedCase, row->department_code,
                       row->region_code, row->applicant_account_id, row->applicant_enterprise))
      return PermissionDenied("only the department's staff and auditors export packages");
    return NotFound("no archived case " + no);
  }
  ArchivePackage out;
  out.tracking_no = row->tracking_no;
  out.package = row->package;
  out.digest = row->digest;
  out.kid = row->kid;
  out.archived_at = row->archived_at;
  out.jwk = ParseObjectText(row->jwk);
  return out;
}

}  // namespace ow::cases
