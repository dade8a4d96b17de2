// The outbound client (http/client.h) against real servers on 127.0.0.1 only: our own
// server, a scripted socket that records the request or never answers, and the openssl
// CLI's `s_server` with a throwaway CA, so that certificate and host-name verification
// are judged by a TLS stack that is not ours.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

#include "app/demo.h"
#include "http/client.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using http::Fetch;
using http::FetchRequest;
using std::chrono::milliseconds;

// A one-connection server on 127.0.0.1:0 scripted by the test: it accepts, reads one
// request (kept for inspection) and writes `reply` verbatim, or, with an empty reply,
// accepts and never answers.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply) : reply_(std::move(reply)) {
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    acceptor_.async_accept(socket_, [this](boost::system::error_code ec) {
      if (ec) return;
      if (reply_.empty()) return;  // hold the connection open, silent
      bhttp::async_read(socket_, buffer_, request_, [this](boost::system::error_code rec, size_t) {
        if (rec) return;
        captured_.set_value(request_);
        asio::async_write(socket_, asio::buffer(reply_), [this](boost::system::error_code, size_t) {
          boost::system::error_code ignored;
          socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        });
      });
    });
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ScriptedServer() {
    ioc_.stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  // The request the server read; waits up to five seconds for it.
  std::optional<bhttp::request<bhttp::string_body>> Request() {
    auto f = captured_.get_future();
    if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return std::nullopt;
    return f.get();
  }

 private:
  std::string reply_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_{ioc_};
  asio::ip::tcp::socket socket_{ioc_};
  boost::beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  std::promise<bhttp::request<bhttp::string_body>> captured_;
  std::thread thread_;
  uint16_t port_ = 0;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(Store::kSqlite);
    server_ = std::make_unique<TestServer>(db_->url());
    ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
  }
  std::string Url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + target;
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(HttpClientTest, GetsFromOurServer) {
  auto health = Fetch({.url = Url("/healthz")});
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(boost::json::parse(health->body).at("status").as_string(), "ok");
  EXPECT_EQ(health->Header("cache-control"), "no-store");
  EXPECT_EQ(health->Header("CACHE-CONTROL"), "no-store");
  EXPECT_EQ(health->Header("x-no-such-header"), "");

  auto region = Fetch({.url = Url("/api/v1/regions/33?unused=1#fragment")});
  ASSERT_TRUE(region) << region.error().message;
  EXPECT_EQ(region->status, 200) << region->body;
  EXPECT_EQ(boost::json::parse(region->body).at("name").as_string(), "浙江省");
  EXPECT_NE(region->Header("content-type").find("application/json"), std::string::npos);
}

TEST_F(HttpClientTest, AnyHttpStatusIsAResponse) {
  auto missing = Fetch({.url = Url("/api/v1/regions/99")});
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(boost::json::parse(missing->body).at("status").as_int64(), 404);

  auto unauthenticated = Fetch({.method = "POST", .url = Url("/api/v1/departments")});
  ASSERT_TRUE(unauthenticated) << unauthenticated.error().message;
  EXPECT_EQ(unauthenticated->status, 401);
}

TEST_F(HttpClientTest, PostsJsonWithHeaders) {
  FetchRequest req{.method = "POST", .url = Url("/api/v1/departments")};
  req.headers = {{"Authorization", "Bearer test-admin-token"},
                 {"Content-Type", "application/json"}};
  req.body = R"({"code":"330106-MZ","name":"西湖区民政局","type":"department",)"
             R"("region_code":"330106","parent_code":"330106-GOV"})";
  auto created = Fetch(req);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->Header("location"), "/api/v1/departments/330106-MZ");
  auto read = Fetch({.url = Url("/api/v1/departments/330106-MZ")});
  ASSERT_TRUE(read);
  EXPECT_EQ(boost::json::parse(read->body).at("name").as_string(), "西湖区民政局");
}

