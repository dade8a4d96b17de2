// The service catalog on both stores: the reviewed version workflow with its
// four-eyes rule, split/merge lineage, implementation-list inheritance, search
// (and its parity across stores), and import/export.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "app/demo.h"
#include "catalog/form_validate.h"
#include "catalog/search_terms.h"
#include "catalog/service.h"
#include "core/text.h"
#include "departments/service.h"
#include "regions/service.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kAlice = "alice-token-0123456789";
constexpr const char* kBob = "bob-token-0123456789";

json::object Item(const std::string& code, const std::string& name,
                  const std::string& level = "city", const std::string& jurisdiction = "3301") {
  return {{"code", code},
          {"name", name},
          {"name_en", "Item " + code},
          {"type", "administrative_licensing"},
          {"served", json::array{"legal_person"}},
          {"department_code", "3301-SCJG"},
          {"themes", json::array{"开餐馆"}},
          {"level", level},
          {"service_forms", json::array{"online", "counter"}},
          {"jurisdiction", json::array{json::value(jurisdiction)}},
          {"statutory_days", 20},
          {"promised_days", 10},
          {"online_depth", 3},
          {"visits", 1},
          {"guide", name + "的办事指南。"}};
}

class Catalog : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url(), [](Config& c) {
      c.admin_tokens = std::string("alice:") + kAlice + ",bob:" + kBob;
    });
    client_ = std::make_unique<HttpClient>(server_->port());
    // Regions and departments only: these tests make their own items.
    auto& db = server_->app().database();
    regions::Service regions(db);
    ASSERT_TRUE(regions.Import(SourceDir() + "/demo/regions"));
    departments::Service departments(db, regions);
    for (auto [code, region, parent] :
         {std::tuple{"3301-GOV", "3301", ""}, std::tuple{"3301-SCJG", "3301", "3301-GOV"},
          std::tuple{"330102-GOV", "330102", "3301-GOV"},
          std::tuple{"330102-SCJG", "330102", "330102-GOV"}}) {
      ASSERT_TRUE(departments.Create(
          {code, std::string("单位 ") + code, "", "department", region, parent}));
    }
  }

  std::map<std::string, std::string> As(const char* token) {
    return {{"Authorization", std::string("Bearer ") + token}};
  }

  // Creates, submits (as alice) and approves (as bob) a change; returns the published change.
  json::object Publish(const std::string& kind, const json::object& payload) {
    auto created = client_->SendJson(
        verb::post, "/api/v1/catalog/changes",
        json::serialize(json::object{{"kind", kind}, {"summary", "test"}, {"payload", payload}}),
        As(kAlice));
    EXPECT_EQ(created.status, 201) << created.body;
    std::string id = std::to_string(created.json().at("id").as_int64());
    EXPECT_EQ(client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/submit", {}, As(kAlice))
                  .status,
              200);
    auto approved = client_->SendJson(verb::post, "/api/v1/catalog/changes/" + id + "/approve",
                                      R"({"comment":"ok"})", As(kBob));
    EXPECT_EQ(approved.status, 200) << approved.body;
    return approved.json().as_object();
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(Catalog, AuthorCanNeverApproveAndVersionsAreImmutable) {
  auto created = client_->SendJson(
      verb::post, "/api/v1/catalog/changes",
      json::serialize(json::object{{"kind", "add"},
                                   {"summary", "new"},
                                   {"payload", {{"item", Item("A-1", "食品经营许可")}}}}),
      As(kAlice));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("status").as_string(), "draft");
  std::string id = std::to_string(created.json().at("id").as_int64());
  // Not yet published: invisible to the public.
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/A-1").status, 404);
  // Bob cannot submit Alice's draft; Alice submits.
  EXPECT_EQ(
      client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/submit", {}, As(kBob)).status,
      403);
  ASSERT_EQ(
      client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/submit", {}, As(kAlice)).status,
      200);
  // The author may not approve, whatever token she uses.
  auto self =
      client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/approve", {}, As(kAlice));
  EXPECT_EQ(self.status, 403) << self.body;
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/A-1").status, 404);
  auto ok = client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/approve", {}, As(kBob));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("status").as_string(), "published");
  EXPECT_EQ(ok.json().at("reviewer").as_string(), "bob");
  // Approving twice does nothing.
  EXPECT_EQ(
      client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/approve", {}, As(kBob)).status,
      409);

  auto v1 = client_->Get("/api/v1/catalog/items/A-1/versions/1");
  ASSERT_EQ(v1.status, 200);
  EXPECT_EQ(v1.header("cache-control"), "public, max-age=31536000, immutable");

  // A change edits version 1 and makes version 2; version 1 stays as it was.
  auto doc = Item("A-1", "食品经营许可（新）");
  doc["promised_days"] = 5;
  Publish("change", {{"item", doc}, {"base_version", 1}});
  auto current = client_->Get("/api/v1/catalog/items/A-1").json();
  EXPECT_EQ(current.at("version").as_int64(), 2);
  EXPECT_EQ(current.at("item").at("name").as_string(), "食品经营许可（新）");
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/A-1/versions/1").body, v1.body);

  auto diff = client_->Get("/api/v1/catalog/items/A-1/diff?from=1&to=2").json();
  std::set<std::string> paths;
  for (const auto& c : diff.at("changes").as_array())
    paths.insert(std::string(c.at("path").as_string()));
  EXPECT_EQ(paths, (std::set<std::string>{"/name", "/promised_days", "/guide"}));

  // A change against a stale base version cannot be published.
  auto stale = client_->SendJson(
      verb::post, "/api/v1/catalog/changes",
      json::serialize(json::object{
          {"kind", "change"}, {"payload", {{"item", Item("A-1", "旧")}, {"base_version", 1}}}}),
      As(kAlice));
  std::string sid = std::to_string(stale.json().at("id").as_int64());
  client_->Send(verb::post, "/api/v1/catalog/changes/" + sid + "/submit", {}, As(kAlice));
  auto conflict =
      client_->Send(verb::post, "/api/v1/catalog/changes/" + sid + "/approve", {}, As(kBob));
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/A-1").json().at("version").as_int64(), 2);
  // Rejected with a comment, edited by the author (a draft again), resubmitted and approved.
  EXPECT_EQ(client_
                ->SendJson(verb::post, "/api/v1/catalog/changes/" + sid + "/reject",
                           R"({"comment":"rebase"})", As(kBob))
                .status,
            200);
  auto edited = client_->SendJson(
      verb::put, "/api/v1/catalog/changes/" + sid,
      json::serialize(json::object{
          {"kind", "change"}, {"payload", {{"item", Item("A-1", "第三版")}, {"base_version", 2}}}}),
      As(kAlice));
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json().at("status").as_string(), "draft");
  client_->Send(verb::post, "/api/v1/catalog/changes/" + sid + "/submit", {}, As(kAlice));
  EXPECT_EQ(
      client_->Send(verb::post, "/api/v1/catalog/changes/" + sid + "/approve", {}, As(kBob)).status,
      200);
  auto versions = client_->Get("/api/v1/catalog/items/A-1/versions").json();
  EXPECT_EQ(versions.at("items").as_array().size(), 3u);
}

