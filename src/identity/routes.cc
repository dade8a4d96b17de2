#include "identity/routes.h"

#include <boost/json.hpp>

#include "http/json_body.h"
#include "http/problem.h"

namespace ow::identity {
namespace {

namespace json = boost::json;

json::object RoleJson(const Role& r) {
  return {{"role", r.role},
          {"department_code", r.department_code},
          {"region_code", r.region_code},
          {"granted_by", r.granted_by},
          {"granted_at", r.granted_at}};
}

std::string MaskPhone(const std::string& p) {
  return p.size() == 11 ? p.substr(0, 3) + "****" + p.substr(7) : p;
}

json::object SessionJson(const Session& s) {
  return {{"id", s.id},
          {"created_at", s.created_at},
          {"expires_at", s.expires_at},
          {"last_seen_at", s.last_seen_at},
          {"ip", s.ip},
          {"user_agent", s.user_agent},
          {"acr", s.acr},
          {"idp", s.idp}};
}

json::object AgentJson(const AgentAuthorization& g) {
  return {{"id", g.id},
          {"agent_account_id", g.agent_account_id},
          {"agent_username", g.agent_username},
          {"principal_account_id", g.principal_account_id},
          {"scope", g.scope},
          {"created_at", g.created_at},
          {"expires_at", g.expires_at},
          {"revoked_at", g.revoked_at.empty() ? json::value(nullptr) : json::value(g.revoked_at)}};
}

json::object OperatorJson(const Operator& o) {
  json::array rights;
  for (const auto& r : o.rights) rights.emplace_back(r);
  return {{"credit_code", o.credit_code},     {"enterprise_name", o.enterprise_name},
          {"account_id", o.account_id},       {"username", o.username},
          {"administrator", o.administrator}, {"rights", std::move(rights)},
          {"granted_by", o.granted_by},       {"granted_at", o.granted_at}};
}

// Reads string members of a JSON body; unknown members and wrong types are field errors.
Result<std::map<std::string, std::string>> StringFields(const http::Context& ctx,
                                                        std::initializer_list<const char*> allowed,
                                                        const char* what) {
  OW_ASSIGN_OR_RETURN(http::JsonBody body, http::JsonBody::Read(ctx));
  std::map<std::string, std::string> out;
  for (const char* name : allowed) {
    std::string value = body.Str(name, 4000);
    if (body.Has(name)) out[name] = std::move(value);  // callers tell absent from ""
  }
  OW_RETURN_IF_ERROR(body.Finish(what));
  return out;
}

http::Response NoContent() {
  http::Response res{http::Status::no_content, 11};
  res.set(http::Field::cache_control, "no-store");
  res.prepare_payload();
  return res;
}

http::Response Private(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

json::object LoginJson(const LoginResult& r) {
  return {{"account", AccountJson(r.account)},
          {"session", SessionJson(r.session)},
          {"csrf_token", r.csrf_token}};
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

// Runs `fn` with the authenticated principal, or answers the authentication problem.
template <typename Fn>
http::Handler With(const Authenticator* a, Fn fn) {
  return [a, fn](http::Context& ctx) -> http::Response {
    auto who = a->Authenticate(ctx);
    if (!who) return http::Problem(who.error(), ctx.path);
    return fn(ctx, *who);
  };
}

// Accounts and sessions: registration, login and logout, the person's sessions and password.
void AddAccountRoutes(http::Router& r, Service* s, const Authenticator* a,
                      const CookieOptions& cookie) {
  r.Post("/api/v1/accounts",
         [s](http::Context& ctx) {
           auto f = StringFields(ctx, {"username", "password", "real_name", "resident_id", "phone"},
                                 "account");
           if (!f) return Fail(ctx, f.error());
           RegisterInput in{(*f)["username"],
                            (*f)["password"],
                            (*f)["real_name"],
                            (*f)["resident_id"],
                            (*f)["phone"],
                            "",
                            ""};
           auto acc = s->RegisterPerson(in, ctx.peer);
           if (!acc) return Fail(ctx, acc.error());
           auto res = Private(http::Json(http::Status::created, AccountJson(*acc)));
           res.set(http::Field::location, "/api/v1/accounts/" + acc->id);
           return res;
         })
      .Public()
      .Blocking();

  r.Get("/api/v1/accounts/{id}",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto acc = s->GetAccount(who, ctx.Param("id"));
               if (!acc) return Fail(ctx, acc.error());
               return Private(http::Json(http::Status::ok, AccountJson(*acc)));
             }))
      .Requires(authz::Action::kReadAccount);

  r.Post("/api/v1/session",
         [s, cookie](http::Context& ctx) {
           auto f = StringFields(ctx, {"username", "password"}, "login");
           if (!f) return Fail(ctx, f.error());
           LoginInput in{(*f)["username"], (*f)["password"], ctx.peer,
                         std::string(ctx.request[http::Field::user_agent])};
           auto result = s->Login(in);
           if (!result) return Fail(ctx, result.error());
           auto res = Private(http::Json(http::Status::created, LoginJson(*result)));
           res.set(http::Field::set_cookie, SessionCookie(result->cookie_value, cookie));
           return res;
         })
      .Public()
      .Blocking();

  r.Get("/api/v1/session",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               if (who.session_id.empty())
                 return Fail(ctx, NotFound("this request is not made with a session"));
               auto acc = s->AccountById(who.account_id);
               if (!acc) return Fail(ctx, acc.error());
               if (who.roles.empty()) acc->roles.clear();
               json::object o{{"account", AccountJson(*acc)},
                              {"session", {{"id", who.session_id}, {"acr", who.acr}}},
                              {"csrf_token", s->CsrfToken(who.session_id)}};
               return Private(http::Json(http::Status::ok, o));
             }))
      .Requires(authz::Action::kUpdateAccount);

