#include "oidc/federation.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "authz/authz.h"
#include "core/clock.h"
#include "core/json_members.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/request_helpers.h"
#include "oidc/store.h"

namespace ow::oidc {

namespace json = boost::json;
using std::chrono::system_clock;

namespace {

using json_members::Str;

constexpr auto kDocsTtl = std::chrono::minutes(5);
constexpr auto kStateLifetime = std::chrono::minutes(10);
// A peer's acr as one of our levels (model.h): ours, or the eIDAS levels of assurance
// (the same scale); anything else, or none, is level 1 (nothing proven).
int PeerLevel(const std::string& acr) {
  if (int ours = identity::LevelOf(acr); ours > 0) return ours;
  if (acr == "http://eidas.europa.eu/LoA/substantial") return identity::kLevelRemote;
  if (acr == "http://eidas.europa.eu/LoA/high") return identity::kLevelInPerson;
  return identity::kLevelSelfAsserted;
}

bool LoopbackOrHttps(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return false;
  if (u->scheme() == "https") return !u->host().empty();
  return u->scheme() == "http" && (u->host() == "127.0.0.1" || u->host() == "localhost");
}

Result<json::object> FetchJson(const std::string& url) {
  http::FetchRequest req;
  req.url = url;
  req.headers = {{"Accept", "application/json"}};
  OW_ASSIGN_OR_RETURN(auto res, http::Fetch(req));
  if (res.status != 200) return Unavailable(url + " answered HTTP " + std::to_string(res.status));
  boost::system::error_code ec;
  auto v = json::parse(res.body, ec);
  if (ec || !v.is_object()) return Unavailable(url + " did not answer a JSON object");
  return std::move(v.as_object());
}

}  // namespace

Federation::Federation(db::Database& db, identity::Service& identity, Provider& provider)
    : db_(db), identity_(identity), provider_(provider) {}

std::string Federation::CallbackUrl(const std::string& trust) const {
  return provider_.issuer() + "/oauth2/federation/" + trust + "/callback";
}

Result<Trust> Federation::AddTrust(const identity::Principal& by, const TrustInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageTrusts));
  Validator v;
  bool name_ok = in.name.size() >= 2 && in.name.size() <= 40 &&
                 std::all_of(in.name.begin(), in.name.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                 });
  if (!name_ok) v.Add("name", "must be 2 to 40 characters: a-z, 0-9 and '-'");
  if (!text::IsValidUtf8(in.display_name) || text::CodePoints(in.display_name) < 2 ||
      text::CodePoints(in.display_name) > 100)
    v.Add("display_name", "must be 2 to 100 characters");
  constexpr std::string_view kWellKnown = "/.well-known/openid-configuration";
  bool url_ok = LoopbackOrHttps(in.discovery_url) && in.discovery_url.size() > kWellKnown.size() &&
                in.discovery_url.compare(in.discovery_url.size() - kWellKnown.size(),
                                         kWellKnown.size(), kWellKnown) == 0;
  if (!url_ok)
    v.Add("discovery_url",
          "must be an https URL (http only to loopback) ending in " + std::string(kWellKnown));
  if (in.client_id.empty() || in.client_id.size() > 200) v.Add("client_id", "is required");
  if (in.client_secret.empty() || in.client_secret.size() > 500)
    v.Add("client_secret", "is required");
  if (identity::LevelOf(in.assurance) == 0)
    v.Add("assurance", "must be ow:loa:1, ow:loa:2 or ow:loa:3");
  OW_RETURN_IF_ERROR(v.Finish("trust"));
  OW_ASSIGN_OR_RETURN(auto discovery, FetchJson(in.discovery_url));
  std::string issuer = Str(discovery, "issuer");
  std::string expected = in.discovery_url.substr(0, in.discovery_url.size() - kWellKnown.size());
  if (issuer != expected)
    return Error(Code::kInvalidArgument, "trust",
                 {{"discovery_url", "the document's issuer (" + issuer + ") is not " + expected}});
  for (const char* k : {"authorization_endpoint", "token_endpoint", "jwks_uri"})
    if (!LoopbackOrHttps(Str(discovery, k)))
      return Error(Code::kInvalidArgument, "trust",
                   {{"discovery_url", std::string("the document has no usable ") + k}});

  const auto& keys = identity_.keys();
  auto sealer = keys.data_keys.rbegin();
  Trust t;
  t.name = in.name;
  t.display_name = in.display_name;
  t.discovery_url = in.discovery_url;
  t.issuer = issuer;
  t.client_id = in.client_id;
  OW_ASSIGN_OR_RETURN(auto box, sealer->second.Seal(in.client_secret, "oidc_trusts:" + in.name));
  t.secret_box = crypto::Base64UrlEncode(box);
  t.key_version = sealer->first;
  t.assurance = in.assurance;
  t.created_by = by.name_for_audit;
  t.created_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto all, Store::Trusts(c));
    for (const auto& x : all)
      if (x.name == t.name) return AlreadyExists("a trust named " + t.name + " exists");
    return Store::InsertTrust(c, t);
  }));
  log::Info("oidc.trust_added",
            {{"name", t.name}, {"issuer", t.issuer}, {"by", by.name_for_audit}});
  return t;
}

