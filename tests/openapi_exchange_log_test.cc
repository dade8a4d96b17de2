// The exchange message log, the person's data uses and the time-stamping authority against
// docs/openapi.json (support/openapi_checker.h), on both stores: every documented success
// and the failures a client can provoke.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "app/app.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "exchange_log/log.h"
#include "exchange_log/service.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiExchangeLog : public StoreTest {};

TEST_P(OpenApiExchangeLog, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url(), [](Config& c) {
    c.password_concurrency = 2;
    c.xlog_stamp_every_entries = 1000000;
    c.xlog_stamp_every_seconds = 3600;
  });
  auto seeded =
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config());
  ASSERT_TRUE(seeded) << seeded.error().message;
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  auto login = [&](const std::string& username) {
    auto res = client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kDemoPassword}}));
    EXPECT_EQ(res.status, 201) << username << ": " << res.body;
    return LoginOf(res);
  };
  const Login zhang = login("zhangsan"), lisi = login("lisi"), auditor = login("auditor"),
              approver = login("sc.approver"), acceptor = login("sc.acceptor");
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };

  // The TSA: an RFC 3161 query made by the OpenSSL CLI, and the chain.
  const std::string kTsa = "/api/v1/tsa", kCerts = "/api/v1/tsa/certificates";
  auto dir = std::filesystem::temp_directory_path() /
             ("ow_oa_xlog_" + std::to_string(::getpid()) + "_" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "data.txt") << "hello\n";
  std::string cmd = "openssl ts -query -data " + (dir / "data.txt").string() +
                    " -sha256 -cert -out " + (dir / "q.tsq").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir / "q.tsq", std::ios::binary);
  std::string query((std::istreambuf_iterator<char>(in)), {});
  std::filesystem::remove_all(dir);
  const std::map<std::string, std::string> tsq{{"Content-Type", "application/timestamp-query"}};
  check(verb::post, kTsa, kTsa, 200, query, tsq);
  check(verb::post, kTsa, kTsa, 415, "{}");
  check(verb::post, kTsa, kTsa, 400, std::string(20000, 'x'), tsq);
  check(verb::get, kCerts, kCerts, 200);

  // Entries as the exchange appends them; one time-stamp over them.
  exchange_log::Entry e;
  e.consumer_client = "mz-birth";
  e.consumer_department = "330102-SCJG";
  e.provider_department = "330102-MZ";
  e.resource_code = "population.household";
  e.resource_version = 1;
  e.subject_kind = "person";
  e.subject_id = "330102199003073017";
  e.purpose = "出生登记";
  e.legal_basis = "《户口登记条例》";
  e.case_tracking = "SB1";
  e.fields = {"name"};
  e.outcome = "answered";
  e.request_digest = crypto::HexEncode(crypto::Sha256("q"));
  e.response_digest = crypto::HexEncode(crypto::Sha256("a"));
  e.response_signature = "x.y.z";
  int64_t seq = 0;
  auto st = server.app().database().Transact([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(seq, server.app().message_log().Append(c, e));
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  const std::string one = std::to_string(seq);

  const std::string kLog = "/api/v1/exchange/log", kVerify = "/api/v1/exchange/log/verify",
                    kEvidence = "/api/v1/exchange/log/{seq}/evidence",
                    kMine = "/api/v1/me/data-uses",
                    kMyEvidence = "/api/v1/me/data-uses/{seq}/evidence",
                    kObjection = "/api/v1/me/data-uses/{seq}/objection";
  // Not stamped yet.
  check(verb::get, kMine + "/" + one + "/evidence", kMyEvidence, 503, {}, zhang.read);
  auto stamped = server.app().message_log_service().StampPending(/*force=*/true);
  ASSERT_TRUE(stamped && *stamped == seq);

  check(verb::get, kLog, kLog, 200, {}, auditor.read);
  check(verb::get, kLog + "?limit=1", kLog, 200, {}, auditor.read);
  check(verb::get, kLog + "?department=330102-SCJG&outcome=answered", kLog, 200, {}, approver.read);
  check(verb::get, kLog, kLog, 422, {}, approver.read);
  check(verb::get, kLog + "?limit=0", kLog, 422, {}, auditor.read);
  check(verb::get, kLog + "?from=2026-01-01T00:00:00Z&until=2099-01-01T00:00:00Z&consumer_client=x",
        kLog, 200, {}, auditor.read);
  check(verb::get, kLog + "?from=2026-01-01", kLog, 422, {}, auditor.read);
  check(verb::get, kLog + "?department=3301-GA", kLog, 403, {}, approver.read);
  check(verb::get, kLog + "?department=330102-SCJG", kLog, 403, {}, acceptor.read);
  check(verb::get, kLog, kLog, 401);
  check(verb::get, kVerify, kVerify, 200, {}, auditor.read);
  check(verb::get, kVerify, kVerify, 403, {}, approver.read);
  check(verb::get, kVerify, kVerify, 401);
  check(verb::get, kLog + "/" + one + "/evidence", kEvidence, 200, {}, auditor.read);
  check(verb::get, kLog + "/" + one + "/evidence", kEvidence, 200, {}, approver.read);
  check(verb::get, kLog + "/999999/evidence", kEvidence, 404, {}, auditor.read);
  check(verb::get, kLog + "/" + one + "/evidence", kEvidence, 403, {}, zhang.read);
  check(verb::get, kLog + "/" + one + "/evidence", kEvidence, 401);

  check(verb::get, kMine, kMine, 200, {}, zhang.read);
  check(verb::get, kMine + "?limit=1", kMine, 200, {}, zhang.read);
  check(verb::get, kMine + "?cursor=%25%25", kMine, 422, {}, zhang.read);
  check(verb::get, kMine, kMine, 403, {}, auditor.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine + "/" + one + "/evidence", kMyEvidence, 200, {}, zhang.read);
  check(verb::get, kMine + "/" + one + "/evidence", kMyEvidence, 404, {}, lisi.read);
  check(verb::get, kMine + "/" + one + "/evidence", kMyEvidence, 401);

  const std::string objection = kMine + "/" + one + "/objection";
  const std::string text = json::serialize(json::object{{"text", "我没有办理出生登记"}});
  check(verb::post, objection, kObjection, 400, "{\"text\":", zhang.write);
  check(verb::post, objection, kObjection, 415, "text=x",
        With(zhang.write, "Content-Type", "application/x-www-form-urlencoded"));
  check(verb::post, objection, kObjection, 422, R"({"text":""})", zhang.write);
  check(verb::post, objection, kObjection, 404, text, lisi.write);
  check(verb::post, objection, kObjection, 403, text, auditor.write);
  check(verb::post, objection, kObjection, 401, text);
  check(verb::post, objection, kObjection, 201, text, zhang.write);

  ExpectAllProbed(checker, IsExchangeLogPath);
}

OW_INSTANTIATE_STORE_TESTS(OpenApiExchangeLog);

}  // namespace
}  // namespace ow::testing
