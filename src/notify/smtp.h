// A small SMTP client (RFC 5321) and the RFC 5322 message it sends.
//
// SendMail() opens one TCP connection, runs EHLO (HELO if EHLO is refused), with
// `starttls` STARTTLS (RFC 3207) and EHLO again inside TLS, then MAIL FROM, RCPT TO, DATA
// with the dot-stuffed message, QUIT, and closes. It blocks the calling thread for at most
// about `timeout` (its own io_context, like http::Fetch). TLS: 1.2 or newer, the server's
// certificate verified against the system trust store or only `ca_file`, and matched to
// `host` (as http::Fetch does); a server that does not offer STARTTLS is an error, never a
// silent fall-back to plain text. With a `user`, SMTP AUTH (RFC 4954) follows the EHLO
// inside TLS, PLAIN (RFC 4616) when the server offers it, else LOGIN; credentials are never
// sent without STARTTLS (a user without `starttls` is refused before connecting), and never
// appear in an error. Without a user there is no AUTH: a relay accepts the platform by its
// address.
//
// Errors: kUnavailable for what may work later (name resolution, connection, timeout,
// a 4xx reply, a connection lost before the final reply to DATA); kFailedPrecondition
// for a permanent refusal (a 5xx reply). The message names the stage and the reply.
#ifndef OW_NOTIFY_SMTP_H_
#define OW_NOTIFY_SMTP_H_

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace ow::notify {

struct Mail {
  std::string from;        // addr-spec, used in MAIL FROM and From:
  std::string to;          // addr-spec, used in RCPT TO and To:
  std::string subject;     // UTF-8
  std::string body;        // UTF-8 text, lines separated by \n
  std::string message_id;  // "<id@host>"
};

struct SmtpServer {
  std::string host;
  uint16_t port = 25;
  std::string helo;  // our name in EHLO
  std::chrono::milliseconds timeout{10000};
  bool starttls = false;
  std::string ca_file;   // PEM CA certificates to trust instead of the system store
  std::string user;      // SMTP AUTH user; "" = no AUTH
  std::string password;  // its password (secret)
};

Status SendMail(const SmtpServer& server, const Mail& mail);

// The RFC 5322 message: Date, From, To, Subject (RFC 2047 encoded-words when not
// ASCII), Message-ID, MIME-Version, text/plain; charset=UTF-8 in base64; CRLF line ends.
std::string FormatMessage(const Mail& mail, SystemTime date);
// `text` as RFC 2047 encoded-words ("=?UTF-8?B?...?="), each at most 75 characters and
// split only between UTF-8 characters; ASCII text without "=?" stays as it is.
std::string EncodeHeaderText(std::string_view text);
// Doubles a "." starting a line (RFC 5321 4.5.2).
std::string DotStuff(std::string_view message);
std::string Base64(std::string_view bytes);

}  // namespace ow::notify

#endif  // OW_NOTIFY_SMTP_H_