  r.Delete("/api/v1/session", With(a,
                                   [s, cookie](http::Context& ctx, const Principal& who) {
                                     if (who.session_id.empty())
                                       return Fail(ctx,
                                                   NotFound("this request has no session to end"));
                                     if (auto st = s->Logout(who); !st)
                                       return Fail(ctx, st.error());
                                     auto res = NoContent();
                                     res.set(http::Field::set_cookie, SessionCookie("", cookie));
                                     return res;
                                   }))
      .Requires(authz::Action::kUpdateAccount);

  r.Get("/api/v1/me/sessions",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto list = s->Sessions(who);
               if (!list) return Fail(ctx, list.error());
               json::array items;
               for (const auto& x : *list) {
                 auto o = SessionJson(x);
                 o["current"] = x.id == who.session_id;
                 items.push_back(std::move(o));
               }
               return Private(http::Json(http::Status::ok, {{"sessions", std::move(items)}}));
             }))
      .Requires(authz::Action::kUpdateAccount);

  r.Delete("/api/v1/me/sessions",
           With(a,
                [s, cookie](http::Context& ctx, const Principal& who) {
                  auto n = s->LogoutEverywhere(who);
                  if (!n) return Fail(ctx, n.error());
                  auto res = Private(http::Json(http::Status::ok, {{"sessions_ended", *n}}));
                  res.set(http::Field::set_cookie, SessionCookie("", cookie));
                  return res;
                }))
      .Requires(authz::Action::kUpdateAccount);

  r.Put("/api/v1/me/password",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto f = StringFields(ctx, {"current_password", "new_password"}, "password");
               if (!f) return Fail(ctx, f.error());
               if (auto st = s->ChangePassword(who, (*f)["current_password"], (*f)["new_password"]);
                   !st)
                 return Fail(ctx, st.error());
               return NoContent();
             }))
      .Requires(authz::Action::kUpdateAccount)
      .Blocking();
}

// Identity proofing: the person's assurance level, online verification, and the counter's.
void AddProofingRoutes(http::Router& r, Service* s, const Authenticator* a) {
  // Identity proofing: the caller's level and how to raise it.
  r.Get("/api/v1/me/identity",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto acc = s->GetAccount(who, who.account_id);
               if (!acc) return Fail(ctx, acc.error());
               bool person = acc->kind == kPerson;
               json::object o{
                   {"identity_level", LevelName(acc->identity_level)},
                   {"verified_at", acc->verified_at.empty() ? json::value(nullptr)
                                                            : json::value(acc->verified_at)},
                   {"verification_method", acc->verification_method.empty()
                                               ? json::value(nullptr)
                                               : json::value(acc->verification_method)},
                   {"online_verification", person && s->RealNameConfigured()},
                   {"counter_verification", person}};
               return Private(http::Json(http::Status::ok, o));
             }))
      .Requires(authz::Action::kReadAccount);

  r.Post("/api/v1/me/identity/verification",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx, {}, "verification");
                if (!f) return Fail(ctx, f.error());
                auto acc = s->VerifyOnline(who, ctx.peer);
                if (!acc) return Fail(ctx, acc.error());
                return Private(http::Json(http::Status::ok, AccountJson(*acc)));
              }))
      .Requires(authz::Action::kUpdateAccount)
      .Blocking();

  r.Post("/api/v1/counter/account-lookups",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx, {"username", "resident_id"}, "lookup");
                if (!f) return Fail(ctx, f.error());
                auto list = s->CounterLookup(who, (*f)["username"], (*f)["resident_id"], ctx.peer);
                if (!list) return Fail(ctx, list.error());
                json::array items;
                for (const auto& acc : *list) items.push_back(AccountJson(acc));
                return Private(http::Json(http::Status::ok, {{"accounts", std::move(items)}}));
              }))
      .Requires(authz::Action::kVerifyIdentity);

  r.Post("/api/v1/counter/accounts/{id}/verification",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = http::JsonBody::Read(ctx);
                if (!body) return Fail(ctx, body.error());
                std::string hall = body->Str("hall_region", 12);
                bool checked = body->Bool("card_checked").value_or(false);
                if (auto st = body->Finish("verification"); !st) return Fail(ctx, st.error());
                auto acc = s->VerifyAtCounter(who, ctx.Param("id"), hall, checked, ctx.peer);
                if (!acc) return Fail(ctx, acc.error());
                return Private(http::Json(http::Status::ok, AccountJson(*acc)));
              }))
      .Requires(authz::Action::kVerifyIdentity);
}