TEST(HttpClient, SendsAWellFormedRequest) {
  ScriptedServer peer(
      "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nSet-Cookie: a=1\r\n"
      "Set-Cookie: b=2\r\nContent-Length: 0\r\n\r\n");
  FetchRequest req{.method = "POST", .url = peer.url("/token?x=%20y")};
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"User-Agent", "federation-test"}};
  req.body = http::FormEncode({{"grant_type", "authorization_code"}, {"code", "a b+c/é"}});
  auto res = Fetch(req);
  ASSERT_TRUE(res) << res.error().message;
  // Redirects are returned, not followed; repeated headers are kept in order.
  EXPECT_EQ(res->status, 302);
  EXPECT_EQ(res->Header("location"), "/elsewhere");
  ASSERT_EQ(res->headers.size(), 4u);
  EXPECT_EQ(res->headers[1], std::make_pair(std::string("Set-Cookie"), std::string("a=1")));
  EXPECT_EQ(res->headers[2], std::make_pair(std::string("Set-Cookie"), std::string("b=2")));

  auto seen = peer.Request();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method_string(), "POST");
  EXPECT_EQ(seen->target(), "/token?x=%20y");
  EXPECT_EQ((*seen)[bhttp::field::host], "127.0.0.1:" + std::to_string(peer.port()));
  EXPECT_EQ((*seen)[bhttp::field::user_agent], "federation-test");
  EXPECT_EQ(seen->count(bhttp::field::user_agent), 1u);
  EXPECT_EQ((*seen)[bhttp::field::content_type], "application/x-www-form-urlencoded");
  EXPECT_EQ(seen->body(), "grant_type=authorization_code&code=a+b%2Bc%2F%C3%A9");
  EXPECT_EQ((*seen)[bhttp::field::content_length], std::to_string(seen->body().size()));
}

TEST(HttpClient, PostWithoutBodySendsContentLengthZero) {
  ScriptedServer peer("HTTP/1.1 204 No Content\r\n\r\n");
  auto res = Fetch({.method = "POST", .url = peer.url()});
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 204);
  auto seen = peer.Request();
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)[bhttp::field::content_length], "0");
}

