// Micro-benchmarks of the per-request costs behind bench/run.sh's HTTP figures: the
// read transaction, the region queries, the whole dispatcher (routing, middleware,
// JSON) without a network, a cache hit answered on the network thread, and the hop to
// the handler pool that the server makes for every request that is not answered there.
// They read a database that already holds the imported regions:
//
//   OW_BENCH_DATABASE=sqlite:/tmp/bench.db build/release/bench/ow_micro_bench
//
// Without OW_BENCH_DATABASE the database benchmarks are skipped.
#include <benchmark/benchmark.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/system_routes.h"
#include "core/log.h"
#include "db/database.h"
#include "http/dispatcher.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/router.h"
#include "regions/routes.h"
#include "regions/service.h"
#include "regions/store.h"

namespace {

namespace asio = boost::asio;
using ow::regions::Store;

// One database and one dispatcher wired like the app's (same middleware, same order),
// shared by every benchmark. Sample codes are spread evenly over the whole table.
struct Fixture {
  std::unique_ptr<ow::db::Database> db;
  std::unique_ptr<ow::regions::Service> regions;
  ow::http::Router router;
  ow::http::Metrics metrics;
  std::unique_ptr<ow::http::Dispatcher> dispatcher;
  std::unique_ptr<ow::http::Dispatcher> bare;  // no middleware
  std::vector<std::string> villages;
  std::vector<std::string> prefixes;
  std::string error;

  Fixture() {
    const char* url = std::getenv("OW_BENCH_DATABASE");
    if (url == nullptr || *url == '\0') {
      error = "set OW_BENCH_DATABASE to a database holding the imported regions";
      return;
    }
    ow::log::SetLevel(ow::log::Level::kWarn);  // as in bench/run.sh
    auto opened = ow::db::Open(url, ow::db::Options{});
    if (!opened) {
      error = opened.error().message;
      return;
    }
    db = std::move(*opened);
    auto st = db->Read([&](ow::db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto v,
                          c.Query("SELECT code FROM regions WHERE level = 5 ORDER BY code"));
      for (size_t i = 0; i < v.size(); i += 617) villages.push_back(v.Text(i, 0));
      OW_ASSIGN_OR_RETURN(auto t,
                          c.Query("SELECT name FROM regions WHERE level = 4 ORDER BY code"));
      for (size_t i = 0; i < t.size(); i += 41) prefixes.push_back(FirstChars(t.Text(i, 0), 2));
      return {};
    });
    if (!st) {
      error = st.error().message;
      return;
    }
    if (villages.empty()) {
      error = "the database holds no villages; run import-regions first";
      return;
    }
    regions = std::make_unique<ow::regions::Service>(*db);
    ow::regions::AddRoutes(router, *regions);
    ow::app::AddSystemRoutes(router, *db, metrics);
    dispatcher = std::make_unique<ow::http::Dispatcher>(router, nullptr);
    dispatcher->Use(ow::http::RequestId());
    dispatcher->Use(ow::http::AccessLog());
    dispatcher->Use(ow::http::RecordMetrics(metrics));
    dispatcher->Use(ow::http::SecurityHeaders());
    bare = std::make_unique<ow::http::Dispatcher>(router, nullptr);
  }

  // The first `n` code points of UTF-8 `s`.
  static std::string FirstChars(const std::string& s, int n) {
    size_t i = 0;
    for (int k = 0; k < n && i < s.size(); ++k) {
      auto b = static_cast<unsigned char>(s[i]);
      i += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    }
    return s.substr(0, i);
  }

  static Fixture& Get() {
    static Fixture f;
    return f;
  }
};

// Returns the fixture, or null after marking `state` skipped.
Fixture* Setup(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return nullptr;
  }
  return &f;
}

void BM_ReadTransactionEmpty(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  for (auto _ : state) {
    auto st = f->db->Read([](ow::db::Connection&) -> ow::Status { return {}; });
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_ReadTransactionEmpty);

// One indexed point lookup by primary key.
void BM_StoreGetOne(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& code = f->villages[i++ % f->villages.size()];
    auto st = f->db->Read([&](ow::db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, Store::Get(c, code));
      benchmark::DoNotOptimize(r);
      return {};
    });
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_StoreGetOne);

// What Service::Get does: a village and its four ancestors with one IN (...) query.
void BM_StoreGetManyIn(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& v = f->villages[i++ % f->villages.size()];
    std::vector<std::string> codes = {v.substr(0, 2), v.substr(0, 4), v.substr(0, 6),
                                      v.substr(0, 9), v};
    auto st = f->db->Read([&](ow::db::Connection& c) -> ow::Status {
      OW_ASSIGN_OR_RETURN(auto r, Store::GetMany(c, codes));
      benchmark::DoNotOptimize(r);
      return {};
    });
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_StoreGetManyIn);

// The alternative: five point lookups in the same transaction.
void BM_StoreGetFiveSingles(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& v = f->villages[i++ % f->villages.size()];
    std::vector<std::string> codes = {v.substr(0, 2), v.substr(0, 4), v.substr(0, 6),
                                      v.substr(0, 9), v};
    auto st = f->db->Read([&](ow::db::Connection& c) -> ow::Status {
      for (const auto& code : codes) {
        OW_ASSIGN_OR_RETURN(auto r, Store::Get(c, code));
        benchmark::DoNotOptimize(r);
      }
      return {};
    });
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_StoreGetFiveSingles);

