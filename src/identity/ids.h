// Identity numbers of the People's Republic of China, and how they are shown.
//
// Resident ID numbers (GB 11643-1999): 17 digits (6 region, 8 birth date YYYYMMDD,
// 3 sequence) and a check character from "10X98765432" indexed by the weighted
// digit sum mod 11. Unified social credit codes (GB 32100-2015): 18 characters from
// "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, Z, S, V), the last a check character
// 31 - (weighted sum mod 31), where 31 becomes 0.
//
// All functions are pure and thread-safe.
#ifndef OW_IDENTITY_IDS_H_
#define OW_IDENTITY_IDS_H_

#include <optional>
#include <string>
#include <string_view>

namespace ow::identity {

// `s` in ASCII lower case: usernames are case-insensitive.
std::string LowerAscii(std::string s);

// The canonical form of a resident ID number (a trailing 'x' upper-cased), or nullopt
// with a reason in `why` (if given) when it is not one: wrong length or characters,
// an impossible birth date (not a calendar date, before 1900 or after today in China),
// or a wrong check character.
std::optional<std::string> NormalizeResidentId(std::string_view text, std::string* why = nullptr);

// The check character GB 11643 gives the first 17 digits (asserts 17 digits).
char ResidentIdCheckChar(std::string_view first17);

// The canonical (upper-case) unified social credit code, or nullopt with a reason.
std::optional<std::string> NormalizeCreditCode(std::string_view text, std::string* why = nullptr);

// The check character GB 32100 gives the first 17 characters (asserts valid input).
char CreditCodeCheckChar(std::string_view first17);

// "110***********1234": the first 3 and last 4 characters, the rest as '*'. Shorter
// input is masked whole. Used for every resident ID number in responses and logs.
std::string MaskResidentId(std::string_view id);

}  // namespace ow::identity

#endif  // OW_IDENTITY_IDS_H_
