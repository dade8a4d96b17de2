// identity::Service: construction and what its parts share. The operations are in
// accounts.cc, proofing.cc, sessions.cc, roles.cc, agents.cc and enterprises.cc;
// keys in keys.cc, abuse limits and password hashing in throttle.cc.
#include "identity/service.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"

namespace ow::identity {

Service::Service(db::Database& db, departments::Service& departments, Keys keys,
                 const Config& config)
    : db_(db),
      departments_(departments),
      keys_(std::move(keys)),
      lookup_key_(keys_.Derive("identity.lookup")),
      csrf_key_(keys_.Derive("identity.csrf")),
      config_(config),
      throttle_(config, &db),
      hasher_(config.password_concurrency, config.insecure_password_hashing_for_tests
                                               ? crypto::PasswordParams::InsecureForTests()
                                               : crypto::PasswordParams::Owasp()) {
  dummy_hash_ = hasher_.Hash(crypto::RandomToken(16));
}

Service::~Service() = default;

Status Service::Audit(db::Connection* c, AuditEvent e) {
  if (!audit_) return {};
  return audit_(c, e);
}

std::string Service::ResidentLookup(const std::string& canonical_id) const {
  return crypto::Base64UrlEncode(crypto::HmacSha256(lookup_key_, "resident-id:" + canonical_id));
}

}  // namespace ow::identity
