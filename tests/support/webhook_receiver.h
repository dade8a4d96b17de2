// A department system's webhook endpoint on 127.0.0.1 for tests: records every POST it
// receives (headers and body) before answering, and can be down (its port closed: the
// platform's connection is refused), answer a chosen status, or hold its answer for a
// while (a crash of the platform then falls between the receipt and the answer).
#ifndef OW_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
#define OW_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ow::testing {

class WebhookReceiver {
 public:
  struct Request {
    std::string target;                          // the path and query it was sent to
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::chrono::steady_clock::time_point at;  // when it arrived
  };

  WebhookReceiver() {
    Open(0);
    thread_ = std::thread([this] {
      auto guard = boost::asio::make_work_guard(ioc_);
      ioc_.run();
    });
  }
  ~WebhookReceiver() {
    ioc_.stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/events") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Down: the port is closed (connections refused). Up: listening again on the same port.
  void Down() {
    boost::asio::post(ioc_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
    Sync();
  }
  void Up() {
    boost::asio::post(ioc_, [this] { Open(port_); });
    Sync();
  }
  void set_status(int status) { status_ = status; }
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }

  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  struct Conn {
    explicit Conn(boost::asio::ip::tcp::socket s)
        : socket(std::move(s)), timer(socket.get_executor()) {}
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> req;
    boost::beast::http::response<boost::beast::http::string_body> res;
  };

  void Open(uint16_t port) {
    acceptor_ = boost::asio::ip::tcp::acceptor(ioc_);
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), port});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
  }
  // Waits until the io thread ran what was posted before.
  void Sync() {
    std::promise<void> done;
    boost::asio::post(ioc_, [&] { done.set_value(); });
    done.get_future().wait();
  }
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
          Request r;
          for (const auto& f : c->req)
            r.headers[ToLower(std::string(f.name_string()))] = std::string(f.value());
          r.body = c->req.body();
          r.target = std::string(c->req.target());
          r.at = std::chrono::steady_clock::now();
          {
            std::lock_guard lock(mu_);
            requests_.push_back(std::move(r));
          }
          c->res.version(11);
          c->res.result(static_cast<unsigned>(status_.load()));
          c->res.set(bhttp::field::content_type, "application/json");
          c->res.body() = "{}";
          c->res.keep_alive(false);
          c->res.prepare_payload();
          c->timer.expires_after(std::chrono::milliseconds(delay_ms_.load()));
          c->timer.async_wait([c](boost::system::error_code) {
            bhttp::async_write(c->socket, c->res, [c](boost::system::error_code, size_t) {
              boost::system::error_code ignored;
              c->socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            });
          });
        });
  }
  static std::string ToLower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<int64_t> delay_ms_{0};
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace ow::testing

#endif  // OW_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
