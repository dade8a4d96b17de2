// The platform's base tables the exchange serves from: the population base (residents,
// keyed by resident ID number) and the legal-person base (enterprises and other
// organizations, keyed by unified social credit code). Their providers load them by
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

#include "core/error.h"

namespace ow::exchange {

struct BaseField {
  std::string_view name;
  std::string_view type;     // string | date | number | enum
  std::string_view allowed;  // enum: values separated by '|'
  bool required = false;
};

struct Base {
  std::string_view name;              // kSourcePopulation | kSourceLegalPerson
  std::string_view subject_kind;      // "person" | "legal"
  std::string_view key;               // the key field ("id_number" | "credit_code")
  std::span<const BaseField> fields;  // the key first
};

const Base* FindBase(std::string_view name);
std::span<const Base> Bases();

// The normalized key of `subject` for `subject_kind`, or nullopt with a reason.
std::optional<std::string> NormalizeSubject(std::string_view subject_kind, std::string_view subject,
                                            std::string* why);

// Checks `record` against `base`: every member a known field of the right type, the
// required ones present, the key a valid number. Problems go to `v` under
// `prefix` + "/" + field. Returns the normalized record (the key canonical), or
// nullopt when it had problems.
std::optional<boost::json::object> CheckRecord(const Base& base, const boost::json::object& record,
                                               const std::string& prefix, Validator& v);

}  // namespace ow::exchange

#endif  // OW_EXCHANGE_BASES_H_
