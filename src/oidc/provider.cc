#include "oidc/provider.h"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <shared_mutex>
#include <sstream>

#include "authz/authz.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/random.h"
#include "db/shared_state.h"
#include "oidc/provider_internal.h"
#include "oidc/store.h"

namespace ow::oidc {

namespace json = boost::json;
using std::chrono::system_clock;

bool Client::Allows(const std::string& grant) const {
  return std::find(grant_types.begin(), grant_types.end(), grant) != grant_types.end();
}
bool Client::MayAsk(const std::string& scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

namespace {

constexpr auto kCodeLifetime = std::chrono::seconds(60);

// Appends query parameters to a registered redirect URI.
std::string WithParams(const std::string& uri,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  boost::urls::url u(uri);
  for (const auto& [k, v] : params)
    if (!v.empty()) u.params().append({k, v});
  return std::string(u.buffer());
}

bool ValidRedirect(const std::string& uri) {
  auto u = boost::urls::parse_absolute_uri(uri);
  if (!u || u->has_fragment()) return false;
  // Plain http only to the loopback interface (native apps, RFC 8252 section 7.3).
  if (u->scheme() == "https") return !u->host().empty();
  return u->scheme() == "http" &&
         (u->host() == "127.0.0.1" || u->host() == "localhost" || u->host() == "[::1]");
}

// The protocol's scopes, and those of the authorization model's actions (authz.h): a
// token acts on the API only within the latter.
constexpr const char* kKnownScopes[] = {
    "openid",          "profile",    "resident_id",     "offline_access",
    "catalog.read",    "cases.read", "cases.write",     "materials.read",
    "materials.write", "workbench",  "indicators.read", "licences.read",
    "bookings",        "tickets",    "exchange",        "events.subscribe"};

}  // namespace

struct Provider::ClientCache {
  std::shared_mutex mu;
  std::map<std::string, Client> by_id;
  std::chrono::steady_clock::time_point loaded;
  uint64_t generation = 0;
};

Provider::Provider(db::Database& db, identity::Service& identity, ProviderOptions options)
    : db_(db),
      identity_(identity),
      options_(std::move(options)),
      keys_(db, identity.keys(), std::chrono::hours(options_.key_overlap_hours)),
      pairwise_key_(identity.keys().Derive("oidc.pairwise")),
      clients_(std::make_unique<ClientCache>()) {}

Provider::~Provider() = default;

Status Provider::Init() {
  OW_RETURN_IF_ERROR(keys_.Init());
  return ReloadClients();
}

void Provider::SetIssuer(std::string issuer) { options_.issuer = std::move(issuer); }

void Provider::SetAudit(identity::AuditSink sync, std::function<void(identity::AuditEvent)> async) {
  audit_sync_ = std::move(sync);
  audit_async_ = std::move(async);
}

void Provider::AuditAsync(identity::AuditEvent e) {
  if (audit_async_) audit_async_(std::move(e));
}

Status Provider::ReloadClients() {
  std::vector<Client> all;
  uint64_t generation = 0;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(generation, db::ReadGeneration(c, kClientsGeneration));
    OW_ASSIGN_OR_RETURN(all, Store::Clients(c));
    return {};
  }));
  std::unique_lock lock(clients_->mu);
  clients_->by_id.clear();
  for (auto& k : all) clients_->by_id.emplace(k.client_id, std::move(k));
  clients_->loaded = std::chrono::steady_clock::now();
  clients_->generation = generation;
  return {};
}

std::optional<Client> Provider::FindClient(const std::string& id) {
  // A client registered, disabled or changed on any node is seen here at once: the
  // generation is read per lookup (one single-row read), and the cache reloaded when it
  // moved. While the database cannot be read, no client is found (fail closed).
  uint64_t generation = db::CurrentGeneration(db_, kClientsGeneration);
  {
    std::shared_lock lock(clients_->mu);
    if (clients_->generation == generation) {
      auto it = clients_->by_id.find(id);
      if (it == clients_->by_id.end()) return std::nullopt;
      return it->second;
    }
  }
  if (!ReloadClients()) return std::nullopt;
  std::shared_lock lock(clients_->mu);
  auto it = clients_->by_id.find(id);
  if (it == clients_->by_id.end()) return std::nullopt;
  return it->second;
}

