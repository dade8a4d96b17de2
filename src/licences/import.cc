// Bulk import of existing paper licences, digitised by the issuing department: each row
// checked like a licence issued by hand, its paper number kept, the whole batch sealed by
// the department's licence seal in one transaction (all or nothing), at trust level B
// (checked against the original at a counter) or C (from a copy; staff checked the
// original).
#include <set>

#include "authz/authz.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

constexpr size_t kMaxImportRows = 500;

// A paper licence's number as this platform keeps it: ASCII letters (upper case), digits
// and hyphens, 4 to 40 characters, so that it is safe in a URL path, a file name and a
// QR code. Numbers written with other characters are transliterated by the department
// (the original can be kept in a field of the type).
bool ValidImportedNumber(const std::string& n) {
  if (n.size() < 4 || n.size() > 40) return false;
  for (char c : n)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return n.front() != '-' && n.back() != '-';
}

// True when `n` has the form of a number this platform generates for `type` (prefix,
// 6-digit region, year, 6-digit sequence): an import must not take one of those.
bool GeneratedForm(const std::string& n, const LicenceType& type) {
  const std::string& p = type.number_prefix;
  if (n.size() != p.size() + 16 || n.compare(0, p.size(), p) != 0) return false;
  for (size_t i = p.size(); i < n.size(); ++i)
    if (n[i] < '0' || n[i] > '9') return false;
  return true;
}

}  // namespace

Result<std::vector<Licence>> Service::Import(const Principal& who, const ImportInput& in) {
  Validator v;
  if (in.trust_level != "B" && in.trust_level != "C")
    v.Add("trust_level",
          "must be B (checked against the paper original at a counter) or C (from a copy, the "
          "original checked by staff)");
  if (in.rows.empty() || in.rows.size() > kMaxImportRows)
    v.Add("licences", "must hold 1 to " + std::to_string(kMaxImportRows) + " licences");
  if (in.reason.size() > 500) v.Add("reason", "must be at most 500 bytes");
  OW_RETURN_IF_ERROR(v.Finish("import"));

  // The type, region, authorization and department once for the batch; then every row
  // as a licence issued by hand would be, all errors reported at once.
  OW_ASSIGN_OR_RETURN(auto issuer, ResolveIssuer(who, in.type_code, in.region_code));
  std::vector<internal::Issuing> batch;
  std::set<std::string> numbers;
  Validator rows;
  for (size_t i = 0; i < in.rows.size(); ++i) {
    std::string at = "licences/" + std::to_string(i) + "/";
    IssueInput row = in.rows[i];
    row.reason = in.reason;
    auto how = ResolveHolder(issuer, row);
    if (!how) {
      if (how.error().code != Code::kInvalidArgument || how.error().fields.empty())
        return how.error();
      for (const auto& f : how.error().fields) rows.Add(at + f.field, f.message);
      continue;
    }
    std::string number = row.number;
    for (char& c : number)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!ValidImportedNumber(number)) {
      rows.Add(at + "number",
               "must be the paper licence's number: 4 to 40 letters, digits and hyphens");
    } else if (GeneratedForm(number, how->type)) {
      rows.Add(at + "number", "has the form of a number this platform generates for " +
                                  how->type.code + "; keep the paper number");
    } else if (!numbers.insert(number).second) {
      rows.Add(at + "number", "is listed twice");
    }
    how->number = number;
    how->source = "import";
    how->trust_level = in.trust_level;
    batch.push_back(std::move(*how));
  }
  OW_RETURN_IF_ERROR(rows.Finish("import"));

  std::vector<Licence> out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    out.clear();
    Validator taken;
    for (size_t i = 0; i < batch.size(); ++i) {
      OW_ASSIGN_OR_RETURN(auto existing, store::LoadLicence(c, batch[i].number));
      if (existing)
        taken.Add("licences/" + std::to_string(i) + "/number",
                  "licence " + batch[i].number + " exists already");
    }
    OW_RETURN_IF_ERROR(taken.Finish("import"));
    std::string seal;
    for (auto& how : batch) {
      if (seal.empty()) {
        OW_ASSIGN_OR_RETURN(seal, ActiveSealOf(c, how.department_code, kSealLicence));
      }
      how.seal_id = seal;
      OW_ASSIGN_OR_RETURN(auto l, IssueWith(c, how));
      out.push_back(std::move(l));
    }
    return {};
  }));
  return out;
}

}  // namespace ow::licences