TEST_P(Catalog, SuspendResumeAndCancel) {
  Publish("add", {{"item", Item("S-1", "户外广告设置许可")}});
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E5%B9%BF%E5%91%8A")
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  Publish("suspend", {{"code", "S-1"}, {"reason", "政策调整"}});
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/S-1").json().at("status").as_string(), "suspended");
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E5%B9%BF%E5%91%8A")
                .json()
                .at("items")
                .as_array()
                .size(),
            0u);
  Publish("resume", {{"code", "S-1"}, {"reason", "恢复"}});
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E5%B9%BF%E5%91%8A")
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  Publish("cancel", {{"code", "S-1"}, {"reason", "取消"}});
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/S-1").json().at("status").as_string(), "cancelled");
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/S-1/versions").json().at("items").as_array().size(),
            4u);
}

TEST_P(Catalog, SplitAndMergeKeepLineage) {
  Publish("add", {{"item", Item("P-1", "建设工程许可")}});
  Publish(
      "split",
      {{"source", "P-1"},
       {"items", json::array{Item("P-2", "建设工程规划许可"), Item("P-3", "建筑工程施工许可")}}});
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/P-1").json().at("status").as_string(), "cancelled");
  auto split = client_->Get("/api/v1/catalog/items/P-1/lineage").json().at("links").as_array();
  ASSERT_EQ(split.size(), 2u);
  for (const auto& l : split) {
    EXPECT_EQ(l.at("from_code").as_string(), "P-1");
    EXPECT_EQ(l.at("from_version").as_int64(), 2);  // the cancelling version
    EXPECT_EQ(l.at("kind").as_string(), "split");
  }
  Publish("merge",
          {{"sources", json::array{"P-2", "P-3"}}, {"item", Item("P-4", "工程建设许可（合并）")}});
  auto merged = client_->Get("/api/v1/catalog/items/P-4/lineage").json().at("links").as_array();
  ASSERT_EQ(merged.size(), 2u);
  std::set<std::string> from;
  for (const auto& l : merged) {
    from.insert(std::string(l.at("from_code").as_string()));
    EXPECT_EQ(l.at("kind").as_string(), "merge");
    EXPECT_EQ(l.at("to_code").as_string(), "P-4");
  }
  EXPECT_EQ(from, (std::set<std::string>{"P-2", "P-3"}));
  // P-2 shows both where it came from and where it went.
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/P-2/lineage").json().at("links").as_array().size(),
            2u);
  // Splitting into an existing code fails without touching anything.
  auto created = client_->SendJson(
      verb::post, "/api/v1/catalog/changes",
      json::serialize(json::object{
          {"kind", "split"},
          {"payload",
           {{"source", "P-4"}, {"items", json::array{Item("P-4", "x"), Item("P-5", "y")}}}}}),
      As(kAlice));
  std::string id = std::to_string(created.json().at("id").as_int64());
  client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/submit", {}, As(kAlice));
  EXPECT_EQ(
      client_->Send(verb::post, "/api/v1/catalog/changes/" + id + "/approve", {}, As(kBob)).status,
      409);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/P-4").json().at("status").as_string(), "published");
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/P-5").status, 404);
}

