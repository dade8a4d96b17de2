// Departments: create, read, update, delete and list organizational units.
//
// Thread-safe. Errors: kInvalidArgument with field errors for bad input,
// kNotFound, kAlreadyExists for a taken code, kConflict for a stale version
// (optimistic concurrency) or deleting a unit that still has sub-units.
// Authorization is the caller's job (routes check the admin token).
#ifndef OW_DEPARTMENTS_SERVICE_H_
#define OW_DEPARTMENTS_SERVICE_H_

#include <optional>

#include "db/database.h"
#include "departments/model.h"
#include "regions/service.h"

namespace ow::departments {

// The writable fields of a department.
struct DepartmentInput {
  std::string code;  // only used on create
  std::string name;
  std::string name_en;
  std::string type;
  std::string region_code;
  std::string parent_code;
};

class Service {
 public:
  Service(db::Database& db, regions::Service& regions) : db_(db), regions_(regions) {}

  Result<Department> Create(const DepartmentInput& in);
  Result<Department> Get(const std::string& code);
  // The same, read on the caller's connection (inside another domain's transaction).
  static Result<Department> Get(db::Connection& c, const std::string& code);
  // Replaces the writable fields. With `expected_version`, fails with kConflict
  // unless it matches the stored version.
  Result<Department> Update(const std::string& code, const DepartmentInput& in,
                            std::optional<int64_t> expected_version);
  Status Delete(const std::string& code, std::optional<int64_t> expected_version);
  Result<DepartmentPage> List(const ListQuery& q);

 private:
  Status Validate(const DepartmentInput& in, bool creating);
  // Checks the parent exists, lies in the same or an ancestor region, and is not
  // `code` itself or one of its descendants.
  Status CheckParent(db::Connection& c, const std::string& code, const DepartmentInput& in);

  db::Database& db_;
  regions::Service& regions_;
};

}  // namespace ow::departments

#endif  // OW_DEPARTMENTS_SERVICE_H_
