// Group commit against one fsync per commit, on the same disk in the same run
// (the storage half of issue 5's durability benchmark):
//   1. serial:  one thread, one row per transaction: every commit waits for its own
//      fsync (SQLite WAL with synchronous=FULL; PostgreSQL's WAL flush). This is the
//      disk's one-fsync-per-commit rate, the reference.
//   2. grouped: N threads, one row per db::Database::TransactGrouped call: callers
//      that arrive while a commit is in flight share the next one.
// Prints one line per run and the ratio grouped/serial (issue 5 asks for >= 10 when
// cases are submitted over HTTP; this isolates the store's part).
//
//   build/release/bench/ow_commit_bench sqlite:/var/tmp/commit.db [SECONDS] [THREADS...]
//   build/release/bench/ow_commit_bench postgresql://... 3 16 64
// Every loop is bounded by time and count.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kMaxRows = 2000000;

ow::Status Insert(ow::db::Connection& c, int64_t id) {
  OW_RETURN_IF_ERROR(c.Exec("INSERT INTO commit_bench (id, payload) VALUES ($1, $2)",
                            {id, std::string(200, 'x')}));
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATABASE_URL [SECONDS] [THREADS...]\n", argv[0]);
    return 2;
  }
  std::string url = argv[1];
  double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::vector<int> thread_counts;
  for (int i = 3; i < argc; ++i) thread_counts.push_back(std::atoi(argv[i]));
  if (thread_counts.empty()) thread_counts = {16, 64};
  ow::db::Options options;
  options.pool_size = 4;
  auto db = ow::db::Open(url, options);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    return 1;
  }
  auto& d = **db;
  auto st = d.Transact([](ow::db::Connection& c) -> ow::Status {
    OW_RETURN_IF_ERROR(c.Exec("DROP TABLE IF EXISTS commit_bench"));
    OW_RETURN_IF_ERROR(c.Exec("CREATE TABLE commit_bench (id BIGINT PRIMARY KEY, payload TEXT)"));
    return {};
  });
  if (!st) {
    std::fprintf(stderr, "schema: %s\n", st.error().message.c_str());
    return 1;
  }
  std::atomic<int64_t> next{0};
  auto deadline = [&] {
    return Clock::now() +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };

  // 1. serial
  int64_t serial = 0;
  Clock::time_point start = Clock::now(), end = deadline();
  while (Clock::now() < end && serial < kMaxRows) {
    int64_t id = next++;
    if (!d.Transact([&](ow::db::Connection& c) { return Insert(c, id); })) return 1;
    ++serial;
  }
  double serial_rate = serial / std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%s serial: %.0f commits/s (%lld rows)\n", ow::db::DialectName(d.dialect()).data(),
              serial_rate, static_cast<long long>(serial));

  // 2. grouped
  for (int threads : thread_counts) {
    auto before = d.GroupStats();
    std::atomic<int64_t> done{0}, failed{0};
    start = Clock::now();
    end = deadline();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        while (Clock::now() < end && done.load() < kMaxRows) {
          int64_t id = next++;
          if (d.TransactGrouped([&](ow::db::Connection& c) { return Insert(c, id); })) {
            ++done;
          } else {
            ++failed;
          }
        }
      });
    }
    for (auto& th : pool) th.join();
    double rate = done / std::chrono::duration<double>(Clock::now() - start).count();
    auto after = d.GroupStats();
    int64_t batches = after.batches - before.batches;
    std::printf(
        "%s grouped, %d threads: %.0f commits/s (%lld rows, %lld failed, %lld batches, "
        "%.1f per batch), ratio to serial %.1f\n",
        ow::db::DialectName(d.dialect()).data(), threads, rate, static_cast<long long>(done.load()),
        static_cast<long long>(failed.load()), static_cast<long long>(batches),
        batches ? static_cast<double>(after.transactions - before.transactions) / batches : 0.0,
        rate / serial_rate);
  }
  d.Close();
  return 0;
}
