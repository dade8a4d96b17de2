#include "catalog/form_validate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ow::catalog {
namespace {

namespace json = boost::json;

// "path: message" for each error, joined by "; ", so a failure shows everything.
std::string Errors(const std::string& schema, const std::string& data) {
  std::string out;
  for (const auto& e : ValidateFormData(json::parse(schema), json::parse(data))) {
    if (!out.empty()) out += "; ";
    out += e.field + ": " + e.message;
  }
  return out;
}

bool Valid(const std::string& schema, const std::string& data) {
  return ValidateFormData(json::parse(schema), json::parse(data)).empty();
}

// The one path reported, or "" when there is not exactly one error.
std::string OnlyPath(const std::string& schema, const std::string& data) {
  auto errors = ValidateFormData(json::parse(schema), json::parse(data));
  return errors.size() == 1 ? errors[0].field : "<" + std::to_string(errors.size()) + " errors>";
}

TEST(FormValidate, Types) {
  EXPECT_TRUE(Valid(R"({"type":"object"})", "{}"));
  EXPECT_FALSE(Valid(R"({"type":"object"})", "[]"));
  EXPECT_TRUE(Valid(R"({"type":"string"})", R"("x")"));
  EXPECT_FALSE(Valid(R"({"type":"string"})", "1"));
  EXPECT_TRUE(Valid(R"({"type":"integer"})", "-3"));
  EXPECT_TRUE(Valid(R"({"type":"integer"})", "18446744073709551615"));
  EXPECT_TRUE(Valid(R"({"type":"integer"})", "2.0"));
  EXPECT_FALSE(Valid(R"({"type":"integer"})", "2.5"));
  EXPECT_FALSE(Valid(R"({"type":"integer"})", R"("2")"));
  EXPECT_TRUE(Valid(R"({"type":"number"})", "2.5"));
  EXPECT_TRUE(Valid(R"({"type":"number"})", "2"));
  EXPECT_FALSE(Valid(R"({"type":"number"})", "null"));
  EXPECT_TRUE(Valid(R"({"type":"boolean"})", "false"));
  EXPECT_FALSE(Valid(R"({"type":"boolean"})", "0"));
  EXPECT_TRUE(Valid(R"({"type":"array"})", "[1]"));
  EXPECT_FALSE(Valid(R"({"type":"array"})", "{}"));
  EXPECT_TRUE(Valid(R"({"type":["string","null"]})", "null"));
  EXPECT_EQ(Errors(R"({"type":"integer"})", "true"), ": must be an integer");
  EXPECT_EQ(Errors(R"({"type":"string"})", "true"), ": must be a string");
}

TEST(FormValidate, PropertiesRequiredAndPaths) {
  const std::string schema = R"({"type":"object","required":["applicant"],"properties":{
    "applicant":{"type":"object","required":["name","phone"],"properties":{
      "name":{"type":"string"},"phone":{"type":"string","pattern":"^1[3-9]\\d{9}$"}}},
    "children":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
    "a/b~c":{"type":"integer"}}})";
  EXPECT_TRUE(Valid(schema, R"({"applicant":{"name":"张三","phone":"13800138000"}})"));
  EXPECT_EQ(Errors(schema, "{}"), "applicant: is required");
  EXPECT_EQ(Errors(schema, R"({"applicant":{"name":"张三"}})"), "applicant/phone: is required");
  EXPECT_EQ(OnlyPath(schema, R"({"applicant":{"name":"张三","phone":"12345"}})"),
            "applicant/phone");
  EXPECT_EQ(OnlyPath(schema, R"({"applicant":{"name":"a","phone":"13800138000"},
                               "children":[{"name":"x"},{"name":7}]})"),
            "children/1/name");
  EXPECT_EQ(OnlyPath(schema, R"({"applicant":{"name":"a","phone":"13800138000"},"a/b~c":"x"})"),
            "a~1b~0c");
  // Undeclared fields are allowed unless additionalProperties says otherwise.
  EXPECT_TRUE(Valid(schema, R"({"applicant":{"name":"a","phone":"13800138000"},"extra":1})"));
  auto prefixed = ValidateFormData(json::parse(schema), json::parse("{}"), "form_data");
  ASSERT_EQ(prefixed.size(), 1u);
  EXPECT_EQ(prefixed[0].field, "form_data/applicant");
}

TEST(FormValidate, AdditionalProperties) {
  const std::string closed =
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})";
  EXPECT_TRUE(Valid(closed, R"({"a":"x"})"));
  EXPECT_EQ(Errors(closed, R"({"a":"x","b":1})"), "b: is not a field of this form");
  const std::string typed =
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}})";
  EXPECT_TRUE(Valid(typed, R"({"a":"x","b":1})"));
  EXPECT_EQ(OnlyPath(typed, R"({"a":"x","b":"y"})"), "b");
}

