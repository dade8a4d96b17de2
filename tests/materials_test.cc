// Materials over HTTP on both stores: uploads of each accepted type (the OFD package
// made by Info-ZIP's `zip`), types judged by content whatever the client claims,
// content stored once however often it is uploaded, a multi-chunk file coming back
// byte for byte, the size limit, the virus scanner hook, and who may see what.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kPassword = "Qiantang-River-1949";
constexpr uint64_t kMaxFile = 4 << 20;

std::string ResidentId(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Pseudo-random bytes after `prefix`, `size` in all.
std::string Bytes(const std::string& prefix, size_t size, uint64_t seed = 1) {
  std::string out = prefix;
  out.reserve(size);
  uint64_t x = 0x9E3779B97F4A7C15ull * seed;
  while (out.size() < size) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out += static_cast<char>(x);
  }
  return out;
}

const std::string kPdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01", 13) + "jpegdata";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16) + "pngdata";
const std::string kExe = std::string("MZ\x90\x00\x03\x00\x00\x00\x04\x00", 10) + "This program";

struct Session {
  std::string cookie;
  std::string csrf;
  std::string account_id;
};

class MaterialsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string tmpl = (fs::temp_directory_path() / "ow-materials-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ / "spool");
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  void Start(const std::string& scanner_command = {}) {
    server_ = std::make_unique<TestServer>(db_url(), [&](Config& c) {
      c.password_concurrency = 4;
      c.materials_max_file_bytes = kMaxFile;
      c.materials_scanner_command = scanner_command;
      c.spool_dir = (dir_ / "spool").string();
    });
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  Session Person(const std::string& username, const std::string& first17) {
    auto r = client_->SendJson(verb::post, "/api/v1/accounts",
                               json::serialize(json::object{{"username", username},
                                                            {"password", kPassword},
                                                            {"real_name", "张三"},
                                                            {"resident_id", ResidentId(first17)}}));
    EXPECT_EQ(r.status, 201) << r.body;
    auto login = client_->SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    if (login.status != 201) return {};
    Session s;
    std::string set_cookie = login.header("set-cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    auto body = login.json();
    s.csrf = std::string(body.at("csrf_token").as_string());
    s.account_id = std::string(body.at("account").at("id").as_string());
    return s;
  }

  HttpResponse Upload(const Session& s, const std::string& bytes,
                      std::map<std::string, std::string> headers = {},
                      const std::string& target = "/api/v1/materials") {
    headers.emplace("Cookie", s.cookie);
    headers.emplace("X-CSRF-Token", s.csrf);
    headers.emplace("Content-Type", "application/octet-stream");
    return client_->Send(verb::post, target, bytes, headers);
  }
  HttpResponse Get(const Session& s, const std::string& target,
                   std::map<std::string, std::string> headers = {}) {
    headers.emplace("Cookie", s.cookie);
    return client_->Get(target, headers);
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM " + table));
      n = r.Int(0, 0);
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return n;
  }

  // Runs `args` in the test's folder; fails the test when the tool fails.
  void Tool(const std::vector<std::string>& args) {
    auto run = RunTool(args, dir_.string());
    ASSERT_EQ(run.exit_code, 0) << args[0] << ": " << run.output;
  }

  fs::path dir_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(MaterialsTest, EachAcceptedTypeIsStored) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  // An OFD package as Info-ZIP builds it (deflated entries, extra fields).
  fs::create_directories(dir_ / "pkg" / "Doc_0");
  std::ofstream(dir_ / "pkg" / "OFD.xml") << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                             "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\" "
                                             "Version=\"1.0\" DocType=\"OFD\"/>\n";
  std::ofstream(dir_ / "pkg" / "Doc_0" / "Document.xml") << "<ofd:Document/>\n";
  auto zip =
      RunTool({"zip", "-r", "-X", "../license.ofd", "OFD.xml", "Doc_0"}, (dir_ / "pkg").string());
  ASSERT_EQ(zip.exit_code, 0) << zip.output;
  std::string ofd = ReadFile(dir_ / "license.ofd");
  auto sum = RunTool({"sha256sum", (dir_ / "license.ofd").string()});
  ASSERT_EQ(sum.exit_code, 0);
  const std::string ofd_sha256 = sum.output.substr(0, 64);

  struct Case {
    std::string bytes, media_type, filename;
    std::map<std::string, std::string> headers;
    std::string target;
  };
  std::vector<Case> cases = {
      {kPdf,
       "application/pdf",
       "户口本.pdf",
       {{"Content-Disposition",
         "attachment; filename=\"fallback.pdf\"; "
         "filename*=UTF-8''%E6%88%B7%E5%8F%A3%E6%9C%AC.pdf"}},
       "/api/v1/materials"},
      {kJpeg,
       "image/jpeg",
       "photo 1.jpg",
       {{"Content-Disposition", "attachment; filename=\"C:\\\\Users\\\\me\\\\photo 1.jpg\""}},
       "/api/v1/materials"},
      {kPng, "image/png", "seal.png", {}, "/api/v1/materials?filename=seal.png"},
      {ofd, "application/ofd", "material.ofd", {}, "/api/v1/materials"},
  };
  std::vector<std::string> ids;
  for (const auto& c : cases) {
    auto r = Upload(zhang, c.bytes, c.headers, c.target);
    ASSERT_EQ(r.status, 201) << c.media_type << ": " << r.body;
    auto m = r.json();
    std::string id(m.at("id").as_string());
    EXPECT_EQ(id.rfind("mat_", 0), 0u) << id;
    EXPECT_EQ(r.header("location"), "/api/v1/materials/" + id);
    EXPECT_EQ(r.header("cache-control"), "no-store");
    EXPECT_EQ(m.at("media_type").as_string(), c.media_type);
    EXPECT_EQ(m.at("filename").as_string(), c.filename);
    EXPECT_EQ(m.at("size").as_int64(), static_cast<int64_t>(c.bytes.size()));
    EXPECT_EQ(m.at("sha256").as_string(), crypto::HexEncode(crypto::Sha256(c.bytes)));
    EXPECT_EQ(m.at("scan_result").as_string(), "not_scanned");
    EXPECT_FALSE(m.at("created_at").as_string().empty());
    ids.push_back(id);
  }
  EXPECT_EQ(cases.back().bytes, ofd);
  auto ofd_meta = Get(zhang, "/api/v1/materials/" + ids.back());
  ASSERT_EQ(ofd_meta.status, 200) << ofd_meta.body;
  EXPECT_EQ(ofd_meta.json().at("sha256").as_string(), ofd_sha256) << "sha256sum disagrees";

  // The caller's list, newest first.
  auto mine = Get(zhang, "/api/v1/me/materials");
  ASSERT_EQ(mine.status, 200) << mine.body;
  const json::value listed = mine.json();
  const auto& list = listed.at("materials").as_array();
  ASSERT_EQ(list.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(list[i].at("id").as_string(), ids[3 - i]);
  EXPECT_TRUE(fs::is_empty(dir_ / "spool")) << "spool files outlived their requests";
}

TEST_P(MaterialsTest, OtherTypesAre415WhateverTheClientClaims) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  std::ofstream(dir_ / "readme.txt") << "just text\n";
  Tool({"zip", "-X", "plain.zip", "readme.txt"});
  std::string plain_zip = ReadFile(dir_ / "plain.zip");
  for (const auto& [bytes, claim] : std::vector<std::pair<std::string, std::string>>{
           {kExe, "application/pdf"},
           {"hello, world\n", "text/plain"},
           {plain_zip, "application/ofd"},
           {"%PDF", "application/pdf"},
       }) {
    auto r = Upload(zhang, bytes,
                    {{"Content-Type", claim},
                     {"Content-Disposition", "attachment; filename=\"looks-fine.pdf\""}});
    EXPECT_EQ(r.status, 415) << claim << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_NE(r.body.find("application/pdf, image/jpeg, image/png or application/ofd"),
              std::string::npos)
        << r.body;
  }
  EXPECT_EQ(Count("materials"), 0);
  EXPECT_EQ(Count("blobs"), 0);
  // A real PNG sent as "application/pdf" named .pdf is stored as what it is.
  auto png = Upload(zhang, kPng,
                    {{"Content-Type", "application/pdf"},
                     {"Content-Disposition", "attachment; filename=\"scan.pdf\""}});
  ASSERT_EQ(png.status, 201) << png.body;
  EXPECT_EQ(png.json().at("media_type").as_string(), "image/png");
  auto content =
      Get(zhang, "/api/v1/materials/" + std::string(png.json().at("id").as_string()) + "/content");
  EXPECT_EQ(content.header("content-type"), "image/png");
}

TEST_P(MaterialsTest, TheSameContentIsStoredOnce) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  Session wang = Person("wang.wu", "44052419800101001");
  std::string scan = Bytes("%PDF-1.7\n", 600 << 10);  // three chunks
  auto first = Upload(zhang, scan);
  auto second = Upload(zhang, scan);
  auto third = Upload(wang, scan);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 201) << second.body;
  ASSERT_EQ(third.status, 201) << third.body;
  EXPECT_NE(first.json().at("id"), second.json().at("id"));
  EXPECT_EQ(first.json().at("sha256"), second.json().at("sha256"));
  EXPECT_EQ(first.json().at("sha256"), third.json().at("sha256"));
  EXPECT_EQ(Count("materials"), 3);
  EXPECT_EQ(Count("blobs"), 1);
  EXPECT_EQ(Count("blob_chunks"), 3);
  for (const auto& [who, r] :
       {std::pair{&zhang, &first}, std::pair{&zhang, &second}, std::pair{&wang, &third}}) {
    auto c =
        Get(*who, "/api/v1/materials/" + std::string(r->json().at("id").as_string()) + "/content");
    ASSERT_EQ(c.status, 200);
    EXPECT_TRUE(c.body == scan);
  }
}

