// Types of the data sharing and exchange hub: the data resource catalogue, the systems
// that consume it, their applications and grants, and the base tables it serves.
#ifndef OW_EXCHANGE_MODEL_H_
#define OW_EXCHANGE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ow::exchange {

// Share types (GB/T 21063 practice): granted on request, approved by the provider per
// consumer, or listed but never served.
inline constexpr const char* kUnconditional = "unconditional";
inline constexpr const char* kConditional = "conditional";
inline constexpr const char* kNotShared = "not_shared";

// Where a resource's answers come from.
inline constexpr const char* kSourcePopulation = "population";     // the population base
inline constexpr const char* kSourceLegalPerson = "legal_person";  // the legal-person base
inline constexpr const char* kSourceBirth = "birth";      // birth medical certificates (bases.h)
inline constexpr const char* kSourceAdapter = "adapter";  // the provider's system
inline constexpr const char* kSourcePeer = "peer";  // a trusted peer platform (exchange/peer.h)

// Version statuses: draft -> in_review -> published -> superseded (a newer one published);
// a returned version goes back to draft.
inline constexpr const char* kDraft = "draft";
inline constexpr const char* kInReview = "in_review";
inline constexpr const char* kPublished = "published";
inline constexpr const char* kSuperseded = "superseded";

struct Field {
  std::string name;  // [a-z][a-z0-9_]{0,63}; for a base source, one of the base's fields
  std::string type;  // string | date | number | boolean
  std::string label_zh;
  std::string label_en;
  bool personal = false;  // personal information (PIPL): the person sees its uses
};

struct Resource {
  std::string code;  // [A-Z0-9][A-Z0-9-]{2,39}, stable across versions
  int64_t version = 0;
  std::string status;
  std::string department_code;  // the provider
  std::string region_code;      // the provider's region
  std::string name_zh;
  std::string name_en;
  std::string description;
  std::string subject_kind;  // "person" (resident ID number) | "legal" (credit code)
  std::string share_type;
  std::string conditions;    // what a consumer must show (conditional resources)
  std::string update_cycle;  // realtime | daily | weekly | monthly | yearly
  std::string source;        // a base (kSourcePopulation, ...) | kSourceAdapter
  std::string adapter_url;   // kSourceAdapter only
  // kSourcePeer only: the trust naming the peer platform, and the resource's code there.
  std::string peer_platform;
  std::string peer_resource;
  std::vector<Field> fields;
  std::string created_by, created_at;
  std::string submitted_by, submitted_at;
  std::string reviewed_by, reviewed_at, review_note;
};

// A consuming department's system: an OpenID Connect client registered to a department.
struct System {
  std::string client_id;
  std::string department_code;
  std::string region_code;
  std::string registered_by;
  std::string registered_at;
};

// An application for a resource, which becomes the grant when approved.
inline constexpr const char* kPending = "pending";
inline constexpr const char* kGranted = "granted";
inline constexpr const char* kRefused = "refused";
inline constexpr const char* kRevoked = "revoked";

struct Application {
  std::string id;  // "XA" + random
  std::string client_id;
  std::string consumer_department;
  std::string resource_code;
  std::string provider_department;
  std::string provider_region;
  std::string purpose;
  std::string legal_basis;
  std::vector<std::string> fields;  // asked for; when granted, the granted ones
  int64_t valid_days = 0;           // asked for
  std::string status;
  std::string created_at;
  std::string decided_by, decided_at, reason;
  std::string expires_at;  // set when granted
  std::string revoked_by, revoked_at;
  // Who applied: the system itself (its client id) or the staff member acting for it.
  std::string applied_by;
  // Bulk delivery asked for (and, once granted, allowed): extracts of the whole base, not
  // only one subject per query. Personal fields in bulk always need the provider's approval.
  bool bulk = false;
};

// The answer to one query, before signing.
struct QueryInput {
  std::string subject;  // resident ID number or unified social credit code
  std::vector<std::string> fields;
  std::string purpose;
  std::string legal_basis;
  std::string case_tracking;  // "" when the query serves no case
};

// A bulk extract of a base-table resource (issue 14, part 7): the granted fields of every
// record (or of those changed since a time) as NDJSON, stored in parts, described by a
// manifest signed by the platform.
inline constexpr const char* kExtractQueued = "queued";
inline constexpr const char* kExtractRunning = "running";
inline constexpr const char* kExtractReady = "ready";
inline constexpr const char* kExtractFailed = "failed";
inline constexpr const char* kExtractExpired = "expired";

struct ExtractInput {
  std::vector<std::string> fields;
  std::string purpose;
  std::string legal_basis;
  std::string since;  // "" for a full extract; else FormatTime form: records changed since
};

// One part of an extract's data file: the file is the parts concatenated, each part ends
// with a whole line.
struct ExtractPart {
  int64_t number = 0;  // 1, 2, ...
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string sha256;  // lower-case hex
};

struct Extract {
  std::string id;  // "XE" + random
  std::string client_id;
  std::string consumer_department;
  std::string resource_code;
  int64_t resource_version = 0;
  std::string provider_department;
  std::string base;      // kSourcePopulation | kSourceLegalPerson
  std::string grant_id;  // the application that granted it
  std::vector<std::string> fields;
  std::string purpose;
  std::string legal_basis;
  std::string since;  // "" when full
  std::string until;  // the instant reading began: records changed at or after it are not in
  std::string status;
  std::string failure;  // why it failed
  std::string request_digest;
  int64_t row_count = 0;
  int64_t bytes = 0;
  std::string sha256;  // of the whole data file
  std::vector<ExtractPart> parts;
  std::string manifest;  // compact JWS
  int64_t log_seq = 0;
  int64_t attempts = 0;
  std::string created_at, started_at, finished_at, expires_at, lease_until;
};

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_MODEL_H_