json::object Provider::Discovery() const {
  const std::string& i = options_.issuer;
  json::array scopes;
  for (const char* s : kKnownScopes) scopes.emplace_back(s);
  return {
      {"issuer", i},
      {"authorization_endpoint", i + "/oauth2/authorize"},
      {"token_endpoint", i + "/oauth2/token"},
      {"userinfo_endpoint", i + "/oauth2/userinfo"},
      {"jwks_uri", i + "/oauth2/jwks"},
      {"end_session_endpoint", i + "/oauth2/logout"},
      {"scopes_supported", std::move(scopes)},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", {"authorization_code", "refresh_token", "client_credentials"}},
      {"subject_types_supported", {"pairwise"}},
      {"id_token_signing_alg_values_supported", {"ES256", "EdDSA"}},
      {"token_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "none"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"claims_supported",
       {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "name",
        "preferred_username", "resident_id"}},
      {"acr_values_supported",
       {identity::kLevelNames[0], identity::kLevelNames[1], identity::kLevelNames[2]}},
      {"authorization_response_iss_parameter_supported", true},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},
  };
}

json::object Provider::Jwks() { return {{"keys", keys_.PublicJwks()}}; }

std::string Provider::PairwiseSubject(const std::string& client_id,
                                      const std::string& account_id) const {
  return crypto::Base64UrlEncode(crypto::HmacSha256(pairwise_key_, client_id + "|" + account_id));
}

// ---------------------------------------------------------------------------
// Client registry

Result<std::pair<Client, std::string>> Provider::RegisterClient(const identity::Principal& by,
                                                                const ClientInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageClients));
  Validator v;
  if (!text::IsValidUtf8(in.name) || text::CodePoints(in.name) < 2 ||
      text::CodePoints(in.name) > 100)
    v.Add("name", "must be 2 to 100 characters");
  if (in.type != "confidential" && in.type != "public")
    v.Add("type", "must be confidential or public");
  std::string alg = in.id_token_alg.empty() ? "ES256" : in.id_token_alg;
  if (alg != "ES256" && alg != "EdDSA")
    v.Add("id_token_signed_response_alg", "must be ES256 or EdDSA");
  if (in.grant_types.empty()) v.Add("grant_types", "must name at least one grant type");
  for (size_t i = 0; i < in.grant_types.size(); ++i) {
    const auto& g = in.grant_types[i];
    if (g != "authorization_code" && g != "refresh_token" && g != "client_credentials")
      v.Add("grant_types/" + std::to_string(i),
            "must be authorization_code, refresh_token or client_credentials");
    if (g == "client_credentials" && in.type == "public")
      v.Add("grant_types/" + std::to_string(i), "client_credentials needs a confidential client");
  }
  bool code_flow = Has(in.grant_types, "authorization_code");
  if (Has(in.grant_types, "refresh_token") && !code_flow)
    v.Add("grant_types", "refresh_token needs authorization_code");
  if (code_flow && in.redirect_uris.empty())
    v.Add("redirect_uris", "at least one is needed for authorization_code");
  for (size_t i = 0; i < in.redirect_uris.size(); ++i)
    if (!ValidRedirect(in.redirect_uris[i]))
      v.Add("redirect_uris/" + std::to_string(i),
            "must be an absolute https URL (or http to 127.0.0.1/localhost) without a fragment");
  for (size_t i = 0; i < in.post_logout_redirect_uris.size(); ++i)
    if (!ValidRedirect(in.post_logout_redirect_uris[i]))
      v.Add("post_logout_redirect_uris/" + std::to_string(i),
            "must be an absolute https URL (or http to 127.0.0.1/localhost) without a fragment");
  for (size_t i = 0; i < in.scopes.size(); ++i)
    if (std::none_of(std::begin(kKnownScopes), std::end(kKnownScopes),
                     [&](const char* s) { return in.scopes[i] == s; }))
      v.Add("scopes/" + std::to_string(i), "is not a scope this platform knows");
  if (code_flow && !Has(in.scopes, "openid")) v.Add("scopes", "must include openid for sign-in");
  OW_RETURN_IF_ERROR(v.Finish("client"));

  Client k;
  k.client_id = "cl_" + crypto::RandomToken(12);
  k.name = in.name;
  k.type = in.type;
  std::string secret;
  if (in.type == "confidential") {
    secret = crypto::RandomToken(32);
    k.secret_hash = Hash(secret);
  }
  k.redirect_uris = in.redirect_uris;
  k.post_logout_redirect_uris = in.post_logout_redirect_uris;
  k.grant_types = in.grant_types;
  k.scopes = in.scopes;
  k.id_token_alg = alg;
  k.created_by = by.name_for_audit;
  k.created_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::InsertClient(c, k));
    OW_RETURN_IF_ERROR(db::BumpGeneration(c, kClientsGeneration));
    if (!audit_sync_) return {};
    return audit_sync_(&c, {"client.registered",
                            by.name_for_audit,
                            k.client_id,
                            "success",
                            "",
                            {{"name", k.name}, {"type", k.type}}});
  }));
  OW_RETURN_IF_ERROR(ReloadClients());
  return std::make_pair(k, secret);
}

