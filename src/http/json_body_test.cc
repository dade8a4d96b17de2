#include "http/json_body.h"

#include <gtest/gtest.h>

namespace ow::http {
namespace {

Result<JsonBody> Body(std::string_view text) {
  static Request req;
  req = Request{Verb::post, "/x", 11};
  req.body() = std::string(text);
  Context ctx{req, "/x", {}, {}, {}, "x", "", std::nullopt};
  return JsonBody::Read(ctx);
}

std::string Fields(const ow::Status& st) {
  std::string out;
  for (const auto& f : st.error().fields) out += f.field + ": " + f.message + "; ";
  return out;
}

TEST(JsonBody, ReadsTypedMembersAndReportsEveryProblemAtOnce) {
  auto b = Body(R"({"name":"a","n":3,"ok":true,"tags":["x","y"],"o":{"k":1},"nul":null})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->RequiredStr("name"), "a");
  EXPECT_EQ(b->Int("n"), 3);
  EXPECT_EQ(b->Bool("ok"), true);
  EXPECT_EQ(b->Strings("tags"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(b->Object("o"));
  EXPECT_EQ(b->Str("nul"), "");  // null is absent
  EXPECT_EQ(b->Str("missing"), "");
  EXPECT_TRUE(b->Finish());

  b = Body(R"({"name":1,"n":"3","ok":"yes","tags":["x",2],"extra":0,"big":"abcdef"})");
  ASSERT_TRUE(b);
  b->Str("name");
  b->Int("n");
  b->Bool("ok");
  b->Strings("tags");
  b->Str("big", 5);
  b->RequiredStr("code");
  auto st = b->Finish("thing");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  EXPECT_EQ(Fields(st),
            "name: must be a string; n: must be an integer; ok: must be a boolean; tags/1: must "
            "be a string; big: at most 5 bytes; code: is required; extra: is not a known member; ");
}

TEST(JsonBody, RefusesWhatIsNotAnObject) {
  for (std::string_view bad : {"", "[]", "\"x\"", "{", "{} {}", "1"}) {
    auto b = Body(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().code, Code::kInvalidArgument) << bad;
    EXPECT_TRUE(b.error().fields.empty()) << bad;  // 400, not 422
  }
}

}  // namespace
}  // namespace ow::http