// Agent authorizations a person gives.
void AddAgentRoutes(http::Router& r, Service* s, const Authenticator* a) {
  r.Get("/api/v1/me/agents",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto list = s->Agents(who);
               if (!list) return Fail(ctx, list.error());
               json::array items;
               for (const auto& g : *list) items.push_back(AgentJson(g));
               return Private(http::Json(http::Status::ok, {{"authorizations", std::move(items)}}));
             }))
      .Requires(authz::Action::kUpdateAccount);

  r.Post("/api/v1/me/agents",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx, {"agent_username", "scope", "expires_at"}, "agent");
                if (!f) return Fail(ctx, f.error());
                std::string scope = f->count("scope") ? (*f)["scope"] : "*";
                auto g = s->AuthorizeAgent(who, (*f)["agent_username"], scope, (*f)["expires_at"]);
                if (!g) return Fail(ctx, g.error());
                return Private(http::Json(http::Status::created, AgentJson(*g)));
              }))
      .Requires(authz::Action::kUpdateAccount);

  r.Delete("/api/v1/me/agents/{id}", With(a,
                                          [s](http::Context& ctx, const Principal& who) {
                                            if (auto st = s->RevokeAgent(who, ctx.Param("id")); !st)
                                              return Fail(ctx, st.error());
                                            return NoContent();
                                          }))
      .Requires(authz::Action::kUpdateAccount);
}

// Enterprises and their operators.
void AddEnterpriseRoutes(http::Router& r, Service* s, const Authenticator* a) {
  r.Get("/api/v1/me/enterprises",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto list = s->MyEnterprises(who);
               if (!list) return Fail(ctx, list.error());
               json::array items;
               for (const auto& o : *list) items.push_back(OperatorJson(o));
               return Private(http::Json(http::Status::ok, {{"enterprises", std::move(items)}}));
             }))
      .Requires(authz::Action::kReadEnterprise);

  r.Post("/api/v1/enterprises",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx, {"credit_code", "name"}, "enterprise");
                if (!f) return Fail(ctx, f.error());
                auto e = s->RegisterEnterprise(who, (*f)["credit_code"], (*f)["name"]);
                if (!e) return Fail(ctx, e.error());
                return Private(http::Json(http::Status::created, {{"credit_code", e->credit_code},
                                                                  {"name", e->name},
                                                                  {"created_at", e->created_at}}));
              }))
      .Requires(authz::Action::kManageEnterprise);

  r.Get("/api/v1/enterprises/{code}/operators",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto list = s->Operators(who, ctx.Param("code"));
               if (!list) return Fail(ctx, list.error());
               json::array items;
               for (const auto& o : *list) items.push_back(OperatorJson(o));
               return Private(http::Json(http::Status::ok, {{"operators", std::move(items)}}));
             }))
      .Requires(authz::Action::kReadEnterprise);

  r.Put("/api/v1/enterprises/{code}/operators/{username}",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto body = http::JsonBody::Read(ctx);
               if (!body) return Fail(ctx, body.error());
               auto rights = body->Strings("rights", 10);
               if (!rights) body->Add("rights", "is required: an array of rights");
               if (auto st = body->Finish("operator"); !st) return Fail(ctx, st.error());
               auto o = s->GrantOperator(who, ctx.Param("code"), ctx.Param("username"), *rights);
               if (!o) return Fail(ctx, o.error());
               return Private(http::Json(http::Status::ok, OperatorJson(*o)));
             }))
      .Requires(authz::Action::kManageOperators);

  r.Delete("/api/v1/enterprises/{code}/operators/{username}",
           With(a,
                [s](http::Context& ctx, const Principal& who) {
                  if (auto st = s->RemoveOperator(who, ctx.Param("code"), ctx.Param("username"));
                      !st)
                    return Fail(ctx, st.error());
                  return NoContent();
                }))
      .Requires(authz::Action::kManageOperators);
}

