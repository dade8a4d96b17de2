// identity::Service: login, sessions, CSRF tokens, logout and password change.
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/ids.h"
#include "identity/service.h"
#include "identity/store.h"

namespace ow::identity {

using std::chrono::system_clock;

Result<LoginResult> Service::Login(const LoginInput& in) {
  std::chrono::seconds retry{0};
  std::string username = LowerAscii(in.username);
  bool pair = false;
  if (throttle_.LoginBlocked(in.ip, username, std::chrono::system_clock::now(), &retry, &pair)) {
    (void)Audit(nullptr, {"login.throttled",
                          username,
                          "",
                          "denied",
                          in.ip,
                          {{"limit", pair ? "username_and_address" : "address"}}});
    return ResourceExhausted(std::string(pair ? "too many failed logins for this username from "
                                                "your address; try again in "
                                              : "too many failed logins from your address; "
                                                "try again in ") +
                                 std::to_string(retry.count()) + " seconds",
                             retry);
  }
  if (in.username.empty() || in.password.empty())
    return Error(Code::kInvalidArgument, "login", {{"username", "and password are required"}});
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::FindByUsername(c, username));
    return {};
  }));
  // Every path spends one argon2id verification (unknown names against a dummy hash)
  // and answers failures alike, so neither the answer nor its timing tells whether the
  // name exists, is disabled, or how many tries are left.
  bool verified = hasher_.Verify(in.password, row ? row->password_hash : dummy_hash_);
  const char* reason = !row                              ? "unknown user"
                       : row->account.status != "active" ? "disabled"
                       : !verified                       ? "wrong password"
                                                         : nullptr;
  if (reason) {
    throttle_.LoginFailed(in.ip, username, std::chrono::system_clock::now());
    (void)Audit(nullptr, {"login.failed",
                          username,
                          row ? row->account.id : "",
                          row && row->account.status != "active" ? "denied" : "failure",
                          in.ip,
                          {{"reason", reason}}});
    return Unauthenticated("wrong username or password");
  }
  Account& a = row->account;
  throttle_.LoginSucceeded(in.ip, username);
  if (hasher_.NeedsRehash(row->password_hash)) {
    std::string fresh = hasher_.Hash(in.password);
    if (!fresh.empty()) {
      OW_RETURN_IF_ERROR(db_.Transact(
          [&](db::Connection& c) -> Status { return Store::SetPasswordHash(c, a.id, fresh); }));
    }
  }
  // A password proves the account, not the person: the level is the account's proofing.
  return StartSession(a.id, LevelName(a.identity_level), "", in.ip, in.user_agent);
}

Result<LoginResult> Service::StartSession(const std::string& account_id, const std::string& acr,
                                          const std::string& idp, const std::string& ip,
                                          const std::string& user_agent) {
  auto now = system_clock::now();
  LoginResult out;
  std::string secret = crypto::RandomToken(32);
  SessionRow s;
  s.session.id = "ses_" + crypto::RandomToken(16);
  s.session.account_id = account_id;
  s.session.created_at = s.session.last_seen_at = FormatTime(now);
  s.session.expires_at = FormatTime(now + std::chrono::hours(config_.session_hours));
  s.session.ip = ip;
  s.session.user_agent = user_agent.substr(0, 200);
  s.session.acr = acr;
  s.session.idp = idp;
  s.secret_hash = crypto::Base64UrlEncode(crypto::Sha256(secret));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out.account, Load(c, account_id));
    OW_RETURN_IF_ERROR(Store::SetLoginState(c, account_id, 0, "", s.session.created_at));
    OW_RETURN_IF_ERROR(Store::InsertSession(c, s));
    return Audit(&c, {"login.succeeded",
                      out.account.username,
                      account_id,
                      "success",
                      ip,
                      {{"session", s.session.id}, {"acr", acr}, {"idp", idp}}});
  }));
  out.session = s.session;
  out.cookie_value = s.session.id + "." + secret;
  out.csrf_token = CsrfToken(s.session.id);
  return out;
}

