#include "catalog/item.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "catalog/search_terms.h"
#include "core/text.h"
#include "regions/model.h"

namespace ow::catalog {
namespace json = boost::json;

int LevelRank(std::string_view level) {
  for (int i = 0; i < 6; ++i) {
    if (kLevels[i] == level) return i;
  }
  return -1;
}

bool ValidItemCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 40) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

namespace {

template <size_t N>
bool OneOf(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

template <size_t N>
std::string Choices(const std::string_view (&set)[N]) {
  std::string s;
  for (auto v : set) s += (s.empty() ? "" : ", ") + std::string(v);
  return s;
}

bool CleanText(std::string_view s, size_t max_chars, bool multiline) {
  if (!text::IsValidUtf8(s) || text::CodePoints(s) > max_chars) return false;
  return std::none_of(s.begin(), s.end(), [multiline](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 && !(multiline && (c == '\n' || c == '\t'));
  });
}

// Reads members of one JSON object, recording errors under `path` and rejecting
// members nobody asked for.
class Reader {
 public:
  Reader(const json::object& in, std::string path, Validator& v)
      : in_(in), path_(std::move(path)), v_(v) {}
  ~Reader() {
    for (const auto& kv : in_) {
      if (!used_.count(std::string(kv.key()))) v_.Add(Path(kv.key()), "is not a known field");
    }
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "/" + std::string(key);
  }

  const json::value* Get(std::string_view key, bool required) {
    used_.insert(std::string(key));
    const json::value* v = in_.if_contains(key);
    if (v && v->is_null()) v = nullptr;
    if (!v && required) v_.Add(Path(key), "is required");
    return v;
  }

  std::string String(std::string_view key, bool required, size_t max, bool multiline = false) {
    const json::value* v = Get(key, required);
    if (!v) return {};
    if (!v->is_string() || !CleanText(v->as_string(), max, multiline)) {
      v_.Add(Path(key), "must be text of at most " + std::to_string(max) + " characters");
      return {};
    }
    std::string s(v->as_string());
    if (required && s.empty()) v_.Add(Path(key), "must not be empty");
    return s;
  }

  template <size_t N>
  std::string Enum(std::string_view key, bool required, const std::string_view (&set)[N],
                   std::string_view def = {}) {
    const json::value* v = Get(key, required);
    if (!v) return std::string(def);
    if (!v->is_string() || !OneOf(v->as_string(), set)) {
      v_.Add(Path(key), "must be one of " + Choices(set));
      return std::string(def);
    }
    return std::string(v->as_string());
  }

  int64_t Int(std::string_view key, bool required, int64_t min, int64_t max, int64_t def) {
    const json::value* v = Get(key, required);
    if (!v) return def;
    if (!v->is_int64() && !v->is_uint64()) {
      v_.Add(Path(key), "must be an integer");
      return def;
    }
    int64_t n = v->is_int64() ? v->as_int64()
                              : static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), INT64_MAX));
    if (n < min || n > max) {
      v_.Add(Path(key), "must be from " + std::to_string(min) + " to " + std::to_string(max));
      return def;
    }
    return n;
  }

  bool Bool(std::string_view key, bool def) {
    const json::value* v = Get(key, false);
    if (!v) return def;
    if (!v->is_bool()) {
      v_.Add(Path(key), "must be true or false");
      return def;
    }
    return v->as_bool();
  }

  // An array whose elements `each(element, path)` converts; errors name the index.
  json::array Array(
      std::string_view key, bool required, size_t max_items,
      const std::function<json::value(const json::value&, const std::string&)>& each) {
    const json::value* v = Get(key, required);
    json::array out;
    if (!v) return out;
    if (!v->is_array()) {
      v_.Add(Path(key), "must be an array");
      return out;
    }
    if (v->as_array().size() > max_items) {
      v_.Add(Path(key), "must have at most " + std::to_string(max_items) + " entries");
      return out;
    }
    if (required && v->as_array().empty()) v_.Add(Path(key), "must not be empty");
    size_t i = 0;
    for (const auto& e : v->as_array())
      out.push_back(each(e, Path(key) + "/" + std::to_string(i++)));
    return out;
  }

  Validator& validator() { return v_; }

 private:
  const json::object& in_;
  std::string path_;
  Validator& v_;
  std::set<std::string> used_;
};

