// oidc::Provider: the token endpoint (RFC 6749 section 3.2): client authentication, one
// function per grant type, and the tokens issued for a person's grant.
#include <boost/json.hpp>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "oidc/provider.h"
#include "oidc/provider_internal.h"
#include "oidc/store.h"

namespace ow::oidc {

namespace json = boost::json;
using std::chrono::system_clock;

std::variant<Client, OAuthError> Provider::AuthenticateClient(
    const Params& form, const std::optional<std::pair<std::string, std::string>>& basic) {
  std::string id, secret;
  bool has_secret = false;
  if (basic) {
    if (form.count("client_secret"))
      return Bad("invalid_request", "use one client authentication method", 400);
    id = basic->first;
    secret = basic->second;
    has_secret = true;
    if (form.count("client_id") && Get(form, "client_id") != id)
      return Bad("invalid_request", "client_id differs from the authenticated client");
  } else {
    id = Get(form, "client_id");
    if (form.count("client_secret")) {
      secret = Get(form, "client_secret");
      has_secret = true;
    }
  }
  auto client = id.empty() ? std::nullopt : FindClient(id);
  if (!client || client->disabled)
    return Bad("invalid_client", "client authentication failed", 401);
  if (client->type == "confidential") {
    if (!has_secret || !crypto::ConstantTimeEquals(Hash(secret), client->secret_hash))
      return Bad("invalid_client", "client authentication failed", 401);
  } else if (has_secret) {
    return Bad("invalid_client", "public clients have no secret", 401);
  }
  return *client;
}

std::variant<json::object, OAuthError> Provider::IssueUserTokens(const Client& client,
                                                                 const Grant& grant,
                                                                 const std::string& nonce,
                                                                 bool with_refresh,
                                                                 const std::string& ip) {
  auto now = system_clock::now();
  int64_t iat = UnixSeconds(now);
  int64_t exp = iat + options_.access_token_seconds;
  auto account = identity_.AccountById(grant.account_id);
  if (!account || account->status != "active")
    return Bad("invalid_grant", "the account is not active");
  std::string sub = PairwiseSubject(client.client_id, grant.account_id);
  auto scopes = SplitSpaces(grant.scope);
  json::object at{{"iss", options_.issuer},
                  {"sub", sub},
                  {"aud", options_.issuer},
                  {"client_id", client.client_id},
                  {"scope", grant.scope},
                  {"iat", iat},
                  {"exp", exp},
                  {"jti", crypto::RandomToken(16)},
                  {"grant", grant.id}};
  json::object id{{"iss", options_.issuer},
                  {"sub", sub},
                  {"aud", client.client_id},
                  {"azp", client.client_id},
                  {"iat", iat},
                  {"exp", exp},
                  {"auth_time", grant.auth_time},
                  {"acr", grant.acr},
                  {"amr", json::array{grant.acr == "fed" ? "fed" : "pwd"}},
                  {"sid", SessionSid(grant.session_id)}};
  if (!nonce.empty()) id["nonce"] = nonce;
  if (Has(scopes, "profile")) {
    id["name"] = account->real_name;
    id["preferred_username"] = account->username;
  }
  if (Has(scopes, "resident_id")) {
    // Only clients registered for the scope (peer platforms) can have asked for it, and
    // only a verified number is released (ResidentId refuses an unverified one).
    auto rid = identity_.ResidentId(grant.account_id);
    if (rid) id["resident_id"] = *rid;
  }
  auto access = SignFor(client, at, "at+jwt");
  auto idt = SignFor(client, id, "JWT");
  if (!access || !idt) return Bad("server_error", "tokens could not be signed", 500);
  json::object out{{"access_token", *access},
                   {"token_type", "Bearer"},
                   {"expires_in", options_.access_token_seconds},
                   {"scope", grant.scope},
                   {"id_token", *idt}};
  if (with_refresh) {
    std::string refresh = crypto::RandomToken(32);
    auto st = db_.Transact([&](db::Connection& c) -> Status {
      return Store::InsertRefresh(c, Hash(refresh), grant.id, FormatTime(now), grant.expires_at);
    });
    if (!st) return Bad("server_error", "the refresh token could not be stored", 500);
    out["refresh_token"] = refresh;
  }
  AuditAsync({"token.issued",
              account->username,
              client.client_id,
              "success",
              ip,
              {{"grant", grant.id}, {"scope", grant.scope}}});
  return out;
}

std::variant<json::object, OAuthError> Provider::Token(
    const Params& form, const std::optional<std::pair<std::string, std::string>>& basic,
    const std::string& ip) {
  for (const auto& [k, v] : form) {
    if (Repeated(form, k)) return Bad("invalid_request", k + " is repeated");
  }
  auto authed = AuthenticateClient(form, basic);
  if (auto* e = std::get_if<OAuthError>(&authed)) {
    AuditAsync({"token.denied", "", Get(form, "client_id"), "failure", ip, {{"reason", e->error}}});
    return *e;
  }
  Client client = std::get<Client>(authed);
  std::string grant_type = Get(form, "grant_type");
  if (grant_type == "client_credentials") return ClientCredentialsGrant(client, form, ip);
  if (grant_type == "authorization_code") return AuthorizationCodeGrant(client, form, ip);
  if (grant_type == "refresh_token") return RefreshTokenGrant(client, form, ip);
  if (grant_type.empty()) return Bad("invalid_request", "grant_type is required");
  return Bad("unsupported_grant_type", "grant_type " + grant_type + " is not supported");
}

// RFC 6749 section 4.4: a client acting for itself, within its own scopes (never openid).
std::variant<json::object, OAuthError> Provider::ClientCredentialsGrant(const Client& client,
                                                                        const Params& form,
                                                                        const std::string& ip) {
  auto now = system_clock::now();
  if (!client.Allows("client_credentials"))
    return Bad("unauthorized_client", "this client may not use client_credentials");
  std::vector<std::string> scopes;
  // Scopes held beyond the registration (the exchange's live grants), looked up now.
  std::vector<std::string> extra;
  if (extra_scopes_) extra = extra_scopes_(client.client_id);
  auto held = [&](const std::string& s) {
    return std::find(extra.begin(), extra.end(), s) != extra.end();
  };
  if (form.count("scope")) {
    scopes = SplitSpaces(Get(form, "scope"));
    for (const auto& s : scopes)
      if ((!client.MayAsk(s) && !held(s)) || s == "openid")
        return Bad("invalid_scope", "the client may not ask for " + s);
  } else {
    for (const auto& s : client.scopes)
      if (s != "openid") scopes.push_back(s);
    for (const auto& s : extra)
      if (!client.MayAsk(s)) scopes.push_back(s);
  }
  int64_t iat = UnixSeconds(now);
  json::object at{{"iss", options_.issuer},
                  {"sub", client.client_id},
                  {"aud", options_.issuer},
                  {"client_id", client.client_id},
                  {"scope", JoinSpaces(scopes)},
                  {"iat", iat},
                  {"exp", iat + options_.access_token_seconds},
                  {"jti", crypto::RandomToken(16)}};
  auto token = SignFor(client, at, "at+jwt");
  if (!token) return Bad("server_error", "the token could not be signed", 500);
  AuditAsync({"token.issued",
              "client:" + client.client_id,
              client.client_id,
              "success",
              ip,
              {{"grant_type", "client_credentials"}, {"scope", JoinSpaces(scopes)}}});
  return json::object{{"access_token", *token},
                      {"token_type", "Bearer"},
                      {"expires_in", options_.access_token_seconds},
                      {"scope", JoinSpaces(scopes)}};
}

// RFC 6749 section 4.1.3 with PKCE (RFC 7636): a code redeemed once; a replay revokes what it
// issued.
std::variant<json::object, OAuthError> Provider::AuthorizationCodeGrant(const Client& client,
                                                                        const Params& form,
                                                                        const std::string& ip) {
  auto now = system_clock::now();
  std::string now_text = FormatTime(now);
  if (!client.Allows("authorization_code"))
    return Bad("unauthorized_client", "this client may not use authorization_code");
  std::string secret = Get(form, "code");
  if (secret.empty()) return Bad("invalid_request", "code is required");
  std::string hash = Hash(secret);
  std::optional<AuthCode> code;
  Grant grant;
  std::optional<OAuthError> failure;
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    failure.reset();
    OW_ASSIGN_OR_RETURN(code, Store::GetCode(c, hash));
    if (!code || code->client_id != client.client_id) {
      failure = Bad("invalid_grant", "the code is not valid");
      return {};
    }
    if (!code->used_at.empty()) {
      // A replayed code: revoke what it issued (RFC 6749 section 4.1.2).
      if (!code->grant_id.empty())
        OW_RETURN_IF_ERROR(Store::RevokeGrant(c, code->grant_id, now_text));
      failure = Bad("invalid_grant", "the code was used already; its tokens are revoked");
      if (audit_sync_)
        OW_RETURN_IF_ERROR(audit_sync_(&c, {"token.code_replayed",
                                            "",
                                            client.client_id,
                                            "denied",
                                            ip,
                                            {{"grant", code->grant_id}}}));
      return {};
    }
    if (code->expires_at <= now_text) {
      failure = Bad("invalid_grant", "the code has expired");
      return {};
    }
    if (Get(form, "redirect_uri") != code->redirect_uri) {
      failure = Bad("invalid_grant", "redirect_uri differs from the authorization request");
      return {};
    }
    std::string verifier = Get(form, "code_verifier");
    if (!code->code_challenge.empty()) {
      if (verifier.size() < 43 || verifier.size() > 128 ||
          crypto::Base64UrlEncode(crypto::Sha256(verifier)) != code->code_challenge) {
        failure = Bad("invalid_grant", "code_verifier does not match the code_challenge");
        return {};
      }
    } else if (!verifier.empty()) {
      failure = Bad("invalid_grant", "no code_challenge was sent for this code");
      return {};
    }
    grant.id = "gr_" + crypto::RandomToken(16);
    grant.client_id = client.client_id;
    grant.account_id = code->account_id;
    grant.session_id = code->session_id;
    grant.scope = code->scope;
    grant.acr = code->acr;
    grant.auth_time = code->auth_time;
    grant.created_at = now_text;
    grant.expires_at = FormatTime(now + std::chrono::hours(24 * options_.refresh_token_days));
    OW_ASSIGN_OR_RETURN(bool fresh, Store::UseCode(c, hash, now_text, grant.id));
    if (!fresh) {
      failure = Bad("invalid_grant", "the code was used already");
      return {};
    }
    return Store::InsertGrant(c, grant);
  });
  if (!st) return Bad("server_error", "the code could not be redeemed", 500);
  if (failure) {
    AuditAsync(
        {"token.denied", "", client.client_id, "failure", ip, {{"reason", failure->description}}});
    return *failure;
  }
  return IssueUserTokens(client, grant, code->nonce, client.Allows("refresh_token"), ip);
}

