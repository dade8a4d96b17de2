// Indicators of supervision (issue 17 part 4): the aggregates every transition keeps
// (Recorder, in the transition's transaction) and the reads of a region's indicators by
// its supervisors (role supervisor, the region or any above it) and by evaluators'
// systems (client credentials with the scope indicators.read).
//
// A read sums rollup rows (store.h) of one period (at most kMaxPeriodDays days) in a
// region's range: whole months from month rows, the days at its ends from day rows, each
// from the coarsest rollup that keeps what the query filters and groups by. Its cost grows
// with the departments, items and regions read, never with the history or the cases.
// Thread-safe.
#ifndef OW_INDICATORS_SERVICE_H_
#define OW_INDICATORS_SERVICE_H_

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "db/database.h"
#include "identity/model.h"
#include "indicators/anonymise.h"
#include "indicators/model.h"
#include "indicators/recorder.h"

namespace ow::ratings {
class Service;
}
namespace ow::catalog {
class Service;
}
namespace ow::regions {
class Service;
}

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

// The most ratings one anonymised read or export may hold.
inline constexpr int kMaxRatings = 50'000;

class Service : public Recorder {
 public:
  explicit Service(db::Database& db) : db_(db) {}

  // Appends `n` to the journal (store.h) in the caller's transaction.
  Status Add(db::Connection& c, const Count& n) override;
  // Moves the journal into the rollups (store::Fold), in batches, until it is empty: the
  // background job indicator_fold, every second on one node.
  Status Fold();

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
  // `dataset` "indicators" (the default) or "ratings" (CSV only: the anonymised ratings);
  // an XLSX holds both, as the sheets "indicators" and "ratings".
  Result<Exported> Export(const identity::Principal& who, const Query& q, const std::string& format,
                          const std::string& dataset = "indicators");
  void SetSigner(ExportSigner signer) { signer_ = std::move(signer); }

  // The anonymised ratings (anonymise.h) given in the period of `q` in its region (the
  // other filters of `q` apply too), oldest first, case keys under a fresh key; recorded in
  // the audit log (action indicators.ratings). Errors: those of Read; kFailedPrecondition
  // for more than kMaxRatings ratings or without a ratings source.
  Result<std::vector<AnonymousRating>> Ratings(const identity::Principal& who, const Query& q);

  // The capability report of q.region over [q.from, q.to] (report.h) as a PDF, signed and
  // audited like an export (action indicators.report). Errors: those of Read;
  // kFailedPrecondition without a signer or the catalogue; kInternal when rendering fails.
  Result<Exported> CapabilityPdf(const identity::Principal& who, const Query& q);

  // Where the anonymised ratings, the catalogue and the region names come from (the app
  // wires them at start-up; they outlive this service).
  void SetSources(ratings::Service* ratings, catalog::Service* catalog, regions::Service* regions) {
    ratings_ = ratings;
    catalog_ = catalog;
    regions_ = regions;
  }

 private:
  Result<std::vector<AnonymousRating>> AnonymousRatings(const identity::Principal& who,
                                                        const Query& q);
  // Records `action` by `who` about q.region in the audit log.
  Status Audit(const std::string& action, const identity::Principal& who, const Query& q,
               boost::json::object detail);
  Result<std::string> Sign(const identity::Principal& who, const Query& q, Exported& out,
                           boost::json::object claims);
  // The checks of a query and its sums (Read without the authorization).
  static Status Validate(const Query& q);
  Result<Report> Compute(const Query& q);

  db::Database& db_;
  ExportSigner signer_;
  ratings::Service* ratings_ = nullptr;
  catalog::Service* catalog_ = nullptr;
  regions::Service* regions_ = nullptr;
};

}  // namespace ow::indicators

#endif  // OW_INDICATORS_SERVICE_H_