Result<std::vector<Trust>> Federation::Trusts() {
  std::vector<Trust> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Trusts(c));
    return {};
  }));
  return out;
}

Status Federation::RemoveTrust(const identity::Principal& by, const std::string& name) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageTrusts));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::DeleteTrust(c, name));
    if (!found) return NotFound("no trust " + name);
    return {};
  }));
  std::lock_guard<std::mutex> lock(mu_);
  docs_.erase(name);
  return {};
}

Result<Trust> Federation::FindTrust(const std::string& name) {
  OW_ASSIGN_OR_RETURN(auto all, Trusts());
  for (auto& t : all)
    if (t.name == name) return t;
  return NotFound("no trusted platform " + name);
}

Result<Federation::PeerDocs> Federation::Docs(const Trust& t, bool refresh_jwks) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = docs_.find(t.name);
    if (it != docs_.end() && !refresh_jwks &&
        std::chrono::steady_clock::now() - it->second.fetched < kDocsTtl)
      return it->second;
  }
  PeerDocs d;
  OW_ASSIGN_OR_RETURN(d.discovery, FetchJson(t.discovery_url));
  if (Str(d.discovery, "issuer") != t.issuer)
    return Unavailable("the peer's issuer changed; the trust must be registered again");
  std::string jwks_uri = Str(d.discovery, "jwks_uri");
  if (!LoopbackOrHttps(jwks_uri)) return Unavailable("the peer has no usable jwks_uri");
  OW_ASSIGN_OR_RETURN(d.jwks, FetchJson(jwks_uri));
  d.fetched = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  docs_[t.name] = d;
  return d;
}

Result<Federation::Started> Federation::StartLogin(const std::string& trust,
                                                   const std::string& return_to) {
  return Start(trust, return_to, "");
}

Result<Federation::Started> Federation::StartVerification(const identity::Principal& who,
                                                          const std::string& trust,
                                                          const std::string& return_to) {
  // The person's own portal session, not a relying party's token or staff.
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kUpdateAccount, {"", "", who.account_id}));
  if (who.kind != identity::kPerson || who.session_id.empty())
    return FailedPrecondition("only a natural person verifies their identity, from the portal");
  return Start(trust, return_to, who.account_id);
}

