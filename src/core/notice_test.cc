#include "core/notice.h"

#include <gtest/gtest.h>

#include <array>

namespace ow::notice {
namespace {

constexpr std::array kTable = {
    Template{"t.greet", "你好，{name}：{state:t.state}", "Hello {name}: {state:t.state}"},
    Template{"t.state.open", "已开放", "open"},
};

TEST(Notice, RendersParametersAndNestedLabelsInEachLanguage) {
  boost::json::object p{{"name", "张三"}, {"state", "open"}};
  EXPECT_EQ(Render(kTable, "t.greet", p, Lang::kZhCn), "你好，张三：已开放");
  EXPECT_EQ(Render(kTable, "t.greet", p, Lang::kEn), "Hello 张三: open");
  // A value without a label shows as itself; a missing parameter as nothing; an unknown
  // code as the code; braces in a parameter are not read as placeholders.
  EXPECT_EQ(Render(kTable, "t.greet", {{"name", "{state}"}, {"state", "odd"}}, Lang::kEn),
            "Hello {state}: odd");
  EXPECT_EQ(Render(kTable, "t.greet", {}, Lang::kEn), "Hello : ");
  EXPECT_EQ(Render(kTable, "t.newer", p, Lang::kEn), "t.newer");
}

TEST(Notice, PicksTheReadersLanguageFromAcceptLanguage) {
  EXPECT_EQ(FromAcceptLanguage(""), Lang::kZhCn);
  EXPECT_EQ(FromAcceptLanguage("en"), Lang::kEn);
  EXPECT_EQ(FromAcceptLanguage("en-GB,en;q=0.9"), Lang::kEn);
  EXPECT_EQ(FromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8"), Lang::kZhCn);
  EXPECT_EQ(FromAcceptLanguage("fr, en;q=0.5, zh;q=0.7"), Lang::kZhCn);
  EXPECT_EQ(FromAcceptLanguage("fr, zh;q=0, en;q=0.1"), Lang::kEn);
  EXPECT_EQ(FromAcceptLanguage("de, fr"), Lang::kZhCn);
  EXPECT_EQ(FromAcceptLanguage(";;;,,,q=,en;q=abc"), Lang::kZhCn);  // q=abc reads as 0
}

}  // namespace
}  // namespace ow::notice
