// Identity, the OpenID Connect provider, the audit log and federation against
// docs/openapi.json (support/openapi_checker.h).
#include "support/openapi_checker.h"

namespace ow::testing {
namespace {

class OpenApiIdentity : public StoreTest {};

// Exercises every account, session, staff, enterprise, OpenID Connect and audit
// operation with its main success and error answers, on both stores: a resident
// registers, logs in, authorizes an agent and registers an enterprise; the system
// administrator (the admin token) creates staff and registers a client; a security
// administrator grants roles and rotates keys; a relying party runs the code flow with
// PKCE, refreshes, reads userinfo and logs out; the audit administrator reads the log.
TEST_P(OpenApiIdentity, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestServer server(db_url(), [](Config& c) {
    c.lockout_threshold = 2;
    c.ip_failure_limit = 6;
  });
  ASSERT_TRUE(app::SeedDemo(server.app().database(), SourceDir() + "/demo"));
  ResponseChecker checker(server.port());
  HttpClient client(server.port());
  const auto admin = server.AdminHeaders();
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kPassword = "Qiantang-River-1949";
  auto staff = [&](const std::string& username) {
    return identity::RegisterInput{username, kPassword, "管理员", "", "", "330102-GOV", "330102"};
  };
  ASSERT_TRUE(server.app().identity().CreateAdmin(staff("security.admin"), "security_admin"));
  ASSERT_TRUE(server.app().identity().CreateAdmin(staff("audit.admin"), "audit_admin"));
  auto credentials = [&](const std::string& username, const std::string& password) {
    return json::serialize(json::object{{"username", username}, {"password", password}});
  };
  const std::string kAccounts = "/api/v1/accounts", kAccount = kAccounts + "/{id}",
                    kSession = "/api/v1/session", kSessions = "/api/v1/me/sessions",
                    kPasswordPath = "/api/v1/me/password", kAgents = "/api/v1/me/agents",
                    kAgent = kAgents + "/{id}", kMine = "/api/v1/me/enterprises",
                    kEnterprises = "/api/v1/enterprises",
                    kOperators = kEnterprises + "/{code}/operators",
                    kOperator = kOperators + "/{username}", kStaff = "/api/v1/staff",
                    kStatus = kStaff + "/{id}/status", kRoles = kStaff + "/{id}/roles",
                    kClients = "/api/v1/oidc/clients", kClientStatus = kClients + "/{id}/status",
                    kRotation = "/api/v1/oidc/keys/rotation",
                    kDiscovery = "/.well-known/openid-configuration", kJwks = "/oauth2/jwks",
                    kAuthorize = "/oauth2/authorize", kToken = "/oauth2/token",
                    kUserinfo = "/oauth2/userinfo", kLogout = "/oauth2/logout",
                    kAudit = "/api/v1/audit", kVerify = "/api/v1/audit/verify";
  const std::string kNobody = "acc_AAAAAAAAAAAAAAAAAAAAAA";  // well-formed, never issued

  // Residents register.
  auto person = [&](const std::string& username, const std::string& resident_id) {
    return json::serialize(json::object{{"username", username},
                                        {"password", kPassword},
                                        {"real_name", "张三"},
                                        {"resident_id", resident_id},
                                        {"phone", "13812345678"}});
  };
  const std::string kZhangId = ResidentId("11010519491231002");  // ends in X
  auto zhang = check(verb::post, kAccounts, kAccounts, 201, person("zhang.san", kZhangId));
  const std::string zhang_id = Member(zhang, "id");
  EXPECT_EQ(zhang.header("location"), kAccounts + "/" + zhang_id);
  EXPECT_NE(zhang.body.find("\"resident_id\":\"110***********002X\""), std::string::npos)
      << zhang.body;
  auto wang = check(verb::post, kAccounts, kAccounts, 201,
                    person("wang.wu", ResidentId("44052419800101001")));
  check(verb::post, kAccounts, kAccounts, 409, person("zhang.san", kZhangId));
  auto bad_id = check(verb::post, kAccounts, kAccounts, 422,
                      person("li.ming", kZhangId.substr(0, 17) + "0"));  // wrong check character
  EXPECT_TRUE(NamesField(bad_id, "resident_id")) << bad_id.body;
  check(verb::post, kAccounts, kAccounts, 400, "{\"username\":");
  check(verb::post, kAccounts, kAccounts, 415, "username=zhang.san",
        {{"Content-Type", "application/x-www-form-urlencoded"}});

  // Sessions.
  check(verb::post, kSession, kSession, 401, credentials("zhang.san", "Wrong-password-1"));
  check(verb::post, kSession, kSession, 422, R"({"username":"zhang.san"})");
  const Login z =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("zhang.san", kPassword),
                    {{"User-Agent", "openapi-test"}}));
  const Login w =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("wang.wu", kPassword)));
  const Login sec =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("security.admin", kPassword)));
  const Login aud =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("audit.admin", kPassword)));
  check(verb::get, kSession, kSession, 200, {}, z.read);
  check(verb::get, kSession, kSession, 401);
  check(verb::get, kSession, kSession, 403, {}, admin);  // a token is not a session
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 200, {}, z.read);
  check(verb::get, kAccounts + "/" + Member(wang, "id"), kAccount, 404, {}, z.read);
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 401);
  check(verb::get, kSessions, kSessions, 200, {}, z.read);
  check(verb::get, kSessions, kSessions, 401);
  check(verb::get, kSessions, kSessions, 403, {}, admin);

  // Identity proofing: the caller's level; online verification (no real-name service is
  // configured here: 409); counter staff look a resident up and verify the ID card.
  {
    const std::string kIdentity = "/api/v1/me/identity", kOnline = kIdentity + "/verification",
                      kLookups = "/api/v1/counter/account-lookups",
                      kCounterVerify = "/api/v1/counter/accounts/{id}/verification";
    auto proof = check(verb::post, kAccounts, kAccounts, 201,
                       person("li.proof", ResidentId("33010219851111234")));
    const Login lp =
        LoginOf(check(verb::post, kSession, kSession, 201, credentials("li.proof", kPassword)));
    ASSERT_TRUE(server.app().identity().Bootstrap(staff("hall.clerk"), identity::kStaff,
                                                  {{identity::kCounter, "", "330102"}}));
    const Login counter =
        LoginOf(check(verb::post, kSession, kSession, 201, credentials("hall.clerk", kPassword)));
    check(verb::get, kIdentity, kIdentity, 200, {}, lp.read);
    check(verb::get, kIdentity, kIdentity, 401);
    check(verb::post, kOnline, kOnline, 401, "{}");
    check(verb::post, kOnline, kOnline, 403, "{}", lp.read);  // no CSRF token
    check(verb::post, kOnline, kOnline, 422, R"({"real_name":"张三"})", lp.write);
    check(verb::post, kOnline, kOnline, 409, "{}", lp.write);
    check(verb::post, kLookups, kLookups, 200, R"({"username":"li.proof"})", counter.write);
    check(verb::post, kLookups, kLookups, 200,
          json::serialize(json::object{{"resident_id", ResidentId("33010219851111234")}}),
          counter.write);
    check(verb::post, kLookups, kLookups, 422, "{}", counter.write);
    check(verb::post, kLookups, kLookups, 403, R"({"username":"li.proof"})", lp.write);
    check(verb::post, kLookups, kLookups, 401, R"({"username":"li.proof"})");
    const std::string target = "/api/v1/counter/accounts/" + Member(proof, "id") + "/verification";
    check(verb::post, target, kCounterVerify, 401, R"({"card_checked":true})");
    check(verb::post, target, kCounterVerify, 403, R"({"card_checked":true})", lp.write);
    check(verb::post, target, kCounterVerify, 422, R"({"card_checked":false})", counter.write);
    check(verb::post, "/api/v1/counter/accounts/" + kNobody + "/verification", kCounterVerify, 404,
          R"({"card_checked":true})", counter.write);
    check(verb::post, target, kCounterVerify, 200,
          R"({"card_checked":true,"hall_region":"330102"})", counter.write);
    auto acceptor = server.app().identity().AccountByUsername("security.admin");
    ASSERT_TRUE(acceptor) << acceptor.error().message;
    check(verb::post, "/api/v1/counter/accounts/" + acceptor->id + "/verification", kCounterVerify,
          409, R"({"card_checked":true})", counter.write);
  }
  const std::string kNewPassword =
      R"({"current_password":"Qiantang-River-1949","new_password":"West-Lake-Pagoda-1924"})";
  check(verb::put, kPasswordPath, kPasswordPath, 403, kNewPassword, z.read);  // no CSRF token
  check(verb::put, kPasswordPath, kPasswordPath, 422,
        R"({"current_password":"not-the-password","new_password":"West-Lake-Pagoda-1924"})",
        z.write);
  check(verb::put, kPasswordPath, kPasswordPath, 204, kNewPassword, z.write);

  // Staff and roles: the admin token creates staff, the security administrator grants.
  const std::string kLiSi =
      R"({"username":"li.si","password":"Shangcheng-Hall-2025","real_name":"李四",)"
      R"("department_code":"330102-MZ","region_code":"330102"})";
  auto li = check(verb::post, kStaff, kStaff, 201, kLiSi, admin);
  const std::string li_id = Member(li, "id");
  EXPECT_EQ(li.header("location"), kAccounts + "/" + li_id);
  check(verb::post, kStaff, kStaff, 409, kLiSi, admin);
  check(verb::post, kStaff, kStaff, 401, kLiSi);
  check(verb::post, kStaff, kStaff, 403, kLiSi, z.write);
  auto no_dept =
      check(verb::post, kStaff, kStaff, 422,
            R"({"username":"zhao.liu","password":"Shangcheng-Hall-2025",)"
            R"("real_name":"赵六","department_code":"330102-NONE","region_code":"330102"})",
            admin);
  EXPECT_TRUE(NamesField(no_dept, "department_code")) << no_dept.body;
  check(verb::get, kStaff + "?limit=2", kStaff, 200, {}, admin);
  check(verb::get, kStaff, kStaff, 403, {}, z.read);
  check(verb::get, kStaff + "?limit=0", kStaff, 422, {}, admin);
  const std::string roles = kStaff + "/" + li_id + "/roles";
  const std::string kAgentRole = R"({"role":"agent","region_code":"330102"})";
  // The security administrator reads the staff to grant roles to (a resident cannot).
  check(verb::get, kStaff + "?limit=2", kStaff, 200, {}, sec.read);
  check(verb::post, roles, kRoles, 201, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 409, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 403, kAgentRole, admin);  // not a security administrator
  check(verb::post, roles, kRoles, 422, R"({"role":"mayor"})", sec.write);
  check(verb::post, kStaff + "/" + kNobody + "/roles", kRoles, 404, kAgentRole, sec.write);
  check(verb::post, roles, kRoles, 201, R"({"role":"counter","region_code":"330102"})", sec.write);
  check(verb::delete_, roles + "?role=counter&region_code=330102", kRoles, 204, {}, sec.write);
  check(verb::delete_, roles + "?role=counter&region_code=330102", kRoles, 404, {}, sec.write);

  // Agents.
  const std::string kAgentBody =
      R"({"agent_username":"li.si","scope":"*","expires_at":")" +
      FormatTime(std::chrono::system_clock::now() + std::chrono::hours(24 * 30)) + R"("})";
  check(verb::post, kAgents, kAgents, 403, kAgentBody, z.read);  // no CSRF token
  auto agent = check(verb::post, kAgents, kAgents, 201, kAgentBody, z.write);
  auto not_agent =
      check(verb::post, kAgents, kAgents, 422,
            R"({"agent_username":"wang.wu","expires_at":"2099-01-01T00:00:00Z"})", z.write);
  EXPECT_TRUE(NamesField(not_agent, "expires_at")) << not_agent.body;
  check(verb::post, kAgents, kAgents, 409, kAgentBody, sec.write);  // staff, not a person
  check(verb::get, kAgents, kAgents, 200, {}, z.read);
  check(verb::delete_, kAgents + "/" + Member(agent, "id"), kAgent, 204, {}, z.write);
  check(verb::delete_, kAgents + "/" + Member(agent, "id"), kAgent, 404, {}, z.write);

  // Enterprises.
  const std::string kCode = "91330102MA2H0XYA1T";
  const std::string kEnterprise =
      R"({"credit_code":")" + kCode + R"(","name":"杭州上城示例科技有限公司"})";
  check(verb::post, kEnterprises, kEnterprises, 201, kEnterprise, z.write);
  check(verb::post, kEnterprises, kEnterprises, 409, kEnterprise, z.write);
  check(verb::post, kEnterprises, kEnterprises, 403, kEnterprise, z.read);
  auto bad_code = check(verb::post, kEnterprises, kEnterprises, 422,
                        R"({"credit_code":"91330102MA2H0XYA1X","name":"某公司"})", z.write);
  EXPECT_TRUE(NamesField(bad_code, "credit_code")) << bad_code.body;
  check(verb::get, kMine, kMine, 200, {}, z.read);
  const std::string ops = kEnterprises + "/" + kCode + "/operators";
  check(verb::get, ops, kOperators, 200, {}, z.read);
  check(verb::get, ops, kOperators, 404, {}, w.read);
  const std::string kEnterpriseCases = kEnterprises + "/{code}/cases";
  check(verb::get, kEnterprises + "/" + kCode + "/cases", kEnterpriseCases, 200, {}, z.read);
  check(verb::get, kEnterprises + "/" + kCode + "/cases", kEnterpriseCases, 404, {}, w.read);
  check(verb::get, kEnterprises + "/" + kCode + "/cases?per_page=0", kEnterpriseCases, 422, {},
        z.read);
  check(verb::put, ops + "/wang.wu", kOperator, 200, R"({"rights":["apply","view"]})", z.write);
  check(verb::put, ops + "/wang.wu", kOperator, 422, R"({"rights":["fly"]})", z.write);
  check(verb::put, ops + "/zhang.san", kOperator, 409, R"({"rights":["view"]})", z.write);
  check(verb::put, ops + "/zhang.san", kOperator, 403, R"({"rights":["view"]})", w.write);
  check(verb::delete_, ops + "/zhang.san", kOperator, 409, {}, z.write);
  check(verb::delete_, ops + "/wang.wu", kOperator, 204, {}, z.write);
  check(verb::delete_, ops + "/wang.wu", kOperator, 404, {}, z.write);

  // OpenID Connect clients and keys.
  const std::string kCallback = "http://127.0.0.1:1/cb", kLoggedOut = "http://127.0.0.1:1/bye";
  const std::string kClient =
      R"({"name":"上城区办事服务平台","type":"confidential","redirect_uris":[")" + kCallback +
      R"("],"post_logout_redirect_uris":[")" + kLoggedOut +
      R"("],"grant_types":["authorization_code","refresh_token","client_credentials"],)"
      R"("scopes":["openid","profile","catalog.read"],"id_token_signed_response_alg":"EdDSA"})";
  auto registered = check(verb::post, kClients, kClients, 201, kClient, admin);
  const std::string client_id = Member(registered, "client_id");
  const std::string secret = Member(registered, "client_secret");
  EXPECT_EQ(registered.header("location"), kClients + "/" + client_id);
  ASSERT_FALSE(secret.empty()) << registered.body;
  auto other = check(verb::post, kClients, kClients, 201,
                     R"({"name":"某移动应用","type":"public","redirect_uris":[")" + kCallback +
                         R"("],"grant_types":["authorization_code"],"scopes":["openid"]})",
                     admin);
  auto bad_client =
      check(verb::post, kClients, kClients, 422,
            R"({"name":"某应用","type":"public","grant_types":["client_credentials"]})", admin);
  EXPECT_TRUE(NamesField(bad_client, "grant_types/0")) << bad_client.body;
  check(verb::post, kClients, kClients, 401, kClient);
  check(verb::post, kClients, kClients, 403, kClient, z.write);
  check(verb::get, kClients, kClients, 200, {}, admin);
  check(verb::get, kClients, kClients, 403, {}, z.read);
  const std::string other_status = kClients + "/" + Member(other, "client_id") + "/status";
  check(verb::put, other_status, kClientStatus, 204, R"({"status":"disabled"})", admin);
  check(verb::put, other_status, kClientStatus, 422, R"({"status":"gone"})", admin);
  check(verb::put, kClients + "/cl_none/status", kClientStatus, 404, R"({"status":"active"})",
        admin);
  check(verb::post, kRotation, kRotation, 200, {}, sec.write);
  check(verb::post, kRotation, kRotation, 403, {}, admin);
  check(verb::post, kRotation, kRotation, 401);

  // The provider: discovery, keys, the code flow with PKCE, refresh, client credentials.
  auto discovery = check(verb::get, kDiscovery, kDiscovery, 200);
  EXPECT_EQ(Member(discovery, "issuer"), "http://127.0.0.1:" + std::to_string(server.port()));
  check(verb::get, kJwks, kJwks, 200);
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string authorize =
      kAuthorize + "?response_type=code&client_id=" + client_id +
      "&redirect_uri=" + UrlEncode(kCallback) +
      "&state=s-1&nonce=n-1&code_challenge=" + crypto::Base64UrlEncode(crypto::Sha256(verifier)) +
      "&code_challenge_method=S256";
  auto to_login = check(verb::get, authorize + "&scope=openid%20profile", kAuthorize, 302);
  EXPECT_EQ(to_login.header("location").rfind("/login?return=%2Foauth2%2Fauthorize", 0), 0u)
      << to_login.header("location");
  auto to_client =
      check(verb::get, authorize + "&scope=openid%20profile", kAuthorize, 302, {}, z.read);
  const std::string code = QueryParam(to_client.header("location"), "code");
  EXPECT_EQ(to_client.header("location").rfind(kCallback + "?code=", 0), 0u)
      << to_client.header("location");
  EXPECT_EQ(QueryParam(to_client.header("location"), "state"), "s-1");
  auto refused = check(verb::get, authorize + "&scope=profile", kAuthorize, 302, {}, z.read);
  EXPECT_EQ(QueryParam(refused.header("location"), "error"), "invalid_scope")
      << refused.header("location");
  check(verb::get, kAuthorize + "?response_type=code&client_id=cl_none&scope=openid", kAuthorize,
        422);
  const std::map<std::string, std::string> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  auto client_post = "&client_id=" + client_id + "&client_secret=" + secret;
  auto bad_grant =
      check(verb::post, kToken, kToken, 400,
            "grant_type=authorization_code&code=not-a-code&redirect_uri=" + UrlEncode(kCallback) +
                client_post,
            form);
  EXPECT_EQ(Member(bad_grant, "error"), "invalid_grant") << bad_grant.body;
  auto bad_client_auth =
      check(verb::post, kToken, kToken, 401,
            "grant_type=client_credentials&client_id=" + client_id + "&client_secret=wrong", form);
  EXPECT_EQ(Member(bad_client_auth, "error"), "invalid_client") << bad_client_auth.body;
  check(verb::post, kToken, kToken, 415, R"({"grant_type":"client_credentials"})");
  auto tokens =
      check(verb::post, kToken, kToken, 200,
            "grant_type=authorization_code&code=" + code + "&redirect_uri=" + UrlEncode(kCallback) +
                "&code_verifier=" + verifier + client_post,
            form);
  const std::string access = Member(tokens, "access_token");
  const std::string id_token = Member(tokens, "id_token");
  ASSERT_FALSE(id_token.empty()) << tokens.body;
  auto refreshed = check(
      verb::post, kToken, kToken, 200,
      "grant_type=refresh_token&refresh_token=" + Member(tokens, "refresh_token") + client_post,
      form);
  EXPECT_FALSE(Member(refreshed, "refresh_token").empty()) << refreshed.body;
  // A refresh may narrow the scope: a token without openid reads no userinfo.
  auto narrowed = check(verb::post, kToken, kToken, 200,
                        "grant_type=refresh_token&scope=profile&refresh_token=" +
                            Member(refreshed, "refresh_token") + client_post,
                        form);
  EXPECT_EQ(Member(narrowed, "scope"), "profile") << narrowed.body;
  // client_secret_basic: base64 of "id:secret" (both are base64url already, so no escaping).
  std::string basic = crypto::Base64UrlEncode(client_id + ":" + secret);
  for (auto& ch : basic) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (basic.size() % 4) basic += '=';
  auto machine = check(verb::post, kToken, kToken, 200, "grant_type=client_credentials",
                       With(form, "Authorization", "Basic " + basic));
  EXPECT_EQ(Member(machine, "scope"), "profile catalog.read") << machine.body;
  EXPECT_EQ(Member(machine, "id_token"), "") << "client credentials have no user";

  // Bearer access tokens on the API and userinfo.
  check(verb::get, kAccounts + "/" + zhang_id, kAccount, 200, {}, Bearer(access));
  check(verb::get, kSession, kSession, 403, {}, Bearer(access));  // the session cookie only
  check(verb::put, kPasswordPath, kPasswordPath, 403, kNewPassword, Bearer(access));
  auto info = check(verb::get, kUserinfo, kUserinfo, 200, {}, Bearer(access));
  EXPECT_EQ(Member(info, "preferred_username"), "zhang.san") << info.body;
  check(verb::post, kUserinfo, kUserinfo, 200, {}, Bearer(access));
  check(verb::get, kUserinfo, kUserinfo, 401);
  check(verb::get, kUserinfo, kUserinfo, 401, {}, Bearer(Member(machine, "access_token")));
  check(verb::post, kUserinfo, kUserinfo, 401, {}, Bearer("not-a-token"));
  for (verb method : {verb::get, verb::post}) {
    auto no_openid =
        check(method, kUserinfo, kUserinfo, 403, {}, Bearer(Member(narrowed, "access_token")));
    EXPECT_EQ(no_openid.header("www-authenticate"),
              "Bearer error=\"insufficient_scope\", scope=\"openid\"");
  }

  // The audit administrator reads the log; nobody else does.
  auto records = check(verb::get, kAudit + "?action=login.&limit=10", kAudit, 200, {}, aud.read);
  EXPECT_NE(records.body.find("\"action\":\"login.failed\""), std::string::npos) << records.body;
  check(verb::get, kAudit, kAudit, 401);
  check(verb::get, kAudit, kAudit, 403, {}, admin);
  check(verb::get, kAudit, kAudit, 403, {}, sec.read);
  check(verb::get, kAudit + "?limit=0", kAudit, 422, {}, aud.read);
  auto verified = check(verb::get, kVerify, kVerify, 200, {}, aud.read);
  EXPECT_NE(verified.body.find("\"ok\":true"), std::string::npos) << verified.body;
  check(verb::get, kVerify + "?from=0", kVerify, 422, {}, aud.read);
  check(verb::get, kVerify, kVerify, 403, {}, z.read);

  // Logout: RP-initiated, then the portal's own; staff disabled.
  auto confirm = check(verb::get, kLogout, kLogout, 200, {}, z.read);  // asks first
  EXPECT_NE(confirm.body.find("csrf_token"), std::string::npos) << confirm.body;
  // The confirmation form: a wrong token is refused; a relying party's POST goes to GET.
  check(verb::post, kLogout, kLogout, 403, "csrf_token=wrong",
        With(form, "Cookie", z.read.at("Cookie")));
  check(verb::post, kLogout, kLogout, 303, "state=bye-0", form);
  auto back = check(verb::get,
                    kLogout + "?id_token_hint=" + id_token +
                        "&post_logout_redirect_uri=" + UrlEncode(kLoggedOut) + "&state=bye-1",
                    kLogout, 302, {}, z.read);
  EXPECT_EQ(back.header("location"), kLoggedOut + "?state=bye-1");
  check(verb::get, kSession, kSession, 401, {}, z.read);            // that session ended
  check(verb::get, kUserinfo, kUserinfo, 401, {}, Bearer(access));  // its grant is revoked
  check(verb::get, kLogout + "?id_token_hint=" + id_token, kLogout, 200);
  check(verb::delete_, kSession, kSession, 403, {}, w.read);  // no CSRF token
  check(verb::delete_, kSession, kSession, 403, {}, admin);   // a token is not a session
  check(verb::delete_, kSession, kSession, 401);
  check(verb::delete_, kSession, kSession, 204, {}, w.write);
  const Login w2 =
      LoginOf(check(verb::post, kSession, kSession, 201, credentials("wang.wu", kPassword)));
  check(verb::delete_, kSessions, kSessions, 403, {}, w2.read);
  check(verb::delete_, kSessions, kSessions, 200, {}, w2.write);
  check(verb::delete_, kSessions, kSessions, 401, {}, w2.write);
  const std::string status = kStaff + "/" + li_id + "/status";
  check(verb::put, status, kStatus, 403, R"({"status":"disabled"})", sec.write);
  check(verb::put, status, kStatus, 422, R"({"status":"gone"})", admin);
  check(verb::put, kStaff + "/" + kNobody + "/status", kStatus, 404, R"({"status":"disabled"})",
        admin);
  check(verb::put, status, kStatus, 204, R"({"status":"disabled"})", admin);
  // A disabled account answers like a wrong password.
  check(verb::post, kSession, kSession, 401, credentials("li.si", "Shangcheng-Hall-2025"));

  // Two failures of one username from one address (this configuration), then that
  // pair waits; then the address is throttled.
  check(verb::post, kSession, kSession, 401, credentials("wang.wu", "Wrong-password-1"));
  check(verb::post, kSession, kSession, 401, credentials("wang.wu", "Wrong-password-2"));
  auto locked = check(verb::post, kSession, kSession, 429, credentials("wang.wu", kPassword));
  EXPECT_NE(locked.body.find("this username"), std::string::npos) << locked.body;
  for (int i = 0; i < 10; ++i) {
    auto res = client.Send(verb::post, kSession, credentials("nobody", "Wrong-password-3"),
                           {{"Content-Type", "application/json"}});
    if (res.status == 429) break;
    EXPECT_EQ(res.status, 401) << res.body;
  }
  auto throttled =
      check(verb::post, kSession, kSession, 429, credentials("zhang.san", "West-Lake-Pagoda-1924"));
  // The wait is what is left of the ten-minute window of the failures just made, and the
  // message names the same number of seconds.
  const std::string wait = throttled.header("retry-after");
  const int64_t seconds = std::strtoll(wait.c_str(), nullptr, 10);
  EXPECT_GT(seconds, 60) << wait;
  EXPECT_LE(seconds, 601) << wait;
  EXPECT_NE(Member(throttled, "detail").find("try again in " + wait + " seconds"),
            std::string::npos)
      << throttled.body;

  ExpectAllProbed(checker, IsIdentityPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiIdentity);

