#include "materials/sniff.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "materials/model.h"

namespace ow::materials {
namespace {

uint64_t Le(std::string_view b, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i)
    v |= uint64_t{static_cast<unsigned char>(b[at + i])} << (8 * i);
  return v;
}

constexpr std::string_view kLocalHeader("PK\x03\x04", 4);
constexpr std::string_view kCentralHeader("PK\x01\x02", 4);
constexpr std::string_view kEndOfDirectory("PK\x05\x06", 4);
constexpr std::string_view kZip64Locator("PK\x06\x07", 4);
constexpr std::string_view kZip64End("PK\x06\x06", 4);
constexpr size_t kEndSize = 22, kMaxComment = 0xFFFF;
// An OFD package lists a handful to a few thousand entries; a bigger directory is
// not one we need to read.
constexpr uint64_t kMaxDirectory = 4 << 20;

// Whether the ZIP archive of `size` bytes lists "OFD.xml" at its root.
Result<bool> ZipHasOfdXml(uint64_t size, const ReadAt& read) {
  if (size < kEndSize + kLocalHeader.size()) return false;
  uint64_t tail_at = size > kEndSize + kMaxComment ? size - kEndSize - kMaxComment : 0;
  OW_ASSIGN_OR_RETURN(std::string tail, read(tail_at, static_cast<size_t>(size - tail_at)));
  // The end record is the last one whose comment runs exactly to the end of the file.
  size_t end = std::string::npos;
  for (size_t p = tail.size() >= kEndSize ? tail.size() - kEndSize + 1 : 0; p-- > 0;) {
    if (tail.compare(p, 4, kEndOfDirectory) == 0 &&
        p + kEndSize + Le(tail, p + 20, 2) == tail.size()) {
      end = p;
      break;
    }
  }
  if (end == std::string::npos) return false;
  uint64_t entries = Le(tail, end + 10, 2);
  uint64_t dir_size = Le(tail, end + 12, 4);
  uint64_t dir_at = Le(tail, end + 16, 4);
  if (entries == 0xFFFF || dir_size == 0xFFFFFFFF || dir_at == 0xFFFFFFFF) {
    uint64_t end_at = tail_at + end;
    if (end_at < 20) return false;
    OW_ASSIGN_OR_RETURN(std::string locator, read(end_at - 20, 20));
    if (locator.size() != 20 || locator.compare(0, 4, kZip64Locator) != 0) return false;
    uint64_t z64_at = Le(locator, 8, 8);
    if (z64_at > size || size - z64_at < 56) return false;
    OW_ASSIGN_OR_RETURN(std::string z64, read(z64_at, 56));
    if (z64.size() != 56 || z64.compare(0, 4, kZip64End) != 0) return false;
    entries = Le(z64, 32, 8);
    dir_size = Le(z64, 40, 8);
    dir_at = Le(z64, 48, 8);
  }
  if (dir_size > kMaxDirectory || dir_at > size || dir_size > size - dir_at) return false;
  OW_ASSIGN_OR_RETURN(std::string dir, read(dir_at, static_cast<size_t>(dir_size)));
  if (dir.size() != dir_size) return false;
  size_t p = 0;
  for (uint64_t i = 0; i < entries; ++i) {
    if (dir.size() - p < 46 || dir.compare(p, 4, kCentralHeader) != 0) return false;
    size_t name_len = Le(dir, p + 28, 2), extra_len = Le(dir, p + 30, 2),
           comment_len = Le(dir, p + 32, 2);
    uint64_t local_at = Le(dir, p + 42, 4);
    if (dir.size() - p - 46 < name_len + extra_len + comment_len) return false;
    if (std::string_view(dir).substr(p + 46, name_len) == "OFD.xml") {
      // The entry must really be there: its local header where the directory says.
      if (local_at == 0xFFFFFFFF) return true;  // in a ZIP64 extra field; trust the listing
      if (local_at > size || size - local_at < kLocalHeader.size()) return false;
      OW_ASSIGN_OR_RETURN(std::string sig, read(local_at, kLocalHeader.size()));
      return sig == kLocalHeader;
    }
    p += 46 + name_len + extra_len + comment_len;
  }
  return false;
}

}  // namespace

Result<std::optional<std::string>> Sniff(uint64_t size, const ReadAt& read) {
  OW_ASSIGN_OR_RETURN(std::string head, read(0, size < 8 ? static_cast<size_t>(size) : 8));
  auto starts = [&](std::string_view magic) { return head.compare(0, magic.size(), magic) == 0; };
  if (head.size() >= 5 && starts("%PDF-")) return std::optional<std::string>(kPdf);
  if (head.size() >= 3 && starts("\xFF\xD8\xFF")) return std::optional<std::string>(kJpeg);
  if (head.size() >= 8 && starts(std::string_view("\x89PNG\r\n\x1A\n", 8)))
    return std::optional<std::string>(kPng);
  if (head.size() >= 4 && starts(kLocalHeader)) {
    OW_ASSIGN_OR_RETURN(bool ofd, ZipHasOfdXml(size, read));
    if (ofd) return std::optional<std::string>(kOfd);
  }
  return std::optional<std::string>();
}

std::optional<std::string> SniffBytes(std::string_view bytes) {
  auto r = Sniff(bytes.size(), [bytes](uint64_t offset, size_t n) -> Result<std::string> {
    if (offset >= bytes.size()) return std::string();
    return std::string(bytes.substr(static_cast<size_t>(offset), n));
  });
  return r ? *r : std::nullopt;
}

Result<std::optional<std::string>> SniffFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot read the upload: " + std::string(std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return Unavailable("cannot read the upload: " + std::string(std::strerror(errno)));
  return Sniff(static_cast<uint64_t>(size), [fd](uint64_t offset, size_t n) -> Result<std::string> {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Unavailable("cannot read the upload: " + std::string(std::strerror(errno)));
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  });
}

}  // namespace ow::materials
