// The CA and the departments' seals: managed by the security administrator, published
// for verifiers.
#include "authz/authz.h"
#include "core/clock.h"
#include "core/text.h"
#include "crypto/random.h"
#include "documents/seal.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

constexpr int kSealImagePixels = 512;

}  // namespace

Status Service::Bootstrap() { return ring_->Bootstrap(options_.ca_years); }

Result<std::vector<Authority>> Service::Authorities() { return ring_->Authorities(); }

Result<std::optional<SystemTime>> Service::EarliestCertificateExpiry() {
  std::string earliest;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(earliest, store::EarliestActiveNotAfter(c));
    return {};
  }));
  if (earliest.empty()) return std::optional<SystemTime>();
  auto t = ParseTime(earliest);
  if (!t) return Internal("a certificate's not_after is not a time: " + earliest);
  return std::optional<SystemTime>(*t);
}

Result<std::vector<std::string>> Service::Crls(const std::string& algorithm) {
  if (algorithm != kSm2 && algorithm != kP256)
    return Error(Code::kInvalidArgument, "path", {{"algorithm", "must be sm2 or p256"}});
  return ring_->Crls(algorithm);
}

Result<std::vector<Authority>> Service::RotateAuthority(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageSeals));
  OW_RETURN_IF_ERROR(ring_->Rotate(options_.ca_years));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    return audit::Append(c, {"ca.rotated", who.name_for_audit, "", "success", "", "", {}});
  }));
  OW_RETURN_IF_ERROR(ring_->Reload());
  return ring_->Authorities();
}

Result<Seal> Service::CreateSeal(const Principal& who, const SealInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageSeals));
  return NewSeal(who.name_for_audit, in);
}

Result<Seal> Service::EnsureSeal(const SealInput& in, const std::vector<std::string>& holders) {
  OW_ASSIGN_OR_RETURN(auto seals, ListSeals(in.department_code));
  std::string id;
  for (const auto& s : seals)
    if (s.kind == in.kind && s.status == kSealActive) id = s.id;
  if (id.empty()) {
    OW_ASSIGN_OR_RETURN(auto made, NewSeal("bootstrap", in));
    id = made.id;
  }
  for (const auto& username : holders) {
    auto account = identity_.AccountByUsername(username);
    if (!account || account->department_code != in.department_code)
      return InvalidArgument("seal holder " + username + " is not staff of " + in.department_code);
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      return store::AddSealHolder(c, id, account->id, "bootstrap", NowText());
    }));
  }
  return GetSeal(id);
}

Result<Seal> Service::NewSeal(const std::string& actor, const SealInput& in) {
  auto dept = departments_.Get(in.department_code);
  if (!dept) {
    if (dept.error().code == Code::kNotFound)
      return Error(Code::kInvalidArgument, "seal", {{"department_code", "names no department"}});
    return dept.error();
  }
  Seal s;
  s.id = "seal_" + crypto::RandomToken(12);
  s.department_code = dept->code;
  s.department_name = dept->name;
  s.name = in.name.empty() ? dept->name : in.name;
  s.kind = in.kind;
  Validator v;
  size_t n = text::CodePoints(s.name);
  if (n < 1 || n > documents::kSealMaxNameChars)
    v.Add("name", "must be 1 to " + std::to_string(documents::kSealMaxNameChars) + " characters");
  if (s.kind != kSealLicence && s.kind != kSealApproval)
    v.Add("kind", "must be licence or approval");
  OW_RETURN_IF_ERROR(v.Finish("seal"));
  // The image: the department's own, or drawn by the platform as people expect it.
  std::string png;
  if (!in.image_png.empty()) {
    auto uploaded = documents::Seal::FromPng(in.image_png);
    if (!uploaded)
      return Error(Code::kInvalidArgument, "seal", {{"image", uploaded.error().message}});
    png = in.image_png;
    s.image_source = "uploaded";
  } else {
    auto drawn =
        documents::Seal::Drawn({s.name, s.kind == kSealLicence ? "证照专用章" : "行政审批专用章"});
    if (!drawn) return Error(Code::kInvalidArgument, "seal", {{"name", drawn.error().message}});
    auto image = drawn->Png(kSealImagePixels);
    if (!image) {
      if (image.error().code == Code::kFailedPrecondition)
        return Error(Code::kInvalidArgument, "seal", {{"name", image.error().message}});
      return image.error();
    }
    png = std::move(*image);
    s.image_source = "drawn";
  }
  s.status = kSealActive;
  s.created_by = actor;
  s.created_at = NowText();
  OW_ASSIGN_OR_RETURN(auto row, ring_->MakeSeal(s, options_.seal_years));
  row.image = std::move(png);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(store::InsertSeal(c, row));
    return audit::Append(c, {"seal.created", actor, s.id, "success", "", "",
                             json::object{{"department", s.department_code},
                                          {"kind", s.kind},
                                          {"sm2_serial", row.seal.sm2_serial},
                                          {"p256_serial", row.seal.p256_serial}}});
  }));
  OW_RETURN_IF_ERROR(ring_->Reload());
  return GetSeal(s.id);
}