Result<Principal> Service::SessionPrincipal(const std::string& cookie_value) {
  auto dot = cookie_value.find('.');
  if (dot == std::string::npos || cookie_value.size() > 200)
    return Unauthenticated("the session is not valid; log in again");
  std::string id = cookie_value.substr(0, dot);
  std::string hash = crypto::Base64UrlEncode(crypto::Sha256(cookie_value.substr(dot + 1)));
  auto now = system_clock::now();
  std::string now_text = FormatTime(now);
  std::optional<SessionRow> s;
  Account a;
  // The session, its account and roles in one statement (one round trip on PostgreSQL).
  std::optional<SessionWithAccount> found;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(found, Store::GetSessionWithAccount(c, id));
    return {};
  }));
  if (found) s = std::move(found->session);
  if (!s || !crypto::ConstantTimeEquals(s->secret_hash, hash))
    return Unauthenticated("the session is not valid; log in again");
  if (!found->account) return NotFound("no account " + s->session.account_id);
  a = std::move(found->account->account);
  auto last = ParseTime(s->session.last_seen_at);
  bool idle = !last || *last + std::chrono::minutes(config_.session_idle_minutes) <= now;
  if (s->session.expires_at <= now_text || idle || a.status != "active") {
    // Best effort: an ended session is refused either way; the row goes now or with the
    // account's next logout everywhere.
    (void)db_.Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(Store::DeleteSession(c, id));
      return {};
    });
    return Unauthenticated("the session has ended; log in again");
  }
  if (*last + std::chrono::minutes(1) <= now) {
    // Idle tracking to the minute: at most one write per session per minute.
    (void)db_.Transact([&](db::Connection& c) { return Store::TouchSession(c, id, now_text); });
  }
  Principal p;
  p.account_id = a.id;
  p.username = a.username;
  p.kind = a.kind;
  // Staff roles come only with a local login: a session from a peer platform acts as
  // the person, never as staff or administrator.
  if (s->session.idp.empty()) p.roles = a.roles;
  p.session_id = s->session.id;
  // The level of the identity behind the session: the account's proofing (which may rise
  // during the session), capped for a federated login by what the peer asserted.
  int level = a.identity_level;
  if (!s->session.idp.empty()) level = std::min(level, std::max(1, LevelOf(s->session.acr)));
  p.acr = LevelName(level);
  p.idp = s->session.idp;
  p.via = authz::Via::kSession;
  p.name_for_audit = a.username;
  return p;
}

std::string Service::CsrfToken(const std::string& session_id) const {
  return crypto::Base64UrlEncode(crypto::HmacSha256(csrf_key_, session_id));
}

bool Service::CheckCsrf(const std::string& session_id, std::string_view token) const {
  return crypto::ConstantTimeEquals(CsrfToken(session_id), token);
}

Status Service::Logout(const Principal& who) {
  if (who.session_id.empty()) return FailedPrecondition("this request has no session to end");
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::DeleteSession(c, who.session_id));
    return Audit(&c, {"session.ended",
                      who.name_for_audit,
                      who.account_id,
                      "success",
                      "",
                      {{"session", who.session_id}}});
  }));
  for (const auto& hook : session_hooks_) hook(who.session_id);
  return {};
}

Result<int64_t> Service::LogoutEverywhere(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kUpdateAccount, {"", "", who.account_id}));
  int64_t n = 0;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(n, Store::DeleteSessionsOf(c, who.account_id));
    return Audit(&c, {"session.ended_everywhere",
                      who.name_for_audit,
                      who.account_id,
                      "success",
                      "",
                      {{"sessions", std::to_string(n)}}});
  }));
  for (const auto& hook : hooks_) hook(who.account_id, "");
  return n;
}

Result<std::vector<Session>> Service::Sessions(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadAccount, {"", "", who.account_id}));
  std::vector<Session> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::SessionsOf(c, who.account_id));
    return {};
  }));
  return out;
}

Status Service::ChangePassword(const Principal& who, const std::string& current,
                               const std::string& next) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kUpdateAccount, {"", "", who.account_id}));
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, who.account_id));
    return {};
  }));
  if (!row) return NotFound("no such account");
  if (!hasher_.Verify(current, row->password_hash))
    return Error(Code::kInvalidArgument, "password",
                 {{"current_password", "is not your current password"}});
  Validator v;
  CheckPassword(next, row->account.username, v);
  OW_RETURN_IF_ERROR(v.Finish("password"));
  std::string hash = hasher_.Hash(next);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::SetPasswordHash(c, who.account_id, hash));
    // Other sessions end: whoever knew the old password is logged out.
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM identity_sessions WHERE account_id = $1 AND id <> $2",
                              {who.account_id, who.session_id}));
    return Audit(&c, {"password.changed", who.name_for_audit, who.account_id, "success", "", {}});
  }));
  // And so are the relying parties that got tokens with it.
  for (const auto& hook : hooks_) hook(who.account_id, "");
  return {};
}

}  // namespace ow::identity
