// Materials: files people upload to attach to their applications. The only part of
// this domain other domains may call (the cases module attaches materials to cases).
//
// Content is judged by its bytes (sniff.h: PDF, JPEG, PNG, OFD), passed through the
// virus scanner when one is configured (scanner.h), and stored once per distinct
// SHA-256 however many materials share it, in 256 KiB chunks.
//
// Thread-safe: every method may be called concurrently. Methods that take an upload
// or return content may take long (disk, scanner, megabytes of rows): call them from
// the blocking pool.
#ifndef OW_MATERIALS_SERVICE_H_
#define OW_MATERIALS_SERVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "http/message.h"
#include "materials/model.h"
#include "materials/scanner.h"

namespace ow::materials {

struct Options {
  uint64_t max_file_bytes = 20 << 20;   // one upload (also the route's spool limit)
  uint64_t max_case_bytes = 100 << 20;  // all materials of one case together
  Scanner scanner;                      // empty: none; materials are "not_scanned"
};

class Service {
 public:
  Service(db::Database& db, Options options);

  uint64_t max_file_bytes() const { return options_.max_file_bytes; }
  // The cases module refuses attachments whose TotalSize would exceed this.
  uint64_t max_case_bytes() const { return options_.max_case_bytes; }

  // Stores the upload in `upload` (a spooled request body, still on disk) as a new
  // material of `owner_account_id` named `filename` (folders are dropped; empty gets
  // "material" and the type's extension). Errors:
  //  - kInvalidArgument with field "file" when the content is none of the accepted
  //    types (model.h kAcceptedTypes; the route answers 415 before calling this) or
  //    the scanner rejects it (422), or larger than max_file_bytes;
  //  - kInvalidArgument with field "filename" when the name has control characters,
  //    is not UTF-8 or is longer than 255 bytes;
  //  - kUnavailable when the scanner cannot decide or the file cannot be read (503).
  // Nothing is stored when it fails. The same bytes uploaded again make a new material
  // sharing the stored content.
  // `owner_enterprise` (a credit code): uploaded in that enterprise's name, it belongs to
  // the enterprise (Material::owner_enterprise); the caller checked the right to.
  Result<Material> Store(const std::string& owner_account_id, const http::SpooledBody& upload,
                         const std::string& filename, const std::string& owner_enterprise = "");

  // kNotFound when there is no such material. No access check: callers decide who
  // may see it (the owner; staff through a case).
  Result<Material> Get(const std::string& id);
  // Every material of `ids` in their order, read in one statement; kNotFound naming the
  // first id that names no material. Same (absence of) access check as Get.
  Result<std::vector<Material>> GetMany(const std::vector<std::string>& ids);
  // The account's own materials (or with `enterprise` that enterprise's), newest first
  // (for reuse in a new application).
  Result<std::vector<Material>> ListByOwner(const std::string& account_id,
                                            const std::string& enterprise = "");
  // Success when every id names a material of `account_id` (not one uploaded in an
  // enterprise's name); otherwise kNotFound naming
  // the first id that does not (missing and someone else's look the same).
  Status CheckOwned(const std::string& account_id, const std::vector<std::string>& ids);
  // Inside the caller's transaction: each of `ids` that `from_account` owns becomes
  // `to_account`'s (an agent's or a hall's upload attached to a person's case is that
  // person's document, not the uploader's).
  static Status HandOver(db::Connection& c, const std::vector<std::string>& ids,
                         const std::string& from_account, const std::string& to_account);
  // The sum of the sizes of the materials `ids` (a repeated id counts once; two
  // materials sharing content count twice). kNotFound for an unknown id.
  Result<uint64_t> TotalSize(const std::vector<std::string>& ids);
  // The material's bytes, reassembled and checked against its SHA-256 (kInternal
  // when the stored content is damaged). kNotFound when there is no such material.
  Result<std::string> Content(const std::string& id);

  // The cleaned filename Store would record for `filename` and `media_type`, or
  // kInvalidArgument (field "filename").
  static Result<std::string> CleanFilename(const std::string& filename,
                                           const std::string& media_type);

 private:
  db::Database& db_;
  Options options_;
};

}  // namespace ow::materials

#endif  // OW_MATERIALS_SERVICE_H_
