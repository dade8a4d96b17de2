#include "http/server.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/middleware.h"
#include "http/problem.h"

namespace ow::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

Result<std::pair<std::string, uint16_t>> ParseListen(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return InvalidArgument("listen address must be HOST:PORT");
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("listen port must be 0-65535");
  }
  boost::system::error_code aec;
  asio::ip::make_address(host, aec);
  if (aec) return InvalidArgument("listen host must be an IP address, got '" + host + "'");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

namespace {

// A connection as seen from Shutdown(): its strand and stream, and whether it is
// between requests (then it may be closed at once).
struct ConnState {
  explicit ConnState(tcp::socket s) : peer(PeerAddress(s)), stream(std::move(s)) {}
  static std::string PeerAddress(const tcp::socket& s) {
    boost::system::error_code ec;
    auto remote = s.remote_endpoint(ec);
    return ec ? std::string() : remote.address().to_string();
  }
  std::string peer;  // the client's IP address
  beast::tcp_stream stream;
  std::atomic<bool> idle{true};
};

constexpr size_t kSpoolPiece = 64 << 10;

// A spooled request body on disk: written once, hashed on the way, deleted with this
// object (so also when a handler throws or the client goes away mid-upload).
class SpoolFile {
 public:
  // kUnavailable when the file cannot be created (missing folder, no space).
  static Result<std::unique_ptr<SpoolFile>> Create(const std::string& dir) {
    std::string folder = dir;
    if (folder.empty()) {
      std::error_code ec;
      folder = std::filesystem::temp_directory_path(ec).string();
      if (ec) folder = "/tmp";
    }
    std::string path = folder + "/onewindow-upload-XXXXXX";
    // mkostemp creates the file O_EXCL with mode 0600; O_CLOEXEC keeps it out of
    // child processes (the virus scanner gets the path, not our descriptor).
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) {
      return Unavailable("cannot create a spool file in " + folder + ": " + std::strerror(errno));
    }
    return std::unique_ptr<SpoolFile>(new SpoolFile(std::move(path), fd));
  }
  ~SpoolFile() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // False (with errno) when the disk refuses the bytes.
  bool Append(const char* data, size_t n) {
    hasher_.Update(std::string_view(data, n));
    size_ += n;
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  // Closes the file for writing and describes it.
  Result<SpooledBody> Finish() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Unavailable(std::string("spool file: ") + std::strerror(errno));
    return SpooledBody{path_, size_, crypto::HexEncode(hasher_.Finish())};
  }

 private:
  SpoolFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
  uint64_t size_ = 0;
  crypto::Sha256Hasher hasher_;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  InlineHandler inline_handler;
  SpoolPolicy spool_policy;
  SpoolHandler spool_handler;
  asio::io_context ioc;
  asio::thread_pool handlers;
  asio::thread_pool blocking;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> in_flight{0};
  std::mutex mu;
  std::unordered_map<uint64_t, std::weak_ptr<ConnState>> live;
  uint64_t next_id = 0;

  Impl(ServerOptions o, Handler h, InlineHandler ih)
      : options(std::move(o)),
        handler(std::move(h)),
        inline_handler(std::move(ih)),
        handlers(std::max(1, options.handler_threads)),
        blocking(std::max(1, options.blocking_threads)) {}

  awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kNoThrow);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors and the like: back off briefly instead of spinning.
        log::Warn("http.accept_failed", {{"error", ec.message()}});
        asio::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(kNoThrow);
        continue;
      }
      if (connections.load() >= options.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto exec = socket.get_executor();
      auto state = std::make_shared<ConnState>(std::move(socket));
      uint64_t id;
      {
        std::lock_guard<std::mutex> lock(mu);
        id = next_id++;
        live.emplace(id, state);
      }
      ++connections;
      asio::co_spawn(exec, Serve(state), [this, id](const std::exception_ptr& e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::Error("http.connection_exception", {{"what", ex.what()}});
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        live.erase(id);
        --connections;
      });
    }
  }

  awaitable<bool> Write(ConnState& c, Response& res) {
    c.stream.expires_after(options.write_timeout);
    auto [ec, n] = co_await beast_http::async_write(c.stream, res, kNoThrow);
    co_return !ec;
  }

  // Sends a protocol-level error and reports that the connection must close.
  awaitable<void> Fail(ConnState& c, Status status, std::string_view detail) {
    Response res = Problem(status, detail);
    ApplySecurityHeaders(res);
    res.keep_alive(false);
    co_await Write(c, res);
  }

  // The client's address: the connection's, or behind a trusted proxy the one its
  // X-Forwarded-For lines name (http/proxies.h).
  std::string Client(const Request& req, const std::string& connection) const {
    if (options.trusted_proxies.empty()) return connection;
    std::string forwarded;
    for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it)
      forwarded += (forwarded.empty() ? "" : ",") + std::string(it->value());
    return ClientAddress(connection, forwarded, options.trusted_proxies);
  }

  awaitable<Response> RunHandler(Request& req, const std::string& peer, bool slow,
                                 const SpooledBody* spooled = nullptr) {
    ++in_flight;
    struct Done {
      std::atomic<int64_t>& n;
      ~Done() { --n; }
    } done{in_flight};
    auto run = [this, &req, &peer, spooled]() -> awaitable<Response> {
      if (spooled) co_return spool_handler(req, peer, *spooled);
      co_return handler(req, peer);
    };
    if (slow) co_return co_await asio::co_spawn(blocking, run, use_awaitable);
    co_return co_await asio::co_spawn(handlers, run, use_awaitable);
  }

  // Runs the plan's admission check on the blocking pool (it may read the database).
  awaitable<std::optional<Response>> Admit(const SpoolPlan& plan) {
    const SpoolPlan* p = &plan;
    co_return co_await asio::co_spawn(
        blocking, [p]() -> awaitable<std::optional<Response>> { co_return p->admit(); },
        use_awaitable);
  }

  // Streams the body of a request the spool policy claimed into a SpoolFile, runs the
  // spool handler and writes its response. Returns whether the connection stays open.
  awaitable<bool> ServeSpooled(ConnState& c, beast::flat_buffer& buffer,
                               beast_http::request_parser<beast_http::string_body>& header,
                               const SpoolPlan& plan) {
    const std::string too_large =
        "request body exceeds the limit of " + std::to_string(plan.max_bytes) + " bytes";
    if (auto len = header.content_length(); len && *len > plan.max_bytes) {
      co_await Fail(c, Status::payload_too_large, too_large);
      co_return false;
    }
    // Who is uploading is settled before the client is told to send the body and before
    // a byte of it reaches the disk.
    std::optional<Response> refusal;
    if (plan.admit) refusal = co_await Admit(plan);
    if (refusal) {
      refusal->keep_alive(false);
      co_await Write(c, *refusal);
      co_return false;
    }
    if (beast::iequals(header.get()[Field::expect], "100-continue")) {
      beast_http::response<beast_http::empty_body> cont{Status::continue_, 11};
      c.stream.expires_after(options.write_timeout);
      auto [cec, cn] = co_await beast_http::async_write(c.stream, cont, kNoThrow);
      if (cec) co_return false;
    }
    auto file = SpoolFile::Create(options.spool_dir);
    if (!file) {
      log::Error("http.spool_failed", {{"error", file.error().message}});
      co_await Fail(c, Status::service_unavailable, "cannot take uploads at the moment");
      co_return false;
    }
    beast_http::request_parser<beast_http::buffer_body> parser(std::move(header));
    parser.body_limit(plan.max_bytes);
    std::vector<char> piece(kSpoolPiece);
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      c.stream.expires_after(options.read_timeout);
      auto [ec, n] = co_await beast_http::async_read(c.stream, buffer, parser, kNoThrow);
      size_t got = piece.size() - parser.get().body().size;
      if (got > 0 && !(*file)->Append(piece.data(), got)) {
        log::Error("http.spool_failed", {{"error", std::string(std::strerror(errno))}});
        co_await Fail(c, Status::service_unavailable, "cannot take uploads at the moment");
        co_return false;
      }
      if (ec == beast_http::error::need_buffer) continue;
      if (ec == beast_http::error::body_limit) {
        co_await Fail(c, Status::payload_too_large, too_large);
        co_return false;
      }
      if (ec) {
        if (ec != beast_http::error::end_of_stream && ec != asio::error::eof &&
            ec != beast::error::timeout) {
          co_await Fail(c, Status::bad_request, "malformed request body: " + ec.message());
        }
        co_return false;
      }
    }
    auto body = (*file)->Finish();
    if (!body) {
      log::Error("http.spool_failed", {{"error", body.error().message}});
      co_await Fail(c, Status::service_unavailable, "cannot take uploads at the moment");
      co_return false;
    }
    Request req(std::move(parser.release().base()));
    c.stream.expires_never();
    const std::string peer = Client(req, c.peer);
    Response res = co_await RunHandler(req, peer, plan.blocking, &*body);
    file->reset();  // deleted before the client hears back
    bool keep = req.keep_alive() && !stopping;
    res.keep_alive(keep);
    bool written = co_await Write(c, res);
    co_return written&& keep;
  }

  awaitable<void> Serve(std::shared_ptr<ConnState> state) {
    ConnState& c = *state;
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping) break;
      // Between requests the idle timeout applies; once the first byte of a request
      // arrives the read timeout covers the whole request.
      if (buffer.size() == 0) {
        c.idle = true;
        c.stream.expires_after(options.idle_timeout);
        auto [ec, n] = co_await c.stream.async_read_some(buffer.prepare(4096), kNoThrow);
        if (ec) break;
        buffer.commit(n);
      }
      c.idle = false;
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(options.header_limit);
      // The body limit depends on the route (spooled uploads have their own), known once
      // the header is read: set below, before any of the body is parsed.
      parser.body_limit(boost::none);
      c.stream.expires_after(options.read_timeout);
      auto [hec, hn] = co_await beast_http::async_read_header(c.stream, buffer, parser, kNoThrow);
      if (hec == beast_http::error::header_limit) {
        co_await Fail(c, Status::request_header_fields_too_large,
                      "request headers exceed the limit");
        break;
      }
      // On timeout Beast has already closed the socket: the client is simply cut off.
      if (hec == beast::error::timeout || hec == beast_http::error::end_of_stream ||
          hec == asio::error::eof || hec == asio::error::connection_reset ||
          hec == asio::error::operation_aborted) {
        break;
      }
      if (hec) {
        co_await Fail(c, Status::bad_request, "malformed request: " + hec.message());
        break;
      }
      if (spool_policy) {
        if (std::optional<SpoolPlan> plan = spool_policy(parser.get())) {
          if (plan->refusal) {
            plan->refusal->keep_alive(false);
            co_await Write(c, *plan->refusal);
            break;
          }
          if (!co_await ServeSpooled(c, buffer, parser, *plan)) break;
          continue;
        }
      }
      parser.body_limit(options.body_limit);
      if (auto len = parser.content_length(); len && *len > options.body_limit) {
        co_await Fail(c, Status::payload_too_large, "request body exceeds the limit");
        break;
      }
      if (beast::iequals(parser.get()[Field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{Status::continue_, 11};
        c.stream.expires_after(options.write_timeout);
        auto [cec, cn] = co_await beast_http::async_write(c.stream, cont, kNoThrow);
        if (cec) break;
        c.stream.expires_after(options.read_timeout);
      }
      if (!parser.is_done()) {
        auto [bec, bn] = co_await beast_http::async_read(c.stream, buffer, parser, kNoThrow);
        if (bec == beast_http::error::body_limit) {
          co_await Fail(c, Status::payload_too_large, "request body exceeds the limit");
          break;
        }
        if (bec) {
          if (bec != beast_http::error::end_of_stream && bec != asio::error::eof &&
              bec != beast::error::timeout) {
            co_await Fail(c, Status::bad_request, "malformed request body: " + bec.message());
          }
          break;
        }
      }
      Request req = parser.release();
      c.stream.expires_never();
      // Answers that cannot block (cache hits, static files, health) skip the two
      // thread hand-offs to the handler pool and back.
      std::optional<Response> quick;
      bool slow = false;
      const std::string peer = Client(req, c.peer);
      if (inline_handler) quick = inline_handler(req, peer, &slow);
      // (No co_await inside ?: — GCC 12 miscompiles it.)
      Response res;
      if (quick) {
        res = std::move(*quick);
      } else {
        res = co_await RunHandler(req, peer, slow);
      }
      bool keep = req.keep_alive() && !stopping;
      res.keep_alive(keep);
      if (!co_await Write(c, res) || !keep) break;
    }
    boost::system::error_code ignored;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c.stream.close();
  }

  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    log::Info("http.shutdown_started",
              {{"connections", connections.load()}, {"in_flight", in_flight.load()}});
    asio::post(ioc, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      signals.cancel(ignored);
    });
    CloseIdle();
    asio::co_spawn(ioc, Drain(), asio::detached);
  }

  void CloseIdle() {
    std::vector<std::shared_ptr<ConnState>> conns;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [id, weak] : live) {
        if (auto s = weak.lock()) conns.push_back(std::move(s));
      }
    }
    for (auto& s : conns) {
      asio::post(s->stream.get_executor(), [s] {
        if (s->idle) s->stream.cancel();
      });
    }
  }

  awaitable<void> Drain() {
    auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    asio::steady_timer t(ioc);
    while (connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      CloseIdle();  // connections that finished their last request since
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(kNoThrow);
    }
    if (connections.load() > 0) {
      log::Warn("http.shutdown_grace_expired", {{"connections", connections.load()}});
    }
    ioc.stop();
  }
};

