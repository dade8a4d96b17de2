// Spooled request bodies (Route::Spool): the server streams an upload to a temporary
// file instead of memory, hashes it on the way, enforces the route's own limit (also
// for chunked bodies) and deletes the file when the request ends, however it ends.
// Other routes keep reading their bodies into memory under server.body_limit.
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/dispatcher.h"
#include "http/server.h"
#include "support/test_support.h"

namespace ow::http {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr uint64_t kLimit = 40ull << 20;

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
int64_t StatusKiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// What the upload handler saw of its spooled body.
struct Seen {
  std::string path;
  uint64_t size = 0;
  std::string sha256_hex;
  std::string file_sha256_hex;  // of the file's bytes, read back by the handler
  unsigned mode = 0;
  bool body_empty = false;
};

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ow-spool-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    router_
        .Post("/upload",
              [this](Context& ctx) {
                Seen s;
                if (ctx.spool) {
                  s.path = ctx.spool->path;
                  s.size = ctx.spool->size;
                  s.sha256_hex = ctx.spool->sha256_hex;
                  struct stat st {};
                  if (::stat(s.path.c_str(), &st) == 0) s.mode = st.st_mode & 0777;
                  std::ifstream in(s.path, std::ios::binary);
                  crypto::Sha256Hasher h;
                  std::vector<char> buf(1 << 16);
                  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) ||
                         in.gcount() > 0) {
                    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
                  }
                  s.file_sha256_hex = crypto::HexEncode(h.Finish());
                }
                s.body_empty = ctx.request.body().empty();
                {
                  std::lock_guard<std::mutex> lock(mu_);
                  seen_ = s;
                }
                return Json(Status::created, {{"size", s.size}, {"sha256", s.sha256_hex}});
              })
        .Public()
        .Spool(kLimit)
        .Blocking();
    router_
        .Post("/upload-throws",
              [this](Context& ctx) -> Response {
                std::lock_guard<std::mutex> lock(mu_);
                seen_.path = ctx.spool ? ctx.spool->path : "";
                throw std::runtime_error("handler failed");
              })
        .Public()
        .Spool(1 << 20);
    router_
        .Post("/echo",
              [](Context& ctx) {
                return Json(Status::ok,
                            {{"length", ctx.request.body().size()}, {"spooled", !!ctx.spool}});
              })
        .Public();
    dispatcher_ = std::make_unique<Dispatcher>(router_, nullptr);
    ServerOptions o;
    o.port = 0;
    o.handle_signals = false;
    o.io_threads = 1;
    o.handler_threads = 2;
    o.blocking_threads = 2;
    o.body_limit = 1 << 20;
    o.spool_dir = dir_.string();
    const Dispatcher* d = dispatcher_.get();
    server_ = std::make_unique<Server>(
        o, [d](Request& req, const std::string& peer) { return d->Handle(req, peer); },
        [d](Request& req, const std::string& peer, bool* blocking) {
          return d->HandleInline(req, peer, blocking);
        });
    InstallSpooling(*server_, *dispatcher_);
    auto port = server_->Listen();
    ASSERT_TRUE(port);
    port_ = *port;
    runner_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    return s;
  }

  // Reads one response from `s`.
  static boost::beast::http::response<boost::beast::http::string_body> ReadResponse(
      tcp::socket& s, boost::beast::flat_buffer& buffer) {
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::system::error_code ec;
    boost::beast::http::read(s, buffer, res, ec);
    if (ec) ADD_FAILURE() << "reading the response: " << ec.message();
    return res;
  }

  // Files in the spool folder now.
  size_t SpoolFiles() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  // Waits up to two seconds for the spool folder to hold `n` files.
  bool WaitForSpoolFiles(size_t n) const {
    for (int i = 0; i < 200; ++i) {
      if (SpoolFiles() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return SpoolFiles() == n;
  }

  Seen seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  fs::path dir_;
  Router router_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  uint16_t port_ = 0;
  asio::io_context ioc_;
  std::mutex mu_;
  Seen seen_;
};

// Deterministic, incompressible-looking content: piece `i` of the upload.
std::string Piece(size_t i, size_t size) {
  std::string out(size, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull * (i + 1);
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return out;
}

TEST_F(SpoolTest, ThirtyMebibytesGoToDiskNotMemory) {
  constexpr size_t kPiece = 256 << 10, kPieces = 120;  // 30 MiB
  // Peak resident memory counts from here (Linux: writing 5 resets VmHWM to VmRSS).
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  int64_t rss_before = StatusKiB("VmRSS");
  ASSERT_GT(rss_before, 0);

  auto s = Connect();
  std::string head =
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
      "Content-Length: " +
      std::to_string(kPiece * kPieces) + "\r\n\r\n";
  asio::write(s, asio::buffer(head));
  crypto::Sha256Hasher expected;
  for (size_t i = 0; i < kPieces; ++i) {
    std::string p = Piece(i % 4, kPiece);
    expected.Update(p);
    asio::write(s, asio::buffer(p));
  }
  boost::beast::flat_buffer buffer;
  auto res = ReadResponse(s, buffer);
  int64_t peak = StatusKiB("VmHWM");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  std::string hash = crypto::HexEncode(expected.Finish());
  json::value body = json::parse(res.body());
  EXPECT_EQ(body.at("size").as_int64(), static_cast<int64_t>(kPiece * kPieces));
  EXPECT_EQ(body.at("sha256").as_string(), hash);

  Seen got = seen();
  EXPECT_EQ(got.sha256_hex, hash);
  EXPECT_EQ(got.file_sha256_hex, hash) << "the file holds exactly the bytes sent";
  EXPECT_TRUE(got.body_empty);
  EXPECT_EQ(got.mode, 0600u);
  EXPECT_EQ(fs::path(got.path).parent_path(), dir_);
  EXPECT_FALSE(fs::exists(got.path)) << "the spool file outlived its request";
  EXPECT_EQ(SpoolFiles(), 0u);
  // Buffered in memory, the body alone would add 30 MiB (30720 KiB). Under ASan the
  // figure measures its quarantine of freed memory (this test's own pieces, too), not
  // the server: the dev build checks it.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(peak - rss_before, 8 << 10) << "peak RSS grew by " << (peak - rss_before) << " KiB";
#else
  (void)peak;
  (void)rss_before;
#endif
}

TEST_F(SpoolTest, ChunkedBodiesAreSpooledToo) {
  auto s = Connect();
  std::string head = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string wire = head, all;
  for (size_t i = 0; i < 5; ++i) {
    std::string p = Piece(i, 70000 + i);
    all += p;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", p.size());
    wire += size + p + "\r\n";
  }
  wire += "0\r\n\r\n";
  asio::write(s, asio::buffer(wire));
  boost::beast::flat_buffer buffer;
  auto res = ReadResponse(s, buffer);
  ASSERT_EQ(res.result_int(), 201) << res.body();
  std::string hash = crypto::HexEncode(crypto::Sha256(all));
  EXPECT_EQ(json::parse(res.body()).at("sha256").as_string(), hash);
  EXPECT_EQ(seen().file_sha256_hex, hash);
  EXPECT_EQ(seen().size, all.size());

  // The connection stays usable: an ordinary request after the upload.
  asio::write(s, asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                          "application/json\r\nContent-Length: 2\r\n\r\n{}")));
  auto echo = ReadResponse(s, buffer);
  EXPECT_EQ(echo.result_int(), 200) << echo.body();
  EXPECT_EQ(SpoolFiles(), 0u);
}

