#include "identity/store.h"

#include <string_view>

#include "core/text.h"

namespace ow::identity {

std::vector<db::Migration> Migrations() {
  return {{"identity/001_init", R"sql(
CREATE TABLE identity_accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  username TEXT NOT NULL UNIQUE,
  real_name TEXT NOT NULL,
  resident_id_box TEXT NOT NULL DEFAULT '',
  resident_id_key INTEGER NOT NULL DEFAULT 0,
  resident_id_hmac TEXT UNIQUE,
  resident_id_masked TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  department_code TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT NOT NULL DEFAULT '',
  last_login_at TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX identity_accounts_staff ON identity_accounts(kind, username);
CREATE TABLE identity_roles (
  account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  role TEXT NOT NULL,
  department_code TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL DEFAULT '',
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (account_id, role, department_code, region_code)
);
CREATE UNIQUE INDEX identity_roles_one_admin_duty ON identity_roles(account_id)
  WHERE role IN ('system_admin', 'security_admin', 'audit_admin');
CREATE TABLE identity_sessions (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  acr TEXT NOT NULL DEFAULT '',
  idp TEXT NOT NULL DEFAULT ''
);
CREATE INDEX identity_sessions_account ON identity_sessions(account_id, created_at);
CREATE TABLE identity_agents (
  id TEXT PRIMARY KEY,
  agent_account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  principal_account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  scope TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX identity_agents_principal ON identity_agents(principal_account_id, created_at);
CREATE INDEX identity_agents_pair ON identity_agents(agent_account_id, principal_account_id);
CREATE TABLE identity_enterprises (
  credit_code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE identity_operators (
  credit_code TEXT NOT NULL REFERENCES identity_enterprises(credit_code),
  account_id TEXT NOT NULL REFERENCES identity_accounts(id),
  administrator INTEGER NOT NULL,
  rights TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (credit_code, account_id)
);
CREATE INDEX identity_operators_account ON identity_operators(account_id);
)sql",
           ""},
          // Identity proofing. The number an account typed is only a claim
          // (resident_id_claim, not unique: an impostor who registers first must not block
          // the owner); resident_id_hmac, whose UNIQUE constraint stays, now holds the
          // number of the one account that proved it (identity_level >= 2), so the
          // database itself keeps a number verified for one account at most.
          {"identity/002_proofing", R"sql(
ALTER TABLE identity_accounts ADD COLUMN resident_id_claim TEXT;
ALTER TABLE identity_accounts ADD COLUMN identity_level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE identity_accounts ADD COLUMN verified_at TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_accounts ADD COLUMN verified_by TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_accounts ADD COLUMN verification_method TEXT NOT NULL DEFAULT '';
UPDATE identity_accounts SET resident_id_claim = resident_id_hmac;
UPDATE identity_accounts SET resident_id_hmac = NULL;
CREATE INDEX identity_accounts_claim ON identity_accounts(resident_id_claim);
)sql",
           ""}};
}

namespace {

constexpr const char* kAccountColumns =
    "id, kind, username, real_name, resident_id_box, resident_id_key, resident_id_claim, "
    "resident_id_masked, phone, department_code, region_code, password_hash, status, "
    "failed_logins, locked_until, last_login_at, created_at, version, identity_level, "
    "verified_at, verified_by, verification_method";

// The account in row `i`, its columns (kAccountColumns) from column `off` on.
AccountRow AccountAt(const db::Rows& r, size_t i, size_t off) {
  AccountRow row;
  Account& a = row.account;
  a.id = r.Text(i, off + 0);
  a.kind = r.Text(i, off + 1);
  a.username = r.Text(i, off + 2);
  a.real_name = r.Text(i, off + 3);
  row.resident_id_box = r.Text(i, off + 4);
  row.resident_id_key = r.Int(i, off + 5);
  row.resident_id_hmac = r.OptText(i, off + 6).value_or("");
  a.resident_id_masked = r.Text(i, off + 7);
  a.phone = r.Text(i, off + 8);
  a.department_code = r.Text(i, off + 9);
  a.region_code = r.Text(i, off + 10);
  row.password_hash = r.Text(i, off + 11);
  a.status = r.Text(i, off + 12);
  a.failed_logins = r.Int(i, off + 13);
  a.locked_until = r.Text(i, off + 14);
  a.last_login_at = r.Text(i, off + 15);
  a.created_at = r.Text(i, off + 16);
  a.version = r.Int(i, off + 17);
  a.identity_level = static_cast<int>(r.Int(i, off + 18));
  a.verified_at = r.Text(i, off + 19);
  row.verified_by = r.Text(i, off + 20);
  a.verification_method = r.Text(i, off + 21);
  return row;
}

std::vector<AccountRow> ToAccounts(const db::Rows& r) {
  std::vector<AccountRow> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(AccountAt(r, i, 0));
  return out;
}

Result<std::optional<AccountRow>> OneAccount(db::Connection& c, const std::string& where,
                                             const std::string& value) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kAccountColumns +
                                          " FROM identity_accounts WHERE " + where + " = $1",
                                      {value}));
  auto rows = ToAccounts(r);
  if (rows.empty()) return std::optional<AccountRow>();
  return std::optional<AccountRow>(std::move(rows[0]));
}