TEST_P(Catalog, ImplementationListsInheritDownward) {
  // A provincial directory item, implemented by the city and by one district.
  Publish("add", {{"item", Item("D-1", "食品经营许可", "province", "33")}});
  auto put = [&](const std::string& region, const std::string& dept, int promised) {
    return client_->SendJson(
        verb::put, "/api/v1/catalog/items/D-1/implementations/" + region,
        json::serialize(json::object{
            {"department_code", dept},
            {"promised_days", promised},
            {"consult_phone", "0571-" + region},
            {"halls", json::array{{{"name", "大厅 " + region}, {"name_en", "Hall " + region}}}}}),
        As(kAlice));
  };
  ASSERT_EQ(put("3301", "3301-SCJG", 8).status, 200);
  ASSERT_EQ(put("330102", "330102-SCJG", 5).status, 200);
  // Promised days above the statutory limit are refused.
  auto too_slow = put("330106", "3301-SCJG", 25);
  EXPECT_EQ(too_slow.status, 422);
  EXPECT_EQ(too_slow.json().at("errors").as_array()[0].at("field").as_string(), "promised_days");
  // A district department cannot implement for the whole city.
  EXPECT_EQ(put("3301", "330102-SCJG", 5).status, 422);
  // Nothing is inherited upward: not at the province itself for a city-level item.
  Publish("add", {{"item", Item("C-1", "城市事项")}});
  auto up = client_->SendJson(verb::put, "/api/v1/catalog/items/C-1/implementations/33",
                              R"({"department_code":"3301-SCJG"})", As(kAlice));
  EXPECT_EQ(up.status, 422) << up.body;
  // Outside the jurisdiction (Beijing) is refused too.
  EXPECT_EQ(client_
                ->SendJson(verb::put, "/api/v1/catalog/items/D-1/implementations/110101",
                           R"({"department_code":"3301-SCJG"})", As(kAlice))
                .status,
            422);

  // The guide for a region uses the nearest implementation at or above it.
  auto district = client_->Get("/api/v1/catalog/items/D-1?region=330102").json();
  EXPECT_EQ(district.at("item").at("promised_days").as_int64(), 5);
  EXPECT_EQ(district.at("implementation").at("region_code").as_string(), "330102");
  EXPECT_EQ(district.at("implementation").at("followed_version").as_int64(), 1);
  // Local halls keep their English names, as the item's own halls do.
  EXPECT_EQ(district.at("implementation").at("halls").at(0).at("name_en").as_string(),
            "Hall 330102");
  EXPECT_EQ(district.at("item").at("halls").at(0).at("name_en").as_string(), "Hall 330102");
  EXPECT_EQ(district.at("item").at("halls").at(0).at("hours_en").as_string(), "");
  auto other = client_->Get("/api/v1/catalog/items/D-1?region=330106").json();
  EXPECT_EQ(other.at("item").at("promised_days").as_int64(), 8);
  EXPECT_EQ(other.at("implementation").at("region_code").as_string(), "3301");

  // Visible where implemented or below; not in another city.
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E9%A3%9F%E5%93%81&region=330106")
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E9%A3%9F%E5%93%81&region=3302")
                .json()
                .at("items")
                .as_array()
                .size(),
            0u);

  // When the directory item changes, its implementations are flagged for review.
  Publish("change",
          {{"item", Item("D-1", "食品经营许可证核发", "province", "33")}, {"base_version", 1}});
  auto flagged = client_->Get("/api/v1/catalog/implementations?needs_review=true")
                     .json()
                     .at("items")
                     .as_array();
  EXPECT_EQ(flagged.size(), 2u);
  ASSERT_EQ(put("3301", "3301-SCJG", 8).status, 200);  // reviewed: follows version 2 now
  flagged = client_->Get("/api/v1/catalog/implementations?needs_review=true")
                .json()
                .at("items")
                .as_array();
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].at("region_code").as_string(), "330102");
}

