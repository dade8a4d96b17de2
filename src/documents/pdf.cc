#include "documents/pdf.h"

#include <cairo-pdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <variant>

#include "documents/cairo_internal.h"
#include "documents/qr.h"

namespace ow::documents {
namespace {

using internal::FromPango;
using internal::LayoutPtr;
using internal::ToPango;

// A4 and the type area of GB/T 9704 (156 mm wide), with somewhat smaller top and
// bottom margins to leave room for a licence table.
constexpr double kPageWidth = 210 * kPointsPerMm;
constexpr double kPageHeight = 297 * kPointsPerMm;
constexpr double kMarginLeft = 28 * kPointsPerMm;
constexpr double kMarginRight = 26 * kPointsPerMm;
constexpr double kMarginTop = 30 * kPointsPerMm;
constexpr double kMarginBottom = 30 * kPointsPerMm;
constexpr double kBodyWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr double kBodyBottom = kPageHeight - kMarginBottom;
constexpr double kFooterBaseline = kPageHeight - 18 * kPointsPerMm;
constexpr double kPageNumberBaseline = kPageHeight - 11 * kPointsPerMm;
constexpr double kSmallSize = 10.5;  // 五号: footer, page numbers, QR caption
constexpr double kWatermarkSize = 36;
// Noto CJK's ideographic em box lies 0.88 em above and 0.12 em below the baseline.
constexpr double kEmAboveBaseline = 0.88;

// Drawing operations, planned for every page before any is drawn (the footer needs
// the page count).
struct LineOp {  // one line of a layout, its baseline's left end at (x, baseline)
  PangoLayout* layout;
  int line;
  double x;
  double baseline;
};
struct BlockOp {  // a whole layout, its top-left corner at (x, y)
  PangoLayout* layout;
  double x;
  double y;
};
struct CellOp {  // a table cell's frame
  double x;
  double y;
  double width;
  double height;
  bool shaded;
};
struct SealOp {
  double cx;
  double cy;
  double diameter;
};
struct QrOp {
  double x;
  double y;
  double size;
};
using Op = std::variant<LineOp, BlockOp, CellOp, SealOp, QrOp>;

struct Page {
  std::vector<Op> ops;
};

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// The local time of `t` in the zone `offset` east of UTC, "YYYYMMDDHHmmSS".
std::string LocalDigits(std::chrono::system_clock::time_point t, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = floor<seconds>(t) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(local - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

// ISO 8601 local time with its offset, as cairo wants the creation date.
std::string IsoDate(std::chrono::system_clock::time_point t, std::chrono::minutes offset) {
  const std::string d = LocalDigits(t, offset);
  const auto off = std::abs(offset.count());
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset.count() < 0 ? '-' : '+',
                static_cast<int>(off / 60), static_cast<int>(off % 60));
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" + d.substr(8, 2) + ":" +
         d.substr(10, 2) + ":" + d.substr(12, 2) + zone;
}

// cairo 1.16 writes the creation date without the "D:" prefix that ISO 32000-1 7.9.4
// requires (cairo 1.17.2 fixed it). The corrected date is never longer than cairo's, and
// spaces after it keep the file's length, so no offset in the xref table moves. A
// cairo that writes "D:" is left alone.
void FixCreationDate(std::string& pdf, const PdfMetadata& m) {
  static constexpr std::string_view kKey = "/CreationDate (";
  const size_t at = pdf.find(kKey);
  if (at == std::string::npos || pdf.find(kKey, at + 1) != std::string::npos) return;
  const size_t begin = at + kKey.size();
  const size_t end = pdf.find(')', begin);
  if (end == std::string::npos || pdf.compare(begin, 2, "D:") == 0) return;
  const auto minutes = m.utc_offset.count();
  std::string fixed;
  if (minutes == 0 || minutes % 60 != 0) {
    fixed = "D:" + LocalDigits(m.creation_date, std::chrono::minutes(0)) + "Z";
  } else {
    char zone[8];
    std::snprintf(zone, sizeof zone, "%c%02d", minutes < 0 ? '-' : '+',
                  static_cast<int>(std::abs(minutes) / 60));
    fixed = "D:" + LocalDigits(m.creation_date, m.utc_offset) + zone;
  }
  const size_t old_length = end - begin;
  if (fixed.size() > old_length) return;
  pdf.replace(begin, old_length + 1, fixed + ")" + std::string(old_length - fixed.size(), ' '));
}

Status CheckSize(double v, double lo, double hi, const char* what) {
  if (!(v >= lo && v <= hi)) {
    return InvalidArgument(std::string("style: ") + what + " out of range");
  }
  return {};
}

Status Validate(const DocumentModel& doc, const PdfStyle& style) {
  using internal::CheckText;
  if (doc.title.empty()) return InvalidArgument("the document needs a title");
  OW_RETURN_IF_ERROR(CheckText(doc.title, kMaxTitleChars, "title"));
  const std::pair<const std::string*, const char*> lines[] = {
      {&doc.document_number, "document number"},
      {&doc.licence_number, "licence number"},
      {&doc.addressee, "addressee"},
      {&doc.issuer, "issuer"},
      {&doc.date, "date"},
      {&doc.footer, "footer"},
      {&doc.watermark, "watermark"}};
  for (const auto& [text, what] : lines) {
    OW_RETURN_IF_ERROR(CheckText(*text, kMaxLineChars, what));
  }
  if (doc.paragraphs.size() > kMaxParagraphs) return InvalidArgument("too many paragraphs");
  size_t body = 0;
  for (const std::string& p : doc.paragraphs) {
    OW_RETURN_IF_ERROR(CheckText(p, kMaxBodyChars, "paragraph", /*allow_newlines=*/true));
    body += internal::CountChars(p);
  }
  if (body > kMaxBodyChars) return InvalidArgument("the body text is too long");
  if (doc.fields.size() > kMaxFields) return InvalidArgument("too many fields");
  for (const LabelledField& f : doc.fields) {
    if (f.label.empty()) return InvalidArgument("a field has no label");
    OW_RETURN_IF_ERROR(CheckText(f.label, kMaxLabelChars, "field label"));
    OW_RETURN_IF_ERROR(CheckText(f.value, kMaxValueChars, "field value", true));
  }
  if (doc.qr) OW_RETURN_IF_ERROR(CheckText(doc.qr->caption, kMaxLineChars, "QR caption"));
  const PdfMetadata& m = doc.metadata;
  for (const std::string* s : {&m.title, &m.author, &m.subject, &m.keywords, &m.creator}) {
    OW_RETURN_IF_ERROR(CheckText(*s, 1000, "metadata"));
  }
  if (std::chrono::abs(m.utc_offset) > std::chrono::hours(14)) {
    return InvalidArgument("metadata: UTC offset out of range");
  }
  if (style.serif_family.empty() || style.sans_family.empty()) {
    return InvalidArgument("style: font family is empty");
  }
  OW_RETURN_IF_ERROR(CheckText(style.serif_family, 100, "style: serif family"));
  OW_RETURN_IF_ERROR(CheckText(style.sans_family, 100, "style: sans family"));
  OW_RETURN_IF_ERROR(CheckSize(style.title_size, 8, 48, "title size"));
  OW_RETURN_IF_ERROR(CheckSize(style.body_size, 8, 32, "body size"));
  OW_RETURN_IF_ERROR(CheckSize(style.table_size, 8, 32, "table size"));
  OW_RETURN_IF_ERROR(CheckSize(style.line_spacing, 1, 3, "line spacing"));
  OW_RETURN_IF_ERROR(CheckSize(style.seal_diameter_mm, 20, 60, "seal diameter"));
  OW_RETURN_IF_ERROR(CheckSize(style.qr_size_mm, 15, 60, "QR size"));
  return {};
}

struct TextSpec {
  const std::string* family = nullptr;
  double size = 0;
  bool bold = false;
  double width = -1;  // wrap width in points; -1: one line per paragraph
  PangoAlignment align = PANGO_ALIGN_LEFT;
  bool justify = false;
  double indent = 0;  // first line of each paragraph
};

class Renderer {
 public:
  Renderer(const DocumentModel& doc, const PdfStyle& style, cairo_t* cr, std::optional<QrCode> qr)
      : doc_(doc), style_(style), cr_(cr), qr_(std::move(qr)) {}

  Status Plan() {
    OW_RETURN_IF_ERROR(NewPage());
    const double body = style_.body_size;
    const double pitch = body * style_.line_spacing;
    const TextSpec title{&style_.serif_family, style_.title_size, true, kBodyWidth,
                         PANGO_ALIGN_CENTER};
    OW_RETURN_IF_ERROR(Flow(doc_.title, title, style_.title_size * 1.6, "title"));
    TextSpec number{&style_.serif_family, body, false, kBodyWidth, PANGO_ALIGN_CENTER};
    if (!doc_.document_number.empty()) {
      y_ += body * 0.3;
      OW_RETURN_IF_ERROR(Flow(doc_.document_number, number, pitch, "document number"));
    }
    if (!doc_.licence_number.empty()) {
      number.align = PANGO_ALIGN_RIGHT;
      OW_RETURN_IF_ERROR(Flow(doc_.licence_number, number, pitch, "licence number"));
    }
    y_ += body * 0.8;
    const TextSpec left{&style_.serif_family, body, false, kBodyWidth};
    OW_RETURN_IF_ERROR(Flow(doc_.addressee, left, pitch, "addressee"));
    // Justified, with the customary two-character first-line indent.
    const TextSpec paragraph{&style_.serif_family, body, false,   kBodyWidth,
                             PANGO_ALIGN_LEFT,     true, 2 * body};
    for (const std::string& p : doc_.paragraphs) {
      OW_RETURN_IF_ERROR(Flow(p, paragraph, pitch, "paragraph"));
    }
    OW_RETURN_IF_ERROR(Table());
    return SignatureBlock();
  }

  Status Draw(const std::optional<Seal>& seal) {
    const int count = page_count();
    for (int i = 0; i < count; ++i) {
      OW_RETURN_IF_ERROR(Decorations(i, count));
      for (const Op& op : pages_[static_cast<size_t>(i)].ops) {
        OW_RETURN_IF_ERROR(std::visit([&](const auto& o) { return DrawOp(o, seal); }, op));
      }
      cairo_show_page(cr_);
      OW_RETURN_IF_ERROR(internal::CairoStatus(cr_, "drawing a page"));
    }
    return {};
  }

  int page_count() const { return static_cast<int>(pages_.size()); }
  const std::optional<PageArea>& seal_area() const { return seal_area_; }

 private:
  Result<PangoLayout*> Text(std::string_view text, const TextSpec& spec, std::string_view what) {
    internal::FontDescriptionPtr font = internal::Font(*spec.family, spec.size, spec.bold);
    layouts_.push_back(internal::NewLayout(cr_, font.get()));
    PangoLayout* layout = layouts_.back().get();
    if (spec.width > 0) {
      pango_layout_set_width(layout, ToPango(spec.width));
      pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(layout, spec.align);
    pango_layout_set_justify(layout, spec.justify ? TRUE : FALSE);
    pango_layout_set_indent(layout, ToPango(spec.indent));
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    OW_RETURN_IF_ERROR(internal::CheckGlyphs(layout, what));
    return layout;
  }

  Status NewPage() {
    if (page_count() == kMaxPages) {
      return InvalidArgument("the document would be longer than " + std::to_string(kMaxPages) +
                             " pages");
    }
    pages_.emplace_back();
    y_ = kMarginTop;
    return {};
  }

  std::vector<Op>& ops() { return pages_.back().ops; }

  // The baseline of a line of `size` text centred in a band of height `pitch`.
  static double Baseline(double top, double size, double pitch) {
    return top + (pitch - size) / 2 + kEmAboveBaseline * size;
  }

  // Places `text` line by line at a fixed pitch, starting new pages as needed.
  Status Flow(std::string_view text, const TextSpec& spec, double pitch, std::string_view what) {
    if (text.empty()) return {};
    OW_ASSIGN_OR_RETURN(PangoLayout * layout, Text(text, spec, what));
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    int line = 0;
    Status status;
    do {
      if (y_ + pitch > kBodyBottom) {
        status = NewPage();
        if (!status) break;
      }
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      ops().emplace_back(LineOp{layout, line++, kMarginLeft + FromPango(logical.x),
                                Baseline(y_, spec.size, pitch)});
      y_ += pitch;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    return status;
  }

  static double Height(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return FromPango(logical.height);
  }
  static double NaturalWidth(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return FromPango(logical.width);
  }

  // The licence's fields as a two-column table; rows never split across pages.
  Status Table() {
    if (doc_.fields.empty()) return {};
    y_ += style_.body_size * 0.5;
    const double size = style_.table_size;
    const double pad = 0.45 * size;
    TextSpec label{&style_.serif_family, size, true};
    double widest = 0;
    for (const LabelledField& f : doc_.fields) {
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(f.label, label, "field label"));
      widest = std::max(widest, NaturalWidth(l));
    }
    layouts_.erase(layouts_.end() - static_cast<std::ptrdiff_t>(doc_.fields.size()),
                   layouts_.end());
    const double label_width = std::clamp(widest + 2 * pad, 0.22 * kBodyWidth, 0.38 * kBodyWidth);
    label.width = label_width - 2 * pad;
    label.align = PANGO_ALIGN_CENTER;
    const TextSpec value{&style_.serif_family, size, false, kBodyWidth - label_width - 2 * pad};
    for (const LabelledField& f : doc_.fields) {
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(f.label, label, "field label"));
      OW_ASSIGN_OR_RETURN(PangoLayout * v, Text(f.value, value, "field value"));
      const double lh = Height(l);
      const double vh = Height(v);
      const double row = std::max(lh, vh) + 2 * pad;
      if (row > kBodyBottom - kMarginTop) {
        return InvalidArgument("the field \"" + f.label + "\" is taller than a page");
      }
      if (y_ + row > kBodyBottom) OW_RETURN_IF_ERROR(NewPage());
      ops().emplace_back(CellOp{kMarginLeft, y_, label_width, row, true});
      ops().emplace_back(
          CellOp{kMarginLeft + label_width, y_, kBodyWidth - label_width, row, false});
      ops().emplace_back(BlockOp{l, kMarginLeft + pad, y_ + (row - lh) / 2});
      ops().emplace_back(BlockOp{v, kMarginLeft + label_width + pad, y_ + (row - vh) / 2});
      y_ += row;
    }
    return {};
  }

  // The issuer's name and the date, right of centre, the seal pressed over them so
  // that they sit a little below its centre (GB/T 9704 7.3.5.1), and the QR code on
  // the left. Kept together, on the last page.
  Status SignatureBlock() {
    const bool has_seal = doc_.seal.has_value();
    if (!has_seal && doc_.issuer.empty() && doc_.date.empty() && !qr_) return {};
    const double size = style_.body_size;
    const double pitch = size * style_.line_spacing;
    const double diameter = style_.seal_diameter_mm * kPointsPerMm;
    const TextSpec spec{&style_.serif_family, size};
    std::vector<PangoLayout*> lines;
    for (const auto& [text, what] :
         {std::pair{&doc_.issuer, "issuer"}, std::pair{&doc_.date, "date"}}) {
      if (text->empty()) continue;
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(*text, spec, what));
      if (NaturalWidth(l) > kBodyWidth * 0.6) {
        return InvalidArgument(std::string("the ") + what + " is too long for one line");
      }
      lines.push_back(l);
    }
    const double pair_height = static_cast<double>(lines.size()) * pitch;
    // Relative to the block's top.
    const double pair_top = has_seal ? diameter / 2 + 0.12 * diameter - pair_height / 2 : 0;
    const double qr_size = style_.qr_size_mm * kPointsPerMm;
    PangoLayout* caption = nullptr;
    if (qr_ && !doc_.qr->caption.empty()) {
      const TextSpec small{&style_.sans_family, kSmallSize, false, qr_size, PANGO_ALIGN_CENTER};
      OW_ASSIGN_OR_RETURN(caption, Text(doc_.qr->caption, small, "QR caption"));
    }
    const double qr_height = qr_ ? qr_size + (caption ? 2 + Height(caption) : 0) : 0;
    const double height = std::max({has_seal ? diameter : 0, pair_top + pair_height, qr_height});
    if (height > kBodyBottom - kMarginTop) return Internal("signature block taller than a page");

    double top = y_ + pitch * 0.5;
    if (top + height > kBodyBottom) {
      OW_RETURN_IF_ERROR(NewPage());
      top = y_;
    }
    // The date ends four characters from the right margin; the issuer's name and the
    // seal are centred on the date (or on the name, without a date).
    const double right = kMarginLeft + kBodyWidth - 4 * size;
    const double anchor_width = lines.empty() ? diameter : NaturalWidth(lines.back());
    const double centre = std::min(right - anchor_width / 2, kPageWidth - diameter / 2);
    for (size_t i = 0; i < lines.size(); ++i) {
      const double w = NaturalWidth(lines[i]);
      const double x = std::clamp(centre - w / 2, kMarginLeft, kMarginLeft + kBodyWidth - w);
      ops().emplace_back(LineOp{
          lines[i], 0, x, Baseline(top + pair_top + static_cast<double>(i) * pitch, size, pitch)});
    }
    if (qr_) {
      ops().emplace_back(QrOp{kMarginLeft, top, qr_size});
      if (caption) ops().emplace_back(BlockOp{caption, kMarginLeft, top + qr_size + 2});
    }
    if (has_seal) {
      const double cy = top + diameter / 2;
      ops().emplace_back(SealOp{centre, cy, diameter});
      seal_area_ = PageArea{page_count() - 1,
                            PdfRect{centre - diameter / 2, kPageHeight - (cy + diameter / 2),
                                    centre + diameter / 2, kPageHeight - (cy - diameter / 2)}};
    }
    y_ = top + height;
    return {};
  }

  Status Decorations(int index, int count) {
    if (!doc_.watermark.empty()) {
      const TextSpec spec{&style_.sans_family, kWatermarkSize};
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(doc_.watermark, spec, "watermark"));
      const double w = NaturalWidth(l);
      cairo_save(cr_);
      cairo_translate(cr_, kPageWidth / 2, kPageHeight / 2);
      cairo_rotate(cr_, -std::numbers::pi / 6);
      // Shrinks a long watermark to stay on the page.
      const double scale = std::min(1.0, 0.9 * kPageWidth / w);
      cairo_scale(cr_, scale, scale);
      cairo_set_source_rgba(cr_, 0.5, 0.5, 0.5, 0.18);
      // Outlines, not text: the watermark must not interleave with the document's text
      // when it is extracted (pdftotext, screen readers, copy and paste).
      cairo_new_path(cr_);
      cairo_move_to(cr_, -w / 2, -Height(l) / 2);
      pango_cairo_layout_path(cr_, l);
      cairo_fill(cr_);
      cairo_restore(cr_);
    }
    cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
    const TextSpec small{&style_.sans_family, kSmallSize, false, kBodyWidth, PANGO_ALIGN_CENTER};
    if (!doc_.footer.empty()) {
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(doc_.footer, small, "footer"));
      cairo_move_to(cr_, kMarginLeft, kFooterBaseline - FromPango(pango_layout_get_baseline(l)));
      pango_cairo_show_layout(cr_, l);
    }
    if (count > 1) {
      const std::string number =
          "第 " + std::to_string(index + 1) + " 页 / 共 " + std::to_string(count) + " 页";
      OW_ASSIGN_OR_RETURN(PangoLayout * l, Text(number, small, "page number"));
      cairo_move_to(cr_, kMarginLeft,
                    kPageNumberBaseline - FromPango(pango_layout_get_baseline(l)));
      pango_cairo_show_layout(cr_, l);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    return internal::CairoStatus(cr_, "drawing the footer");
  }

