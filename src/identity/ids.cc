#include "identity/ids.h"

#include <array>
#include <cassert>
#include <cctype>
#include <chrono>
#include <ctime>

#include "core/text.h"

namespace ow::identity {

std::string LowerAscii(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
namespace {

constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kCreditWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                29, 25, 13, 8,  24, 10, 30, 28};

std::optional<std::string> Fail(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

// Today as YYYYMMDD in China Standard Time (UTC+8), where the numbers are issued.
int Today() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                       std::chrono::hours(8));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

// A calendar date from 1900 up to today: nobody holding a number is born later.
bool ValidDate(int y, int m, int d) {
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return false;
  return y * 10000 + m * 100 + d <= Today();
}

int Digits(std::string_view s, size_t from, size_t n) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

char ResidentIdCheckChar(std::string_view first17) {
  assert(first17.size() >= 17);
  return text::Iso7064Mod112(first17.substr(0, 17));
}

std::optional<std::string> NormalizeResidentId(std::string_view text, std::string* why) {
  if (text.size() != 18) return Fail(why, "must be 18 characters");
  std::string id(text);
  if (id[17] == 'x') id[17] = 'X';
  for (size_t i = 0; i < 17; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i])))
      return Fail(why, "must be 17 digits and a check digit or X");
  }
  if (!std::isdigit(static_cast<unsigned char>(id[17])) && id[17] != 'X')
    return Fail(why, "must be 17 digits and a check digit or X");
  if (Digits(id, 0, 2) < 11) return Fail(why, "does not start with a province code");
  if (!ValidDate(Digits(id, 6, 4), Digits(id, 10, 2), Digits(id, 12, 2)))
    return Fail(why, "has an impossible birth date");
  if (ResidentIdCheckChar(id) != id[17]) return Fail(why, "has a wrong check digit");
  return id;
}

char CreditCodeCheckChar(std::string_view first17) {
  assert(first17.size() >= 17);
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    auto pos = kCreditAlphabet.find(first17[i]);
    assert(pos != std::string_view::npos);
    sum += static_cast<int>(pos) * kCreditWeights[i];
  }
  int check = 31 - sum % 31;
  return kCreditAlphabet[check == 31 ? 0 : check];
}

std::optional<std::string> NormalizeCreditCode(std::string_view text, std::string* why) {
  if (text.size() != 18) return Fail(why, "must be 18 characters");
  std::string code(text);
  for (char& ch : code) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (kCreditAlphabet.find(ch) == std::string_view::npos)
      return Fail(why, "may only contain digits and the letters ABCDEFGHJKLMNPQRTUWXY");
  }
  if (CreditCodeCheckChar(code) != code[17]) return Fail(why, "has a wrong check character");
  return code;
}

std::string MaskResidentId(std::string_view id) {
  if (id.size() < 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 3)) + std::string(id.size() - 7, '*') +
         std::string(id.substr(id.size() - 4));
}

}  // namespace ow::identity
