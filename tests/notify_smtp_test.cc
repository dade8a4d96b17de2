// The SMTP client against a real SMTP server (aiosmtpd) that requires STARTTLS, with a
// certificate made by openssl: the mail arrives over TLS when the client trusts the
// certificate; an untrusted certificate, a server that does not offer STARTTLS, and plain
// text to a server that requires TLS all fail without sending anything. SMTP AUTH against a
// server that requires it: PLAIN, LOGIN when only that is offered, a wrong password refused
// for good without the password in the error, credentials never sent without STARTTLS, and
// the settings checked at start-up (a password read from a file).
#include <cstdio>
#include <fstream>

#include "core/config.h"
#include "notify/service.h"
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
  notify::SmtpServer server{
      "127.0.0.1", sink.port(),        "ow.test", std::chrono::milliseconds(10000),
      true,        sink.certificate(), "",        ""};
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
                            true,        "",          "",        ""};
  auto st = notify::SendMail(server, Sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kUnavailable);
  EXPECT_NE(st.error().message.find("certificate"), std::string::npos) << st.error().message;
  EXPECT_EQ(sink.Mails().size(), 0u);
}

TEST(SmtpStartTls, NeverFallsBackToPlainText) {
  SmtpSink plain;
  ASSERT_NE(plain.port(), 0);
  notify::SmtpServer server{"127.0.0.1", plain.port(), "ow.test", std::chrono::milliseconds(10000),
                            true,        "",           "",        ""};
  auto st = notify::SendMail(server, Sample());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("does not offer STARTTLS"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(plain.Mails().size(), 0u);
  // Plain text to a server that requires TLS: refused (5xx), nothing stored.
  SmtpSink tls(true);
  ASSERT_NE(tls.port(), 0);
  auto refused = notify::SendMail(
      {"127.0.0.1", tls.port(), "ow.test", std::chrono::milliseconds(10000), false, "", "", ""},
      Sample());
  ASSERT_FALSE(refused);
  EXPECT_EQ(tls.Mails().size(), 0u);
}

notify::SmtpServer WithAuth(const SmtpSink& sink, std::string user, std::string password,
                            bool starttls = true) {
  notify::SmtpServer s{"127.0.0.1", sink.port(),        "ow.test", std::chrono::milliseconds(10000),
                       starttls,    sink.certificate(), "",        ""};
  s.user = std::move(user);
  s.password = std::move(password);
  return s;
}

TEST(SmtpAuth, PlainInsideTls) {
  SmtpSink sink(true, "relay-user:s3cret-Pass");
  ASSERT_NE(sink.port(), 0);
  // Without credentials the server refuses the mail.
  notify::SmtpServer anonymous{
      "127.0.0.1", sink.port(),        "ow.test", std::chrono::milliseconds(10000),
      true,        sink.certificate(), "",        ""};
  ASSERT_FALSE(notify::SendMail(anonymous, Sample()));
  EXPECT_EQ(sink.Mails().size(), 0u);
  auto st = notify::SendMail(WithAuth(sink, "relay-user", "s3cret-Pass"), Sample());
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(sink.WaitFor(1, std::chrono::seconds(10)).size(), 1u);
  EXPECT_EQ(sink.AuthLog(), "PLAIN relay-user\n");
}

TEST(SmtpAuth, LoginWhenOnlyLoginIsOffered) {
  SmtpSink sink(true, "relay-user:s3cret-Pass:LOGIN");
  ASSERT_NE(sink.port(), 0);
  auto st = notify::SendMail(WithAuth(sink, "relay-user", "s3cret-Pass"), Sample());
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(sink.WaitFor(1, std::chrono::seconds(10)).size(), 1u);
  EXPECT_EQ(sink.AuthLog(), "LOGIN relay-user\n");
}

TEST(SmtpAuth, AWrongPasswordIsRefusedForGoodWithoutShowingIt) {
  for (const char* auth : {"relay-user:s3cret-Pass", "relay-user:s3cret-Pass:LOGIN"}) {
    SmtpSink sink(true, auth);
    ASSERT_NE(sink.port(), 0);
    auto st = notify::SendMail(WithAuth(sink, "relay-user", "wrong-Guess-42"), Sample());
    ASSERT_FALSE(st) << auth;
    EXPECT_EQ(st.error().code, Code::kFailedPrecondition) << st.error().message;
    EXPECT_NE(st.error().message.find("AUTH"), std::string::npos) << st.error().message;
    EXPECT_EQ(st.error().message.find("wrong-Guess-42"), std::string::npos) << st.error().message;
    EXPECT_EQ(st.error().message.find(notify::Base64("wrong-Guess-42")), std::string::npos);
    EXPECT_EQ(sink.Mails().size(), 0u);
    EXPECT_EQ(sink.AuthLog(), "");
  }
}

TEST(SmtpAuth, NeverWithoutStartTls) {
  SmtpSink plain;
  ASSERT_NE(plain.port(), 0);
  notify::SmtpServer s{"127.0.0.1", plain.port(), "ow.test", std::chrono::milliseconds(10000),
                       false,       "",           "",        ""};
  s.user = "relay-user";
  s.password = "s3cret-Pass";
  auto st = notify::SendMail(s, Sample());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kFailedPrecondition);
  EXPECT_NE(st.error().message.find("STARTTLS"), std::string::npos) << st.error().message;
  EXPECT_EQ(plain.Mails().size(), 0u);
}

TEST(SmtpAuth, SettingsAreCheckedAtStartUp) {
  notify::Options o;
  o.smtp_host = "127.0.0.1";
  EXPECT_TRUE(notify::LoadSmtpPassword(o));  // no AUTH
  o.smtp_user = "relay-user";
  EXPECT_FALSE(notify::LoadSmtpPassword(o));  // no password
  o.smtp_password = "s3cret-Pass";
  auto no_tls = notify::LoadSmtpPassword(o);
  ASSERT_FALSE(no_tls);
  EXPECT_NE(no_tls.error().message.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(no_tls.error().message.find("s3cret-Pass"), std::string::npos);
  o.smtp_starttls = true;
  EXPECT_TRUE(notify::LoadSmtpPassword(o));
  // From a file (a mounted secret): its first line.
  std::string file = ::testing::TempDir() + "/ow-smtp-password";
  std::ofstream(file) << "from-File-9\nignored\n";
  notify::Options f = o;
  f.smtp_password.clear();
  f.smtp_password_file = file;
  ASSERT_TRUE(notify::LoadSmtpPassword(f));
  EXPECT_EQ(f.smtp_password, "from-File-9");
  f.smtp_password.clear();
  f.smtp_password_file = file + ".missing";
  EXPECT_FALSE(notify::LoadSmtpPassword(f));
  std::remove(file.c_str());
  // A password without a user is a mistake, not silently ignored.
  notify::Options stray;
  stray.smtp_password = "s3cret-Pass";
  EXPECT_FALSE(notify::LoadSmtpPassword(stray));
  // The printed configuration masks the password.
  Config c;
  c.notify_smtp_user = "relay-user";
  c.notify_smtp_password = "s3cret-Pass";
  std::string printed = PrintConfig(c);
  EXPECT_EQ(printed.find("s3cret-Pass"), std::string::npos);
  EXPECT_NE(printed.find("relay-user"), std::string::npos);
}

}  // namespace
}  // namespace ow::testing
