// Every route of the application x every kind of caller, through HTTP against the real
// server on both stores.
//
// The routes come from the application's own router, so a route added without an access
// rule fails here (the server answers it 500 and the test names it). For each route and
// caller the test predicts the gate's answer from the route's rule and the authorization
// table (authz.h), sends the request with that caller's credentials, and checks the
// server gave exactly that answer: refused with the gate's own problem, or let through to
// the handler. The rules themselves are written out to docs/access-matrix.md; the test
// fails when that file no longer matches the code (ONEWINDOW_UPDATE_ACCESS_MATRIX=1
// rewrites it), so every change of who may call what is seen in review.
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "app/demo.h"
#include "authz/authz.h"
#include "http/router.h"
#include "support/test_support.h"

namespace ow::testing {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr const char* kEveryUserScope =
    "openid profile cases.read cases.write materials.read materials.write workbench";

// One kind of caller: the credentials it sends, and what the authorization model knows
// of it (the gate decides on `model` alone).
struct Kind {
  std::string name;
  Caller creds;
  authz::Principal model;
};

std::string RuleName(const http::Route& r) {
  switch (r.access.rule) {
    case http::Access::Rule::kUndeclared:
      return "(none)";
    case http::Access::Rule::kPublic:
      return "public";
    case http::Access::Rule::kRequires:
      return std::string(authz::Info(r.access.action).id);
  }
  return "?";
}

// Who passes the gate of a route, as one line of docs/access-matrix.md.
std::string MatrixLine(const http::Route& r) {
  std::string method(boost::beast::http::to_string(r.method));
  std::ostringstream out;
  out << "| " << method << " | `" << r.pattern << "` | ";
  if (r.access.rule != http::Access::Rule::kRequires) {
    out << RuleName(r) << " | anyone | anyone | anyone | anyone |";
    return out.str();
  }
  const authz::ActionInfo& a = authz::Info(r.access.action);
  auto cell = [&](unsigned bit, bool scoped) -> std::string {
    if (!(a.vias & bit)) return "no";
    if (scoped) return "`" + std::string(a.scope) + "`";
    return "yes";
  };
  out << a.id << (a.needs_target ? "" : " (whole)") << " | " << cell(authz::kBySession, false)
      << " | " << cell(authz::kByUserToken, true) << " | " << cell(authz::kByClientToken, true)
      << " | " << cell(authz::kByAdminToken, false) << " |";
  return out.str();
}

class AccessMatrixTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<TestServer>(db_url(), [](Config& c) { c.password_concurrency = 4; });
    client_ = std::make_unique<HttpClient>(server_->port());
    auto seeded =
        app::SeedDemo(server_->app().database(), SourceDir() + "/demo", &server_->app().config());
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  // A portal session of a demo account.
  Kind Session(const std::string& name, const std::string& username, const char* kind,
               std::vector<authz::Role> roles) {
    Kind k{name, SignIn(*client_, username), {}};
    k.model.via = authz::Via::kSession;
    k.model.account_id = k.creds.account_id;
    k.model.username = username;
    k.model.kind = kind;
    k.model.roles = std::move(roles);
    return k;
  }

