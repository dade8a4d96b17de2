#include "exchange/bases.h"

#include <algorithm>
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

// The birth medical certificate (出生医学证明) as the health commission keeps it: the
// child's details, the issuing institution and the parents, whose resident ID numbers
// are how a parent's query finds it.
constexpr BaseField kBirth[] = {
    {"certificate_number", "string", "", true},    {"child_name", "string", "", true},
    {"child_gender", "enum", "male|female", true}, {"birth_date", "date", "", true},
    {"birth_time", "string", "", false},           {"birth_place", "string", "", false},
    {"institution", "string", "", true},           {"mother_name", "string", "", true},
    {"mother_id_number", "string", "", true},      {"father_name", "string", "", false},
    {"father_id_number", "string", "", false},     {"issued_date", "date", "", false},
};
constexpr std::string_view kBirthSubjects[] = {"mother_id_number", "father_id_number"};

constexpr std::array kBases = {
    Base{"population", "person", "id_number", kPopulation},
    Base{"legal_person", "legal", "credit_code", kLegalPerson},
    Base{"birth", "person", "certificate_number", kBirth, kBirthSubjects, "birth_date"},
};

bool IsSubjectField(const Base& base, std::string_view field) {
  for (const auto& f : base.subject_fields)
    if (f == field) return true;
  return false;
}

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

std::optional<std::string> NormalizeKey(const Base& base, std::string_view key, std::string* why) {
  if (base.subject_fields.empty()) return NormalizeSubject(base.subject_kind, key, why);
  bool ok = key.size() == 10 && key[0] >= 'A' && key[0] <= 'Z';
  for (size_t i = 1; ok && i < key.size(); ++i) ok = key[i] >= '0' && key[i] <= '9';
  if (!ok) {
    if (why) *why = "must be a certificate number: one capital letter and 9 digits";
    return std::nullopt;
  }
  return std::string(key);
}

std::vector<std::string> SubjectsOf(const Base& base, const json::object& record) {
  std::vector<std::string> out;
  for (const auto& f : base.subject_fields) {
    const json::value* v = record.if_contains(f);
    if (!v || !v->is_string() || v->as_string().empty()) continue;
    std::string s(v->as_string());
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
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
    if (s.empty() && f.required && IsSubjectField(base, f.name)) {
      bad(f.name, "is required");
      continue;
    }
    if (f.name == base.key) {
      std::string why;
      auto key = NormalizeKey(base, s, &why);
      if (!key) {
        bad(f.name, why);
        continue;
      }
      s = *key;
    } else if ((f.name == "spouse_id_number" || IsSubjectField(base, f.name)) && !s.empty()) {
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
