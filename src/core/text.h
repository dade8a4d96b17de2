// Small text utilities shared by domains: UTF-8 checks, opaque cursors, constant-time compare.
#ifndef OW_CORE_TEXT_H_
#define OW_CORE_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ow::text {

// The one UTF-8 decoder. The code point of the well-formed sequence at s[i] (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), advancing i past it;
// nullopt for an ill-formed byte, advancing i by one (callers substitute U+FFFD).
std::optional<char32_t> DecodeUtf8(std::string_view s, size_t& i);
// Appends code point `c` (at most U+10FFFF) as UTF-8.
void AppendUtf8(std::string& out, char32_t c);
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points (assumes valid UTF-8).
size_t CodePoints(std::string_view s);
bool IsDigits(std::string_view s);

// Base64url without padding, for opaque pagination cursors.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of a string of decimal
// digits: GB 11643 resident ID numbers (17 digits) and case tracking numbers use it.
char Iso7064Mod112(std::string_view digits);

// Compares without leaking where the first difference is (for secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `s` with every occurrence of `from` (not empty) replaced by `to`, left to right.
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

// Parses a decimal integer in [min, max].
std::optional<long long> ParseInt(std::string_view s, long long min, long long max);

// A list of strings as a JSON array, the way stores keep small lists in one text column.
std::string JsonStringList(const std::vector<std::string>& items);
// The strings of such a column; anything that is not a JSON array of strings yields
// the strings it does hold (none for malformed text).
std::vector<std::string> ParseJsonStringList(std::string_view text);

}  // namespace ow::text

#endif  // OW_CORE_TEXT_H_
