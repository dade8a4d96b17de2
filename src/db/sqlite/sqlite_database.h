// SQLite implementation of db::Database.
//
// WAL journal, synchronous=FULL, foreign keys on, busy timeout. A small pool of
// connections serves concurrent readers; read-write transactions are serialized in
// process (BEGIN IMMEDIATE under a mutex) because SQLite admits one writer anyway,
// and waiting on a mutex is cheaper and fairer than spinning on SQLITE_BUSY.
#ifndef OW_DB_SQLITE_SQLITE_DATABASE_H_
#define OW_DB_SQLITE_SQLITE_DATABASE_H_

#include <memory>
#include <string>

#include "db/database.h"

namespace ow::db {

// `path` is a file path or ":memory:" (then the pool has one connection).
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& options);

// Rewrites $1..$n placeholders to SQLite's ?1..?n, leaving string literals,
// quoted identifiers and comments untouched. Exposed for tests.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace ow::db

#endif  // OW_DB_SQLITE_SQLITE_DATABASE_H_
