// Types of the OpenID Connect provider: registered clients, signing keys, grants and
// trusted peer platforms.
#ifndef OW_OIDC_MODEL_H_
#define OW_OIDC_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ow::oidc {

struct Client {
  std::string client_id;
  std::string name;
  std::string type;         // "confidential" (has a secret) or "public" (PKCE S256 only)
  std::string secret_hash;  // base64url SHA-256 of the secret; "" for public clients
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::vector<std::string> grant_types;  // authorization_code, refresh_token, client_credentials
  std::vector<std::string> scopes;       // scopes the client may ask for
  std::string id_token_alg;              // "ES256" or "EdDSA": signs its ID and access tokens
  std::string created_by;
  std::string created_at;
  bool disabled = false;

  bool Allows(const std::string& grant) const;
  bool MayAsk(const std::string& scope) const;
};

struct StoredKey {
  std::string kid;
  std::string alg;
  std::string private_box;  // base64url AES-GCM box of the PKCS#8 PEM
  int64_t key_version = 0;  // data key that sealed it
  std::string created_at;
  std::string retired_at;  // "" while it signs
};

// One authorization of a client by a user: the family of its refresh tokens.
struct Grant {
  std::string id;
  std::string client_id;
  std::string account_id;
  std::string session_id;
  std::string scope;
  std::string acr;
  int64_t auth_time = 0;
  std::string created_at;
  std::string expires_at;
  std::string revoked_at;
};

struct AuthCode {
  std::string code_hash;
  std::string client_id;
  std::string account_id;
  std::string session_id;
  std::string redirect_uri;
  std::string scope;
  std::string nonce;
  std::string code_challenge;  // S256 challenge, "" when the client sent none
  std::string acr;
  int64_t auth_time = 0;
  std::string expires_at;
  std::string used_at;
  std::string grant_id;  // set when redeemed
};

// A peer regional platform whose users we accept.
struct Trust {
  std::string name;  // [a-z0-9-]{2,40}, used in URLs
  std::string display_name;
  std::string discovery_url;
  std::string issuer;      // from discovery, checked against the URL
  std::string client_id;   // our client registration at the peer
  std::string secret_box;  // sealed client secret
  int64_t key_version = 0;
  std::string assurance;  // highest level its users get here: ow:loa:1 | ow:loa:2 | ow:loa:3
  std::string created_by;
  std::string created_at;
};

}  // namespace ow::oidc

#endif  // OW_OIDC_MODEL_H_
