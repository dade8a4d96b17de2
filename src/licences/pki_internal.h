// The licences service's keys: the platform CA's roots and the seals' signing keys,
// opened from the database (sealed with the identity domain's data keys) into an
// immutable snapshot. Internal to src/licences.
//
// Every node keeps its own snapshot and reloads it every minute, and at once when asked
// for a seal it does not have that the database has (a seal made on another node signs
// there at once). A seal's status in the snapshot may be a minute old: the database is
// the truth for what may sign (IssueWith reads the seal's status in its transaction);
// verification reports the snapshot's (a revoked seal shows within a minute everywhere,
// at once on the node that revoked it).
#ifndef OW_LICENCES_PKI_INTERNAL_H_
#define OW_LICENCES_PKI_INTERNAL_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "identity/keys.h"
#include "licences/service.h"
#include "licences/store.h"

namespace ow::licences {

class Service::Ring {
 public:
  Ring(db::Database& db, const identity::Keys& keys);

  // Makes generation 1 of both roots when there is none, then loads.
  Status Bootstrap(int64_t ca_years);
  // Makes generation n+1 of both roots; earlier ones are retired (still published).
  Status Rotate(int64_t ca_years);
  Status Reload();

  std::vector<Authority> Authorities();
  // The CRL of each generation of `algorithm` (kSm2 | kP256), newest first, listing the
  // revoked seals that generation certified. Made on demand, kept a minute.
  Result<std::vector<std::string>> Crls(const std::string& algorithm);

  // A new seal's keys and certificates from the newest generation, sealed; valid for
  // `years` or until the root ends, whichever is first. Not stored.
  Result<store::SealRow> MakeSeal(Seal seal, int64_t years);

  // The seal's SM2 signature (DER) over `data`.
  Result<std::string> SignSm2(const std::string& seal_id, std::string_view data);
  // What a PDF signature needs: the seal's P-256 certificate and key, and its root.
  struct PdfSigner {
    std::string certificate, private_key;
    std::vector<std::string> chain;
  };
  Result<PdfSigner> PdfSignerOf(const std::string& seal_id);
  // Checks that `raw` (r || s) is the seal's signature over `data`, that the seal's
  // certificate chains to our root, and that it was valid on `issued` (YYYYMMDD).
  // Returns the seal as loaded. kUnauthenticated otherwise (unknown seal included).
  Result<Seal> VerifySm2(const std::string& seal_id, std::string_view data, std::string_view raw,
                         std::string_view issued);

 private:
  struct Snapshot;
  struct LoadedSeal;
  Result<std::shared_ptr<const Snapshot>> Current();
  Result<std::shared_ptr<const LoadedSeal>> Find(const std::string& seal_id);
  Result<std::string> OpenKey(const store::SealedKey& key, const std::string& aad) const;
  Result<store::AuthorityRow> MakeAuthority(const char* algorithm, int64_t generation,
                                            int64_t years) const;

  db::Database& db_;
  const identity::Keys& keys_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::atomic<bool> reloading_{false};
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::vector<std::string>>>
      crls_;  // by algorithm, under mu_
};

}  // namespace ow::licences

#endif  // OW_LICENCES_PKI_INTERNAL_H_
