// The HTTP server's protocol behaviour against the real application on 127.0.0.1:0:
// every error is problem+json with the right 4xx, and the server keeps serving.
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace asio = boost::asio;
using boost::beast::http::verb;
using tcp = asio::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(Store::kSqlite);
    server_ = std::make_unique<TestServer>(db_->url(), [](Config& c) {
      c.body_limit = 4096;
      c.header_limit = 2048;
      c.read_timeout_ms = 700;
      c.idle_timeout_ms = 5000;
    });
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void ExpectStillServing() {
    HttpClient fresh(server_->port());
    EXPECT_EQ(fresh.Get("/healthz").status, 200);
  }

  void ExpectProblem(const HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    auto j = r.json();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j.at("status").as_int64(), status);
    EXPECT_TRUE(j.as_object().contains("type"));
    EXPECT_TRUE(j.as_object().contains("title"));
  }

  // Sends raw bytes on a new connection and returns everything the server sends back
  // until it closes the connection (or 5 s pass).
  std::string Raw(const std::string& bytes) {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    asio::write(s, asio::buffer(bytes));
    return ReadAll(s);
  }

  static std::string ReadAll(tcp::socket& s) {
    std::string out;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    s.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
      boost::system::error_code ec;
      size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpServerTest, MalformedJsonIs400Problem) {
  auto r =
      client_->SendJson(verb::post, "/api/v1/departments", "{\"code\": ", server_->AdminHeaders());
  ExpectProblem(r, 400);
  EXPECT_NE(r.json().at("detail").as_string().find("JSON"), std::string::npos);
  ExpectStillServing();
}

TEST_F(HttpServerTest, OversizeBodyIs413) {
  std::string big(8192, 'x');
  auto r = client_->SendJson(verb::post, "/api/v1/departments", "\"" + big + "\"",
                             server_->AdminHeaders());
  ExpectProblem(r, 413);
  ExpectStillServing();
}

TEST_F(HttpServerTest, OversizeChunkedBodyIs413) {
  std::string chunk(3000, 'x');
  std::string req =
      "POST /api/v1/departments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\nbb8\r\n" +
      chunk + "\r\nbb8\r\n" + chunk + "\r\n0\r\n\r\n";
  std::string out = Raw(req);
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out.substr(0, 200);
  ExpectStillServing();
}

TEST_F(HttpServerTest, OversizeHeadersAre431) {
  auto r = client_->Get("/healthz", {{"X-Filler", std::string(4096, 'a')}});
  ExpectProblem(r, 431);
  ExpectStillServing();
}

TEST_F(HttpServerTest, UnknownRouteIs404Problem) {
  ExpectProblem(client_->Get("/api/v1/no-such-thing"), 404);
  ExpectProblem(client_->Get("/api"), 404);
  ExpectStillServing();
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto r = client_->Send(verb::delete_, "/api/v1/regions");
  ExpectProblem(r, 405);
  EXPECT_NE(r.header("allow").find("GET"), std::string::npos) << r.header("allow");
  ExpectStillServing();
}

TEST_F(HttpServerTest, WrongContentTypeIs415) {
  auto r = client_->Send(verb::post, "/api/v1/departments", "code=x",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"Authorization", std::string("Bearer ") + TestServer::kAdminToken}});
  ExpectProblem(r, 415);
}

