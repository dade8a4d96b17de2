// A bounded in-memory cache of rendered GET responses, for data that changes
// rarely (regions, published catalog guides).
//
// An entry is served for at most `ttl`, and never after the owner's generation
// counter moved on. The owners keep their counters in the database
// (db/shared_state.h), bumped by every write on any node, so a change acknowledged on
// one node is seen by the next request on every node. Reading the counter may block
// (one single-row read): the dispatcher looks caches up on its handler threads, never
// on the network threads. The caller reads Generation() BEFORE computing a response
// and stores the response under that value, so a write that lands meanwhile makes
// the entry stale at once. Keep `ttl` no longer than the Cache-Control max-age the
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

  // The owner's generation now (may block: see above).
  uint64_t Generation() const { return generation_(); }
  // The cached 200 response for `key`, if fresh and stored at `generation`.
  std::optional<Response> Get(const std::string& key, uint64_t generation);
  // Stores a 200 response computed after Generation() returned `generation`; others are
  // ignored.
  void Put(const std::string& key, const Response& res, uint64_t generation);

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
