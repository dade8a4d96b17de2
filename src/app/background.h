// The platform's periodic background work (workflow timers, reminders, outbox delivery,
// sweepers): each job runs on its own thread every `period` until the Background is
// destroyed, which stops and joins them all. A job's failure is logged and retried at its
// next turn; a job never runs twice at once in this process.
//
// Several nodes on one database: after SetLeases, a job started with Every() runs on one
// node at a time. Before each turn the node claims the lease "job:<name>"
// (db/shared_state.h) for `ttl`, renewing it while it keeps the job; the other nodes skip
// their turns. A node that dies holding a lease loses it when it expires, and the next node
// whose turn comes takes the job over. The jobs themselves stay safe when a lease lapses
// during a long turn: each claims its rows atomically (docs/architecture.md, "Several
// nodes"). EveryOnEachNode() runs on every node (work claimed per row, such as e-mail).
//
// Thread-safe: Every() may be called from any thread; jobs run concurrently with requests.
#ifndef OW_APP_BACKGROUND_H_
#define OW_APP_BACKGROUND_H_

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "db/database.h"

namespace ow::app {

class Background {
 public:
  Background() = default;
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  ~Background();

  // Jobs started after this claim "job:<name>" in `db` as `node` for `ttl` before each
  // turn (see above). `ttl` is raised to at least twice a job's period.
  void SetLeases(db::Database* db, std::string node, std::chrono::milliseconds ttl);
  const std::string& node() const { return node_; }

  // Runs `job` now and then every `period`; `name` names it in the log ("<name>_failed").
  void Every(std::string name, std::chrono::milliseconds period, std::function<Status()> job);
  // The same on every node, without a lease.
  void EveryOnEachNode(std::string name, std::chrono::milliseconds period,
                       std::function<Status()> job);
  // Stops and joins every job (also done by the destructor).
  void Stop();

 private:
  void Start(std::string name, std::chrono::milliseconds period, std::function<Status()> job,
             bool leased);
  db::Database* db_ = nullptr;
  std::string node_;
  std::chrono::milliseconds ttl_{0};
  std::vector<std::jthread> threads_;
};

}  // namespace ow::app

#endif  // OW_APP_BACKGROUND_H_
