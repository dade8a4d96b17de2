#include "db/sqlite/sqlite_database.h"

#include <gtest/gtest.h>

namespace ow::db {
namespace {

TEST(RewritePlaceholders, RewritesOnlyOutsideLiterals) {
  EXPECT_EQ(RewritePlaceholders("SELECT $1, '$2', \"$3\" FROM t WHERE a = $12 -- $4\nAND b = $2"),
            "SELECT ?1, '$2', \"$3\" FROM t WHERE a = ?12 -- $4\nAND b = ?2");
}

TEST(RewritePlaceholders, ParametersUsedOnceInOrderBecomeAnonymous) {
  EXPECT_EQ(RewritePlaceholders("INSERT INTO t VALUES ($1, '$9', $2), ($3, $4) -- $7\n"),
            "INSERT INTO t VALUES (?, '$9', ?), (?, ?) -- $7\n");
  EXPECT_EQ(RewritePlaceholders("SELECT 1"), "SELECT 1");
  // Repeated, out of order, or starting elsewhere: numbered.
  EXPECT_EQ(RewritePlaceholders("SELECT $1, $1"), "SELECT ?1, ?1");
  EXPECT_EQ(RewritePlaceholders("SELECT $2, $1"), "SELECT ?2, ?1");
  EXPECT_EQ(RewritePlaceholders("SELECT $2"), "SELECT ?2");
  EXPECT_EQ(RewritePlaceholders("SELECT '$1"), "SELECT '$1");
  EXPECT_EQ(RewritePlaceholders("SELECT $1 -- x"), "SELECT ? -- x");
}

TEST(SqliteDatabase, BindsManyParametersInOrder) {
  auto db = OpenSqlite(":memory:", {});
  ASSERT_TRUE(db);
  Status st = (*db)->Transact([](Connection& c) -> Status {
    // As a multi-row INSERT: 2,000 rows of one parameter each, the n-th holding n.
    std::string sql =
        "SELECT COUNT(*), SUM(column1 * (column1 = n)) FROM (SELECT column1, "
        "ROW_NUMBER() OVER () AS n FROM (VALUES ";
    std::vector<Value> params;
    for (int i = 1; i <= 2000; ++i) {
      sql += (i > 1 ? "),($" : "($") + std::to_string(i);
      params.emplace_back(int64_t{i});
    }
    sql += ")))";
    OW_ASSIGN_OR_RETURN(auto r, c.Query(sql, params));
    EXPECT_EQ(r.Int(0, 0), 2000);
    EXPECT_EQ(r.Int(0, 1), 2000 * 2001 / 2);
    return {};
  });
  EXPECT_TRUE(st);
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