// The capability report counts a region's catalogue through EachPublishedIn, which must
// see every published item implemented at or above the region exactly once, as GetItem
// shows it there, whatever the page size (Search's paging stops near 10,000 items).
TEST_P(Catalog, EachPublishedInVisitsEveryImplementedItemOnce) {
  for (const char* code : {"E-1", "E-2", "E-3", "E-4", "E-5"}) {
    Publish("add", {{"item", Item(code, std::string("事项 ") + code)}});
  }
  auto put = [&](const std::string& code, const std::string& region, const std::string& dept,
                 int promised) {
    return client_
        ->SendJson(
            verb::put, "/api/v1/catalog/items/" + code + "/implementations/" + region,
            json::serialize(json::object{{"department_code", dept}, {"promised_days", promised}}),
            As(kAlice))
        .status;
  };
  for (const char* code : {"E-1", "E-2", "E-3", "E-4"})
    ASSERT_EQ(put(code, "3301", "3301-SCJG", 8), 200);
  ASSERT_EQ(put("E-2", "330102", "330102-SCJG", 5), 200);  // nearer for 330102
  // E-4 is suspended, E-5 implemented nowhere: neither is counted.
  Publish("suspend", {{"code", "E-4"}, {"reason", "政策调整"}});

  auto& db = server_->app().database();
  regions::Service regions(db);
  departments::Service departments(db, regions);
  catalog::Service catalog(db, regions, departments);
  for (int page : {1, 2, 500}) {
    std::vector<std::string> codes;
    std::map<std::string, int64_t> promised;
    ASSERT_TRUE(catalog.EachPublishedIn(
        "330102",
        [&](const catalog::ItemView& v) {
          codes.push_back(v.version.code);
          promised[v.version.code] = v.effective.at("promised_days").as_int64();
          return Status{};
        },
        page));
    EXPECT_EQ(codes, (std::vector<std::string>{"E-1", "E-2", "E-3"})) << "page " << page;
    EXPECT_EQ(promised["E-2"], 5);
    EXPECT_EQ(promised["E-1"], 8);
  }
  int other = 0;
  ASSERT_TRUE(catalog.EachPublishedIn("3302", [&](const catalog::ItemView&) {
    ++other;
    return Status{};
  }));
  EXPECT_EQ(other, 0);
  auto bad = catalog.EachPublishedIn("nowhere", [](const catalog::ItemView&) { return Status{}; });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
}

TEST_P(Catalog, SearchRanksNameMatchesFirstAndFiltersByFacet) {
  auto a = Item("Q-1", "结婚登记");
  a["type"] = "administrative_confirmation";
  a["served"] = json::array{"natural_person"};
  a["themes"] = json::array{"婚姻"};
  a["name_en"] = "Marriage registration";
  auto b = Item("Q-2", "离婚登记");
  b["type"] = "administrative_confirmation";
  b["themes"] = json::array{"婚姻"};
  auto c = Item("Q-3", "个体工商户注册");
  c["guide"] = "办理后需进行税务登记。";  // 登记 only in the guide: ranks below name matches
  for (auto* item : {&a, &b, &c}) Publish("add", {{"item", *item}});
  for (const char* code : {"Q-1", "Q-2", "Q-3"}) {
    client_->SendJson(verb::put,
                      std::string("/api/v1/catalog/items/") + code + "/implementations/3301",
                      R"({"department_code":"3301-SCJG"})", As(kAlice));
  }
  auto hits =
      client_->Get("/api/v1/catalog/items?q=%E7%99%BB%E8%AE%B0&facets=true").json();  // 登记
  auto items = hits.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[2].at("code").as_string(), "Q-3");
  EXPECT_EQ(hits.at("total").as_int64(), 3);
  EXPECT_TRUE(hits.at("facets").as_object().contains("theme"));
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E7%99%BB%E8%AE%B0&served=natural_person")
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=Marriage")
                .json()
                .at("items")
                .as_array()[0]
                .at("code")
                .as_string(),
            "Q-1");
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=marriages").json().at("items").as_array().size(),
            1u);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E7%BB%93%E5%A9%9A%E7%99%BB%E8%AE%B0")
                .json()
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?type=nope").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/catalog/items?q=%E7%99%BB%E8%AE%B0&limit=1")
                .json()
                .at("next_cursor")
                .is_string(),
            true);
}