Result<Federation::Started> Federation::Start(const std::string& trust,
                                              const std::string& return_to,
                                              const std::string& account_id) {
  // Only local paths: never an open redirect to another site.
  auto back =
      return_to.empty() ? std::optional<std::string>("/") : http::SafeLocalTarget(return_to);
  if (!back)
    return Error(Code::kInvalidArgument, "login", {{"return", "must be a path on this site"}});
  OW_ASSIGN_OR_RETURN(auto t, FindTrust(trust));
  OW_ASSIGN_OR_RETURN(auto docs, Docs(t, false));
  Started out;
  out.browser = crypto::RandomToken(24);
  Store::FederationState s;
  s.state = crypto::RandomToken(24);
  s.trust = t.name;
  s.nonce = crypto::RandomToken(24);
  s.verifier = crypto::RandomToken(32);
  s.return_to = *back;
  s.browser_hash = crypto::Base64UrlEncode(crypto::Sha256(out.browser));
  s.account_id = account_id;
  s.expires_at = FormatTime(system_clock::now() + kStateLifetime);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) { return Store::InsertState(c, s); }));
  boost::urls::url u(Str(docs.discovery, "authorization_endpoint"));
  auto p = u.params();
  p.append({"response_type", "code"});
  p.append({"client_id", t.client_id});
  p.append({"redirect_uri", CallbackUrl(t.name)});
  p.append({"scope", "openid resident_id"});
  p.append({"state", s.state});
  p.append({"nonce", s.nonce});
  p.append({"code_challenge", crypto::Base64UrlEncode(crypto::Sha256(s.verifier))});
  p.append({"code_challenge_method", "S256"});
  out.url = std::string(u.buffer());
  return out;
}

Result<Federation::PeerAccess> Federation::Peer(const std::string& trust, bool refresh_jwks) {
  OW_ASSIGN_OR_RETURN(auto t, FindTrust(trust));
  OW_ASSIGN_OR_RETURN(auto docs, Docs(t, refresh_jwks));
  std::string token_endpoint = Str(docs.discovery, "token_endpoint");
  if (!LoopbackOrHttps(token_endpoint)) return Unavailable("the peer has no usable token_endpoint");
  OW_ASSIGN_OR_RETURN(auto secret, Secret(t));
  return PeerAccess{t.issuer, token_endpoint, t.client_id, std::move(secret), docs.jwks};
}

Result<std::string> Federation::Secret(const Trust& t) {
  const auto& keys = identity_.keys();
  auto data_key = keys.data_keys.find(t.key_version);
  if (data_key == keys.data_keys.end()) return Internal("the trust's data key is not configured");
  OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(t.secret_box));
  return data_key->second.Open(box, "oidc_trusts:" + t.name);
}

