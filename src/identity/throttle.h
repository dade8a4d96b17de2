// Abuse limits of the identity domain and the bound on costly password hashing.
//
// Throttle counts events per key in sliding windows. Given a database it keeps them there
// (db/shared_state.h, table shared_events), so every node sharing the database counts the
// same failures: guesses spread over several nodes behind a load balancer meet the same
// limits as guesses sent to one. Without one (unit tests) it counts in memory. The limits:
//   - failed logins per client IP, 10-minute window (Config::ip_failure_limit);
//   - failed logins per (username, client IP) pair, Config::lockout_minutes window
//     (Config::lockout_threshold); a successful login clears its pair;
//   - self-registrations per client IP per hour (Config::registration_ip_limit);
//   - online real-name verification attempts per account per 24 hours
//     (Config::realname_attempts).
// There is deliberately no per-account lock: one that anyone can trigger by guessing
// lets anyone lock anyone out. Per pair, a guesser only throttles himself; spreading
// guesses over addresses is bounded by the per-IP limit of each address, the password
// policy, argon2id, and the audit trail of every failure. Each window keeps at most
// 100,000 keys (the expired ones are dropped first).
//
// PasswordHasher runs at most `limit` argon2id computations at once (each takes tens of
// milliseconds and 19 MiB), so that a burst of logins queues instead of exhausting memory.
//
// Stored counting is check-then-record: two attempts racing on two nodes may both pass the
// last free place of a window (a limit may be exceeded by the number of nodes minus one,
// never more). When the database cannot be read, the check lets the attempt through; the
// login itself then fails with 503 as every other request does.
//
// Both are thread-safe.
#ifndef OW_IDENTITY_THROTTLE_H_
#define OW_IDENTITY_THROTTLE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/config.h"
#include "core/sliding_window.h"
#include "crypto/password.h"
#include "db/database.h"

namespace ow::identity {

class Throttle {
 public:
  using TimePoint = SlidingWindow::TimePoint;
  // `db` null: in memory, this process only.
  explicit Throttle(const Config& config, db::Database* db = nullptr);

  // True when a login for `username` from `ip` must wait *retry; *pair says whether the
  // pair's limit (rather than the address's) is the reason.
  bool LoginBlocked(const std::string& ip, const std::string& username, TimePoint now,
                    std::chrono::seconds* retry, bool* pair);
  void LoginFailed(const std::string& ip, const std::string& username, TimePoint now);
  void LoginSucceeded(const std::string& ip, const std::string& username);

  // Count an attempt and say whether it may proceed (false: wait *retry). Every attempt
  // counts, allowed or not answered yet: each is a question about who is registered.
  bool AdmitRegistration(const std::string& ip, TimePoint now, std::chrono::seconds* retry);
  bool AdmitRealName(const std::string& account_id, TimePoint now, std::chrono::seconds* retry);

 private:
  class Window;
  std::unique_lock<std::mutex> MemoryLock();
  Window IpFailures();
  Window PairFailures();
  std::mutex mu_;
  db::Database* db_;
  SlidingWindow ip_failures_;    // by IP
  SlidingWindow pair_failures_;  // by username + '\n' + IP
  SlidingWindow registrations_;  // by IP
  SlidingWindow realname_;       // by account id
  int64_t ip_limit_, pair_limit_;
  std::chrono::seconds pair_span_;
  int64_t registration_limit_, realname_limit_;
};

class PasswordHasher {
 public:
  // `limit` <= 0: the number of cores. New hashes use `params`; Verify reads a hash's own.
  explicit PasswordHasher(int64_t limit,
                          crypto::PasswordParams params = crypto::PasswordParams::Owasp());

  // The argon2id hash of `password`, or "" if hashing failed.
  std::string Hash(const std::string& password);
  bool Verify(const std::string& password, const std::string& hash);
  // True when `hash` was made with other parameters than this hasher's: rehash on login.
  bool NeedsRehash(const std::string& hash) const { return crypto::NeedsRehash(hash, params_); }

 private:
  // Waits for a free slot; the returned guard frees it.
  class Slot;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  int limit_;
  crypto::PasswordParams params_;
};

}  // namespace ow::identity

#endif  // OW_IDENTITY_THROTTLE_H_
