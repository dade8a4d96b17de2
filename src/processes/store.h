// SQL for process definitions and item assignments. Used only by processes::Service.
#ifndef OW_PROCESSES_STORE_H_
#define OW_PROCESSES_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "processes/model.h"

namespace ow::processes {

std::vector<db::Migration> Migrations();

class Store {
 public:
  // The newest version of `key`, if any.
  static Result<std::optional<Version>> Latest(db::Connection& c, const std::string& key);
  static Status Insert(db::Connection& c, const Version& v, const std::string& xml);
  // The newest version of every process, by key.
  static Result<std::vector<Version>> LatestOfEach(db::Connection& c);
  // Every version of `key`, newest first (empty: no such process).
  static Result<std::vector<Version>> VersionsOf(db::Connection& c, const std::string& key);
  static Result<std::optional<std::string>> Xml(db::Connection& c, const std::string& key,
                                                int64_t version);
  // Item `item_code` follows process `key` from now on (replacing any earlier choice).
  static Status Assign(db::Connection& c, const std::string& item_code, const std::string& key,
                       const std::string& by, const std::string& at);
  static Result<std::optional<std::string>> ProcessOf(db::Connection& c,
                                                      const std::string& item_code);
};

}  // namespace ow::processes

#endif  // OW_PROCESSES_STORE_H_