Result<Federation::Completed> Federation::Complete(
    const std::string& trust, const std::multimap<std::string, std::string>& params,
    const std::string& browser, const identity::Principal* session_user, const std::string& ip,
    const std::string& user_agent) {
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  std::optional<Store::FederationState> state;
  std::string state_param = get("state");
  if (!state_param.empty()) {
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(state, Store::TakeState(c, state_param));
      return {};
    }));
  }
  if (!state || state->trust != trust || state->expires_at <= NowText())
    return Error(Code::kInvalidArgument, "federation",
                 {{"state", "is unknown, used already or expired; start the login again"}});
  // A state is worth something only in the browser it was given to: otherwise anyone
  // could send a victim the callback of a login the attacker started (login CSRF) and
  // have the victim signed in as the attacker.
  if (browser.empty() || state->browser_hash.empty() ||
      !crypto::ConstantTimeEquals(crypto::Base64UrlEncode(crypto::Sha256(browser)),
                                  state->browser_hash))
    return Error(Code::kInvalidArgument, "federation",
                 {{"state", "was started in another browser; start the login again"}});
  if (!get("error").empty())
    return Unauthenticated("the peer platform refused the login: " + get("error") + " " +
                           get("error_description"));
  OW_ASSIGN_OR_RETURN(auto t, FindTrust(trust));
  if (!get("iss").empty() && get("iss") != t.issuer)
    return Unauthenticated("the answer comes from another issuer (mix-up)");
  std::string code = get("code");
  if (code.empty()) return Error(Code::kInvalidArgument, "federation", {{"code", "is missing"}});
  OW_ASSIGN_OR_RETURN(auto docs, Docs(t, false));

  OW_ASSIGN_OR_RETURN(auto secret, Secret(t));

  http::FetchRequest req;
  req.method = "POST";
  req.url = Str(docs.discovery, "token_endpoint");
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"},
                 {"Authorization", "Basic " + [&] {
                    std::string b =
                        crypto::Base64UrlEncode(http::FormEncode({{"a", t.client_id}}).substr(2) +
                                                ":" + http::FormEncode({{"a", secret}}).substr(2));
                    for (auto& ch : b) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
                    while (b.size() % 4) b += '=';
                    return b;
                  }()}};
  req.body = http::FormEncode({{"grant_type", "authorization_code"},
                               {"code", code},
                               {"redirect_uri", CallbackUrl(t.name)},
                               {"code_verifier", state->verifier}});
  OW_ASSIGN_OR_RETURN(auto res, http::Fetch(req));
  boost::system::error_code ec;
  auto body = json::parse(res.body, ec);
  if (res.status != 200 || ec || !body.is_object())
    return Unauthenticated("the peer platform did not redeem the code (HTTP " +
                           std::to_string(res.status) + ")");
  std::string id_token = Str(body.as_object(), "id_token");
  if (id_token.empty()) return Unauthenticated("the peer platform sent no ID token");

  auto verified = crypto::VerifyJwt(id_token, crypto::JwksLookup(docs.jwks));
  if (!verified) {
    // Perhaps the peer rotated its keys: fetch the JWKS once more.
    OW_ASSIGN_OR_RETURN(docs, Docs(t, true));
    verified = crypto::VerifyJwt(id_token, crypto::JwksLookup(docs.jwks));
  }
  if (!verified) return Unauthenticated("the peer's ID token does not verify");
  const auto& claims = verified->claims;
  auto* aud = claims.if_contains("aud");
  bool aud_ok =
      aud && ((aud->is_string() && aud->as_string() == t.client_id) ||
              (aud->is_array() &&
               std::any_of(aud->as_array().begin(), aud->as_array().end(), [&](const auto& a) {
                 return a.is_string() && a.as_string() == t.client_id;
               })));
  if (Str(claims, "iss") != t.issuer || !aud_ok || Str(claims, "nonce") != state->nonce)
    return Unauthenticated("the peer's ID token is not for this login");
  if (!crypto::CheckTimeClaims(claims, system_clock::now()))
    return Unauthenticated("the peer's ID token has expired");
  std::string resident_id = Str(claims, "resident_id");
  if (resident_id.empty())
    return Unauthenticated("the peer did not release the resident ID (scope resident_id)");
  int level = std::min(PeerLevel(Str(claims, "acr")), identity::LevelOf(t.assurance));
  if (!state->account_id.empty()) {
    // A verification: the browser that started it, still in that account's session,
    // and the peer's person holding the number that account claims.
    if (!session_user || session_user->account_id != state->account_id)
      return PermissionDenied("finish the verification in the session that started it");
    OW_ASSIGN_OR_RETURN(bool same, identity_.ClaimsResidentId(state->account_id, resident_id));
    if (!same)
      return PermissionDenied(
          "the peer platform signed in a person with another resident ID number");
    if (level < identity::kLevelRemote)
      return FailedPrecondition(t.display_name + " is trusted here at " +
                                identity::LevelName(level) +
                                " for this sign-in, which does not verify an identity");
    OW_RETURN_IF_ERROR(identity_.RaiseIdentity(
        state->account_id, level, "federation", "trust:" + t.name, session_user->name_for_audit, ip,
        {{"trust", t.name}, {"peer_acr", Str(claims, "acr")}}));
    return Completed{{}, state->return_to};
  }
  // A login: only into the account that proved the number (an unverified claimant may
  // be an impostor; its owner verifies it first, then signs in here).
  auto account = identity_.FindByResidentId(resident_id);
  if (!account || account->kind != identity::kPerson)
    return NotFound(
        "no verified account here holds this resident ID number; log in with your password "
        "and verify your identity first");
  OW_ASSIGN_OR_RETURN(auto login, identity_.StartSession(account->id, identity::LevelName(level),
                                                         t.name, ip, user_agent));
  return Completed{std::move(login), state->return_to};
}

}  // namespace ow::oidc
