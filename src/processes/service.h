// The registry of process definitions (BPMN 2.0, the subset src/workflow executes) and
// which process each catalog item follows.
//
// A definition is stored per key (the bpmn:process id) in numbered, immutable versions:
// uploading XML that differs from the latest version makes version n+1; uploading the
// same XML again changes nothing. Only XML the engine accepts is stored, so a running
// case can always be resumed with the exact version it started with. Thread-safe.
#ifndef OW_PROCESSES_SERVICE_H_
#define OW_PROCESSES_SERVICE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/service.h"
#include "db/database.h"
#include "processes/model.h"
#include "workflow/definition.h"

namespace ow::processes {

class Service {
 public:
  Service(db::Database& db, catalog::Service& catalog);

  // Errors: kInvalidArgument (field "bpmn") naming the element the engine rejects, a userTask
  // whose role is not acceptor, reviewer or approver or that has no ow:department or ow:region
  // (a literal or an expression; message "userTask <id> ..."), or when the process id differs
  // from `key`; larger than 1 MiB is refused too.
  Result<Published> Publish(const std::string& by, const std::string& key, const std::string& xml);
  Result<std::vector<Version>> List();                            // the latest version of every key
  Result<std::vector<Version>> Versions(const std::string& key);  // newest first; kNotFound
  Result<std::string> Xml(const std::string& key, int64_t version);
  // The parsed definition of a version (cached; definitions are immutable).
  Result<std::shared_ptr<const workflow::Definition>> Definition(const std::string& key,
                                                                 int64_t version);

  // Catalog item -> process key. Errors: kNotFound for an unknown item or process.
  Status Assign(const std::string& by, const std::string& item_code, const std::string& key);
  Result<std::string> ProcessOf(const std::string& item_code);  // kNotFound when none

 private:
  db::Database& db_;
  catalog::Service& catalog_;
  std::mutex mu_;
  std::map<std::pair<std::string, int64_t>, std::shared_ptr<const workflow::Definition>> cache_;
};

}  // namespace ow::processes

#endif  // OW_PROCESSES_SERVICE_H_
