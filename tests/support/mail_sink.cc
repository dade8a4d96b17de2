#include "support/mail_sink.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>

#include "support/test_support.h"

namespace ow::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

SmtpSink::SmtpSink(bool tls, const std::string& auth) {
  char tmpl[] = "/tmp/ow-smtp-XXXXXX";
  folder_ = mkdtemp(tmpl);
  if (!auth.empty()) std::ofstream(folder_ + "/auth") << auth;
  if (tls) {
    // openssl, an independent tool, makes the server's certificate.
    ToolRun r =
        RunTool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", folder_ + "/key.pem", "-out", folder_ + "/cert.pem", "-days",
                 "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    if (r.exit_code != 0) {
      ADD_FAILURE() << "openssl req: " << r.output;
      return;
    }
  }
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe";
    return;
  }
  std::string script = SourceDir() + "/tests/tools/smtp_sink.py";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    std::string cert = folder_ + "/cert.pem", key = folder_ + "/key.pem";
    if (tls)
      execl("/usr/bin/python3", "python3", script.c_str(), folder_.c_str(), "0", cert.c_str(),
            key.c_str(), static_cast<char*>(nullptr));
    else
      execl("/usr/bin/python3", "python3", script.c_str(), folder_.c_str(), "0",
            static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (line.size() < 100 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  if (line.rfind("listening ", 0) != 0) {
    ADD_FAILURE() << "smtp_sink.py did not start (python3-aiosmtpd installed?): " << line;
    return;
  }
  port_ = static_cast<uint16_t>(std::stoi(line.substr(10)));
}

std::string SmtpSink::AuthLog() const {
  std::ifstream in(folder_ + "/auth-log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

json::array SmtpSink::Mails() const {
  ToolRun r =
      RunTool({"/usr/bin/python3", SourceDir() + "/tests/tools/read_mail.py", folder_}, {}, true);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "read_mail.py: " << r.errors;
    return {};
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.output, ec);
  if (ec || !v.is_array()) return {};
  return v.as_array();
}

json::array SmtpSink::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  json::array mails;
  for (;;) {
    size_t count = 0;
    for (const auto& e : std::filesystem::directory_iterator(folder_))
      count += e.path().extension() == ".eml";
    if (count >= n || std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Mails();
}

void SmtpSink::Refuse(const std::string& code) { std::ofstream(folder_ + "/refuse") << code; }
void SmtpSink::Delay(double seconds) {
  if (seconds <= 0) {
    std::filesystem::remove(folder_ + "/delay");
    return;
  }
  std::ofstream(folder_ + "/delay") << seconds;
}
void SmtpSink::Accept() { std::filesystem::remove(folder_ + "/refuse"); }

struct SmsGateway::Impl {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor{ioc};
  mutable std::mutex mu;
  std::deque<std::pair<int, std::string>> replies;
  std::vector<Seen> seen;
  int served = 0;
};

SmsGateway::SmsGateway() : impl_(new Impl) {
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { Serve(); });
}

SmsGateway::~SmsGateway() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  // Wake a blocking accept with one last connection.
  {
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
  }
  if (thread_.joinable()) thread_.join();
  delete impl_;
}

void SmsGateway::Queue(int status, std::string body) {
  std::lock_guard lock(impl_->mu);
  impl_->replies.emplace_back(status, std::move(body));
}

std::vector<SmsGateway::Seen> SmsGateway::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

void SmsGateway::Serve() {
  for (int i = 0; i < 1000; ++i) {
    asio::ip::tcp::socket sock(impl_->ioc);
    boost::system::error_code ec;
    impl_->acceptor.accept(sock, ec);
    if (ec || !impl_->acceptor.is_open()) return;
    beast::flat_buffer buf;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(sock, buf, req, ec);
    if (ec) continue;
    int status = 200;
    std::string body;
    {
      std::lock_guard lock(impl_->mu);
      impl_->seen.push_back({std::string(req[bhttp::field::authorization]), req.body()});
      ++impl_->served;
      if (!impl_->replies.empty()) {
        status = impl_->replies.front().first;
        body = impl_->replies.front().second;
        impl_->replies.pop_front();
      } else {
        body = "{\"message_id\":\"gw-" + std::to_string(impl_->served) + "\"}";
      }
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = body;
    res.prepare_payload();
    bhttp::write(sock, res, ec);
    sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  }
}

}  // namespace ow::testing
