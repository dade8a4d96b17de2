#include "workflow/expression.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ow::workflow {
namespace {

boost::json::object Vars() {
  return boost::json::parse(R"({"amount": 1500, "type": "food", "ratio": 0.5, "ok": true,
                                "applicant": {"age": 17, "name": "Li"}, "none": null,
                                "list": [1, 2]})")
      .as_object();
}

bool Eval(std::string_view text, const Locals& locals = {}) {
  auto e = Expression::Parse(text);
  EXPECT_TRUE(e) << text << ": " << e.error().message;
  auto v = e->EvaluateBool(Vars(), locals);
  EXPECT_TRUE(v) << text << ": " << v.error().message;
  return v && *v;
}

TEST(ExpressionTest, ComparesNumbersStringsAndBooleans) {
  EXPECT_TRUE(Eval("${amount > 1000}"));
  EXPECT_FALSE(Eval("${amount < 1000}"));
  EXPECT_TRUE(Eval("${amount >= 1500 && amount <= 1500}"));
  EXPECT_TRUE(Eval("${amount == 1500.0}"));
  EXPECT_TRUE(Eval("${ratio < 1e0}"));
  EXPECT_TRUE(Eval("${type == \"food\"}"));
  EXPECT_TRUE(Eval("${type != 'drink'}"));
  EXPECT_TRUE(Eval("${type < \"goods\"}"));
  EXPECT_TRUE(Eval("${ok}"));
  EXPECT_TRUE(Eval("${ok == true}"));
  EXPECT_TRUE(Eval("${amount > -1}"));
}

TEST(ExpressionTest, LogicPrecedenceAndParentheses) {
  EXPECT_TRUE(Eval("${amount > 1000 && type == \"food\"}"));
  EXPECT_TRUE(Eval("${false && false || true}"));  // && binds tighter than ||
  EXPECT_FALSE(Eval("${false && (false || true)}"));
  EXPECT_TRUE(Eval("${!(amount < 10) && !false}"));
  EXPECT_TRUE(Eval("${!!ok}"));
}

TEST(ExpressionTest, FieldPathsAndMissingFields) {
  EXPECT_TRUE(Eval("${applicant.age < 18 && applicant.name == 'Li'}"));
  EXPECT_TRUE(Eval("${missing == null}"));
  EXPECT_TRUE(Eval("${applicant.missing.deeper == null}"));
  EXPECT_TRUE(Eval("${none == null}"));
  EXPECT_TRUE(Eval("${list == null}"));      // arrays and objects are not values of the language
  EXPECT_TRUE(Eval("${amount != '1500'}"));  // different types are unequal, never coerced
}

TEST(ExpressionTest, ShortCircuitSkipsTheOtherOperand) {
  // The right side would be a type error; it is not evaluated.
  EXPECT_FALSE(Eval("${false && missing > 1}"));
  EXPECT_TRUE(Eval("${true || missing > 1}"));
}

TEST(ExpressionTest, LocalsShadowVariables) {
  Locals locals{{"nrOfCompletedInstances", 2}, {"amount", 3}};
  EXPECT_TRUE(Eval("${nrOfCompletedInstances >= 2 && amount == 3}", locals));
}

TEST(ExpressionTest, StringEscapes) {
  auto e = Expression::Parse(R"(${name == 'O\'Brien \\ "x"'})");
  ASSERT_TRUE(e) << e.error().message;
  boost::json::object vars{{"name", "O'Brien \\ \"x\""}};
  auto v = e->EvaluateBool(vars);
  ASSERT_TRUE(v);
  EXPECT_TRUE(*v);
}

TEST(ExpressionTest, TypeErrorsAreErrorsNotFalse) {
  for (const char* text :
       {"${missing > 1}", "${type > 3}", "${amount && true}", "${!amount}", "${amount}"}) {
    auto e = Expression::Parse(text);
    ASSERT_TRUE(e) << text;
    auto v = e->EvaluateBool(Vars());
    ASSERT_FALSE(v) << text;
    EXPECT_EQ(v.error().code, Code::kInvalidArgument);
    EXPECT_NE(v.error().message.find(text), std::string::npos) << v.error().message;
  }
}

TEST(ExpressionTest, SyntaxErrorsAreRejectedAtParse) {
  for (const char* text : {"amount > 1", "${}", "${amount >}", "${(amount > 1}", "${amount > 1)}",
                           "${a = 1}", "${'open}", "${amount > 1 &&}", "${f(x)}", "${a + b}",
                           "${1.2.3 > 0}", "${a.}", "${'bad \\q escape'}", "#{a}"}) {
    auto e = Expression::Parse(text);
    EXPECT_FALSE(e) << text;
    if (!e) {
      EXPECT_EQ(e.error().code, Code::kInvalidArgument);
    }
  }
}

TEST(ExpressionTest, DeepNestingIsRefusedNotACrash) {
  std::string text = "${" + std::string(5000, '(') + "true" + std::string(5000, ')') + "}";
  EXPECT_FALSE(Expression::Parse(text));
  std::string nots = "${" + std::string(5000, '!') + "true}";
  EXPECT_FALSE(Expression::Parse(nots));
}

}  // namespace
}  // namespace ow::workflow
