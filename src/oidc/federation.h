// Mutual trust between regional platforms (OpenID Connect federation by explicit
// configuration): a system administrator registers a peer platform's discovery URL
// and the client registration the peer gave us (client_id, secret, scope
// "openid resident_id"). A user then signs in at the peer; the peer's ID token,
// verified against its JWKS, carries the resident ID number, which maps the user to
// the local natural-person account with the same number (no account is created).
// The local session gets acr = min(the peer's acr, the trust's assurance level) and
// records the peer as its idp; such sessions act only as the person (never with
// staff roles: staff sign in locally).
//
// Peer documents are fetched over HTTPS (http only to loopback, for tests), cached
// for five minutes; an ID token naming an unknown kid refreshes the JWKS once.
// Thread-safe.
#ifndef OW_OIDC_FEDERATION_H_
#define OW_OIDC_FEDERATION_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "db/database.h"
#include "identity/service.h"
#include "oidc/model.h"
#include "oidc/provider.h"

namespace ow::oidc {

struct TrustInput {
  std::string name, display_name, discovery_url, client_id, client_secret;
  std::string assurance;  // ow:loa:1..3: the highest level this peer may assert here
};

class Federation {
 public:
  Federation(db::Database& db, identity::Service& identity, Provider& provider);

  // System administrator. Fetches the discovery document to check it (its issuer must
  // be the discovery URL's prefix). Errors: field errors; kUnavailable when the peer
  // cannot be reached; kAlreadyExists for a taken name.
  Result<Trust> AddTrust(const identity::Principal& by, const TrustInput& in);
  Result<std::vector<Trust>> Trusts();
  Status RemoveTrust(const identity::Principal& by, const std::string& name);

  struct Started {
    std::string url;      // where to send the browser: the peer's authorization endpoint
    std::string browser;  // a fresh random nonce for the browser's federation cookie
  };
  // Starts a login at the peer. `return_to` must pass http::SafeLocalTarget (empty:
  // "/"); kInvalidArgument otherwise. The state is bound to the browser: the caller
  // sets `browser` in a short-lived cookie that Complete requires (login CSRF).
  Result<Started> StartLogin(const std::string& trust, const std::string& return_to);
  // Like StartLogin, for the person logged in with `who`'s portal session: the peer's
  // answer verifies that account's identity instead of starting a session.
  // kPermissionDenied / kFailedPrecondition for anyone but a person with a session.
  Result<Started> StartVerification(const identity::Principal& who, const std::string& trust,
                                    const std::string& return_to);
  struct Completed {
    identity::LoginResult login;  // empty (no cookie) after a verification
    std::string return_to;
  };
  // The peer's redirect back to us: checks that `browser` (the federation cookie's
  // value, empty when absent) is the nonce given to the browser that started this
  // state's login (constant time; the state is used up either way), exchanges the
  // code, verifies the ID token, and maps the person and starts a local session, or,
  // for a verification, raises the level of the account that started it
  // (`session_user` must be that account's session). Errors: kInvalidArgument for a
  // bad, replayed or expired state or one started by another browser;
  // kUnauthenticated when the peer's answer does not verify; kNotFound when no verified
  // local account holds the resident ID number; for a verification kPermissionDenied
  // (another session or another number) and kFailedPrecondition (the level is too low).
  // What the data exchange needs to query a trusted peer platform as its client there
  // (exchange/peer.h): the peer's issuer, token endpoint and published keys, and the
  // client registration the peer gave us with its secret unsealed. Errors: kNotFound
  // for no such trust; kUnavailable when the peer's documents cannot be fetched.
  struct PeerAccess {
    std::string issuer, token_endpoint, client_id, client_secret;
    boost::json::object jwks;
  };
  Result<PeerAccess> Peer(const std::string& trust, bool refresh_jwks);

  Result<Completed> Complete(const std::string& trust,
                             const std::multimap<std::string, std::string>& params,
                             const std::string& browser, const identity::Principal* session_user,
                             const std::string& ip, const std::string& user_agent);

 private:
  struct PeerDocs {
    boost::json::object discovery;
    boost::json::object jwks;
    std::chrono::steady_clock::time_point fetched;
  };
  Result<Trust> FindTrust(const std::string& name);
  Result<Started> Start(const std::string& trust, const std::string& return_to,
                        const std::string& account_id);
  Result<PeerDocs> Docs(const Trust& t, bool refresh_jwks);
  Result<std::string> Secret(const Trust& t);  // the trust's client secret, unsealed
  std::string CallbackUrl(const std::string& trust) const;

  db::Database& db_;
  identity::Service& identity_;
  Provider& provider_;
  std::mutex mu_;
  std::map<std::string, PeerDocs> docs_;
};

}  // namespace ow::oidc

#endif  // OW_OIDC_FEDERATION_H_