Result<std::vector<Client>> Provider::ListClients(const identity::Principal& by) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageClients));
  std::vector<Client> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Clients(c));
    return {};
  }));
  return out;
}

Status Provider::SetClientDisabled(const identity::Principal& by, const std::string& id,
                                   bool disabled) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageClients));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::SetClientDisabled(c, id, disabled));
    if (!found) return NotFound("no client " + id);
    OW_RETURN_IF_ERROR(db::BumpGeneration(c, kClientsGeneration));
    if (!audit_sync_) return {};
    return audit_sync_(&c, {disabled ? "client.disabled" : "client.enabled",
                            by.name_for_audit,
                            id,
                            "success",
                            "",
                            {}});
  }));
  return ReloadClients();
}

Status Provider::RotateKeys(const identity::Principal& by) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kRotateKeys));
  OW_RETURN_IF_ERROR(keys_.Rotate());
  if (audit_sync_)
    OW_RETURN_IF_ERROR(
        audit_sync_(nullptr, {"keys.rotated", by.name_for_audit, "", "success", "", {}}));
  return {};
}

Result<std::string> Provider::SignFor(const Client& client, const json::object& claims,
                                      const char* typ) {
  OW_ASSIGN_OR_RETURN(auto key, keys_.Active(client.id_token_alg));
  json::object header;
  if (typ) header["typ"] = typ;
  return crypto::SignJwt(key, claims, header);
}

// ---------------------------------------------------------------------------
// Authorization endpoint

Result<std::string> Provider::Authorize(const Params& p, const identity::Principal* user,
                                        bool* needs_login) {
  *needs_login = false;
  std::string client_id = Get(p, "client_id");
  auto client = client_id.empty() ? std::nullopt : FindClient(client_id);
  if (!client || client->disabled)
    return Error(Code::kInvalidArgument, "authorization request",
                 {{"client_id", "is not a registered client"}});
  std::string redirect = Get(p, "redirect_uri");
  if (!Has(client->redirect_uris, redirect))
    return Error(Code::kInvalidArgument, "authorization request",
                 {{"redirect_uri", "is not registered for this client"}});
  std::string state = Get(p, "state");
  auto fail = [&](const char* error, std::string description) -> Result<std::string> {
    return WithParams(redirect, {{"error", error},
                                 {"error_description", description},
                                 {"state", state},
                                 {"iss", options_.issuer}});
  };
  for (const char* k : {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
                        "code_challenge", "code_challenge_method", "prompt"})
    if (Repeated(p, k)) return fail("invalid_request", std::string(k) + " is repeated");
  if (Get(p, "response_type") != "code")
    return fail("unsupported_response_type", "only response_type=code is supported");
  if (p.count("request") || p.count("request_uri"))
    return fail("request_not_supported", "request objects are not supported");
  if (!client->Allows("authorization_code"))
    return fail("unauthorized_client", "this client may not use the authorization code flow");
  auto scopes = SplitSpaces(Get(p, "scope"));
  if (!Has(scopes, "openid")) return fail("invalid_scope", "scope must include openid");
  for (const auto& s : scopes)
    if (!client->MayAsk(s)) return fail("invalid_scope", "the client may not ask for " + s);
  std::string challenge = Get(p, "code_challenge");
  std::string method = Get(p, "code_challenge_method");
  if (client->type == "public" && challenge.empty())
    return fail("invalid_request", "public clients must send a PKCE code_challenge (S256)");
  if (!challenge.empty() && method != "S256")
    return fail("invalid_request", "code_challenge_method must be S256");
  if (!challenge.empty() && (challenge.size() != 43 || !crypto::Base64UrlDecode(challenge)))
    return fail("invalid_request", "code_challenge must be a base64url SHA-256 (43 characters)");
  std::string nonce = Get(p, "nonce");
  if (nonce.size() > 200) return fail("invalid_request", "nonce is too long");
  auto prompts = SplitSpaces(Get(p, "prompt"));
  if (!user || user->account_id.empty() || Has(prompts, "login")) {
    if (Has(prompts, "none")) return fail("login_required", "the user is not logged in");
    *needs_login = true;
    return std::string();
  }

  AuthCode code;
  std::string secret = crypto::RandomToken(32);
  auto now = system_clock::now();
  code.code_hash = Hash(secret);
  code.client_id = client->client_id;
  code.account_id = user->account_id;
  code.session_id = user->session_id;
  code.redirect_uri = redirect;
  code.scope = JoinSpaces(scopes);
  code.nonce = nonce;
  code.code_challenge = challenge;
  code.acr = user->acr;
  code.auth_time = UnixSeconds(now);
  code.expires_at = FormatTime(now + kCodeLifetime);
  OW_RETURN_IF_ERROR(
      db_.Transact([&](db::Connection& c) -> Status { return Store::InsertCode(c, code); }));
  return WithParams(redirect, {{"code", secret}, {"state", state}, {"iss", options_.issuer}});
}

