// A server seeded with the demo data (demo/*.json) and the HTTP calls the cases tests make
// as applicants, staff and administrators: log in, create staff, register people, apply,
// accept, upload materials.
#ifndef OW_TESTS_SUPPORT_CASES_FIXTURE_H_
#define OW_TESTS_SUPPORT_CASES_FIXTURE_H_

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/demo.h"
#include "cases/service.h"
#include "support/test_support.h"

namespace ow::testing {

struct Session {
  std::string cookie, csrf, account_id;
};

class CasesFixture : public StoreTest {
 protected:
  using verb = boost::beast::http::verb;

  // zhangsan's application form for 3301-SCJG-GTDJ (个体工商户设立登记), which most case
  // tests apply for.
  static boost::json::object GtdjForm() {
    return {{"operator_name", "张三"}, {"operator_id", "330102199003073017"},
            {"form", "个人经营"},      {"address", "杭州市上城区解放路1号"},
            {"scope", "日用百货零售"}, {"phone", "13800000001"}};
  }

  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Start({});
  }

  // (Re)starts the server on the test's database; `tweak` adjusts the configuration.
  void Start(const std::function<void(Config&)>& tweak) {
    client_.reset();
    bool seed = !server_;
    server_.reset();
    server_ = std::make_unique<TestServer>(db_url(), [&](Config& c) {
      c.password_concurrency = 4;
      if (tweak) tweak(c);
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    if (seed) {
      auto seeded =
          app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
      ASSERT_TRUE(seeded) << seeded.error().message;
    }
  }

  static std::string Json(const boost::json::object& o) { return boost::json::serialize(o); }

  HttpResponse Call(verb method, const std::string& target, const std::string& body = {},
                    const Session* s = nullptr, std::map<std::string, std::string> headers = {}) {
    if (s) {
      headers.emplace("Cookie", s->cookie);
      if (method != verb::get) headers.emplace("X-CSRF-Token", s->csrf);
    }
    if (!body.empty()) headers.emplace("Content-Type", "application/json");
    return client_->Send(method, target, body, headers);
  }
  HttpResponse Admin(verb method, const std::string& target, const std::string& body) {
    std::map<std::string, std::string> h = server_->AdminHeaders();
    h["Content-Type"] = method == verb::put && target.rfind("/api/v1/processes/", 0) == 0
                            ? "application/xml"
                            : "application/json";
    return client_->Send(method, target, body, h);
  }

  Session Login(const std::string& username) {
    auto r = Call(verb::post, "/api/v1/session",
                  Json({{"username", username}, {"password", kDemoPassword}}));
    EXPECT_EQ(r.status, 201) << username << ": " << r.body;
    if (r.status != 201) return {};
    std::string c = r.header("set-cookie");
    auto body = r.json();
    return {c.substr(0, c.find(';')), std::string(body.at("csrf_token").as_string()),
            std::string(body.at("account").at("id").as_string())};
  }

  // A natural person registering themselves, logged in.
  Session Person(const std::string& username, const std::string& resident_id,
                 const std::string& name) {
    auto r = Call(verb::post, "/api/v1/accounts",
                  Json({{"username", username},
                        {"password", kDemoPassword},
                        {"real_name", name},
                        {"resident_id", resident_id}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return Login(username);
  }

  // A staff member of `dept` in `region` holding `role`, granted by the demo security
  // admin; returns the session and sets *id to the account id when given.
  Session Staff(const std::string& username, const std::string& dept, const std::string& region,
                const std::string& role, std::string* id = nullptr) {
    auto r = Admin(verb::post, "/api/v1/staff",
                   Json({{"username", username},
                         {"password", kDemoPassword},
                         {"real_name", "王五"},
                         {"department_code", dept},
                         {"region_code", region}}));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string account = r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    if (id) *id = account;
    Session sec = Login("secadmin");
    boost::json::object grant{{"role", role}, {"region_code", region}};
    if (role != "counter" && role != "agent" && role != "hotline" && role != "supervisor")
      grant["department_code"] = dept;
    auto g = Call(verb::post, "/api/v1/staff/" + account + "/roles", Json(grant), &sec);
    EXPECT_EQ(g.status, 201) << g.body;
    return Login(username);
  }

  // The security administrator lets `username` use `dept`'s active licence seal (the demo
  // items that issue licences need their approver to hold it: demo/licences.json).
  void AllowLicenceSeal(const std::string& username, const std::string& dept) {
    Session sec = Login("secadmin");
    auto seals = Call(verb::get, "/api/v1/seals?department=" + dept);
    ASSERT_EQ(seals.status, 200) << seals.body;
    const boost::json::value listed = seals.json();
    for (const auto& x : listed.at("seals").as_array()) {
      if (x.at("kind") != "licence" || x.at("status") != "active") continue;
      auto r = Call(verb::put,
                    "/api/v1/seals/" + std::string(x.at("id").as_string()) + "/holders/" + username,
                    "", &sec);
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  // Puts `xml` as process `key` and assigns it to `item`.
  void UseProcess(const std::string& item, const std::string& key, const std::string& xml) {
    auto p = Admin(verb::put, "/api/v1/processes/" + key, xml);
    ASSERT_TRUE(p.status == 201 || p.status == 200) << p.body;
    auto a = Admin(verb::put, "/api/v1/catalog/items/" + item + "/process",
                   Json({{"process_key", key}}));
    ASSERT_EQ(a.status, 200) << a.body;
  }

  // Submits an application as `s`. Unless `extra` names materials or licences (or is a
  // hall's counter intake), a small PDF is uploaded and attached for each required
  // material the item asks for online: the server refuses applications without them.
  HttpResponse Submit(const Session& s, const std::string& item, const std::string& region,
                      const boost::json::object& form, boost::json::object extra = {}) {
    boost::json::object body{{"item_code", item}, {"region_code", region}, {"form", form}};
    if (!extra.contains("materials") && !extra.contains("licences") &&
        !extra.contains("applicant_resident_id"))
      body["materials"] = RequiredMaterials(s, item);
    for (auto& kv : extra) body[kv.key()] = kv.value();
    return Call(verb::post, "/api/v1/cases", Json(body), &s);
  }

  // The names of `item`'s required materials that are not on paper only (what the server
  // checks at submission), read from the catalog once per item.
  std::vector<std::string> RequiredNames(const std::string& item) {
    auto it = required_.find(item);
    if (it != required_.end()) return it->second;
    std::vector<std::string> names;
    auto r = Call(verb::get, "/api/v1/catalog/items/" + item);
    if (r.status == 200) {
      const boost::json::value doc = r.json();
      const boost::json::value* item_doc = doc.as_object().if_contains("item");
      const boost::json::object& o = item_doc ? item_doc->as_object() : doc.as_object();
      for (const auto& m : o.at("materials").as_array()) {
        if (m.at("required").as_bool() && m.at("form") != "paper")
          names.emplace_back(m.at("name").as_string());
      }
    }
    required_[item] = names;
    return names;
  }

  // `ids` (materials already uploaded) named for `item`'s required materials in order, and
  // a fresh upload by `s` for each required material left; ids beyond them unnamed.
  boost::json::array MaterialsFor(const Session& s, const std::string& item,
                                  const std::vector<std::string>& ids) {
    boost::json::array out;
    auto names = RequiredNames(item);
    for (size_t i = 0; i < std::max(names.size(), ids.size()); ++i) {
      std::string id = i < ids.size() ? ids[i] : Upload(s);
      out.push_back(boost::json::object{{"id", id}, {"name", i < names.size() ? names[i] : ""}});
    }
    return out;
  }

  // One fresh upload by `s` per required material of `item`, named for it.
  boost::json::array RequiredMaterials(const Session& s, const std::string& item,
                                       const std::vector<std::string>& except = {}) {
    boost::json::array out;
    for (const auto& name : RequiredNames(item)) {
      if (std::find(except.begin(), except.end(), name) != except.end()) continue;
      std::string id = Upload(s);
      EXPECT_FALSE(id.empty()) << "upload for " << name;
      out.push_back(boost::json::object{{"id", id}, {"name", name}});
    }
    return out;
  }

  // Uploads a small PDF as `s` (`query` adds to the query string); "" when refused.
  std::string Upload(const Session& s, const std::string& query = "") {
    std::string pdf =
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    auto r = client_->Send(verb::post, "/api/v1/materials?filename=a.pdf" + query, pdf,
                           {{"Cookie", s.cookie},
                            {"X-CSRF-Token", s.csrf},
                            {"Content-Type", "application/octet-stream"}});
    if (r.status != 201) return "";
    return std::string(r.json().at("id").as_string());
  }

  // The open task of `c` named `node`, as {id, version}.
  static std::pair<int64_t, int64_t> TaskOf(const boost::json::object& c, const std::string& node) {
    for (const auto& t : c.at("tasks").as_array()) {
      if (t.at("node").as_string() == node && t.at("status").as_string() == "open")
        return {t.at("id").as_int64(), t.at("version").as_int64()};
    }
    ADD_FAILURE() << "no open task " << node << " in " << boost::json::serialize(c);
    return {0, 0};
  }
  static bool HasOpenTask(const boost::json::object& c, const std::string& node) {
    for (const auto& t : c.at("tasks").as_array())
      if (t.at("node").as_string() == node && t.at("status").as_string() == "open") return true;
    return false;
  }

  HttpResponse Complete(const Session& s, std::pair<int64_t, int64_t> task,
                        const std::string& decision, const std::string& opinion = "同意") {
    return Call(verb::post, "/api/v1/tasks/" + std::to_string(task.first) + "/complete",
                Json({{"version", task.second}, {"decision", decision}, {"opinion", opinion}}), &s);
  }

  boost::json::object Accept(const Session& acceptor, const boost::json::object& c) {
    auto r = Complete(acceptor, TaskOf(c, "accept"), "accept", "材料齐全，予以受理");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().as_object() : boost::json::object{};
  }

  // The status of GET `target` as `s`.
  int Status(const Session& s, const std::string& target) {
    return Call(verb::get, target, {}, &s).status;
  }

  static std::string No(const boost::json::object& c) {
    return std::string(c.at("tracking_no").as_string());
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::map<std::string, std::vector<std::string>> required_;  // item -> RequiredNames
};

}  // namespace ow::testing

#endif  // OW_TESTS_SUPPORT_CASES_FIXTURE_H_
