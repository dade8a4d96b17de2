// The data sharing and exchange hub (issue 14, parts 1-3 and 8).
//
//  - The data resource catalogue: provider departments' staff draft resources; a version
//    is submitted, then published (or returned) by an approver of the department other
//    than the submitter; publishing supersedes the previous version. Staff and
//    department systems search the published ones.
//  - Systems: the system administrator registers an OpenID Connect client (client
//    credentials, scope "exchange") as a department's system.
//  - Access: a system applies for a resource with purpose, legal basis and fields;
//    unconditional resources are granted at once, conditional ones wait for an approver
//    of the provider department; not-shared ones are refused. A grant names fields and
//    expires; while live, the client's tokens may carry the scope "exchange:<code>".
//  - Queries: one subject per query; the grant row (status, expiry, fields) and the
//    token's scope are checked on every call; the answer holds only the asked fields
//    (all granted) and is signed by the platform (compact JWS); every query, answered
//    or refused, is appended to the message log inside the transaction that decides it.
//  - Between platforms: a resource of source "peer" is served by a trusted peer
//    platform (exchange/peer.h). The local grant is checked as for any resource; the
//    peer checks its own grant for this platform, answers signed, and logs the query;
//    this platform verifies the peer's answer and logs, in the same transaction, the
//    peer exchange (the peer's request and answer digests and signature, exactly as the
//    peer logs them) and then its own answer to the consumer, which carries the
//    peer's signed answer under "peer". A refusal by the peer is logged on both sides
//    and answered 403; a peer that is down or whose answer does not verify, 503.
//  - Bulk delivery (part 7, src/exchange/extract.cc): a system with a live grant for a
//    base-table resource asks for an extract (all records, or those changed since a time);
//    a leased background job streams the granted fields as NDJSON into stored parts and
//    signs a manifest (counts, SHA-256 of the file and of each part, grant, purpose) with
//    the platform's key; the extract is one message-log entry. Personal fields only under a
//    grant with the bulk flag, which always needs the provider's approval.
//  - Bases: the population, legal-person and birth bases (bases.h), imported (JSON lines,
//    all or nothing) and updated record by record by their provider department (its staff or
//    systems) or the administrator token.
//
// Errors: kInvalidArgument with field errors (422), kNotFound, kPermissionDenied (403,
// refusals of a query are logged first), kConflict (a version or application changed
// state meanwhile), kUnavailable (a provider's system did not answer).
// Thread-safe.
#ifndef OW_EXCHANGE_SERVICE_H_
#define OW_EXCHANGE_SERVICE_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/authz.h"
#include "db/database.h"
#include "departments/service.h"
#include "exchange/adapter.h"
#include "exchange/model.h"
#include "exchange/peer.h"
#include "exchange_log/log.h"

namespace ow::exchange {

struct Options {
  // The departments that keep the bases current.
  std::string population_department = "3301-GA";
  std::string legal_person_department = "3301-SCJG";
  std::string birth_department = "3301-WJ";  // the health commission
  int64_t max_grant_days = 366;
  AdapterOptions adapter;
  // Bulk extracts: a part closes before it would pass extract_part_bytes (each download is
  // one part, held in memory once); data is kept extract_days; a run holds its extract for
  // extract_lease, renewed as it writes, and an extract fails after extract_attempts runs.
  int64_t extract_part_bytes = 32 << 20;
  int64_t extract_days = 7;
  std::chrono::seconds extract_lease{60};
  int64_t extract_attempts = 3;
};

// The target of a department's resource.
inline authz::Target Dept(const std::string& department, const std::string& region) {
  authz::Target t;
  t.department_code = department;
  t.region_code = region;
  return t;
}

struct ApplicationInput {
  std::string resource;
  std::string purpose;
  std::string legal_basis;
  std::vector<std::string> fields;
  int64_t valid_days = 0;  // 0: the longest allowed
  bool bulk = false;       // bulk extracts too (base-table resources only)
};

// One part of an extract's file, for download.
struct ExtractFile {
  ExtractPart part;
  std::string filename;  // "<id>-<part>.ndjson"
  std::string data;
};

// A signed answer: `answer` is the JWS payload, `signature` the compact JWS of it.
struct Answered {
  boost::json::object answer;
  std::string signature;
  int64_t log_seq = 0;
};

// A department's system with its applications and grants, newest first.
struct DepartmentSystem {
  System system;
  std::vector<Application> applications;
  std::vector<Extract> extracts;  // its latest bulk extracts (their status and manifests)
};

struct ImportReport {
  int64_t created = 0;
  int64_t updated = 0;
};

class Service {
 public:
  // Signs claims as a compact JWS with the platform's key (the app passes the OpenID
  // provider's active ES256 key).
  using Signer = std::function<Result<std::string>(const boost::json::object& claims)>;

  Service(db::Database& db, departments::Service& departments, const exchange_log::Log& log,
          Options options);
  // `issuer` names the platform in answers ("iss"); asked at each answer.
  void SetSigner(Signer signer, std::function<std::string()> issuer);
  // The trusted peer platforms that serve resources of source "peer" (exchange/peer.h);
  // without it such resources answer 503. Call before serving.
  void SetPeers(PeerDirectory directory);
  // Signs extract manifests (the same key, another JWS "typ"); extracts fail without it.
  void SetManifestSigner(Signer signer);

