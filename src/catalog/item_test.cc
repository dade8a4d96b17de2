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

// Data from the exchange may stand for a material (data_resource with the fields it
// stands for), kept only when set; a form property may be filled in from it.
TEST(ItemMaterials, DataResourcesNameTheirFields) {
  json::object doc = Base();
  doc["materials"] = json::parse(R"([
    {"name": "居民户口簿", "required": true, "data_resource": "GA-HJ-001",
     "data_fields": ["household_number", "address"]},
    {"name": "居民身份证", "required": true}])");
  doc["form_schema"] = json::parse(R"({"type": "object", "properties": {
    "hh": {"type": "string", "x-prefill": "data.GA-HJ-001.household_number"}}})");
  auto r = NormalizeItem(doc);
  ASSERT_TRUE(r) << Errors(doc);
  const auto& m = r->at("materials").as_array();
  EXPECT_EQ(m[0].at("data_resource"), "GA-HJ-001");
  EXPECT_EQ(m[0].at("data_fields").as_array().size(), 2u);
  EXPECT_FALSE(m[1].as_object().contains("data_resource"));
  for (
      const char* bad :
      {R"([{"name": "a", "required": true, "data_resource": "ga-hj"}])",
       R"([{"name": "a", "required": true, "data_resource": "GA-HJ-001"}])",
       R"([{"name": "a", "required": true, "data_resource": "GA-HJ-001", "data_fields": ["Bad"]}])",
       R"([{"name": "a", "required": true, "data_fields": ["name"]}])"}) {
    doc["materials"] = json::parse(bad);
    EXPECT_NE(Errors(doc), "") << bad;
  }
  doc["materials"] = json::array();
  doc["form_schema"] = json::parse(R"({"type": "object", "properties": {
    "hh": {"type": "string", "x-prefill": "data.GA-HJ-001"}}})");
  EXPECT_NE(Errors(doc).find("x-prefill"), std::string::npos);
}

// Situations (情形引导): questions with answers, materials that apply under some answers,
// an answer that leads to another item. Codes are unique and every `when` names a real
// question and real answers.
json::object WithSituations() {
  json::object doc = Base();
  doc["situations"] = json::parse(R"([
    {"code": "residence", "question": "您的户口登记在哪里？", "question_en": "Where is your household registered?",
     "options": [{"code": "local", "label": "杭州市", "label_en": "In Hangzhou"},
                 {"code": "elsewhere", "label": "杭州市以外"},
                 {"code": "abroad", "label": "境外", "item_code": "T-ABROAD"}]}])");
  doc["materials"] = json::parse(R"([
    {"name": "居民身份证", "required": true},
    {"name": "居民户口簿", "required": true, "when": [{"situation": "residence", "options": ["local"]}]}])");
  return doc;
}

TEST(ItemSituations, AreNormalizedWithDefaults) {
  auto r = NormalizeItem(WithSituations());
  ASSERT_TRUE(r) << Errors(WithSituations());
  const auto& q = r->at("situations").at(0).as_object();
  EXPECT_EQ(q.at("options").at(1).at("label_en"), "");
  EXPECT_EQ(q.at("options").at(1).at("item_code"), "");
  EXPECT_EQ(q.at("options").at(2).at("item_code"), "T-ABROAD");
  EXPECT_EQ(r->at("materials").at(0).at("when"), json::array());
  EXPECT_EQ(r->at("materials").at(1).at("when").at(0).at("options"), json::array{"local"});
  // A document without situations gets an empty list; the round trip is stable.
  EXPECT_EQ(NormalizeItem(Base())->at("situations"), json::array());
  EXPECT_EQ(*NormalizeItem(*r), *r);
}