// The path and query of an absolute URL ("/" when it has no path).
std::string PathAndQuery(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

class OpenApiFederation : public StoreTest {};

// Exercises the federation operations with two real platforms on loopback: this one
// (on the store under test) trusts a peer (on SQLite) that registered it as a client;
// residents sign in at the peer and come back, or are refused.
TEST_P(OpenApiFederation, ResponsesMatchTheDocument) {
  if (IsSkipped()) return;
  TestDatabase peer_db(Store::kSqlite);
  TestServer peer(peer_db.url());
  TestServer server(db_url());
  ResponseChecker checker(server.port());
  HttpClient here(server.port()), there(peer.port());
  const auto admin = server.AdminHeaders();
  auto check = [&](verb method, const std::string& target, const std::string& path, int status,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {}) {
    return checker.Check({method, target, path, status, body, headers});
  };
  const std::string kTrusts = "/api/v1/trusts", kTrust = kTrusts + "/{name}",
                    kLogin = "/oauth2/federation/{name}/login",
                    kCallback = "/oauth2/federation/{name}/callback";
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string peer_origin = "http://127.0.0.1:" + std::to_string(peer.port());
  const std::string kPassword = "Qiantang-River-1949";
  const std::string kZhangId = ResidentId("11010519491231002");

  // Zhang has an account on both platforms, Zhao only at the peer.
  auto person = [&](const std::string& username, const std::string& resident_id) {
    return json::serialize(json::object{{"username", username},
                                        {"password", kPassword},
                                        {"real_name", "张三"},
                                        {"resident_id", resident_id}});
  };
  ASSERT_EQ(there.SendJson(verb::post, "/api/v1/accounts", person("zhang.b", kZhangId)).status,
            201);
  ASSERT_EQ(there
                .SendJson(verb::post, "/api/v1/accounts",
                          person("zhao.b", ResidentId("44052419800101001")))
                .status,
            201);
  ASSERT_EQ(here.SendJson(verb::post, "/api/v1/accounts", person("zhang.a", kZhangId)).status, 201);
  // Only verified numbers are released to peers and signed into from them.
  for (TestServer* s : {&peer, &server}) {
    for (const char* u : {"zhang.b", "zhao.b", "zhang.a"}) {
      auto acc = s->app().identity().AccountByUsername(u);
      if (!acc) continue;
      ASSERT_TRUE(
          s->app().identity().RaiseIdentity(acc->id, 3, "bootstrap", "test", "test", "", {}));
    }
  }
  const Login resident = LoginOf(here.SendJson(
      verb::post, "/api/v1/session",
      json::serialize(json::object{{"username", "zhang.a"}, {"password", kPassword}})));

  // The peer registers this platform as a client that may ask for the resident ID.
  auto registered = there.SendJson(
      verb::post, "/api/v1/oidc/clients",
      json::serialize(
          json::object{{"name", "Platform A"},
                       {"type", "confidential"},
                       {"redirect_uris", json::array{origin + "/oauth2/federation/zj-b/callback"}},
                       {"grant_types", json::array{"authorization_code"}},
                       {"scopes", json::array{"openid", "resident_id"}}}),
      peer.AdminHeaders());
  ASSERT_EQ(registered.status, 201) << registered.body;
  json::object trust{{"name", "zj-b"},
                     {"display_name", "浙江政务服务网（B）"},
                     {"discovery_url", peer_origin + "/.well-known/openid-configuration"},
                     {"client_id", Member(registered, "client_id")},
                     {"client_secret", Member(registered, "client_secret")},
                     {"assurance", "ow:loa:2"}};
  auto with = [&](const char* key, const std::string& value) {
    json::object changed = trust;
    changed[key] = value;
    return json::serialize(changed);
  };

  // Trusts: the system administrator adds and removes them, anyone lists them.
  check(verb::get, kTrusts, kTrusts, 200);
  check(verb::post, kTrusts, kTrusts, 401, json::serialize(trust));
  check(verb::post, kTrusts, kTrusts, 403, json::serialize(trust), resident.write);
  auto added = check(verb::post, kTrusts, kTrusts, 201, json::serialize(trust), admin);
  EXPECT_EQ(added.header("location"), kTrusts + "/zj-b");
  EXPECT_EQ(added.body.find(Member(registered, "client_secret")), std::string::npos);
  check(verb::post, kTrusts, kTrusts, 409, json::serialize(trust), admin);
  // The peer's document names 127.0.0.1 as its issuer, not localhost.
  auto other_issuer =
      check(verb::post, kTrusts, kTrusts, 422,
            with("discovery_url", "http://localhost:" + std::to_string(peer.port()) +
                                      "/.well-known/openid-configuration"),
            admin);
  EXPECT_TRUE(NamesField(other_issuer, "discovery_url")) << other_issuer.body;
  auto bad_name = check(verb::post, kTrusts, kTrusts, 422, with("name", "ZJ B"), admin);
  EXPECT_TRUE(NamesField(bad_name, "name")) << bad_name.body;
  check(verb::post, kTrusts, kTrusts, 503,
        with("discovery_url", "http://127.0.0.1:1/.well-known/openid-configuration"), admin);
  check(verb::post, kTrusts, kTrusts, 400, "{\"name\":", admin);
  check(verb::post, kTrusts, kTrusts, 415, "name=zj-b",
        With(admin, "Content-Type", "application/x-www-form-urlencoded"));
  auto listed = check(verb::get, kTrusts, kTrusts, 200);
  EXPECT_NE(listed.body.find("\"login_url\":\"/oauth2/federation/zj-b/login\""), std::string::npos)
      << listed.body;

  // Sign-in through the peer, up to the peer's redirect back to the callback.
  std::map<std::string, std::string> browser;  // the federation cookie of the last start
  auto start = [&](const std::string& username) {
    auto to_peer =
        check(verb::get, "/oauth2/federation/zj-b/login?return=%2Fmy%2Fcases", kLogin, 302);
    std::string fed = to_peer.header("set-cookie");
    browser = {{"Cookie", fed.substr(0, fed.find(';'))}};
    EXPECT_EQ(to_peer.header("location").rfind(peer_origin + "/oauth2/authorize?", 0), 0u)
        << to_peer.header("location");
    auto login = there.SendJson(
        verb::post, "/api/v1/session",
        json::serialize(json::object{{"username", username}, {"password", kPassword}}));
    EXPECT_EQ(login.status, 201) << login.body;
    std::string cookie = login.header("set-cookie");
    auto back = there.Get(PathAndQuery(to_peer.header("location")),
                          {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    EXPECT_EQ(back.status, 302) << back.body;
    EXPECT_EQ(back.header("location").rfind(origin + "/oauth2/federation/zj-b/callback?", 0), 0u)
        << back.header("location");
    return PathAndQuery(back.header("location"));
  };
  check(verb::get, "/oauth2/federation/nowhere/login", kLogin, 404);
  check(verb::get, "/oauth2/federation/zj-b/login?return=https%3A%2F%2Fevil.example%2F", kLogin,
        422);
  const std::string callback = start("zhang.b");
  auto signed_in = check(verb::get, callback, kCallback, 302, {}, browser);
  EXPECT_EQ(signed_in.header("location"), "/my/cases");
  std::string cookie = signed_in.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto session = here.Get("/api/v1/session", {{"Cookie", cookie}});
  EXPECT_EQ(session.status, 200) << session.body;
  EXPECT_NE(session.body.find("\"username\":\"zhang.a\""), std::string::npos) << session.body;
  auto sessions = here.Get("/api/v1/me/sessions", {{"Cookie", cookie}});
  EXPECT_NE(sessions.body.find("\"idp\":\"zj-b\""), std::string::npos) << sessions.body;
  check(verb::get, callback, kCallback, 422, {}, browser);  // a state is good once
  check(verb::get, "/oauth2/federation/zj-b/callback?code=abc&state=made-up", kCallback, 422);
  const std::string zhao = start("zhao.b");
  auto no_account = check(verb::get, zhao, kCallback, 404, {}, browser);
  EXPECT_EQ(no_account.header("set-cookie").find("ow_session"), std::string::npos);
  // A code the peer never issued: the peer does not redeem it.
  const std::string fresh = start("zhang.b");
  auto forged =
      check(verb::get,
            "/oauth2/federation/zj-b/callback?code=not-a-code&state=" + QueryParam(fresh, "state"),
            kCallback, 401, {}, browser);
  EXPECT_EQ(forged.header("set-cookie").find("ow_session"), std::string::npos);

  // A logged-in person verifies their identity through the peer.
  const std::string kVerifyStart = "/oauth2/federation/{name}/verify";
  check(verb::get, "/oauth2/federation/zj-b/verify?return=%2Fme%2Faccount", kVerifyStart, 401);
  check(verb::get, "/oauth2/federation/zj-b/verify?return=%2Fme%2Faccount", kVerifyStart, 302, {},
        resident.read);
  check(verb::get, "/oauth2/federation/nowhere/verify", kVerifyStart, 404, {}, resident.read);
  check(verb::get, "/oauth2/federation/zj-b/verify?return=https%3A%2F%2Fevil.example%2F",
        kVerifyStart, 422, {}, resident.read);

  check(verb::delete_, kTrusts + "/zj-b", kTrust, 401);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 403, {}, resident.write);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 204, {}, admin);
  check(verb::delete_, kTrusts + "/zj-b", kTrust, 404, {}, admin);
  check(verb::get, "/oauth2/federation/zj-b/login", kLogin, 404);

  ExpectAllProbed(checker, IsFederationPath);
}
OW_INSTANTIATE_STORE_TESTS(OpenApiFederation);

}  // namespace
}  // namespace ow::testing
