// PostgreSQL implementation of db::Database, on libpq.
//
// A fixed-size pool of connections; statements are prepared once per connection
// and cached by their SQL text. Transactions run at READ COMMITTED (read-only ones
// at REPEATABLE READ for a consistent snapshot); serialization failures and
// deadlocks (SQLSTATE 40001, 40P01) are retried. A broken connection is reopened.
#ifndef OW_DB_POSTGRES_POSTGRES_DATABASE_H_
#define OW_DB_POSTGRES_POSTGRES_DATABASE_H_

#include <memory>
#include <string>

#include "db/database.h"

namespace ow::db {

// `url` is a libpq connection URI (postgresql://user:pw@host:port/db?options=...).
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& options);

}  // namespace ow::db

#endif  // OW_DB_POSTGRES_POSTGRES_DATABASE_H_