// An array element that must be an object read by `fn`.
std::function<json::value(const json::value&, const std::string&)> Objects(
    Validator& v, const std::function<json::object(Reader&)>& fn) {
  return [&v, fn](const json::value& e, const std::string& path) -> json::value {
    if (!e.is_object()) {
      v.Add(path, "must be an object");
      return json::object();
    }
    Reader r(e.as_object(), path, v);
    return fn(r);
  };
}

std::function<json::value(const json::value&, const std::string&)> Strings(Validator& v,
                                                                           size_t max) {
  return [&v, max](const json::value& e, const std::string& path) -> json::value {
    if (!e.is_string() || e.as_string().empty() || !CleanText(e.as_string(), max, false)) {
      v.Add(path, "must be non-empty text of at most " + std::to_string(max) + " characters");
      return "";
    }
    return e.as_string();
  };
}

// English siblings of a list: one entry per entry of the Chinese list, "" where one has
// no English yet (the portal shows the Chinese there).
std::function<json::value(const json::value&, const std::string&)> Translations(Validator& v,
                                                                                size_t max) {
  return [&v, max](const json::value& e, const std::string& path) -> json::value {
    if (!e.is_string() || !CleanText(e.as_string(), max, false)) {
      v.Add(path, "must be text of at most " + std::to_string(max) + " characters");
      return "";
    }
    return e.as_string();
  };
}

template <size_t N>
std::function<json::value(const json::value&, const std::string&)> Enums(
    Validator& v, const std::string_view (&set)[N]) {
  return [&v, &set](const json::value& e, const std::string& path) -> json::value {
    if (!e.is_string() || !OneOf(e.as_string(), set)) {
      v.Add(path, "must be one of " + Choices(set));
      return "";
    }
    return e.as_string();
  };
}

bool ValidDecimal(std::string_view s) {
  // "0", "12", "12.5", "12.50": yuan with at most two decimals.
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (!text::IsDigits(whole) || whole.size() > 12) return false;
  if (dot == std::string_view::npos) return true;
  std::string_view frac = s.substr(dot + 1);
  return !frac.empty() && frac.size() <= 2 && text::IsDigits(frac);
}

// An absolute http(s) URL or a path on this server ("//host" is another site).
bool ValidUrl(std::string_view s) {
  return s.empty() || s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0 ||
         (s.rfind("/", 0) == 0 && s.rfind("//", 0) != 0);
}

void NoDuplicates(const json::array& a, const std::string& path, Validator& v) {
  std::set<std::string> seen;
  for (const auto& e : a) {
    if (e.is_string() && !seen.insert(std::string(e.as_string())).second) {
      v.Add(path, "lists " + std::string(e.as_string()) + " twice");
    }
  }
}