db::Value OrNull(const std::string& s) { return s.empty() ? db::Value() : db::Value(s); }

}  // namespace

Status Store::InsertAccount(db::Connection& c, const AccountRow& row) {
  const Account& a = row.account;
  OW_RETURN_IF_ERROR(
      c.Exec(std::string("INSERT INTO identity_accounts (") + kAccountColumns +
                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                 "$17, $18, $19, $20, $21, $22)",
             {a.id,
              a.kind,
              a.username,
              a.real_name,
              row.resident_id_box,
              row.resident_id_key,
              OrNull(row.resident_id_hmac),
              a.resident_id_masked,
              a.phone,
              a.department_code,
              a.region_code,
              row.password_hash,
              a.status,
              a.failed_logins,
              a.locked_until,
              a.last_login_at,
              a.created_at,
              a.version,
              int64_t{kLevelSelfAsserted},
              "",
              "",
              ""}));
  return {};
}

Result<std::optional<AccountRow>> Store::GetAccount(db::Connection& c, const std::string& id) {
  return OneAccount(c, "id", id);
}
Result<std::optional<AccountRow>> Store::GetAccountWithRoles(db::Connection& c,
                                                             const std::string& id) {
  // One row per role (one with NULL roles when there is none): one round trip, not two.
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string("SELECT a.*, r.role, r.department_code, r.region_code, "
                                  "r.granted_by, r.granted_at FROM (SELECT ") +
                          kAccountColumns +
                          " FROM identity_accounts WHERE id = $1) a LEFT JOIN identity_roles r "
                          "ON r.account_id = a.id ORDER BY r.role, r.department_code, "
                          "r.region_code",
                      {id}));
  auto rows = ToAccounts(r);
  if (rows.empty()) return std::optional<AccountRow>();
  AccountRow out = std::move(rows[0]);
  const size_t k = 22;  // the first role column, after kAccountColumns
  for (size_t i = 0; i < r.size(); ++i) {
    if (r.IsNull(i, k)) continue;
    out.account.roles.push_back(
        {r.Text(i, k), r.Text(i, k + 1), r.Text(i, k + 2), r.Text(i, k + 3), r.Text(i, k + 4)});
  }
  return std::optional<AccountRow>(std::move(out));
}
Result<std::optional<AccountRow>> Store::FindByUsername(db::Connection& c,
                                                        const std::string& username) {
  return OneAccount(c, "username", username);
}
Result<std::optional<AccountRow>> Store::FindVerifiedByResident(db::Connection& c,
                                                                const std::string& hmac) {
  return OneAccount(c, "resident_id_hmac", hmac);
}

Result<std::vector<AccountRow>> Store::FindClaims(db::Connection& c, const std::string& hmac) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kAccountColumns +
                                          " FROM identity_accounts WHERE resident_id_claim = $1 "
                                          "ORDER BY created_at, id LIMIT 100",
                                      {hmac}));
  return ToAccounts(r);
}

Status Store::SetVerified(db::Connection& c, const std::string& id, int level,
                          const std::string& at, const std::string& by, const std::string& method) {
  OW_ASSIGN_OR_RETURN(auto n,
                      c.Exec("UPDATE identity_accounts SET identity_level = $2, verified_at = $3, "
                             "verified_by = $4, verification_method = $5, resident_id_hmac = "
                             "resident_id_claim, version = version + 1 WHERE id = $1 AND "
                             "resident_id_claim IS NOT NULL AND identity_level < $2",
                             {id, int64_t{level}, at, by, method}));
  if (n != 1) return FailedPrecondition("the account cannot be raised to this level");
  return {};
}