void BM_ServiceGetVillage(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  size_t i = 0;
  for (auto _ : state) {
    auto r = f->regions->Get(f->villages[i++ % f->villages.size()]);
    if (!r) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ServiceGetVillage);

void BM_ServiceSearch(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  size_t i = 0;
  for (auto _ : state) {
    ow::regions::SearchQuery q;
    q.prefix = f->prefixes[i++ % f->prefixes.size()];
    auto r = f->regions->Search(q);
    if (!r) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ServiceSearch);

// Service::Get on a database of its own with one connection, after running `pragma`
// on it (empty: as shipped). SQLite only: shows what page-cache settings would change.
void BM_ServiceGetVillageSqlitePragma(benchmark::State& state, const char* pragma) {
  Fixture* f = Setup(state);
  if (!f) return;
  std::string url = std::getenv("OW_BENCH_DATABASE");
  if (f->db->dialect() != ow::db::Dialect::kSqlite) {
    state.SkipWithError("SQLite only");
    return;
  }
  ow::db::Options one;
  one.pool_size = 1;
  auto db = ow::db::Open(url, one);
  if (!db) {
    state.SkipWithError(db.error().message.c_str());
    return;
  }
  if (*pragma) {
    auto st = (*db)->Read([&](ow::db::Connection& c) { return c.ExecScript(pragma); });
    if (!st) {
      state.SkipWithError(st.error().message.c_str());
      return;
    }
  }
  ow::regions::Service regions(**db);
  size_t i = 0;
  for (auto _ : state) {
    auto r = regions.Get(f->villages[i++ % f->villages.size()]);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_CAPTURE(BM_ServiceGetVillageSqlitePragma, shipped, "");
BENCHMARK_CAPTURE(BM_ServiceGetVillageSqlitePragma, mmap_256MiB, "PRAGMA mmap_size=268435456");
BENCHMARK_CAPTURE(BM_ServiceGetVillageSqlitePragma, cache_64MiB, "PRAGMA cache_size=-65536");

// The whole handler path of one request, no network: URL parsing, middleware,
// routing, the query, JSON, ETag (and storing the answer in the response cache, which
// Handle always does; it never reads the cache). Arg 0: without middleware, 1: with the app's.
void BM_DispatchRegionGet(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  const ow::http::Dispatcher& d = state.range(0) ? *f->dispatcher : *f->bare;
  std::vector<ow::http::Request> requests;
  for (const auto& code : f->villages) {
    requests.emplace_back(ow::http::Verb::get, "/api/v1/regions/" + code, 11);
    requests.back().set(ow::http::Field::host, "127.0.0.1");
  }
  size_t i = 0;
  for (auto _ : state) {
    ow::http::Response res = d.Handle(requests[i++ % requests.size()]);
    if (res.result() != ow::http::Status::ok) state.SkipWithError("region lookup failed");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_DispatchRegionGet)->Arg(0)->Arg(1);

// A region GET answered from the response cache, as the server's network thread does it
// (Dispatcher::HandleInline: URL parsing, route match, cache lookup, the app's
// middleware). Every request was handled once before, so every lookup is a hit.
void BM_DispatchRegionGetCached(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  std::vector<ow::http::Request> requests;
  for (const auto& code : f->villages) {
    requests.emplace_back(ow::http::Verb::get, "/api/v1/regions/" + code, 11);
    requests.back().set(ow::http::Field::host, "127.0.0.1");
    f->dispatcher->Handle(requests.back());  // fills the cache
  }
  size_t i = 0;
  for (auto _ : state) {
    std::optional<ow::http::Response> res =
        f->dispatcher->HandleInline(requests[i++ % requests.size()]);
    if (!res || res->result() != ow::http::Status::ok) state.SkipWithError("not a cache hit");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_DispatchRegionGetCached);

// /healthz: no database; what remains is the framework's own cost per request.
void BM_DispatchHealthz(benchmark::State& state) {
  Fixture* f = Setup(state);
  if (!f) return;
  ow::http::Request req{ow::http::Verb::get, "/healthz", 11};
  req.set(ow::http::Field::host, "127.0.0.1");
  for (auto _ : state) {
    ow::http::Response res = f->dispatcher->Handle(req);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_DispatchHealthz);

// The round trip src/http/server.cc makes for every request that is not a cache hit,
// static file or health check: from the connection's coroutine on an io_context strand
// to a coroutine on the handler thread_pool and back, here with an empty handler.
// Arg: handler pool threads.
void BM_HandlerPoolHop(benchmark::State& state) {
  asio::io_context ioc;
  asio::thread_pool pool(static_cast<size_t>(state.range(0)));
  asio::co_spawn(
      asio::make_strand(ioc),
      [&]() -> asio::awaitable<void> {
        for (auto _ : state) {
          int v = co_await asio::co_spawn(
              pool, []() -> asio::awaitable<int> { co_return 1; }, asio::use_awaitable);
          benchmark::DoNotOptimize(v);
        }
      },
      asio::detached);
  ioc.run();
  pool.join();
}
BENCHMARK(BM_HandlerPoolHop)->Arg(1)->Arg(2)->Arg(16)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
