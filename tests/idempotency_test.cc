// Idempotency-Key on unsafe requests (issue 18, part 3), on both stores: a client's retry
// of a case submission, a task completion or an upload gets the first response again
// (marked Idempotent-Replayed) and never a second effect; the same key with another body
// is refused; another person's identical key is another key; concurrent retries make one
// case; a key expires. Node B, a second server on the same database, replays what node A
// answered.
#include <atomic>
#include <set>
#include <thread>

#include "db/database.h"
#include "support/cases_fixture.h"

namespace ow::testing {
namespace {

namespace json = boost::json;

constexpr const char* kItem = "3301-SCJG-GTDJ";

class Idempotency : public CasesFixture {
 protected:
  // The application body of `s` for the test item, with its materials uploaded once.
  std::string Application(const Session& s) {
    return Json({{"item_code", kItem},
                 {"region_code", "330102"},
                 {"form", GtdjForm()},
                 {"materials", RequiredMaterials(s, kItem)}});
  }
  HttpResponse SubmitWithKey(HttpClient& on, const Session& s, const std::string& body,
                             const std::string& key) {
    return on.Send(verb::post, "/api/v1/cases", body,
                   {{"Cookie", s.cookie},
                    {"X-CSRF-Token", s.csrf},
                    {"Content-Type", "application/json"},
                    {"Idempotency-Key", key}});
  }
  int64_t MyCases(const Session& s) {
    auto r = Call(verb::get, "/api/v1/me/cases", {}, &s);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("total").as_int64() : -1;
  }
};

TEST_P(Idempotency, ARetriedSubmissionGetsTheFirstResponseAndMakesNoSecondCase) {
  Session zhang = Login("zhangsan");
  std::string body = Application(zhang);
  int64_t before = MyCases(zhang);
  auto first = SubmitWithKey(*client_, zhang, body, "submit-0001");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.header("idempotent-replayed").empty());
  auto again = SubmitWithKey(*client_, zhang, body, "submit-0001");
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("location"), first.header("location"));
  // Another node on the same database replays it too.
  TestServer b(db_url());
  HttpClient on_b(b.port());
  auto on_other = SubmitWithKey(on_b, zhang, body, "submit-0001");
  EXPECT_EQ(on_other.status, 201) << on_other.body;
  EXPECT_EQ(on_other.body, first.body);
  EXPECT_EQ(on_other.header("idempotent-replayed"), "true");
  EXPECT_EQ(MyCases(zhang), before + 1);
  // Without a key, or with a new one, the same body is a new application.
  auto fresh = SubmitWithKey(*client_, zhang, body, "submit-0002");
  EXPECT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_NE(fresh.json().at("tracking_no"), first.json().at("tracking_no"));
  EXPECT_EQ(MyCases(zhang), before + 2);
}

TEST_P(Idempotency, TheSameKeyWithAnotherRequestIsRefused) {
  Session zhang = Login("zhangsan");
  std::string body = Application(zhang);
  ASSERT_EQ(SubmitWithKey(*client_, zhang, body, "k-reused").status, 201);
  int64_t after_first = MyCases(zhang);
  json::value changed = json::parse(body);
  changed.as_object()["form"].as_object()["scope"] = "五金零售";
  auto other = SubmitWithKey(*client_, zhang, json::serialize(changed), "k-reused");
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.body.find("Idempotency-Key"), std::string::npos) << other.body;
  EXPECT_EQ(other.header("content-type"), "application/problem+json");
  EXPECT_EQ(MyCases(zhang), after_first);
  // A key that is not one: refused before anything runs.
  auto bad = SubmitWithKey(*client_, zhang, body, std::string(300, 'x'));
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(MyCases(zhang), after_first);
}

