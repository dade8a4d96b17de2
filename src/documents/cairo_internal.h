// RAII handles and text helpers shared by the cairo/pango code of this folder (seal.cc,
// pdf.cc). Internal to src/documents.
#ifndef OW_DOCUMENTS_CAIRO_INTERNAL_H_
#define OW_DOCUMENTS_CAIRO_INTERNAL_H_

#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::documents::internal {

struct CairoDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDestroy>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDestroy>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;
using FontDescriptionPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;

// A font description of `family` at `size` user units (points in a PDF).
FontDescriptionPtr Font(const std::string& family, double size, bool bold);

// A layout on `cr` with unhinted metrics, so that text breaks and measures the same
// in a PDF and in a PNG at any resolution.
LayoutPtr NewLayout(cairo_t* cr, const PangoFontDescription* font);

// kFailedPrecondition when the layout holds a character no installed font can show:
// a document must never silently print empty boxes.
Status CheckGlyphs(PangoLayout* layout, std::string_view what);

// Pango units to user units and back.
inline double FromPango(int v) { return static_cast<double>(v) / PANGO_SCALE; }
inline int ToPango(double v) { return static_cast<int>(v * PANGO_SCALE + (v < 0 ? -0.5 : 0.5)); }

// kInternal with cairo's message when `cr` is in an error state.
Status CairoStatus(cairo_t* cr, std::string_view what);

// kInvalidArgument when `text` is not valid UTF-8, holds a control character (other
// than '\n' when allow_newlines), or has more than `max_chars` code points.
Status CheckText(std::string_view text, size_t max_chars, std::string_view what,
                 bool allow_newlines = false);

// The number of Unicode code points of valid UTF-8 `text`.
size_t CountChars(std::string_view text);

// The start of the code point after the one at `p`, in valid UTF-8.
inline const char* NextChar(const char* p) {
  const auto lead = static_cast<unsigned char>(*p);
  return p + (lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4);
}

}  // namespace ow::documents::internal

#endif  // OW_DOCUMENTS_CAIRO_INTERNAL_H_
