// Licences used for applications: the cases module asks, through cases::LicenceDirectory,
// whether the applicant holds a licence, records the holder's consent with the case, and
// shows staff the licence as it stands now. Nobody proves twice what the government
// already issued.
#include <optional>

#include "authz/authz.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

// What a verifier would say of `l` today: valid, not_yet_valid, suspended, revoked,
// expired, superseded.
std::string StatusNow(const Licence& l) {
  std::string today = FormatDate(ChinaDate(std::chrono::system_clock::now()));
  std::string status = l.Effective(today);
  if (status == kValid && l.valid_from > today) return "not_yet_valid";
  return status;
}

cases::LicenceInfo Info(const Licence& l) {
  cases::LicenceInfo out;
  out.id = l.id;
  out.number = l.number;
  out.type_code = l.type_code;
  out.type_name = l.type_name;
  out.holder_name = l.holder_name;
  out.issuer_name = l.department_name;
  out.valid_from = l.valid_from;
  out.valid_to = l.valid_to;
  out.trust_level = l.trust_level;
  out.status = StatusNow(l);
  return out;
}

}  // namespace

class Service::CaseUse : public cases::LicenceDirectory {
 public:
  explicit CaseUse(Service& s) : s_(s) {}

  Result<cases::LicenceInfo> Usable(const Principal& who, const std::string& enterprise,
                                    const std::string& number) override {
    const Error none = NotFound("no licence " + number);
    OW_RETURN_IF_ERROR(authz::Gate(who, authz::Action::kUseLicence));
    OW_ASSIGN_OR_RETURN(auto found, Load(number));
    if (!found) return none;
    const Licence& l = *found;
    // A person's own application uses the person's licences; an enterprise's, the
    // enterprise's. Holding both does not mix them.
    if ((enterprise.empty() && l.holder_kind != kPerson) ||
        (!enterprise.empty() && (l.holder_kind != kEnterprise || l.holder_id != enterprise)))
      return none;
    OW_ASSIGN_OR_RETURN(auto target, s_.TargetOf(who, l));
    if (!authz::Decide(who, authz::Action::kUseLicence, target)) return none;
    return Info(l);
  }

  Status RecordUse(db::Connection& c, const cases::LicenceUse& use, const std::string& case_no,
                   const std::string& actor) override {
    OW_RETURN_IF_ERROR(store::InsertLicenceEvent(
        c, use.licence_id,
        {NowText(), "used", actor, "", json::object{{"case", case_no}, {"material", use.name}}}));
    return audit::Append(c, {"licence.used", actor, use.number, "success", "", "",
                             json::object{{"case", case_no}, {"type", use.type_code}}});
  }

  Result<std::vector<cases::LicenceInfo>> Current(
      const std::vector<std::string>& numbers) override {
    std::vector<cases::LicenceInfo> out;
    OW_RETURN_IF_ERROR(s_.db_.Read([&](db::Connection& c) -> Status {
      for (const auto& n : numbers) {
        OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, n));
        if (!row) continue;
        OW_ASSIGN_OR_RETURN(auto l, s_.Open(c, *row, false));
        out.push_back(Info(l));
      }
      return {};
    }));
    return out;
  }

  Result<std::string> Pdf(const std::string& number, const std::string& watermark) override {
    OW_ASSIGN_OR_RETURN(auto found, Load(number));
    if (!found) return NotFound("no licence " + number);
    return s_.PdfOf(*found, watermark);
  }

 private:
  // The licence `number` opened, or nullopt when there is none.
  Result<std::optional<Licence>> Load(const std::string& number) {
    std::optional<Licence> out;
    OW_RETURN_IF_ERROR(s_.db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto row, store::LoadLicence(c, number));
      if (!row) return {};
      OW_ASSIGN_OR_RETURN(out, s_.Open(c, *row, false));
      return {};
    }));
    return out;
  }

  Service& s_;
};

cases::LicenceDirectory& Service::ForCases() {
  if (!case_use_) case_use_ = std::make_unique<CaseUse>(*this);
  return *case_use_;
}

}  // namespace ow::licences
