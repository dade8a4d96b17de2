// The exchange message log and the platform's time-stamping authority against a real
// server on both stores. Entries are appended as the exchange does (Log::Append inside a
// transaction); a batch time-stamp covers them; an exported entry is checked by the
// OpenSSL CLI (`openssl ts -verify`) and by recomputing the chain by hand; the public TSA
// answers an `openssl ts -query`. The attackers: another person reading or objecting to
// someone's use, staff of another department searching a department's log, a person or an
// acceptor searching, anyone changing the log (no route does; the database refuses
// UPDATE and DELETE; a row changed behind the triggers' back is found by the verification).
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/app.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "exchange_log/log.h"
#include "exchange_log/service.h"
#include "support/cases_fixture.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kZhangsan = "330102199003073017";  // demo/accounts.json
constexpr const char* kLisi = "330106198506124526";

std::string Str(const json::value& v, const char* key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

std::string Hex64(const std::string& seed) { return crypto::HexEncode(crypto::Sha256(seed)); }

exchange_log::Entry MakeEntry(const std::string& subject, const std::string& consumer,
                              const std::string& provider, const std::string& tag) {
  exchange_log::Entry e;
  e.consumer_client = "client-" + consumer;
  e.consumer_department = consumer;
  e.provider_department = provider;
  e.resource_code = "population.household";
  e.resource_version = 1;
  e.subject_kind = "person";
  e.subject_id = subject;
  e.purpose = "出生登记核验户籍";
  e.legal_basis = "《户口登记条例》第七条";
  e.case_tracking = "SB" + tag;
  e.fields = {"name", "household_address"};
  e.outcome = "answered";
  e.request_digest = Hex64("request " + tag);
  e.response_digest = Hex64("response " + tag);
  e.response_signature = "eyJhbGciOiJFUzI1NiJ9.e30.sig-" + tag;
  return e;
}

// A scratch folder removed at the end of the test.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    dir = std::filesystem::temp_directory_path() /
          ("ow_xlog_" + std::to_string(::getpid()) + "_" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir);
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
  std::string Write(const std::string& name, const std::string& data) const {
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

// Runs a shell command; returns its exit status and its stdout+stderr.
std::pair<int, std::string> Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Stamps only when asked (the background job would wait 1000000 entries or an hour).
void Quiet(Config& c) {
  c.xlog_stamp_every_entries = 1000000;
  c.xlog_stamp_every_seconds = 3600;
}

// The demo data (demo/data-uses.json) holds three entries: 1 and 2 about zhangsan (consumed
// by 330102-MZ and 330102-SCJG from 3301-GA), 3 about lisi (330102-MZ, refused).
constexpr int64_t kDemoEntries = 3;

class ExchangeLogTest : public CasesFixture {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Start(Quiet);
  }

  bool pg() const { return GetParam() == Store::kPostgres; }

  int64_t Append(const exchange_log::Entry& e) {
    int64_t seq = 0;
    auto st = server_->app().database().Transact([&](db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(seq, server_->app().message_log().Append(c, e));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return seq;
  }

  // Time-stamps what waits now (the background job does it every N entries or T seconds).
  int64_t Stamp() {
    auto r = server_->app().message_log_service().StampPending(/*force=*/true);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : 0;
  }

  json::value Evidence(const Session& s, const std::string& target) {
    auto r = Call(verb::get, target, {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json() : json::value();
  }

  ow::Status Exec(const std::string& sql) {
    return server_->app().database().Transact([&](db::Connection& c) -> ow::Status {
      OW_RETURN_IF_ERROR(c.Exec(sql));
      return {};
    });
  }
};

TEST_P(ExchangeLogTest, PersonSeesOnlyTheirOwnUsesAndNoIdNumberIsStored) {
  int64_t mine = Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", "1"));
  int64_t hers = Append(MakeEntry(kLisi, "330102-SCJG", "3301-GA", "2"));
  ASSERT_GT(hers, mine);

  Session zhang = Login("zhangsan");
  auto r = Call(verb::get, "/api/v1/me/data-uses", {}, &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value doc = r.json();
  const auto& uses = doc.at("uses").as_array();
  ASSERT_EQ(uses.size(), 3u) << r.body;  // two demo entries and this one, newest first
  EXPECT_EQ(uses[0].at("seq").as_int64(), mine);
  EXPECT_EQ(Str(uses[0], "consumer_department"), "330102-MZ");
  EXPECT_EQ(Str(uses[0], "consumer_department_name"), "上城区民政局");
  EXPECT_EQ(Str(uses[0], "consumer_system"), "client-330102-MZ");
  EXPECT_EQ(Str(uses[0], "purpose"), "出生登记核验户籍");
  EXPECT_EQ(Str(uses[0], "case_tracking"), "SB1");
  EXPECT_EQ(uses[0].at("fields").as_array().size(), 2u);
  EXPECT_EQ(r.body.find(kZhangsan), std::string::npos);

  Session li = Login("lisi");
  r = Call(verb::get, "/api/v1/me/data-uses", {}, &li);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = r.json();
  ASSERT_EQ(doc.at("uses").as_array().size(), 2u);
  EXPECT_EQ(doc.at("uses").as_array()[0].at("seq").as_int64(), hers);
  for (const auto& u : doc.at("uses").as_array()) EXPECT_NE(u.at("seq").as_int64(), mine);

  // Nobody reading the table learns an ID number.
  auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT subject_key FROM exchange_log"));
    EXPECT_EQ(rows.size(), static_cast<size_t>(kDemoEntries + 2));
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows.Text(i, 0).size(), 64u);
      EXPECT_EQ(rows.Text(i, 0).find("330"), std::string::npos);
    }
    OW_ASSIGN_OR_RETURN(
        auto hit, c.Query("SELECT count(*) FROM exchange_log WHERE subject_key "
                          "LIKE $1 OR subject_key LIKE $2",
                          {std::string("%") + kZhangsan + "%", std::string("%") + kLisi + "%"}));
    EXPECT_EQ(hit.Int(0, 0), 0);
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;

  // Another person's entry: not found, not even its evidence.
  Stamp();
  r = Call(verb::get, "/api/v1/me/data-uses/" + std::to_string(hers) + "/evidence", {}, &zhang);
  EXPECT_EQ(r.status, 404) << r.body;
  // Staff have no "own data uses".
  Session acceptor = Login("sc.acceptor");
  r = Call(verb::get, "/api/v1/me/data-uses", {}, &acceptor);
  EXPECT_EQ(r.status, 403) << r.body;
  // Not signed in.
  r = Call(verb::get, "/api/v1/me/data-uses");
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST_P(ExchangeLogTest, EvidenceVerifiesWithOpensslAndByRecomputingTheChain) {
  int64_t seq = Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", "1"));
  for (int i = 2; i <= 5; ++i)
    Append(MakeEntry(i % 2 ? kZhangsan : kLisi, "330102-SCJG", "3301-GA", std::to_string(i)));
  Session zhang = Login("zhangsan");
  // Not stamped yet: 503 with Retry-After.
  auto early =
      Call(verb::get, "/api/v1/me/data-uses/" + std::to_string(seq) + "/evidence", {}, &zhang);
  EXPECT_EQ(early.status, 503) << early.body;
  EXPECT_EQ(Stamp(), kDemoEntries + 5);
  EXPECT_EQ(Stamp(), 0);  // nothing new

  json::value ev = Evidence(zhang, "/api/v1/me/data-uses/" + std::to_string(seq) + "/evidence");
  ASSERT_TRUE(ev.is_object());
  const auto& entry = ev.at("entry");
  const auto& stamp = ev.at("stamp");
  EXPECT_EQ(stamp.at("head_seq").as_int64(), kDemoEntries + 5);

  // The chain, by hand: content = SHA-256(canonical); hash = SHA-256(prev "\n" content).
  std::string canonical = Str(ev, "canonical");
  std::string content = crypto::HexEncode(crypto::Sha256(canonical));
  EXPECT_EQ(content, Str(ev, "content"));
  EXPECT_NE(canonical.find(Str(entry, "subject_key")), std::string::npos);
  EXPECT_NE(canonical.find("出生登记核验户籍"), std::string::npos);
  std::string hash = crypto::HexEncode(crypto::Sha256(Str(entry, "prev_hash") + "\n" + content));
  EXPECT_EQ(hash, Str(entry, "hash"));
  const auto& links = ev.at("links").as_array();
  ASSERT_EQ(links.size(), 4u);
  for (const auto& l : links) {
    EXPECT_EQ(Str(l, "prev_hash"), hash);
    hash = crypto::HexEncode(crypto::Sha256(hash + "\n" + Str(l, "content")));
    EXPECT_EQ(hash, Str(l, "hash"));
  }
  EXPECT_EQ(hash, Str(stamp, "head_hash"));

  // The token, by the OpenSSL CLI against the published root.
  Scratch tmp;
  auto token = crypto::Base64UrlDecode(Str(stamp, "token"));
  ASSERT_TRUE(token);
  tmp.Write("token.der", *token);
  tmp.Write("root.pem", Str(stamp, "root_certificate"));
  std::string base = "openssl ts -verify -token_in -in " + (tmp.dir / "token.der").string() +
                     " -CAfile " + (tmp.dir / "root.pem").string() + " -digest ";
  auto [code, out] = Shell(base + hash);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
  // Another head hash (one entry earlier): refused.
  auto [bad_code, bad_out] = Shell(base + Str(links[2], "hash"));
  EXPECT_NE(bad_code, 0) << bad_out;
  EXPECT_NE(bad_out.find("message imprint mismatch"), std::string::npos) << bad_out;
  // The TSA certificate's extendedKeyUsage is critical timeStamping.
  tmp.Write("tsa.pem", Str(stamp, "tsa_certificate"));
  auto [x_code, x_out] =
      Shell("openssl x509 -noout -ext extendedKeyUsage -in " + (tmp.dir / "tsa.pem").string());
  EXPECT_EQ(x_code, 0) << x_out;
  EXPECT_NE(x_out.find("critical"), std::string::npos) << x_out;
  EXPECT_NE(x_out.find("Time Stamping"), std::string::npos) << x_out;

  // The auditor exports the same entry; the consumer's approver... is another department.
  Session auditor = Login("auditor");
  json::value audited =
      Evidence(auditor, "/api/v1/exchange/log/" + std::to_string(seq) + "/evidence");
  ASSERT_TRUE(audited.is_object());
  EXPECT_EQ(Str(audited.at("stamp"), "head_hash"), Str(stamp, "head_hash"));
  Session approver = Login("sc.approver");  // 330102-SCJG: neither consumer nor provider of 1
  auto r =
      Call(verb::get, "/api/v1/exchange/log/" + std::to_string(seq) + "/evidence", {}, &approver);
  EXPECT_EQ(r.status, 404) << r.body;
  r = Call(verb::get, "/api/v1/exchange/log/2/evidence", {}, &approver);  // consumer 330102-SCJG
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_P(ExchangeLogTest, PublicTsaAnswersAnOpensslQuery) {
  Scratch tmp;
  std::string data = tmp.Write("data.txt", "hello, time-stamped world\n");
  auto [qc, qo] = Shell("openssl ts -query -data " + data + " -sha256 -cert -out " +
                        (tmp.dir / "q.tsq").string());
  ASSERT_EQ(qc, 0) << qo;
  auto r = client_->Send(verb::post, "/api/v1/tsa", tmp.Read("q.tsq"),
                         {{"Content-Type", "application/timestamp-query"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/timestamp-reply");
  tmp.Write("r.tsr", r.body);
  auto certs = client_->Get("/api/v1/tsa/certificates");
  ASSERT_EQ(certs.status, 200);
  EXPECT_EQ(certs.header("content-type"), "application/x-pem-file");
  // The chain is the TSA certificate, then the root: the root is the trust anchor.
  std::string marker = "-----BEGIN CERTIFICATE-----";
  size_t second = certs.body.find(marker, 1);
  ASSERT_NE(second, std::string::npos);
  tmp.Write("root.pem", certs.body.substr(second));
  auto [vc, vo] =
      Shell("openssl ts -verify -data " + data + " -in " + (tmp.dir / "r.tsr").string() +
            " -CAfile " + (tmp.dir / "root.pem").string());
  EXPECT_EQ(vc, 0) << vo;
  EXPECT_NE(vo.find("Verification: OK"), std::string::npos) << vo;
  std::string changed = tmp.Write("changed.txt", "hello, time-stamped world!\n");
  auto [cc, co] =
      Shell("openssl ts -verify -data " + changed + " -in " + (tmp.dir / "r.tsr").string() +
            " -CAfile " + (tmp.dir / "root.pem").string());
  EXPECT_NE(cc, 0) << co;
  // Garbage is answered with a rejection reply, not a crash.
  r = client_->Send(verb::post, "/api/v1/tsa", "not a query",
                    {{"Content-Type", "application/timestamp-query"}});
  ASSERT_EQ(r.status, 200) << r.body;
  tmp.Write("bad.tsr", r.body);
  auto [bc, bo] = Shell("openssl ts -reply -in " + (tmp.dir / "bad.tsr").string() + " -text");
  EXPECT_NE(bo.find("Rejected"), std::string::npos) << bo;
  // A JSON body is not a time-stamp query.
  r = client_->Send(verb::post, "/api/v1/tsa", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 415) << r.body;
}

TEST_P(ExchangeLogTest, TsaIsRateLimitedPerAddress) {
  Start([](Config& c) {
    Quiet(c);
    c.tsa_per_minute = 2;
  });
  for (int i = 0; i < 2; ++i) {
    auto r = client_->Send(verb::post, "/api/v1/tsa", "x",
                           {{"Content-Type", "application/timestamp-query"}});
    EXPECT_EQ(r.status, 200);
  }
  auto r = client_->Send(verb::post, "/api/v1/tsa", "x",
                         {{"Content-Type", "application/timestamp-query"}});
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_FALSE(r.header("retry-after").empty());
}

TEST_P(ExchangeLogTest, SearchIsAuditorsAllAndADepartmentsOwn) {
  Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", "1"));
  Append(MakeEntry(kLisi, "330102-SCJG", "3301-GA", "2"));
  auto refused = MakeEntry(kLisi, "330102-SCJG", "3301-GA", "3");
  refused.outcome = "refused";
  refused.refusal_reason = "field_not_granted";
  refused.response_digest.clear();
  refused.response_signature.clear();
  Append(refused);

  Session auditor = Login("auditor");
  auto r = Call(verb::get, "/api/v1/exchange/log", {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("entries").as_array().size(), kDemoEntries + 3);
  r = Call(verb::get, std::string("/api/v1/exchange/log?subject_kind=person&subject_id=") + kLisi,
           {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("entries").as_array().size(), 3u);  // one demo entry, two here
  r = Call(verb::get, "/api/v1/exchange/log?outcome=refused", {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("entries").as_array().size(), 2u);  // the demo one and this one
  EXPECT_EQ(Str(r.json().at("entries").as_array()[0], "refusal_reason"), "field_not_granted");
  r = Call(verb::get, "/api/v1/exchange/log?limit=2", {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cursor = Str(r.json(), "next_cursor");
  ASSERT_FALSE(cursor.empty());
  r = Call(verb::get, "/api/v1/exchange/log?limit=4&cursor=" + cursor, {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("entries").as_array().size(), 4u);
  EXPECT_TRUE(r.json().at("next_cursor").is_null());

  // The department's approver: its own consumption only.
  Session approver = Login("sc.approver");
  r = Call(verb::get, "/api/v1/exchange/log?department=330102-SCJG", {}, &approver);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("entries").as_array().size(), 3u);  // demo entry 2 and two here
  const json::value scjg = r.json();
  for (const auto& e : scjg.at("entries").as_array())
    EXPECT_EQ(Str(e, "consumer_department"), "330102-SCJG");
  // Another department's log, the whole log, a search by ID number: refused.
  r = Call(verb::get, "/api/v1/exchange/log?department=330102-MZ", {}, &approver);
  EXPECT_EQ(r.status, 403) << r.body;
  r = Call(verb::get, "/api/v1/exchange/log?department=3301-GA", {}, &approver);
  EXPECT_EQ(r.status, 403) << r.body;
  r = Call(verb::get, "/api/v1/exchange/log", {}, &approver);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(
      verb::get,
      std::string("/api/v1/exchange/log?department=330102-SCJG&subject_kind=person&subject_id=") +
          kLisi,
      {}, &approver);
  EXPECT_EQ(r.status, 403) << r.body;
  // An acceptor of the same department, a person, the administrator token: refused.
  Session acceptor = Login("sc.acceptor");
  r = Call(verb::get, "/api/v1/exchange/log?department=330102-SCJG", {}, &acceptor);
  EXPECT_EQ(r.status, 403) << r.body;
  Session zhang = Login("zhangsan");
  r = Call(verb::get, "/api/v1/exchange/log?department=330102-SCJG", {}, &zhang);
  EXPECT_EQ(r.status, 403) << r.body;
  r = client_->Get("/api/v1/exchange/log", server_->AdminHeaders());
  EXPECT_EQ(r.status, 403) << r.body;
  // Verifying the whole log is the auditor's.
  r = Call(verb::get, "/api/v1/exchange/log/verify", {}, &approver);
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_P(ExchangeLogTest, SearchByTimeAndSystem) {
  Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", "t1"));
  Append(MakeEntry(kLisi, "330102-SCJG", "3301-GA", "t2"));
  Session auditor = Login("auditor");
  auto count = [&](const std::string& query) -> int64_t {
    auto r = Call(verb::get, "/api/v1/exchange/log?" + query, {}, &auditor);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.status == 200 ? static_cast<int64_t>(r.json().at("entries").as_array().size()) : -1;
  };
  auto now = std::chrono::system_clock::now();
  const std::string hour_ago = FormatTime(now - std::chrono::hours(1));
  const std::string in_an_hour = FormatTime(now + std::chrono::hours(1));
  EXPECT_EQ(count("from=" + hour_ago), kDemoEntries + 2);
  EXPECT_EQ(count("from=" + in_an_hour), 0);
  EXPECT_EQ(count("until=" + hour_ago), 0);
  EXPECT_EQ(count("from=" + hour_ago + "&until=" + in_an_hour), kDemoEntries + 2);
  // A bound within the same second as the entries still holds them (the log keeps ms).
  const std::string this_second = FormatTime(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now() - std::chrono::seconds(1)));
  EXPECT_EQ(count("from=" + this_second + "&consumer_client=client-330102-SCJG"), 1);
  EXPECT_EQ(count("consumer_client=client-330102-MZ"), 1);
  EXPECT_EQ(count("consumer_client=nobody"), 0);
  // A time not in the log's form: 422 naming it.
  auto r = Call(verb::get, "/api/v1/exchange/log?from=yesterday", {}, &auditor);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("from"), std::string::npos) << r.body;
  // The department's approver: the same filters, its own department only.
  Session approver = Login("sc.approver");
  r = Call(verb::get,
           "/api/v1/exchange/log?department=330102-SCJG&from=" + hour_ago +
               "&consumer_client=client-330102-MZ",
           {}, &approver);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("entries").as_array().size(), 0u);
}

TEST_P(ExchangeLogTest, NothingChangesTheLogAndTamperingIsFound) {
  for (int i = 1; i <= 4; ++i)
    Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", std::to_string(i)));
  Stamp();
  Append(MakeEntry(kZhangsan, "330102-MZ", "3301-GA", "5"));
  Stamp();
  Session auditor = Login("auditor");
  auto r = Call(verb::get, "/api/v1/exchange/log/verify", {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("ok").as_bool()) << r.body;
  EXPECT_EQ(r.json().at("checked").as_int64(), kDemoEntries + 5);
  EXPECT_EQ(r.json().at("stamps_checked").as_int64(), 2);
  // The command line says the same (an operator's check, without the server).
  std::string cli = std::string(OW_BINARY) + " verify-exchange-log --database '" + db_url() + "'";
  auto [ok_code, ok_out] = Shell(cli);
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_NE(ok_out.find("8 entries, 2 time-stamps"), std::string::npos) << ok_out;

  // No route writes the log: every exchange-log route is a GET.
  for (const auto& route : server_->app().router().routes()) {
    if (route.pattern.rfind("/api/v1/exchange/log", 0) == 0) {
      EXPECT_EQ(route.method, boost::beast::http::verb::get) << route.pattern;
    }
  }
  for (verb v : {verb::put, verb::patch, verb::delete_, verb::post}) {
    r = Call(v, "/api/v1/exchange/log/1", "{}", &auditor);
    EXPECT_TRUE(r.status == 404 || r.status == 405) << r.status;
  }
  // The database refuses changes and removals, whoever sends them.
  EXPECT_FALSE(Exec("UPDATE exchange_log SET purpose = 'x' WHERE seq = 2"));
  EXPECT_FALSE(Exec("DELETE FROM exchange_log WHERE seq = 2"));
  EXPECT_FALSE(Exec("DELETE FROM exchange_log_stamps"));
  EXPECT_FALSE(Exec("UPDATE exchange_log_head SET seq = 1, hash = 'x' WHERE id = 1"));

  // Someone with DDL rights drops the triggers and rewrites an entry: found.
  auto st = server_->app().database().Transact([&](db::Connection& c) {
    return c.ExecScript(pg() ? "DROP TRIGGER exchange_log_no_update_delete ON exchange_log"
                             : "DROP TRIGGER exchange_log_no_update; DROP TRIGGER "
                               "exchange_log_no_delete");
  });
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_TRUE(Exec("UPDATE exchange_log SET purpose = '营销' WHERE seq = 2"));
  r = Call(verb::get, "/api/v1/exchange/log/verify", {}, &auditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().at("ok").as_bool()) << r.body;
  EXPECT_EQ(r.json().at("first_bad_seq").as_int64(), 2) << r.body;
  auto check = server_->app().message_log_service().Verify();
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_seq, 2);
  auto [bad_code, bad_out] = Shell(cli);
  EXPECT_EQ(bad_code, 1) << bad_out;
  EXPECT_NE(bad_out.find("at entry 2"), std::string::npos) << bad_out;
}

TEST_P(ExchangeLogTest, APersonObjectsToAUseAndTheProviderGetsAComplaint) {
  int64_t mine = Append(MakeEntry(kZhangsan, "330102-SCJG", "330102-MZ", "1"));
  Session zhang = Login("zhangsan");
  Session li = Login("lisi");
  std::string path = "/api/v1/me/data-uses/" + std::to_string(mine) + "/objection";
  // Someone else cannot object to it, nor learn it exists.
  auto r = Call(verb::post, path, Json({{"text", "不是我的"}}), &li);
  EXPECT_EQ(r.status, 404) << r.body;
  r = Call(verb::post, path, Json({{"text", ""}}), &zhang);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Call(verb::post, path, Json({{"text", "我没有办理出生登记，为什么查询我的户籍？"}}), &zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string ticket = Str(r.json(), "ticket");
  ASSERT_FALSE(ticket.empty());
  // Once per use: the same ticket again.
  r = Call(verb::post, path, Json({{"text", "再次投诉"}}), &zhang);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(r.json(), "ticket"), ticket);
  // The complaint is routed to the provider department.
  r = Call(verb::get, "/api/v1/tickets/" + ticket, {}, &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "kind"), "complaint");
  EXPECT_EQ(Str(r.json(), "department_code"), "330102-MZ");
  // The person's list links the use to its complaint.
  r = Call(verb::get, "/api/v1/me/data-uses", {}, &zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json().at("uses").as_array()[0], "objection_ticket"), ticket);
}

TEST_P(ExchangeLogTest, OneStampPerHeadWhenSeveralNodesTry) {
  for (int i = 1; i <= 3; ++i) Append(MakeEntry(kLisi, "330102-MZ", "3301-GA", std::to_string(i)));
  // A second "node": another App on the same database.
  TestServer other(db_url(), [](Config& c) {
    c.password_concurrency = 4;
    Quiet(c);
  });
  std::atomic<int> stamped{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto& svc = i % 2 ? other.app().message_log_service() : server_->app().message_log_service();
      for (;;) {
        auto r = svc.StampPending(/*force=*/true);
        if (r) {
          if (*r > 0) ++stamped;
          return;
        }
        // A busy SQLite or a serialization failure: try again.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stamped.load(), 1);
  auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT count(*), max(head_seq) FROM exchange_log_stamps"));
    EXPECT_EQ(rows.Int(0, 0), 1);
    EXPECT_EQ(rows.Int(0, 1), kDemoEntries + 3);
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
}

TEST_P(ExchangeLogTest, BackgroundJobStampsEveryNEntries) {
  Start([](Config& c) {
    c.xlog_stamp_every_entries = 3;
    c.xlog_stamp_every_seconds = 3600;
  });
  // The newest stamped head, once it reaches `want` (at most `tries` tenths of a second: 10 s
  // for what must come; 2 s, four periods of the 500 ms job, for what must not).
  auto stamped_head = [&](int64_t want, int tries = 100) {
    int64_t head = 0;
    for (int i = 0; i < tries && head < want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto st = server_->app().database().Read([&](db::Connection& c) -> ow::Status {
        OW_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT max(head_seq) FROM exchange_log_stamps"));
        head = rows.Int(0, 0);
        return {};
      });
      EXPECT_TRUE(st) << st.error().message;
    }
    return head;
  };
  // The three demo entries are due at once.
  ASSERT_EQ(stamped_head(kDemoEntries), kDemoEntries);
  // Two more are not (and stay unstamped for the hour); the third makes three.
  for (int i = 1; i <= 2; ++i) Append(MakeEntry(kLisi, "330102-MZ", "3301-GA", std::to_string(i)));
  EXPECT_EQ(stamped_head(kDemoEntries + 1, 20), kDemoEntries);
  Append(MakeEntry(kLisi, "330102-MZ", "3301-GA", "3"));
  EXPECT_EQ(stamped_head(kDemoEntries + 3), kDemoEntries + 3);
}

TEST_P(ExchangeLogTest, AppendRefusesAMalformedEntry) {
  auto e = MakeEntry(kLisi, "330102-MZ", "3301-GA", "1");
  e.subject_kind = "robot";
  e.request_digest = "nothex";
  e.outcome = "refused";  // without a reason
  auto st = server_->app().database().Transact([&](db::Connection& c) -> ow::Status {
    OW_ASSIGN_OR_RETURN(auto seq, server_->app().message_log().Append(c, e));
    (void)seq;
    return {};
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  std::string fields;
  for (const auto& f : st.error().fields) fields += f.field + " ";
  EXPECT_NE(fields.find("subject_kind"), std::string::npos) << fields;
  EXPECT_NE(fields.find("request_digest"), std::string::npos) << fields;
  EXPECT_NE(fields.find("refusal_reason"), std::string::npos) << fields;
}

OW_INSTANTIATE_STORE_TESTS(ExchangeLogTest);

}  // namespace
}  // namespace ow::testing