TEST(HttpClient, FormEncodeFollowsTheHtmlFormRules) {
  EXPECT_EQ(http::FormEncode({}), "");
  EXPECT_EQ(http::FormEncode({{"a", ""}}), "a=");
  EXPECT_EQ(http::FormEncode({{"redirect_uri", "http://127.0.0.1:1/cb?x=1&y=2"}}),
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1%26y%3D2");
  // Node's URLSearchParams (the WHATWG serializer) gives exactly these bytes.
  EXPECT_EQ(http::FormEncode({{"k y", "*-._~!'()"}, {"名", "值 ="}}),
            "k+y=*-._%7E%21%27%28%29&%E5%90%8D=%E5%80%BC+%3D");
}

TEST(HttpClient, RejectsBadRequestsBeforeConnecting) {
  for (const std::string url : {"", "not a url", "ftp://127.0.0.1/x", "file:///etc/passwd",
                                "http://", "http://user:pw@127.0.0.1/", "http://127.0.0.1:99999/",
                                "http://127.0.0.1:0/", "http://127.0.0.1:8x/", "/relative/path"}) {
    auto res = Fetch({.url = url});
    ASSERT_FALSE(res) << url;
    EXPECT_EQ(res.error().code, Code::kInvalidArgument) << url << ": " << res.error().message;
  }
  auto bad_method = Fetch({.method = "GE T", .url = "http://127.0.0.1:1/"});
  ASSERT_FALSE(bad_method);
  EXPECT_EQ(bad_method.error().code, Code::kInvalidArgument);
  FetchRequest injected{.url = "http://127.0.0.1:1/"};
  injected.headers = {{"X-Test", "a\r\nX-Injected: 1"}};
  auto bad_header = Fetch(injected);
  ASSERT_FALSE(bad_header);
  EXPECT_EQ(bad_header.error().code, Code::kInvalidArgument);
}

TEST(HttpClient, RefusedConnectionIsUnavailableAndNamesTheHost) {
  uint16_t port = 0;
  {
    ScriptedServer closed("unused");
    port = closed.port();
  }  // the listener is gone: nothing listens on `port` now
  FetchRequest req{.method = "POST", .url = "http://127.0.0.1:" + std::to_string(port) + "/t"};
  req.body = "client_secret=hunter2";
  auto res = Fetch(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kUnavailable);
  EXPECT_NE(res.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << res.error().message;
  EXPECT_NE(res.error().message.find("connect"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("hunter2"), std::string::npos) << res.error().message;
}

TEST(HttpClient, SilentPeerTimesOut) {
  ScriptedServer silent("");
  const auto start = std::chrono::steady_clock::now();
  auto res = Fetch({.url = silent.url("/slow"), .timeout = milliseconds(300)});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kUnavailable);
  EXPECT_NE(res.error().message.find("timed out after 300 ms while reading the response"),
            std::string::npos)
      << res.error().message;
  EXPECT_GE(elapsed, milliseconds(290));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(HttpClient, SilentPeerTimesOutInTheTlsHandshake) {
  ScriptedServer silent("");
  auto res = Fetch({.url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/",
                    .timeout = milliseconds(300)});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kUnavailable);
  EXPECT_NE(res.error().message.find("timed out after 300 ms while in the TLS handshake"),
            std::string::npos)
      << res.error().message;
}

TEST(HttpClient, BodyLimitIsEnforced) {
  const std::string ten = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
  {
    ScriptedServer peer(ten);
    auto at_limit = Fetch({.url = peer.url(), .max_body = 10});
    ASSERT_TRUE(at_limit) << at_limit.error().message;
    EXPECT_EQ(at_limit->body, "0123456789");
  }
  {
    ScriptedServer peer(ten);
    auto over = Fetch({.url = peer.url(), .max_body = 9});
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, Code::kUnavailable);
    EXPECT_NE(over.error().message.find("limit of 9 bytes"), std::string::npos)
        << over.error().message;
  }
  {
    // Chunked: no Content-Length announces the size up front.
    ScriptedServer peer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
        "chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
    auto over = Fetch({.url = peer.url(), .max_body = 8});
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message.find("limit of 8 bytes"), std::string::npos)
        << over.error().message;
  }
}

TEST_F(HttpClientTest, BodyLimitAgainstOurServer) {
  auto res = Fetch({.url = Url("/api/v1/regions"), .max_body = 64});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kUnavailable);
  EXPECT_NE(res.error().message.find("limit of 64 bytes"), std::string::npos)
      << res.error().message;
}

// --- https against `openssl s_server` ---

// `openssl s_server -www` on 127.0.0.1 with the given certificate; the port is the one
// it reports on its "ACCEPT 127.0.0.1:PORT" line. Stopped (by its PID) on destruction.
class OpensslServer {
 public:
  OpensslServer(const fs::path& dir, const std::string& cert, const std::string& key,
                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert",
                                     cert,      "-key",     key,       "-www"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      if (chdir(dir.c_str()) != 0) _exit(126);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find("ACCEPT 127.0.0.1:");
      const size_t nl = at == std::string::npos ? at : text.find('\n', at);
      if (nl != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 17, nl - at - 17)));
        break;
      }
    }
    startup_output_ = text;
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  uint16_t port() const { return port_; }
  const std::string& startup_output() const { return startup_output_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  uint16_t port_ = 0;
  std::string startup_output_;
};

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ow_http_client_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=OneWindow Test CA", "-days", "1",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
    Issue("good", "127.0.0.1", "IP:127.0.0.1,DNS:localhost", 2);
    Issue("wrong", "wrong.example", "DNS:wrong.example", 3);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Openssl(std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    ToolRun run = RunTool(args, dir_.string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  // Writes NAME.key and NAME.pem: a P-256 server certificate signed by the test CA.
  void Issue(const std::string& name, const std::string& cn, const std::string& san, int serial) {
    std::ofstream(dir_ / (name + ".ext"))
        << "subjectAltName=" << san
        << "\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
           "extendedKeyUsage=serverAuth\n";
    Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn});
    Openssl({"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", std::to_string(serial), "-days", "1", "-extfile", name + ".ext", "-out",
             name + ".pem"});
  }
  std::string Url(const OpensslServer& s) const {
    return "https://127.0.0.1:" + std::to_string(s.port()) + "/";
  }
  std::string CaFile() const { return (dir_ / "ca.pem").string(); }

  fs::path dir_;
};

