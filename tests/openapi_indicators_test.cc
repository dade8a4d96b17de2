// The indicator reads against docs/openapi.json (support/openapi_checker.h), with their
// refusals, on both stores.
#include "support/cases_fixture.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiIndicators : public CasesFixture {};

TEST_P(OpenApiIndicators, ResponsesMatchTheDocument) {
  ResponseChecker checker(server_->port());
  auto check = [&](const std::string& target, int status,
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({verb::get, target, "/api/v1/indicators", status, "", headers});
  };
  Session person = Login("zhangsan");
  auto submitted = Submit(person, "3301-SCJG-GTDJ", "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  const std::map<std::string, std::string> supervisor{{"Cookie", Login("supervisor").cookie}};
  const std::string today = FormatDate(ChinaDate(std::chrono::system_clock::now()));
  const std::string base = "/api/v1/indicators?region=3301&from=" + today + "&to=" + today;
  check(base, 200, supervisor);
  check(base + "&group=department&rank_by=satisfaction", 200, supervisor);
  check(base + "&group=week", 200, supervisor);
  check(base + "&group=region", 200, supervisor);
  check(base + "&group=nothing", 422, supervisor);
  check("/api/v1/indicators?region=3301", 422, supervisor);
  auto file = [&](const std::string& target, int status,
                  const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({verb::get, target, "/api/v1/indicators/export", status, "", headers});
  };
  const std::string exports =
      "/api/v1/indicators/export?region=3301&from=" + today + "&to=" + today;
  file(exports, 200, supervisor);
  file(exports + "&format=xlsx&group=item", 200, supervisor);
  file(exports + "&format=pdf", 422, supervisor);
  file(exports + "&dataset=ratings", 200, supervisor);
  file(exports + "&format=xlsx&dataset=ratings", 422, supervisor);
  file(exports, 401);
  file(exports, 403, {{"Cookie", person.cookie}});
  auto ratings = [&](const std::string& target, int status,
                     const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({verb::get, target, "/api/v1/indicators/ratings", status, "", headers});
  };
  const std::string rated = "/api/v1/indicators/ratings?region=3301&from=" + today + "&to=" + today;
  ratings(rated, 200, supervisor);
  ratings(rated + "&hall=H1", 422, supervisor);
  ratings(rated, 401);
  ratings(rated, 403, {{"Cookie", person.cookie}});
  auto report = [&](const std::string& target, int status,
                    const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({verb::get, target, "/api/v1/indicators/report", status, "", headers});
  };
  const std::string reported =
      "/api/v1/indicators/report?region=3301&from=" + today + "&to=" + today;
  report(reported, 200, supervisor);
  report("/api/v1/indicators/report?region=3301", 422, supervisor);
  report(reported, 401);
  report(reported, 403, {{"Cookie", person.cookie}});
  check(base, 401);
  check(base, 403, {{"Cookie", person.cookie}});
  auto summary = [&](const std::string& target, int status,
                     const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({verb::get, target, "/api/v1/rating-summary", status, "", headers});
  };
  const std::string summed = "/api/v1/rating-summary?region=33&from=" + today + "&to=" + today;
  auto got = summary(summed, 200);
  summary(summed, 304, {{"If-None-Match", got.header("ETag")}});
  summary("/api/v1/rating-summary?region=33", 422);
  ExpectAllProbed(checker, IsIndicatorsPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiIndicators);

}  // namespace
}  // namespace ow::testing
