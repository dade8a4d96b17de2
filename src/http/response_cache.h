// A bounded in-memory cache of rendered GET responses, for data that changes
// rarely (regions, published catalog guides).
//
// An entry is served for at most `ttl`, and never after the owner's generation
// counter moved on (a write in this process bumps it, so in-process changes are
// visible at once; writes by another process, such as an import from the command
// line, show within `ttl`). Keep `ttl` no longer than the Cache-Control max-age the
// routes already promise clients. Thread-safe; sharded to keep lock hold times short.
#ifndef OW_HTTP_RESPONSE_CACHE_H_
#define OW_HTTP_RESPONSE_CACHE_H_

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/message.h"

namespace ow::http {

class ResponseCache {
 public:
  ResponseCache(std::chrono::milliseconds ttl, size_t max_entries,
                std::function<uint64_t()> generation);

  // The cached 200 response for `key`, if fresh.
  std::optional<Response> Get(const std::string& key);
  // Stores a 200 response; others are ignored.
  void Put(const std::string& key, const Response& res);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    Response response;
    std::chrono::steady_clock::time_point expires;
    uint64_t generation;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
  };
  Shard& ShardFor(const std::string& key);

  std::chrono::milliseconds ttl_;
  size_t max_per_shard_;
  std::function<uint64_t()> generation_;
  std::array<Shard, 16> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace ow::http

#endif  // OW_HTTP_RESPONSE_CACHE_H_
