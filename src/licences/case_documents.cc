// Case documents (cases::DocumentIssuer): the acceptance notice, the notice of non-
// acceptance and the decisions a case's transitions issue.
//
// Issued inside the transaction of the transition: the template that applies is filled
// and the text kept as it was issued (append-only), with its number (文号): the prefix
// (the template's, or the department's name and a kind word), the year in brackets and a
// sequence per prefix and year, e.g. 上城区市场监督管理局受字〔2026〕3号. Sealed on the first
// download with the department's active approval seal (行政审批专用章) and kept, so
// every later reader gets the same bytes; a department without one gets a clear 409
// until its security administrator makes one.
#include <algorithm>
#include <set>

#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "documents/pdf.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

// "2026年12月6日" for an RFC 3339 time or a date; "" when there is none.
std::string DateText(const std::string& s) {
  if (s.empty()) return "";
  std::string day = s.substr(0, 10);
  if (s.size() > 10) {
    auto t = ParseTime(s);
    if (!t) return "";
    day = FormatDate(ChinaDate(*t));
  }
  auto text = ChineseDate(day);
  return text ? *text : "";
}

int Rank(const std::string& kind) { return kind == cases::kAcceptanceNotice ? 0 : 1; }

std::string Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

cases::CaseDocument Summary(const store::CaseDocumentRow& r) {
  cases::CaseDocument d;
  d.kind = r.kind;
  d.number = r.number;
  d.title = r.title;
  d.issued_at = r.issued_at;
  d.department_code = r.department_code;
  d.department_name = Str(r.content, "issuer");
  d.licence_number = Str(r.content, "licence");
  return d;
}

std::vector<std::string> Strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (const auto* a = o.if_contains(key); a && a->is_array())
    for (const auto& v : a->as_array())
      if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

}  // namespace

class Service::CaseDocumentIssuer : public cases::DocumentIssuer {
 public:
  explicit CaseDocumentIssuer(Service& s) : s_(s) {}

  Result<cases::CaseDocument> Issue(db::Connection& c, const cases::Case& k,
                                    const cases::DocumentFacts& f, const std::string& at) override {
    OW_ASSIGN_OR_RETURN(auto tpl, internal::TemplateFor(c, f.kind, k.item_code, f.item_type));
    // Read on `c`: a second connection from inside the case's transaction could wait on
    // a pool that the transactions holding it exhausted.
    std::string department = s_.DepartmentName(c, k.department_code);
    if (department.empty()) department = k.department_code;
    std::string region = s_.lookups_.region_name ? s_.lookups_.region_name(c, k.region_code) : "";
    std::map<std::string, std::string> values{
        {"applicant", k.applicant_name},
        {"applicant_id",
         k.applicant_enterprise.empty() ? k.applicant_id_masked : k.applicant_enterprise},
        {"item", k.item_name},
        {"tracking_no", k.tracking_no},
        {"submitted_on", DateText(k.created_at)},
        {"accepted_on", DateText(k.accepted_on)},
        {"decided_on", DateText(at)},
        {"promised_days", std::to_string(k.promised_days)},
        {"deadline", DateText(k.promised_deadline)},
        {"department", department},
        {"reasons", f.reasons},
        {"licence", f.licence},
        {"reconsideration", region.empty() ? "本级人民政府" : region + "人民政府"},
        {"court", region.empty() ? "有管辖权的人民法院" : region + "人民法院"},
    };
    auto one = [&](const std::string& text) {
      auto lines = internal::FillTemplate(text, values);
      std::string out;
      for (const auto& l : lines) out += l;
      return out;
    };
    std::string title = one(tpl.title);
    if (title.empty()) title = internal::BuiltinTemplate(f.kind, f.item_type).title;
    std::string prefix =
        tpl.number_prefix.empty() ? department + internal::NumberWord(f.kind) : tpl.number_prefix;
    auto when = ParseTime(at);
    if (!when) return Internal("case " + k.tracking_no + ": a malformed time " + at);
    std::string year = std::to_string(static_cast<int>(ChinaDate(*when).year));
    // One sequence per prefix and year: the prefix is the number's namespace.
    OW_ASSIGN_OR_RETURN(int64_t seq, store::NextCounter(c, "doc:" + prefix + ":" + year));
    std::string number = prefix + "〔" + year + "〕" + std::to_string(seq) + "号";

    json::array paragraphs;
    for (auto& p : internal::FillTemplate(tpl.body, values)) paragraphs.emplace_back(p);
    for (auto& p : internal::FillTemplate(tpl.remedy, values)) paragraphs.emplace_back(p);
    store::CaseDocumentRow row;
    row.case_id = k.id;
    row.kind = f.kind;
    row.number = number;
    row.title = title;
    row.department_code = k.department_code;
    row.content = {
        {"addressee", k.applicant_name + "："},
        {"paragraphs", std::move(paragraphs)},
        {"issuer", department},
        {"date", values["decided_on"]},
        {"licence", f.licence},
        {"template",
         json::object{{"kind", tpl.kind}, {"item_code", tpl.item_code}, {"version", tpl.version}}}};
    row.issued_by = f.actor;
    row.issued_at = at;
    OW_RETURN_IF_ERROR(store::InsertCaseDocument(c, row));
    OW_RETURN_IF_ERROR(audit::Append(
        c, {"case_document.issued", f.actor.empty() ? "system" : f.actor, number, "success", "", "",
            json::object{{"case", k.tracking_no}, {"kind", f.kind}}}));
    return Summary(row);
  }

