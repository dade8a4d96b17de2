#include "identity/throttle.h"

#include <algorithm>
#include <thread>

#include "crypto/password.h"

namespace ow::identity {

namespace {

constexpr std::chrono::seconds kIpWindow{600};
constexpr std::chrono::seconds kRegistrationWindow{3600};
constexpr std::chrono::seconds kRealNameWindow{24 * 3600};

std::string PairKey(const std::string& username, const std::string& ip) {
  return username + '\n' + ip;
}

}  // namespace

Throttle::Throttle(const Config& config)
    : ip_failures_(config.ip_failure_limit, kIpWindow),
      pair_failures_(config.lockout_threshold, std::chrono::minutes(config.lockout_minutes)),
      registrations_(config.registration_ip_limit, kRegistrationWindow),
      realname_(config.realname_attempts, kRealNameWindow) {}

bool Throttle::LoginBlocked(const std::string& ip, const std::string& username, TimePoint now,
                            std::chrono::seconds* retry, bool* pair) {
  std::lock_guard<std::mutex> lock(mu_);
  *pair = false;
  if (ip_failures_.Full(ip, now, retry)) return true;
  *pair = true;
  return pair_failures_.Full(PairKey(username, ip), now, retry);
}

void Throttle::LoginFailed(const std::string& ip, const std::string& username, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  ip_failures_.Add(ip, now);
  pair_failures_.Add(PairKey(username, ip), now);
}

void Throttle::LoginSucceeded(const std::string& ip, const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  pair_failures_.Clear(PairKey(username, ip));
}

bool Throttle::AdmitRegistration(const std::string& ip, TimePoint now,
                                 std::chrono::seconds* retry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (registrations_.Full(ip, now, retry)) return false;
  registrations_.Add(ip, now);
  return true;
}

bool Throttle::AdmitRealName(const std::string& account_id, TimePoint now,
                             std::chrono::seconds* retry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (realname_.Full(account_id, now, retry)) return false;
  realname_.Add(account_id, now);
  return true;
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

PasswordHasher::PasswordHasher(int64_t limit)
    : limit_(limit > 0 ? static_cast<int>(limit)
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

std::string PasswordHasher::Hash(const std::string& password) {
  Slot slot(*this);
  auto hash = crypto::HashPassword(password);
  return hash ? *hash : std::string();
}

bool PasswordHasher::Verify(const std::string& password, const std::string& hash) {
  Slot slot(*this);
  return crypto::VerifyPassword(hash, password).has_value();
}

}  // namespace ow::identity
