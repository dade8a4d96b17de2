#include "db/sqlite/sqlite_database.h"

#include <gtest/gtest.h>

namespace ow::db {
namespace {

TEST(RewritePlaceholders, RewritesOnlyOutsideLiterals) {
  EXPECT_EQ(RewritePlaceholders("SELECT $1, '$2', \"$3\" FROM t WHERE a = $12 -- $4\nAND b = $2"),
            "SELECT ?1, '$2', \"$3\" FROM t WHERE a = ?12 -- $4\nAND b = ?2");
}

TEST(SqliteDatabase, BindsRepeatedAndReorderedParameters) {
  auto db = OpenSqlite(":memory:", {});
  ASSERT_TRUE(db);
  Status st = (*db)->Transact([](Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r,
                        c.Query("SELECT $2 || $1 || $2", {std::string("a"), std::string("b")}));
    EXPECT_EQ(r.Text(0, 0), "bab");
    return {};
  });
  EXPECT_TRUE(st);
}

}  // namespace
}  // namespace ow::db