Result<std::vector<Seal>> Service::ListSeals(const std::string& department_code) {
  std::vector<Seal> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::ListSeals(c, department_code));
    return {};
  }));
  for (auto& s : out)
    if (auto d = departments_.Get(s.department_code)) s.department_name = d->name;
  return out;
}

Result<Seal> Service::GetSeal(const std::string& id) {
  std::optional<store::SealRow> row;
  std::vector<std::string> holders;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, store::LoadSeal(c, id, false));
    if (row) {
      OW_ASSIGN_OR_RETURN(holders, store::SealHolders(c, id));
    }
    return {};
  }));
  if (!row) return NotFound("no seal " + id);
  Seal s = std::move(row->seal);
  s.holders = std::move(holders);
  if (auto d = departments_.Get(s.department_code)) s.department_name = d->name;
  return s;
}

Result<std::string> Service::SealImage(const std::string& id) {
  std::optional<std::string> png;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(png, store::SealImage(c, id));
    return {};
  }));
  if (!png) return NotFound("no seal " + id);
  return *png;
}

Result<Seal> Service::SetSealStatus(const Principal& who, const std::string& id, int64_t version,
                                    const std::string& status, const std::string& reason) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageSeals));
  Validator v;
  if (status != kSealActive && status != kSealSuspended && status != kSealRevoked)
    v.Add("status", "must be active, suspended or revoked");
  size_t n = text::CodePoints(reason);
  if (n < 1 || n > 500) v.Add("reason", "is required, at most 500 characters");
  OW_RETURN_IF_ERROR(v.Finish("seal status"));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto row, store::LoadSeal(c, id, false));
    if (!row) return NotFound("no seal " + id);
    if (row->seal.version != version)
      return StaleVersion("seal " + id + " is no longer at version " + std::to_string(version));
    if (row->seal.status == kSealRevoked)
      return FailedPrecondition("seal " + id + " is revoked: revocation is final");
    if (row->seal.status == status) return FailedPrecondition("seal " + id + " is " + status);
    OW_ASSIGN_OR_RETURN(bool set, store::SetSealStatus(c, id, version, status, reason, NowText()));
    if (!set) return StaleVersion("seal " + id + " changed meanwhile");
    return audit::Append(
        c, {"seal." + std::string(status == kSealActive      ? "resumed"
                                  : status == kSealSuspended ? "suspended"
                                                             : "revoked"),
            who.name_for_audit, id, "success", "", "", json::object{{"reason", reason}}});
  }));
  OW_RETURN_IF_ERROR(ring_->Reload());
  return GetSeal(id);
}

Result<Seal> Service::AddSealHolder(const Principal& who, const std::string& id,
                                    const std::string& username) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageSeals));
  OW_ASSIGN_OR_RETURN(auto seal, GetSeal(id));
  auto account = identity_.AccountByUsername(username);
  // Only the department's own staff may use its seal.
  if (!account || account->kind != authz::kStaff ||
      account->department_code != seal.department_code)
    return Error(Code::kInvalidArgument, "seal holder",
                 {{"username", "must name a staff member of department " + seal.department_code}});
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(store::AddSealHolder(c, id, account->id, who.name_for_audit, NowText()));
    return audit::Append(c, {"seal.holder_added", who.name_for_audit, id, "success", "", "",
                             json::object{{"account", account->id}}});
  }));
  return GetSeal(id);
}

Result<Seal> Service::RemoveSealHolder(const Principal& who, const std::string& id,
                                       const std::string& username) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageSeals));
  auto account = identity_.AccountByUsername(username);
  if (!account) return NotFound("no holder " + username + " of seal " + id);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool removed, store::RemoveSealHolder(c, id, account->id));
    if (!removed) return NotFound("no holder " + username + " of seal " + id);
    return audit::Append(c, {"seal.holder_removed", who.name_for_audit, id, "success", "", "",
                             json::object{{"account", account->id}}});
  }));
  return GetSeal(id);
}

}  // namespace ow::licences
