// Versioned schema migrations.
//
// Each domain owns its migrations (in its store.cc) and exposes them as a list; the
// composition root concatenates the lists in dependency order. A migration is
// identified by a stable id ("regions/001_init"); applied ids are recorded in
// schema_migrations, so a migration runs exactly once per database. Never edit a
// migration that has shipped: add a new one.
#ifndef OW_DB_MIGRATIONS_H_
#define OW_DB_MIGRATIONS_H_

#include <string>
#include <vector>

#include "db/database.h"

namespace ow::db {

struct Migration {
  std::string id;
  std::string sqlite;    // SQL script for SQLite
  std::string postgres;  // SQL script for PostgreSQL; empty = same as sqlite
};

// Applies, in list order, each migration not yet applied, each in its own
// transaction. Safe to call from several processes at once (PostgreSQL takes a
// transaction-scoped advisory lock; SQLite's write lock serializes). Returns how
// many were applied now.
Result<int> Migrate(Database& db, const std::vector<Migration>& migrations);

// Ids already applied, in application order.
Result<std::vector<std::string>> AppliedMigrations(Database& db);

}  // namespace ow::db

#endif  // OW_DB_MIGRATIONS_H_