// The application form's JSON Schema: a well-formed subset the case module can
// validate against (object/array/string/number/integer/boolean types, properties,
// required, items, enum, and the usual length/range/pattern keywords); the rules the
// data must follow are in catalog/form_validate.h.
// A data resource's code and a field's name, as the exchange writes them.
bool ValidResourceCode(std::string_view c) {
  if (c.size() < 3 || c.size() > 40) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (i > 0 && ch == '-');
    if (!ok) return false;
  }
  return true;
}
bool ValidFieldName(std::string_view f) {
  if (f.empty() || f.size() > 64 || f[0] < 'a' || f[0] > 'z') return false;
  for (char ch : f)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

void CheckFormSchema(const json::value& s, const std::string& path, Validator& v, int depth) {
  static const std::set<std::string> kTypes = {"object", "array",   "string",
                                               "number", "integer", "boolean"};
  static const std::set<std::string> kKeywords = {
      "type",      "title",    "description", "properties",       "required",
      "items",     "enum",     "const",       "default",          "minLength",
      "maxLength", "pattern",  "format",      "minimum",          "maximum",
      "minItems",  "maxItems", "$schema",     "exclusiveMinimum", "exclusiveMaximum",
      "$id",       "examples", "x-material",  "x-order",          "additionalProperties",
      "x-prefill"};
  // English labels beside title, description and enum (item.h).
  static const std::set<std::string> kEnglish = {"x-title-en", "x-description-en", "x-enum-en"};
  if (depth > 8) {
    v.Add(path, "is nested too deeply");
    return;
  }
  if (!s.is_object()) {
    v.Add(path, "must be a JSON Schema object");
    return;
  }
  const auto& o = s.as_object();
  for (const auto& kv : o) {
    if (!kKeywords.count(std::string(kv.key())) && !kEnglish.count(std::string(kv.key())))
      v.Add(path + "/" + std::string(kv.key()), "is not a supported JSON Schema keyword");
  }
  // What the platform fills in from the applicant's account or enterprise (cases Prefill).
  if (const json::value* p = o.if_contains("x-prefill")) {
    static const std::set<std::string> kSources = {"person.name", "person.resident_id",
                                                   "person.phone", "enterprise.name",
                                                   "enterprise.credit_code"};
    // Or data.<resource>.<field>: from a data resource the applicant consents to use.
    bool data = false;
    if (p->is_string() && p->as_string().starts_with("data.")) {
      std::string_view rest = std::string_view(p->as_string()).substr(5);
      size_t dot = rest.find('.');
      data = dot != std::string_view::npos && ValidResourceCode(rest.substr(0, dot)) &&
             ValidFieldName(rest.substr(dot + 1));
    }
    if (!p->is_string() || (!data && !kSources.count(std::string(p->as_string()))) ||
        !o.if_contains("type") || o.at("type") != "string")
      v.Add(path + "/x-prefill",
            "must be person.name, person.resident_id, person.phone, enterprise.name, "
            "enterprise.credit_code or data.<resource>.<field>, on a string property");
  }
  const json::value* type = o.if_contains("type");
  if (!type || !type->is_string() || !kTypes.count(std::string(type->as_string()))) {
    v.Add(path + "/type", "must be one of object, array, string, number, integer, boolean");
    return;
  }
  if (depth == 0 && type->as_string() != "object")
    v.Add(path + "/type", "must be \"object\" for the form itself");
  if (const json::value* props = o.if_contains("properties")) {
    if (!props->is_object()) {
      v.Add(path + "/properties", "must be an object");
    } else {
      for (const auto& kv : props->as_object()) {
        CheckFormSchema(kv.value(), path + "/properties/" + std::string(kv.key()), v, depth + 1);
      }
    }
  }
  if (const json::value* req = o.if_contains("required")) {
    const json::value* props = o.if_contains("properties");
    if (!req->is_array()) {
      v.Add(path + "/required", "must be an array of property names");
    } else {
      for (const auto& name : req->as_array()) {
        if (!name.is_string() || !props || !props->is_object() ||
            !props->as_object().contains(name.as_string())) {
          v.Add(path + "/required", "names a property that is not defined");
        }
      }
    }
  }
  if (const json::value* items = o.if_contains("items"))
    CheckFormSchema(*items, path + "/items", v, depth + 1);
  if (const json::value* e = o.if_contains("enum");
      e && (!e->is_array() || e->as_array().empty())) {
    v.Add(path + "/enum", "must be a non-empty array");
  }
  if (const json::value* p = o.if_contains("pattern"); p && !p->is_string())
    v.Add(path + "/pattern", "must be a string");
  // English labels for the portal: annotations, which validation ignores (form_validate.h).
  for (const char* key : {"x-title-en", "x-description-en"}) {
    const json::value* t = o.if_contains(key);
    if (t && (!t->is_string() || !CleanText(t->as_string(), 1000, false)))
      v.Add(path + "/" + key, "must be text of at most 1000 characters");
  }
  if (const json::value* labels = o.if_contains("x-enum-en")) {
    const json::value* e = o.if_contains("enum");
    bool ok =
        labels->is_array() && e && e->is_array() &&
        labels->as_array().size() == e->as_array().size() &&
        std::all_of(labels->as_array().begin(), labels->as_array().end(), [](const json::value& l) {
          return l.is_string() && CleanText(l.as_string(), 300, false);
        });
    if (!ok) {
      v.Add(path + "/x-enum-en",
            "must be an array of texts of at most 300 characters, one per enum value");
    }
  }
}

}  // namespace