Status Store::Freeze(db::Connection& c, const std::string& id) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE identity_accounts SET status = 'frozen', identity_level = 1, "
             "resident_id_hmac = NULL, version = version + 1 WHERE id = $1",
             {id}));
  return {};
}

Result<int64_t> Store::CountFailedLogin(db::Connection& c, const std::string& id) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE identity_accounts SET failed_logins = failed_logins + 1 WHERE id = $1", {id}));
  OW_ASSIGN_OR_RETURN(auto r,
                      c.Query("SELECT failed_logins FROM identity_accounts WHERE id = $1", {id}));
  if (r.empty()) return NotFound("no account " + id);
  return r.Int(0, 0);
}

Status Store::SetLoginState(db::Connection& c, const std::string& id, int64_t failed,
                            const std::string& locked_until, const std::string& last_login_at) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE identity_accounts SET failed_logins = $2, locked_until = $3, "
             "last_login_at = CASE WHEN $4 = '' THEN last_login_at ELSE $4 END WHERE id = $1",
             {id, failed, locked_until, last_login_at}));
  return {};
}

Status Store::SetPasswordHash(db::Connection& c, const std::string& id, const std::string& hash) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE identity_accounts SET password_hash = $2, version = version + 1 WHERE id = $1",
             {id, hash}));
  return {};
}

Result<bool> Store::SetStatus(db::Connection& c, const std::string& id, const std::string& status) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE identity_accounts SET status = $2, version = "
                                     "version + 1 WHERE id = $1",
                                     {id, status}));
  return n == 1;
}

Result<std::vector<Account>> Store::ListStaff(db::Connection& c, const std::string& after,
                                              int limit) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kAccountColumns +
                                          " FROM identity_accounts WHERE kind = 'staff' AND "
                                          "username > $1 ORDER BY username LIMIT $2",
                                      {after, int64_t{limit}}));
  std::vector<Account> out;
  for (auto& row : ToAccounts(r)) out.push_back(std::move(row.account));
  return out;
}

Result<std::vector<Role>> Store::Roles(db::Connection& c, const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT role, department_code, region_code, granted_by, "
                                      "granted_at FROM identity_roles WHERE account_id = $1 "
                                      "ORDER BY role, department_code, region_code",
                                      {account_id}));
  std::vector<Role> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Status Store::GrantRole(db::Connection& c, const std::string& account_id, const Role& r) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO identity_roles (account_id, role, department_code, region_code, granted_by, "
      "granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
      {account_id, r.role, r.department_code, r.region_code, r.granted_by, r.granted_at}));
  return {};
}

Result<bool> Store::RevokeRole(db::Connection& c, const std::string& account_id, const Role& r) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM identity_roles WHERE account_id = $1 AND role = "
                                     "$2 AND department_code = $3 AND region_code = $4",
                                     {account_id, r.role, r.department_code, r.region_code}));
  return n == 1;
}

namespace {
constexpr const char* kSessionColumns =
    "id, account_id, created_at, expires_at, last_seen_at, ip, user_agent, acr, idp, secret_hash";
// "a, b" with prefix "x." -> "x.a, x.b".
std::string Prefixed(std::string_view columns, std::string_view prefix) {
  std::string out;
  size_t start = 0;
  while (start < columns.size()) {
    size_t comma = columns.find(',', start);
    if (comma == std::string_view::npos) comma = columns.size();
    std::string_view name = columns.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    out += (out.empty() ? "" : ", ") + std::string(prefix) + std::string(name);
    start = comma + 1;
  }
  return out;
}

std::vector<SessionRow> ToSessions(const db::Rows& r) {
  std::vector<SessionRow> out;
  for (size_t i = 0; i < r.size(); ++i) {
    SessionRow s;
    s.session = {r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                 r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), r.Text(i, 8)};
    s.secret_hash = r.Text(i, 9);
    out.push_back(std::move(s));
  }
  return out;
}
}  // namespace

