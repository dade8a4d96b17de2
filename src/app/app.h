// The composition root: opens the database, applies migrations, builds every
// domain's service and routes, the middleware chain and the HTTP server.
//
// Used by `onewindow serve` and, in-process, by the integration tests. Nothing
// else constructs services or knows how domains are wired.
#ifndef OW_APP_APP_H_
#define OW_APP_APP_H_

#include <memory>
#include <vector>

#include "core/config.h"
#include "db/database.h"
#include "db/migrations.h"
#include "http/router.h"

namespace ow::cases {
class Service;
}
namespace ow::notify {
class Service;
}
namespace ow::appointments {
class Service;
}
namespace ow::identity {
class Service;
}  // namespace ow::identity

namespace ow::http {
class Dispatcher;
}  // namespace ow::http
namespace ow::indicators {
class Service;
}  // namespace ow::indicators
namespace ow::ratings {
class Service;
}  // namespace ow::ratings
namespace ow::tickets {
class Service;
}  // namespace ow::tickets
namespace ow::exchange_log {
class Log;
class Service;
}  // namespace ow::exchange_log
namespace ow::exchange {
class Service;
}  // namespace ow::exchange
namespace ow::supervise {
class Service;
}  // namespace ow::supervise

namespace ow::app {

// Every domain's migrations, in dependency order.
std::vector<db::Migration> AllMigrations();

// Opens the configured database and migrates it.
Result<std::unique_ptr<db::Database>> OpenDatabase(const Config& config);

class App {
 public:
  // Opens and migrates the database, wires routes and the server (not yet listening).
  static Result<std::unique_ptr<App>> Create(const Config& config, bool handle_signals = true);
  ~App();

  // Binds the listen address; returns the bound port.
  Result<uint16_t> Listen();
  // Serves until Shutdown() or SIGINT/SIGTERM; then closes the database.
  void Run();
  void Shutdown();

  db::Database& database();
  const http::Router& router() const;
  // The dispatcher the server runs: middleware, the access gate, the routes.
  const http::Dispatcher& dispatcher() const;
  // The identity service, for bootstrapping administrators (tests, CLI).
  identity::Service& identity();
  // The cases service (tests move its clock and fire timers).
  cases::Service& cases();
  // The notifications service (tests deliver what is due at a chosen time).
  notify::Service& notify();
  // The appointments service (tests move its clock and run its sweeps).
  appointments::Service& appointments();
  // The tickets service (tests move its clock and escalate overdue tickets).
  tickets::Service& tickets();
  // The ratings service (tests move its clock).
  ratings::Service& ratings();
  supervise::Service& supervise();
  // The indicators (benchmarks read them and time transitions with and without).
  indicators::Service& indicators();
  // The exchange message log: the exchange appends through it; tests append directly.
  const exchange_log::Log& message_log() const;
  // Its service (tests time-stamp pending entries; the CLI verifies the log).
  exchange_log::Service& message_log_service();
  // The data exchange (the CLI imports bases through it).
  exchange::Service& exchange();
  const Config& config() const;

 private:
  App();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ow::app

#endif  // OW_APP_APP_H_
