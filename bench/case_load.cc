// The HTTP half of issue 5's durability benchmark (bench/cases.sh drives it):
//
//   ow_case_load submit PORT COOKIE CSRF SECONDS CONNECTIONS ACK_FILE MATERIALS
//     MATERIALS is the JSON array of the item's required materials ({id, name}, uploaded
//     by the caller), attached to every application: the server checks them.
//     CONNECTIONS keep-alive connections to 127.0.0.1:PORT each POST /api/v1/cases in a
//     loop for SECONDS (at most 2,000,000 submissions in all). Every tracking number
//     answered 201 is appended to ACK_FILE and flushed at once, before the next request,
//     so the file holds every acknowledged submission even if the server is killed.
//     Failed requests (connection refused or reset, non-2xx) are counted and retried
//     after 20 ms on a new connection. Prints: submitted errors seconds rate.
//
//   ow_case_load verify PORT COOKIE ACK_FILE
//     GET /api/v1/cases/{no} for every tracking number in ACK_FILE. Prints: acked found
//     lost (lost = acknowledged with 201 but not there any more).
//
// Only 127.0.0.1 is contacted.
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMaxSubmissions = 2000000;

// The application without its closing brace; the materials follow.
const char* kBody =
    R"({"item_code":"3301-SCJG-GTDJ","region_code":"330102","form":{"operator_name":"张三",)"
    R"("operator_id":"330102199003073017","form":"个人经营","address":"杭州市上城区解放路1号",)"
    R"("scope":"日用百货零售","phone":"13800000001"})";

class Connection {
 public:
  explicit Connection(uint16_t port) : port_(port) {}

  // One request; nullopt on any transport error (the connection is dropped).
  std::optional<http::response<http::string_body>> Send(http::request<http::string_body>& req) {
    try {
      if (!socket_) {
        socket_.emplace(io_);
        socket_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
      }
      http::write(*socket_, req);
      http::response<http::string_body> res;
      http::read(*socket_, buffer_, res);
      if (!res.keep_alive()) socket_.reset();
      return res;
    } catch (const std::exception&) {
      socket_.reset();
      buffer_.clear();
      return std::nullopt;
    }
  }

 private:
  uint16_t port_;
  asio::io_context io_;
  std::optional<tcp::socket> socket_;
  beast::flat_buffer buffer_;
};

// The tracking_no member of a case answer (the body is our own JSON; no parser needed).
std::string TrackingNo(const std::string& body) {
  const std::string key = "\"tracking_no\":\"";
  size_t at = body.find(key);
  if (at == std::string::npos) return {};
  size_t end = body.find('"', at + key.size());
  return end == std::string::npos ? std::string()
                                  : body.substr(at + key.size(), end - at - key.size());
}

int Submit(uint16_t port, const std::string& cookie, const std::string& csrf, double seconds,
           int connections, const std::string& ack_path, const std::string& materials) {
  const std::string body = std::string(kBody) + ",\"materials\":" + materials + "}";
  std::FILE* ack = std::fopen(ack_path.c_str(), "a");
  if (!ack) {
    std::perror(ack_path.c_str());
    return 1;
  }
  std::mutex ack_mu;
  std::atomic<int64_t> submitted{0}, errors{0}, started{0};
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(seconds));
  auto begin = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&] {
      Connection conn(port);
      while (Clock::now() < deadline && started.fetch_add(1) < kMaxSubmissions) {
        http::request<http::string_body> req{http::verb::post, "/api/v1/cases", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.set(http::field::cookie, cookie);
        req.set("X-CSRF-Token", csrf);
        req.body() = body;
        req.prepare_payload();
        auto res = conn.Send(req);
        if (res && res->result() == http::status::created) {
          std::string no = TrackingNo(res->body());
          std::lock_guard lock(ack_mu);
          std::fprintf(ack, "%s\n", no.c_str());
          std::fflush(ack);  // on disk before we count it: the server said 201
          ++submitted;
        } else {
          ++errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::fclose(ack);
  double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  std::printf("submitted %lld errors %lld seconds %.2f rate %.1f\n",
              static_cast<long long>(submitted.load()), static_cast<long long>(errors.load()),
              elapsed, static_cast<double>(submitted.load()) / elapsed);
  return 0;
}

int Verify(uint16_t port, const std::string& cookie, const std::string& ack_path) {
  std::ifstream in(ack_path);
  std::string no;
  int64_t acked = 0, found = 0;
  Connection conn(port);
  std::vector<std::string> missing;
  while (std::getline(in, no)) {
    if (no.empty()) continue;
    ++acked;
    http::request<http::string_body> req{http::verb::get, "/api/v1/cases/" + no, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::cookie, cookie);
    std::optional<http::response<http::string_body>> res;
    for (int attempt = 0; attempt < 3 && !res; ++attempt) res = conn.Send(req);
    if (res && res->result() == http::status::ok) {
      ++found;
    } else if (missing.size() < 10) {
      missing.push_back(no);
    }
  }
  std::printf("acked %lld found %lld lost %lld\n", static_cast<long long>(acked),
              static_cast<long long>(found), static_cast<long long>(acked - found));
  for (const auto& m : missing) std::fprintf(stderr, "missing: %s\n", m.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "submit" && argc == 9) {
    return Submit(static_cast<uint16_t>(std::atoi(argv[2])), argv[3], argv[4], std::atof(argv[5]),
                  std::atoi(argv[6]), argv[7], argv[8]);
  }
  if (mode == "verify" && argc == 5) {
    return Verify(static_cast<uint16_t>(std::atoi(argv[2])), argv[3], argv[4]);
  }
  std::fprintf(stderr,
               "usage: %s submit PORT COOKIE CSRF SECONDS CONNECTIONS ACK_FILE MATERIALS\n"
               "       %s verify PORT COOKIE ACK_FILE\n",
               argv[0], argv[0]);
  return 2;
}
