// The types of the materials domain: files people upload (scans, photos, signed
// documents) to attach to their applications. Content is stored once per distinct
// SHA-256 (a blob); a material is one person's named reference to a blob.
#ifndef OW_MATERIALS_MODEL_H_
#define OW_MATERIALS_MODEL_H_

#include <cstdint>
#include <string>

namespace ow::materials {

// The media types accepted, as sniffed from the content (never the client's word).
inline constexpr const char* kPdf = "application/pdf";
inline constexpr const char* kJpeg = "image/jpeg";
inline constexpr const char* kPng = "image/png";
inline constexpr const char* kOfd = "application/ofd";  // GB/T 33190 (a ZIP with OFD.xml)
inline constexpr const char* kAcceptedTypes =
    "application/pdf, image/jpeg, image/png or application/ofd";

// scan_result values.
inline constexpr const char* kClean = "clean";
inline constexpr const char* kNotScanned = "not_scanned";  // no scanner configured

// Blobs are stored in pieces of this many bytes (the last may be shorter).
inline constexpr uint64_t kChunkBytes = 256 << 10;

struct Material {
  std::string id;                // "mat_" + 22 base64url characters
  std::string owner_account_id;  // who uploaded it (and owns it unless owner_enterprise)
  // The credit code of the enterprise it was uploaded for, in its name by an operator
  // holding "apply"; it then belongs to the enterprise, not to the uploader. "" otherwise.
  std::string owner_enterprise;
  std::string sha256;       // lower-case hex SHA-256 of the content; names its blob
  std::string filename;     // as given by the uploader, cleaned (no folders)
  std::string media_type;   // one of the types above
  int64_t size = 0;         // bytes
  std::string created_at;   // RFC 3339 UTC
  std::string scan_result;  // kClean or kNotScanned
};

}  // namespace ow::materials

#endif  // OW_MATERIALS_MODEL_H_
