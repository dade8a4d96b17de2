#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "http/router.h"

namespace ow::http {

std::string_view MimeType(std::string_view ext) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".pdf", "application/pdf"},
      {".xml", "application/xml"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [e, t] : kTypes) {
    if (e == ext) return t;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(std::filesystem::path root) {
  std::error_code ec;
  root_ = std::filesystem::weakly_canonical(root, ec);
  if (ec) root_ = std::move(root);
}

std::optional<std::filesystem::path> StaticFiles::Resolve(std::string_view path) const {
  std::filesystem::path p = root_;
  for (const auto& seg : SplitPath(path)) {
    if (seg == ".." || seg == "." || seg.find('\0') != std::string::npos ||
        seg.find('\\') != std::string::npos || seg.find('/') != std::string::npos) {
      return std::nullopt;
    }
    p /= seg;
  }
  std::error_code ec;
  auto canon = std::filesystem::weakly_canonical(p, ec);
  if (ec) return std::nullopt;
  // Symlinks may not lead outside the root either.
  auto rel = canon.lexically_relative(root_);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  if (std::filesystem::is_directory(canon, ec)) canon /= "index.html";
  if (!std::filesystem::is_regular_file(canon, ec)) return std::nullopt;
  return canon;
}

std::optional<Response> StaticFiles::Serve(const Context& ctx) const {
  auto file = Resolve(ctx.path);
  if (!file && std::filesystem::path(ctx.path).extension().empty()) file = Resolve("/index.html");
  if (!file) return std::nullopt;
  std::error_code ec;
  auto size = std::filesystem::file_size(*file, ec);
  auto mtime = std::filesystem::last_write_time(*file, ec);
  if (ec) return std::nullopt;
  std::ostringstream tag;
  tag << '"' << std::hex << size << '-' << mtime.time_since_epoch().count() << '"';
  std::string etag = tag.str();

  bool immutable = ctx.path.rfind("/assets/", 0) == 0;  // Vite's content-hashed output
  auto finish = [&](Response& res) {
    res.set(Field::etag, etag);
    res.set(Field::cache_control, immutable ? "public, max-age=31536000, immutable" : "no-cache");
  };
  auto inm = ctx.request[Field::if_none_match];
  if (!inm.empty() && (inm == etag || inm == "*" || inm.find(etag) != std::string_view::npos)) {
    Response res{Status::not_modified, 11};
    finish(res);
    return res;
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Response res{Status::ok, 11};
  res.set(Field::content_type, MimeType(file->extension().string()));
  finish(res);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace ow::http