  Status DrawOp(const LineOp& op, const std::optional<Seal>& /*seal*/) {
    cairo_move_to(cr_, op.x, op.baseline);
    pango_cairo_show_layout_line(cr_, pango_layout_get_line_readonly(op.layout, op.line));
    return {};
  }
  Status DrawOp(const BlockOp& op, const std::optional<Seal>& /*seal*/) {
    cairo_move_to(cr_, op.x, op.y);
    pango_cairo_show_layout(cr_, op.layout);
    return {};
  }
  Status DrawOp(const CellOp& op, const std::optional<Seal>& /*seal*/) {
    cairo_save(cr_);
    cairo_rectangle(cr_, op.x, op.y, op.width, op.height);
    if (op.shaded) {
      cairo_set_source_rgb(cr_, 0.95, 0.95, 0.95);
      cairo_fill_preserve(cr_);
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    cairo_set_line_width(cr_, 0.6);
    cairo_stroke(cr_);
    cairo_restore(cr_);
    return {};
  }
  Status DrawOp(const SealOp& op, const std::optional<Seal>& seal) {
    cairo_save(cr_);
    // Like ink on paper: the text under the seal stays readable through the red.
    cairo_set_operator(cr_, CAIRO_OPERATOR_MULTIPLY);
    Status s = seal->Draw(cr_, op.cx, op.cy, op.diameter);
    cairo_restore(cr_);
    return s;
  }
  Status DrawOp(const QrOp& op, const std::optional<Seal>& /*seal*/) {
    const int n = qr_->size();
    const double module = op.size / (n + 2 * kQrQuietZone);
    const double x0 = op.x + kQrQuietZone * module;
    const double y0 = op.y + kQrQuietZone * module;
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_rectangle(cr_, op.x, op.y, op.size, op.size);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    // One path, filled once: neighbouring modules merge without hairline seams.
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        if (qr_->dark(x, y)) cairo_rectangle(cr_, x0 + x * module, y0 + y * module, module, module);
      }
    }
    cairo_fill(cr_);
    cairo_restore(cr_);
    return {};
  }

