// The webhooks routes against docs/openapi.json: a department system's subscriptions and
// deliveries, the administrator's subscriptions, dead letters and replay (a receiver on
// 127.0.0.1 that refuses, then accepts), and every documented failure a client can provoke.
#include <chrono>
#include <thread>

#include "app/app.h"
#include "support/openapi_checker.h"
#include "support/webhook_receiver.h"
#include "webhooks/service.h"

namespace ow::testing {
namespace {

TEST(OpenApi, WebhooksResponsesMatchTheDocument) {
  WebhookReceiver receiver;
  receiver.set_status(400);
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [&](Config& c) {
    c.webhooks_allow_http = 1;
    c.webhooks_delivery_period_ms = 100;
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
  const Login sys = login("sysadmin");
  const Login acceptor = login("sc.acceptor");
  auto c = client.SendJson(verb::post, "/api/v1/oidc/clients",
                           json::serialize(json::object{{"name", "市场监管系统"},
                                                        {"type", "confidential"},
                                                        {"grant_types", {"client_credentials"}},
                                                        {"scopes", {"events.subscribe"}}}),
                           server.AdminHeaders());
  ASSERT_EQ(c.status, 201) << c.body;
  std::string id(c.json().at("client_id").as_string());
  std::string secret(c.json().at("client_secret").as_string());
  ASSERT_EQ(client
                .SendJson(verb::put, "/api/v1/exchange/systems/" + id,
                          R"({"department_code":"330102-SCJG"})", server.AdminHeaders())
                .status,
            200);
  auto t = client.Send(verb::post, "/oauth2/token",
                       "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret,
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(t.status, 200) << t.body;
  auto token = Bearer(std::string(t.json().at("access_token").as_string()));
  auto json_token = token;
  json_token["Content-Type"] = "application/json";

  const std::string kSubs = "/api/v1/webhooks/subscriptions";
  const std::string kSub = kSubs + "/{id}";
  const std::string kMine = "/api/v1/webhooks/deliveries";
  const std::string kAll = "/api/v1/webhook-subscriptions";
  const std::string kDisable = kAll + "/{id}/disable";
  const std::string kList = "/api/v1/webhook-deliveries";
  const std::string kReplay = kList + "/{id}/replay";
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string body =
      R"({"url":")" + receiver.url() + R"(","events":["case.submitted","licence.issued"]})";
  check(verb::post, kSubs, kSubs, 401, body, {{"Content-Type", "application/json"}});
  check(verb::post, kSubs, kSubs, 403, body, acceptor.write);
  check(verb::post, kSubs, kSubs, 400, "{", json_token);
  check(verb::post, kSubs, kSubs, 422, R"({"url":"ftp://x","events":["case.lost"]})", json_token);
  auto s = check(verb::post, kSubs, kSubs, 201, body, json_token);
  std::string sub(s.json().at("id").as_string());
  for (int i = 1; i < 20; ++i) check(verb::post, kSubs, kSubs, 201, body, json_token);
  check(verb::post, kSubs, kSubs, 429, body, json_token);
  check(verb::get, kSubs, kSubs, 200, {}, token);
  check(verb::get, kSubs, kSubs, 401);
  check(verb::get, kMine + "?limit=0", kMine, 422, {}, token);
  check(verb::get, kAll, kAll, 200, {}, sys.read);
  check(verb::get, kAll, kAll, 403, {}, acceptor.read);
  check(verb::get, kAll, kAll, 401);

  // An event for the department: refused by the endpoint (400), dead after one attempt.
  webhooks::Service publisher(server.app().database(), {});
  ASSERT_TRUE(server.app().database().Transact([&](db::Connection& conn) -> ::ow::Status {
    webhooks::DomainEvent e;
    e.type = webhooks::kCaseSubmitted;
    e.department_code = "330102-SCJG";
    e.region_code = "330102";
    e.subject = "2026120700000000015";
    e.data = {{"tracking_no", e.subject}};
    return publisher.Publish(conn, e);
  }));
  json::array dead;
  for (int i = 0; i < 200 && dead.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto r = client.Send(verb::get, kList + "?status=dead", {}, server.AdminHeaders());
    if (r.status == 200) dead = r.json().at("items").as_array();
  }
  ASSERT_FALSE(dead.empty());
  check(verb::get, kList + "?status=dead", kList, 200, {}, sys.read);
  check(verb::get, kList + "?status=lost", kList, 422, {}, sys.read);
  check(verb::get, kList, kList, 403, {}, acceptor.read);
  check(verb::get, kList, kList, 401);
  check(verb::get, kMine + "?status=dead", kMine, 200, {}, token);
  std::string did = std::to_string(dead[0].at("id").as_int64());
  receiver.set_status(200);
  check(verb::post, kList + "/" + did + "/replay", kReplay, 403, {}, acceptor.write);
  check(verb::post, kList + "/" + did + "/replay", kReplay, 401);
  check(verb::post, kList + "/" + did + "/replay", kReplay, 200, {}, sys.write);
  check(verb::post, kList + "/" + did + "/replay", kReplay, 409, {}, sys.write);
  check(verb::post, kList + "/999999/replay", kReplay, 404, {}, sys.write);

  check(verb::delete_, kSubs + "/WSnone", kSub, 404, {}, token);
  check(verb::delete_, kSubs + "/" + sub, kSub, 401);
  check(verb::delete_, kSubs + "/" + sub, kSub, 403, {}, acceptor.write);
  check(verb::delete_, kSubs + "/" + sub, kSub, 200, {}, token);
  check(verb::delete_, kSubs + "/" + sub, kSub, 409, {}, token);
  std::string other(s.json().at("id").as_string());
  auto list = client.Send(verb::get, kSubs, {}, token).json().at("items").as_array();
  for (const auto& x : list)
    if (x.at("status") == "active") other = std::string(x.at("id").as_string());
  check(verb::post, kAll + "/" + other + "/disable", kDisable, 403, {}, acceptor.write);
  check(verb::post, kAll + "/" + other + "/disable", kDisable, 401);
  check(verb::post, kAll + "/" + other + "/disable", kDisable, 200, {}, sys.write);
  check(verb::post, kAll + "/" + other + "/disable", kDisable, 409, {}, sys.write);
  check(verb::post, kAll + "/WSnone/disable", kDisable, 404, {}, sys.write);
  ExpectAllProbed(checker, IsWebhooksPath);
}

}  // namespace
}  // namespace ow::testing
