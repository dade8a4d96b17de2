// Licence types: what a department issues. Managed by the system administrator, like the
// catalog whose items issue them.
#include <algorithm>
#include <regex>

#include "catalog/item.h"
#include "core/clock.h"
#include "core/text.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

bool CodeOk(const std::string& code) {
  static const std::regex re("[a-z0-9_]{2,40}");
  return std::regex_match(code, re);
}

// The document layout of a type: which fields are printed, in which order, with which
// labels: {"title": "...", "fields": [{"field": "name", "label": "名称"}, ...],
// "note": "..."}.
void CheckDocument(const json::object& doc, const json::value& schema, Validator& v) {
  for (const auto& kv : doc) {
    std::string key(kv.key());
    if (key != "title" && key != "fields" && key != "note")
      v.Add("document/" + key, "is not a member of a document layout (title, fields, note)");
  }
  for (const char* key : {"title", "note"}) {
    if (const auto* s = doc.if_contains(key);
        s && (!s->is_string() || text::CodePoints(std::string(s->as_string())) > 200))
      v.Add(std::string("document/") + key, "must be a string of at most 200 characters");
  }
  const json::object* props = nullptr;
  if (schema.is_object())
    if (const auto* p = schema.as_object().if_contains("properties"); p && p->is_object())
      props = &p->as_object();
  if (const auto* f = doc.if_contains("fields")) {
    if (!f->is_array() || f->as_array().size() > 40) {
      v.Add("document/fields", "must be an array of at most 40 {field, label}");
      return;
    }
    for (size_t i = 0; i < f->as_array().size(); ++i) {
      const auto& e = f->as_array()[i];
      std::string path = "document/fields/" + std::to_string(i);
      const json::object* o = e.is_object() ? &e.as_object() : nullptr;
      const json::value* field = o ? o->if_contains("field") : nullptr;
      const json::value* label = o ? o->if_contains("label") : nullptr;
      if (!o || o->size() != 2 || !field || !field->is_string() || !label || !label->is_string() ||
          label->as_string().empty() || text::CodePoints(std::string(label->as_string())) > 40) {
        v.Add(path, "must be {\"field\": a licence field, \"label\": 1-40 characters}");
        continue;
      }
      if (!props || !props->contains(field->as_string()))
        v.Add(path + "/field", "names no field of the schema");
    }
  }
}

Status Check(const LicenceType& t) {
  Validator v;
  if (!CodeOk(t.code)) v.Add("code", "must be 2-40 of a-z, 0-9 and _");
  size_t n = text::CodePoints(t.name);
  if (n < 1 || n > 100) v.Add("name", "is required, at most 100 characters");
  if (text::CodePoints(t.name_en) > 200) v.Add("name_en", "must be at most 200 characters");
  if (t.holder_kind != kPerson && t.holder_kind != kEnterprise)
    v.Add("holder_kind", "must be person or enterprise");
  if (!t.schema.is_object()) {
    v.Add("schema", "must be a JSON Schema of the licence's fields (an object)");
  } else {
    const auto& o = t.schema.as_object();
    const auto* type = o.if_contains("type");
    if (!type || !type->is_string() || type->as_string() != "object" || !o.contains("properties"))
      v.Add("schema", "must be {\"type\": \"object\", \"properties\": {...}}");
    catalog::CheckSchema(t.schema, "schema", v);
  }
  if (t.validity_months < 0 || t.validity_months > 1200)
    v.Add("validity_months", "must be 0 (no end) to 1200");
  if (t.trust_level.size() != 1 || t.trust_level[0] < 'A' || t.trust_level[0] > 'D')
    v.Add("trust_level", "must be A, B, C or D");
  static const std::regex prefix("[A-Z]{0,6}");
  if (!std::regex_match(t.number_prefix, prefix))
    v.Add("number_prefix", "must be at most 6 capital letters");
  if (t.issued_by_items.size() > 100) v.Add("issued_by_items", "must list at most 100 items");
  for (size_t i = 0; i < t.issued_by_items.size(); ++i)
    if (t.issued_by_items[i].empty() || t.issued_by_items[i].size() > 64)
      v.Add("issued_by_items/" + std::to_string(i), "must be a catalog item code");
  CheckDocument(t.document, t.schema, v);
  for (const auto& kv : t.from_form) {
    if (!kv.value().is_string() || kv.value().as_string().empty())
      v.Add("from_form/" + std::string(kv.key()), "must name a field of the application form");
  }
  if (t.status != "active" && t.status != "retired") v.Add("status", "must be active or retired");
  return v.Finish("licence type");
}

}  // namespace

Result<std::vector<LicenceType>> Service::ListTypes() {
  std::vector<LicenceType> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::ListTypes(c));
    return {};
  }));
  return out;
}

Result<LicenceType> Service::GetType(const std::string& code) {
  std::optional<LicenceType> t;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(t, store::LoadType(c, code));
    return {};
  }));
  if (!t) return NotFound("no licence type " + code);
  return *t;
}

Result<LicenceType> Service::PutType(const Principal& who, const LicenceType& in,
                                     int64_t expected_version) {
  LicenceType t = in;
  if (t.status.empty()) t.status = "active";
  OW_RETURN_IF_ERROR(Check(t));
  auto dept = departments_.Get(t.department_code);
  if (!dept) {
    if (dept.error().code == Code::kNotFound)
      return Error(Code::kInvalidArgument, "licence type",
                   {{"department_code", "names no department"}});
    return dept.error();
  }
  t.updated_by = who.name_for_audit;
  t.updated_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, store::LoadType(c, t.code));
    if (expected_version == 0 && existing)
      return AlreadyExists("licence type " + t.code + " exists; send If-Match to replace it");
    if (expected_version != 0 && !existing) return NotFound("no licence type " + t.code);
    // Licences already issued name the department: a type never changes hands.
    if (existing && existing->department_code != t.department_code)
      return Error(Code::kInvalidArgument, "licence type",
                   {{"department_code", "cannot change once licences may have been issued"}});
    if (existing && existing->holder_kind != t.holder_kind)
      return Error(Code::kInvalidArgument, "licence type",
                   {{"holder_kind", "cannot change once licences may have been issued"}});
    // An item's approval issues one licence type: a second active type naming the same
    // item would leave the process's issue-licence step to guess.
    if (t.status == "active") {
      OW_ASSIGN_OR_RETURN(auto others, store::ListTypes(c));
      for (const auto& o : others) {
        if (o.code == t.code || o.status != "active") continue;
        for (const auto& item : t.issued_by_items)
          if (std::find(o.issued_by_items.begin(), o.issued_by_items.end(), item) !=
              o.issued_by_items.end())
            return Conflict("item " + item + " already issues the licence type " + o.code);
      }
    }
    OW_ASSIGN_OR_RETURN(bool saved, store::SaveType(c, t, expected_version));
    if (!saved)
      return StaleVersion("licence type " + t.code + " is no longer at version " +
                          std::to_string(expected_version));
    OW_RETURN_IF_ERROR(
        audit::Append(c, {"licence_type.saved", who.name_for_audit, t.code, "success", "", "",
                          json::object{{"version", expected_version + 1}}}));
    return {};
  }));
  return GetType(t.code);
}

}  // namespace ow::licences