  Kind Token(const std::string& name, const Kind* user, const std::string& scopes) {
    Kind k{name,
           user ? UserToken(*client_, *server_, user->creds, scopes)
                : ClientToken(*client_, *server_, scopes),
           user ? user->model : authz::Principal{}};
    k.model.via = user ? authz::Via::kUserToken : authz::Via::kClientToken;
    k.model.client_id = "a client";
    std::istringstream in(scopes);
    for (std::string s; in >> s;) k.model.scopes.push_back(s);
    return k;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// Routes that end the caller's session when let through: run last, each caller with a
// session of its own made just before.
bool EndsSessions(const http::Route& r) {
  return (r.method == verb::delete_ &&
          (r.pattern == "/api/v1/session" || r.pattern == "/api/v1/me/sessions")) ||
         r.pattern == "/oauth2/logout";
}

TEST_P(AccessMatrixTest, EveryRouteDecidesThroughTheGate) {
  using authz::Role;
  std::vector<Kind> callers;
  callers.push_back({"anonymous", {}, {}});
  Kind person = Session("person session", "zhangsan", authz::kPerson, {});
  callers.push_back(Token("user token (openid)", &person, "openid"));
  callers.push_back(Token("user token (every scope)", &person, kEveryUserScope));
  callers.push_back(
      Token("client token (cases.read indicators.read)", nullptr, "cases.read indicators.read"));
  Kind admin{"administrator token", {server_->AdminHeaders(), ""}, {}};
  admin.model.via = authz::Via::kAdminToken;
  admin.model.username = admin.model.name_for_audit = "admin";
  callers.push_back(admin);
  callers.push_back(person);
  auto sessions = [&] {
    return std::vector<Kind>{
        Session("acceptor session", "sc.acceptor", authz::kStaff,
                {Role{authz::kAcceptor, "330102-SCJG", "330102", "", ""}}),
        Session("counter session", "hall.counter", authz::kStaff,
                {Role{authz::kCounter, "", "330102", "", ""}}),
        Session("system administrator session", "sysadmin", authz::kStaff,
                {Role{authz::kSystemAdmin, "", "", "", ""}}),
        Session("audit administrator session", "auditor", authz::kStaff,
                {Role{authz::kAuditAdmin, "", "", "", ""}}),
    };
  };
  for (auto& s : sessions()) callers.push_back(std::move(s));
  ASSERT_FALSE(HasFailure()) << "could not make every kind of caller";

  std::vector<const http::Route*> routes;
  for (const http::Route& r : server_->app().router().routes()) routes.push_back(&r);
  std::stable_partition(routes.begin(), routes.end(),
                        [](const http::Route* r) { return !EndsSessions(*r); });

  int checked = 0;
  for (const http::Route* route : routes) {
    std::string label = std::string(boost::beast::http::to_string(route->method)) + " " +
                        route->pattern + " [" + RuleName(*route) + "]";
    ASSERT_NE(route->access.rule, http::Access::Rule::kUndeclared)
        << label << " declares no access rule: add .Public() or .Requires(action)";
    if (route->access.rule == http::Access::Rule::kRequires) {
      EXPECT_FALSE(route->inline_ok) << label << ": the gate may block; not Inline()";
      EXPECT_EQ(route->cache, nullptr) << label << ": a private answer is never cached";
    }
    // Every path parameter gets a value that names nothing.
    std::string target;
    for (const auto& seg : route->segments) target += "/" + (seg[0] == '{' ? "none0" : seg);
    std::string body, type = route->consumes.empty() ? "application/json" : route->consumes[0];
    bool has_body =
        route->method == verb::post || route->method == verb::put || route->method == verb::patch;
    if (has_body) body = type == "application/json" ? "{}" : "x=1";
    std::vector<Kind> fresh;
    if (EndsSessions(*route)) {
      person = Session("person session", "zhangsan", authz::kPerson, {});
      fresh = sessions();
    }
    for (const Kind& original : callers) {
      const Kind* c = &original;
      if (EndsSessions(*route) && c->model.via == authz::Via::kSession) {
        c = original.name == person.name ? &person : nullptr;
        for (const auto& f : fresh)
          if (f.name == original.name) c = &f;
        ASSERT_NE(c, nullptr);
      }
      auto headers = c->creds.headers;
      if (has_body) headers["Content-Type"] = type;
      auto res = client_->Send(route->method, target, body, headers);
      ++checked;
      std::string where = label + " as " + c->name + ": " + std::to_string(res.status) + " " +
                          res.body.substr(0, 300);
      ASSERT_NE(res.status, 500) << where;
      if (route->access.rule == http::Access::Rule::kPublic) continue;
      const authz::ActionInfo& a = authz::Info(route->access.action);
      Status expected = c->model.via == authz::Via::kNone ? Status(Unauthenticated("log in first"))
                        : a.needs_target                  ? authz::Gate(c->model, a.action)
                                                          : authz::Decide(c->model, a.action);
      std::string detail;
      if (res.status >= 400 && !res.body.empty()) {
        auto j = res.json();
        if (j.is_object() && j.as_object().contains("detail"))
          detail = std::string(j.at("detail").as_string());
      }
      if (!expected) {
        EXPECT_EQ(res.status, expected.error().code == Code::kUnauthenticated ? 401 : 403) << where;
        EXPECT_EQ(detail, expected.error().message) << where;
      } else {
        // Through the gate: the handler answers (404 for the made-up ids, 422 for the
        // empty bodies, or a resource decision), never the gate's refusal.
        bool refused = (res.status == 401 || res.status == 403) &&
                       (detail == "log in first" || detail.rfind("to ", 0) == 0 ||
                        detail.rfind("a caller with", 0) == 0);
        EXPECT_FALSE(refused) << where;
        if (!a.needs_target) {
          EXPECT_NE(res.status, 403) << where;
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(routes.size() * callers.size()));

  // The written matrix matches the code.
  std::ostringstream doc;
  doc << "# Who may call what\n\n"
         "Generated from the router by `tests/access_matrix_test.cc` (run it with\n"
         "`ONEWINDOW_UPDATE_ACCESS_MATRIX=1` after changing a rule). Each route is public or\n"
         "requires one action of `src/authz/authz.cc`; the columns say which kinds of caller\n"
         "the gate lets attempt it, and the scope a bearer token needs. \"(whole)\": the gate\n"
         "makes the whole decision (roles included); otherwise the handler then decides on the\n"
         "resource (whose case, which department, which region) with `authz::Decide`.\n\n"
         "| Method | Route | Action | Session | User token | Client token | Admin token |\n"
         "|---|---|---|---|---|---|---|\n";
  std::vector<std::string> lines;
  for (const http::Route& r : server_->app().router().routes()) lines.push_back(MatrixLine(r));
  std::sort(lines.begin(), lines.end(), [](const std::string& x, const std::string& y) {
    return x.substr(x.find('`')) < y.substr(y.find('`')) ||
           (x.substr(x.find('`')) == y.substr(y.find('`')) && x < y);
  });
  for (const auto& l : lines) doc << l << "\n";
  std::string path = SourceDir() + "/docs/access-matrix.md";
  if (std::getenv("ONEWINDOW_UPDATE_ACCESS_MATRIX")) std::ofstream(path) << doc.str();
  std::ifstream in(path);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), doc.str()) << "docs/access-matrix.md is out of date: run this test with "
                                         "ONEWINDOW_UPDATE_ACCESS_MATRIX=1 and review the change";
}

OW_INSTANTIATE_STORE_TESTS(AccessMatrixTest);

}  // namespace
}  // namespace ow::testing
