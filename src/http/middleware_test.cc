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

}  // namespace
}  // namespace ow::http