void CheckSchema(const json::value& schema, const std::string& path, Validator& v) {
  CheckFormSchema(schema, path, v, 0);
}

namespace {

// An array of at most `max` objects at `path` (null: empty), each read by `fn` with its
// own Reader: Reader::Array with Objects for a value that is not a member of a Reader's.
json::array ObjectArray(const json::value* in, const std::string& path, size_t max,
                        const std::string& what, Validator& v,
                        const std::function<json::object(Reader&)>& fn) {
  json::array out;
  if (!in || in->is_null()) return out;
  if (!in->is_array() || in->as_array().size() > max) {
    v.Add(path, "must be an array of at most " + std::to_string(max) + " " + what);
    return out;
  }
  size_t i = 0;
  for (const auto& e : in->as_array()) {
    std::string at = path + "/" + std::to_string(i++);
    if (!e.is_object()) {
      v.Add(at, "must be an object");
      continue;
    }
    Reader r(e.as_object(), at, v);
    out.push_back(fn(r));
  }
  return out;
}

const json::object* FindByCode(const json::value* list, std::string_view code) {
  if (!list || !list->is_array()) return nullptr;
  for (const auto& e : list->as_array()) {
    if (!e.is_object()) continue;
    const json::value* c = e.as_object().if_contains("code");
    if (c && c->is_string() && c->as_string() == code) return &e.as_object();
  }
  return nullptr;
}

}  // namespace

json::array NormalizeSituations(const json::value* in, const std::string& path, Validator& v) {
  std::set<std::string> codes;
  return ObjectArray(in, path, 10, "questions", v, [&](Reader& r) {
    json::object q;
    std::string code = r.String("code", true, 40);
    if (!code.empty() && !ValidItemCode(code))
      v.Add(r.Path("code"), "must be 2 to 40 of A-Z, a-z, 0-9, '.', '_', '-'");
    if (!code.empty() && !codes.insert(code).second) v.Add(r.Path("code"), "is used twice");
    q["code"] = code;
    q["question"] = r.String("question", true, 200);
    q["question_en"] = r.String("question_en", false, 300);
    std::set<std::string> option_codes;
    q["options"] =
        r.Array("options", true, 10, Objects(v, [&](Reader& o) {
                  json::object opt;
                  std::string oc = o.String("code", true, 40);
                  if (!oc.empty() && !ValidItemCode(oc))
                    v.Add(o.Path("code"), "must be 2 to 40 of A-Z, a-z, 0-9, '.', '_', '-'");
                  if (!oc.empty() && !option_codes.insert(oc).second)
                    v.Add(o.Path("code"), "is used twice");
                  opt["code"] = oc;
                  opt["label"] = o.String("label", true, 200);
                  opt["label_en"] = o.String("label_en", false, 300);
                  std::string item = o.String("item_code", false, 40);
                  if (!item.empty() && !ValidItemCode(item))
                    v.Add(o.Path("item_code"), "must be an item code or empty");
                  opt["item_code"] = item;
                  return opt;
                }));
    if (q["options"].as_array().size() == 1)
      v.Add(r.Path("options"), "must offer at least 2 answers");
    return q;
  });
}

