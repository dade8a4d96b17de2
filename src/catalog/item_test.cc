#include "catalog/item.h"

#include <gtest/gtest.h>

#include <string>

namespace ow::catalog {
namespace {

namespace json = boost::json;

json::object Base() {
  json::object o = MinimalItem();
  o["code"] = "T-1";
  o["name"] = "测试事项";
  return o;
}

// "path: message" for each error of normalizing `doc`, joined by "; "; "" when it is valid.
std::string Errors(const json::object& doc) {
  auto r = NormalizeItem(doc);
  if (r) return "";
  std::string out;
  for (const auto& f : r.error().fields)
    out += (out.empty() ? "" : "; ") + f.field + ": " + f.message;
  return out.empty() ? r.error().message : out;
}

TEST(ItemEnglish, EveryEnglishSiblingIsPresentWhenLeftOut) {
  json::object doc = Base();
  doc["conditions"] = json::array{"年满18周岁"};
  doc["materials"] = json::array{json::object{{"name", "居民身份证"}}};
  doc["steps"] = json::array{json::object{{"name", "受理"}}};
  doc["fees"] = json::array{json::object{{"name", "工本费"}, {"amount", "20.00"}}};
  doc["halls"] = json::array{json::object{{"name", "杭州市民中心"}}};
  auto r = NormalizeItem(doc);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->at("conditions_en"), json::array());
  const auto& m = r->at("materials").at(0).as_object();
  EXPECT_EQ(m.at("note_en"), "");
  const auto& s = r->at("steps").at(0).as_object();
  EXPECT_EQ(s.at("name_en"), "");
  EXPECT_EQ(s.at("description_en"), "");
  EXPECT_EQ(r->at("fees").at(0).at("name_en"), "");
  const auto& h = r->at("halls").at(0).as_object();
  for (const char* k : {"name_en", "address_en", "hours_en"}) EXPECT_EQ(h.at(k), "") << k;
  // Each English member follows its Chinese sibling, so CSV columns and diffs read in pairs.
  std::vector<std::string> keys;
  for (const auto& kv : h) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "name_en", "address", "address_en", "hours",
                                            "hours_en"}));
  std::string order;
  for (const auto& kv : *r) order += std::string(kv.key()) + ",";
  EXPECT_NE(order.find(",conditions,conditions_en,"), std::string::npos) << order;
}

TEST(ItemEnglish, EnglishSiblingsAreKeptAndRoundTrip) {
  json::object doc = Base();
  doc["conditions"] = json::array{"年满18周岁", "本市户籍"};
  doc["conditions_en"] = json::array{"You are 18 or older", ""};
  doc["materials"] = json::array{
      json::object{{"name", "居民身份证"}, {"note", "原件"}, {"note_en", "The original"}}};
  doc["steps"] = json::array{json::object{{"name", "受理"},
                                          {"name_en", "Application"},
                                          {"description", "到窗口提交"},
                                          {"description_en", "Hand in the documents.\nWait."}}};
  doc["fees"] =
      json::array{json::object{{"name", "工本费"}, {"name_en", "Card fee"}, {"amount", "20"}}};
  doc["halls"] = json::array{json::object{{"name", "杭州市民中心"},
                                          {"name_en", "Hangzhou Citizen Center"},
                                          {"address", "解放东路18号"},
                                          {"address_en", "18 Jiefang East Road"},
                                          {"hours", "周一至周五 9:00-17:00"},
                                          {"hours_en", "Monday to Friday, 9:00 to 17:00"}}};
  auto r = NormalizeItem(doc);
  ASSERT_TRUE(r) << Errors(doc);
  EXPECT_EQ(r->at("conditions_en"), (json::array{"You are 18 or older", ""}));
  EXPECT_EQ(r->at("materials").at(0).at("note_en"), "The original");
  EXPECT_EQ(r->at("steps").at(0).at("name_en"), "Application");
  EXPECT_EQ(r->at("steps").at(0).at("description_en"), "Hand in the documents.\nWait.");
  EXPECT_EQ(r->at("fees").at(0).at("name_en"), "Card fee");
  EXPECT_EQ(r->at("halls").at(0).at("address_en"), "18 Jiefang East Road");
  EXPECT_EQ(r->at("halls").at(0).at("hours_en"), "Monday to Friday, 9:00 to 17:00");
  // Normalizing the normalized document changes nothing.
  auto again = NormalizeItem(*r);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *r);
}

