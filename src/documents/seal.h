// The picture of a department's seal (印章) as people expect it on a Chinese official
// document: a red ring, the department's name set along the upper arc (evenly spaced,
// each character upright relative to the centre, condensed when the name is long), a
// five-pointed star in the centre and one horizontal line under it, such as
// "行政审批专用章" or "证照专用章". Alternatively a department's own image of its seal,
// uploaded as PNG, stands in for the drawn one.
//
// The picture is decoration: what makes a document authentic is the PAdES signature
// (pades.h) made with the seal's key. The same Seal draws as vector graphics into a PDF
// (cairo, text through pango with the CJK font embedded) and rasterizes to PNG for the
// portal and for the seal's stored image.
//
// Fonts: the characters are drawn with `font_family` in bold (default "Noto Serif CJK
// SC", Debian's fonts-noto-cjk). A character the font cannot show is kFailedPrecondition
// at drawing time, never a silent empty box.
//
// Thread safety: Seal is an immutable, cheaply copyable value; Draw and Png may be
// called concurrently from any threads (each on its own cairo context). Pango keeps a
// font map per thread, so the first drawing on a new thread loads fonts.
#ifndef OW_DOCUMENTS_SEAL_H_
#define OW_DOCUMENTS_SEAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

// cairo's own declaration (cairo.h), so that this header does not need cairo's include
// path; a repeated identical typedef is allowed.
typedef struct _cairo cairo_t;  // NOLINT(modernize-use-using,bugprone-reserved-identifier)

namespace ow::documents {

// Limits of a drawn seal's text, in characters (Unicode code points).
inline constexpr size_t kSealMaxNameChars = 24;
inline constexpr size_t kSealMaxBottomChars = 12;
// Limits of an uploaded PNG.
inline constexpr size_t kSealMaxPngBytes = size_t{4} * 1024 * 1024;
inline constexpr int kSealMaxPngSide = 4096;
// Limits of a PNG rendering.
inline constexpr int kSealMinPixels = 32;
inline constexpr int kSealMaxPixels = 4096;

struct SealDesign {
  std::string department;   // along the upper arc, 1..kSealMaxNameChars characters
  std::string bottom_text;  // horizontal under the star, 0..kSealMaxBottomChars characters
  std::string font_family = "Noto Serif CJK SC";
  uint32_t rgb = 0xE60012;  // seal red (0xRRGGBB)
};

class Seal {
 public:
  // A drawn seal. Errors: kInvalidArgument for an empty or too long name, too long
  // bottom text, control characters or invalid UTF-8.
  static Result<Seal> Drawn(SealDesign design);
  // A seal from an uploaded PNG (any PNG colour type; transparency is kept). It is
  // decoded once here. Errors: kInvalidArgument when `png` is not a PNG, is larger than
  // kSealMaxPngBytes or kSealMaxPngSide pixels on a side, or does not decode.
  static Result<Seal> FromPng(std::string_view png);

  bool is_drawn() const;

  // Draws the seal into `cr`, centred at (cx, cy) with the given diameter, in cr's
  // current user space (for a cairo PDF surface: points, y downwards). An uploaded
  // image is scaled to fit the circle's square, keeping its aspect ratio. cr's state is
  // saved and restored. Errors: kFailedPrecondition when the font lacks a character;
  // kInternal when cairo reports an error.
  Status Draw(cairo_t* cr, double cx, double cy, double diameter) const;

  // A square PNG, `pixels` on a side (kSealMinPixels..kSealMaxPixels, else
  // kInvalidArgument), transparent outside the seal. Errors as Draw.
  Result<std::string> Png(int pixels) const;

 private:
  struct Impl;  // the design or the decoded image; seal.cc
  explicit Seal(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace ow::documents

#endif  // OW_DOCUMENTS_SEAL_H_
