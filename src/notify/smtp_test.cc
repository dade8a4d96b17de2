#include "notify/smtp.h"

#include <gtest/gtest.h>

namespace ow::notify {
namespace {

TEST(DotStuff, DoublesADotStartingALine) {
  EXPECT_EQ(DotStuff(".a\r\nb.\r\n.\r\n..c"), "..a\r\nb.\r\n..\r\n...c");
  EXPECT_EQ(DotStuff("no dots"), "no dots");
}

TEST(EncodeHeaderText, LeavesPlainAsciiAndEncodesTheRest) {
  EXPECT_EQ(EncodeHeaderText("OneWindow: news"), "OneWindow: news");
  // "=?" in ASCII text would read as an encoded word: it is encoded.
  EXPECT_EQ(EncodeHeaderText("a =?b"), "=?UTF-8?B?YSA9P2I=?=");
  EXPECT_EQ(EncodeHeaderText("一网通办"), "=?UTF-8?B?5LiA572R6YCa5Yqe?=");
}

TEST(EncodeHeaderText, SplitsLongTextBetweenCharacters) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "办";  // 120 bytes
  std::string out = EncodeHeaderText(text);
  size_t words = 0, pos = 0;
  while ((pos = out.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = out.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u);
    ++words;
    pos = end;
  }
  EXPECT_EQ(words, 3u);  // 15 characters (45 bytes) a word
  EXPECT_NE(out.find("\r\n "), std::string::npos);
}

TEST(FormatMessage, HasTheHeadersAndABase64Body) {
  Mail m{"noreply@ow.test", "a@b.test", "你好", "第一行\n.second", "<7.onewindow@ow.test>"};
  std::string msg = FormatMessage(m, SystemTime(std::chrono::seconds(1796090400)));
  EXPECT_NE(msg.find("Date: Tue, 01 Dec 2026 02:00:00 +0000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\r\nTo: a@b.test\r\n"), std::string::npos);
  EXPECT_NE(msg.find("\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\n"), std::string::npos);
  EXPECT_NE(msg.find("\r\nMessage-ID: <7.onewindow@ow.test>\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(msg.find("\r\n\r\n" + Base64("第一行\r\n.second") + "\r\n"), std::string::npos);
  EXPECT_EQ(msg.find('\n', 0) - 1, msg.find("\r\n"));
}

TEST(SendMail, ConnectionRefusedIsARetry) {
  // Port 1 on loopback: nothing listens there.
  auto st =
      SendMail({"127.0.0.1", 1, "ow.test", std::chrono::milliseconds(2000), false, "", "", ""},
               {"noreply@ow.test", "a@b.test", "s", "b", "<1@ow.test>"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kUnavailable);
  auto bad =
      SendMail({"127.0.0.1", 1, "ow.test", std::chrono::milliseconds(2000), false, "", "", ""},
               {"noreply@ow.test", "a@b.test>\r\nRCPT TO:<x@y", "s", "b", "<1@ow.test>"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kFailedPrecondition);
}

}  // namespace
}  // namespace ow::notify
