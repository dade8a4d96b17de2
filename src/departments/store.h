// SQL for departments. Used only by departments::Service.
#ifndef OW_DEPARTMENTS_STORE_H_
#define OW_DEPARTMENTS_STORE_H_

#include <optional>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "departments/model.h"

namespace ow::departments {

std::vector<db::Migration> Migrations();

class Store {
 public:
  static Result<std::optional<Department>> Get(db::Connection& c, const std::string& code);
  static Status Insert(db::Connection& c, const Department& d);
  // Updates when the stored version equals d.version - 1; false when it did not.
  static Result<bool> Update(db::Connection& c, const Department& d);
  static Result<bool> Delete(db::Connection& c, const std::string& code);
  static Result<int64_t> CountChildren(db::Connection& c, const std::string& code);
  static Result<std::vector<Department>> List(db::Connection& c, const ListQuery& q,
                                              const std::string& after, int limit);
};

}  // namespace ow::departments

#endif  // OW_DEPARTMENTS_STORE_H_
