#include "http/request_helpers.h"

#include <gtest/gtest.h>

namespace ow::http {
namespace {

struct Case {
  std::string_view target;
  bool safe;
  const char* why;
};

// Each refused target is one a browser (or a decoding layer after us) could turn into a
// navigation to another site, or a header split.
constexpr Case kCases[] = {
    {"/", true, "the home page"},
    {"/my/cases", true, "a plain path"},
    {"/ok?x=1#y", true, "query and fragment stay on this site"},
    {"/search?q=%E4%B8%AD%E6%96%87", true, "percent-encoded UTF-8 in the query"},
    {"/a/b%20c", true, "an encoded space"},
    {"/oauth2/authorize?redirect_uri=https%3A%2F%2Frp.example%2Fcb&state=%0A", true,
     "encoded URLs and characters in the query are data"},
    {"", false, "empty: the caller picks the default"},
    {"my/cases", false, "relative: resolved against the current page"},
    {"//evil.example", false, "scheme-relative: another host"},
    {"///evil.example", false, "browsers collapse the slashes to a host"},
    {"/\\evil.example", false, "browsers read the backslash as a slash"},
    {"\\\\evil.example", false, "backslashes only"},
    {"/\t/evil.example", false, "browsers drop the tab: //evil.example"},
    {"/\n/evil.example", false, "browsers drop the newline"},
    {"/a\r\nSet-Cookie: x=1", false, "header splitting"},
    {std::string_view("/a\0b", 4), false, "NUL"},
    {"/a b", false, "raw space"},
    {"/\x7f", false, "DEL"},
    {"/\xe4\xb8\xad", false, "raw non-ASCII: must be percent-encoded"},
    {"https:evil.example", false, "a scheme"},
    {"https://evil.example/", false, "an absolute URL"},
    {"javascript:alert(1)", false, "a script URL"},
    {"/%2F%2Fevil.example", false, "an encoded slash decodes to //evil"},
    {"/%2f/evil.example", false, "lower-case encoded slash"},
    {"/%5Cevil.example", false, "an encoded backslash"},
    {"/%09/evil.example", false, "an encoded tab"},
    {"/%0d%0aSet-Cookie:x", false, "an encoded CR LF"},
    {"%2F%2Fevil.example", false, "encoded from the first character: not a path"},
    {"/..//evil.example", false, "a dot segment normalises to //evil"},
    {"/./x", false, "a dot segment"},
    {"/%2e%2e/x", false, "an encoded dot segment"},
    {"/a%", false, "broken percent-encoding"},
    {"/a%zz", false, "broken percent-encoding"},
};

TEST(SafeLocalTarget, AcceptsOnlyPathsOnThisSite) {
  for (const auto& c : kCases) {
    auto got = SafeLocalTarget(c.target);
    EXPECT_EQ(got.has_value(), c.safe) << "[" << c.target << "] " << c.why;
    if (c.safe && got) {
      EXPECT_EQ(*got, c.target) << c.why;
    }
  }
}

TEST(IfMatchVersion, ReadsOnlyETagsThisApiIssues) {
  auto version = [](std::string_view header, char prefix) {
    Request req{Verb::put, "/x", 11};
    if (!header.empty()) req.set(Field::if_match, header);
    Context ctx{req, "/x", {}, {}, {}, "x", "", std::nullopt};
    return IfMatchVersion(ctx, prefix);
  };
  EXPECT_EQ(version("", 'v').value(), std::nullopt);
  EXPECT_EQ(version("*", 'v').value(), std::nullopt);
  EXPECT_EQ(version("\"v3\"", 'v').value(), 3);
  EXPECT_EQ(version("\"r12\"", 'r').value(), 12);
  EXPECT_EQ(VersionETag('v', 3), "\"v3\"");
  for (std::string_view bad : {"v3", "\"r3\"", "\"v\"", "\"v0\"", "\"v-1\"", "W/\"v3\"", "\"v3x\"",
                               "\"v99999999999999999999\""}) {
    auto r = version(bad, 'v');
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << bad;
  }
}

TEST(SafeLocalTarget, RefusesOverlongTargets) {
  EXPECT_TRUE(SafeLocalTarget("/" + std::string(1999, 'a')));
  EXPECT_FALSE(SafeLocalTarget("/" + std::string(2000, 'a')));
}

}  // namespace
}  // namespace ow::http
