#include "indicators/anonymise.h"

#include <gtest/gtest.h>

namespace ow::indicators {
namespace {

TEST(IndicatorsAnonymise, IdNumbersPhonesAndOtherLongNumbersAreMasked) {
  EXPECT_EQ(MaskText("身份证11010519491231002X已提交"), "身份证[id]已提交");
  EXPECT_EQ(MaskText("ID 110105194912310021."), "ID [id].");
  EXPECT_EQ(MaskText("旧证号110105491231002"), "旧证号[id]");
  EXPECT_EQ(MaskText("请回电13812345678或138-1234-5678"), "请回电[phone]或[phone]");
  EXPECT_EQ(MaskText("全角１３８１２３４５６７８"), "全角[phone]");
  EXPECT_EQ(MaskText("座机0571-87654321"), "座机[number]");
  EXPECT_EQ(MaskText("办件号2030060600000001237催了三次"), "办件号[number]催了三次");
  // Short numbers stay: they say how long, how many, which window.
  EXPECT_EQ(MaskText("等了45分钟，3号窗口，2030年6月"), "等了45分钟，3号窗口，2030年6月");
}

TEST(IndicatorsAnonymise, EmailAddressesAreMasked) {
  EXPECT_EQ(MaskText("写信到 zhang.san+gov@example.com.cn 没人回"), "写信到 [email] 没人回");
  EXPECT_EQ(MaskText("a@b 不是地址"), "a@b 不是地址");
}

TEST(IndicatorsAnonymise, ChineseNamesBeforeAFormOfAddressOrAfterAnIntroductionAreMasked) {
  EXPECT_EQ(MaskText("王先生很耐心"), "[name]先生很耐心");
  EXPECT_EQ(MaskText("李建国师傅态度好"), "[name]师傅态度好");
  EXPECT_EQ(MaskText("欧阳娜娜女士帮了忙"), "[name]女士帮了忙");
  EXPECT_EQ(MaskText("我叫张三，来办执照"), "我叫[name]，来办执照");
  EXPECT_EQ(MaskText("工作人员赵小红态度差"), "工作人员[name]态度差");
  EXPECT_EQ(MaskText("工作人员王先生"), "工作人员[name]先生");
  EXPECT_EQ(MaskText("姓名：刘德华"), "姓名：[name]");
  // No surname, or nothing after the introduction: nothing to mask.
  EXPECT_EQ(MaskText("工作人员态度差"), "工作人员态度差");
  EXPECT_EQ(MaskText("等了很久"), "等了很久");
}

TEST(IndicatorsAnonymise, EnglishNamesAfterATitleAreMasked) {
  EXPECT_EQ(MaskText("Mr. John Smith was rude"), "Mr. [name] was rude");
  EXPECT_EQ(MaskText("thanks to Ms Li"), "thanks to Ms [name]");
  EXPECT_EQ(MaskText("My name is Wang Fang, call me"), "My name is [name], call me");
  EXPECT_EQ(MaskText("Mr nobody"), "Mr nobody");
}

TEST(IndicatorsAnonymise, CaseKeysGroupWithinAKeyAndDifferAcrossKeys) {
  const std::string a = NewCaseKeySecret(), b = NewCaseKeySecret();
  EXPECT_EQ(CaseKey(a, "2030060600000001237"), CaseKey(a, "2030060600000001237"));
  EXPECT_NE(CaseKey(a, "2030060600000001237"), CaseKey(a, "2030060600000001245"));
  EXPECT_NE(CaseKey(a, "2030060600000001237"), CaseKey(b, "2030060600000001237"));
  EXPECT_EQ(CaseKey(a, "x").size(), 17u);
  EXPECT_EQ(CaseKey(a, "x").find("2030"), std::string::npos);
}

}  // namespace
}  // namespace ow::indicators
