// The catalog's operations against docs/openapi.json (support/openapi_checker.h).
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

// A catalog item document for the probes: 结婚登记 in 杭州市, whose `guide` varies
// between versions.
std::string MarriageItem(const std::string& guide) {
  return R"({"code":"OAT-JHDJ","name":"结婚登记","name_en":"Marriage registration",)"
         R"("aliases":["婚姻登记"],"type":"administrative_confirmation","served":["natural_person"],)"
         R"("department_code":"3301-MZ","themes":["婚姻家庭"],"level":"city",)"
         R"("service_forms":["online","counter"],"jurisdiction":["3301"],)"
         R"("materials":[{"name":"居民身份证","required":true,"form":"paper","license_type":"居民身份证"}],)"
         R"("statutory_days":0,"promised_days":0,"online_depth":2,"visits":1,"appointment":true,)"
         R"("guide":")" +
         guide + R"("})";
}

// 食品经营许可 and the items it is split into and merged back as.
std::string FoodItem(const std::string& code, const std::string& name) {
  return R"({"code":")" + code + R"(","name":")" + name +
         R"(","type":"administrative_licensing","served":["legal_person"],)"
         R"("department_code":"3301-SCJG","themes":["开办企业"],"level":"city",)"
         R"("service_forms":["online"],"jurisdiction":["3301"],"statutory_days":20,)"
         R"("promised_days":5,"online_depth":4,"visits":0,"delivery":true})";
}

