// The licences domain's types: the platform's certificate authority, departments' seals,
// licence types and the licences issued under them, with their history.
//
// Words (see ../shared/domain.md): a licence (电子证照) is a structured record signed with
// the issuing department's electronic seal (电子印章): an SM2 key pair whose certificate
// the platform's CA issued with SM3, beside an ECDSA P-256 pair for PDF signatures. Trust
// levels of what a licence stands on: A issued by the agency and sealed, B checked against
// the original by counter staff, C uploaded by the user, D the user's own pledge.
#ifndef OW_LICENCES_MODEL_H_
#define OW_LICENCES_MODEL_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace ow::licences {

// Key algorithms of the CA and of seals.
inline constexpr const char* kSm2 = "sm2";    // SM2 with SM3: licence data, QR codes
inline constexpr const char* kP256 = "p256";  // ECDSA P-256 with SHA-256: PDF signatures

// One generation of the platform's root certificates (both algorithms). Generation n+1
// replaces n for new seals; older roots stay published while certificates they issued
// may still be shown.
struct Authority {
  int64_t generation = 0;
  std::string algorithm;    // kSm2 | kP256
  std::string certificate;  // PEM
  std::string not_after;    // RFC 3339
  std::string created_at;
};

// Seal statuses.
inline constexpr const char* kSealActive = "active";
inline constexpr const char* kSealSuspended = "suspended";
inline constexpr const char* kSealRevoked = "revoked";

// Seal kinds: what a seal is for (the text at its bottom).
inline constexpr const char* kSealLicence = "licence";    // 证照专用章
inline constexpr const char* kSealApproval = "approval";  // 行政审批专用章

struct Seal {
  std::string id;  // "seal_" + random
  std::string department_code;
  std::string department_name;
  std::string name;          // the text around the seal: usually the department's name
  std::string kind;          // kSealLicence | kSealApproval
  std::string image_source;  // "drawn" | "uploaded"
  std::string sm2_certificate, p256_certificate;  // PEM
  std::string sm2_serial, p256_serial;            // hex
  int64_t ca_generation = 0;
  std::string not_before, not_after;  // of the certificates
  std::string status;
  std::string status_reason, status_at;
  std::string created_by, created_at;
  int64_t version = 1;
  std::vector<std::string> holders;  // account ids of the staff allowed to use it
};

// Holder kinds.
inline constexpr const char* kPerson = "person";          // by resident ID number
inline constexpr const char* kEnterprise = "enterprise";  // by unified social credit code

// Licence statuses. "expired" is never stored: a valid licence past valid_to reads so.
inline constexpr const char* kValid = "valid";
inline constexpr const char* kSuspended = "suspended";
inline constexpr const char* kRevoked = "revoked";
inline constexpr const char* kExpired = "expired";
inline constexpr const char* kSuperseded = "superseded";

struct LicenceType {
  std::string code;  // [a-z0-9_]{2,40}, the catalog materials' license_type
  std::string name, name_en;
  std::string department_code;  // the issuing department
  std::string holder_kind;      // kPerson | kEnterprise
  // The licence's fields: a JSON Schema in the subset of catalog/form_validate.h.
  boost::json::value schema;
  int64_t validity_months = 0;               // 0: valid until revoked
  std::string trust_level;                   // "A".."D": of licences it issues
  std::string number_prefix;                 // [A-Z]{0,6}, first letters of generated numbers
  std::vector<std::string> issued_by_items;  // catalog item codes whose approval issues it
  bool one_per_holder = false;               // a new licence supersedes the holder's valid one
  // Which of the fields are printed on the document, with their labels; and the
  // mapping of an application's form fields to licence fields: see types.cc.
  boost::json::object document;
  boost::json::object from_form;  // licence field -> form field name
  std::string status;             // "active" | "retired"
  int64_t version = 1;
  std::string updated_by, updated_at;
};

// The text of one kind of case document (cases::kAcceptanceNotice, ...) for one item, or
// for every item (item_code ""), with {placeholders} (DocumentPlaceholders) filled when a
// document is issued. The platform's built-in text stands where none is stored.
struct DocumentTemplate {
  std::string kind;
  std::string item_code;  // "" = every item without one of its own
  std::string title;
  std::string body;           // one paragraph per line
  std::string remedy;         // the right to reconsideration or litigation (refusals)
  std::string number_prefix;  // before 〔year〕 in the number; "" = department + kind word
  int64_t version = 0;        // 0 for a built-in
  bool builtin = false;
  std::string updated_by, updated_at;
  // The items it words: "all"; the built-in decisions (approval, denial) come in two
  // wordings, "licensing" for items of type administrative_licensing (行政许可) and
  // "other" for the rest. A stored template applies to all (its item, or every item).
  std::string applies_to = "all";
};

// One change in a licence's life.
struct LicenceEvent {
  std::string at;
  std::string action;  // issued, suspended, resumed, revoked, superseded, shared, used, viewed
  std::string actor;
  std::string reason;
  boost::json::object detail;
};

struct Licence {
  std::string id;  // "lic_" + random
  std::string number;
  std::string type_code;
  std::string type_name;
  std::string holder_kind;
  std::string holder_id;  // resident ID or credit code (opened from the sealed data)
  std::string holder_name;
  std::string department_code, department_name, region_code;
  std::string seal_id;
  std::string trust_level;
  std::string source;  // "case" | "manual" | "import"
  std::string case_no;
  std::string issued_at, valid_from, valid_to;  // valid_to "" = no end
  std::string status;                           // as stored; Effective() for "expired"
  std::string status_reason;
  std::string superseded_by;
  boost::json::object fields;
  // The exact bytes signed (canonical JSON of number, type, holder, issuer, dates and
  // fields) and the SM2 signature over them (DER, base64url); the QR payload.
  std::string sealed_data, signature, qr_payload;
  int64_t version = 1;
  std::vector<LicenceEvent> events;  // oldest first, when loaded

  // The status a reader sees on `today` (YYYY-MM-DD): kExpired for a valid licence
  // whose validity ended before today.
  std::string Effective(const std::string& today) const {
    if (status == kValid && !valid_to.empty() && valid_to < today) return kExpired;
    return status;
  }
};

// A holder's time-limited share of a licence with a third party (a bank, a landlord): a
// random code, given once, that shows the licence to whoever presents it until it
// expires or the holder revokes it.
struct Share {
  std::string id;  // "shr_" + random
  std::string licence_id;
  std::string created_by;
  std::string created_at, expires_at;
  std::string revoked_at;  // "" while live
  int64_t views = 0;
  std::string last_viewed_at;
};

}  // namespace ow::licences

#endif  // OW_LICENCES_MODEL_H_
