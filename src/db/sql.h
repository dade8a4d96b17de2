// Builds a statement from fixed SQL fragments with numbered placeholders ($1, $2, ...)
// while collecting the parameters: values only ever reach the database as parameters.
//
//   db::Sql q;
//   q.text() = "SELECT id FROM cases WHERE applicant_id = " + q.P(account_id);
//   if (status) q.text() += " AND status = " + q.P(*status);
//   auto rows = c.Query(q.text(), q.params());
#ifndef OW_DB_SQL_H_
#define OW_DB_SQL_H_

#include <string>
#include <utility>
#include <vector>

#include "db/database.h"

namespace ow::db {

class Sql {
 public:
  // Adds a parameter; returns its placeholder.
  std::string P(Value v) {
    params_.push_back(std::move(v));
    return "$" + std::to_string(params_.size());
  }
  std::string& text() { return text_; }
  const std::string& text() const { return text_; }
  const std::vector<Value>& params() const { return params_; }

 private:
  std::string text_;
  std::vector<Value> params_;
};

}  // namespace ow::db

#endif  // OW_DB_SQL_H_
