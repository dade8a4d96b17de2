// An outbound HTTP/1.1 client: one synchronous request per call, over plain TCP or
// TLS, for the platform's calls to other servers (a peer platform's OpenID Connect
// discovery, JWKS and token endpoints).
//
// Each Fetch() opens a new connection (sending `Connection: close`), writes one
// request, reads one response and closes the connection: no pooling, no keep-alive,
// no redirects followed, no cookies, no proxies, no decompression. It runs its own
// single-threaded io_context on the calling thread, so Fetch() is thread-safe and
// blocks the caller for at most about `timeout` (see the note on name resolution).
//
// TLS (https): TLS 1.2 or newer only; the peer's certificate chain is verified
// against the system's default trust store, or only against `ca_file` when one is
// given; the certificate must match the URL's host (DNS name or IP address, via
// boost::asio::ssl::host_name_verification); SNI is sent for DNS names. There is no
// way to turn verification off.
#ifndef OW_HTTP_CLIENT_H_
#define OW_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ow::http {

// Every member has a default, so designated initializers may name only what they set:
// Fetch({.url = "https://peer.example.gov/.well-known/openid-configuration"}).
struct FetchRequest {
  // Any token method ("GET", "POST", "PUT", ...); anything else is kInvalidArgument.
  std::string method = "GET";
  // Absolute http:// or https:// URL, parsed with boost::url. Other schemes, a
  // missing host, user:password@ credentials or an invalid port are kInvalidArgument.
  // The fragment is not sent.
  std::string url;
  // Sent in this order after the client's own Host and User-Agent, which a header of
  // the same name replaces. Names must be HTTP tokens and values must not contain
  // CR, LF or NUL (kInvalidArgument). Content-Length is always set by Fetch().
  std::vector<std::pair<std::string, std::string>> headers{};
  // Sent with Content-Length when non-empty or when the method is POST.
  std::string body{};
  // Budget for the whole exchange: resolve + connect + TLS handshake + write + read.
  std::chrono::milliseconds timeout{5000};
  // Larger response bodies fail with kUnavailable, naming the limit.
  size_t max_body = 1 << 20;
  // https only: a PEM bundle of CA certificates to trust instead of the system store.
  std::string ca_file{};
};

struct FetchResponse {
  int status = 0;
  // In the order received, names as sent by the server.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `name`, compared case-insensitively; "" if absent.
  std::string Header(std::string_view name) const;
};

// Performs one HTTP exchange. Any HTTP status (including 3xx, 4xx and 5xx) is a
// successful FetchResponse. Errors:
//  - kInvalidArgument: a malformed request (URL, scheme, method, header) or a ca_file
//    that cannot be read as PEM.
//  - kUnavailable: name resolution, connection, TLS handshake or certificate
//    verification, write or read failed, the timeout expired, or the response
//    exceeded max_body. The message names scheme://host:port and the stage that
//    failed; it never contains the request body, headers, path or query.
// Name resolution runs in Asio's resolver thread: on timeout the call returns at the
// deadline for IP-literal hosts, but a system resolver that hangs may hold the call
// until getaddrinfo() returns.
Result<FetchResponse> Fetch(const FetchRequest& request);

// Serializes fields as application/x-www-form-urlencoded, following the WHATWG URL
// standard's serializer (what HTML forms send): ASCII alphanumerics and "*-._" are
// kept, space becomes "+", every other byte of the UTF-8 input is %XX (upper case).
// Pairs are joined with "&" in the given order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ow::http

#endif  // OW_HTTP_CLIENT_H_
