// Content type detection from the bytes alone: the client's Content-Type and the file
// name are never consulted.
//
//   PDF   starts with "%PDF-"
//   JPEG  starts with FF D8 FF
//   PNG   starts with the 8-byte PNG signature 89 50 4E 47 0D 0A 1A 0A
//   OFD   a ZIP archive (starts with "PK\3\4") whose central directory lists an entry
//         named exactly "OFD.xml" at the root (ZIP64 directories are read too); a ZIP
//         without one is refused
//
// Thread-safe (no shared state).
#ifndef OW_MATERIALS_SNIFF_H_
#define OW_MATERIALS_SNIFF_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::materials {

// Reads up to `n` bytes at `offset` (fewer only at the end of the content).
using ReadAt = std::function<Result<std::string>(uint64_t offset, size_t n)>;

// The media type (model.h) of content of `size` bytes read through `read`, or nullopt
// when it is none of the accepted types. Errors only come from `read`.
Result<std::optional<std::string>> Sniff(uint64_t size, const ReadAt& read);
// The same for content in memory.
std::optional<std::string> SniffBytes(std::string_view bytes);
// The same for a file; kUnavailable when it cannot be read.
Result<std::optional<std::string>> SniffFile(const std::string& path);

}  // namespace ow::materials

#endif  // OW_MATERIALS_SNIFF_H_
