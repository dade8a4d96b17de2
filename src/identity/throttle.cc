#include "identity/throttle.h"

#include <algorithm>
#include <thread>

#include "crypto/password.h"
#include "db/shared_state.h"

namespace ow::identity {

namespace {

constexpr std::chrono::seconds kIpWindow{600};
constexpr std::chrono::seconds kRegistrationWindow{3600};
constexpr std::chrono::seconds kRealNameWindow{24 * 3600};

std::string PairKey(const std::string& username, const std::string& ip) {
  return username + '\n' + ip;
}

}  // namespace

// One limit: the in-memory window, or its rows in the database when there is one.
class Throttle::Window {
 public:
  Window(Throttle& t, SlidingWindow& memory, const char* bucket, int64_t limit,
         std::chrono::seconds span)
      : t_(t), memory_(memory), shared_{bucket, span}, limit_(limit < 1 ? 1 : limit) {}

  bool Full(const std::string& key, TimePoint now, std::chrono::seconds* retry) {
    if (!t_.db_) return memory_.Full(key, now, retry);
    int64_t at = Millis(now), oldest = 0;
    auto n = db::CountEvents(*t_.db_, shared_, key, at, &oldest);
    if (!n || *n < limit_) return false;
    *retry = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::milliseconds(oldest + shared_.window.count() - at)) +
             std::chrono::seconds(1);
    return true;
  }
  void Add(const std::string& key, TimePoint now) {
    if (!t_.db_) return memory_.Add(key, now);
    (void)db::RecordEvent(*t_.db_, shared_, key, Millis(now));
  }
  void Clear(const std::string& key) {
    if (!t_.db_) return memory_.Clear(key);
    (void)db::ClearEvents(*t_.db_, shared_, key);
  }

 private:
  static int64_t Millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  Throttle& t_;
  SlidingWindow& memory_;
  db::EventWindow shared_;
  int64_t limit_;
};

Throttle::Throttle(const Config& config, db::Database* db)
    : db_(db),
      ip_failures_(config.ip_failure_limit, kIpWindow),
      pair_failures_(config.lockout_threshold, std::chrono::minutes(config.lockout_minutes)),
      registrations_(config.registration_ip_limit, kRegistrationWindow),
      realname_(config.realname_attempts, kRealNameWindow),
      ip_limit_(config.ip_failure_limit),
      pair_limit_(config.lockout_threshold),
      pair_span_(std::chrono::minutes(config.lockout_minutes)),
      registration_limit_(config.registration_ip_limit),
      realname_limit_(config.realname_attempts) {}

bool Throttle::LoginBlocked(const std::string& ip, const std::string& username, TimePoint now,
                            std::chrono::seconds* retry, bool* pair) {
  auto lock = MemoryLock();
  *pair = false;
  if (IpFailures().Full(ip, now, retry)) return true;
  *pair = true;
  return PairFailures().Full(PairKey(username, ip), now, retry);
}

void Throttle::LoginFailed(const std::string& ip, const std::string& username, TimePoint now) {
  auto lock = MemoryLock();
  IpFailures().Add(ip, now);
  PairFailures().Add(PairKey(username, ip), now);
}

void Throttle::LoginSucceeded(const std::string& ip, const std::string& username) {
  auto lock = MemoryLock();
  PairFailures().Clear(PairKey(username, ip));
}

bool Throttle::AdmitRegistration(const std::string& ip, TimePoint now,
                                 std::chrono::seconds* retry) {
  auto lock = MemoryLock();
  Window w(*this, registrations_, "registration.ip", registration_limit_, kRegistrationWindow);
  if (w.Full(ip, now, retry)) return false;
  w.Add(ip, now);
  return true;
}

bool Throttle::AdmitRealName(const std::string& account_id, TimePoint now,
                             std::chrono::seconds* retry) {
  auto lock = MemoryLock();
  Window w(*this, realname_, "realname.account", realname_limit_, kRealNameWindow);
  if (w.Full(account_id, now, retry)) return false;
  w.Add(account_id, now);
  return true;
}

// The database serializes stored counting; memory needs the lock.
std::unique_lock<std::mutex> Throttle::MemoryLock() {
  return db_ ? std::unique_lock<std::mutex>() : std::unique_lock<std::mutex>(mu_);
}

Throttle::Window Throttle::IpFailures() {
  return Window(*this, ip_failures_, "login.ip", ip_limit_, kIpWindow);
}

Throttle::Window Throttle::PairFailures() {
  return Window(*this, pair_failures_, "login.pair", pair_limit_, pair_span_);
}

class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h) {
    std::unique_lock<std::mutex> lock(h_.mu_);
    h_.cv_.wait(lock, [&] { return h_.running_ < h_.limit_; });
    ++h_.running_;
  }
  ~Slot() {
    std::lock_guard<std::mutex> lock(h_.mu_);
    --h_.running_;
    h_.cv_.notify_one();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  PasswordHasher& h_;
};

PasswordHasher::PasswordHasher(int64_t limit, crypto::PasswordParams params)
    : limit_(limit > 0 ? static_cast<int>(limit)
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      params_(params) {}

std::string PasswordHasher::Hash(const std::string& password) {
  Slot slot(*this);
  auto hash = crypto::HashPassword(password, params_);
  return hash ? *hash : std::string();
}

bool PasswordHasher::Verify(const std::string& password, const std::string& hash) {
  Slot slot(*this);
  return crypto::VerifyPassword(hash, password).has_value();
}

}  // namespace ow::identity
