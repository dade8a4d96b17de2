// Sealed PDFs: the seal's picture and the PAdES signature (shared with case documents),
// and a licence as a sealed PDF: rendered from its type's document layout (documents/pdf.h),
// the seal pressed on it and a QR code to verify it, then signed PAdES B-B with the
// seal's P-256 key (documents/pades.h). Made once, on the first download, and kept:
// the same bytes for every later reader.
#include <chrono>
#include <iomanip>
#include <sstream>

#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "documents/pades.h"
#include "documents/pdf.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

std::string Text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) {  // 35.5, not JSON's 3.55E1
    std::ostringstream out;
    out << std::setprecision(12) << v.as_double();
    return out.str();
  }
  if (v.is_bool()) return v.as_bool() ? "是" : "否";
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v.as_array()) out += (out.empty() ? "" : "、") + Text(e);
    return out;
  }
  return "";
}

}  // namespace

Result<std::string> ChineseDate(const std::string& iso) {
  auto d = ParseDate(iso);
  if (!d) return InvalidArgument("not a date: " + iso);
  return documents::FormatChineseDate(std::chrono::year_month_day{
      std::chrono::year{d->year}, std::chrono::month{static_cast<unsigned>(d->month)},
      std::chrono::day{static_cast<unsigned>(d->day)}});
}

Result<documents::Seal> Service::SealPicture(const Seal& seal) {
  if (seal.image_source == "drawn") {
    return documents::Seal::Drawn(
        {seal.name, seal.kind == kSealLicence ? "证照专用章" : "行政审批专用章"});
  }
  OW_ASSIGN_OR_RETURN(auto image, SealImage(seal.id));
  return documents::Seal::FromPng(image);
}

Result<std::string> Service::SealedPdf(const documents::DocumentModel& doc, const Seal& seal,
                                       const std::string& reason, SystemTime at) {
  OW_ASSIGN_OR_RETURN(auto rendered, documents::RenderPdf(doc));
  OW_ASSIGN_OR_RETURN(auto signer, ring_->PdfSignerOf(seal.id));
  documents::SignatureInfo info;
  info.name = seal.name;
  info.reason = reason;
  info.location = doc.issuer;
  info.time = at;
  info.widget = rendered.seal_area;
  return documents::SignPdf(rendered.bytes, {signer.certificate, signer.private_key, signer.chain},
                            info);
}

Result<std::string> Service::LicencePdf(const Principal& who, const std::string& number) {
  OW_ASSIGN_OR_RETURN(Licence l, Get(who, number));
  return PdfOf(l);
}

Result<std::string> Service::PdfOf(const Licence& l, const std::string& watermark) {
  const std::string& number = l.number;
  std::optional<std::string> stored;
  std::optional<store::SealRow> seal;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    if (watermark.empty()) {
      OW_ASSIGN_OR_RETURN(stored, store::LicenceDocument(c, l.id));
    }
    if (!stored) {
      OW_ASSIGN_OR_RETURN(seal, store::LoadSeal(c, l.seal_id, false));
    }
    return {};
  }));
  if (stored) return *stored;
  if (!seal) return Internal("licence " + number + " names a seal that is missing");
  OW_ASSIGN_OR_RETURN(auto type, GetType(l.type_code));

  documents::DocumentModel doc;
  std::string title;
  if (const auto* t = type.document.if_contains("title"); t && t->is_string())
    title = std::string(t->as_string());
  doc.title = title.empty() ? type.name : title;
  doc.licence_number = "编号：" + l.number;
  bool person = l.holder_kind == kPerson;
  doc.fields.push_back({person ? "持证人" : "名称", l.holder_name});
  doc.fields.push_back({person ? "公民身份号码" : "统一社会信用代码", l.holder_id});
  if (const auto* f = type.document.if_contains("fields"); f && f->is_array()) {
    for (const auto& e : f->as_array()) {
      const auto& o = e.as_object();
      std::string field(o.at("field").as_string());
      if (const auto* v = l.fields.if_contains(field); v && !Text(*v).empty())
        doc.fields.push_back({std::string(o.at("label").as_string()), Text(*v)});
    }
  }
  OW_ASSIGN_OR_RETURN(auto from, ChineseDate(l.valid_from));
  std::string until = "长期";
  if (!l.valid_to.empty()) {
    OW_ASSIGN_OR_RETURN(until, ChineseDate(l.valid_to));
  }
  doc.fields.push_back(
      {"有效期限", l.valid_to.empty() ? "自" + from + "起长期有效" : from + "至" + until});
  if (const auto* n = type.document.if_contains("note");
      n && n->is_string() && !n->as_string().empty())
    doc.paragraphs.emplace_back(n->as_string());
  doc.issuer = l.department_name;
  auto issued = ParseTime(l.issued_at);
  if (!issued) return Internal("licence " + number + " has a malformed issue time");
  OW_ASSIGN_OR_RETURN(doc.date, ChineseDate(FormatDate(ChinaDate(*issued))));
  OW_ASSIGN_OR_RETURN(doc.seal, SealPicture(seal->seal));
  doc.qr = documents::QrBlock{QrText(l.qr_payload), "扫码核验"};
  std::string page = QrText("");
  page.pop_back();  // "<public url>/verify"
  doc.footer = "本证照由电子印章签章，扫描二维码或访问 " + page + " 核验真伪和状态";
  doc.metadata.title = doc.title + " " + l.number;
  doc.metadata.author = l.department_name;
  doc.metadata.subject = l.number;
  doc.metadata.creator = "OneWindow";
  doc.metadata.creation_date = *issued;
  if (!watermark.empty()) {
    // A copy for one use (domain.md: A-level copies carry a watermark), signed now and
    // not kept: the watermark names who provided it, for what, and until when.
    doc.watermark = watermark;
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    OW_ASSIGN_OR_RETURN(auto copy, SealedPdf(doc, seal->seal, "电子证照复制件签章", now));
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      return audit::Append(c, SealUse(l.seal_id, "system", "licence.copy_signed", l.number));
    }));
    return copy;
  }

  // The time the seal signed the licence's data: within the certificate's validity, and
  // the same for every rendering.
  OW_ASSIGN_OR_RETURN(auto pdf, SealedPdf(doc, seal->seal, "电子证照签章", *issued));
  std::string sha = crypto::HexEncode(crypto::Sha256(pdf));
  std::optional<std::string> kept;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(store::InsertLicenceDocument(c, l.id, pdf, sha, NowText()));
    OW_ASSIGN_OR_RETURN(kept, store::LicenceDocument(c, l.id));
    // The first rendering is the document; a concurrent one's copy is dropped.
    if (kept && *kept == pdf)
      return audit::Append(c, SealUse(l.seal_id, "system", "licence.pdf_signed", l.number));
    return {};
  }));
  if (!kept) return Internal("licence " + number + ": the document was not kept");
  return *kept;
}

}  // namespace ow::licences
