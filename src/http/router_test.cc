#include "http/router.h"

#include <gtest/gtest.h>

namespace ow::http {
namespace {

Handler Noop() {
  return [](Context&) { return Response{}; };
}

TEST(Router, MatchesParametersAndPrefersLiterals) {
  Router r;
  r.Get("/api/v1/regions/{code}", Noop()).Public();
  r.Get("/api/v1/regions/search", Noop()).Public();
  r.Get("/api/v1/regions/{code}/children", Noop()).Public();
  auto m = r.Find(Verb::get, "/api/v1/regions/330102");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/regions/{code}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, "330102");
  EXPECT_EQ(r.Find(Verb::get, "/api/v1/regions/search").route->pattern, "/api/v1/regions/search");
  EXPECT_EQ(r.Find(Verb::get, "/api/v1/regions/33/children").route->pattern,
            "/api/v1/regions/{code}/children");
}

TEST(Router, ReportsAllowedMethodsFor405) {
  Router r;
  r.Get("/x/{id}", Noop()).Public();
  r.Put("/x/{id}", Noop()).Public();
  auto m = r.Find(Verb::post, "/x/1");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed.size(), 3u);  // GET, PUT, and HEAD implied by GET
  EXPECT_TRUE(r.Find(Verb::head, "/x/1").route);
}

TEST(Router, UnknownPathHasNoAllowedMethods) {
  Router r;
  r.Get("/a", Noop()).Public();
  auto m = r.Find(Verb::get, "/b");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.allowed.empty());
}

}  // namespace
}  // namespace ow::http