// ---------------------------------------------------------------------------
// Access tokens, userinfo, logout

namespace {
struct AccessClaims {
  json::object claims;
};
}  // namespace

Result<identity::Principal> Provider::VerifyAccessToken(const std::string& token) {
  auto verified =
      crypto::VerifyJwt(token, [this](std::string_view kid) { return keys_.Find(kid); });
  if (!verified) return Unauthenticated("the access token is not valid");
  const auto& h = verified->header;
  const auto& c = verified->claims;
  auto str = [&](const char* k) -> std::string {
    auto* v = c.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto* typ = h.if_contains("typ");
  if (!typ || !typ->is_string() || typ->as_string() != "at+jwt")
    return Unauthenticated("the token is not an access token");
  if (str("iss") != options_.issuer || str("aud") != options_.issuer)
    return Unauthenticated("the access token is not for this platform");
  if (!crypto::CheckTimeClaims(c, system_clock::now(), {std::chrono::seconds(0), true}))
    return Unauthenticated("the access token has expired");
  identity::Principal p;
  p.client_id = str("client_id");
  // A disabled client's tokens end with it (not only its new ones).
  auto client = p.client_id.empty() ? std::nullopt : FindClient(p.client_id);
  if (!client || client->disabled) return Unauthenticated("the access token's client is disabled");
  p.scopes = SplitSpaces(str("scope"));
  std::string grant_id = str("grant");
  p.via = grant_id.empty() ? authz::Via::kClientToken : authz::Via::kUserToken;
  if (grant_id.empty()) {
    p.name_for_audit = "client:" + p.client_id;
    return p;
  }
  std::optional<Grant> grant;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& conn) -> Status {
    OW_ASSIGN_OR_RETURN(grant, Store::GetGrant(conn, grant_id));
    return {};
  }));
  if (!grant || !grant->revoked_at.empty() || grant->client_id != p.client_id)
    return Unauthenticated("the access token has been revoked");
  OW_ASSIGN_OR_RETURN(auto account, identity_.AccountById(grant->account_id));
  if (account.status != "active") return Unauthenticated("the account is not active");
  p.account_id = account.id;
  p.username = account.username;
  p.kind = account.kind;
  p.acr = grant->acr;
  p.name_for_audit = account.username;
  return p;
}

Result<json::object> Provider::UserInfo(const std::string& access_token) {
  OW_ASSIGN_OR_RETURN(auto p, VerifyAccessToken(access_token));
  if (p.account_id.empty()) return Unauthenticated("a client token has no user");
  if (!Has(p.scopes, "openid")) return PermissionDenied("the token lacks the openid scope");
  OW_ASSIGN_OR_RETURN(auto account, identity_.AccountById(p.account_id));
  json::object out{{"sub", PairwiseSubject(p.client_id, p.account_id)}};
  if (Has(p.scopes, "profile")) {
    out["name"] = account.real_name;
    out["preferred_username"] = account.username;
  }
  if (Has(p.scopes, "resident_id")) {
    // Released only to clients registered for the scope (peer platforms that map users
    // by their resident ID number), and only once the number is verified.
    auto id = identity_.ResidentId(p.account_id);
    if (id) out["resident_id"] = *id;
  }
  return out;
}