TEST_P(Idempotency, AnotherPersonsKeyNeverReplaysTheirResponse) {
  Session zhang = Login("zhangsan");
  Session li = Login("lisi");
  auto first = SubmitWithKey(*client_, zhang, Application(zhang), "shared-key");
  ASSERT_EQ(first.status, 201) << first.body;
  std::string zhang_no(first.json().at("tracking_no").as_string());
  // zhangsan sends a second application under another key.
  std::string zhang_body = Application(zhang);
  auto second = SubmitWithKey(*client_, zhang, zhang_body, "zhang-key-2");
  ASSERT_EQ(second.status, 201) << second.body;
  std::string second_no(second.json().at("tracking_no").as_string());
  // lisi replays it to the letter (key and body): his own request runs (and is refused, the
  // materials not being his), never a replay of zhangsan's answer.
  auto guess = SubmitWithKey(*client_, li, zhang_body, "zhang-key-2");
  EXPECT_TRUE(guess.header("idempotent-replayed").empty()) << guess.body;
  EXPECT_EQ(guess.body.find(second_no), std::string::npos) << guess.body;
  EXPECT_NE(guess.status, 201) << guess.body;
  // With his own body and the same key, lisi gets his own case.
  auto his = SubmitWithKey(*client_, li, Application(li), "shared-key");
  EXPECT_EQ(his.status, 201) << his.body;
  EXPECT_TRUE(his.header("idempotent-replayed").empty());
  EXPECT_NE(his.json().at("tracking_no"), first.json().at("tracking_no"));
}

TEST_P(Idempotency, ConcurrentRetriesOfOneKeyMakeOneCase) {
  Session zhang = Login("zhangsan");
  std::string body = Application(zhang);
  int64_t before = MyCases(zhang);
  TestServer b(db_url());
  std::atomic<int> created{0}, replayed{0}, running{0}, other{0};
  std::set<std::string> numbers;
  std::mutex mu;
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&, i] {
      HttpClient on(i % 2 ? b.port() : server_->port());
      auto r = SubmitWithKey(on, zhang, body, "concurrent-key");
      if (r.status == 201) {
        (r.header("idempotent-replayed") == "true" ? replayed : created)++;
        std::lock_guard lock(mu);
        numbers.insert(std::string(r.json().at("tracking_no").as_string()));
      } else if (r.status == 409) {
        running++;
        EXPECT_EQ(r.header("retry-after"), "1");
      } else {
        other++;
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(created + replayed + running, 8);
  EXPECT_EQ(numbers.size(), 1u);
  EXPECT_EQ(MyCases(zhang), before + 1);
}

TEST_P(Idempotency, AnExpiredKeyRunsTheRequestAgain) {
  Session zhang = Login("zhangsan");
  std::string body = Application(zhang);
  auto first = SubmitWithKey(*client_, zhang, body, "expiring");
  ASSERT_EQ(first.status, 201) << first.body;
  // Time passes beyond cluster.idempotency_key_hours.
  ASSERT_TRUE(server_->app().database().Transact([](db::Connection& c) -> ::ow::Status {
    OW_RETURN_IF_ERROR(c.Exec("UPDATE idempotency_keys SET expires_ms = 1"));
    return {};
  }));
  auto later = SubmitWithKey(*client_, zhang, body, "expiring");
  EXPECT_EQ(later.status, 201) << later.body;
  EXPECT_TRUE(later.header("idempotent-replayed").empty());
  EXPECT_NE(later.json().at("tracking_no"), first.json().at("tracking_no"));
}

TEST_P(Idempotency, ARetriedTaskCompletionAndUploadAreReplayed) {
  Session zhang = Login("zhangsan");
  Session acceptor = Login("sc.acceptor");
  auto submitted = SubmitWithKey(*client_, zhang, Application(zhang), "k-case");
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  auto task = TaskOf(submitted.json().as_object(), "accept");
  std::string complete =
      Json({{"version", task.second}, {"decision", "accept"}, {"opinion", "齐全"}});
  auto send = [&] {
    return Call(verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/complete", complete,
                &acceptor, {{"Idempotency-Key", "accept-1"}});
  };
  auto first = send();
  ASSERT_EQ(first.status, 200) << first.body;
  // Without the key the retry would be a 409 (the task's version moved on).
  auto again = send();
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  // An upload retried with its key is the same material.
  std::string pdf =
      "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  auto upload = [&] {
    return client_->Send(verb::post, "/api/v1/materials?filename=a.pdf", pdf,
                         {{"Cookie", zhang.cookie},
                          {"X-CSRF-Token", zhang.csrf},
                          {"Content-Type", "application/octet-stream"},
                          {"Idempotency-Key", "upload-1"}});
  };
  auto u1 = upload();
  ASSERT_EQ(u1.status, 201) << u1.body;
  auto u2 = upload();
  EXPECT_EQ(u2.status, 201) << u2.body;
  EXPECT_EQ(u2.json().at("id"), u1.json().at("id"));
  EXPECT_EQ(u2.header("idempotent-replayed"), "true");
}

OW_INSTANTIATE_STORE_TESTS(Idempotency);

}  // namespace
}  // namespace ow::testing