TEST_F(HttpServerTest, GarbageRequestLineIs400AndCloses) {
  std::string out = Raw("NOT AN HTTP REQUEST\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("application/problem+json"), std::string::npos);
  ExpectStillServing();
}

TEST_F(HttpServerTest, SlowHeaderDripIsCutOffByReadTimeout) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  std::string req = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(200, 'a');
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte every 20 ms would take 5 s; the read timeout is 0.7 s, after which the
  // server closes the connection (Beast closes the socket when a deadline expires).
  for (char c : req) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(&c, 1), ec);
    if (ec) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.non_blocking(true);
    char probe;
    s.read_some(asio::buffer(&probe, 1), ec);
    s.non_blocking(false);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      closed = true;
      break;
    }
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(closed) << "the server never cut the slow client off";
  EXPECT_GE(elapsed, 0.6);
  EXPECT_LT(elapsed, 3.0);
  ExpectStillServing();
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 50; ++i) ASSERT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(HttpServerTest, SecurityHeadersAndRequestId) {
  auto r = client_->Get("/healthz", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  auto bad = client_->Get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_EQ(bad.header("x-request-id").size(), 16u);
}

TEST_F(HttpServerTest, StaticFilesWithMimeTypesAndEtag) {
  auto r = client_->Get("/style.css");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/css; charset=utf-8");
  std::string etag = r.header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = client_->Get("/style.css", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(client_->Get("/app.js").header("content-type"), "text/javascript; charset=utf-8");
  auto index = client_->Get("/");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  // Client-side routes of the portal load index.html.
  EXPECT_EQ(client_->Get("/cases/123").body, index.body);
  auto head = client_->Send(verb::head, "/style.css");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(HttpServerTest, StaticFilesServeTheBuildsPrecompressedSiblings) {
  // The web root's app.js has app.js.br and app.js.gz beside it (as web/scripts/compress.mjs
  // writes them); style.css has none.
  std::string dir = SourceDir() + "/tests/support/webroot/";
  auto read = [&](const std::string& name) {
    std::ifstream in(dir + name, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  auto plain = client_->Get("/app.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain.body, read("app.js"));
  auto br = client_->Get("/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.header("content-encoding"), "br");
  EXPECT_EQ(br.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(br.header("vary"), "Accept-Encoding");
  EXPECT_EQ(br.body, read("app.js.br"));
  auto gz = client_->Get("/app.js", {{"Accept-Encoding", "gzip;q=0.8, br;q=0"}});
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gz.body, read("app.js.gz"));
  // Independent decoders (gunzip; Node's brotli) give back the file.
  EXPECT_EQ(RunTool({"gunzip", "-c", dir + "app.js.gz"}).output, read("app.js"));
  EXPECT_EQ(RunTool({"node", "-e",
                     "process.stdout.write(require('zlib').brotliDecompressSync("
                     "require('fs').readFileSync(process.argv[1])))",
                     dir + "app.js.br"})
                .output,
            read("app.js"));
  // q=0 for both, or a coding the build did not write: the file itself.
  EXPECT_EQ(client_->Get("/app.js", {{"Accept-Encoding", "br;q=0, gzip;q=0"}}).body,
            read("app.js"));
  EXPECT_EQ(client_->Get("/app.js", {{"Accept-Encoding", "zstd"}}).header("content-encoding"), "");
  EXPECT_EQ(client_->Get("/app.js", {{"Accept-Encoding", "*"}}).header("content-encoding"), "br");
  EXPECT_EQ(client_->Get("/app.js", {{"Accept-Encoding", "br;q=x"}}).header("content-encoding"),
            "");
  // One tag per representation; a 304 answers for the one asked for.
  std::set<std::string> tags{plain.header("etag"), br.header("etag"), gz.header("etag")};
  EXPECT_EQ(tags.size(), 3u);
  auto same =
      client_->Get("/app.js", {{"Accept-Encoding", "br"}, {"If-None-Match", br.header("etag")}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.header("content-encoding"), "br");
  EXPECT_EQ(
      client_->Get("/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", br.header("etag")}})
          .status,
      200);
  auto head = client_->Send(verb::head, "/app.js", {}, {{"Accept-Encoding", "br"}});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-encoding"), "br");
  EXPECT_TRUE(head.body.empty());
  // Without siblings: no coding, no Vary.
  auto css = client_->Get("/style.css", {{"Accept-Encoding", "br, gzip"}});
  EXPECT_EQ(css.header("content-encoding"), "");
  EXPECT_EQ(css.header("vary"), "");
  // The siblings are files of the root like any other (no way around the traversal rules).
  EXPECT_EQ(client_->Get("/app.js.br").status, 200);
}

TEST_F(HttpServerTest, AMissingFileIsAPageForABrowserAndAProblemForAScript) {
  auto page = client_->Get("/logo-that-was-removed.png",
                           {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<form action=\"/catalog\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("页面不存在"), std::string::npos);
  EXPECT_EQ(page.body.find("{"), std::string::npos);  // no JSON
  auto data = client_->Get("/logo-that-was-removed.png");
  EXPECT_EQ(data.status, 404);
  EXPECT_EQ(data.header("content-type"), "application/problem+json");
  // The API keeps its problems whoever asks.
  auto api = client_->Get("/api/v1/nothing-here", {{"Accept", "text/html"}});
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.header("content-type"), "application/problem+json");
}

TEST_F(HttpServerTest, StaticFilesRefusePathTraversal) {
  // A file just outside the web root that traversal would reach.
  std::string secret = SourceDir() + "/tests/support/secret-outside-root.txt";
  { std::ofstream(secret) << "TOP SECRET"; }
  for (const char* target : {"/../secret-outside-root.txt", "/%2e%2e/secret-outside-root.txt",
                             "/%2E%2E%2Fsecret-outside-root.txt", "/..%2fsecret-outside-root.txt",
                             "/.%2e/.%2e/etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                             "/..\\secret-outside-root.txt", "/style.css%00.txt"}) {
    std::string out =
        Raw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(out.find("TOP SECRET"), std::string::npos) << target;
    EXPECT_EQ(out.find("root:"), std::string::npos) << target;
    EXPECT_TRUE(out.rfind("HTTP/1.1 404", 0) == 0 || out.rfind("HTTP/1.1 400", 0) == 0 ||
                out.rfind("HTTP/1.1 200", 0) == 0)
        << target << ": " << out.substr(0, 100);
  }
  std::filesystem::remove(secret);
}

TEST_F(HttpServerTest, MetricsCountRequestsByRouteAndStatus) {
  client_->Get("/api/v1/regions/999999");
  client_->Get("/healthz");
  auto m = client_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("onewindow_http_requests_total{route=\"/api/v1/regions/"
                        "{code}\",method=\"GET\",status=\"404\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find("onewindow_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"}"),
      std::string::npos);
  EXPECT_NE(m.body.find("onewindow_db_pool_size 4"), std::string::npos);
  EXPECT_NE(m.body.find("onewindow_http_open_connections"), std::string::npos);
}

TEST_F(HttpServerTest, HealthAndReadiness) {
  EXPECT_EQ(client_->Get("/healthz").json().at("status").as_string(), "ok");
  auto ready = client_->Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json().at("database").as_string(), "sqlite");
}

TEST_F(HttpServerTest, ServesAThousandConcurrentKeepAliveConnections) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  ASSERT_GE(rl.rlim_cur, 2100u) << "the test needs descriptors for both ends";
  constexpr int kConnections = 1000;
  asio::io_context ioc;
  std::vector<tcp::socket> sockets;
  sockets.reserve(kConnections);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), server_->port());
  for (int i = 0; i < kConnections; ++i) {
    sockets.emplace_back(ioc);
    sockets.back().connect(ep);
  }
  // Two rounds on every connection: all stay open and keep-alive between them.
  for (int round = 0; round < 2; ++round) {
    const std::string req = "GET /api/v1/regions HTTP/1.1\r\nHost: x\r\n\r\n";
    for (auto& s : sockets) asio::write(s, asio::buffer(req));
    int ok = 0;
    for (auto& s : sockets) {
      asio::streambuf buf;
      boost::system::error_code ec;
      asio::read_until(s, buf, "\r\n\r\n", ec);
      ASSERT_FALSE(ec) << ec.message();
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
      if (head.rfind("HTTP/1.1 200", 0) == 0) ++ok;
      auto pos = head.find("Content-Length: ");
      ASSERT_NE(pos, std::string::npos);
      size_t len = std::stoul(head.substr(pos + 16));
      size_t have = buf.size() - (head.find("\r\n\r\n") + 4);
      if (have < len) asio::read(s, buf, asio::transfer_exactly(len - have), ec);
      ASSERT_FALSE(ec);
    }
    EXPECT_EQ(ok, kConnections) << "round " << round;
  }
  EXPECT_EQ(server_->app().router().routes().empty(), false);
}

}  // namespace
}  // namespace ow::testing
