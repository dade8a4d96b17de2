#include "http/static_files.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
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
      // Blank forms and samples of the service guides (web/public/files).
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
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

namespace {

// The q-value `accept_encoding` gives `coding` (RFC 9110 12.5.3): 0 when it is not named
// (nor "*"), or named with q=0.
double Quality(std::string_view accept_encoding, std::string_view coding) {
  double star = 0, named = -1;
  size_t pos = 0;
  while (pos <= accept_encoding.size()) {
    size_t comma = accept_encoding.find(',', pos);
    std::string_view item = accept_encoding.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept_encoding.size() + 1 : comma + 1;
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    double q = 1;
    if (semi != std::string_view::npos) {
      std::string_view param = item.substr(semi + 1);
      while (!param.empty() && param.front() == ' ') param.remove_prefix(1);
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string value(param.substr(2));
        char* end = nullptr;
        q = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || q < 0 || q > 1) q = 0;  // malformed: not acceptable
      }
    }
    if (name.size() == coding.size() &&
        std::equal(name.begin(), name.end(), coding.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      named = q;
    else if (name == "*")
      star = q;
  }
  return named >= 0 ? named : star;
}

}  // namespace

std::optional<Response> StaticFiles::Serve(const Context& ctx) const {
  auto file = Resolve(ctx.path);
  if (!file && std::filesystem::path(ctx.path).extension().empty()) file = Resolve("/index.html");
  if (!file) return std::nullopt;
  // A precompressed sibling the build wrote (web/scripts/compress.mjs: file.br, file.gz),
  // when the client accepts its coding: brotli first, then gzip. Never compressed here.
  std::error_code ec;
  std::filesystem::path body_file = *file;
  std::string coding;
  bool varies = false;
  std::string_view accept = ctx.request[Field::accept_encoding];
  for (const auto& [name, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
    std::filesystem::path sibling = file->string() + suffix;
    if (!std::filesystem::is_regular_file(sibling, ec)) continue;
    varies = true;
    if (coding.empty() && Quality(accept, name) > 0) {
      coding = name;
      body_file = sibling;
    }
  }
  auto size = std::filesystem::file_size(body_file, ec);
  if (ec) return std::nullopt;
  auto mtime = std::filesystem::last_write_time(body_file, ec);
  if (ec) return std::nullopt;
  // One strong tag per representation (RFC 9110 8.8.3): the coding is part of it.
  std::ostringstream tag;
  tag << '"' << std::hex << size << '-' << mtime.time_since_epoch().count()
      << (coding.empty() ? "" : "-" + coding) << '"';
  std::string etag = tag.str();

  bool immutable = ctx.path.rfind("/assets/", 0) == 0;  // Vite's content-hashed output
  auto finish = [&](Response& res) {
    res.set(Field::etag, etag);
    res.set(Field::cache_control, immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (varies) res.set(Field::vary, "Accept-Encoding");
    if (!coding.empty()) res.set(Field::content_encoding, coding);
  };
  auto inm = ctx.request[Field::if_none_match];
  if (!inm.empty() && (inm == etag || inm == "*" || inm.find(etag) != std::string_view::npos)) {
    Response res{Status::not_modified, 11};
    finish(res);
    return res;
  }
  std::ifstream in(body_file, std::ios::binary);
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