// Staff accounts and their roles, for administrators.
void AddStaffRoutes(http::Router& r, Service* s, const Authenticator* a) {
  r.Post("/api/v1/staff",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx,
                                      {"username", "password", "real_name", "resident_id", "phone",
                                       "department_code", "region_code"},
                                      "account");
                if (!f) return Fail(ctx, f.error());
                RegisterInput in{(*f)["username"],    (*f)["password"], (*f)["real_name"],
                                 (*f)["resident_id"], (*f)["phone"],    (*f)["department_code"],
                                 (*f)["region_code"]};
                auto acc = s->CreateStaff(who, in);
                if (!acc) return Fail(ctx, acc.error());
                auto res = Private(http::Json(http::Status::created, AccountJson(*acc)));
                res.set(http::Field::location, "/api/v1/accounts/" + acc->id);
                return res;
              }))
      .Requires(authz::Action::kManageStaff)
      .Blocking();

  r.Get("/api/v1/staff",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto page = http::ParsePage(ctx, 50, 200);
               if (!page) return Fail(ctx, page.error());
               auto list = s->ListStaff(who, page->cursor, page->limit + 1);
               if (!list) return Fail(ctx, list.error());
               json::array items;
               json::value next = nullptr;
               for (size_t i = 0; i < list->size(); ++i) {
                 if (static_cast<int>(i) == page->limit) {
                   next = (*list)[i - 1].username;
                   break;
                 }
                 items.push_back(AccountJson((*list)[i]));
               }
               return Private(http::Json(http::Status::ok,
                                         {{"staff", std::move(items)}, {"next_cursor", next}}));
             }))
      .Requires(authz::Action::kListStaff);

  r.Put("/api/v1/staff/{id}/status",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto f = StringFields(ctx, {"status"}, "status");
               if (!f) return Fail(ctx, f.error());
               std::string status = (*f)["status"];
               if (status != "active" && status != "disabled")
                 return Fail(ctx, Error(Code::kInvalidArgument, "status",
                                        {{"status", "must be active or disabled"}}));
               if (auto st = s->SetAccountStatus(who, ctx.Param("id"), status == "active"); !st)
                 return Fail(ctx, st.error());
               return NoContent();
             }))
      .Requires(authz::Action::kManageStaff);

  r.Post("/api/v1/staff/{id}/roles",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto f = StringFields(ctx, {"role", "department_code", "region_code"}, "role");
                if (!f) return Fail(ctx, f.error());
                auto role =
                    s->GrantRole(who, ctx.Param("id"),
                                 {(*f)["role"], (*f)["department_code"], (*f)["region_code"]});
                if (!role) return Fail(ctx, role.error());
                return Private(http::Json(http::Status::created, RoleJson(*role)));
              }))
      .Requires(authz::Action::kGrantRole);

  r.Delete("/api/v1/staff/{id}/roles",
           With(a,
                [s](http::Context& ctx, const Principal& who) {
                  RoleInput in{ctx.Query("role").value_or(""),
                               ctx.Query("department_code").value_or(""),
                               ctx.Query("region_code").value_or("")};
                  if (auto st = s->RevokeRole(who, ctx.Param("id"), in); !st)
                    return Fail(ctx, st.error());
                  return NoContent();
                }))
      .Requires(authz::Action::kGrantRole);
}

}  // namespace

json::object AccountJson(const Account& a) {
  json::array roles;
  for (const auto& r : a.roles) roles.push_back(RoleJson(r));
  json::object o{
      {"id", a.id},
      {"kind", a.kind},
      {"username", a.username},
      {"real_name", a.real_name},
      {"resident_id",
       a.resident_id_masked.empty() ? json::value(nullptr) : json::value(a.resident_id_masked)},
      {"phone", MaskPhone(a.phone)},
      {"status", a.status},
      {"created_at", a.created_at},
      {"last_login_at", a.last_login_at},
      {"roles", std::move(roles)},
      {"identity_level", LevelName(a.identity_level)},
      {"verified_at", a.verified_at.empty() ? json::value(nullptr) : json::value(a.verified_at)},
      {"verification_method",
       a.verification_method.empty() ? json::value(nullptr) : json::value(a.verification_method)}};
  if (a.kind == kStaff) {
    o["department_code"] = a.department_code;
    o["region_code"] = a.region_code;
  }
  return o;
}

std::string SessionCookie(const std::string& value, const CookieOptions& o) {
  std::string c = std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax";
  c += value.empty() ? "; Max-Age=0" : "; Max-Age=" + std::to_string(o.max_age_seconds);
  if (o.secure) c += "; Secure";
  return c;
}

void AddRoutes(http::Router& r, Service& service, const Authenticator& authn,
               CookieOptions cookie) {
  Service* s = &service;
  const Authenticator* a = &authn;
  AddAccountRoutes(r, s, a, cookie);
  AddProofingRoutes(r, s, a);
  AddAgentRoutes(r, s, a);
  AddEnterpriseRoutes(r, s, a);
  AddStaffRoutes(r, s, a);
}

}  // namespace ow::identity