Status Store::InsertSession(db::Connection& c, const SessionRow& row) {
  const Session& s = row.session;
  OW_RETURN_IF_ERROR(c.Exec(std::string("INSERT INTO identity_sessions (") + kSessionColumns +
                                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                            {s.id, s.account_id, s.created_at, s.expires_at, s.last_seen_at, s.ip,
                             s.user_agent, s.acr, s.idp, row.secret_hash}));
  return {};
}

Result<std::optional<SessionRow>> Store::GetSession(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kSessionColumns +
                                          " FROM identity_sessions WHERE id = $1",
                                      {id}));
  auto rows = ToSessions(r);
  if (rows.empty()) return std::optional<SessionRow>();
  return std::optional<SessionRow>(std::move(rows[0]));
}

Result<std::optional<SessionWithAccount>> Store::GetSessionWithAccount(db::Connection& c,
                                                                       const std::string& id) {
  // One row per role of the session's account (one with NULL roles when it has none, NULL
  // account columns when the account is gone): one round trip for all three.
  static const std::string sql =
      "SELECT " + Prefixed(kSessionColumns, "s.") + ", " + Prefixed(kAccountColumns, "a.") +
      ", r.role, r.department_code, r.region_code, r.granted_by, r.granted_at "
      "FROM identity_sessions s LEFT JOIN identity_accounts a ON a.id = s.account_id "
      "LEFT JOIN identity_roles r ON r.account_id = a.id WHERE s.id = $1 "
      "ORDER BY r.role, r.department_code, r.region_code";
  OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, {id}));
  auto sessions = ToSessions(r);
  if (sessions.empty()) return std::optional<SessionWithAccount>();
  SessionWithAccount out;
  out.session = std::move(sessions[0]);
  constexpr size_t kAccount = 10, kRole = kAccount + 22;  // after kSessionColumns, kAccountColumns
  if (!r.IsNull(0, kAccount)) {
    out.account = AccountAt(r, 0, kAccount);
    for (size_t i = 0; i < r.size(); ++i) {
      if (r.IsNull(i, kRole)) continue;
      out.account->account.roles.push_back({r.Text(i, kRole), r.Text(i, kRole + 1),
                                            r.Text(i, kRole + 2), r.Text(i, kRole + 3),
                                            r.Text(i, kRole + 4)});
    }
  }
  return std::optional<SessionWithAccount>(std::move(out));
}

Status Store::TouchSession(db::Connection& c, const std::string& id, const std::string& at) {
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE identity_sessions SET last_seen_at = $2 WHERE id = $1", {id, at}));
  return {};
}

Result<int64_t> Store::DeleteSession(db::Connection& c, const std::string& id) {
  return c.Exec("DELETE FROM identity_sessions WHERE id = $1", {id});
}

Result<int64_t> Store::DeleteSessionsOf(db::Connection& c, const std::string& account_id) {
  return c.Exec("DELETE FROM identity_sessions WHERE account_id = $1", {account_id});
}

Result<std::vector<Session>> Store::SessionsOf(db::Connection& c, const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string("SELECT ") + kSessionColumns +
                                          " FROM identity_sessions WHERE account_id = $1 "
                                          "ORDER BY created_at DESC, id LIMIT 200",
                                      {account_id}));
  std::vector<Session> out;
  for (auto& s : ToSessions(r)) out.push_back(std::move(s.session));
  return out;
}

namespace {
constexpr const char* kAgentSelect =
    "SELECT g.id, g.agent_account_id, a.username, g.principal_account_id, p.real_name, g.scope, "
    "g.created_at, g.expires_at, g.revoked_at FROM identity_agents g "
    "JOIN identity_accounts a ON a.id = g.agent_account_id "
    "JOIN identity_accounts p ON p.id = g.principal_account_id ";
std::vector<AgentAuthorization> ToAgents(const db::Rows& r) {
  std::vector<AgentAuthorization> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), r.Text(i, 8)});
  return out;
}
}  // namespace

Status Store::InsertAgent(db::Connection& c, const AgentAuthorization& a) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO identity_agents (id, agent_account_id, principal_account_id, scope, "
      "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
      {a.id, a.agent_account_id, a.principal_account_id, a.scope, a.created_at, a.expires_at}));
  return {};
}