json::array NormalizeWhen(const json::value* in, const std::string& path,
                          const json::array& situations, Validator& v) {
  json::value all(situations);
  std::set<std::string> seen;
  return ObjectArray(in, path, 10, "conditions", v, [&](Reader& r) {
    json::object c;
    std::string code = r.String("situation", true, 40);
    const json::object* q = FindByCode(&all, code);
    if (!code.empty() && !q) v.Add(r.Path("situation"), "names no question of situations");
    if (!code.empty() && !seen.insert(code).second) v.Add(r.Path("situation"), "is named twice");
    c["situation"] = code;
    c["options"] = r.Array("options", true, 10, Strings(v, 40));
    NoDuplicates(c["options"].as_array(), r.Path("options"), v);
    if (q) {
      size_t j = 0;
      for (const auto& o : c["options"].as_array()) {
        if (o.is_string() && !FindByCode(q->if_contains("options"), o.as_string()))
          v.Add(r.Path("options") + "/" + std::to_string(j), "is not an answer to " + code);
        ++j;
      }
    }
    return c;
  });
}

bool Applies(const json::value& when, const json::object& answers) {
  if (!when.is_array()) return true;
  for (const auto& e : when.as_array()) {
    if (!e.is_object()) continue;
    const json::value* code = e.as_object().if_contains("situation");
    const json::value* options = e.as_object().if_contains("options");
    if (!code || !code->is_string() || !options || !options->is_array()) continue;
    const json::value* answer = answers.if_contains(code->as_string());
    if (!answer || !answer->is_string()) return false;
    const auto& o = options->as_array();
    if (std::find(o.begin(), o.end(), *answer) == o.end()) return false;
  }
  return true;
}

json::array CheckAnswers(const json::value* situations, const json::object& answers,
                         const std::string& path, Validator& v) {
  json::array kept;
  for (const auto& kv : answers) {
    if (!FindByCode(situations, kv.key()))
      v.Add(path + "/" + std::string(kv.key()), "is not a question of this service");
  }
  if (!situations || !situations->is_array()) return kept;
  for (const auto& e : situations->as_array()) {
    if (!e.is_object()) continue;
    const json::object& q = e.as_object();
    std::string code = json::value_to<std::string>(q.at("code"));
    std::string at = path + "/" + code;
    const json::value* answer = answers.if_contains(code);
    if (!answer) {
      v.Add(at, "is required: " + json::value_to<std::string>(q.at("question")));
      continue;
    }
    const json::object* opt =
        answer->is_string() ? FindByCode(q.if_contains("options"), answer->as_string()) : nullptr;
    if (!opt) {
      v.Add(at, "must be one of the answers to " + json::value_to<std::string>(q.at("question")));
      continue;
    }
    if (const json::value* item = opt->if_contains("item_code");
        item && item->is_string() && !item->as_string().empty()) {
      v.Add(at, "with this answer the service to apply for is " + std::string(item->as_string()));
      continue;
    }
    kept.push_back(json::object{
        {"code", code},
        {"question", q.at("question")},
        {"question_en", q.if_contains("question_en") ? q.at("question_en") : json::value("")},
        {"option", answer->as_string()},
        {"label", opt->at("label")},
        {"label_en", opt->if_contains("label_en") ? opt->at("label_en") : json::value("")}});
  }
  return kept;
}

json::object AnswersOf(const json::array& kept) {
  json::object out;
  for (const auto& e : kept) {
    if (!e.is_object()) continue;
    const json::value* c = e.as_object().if_contains("code");
    const json::value* o = e.as_object().if_contains("option");
    if (c && c->is_string() && o && o->is_string()) out[c->as_string()] = o->as_string();
  }
  return out;
}