// Exercises every catalog operation: the review workflow with two named administrators
// (alice writes, bob reviews), versions, diffs, implementation lists, import and
// export, split and merge lineage, bundles and search, with their error responses.
TEST(OpenApi, CatalogResponsesMatchTheDocument) {
  TestDatabase db(Store::kSqlite);
  TestServer server(db.url(), [](Config& c) {
    c.admin_tokens = "alice:alice-token-0123456789,bob:bob-token-0123456789";
  });
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  const auto admin = server.AdminHeaders();
  const std::map<std::string, std::string> alice = {{"Authorization",
                                                     "Bearer alice-token-0123456789"}},
                                           bob = {{"Authorization", "Bearer bob-token-0123456789"}};
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  // The documented path templates.
  const std::string kItems = "/api/v1/catalog/items", kItem = kItems + "/{code}",
                    kVersions = kItem + "/versions", kVersion = kVersions + "/{version}",
                    kDiff = kItem + "/diff", kLineage = kItem + "/lineage",
                    kItemImpls = kItem + "/implementations", kImpl = kItemImpls + "/{region}",
                    kImpls = "/api/v1/catalog/implementations",
                    kChanges = "/api/v1/catalog/changes", kChange = kChanges + "/{id}",
                    kSubmit = kChange + "/submit", kApprove = kChange + "/approve",
                    kReject = kChange + "/reject", kWithdraw = kChange + "/withdraw",
                    kImport = "/api/v1/catalog/import", kExport = "/api/v1/catalog/export",
                    kBundles = "/api/v1/catalog/bundles", kBundle = kBundles + "/{code}";
  const std::string kJhdj = kItems + "/OAT-JHDJ";
  auto change = [&](const std::string& id) { return kChanges + "/" + id; };
  auto add = [](const std::string& item) {
    return R"({"kind":"add","summary":"新增结婚登记事项","payload":{"item":)" + item + "}}";
  };
  auto edit = [](const std::string& item, int base) {
    return R"({"kind":"change","summary":"修改办事指南","payload":{"base_version":)" +
           std::to_string(base) + R"(,"item":)" + item + "}}";
  };
  const std::string v1 = MarriageItem("携带身份证和户口簿，当场办结。");
  const std::string v2 = MarriageItem("携带身份证和户口簿，到任一婚姻登记处当场办结。");
  const std::string v2b = MarriageItem("携带身份证、户口簿和照片，当场办结。");
  const std::string kReview = R"({"comment":"核对无误"})";

  // Add an item: alice drafts, edits (If-Match), submits; bob approves.
  check(verb::post, kChanges, kChanges, 401, add(v1));
  auto created = check(verb::post, kChanges, kChanges, 201, add(v1), alice);
  const std::string a = IdOf(created);
  EXPECT_EQ(created.header("etag"), "\"r1\"");
  EXPECT_EQ(created.header("location"), change(a));
  auto invalid = check(verb::post, kChanges, kChanges, 422,
                       R"({"kind":"add","payload":{"item":{"code":"OAT-BAD","name":"某事项",)"
                       R"("type":"licence","materials":[{"name":"照片","copies":99}]}}})",
                       alice);
  EXPECT_TRUE(NamesField(invalid, "payload/item/type")) << invalid.body;
  EXPECT_TRUE(NamesField(invalid, "payload/item/materials/0/copies")) << invalid.body;
  check(verb::post, kChanges, kChanges, 400, R"({"kind":)", alice);
  check(verb::get, change(a), kChange, 200, {}, alice);
  check(verb::get, change("999999"), kChange, 404, {}, admin);
  check(verb::get, change("x1"), kChange, 422, {}, admin);
  check(verb::put, change(a), kChange, 200, add(v1), With(alice, "If-Match", "\"r1\""));
  check(verb::put, change(a), kChange, 412, add(v1), With(alice, "If-Match", "\"r1\""));
  check(verb::put, change(a), kChange, 400, add(v1), With(alice, "If-Match", "r2"));
  check(verb::put, change(a), kChange, 403, add(v1), bob);
  check(verb::post, change(a) + "/approve", kApprove, 409, {}, bob);  // still a draft
  check(verb::post, change(a) + "/submit", kSubmit, 200, {}, alice);
  auto own = check(verb::post, change(a) + "/approve", kApprove, 403, kReview, alice);
  EXPECT_NE(own.body.find("may not approve"), std::string::npos) << own.body;
  auto published = check(verb::post, change(a) + "/approve", kApprove, 200, kReview, bob);
  EXPECT_NE(published.body.find("\"status\":\"published\""), std::string::npos);
  check(verb::get, kChanges + "?status=published&limit=1", kChanges, 200, {}, admin);
  check(verb::get, kChanges + "?status=approved", kChanges, 422, {}, admin);
  check(verb::get, kChanges, kChanges, 401);

  // The published item, as published and as 上城区 implements it.
  const std::string kLocal =
      R"({"department_code":"330102-MZ","halls":[{"name":"上城区婚姻登记处","address":"杭州市上城区"}],)"
      R"("consult_phone":"0571-87654321","note":"上城区范围内可在任一街道便民服务中心预约"})";
  check(verb::put, kJhdj + "/implementations/330102", kImpl, 401, kLocal);
  check(verb::put, kJhdj + "/implementations/330102", kImpl, 200, kLocal, admin);
  check(verb::put, kJhdj + "/implementations/33", kImpl, 422, R"({"department_code":"3301-MZ"})",
        admin);  // above the item's level and outside its jurisdiction
  check(verb::put, kItems + "/OAT-NONE/implementations/330102", kImpl, 404, kLocal, admin);
  auto local = check(verb::get, kJhdj + "?region=330102", kItem, 200);
  EXPECT_NE(local.body.find("\"department_code\":\"330102-MZ\""), std::string::npos) << local.body;
  auto current = check(verb::get, kJhdj, kItem, 200);
  check(verb::get, kJhdj, kItem, 304, {}, {{"If-None-Match", current.header("etag")}});
  check(verb::get, kItems + "/OAT-NONE", kItem, 404);
  check(verb::get, kJhdj + "?region=3301x", kItem, 422);
  check(verb::get, kJhdj + "/implementations", kItemImpls, 200);

  // Two edits of version 1: the first publishes version 2, the second is then stale.
  const std::string c1 = IdOf(check(verb::post, kChanges, kChanges, 201, edit(v2, 1), alice));
  const std::string c2 = IdOf(check(verb::post, kChanges, kChanges, 201, edit(v2b, 1), alice));
  check(verb::post, change(c1) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(c2) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(c1) + "/approve", kApprove, 200, {}, bob);
  auto stale = check(verb::post, change(c2) + "/approve", kApprove, 409, {}, bob);
  EXPECT_NE(stale.body.find("is at version 2"), std::string::npos) << stale.body;
  auto flagged = check(verb::get, kImpls + "?needs_review=true&item=OAT-JHDJ", kImpls, 200);
  EXPECT_NE(flagged.body.find("\"needs_review\":true"), std::string::npos) << flagged.body;
  check(verb::get, kImpls + "?region=3301x", kImpls, 422);
  check(verb::put, change(c2), kChange, 409, edit(v2b, 2), alice);   // under review
  check(verb::post, change(c2) + "/reject", kReject, 422, {}, bob);  // no comment
  check(verb::post, change(c2) + "/reject", kReject, 403, R"({"comment":"自己驳回"})", alice);
  check(verb::post, change(c2) + "/reject", kReject, 200, R"({"comment":"请基于第 2 版修改"})",
        bob);
  check(verb::post, change(c2) + "/withdraw", kWithdraw, 403, {}, bob);
  check(verb::post, change(c2) + "/withdraw", kWithdraw, 200, {}, alice);
  check(verb::post, change(c2) + "/submit", kSubmit, 409, {}, alice);

  // Versions and diffs.
  check(verb::get, kJhdj + "/versions", kVersions, 200);
  check(verb::get, kItems + "/OAT-NONE/versions", kVersions, 404);
  auto first = check(verb::get, kJhdj + "/versions/1", kVersion, 200);
  check(verb::get, kJhdj + "/versions/1", kVersion, 304, {},
        {{"If-None-Match", first.header("etag")}});
  check(verb::get, kJhdj + "/versions/9", kVersion, 404);
  check(verb::get, kJhdj + "/versions/0", kVersion, 422);
  auto diff = check(verb::get, kJhdj + "/diff?from=1&to=2", kDiff, 200);
  EXPECT_NE(diff.body.find("\"path\":\"/guide\""), std::string::npos) << diff.body;
  check(verb::get, kJhdj + "/diff?from=1&to=2", kDiff, 304, {},
        {{"If-None-Match", diff.header("etag")}});
  check(verb::get, kJhdj + "/diff?from=1", kDiff, 422);
  check(verb::get, kJhdj + "/diff?from=1&to=9", kDiff, 404);

  // Import: JSON in the export format and CSV, each recorded under review.
  const std::string kFile = R"({"format":"onewindow-catalog","format_version":1,"items":[)"
                            R"({"status":"published","item":)" +
                            FoodItem("OAT-SPJY", "食品经营许可") +
                            R"(}],"implementations":[],"bundles":[]})";
  auto csv = With(alice, "Content-Type", "text/csv; charset=utf-8");
  const std::string kCsv =
      "code,name,type,served,department_code,level,service_forms,jurisdiction,statutory_days,"
      "promised_days,online_depth,visits\r\n"
      "OAT-CSV,社会团体成立登记,administrative_licensing,\"[\"\"legal_person\"\"]\",3301-MZ,city,"
      "\"[\"\"counter\"\"]\",\"[\"\"3301\"\"]\",60,30,3,1\r\n";
  check(verb::post, kImport, kImport, 401, kFile);
  check(verb::post, kImport, kImport, 415, "code,name", With(alice, "Content-Type", "text/plain"));
  check(verb::post, kImport, kImport, 400, "not json", alice);
  auto rejected = check(verb::post, kImport, kImport, 422,
                        R"({"format":"onewindow-catalog","items":[{"status":"published","item":)"
                        R"({"code":"OAT-X","name":"某事项"}}]})",
                        alice);
  EXPECT_TRUE(NamesField(rejected, "items/0/item/type")) << rejected.body;
  auto imported = check(verb::post, kImport, kImport, 202, kFile, alice);
  EXPECT_EQ(imported.header("location"), change(IdOf(imported)));
  check(verb::post, change(IdOf(imported)) + "/approve", kApprove, 200, {}, bob);
  auto from_csv = check(verb::post, kImport, kImport, 202, kCsv, csv);
  check(verb::post, change(IdOf(from_csv)) + "/approve", kApprove, 200, kReview, admin);

  // Split 食品经营许可 in two, then merge the two back into one: lineage links them.
  const std::string split = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"split","summary":"按新办、变更拆分","payload":{"source":"OAT-SPJY","items":[)" +
          FoodItem("OAT-SPJY-XB", "食品经营许可（新办）") + "," +
          FoodItem("OAT-SPJY-BG", "食品经营许可（变更）") + "]}}",
      alice));
  check(verb::post, change(split) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(split) + "/approve", kApprove, 200, {}, bob);
  const std::string merge = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"merge","summary":"合并办理","payload":{"sources":["OAT-SPJY-XB","OAT-SPJY-BG"],"item":)" +
          FoodItem("OAT-SPJY-HB", "食品经营许可（新办、变更）") + "}}",
      alice));
  check(verb::post, change(merge) + "/submit", kSubmit, 200, {}, alice);
  check(verb::post, change(merge) + "/approve", kApprove, 200, {}, bob);
  auto lineage = check(verb::get, kItems + "/OAT-SPJY/lineage", kLineage, 200);
  EXPECT_NE(lineage.body.find("\"to_code\":\"OAT-SPJY-XB\""), std::string::npos) << lineage.body;
  check(verb::get, kItems + "/OAT-NONE/lineage", kLineage, 404);
  check(verb::put, kItems + "/OAT-SPJY/implementations/330102", kImpl, 409,
        R"({"department_code":"330102-SCJG"})", admin);  // cancelled by the split
  check(verb::put, kItems + "/OAT-SPJY-HB/implementations/330102", kImpl, 422,
        R"({"department_code":"330102-SCJG","promised_days":30})", admin);  // over statutory
  const std::string suspend = IdOf(check(
      verb::post, kChanges, kChanges, 201,
      R"({"kind":"suspend","payload":{"code":"OAT-JHDJ","reason":"婚姻登记处搬迁，暂停受理"}})",
      alice));
  check(verb::post, change(suspend) + "/withdraw", kWithdraw, 200, R"({"comment":""})", alice);

  // Search.
  auto found = check(verb::get, kItems + "?q=%E7%BB%93%E5%A9%9A", kItems, 200);  // 结婚
  EXPECT_NE(found.body.find("\"code\":\"OAT-JHDJ\""), std::string::npos) << found.body;
  auto faceted = check(verb::get, kItems + "?region=330102&facets=true", kItems, 200);
  EXPECT_NE(faceted.body.find("\"total\":"), std::string::npos) << faceted.body;
  check(verb::get, kItems + "?type=administrative_licensing&online_depth=4&limit=1", kItems, 200);
  check(verb::get, kItems + "?limit=0", kItems, 422);
  check(verb::get, kItems + "?served=company", kItems, 422);

  // Bundles.
  const std::string kBundleBody =
      R"({"name":"结婚开店一件事","kind":"life_event","items":["OAT-JHDJ","OAT-SPJY-HB"],)"
      R"("intake_schema":{"type":"object","properties":{"applicant_name":{"type":"string"}}}})";
  check(verb::put, kBundles + "/OAT-JHKD", kBundle, 401, kBundleBody);
  check(verb::put, kBundles + "/OAT-JHKD", kBundle, 200, kBundleBody, admin);
  check(verb::put, kBundles + "/OAT-BAD", kBundle, 422,
        R"({"name":"某事","kind":"event","items":["OAT-SPJY"],"intake_schema":{}})", admin);
  // Situational guidance: the second item only when the couple also open a shop; a
  // condition on an item the bundle does not have is refused.
  const std::string kGuided =
      R"({"name":"结婚开店一件事","kind":"life_event","items":["OAT-JHDJ","OAT-SPJY-HB"],)"
      R"("situations":[{"code":"shop","question":"是否同时开店？","options":[)"
      R"({"code":"yes","label":"是"},{"code":"no","label":"否"}]}],)"
      R"("item_conditions":[{"item_code":"OAT-SPJY-HB","when":[{"situation":"shop","options":["yes"]}]}],)"
      R"("intake_schema":{"type":"object"}})";
  auto guided = check(verb::put, kBundles + "/OAT-JHKD", kBundle, 200, kGuided, admin);
  EXPECT_NE(guided.body.find("\"item_conditions\":[{\"item_code\":\"OAT-SPJY-HB\""),
            std::string::npos)
      << guided.body;
  std::string stray = kGuided;
  stray.replace(stray.find("\"item_code\":\"OAT-SPJY-HB\""), 25, "\"item_code\":\"OAT-NONE-XX\"");
  auto refused = check(verb::put, kBundles + "/OAT-JHKD", kBundle, 422, stray, admin);
  EXPECT_TRUE(NamesField(refused, "item_conditions/0")) << refused.body;
  auto bundles = check(verb::get, kBundles, kBundles, 200);
  check(verb::get, kBundles, kBundles, 304, {}, {{"If-None-Match", bundles.header("etag")}});
  auto bundle = check(verb::get, kBundles + "/OAT-JHKD", kBundle, 200);
  check(verb::get, kBundles + "/OAT-JHKD", kBundle, 304, {},
        {{"If-None-Match", bundle.header("etag")}});
  check(verb::get, kBundles + "/OAT-NONE", kBundle, 404);

  // Export, then clean up.
  auto exported = check(verb::get, kExport, kExport, 200);
  EXPECT_NE(exported.body.find("\"OAT-JHDJ\""), std::string::npos);
  auto exported_csv = check(verb::get, kExport + "?format=csv", kExport, 200);
  EXPECT_EQ(exported_csv.body.rfind("status,code,name,", 0), 0u) << exported_csv.body.substr(0, 80);
  check(verb::get, kExport + "?format=xml", kExport, 422);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 401);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 204, {}, admin);
  check(verb::delete_, kBundles + "/OAT-JHKD", kBundle, 404, {}, admin);
  check(verb::delete_, kJhdj + "/implementations/330102", kImpl, 204, {}, admin);
  check(verb::delete_, kJhdj + "/implementations/330102", kImpl, 404, {}, admin);

  ExpectAllProbed(checker, IsCatalogPath);
}

}  // namespace
}  // namespace ow::testing
