// The HTTP/1.1 server: Boost.Beast over Asio C++20 coroutines.
//
// Network I/O runs on `io_threads` threads; each connection is a coroutine on its
// own strand. Request handlers run on a separate pool of `handler_threads`, so a
// handler blocked on the database never stalls accepting or reading; handlers the
// inline handler marks as blocking (seconds of work, or waits on other servers) run
// on a third pool of `blocking_threads`, so they never hold up the short ones. Every
// connection has an idle timeout (between requests), a read timeout (for a whole
// request: a client dripping its headers byte by byte is cut off), a write
// timeout, a header size limit (431) and a body size limit (413).
//
// Uploads: when a spool policy is set (SetSpooling), a request it claims has its
// body streamed in 64 KiB pieces to a temporary file (created O_EXCL, mode 0600, in
// options.spool_dir) while its SHA-256 is computed, so a large upload never sits in
// memory. Its own byte limit replaces body_limit (413 at once when Content-Length says
// so, else as soon as the body passes it); chunked bodies work the same. The read
// timeout then applies to the header and to each piece of the body, not to the whole
// upload. The file is deleted when the spool handler returns or throws, and when the
// client disconnects mid-upload. A plan may carry an admission check (SpoolPlan::admit:
// who is sending, from the header alone), run on the blocking pool before anything of
// the body is read or 100 Continue is sent: a refusal is answered at once, no spool file
// is created and the connection closes.
//
// Lifecycle: construct, Listen(), Run() (blocks) ... Shutdown() from any thread or
// a signal makes Run() return after in-flight requests finish or the grace period
// ends. After Run() returns no handler is running.
#ifndef OW_HTTP_SERVER_H_
#define OW_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "http/message.h"
#include "http/proxies.h"

namespace ow::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port
  int io_threads = 1;
  int handler_threads = 2;        // short handlers (database work): about one per core
  int blocking_threads = 16;      // routes marked Blocking(): password hashing, calls to peers
  uint64_t body_limit = 1 << 20;  // not for spooled requests: they have their own
  std::string spool_dir;          // temporary files of spooled bodies; "" = the system's
  uint32_t header_limit = 16 << 10;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  int64_t max_connections = 10000;
  bool handle_signals = true;  // SIGINT/SIGTERM trigger Shutdown()
  // Reverse proxies whose X-Forwarded-For names the client (http/proxies.h): handlers get
  // that address as `peer`. Empty: the connection's address, and the header is ignored.
  TrustedProxies trusted_proxies;
};

// Parses "HOST:PORT" (IPv4 or [IPv6]).
Result<std::pair<std::string, uint16_t>> ParseListen(std::string_view listen);

class Server {
 public:
  // `peer` is the client's IP address.
  using Handler = std::function<Response(Request&, const std::string& peer)>;
  // Answers without blocking, or returns nullopt to have Handler run on a pool: the
  // blocking pool when it sets *blocking, the handler pool otherwise.
  using InlineHandler =
      std::function<std::optional<Response>(Request&, const std::string& peer, bool* blocking)>;

  // How to take in one request's body on disk: at most `max_bytes`, and whether its
  // handler runs on the blocking pool.
  struct SpoolPlan {
    uint64_t max_bytes = 0;
    bool blocking = false;
    // When set, the answer at once: the body is not read and the connection closes.
    std::optional<Response> refusal;
    // When set, called on the blocking pool (it may read the database) before the body
    // is read and before 100 Continue; a response it returns is the answer instead,
    // with the same effect as `refusal`.
    std::function<std::optional<Response>()> admit;
  };
  // Called on the network thread once a request's header is read; must not block.
  // nullopt: read the body into memory as usual.
  using SpoolPolicy = std::function<std::optional<SpoolPlan>(const Request& header)>;
  // Handles a spooled request (its body() is empty); called instead of Handler.
  using SpoolHandler =
      std::function<Response(Request&, const std::string& peer, const SpooledBody& body)>;

  // `handler` is called on the handler pool, concurrently; `inline_handler` (may be
  // empty) first, on the network thread. Neither sees spooled requests.
  Server(ServerOptions options, Handler handler, InlineHandler inline_handler = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Enables spooled uploads (see the top of this file). Call before Run().
  void SetSpooling(SpoolPolicy policy, SpoolHandler handler);

  // Binds and listens; returns the bound port (the real one when options.port is 0).
  Result<uint16_t> Listen();
  // Serves until Shutdown(); blocks the calling thread.
  void Run();
  // Thread-safe and idempotent; async: returns at once.
  void Shutdown();

  int64_t open_connections() const;
  int64_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ow::http

#endif  // OW_HTTP_SERVER_H_