Result<json::object> NormalizeItem(const json::value& doc) {
  if (!doc.is_object()) return InvalidArgument("a service item must be a JSON object");
  Validator v;
  json::object out;
  {
    Reader r(doc.as_object(), "", v);
    std::string code = r.String("code", true, 40);
    if (!code.empty() && !ValidItemCode(code))
      v.Add("code", "must be 2 to 40 of A-Z, a-z, 0-9, '.', '_', '-'");
    out["code"] = code;
    out["name"] = r.String("name", true, 200);
    out["name_en"] = r.String("name_en", false, 300);
    out["aliases"] = r.Array("aliases", false, 50, Strings(v, 200));
    std::string type = r.Enum("type", true, kItemTypes);
    out["type"] = type;
    std::string nature =
        r.Enum("nature", false, kNatures,
               type == "public_service" ? "public_service" : "administrative_power");
    if ((type == "public_service") != (nature == "public_service") && !type.empty()) {
      v.Add("nature", "must be public_service exactly when type is public_service");
    }
    out["nature"] = nature;
    out["served"] = r.Array("served", true, 2, Enums(v, kServed));
    NoDuplicates(out["served"].as_array(), "served", v);
    std::string dept = r.String("department_code", true, 40);
    out["department_code"] = dept;
    out["themes"] = r.Array("themes", false, 30, Strings(v, 100));
    out["level"] = r.Enum("level", true, kLevels);
    out["service_forms"] = r.Array("service_forms", true, 4, Enums(v, kServiceForms));
    NoDuplicates(out["service_forms"].as_array(), "service_forms", v);
    out["jurisdiction"] =
        r.Array("jurisdiction", true, 100, [&v](const json::value& e, const std::string& path) {
          if (!e.is_string() || !regions::LevelOfCode(e.as_string())) {
            v.Add(path, "must be a region code");
            return json::value("");
          }
          return json::value(e.as_string());
        });
    NoDuplicates(out["jurisdiction"].as_array(), "jurisdiction", v);
    // A province-level item is implemented across provinces, a county item across
    // counties: each jurisdiction region sits at the item's own level (national items
    // name the provinces they cover).
    if (int rank = LevelRank(out["level"].as_string()); rank >= 0) {
      size_t i = 0;
      for (const auto& j : out["jurisdiction"].as_array()) {
        auto lvl = regions::LevelOfCode(j.as_string());
        int want = rank == 0 ? 1 : rank;
        if (lvl && static_cast<int>(*lvl) != want) {
          v.Add("jurisdiction/" + std::to_string(i),
                "must be a " + std::string(rank == 0 ? "province" : kLevels[rank]) +
                    " code for a " + std::string(out["level"].as_string()) + "-level item");
        }
        ++i;
      }
    }
    out["legal_basis"] = r.Array("legal_basis", false, 50, Objects(v, [&v](Reader& e) {
                                   json::object o;
                                   o["title"] = e.String("title", true, 300);
                                   o["article"] = e.String("article", false, 100);
                                   std::string url = e.String("url", false, 500);
                                   if (!ValidUrl(url))
                                     v.Add(e.Path("url"), "must be an http(s) URL or a path");
                                   o["url"] = url;
                                   return o;
                                 }));
    out["conditions"] = r.Array("conditions", false, 50, Strings(v, 1000));
    out["conditions_en"] = r.Array("conditions_en", false, 50, Translations(v, 2000));
    if (out["conditions_en"].as_array().size() > out["conditions"].as_array().size())
      v.Add("conditions_en", "must not have more entries than conditions");
    const json::array situations = NormalizeSituations(r.Get("situations", false), "situations", v);
    out["situations"] = situations;
    out["materials"] =
        r.Array("materials", false, 100, Objects(v, [&](Reader& e) {
                  json::object o;
                  o["name"] = e.String("name", true, 200);
                  o["name_en"] = e.String("name_en", false, 300);
                  o["required"] = e.Bool("required", true);
                  o["copies"] = e.Int("copies", false, 0, 20, 1);
                  o["form"] = e.Enum("form", false, kMaterialForms, "both");
                  for (const char* k : {"blank_form_url", "sample_url"}) {
                    std::string url = e.String(k, false, 500);
                    if (!ValidUrl(url)) v.Add(e.Path(k), "must be an http(s) URL or a path");
                    o[k] = url;
                  }
                  std::string lt = e.String("license_type", false, 60);
                  if (lt.empty()) {
                    o["license_type"] = nullptr;
                  } else {
                    o["license_type"] = lt;
                  }
                  // Data from the exchange standing for the material, with the
                  // applicant's consent (cases fetch it: the resource's code and the
                  // fields asked). Written only when set, so older items stay as they were.
                  std::string resource = e.String("data_resource", false, 40);
                  json::array fields = e.Array("data_fields", false, 64, Strings(v, 64));
                  if (!resource.empty()) {
                    if (!ValidResourceCode(resource))
                      v.Add(e.Path("data_resource"), "must be a data resource code (A-Z, 0-9, -)");
                    if (fields.empty())
                      v.Add(e.Path("data_fields"), "must name the fields the material stands for");
                    for (size_t i = 0; i < fields.size(); ++i)
                      if (!ValidFieldName(fields[i].as_string()))
                        v.Add(e.Path("data_fields") + "/" + std::to_string(i),
                              "must be a field name (a-z, 0-9, _)");
                    o["data_resource"] = resource;
                    o["data_fields"] = std::move(fields);
                    // Data about another party of the application (the form property
                    // holding their resident ID): fetched only with their own consent.
                    std::string party = e.String("data_subject_field", false, 64);
                    if (!party.empty()) o["data_subject_field"] = party;
                  } else if (!fields.empty()) {
                    v.Add(e.Path("data_fields"), "needs data_resource");
                  }
                  o["note"] = e.String("note", false, 500);
                  o["note_en"] = e.String("note_en", false, 1000);
                  o["when"] = NormalizeWhen(e.Get("when", false), e.Path("when"), situations, v);
                  return o;
                }));
    out["steps"] = r.Array("steps", false, 30, Objects(v, [](Reader& e) {
                             json::object o;
                             o["name"] = e.String("name", true, 100);
                             o["name_en"] = e.String("name_en", false, 200);
                             o["description"] = e.String("description", false, 1000, true);
                             o["description_en"] = e.String("description_en", false, 2000, true);
                             return o;
                           }));
    int64_t statutory = r.Int("statutory_days", true, 0, 3650, 0);
    int64_t promised = r.Int("promised_days", true, 0, 3650, 0);
    if (statutory > 0 && promised > statutory) {
      v.Add("promised_days", "may not exceed statutory_days (" + std::to_string(statutory) + ")");
    }
    out["statutory_days"] = statutory;
    out["promised_days"] = promised;
    out["fees"] = r.Array("fees", false, 30, Objects(v, [&v](Reader& e) {
                            json::object o;
                            o["name"] = e.String("name", true, 200);
                            o["name_en"] = e.String("name_en", false, 300);
                            std::string amount = e.String("amount", true, 20);
                            if (!amount.empty() && !ValidDecimal(amount)) {
                              v.Add(e.Path("amount"), "must be yuan like \"12.50\"");
                            }
                            o["amount"] = amount;
                            o["basis"] = e.String("basis", false, 300);
                            return o;
                          }));
    out["halls"] = r.Array("halls", false, 30, Objects(v, [](Reader& e) {
                             json::object o;
                             o["name"] = e.String("name", true, 200);
                             o["name_en"] = e.String("name_en", false, 300);
                             o["address"] = e.String("address", false, 300);
                             o["address_en"] = e.String("address_en", false, 500);
                             o["hours"] = e.String("hours", false, 200);
                             o["hours_en"] = e.String("hours_en", false, 300);
                             return o;
                           }));
    out["consult_phone"] = r.String("consult_phone", false, 40);
    out["complaint_phone"] = r.String("complaint_phone", false, 40);
    out["online_depth"] = r.Int("online_depth", true, 1, 4, 1);
    out["visits"] = r.Int("visits", true, 0, 2, 0);
    out["appointment"] = r.Bool("appointment", false);
    out["delivery"] = r.Bool("delivery", false);
    out["cross_region"] = r.Enum("cross_region", false, kCrossRegion, "none");
    out["process"] = r.String("process", false, 100);
    const json::value* schema = r.Get("form_schema", false);
    if (schema) CheckFormSchema(*schema, "form_schema", v, 0);
    out["form_schema"] =
        schema && schema->is_object() ? *schema : json::value(json::object{{"type", "object"}});
    out["guide"] = r.String("guide", false, 20000, true);
    out["guide_en"] = r.String("guide_en", false, 40000, true);
  }
  OW_RETURN_IF_ERROR(v.Finish("service item"));
  return out;
}

