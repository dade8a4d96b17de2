#include "http/middleware.h"

#include <gtest/gtest.h>

#include "http/dispatcher.h"
#include "http/metrics.h"
#include "http/router.h"

namespace ow::http {
namespace {

TEST(RecordMetrics, MethodsBeastDoesNotKnowShareOneSeries) {
  Router router;
  router.Get("/x", [](Context&) { return Response{Status::ok, 11}; }).Public();
  Metrics metrics;
  Dispatcher dispatcher(router, nullptr);
  dispatcher.Use(RecordMetrics(metrics));
  for (int i = 0; i < 100; ++i) {
    Request req;
    req.method_string("FUZZ" + std::to_string(i));
    req.target("/x");
    req.version(11);
    EXPECT_EQ(dispatcher.Handle(req).result(), Status::method_not_allowed);
  }
  Request get{Verb::get, "/x", 11};
  EXPECT_EQ(dispatcher.Handle(get).result(), Status::ok);
  std::string text = metrics.Render();
  EXPECT_EQ(text.find("FUZZ"), std::string::npos) << text;
  EXPECT_NE(text.find("route=\"method_not_allowed\",method=\"OTHER\",status=\"405\"} 100\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"/x\",method=\"GET\",status=\"200\"} 1\n"), std::string::npos)
      << text;
}

// Which pool a request goes to: the network thread answers only public inline routes; every
// other route goes to the handler pool, or to the blocking pool when it is Blocking(),
// whatever its access rule.
TEST(HandleInline, BlockingIsReportedForEveryAccessRule) {
  Router router;
  auto ok = [](Context&) { return Response{Status::ok, 11}; };
  router.Get("/public-blocking", ok).Public().Blocking();
  router.Get("/gated-blocking", ok).Requires(authz::Action::kQueryData).Blocking();
  router.Get("/gated", ok).Requires(authz::Action::kQueryData);
  Dispatcher dispatcher(router, nullptr);
  for (auto [path, want] : {std::pair<const char*, bool>{"/public-blocking", true},
                            {"/gated-blocking", true},
                            {"/gated", false}}) {
    Request req{Verb::get, path, 11};
    bool blocking = !want;
    EXPECT_FALSE(dispatcher.HandleInline(req, "127.0.0.1", &blocking)) << path;
    EXPECT_EQ(blocking, want) << path;
  }
}

}  // namespace
}  // namespace ow::http
