// Sharing a licence with a third party: the holder makes a time-limited code; whoever
// presents it sees the licence and its status until it expires or is revoked. The code is
// given once and stored only as its SHA-256; every view is counted.
#include "authz/authz.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

constexpr int64_t kMaxShareHours = 24 * 30;
constexpr size_t kCodeBytes = 24;  // 192 bits: not guessable, 32 characters

std::string CodeHash(const std::string& code) { return crypto::HexEncode(crypto::Sha256(code)); }

}  // namespace

// The licence `who` may share: its holder, or an operator of the holding enterprise with
// the apply or manage right. Others learn nothing (404).
Result<Licence> Service::ShareableLicence(db::Connection& c, const Principal& who,
                                          const std::string& number) {
  OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kShareLicence));
  OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, number));
  if (!row) return NotFound("no licence " + number);
  OW_ASSIGN_OR_RETURN(auto l, Open(c, *row, false));
  OW_ASSIGN_OR_RETURN(auto target, TargetOf(who, l));
  if (!authz::Decide(who, authz::Action::kShareLicence, target))
    return NotFound("no licence " + number);
  return l;
}

Result<NewShare> Service::ShareLicence(const Principal& who, const std::string& number,
                                       int64_t hours) {
  if (hours < 1 || hours > kMaxShareHours)
    return Error(Code::kInvalidArgument, "share",
                 {{"hours", "must be 1 to " + std::to_string(kMaxShareHours)}});
  NewShare out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto l, ShareableLicence(c, who, number));
    auto now = std::chrono::system_clock::now();
    out.code = crypto::RandomToken(kCodeBytes);
    out.share = {"shr_" + crypto::RandomToken(12),
                 l.id,
                 who.name_for_audit,
                 FormatTime(now),
                 FormatTime(now + std::chrono::hours(hours)),
                 "",
                 0,
                 ""};
    OW_RETURN_IF_ERROR(store::InsertShare(c, out.share, CodeHash(out.code)));
    OW_RETURN_IF_ERROR(store::InsertLicenceEvent(
        c, l.id,
        {out.share.created_at, "shared", who.name_for_audit, "",
         json::object{{"share", out.share.id}, {"expires_at", out.share.expires_at}}}));
    return audit::Append(c, {"licence.shared", who.name_for_audit, number, "success", "", "",
                             json::object{{"share", out.share.id}, {"hours", hours}}});
  }));
  std::string base = QrText("");
  base.resize(base.size() - std::string("/verify#").size());
  out.url = base + "/licence-shares#" + out.code;
  return out;
}

Result<std::vector<Share>> Service::Shares(const Principal& who, const std::string& number) {
  std::vector<Share> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto l, ShareableLicence(c, who, number));
    OW_ASSIGN_OR_RETURN(out, store::SharesOf(c, l.id));
    return {};
  }));
  return out;
}

Status Service::RevokeShare(const Principal& who, const std::string& number,
                            const std::string& id) {
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto l, ShareableLicence(c, who, number));
    std::string now = NowText();
    OW_ASSIGN_OR_RETURN(bool revoked, store::RevokeShare(c, l.id, id, now));
    if (!revoked) return NotFound("no live share " + id + " of licence " + number);
    OW_RETURN_IF_ERROR(store::InsertLicenceEvent(
        c, l.id, {now, "share_revoked", who.name_for_audit, "", json::object{{"share", id}}}));
    return audit::Append(c, {"licence.share_revoked", who.name_for_audit, number, "success", "", "",
                             json::object{{"share", id}}});
  });
}

Result<SharedLicence> Service::OpenShare(const std::string& code) {
  // Every wrong, expired or revoked code answers alike.
  const Error gone = NotFound("no such share: it may have expired or been revoked");
  if (code.size() != 32 || !crypto::Base64UrlDecode(code)) return gone;
  SharedLicence out;
  std::string now = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto share, store::ShareByCode(c, CodeHash(code)));
    if (!share || !share->revoked_at.empty() || share->expires_at <= now) return gone;
    OW_ASSIGN_OR_RETURN(auto row, store::LoadLicenceById(c, share->licence_id));
    if (!row) return gone;
    OW_ASSIGN_OR_RETURN(out.licence, Open(c, *row, false));
    OW_RETURN_IF_ERROR(store::CountShareView(c, share->id, now));
    out.share = *share;
    out.share.views += 1;
    out.share.last_viewed_at = now;
    return {};
  }));
  return out;
}

}  // namespace ow::licences