json::object MinimalItem() {
  static const json::object kMinimal =
      *NormalizeItem(json::object{{"code", "minimal"},
                                  {"name", "minimal"},
                                  {"type", "public_service"},
                                  {"served", json::array{"natural_person"}},
                                  {"department_code", "minimal"},
                                  {"level", "province"},
                                  {"service_forms", json::array{"online"}},
                                  {"jurisdiction", json::array{"11"}},
                                  {"statutory_days", 0},
                                  {"promised_days", 0},
                                  {"online_depth", 1},
                                  {"visits", 0}});
  return kMinimal;
}

namespace {

std::string Escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void DiffInto(const json::value& a, const json::value& b, const std::string& path,
              std::vector<DiffEntry>& out) {
  if (a == b) return;
  if (a.is_object() && b.is_object()) {
    for (const auto& kv : a.as_object()) {
      std::string p = path + "/" + Escape(kv.key());
      if (const json::value* bv = b.as_object().if_contains(kv.key())) {
        DiffInto(kv.value(), *bv, p, out);
      } else {
        out.push_back({"remove", p, kv.value(), nullptr});
      }
    }
    for (const auto& kv : b.as_object()) {
      if (!a.as_object().contains(kv.key()))
        out.push_back({"add", path + "/" + Escape(kv.key()), nullptr, kv.value()});
    }
    return;
  }
  if (a.is_array() && b.is_array()) {
    const auto& x = a.as_array();
    const auto& y = b.as_array();
    size_t common = std::min(x.size(), y.size());
    for (size_t i = 0; i < common; ++i) DiffInto(x[i], y[i], path + "/" + std::to_string(i), out);
    for (size_t i = common; i < y.size(); ++i)
      out.push_back({"add", path + "/" + std::to_string(i), nullptr, y[i]});
    for (size_t i = x.size(); i > common; --i) {
      out.push_back({"remove", path + "/" + std::to_string(i - 1), x[i - 1], nullptr});
    }
    return;
  }
  out.push_back({"replace", path, a, b});
}

}  // namespace

