// Demo data for `onewindow seed-demo` and `make run`: the province, city and
// county levels of the region table and the departments of one demo city.
#ifndef OW_APP_DEMO_H_
#define OW_APP_DEMO_H_

#include <string>

#include "audit/audit.h"
#include "core/config.h"
#include "core/error.h"
#include "db/database.h"
#include "departments/service.h"
#include "identity/service.h"

namespace ow::app {

struct DemoSummary {
  int64_t regions = 0;
  int64_t departments_created = 0;
  int64_t departments_updated = 0;
  int64_t catalog_items = 0;
  int64_t accounts_created = 0;
  int64_t calendar_years = 0;  // holiday calendar years published or changed
  int64_t licence_types = 0;   // licence types saved (demo/licences.json)
  int64_t seals = 0;           // seals made or found, with their holders
  int64_t halls = 0;           // service halls created or changed (demo/halls.json)
  int64_t data_uses = 0;       // exchange log entries appended (demo/data-uses.json)
  int64_t exchange = 0;        // exchange resources, base records and grants (demo/exchange.json)
};

// Loads `dir`/regions/*.csv, `dir`/departments.json and `dir`/catalog.json (items,
// implementations and bundles, published directly as "seed-demo") and `dir`/calendar.json
// (holiday calendars by year, published as "seed-demo"). Idempotent: running it
// again updates what is there and creates nothing twice. With `config` (for the
// identity keys), also `dir`/accounts.json: demo staff, administrators and residents
// (existing usernames are left alone), then `dir`/licences.json: licence types, seals
// and the processes that issue licences.
Result<DemoSummary> SeedDemo(db::Database& db, const std::string& dir,
                             const Config* config = nullptr);

// `path` (demo/supervision.json), for `onewindow seed-demo` after SeedDemo (not part of it:
// the tests that load the demo start without supervision records): enterprise licences,
// inspection staff and conflicts, a random inspection plan with its results published, and
// supervision orders, made through the services as the demo accounts (demo/accounts.json);
// each part skipped when there. Returns what was made.
Result<int64_t> SeedSupervision(db::Database& db, const std::string& path, const Config& config,
                                departments::Service& departments);

// An identity event as an audit record.
audit::Event ToAuditEvent(const identity::AuditEvent& e);

// The audit sink of processes that are not the server (seed-demo, create-admin): every
// record is appended in the transaction of the change, or in one of its own.
identity::AuditSink DirectAuditSink(db::Database& db);

}  // namespace ow::app

#endif  // OW_APP_DEMO_H_