TEST_P(Catalog, ImportRejectsABadFileWholeWithAnErrorPerRow) {
  auto& db = server_->app().database();
  regions::Service regions(db);
  departments::Service departments(db, regions);
  catalog::Service catalog(db, regions, departments);
  Publish("add", {{"item", Item("X-0", "已有事项")}});
  auto good = catalog.ExportCsv();
  ASSERT_TRUE(good);
  // Header plus one valid row, then three bad rows (bad type, promised > statutory, bad JSON).
  std::string header = good->substr(0, good->find("\r\n"));
  std::string row = good->substr(good->find("\r\n") + 2);
  row = row.substr(0, row.find("\r\n"));
  auto with_code = [&](std::string r, const std::string& code) {
    return r.replace(r.find("X-0"), 3, code);
  };
  std::string bad_type = with_code(row, "X-2");
  bad_type.replace(bad_type.find("administrative_licensing"), 24, "tax");
  std::string bad_days = with_code(row, "X-3");
  bad_days.replace(bad_days.find(",20,10,"), 7, ",5,10,");
  std::string bad_json = with_code(row, "X-4");
  bad_json.replace(bad_json.find("\"[\"\"online\"\""), 12, "\"[oops");
  std::string file = header + "\r\n" + with_code(row, "X-1") + "\r\n" + bad_type + "\r\n" +
                     bad_days + "\r\n" + bad_json + "\r\n";
  auto result = catalog.Import("alice", "csv", file, /*publish=*/true);
  ASSERT_FALSE(result);
  std::set<std::string> lines;
  for (const auto& f : result.error().fields) lines.insert(f.field.substr(0, f.field.find('/')));
  EXPECT_EQ(lines, (std::set<std::string>{"line 3", "line 4", "line 5"})) << result.error().message;
  // Nothing was written: not even the valid X-1.
  EXPECT_EQ(client_->Get("/api/v1/catalog/items/X-1").status, 404);

  // Over HTTP the same file is a 422 listing every row.
  auto http = client_->Send(
      verb::post, "/api/v1/catalog/import", file,
      {{"Content-Type", "text/csv"}, {"Authorization", std::string("Bearer ") + kAlice}});
  EXPECT_EQ(http.status, 422);
  EXPECT_GE(http.json().at("errors").as_array().size(), 3u);
}

TEST_P(Catalog, ExportImportRoundTripLosesNothing) {
  ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
  auto tricky = Item("R-1", "往返测试, \"引号\"");
  tricky["guide"] = "第一行，\n第二行\t制表";
  tricky["conditions"] = json::array{"条件一", "条件二"};
  tricky["conditions_en"] = json::array{"One, \"quoted\"", ""};
  tricky["steps"] = json::array{json::object{
      {"name", "受理"}, {"name_en", "Application"}, {"description_en", "Line one,\nline two"}}};
  Publish("add", {{"item", tricky}});
  Publish("suspend", {{"code", "R-1"}, {"reason", "测试"}});
  auto& db = server_->app().database();
  regions::Service regions(db);
  departments::Service departments(db, regions);
  catalog::Service catalog(db, regions, departments);
  auto json_export = catalog.ExportJson();
  auto csv_export = catalog.ExportCsv();
  ASSERT_TRUE(json_export && csv_export);

  for (const char* format : {"json", "csv"}) {
    TestDatabase other_db(GetParam());
    TestServer other(other_db.url());
    auto& odb = other.app().database();
    regions::Service oregions(odb);
    ASSERT_TRUE(oregions.Import(SourceDir() + "/demo/regions"));
    departments::Service odepartments(odb, oregions);
    ASSERT_TRUE(app::SeedDemo(odb, SourceDir() + "/demo"));  // same departments (and demo catalog)
    catalog::Service ocatalog(odb, oregions, odepartments);
    std::string text = std::string(format) == "json" ? json::serialize(*json_export) : *csv_export;
    auto report = ocatalog.Import("loader", format, text, /*publish=*/true);
    ASSERT_TRUE(report) << report.error().message;
    if (std::string(format) == "json") {
      EXPECT_EQ(json::serialize(*ocatalog.ExportJson()), json::serialize(*json_export));
    } else {
      EXPECT_EQ(*ocatalog.ExportCsv(), *csv_export);
    }
  }
}

OW_INSTANTIATE_STORE_TESTS(Catalog);

// A plausible answer to a question of a demo form: the first choice, or a value that
// fits the field's pattern, format or range.
json::value Sample(const json::object& p, const std::string& name) {
  if (const json::value* e = p.if_contains("enum")) return e->as_array().front();
  const json::value& type = p.at("type");
  if (type == "object") {
    json::object o;
    if (const json::value* props = p.if_contains("properties")) {
      for (const auto& [key, sub] : props->as_object()) o[key] = Sample(sub.as_object(), key);
    }
    return o;
  }
  if (type == "array") {
    json::array a;
    a.push_back(Sample(p.at("items").as_object(), name));
    return a;
  }
  if (type == "integer" || type == "number") {
    return p.contains("minimum") ? p.at("minimum") : json::value(1);
  }
  if (type == "boolean") return true;
  if (p.contains("format") && p.at("format") == "date") return "2026-10-08";
  if (name == "uscc") return "91330106MA2CFX7N1B";
  if (name == "first_month") return "2026-10";
  if (name.ends_with("phone")) return "13800138000";
  if (name.ends_with("_id") || name == "id_number") return "11010519491231002X";
  return "张三";
}