Result<std::vector<AgentAuthorization>> Store::AgentsOf(db::Connection& c,
                                                        const std::string& principal) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string(kAgentSelect) + "WHERE g.principal_account_id = $1 "
                                                  "ORDER BY g.created_at DESC, g.id LIMIT 200",
                      {principal}));
  return ToAgents(r);
}

Result<std::vector<AgentAuthorization>> Store::LiveAgent(db::Connection& c,
                                                         const std::string& agent,
                                                         const std::string& principal,
                                                         const std::string& now) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string(kAgentSelect) +
                                          "WHERE g.agent_account_id = $1 AND "
                                          "g.principal_account_id = $2 AND g.revoked_at = '' "
                                          "AND g.expires_at > $3 ORDER BY g.id",
                                      {agent, principal, now}));
  return ToAgents(r);
}

Result<bool> Store::RevokeAgent(db::Connection& c, const std::string& id,
                                const std::string& principal, const std::string& at) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE identity_agents SET revoked_at = $3 WHERE id = $1 "
                                     "AND principal_account_id = $2 AND revoked_at = ''",
                                     {id, principal, at}));
  return n == 1;
}

Status Store::InsertEnterprise(db::Connection& c, const Enterprise& e) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO identity_enterprises (credit_code, name, created_at) VALUES ($1, $2, $3)",
             {e.credit_code, e.name, e.created_at}));
  return {};
}

Result<std::optional<Enterprise>> Store::GetEnterprise(db::Connection& c,
                                                       const std::string& credit_code) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query("SELECT credit_code, name, created_at FROM "
                                      "identity_enterprises WHERE credit_code = $1",
                                      {credit_code}));
  if (r.empty()) return std::optional<Enterprise>();
  return std::optional<Enterprise>(Enterprise{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2)});
}

Status Store::UpsertOperator(db::Connection& c, const Operator& o) {
  OW_RETURN_IF_ERROR(
      c.Exec("INSERT INTO identity_operators (credit_code, account_id, administrator, rights, "
             "granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credit_code, "
             "account_id) DO UPDATE SET administrator = excluded.administrator, rights = "
             "excluded.rights, granted_by = excluded.granted_by, granted_at = excluded.granted_at",
             {o.credit_code, o.account_id, int64_t{o.administrator ? 1 : 0},
              text::JsonStringList(o.rights), o.granted_by, o.granted_at}));
  return {};
}

namespace {
std::vector<Operator> ToOperators(const db::Rows& r) {
  std::vector<Operator> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3) != 0,
                   text::ParseJsonStringList(r.Text(i, 4)), r.Text(i, 5), r.Text(i, 6),
                   r.Text(i, 7)});
  return out;
}
constexpr const char* kOperatorSelect =
    "SELECT o.credit_code, o.account_id, a.username, o.administrator, o.rights, o.granted_by, "
    "o.granted_at, e.name FROM identity_operators o JOIN identity_accounts a ON a.id = "
    "o.account_id JOIN identity_enterprises e ON e.credit_code = o.credit_code ";
}  // namespace

Result<std::vector<Operator>> Store::Operators(db::Connection& c, const std::string& credit_code) {
  OW_ASSIGN_OR_RETURN(
      auto r, c.Query(std::string(kOperatorSelect) + "WHERE o.credit_code = $1 ORDER BY a.username",
                      {credit_code}));
  return ToOperators(r);
}

Result<std::optional<Operator>> Store::OperatorOf(db::Connection& c, const std::string& credit_code,
                                                  const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string(kOperatorSelect) +
                                          "WHERE o.credit_code = $1 AND o.account_id = $2",
                                      {credit_code, account_id}));
  auto ops = ToOperators(r);
  if (ops.empty()) return std::optional<Operator>();
  return std::optional<Operator>(std::move(ops.front()));
}

Result<std::vector<Operator>> Store::EnterprisesOf(db::Connection& c,
                                                   const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto r, c.Query(std::string(kOperatorSelect) +
                                          "WHERE o.account_id = $1 ORDER BY o.credit_code",
                                      {account_id}));
  return ToOperators(r);
}

Result<bool> Store::DeleteOperator(db::Connection& c, const std::string& credit_code,
                                   const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM identity_operators WHERE credit_code = $1 AND "
                                     "account_id = $2",
                                     {credit_code, account_id}));
  return n == 1;
}

}  // namespace ow::identity
