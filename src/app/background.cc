#include "app/background.h"

#include <condition_variable>
#include <mutex>

#include "core/log.h"

namespace ow::app {

Background::~Background() { Stop(); }

void Background::Every(std::string name, std::chrono::milliseconds period,
                       std::function<Status()> job) {
  threads_.emplace_back(
      [name = std::move(name), period, job = std::move(job)](std::stop_token stop) {
        std::mutex mu;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
          if (auto done = job(); !done)
            log::Warn(name + "_failed", {{"error", done.error().message}});
          std::unique_lock lock(mu);
          cv.wait_for(lock, stop, period, [] { return false; });
        }
      });
}

void Background::Stop() {
  for (auto& t : threads_) t.request_stop();
  threads_.clear();  // joins
}

}  // namespace ow::app
