#include <algorithm>
#include <boost/json.hpp>
#include <cassert>

#include "audit/audit.h"
#include "audit/store.h"
#include "core/log.h"

namespace ow::audit {

using Clock = std::chrono::steady_clock;

Writer::Writer(db::Database& db, Options options) : db_(db), options_(options) {
  assert(options_.max_batch > 0 && options_.queue_limit > 0);
  thread_ = std::thread([this] { Run(); });
}

Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    stop_deadline_ = Clock::now() + options_.stop_timeout;
  }
  work_.notify_all();
  thread_.join();
}

Status Writer::Enqueue(Event e) {
  // Checked and stamped here, so that the writer thread never meets an event it
  // cannot write and `at` is when the event happened, not when its batch committed.
  OW_ASSIGN_OR_RETURN(Record r, internal::Stamp(std::move(e)));
  std::unique_lock<std::mutex> lock(mu_);
  room_.wait(lock, [&] { return queue_.size() < options_.queue_limit; });
  queue_.push_back({std::move(r), Clock::now()});
  ++stats_.enqueued;
  // The writer sleeps until a batch is due; wake it only when this event starts or
  // fills one.
  if (queue_.size() == 1 || queue_.size() == options_.max_batch) work_.notify_one();
  return {};
}

void Writer::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = stats_.enqueued;
  if (stats_.written >= target) return;
  flush_upto_ = std::max(flush_upto_, target);
  work_.notify_all();
  written_.wait(lock, [&] { return stats_.written >= target; });
}

Writer::Stats Writer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.queued = queue_.size() + in_flight_;
  return s;
}

void Writer::LogUnwritten(const std::vector<Record>& batch) {
  for (const Record& r : batch) {
    log::Error("audit.writer.unwritten", {{"at", r.at},
                                          {"action", r.action},
                                          {"actor", r.actor},
                                          {"subject", r.subject},
                                          {"outcome", r.outcome},
                                          {"ip", r.ip},
                                          {"request_id", r.request_id},
                                          {"detail", r.detail}});
  }
}

void Writer::Run() {
  constexpr auto kFirstBackoff = std::chrono::milliseconds(50);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything is written
    // A batch is due when it is full, when its first event has waited max_delay, or
    // when someone is waiting for it (Flush, the destructor).
    work_.wait_until(lock, queue_.front().since + options_.max_delay, [&] {
      return queue_.size() >= options_.max_batch || stopping_ || flush_upto_ > stats_.written;
    });
    size_t n = std::min(queue_.size(), options_.max_batch);
    std::vector<Record> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front().record));
      queue_.pop_front();
    }
    in_flight_ = n;
    room_.notify_all();

    auto backoff = kFirstBackoff;
    for (int attempt = 1;; ++attempt) {
      lock.unlock();
      Status st =
          db_.Transact([&batch](db::Connection& c) { return internal::AppendRecords(c, batch); });
      lock.lock();
      if (st) {
        stats_.written += n;
        ++stats_.batches;
        break;
      }
      ++stats_.failures;
      log::Error("audit.writer.batch_failed",
                 {{"error", st.error().message},
                  {"code", std::string(CodeName(st.error().code))},
                  {"attempt", attempt},
                  {"events", n},
                  {"retry_in_ms", static_cast<int64_t>(backoff.count())}});
      if (stopping_ && Clock::now() >= stop_deadline_) {
        // Giving up only at shutdown, and never silently: the log keeps every event.
        LogUnwritten(batch);
        std::vector<Record> rest;
        for (auto& q : queue_) rest.push_back(std::move(q.record));
        queue_.clear();
        LogUnwritten(rest);
        log::Error("audit.writer.gave_up", {{"events", static_cast<int64_t>(n + rest.size())}});
        in_flight_ = 0;
        return;
      }
      auto retry_at = Clock::now() + backoff;
      if (stopping_) retry_at = std::min(retry_at, stop_deadline_);
      work_.wait_until(lock, retry_at);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    in_flight_ = 0;
    written_.notify_all();
  }
}

}  // namespace ow::audit