TEST_F(SpoolTest, OverTheRouteLimitIs413) {
  {
    // Content-Length says so: refused before any of the body is sent.
    auto s = Connect();
    asio::write(s, asio::buffer("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                std::to_string(kLimit + 1) + "\r\n\r\n"));
    boost::beast::flat_buffer buffer;
    auto res = ReadResponse(s, buffer);
    EXPECT_EQ(res.result_int(), 413) << res.body();
    EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json");
    EXPECT_NE(res.body().find("41943040 bytes"), std::string::npos) << res.body();
  }
  {
    // Chunked: refused as soon as the body passes the limit (1 MiB on this route).
    auto s = Connect();
    asio::write(
        s, asio::buffer(std::string(
               "POST /upload-throws HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")));
    std::string p = Piece(0, 256 << 10);
    boost::system::error_code ec;
    for (int i = 0; i < 5 && !ec; ++i) {
      asio::write(s, asio::buffer("40000\r\n" + p + "\r\n"), ec);
    }
    boost::beast::flat_buffer buffer;
    auto res = ReadResponse(s, buffer);
    EXPECT_EQ(res.result_int(), 413) << res.body();
  }
  EXPECT_TRUE(WaitForSpoolFiles(0));
  // Ordinary routes keep server.body_limit (1 MiB here) and read into memory.
  auto s = Connect();
  std::string big(2 << 20, 'x');
  asio::write(s, asio::buffer("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              "application/json\r\nContent-Length: " +
                              std::to_string(big.size()) + "\r\n\r\n"));
  boost::beast::flat_buffer buffer;
  auto res = ReadResponse(s, buffer);
  EXPECT_EQ(res.result_int(), 413) << res.body();
  EXPECT_NE(res.body().find("request body exceeds the limit\""), std::string::npos) << res.body();
  auto s2 = Connect();
  asio::write(s2,
              asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                       "application/json\r\nContent-Length: 7\r\n\r\n[1,2,3]")));
  auto echo = ReadResponse(s2, buffer);
  EXPECT_EQ(echo.result_int(), 200) << echo.body();
  EXPECT_EQ(echo.body(), R"({"length":7,"spooled":false})");
}

TEST_F(SpoolTest, ADisconnectMidUploadLeavesNoFile) {
  auto s = Connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n")));
  asio::write(s, asio::buffer(Piece(0, 1 << 20)));
  ASSERT_TRUE(WaitForSpoolFiles(1)) << "the upload is being spooled";
  s.close();
  EXPECT_TRUE(WaitForSpoolFiles(0)) << "the half-written file was not deleted";
  EXPECT_TRUE(seen().path.empty()) << "the handler must not run for an incomplete body";
}

TEST_F(SpoolTest, AThrowingHandlerLeavesNoFile) {
  auto s = Connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /upload-throws HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")));
  boost::beast::flat_buffer buffer;
  auto res = ReadResponse(s, buffer);
  EXPECT_EQ(res.result_int(), 500) << res.body();
  std::string path = seen().path;
  ASSERT_FALSE(path.empty());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(SpoolFiles(), 0u);
}

TEST_F(SpoolTest, ExpectContinueIsAnswered) {
  auto s = Connect();
  asio::write(s, asio::buffer(std::string("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: "
                                          "100-continue\r\nContent-Length: 3\r\n\r\n")));
  asio::streambuf interim;
  asio::read_until(s, interim, "\r\n\r\n");
  std::string text(asio::buffers_begin(interim.data()), asio::buffers_end(interim.data()));
  EXPECT_EQ(text.rfind("HTTP/1.1 100", 0), 0u) << text;
  asio::write(s, asio::buffer(std::string("abc")));
  boost::beast::flat_buffer buffer;
  auto res = ReadResponse(s, buffer);
  EXPECT_EQ(res.result_int(), 201) << res.body();
  EXPECT_EQ(seen().file_sha256_hex, crypto::HexEncode(crypto::Sha256("abc")));
}

}  // namespace
}  // namespace ow::http
