#include "catalog/form_validate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <string>

#include "core/calendar.h"
#include "core/text.h"

namespace ow::catalog {
namespace {

namespace json = boost::json;

// UTF-8 (already validated by the JSON parser) to code points (U+FFFD for a bad byte); wchar_t is
// 32 bits on the platforms we build for.
std::wstring Widen(std::string_view s) {
  static_assert(sizeof(wchar_t) == 4, "patterns need 32-bit wchar_t");
  std::wstring out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();)
    out.push_back(static_cast<wchar_t>(text::DecodeUtf8(s, i).value_or(0xFFFD)));
  return out;
}

// The largest repetition count ({n} or {n,m}) or back-reference number a pattern may
// hold. libstdc++ reads those numbers into a long without an overflow check (undefined
// behaviour for "a{99999999999999999999}", found by fuzz/form_schema_fuzzer.cc), and a
// huge count would build an automaton of that many states.
constexpr long kMaxPatternCount = 1000;

// True when `pattern` has a number after "{", "{n," or "\\" above kMaxPatternCount;
// such a pattern is refused before std::regex sees it.
bool HasHugeCount(std::wstring_view pattern) {
  auto digits = [&](size_t at, size_t* end) {
    long value = 0;
    size_t i = at;
    for (; i < pattern.size() && pattern[i] >= L'0' && pattern[i] <= L'9'; ++i) {
      if (value <= kMaxPatternCount) value = value * 10 + (pattern[i] - L'0');
    }
    *end = i;
    return value;
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    size_t end = i;
    if (pattern[i] == L'\\') {
      if (digits(i + 1, &end) > kMaxPatternCount) return true;
      i = std::max(i + 1, end - 1);  // the escaped character is never a '{' or '\\'
    } else if (pattern[i] == L'{') {
      if (digits(i + 1, &end) > kMaxPatternCount) return true;
      if (end < pattern.size() && pattern[end] == L',' && digits(end + 1, &end) > kMaxPatternCount)
        return true;
    }
  }
  return false;
}

std::string Escape(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Join(const std::string& path, std::string_view part) {
  return path.empty() ? std::string(part) : path + "/" + std::string(part);
}

std::optional<double> AsDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;
}

bool IsInteger(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.as_double()) &&
         std::trunc(v.as_double()) == v.as_double();
}