// Every demo item's form_schema can be checked: its patterns compile in the validator's
// linear-time mode, a filled-in form passes, and an empty one names each required field.
TEST(CatalogDemo, FormSchemasValidateFormData) {
  std::ifstream in(SourceDir() + "/demo/catalog.json");
  std::stringstream buf;
  buf << in.rdbuf();
  json::value doc = json::parse(buf.str());
  int forms = 0;
  for (const auto& entry : doc.at("items").as_array()) {
    const json::value* schema = entry.at("item").as_object().if_contains("form_schema");
    if (!schema) continue;
    ++forms;
    std::string code(entry.at("item").at("code").as_string());
    json::value filled = Sample(schema->as_object(), "");
    for (const auto& e : catalog::ValidateFormData(*schema, filled)) {
      ADD_FAILURE() << code << ": " << e.field << " " << e.message << " in "
                    << json::serialize(filled);
    }
    auto empty = catalog::ValidateFormData(*schema, json::object());
    const json::value* required = schema->as_object().if_contains("required");
    EXPECT_EQ(empty.size(), required ? required->as_array().size() : 0u) << code;
    for (const auto& e : empty) EXPECT_EQ(e.message, "is required") << code << " " << e.field;
    // A wrong answer to a patterned field is caught, with its path.
    if (schema->at("properties").as_object().contains("phone")) {
      json::value wrong = filled;
      wrong.as_object()["phone"] = "12345";
      auto errors = catalog::ValidateFormData(*schema, wrong);
      ASSERT_EQ(errors.size(), 1u) << code;
      EXPECT_EQ(errors[0].field, "phone");
    }
  }
  EXPECT_GE(forms, 3);
}

// The same data and the same queries give the same results, in the same order,
// with the same ranks, on SQLite and on PostgreSQL.
// Several words: the answer is driven from the rarest term (Store::Search); it must be the
// full ranking all the same: every item holding every term, by the summed score x idf, then
// code. Checked against that ranking computed here from the postings, on both stores.
TEST(CatalogSearchWords, SeveralWordsRankLikeTheFullRanking) {
  std::vector<Store> stores = {Store::kSqlite};
  if (PostgresAvailable()) stores.push_back(Store::kPostgres);
  for (Store store : stores) {
    TestDatabase database(store);
    TestServer server(database.url());
    ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
    HttpClient client(server.port());
    const std::vector<std::pair<std::string, std::string>> queries = {
        {"营业执照", "q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"},
        {"结婚登记", "q=%E7%BB%93%E5%A9%9A%E7%99%BB%E8%AE%B0"},
        {"食品经营许可", "q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF"},
        {"business license", "q=business%20license"},
        {"marriage registration", "q=marriage%20registration"},
        {"certificate of registration", "q=certificate%20of%20registration"},
        {"登记 证明", "q=%E7%99%BB%E8%AE%B0%20%E8%AF%81%E6%98%8E"},
    };
    int nonempty = 0;
    for (const auto& [text, query] : queries) {
      std::vector<std::string> terms = catalog::QueryTerms(text);
      ASSERT_GT(terms.size(), 1u) << text;
      std::vector<std::pair<int64_t, std::string>> expected;  // (-rank, code)
      ASSERT_TRUE(server.app().database().Read([&](db::Connection& c) -> Status {
        OW_ASSIGN_OR_RETURN(auto n, c.Query("SELECT df FROM catalog_terms WHERE term = ''"));
        std::map<std::string, std::map<std::string, int64_t>> scores;  // code -> term -> score
        for (const auto& t : terms) {
          OW_ASSIGN_OR_RETURN(auto df,
                              c.Query("SELECT df FROM catalog_terms WHERE term = $1", {t}));
          OW_ASSIGN_OR_RETURN(
              auto r, c.Query("SELECT code, score FROM catalog_postings WHERE term = $1", {t}));
          int64_t idf =
              df.empty() ? 0
                         : std::llround(1000.0 * std::log(1.0 + static_cast<double>(n.Int(0, 0)) /
                                                                    df.Int(0, 0)));
          for (size_t i = 0; i < r.size(); ++i) scores[r.Text(i, 0)][t] = r.Int(i, 1) * idf;
        }
        for (const auto& [code, by_term] : scores) {
          if (by_term.size() != terms.size()) continue;
          int64_t rank = 0;
          for (const auto& [t, v] : by_term) rank += v;
          expected.emplace_back(-rank, code);
        }
        return {};
      }));
      std::sort(expected.begin(), expected.end());
      auto res = client.Get("/api/v1/catalog/items?limit=100&" + query);
      ASSERT_EQ(res.status, 200) << res.body;
      auto body = res.json();
      const auto& items = body.at("items").as_array();
      ASSERT_EQ(items.size(), std::min<size_t>(expected.size(), 100)) << text;
      for (size_t i = 0; i < items.size(); ++i)
        EXPECT_EQ(items[i].at("code").as_string(), expected[i].second) << text << " #" << i;
      nonempty += items.empty() ? 0 : 1;
    }
    EXPECT_GE(nonempty, 5);
  }
}

