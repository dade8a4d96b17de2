// Serves a folder of static files (the built portal, web/dist).
//
// Only GET and HEAD. Paths are percent-decoded by the caller; any segment that is
// empty-after-decoding "..", contains a NUL or a backslash is refused, and the
// resolved file must lie inside the root, so nothing outside it is ever read.
// Responses carry a strong ETag (size and mtime) and honour If-None-Match with 304.
// A path without an extension that names no file falls back to index.html, so the
// single-page portal's client-side routes load. Where the build left a precompressed
// sibling (file.br, file.gz), a client whose Accept-Encoding takes it gets that instead
// (brotli first) with Content-Encoding, its own ETag and `Vary: Accept-Encoding`; nothing
// is compressed at request time.
#ifndef OW_HTTP_STATIC_FILES_H_
#define OW_HTTP_STATIC_FILES_H_

#include <filesystem>
#include <optional>
#include <string>

#include "http/message.h"

namespace ow::http {

std::string_view MimeType(std::string_view extension);

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // A response for `path`, or nullopt when there is no such file.
  std::optional<Response> Serve(const Context& ctx) const;

 private:
  std::optional<std::filesystem::path> Resolve(std::string_view path) const;
  std::filesystem::path root_;
};

}  // namespace ow::http

#endif  // OW_HTTP_STATIC_FILES_H_
