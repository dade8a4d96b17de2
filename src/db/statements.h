// A process-wide count of the statements the drivers send to their databases, for the
// metric onewindow_db_statements_total and the benchmarks (bench/cases.sh divides it by the
// submissions). On PostgreSQL each counted call is one round trip to the server (a
// statement, a transaction's BEGIN or COMMIT, the first PREPARE of a statement on a
// connection); on SQLite it counts statements run in-process. Header-only so the drivers
// and the app share one counter without a library of its own.
#ifndef OW_DB_STATEMENTS_H_
#define OW_DB_STATEMENTS_H_

#include <atomic>
#include <cstdint>

namespace ow::db {

inline std::atomic<int64_t>& StatementCounter() {
  static std::atomic<int64_t> count{0};
  return count;
}

inline void CountStatement() { StatementCounter().fetch_add(1, std::memory_order_relaxed); }

inline int64_t StatementsSent() { return StatementCounter().load(std::memory_order_relaxed); }

}  // namespace ow::db

#endif  // OW_DB_STATEMENTS_H_
