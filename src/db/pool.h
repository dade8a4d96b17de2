// The connection pool and the transient-failure retry loop that both drivers share
// (db/sqlite, db/postgres): a driver opens connections, runs one transaction attempt,
// and says whether a connection is still usable; everything else is here.
//
// Acquire waits up to Options::pool_wait_ms (0: max(1 s, busy_timeout_ms)) for a free connection
// (counted in PoolStats::waits, and in timeouts when it gives up). Run retries an attempt that
// failed with kUnavailable (busy, serialization failure, lost connection) up to
// Options::max_retries times, sleeping 2, 4, 8... ms between. Close waits up to 30 s
// for lent connections to come back, so that no statement is mid-flight when the
// handles close.
//
// Thread-safe.
#ifndef OW_DB_POOL_H_
#define OW_DB_POOL_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "db/database.h"

namespace ow::db {

template <typename Conn>
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Conn>>()>;

  ConnectionPool(Options options, Opener open) : options_(options), open_(std::move(open)) {}
  ~ConnectionPool() { Close(); }

  // Opens `n` connections (at least one).
  Status Fill(int n) {
    for (int i = 0; i < std::max(1, n); ++i) {
      auto conn = open_();
      if (!conn) return conn.error();
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(std::move(*conn));
      ++size_;
    }
    return {};
  }

  // Lends a connection to `attempt`, again after each kUnavailable failure (see above).
  // `usable(conn)` false before an attempt: the connection is replaced by a new one
  // (a failure to open ends the retries with that error).
  Status Run(const std::function<Status(Conn&)>& attempt,
             const std::function<bool(const Conn&)>& usable = nullptr) {
    auto conn = Acquire();
    if (!conn) return conn.error();
    Status result;
    for (int attempt_no = 0;; ++attempt_no) {
      if (usable && !usable(**conn)) {
        auto fresh = open_();
        if (!fresh) {
          result = fresh.error();
          break;
        }
        *conn = std::move(*fresh);
      }
      result = attempt(**conn);
      if (result || result.error().code != Code::kUnavailable || attempt_no >= options_.max_retries)
        break;
      retries_.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(2 << attempt_no));
    }
    Release(std::move(*conn));
    return result;
  }

  PoolStats Stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {size_, size_ - static_cast<int64_t>(idle_.size()), waits_, timeouts_, retries_.load()};
  }

  void Close() {
    std::unique_lock<std::mutex> lock(mu_);
    closed_ = true;
    cv_.wait_for(lock, std::chrono::seconds(30),
                 [&] { return static_cast<int64_t>(idle_.size()) == size_; });
    idle_.clear();
    size_ = 0;
  }

 private:
  Result<std::unique_ptr<Conn>> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) return Unavailable("database is closed");
    if (idle_.empty()) {
      ++waits_;
      bool ok =
          cv_.wait_for(lock,
                       std::chrono::milliseconds(options_.pool_wait_ms > 0
                                                     ? options_.pool_wait_ms
                                                     : std::max(1000, options_.busy_timeout_ms)),
                       [&] { return !idle_.empty() || closed_; });
      if (!ok || closed_) {
        ++timeouts_;
        return Unavailable("no database connection available");
      }
    }
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }

  void Release(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_all();
  }

  const Options options_;
  const Opener open_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int64_t size_ = 0;
  int64_t waits_ = 0;
  int64_t timeouts_ = 0;
  std::atomic<int64_t> retries_{0};
  bool closed_ = false;
};

}  // namespace ow::db

#endif  // OW_DB_POOL_H_
