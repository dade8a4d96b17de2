// Renders an official document or an electronic licence to PDF: A4 pages in Chinese,
// laid out after GB/T 9704 (the layout of Party and government official documents)
// where it applies: the title, the document number (文号) and/or licence number, the
// addressee, justified paragraphs with a two-character first-line indent, a table of
// labelled fields, and at the end the issuer's name and the date at the bottom right
// with the round seal pressed over them (drawn, or the department's PNG), an optional
// QR code with a caption, and a footer and watermark on every page.
//
// Which library does what, and why:
//  - cairo (its PDF surface) writes the PDF and embeds the fonts as CID-keyed subsets
//    with a ToUnicode map, so that pdftotext, screen readers and search give back the
//    exact Chinese text; the seal and QR code are vector graphics.
//  - pango breaks lines by the Unicode rules for CJK (no line starts with "，" or
//    "。") and justifies lines without spaces by spreading the characters.
//  - Fonts are Debian's fonts-noto-cjk ("Noto Serif CJK SC", "Noto Sans CJK SC"); a
//    character that no installed font can show is an error (kFailedPrecondition),
//    never an empty box in a document that will be signed.
//  - Signing is a separate step (pades.h) on the bytes returned here.
//
// Reproducibility: the same model and style give the same bytes (the creation date
// comes from the model; cairo writes no random IDs), so a document can be re-rendered
// for checking. Different versions of cairo, pango or the fonts may lay out
// differently.
//
// Thread safety: RenderPdf may be called concurrently. Pango keeps a font map per
// thread: the first document rendered on a thread pays for loading the fonts.
#ifndef OW_DOCUMENTS_PDF_H_
#define OW_DOCUMENTS_PDF_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "documents/geometry.h"
#include "documents/seal.h"

namespace ow::documents {

// A row of the licence's table: "持证人 | 张三".
struct LabelledField {
  std::string label;  // 1..kMaxLabelChars characters
  std::string value;  // 0..kMaxValueChars characters, wrapped; '\n' starts a new line
};

// A QR code in the signature block, left of the seal, with a line under it.
struct QrBlock {
  std::string text;     // what the code holds (a verification URL); see qr.h for limits
  std::string caption;  // e.g. "扫码核验", may be empty
};

// The PDF's document information dictionary.
struct PdfMetadata {
  std::string title;
  std::string author;   // the issuing department
  std::string subject;  // e.g. the case or licence number
  std::string keywords;
  std::string creator;  // the application, e.g. "OneWindow"
  // Written as the creation date; the caller fixes it so that output is reproducible.
  std::chrono::system_clock::time_point creation_date;
  // The creation date is written in this zone (default Beijing time, +08:00).
  std::chrono::minutes utc_offset{8 * 60};
};

// What a document says. Every string is UTF-8 and printed as given (the caller
// includes labels such as "编号："); empty optional parts are left out.
struct DocumentModel {
  std::string title;            // required, centred, e.g. "准予行政许可决定书"
  std::string document_number;  // 文号, centred under the title, e.g. "某审批许〔2024〕15号"
  std::string licence_number;  // right-aligned under that, e.g. "证照编号：3201002024000123"
  std::string addressee;       // flush left before the body, e.g. "张三："
  std::vector<std::string> paragraphs;  // the body; '\n' inside one starts a new paragraph
  std::vector<LabelledField> fields;    // the table, after the paragraphs
  std::string issuer;                   // 落款: the issuing department's name
  std::string date;                     // 成文日期 as printed; see FormatChineseDate
  std::optional<Seal> seal;             // pressed over the issuer and the date
  std::optional<QrBlock> qr;
  std::string footer;     // on every page, e.g. "仅供政务服务使用"
  std::string watermark;  // light, diagonal, behind every page's content
  PdfMetadata metadata;
};

// Fonts and sizes. Sizes are in points; the defaults follow GB/T 9704 (title 二号,
// body 三号 with about 22 lines to a page, seal 42 mm).
struct PdfStyle {
  std::string serif_family = "Noto Serif CJK SC";  // title, body, table
  std::string sans_family = "Noto Sans CJK SC";    // numbers, captions, footer, watermark
  double title_size = 22;
  double body_size = 16;
  double table_size = 14;
  double line_spacing = 1.8;  // body line pitch as a multiple of body_size, 1..3
  double seal_diameter_mm = 42;
  double qr_size_mm = 30;  // with its quiet zone
};

// Limits; anything longer is kInvalidArgument.
inline constexpr size_t kMaxTitleChars = 100;
inline constexpr size_t kMaxLineChars = 200;  // numbers, addressee, issuer, date, footer...
inline constexpr size_t kMaxParagraphs = 500;
inline constexpr size_t kMaxBodyChars = 100'000;  // all paragraphs together
inline constexpr size_t kMaxFields = 200;
inline constexpr size_t kMaxLabelChars = 50;
inline constexpr size_t kMaxValueChars = 2'000;
inline constexpr int kMaxPages = 200;

struct RenderedPdf {
  std::string bytes;  // the PDF
  int page_count = 0;
  // Where the seal was drawn (on the last page): the place for the visible signature
  // widget (pades.h SignatureInfo::widget). Absent without a seal.
  std::optional<PageArea> seal_area;
};

// Renders `doc`. Errors: kInvalidArgument for text that is not valid UTF-8, holds
// control characters or exceeds the limits above, a missing title, a style out of
// range, QR text too long, a table row taller than a page or more than kMaxPages
// pages; kFailedPrecondition when no installed font shows a character; kInternal
// when cairo fails.
Result<RenderedPdf> RenderPdf(const DocumentModel& doc, const PdfStyle& style = {});

// "2024年5月6日": the date with Arabic numerals, as GB/T 9704-2012 writes 成文日期.
// Errors: kInvalidArgument for an invalid date.
Result<std::string> FormatChineseDate(std::chrono::year_month_day date);

}  // namespace ow::documents

#endif  // OW_DOCUMENTS_PDF_H_