// RFC 6749 section 6, rotated on every use: reuse of a spent token ends the whole grant.
std::variant<json::object, OAuthError> Provider::RefreshTokenGrant(const Client& client,
                                                                   const Params& form,
                                                                   const std::string& ip) {
  auto now = system_clock::now();
  std::string now_text = FormatTime(now);
  if (!client.Allows("refresh_token"))
    return Bad("unauthorized_client", "this client may not use refresh tokens");
  std::string token = Get(form, "refresh_token");
  if (token.empty()) return Bad("invalid_request", "refresh_token is required");
  std::string hash = Hash(token);
  std::optional<Grant> grant;
  std::optional<OAuthError> failure;
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    failure.reset();
    OW_ASSIGN_OR_RETURN(auto rt, Store::GetRefresh(c, hash));
    if (!rt) {
      failure = Bad("invalid_grant", "the refresh token is not valid");
      return {};
    }
    OW_ASSIGN_OR_RETURN(grant, Store::GetGrant(c, rt->grant_id));
    if (!grant || grant->client_id != client.client_id) {
      failure = Bad("invalid_grant", "the refresh token is not valid");
      return {};
    }
    if (!rt->used_at.empty()) {
      // Reuse of a rotated token: someone holds a copy. End the whole family.
      OW_RETURN_IF_ERROR(Store::RevokeGrant(c, grant->id, now_text));
      failure = Bad("invalid_grant", "the refresh token was used already; the grant is revoked");
      if (audit_sync_)
        OW_RETURN_IF_ERROR(audit_sync_(
            &c,
            {"token.refresh_reused", "", client.client_id, "denied", ip, {{"grant", grant->id}}}));
      return {};
    }
    if (!grant->revoked_at.empty() || rt->expires_at <= now_text) {
      failure = Bad("invalid_grant", "the grant has ended");
      return {};
    }
    if (form.count("scope")) {
      auto asked = SplitSpaces(Get(form, "scope"));
      auto granted = SplitSpaces(grant->scope);
      for (const auto& s : asked)
        if (!Has(granted, s)) {
          failure = Bad("invalid_scope", "the grant does not include " + s);
          return {};
        }
      grant->scope = JoinSpaces(asked);
    }
    OW_ASSIGN_OR_RETURN(bool fresh, Store::UseRefresh(c, hash, now_text));
    if (!fresh) failure = Bad("invalid_grant", "the refresh token was used already");
    return {};
  });
  if (!st) return Bad("server_error", "the refresh token could not be redeemed", 500);
  if (failure) {
    AuditAsync(
        {"token.denied", "", client.client_id, "failure", ip, {{"reason", failure->description}}});
    return *failure;
  }
  return IssueUserTokens(client, *grant, "", true, ip);
}

}  // namespace ow::oidc