Result<Provider::LogoutOutcome> Provider::Logout(const Params& p,
                                                 const identity::Principal* session_user,
                                                 bool confirmed) {
  for (const char* k : {"id_token_hint", "client_id", "post_logout_redirect_uri", "state"})
    if (Repeated(p, k)) return Error(Code::kInvalidArgument, "logout", {{k, "is repeated"}});
  std::string hint = Get(p, "id_token_hint");
  std::string redirect = Get(p, "post_logout_redirect_uri");
  std::string client_id = Get(p, "client_id");
  auto not_ours = [] {
    return Error(Code::kInvalidArgument, "logout",
                 {{"id_token_hint", "is not an ID token we issued"}});
  };
  bool hint_matches_session = false;
  if (!hint.empty()) {
    // Expired hints are fine (RP-initiated logout 1.0 section 2): only the signature,
    // the issuer and the kind of token are checked.
    auto v = crypto::VerifyJwt(hint, [this](std::string_view kid) { return keys_.Find(kid); });
    if (!v) return not_ours();
    // ID tokens are typ "JWT" with the client as audience; access tokens are "at+jwt"
    // (RFC 9068) with the platform as audience and carry a scope.
    auto* typ = v->header.if_contains("typ");
    if (!typ || !typ->is_string() || typ->as_string() != "JWT") return not_ours();
    auto str = [&](const char* k) -> std::string {
      auto* x = v->claims.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    std::string aud = str("aud");
    if (str("iss") != options_.issuer || aud.empty() || aud == options_.issuer ||
        v->claims.contains("scope") || str("sub").empty())
      return not_ours();
    if (!client_id.empty() && client_id != aud)
      return Error(Code::kInvalidArgument, "logout",
                   {{"client_id", "differs from the ID token's audience"}});
    client_id = aud;
    if (session_user && !session_user->session_id.empty() && !session_user->account_id.empty()) {
      hint_matches_session =
          crypto::ConstantTimeEquals(str("sub"), PairwiseSubject(aud, session_user->account_id)) &&
          crypto::ConstantTimeEquals(str("sid"), SessionSid(session_user->session_id));
    }
  }
  LogoutOutcome out;
  if (!client_id.empty()) {
    auto client = FindClient(client_id);
    if (!client) return Error(Code::kInvalidArgument, "logout", {{"client_id", "is not a client"}});
    out.client_id = client_id;
    if (!redirect.empty() && !Has(client->post_logout_redirect_uris, redirect))
      return Error(Code::kInvalidArgument, "logout",
                   {{"post_logout_redirect_uri", "is not registered for the client"}});
  } else if (!redirect.empty()) {
    return Error(
        Code::kInvalidArgument, "logout",
        {{"post_logout_redirect_uri", "needs the client: send id_token_hint or client_id"}});
  }
  if (!redirect.empty()) out.redirect = WithParams(redirect, {{"state", Get(p, "state")}});
  bool live = session_user && !session_user->session_id.empty();
  if (live && !confirmed && !hint_matches_session) {
    out.confirm = true;
    return out;
  }
  if (live) {
    // Service::Logout calls the session-end hook, which revokes the session's grants
    // and unredeemed codes (RevokeSession).
    OW_RETURN_IF_ERROR(identity_.Logout(*session_user));
    out.ended = true;
  }
  return out;
}

void Provider::RevokeSession(const std::string& session_id) {
  std::string now = NowText();
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::RevokeGrantsOfSession(c, session_id, now));
    return {};
  });
  if (!st)
    log::Warn("oidc.revoke_failed", {{"session", session_id}, {"error", st.error().message}});
}

void Provider::RevokeAccount(const std::string& account_id) {
  std::string now = NowText();
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::RevokeGrantsOfAccount(c, account_id, now));
    return {};
  });
  if (!st)
    log::Warn("oidc.revoke_failed", {{"account", account_id}, {"error", st.error().message}});
}

}  // namespace ow::oidc
