#include "db/database.h"

#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <vector>

#include "db/postgres/postgres_database.h"
#include "db/sqlite/sqlite_database.h"

namespace ow::db {

std::string_view DialectName(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgresql"; }

bool Rows::IsNull(size_t row, size_t col) const {
  return std::holds_alternative<std::monostate>(rows_[row][col]);
}

std::string Rows::Text(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return {};
}

int64_t Rows::Int(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) {
    int64_t n = 0;
    std::from_chars(s->data(), s->data() + s->size(), n);
    return n;
  }
  return 0;
}

double Rows::Double(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::optional<std::string> Rows::OptText(size_t row, size_t col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

Result<std::unique_ptr<Database>> Open(const std::string& url, const Options& options) {
  if (url.rfind("sqlite:", 0) == 0) return OpenSqlite(url.substr(7), options);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, options);
  }
  return InvalidArgument("database URL must start with sqlite: or postgresql://");
}

Status OneStatementConnection::Spend() {
  if (spent_) return Internal("a one-statement read ran a second statement");
  spent_ = true;
  return {};
}
Result<Rows> OneStatementConnection::Query(std::string_view sql, const std::vector<Value>& params) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.Query(sql, params);
}
Result<int64_t> OneStatementConnection::Exec(std::string_view sql,
                                             const std::vector<Value>& params) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.Exec(sql, params);
}
Status OneStatementConnection::ExecScript(std::string_view sql) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.ExecScript(sql);
}

struct Database::Group {
  // A caller waits on its own condition variable: woken when its batch is done, or when
  // it is first in the queue and nobody leads. One shared variable woke every waiter at
  // every commit, most of them only to sleep again (a fifth of a core in context switches
  // under the exchange benchmark's fifty connections).
  struct Pending {
    const std::function<Status(Connection&)>* fn;
    Status result;
    bool done = false;
    std::condition_variable cv;
  };
  static constexpr size_t kMaxBatch = 512;
  mutable std::mutex mu;
  std::deque<Pending*> queue;
  bool leading = false;
  int64_t transactions = 0;
  int64_t batches = 0;
};

Database::Database() : group_(std::make_unique<Group>()) {}
Database::~Database() = default;

GroupCommitStats Database::GroupStats() const {
  std::lock_guard<std::mutex> lock(group_->mu);
  return {group_->transactions, group_->batches};
}

Status Database::TransactGrouped(const std::function<Status(Connection&)>& fn) {
  Group& g = *group_;
  Group::Pending me{&fn, {}, false, {}};
  std::unique_lock<std::mutex> lock(g.mu);
  g.queue.push_back(&me);
  // Leader/follower: whoever finds no batch running takes everything queued and
  // commits it; the others wait for their result or their turn to lead.
  while (!me.done) {
    if (g.leading) {
      me.cv.wait(lock);
      continue;
    }
    g.leading = true;
    std::vector<Group::Pending*> batch;
    while (!g.queue.empty() && batch.size() < Group::kMaxBatch) {
      batch.push_back(g.queue.front());
      g.queue.pop_front();
    }
    lock.unlock();
    // Optimistically without savepoints (two statements less per member, which on
    // PostgreSQL are two round trips); if a member fails, the batch is rolled back and
    // run again with a savepoint around each member so the failure stays its own.
    bool member_failed = false;
    Status committed = Transact([&](Connection& c) -> Status {
      member_failed = false;
      for (auto* p : batch) {
        p->result = (*p->fn)(c);
        if (!p->result) {
          member_failed = true;
          return p->result.error();
        }
      }
      return {};
    });
    if (!committed && member_failed) {
      committed = Transact([&](Connection& c) -> Status {
        for (size_t i = 0; i < batch.size(); ++i) {
          std::string name = "ow_g" + std::to_string(i);
          OW_RETURN_IF_ERROR(c.ExecScript("SAVEPOINT " + name));
          batch[i]->result = (*batch[i]->fn)(c);
          OW_RETURN_IF_ERROR(c.ExecScript(batch[i]->result ? "RELEASE SAVEPOINT " + name
                                                           : "ROLLBACK TO SAVEPOINT " + name +
                                                                 "; RELEASE SAVEPOINT " + name));
        }
        return {};
      });
    }
    lock.lock();
    for (auto* p : batch) {
      if (!committed) p->result = committed.error();
      p->done = true;
      if (p != &me) p->cv.notify_one();
    }
    g.transactions += static_cast<int64_t>(batch.size());
    ++g.batches;
    g.leading = false;
    // The next batch's leader: the first caller still waiting (this one, when the batch
    // did not reach it, leads again at once instead).
    if (!g.queue.empty() && g.queue.front() != &me) g.queue.front()->cv.notify_one();
  }
  return me.result;
}

}  // namespace ow::db