  // Catalogue.
  Result<Resource> CreateDraft(const authz::Principal& who, const Resource& in);
  Result<Resource> UpdateDraft(const authz::Principal& who, const std::string& code,
                               int64_t version, const Resource& in);
  Result<Resource> Submit(const authz::Principal& who, const std::string& code, int64_t version);
  // publish: true publishes, false returns the version to draft with `note` (required).
  Result<Resource> Review(const authz::Principal& who, const std::string& code, int64_t version,
                          bool publish, const std::string& note);
  Result<std::vector<Resource>> Search(const authz::Principal& who, const std::string& q,
                                       const std::string& department, int limit);
  // The published version, or `version` (drafts only for the provider's staff).
  Result<Resource> Get(const authz::Principal& who, const std::string& code,
                       std::optional<int64_t> version);
  Result<std::vector<Resource>> Unpublished(const authz::Principal& who,
                                            const std::string& department);

  // Systems.
  Result<System> RegisterSystem(const authz::Principal& who, const std::string& client_id,
                                const std::string& department_code);
  Result<std::vector<System>> Systems(const authz::Principal& who);
  // The department `client_id` is registered to, if any (for other domains' rules).
  Result<std::optional<System>> SystemOf(const std::string& client_id);

  // Access.
  Result<Application> Apply(const authz::Principal& who, const ApplicationInput& in);
  Result<std::vector<Application>> MyApplications(const authz::Principal& who);
  // A department's staff (acceptors, reviewers, approvers) act for its systems: they see
  // them with their applications and grants, and apply for them as the system would.
  // kPermissionDenied for another department; kNotFound for a client that is not a
  // system of a department the caller covers.
  Result<std::vector<DepartmentSystem>> DepartmentSystems(const authz::Principal& who,
                                                          const std::string& department);
  Result<Application> ApplyForSystem(const authz::Principal& who, const std::string& client_id,
                                     const ApplicationInput& in);
  Result<std::vector<Application>> Incoming(const authz::Principal& who,
                                            const std::string& department,
                                            const std::string& status);
  Result<Application> GetApplication(const authz::Principal& who, const std::string& id);
  Result<Application> Decide(const authz::Principal& who, const std::string& id, bool approve,
                             const std::string& reason);
  Result<Application> Revoke(const authz::Principal& who, const std::string& id,
                             const std::string& reason);
  // "exchange:<code>" for each live grant of the client (for its tokens).
  std::vector<std::string> GrantedScopes(const std::string& client_id);

  // Queries. `raw_request` is the request body as received (its digest is logged).
  Result<Answered> Query(const authz::Principal& who, const std::string& code, const QueryInput& in,
                         std::string_view raw_request);
  // The same query inside the caller's transaction on `c` (the platform's own case
  // handling, a registered system with a grant like any other): the refusal or the
  // answer is logged on `c`, so it commits or rolls back with the caller's work. A
  // resource served by a provider's system is asked while `c` is held (bounded by the
  // adapter's timeout and circuit breaker).
  Result<Answered> QueryWithin(db::Connection& c, const authz::Principal& who,
                               const std::string& code, const QueryInput& in,
                               std::string_view raw_request);

  // Bulk extracts. The caller is a registered system (client credentials) with the scope
  // "exchange:<code>". RequestExtract checks the resource (published, from a base) and the
  // grant (live, every field granted, the bulk flag when a field is personal): a refusal
  // is logged and answered kPermissionDenied; otherwise the extract is queued. A system
  // sees only its own extracts (kNotFound for others'). ExtractPartFile needs the extract
  // ready and the grant still live; kNotFound past its expiry or for a part it lacks.
  Result<Extract> RequestExtract(const authz::Principal& who, const std::string& code,
                                 const ExtractInput& in, std::string_view raw_request);
  Result<std::vector<Extract>> Extracts(const authz::Principal& who, const std::string& code);
  Result<Extract> GetExtract(const authz::Principal& who, const std::string& code,
                             const std::string& id);
  Result<ExtractFile> ExtractPartFile(const authz::Principal& who, const std::string& code,
                                      const std::string& id, int64_t part);
  // Background job: generates every waiting extract (one at a time, streaming the base
  // page by page), then expires old ones. Returns how many it finished.
  Result<int64_t> RunExtracts();

  // Bases. `lines`: one JSON object per line (blank lines skipped).
  Result<ImportReport> Import(const authz::Principal& who, const std::string& base,
                              std::string_view lines);
  // Inserts or replaces one record; true when it was new.
  Result<bool> PutRecord(const authz::Principal& who, const std::string& base,
                         const std::string& subject, const boost::json::object& record);
  Result<boost::json::object> GetRecord(const authz::Principal& who, const std::string& base,
                                        const std::string& subject);

 private:
  Result<authz::Target> ResourceTarget(const std::string& department);
  Status MayMaintain(const authz::Principal& who, const std::string& base);
  Status CheckResource(const Resource& in, Validator& v);
  Result<Answered> Answer(db::Connection* within, const authz::Principal& who,
                          const std::string& code, const QueryInput& in,
                          std::string_view raw_request);
  Result<Application> ApplyAs(const authz::Principal& who, const std::string& client_id,
                              const ApplicationInput& in);
  Status Generate(Extract x);

  db::Database& db_;
  departments::Service& departments_;
  const exchange_log::Log& log_;
  Options options_;
  Adapters adapters_;
  std::unique_ptr<Peers> peers_;
  Signer signer_;
  Signer manifest_signer_;
  std::function<std::string()> issuer_;
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_SERVICE_H_
