#include "oidc/store.h"

#include "core/text.h"

namespace ow::oidc {

std::vector<db::Migration> Migrations() {
  return {
      {"oidc/001_init", R"sql(
CREATE TABLE oidc_clients (
  client_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  redirect_uris TEXT NOT NULL,
  post_logout_redirect_uris TEXT NOT NULL,
  grant_types TEXT NOT NULL,
  scopes TEXT NOT NULL,
  id_token_alg TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE oidc_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  private_box TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE oidc_grants (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES oidc_clients(client_id),
  account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  session_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  acr TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX oidc_grants_account ON oidc_grants(account_id);
CREATE INDEX oidc_grants_session ON oidc_grants(session_id);
CREATE TABLE oidc_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  acr TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT NOT NULL DEFAULT '',
  grant_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE oidc_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL REFERENCES oidc_grants(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX oidc_refresh_grant ON oidc_refresh_tokens(grant_id);
CREATE TABLE oidc_trusts (
  name TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  discovery_url TEXT NOT NULL,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  secret_box TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  assurance TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE oidc_federation_states (
  state TEXT PRIMARY KEY,
  trust TEXT NOT NULL,
  nonce TEXT NOT NULL,
  verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
)sql",
       ""},
      // The hash of the nonce in the browser's federation cookie: a callback is
      // accepted only from the browser that started the login (login CSRF).
      {"oidc/002_federation_browser",
       "ALTER TABLE oidc_federation_states ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';", ""},
      // Identity proofing: assurance levels are named ow:loa:N; a federation state may
      // be a verification started by a logged-in account (account_id).
      {"oidc/003_proofing", R"sql(
UPDATE oidc_trusts SET assurance = 'ow:loa:' || substr(assurance, 4)
  WHERE assurance IN ('loa1', 'loa2', 'loa3');
ALTER TABLE oidc_federation_states ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
)sql",
       ""}};
}

namespace {

constexpr const char* kGrantColumns =
    "id, client_id, account_id, session_id, scope, acr, auth_time, created_at, expires_at, "
    "revoked_at";

}  // namespace

Status Store::InsertClient(db::Connection& c, const Client& k) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO oidc_clients (client_id, name, type, secret_hash, redirect_uris, "
      "post_logout_redirect_uris, grant_types, scopes, id_token_alg, created_by, created_at, "
      "disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {k.client_id, k.name, k.type, k.secret_hash, text::JsonStringList(k.redirect_uris),
       text::JsonStringList(k.post_logout_redirect_uris), text::JsonStringList(k.grant_types),
       text::JsonStringList(k.scopes), k.id_token_alg, k.created_by, k.created_at,
       int64_t{k.disabled ? 1 : 0}}));
  return {};
}

Result<std::vector<Client>> Store::Clients(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT client_id, name, type, secret_hash, redirect_uris, "
                      "post_logout_redirect_uris, grant_types, scopes, id_token_alg, created_by, "
                      "created_at, disabled FROM oidc_clients ORDER BY client_id"));
  std::vector<Client> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Client k;
    k.client_id = r.Text(i, 0);
    k.name = r.Text(i, 1);
    k.type = r.Text(i, 2);
    k.secret_hash = r.Text(i, 3);
    k.redirect_uris = text::ParseJsonStringList(r.Text(i, 4));
    k.post_logout_redirect_uris = text::ParseJsonStringList(r.Text(i, 5));
    k.grant_types = text::ParseJsonStringList(r.Text(i, 6));
    k.scopes = text::ParseJsonStringList(r.Text(i, 7));
    k.id_token_alg = r.Text(i, 8);
    k.created_by = r.Text(i, 9);
    k.created_at = r.Text(i, 10);
    k.disabled = r.Int(i, 11) != 0;
    out.push_back(std::move(k));
  }
  return out;
}

Result<bool> Store::SetClientDisabled(db::Connection& c, const std::string& id, bool disabled) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE oidc_clients SET disabled = $2 WHERE client_id = $1",
                                     {id, int64_t{disabled ? 1 : 0}}));
  return n == 1;
}

Status Store::InsertKey(db::Connection& c, const StoredKey& k) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO oidc_keys (kid, alg, private_box, key_version, "
             "created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6)",
             {k.kid, k.alg, k.private_box, k.key_version, k.created_at, k.retired_at}));
  return {};
}

Result<std::vector<StoredKey>> Store::Keys(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT kid, alg, private_box, key_version, created_at, "
                                      "retired_at FROM oidc_keys ORDER BY created_at, kid"));
  std::vector<StoredKey> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back(
        {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Text(i, 4), r.Text(i, 5)});
  return out;
}

Status Store::RetireKeys(db::Connection& c, const std::string& at) {
  OW_RETURN_IF_ERROR(c.Exec("UPDATE oidc_keys SET retired_at = $1 WHERE retired_at = ''", {at}));
  return {};
}

Status Store::InsertCode(db::Connection& c, const AuthCode& k) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO oidc_codes (code_hash, client_id, account_id, session_id, redirect_uri, scope, "
      "nonce, code_challenge, acr, auth_time, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, $10, $11)",
      {k.code_hash, k.client_id, k.account_id, k.session_id, k.redirect_uri, k.scope, k.nonce,
       k.code_challenge, k.acr, k.auth_time, k.expires_at}));
  return {};
}

