// The notifications routes against docs/openapi.json: preferences with the e-mail address
// check (the code read from a real SMTP server), the deliveries for system
// administrators, and every documented failure a client can provoke.
#include <regex>

#include "app/app.h"
#include "notify/service.h"
#include "support/mail_sink.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

TEST(OpenApi, NotificationResponsesMatchTheDocument) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [&](Config& c) {
    c.notify_smtp_host = "127.0.0.1";
    c.notify_smtp_port = sink.port();
    c.notify_delivery_period_ms = 3600000;
    c.notify_max_attempts = 1;
  });
  ASSERT_TRUE(
      app::SeedDemo(server.app().database(), SourceDir() + "/demo", &server.app().config()));
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  auto login = [&](const std::string& username) {
    return LoginOf(client.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kDemoPassword}})));
  };
  const Login zhang = login("zhangsan");
  const Login sys = login("sysadmin");
  const Login acceptor = login("sc.acceptor");
  const std::string kPrefs = "/api/v1/me/notification-preferences";
  const std::string kEmail = kPrefs + "/email";
  const std::string kVerify = kEmail + "/verification";
  const std::string kList = "/api/v1/notification-deliveries";
  const std::string kRequeue = kList + "/{id}/requeue";
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  check(verb::get, kPrefs, kPrefs, 401);
  check(verb::get, kPrefs, kPrefs, 200, {}, zhang.read);
  check(verb::put, kPrefs, kPrefs, 200, R"({"lang":"en","topics":{"case":["portal"]}})",
        zhang.write);
  auto w = zhang.write;
  w["If-Match"] = "\"n7\"";
  check(verb::put, kPrefs, kPrefs, 412, R"({"lang":"en"})", w);
  check(verb::put, kPrefs, kPrefs, 400, "{", zhang.write);
  check(verb::put, kPrefs, kPrefs, 422, R"({"lang":"fr"})", zhang.write);
  check(verb::put, kPrefs, kPrefs, 403, R"({"lang":"en"})", zhang.read);
  check(verb::post, kEmail, kEmail, 422, R"({"email":"nope"})", zhang.write);
  check(verb::post, kEmail, kEmail, 202, R"({"email":"zhang@example.test"})", zhang.write);
  check(verb::post, kEmail, kEmail, 429, R"({"email":"zhang@example.test"})", zhang.write);
  check(verb::post, kVerify, kVerify, 422, R"({"code":"x"})", zhang.write);
  ASSERT_EQ(*server.app().notify().DeliverDue(std::chrono::system_clock::now()), 1);
  auto mails = sink.WaitFor(1, std::chrono::seconds(10));
  ASSERT_EQ(mails.size(), 1u);
  std::smatch m;
  std::string subject(mails[0].at("subject").as_string());
  ASSERT_TRUE(std::regex_search(subject, m, std::regex("([0-9]{6})")));
  check(verb::post, kVerify, kVerify, 200, R"({"code":")" + std::string(m[1]) + "\"}", zhang.write);
  check(verb::post, kVerify, kVerify, 409, R"({"code":"123456"})", zhang.write);
  check(verb::put, kPrefs, kPrefs, 200, R"({"topics":{"case":["portal","email"]}})", zhang.write);
  check(verb::delete_, kEmail, kEmail, 200, {}, zhang.write);
  check(verb::delete_, kEmail, kEmail, 401);

  // Dead deliveries for the administrator: addresses that refuse for good.
  sink.Refuse("550");
  check(verb::post, kEmail, kEmail, 202, R"({"email":"other@example.test"})", zhang.write);
  check(verb::post, kEmail, kEmail, 429, R"({"email":"other@example.test"})", zhang.write);
  const Login li = login("lisi");
  check(verb::post, kEmail, kEmail, 202, R"({"email":"li@example.test"})", li.write);
  ASSERT_EQ(*server.app().notify().DeliverDue(std::chrono::system_clock::now()), 2);
  check(verb::get, kList, kList, 401);
  check(verb::get, kList, kList, 403, {}, acceptor.read);
  check(verb::get, kList + "?status=lost", kList, 422, {}, sys.read);
  auto dead = check(verb::get, kList + "?status=dead", kList, 200, {}, sys.read);
  std::string id = std::to_string(dead.json().at("deliveries").at(0).at("id").as_int64());
  check(verb::post, kList + "/" + id + "/requeue", kRequeue, 403, {}, acceptor.write);
  check(verb::post, kList + "/" + id + "/requeue", kRequeue, 200, {}, sys.write);
  check(verb::post, kList + "/" + id + "/requeue", kRequeue, 409, {}, sys.write);
  check(verb::post, kList + "/999999/requeue", kRequeue, 404, {}, sys.write);
  check(verb::post, kList + "/" + id + "/requeue", kRequeue, 401);
  check(verb::get, kList, kList, 200, {}, server.AdminHeaders());
  ExpectAllProbed(checker, IsNotifyPath);
}

}  // namespace
}  // namespace ow::testing