Server::Server(ServerOptions options, Handler handler, InlineHandler inline_handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler),
                                   std::move(inline_handler))) {}

Server::~Server() {
  impl_->handlers.join();
  impl_->blocking.join();
}

void Server::SetSpooling(SpoolPolicy policy, SpoolHandler handler) {
  impl_->spool_policy = std::move(policy);
  impl_->spool_handler = std::move(handler);
}

Result<uint16_t> Server::Listen() {
  auto& i = *impl_;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(i.options.host, ec);
  if (ec) return InvalidArgument("bad listen host: " + ec.message());
  tcp::endpoint ep(address, i.options.port);
  i.acceptor.open(ep.protocol(), ec);
  if (!ec) i.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(ep, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + i.options.host + ":" + std::to_string(i.options.port) +
                       ": " + ec.message());
  }
  // Many keep-alive connections need many descriptors: raise the soft limit to the hard one.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return i.acceptor.local_endpoint().port();
}

void Server::Run() {
  auto& i = *impl_;
  if (i.options.handle_signals) {
    i.signals.add(SIGINT);
    i.signals.add(SIGTERM);
    i.signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      log::Info("http.signal", {{"signal", sig}});
      impl_->BeginShutdown();
    });
  }
  asio::co_spawn(i.ioc, i.Accept(), asio::detached);
  int n = std::max(1, i.options.io_threads);
  std::vector<std::thread> threads;
  for (int t = 1; t < n; ++t) threads.emplace_back([&i] { i.ioc.run(); });
  i.ioc.run();
  for (auto& t : threads) t.join();
  // Handlers still running (grace expired) finish before we return, so the caller
  // may close the database safely.
  i.handlers.wait();
  i.blocking.wait();
}

void Server::Shutdown() { impl_->BeginShutdown(); }

int64_t Server::open_connections() const { return impl_->connections.load(); }
int64_t Server::in_flight() const { return impl_->in_flight.load(); }

}  // namespace ow::http