// -1, 0, 1; exact for two integers, by double otherwise.
int Compare(const json::value& a, const json::value& b) {
  if (a.is_int64() && b.is_int64()) {
    return a.as_int64() < b.as_int64() ? -1 : a.as_int64() > b.as_int64() ? 1 : 0;
  }
  if (a.is_uint64() && b.is_uint64()) {
    return a.as_uint64() < b.as_uint64() ? -1 : a.as_uint64() > b.as_uint64() ? 1 : 0;
  }
  double x = *AsDouble(a), y = *AsDouble(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

bool Equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return Compare(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.as_array(), &y = b.as_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!Equal(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.as_object(), &y = b.as_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (!other || !Equal(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool IsType(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return IsInteger(v);
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  return false;
}

bool IsEmail(std::string_view s) {
  if (s.size() > 254) return false;
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  static constexpr std::string_view kLocalSpecials = ".!#$%&'*+/=?^_`{|}~-";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  for (char c : local) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        kLocalSpecials.find(c) == std::string_view::npos) {
      return false;
    }
  }
  if (domain.empty() || domain.size() > 253) return false;
  int labels = 0;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

std::string Show(const json::value& v) {
  std::string s = json::serialize(v);
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

class Checker {
 public:
  explicit Checker(std::vector<FieldError>& out) : out_(out) {}

  void Check(const json::value& schema, const json::value& v, const std::string& path, int depth) {
    if (full()) return;
    if (depth > kMaxDepth) {
      Add(path, "is nested deeper than the form allows");
      return;
    }
    if (!schema.is_object()) return;  // `true`/{} style schemas accept anything
    const json::object& s = schema.as_object();
    if (!CheckType(s, v, path)) return;
    CheckEnumConst(s, v, path);
    if (v.is_string()) CheckString(s, v.as_string(), path);
    if (v.is_number()) CheckNumber(s, v, path);
    if (v.is_object()) CheckObject(s, v.as_object(), path, depth);
    if (v.is_array()) CheckArray(s, v.as_array(), path, depth);
  }

 private:
  bool full() const { return out_.size() >= kMaxErrors; }
  void Add(const std::string& path, std::string message) {
    if (!full()) out_.push_back({path, std::move(message)});
  }

  bool CheckType(const json::object& s, const json::value& v, const std::string& path) {
    const json::value* type = s.if_contains("type");
    if (!type) return true;
    std::string names;
    auto accepts = [&](const json::value& t) {
      if (!t.is_string()) return false;
      names += (names.empty() ? "" : " or ") + std::string(t.as_string());
      return IsType(v, t.as_string());
    };
    bool ok = false;
    if (type->is_array()) {
      for (const auto& t : type->as_array()) ok = accepts(t) || ok;
    } else {
      ok = accepts(*type);
    }
    if (!ok) {
      std::string article =
          !names.empty() && std::string_view("aeiou").find(names[0]) != std::string_view::npos
              ? "an "
              : "a ";
      Add(path, "must be " + article + names);
    }
    return ok;
  }

  void CheckEnumConst(const json::object& s, const json::value& v, const std::string& path) {
    if (const json::value* e = s.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& option : e->as_array()) found = found || Equal(option, v);
      if (!found) Add(path, "must be one of " + Show(*e));
    }
    if (const json::value* c = s.if_contains("const"); c && !Equal(*c, v))
      Add(path, "must be " + Show(*c));
  }

  static std::optional<int64_t> Count(const json::object& s, std::string_view key) {
    const json::value* n = s.if_contains(key);
    if (!n || !IsInteger(*n)) return std::nullopt;
    // Clamped before converting: a double beyond int64's range would be undefined.
    return static_cast<int64_t>(std::clamp(*AsDouble(*n), -1.0, 1e15));
  }

  void CheckString(const json::object& s, json::string_view text, const std::string& path) {
    size_t length = text::CodePoints(text);
    if (auto min = Count(s, "minLength"); min && static_cast<int64_t>(length) < *min)
      Add(path, "must be at least " + std::to_string(*min) + " characters long");
    if (auto max = Count(s, "maxLength"); max && static_cast<int64_t>(length) > *max)
      Add(path, "must be at most " + std::to_string(*max) + " characters long");
    if (const json::value* p = s.if_contains("pattern"); p && p->is_string())
      CheckPattern(p->as_string(), text, length, path);
    if (const json::value* f = s.if_contains("format"); f && f->is_string()) {
      if (f->as_string() == "date" && !ParseDate(text)) Add(path, "must be a date as YYYY-MM-DD");
      if (f->as_string() == "email" && !IsEmail(text)) Add(path, "must be an e-mail address");
    }
  }

  void CheckPattern(json::string_view pattern, json::string_view text, size_t length,
                    const std::string& path) {
    if (pattern.size() > kMaxPatternLength) {
      Add(path, "cannot be checked: the form's pattern is longer than " +
                    std::to_string(kMaxPatternLength) + " characters");
      return;
    }
    if (length > kMaxPatternInput) {
      Add(path, "is too long to check against its pattern (at most " +
                    std::to_string(kMaxPatternInput) + " characters)");
      return;
    }
    const std::wregex* re = Compile(pattern);
    if (!re) {
      Add(path, "cannot be checked: the form's pattern is not a valid regular expression");
      return;
    }
    bool matched = false;
    try {
      matched = std::regex_match(Widen(text), *re);
    } catch (const std::regex_error&) {
      Add(path, "cannot be checked against the form's pattern (too complex)");
      return;
    }
    if (!matched) Add(path, "does not match the pattern " + std::string(pattern));
  }

  // Compiled once per validation. The pattern is compiled alone first, so that one
  // with unbalanced parentheses cannot escape the wrapper; the wrapper turns JSON
  // Schema's search semantics into one linear pass of regex_match.
  const std::wregex* Compile(json::string_view pattern) {
    std::string key(pattern);
    if (auto it = patterns_.find(key); it != patterns_.end())
      return it->second ? &*it->second : nullptr;
    std::optional<std::wregex> re;
    try {
      const auto flags = std::regex_constants::ECMAScript | std::regex_constants::__polynomial;
      std::wstring wide = Widen(pattern);
      if (HasHugeCount(wide)) throw std::regex_error(std::regex_constants::error_complexity);
      std::wregex alone(wide, flags);
      re.emplace(L"[\\s\\S]*(?:" + wide + L")[\\s\\S]*", flags);
    } catch (const std::regex_error&) {
      re.reset();
    }
    auto [it, inserted] = patterns_.emplace(key, std::move(re));
    return it->second ? &*it->second : nullptr;
  }

  void CheckNumber(const json::object& s, const json::value& v, const std::string& path) {
    auto bound = [&](const char* key) -> const json::value* {
      const json::value* b = s.if_contains(key);
      return b && b->is_number() ? b : nullptr;
    };
    auto flag = [&](const char* key) {
      const json::value* b = s.if_contains(key);
      return b && b->is_bool() && b->as_bool();
    };
    if (const json::value* min = bound("minimum")) {
      bool exclusive = flag("exclusiveMinimum");
      int c = Compare(v, *min);
      if (c < 0 || (exclusive && c == 0))
        Add(path, std::string("must be ") + (exclusive ? "greater than " : "at least ") +
                      json::serialize(*min));
    }
    if (const json::value* max = bound("maximum")) {
      bool exclusive = flag("exclusiveMaximum");
      int c = Compare(v, *max);
      if (c > 0 || (exclusive && c == 0))
        Add(path, std::string("must be ") + (exclusive ? "less than " : "at most ") +
                      json::serialize(*max));
    }
    if (const json::value* min = bound("exclusiveMinimum"); min && Compare(v, *min) <= 0)
      Add(path, "must be greater than " + json::serialize(*min));
    if (const json::value* max = bound("exclusiveMaximum"); max && Compare(v, *max) >= 0)
      Add(path, "must be less than " + json::serialize(*max));
  }

  void CheckObject(const json::object& s, const json::object& o, const std::string& path,
                   int depth) {
    const json::object* props = nullptr;
    if (const json::value* p = s.if_contains("properties"); p && p->is_object())
      props = &p->as_object();
    if (const json::value* req = s.if_contains("required"); req && req->is_array()) {
      for (const auto& name : req->as_array()) {
        if (name.is_string() && !o.contains(name.as_string()))
          Add(Join(path, Escape(name.as_string())), "is required");
      }
    }
    const json::value* additional = s.if_contains("additionalProperties");
    for (const auto& kv : o) {
      std::string child = Join(path, Escape(kv.key()));
      const json::value* sub = props ? props->if_contains(kv.key()) : nullptr;
      if (sub) {
        Check(*sub, kv.value(), child, depth + 1);
      } else if (additional && additional->is_bool() && !additional->as_bool()) {
        Add(child, "is not a field of this form");
      } else if (additional && additional->is_object()) {
        Check(*additional, kv.value(), child, depth + 1);
      }
    }
  }

  void CheckArray(const json::object& s, const json::array& a, const std::string& path, int depth) {
    if (auto min = Count(s, "minItems"); min && static_cast<int64_t>(a.size()) < *min)
      Add(path, "must have at least " + std::to_string(*min) + " entries");
    if (auto max = Count(s, "maxItems"); max && static_cast<int64_t>(a.size()) > *max)
      Add(path, "must have at most " + std::to_string(*max) + " entries");
    if (const json::value* items = s.if_contains("items"); items && items->is_object()) {
      for (size_t i = 0; i < a.size() && !full(); ++i)
        Check(*items, a[i], Join(path, std::to_string(i)), depth + 1);
    }
  }

  std::vector<FieldError>& out_;
  std::map<std::string, std::optional<std::wregex>> patterns_;
};

}  // namespace

std::vector<FieldError> ValidateFormData(const json::value& schema, const json::value& data,
                                         std::string_view prefix) {
  std::vector<FieldError> out;
  Checker(out).Check(schema, data, std::string(prefix), 0);
  return out;
}

Status CheckFormData(const json::value& schema, const json::value& data, std::string_view prefix) {
  auto fields = ValidateFormData(schema, data, prefix);
  if (fields.empty()) return {};
  Validator v;
  for (auto& f : fields) v.Add(std::move(f.field), std::move(f.message));
  return v.Finish("form data");
}

}  // namespace ow::catalog