// Several words, top pages only (Store TopK: max-score early termination over the rarest
// term's postings) at a scale where ties are the rule: 1,200 copies of the demo items
// named after four phrases, so each phrase's bigrams are in hundreds of items with the same
// few scores. Every page, with cursors and filters, equals the complete ranking (the
// facets=true path ranks every match) and the ranking computed here from the postings, and
// both stores answer alike.
TEST(CatalogSearchWords, TopPagesEqualTheCompleteRankingAtScale) {
  std::ifstream in(SourceDir() + "/demo/catalog.json");
  std::stringstream buf;
  buf << in.rdbuf();
  json::object demo = json::parse(buf.str()).as_object();
  const json::array& templates = demo.at("items").as_array();
  const std::vector<std::pair<std::string, std::string>> names = {
      {"营业执照", "business license"},
      {"结婚登记", "marriage registration"},
      {"住房公积金", "housing fund"},
      {"食品经营许可", "food business license"}};
  json::array items, implementations;
  for (int i = 0; i < 1200; ++i) {
    json::object entry = templates[i % templates.size()].as_object();
    json::object& item = entry.at("item").as_object();
    std::string from(item.at("code").as_string());
    std::string code = from + "-T" + std::to_string(i);
    const auto& [zh, en] = names[i % names.size()];
    const auto& [zh2, en2] = names[(i / 7) % names.size()];
    item["code"] = code;
    item["name"] = zh + (i % 3 == 0 ? zh2 : "") + std::string(item.at("name").as_string());
    item["name_en"] =
        en + " " + (i % 5 == 0 ? en2 + " " : "") + std::string(item.at("name_en").as_string());
    items.push_back(entry);
    for (const auto& m : demo.at("implementations").as_array()) {
      if (m.at("item_code").as_string() != from) continue;
      json::object copy = m.as_object();
      copy["item_code"] = code;
      implementations.push_back(copy);
    }
  }
  json::object file = {{"format", demo.at("format")},
                       {"format_version", demo.at("format_version")},
                       {"items", items},
                       {"implementations", implementations}};

  const std::vector<std::string> phrases = {
      "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",                    // 营业执照
      "%E7%BB%93%E5%A9%9A%E7%99%BB%E8%AE%B0",                    // 结婚登记
      "%E4%BD%8F%E6%88%BF%E5%85%AC%E7%A7%AF%E9%87%91",           // 住房公积金
      "%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF",  // 食品经营许可
      "business%20license",
      "marriage%20registration",
      "food%20business%20license"};
  const std::vector<std::string> pages = {"limit=20",
                                          "limit=100",
                                          "limit=1",
                                          "limit=7&cursor=" + text::Base64UrlEncode("o:7"),
                                          "limit=20&cursor=" + text::Base64UrlEncode("o:240"),
                                          "limit=20&served=natural_person",
                                          "limit=10&region=330102",
                                          "limit=20&department=3301-SCJG",
                                          "limit=20&online_depth=3"};
  std::vector<Store> stores = {Store::kSqlite};
  if (PostgresAvailable()) stores.push_back(Store::kPostgres);
  std::vector<std::vector<std::string>> bodies(stores.size());
  for (size_t st = 0; st < stores.size(); ++st) {
    TestDatabase database(stores[st]);
    TestServer server(database.url());
    auto& db = server.app().database();
    ASSERT_TRUE(app::SeedDemo(db, SourceDir() + "/demo"));
    regions::Service regions(db);
    departments::Service departments(db, regions);
    catalog::Service catalog(db, regions, departments);
    auto report = catalog.Import("loader", "json", json::serialize(file), /*publish=*/true);
    ASSERT_TRUE(report) << report.error().message;
    HttpClient client(server.port());
    int long_pages = 0;
    for (const auto& phrase : phrases) {
      for (const auto& page : pages) {
        std::string path = "/api/v1/catalog/items?q=" + phrase + "&" + page;
        auto top = client.Get(path);
        auto all = client.Get(path + "&facets=true");
        ASSERT_EQ(top.status, 200) << path << top.body;
        ASSERT_EQ(all.status, 200) << path << all.body;
        json::object a = top.json().as_object(), b = all.json().as_object();
        EXPECT_EQ(json::serialize(a.at("items")), json::serialize(b.at("items"))) << path;
        EXPECT_EQ(json::serialize(a.at("next_cursor")), json::serialize(b.at("next_cursor")))
            << path;
        long_pages += a.at("items").as_array().size() >= 7 ? 1 : 0;
        bodies[st].push_back(top.body);
      }
      // The first 100 against the ranking computed from the postings.
      std::string text = phrase;
      for (size_t at; (at = text.find("%20")) != std::string::npos;) text.replace(at, 3, " ");
      std::string decoded;
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
          decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          decoded += text[i];
        }
      }
      std::vector<std::string> terms = catalog::QueryTerms(decoded);
      ASSERT_GT(terms.size(), 1u) << decoded;
      std::vector<std::pair<int64_t, std::string>> expected;  // (-rank, code)
      ASSERT_TRUE(db.Read([&](db::Connection& c) -> Status {
        OW_ASSIGN_OR_RETURN(auto n, c.Query("SELECT df FROM catalog_terms WHERE term = ''"));
        std::map<std::string, std::map<std::string, int64_t>> scores;
        for (const auto& t : terms) {
          OW_ASSIGN_OR_RETURN(auto df,
                              c.Query("SELECT df FROM catalog_terms WHERE term = $1", {t}));
          OW_ASSIGN_OR_RETURN(
              auto r, c.Query("SELECT code, score FROM catalog_postings WHERE term = $1", {t}));
          int64_t idf = std::llround(
              1000.0 * std::log(1.0 + static_cast<double>(n.Int(0, 0)) / df.Int(0, 0)));
          for (size_t i = 0; i < r.size(); ++i) scores[r.Text(i, 0)][t] = r.Int(i, 1) * idf;
        }
        for (const auto& [code, by_term] : scores) {
          if (by_term.size() != terms.size()) continue;
          int64_t rank = 0;
          for (const auto& [t, v] : by_term) rank += v;
          expected.emplace_back(-rank, code);
        }
        return {};
      }));
      std::sort(expected.begin(), expected.end());
      EXPECT_GE(expected.size(), 150u) << decoded;
      auto res = client.Get("/api/v1/catalog/items?limit=100&q=" + phrase);
      ASSERT_EQ(res.status, 200) << res.body;
      json::value body = res.json();
      const auto& got = body.at("items").as_array();
      ASSERT_EQ(got.size(), std::min<size_t>(expected.size(), 100)) << decoded;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].at("code").as_string(), expected[i].second) << decoded << " #" << i;
        EXPECT_EQ(got[i].at("rank").as_int64(), -expected[i].first) << decoded << " #" << i;
      }
    }
    EXPECT_GE(long_pages, 40);
  }
  if (bodies.size() == 2) {
    EXPECT_EQ(bodies[0], bodies[1]);
  }
}

