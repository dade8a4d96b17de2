#include <algorithm>
#include <charconv>
#include <cstdio>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <set>

#include "crypto/cms.h"
#include "documents/pdf_update_internal.h"

namespace ow::documents::internal {
namespace {

// At least this many bytes reserved for the CMS, whatever the certificates.
constexpr size_t kMinSignatureBytes = 4096;

std::string Real(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Ref(QPDFObjGen og) {
  return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}
std::string Ref(int num) { return std::to_string(num) + " 0 R"; }

// A PDF text string: PDFDocEncoding for ASCII, UTF-16BE with a BOM otherwise.
std::string TextString(const std::string& utf8) {
  return QPDFObjectHandle::newUnicodeString(utf8).unparse();
}

// `dict` rewritten with some keys replaced or added (values are PDF syntax).
std::string DictWith(QPDFObjectHandle dict, const std::map<std::string, std::string>& changes) {
  std::string out = "<<";
  for (const std::string& key : dict.getKeys()) {
    if (changes.count(key) != 0) continue;
    out += " " + QPDFObjectHandle::newName(key).unparse() + " " + dict.getKey(key).unparse();
  }
  for (const auto& [key, value] : changes) {
    out += " " + QPDFObjectHandle::newName(key).unparse() + " " + value;
  }
  return out + " >>";
}

// The elements of an array (direct or indirect) as PDF syntax, plus `extra`.
std::string ArrayWith(QPDFObjectHandle array, const std::string& extra) {
  std::string out = "[";
  if (array.isArray()) {
    for (QPDFObjectHandle item : array.getArrayAsVector()) out += item.unparse() + " ";
  }
  return out + extra + "]";
}

// The offset after the last "startxref" near the end of the file.
Result<size_t> LastStartXref(std::string_view pdf) {
  const size_t window = std::min<size_t>(pdf.size(), 2048);
  const size_t at = pdf.rfind("startxref", std::string_view::npos);
  if (at == std::string_view::npos || at < pdf.size() - window) {
    return InvalidArgument("no startxref at the end of the PDF");
  }
  size_t pos = at + 9;
  while (pos < pdf.size() && (pdf[pos] == ' ' || pdf[pos] == '\r' || pdf[pos] == '\n')) ++pos;
  size_t value = 0;
  const auto [end, ec] = std::from_chars(pdf.data() + pos, pdf.data() + pdf.size(), value);
  if (ec != std::errc() || end == pdf.data() + pos || value >= pdf.size()) {
    return InvalidArgument("startxref does not point into the PDF");
  }
  return value;
}

// Reads the input with qpdf and decides every object of the update, the signature
// dictionary with placeholders. qpdf reports trouble by exceptions.
Result<UpdatePlan> PlanOrThrow(std::string_view pdf, const PdfSigner& signer,
                               const SignatureInfo& info, const std::string& pdf_date) {
  UpdatePlan plan;
  OW_ASSIGN_OR_RETURN(plan.prev, LastStartXref(pdf));
  // What the last xref section is decides the update's (ISO 32000-1 7.5.8.4: a file
  // with cross-reference streams is updated with one).
  plan.xref_stream = pdf.substr(plan.prev, 4) != "xref";

  QPDF q;
  q.setSuppressWarnings(true);
  q.setAttemptRecovery(false);
  q.processMemoryFile("input.pdf", pdf.data(), pdf.size());
  if (q.isEncrypted()) return InvalidArgument("encrypted PDFs are not signed");
  QPDFObjectHandle trailer = q.getTrailer();
  QPDFObjectHandle root = q.getRoot();
  if (!root.isDictionary() || !root.isIndirect()) return InvalidArgument("PDF without a catalog");
  QPDFObjectHandle size = trailer.getKey("/Size");
  if (!size.isInteger() || size.getIntValue() < 1 || size.getIntValue() > 8'000'000) {
    return InvalidArgument("PDF trailer without a valid /Size");
  }
  int next = static_cast<int>(size.getIntValue());
  const std::vector<QPDFObjectHandle>& pages = q.getAllPages();
  const int page_index = info.widget ? info.widget->page_index : 0;
  if (page_index < 0 || static_cast<size_t>(page_index) >= pages.size()) {
    return InvalidArgument("the signature's page does not exist");
  }
  QPDFObjectHandle page = pages[static_cast<size_t>(page_index)];

  // The field's name must differ from every other top-level field's.
  QPDFObjectHandle acroform = root.getKey("/AcroForm");
  QPDFObjectHandle fields =
      acroform.isDictionary() ? acroform.getKey("/Fields") : QPDFObjectHandle::newNull();
  std::set<std::string> names;
  if (fields.isArray()) {
    for (QPDFObjectHandle f : fields.getArrayAsVector()) {
      if (f.isDictionary() && f.getKey("/T").isString())
        names.insert(f.getKey("/T").getUTF8Value());
    }
  }
  int n = 1;
  while (names.count("Signature" + std::to_string(n)) != 0) ++n;
  const std::string field_name = "(Signature" + std::to_string(n) + ")";

  plan.sig_num = next++;
  const int widget_num = next++;
  const size_t reserve = std::max(
      kMinSignatureBytes, crypto::MaxCadesSignatureSize(signer.cert_pem, signer.chain_pems));
  if (reserve > kMaxPdfSignatureBytes) {
    return InvalidArgument("the signer's certificates are too large");
  }
  plan.contents_hex = 2 * reserve;

  std::string sig = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached";
  sig += " /M " + TextString(pdf_date);
  if (!info.name.empty()) sig += " /Name " + TextString(info.name);
  if (!info.reason.empty()) sig += " /Reason " + TextString(info.reason);
  if (!info.location.empty()) sig += " /Location " + TextString(info.location);
  if (!info.contact.empty()) sig += " /ContactInfo " + TextString(info.contact);
  sig += " /ByteRange " + std::string(kByteRangeWidth, ' ');
  sig += " /Contents <" + std::string(plan.contents_hex, '0') + "> >>";
  plan.objects[plan.sig_num] = {0, sig};

  std::string widget = "<< /Type /Annot /Subtype /Widget /FT /Sig /T " + field_name + " /V " +
                       Ref(plan.sig_num) + " /P " + Ref(page.getObjGen()) + " /F 132";
  if (info.widget) {
    const PdfRect& r = info.widget->rect;
    // An empty appearance: the seal is already part of the page's content.
    const int ap_num = next++;
    plan.objects[ap_num] = {0, "<< /Type /XObject /Subtype /Form /BBox [0 0 " + Real(r.width()) +
                                   " " + Real(r.height()) +
                                   "] /Resources << >> /Length 0 >>\nstream\n\nendstream"};
    widget += " /Rect [" + Real(r.left) + " " + Real(r.bottom) + " " + Real(r.right) + " " +
              Real(r.top) + "] /AP << /N " + Ref(ap_num) + " >>";
  } else {
    widget += " /Rect [0 0 0 0]";
  }
  plan.objects[widget_num] = {0, widget + " >>"};

  const QPDFObjGen page_og = page.getObjGen();
  // qpdf copies a page object that the page tree lists twice; such a copy is not in
  // the file and cannot be updated.
  if (!page.isIndirect() || page_og.getObj() >= static_cast<int>(size.getIntValue())) {
    return InvalidArgument("the page tree lists a page twice");
  }
  plan.objects[page_og.getObj()] = {
      page_og.getGen(),
      DictWith(page, {{"/Annots", ArrayWith(page.getKey("/Annots"), Ref(widget_num))}})};

  std::map<std::string, std::string> form_changes = {
      {"/Fields", ArrayWith(fields, Ref(widget_num))}};
  QPDFObjectHandle flags =
      acroform.isDictionary() ? acroform.getKey("/SigFlags") : QPDFObjectHandle::newNull();
  form_changes["/SigFlags"] = std::to_string((flags.isInteger() ? flags.getIntValue() : 0) | 3);
  const std::string form = DictWith(
      acroform.isDictionary() ? acroform : QPDFObjectHandle::newDictionary(), form_changes);
  std::map<std::string, std::string> catalog_changes;
  if (acroform.isDictionary() && acroform.isIndirect()) {
    const QPDFObjGen og = acroform.getObjGen();
    plan.objects[og.getObj()] = {og.getGen(), form};
  } else {
    const int form_num = next++;
    plan.objects[form_num] = {0, form};
    catalog_changes["/AcroForm"] = Ref(form_num);
  }
  // ETSI.CAdES.detached belongs to PDF 1.7 extension level 2 / PDF 2.0.
  QPDFObjectHandle version = root.getKey("/Version");
  const std::string effective =
      std::max(q.getPDFVersion(), version.isName() ? version.getName().substr(1) : "");
  if (effective < "1.7") catalog_changes["/Version"] = "/1.7";
  if (!catalog_changes.empty()) {
    const QPDFObjGen og = root.getObjGen();
    plan.objects[og.getObj()] = {og.getGen(), DictWith(root, catalog_changes)};
  }

  plan.size = next;
  plan.root_ref = Ref(root.getObjGen());
  if (trailer.getKey("/Info").isIndirect())
    plan.info_ref = Ref(trailer.getKey("/Info").getObjGen());
  if (trailer.getKey("/ID").isArray()) plan.id = trailer.getKey("/ID").unparse();
  if (q.anyWarnings()) return InvalidArgument("the PDF is damaged");
  return plan;
}

}  // namespace

Result<UpdatePlan> PlanUpdate(std::string_view pdf, const PdfSigner& signer,
                              const SignatureInfo& info, const std::string& pdf_date) {
  try {
    return PlanOrThrow(pdf, signer, info, pdf_date);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("not a PDF that can be signed: ") + e.what());
  }
}

}  // namespace ow::documents::internal
