#include "http/response_cache.h"

namespace ow::http {

ResponseCache::ResponseCache(std::chrono::milliseconds ttl, size_t max_entries,
                             std::function<uint64_t()> generation)
    : ttl_(ttl),
      max_per_shard_(std::max<size_t>(1, max_entries / 16)),
      generation_(std::move(generation)) {}

ResponseCache::Shard& ResponseCache::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % shards_.size()];
}

std::optional<Response> ResponseCache::Get(const std::string& key, uint64_t generation) {
  auto now = std::chrono::steady_clock::now();
  Shard& s = ShardFor(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end() || it->second.expires < now || it->second.generation != generation) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.response;
}

void ResponseCache::Put(const std::string& key, const Response& res, uint64_t generation) {
  if (res.result() != Status::ok) return;
  Entry e{res, std::chrono::steady_clock::now() + ttl_, generation};
  Shard& s = ShardFor(key);
  std::lock_guard<std::mutex> lock(s.mu);
  // Crude bound: a full shard starts over. Hot keys come straight back.
  if (s.map.size() >= max_per_shard_) s.map.clear();
  s.map.insert_or_assign(key, std::move(e));
}

}  // namespace ow::http
