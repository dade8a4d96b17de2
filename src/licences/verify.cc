// Verification of a licence's QR payload: by anyone, offline-equivalent checks first
// (the seal's signature, its certificate chain), then the licence's status now.
#include "core/calendar.h"
#include "core/clock.h"
#include "licences/payload.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {
// A code that fails verification is a well-formed request the platform refuses: 422
// naming the payload, not 401 (nobody's credentials are at issue).
Error Refused(const std::string& why) {
  return Error(Code::kInvalidArgument, "the code is not a genuine licence of this platform",
               {{"payload", why}});
}
}  // namespace

Result<Verification> Service::Verify(const std::string& text) {
  OW_ASSIGN_OR_RETURN(auto p, ParsePayload(text));
  auto now = std::chrono::system_clock::now();
  // kUnauthenticated for an unknown seal, a certificate not chaining to the CA, or a
  // signature that does not verify.
  auto checked = ring_->VerifySm2(p.claims.seal_id, p.signing_input, p.signature, p.claims.issued);
  if (!checked) {
    if (checked.error().code == Code::kUnauthenticated) return Refused(checked.error().message);
    return checked.error();
  }
  Seal seal = std::move(*checked);
  std::optional<store::StatusRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, store::LicenceStatus(c, p.claims.number));
    return {};
  }));
  if (!row) return Refused("no licence " + p.claims.number + " was issued here");
  // The code must be the one issued: a genuine signature over other claims (a seal's key
  // misused) does not make a licence.
  if (row->qr_payload.compare(0, p.signing_input.size() + 1, p.signing_input + ".") != 0 ||
      row->seal_id != p.claims.seal_id)
    return Refused("the code does not match licence " + p.claims.number + " as issued");
  Verification v;
  v.genuine = true;
  v.number = p.claims.number;
  v.type_code = row->type_code;
  v.type_name = row->type_name;
  v.department_code = row->department_code;
  v.department_name = DepartmentName(row->department_code);
  v.holder_masked = row->holder_masked;
  v.valid_from = row->valid_from;
  v.valid_to = row->valid_to;
  v.issued = p.claims.issued;
  v.seal = std::move(seal);
  std::string today = FormatDate(ChinaDate(now));
  Licence l;
  l.status = row->status;
  l.valid_to = row->valid_to;
  v.status = l.Effective(today);
  if (v.status == kValid && row->valid_from > today) v.status = "not_yet_valid";
  v.valid = v.status == kValid && v.seal.status != kSealRevoked;
  v.checked_at = FormatTime(now);
  return v;
}

}  // namespace ow::licences
