// http::Server's threads: graceful shutdown (in-flight requests finish, idle keep-alive
// connections are closed, Run() returns only when no handler is running), and the
// blocking pool that keeps slow routes from holding up short ones.
#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "http/server.h"
#include "support/test_support.h"

namespace ow::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST(ServerShutdown, FinishesInFlightRequestsThenStops) {
  std::atomic<int> finished{0};
  ServerOptions o;
  o.port = 0;
  o.handle_signals = false;
  o.io_threads = 2;
  o.handler_threads = 4;
  Server server(o, [&finished](Request&, const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ++finished;
    Response res{Status::ok, 11};
    res.body() = "done";
    res.prepare_payload();
    return res;
  });
  auto port = server.Listen();
  ASSERT_TRUE(port);
  std::thread runner([&] { server.Run(); });

  asio::io_context ioc;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), *port);
  tcp::socket busy(ioc), idle(ioc);
  busy.connect(ep);
  idle.connect(ep);
  asio::write(busy, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the handler is running now
  ASSERT_EQ(server.in_flight(), 1);
  auto start = std::chrono::steady_clock::now();
  server.Shutdown();

  asio::streambuf buf;
  boost::system::error_code ec;
  asio::read(busy, buf, ec);  // until the server closes after the response
  std::string response(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_NE(response.find("done"), std::string::npos);

  // The idle keep-alive connection is closed without a response.
  char c;
  idle.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();

  runner.join();
  EXPECT_EQ(finished.load(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // Nothing listens any more.
  tcp::socket late(ioc);
  late.connect(ep, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace ow::http

namespace ow::http {
namespace {

// Slow routes (password hashing, calls to peers) run on the blocking pool: while every
// blocking thread is busy, short requests are still answered at once.
TEST(ServerPools, BlockingRoutesDoNotHoldUpShortOnes) {
  ServerOptions o;
  o.port = 0;
  o.handle_signals = false;
  o.io_threads = 1;
  o.handler_threads = 1;
  o.blocking_threads = 2;
  Server server(
      o,
      [](Request& req, const std::string&) {
        if (req.target() == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(600));
        Response res{Status::ok, 11};
        res.body() = std::string(req.target());
        res.prepare_payload();
        return res;
      },
      [](Request& req, const std::string&, bool* blocking) -> std::optional<Response> {
        *blocking = req.target() == "/slow";
        return std::nullopt;
      });
  auto port = server.Listen();
  ASSERT_TRUE(port);
  std::thread runner([&] { server.Run(); });
  asio::io_context ioc;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), *port);
  tcp::socket slow1(ioc), slow2(ioc), quick(ioc);
  for (auto* s : {&slow1, &slow2, &quick}) s->connect(ep);
  for (auto* s : {&slow1, &slow2})
    asio::write(*s, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both slow handlers run
  auto start = std::chrono::steady_clock::now();
  asio::write(quick, asio::buffer(std::string("GET /quick HTTP/1.1\r\nHost: x\r\n\r\n")));
  asio::streambuf buf;
  asio::read_until(quick, buf, "/quick");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::milliseconds(300));
  server.Shutdown();
  runner.join();
}

}  // namespace
}  // namespace ow::http