Result<std::optional<AuthCode>> Store::GetCode(db::Connection& c, const std::string& hash) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT code_hash, client_id, account_id, session_id, redirect_uri, scope, "
                      "nonce, code_challenge, acr, auth_time, expires_at, used_at, grant_id FROM "
                      "oidc_codes WHERE code_hash = $1",
                      {hash}));
  if (r.empty()) return std::optional<AuthCode>();
  AuthCode k{r.Text(0, 0),  r.Text(0, 1),  r.Text(0, 2), r.Text(0, 3), r.Text(0, 4),
             r.Text(0, 5),  r.Text(0, 6),  r.Text(0, 7), r.Text(0, 8), r.Int(0, 9),
             r.Text(0, 10), r.Text(0, 11), r.Text(0, 12)};
  return std::optional<AuthCode>(std::move(k));
}

Result<bool> Store::UseCode(db::Connection& c, const std::string& hash, const std::string& at,
                            const std::string& grant_id) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE oidc_codes SET used_at = $2, grant_id = $3 WHERE "
                                     "code_hash = $1 AND used_at = ''",
                                     {hash, at, grant_id}));
  return n == 1;
}

Status Store::InsertGrant(db::Connection& c, const Grant& g) {
  OW_RETURN_IF_ERROR(c.Exec(std::string("INSERT INTO oidc_grants (") + kGrantColumns +
                                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                            {g.id, g.client_id, g.account_id, g.session_id, g.scope, g.acr,
                             g.auth_time, g.created_at, g.expires_at, g.revoked_at}));
  return {};
}

Result<std::optional<Grant>> Store::GetGrant(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(
      auto r,
      c.Query(std::string("SELECT ") + kGrantColumns + " FROM oidc_grants WHERE id = $1", {id}));
  if (r.empty()) return std::optional<Grant>();
  Grant g{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4),
          r.Text(0, 5), r.Int(0, 6),  r.Text(0, 7), r.Text(0, 8), r.Text(0, 9)};
  return std::optional<Grant>(std::move(g));
}

Result<int64_t> Store::RevokeGrant(db::Connection& c, const std::string& id,
                                   const std::string& at) {
  return c.Exec("UPDATE oidc_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at = ''",
                {id, at});
}

Result<int64_t> Store::RevokeGrantsOfAccount(db::Connection& c, const std::string& account,
                                             const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("DELETE FROM oidc_codes WHERE account_id = $1 AND used_at = ''", {account}));
  return c.Exec("UPDATE oidc_grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at = ''",
                {account, at});
}

Result<int64_t> Store::RevokeGrantsOfSession(db::Connection& c, const std::string& session,
                                             const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("DELETE FROM oidc_codes WHERE session_id = $1 AND used_at = ''", {session}));
  return c.Exec("UPDATE oidc_grants SET revoked_at = $2 WHERE session_id = $1 AND revoked_at = ''",
                {session, at});
}

Status Store::InsertRefresh(db::Connection& c, const std::string& hash, const std::string& grant_id,
                            const std::string& at, const std::string& expires_at) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, "
             "expires_at) VALUES ($1, $2, $3, $4)",
             {hash, grant_id, at, expires_at}));
  return {};
}

Result<std::optional<Store::Refresh>> Store::GetRefresh(db::Connection& c,
                                                        const std::string& hash) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT grant_id, expires_at, used_at FROM "
                                      "oidc_refresh_tokens WHERE token_hash = $1",
                                      {hash}));
  if (r.empty()) return std::optional<Refresh>();
  return std::optional<Refresh>(Refresh{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2)});
}

Result<bool> Store::UseRefresh(db::Connection& c, const std::string& hash, const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE oidc_refresh_tokens SET used_at = $2 WHERE "
                                     "token_hash = $1 AND used_at = ''",
                                     {hash, at}));
  return n == 1;
}

Status Store::InsertTrust(db::Connection& c, const Trust& t) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO oidc_trusts (name, display_name, discovery_url, issuer, client_id, secret_box, "
      "key_version, assurance, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, $10)",
      {t.name, t.display_name, t.discovery_url, t.issuer, t.client_id, t.secret_box, t.key_version,
       t.assurance, t.created_by, t.created_at}));
  return {};
}

Result<std::vector<Trust>> Store::Trusts(db::Connection& c) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT name, display_name, discovery_url, issuer, "
                                      "client_id, secret_box, key_version, assurance, created_by, "
                                      "created_at FROM oidc_trusts ORDER BY name"));
  std::vector<Trust> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Int(i, 6), r.Text(i, 7), r.Text(i, 8), r.Text(i, 9)});
  return out;
}

Result<bool> Store::DeleteTrust(db::Connection& c, const std::string& name) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM oidc_trusts WHERE name = $1", {name}));
  return n == 1;
}

Status Store::InsertState(db::Connection& c, const FederationState& s) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO oidc_federation_states (state, trust, nonce, verifier, "
      "return_to, expires_at, browser_hash, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {s.state, s.trust, s.nonce, s.verifier, s.return_to, s.expires_at, s.browser_hash,
       s.account_id}));
  return {};
}

Result<std::optional<Store::FederationState>> Store::TakeState(db::Connection& c,
                                                               const std::string& state) {
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT state, trust, nonce, verifier, return_to, "
                              "expires_at, browser_hash, account_id FROM oidc_federation_states "
                              "WHERE state = $1",
                              {state}));
  if (r.empty()) return std::optional<FederationState>();
  OW_RETURN_IF_ERROR(c.Exec("DELETE FROM oidc_federation_states WHERE state = $1", {state}));
  return std::optional<FederationState>(FederationState{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2),
                                                        r.Text(0, 3), r.Text(0, 4), r.Text(0, 5),
                                                        r.Text(0, 6), r.Text(0, 7)});
}

}  // namespace ow::oidc
