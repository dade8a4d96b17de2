// The platform's periodic background work (workflow timers, reminders, outbox delivery,
// sweepers): each job runs on its own thread every `period` until the Background is
// destroyed, which stops and joins them all. A job's failure is logged and retried at its
// next turn; a job never runs twice at once in this process.
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

namespace ow::app {

class Background {
 public:
  Background() = default;
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  ~Background();

  // Runs `job` now and then every `period`; `name` names it in the log ("<name>_failed").
  void Every(std::string name, std::chrono::milliseconds period, std::function<Status()> job);
  // Stops and joins every job (also done by the destructor).
  void Stop();

 private:
  std::vector<std::jthread> threads_;
};

}  // namespace ow::app

#endif  // OW_APP_BACKGROUND_H_
