#include "exchange/bases.h"

#include <array>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/text.h"
#include "identity/ids.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;

constexpr BaseField kPopulation[] = {
    {"id_number", "string", "", true},
    {"name", "string", "", true},
    {"gender", "enum", "male|female", false},
    {"birth_date", "date", "", false},
    {"ethnicity", "string", "", false},
    {"address", "string", "", false},
    {"household_number", "string", "", false},
    {"household_head", "string", "", false},
    {"relation_to_head", "string", "", false},
    {"marital_status", "enum", "unmarried|married|divorced|widowed", false},
    {"spouse_name", "string", "", false},
    {"spouse_id_number", "string", "", false},
    {"marriage_date", "date", "", false},
};

constexpr BaseField kLegalPerson[] = {
    {"credit_code", "string", "", true},
    {"name", "string", "", true},
    {"entity_type", "string", "", false},
    {"legal_representative", "string", "", false},
    {"registered_capital", "number", "", false},
    {"established_date", "date", "", false},
    {"address", "string", "", false},
    {"business_scope", "string", "", false},
    {"status", "enum", "active|revoked|cancelled|suspended", false},
    {"registration_authority", "string", "", false},
};

constexpr std::array kBases = {
    Base{"population", "person", "id_number", kPopulation},
    Base{"legal_person", "legal", "credit_code", kLegalPerson},
};

bool InEnum(std::string_view allowed, std::string_view value) {
  size_t i = 0;
  while (i <= allowed.size()) {
    size_t end = allowed.find('|', i);
    if (end == std::string_view::npos) end = allowed.size();
    if (allowed.substr(i, end - i) == value) return true;
    i = end + 1;
  }
  return false;
}

}  // namespace

const Base* FindBase(std::string_view name) {
  for (const auto& b : kBases)
    if (b.name == name) return &b;
  return nullptr;
}

std::span<const Base> Bases() { return kBases; }

std::optional<std::string> NormalizeSubject(std::string_view subject_kind, std::string_view subject,
                                            std::string* why) {
  if (subject_kind == "person") return identity::NormalizeResidentId(subject, why);
  if (subject_kind == "legal") return identity::NormalizeCreditCode(subject, why);
  if (why) *why = "unknown subject kind";
  return std::nullopt;
}

std::optional<json::object> CheckRecord(const Base& base, const json::object& record,
                                        const std::string& prefix, Validator& v) {
  bool ok = true;
  auto bad = [&](std::string_view field, std::string message) {
    v.Add(prefix + "/" + std::string(field), std::move(message));
    ok = false;
  };
  json::object out;
  for (const auto& kv : record) {
    bool known = false;
    for (const auto& f : base.fields)
      if (f.name == kv.key()) known = true;
    if (!known) bad(kv.key(), "is not a field of the " + std::string(base.name) + " base");
  }
  for (const auto& f : base.fields) {
    const json::value* value = record.if_contains(f.name);
    if (!value || value->is_null()) {
      if (f.required) bad(f.name, "is required");
      continue;
    }
    if (f.type == "number") {
      if (!value->is_number()) {
        bad(f.name, "must be a number");
        continue;
      }
      out[f.name] = *value;
      continue;
    }
    if (!value->is_string()) {
      bad(f.name, "must be a string");
      continue;
    }
    std::string s(value->as_string());
    if (!text::IsValidUtf8(s) || s.size() > 500 || s.find('\0') != std::string::npos) {
      bad(f.name, "must be valid text of at most 500 bytes");
      continue;
    }
    if (f.name == base.key) {
      std::string why;
      auto key = NormalizeSubject(base.subject_kind, s, &why);
      if (!key) {
        bad(f.name, why);
        continue;
      }
      s = *key;
    } else if (f.name == "spouse_id_number" && !s.empty()) {
      std::string why;
      auto key = identity::NormalizeResidentId(s, &why);
      if (!key) {
        bad(f.name, why);
        continue;
      }
      s = *key;
    } else if (f.type == "date") {
      if (!ParseDate(s)) {
        bad(f.name, "must be a date as YYYY-MM-DD");
        continue;
      }
    } else if (f.type == "enum" && !InEnum(f.allowed, s)) {
      bad(f.name, "must be one of " + std::string(f.allowed));
      continue;
    }
    out[f.name] = s;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace ow::exchange
