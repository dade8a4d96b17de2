#include "notify/smtp.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <ctime>
#include <exception>
#include <optional>
#include <sstream>
#include <vector>

namespace ow::notify {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// True for an address SMTP carries unquoted in MAIL FROM / RCPT TO.
bool SafeAddress(std::string_view a) {
  if (a.empty() || a.size() > 254 || a.find('@') == std::string_view::npos) return false;
  for (unsigned char c : a)
    if (c <= ' ' || c >= 0x7f || c == '<' || c == '>') return false;
  return true;
}

class Session {
 public:
  Session(const SmtpServer& s, const Mail& m) : s_(s), m_(m) {}

  Status Run() {
    std::optional<Status> out;
    timer_.expires_after(s_.timeout);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      timed_out_ = true;
      resolver_.cancel();
      boost::system::error_code ignored;
      socket_.close(ignored);
    });
    asio::co_spawn(ioc_, Go(), [&](const std::exception_ptr& e, Status r) {
      timer_.cancel();
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          out = Unavailable("smtp " + Origin() + ": " + ex.what());
        }
      } else {
        out = std::move(r);
      }
    });
    ioc_.run();
    if (!out) return Internal("smtp " + Origin() + ": the exchange did not complete");
    return *out;
  }

 private:
  std::string Origin() const { return s_.host + ":" + std::to_string(s_.port); }

  Error Lost(const boost::system::error_code& ec) const {
    if (timed_out_)
      return Unavailable("smtp " + Origin() + ": timed out after " +
                         std::to_string(s_.timeout.count()) + " ms while " + stage_);
    return Unavailable("smtp " + Origin() + ": " + stage_ + ": " + ec.message());
  }

  // Reads one reply (all its lines); returns its code, or an error.
  asio::awaitable<Result<int>> Reply() {
    std::string text;
    for (int lines = 0; lines < 100; ++lines) {
      auto [ec, n] = tls_ ? co_await asio::async_read_until(
                                *tls_, asio::dynamic_buffer(buf_, 65536), "\n", kNoThrow)
                          : co_await asio::async_read_until(
                                socket_, asio::dynamic_buffer(buf_, 65536), "\n", kNoThrow);
      if (ec) co_return Lost(ec);
      std::string line = buf_.substr(0, n);
      buf_.erase(0, n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
          line[2] < '0' || line[2] > '9')
        co_return Unavailable("smtp " + Origin() + ": " + stage_ + ": malformed reply");
      text += line + " ";
      if (line.size() == 3 || line[3] == ' ') {
        full_ = text;
        last_ = text.substr(0, 300);
        co_return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      }
    }
    co_return Unavailable("smtp " + Origin() + ": " + stage_ + ": reply too long");
  }

  asio::awaitable<Status> Write(std::string data) {
    auto [ec, n] = tls_ ? co_await asio::async_write(*tls_, asio::buffer(data), kNoThrow)
                        : co_await asio::async_write(socket_, asio::buffer(data), kNoThrow);
    if (ec) co_return Lost(ec);
    co_return Status{};
  }

  // Sends `command` (unless empty) and expects a reply of class `want` (2 or 3).
  asio::awaitable<Status> Step(std::string stage, std::string command, int want) {
    stage_ = std::move(stage);
    if (!command.empty()) {
      auto w = co_await Write(command + "\r\n");
      if (!w) co_return w.error();
    }
    auto code = co_await Reply();
    if (!code) co_return code.error();
    if (*code / 100 == want) co_return Status{};
    std::string what = "smtp " + Origin() + ": " + stage_ + " refused: " + last_;
    if (*code / 100 == 5) co_return FailedPrecondition(what);
    co_return Unavailable(what);
  }

  asio::awaitable<Status> Go() {
    if (!SafeAddress(m_.from) || !SafeAddress(m_.to))
      co_return FailedPrecondition("smtp: an address cannot be sent in an SMTP envelope");
    if (!s_.user.empty() && !s_.starttls)
      co_return FailedPrecondition("smtp: AUTH is sent only inside STARTTLS: enable starttls");
    stage_ = "resolving " + s_.host;
    auto [rec, endpoints] =
        co_await resolver_.async_resolve(s_.host, std::to_string(s_.port), kNoThrow);
    if (rec) co_return Lost(rec);
    stage_ = "connecting";
    auto [cec, endpoint] = co_await asio::async_connect(socket_, endpoints, kNoThrow);
    if (cec) co_return Lost(cec);
    if (auto st = co_await Step("greeting", "", 2); !st) co_return st;
    if (auto st = co_await Step("EHLO", "EHLO " + s_.helo, 2); !st) {
      if (st.error().code != Code::kFailedPrecondition || s_.starttls) co_return st;
      if (auto h = co_await Step("HELO", "HELO " + s_.helo, 2); !h) co_return h;
    }
    if (s_.starttls) {
      if (auto st = co_await StartTls(); !st) co_return st;
    }
    if (!s_.user.empty()) {
      if (auto st = co_await Auth(); !st) co_return st;
    }
    if (auto st = co_await Step("MAIL FROM", "MAIL FROM:<" + m_.from + ">", 2); !st) co_return st;
    if (auto st = co_await Step("RCPT TO", "RCPT TO:<" + m_.to + ">", 2); !st) co_return st;
    if (auto st = co_await Step("DATA", "DATA", 3); !st) co_return st;
    std::string data = DotStuff(FormatMessage(m_, std::chrono::system_clock::now()));
    if (data.size() < 2 || data.substr(data.size() - 2) != "\r\n") data += "\r\n";
    data += ".";
    // From here a lost connection leaves us not knowing whether the server took it: the
    // caller retries with the same Message-ID.
    if (auto st = co_await Step("end of DATA", data, 2); !st) co_return st;
    stage_ = "QUIT";
    if (auto w = co_await Write("QUIT\r\n"); w) (void)co_await Reply();
    boost::system::error_code ignored;
    socket_.close(ignored);
    co_return Status{};
  }

  // STARTTLS (RFC 3207): only when the EHLO reply offers it; then the TLS handshake with
  // the server's certificate verified, and EHLO again (the earlier answer is forgotten).
  asio::awaitable<Status> StartTls() {
    std::string upper = full_;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.find("STARTTLS") == std::string::npos)
      co_return Unavailable("smtp " + Origin() + ": the server does not offer STARTTLS");
    if (auto st = co_await Step("STARTTLS", "STARTTLS", 2); !st) co_return st;
    if (!buf_.empty())  // bytes sent before the handshake could be injected: refuse them
      co_return Unavailable("smtp " + Origin() + ": data after the STARTTLS reply");
    ctx_.emplace(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(ctx_->native_handle(), TLS1_2_VERSION) != 1)
      co_return Internal("smtp: cannot require TLS 1.2");
    ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx_->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (s_.ca_file.empty())
      ctx_->set_default_verify_paths(ec);
    else
      ctx_->load_verify_file(s_.ca_file, ec);
    if (ec) co_return Unavailable("smtp: cannot load the trust store: " + ec.message());
    tls_.emplace(socket_, *ctx_);
    boost::system::error_code addr_ec;
    asio::ip::make_address(s_.host, addr_ec);
    // SNI carries DNS names only; SSL_set_tlsext_host_name() is this call behind a macro.
    if (addr_ec && SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                            TLSEXT_NAMETYPE_host_name, const_cast<char*>(s_.host.c_str())) != 1)
      co_return Internal("smtp: cannot set SNI");
    tls_->set_verify_callback(ssl::host_name_verification(s_.host));
    stage_ = "in the TLS handshake";
    auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, kNoThrow);
    if (hec) {
      const long verify = SSL_get_verify_result(tls_->native_handle());  // NOLINT(runtime/int)
      if (!timed_out_ && verify != X509_V_OK)
        co_return Unavailable("smtp " + Origin() + ": TLS certificate verification failed: " +
                              X509_verify_cert_error_string(verify));
      co_return Lost(hec);
    }
    co_return co_await Step("EHLO in TLS", "EHLO " + s_.helo, 2);
  }

  // SMTP AUTH (RFC 4954) inside TLS: PLAIN (RFC 4616) when the EHLO reply offers it, else
  // LOGIN. Steps name only the stage, never what was sent, so the credentials stay out of
  // every error; a 535 (wrong credentials) is permanent, a 454 one to retry.
  asio::awaitable<Status> Auth() {
    // full_ holds the EHLO reply's lines joined by spaces: "250-host 250-AUTH PLAIN LOGIN
    // 250 STARTTLS"; the mechanisms are the words after the AUTH keyword on its line.
    std::vector<std::string> words, mechanisms;
    {
      std::istringstream in(full_);
      for (std::string w; in >> w;) {
        for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        words.push_back(std::move(w));
      }
    }
    for (size_t i = 0; i < words.size(); ++i) {
      size_t next = 0;
      if (words[i] == "250-AUTH")
        next = i + 1;
      else if (words[i] == "250" && i + 1 < words.size() && words[i + 1] == "AUTH")
        next = i + 2;
      else
        continue;
      for (size_t k = next; k < words.size() && !words[k].starts_with("250"); ++k)
        mechanisms.push_back(words[k]);
    }
    auto offered = [&](std::string_view m) {
      return std::find(mechanisms.begin(), mechanisms.end(), m) != mechanisms.end();
    };
    if (offered("PLAIN")) {
      std::string creds;
      creds += '\0';
      creds += s_.user;
      creds += '\0';
      creds += s_.password;
      co_return co_await Step("AUTH PLAIN", "AUTH PLAIN " + Base64(creds), 2);
    }
    if (offered("LOGIN")) {
      if (auto st = co_await Step("AUTH LOGIN", "AUTH LOGIN", 3); !st) co_return st;
      if (auto st = co_await Step("AUTH LOGIN user", Base64(s_.user), 3); !st) co_return st;
      co_return co_await Step("AUTH LOGIN password", Base64(s_.password), 2);
    }
    co_return FailedPrecondition("smtp " + Origin() +
                                 ": the server offers neither AUTH PLAIN nor AUTH LOGIN");
  }

  const SmtpServer& s_;
  const Mail& m_;
  asio::io_context ioc_;
  tcp::resolver resolver_{ioc_};
  tcp::socket socket_{ioc_};
  asio::steady_timer timer_{ioc_};
  std::optional<ssl::context> ctx_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
  std::string buf_;
  std::string stage_;
  std::string last_;
  std::string full_;  // the last reply, all its lines
  bool timed_out_ = false;
};

