#include "crypto/encoding.h"

#include "core/text.h"

namespace ow::crypto {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) { return text::Base64UrlEncode(bytes); }

Result<std::string> Base64UrlDecode(std::string_view text) {
  auto decoded = text::Base64UrlDecode(text);
  // The core decoder ignores the unused low bits of the last character; re-encoding
  // and comparing rejects those aliases (e.g. "AB" and "AA" both decoding to one zero byte).
  if (!decoded || text::Base64UrlEncode(*decoded) != text) {
    return InvalidArgument("malformed base64url");
  }
  return std::move(*decoded);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return InvalidArgument("malformed hex: odd length");
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("malformed hex: not a hex digit");
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace ow::crypto