// Uploads of the same new content at the same moment: every one succeeds, the content
// is stored once.
TEST_P(MaterialsTest, ConcurrentUploadsOfTheSameContentAllSucceed) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  std::string scan = Bytes("%PDF-1.7\n", 700 << 10, 3);
  constexpr int kUploads = 6;
  std::vector<int> statuses(kUploads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kUploads; ++i) {
    threads.emplace_back([&, i] {
      HttpClient own(server_->port());
      statuses[i] = own.Send(verb::post, "/api/v1/materials", scan,
                             {{"Cookie", zhang.cookie},
                              {"X-CSRF-Token", zhang.csrf},
                              {"Content-Type", "application/pdf"}})
                        .status;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kUploads; ++i) EXPECT_EQ(statuses[i], 201) << "upload " << i;
  EXPECT_EQ(Count("materials"), kUploads);
  EXPECT_EQ(Count("blobs"), 1);
  EXPECT_EQ(Count("blob_chunks"), 3);
}

TEST_P(MaterialsTest, AThreeMebibyteFileComesBackByteForByte) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  std::string photo = Bytes("\xFF\xD8\xFF\xE1", 3 << 20, 7);
  auto r =
      Upload(zhang, photo, {{"Content-Disposition", "attachment; filename=\"身份证 正面.jpg\""}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id(r.json().at("id").as_string());
  std::string sha256(r.json().at("sha256").as_string());
  EXPECT_EQ(Count("blob_chunks"), 12);  // 256 KiB each

  auto c = Get(zhang, "/api/v1/materials/" + id + "/content");
  ASSERT_EQ(c.status, 200) << c.body.substr(0, 300);
  ASSERT_EQ(c.body.size(), photo.size());
  EXPECT_TRUE(c.body == photo) << "the content differs from what was uploaded";
  EXPECT_EQ(c.header("content-type"), "image/jpeg");
  EXPECT_EQ(c.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(c.header("etag"), "\"" + sha256 + "\"");
  EXPECT_EQ(c.header("content-disposition"),
            "attachment; filename=\"___ __.jpg\"; "
            "filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%20%E6%AD%A3%E9%9D%A2.jpg");
  auto again =
      Get(zhang, "/api/v1/materials/" + id + "/content", {{"If-None-Match", "\"" + sha256 + "\""}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST_P(MaterialsTest, OverTheLimitIs413AndNothingIsStored) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  // The client announces the size; the server answers before taking the body.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket s(ioc);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  std::string head =
      "POST /api/v1/materials HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + zhang.cookie +
      "\r\nX-CSRF-Token: " + zhang.csrf + "\r\nContent-Length: " + std::to_string(kMaxFile + 1) +
      "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(head));
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> res;
  boost::beast::http::read(s, buffer, res);
  EXPECT_EQ(res.result_int(), 413) << res.body();
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/problem+json");
  // Exactly at the limit is fine.
  auto ok = Upload(zhang, Bytes("%PDF-", kMaxFile));
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(Count("materials"), 1);
  EXPECT_TRUE(fs::is_empty(dir_ / "spool"));
}

TEST_P(MaterialsTest, TheVirusScannerDecides) {
  if (IsSkipped()) return;
  // A stand-in for clamdscan: "infected" when the file holds the EICAR marker, broken
  // when it holds BROKEN; it also records what it was given.
  fs::path script = dir_ / "scan.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "shift $(($# - 1))\n"  // the file is the last argument
                           "ls -l \"$1\" >> '"
                        << (dir_ / "scanned.log").string()
                        << "'\n"
                           "if grep -q EICAR \"$1\"; then echo \"$1: Eicar-Signature FOUND\"; "
                           "exit 1; fi\n"
                           "if grep -q BROKEN \"$1\"; then echo 'cannot connect to clamd'; exit "
                           "2; fi\n"
                           "exit 0\n";
  fs::permissions(script, fs::perms::owner_all);
  Start(script.string() + " --no-summary");
  Session zhang = Person("zhang.san", "11010519491231002");

  auto clean = Upload(zhang, kPdf);
  ASSERT_EQ(clean.status, 201) << clean.body;
  EXPECT_EQ(clean.json().at("scan_result").as_string(), "clean");

  auto infected = Upload(zhang, kPdf + "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS");
  ASSERT_EQ(infected.status, 422) << infected.body;
  EXPECT_EQ(infected.header("content-type"), "application/problem+json");
  auto problem = infected.json();
  EXPECT_EQ(problem.at("errors").at(0).at("field").as_string(), "file");
  EXPECT_EQ(problem.at("detail").as_string(),
            "rejected by the virus scanner: upload: Eicar-Signature FOUND")
      << "the reason, without the server's temporary path";

  auto broken = Upload(zhang, kPdf + "BROKEN");
  EXPECT_EQ(broken.status, 503) << broken.body;
  EXPECT_FALSE(broken.header("retry-after").empty());

  EXPECT_EQ(Count("materials"), 1);
  EXPECT_EQ(Count("blobs"), 1);
  // The scanner saw the spooled files (mode 0600, in the spool folder), which are gone.
  std::string log = ReadFile(dir_ / "scanned.log");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
  EXPECT_NE(log.find("-rw------- "), std::string::npos) << log;
  EXPECT_NE(log.find((dir_ / "spool").string()), std::string::npos) << log;
  EXPECT_TRUE(fs::is_empty(dir_ / "spool"));
}

TEST_P(MaterialsTest, OnlyTheOwnerSeesAMaterial) {
  if (IsSkipped()) return;
  Start();
  Session zhang = Person("zhang.san", "11010519491231002");
  Session wang = Person("wang.wu", "44052419800101001");
  auto r = Upload(zhang, kPdf);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string path = "/api/v1/materials/" + std::string(r.json().at("id").as_string());

  EXPECT_EQ(Get(zhang, path).status, 200);
  EXPECT_EQ(Get(zhang, path + "/content").status, 200);
  for (const auto& target : {path, path + "/content", std::string("/api/v1/materials/mat_nope")}) {
    auto other = Get(wang, target);
    EXPECT_EQ(other.status, 404) << target << ": " << other.body;
    EXPECT_EQ(other.header("content-type"), "application/problem+json");
  }
  auto wang_list = Get(wang, "/api/v1/me/materials");
  ASSERT_EQ(wang_list.status, 200);
  EXPECT_TRUE(wang_list.json().at("materials").as_array().empty());

  // Anonymous callers: 401 everywhere, and nothing is stored.
  EXPECT_EQ(
      client_->Send(verb::post, "/api/v1/materials", kPdf, {{"Content-Type", "application/pdf"}})
          .status,
      401);
  {
    // Refused from the header alone: an anonymous 10 MB upload gets 401 before a byte of
    // its body is sent (nothing reaches the disk).
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket raw(io);
    raw.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
    std::string head =
        "POST /api/v1/materials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n";
    boost::asio::write(raw, boost::asio::buffer(head));
    boost::asio::streambuf answer;
    boost::system::error_code ec;
    boost::asio::read_until(raw, answer, "\r\n", ec);
    std::string status_line(boost::asio::buffers_begin(answer.data()),
                            boost::asio::buffers_begin(answer.data()) + 12);
    EXPECT_EQ(status_line, "HTTP/1.1 401") << ec.message();
  }
  EXPECT_EQ(client_->Get("/api/v1/me/materials").status, 401);
  EXPECT_EQ(client_->Get(path).status, 401);
  EXPECT_EQ(client_->Get(path + "/content").status, 401);
  // A session without its CSRF token cannot upload; the admin token is no account.
  EXPECT_EQ(client_->Send(verb::post, "/api/v1/materials", kPdf, {{"Cookie", zhang.cookie}}).status,
            403);
  auto admin = server_->AdminHeaders();
  EXPECT_EQ(client_->Send(verb::post, "/api/v1/materials", kPdf, admin).status, 403);
  // Refused at the gate, for every id alike (an administrator token reads no one's files).
  EXPECT_EQ(client_->Get(path, admin).status, 403);
  EXPECT_EQ(Count("materials"), 1);
}

OW_INSTANTIATE_STORE_TESTS(MaterialsTest);

}  // namespace
}  // namespace ow::testing
