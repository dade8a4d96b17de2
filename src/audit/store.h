// Internals shared by audit.cc and writer.cc; not part of the public API.
#ifndef OW_AUDIT_STORE_H_
#define OW_AUDIT_STORE_H_

#include <string>
#include <vector>

#include "audit/audit.h"

namespace ow::audit::internal {

// Now as RFC 3339 UTC with milliseconds.
std::string NowUtc();

// Checks `e` (see Event) and returns a record ready to append: free-text fields
// cleaned, `at` set to now, detail_json serialized. seq and hashes are left empty.
Result<Record> Stamp(Event e);

// Appends the records in order inside the caller's transaction, under the
// audit_head lock: assigns seq, prev_hash and hash to each (again on a retried
// transaction, so the records may be reused).
Status AppendRecords(db::Connection& c, std::vector<Record>& records);

}  // namespace ow::audit::internal

#endif  // OW_AUDIT_STORE_H_