TEST(ItemEnglish, LimitsFollowTheChineseSiblings) {
  json::object doc = Base();
  doc["conditions"] = json::array{"年满18周岁"};
  doc["conditions_en"] = json::array{"One", "Two"};
  EXPECT_EQ(Errors(doc), "conditions_en: must not have more entries than conditions");

  doc = Base();
  doc["conditions_en"] = json::array{1};
  EXPECT_NE(Errors(doc).find("conditions_en/0: must be text"), std::string::npos);

  doc = Base();
  doc["steps"] = json::array{json::object{{"name", "受理"}, {"name_en", std::string(201, 'a')}}};
  EXPECT_EQ(Errors(doc), "steps/0/name_en: must be text of at most 200 characters");

  doc = Base();
  doc["halls"] = json::array{json::object{{"name", "大厅"}, {"hours_en", "9:00\n17:00"}}};
  EXPECT_EQ(Errors(doc), "halls/0/hours_en: must be text of at most 300 characters");

  doc = Base();
  doc["materials"] =
      json::array{json::object{{"name", "材料"}, {"note_en", std::string(1001, 'a')}}};
  EXPECT_EQ(Errors(doc), "materials/0/note_en: must be text of at most 1000 characters");
  doc["materials"].as_array()[0].as_object()["note_en"] = std::string(1000, 'a');
  EXPECT_EQ(Errors(doc), "");

  doc = Base();
  doc["fees"] = json::array{json::object{{"name", "费"}, {"amount", "1"}, {"name_en", 5}}};
  EXPECT_EQ(Errors(doc), "fees/0/name_en: must be text of at most 300 characters");
}

TEST(ItemEnglish, FormSchemaCarriesEnglishLabels) {
  json::object doc = Base();
  doc["form_schema"] = json::parse(R"({
    "type": "object",
    "properties": {
      "reason": {"type": "string", "title": "换领原因", "x-title-en": "Reason",
                 "enum": ["有效期满", "证件损坏"], "x-enum-en": ["Expired", "Damaged"]},
      "items": {"type": "array", "title": "项目", "x-title-en": "Items",
                "x-description-en": "Choose any",
                "items": {"type": "string", "enum": ["热食"], "x-enum-en": ["Hot food"]}}
    }
  })");
  EXPECT_EQ(Errors(doc), "");

  doc["form_schema"].as_object()["properties"].as_object()["reason"].as_object()["x-enum-en"] =
      json::array{"Expired"};
  EXPECT_EQ(Errors(doc),
            "form_schema/properties/reason/x-enum-en: must be an array of texts of at most 300 "
            "characters, one per enum value");

  doc["form_schema"] = json::parse(
      R"({"type": "object", "properties": {"n": {"type": "string", "x-enum-en": ["A"]}}})");
  EXPECT_NE(Errors(doc).find("form_schema/properties/n/x-enum-en"), std::string::npos);

  doc["form_schema"] = json::parse(
      R"({"type": "object", "properties": {"n": {"type": "string", "x-title-en": ["Name"]}}})");
  EXPECT_EQ(Errors(doc),
            "form_schema/properties/n/x-title-en: must be text of at most 1000 characters");

  // Other keywords stay unknown.
  doc["form_schema"] = json::parse(
      R"({"type": "object", "properties": {"n": {"type": "string", "title_en": "Name"}}})");
  EXPECT_EQ(Errors(doc),
            "form_schema/properties/n/title_en: is not a supported JSON Schema keyword");
}

// x-prefill names what the platform fills in from the applicant's account or enterprise:
// one of five sources, on a string property only.
TEST(ItemPrefill, OnlyKnownSourcesOnStrings) {
  json::object doc = Base();
  doc["form_schema"] = json::parse(R"({
    "type": "object",
    "properties": {
      "name": {"type": "string", "x-prefill": "person.name"},
      "id": {"type": "string", "x-prefill": "person.resident_id"},
      "phone": {"type": "string", "x-prefill": "person.phone"},
      "company": {"type": "string", "x-prefill": "enterprise.name"},
      "uscc": {"type": "string", "x-prefill": "enterprise.credit_code"}
    }
  })");
  EXPECT_EQ(Errors(doc), "");
  for (const char* bad : {R"({"type": "string", "x-prefill": "person.password"})",
                          R"({"type": "string", "x-prefill": ["person.name"]})",
                          R"({"type": "integer", "x-prefill": "person.phone"})"}) {
    doc["form_schema"] =
        json::object{{"type", "object"}, {"properties", json::object{{"f", json::parse(bad)}}}};
    EXPECT_NE(Errors(doc).find("form_schema/properties/f/x-prefill: must be person.name"),
              std::string::npos)
        << bad << ": " << Errors(doc);
  }
}

}  // namespace
}  // namespace ow::catalog