TEST_F(HttpsClientTest, TrustsTheGivenCaAndVerifiesTheHost) {
  OpensslServer server(dir_, "good.pem", "good.key");
  ASSERT_NE(server.port(), 0) << server.startup_output();

  // The throwaway CA is not in the system store.
  auto untrusted = Fetch({.url = Url(server), .timeout = milliseconds(3000)});
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, Code::kUnavailable);
  EXPECT_NE(untrusted.error().message.find("certificate verification failed"), std::string::npos)
      << untrusted.error().message;
  EXPECT_NE(untrusted.error().message.find("https://127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << untrusted.error().message;

  auto trusted = Fetch({.url = Url(server), .timeout = milliseconds(3000), .ca_file = CaFile()});
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_EQ(trusted->status, 200);
  // -www answers with a page describing the session.
  EXPECT_NE(trusted->body.find("Protocol  : TLSv1.3"), std::string::npos) << trusted->body;
}

TEST_F(HttpsClientTest, SpeaksTls12ButNothingOlder) {
  {
    OpensslServer server(dir_, "good.pem", "good.key", {"-tls1_2"});
    ASSERT_NE(server.port(), 0) << server.startup_output();
    auto res = Fetch({.url = Url(server), .timeout = milliseconds(3000), .ca_file = CaFile()});
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_NE(res->body.find("Protocol  : TLSv1.2"), std::string::npos) << res->body;
  }
  {
    // A TLS 1.1-only server (security level 0 lets OpenSSL 3 offer it at all). The
    // openssl client shows it does complete a TLS 1.1 handshake, so our failure is ours.
    const std::vector<std::string> tls11 = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"};
    OpensslServer server(dir_, "good.pem", "good.key", tls11);
    ASSERT_NE(server.port(), 0) << server.startup_output();
    std::vector<std::string> s_client = {"openssl", "s_client", "-brief", "-connect",
                                         "127.0.0.1:" + std::to_string(server.port())};
    s_client.insert(s_client.end(), tls11.begin(), tls11.end());
    ToolRun control = RunTool(s_client, dir_.string());
    ASSERT_EQ(control.exit_code, 0) << control.output;
    ASSERT_NE(control.output.find("Protocol version: TLSv1.1"), std::string::npos)
        << control.output;
    auto res = Fetch({.url = Url(server), .timeout = milliseconds(3000), .ca_file = CaFile()});
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, Code::kUnavailable);
    EXPECT_NE(res.error().message.find("TLS handshake failed: tlsv1 alert protocol version"),
              std::string::npos)
        << res.error().message;
  }
}

TEST_F(HttpsClientTest, RejectsACertificateForAnotherHost) {
  OpensslServer server(dir_, "wrong.pem", "wrong.key");
  ASSERT_NE(server.port(), 0) << server.startup_output();
  auto res = Fetch({.url = Url(server), .timeout = milliseconds(3000), .ca_file = CaFile()});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kUnavailable);
  EXPECT_NE(res.error().message.find("does not match host 127.0.0.1"), std::string::npos)
      << res.error().message;
}

TEST_F(HttpsClientTest, MissingCaFileIsAnInvalidArgument) {
  auto res = Fetch({.url = "https://127.0.0.1:1/", .ca_file = (dir_ / "nope.pem").string()});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, Code::kInvalidArgument) << res.error().message;
}

}  // namespace
}  // namespace ow::testing