std::vector<DiffEntry> Diff(const json::value& a, const json::value& b) {
  std::vector<DiffEntry> out;
  DiffInto(a, b, "", out);
  return out;
}

std::vector<WeightedTerm> IndexTerms(const json::object& item) {
  // Field weights: a match in the name counts most, then aliases, themes, the
  // guide and material names. Term frequency is capped so repetition cannot buy rank.
  std::map<std::string, std::map<int, int>> tf;  // term -> weight -> count
  auto add = [&](std::string_view text, int weight) {
    for (auto& t : TextTerms(text)) ++tf[t][weight];
  };
  auto str = [&](const char* key) -> std::string_view {
    const json::value* v = item.if_contains(key);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
  };
  add(str("name"), 100);
  add(str("name_en"), 100);
  add(str("code"), 100);
  for (const char* key : {"aliases", "themes"}) {
    if (const json::value* v = item.if_contains(key); v && v->is_array()) {
      for (const auto& e : v->as_array()) {
        if (e.is_string()) add(e.as_string(), std::string_view(key) == "aliases" ? 60 : 40);
      }
    }
  }
  add(str("guide"), 10);
  add(str("guide_en"), 10);
  if (const json::value* m = item.if_contains("materials"); m && m->is_array()) {
    for (const auto& e : m->as_array()) {
      if (!e.is_object()) continue;
      if (auto* n = e.as_object().if_contains("name"); n && n->is_string()) add(n->as_string(), 5);
      if (auto* n = e.as_object().if_contains("name_en"); n && n->is_string())
        add(n->as_string(), 5);
    }
  }
  std::vector<WeightedTerm> out;
  out.reserve(tf.size());
  for (const auto& [term, by_weight] : tf) {
    int64_t score = 0;
    for (const auto& [weight, count] : by_weight) score += weight * std::min(count, 3);
    out.push_back({term, score});
  }
  return out;
}

}  // namespace ow::catalog
