#include "documents/pades.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>

#include "crypto/cms.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "documents/cairo_internal.h"
#include "documents/pdf_update_internal.h"

namespace ow::documents {
namespace {

using internal::kByteRangeWidth;
using internal::UpdatePlan;

// PDF date "D:YYYYMMDDHHmmSS+08'00'" in the given zone.
std::string PdfDate(std::chrono::system_clock::time_point t, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = floor<seconds>(t) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(local - day);
  const auto off = std::abs(offset.count());
  char buf[64];
  std::snprintf(buf, sizeof buf, "D:%04d%02u%02u%02d%02d%02d%c%02d'%02d'",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                offset.count() < 0 ? '-' : '+', static_cast<int>(off / 60),
                static_cast<int>(off % 60));
  return buf;
}

Status CheckInfo(const SignatureInfo& info) {
  const std::pair<const std::string*, const char*> texts[] = {{&info.name, "signature name"},
                                                              {&info.reason, "reason"},
                                                              {&info.location, "location"},
                                                              {&info.contact, "contact"}};
  for (const auto& [text, what] : texts) {
    OW_RETURN_IF_ERROR(internal::CheckText(*text, kMaxSignatureTextChars, what));
  }
  if (std::chrono::abs(info.utc_offset) > std::chrono::hours(14)) {
    return InvalidArgument("UTC offset out of range");
  }
  if (info.widget) {
    const PdfRect& r = info.widget->rect;
    for (double v : {r.left, r.bottom, r.right, r.top}) {
      if (!std::isfinite(v) || std::abs(v) > 1e6) {
        return InvalidArgument("widget rectangle out of range");
      }
    }
    if (r.right < r.left || r.top < r.bottom) {
      return InvalidArgument("widget rectangle is inverted");
    }
  }
  return {};
}

void AppendBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Runs of consecutive object numbers as "first count" pairs.
std::string Subsections(const std::map<int, size_t>& offsets,
                        const std::function<void(int first, int count)>& each) {
  std::string index;
  for (auto it = offsets.begin(); it != offsets.end();) {
    const int first = it->first;
    int count = 0;
    while (it != offsets.end() && it->first == first + count) {
      ++count;
      ++it;
    }
    index += std::to_string(first) + " " + std::to_string(count) + " ";
    each(first, count);
  }
  return index;
}

// Writes the update after `out` (the original) and returns where /ByteRange's field
// and /Contents' '<' are.
struct Written {
  size_t byte_range = 0;
  size_t contents = 0;
};

Written WriteUpdate(std::string& out, const UpdatePlan& plan) {
  if (out.back() != '\n' && out.back() != '\r') out += '\n';
  std::map<int, size_t> offsets;
  std::map<int, int> gens;
  Written w;
  for (const auto& [num, obj] : plan.objects) {
    offsets[num] = out.size();
    gens[num] = obj.gen;
    out += std::to_string(num) + " " + std::to_string(obj.gen) + " obj\n";
    if (num == plan.sig_num) {
      w.byte_range = out.size() + obj.body.find("/ByteRange ") + 11;
      w.contents = out.size() + obj.body.find("/Contents <") + 10;
    }
    out += obj.body + "\nendobj\n";
  }
  std::string trailer_keys = " /Root " + plan.root_ref + " /Prev " + std::to_string(plan.prev);
  if (!plan.info_ref.empty()) trailer_keys += " /Info " + plan.info_ref;
  if (!plan.id.empty()) trailer_keys += " /ID " + plan.id;

  size_t xref_at = 0;
  if (!plan.xref_stream) {
    xref_at = out.size();
    out += "xref\n";
    Subsections(offsets, [&](int first, int count) {
      out += std::to_string(first) + " " + std::to_string(count) + "\n";
      for (int i = first; i < first + count; ++i) {
        char entry[32];
        std::snprintf(entry, sizeof entry, "%010zu %05d n \n", offsets[i], gens[i]);
        out += entry;
      }
    });
    out += "trailer\n<< /Size " + std::to_string(plan.size) + trailer_keys + " >>\n";
  } else {
    const int xref_num = plan.size;
    xref_at = out.size();
    offsets[xref_num] = xref_at;
    gens[xref_num] = 0;
    std::string entries;
    const std::string index = Subsections(offsets, [&](int first, int count) {
      for (int i = first; i < first + count; ++i) {
        entries += '\x01';
        AppendBigEndian(entries, offsets[i], 4);
        AppendBigEndian(entries, static_cast<uint64_t>(gens[i]), 2);
      }
    });
    out += std::to_string(xref_num) + " 0 obj\n<< /Type /XRef /Size " +
           std::to_string(xref_num + 1) + trailer_keys + " /W [1 4 2] /Index [" + index +
           "] /Length " + std::to_string(entries.size()) + " >>\nstream\n" + entries +
           "\nendstream\nendobj\n";
  }
  out += "startxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  return w;
}

}  // namespace

Result<std::string> SignPdf(std::string_view pdf, const PdfSigner& signer,
                            const SignatureInfo& info) {
  if (pdf.size() > kMaxPdfToSign) {
    return InvalidArgument("the PDF is larger than " + std::to_string(kMaxPdfToSign) + " bytes");
  }
  if (pdf.substr(0, 5) != "%PDF-") return InvalidArgument("not a PDF");
  OW_RETURN_IF_ERROR(CheckInfo(info));

  OW_ASSIGN_OR_RETURN(const UpdatePlan plan,
                      internal::PlanUpdate(pdf, signer, info, PdfDate(info.time, info.utc_offset)));
  // The update uses 4-byte offsets in an xref stream; our size limit keeps far below.
  static_assert(kMaxPdfToSign < (uint64_t{1} << 32) - (uint64_t{1} << 24));

  std::string out(pdf);
  const Written w = WriteUpdate(out, plan);

  // The signed bytes: everything but the /Contents string, '<' and '>' included.
  const size_t gap_begin = w.contents;
  const size_t gap_end = gap_begin + plan.contents_hex + 2;
  const std::string byte_range = "[0 " + std::to_string(gap_begin) + " " + std::to_string(gap_end) +
                                 " " + std::to_string(out.size() - gap_end) + "]";
  if (byte_range.size() > kByteRangeWidth || out[gap_begin] != '<' || out[gap_end - 1] != '>') {
    return Internal("signature placeholder misplaced");
  }
  out.replace(w.byte_range, byte_range.size(), byte_range);

  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view(out).substr(0, gap_begin));
  hasher.Update(std::string_view(out).substr(gap_end));
  OW_ASSIGN_OR_RETURN(const std::string cms, crypto::SignCadesDetachedSha256(
                                                 hasher.Finish(), signer.cert_pem, signer.key_pem,
                                                 signer.chain_pems, info.time));
  const std::string hex = crypto::HexEncode(cms);
  if (hex.size() > plan.contents_hex) return Internal("signature larger than its placeholder");
  out.replace(gap_begin + 1, hex.size(), hex);
  return out;
}

}  // namespace ow::documents
