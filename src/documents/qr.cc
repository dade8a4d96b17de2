#include "documents/qr.h"

#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace ow::documents {
namespace {

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

Result<QrCode> QrCode::Encode(std::string_view text) {
  if (text.empty()) return InvalidArgument("QR text is empty");
  if (text.size() > kQrMaxBytes) {
    return InvalidArgument("QR text is longer than " + std::to_string(kQrMaxBytes) + " bytes");
  }
  // QRcode_encodeData always uses 8-bit mode (QRcode_encodeString would switch to
  // numeric, alphanumeric or kanji segments, and stops at a NUL).
  errno = 0;
  std::unique_ptr<QRcode, QrFree> qr(QRcode_encodeData(
      static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()),
      /*version=*/0, QR_ECLEVEL_M));
  if (!qr) {
    if (errno == ERANGE) return InvalidArgument("QR text does not fit a version 40-M symbol");
    return Internal("libqrencode failed");
  }
  const int width = qr->width;
  std::vector<uint8_t> modules(static_cast<size_t>(width) * static_cast<size_t>(width));
  for (size_t i = 0; i < modules.size(); ++i) {
    // libqrencode's bit 0 is "dark"; the other bits describe the module's role.
    modules[i] = static_cast<uint8_t>(qr->data[i] & 1U);
  }
  return QrCode(qr->version, width, std::move(modules));
}

std::string QrCode::Svg(int module_px) const {
  module_px = std::clamp(module_px, 1, 64);
  const int total = size_ + 2 * kQrQuietZone;
  const std::string px = std::to_string(total * module_px);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" +
                    px + "\" viewBox=\"0 0 " + std::to_string(total) + " " + std::to_string(total) +
                    "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  // One horizontal run of dark modules per path segment keeps the path short.
  for (int y = 0; y < size_; ++y) {
    for (int x = 0; x < size_;) {
      if (!dark(x, y)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < size_ && dark(end, y)) ++end;
      svg += "M" + std::to_string(x + kQrQuietZone) + " " + std::to_string(y + kQrQuietZone) + "h" +
             std::to_string(end - x) + "v1h-" + std::to_string(end - x) + "z";
      x = end;
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace ow::documents
