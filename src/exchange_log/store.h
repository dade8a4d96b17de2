// The message log's SQL; internal to src/exchange_log.
#ifndef OW_EXCHANGE_LOG_STORE_H_
#define OW_EXCHANGE_LOG_STORE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "exchange_log/log.h"

namespace ow::exchange_log::internal {

// Now (minus `ago`) as RFC 3339 UTC with milliseconds.
std::string NowUtc(std::chrono::milliseconds ago = std::chrono::milliseconds(0));
std::string JoinFields(const std::vector<std::string>& fields);
std::vector<std::string> SplitFields(const std::string& joined);

// Assigns seq, prev_hash and hash to `r` under the exchange_log_head lock and inserts it.
Status AppendRecord(db::Connection& c, Record& r);

struct Head {
  int64_t seq = 0;
  std::string hash;
};
Result<Head> ReadHead(db::Connection& c);

// Entries with from <= seq <= to, in seq order, at most `limit`.
Result<std::vector<Record>> Range(db::Connection& c, int64_t from, int64_t to, int64_t limit);
Result<std::optional<Record>> One(db::Connection& c, int64_t seq);

struct Query {
  std::string subject_key;  // "" does not filter
  std::string department;   // consumer or provider; "" does not filter
  std::string consumer_department, provider_department, resource_code, outcome, case_tracking;
  std::string consumer_client;
  std::string from, until;  // "" does not filter; else the log's own time form, from <= at < until
  int64_t before_seq = 0;   // 0: from the newest
  int64_t limit = 50;       // rows returned (the caller asks one more to know of a next page)
};
Result<std::vector<Record>> Search(db::Connection& c, const Query& q);

struct StampRow {
  int64_t head_seq = 0;
  std::string head_hash;
  int64_t tsa_generation = 0;
  std::string gen_time, serial, token, stamped_at;
};
// The first stamp whose head is at or after `seq`; nullopt when none is yet.
Result<std::optional<StampRow>> StampCovering(db::Connection& c, int64_t seq);
Result<std::vector<StampRow>> Stamps(db::Connection& c, int64_t after_head, int64_t limit);
Status InsertStamp(db::Connection& c, const StampRow& s);
// Locks the stamper row and returns the last stamped seq. On PostgreSQL, unless `wait`,
// FOR UPDATE SKIP LOCKED: another node holding it now makes this return nullopt.
Result<std::optional<int64_t>> ClaimStamper(db::Connection& c, bool wait);
Status SetStamped(db::Connection& c, int64_t seq);

struct TsaKeyRow {
  int64_t generation = 0;
  std::string root_certificate, root_key;
  int64_t root_key_version = 0;
  std::string certificate, private_key;
  int64_t key_version = 0;
  std::string created_at;
};
Result<std::vector<TsaKeyRow>> TsaKeys(db::Connection& c);  // oldest first
// False when the generation exists (another node made it first).
Result<bool> InsertTsaKey(db::Connection& c, const TsaKeyRow& k);

struct Objection {
  int64_t seq = 0;
  std::string account_id, ticket_number, at;
};
Result<std::optional<Objection>> FindObjection(db::Connection& c, int64_t seq,
                                               const std::string& account_id);
Result<bool> InsertObjection(db::Connection& c, const Objection& o);
Result<std::vector<Objection>> ObjectionsOf(db::Connection& c, const std::string& account_id);

}  // namespace ow::exchange_log::internal

#endif  // OW_EXCHANGE_LOG_STORE_H_
