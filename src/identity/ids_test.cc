#include "identity/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>

namespace ow::identity {
namespace {

// The GB 11643 check character, computed here independently of ids.cc so that a test
// can build a number whose only defect is the one it is about.
std::string WithIdCheck(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// The GB 32100 check character, computed independently as well.
std::string WithCreditCheck(const std::string& first17) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += static_cast<int>(kAlphabet.find(first17[i])) * kWeights[i];
  int check = 31 - sum % 31;
  return first17 + kAlphabet[check == 31 ? 0 : check];
}

std::string Why(std::string_view id) {
  std::string why;
  EXPECT_FALSE(NormalizeResidentId(id, &why)) << id << " was accepted";
  return why;
}

TEST(ResidentId, AcceptsRealFormatNumbers) {
  // The example of GB 11643 itself: Beijing Chaoyang, born 1949-12-31, check X.
  auto x = NormalizeResidentId("11010519491231002X");
  ASSERT_TRUE(x);
  EXPECT_EQ(*x, "11010519491231002X");
  EXPECT_EQ(ResidentIdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(NormalizeResidentId("440524198001010013").value_or(""), "440524198001010013");
  // Hangzhou Shangcheng, born 1990-03-07, check 0.
  EXPECT_EQ(NormalizeResidentId("330102199003071230").value_or(""), "330102199003071230");
  // Feb 29 of leap years, including 2000 (divisible by 400).
  EXPECT_TRUE(NormalizeResidentId(WithIdCheck("33010620000229001")));
  EXPECT_TRUE(NormalizeResidentId(WithIdCheck("33010619960229001")));
}

TEST(ResidentId, LowerCaseXIsNormalized) {
  auto id = NormalizeResidentId("11010519491231002x");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "11010519491231002X");
}

TEST(ResidentId, RefusesAWrongCheckCharacter) {
  for (const char* id : {"110105194912310021", "110105194912310028", "440524198001010014",
                         "440524198001010010", "44052419800101001X", "330102199003071231"})
    EXPECT_EQ(Why(id), "has a wrong check digit") << id;
  // Swapping two digits (the commonest typing error) changes the check.
  EXPECT_EQ(Why("440524198001100013"), "has a wrong check digit");
}

TEST(ResidentId, RefusesImpossibleBirthDates) {
  // Each number has a correct check character: the date is its only defect.
  for (const char* first17 : {"33010620010229001",     // Feb 29 of 2001 (not a leap year)
                              "33010619000229001",     // 1900: divisible by 100, not by 400
                              "33010619900230001",     // Feb 30
                              "33010619900431001",     // April 31
                              "33010619901301001",     // month 13
                              "33010619900001001",     // month 0
                              "33010619900100001",     // day 0
                              "33010618991231001",     // before 1900
                              "33010620990101001"}) {  // not born yet
    EXPECT_EQ(Why(WithIdCheck(first17)), "has an impossible birth date") << first17;
  }
}

TEST(ResidentId, RefusesABirthDateAfterToday) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                       std::chrono::hours(24 * 2));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[9];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  EXPECT_EQ(Why(WithIdCheck("330106" + std::string(date) + "001")), "has an impossible birth date");
}

TEST(ResidentId, RefusesWrongLengthsAndCharacters) {
  for (const char* id :
       {"", "11010519491231002", "11010519491231002X1", "110105491231002", "1101051949123100 2X"})
    EXPECT_EQ(Why(id), "must be 18 characters") << id;
  for (const char* id :
       {"1101051949123100AX", "A1010519491231002X", "11010519491231002A", "11010519491231 02X",
        "X10105194912310021", "110105-949123-002X", "１１0105194912310021"}) {
    std::string why;
    EXPECT_FALSE(NormalizeResidentId(id, &why)) << id;
  }
  EXPECT_EQ(Why("1101051949123100AX"), "must be 17 digits and a check digit or X");
  EXPECT_EQ(Why("11010519491231002A"), "must be 17 digits and a check digit or X");
  // No province starts with 0 or 10.
  EXPECT_EQ(Why(WithIdCheck("01010519491231002")), "does not start with a province code");
}

TEST(CreditCode, AcceptsValidCodes) {
  // A published code (Fujian), checked by hand with the GB 32100 rule.
  EXPECT_EQ(CreditCodeCheckChar("91350100M000100Y4"), '3');
  EXPECT_EQ(NormalizeCreditCode("91350100M000100Y43").value_or(""), "91350100M000100Y43");
  // Computed with the rule: a letter check, a check of 0 (31 -> 0), an institution code.
  EXPECT_EQ(WithCreditCheck("91110108MA01ABCD1"), "91110108MA01ABCD1E");
  EXPECT_EQ(NormalizeCreditCode("91110108MA01ABCD1E").value_or(""), "91110108MA01ABCD1E");
  EXPECT_EQ(NormalizeCreditCode(WithCreditCheck("91330106MA2GXXXX0")).value_or(""),
            "91330106MA2GXXXX0D");
  EXPECT_EQ(NormalizeCreditCode("12100000400000624D").value_or(""), "12100000400000624D");
  // Every possible check character is reachable; find a code whose check is '0'.
  bool zero_seen = false;
  for (int n = 0; n < 3100 && !zero_seen; ++n) {
    std::string first17 = "9133010" + std::to_string(1000000000 + n);
    std::string code = WithCreditCheck(first17);
    if (code.back() != '0') continue;
    zero_seen = true;
    EXPECT_EQ(NormalizeCreditCode(code).value_or(""), code);
  }
  EXPECT_TRUE(zero_seen);
  // Lower-case input is upper-cased.
  EXPECT_EQ(NormalizeCreditCode("91350100m000100y43").value_or(""), "91350100M000100Y43");
}

TEST(CreditCode, RefusesInvalidCodes) {
  std::string why;
  EXPECT_FALSE(NormalizeCreditCode("91350100M000100Y44", &why));
  EXPECT_EQ(why, "has a wrong check character");
  EXPECT_FALSE(NormalizeCreditCode("91350100M000100Y4", &why));
  EXPECT_EQ(why, "must be 18 characters");
  EXPECT_FALSE(NormalizeCreditCode("91350100M000100Y430", &why));
  EXPECT_EQ(why, "must be 18 characters");
  // I, O, Z, S and V are not in the alphabet (even with a check computed as if they were).
  for (const char* code :
       {"91350100I000100Y43", "91350100O000100Y43", "91350100Z000100Y43", "91350100S000100Y43",
        "91350100V000100Y43", "91350100-000100Y43", "91350100 000100Y43"}) {
    EXPECT_FALSE(NormalizeCreditCode(code, &why)) << code;
    EXPECT_EQ(why, "may only contain digits and the letters ABCDEFGHJKLMNPQRTUWXY") << code;
  }
  // Two characters swapped.
  EXPECT_FALSE(NormalizeCreditCode("91351000M000100Y43", &why));
  EXPECT_EQ(why, "has a wrong check character");
}

TEST(Masking, KeepsThreeAndFour) {
  EXPECT_EQ(MaskResidentId("110105194912311234"), "110***********1234");
  EXPECT_EQ(MaskResidentId("11010519491231002X"), "110***********002X");
  EXPECT_EQ(MaskResidentId("110105194912311234").size(), 18u);
  // Nothing of the birth date survives.
  EXPECT_EQ(MaskResidentId("110105194912311234").find("1949"), std::string::npos);
  EXPECT_EQ(MaskResidentId("1234567"), "*******");
  EXPECT_EQ(MaskResidentId(""), "");
}

}  // namespace
}  // namespace ow::identity
