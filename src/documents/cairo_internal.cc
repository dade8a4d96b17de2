#include "documents/cairo_internal.h"

#include <glib.h>

namespace ow::documents::internal {

FontDescriptionPtr Font(const std::string& family, double size, bool bold) {
  FontDescriptionPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), family.c_str());
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute: user units, not points scaled by the context's resolution.
  pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
  return font;
}

LayoutPtr NewLayout(cairo_t* cr, const PangoFontDescription* font) {
  LayoutPtr layout(pango_cairo_create_layout(cr));
  PangoContext* context = pango_layout_get_context(layout.get());
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  pango_context_set_round_glyph_positions(context, FALSE);
  pango_layout_context_changed(layout.get());
  pango_layout_set_font_description(layout.get(), font);
  return layout;
}

Status CheckGlyphs(PangoLayout* layout, std::string_view what) {
  if (pango_layout_get_unknown_glyphs_count(layout) > 0) {
    return FailedPrecondition("no installed font can show every character of the " +
                              std::string(what) + " (is fonts-noto-cjk installed?)");
  }
  return {};
}

Status CairoStatus(cairo_t* cr, std::string_view what) {
  const cairo_status_t status = cairo_status(cr);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Internal(std::string(what) + ": cairo: " + cairo_status_to_string(status));
  }
  return {};
}

Status CheckText(std::string_view text, size_t max_chars, std::string_view what,
                 bool allow_newlines) {
  if (text.empty()) return {};
  const gchar* end = nullptr;
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), &end) == FALSE) {
    return InvalidArgument(std::string(what) + " is not valid UTF-8");
  }
  size_t count = 0;
  for (const gchar* p = text.data(); p < text.data() + text.size(); p = NextChar(p)) {
    const gunichar c = g_utf8_get_char(p);
    if (g_unichar_iscntrl(c) && !(allow_newlines && c == '\n')) {
      return InvalidArgument(std::string(what) + " holds a control character");
    }
    if (++count > max_chars) {
      return InvalidArgument(std::string(what) + " is longer than " + std::to_string(max_chars) +
                             " characters");
    }
  }
  return {};
}

size_t CountChars(std::string_view text) {
  if (text.empty()) return 0;
  return static_cast<size_t>(g_utf8_strlen(text.data(), static_cast<gssize>(text.size())));
}

}  // namespace ow::documents::internal
