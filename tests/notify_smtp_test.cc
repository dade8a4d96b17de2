// The SMTP client against a real SMTP server (aiosmtpd) that requires STARTTLS, with a
// certificate made by openssl: the mail arrives over TLS when the client trusts the
// certificate; an untrusted certificate, a server that does not offer STARTTLS, and plain
// text to a server that requires TLS all fail without sending anything.
#include "notify/smtp.h"
#include "support/mail_sink.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

notify::Mail Sample() {
  return {"noreply@ow.test", "a@example.test", "一网通办：测试", "正文\n.第二行",
          "<1.onewindow@ow.test>"};
}

TEST(SmtpStartTls, SendsOverTlsWithTheTrustedCertificate) {
  SmtpSink sink(true);
  ASSERT_NE(sink.port(), 0);
  notify::SmtpServer server{"127.0.0.1", sink.port(),
                            "ow.test",   std::chrono::milliseconds(10000),
                            true,        sink.certificate()};
  auto st = notify::SendMail(server, Sample());
  ASSERT_TRUE(st) << st.error().message;
  auto mails = sink.WaitFor(1, std::chrono::seconds(10));
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].at("subject"), "一网通办：测试");
  // Text in canonical form (RFC 2045): CRLF line ends inside the base64.
  EXPECT_EQ(mails[0].at("body"), "正文\r\n.第二行");
}

TEST(SmtpStartTls, RefusesAnUntrustedCertificate) {
  SmtpSink sink(true);
  ASSERT_NE(sink.port(), 0);
  // The system trust store does not know the test's self-signed certificate.
  notify::SmtpServer server{"127.0.0.1", sink.port(), "ow.test", std::chrono::milliseconds(10000),
                            true,        ""};
  auto st = notify::SendMail(server, Sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kUnavailable);
  EXPECT_NE(st.error().message.find("certificate"), std::string::npos) << st.error().message;
  EXPECT_EQ(sink.Mails().size(), 0u);
}

TEST(SmtpStartTls, NeverFallsBackToPlainText) {
  SmtpSink plain;
  ASSERT_NE(plain.port(), 0);
  notify::SmtpServer server{
      "127.0.0.1", plain.port(), "ow.test", std::chrono::milliseconds(10000), true, ""};
  auto st = notify::SendMail(server, Sample());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("does not offer STARTTLS"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(plain.Mails().size(), 0u);
  // Plain text to a server that requires TLS: refused (5xx), nothing stored.
  SmtpSink tls(true);
  ASSERT_NE(tls.port(), 0);
  auto refused = notify::SendMail(
      {"127.0.0.1", tls.port(), "ow.test", std::chrono::milliseconds(10000), false, ""}, Sample());
  ASSERT_FALSE(refused);
  EXPECT_EQ(tls.Mails().size(), 0u);
}

}  // namespace
}  // namespace ow::testing
