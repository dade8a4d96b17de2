#include "app/background.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "core/log.h"
#include "db/shared_state.h"

namespace ow::app {

Background::~Background() { Stop(); }

void Background::SetLeases(db::Database* db, std::string node, std::chrono::milliseconds ttl) {
  db_ = db;
  node_ = std::move(node);
  ttl_ = ttl;
}

void Background::Every(std::string name, std::chrono::milliseconds period,
                       std::function<Status()> job) {
  Start(std::move(name), period, std::move(job), db_ != nullptr);
}

void Background::EveryOnEachNode(std::string name, std::chrono::milliseconds period,
                                 std::function<Status()> job) {
  Start(std::move(name), period, std::move(job), false);
}

void Background::Start(std::string name, std::chrono::milliseconds period,
                       std::function<Status()> job, bool leased) {
  // A lease outlives the gap between two turns of its holder, so the holder keeps it.
  auto ttl = std::max(ttl_, 2 * period);
  threads_.emplace_back([name = std::move(name), period, job = std::move(job), leased, db = db_,
                         node = node_, ttl](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    bool held = false;
    while (!stop.stop_requested()) {
      bool mine = true;
      if (leased) {
        auto claim = db::ClaimLease(*db, "job:" + name, node, ttl);
        mine = claim && *claim;
        if (!claim) log::Warn(name + "_lease_failed", {{"error", claim.error().message}});
        if (mine != held)
          log::Info(mine ? "job.lease_taken" : "job.lease_lost", {{"job", name}, {"node", node}});
        held = mine;
      }
      if (mine) {
        if (auto done = job(); !done)
          log::Warn(name + "_failed", {{"error", done.error().message}});
      }
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, period, [] { return false; });
    }
    // A node stopping gracefully hands the job over at once.
    if (held) (void)db::ReleaseLease(*db, "job:" + name, node);
  });
}

void Background::Stop() {
  for (auto& t : threads_) t.request_stop();
  threads_.clear();  // joins
}

}  // namespace ow::app
