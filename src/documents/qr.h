// QR codes (ISO/IEC 18004) for sealed documents: the verification link or the offline
// verification payload printed on a licence, and the same code on the portal.
//
// Encoding is libqrencode's: byte (8-bit) mode, error correction level M (about 15% of
// the symbol may be damaged: a stamped or folded paper copy still scans), the smallest
// version (1-40) that holds the text. The text is taken as bytes; UTF-8 text is
// encoded as is, without an ECI header, which is what phone scanners and zbar expect.
//
// Thread safety: QrCode is an immutable value; all functions may be called concurrently.
#ifndef OW_DOCUMENTS_QR_H_
#define OW_DOCUMENTS_QR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ow::documents {

// The byte-mode capacity of the largest symbol (version 40) at level M.
inline constexpr size_t kQrMaxBytes = 2331;
// The quiet zone the standard requires around a symbol, in modules.
inline constexpr int kQrQuietZone = 4;

class QrCode {
 public:
  // Encodes `text`. Errors: kInvalidArgument when it is empty or longer than
  // kQrMaxBytes; kInternal if libqrencode fails otherwise.
  static Result<QrCode> Encode(std::string_view text);

  // 1..40; the symbol is 17 + 4 * version modules wide.
  int version() const { return version_; }
  // Modules per side, without the quiet zone (21..177).
  int size() const { return size_; }
  // True for a dark module; x is the column and y the row, both in [0, size()).
  bool dark(int x, int y) const {
    return modules_[static_cast<size_t>(y) * static_cast<size_t>(size_) + static_cast<size_t>(x)] !=
           0;
  }

  // A standalone SVG image of the symbol with its quiet zone: black on white, one
  // user unit per module (viewBox), `module_px` CSS pixels per module for width and
  // height, crisp edges. module_px is clamped to 1..64.
  std::string Svg(int module_px = 4) const;

 private:
  QrCode(int version, int size, std::vector<uint8_t> modules)
      : version_(version), size_(size), modules_(std::move(modules)) {}
  int version_;
  int size_;
  std::vector<uint8_t> modules_;  // row-major, 1 = dark
};

}  // namespace ow::documents

#endif  // OW_DOCUMENTS_QR_H_