  const DocumentModel& doc_;
  const PdfStyle& style_;
  cairo_t* cr_;
  std::optional<QrCode> qr_;
  std::vector<LayoutPtr> layouts_;  // every layout an Op points to
  std::vector<Page> pages_;
  double y_ = 0;  // the next free position on the current page, from its top
  std::optional<PageArea> seal_area_;
};

void SetMetadata(cairo_surface_t* surface, const PdfMetadata& m) {
  const std::pair<cairo_pdf_metadata_t, const std::string*> fields[] = {
      {CAIRO_PDF_METADATA_TITLE, &m.title},     {CAIRO_PDF_METADATA_AUTHOR, &m.author},
      {CAIRO_PDF_METADATA_SUBJECT, &m.subject}, {CAIRO_PDF_METADATA_KEYWORDS, &m.keywords},
      {CAIRO_PDF_METADATA_CREATOR, &m.creator},
  };
  for (const auto& [key, value] : fields) {
    if (!value->empty()) cairo_pdf_surface_set_metadata(surface, key, value->c_str());
  }
  // Without it cairo would write the current time.
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                 IsoDate(m.creation_date, m.utc_offset).c_str());
}

}  // namespace

Result<RenderedPdf> RenderPdf(const DocumentModel& doc, const PdfStyle& style) {
  OW_RETURN_IF_ERROR(Validate(doc, style));
  std::optional<QrCode> qr;
  if (doc.qr) {
    OW_ASSIGN_OR_RETURN(qr, QrCode::Encode(doc.qr->text));
  }
  RenderedPdf out;
  internal::SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(Append, &out.bytes, kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Internal("cannot create a PDF surface");
  }
  SetMetadata(surface.get(), doc.metadata);
  internal::CairoPtr cr(cairo_create(surface.get()));
  {
    Renderer renderer(doc, style, cr.get(), std::move(qr));
    OW_RETURN_IF_ERROR(renderer.Plan());
    OW_RETURN_IF_ERROR(renderer.Draw(doc.seal));
    out.page_count = renderer.page_count();
    out.seal_area = renderer.seal_area();
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Internal(std::string("cairo: ") +
                    cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  FixCreationDate(out.bytes, doc.metadata);
  return out;
}

Result<std::string> FormatChineseDate(std::chrono::year_month_day date) {
  if (!date.ok()) return InvalidArgument("not a valid date");
  return std::to_string(static_cast<int>(date.year())) + "年" +
         std::to_string(static_cast<unsigned>(date.month())) + "月" +
         std::to_string(static_cast<unsigned>(date.day())) + "日";
}

}  // namespace ow::documents
