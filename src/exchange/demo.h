// Demo data of the exchange (`onewindow seed-demo`, demo/exchange.json): resources
// published directly as "seed-demo", base records, and department systems with grants.
#ifndef OW_EXCHANGE_DEMO_H_
#define OW_EXCHANGE_DEMO_H_

#include <boost/json/value.hpp>

#include "core/error.h"
#include "db/database.h"

namespace ow::exchange {

struct DemoCounts {
  int64_t resources = 0;  // published now (existing codes are left alone)
  int64_t records = 0;    // base records written
  int64_t grants = 0;     // grants made (a system's live grant is left alone)
};

// `doc`: {"resources": [<resource as POST /api/v1/exchange/resources>],
//         "population": [<record>], "legal_person": [<record>], "birth": [<record>],
//         "systems": [{"client_id", "department_code", "grants": [{"resource", "fields",
//                      "purpose", "legal_basis"}]}]}.
// The systems' OpenID Connect clients must exist. Idempotent.
Result<DemoCounts> SeedDemo(db::Database& db, const boost::json::value& doc);

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_DEMO_H_