TEST(FormValidate, EnumAndConst) {
  const std::string e = R"({"type":"string","enum":["有效期满","证件损坏"]})";
  EXPECT_TRUE(Valid(e, R"("证件损坏")"));
  EXPECT_FALSE(Valid(e, R"("其他")"));
  EXPECT_TRUE(Valid(R"({"enum":[1,"a",{"k":[1]}]})", "1.0"));  // numbers by value
  EXPECT_TRUE(Valid(R"({"enum":[1,"a",{"k":[1]}]})", R"({"k":[1.0]})"));
  EXPECT_FALSE(Valid(R"({"enum":[1,"a",{"k":[1]}]})", R"({"k":[1],"j":2})"));
  EXPECT_TRUE(Valid(R"({"type":"boolean","const":true})", "true"));
  EXPECT_EQ(Errors(R"({"type":"boolean","const":true})", "false"), ": must be true");
}

TEST(FormValidate, LengthsCountCodePoints) {
  const std::string s = R"({"type":"string","minLength":2,"maxLength":3})";
  EXPECT_TRUE(Valid(s, R"("张三")"));    // 6 bytes, 2 characters
  EXPECT_TRUE(Valid(s, R"("欧阳娜")"));  // 9 bytes, 3 characters
  EXPECT_FALSE(Valid(s, R"("欧阳娜娜")"));
  EXPECT_FALSE(Valid(s, R"("张")"));
  EXPECT_TRUE(Valid(s, R"("😀😀")"));  // astral code points count once
  EXPECT_EQ(Errors(s, R"("a")"), ": must be at least 2 characters long");
  EXPECT_EQ(Errors(s, R"("abcd")"), ": must be at most 3 characters long");
}

TEST(FormValidate, Patterns) {
  const std::string phone = R"({"type":"string","pattern":"^1[3-9]\\d{9}$"})";
  EXPECT_TRUE(Valid(phone, R"("13800138000")"));
  EXPECT_FALSE(Valid(phone, R"("138001380001")"));
  EXPECT_FALSE(Valid(phone, R"("x13800138000")"));
  // Unanchored patterns search, as JSON Schema says.
  EXPECT_TRUE(Valid(R"({"type":"string","pattern":"\\d+"})", R"("abc123")"));
  EXPECT_FALSE(Valid(R"({"type":"string","pattern":"\\d+"})", R"("abc")"));
  // Code points, so Chinese ranges work.
  const std::string han = R"({"type":"string","pattern":"^[\\u4e00-\\u9fa5]{2,4}$"})";
  EXPECT_TRUE(Valid(han, R"("张三")"));
  EXPECT_FALSE(Valid(han, R"("Zhang")"));
  EXPECT_TRUE(Valid(R"({"type":"string","pattern":"^.{2}$"})", R"("张三")"));
  // The demo catalog's resident ID pattern.
  const std::string id =
      R"({"type":"string","pattern":"^[1-9]\\d{5}(18|19|20)\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])\\d{3}[0-9Xx]$"})";
  EXPECT_TRUE(Valid(id, R"("11010519491231002X")"));
  EXPECT_FALSE(Valid(id, R"("11010519491331002X")"));
  // A pattern that does not compile, or that needs backtracking, is the form's fault.
  EXPECT_EQ(Errors(R"({"type":"string","pattern":"(a"})", R"("a")"),
            ": cannot be checked: the form's pattern is not a valid regular expression");
  EXPECT_FALSE(Valid(R"({"type":"string","pattern":"(a)\\1"})", R"("aa")"));
  // Parentheses cannot break out of the wrapper that gives search semantics.
  EXPECT_FALSE(Valid(R"({"type":"string","pattern":"^a$)|(b"})", R"("xbx")"));
}

TEST(FormValidate, HostilePatternsAndInputsAreBounded) {
  // Exponential for a backtracking matcher; linear here.
  const std::string evil = R"({"type":"string","pattern":"^(a+)+$"})";
  std::string input = "\"" + std::string(900, 'a') + "!\"";
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Valid(evil, input));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  std::string longer = "\"" + std::string(kMaxPatternInput + 1, 'a') + "\"";
  EXPECT_EQ(Errors(evil, longer),
            ": is too long to check against its pattern (at most 1000 characters)");
  std::string big_pattern =
      R"({"type":"string","pattern":")" + std::string(kMaxPatternLength + 1, 'a') + R"("})";
  EXPECT_FALSE(Valid(big_pattern, R"("a")"));
  // Counts libstdc++ would overflow while compiling (undefined behaviour) or turn into
  // huge automata are the form's fault, like any pattern that does not compile.
  for (const char* p : {"a{99999999999999999999}", "a{1,77777777777777777777}", "a{1001}",
                        "(a)\\\\99999999999999999999", "x{7777777777777777777"}) {
    EXPECT_EQ(Errors(R"({"type":"string","pattern":")" + std::string(p) + R"("})", R"("a")"),
              ": cannot be checked: the form's pattern is not a valid regular expression")
        << p;
  }
  EXPECT_TRUE(Valid(R"({"type":"string","pattern":"^a{2,1000}$"})", R"("aaa")"));
  EXPECT_TRUE(Valid(R"({"type":"string","pattern":"^\\d{17}[0-9X]$"})", R"("33010219900307301X")"));
  // At most kMaxErrors errors, however many values are wrong.
  json::array many(1000, json::value("x"));
  auto errors = ValidateFormData(json::parse(R"({"type":"array","items":{"type":"integer"}})"),
                                 json::value(many));
  EXPECT_EQ(errors.size(), kMaxErrors);
}

