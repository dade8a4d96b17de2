// Request metrics in Prometheus text exposition format (version 0.0.4).
//
// Thread-safe. Counts requests by route pattern, method and status, and keeps a
// latency histogram per route. Gauges from other layers (connections, database
// pool) are added as callbacks evaluated at scrape time.
#ifndef OW_HTTP_METRICS_H_
#define OW_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ow::http {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  void Observe(const std::string& route, std::string_view method, int status, double seconds);

  // A gauge or counter sampled at scrape time: name, help, type ("gauge"/"counter"), value.
  void AddSample(std::string name, std::string help, std::string type, std::function<double()> fn);

  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  struct Sample {
    std::string name, help, type;
    std::function<double()> fn;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::vector<Sample> samples_;
};

}  // namespace ow::http

#endif  // OW_HTTP_METRICS_H_
