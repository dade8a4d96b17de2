#include "documents/seal.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "documents/cairo_internal.h"

namespace ow::documents {

using internal::CairoPtr;
using internal::FromPango;
using internal::LayoutPtr;
using internal::SurfacePtr;

namespace {

// An uploaded image, decoded to cairo's premultiplied ARGB32.
struct Image {
  int width = 0;
  int height = 0;
  int stride = 0;
  std::vector<unsigned char> argb;
};

// Proportions of the drawn seal, as fractions of its radius. They follow the common
// 42 mm round seal: a ring about 1.2 mm wide, the name in characters about 6.5 mm high
// on the upper 240 degrees, a star about 13 mm across, the bottom line under the star.
constexpr double kRing = 0.06;
constexpr double kNameGap = 0.07;  // between the ring and the name's outer edge
constexpr double kNameEm = 0.30;   // the name's character size
constexpr double kNameSpanDegrees = 240;
constexpr double kNameSpacing = 1.3;  // most space between characters of a short name
constexpr double kStarOuter = 0.32;
constexpr double kBottomTop = 0.44;  // below the centre
constexpr double kBottomEm = 0.18;
constexpr double kBottomMaxWidth = 0.95;
// Noto CJK's ideographic em box lies 0.88 em above and 0.12 em below the baseline.
constexpr double kEmAboveBaseline = 0.88;

struct Text {
  LayoutPtr layout;
  double width = 0;     // logical width, user units
  double baseline = 0;  // from the layout's top
};

Result<Text> MakeText(cairo_t* cr, const PangoFontDescription* font, std::string_view s,
                      std::string_view what) {
  Text t{internal::NewLayout(cr, font)};
  pango_layout_set_text(t.layout.get(), s.data(), static_cast<int>(s.size()));
  OW_RETURN_IF_ERROR(internal::CheckGlyphs(t.layout.get(), what));
  PangoRectangle logical;
  pango_layout_get_extents(t.layout.get(), nullptr, &logical);
  t.width = FromPango(logical.width);
  t.baseline = FromPango(pango_layout_get_baseline(t.layout.get()));
  return t;
}

// The seal's characters are filled outlines, not text: they are part of a picture, and
// as text they would surface in the document's extracted text, rotated and out of order.
// Starts at the current point.
void Outline(cairo_t* cr, PangoLayout* layout) {
  pango_cairo_layout_path(cr, layout);
  cairo_fill(cr);
}

void Star(cairo_t* cr, double cx, double cy, double outer) {
  const double inner = outer * 0.381966;  // a regular pentagram: the golden ratio squared
  cairo_new_path(cr);
  for (int k = 0; k < 10; ++k) {
    const double angle = -std::numbers::pi / 2 + k * std::numbers::pi / 5;
    const double r = k % 2 == 0 ? outer : inner;
    cairo_line_to(cr, cx + r * std::cos(angle), cy + r * std::sin(angle));
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

Status DrawDesign(cairo_t* cr, const SealDesign& d, double cx, double cy, double diameter) {
  const double radius = diameter / 2;
  cairo_set_source_rgb(cr, ((d.rgb >> 16) & 0xff) / 255.0, ((d.rgb >> 8) & 0xff) / 255.0,
                       (d.rgb & 0xff) / 255.0);

  const double ring = kRing * radius;
  cairo_new_path(cr);
  cairo_arc(cr, cx, cy, radius - ring / 2, 0, 2 * std::numbers::pi);
  cairo_set_line_width(cr, ring);
  cairo_stroke(cr);

  Star(cr, cx, cy, kStarOuter * radius);

  // The name: character i sits at angle theta_i (cairo's y points down, so -90 degrees
  // is the top and angles grow clockwise), its baseline on a circle, its top outwards.
  const double em = kNameEm * radius;
  const double outer = radius - ring - kNameGap * radius;
  const double baseline_radius = outer - kEmAboveBaseline * em;
  const double natural_step = em / (outer - em / 2);  // one em along the middle circle
  const auto count = static_cast<double>(internal::CountChars(d.department));
  const double span_limit = kNameSpanDegrees * std::numbers::pi / 180;
  const double step = std::min(span_limit / count, natural_step * kNameSpacing);
  const double x_scale = std::min(1.0, 0.92 * step / natural_step);
  const double first = -std::numbers::pi / 2 - step * count / 2 + step / 2;
  internal::FontDescriptionPtr name_font = internal::Font(d.font_family, em, /*bold=*/true);
  const char* p = d.department.data();
  const char* end = p + d.department.size();
  for (int i = 0; p < end; ++i) {
    const char* next = internal::NextChar(p);
    // Laid out before the rotation: pango must not see a rotated matrix, or it would
    // turn CJK text to vertical gravity.
    OW_ASSIGN_OR_RETURN(
        Text ch, MakeText(cr, name_font.get(), std::string_view(p, static_cast<size_t>(next - p)),
                          "seal's department name"));
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    cairo_rotate(cr, first + step * i + std::numbers::pi / 2);
    cairo_translate(cr, 0, -baseline_radius);
    cairo_scale(cr, x_scale, 1);
    cairo_new_path(cr);
    cairo_move_to(cr, -ch.width / 2, -ch.baseline);
    Outline(cr, ch.layout.get());
    cairo_restore(cr);
    p = next;
  }

  if (!d.bottom_text.empty()) {
    const double bottom_em = kBottomEm * radius;
    internal::FontDescriptionPtr font = internal::Font(d.font_family, bottom_em, true);
    OW_ASSIGN_OR_RETURN(Text line, MakeText(cr, font.get(), d.bottom_text, "seal's bottom text"));
    const double scale = std::min(1.0, kBottomMaxWidth * radius / line.width);
    cairo_save(cr);
    cairo_translate(cr, cx, cy + kBottomTop * radius + kEmAboveBaseline * bottom_em);
    cairo_scale(cr, scale, 1);
    cairo_new_path(cr);
    cairo_move_to(cr, -line.width / 2, -line.baseline);
    Outline(cr, line.layout.get());
    cairo_restore(cr);
  }
  return internal::CairoStatus(cr, "drawing the seal");
}

Status DrawImage(cairo_t* cr, const Image& img, double cx, double cy, double diameter) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, img.width, img.height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS ||
      cairo_image_surface_get_stride(surface.get()) != img.stride) {
    return Internal("cannot allocate the seal image");
  }
  cairo_surface_flush(surface.get());
  std::memcpy(cairo_image_surface_get_data(surface.get()), img.argb.data(), img.argb.size());
  cairo_surface_mark_dirty(surface.get());
  const double scale = diameter / std::max(img.width, img.height);
  cairo_translate(cr, cx - img.width * scale / 2, cy - img.height * scale / 2);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, surface.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
  return internal::CairoStatus(cr, "drawing the seal image");
}

struct PngReader {
  std::string_view data;
  size_t pos = 0;
};

cairo_status_t ReadPng(void* closure, unsigned char* out, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->data.size() - r->pos < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(out, r->data.data() + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t WritePng(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

uint32_t BigEndian32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

}  // namespace

struct Seal::Impl {
  bool drawn = true;
  SealDesign design;
  Image image;
};

Result<Seal> Seal::Drawn(SealDesign design) {
  if (design.department.empty()) return InvalidArgument("the seal needs a department name");
  OW_RETURN_IF_ERROR(
      internal::CheckText(design.department, kSealMaxNameChars, "seal's department name"));
  OW_RETURN_IF_ERROR(
      internal::CheckText(design.bottom_text, kSealMaxBottomChars, "seal's bottom text"));
  if (design.font_family.empty()) return InvalidArgument("the seal needs a font family");
  OW_RETURN_IF_ERROR(internal::CheckText(design.font_family, 100, "seal's font family"));
  if (design.rgb > 0xffffff) return InvalidArgument("seal colour must be 0xRRGGBB");
  auto impl = std::make_shared<Impl>();
  impl->design = std::move(design);
  return Seal(std::move(impl));
}

Result<Seal> Seal::FromPng(std::string_view png) {
  static constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  // Signature, then the IHDR chunk: length, "IHDR", width, height.
  if (png.size() < 33 || png.substr(0, 8) != kSignature || png.substr(12, 4) != "IHDR") {
    return InvalidArgument("the seal image is not a PNG");
  }
  if (png.size() > kSealMaxPngBytes) return InvalidArgument("the seal image is too large");
  // Checked before decoding, so that a small file cannot ask for a huge bitmap.
  const uint32_t width = BigEndian32(png, 16);
  const uint32_t height = BigEndian32(png, 20);
  if (width == 0 || height == 0 || width > static_cast<uint32_t>(kSealMaxPngSide) ||
      height > static_cast<uint32_t>(kSealMaxPngSide)) {
    return InvalidArgument("the seal image must be 1 to " + std::to_string(kSealMaxPngSide) +
                           " pixels on a side");
  }
  PngReader reader{png};
  SurfacePtr decoded(cairo_image_surface_create_from_png_stream(ReadPng, &reader));
  if (cairo_surface_status(decoded.get()) != CAIRO_STATUS_SUCCESS) {
    return InvalidArgument("the seal image does not decode as PNG");
  }
  auto impl = std::make_shared<Impl>();
  impl->drawn = false;
  Image& image = impl->image;
  image.width = cairo_image_surface_get_width(decoded.get());
  image.height = cairo_image_surface_get_height(decoded.get());
  // Whatever cairo decoded to (RGB24 for opaque images), keep ARGB32.
  SurfacePtr argb(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, image.width, image.height));
  CairoPtr cr(cairo_create(argb.get()));
  cairo_set_source_surface(cr.get(), decoded.get(), 0, 0);
  cairo_paint(cr.get());
  OW_RETURN_IF_ERROR(internal::CairoStatus(cr.get(), "converting the seal image"));
  cairo_surface_flush(argb.get());
  image.stride = cairo_image_surface_get_stride(argb.get());
  const unsigned char* data = cairo_image_surface_get_data(argb.get());
  image.argb.assign(data, data + static_cast<size_t>(image.stride) * image.height);
  return Seal(std::move(impl));
}

bool Seal::is_drawn() const { return impl_->drawn; }

Status Seal::Draw(cairo_t* cr, double cx, double cy, double diameter) const {
  if (!(diameter > 0) || !std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(diameter)) {
    return InvalidArgument("seal position and size must be finite, the size positive");
  }
  cairo_save(cr);
  Status s = impl_->drawn ? DrawDesign(cr, impl_->design, cx, cy, diameter)
                          : DrawImage(cr, impl_->image, cx, cy, diameter);
  cairo_restore(cr);
  return s;
}

Result<std::string> Seal::Png(int pixels) const {
  if (pixels < kSealMinPixels || pixels > kSealMaxPixels) {
    return InvalidArgument("seal PNG size must be " + std::to_string(kSealMinPixels) + " to " +
                           std::to_string(kSealMaxPixels) + " pixels");
  }
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixels, pixels));
  CairoPtr cr(cairo_create(surface.get()));
  // A little margin so that the ring's antialiased edge stays inside the image.
  OW_RETURN_IF_ERROR(Draw(cr.get(), pixels / 2.0, pixels / 2.0, pixels * 0.98));
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), WritePng, &png) != CAIRO_STATUS_SUCCESS) {
    return Internal("cannot encode the seal PNG");
  }
  return png;
}

}  // namespace ow::documents