  Result<std::vector<cases::CaseDocument>> Of(db::Connection& c, const cases::Case& k) override {
    OW_ASSIGN_OR_RETURN(auto rows, store::CaseDocuments(c, k.id));
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.issued_at != b.issued_at ? a.issued_at < b.issued_at : Rank(a.kind) < Rank(b.kind);
    });
    std::vector<cases::CaseDocument> out;
    // A document can be had when it is sealed already, or when its department has an
    // active approval seal to seal it now (looked up once per department, and only for
    // documents not yet sealed).
    std::map<std::string, bool> sealable;
    for (const auto& r : rows) {
      auto d = Summary(r);
      d.available = r.sealed;
      if (!d.available) {
        auto it = sealable.find(r.department_code);
        if (it == sealable.end())
          it = sealable
                   .emplace(r.department_code,
                            s_.ActiveSealOf(c, r.department_code, kSealApproval).has_value())
                   .first;
        d.available = it->second;
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  Result<std::string> Pdf(const cases::Case& k, const std::string& kind) override {
    std::optional<std::string> stored;
    std::optional<store::CaseDocumentRow> row;
    std::optional<store::SealRow> seal;
    OW_RETURN_IF_ERROR(s_.db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(stored, store::CaseDocumentFile(c, k.id, kind));
      if (stored) return {};
      OW_ASSIGN_OR_RETURN(auto rows, store::CaseDocuments(c, k.id));
      for (auto& r : rows)
        if (r.kind == kind) row = std::move(r);
      if (!row) return {};
      OW_ASSIGN_OR_RETURN(auto id, s_.ActiveSealOf(c, row->department_code, kSealApproval));
      OW_ASSIGN_OR_RETURN(seal, store::LoadSeal(c, id, false));
      return {};
    }));
    if (stored) return *stored;
    if (!row) return NotFound("case " + k.tracking_no + " has no " + kind + " document");
    if (!seal) return Internal("the approval seal of " + row->department_code + " is missing");

    documents::DocumentModel doc;
    doc.title = row->title;
    doc.document_number = row->number;
    doc.addressee = Str(row->content, "addressee");
    doc.paragraphs = Strings(row->content, "paragraphs");
    doc.issuer = Str(row->content, "issuer");
    doc.date = Str(row->content, "date");
    OW_ASSIGN_OR_RETURN(doc.seal, s_.SealPicture(seal->seal));
    doc.footer = "本文书由" + seal->seal.name + "电子印章签章，办件编号 " + k.tracking_no;
    doc.metadata.title = row->title + " " + row->number;
    doc.metadata.author = doc.issuer;
    doc.metadata.subject = row->number;
    doc.metadata.creator = "OneWindow";
    auto issued = ParseTime(row->issued_at);
    if (!issued) return Internal("document " + row->number + " has a malformed issue time");
    doc.metadata.creation_date = *issued;
    // Signed now, by the seal active now: the seal may have been made after the decision.
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    OW_ASSIGN_OR_RETURN(auto pdf, s_.SealedPdf(doc, seal->seal, "电子文书签章", now));
    std::string sha = crypto::HexEncode(crypto::Sha256(pdf));
    std::optional<std::string> kept;
    OW_RETURN_IF_ERROR(s_.db_.Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(
          store::InsertCaseDocumentFile(c, k.id, kind, pdf, sha, seal->seal.id, NowText()));
      OW_ASSIGN_OR_RETURN(kept, store::CaseDocumentFile(c, k.id, kind));
      // The first rendering is the document; a concurrent one's copy is dropped.
      if (kept && *kept == pdf)
        return audit::Append(
            c, SealUse(seal->seal.id, "system", "case_document.pdf_signed", row->number));
      return {};
    }));
    if (!kept) return Internal("document " + row->number + " was not kept");
    return *kept;
  }

 private:
  Service& s_;
};

cases::DocumentIssuer& Service::CaseDocuments() {
  if (!case_documents_) case_documents_ = std::make_unique<CaseDocumentIssuer>(*this);
  return *case_documents_;
}

}  // namespace ow::licences
