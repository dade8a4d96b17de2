// Indicators of supervision (issue 17 part 4): the aggregates every transition keeps
// (Recorder, in the transition's transaction) and the reads of a region's indicators by
// its supervisors (role supervisor, the region or any above it) and by evaluators'
// systems (client credentials with the scope indicators.read).
//
// A read sums day rows of one period (at most kMaxPeriodDays days) in a region's range:
// its cost grows with the rows of that period and region, never with the number of cases.
// Thread-safe.
#ifndef OW_INDICATORS_SERVICE_H_
#define OW_INDICATORS_SERVICE_H_

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "db/database.h"
#include "identity/model.h"
#include "indicators/model.h"
#include "indicators/recorder.h"

namespace ow::indicators {

// An export for third-party evaluation: the file, its SHA-256 and the platform's signature.
struct Exported {
  std::string bytes, content_type, filename;
  std::string sha256;     // lower-case hex of bytes
  std::string signature;  // compact JWS (typ ow-indicators-export+jwt) over a manifest
                          // naming sha256, the query and the exporter
};

// Signs a manifest's claims as a compact JWS with the platform's published key (the app
// wires the OpenID Connect provider's ES256 key, as the exchange signs its answers).
using ExportSigner = std::function<Result<std::string>(const boost::json::object& claims)>;

class Service : public Recorder {
 public:
  explicit Service(db::Database& db) : db_(db) {}

  Status Add(db::Connection& c, const Count& n) override;

  // The indicators of `q`: totals, the previous period of the same length, and the rows
  // of q.group (ranked for peer groups: region, department, item, hall). Errors: kInvalid
  // (422 with fields) for a bad region, period, group or rank_by; kPermissionDenied when
  // `who` may not read the region's indicators.
  Result<Report> Read(const identity::Principal& who, const Query& q);

  // Each department's ratings (好差评) in `q.region` and below over [q.from, q.to], as the
  // national practice publishes them: sums and rates only, one row per department ranked
  // by satisfaction (q.group, q.rank_by and the other dimensions are ignored). Anyone may
  // read it: nothing in it names a person. Errors: kInvalid as for Read.
  Result<Report> PublicRatings(const Query& q);

  // Read(), written as `format` ("csv" or "xlsx"), signed and recorded in the audit log
  // (action indicators.export, with the file's SHA-256) in one transaction. Errors: those
  // of Read; kInvalid for another format; kFailedPrecondition without a signer.
  Result<Exported> Export(const identity::Principal& who, const Query& q,
                          const std::string& format);
  void SetSigner(ExportSigner signer) { signer_ = std::move(signer); }

 private:
  // The checks of a query and its sums (Read without the authorization).
  static Status Validate(const Query& q);
  Result<Report> Compute(const Query& q);

  db::Database& db_;
  ExportSigner signer_;
};

}  // namespace ow::indicators

#endif  // OW_INDICATORS_SERVICE_H_
