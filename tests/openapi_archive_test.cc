// The archive's operations against docs/openapi.json (support/openapi_checker.h): an
// archived case and its package, with their refusals, on both stores.
#include "support/cases_fixture.h"
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiArchive : public CasesFixture {
 protected:
  static ow::testing::Login Headers(const Session& s) {
    return {{{"Cookie", s.cookie}}, {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}};
  }
};

TEST_P(OpenApiArchive, ResponsesMatchTheDocument) {
  ResponseChecker checker(server_->port());
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, "", headers});
  };
  Session zhang_s = Login("zhangsan");
  auto submitted = Submit(zhang_s, "3301-SCJG-GTDJ", "330102", GtdjForm());
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  const std::string no = No(submitted.json().as_object());
  ASSERT_EQ(
      Call(verb::post, "/api/v1/cases/" + no + "/withdraw", Json({{"reason", "不办了"}}), &zhang_s)
          .status,
      200);
  auto now = std::chrono::system_clock::now();
  auto n = server_->app().cases().ArchiveClosed(now + std::chrono::hours(1), 10, now);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(*n, 1);

  const auto zhang = Headers(zhang_s), lisi = Headers(Login("lisi")),
             acceptor = Headers(Login("sc.acceptor"));
  const std::string kCase = "/api/v1/archive/cases/{no}";
  const std::string kPackage = "/api/v1/archive/cases/{no}/package";
  const std::string c = "/api/v1/archive/cases/" + no;
  check(verb::get, c, kCase, 200, zhang.read);
  check(verb::get, c, kCase, 200, acceptor.read);
  check(verb::get, c, kCase, 401);
  check(verb::get, c, kCase, 404, lisi.read);
  Caller profile = UserToken(*client_, *server_, SignIn(*client_, "zhangsan"), "openid profile");
  check(verb::get, c, kCase, 403, profile.headers);
  check(verb::get, c + "/package", kPackage, 200, acceptor.read);
  check(verb::get, c + "/package", kPackage, 401);
  check(verb::get, c + "/package", kPackage, 403, zhang.read);
  check(verb::get, c + "/package", kPackage, 404, lisi.read);
  const std::string kMine = "/api/v1/me/archived-cases";
  check(verb::get, kMine, kMine, 200, zhang.read);
  check(verb::get, kMine + "?per_page=2&page=1", kMine, 200, lisi.read);
  check(verb::get, kMine, kMine, 401);
  check(verb::get, kMine, kMine, 403, profile.headers);
  check(verb::get, kMine + "?per_page=101", kMine, 422, zhang.read);
  ExpectAllProbed(checker, IsArchivePath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiArchive);

}  // namespace
}  // namespace ow::testing
