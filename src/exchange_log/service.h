// The exchange message log's rules: batched time-stamping of the chain head, search by
// auditors and departments, the person's own view (我的数据使用记录), objections (a
// complaint ticket to the provider department), exported evidence and verification.
//
// Who sees what (authz actions in src/authz):
//  - exchange_log.search: an audit administrator searches the whole log and verifies
//    it; a department's approvers search the entries their department consumed or
//    provided (its leadership, until a department data-administrator role exists).
//  - data_uses.read.own / data_uses.object: a person with a proven resident ID number
//    reads, and objects to, the entries about that number and nothing else.
// Nobody changes the log: no route writes it; Log::Append is called by the exchange
// inside its query transaction.
//
// Thread safety: all methods may be called concurrently.
#ifndef OW_EXCHANGE_LOG_SERVICE_H_
#define OW_EXCHANGE_LOG_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authz/authz.h"
#include "db/database.h"
#include "departments/service.h"
#include "exchange_log/log.h"
#include "exchange_log/tsa.h"
#include "identity/service.h"
#include "tickets/service.h"

namespace ow::exchange_log {

using authz::Principal;

struct Options {
  int64_t stamp_every_entries = 1000;   // time-stamp once this many entries wait
  std::chrono::seconds stamp_every{5};  // or once the oldest has waited this long
};

struct SearchFilter {
  std::string department;  // consumed or provided by it; required unless an auditor
  std::string consumer_department, provider_department, resource_code, outcome, case_tracking;
  std::string subject_kind, subject_id;  // auditors only: the keyed hash is searched
  std::string consumer_client;           // the consuming system's client id
  std::string from, until;               // "YYYY-MM-DDTHH:MM:SSZ"; from <= at < until
  int64_t limit = 50;                    // 1..200
  std::string cursor;
};

struct Page {
  std::vector<Record> entries;  // newest first
  std::string next_cursor;      // "" on the last page
};

struct DataUse {
  Record entry;
  std::string consumer_department_name, provider_department_name;
  std::string objection_ticket;  // the complaint raised about it, if any
};

struct DataUsePage {
  std::vector<DataUse> uses;
  std::string next_cursor;
};

struct Link {
  int64_t seq = 0;
  std::string prev_hash, content, hash;
};

struct Stamp {
  int64_t head_seq = 0;
  std::string head_hash, gen_time, serial, token_der, stamped_at;
  Tsa::Certificates certificates;  // of the generation that signed it
};

// An entry and what proves it: the links from it to the time-stamped head (each next
// entry's content digest only), and the token over the head hash.
struct Evidence {
  Record entry;
  std::string content;      // ContentDigest(entry)
  std::vector<Link> links;  // seq + 1 .. head_seq, in order
  Stamp stamp;
};

struct ChainCheck {
  bool ok = true;
  int64_t checked = 0;         // entries whose hash was recomputed
  int64_t stamps_checked = 0;  // tokens verified against their head hash
  int64_t first_bad_seq = 0;   // 0 when ok
  std::string problem;         // "" when ok
};

// Recomputes the chain from entry `from` (trusting the stored hash of entry from - 1) up to
// the head, and verifies every time-stamp token of that range against the head hash it
// covers and its generation's root. Not ok at the first entry where a link, a hash or a
// token fails. Reads in batches of separate read transactions (appends may continue).
// Errors: kInvalidArgument when from < 1; database errors.
Result<ChainCheck> VerifyLog(db::Database& db, int64_t from = 1);

class Service {
 public:
  Service(db::Database& db, identity::Service& identity, departments::Service& departments,
          tickets::Service& tickets, const Log& log, const Tsa& tsa, Options options);

  // Background job: when entries wait past the thresholds of Options, time-stamps the
  // head once. Claimed across nodes (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one
  // writer). Returns the head seq it stamped, 0 when nothing was due. `force` stamps
  // whatever waits, thresholds or not, waiting for another node's stamping to finish
  // (tests, an operator before an export).
  Result<int64_t> StampPending(bool force = false);

  // Errors: kInvalidArgument with field errors; kPermissionDenied.
  Result<Page> Search(const Principal& who, const SearchFilter& f);
  // The caller's own data uses (persons with a proven ID number); kFailedPrecondition
  // when the number is not proven.
  Result<DataUsePage> Mine(const Principal& who, int64_t limit, const std::string& cursor);
  // kNotFound when the entry is not the caller's (or does not exist); kFailedPrecondition
  // while the entry is not yet covered by a time-stamp (retry after Options::stamp_every).
  Result<Evidence> MyEvidence(const Principal& who, int64_t seq);
  Result<Evidence> GetEvidence(const Principal& who, int64_t seq);
  // A complaint ticket to the provider department about one of the caller's entries;
  // the second objection to the same entry returns the first ticket's number.
  Result<std::string> Object(const Principal& who, int64_t seq, const std::string& text,
                             const std::string& ip);
  // Recomputes the whole chain and verifies every time-stamp token. Auditors only
  // through the API; the CLI calls it directly.
  Result<ChainCheck> Verify(int64_t from = 1);

 private:
  Result<std::string> MyKey(const Principal& who);
  Result<Evidence> EvidenceOf(int64_t seq, const std::string& only_subject_key,
                              const std::vector<std::string>& only_departments, bool any);
  std::string DepartmentName(const std::string& code);

  db::Database& db_;
  identity::Service& identity_;
  departments::Service& departments_;
  tickets::Service& tickets_;
  const Log& log_;
  const Tsa& tsa_;
  Options options_;
};

}  // namespace ow::exchange_log

#endif  // OW_EXCHANGE_LOG_SERVICE_H_
