// Test stand-ins for the notification channels: a real SMTP server (aiosmtpd, run by
// tests/tools/smtp_sink.py) whose received mails Python's own e-mail parser reads back
// (tests/tools/read_mail.py), and a tiny HTTP server playing the SMS gateway.
#ifndef OW_TESTS_SUPPORT_MAIL_SINK_H_
#define OW_TESTS_SUPPORT_MAIL_SINK_H_

#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ow::testing {

class SmtpSink {
 public:
  // Starts the server on a free loopback port (ADD_FAILUREs when it cannot). With `tls`,
  // it offers and requires STARTTLS with a fresh self-signed certificate for 127.0.0.1
  // (certificate(): its PEM file, the CA to trust).
  // With `auth` ("user:password", or "user:password:LOGIN" to offer only AUTH LOGIN), it
  // requires SMTP AUTH (after STARTTLS) with those credentials; AuthLog() lists the logins.
  explicit SmtpSink(bool tls = false, const std::string& auth = "");
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return port_; }
  const std::string& folder() const { return folder_; }
  std::string certificate() const { return folder_ + "/cert.pem"; }
  // Every mail received so far, oldest first, as read_mail.py prints them.
  boost::json::array Mails() const;
  // Waits (at most `timeout`) until at least `n` mails arrived; returns them all.
  boost::json::array WaitFor(size_t n, std::chrono::milliseconds timeout) const;
  // Answers every DATA with `code` ("451", "550") until Accept().
  void Refuse(const std::string& code);
  void Accept();
  // Each successful login so far: "PLAIN user", "LOGIN user", one a line.
  std::string AuthLog() const;
  // Stores each mail, then waits `seconds` before answering 250 (0: no wait).
  void Delay(double seconds);

 private:
  std::string folder_;
  int pid_ = -1;
  uint16_t port_ = 0;
};

// An HTTP/1.1 server on 127.0.0.1 answering each request with the next queued reply
// (status, body); 200 {"message_id": "gw-<n>"} once the queue is empty. Records every
// request's Authorization header and body.
class SmsGateway {
 public:
  SmsGateway();
  ~SmsGateway();
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  void Queue(int status, std::string body);
  struct Seen {
    std::string authorization, body;
  };
  std::vector<Seen> Requests() const;

 private:
  void Serve();
  struct Impl;
  Impl* impl_;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace ow::testing

#endif  // OW_TESTS_SUPPORT_MAIL_SINK_H_