TEST(CatalogSearchParity, BothStoresReturnTheSameResults) {
  if (!PostgresAvailable()) {
    if (std::getenv("ONEWINDOW_TEST_REQUIRE_PG")) FAIL() << "ONEWINDOW_TEST_PG_URL is not set";
    GTEST_SKIP() << "PostgreSQL not configured";
  }
  TestDatabase sqlite(Store::kSqlite), postgres(Store::kPostgres);
  TestServer a(sqlite.url()), b(postgres.url());
  for (TestServer* s : {&a, &b})
    ASSERT_TRUE(app::SeedDemo(s->app().database(), SourceDir() + "/demo"));
  HttpClient ca(a.port()), cb(b.port());
  std::vector<std::string> queries = {
      "q=%E7%99%BB%E8%AE%B0",                    // 登记
      "q=%E8%AE%B8%E5%8F%AF",                    // 许可
      "q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",  // 营业执照
      "q=%E8%AF%81",                             // 证
      "q=license",
      "q=registration&facets=true",
      "q=%E7%99%BB%E8%AE%B0&region=330102&facets=true",
      "q=%E7%99%BB%E8%AE%B0&served=natural_person",
      "q=%E7%99%BB%E8%AE%B0&limit=3&cursor=bzoz",
      "q=business%20license",
      "q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF&region=330102",  // 食品经营许可
      "q=%E7%BB%93%E5%A9%9A%E7%99%BB%E8%AE%B0&facets=true",                      // 结婚登记
      "theme=%E7%94%9F%E8%82%B2",                                                // 生育
      "online_depth=4&facets=true",
      "department=3301-SCJG",
      "",
  };
  int compared = 0;
  for (const auto& q : queries) {
    auto ra = ca.Get("/api/v1/catalog/items?limit=100&" + q);
    auto rb = cb.Get("/api/v1/catalog/items?limit=100&" + q);
    ASSERT_EQ(ra.status, 200) << q << ra.body;
    EXPECT_EQ(ra.body, rb.body) << q;
    compared += static_cast<int>(ra.json().at("items").as_array().size());
  }
  EXPECT_GT(compared, 40);
}

}  // namespace
}  // namespace ow::testing
