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
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_STORE_H_
