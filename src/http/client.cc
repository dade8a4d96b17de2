#include "http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <exception>
#include <optional>

namespace ow::http {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr uint32_t kHeaderLimit = 64 << 10;

struct Target {
  bool tls = false;
  std::string host;  // IPv6 without brackets
  bool host_is_ip = false;
  uint16_t port = 0;
  std::string origin;       // scheme://host:port, the only part of the URL put in messages
  std::string host_header;  // host[:port], port omitted when it is the scheme's default
  std::string target;       // origin-form: path and query
};

Result<Target> ParseTarget(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);  // scheme required; the fragment is never sent
  if (!parsed) return InvalidArgument("fetch: not an absolute URL: " + parsed.error().message());
  const boost::urls::url_view u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return InvalidArgument("fetch: only http and https URLs are supported, not '" +
                           std::string(u.scheme()) + "'");
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    return InvalidArgument("fetch: the URL has no host");
  }
  if (u.has_userinfo()) return InvalidArgument("fetch: credentials in URLs are not supported");
  const auto host_type = u.host_type();
  if (host_type == boost::urls::host_type::ipvfuture) {
    return InvalidArgument("fetch: unsupported IP literal in the URL");
  }
  t.host = u.host_address();
  t.host_is_ip =
      host_type == boost::urls::host_type::ipv4 || host_type == boost::urls::host_type::ipv6;
  const uint16_t default_port = t.tls ? 443 : 80;
  t.port = default_port;
  if (u.has_port() && !u.port().empty()) {
    // port_number() wraps values above 65535, so the digits are read here.
    const std::string_view digits = u.port();
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return InvalidArgument("fetch: invalid port in the URL");
    }
    t.port = static_cast<uint16_t>(port);
  }
  const std::string bracketed =
      host_type == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.origin = std::string(t.tls ? "https://" : "http://") + bracketed + ":" + std::to_string(t.port);
  t.host_header = bracketed;
  if (t.port != default_port) t.host_header += ":" + std::to_string(t.port);
  // Boost.URL 1.81 reads "http://h:8x/" as port "8" and path "x/"; a path after an
  // authority must start with "/".
  if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
    return InvalidArgument("fetch: invalid authority in the URL");
  }
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  return t;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsSafeHeaderValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Result<bhttp::request<bhttp::string_body>> BuildRequest(const FetchRequest& in, const Target& t) {
  if (!IsToken(in.method)) return InvalidArgument("fetch: invalid method");
  bhttp::request<bhttp::string_body> req;
  req.version(11);
  req.method_string(in.method);
  req.target(t.target);
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::user_agent, "onewindow");
  std::vector<std::string> replaced;
  for (const auto& [name, value] : in.headers) {
    if (!IsToken(name) || !IsSafeHeaderValue(value)) {
      return InvalidArgument("fetch: invalid header '" + (IsToken(name) ? name : "?") + "'");
    }
    // The first user header of a name replaces the client's default; later ones add to it.
    bool seen = false;
    for (const auto& r : replaced) seen = seen || beast::iequals(r, name);
    if (!seen) {
      req.erase(name);
      replaced.push_back(name);
    }
    req.insert(name, value);
  }
  req.set(bhttp::field::connection, "close");
  req.body() = in.body;
  if (!in.body.empty() || in.method == "POST") {
    req.content_length(in.body.size());
  } else {
    req.erase(bhttp::field::content_length);
  }
  req.erase(bhttp::field::transfer_encoding);
  return req;
}

Result<ssl::context> MakeTlsContext(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    return Internal("fetch: cannot require TLS 1.2");
  }
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  ctx.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
    if (ec) return Unavailable("fetch: cannot load the system trust store: " + ec.message());
  } else {
    ctx.load_verify_file(ca_file, ec);
    if (ec) return InvalidArgument("fetch: cannot load ca_file " + ca_file + ": " + ec.message());
  }
  return ctx;
}

// One exchange on a private io_context. The deadline is a single timer for the whole
// exchange: when it fires it cancels the resolver and closes the socket, which makes
// whatever operation is pending complete with an error that Fail() reports as a
// timeout. Everything runs on the calling thread, so the timer handler and the
// coroutine never run concurrently.
class Exchange {
 public:
  Exchange(const FetchRequest& in, Target target, bhttp::request<bhttp::string_body> req,
           ssl::context* tls_context)
      : in_(in), t_(std::move(target)), req_(std::move(req)) {
    if (tls_context != nullptr) tls_.emplace(ioc_, *tls_context);
  }

