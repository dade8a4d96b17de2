// Another party's system stood in for by a test: a department system behind an adapter, a
// real-name service, a man in the middle. An HTTP/1.1 server on 127.0.0.1 with a thread of its
// own; every connection carries one request, answered by `answer` on that thread, or, when it
// returns nullopt, never answered (the connection stays open until the server ends, so the
// caller's timeout is what ends the call).
#ifndef OW_TESTS_SUPPORT_STAND_IN_H_
#define OW_TESTS_SUPPORT_STAND_IN_H_

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ow::testing {

class StandIn {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  struct Reply {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
  };
  using Answer = std::function<std::optional<Reply>(const Request&)>;

  explicit StandIn(Answer answer) : answer_(std::move(answer)) {
    namespace asio = boost::asio;
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~StandIn() {
    ioc_.stop();
    thread_.join();
  }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  uint16_t port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  struct Conn {
    explicit Conn(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
    boost::asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    Request req;
    boost::beast::http::response<boost::beast::http::string_body> res;
  };
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      Serve(std::make_shared<Conn>(std::move(s)));
      Accept();
    });
  }
  void Serve(std::shared_ptr<Conn> c) {
    namespace bhttp = boost::beast::http;
    bhttp::async_read(
        c->socket, c->buffer, c->req, [this, c](boost::system::error_code ec, size_t) {
          if (ec) return;
          std::optional<Reply> reply = answer_(c->req);
          if (!reply) {
            held_.push_back(c);  // never answered
            return;
          }
          c->res.version(11);
          c->res.result(reply->status);
          c->res.set(bhttp::field::content_type, reply->content_type);
          c->res.body() = std::move(reply->body);
          c->res.keep_alive(false);
          c->res.prepare_payload();
          bhttp::async_write(c->socket, c->res, [c](boost::system::error_code, size_t) {
            boost::system::error_code ignored;
            c->socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
          });
        });
  }

  Answer answer_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::vector<std::shared_ptr<Conn>> held_;  // only touched on the server's thread
  std::thread thread_;
};

}  // namespace ow::testing

#endif  // OW_TESTS_SUPPORT_STAND_IN_H_