bool Ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80 || c < 0x20) return false;
  return true;
}

}  // namespace

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string EncodeHeaderText(std::string_view text) {
  if (Ascii(text) && text.find("=?") == std::string_view::npos) return std::string(text);
  // "=?UTF-8?B?" + base64 + "?=" within 75 characters: at most 45 bytes of text a word
  // (60 base64 characters), cut only before a UTF-8 lead byte.
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = std::min(text.size(), i + 45);
    while (end < text.size() && end > i && (uint8_t(text[end]) & 0xC0) == 0x80) --end;
    if (end == i) end = std::min(text.size(), i + 45);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 16);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string FormatMessage(const Mail& mail, SystemTime date) {
  std::time_t t = std::chrono::system_clock::to_time_t(date);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[64];
  std::strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string body;
  for (char c : mail.body) {
    if (c == '\n')
      body += "\r\n";
    else if (c != '\r')
      body += c;
  }
  std::string encoded = Base64(body);
  std::string out;
  out += "Date: " + std::string(when) + "\r\n";
  out += "From: " + mail.from + "\r\n";
  out += "To: " + mail.to + "\r\n";
  out += "Subject: " + EncodeHeaderText(mail.subject) + "\r\n";
  out += "Message-ID: " + mail.message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

Status SendMail(const SmtpServer& server, const Mail& mail) {
  Session s(server, mail);
  return s.Run();
}

}  // namespace ow::notify
