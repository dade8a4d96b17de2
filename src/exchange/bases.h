// The platform's base tables the exchange serves from: the population base (residents,
// keyed by resident ID number), the legal-person base (enterprises and other
// organizations, keyed by unified social credit code) and the birth base (the birth
// medical certificates 出生医学证明 the midwifery institutions issue, keyed by certificate
// number and found by either parent's resident ID number). Their providers load them by
// import and keep them current through the update API.
//
// A record is a JSON object of the base's fields; CheckRecord validates and
// normalizes one (the key's checksum, dates, enumerations, lengths).
#ifndef OW_EXCHANGE_BASES_H_
#define OW_EXCHANGE_BASES_H_

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::exchange {

struct BaseField {
  std::string_view name;
  std::string_view type;     // string | date | number | enum
  std::string_view allowed;  // enum: values separated by '|'
  bool required = false;
};

struct Base {
  std::string_view name;              // kSourcePopulation | kSourceLegalPerson | kSourceBirth
  std::string_view subject_kind;      // "person" | "legal": whom a query names
  std::string_view key;               // the key field ("id_number" | "credit_code" | ...)
  std::span<const BaseField> fields;  // the key first
  // Empty when the key is the subject. Otherwise the record is a document about several
  // persons (a birth certificate: the mother and the father), keyed by its own number
  // (kCertificateNumber pattern), and a query about a person answers with the newest
  // record (by the date field `newest_by`) naming them in one of these fields.
  std::span<const std::string_view> subject_fields = {};
  std::string_view newest_by = {};
};

const Base* FindBase(std::string_view name);
std::span<const Base> Bases();

// The normalized key of `subject` for `subject_kind`, or nullopt with a reason.
std::optional<std::string> NormalizeSubject(std::string_view subject_kind, std::string_view subject,
                                            std::string* why);

// The normalized key of a record of `base` (the subject's number, or a document number:
// one capital letter and 9 digits, as on a birth medical certificate), or nullopt with a
// reason.
std::optional<std::string> NormalizeKey(const Base& base, std::string_view key, std::string* why);

// The subjects a checked record of a base with subject_fields is about (canonical
// resident ID numbers, each once).
std::vector<std::string> SubjectsOf(const Base& base, const boost::json::object& record);

// Checks `record` against `base`: every member a known field of the right type, the
// required ones present, the key a valid number. Problems go to `v` under
// `prefix` + "/" + field. Returns the normalized record (the key canonical), or
// nullopt when it had problems.
std::optional<boost::json::object> CheckRecord(const Base& base, const boost::json::object& record,
                                               const std::string& prefix, Validator& v);

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_BASES_H_