TEST(FormValidate, NumericRanges) {
  const std::string incl = R"({"type":"number","minimum":1,"maximum":10})";
  EXPECT_TRUE(Valid(incl, "1"));
  EXPECT_TRUE(Valid(incl, "10.0"));
  EXPECT_FALSE(Valid(incl, "0.99"));
  EXPECT_FALSE(Valid(incl, "10.01"));
  EXPECT_EQ(Errors(incl, "11"), ": must be at most 10");
  EXPECT_EQ(Errors(incl, "0"), ": must be at least 1");
  const std::string excl = R"({"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":5})";
  EXPECT_TRUE(Valid(excl, "1"));
  EXPECT_TRUE(Valid(excl, "4"));
  EXPECT_EQ(Errors(excl, "0"), ": must be greater than 0");
  EXPECT_EQ(Errors(excl, "5"), ": must be less than 5");
  // Draft-4 style boolean exclusives.
  const std::string draft4 =
      R"({"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true})";
  EXPECT_TRUE(Valid(draft4, "0.5"));
  EXPECT_FALSE(Valid(draft4, "0"));
  EXPECT_FALSE(Valid(draft4, "1"));
  // Large integers compare exactly.
  EXPECT_FALSE(Valid(R"({"type":"integer","maximum":9007199254740992})", "9007199254740993"));
}

TEST(FormValidate, ItemsAndCounts) {
  const std::string s =
      R"({"type":"array","minItems":1,"maxItems":2,"items":{"type":"string","maxLength":2}})";
  EXPECT_TRUE(Valid(s, R"(["a","bc"])"));
  EXPECT_EQ(Errors(s, "[]"), ": must have at least 1 entries");
  // Absurd bounds are not undefined behaviour.
  EXPECT_TRUE(Valid(R"({"type":"array","maxItems":1e300})", "[1]"));
  EXPECT_FALSE(Valid(R"({"type":"string","minLength":1e300})", R"("x")"));
  EXPECT_EQ(Errors(s, R"(["a","b","c"])"), ": must have at most 2 entries");
  EXPECT_EQ(OnlyPath(s, R"(["a","bcd"])"), "1");
}

TEST(FormValidate, Formats) {
  const std::string date = R"({"type":"string","format":"date"})";
  EXPECT_TRUE(Valid(date, R"("2026-10-01")"));
  EXPECT_TRUE(Valid(date, R"("2024-02-29")"));
  EXPECT_FALSE(Valid(date, R"("2026-02-29")"));
  EXPECT_FALSE(Valid(date, R"("2026-10-01T00:00:00Z")"));
  EXPECT_FALSE(Valid(date, R"("10/01/2026")"));
  const std::string email = R"({"type":"string","format":"email"})";
  for (const char* ok : {"zhang.san@example.cn", "a+b@mail.gov.cn", "x@a-b.com"})
    EXPECT_TRUE(Valid(email, "\"" + std::string(ok) + "\"")) << ok;
  for (const char* bad : {"zhang", "@example.cn", "a@b", "a@@b.cn", "a..b@c.cn", ".a@b.cn",
                          "a@-b.cn", "a@b..cn", "a b@c.cn", "张三@例子.中国", "a@b.cn."})
    EXPECT_FALSE(Valid(email, "\"" + std::string(bad) + "\"")) << bad;
  // Formats we do not know are annotations.
  EXPECT_TRUE(Valid(R"({"type":"string","format":"uuid"})", R"("not a uuid")"));
}

TEST(FormValidate, StatusCarriesFieldErrors) {
  auto st = CheckFormData(json::parse(R"({"type":"object","required":["a","b"]})"),
                          json::parse("{}"), "form_data");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  ASSERT_EQ(st.error().fields.size(), 2u);
  EXPECT_EQ(st.error().fields[1].field, "form_data/b");
  EXPECT_TRUE(CheckFormData(json::parse(R"({"type":"object"})"), json::parse("{}")));
}

}  // namespace
}  // namespace ow::catalog
