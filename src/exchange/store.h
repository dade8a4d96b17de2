// SQL of the data exchange. Used only by exchange::Service.
#ifndef OW_EXCHANGE_STORE_H_
#define OW_EXCHANGE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "exchange/model.h"

namespace ow::exchange {

std::vector<db::Migration> Migrations();

class Store {
 public:
  // Resources (one row per version).
  static Status InsertResource(db::Connection& c, const Resource& r);
  // Rewrites the version's content and review columns when its status is still
  // `expected_status`; false when it was not.
  static Result<bool> UpdateResource(db::Connection& c, const Resource& r,
                                     const std::string& expected_status);
  static Result<std::optional<Resource>> GetVersion(db::Connection& c, const std::string& code,
                                                    int64_t version);
  static Result<std::optional<Resource>> Latest(db::Connection& c, const std::string& code);
  static Result<std::optional<Resource>> Published(db::Connection& c, const std::string& code);
  static Status SupersedePublished(db::Connection& c, const std::string& code);
  // Published resources whose code or names contain `q` (case-insensitive; "" for all),
  // of `department` ("" for any), ordered by code.
  static Result<std::vector<Resource>> Search(db::Connection& c, const std::string& q,
                                              const std::string& department, int limit);
  // Versions in draft or in review of the departments' resources.
  static Result<std::vector<Resource>> Unpublished(db::Connection& c,
                                                   const std::string& department);

  // Systems.
  static Status PutSystem(db::Connection& c, const System& s);
  static Result<std::optional<System>> GetSystem(db::Connection& c, const std::string& client_id);
  static Result<std::vector<System>> Systems(db::Connection& c);

  // Applications and grants.
  static Status InsertApplication(db::Connection& c, const Application& a);
  // Writes the decision columns when the status is still `expected_status`.
  static Result<bool> UpdateApplication(db::Connection& c, const Application& a,
                                        const std::string& expected_status);
  static Result<std::optional<Application>> GetApplication(db::Connection& c,
                                                           const std::string& id);
  // By client (client_id set) or by provider department; `status` "" for any.
  static Result<std::vector<Application>> Applications(db::Connection& c,
                                                       const std::string& client_id,
                                                       const std::string& provider_department,
                                                       const std::string& status, int limit);
  // The client's most recent application for `resource` that was granted (live,
  // expired or revoked), if any.
  static Result<std::optional<Application>> LatestGrant(db::Connection& c,
                                                        const std::string& client_id,
                                                        const std::string& resource);
  // Codes of the client's live grants at `now`.
  static Result<std::vector<std::string>> LiveGrantCodes(db::Connection& c,
                                                         const std::string& client_id,
                                                         const std::string& now);

  // Base records.
  // Inserts or replaces; returns true when the record was new.
  static Result<bool> PutRecord(db::Connection& c, const std::string& base, const std::string& key,
                                const std::string& data, const std::string& actor,
                                const std::string& now);
  static Result<std::optional<std::string>> GetRecord(db::Connection& c, const std::string& base,
                                                      const std::string& key);
  // A base with subject fields (bases.h): the persons record `key` is about, replacing
  // the ones stored before.
  static Status PutLinks(db::Connection& c, const std::string& base, const std::string& key,
                         const std::vector<std::string>& subjects);
  // The records of `base` naming `subject` (at most 100, by key).
  static Result<std::vector<std::string>> LinkedRecords(db::Connection& c, const std::string& base,
                                                        const std::string& subject);
  // Up to `limit` records of `base` as (key, data), for an extract read page by page: a full
  // read orders by key after `after_key`; an incremental one (since != "") reads those
  // changed in [since, until), ordered by (updated_at, key) after (`after_at`, `after_key`).
  struct RecordRow {
    std::string key, data, updated_at;
  };
  static Result<std::vector<RecordRow>> RecordPage(db::Connection& c, const std::string& base,
                                                   const std::string& since,
                                                   const std::string& until,
                                                   const std::string& after_at,
                                                   const std::string& after_key, int limit);

  // Extracts.
  static Status InsertExtract(db::Connection& c, const Extract& x);
  static Result<std::optional<Extract>> GetExtract(db::Connection& c, const std::string& id);
  // The client's extracts of `resource` ("" for all), newest first.
  static Result<std::vector<Extract>> Extracts(db::Connection& c, const std::string& client_id,
                                               const std::string& resource, int limit);
  // The oldest extract waiting, or running under a lease that lapsed before `now`.
  static Result<std::optional<Extract>> NextExtract(db::Connection& c, const std::string& now);
  // Takes `x` (as read by NextExtract) for a run until `lease_until`: false when another run
  // took it meanwhile. Drops what an earlier attempt wrote.
  static Result<bool> ClaimExtract(db::Connection& c, const Extract& x, const std::string& now,
                                   const std::string& lease_until);
  // Extends the lease of a running extract; false when it is no longer this run's.
  static Result<bool> RenewExtract(db::Connection& c, const std::string& id, int64_t attempt,
                                   const std::string& lease_until);
  // Writes the outcome columns (status, failure, until, counts, parts, manifest, log_seq,
  // started/finished/expires) of a run of attempt `x.attempts`; false when not its run.
  static Result<bool> FinishExtract(db::Connection& c, const Extract& x);
  static Status DropExtractData(db::Connection& c, const std::string& id);
  static Status AddExtractChunk(db::Connection& c, const std::string& id, int64_t seq, int64_t part,
                                std::string bytes);
  // The chunks of one part, in order, concatenated.
  static Result<std::string> ExtractPartData(db::Connection& c, const std::string& id,
                                             int64_t part);
  // Whether a ready extract is past its expiry at `now`.
  static Result<bool> AnyExpired(db::Connection& c, const std::string& now);
  // Marks ready extracts past their expiry "expired" and drops their data; how many.
  static Result<int64_t> ExpireExtracts(db::Connection& c, const std::string& now);
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_STORE_H_
