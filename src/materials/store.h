// SQL for materials and their content. Used only by materials::Service.
#ifndef OW_MATERIALS_STORE_H_
#define OW_MATERIALS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "materials/model.h"

namespace ow::materials {

std::vector<db::Migration> Migrations();

class Store {
 public:
  // Adds the blob's row unless one with this sha256 exists (also one a concurrent
  // transaction just added: no unique violation); true when this call added it, and
  // the caller must then add its chunks.
  static Result<bool> AddBlob(db::Connection& c, const std::string& sha256, int64_t size,
                              const std::string& media_type, const std::string& created_at);
  static Status AddChunk(db::Connection& c, const std::string& sha256, int64_t seq,
                         std::string bytes);
  // `created_us` (microseconds since the epoch) orders a person's materials.
  static Status AddMaterial(db::Connection& c, const Material& m, int64_t created_us);
  static Result<std::optional<Material>> Get(db::Connection& c, const std::string& id);
  // The materials of `ids` that exist, in one statement (in no particular order).
  static Result<std::vector<Material>> GetMany(db::Connection& c,
                                               const std::vector<std::string>& ids);
  // Newest first.
  // The account's own materials, or with `enterprise` the enterprise's.
  static Result<std::vector<Material>> ByOwner(db::Connection& c, const std::string& account_id,
                                               const std::string& enterprise);
  // Makes the account's own (not an enterprise's) material `id` the property of
  // `to_account`; nothing when `from_account` does not own it.
  static Status HandOver(db::Connection& c, const std::string& id, const std::string& from_account,
                         const std::string& to_account);
  // Chunk `seq` of a blob; nullopt when missing.
  static Result<std::optional<std::string>> Chunk(db::Connection& c, const std::string& sha256,
                                                  int64_t seq);
};

}  // namespace ow::materials

#endif  // OW_MATERIALS_STORE_H_
