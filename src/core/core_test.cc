#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/text.h"

namespace ow {
namespace {

TEST(Csv, ParsesQuotedFieldsAndLineNumbers) {
  auto r = csv::Parse("code,name\n11,\"北京市\"\n12,\"a \"\"quoted\"\", b\"\r\n13,plain\n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[1].fields[1], "北京市");
  EXPECT_EQ((*r)[2].fields[1], "a \"quoted\", b");
  EXPECT_EQ((*r)[3].line, 4u);
  EXPECT_EQ((*r)[3].fields[1], "plain");
}

TEST(Csv, RejectsUnterminatedQuoteWithLine) {
  auto r = csv::Parse("a,b\n1,2\n3,\"oops\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
}

TEST(Csv, RejectsStrayQuote) {
  EXPECT_FALSE(csv::Parse("a,b\n1,x\"y\n"));
  EXPECT_FALSE(csv::Parse("a,b\n1,\"x\"y\n"));
}

TEST(Clock, ParseTimeRoundTripsAndRefusesTimesSystemTimeCannotHold) {
  auto t = ParseTime("2026-11-27T03:04:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2026-11-27T03:04:05Z");
  EXPECT_TRUE(ParseTime("2200-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseTime("1700-01-01T00:00:00Z"));
  // Outside the nanosecond clock's range: refused, not overflowed (a fuzzer's agent
  // authorization expiring in 1546).
  EXPECT_FALSE(ParseTime("1546-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseTime("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(ParseTime("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseTime("2026-02-30T00:00:00Z"));
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(text::IsValidUtf8("杭州 abc"));
  EXPECT_FALSE(text::IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(text::IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(text::IsValidUtf8("\xE6\x9D"));      // truncated
  EXPECT_EQ(text::CodePoints("杭州ab"), 4u);
}

TEST(Text, DecodeUtf8IsStrictAndAlwaysAdvances) {
  auto decode = [](std::string_view s) {
    std::vector<long> out;
    for (size_t i = 0; i < s.size();) {
      size_t before = i;
      auto cp = text::DecodeUtf8(s, i);
      EXPECT_GT(i, before);
      out.push_back(cp ? static_cast<long>(*cp) : -1);
    }
    return out;
  };
  EXPECT_EQ(decode("a\xE4\xB8\xAD\xF0\x9F\x98\x80"), (std::vector<long>{'a', 0x4E2D, 0x1F600}));
  EXPECT_EQ(decode("\xC0\xAF"), (std::vector<long>{-1, -1}));          // overlong '/'
  EXPECT_EQ(decode("\xED\xA0\x80"), (std::vector<long>{-1, -1, -1}));  // a surrogate
  EXPECT_EQ(decode("\xE4\xB8"), (std::vector<long>{-1, -1}));          // cut short
  EXPECT_EQ(decode("\xF4\x90\x80\x80").front(), -1);                   // above U+10FFFF
  std::string back;
  for (char32_t c : {U'a', U'\u00E9', U'\u4E2D', U'\U0001F600'}) text::AppendUtf8(back, c);
  EXPECT_EQ(back, "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
}

TEST(Text, Iso7064Mod112) {
  // GB 11643 examples: the check character of a resident ID number's first 17 digits.
  EXPECT_EQ(text::Iso7064Mod112("11010519491231002"), 'X');
  EXPECT_EQ(text::Iso7064Mod112("33010219900307301"), '7');
}

TEST(Text, ReplaceAllReplacesEveryOccurrenceOnce) {
  EXPECT_EQ(text::ReplaceAll("a TEXT_C, b TEXT_C", "TEXT_C", "TEXT"), "a TEXT, b TEXT");
  // The replacement is not searched again (no endless loop when `to` contains `from`).
  EXPECT_EQ(text::ReplaceAll("xx", "x", "xx"), "xxxx");
  EXPECT_EQ(text::ReplaceAll("abc", "z", "y"), "abc");
}

TEST(Text, Base64UrlRoundTrip) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "330102", std::string("x\x1fy\xff", 4)}) {
    auto d = text::Base64UrlDecode(text::Base64UrlEncode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(text::Base64UrlDecode("a"));
  EXPECT_FALSE(text::Base64UrlDecode("ab+/"));
}

TEST(Text, ConstantTimeEquals) {
  EXPECT_TRUE(text::ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(text::ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(text::ConstantTimeEquals("secret", "secret2"));
}

TEST(Validator, CollectsAllFieldErrors) {
  Validator v;
  v.Add("name", "is required");
  v.Add("type", "is unknown");
  auto st = v.Finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  EXPECT_EQ(st.error().fields.size(), 2u);
}

TEST(Config, EnvironmentOverridesDefaults) {
  auto c = LoadConfig("", {{"ONEWINDOW_LISTEN", "0.0.0.0:9000"}, {"ONEWINDOW_BODY_LIMIT", "2048"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen, "0.0.0.0:9000");
  EXPECT_EQ(c->body_limit, 2048);
}

TEST(Config, RejectsMalformedNumbers) {
  auto c = LoadConfig("", {{"ONEWINDOW_BODY_LIMIT", "lots"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("ONEWINDOW_BODY_LIMIT"), std::string::npos);
}

TEST(Config, PrintMasksSecrets) {
  Config c;
  c.admin_token = "topsecret";
  c.database_url = "postgresql://app:hunter2@db:5432/ow";
  std::string out = PrintConfig(c);
  EXPECT_EQ(out.find("topsecret"), std::string::npos);
  EXPECT_EQ(out.find("hunter2"), std::string::npos);
  EXPECT_NE(out.find("postgresql://app:****@db:5432/ow"), std::string::npos) << out;
}

}  // namespace
}  // namespace ow