TEST(ItemSituations, RefuseWhatCannotBeAnswered) {
  auto error_for = [](const char* path, const json::value& value) {
    json::object doc = WithSituations();
    // path: "situations" or "when" of the second material.
    if (std::string(path) == "when")
      doc["materials"].as_array()[1].as_object()["when"] = value;
    else
      doc["situations"] = value;
    return Errors(doc);
  };
  auto q = [](const char* options) {
    return json::parse(std::string(R"([{"code": "q1", "question": "问题", "options": )") + options +
                       "}]");
  };
  EXPECT_NE(error_for("situations", q(R"([{"code": "a1", "label": "是"}])"))
                .find("situations/0/options: must offer at least 2 answers"),
            std::string::npos);
  EXPECT_NE(error_for("situations",
                      q(R"([{"code": "a1", "label": "是"}, {"code": "a1", "label": "否"}])"))
                .find("situations/0/options/1/code: is used twice"),
            std::string::npos);
  EXPECT_NE(
      error_for("situations", q(R"([{"code": "a1", "label": "是"}, {"code": "a2", "label": ""}])"))
          .find("situations/0/options/1/label: must not be empty"),
      std::string::npos);
  EXPECT_NE(error_for("situations",
                      q(R"([{"code": "a1", "label": "是"}, {"code": "a 2", "label": "否"}])"))
                .find("situations/0/options/1/code: must be 2 to 40"),
            std::string::npos);
  EXPECT_NE(
      error_for("situations",
                json::parse(R"([{"code": "q1", "question": "问题", "options": [], "extra": 1}])"))
          .find("situations/0/extra: is not a known field"),
      std::string::npos);
  // The second material's `when` must name a question and its answers (the situations
  // are the valid ones of WithSituations).
  EXPECT_NE(error_for("when", json::parse(R"([{"situation": "nope", "options": ["local"]}])"))
                .find("materials/1/when/0/situation: names no question of situations"),
            std::string::npos);
  EXPECT_NE(error_for("when", json::parse(R"([{"situation": "residence", "options": ["mars"]}])"))
                .find("materials/1/when/0/options/0: is not an answer to residence"),
            std::string::npos);
  EXPECT_NE(error_for("when", json::parse(R"([{"situation": "residence", "options": ["local"]},
                                              {"situation": "residence", "options": ["local"]}])"))
                .find("materials/1/when/1/situation: is named twice"),
            std::string::npos);
  EXPECT_NE(error_for("when", json::value("residence")).find("materials/1/when: must be an array"),
            std::string::npos);
}

TEST(ItemSituations, AnswersDecideWhatAppliesAndAreKeptWithTheirWords) {
  auto doc = *NormalizeItem(WithSituations());
  const json::value& when = doc.at("materials").at(1).at("when");
  EXPECT_TRUE(Applies(json::array(), json::object()));
  EXPECT_TRUE(Applies(when, json::object{{"residence", "local"}}));
  EXPECT_FALSE(Applies(when, json::object{{"residence", "elsewhere"}}));
  EXPECT_FALSE(Applies(when, json::object()));  // unanswered: a conditional material does not apply

  Validator v;
  json::array kept = CheckAnswers(doc.if_contains("situations"),
                                  json::object{{"residence", "elsewhere"}}, "situation", v);
  EXPECT_TRUE(v.ok());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].at("question"), "您的户口登记在哪里？");
  EXPECT_EQ(kept[0].at("question_en"), "Where is your household registered?");
  EXPECT_EQ(kept[0].at("option"), "elsewhere");
  EXPECT_EQ(kept[0].at("label"), "杭州市以外");
  EXPECT_EQ(AnswersOf(kept), (json::object{{"residence", "elsewhere"}}));

  auto errors = [&](const json::object& answers) {
    Validator e;
    CheckAnswers(doc.if_contains("situations"), answers, "situation", e);
    auto st = e.Finish();
    std::string out;
    if (!st)
      for (const auto& f : st.error().fields) out += f.field + ": " + f.message + "; ";
    return out;
  };
  EXPECT_NE(errors({}).find("situation/residence: is required"), std::string::npos);
  EXPECT_NE(errors({{"residence", "mars"}}).find("situation/residence: must be one of"),
            std::string::npos);
  EXPECT_NE(errors({{"residence", 1}}).find("situation/residence: must be one of"),
            std::string::npos);
  EXPECT_NE(errors({{"residence", "abroad"}}).find("the service to apply for is T-ABROAD"),
            std::string::npos);
  EXPECT_NE(errors({{"residence", "local"}, {"other", "x"}})
                .find("situation/other: is not a question of this service"),
            std::string::npos);
  // An item without questions takes no answers, and needs none.
  Validator none;
  EXPECT_TRUE(CheckAnswers(nullptr, {}, "situation", none).empty());
  EXPECT_TRUE(none.ok());
}

}  // namespace
}  // namespace ow::catalog
