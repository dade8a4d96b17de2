#include "http/problem.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ow::http {
namespace {

TEST(Problem, MapsEveryCodeToOneStatus) {
  EXPECT_EQ(StatusFor(InvalidArgument("x")), Status::bad_request);
  EXPECT_EQ(StatusFor(Error(Code::kInvalidArgument, "x", {{"f", "m"}})),
            Status::unprocessable_entity);
  EXPECT_EQ(StatusFor(NotFound("x")), Status::not_found);
  EXPECT_EQ(StatusFor(AlreadyExists("x")), Status::conflict);
  EXPECT_EQ(StatusFor(Conflict("x")), Status::conflict);
  EXPECT_EQ(StatusFor(FailedPrecondition("x")), Status::conflict);
  // Whatever the message says: the code alone decides.
  EXPECT_EQ(StatusFor(StaleVersion("x")), Status::precondition_failed);
  EXPECT_EQ(StatusFor(Conflict("changed by someone else")), Status::conflict);
  EXPECT_EQ(StatusFor(PermissionDenied("x")), Status::forbidden);
  EXPECT_EQ(StatusFor(Unauthenticated("x")), Status::unauthorized);
  EXPECT_EQ(StatusFor(Unavailable("x")), Status::service_unavailable);
  EXPECT_EQ(StatusFor(Internal("x")), Status::internal_server_error);
}

TEST(Problem, BodyFollowsRfc9457AndHidesInternalDetail) {
  Response res = Problem(Internal("SELECT * FROM secrets failed"), "/api/v1/x");
  EXPECT_EQ(res[Field::content_type], "application/problem+json");
  auto body = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 500);
  EXPECT_EQ(body.at("instance").as_string(), "/api/v1/x");
  EXPECT_EQ(res.body().find("secrets"), std::string::npos);

  Response invalid = Problem(Error(Code::kInvalidArgument, "bad", {{"name", "is required"}}));
  auto errors = boost::json::parse(invalid.body()).as_object().at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("field").as_string(), "name");
  EXPECT_EQ(Problem(Unauthenticated("x"))[Field::www_authenticate], "Bearer");
  EXPECT_EQ(Problem(Unavailable("x"))[Field::retry_after], "1");
}

TEST(Problem, RetryAfterIsTheErrorsOwnWaitWhenItKnowsOne) {
  EXPECT_EQ(StatusFor(ResourceExhausted("x")), Status::too_many_requests);
  EXPECT_EQ(Problem(ResourceExhausted("x"))[Field::retry_after], "60");
  EXPECT_EQ(Problem(ResourceExhausted("x", std::chrono::seconds(437)))[Field::retry_after], "437");
  Error busy = Unavailable("x");
  busy.retry_after = std::chrono::seconds(5);
  EXPECT_EQ(Problem(busy)[Field::retry_after], "5");
  EXPECT_EQ(Problem(NotFound("x"))[Field::retry_after], "");
}

}  // namespace
}  // namespace ow::http