  Result<FetchResponse> Run() {
    std::optional<Result<FetchResponse>> out;
    timer_.expires_after(in_.timeout);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the exchange finished first
      timed_out_ = true;
      resolver_.cancel();
      boost::system::error_code ignored;
      Socket().close(ignored);
    });
    asio::co_spawn(ioc_, Go(), [&](const std::exception_ptr& e, Result<FetchResponse> r) {
      timer_.cancel();
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          out = Internal("fetch " + t_.origin + ": " + ex.what());
        }
      } else {
        out = std::move(r);
      }
    });
    ioc_.run();
    if (!out) return Internal("fetch " + t_.origin + ": the exchange did not complete");
    return std::move(*out);
  }

 private:
  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : plain_; }

  Error Fail(std::string_view what, const boost::system::error_code& ec) const {
    if (timed_out_) {
      return Unavailable("fetch " + t_.origin + ": timed out after " +
                         std::to_string(in_.timeout.count()) + " ms while " + stage_);
    }
    return Unavailable("fetch " + t_.origin + ": " + std::string(what) + ": " + ec.message());
  }

  asio::awaitable<Result<FetchResponse>> Go() {
    stage_ = "resolving " + t_.host;
    auto [rec, endpoints] =
        co_await resolver_.async_resolve(t_.host, std::to_string(t_.port), kNoThrow);
    if (rec) co_return Fail("cannot resolve " + t_.host, rec);
    stage_ = "connecting";
    auto [cec, endpoint] = co_await asio::async_connect(Socket(), endpoints, kNoThrow);
    if (cec) co_return Fail("cannot connect", cec);
    if (!tls_) co_return co_await Transfer(plain_);

    stage_ = "in the TLS handshake";
    // SNI carries DNS names only (RFC 6066 section 3).
    // SSL_set_tlsext_host_name() is this SSL_ctrl() call behind a macro with a C cast.
    if (!t_.host_is_ip && SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                   TLSEXT_NAMETYPE_host_name, t_.host.data()) != 1) {
      co_return Internal("fetch " + t_.origin + ": cannot set SNI");
    }
    tls_->set_verify_callback([this, check = ssl::host_name_verification(t_.host)](
                                  bool preverified, ssl::verify_context& ctx) {
      const bool ok = check(preverified, ctx);
      if (preverified && !ok) host_mismatch_ = true;
      return ok;
    });
    auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, kNoThrow);
    if (hec) {
      if (timed_out_) co_return Fail("", hec);
      if (host_mismatch_) {
        co_return Unavailable("fetch " + t_.origin + ": TLS certificate verification failed: " +
                              "the certificate does not match host " + t_.host);
      }
      const long verify =
          SSL_get_verify_result(tls_->native_handle());  // NOLINT(google-runtime-int)
      if (verify != X509_V_OK) {
        co_return Unavailable("fetch " + t_.origin + ": TLS certificate verification failed: " +
                              X509_verify_cert_error_string(verify));
      }
      co_return Fail("TLS handshake failed", hec);
    }
    // No close_notify is sent after the response: it is complete and framed by then, and
    // waiting for the peer's close_notify could only add latency.
    co_return co_await Transfer(*tls_);
  }

  template <class Stream>
  asio::awaitable<Result<FetchResponse>> Transfer(Stream& stream) {
    stage_ = "writing the request";
    auto [wec, written] = co_await bhttp::async_write(stream, req_, kNoThrow);
    if (wec) co_return Fail("cannot send the request", wec);
    stage_ = "reading the response";
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(in_.max_body);
      if (req_.method() == bhttp::verb::head) parser.skip(true);
      auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      if (rec == bhttp::error::body_limit) {
        co_return Unavailable("fetch " + t_.origin + ": the response body exceeds the limit of " +
                              std::to_string(in_.max_body) + " bytes");
      }
      if (rec) co_return Fail("cannot read the response", rec);
      auto res = parser.release();
      // Interim responses (100 Continue, 103 Early Hints) precede the real one.
      if (res.result_int() >= 100 && res.result_int() < 200 && res.result_int() != 101) continue;
      FetchResponse out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      out.body = std::move(res.body());
      co_return out;
    }
  }

  const FetchRequest& in_;
  Target t_;
  bhttp::request<bhttp::string_body> req_;
  asio::io_context ioc_{1};
  asio::steady_timer timer_{ioc_};
  tcp::resolver resolver_{ioc_};
  tcp::socket plain_{ioc_};
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::string stage_;
  bool timed_out_ = false;
  bool host_mismatch_ = false;
};

}  // namespace

std::string FetchResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return {};
}

Result<FetchResponse> Fetch(const FetchRequest& request) {
  OW_ASSIGN_OR_RETURN(Target target, ParseTarget(request.url));
  OW_ASSIGN_OR_RETURN(auto req, BuildRequest(request, target));
  std::optional<ssl::context> tls_context;
  if (target.tls) {
    OW_ASSIGN_OR_RETURN(tls_context, MakeTlsContext(request.ca_file));
  }
  Exchange exchange(request, std::move(target), std::move(req),
                    tls_context ? &*tls_context : nullptr);
  return exchange.Run();
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto append = [&out](std::string_view s) {
    for (const char c : s) {
      const auto b = static_cast<unsigned char>(c);
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '*' ||
          b == '-' || b == '.' || b == '_') {
        out += c;
      } else if (b == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[b >> 4];
        out += kHex[b & 0x0F];
      }
    }
  };
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += '&';
    append(fields[i].first);
    out += '=';
    append(fields[i].second);
  }
  return out;
}

}  // namespace ow::http
