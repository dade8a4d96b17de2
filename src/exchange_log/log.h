// The exchange message log: every request and answer of the data exchange, recorded
// append-only in a hash chain (like audit/audit.h), time-stamped in batches by the
// platform's RFC 3161 time-stamping authority.
//
// Guarantees:
//  - Append-only by the database: triggers abort every UPDATE and DELETE of
//    exchange_log (and TRUNCATE on PostgreSQL); no route changes it.
//  - Tamper evidence: each entry carries the SHA-256 of the previous entry's hash and
//    its own fields (EntryHash); seq is gapless and is the chain's order. Appends are
//    serialized by the one-row table exchange_log_head (FOR UPDATE on PostgreSQL).
//  - Time: a background job time-stamps the chain head every N entries or T seconds;
//    one token covers every entry up to that head (see exchange_log/service.h).
//  - No ID numbers in clear: the subject's ID number is kept only as a keyed hash
//    (HMAC-SHA-256 under a platform secret), so the person's own view finds their
//    entries and someone reading the table learns no ID number.
//
// Thread safety: a Log is immutable after construction; Append may be called from any
// thread, each with its own connection.
#ifndef OW_EXCHANGE_LOG_LOG_H_
#define OW_EXCHANGE_LOG_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "db/database.h"
#include "db/migrations.h"

namespace ow::exchange_log {

// One request and its answer (or refusal), as the exchange reports it.
// Append checks it (kInvalidArgument naming the field otherwise):
//  - consumer_client, consumer_department, resource_code, subject_kind, subject_id,
//    purpose, outcome, request_digest are non-empty;
//  - subject_kind is "person" (resident ID number) or "legal" (unified social credit
//    code); subject_id is at most 64 bytes (upper-cased before hashing);
//  - outcome is "answered" or "refused"; refusal_reason is non-empty exactly when refused
//    (a short code: "no_grant", "grant_expired", "field_not_granted", ...);
//  - digests are lower-case hex SHA-256 (64 digits); response_digest and
//    response_signature are empty on a refusal;
//  - every text is valid UTF-8 without NUL, at most kMaxTextBytes; at most kMaxFields
//    fields, each [A-Za-z0-9_.-]{1,64}.
struct Entry {
  std::string consumer_client;      // the consuming system's OpenID Connect client id
  std::string consumer_department;  // its department's code
  std::string provider_department;  // the resource's provider department code
  std::string resource_code;
  int64_t resource_version = 0;
  std::string subject_kind;  // "person" | "legal"
  std::string subject_id;    // the ID number in clear: hashed by Append, never stored
  std::string purpose;
  std::string legal_basis;
  std::optional<std::string> case_tracking;  // the case's tracking number, when it serves one
  std::vector<std::string> fields;           // the fields asked for (answered: returned)
  std::string outcome;                       // "answered" | "refused"
  std::string refusal_reason;                // "" when answered
  std::string request_digest;                // hex SHA-256 of the request as received
  std::string response_digest;               // hex SHA-256 of the answer body; "" when refused
  std::string response_signature;            // the platform's signature of the answer (JWS)
};

inline constexpr size_t kMaxTextBytes = 1024;
inline constexpr size_t kMaxFields = 64;

// A stored entry. subject_id is never read back: subject_key replaces it.
struct Record {
  int64_t seq = 0;  // 1, 2, 3, ... without gaps, in chain order
  std::string at;   // RFC 3339 UTC with milliseconds, "2026-03-01T02:30:00.123Z"
  std::string consumer_client;
  std::string consumer_department;
  std::string provider_department;
  std::string resource_code;
  int64_t resource_version = 0;
  std::string subject_kind;
  std::string subject_key;  // hex HMAC-SHA-256 of subject_kind ":" subject_id
  std::string purpose;
  std::string legal_basis;
  std::string case_tracking;  // "" when none
  std::vector<std::string> fields;
  std::string outcome;
  std::string refusal_reason;
  std::string request_digest;
  std::string response_digest;
  std::string response_signature;
  std::string prev_hash;  // hash of entry seq - 1; 64 zeros for seq 1
  std::string hash;       // EntryHash(*this), lower-case hex
};

// The chain, defined so that anyone can recompute it:
//
//   content = lower-case hex SHA-256 of canonical
//   hash    = lower-case hex SHA-256 of  prev_hash "\n" content
//   canonical = for each of seq, at, consumer_client, consumer_department,
//               provider_department, resource_code, resource_version, subject_kind,
//               subject_key, purpose, legal_basis, case_tracking, fields (joined by ","),
//               outcome, refusal_reason, request_digest, response_digest,
//               response_signature in this order:
//               <length in bytes, decimal> ":" <the bytes> "\n"
//
// The link from one entry to the next thus needs only the next entry's content digest:
// an exported entry proves its place up to a time-stamped head without disclosing the
// other entries (their content digests are enough).
std::string CanonicalForm(const Record& r);
std::string ContentDigest(const Record& r);  // content, as above
// SHA-256 of prev_hash "\n" content, lower-case hex.
std::string LinkHash(std::string_view prev_hash, std::string_view content);
std::string EntryHash(const Record& r);
inline const std::string kGenesisHash(64, '0');

// Migration ids "exchange_log/001_init", ...; the composition root applies them.
std::vector<db::Migration> Migrations();

class Log {
 public:
  // `subject_key` is the 32-byte HMAC key of the subjects' keyed hashes (derived from
  // the platform's index key by the composition root).
  explicit Log(std::string subject_key);

  // Appends `e` inside the caller's transaction (it commits or rolls back with the
  // answer it records) and returns its seq. Takes the current time as `at`.
  // On PostgreSQL this locks exchange_log_head until the transaction ends: call it
  // last in the transaction.
  // Errors: kInvalidArgument for an invalid entry (see Entry); database errors.
  Result<int64_t> Append(db::Connection& c, const Entry& e) const;

  // The keyed hash stored for a subject: hex HMAC-SHA-256 of kind ":" upper-cased id.
  std::string SubjectKey(std::string_view kind, std::string_view id) const;

 private:
  std::string key_;
};

}  // namespace ow::exchange_log

#endif  // OW_EXCHANGE_LOG_LOG_H_
