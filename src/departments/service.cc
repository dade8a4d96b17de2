#include "departments/service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/clock.h"
#include "core/text.h"
#include "departments/store.h"

namespace ow::departments {
namespace {

bool ValidCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 40) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool ValidText(std::string_view s, size_t max) {
  return text::IsValidUtf8(s) && text::CodePoints(s) <= max &&
         std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

}  // namespace

Status Service::Validate(const DepartmentInput& in, bool creating) {
  Validator v;
  if (creating && !ValidCode(in.code))
    v.Add("code", "must be 2 to 40 of A-Z, a-z, 0-9, '.', '_', '-'");
  if (in.name.empty() || !ValidText(in.name, 100))
    v.Add("name", "must be 1 to 100 characters, no control characters");
  if (!ValidText(in.name_en, 200))
    v.Add("name_en", "must be at most 200 characters, no control characters");
  if (std::find(std::begin(kTypes), std::end(kTypes), in.type) == std::end(kTypes)) {
    std::string all;
    for (auto t : kTypes) all += (all.empty() ? "" : ", ") + std::string(t);
    v.Add("type", "must be one of " + all);
  }
  if (!regions::LevelOfCode(in.region_code)) {
    v.Add("region_code", "must be a region code of 2, 4, 6, 9 or 12 digits");
  } else if (auto st = regions_.MustExist(in.region_code); !st) {
    v.Add("region_code", "no region with this code");
  }
  if (!in.parent_code.empty() && !ValidCode(in.parent_code))
    v.Add("parent_code", "is not a department code");
  if (!in.parent_code.empty() && in.parent_code == in.code)
    v.Add("parent_code", "a unit cannot be its own parent");
  return v.Finish();
}

Status Service::CheckParent(db::Connection& c, const std::string& code, const DepartmentInput& in) {
  if (in.parent_code.empty()) return {};
  OW_ASSIGN_OR_RETURN(auto parent, Store::Get(c, in.parent_code));
  Validator v;
  if (!parent) {
    v.Add("parent_code", "no department with this code");
    return v.Finish();
  }
  if (!regions::Service::IsWithin(in.region_code, parent->region_code)) {
    v.Add("parent_code", "the parent unit must serve the same region or one above it");
    return v.Finish();
  }
  // Walk up from the new parent: meeting `code` would close a cycle.
  std::string cursor = parent->parent_code;
  for (int depth = 0; !cursor.empty() && depth < 64; ++depth) {
    if (cursor == code) {
      v.Add("parent_code", "would make the unit its own ancestor");
      return v.Finish();
    }
    OW_ASSIGN_OR_RETURN(auto up, Store::Get(c, cursor));
    cursor = up ? up->parent_code : "";
  }
  return {};
}

Result<Department> Service::Create(const DepartmentInput& in) {
  OW_RETURN_IF_ERROR(Validate(in, true));
  Department d{in.code,        in.name, in.name_en, in.type, in.region_code,
               in.parent_code, 1,       NowText(),  {}};
  d.updated_at = d.created_at;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, Store::Get(c, in.code));
    if (existing) return AlreadyExists("a department with code " + in.code + " already exists");
    OW_RETURN_IF_ERROR(CheckParent(c, in.code, in));
    return Store::Insert(c, d);
  }));
  return d;
}

Result<Department> Service::Get(const std::string& code) {
  Result<Department> out = NotFound("no department with code " + code);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out = Get(c, code);
    return out || out.error().code == Code::kNotFound ? Status() : Status(out.error());
  }));
  return out;
}

Result<Department> Service::Get(db::Connection& c, const std::string& code) {
  OW_ASSIGN_OR_RETURN(auto d, Store::Get(c, code));
  if (!d) return NotFound("no department with code " + code);
  return *d;
}

Result<Department> Service::Update(const std::string& code, const DepartmentInput& in,
                                   std::optional<int64_t> expected_version) {
  DepartmentInput input = in;
  input.code = code;
  OW_RETURN_IF_ERROR(Validate(input, false));
  Department out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto current, Store::Get(c, code));
    if (!current) return NotFound("no department with code " + code);
    if (expected_version && *expected_version != current->version) {
      return StaleVersion("department " + code + " was changed by someone else (version " +
                          std::to_string(current->version) + ", expected " +
                          std::to_string(*expected_version) + ")");
    }
    OW_RETURN_IF_ERROR(CheckParent(c, code, input));
    out = *current;
    out.name = input.name;
    out.name_en = input.name_en;
    out.type = input.type;
    out.region_code = input.region_code;
    out.parent_code = input.parent_code;
    out.version = current->version + 1;
    out.updated_at = NowText();
    OW_ASSIGN_OR_RETURN(bool updated, Store::Update(c, out));
    if (!updated) return Conflict("department " + code + " was changed concurrently");
    return {};
  }));
  return out;
}

Status Service::Delete(const std::string& code, std::optional<int64_t> expected_version) {
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto current, Store::Get(c, code));
    if (!current) return NotFound("no department with code " + code);
    if (expected_version && *expected_version != current->version) {
      return StaleVersion("department " + code + " was changed by someone else");
    }
    OW_ASSIGN_OR_RETURN(auto children, Store::CountChildren(c, code));
    if (children > 0) {
      return Conflict("department " + code + " still has " + std::to_string(children) +
                      " sub-unit(s); move or delete them first");
    }
    OW_ASSIGN_OR_RETURN(bool deleted, Store::Delete(c, code));
    if (!deleted) return NotFound("no department with code " + code);
    return {};
  });
}

Result<DepartmentPage> Service::List(const ListQuery& q) {
  Validator v;
  if (!q.region_code.empty() && !regions::LevelOfCode(q.region_code))
    v.Add("region", "must be a region code");
  if (!q.within.empty() && !regions::LevelOfCode(q.within))
    v.Add("within", "must be a region code");
  if (!q.type.empty() &&
      std::find(std::begin(kTypes), std::end(kTypes), q.type) == std::end(kTypes)) {
    v.Add("type", "is not a department type");
  }
  std::string after;
  if (!q.cursor.empty()) {
    auto decoded = text::Base64UrlDecode(q.cursor);
    if (!decoded || !ValidCode(*decoded)) {
      v.Add("cursor", "is not a cursor this API returned");
    } else {
      after = *decoded;
    }
  }
  OW_RETURN_IF_ERROR(v.Finish("query"));
  DepartmentPage page;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(page.items, Store::List(c, q, after, q.limit + 1));
    return {};
  }));
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.pop_back();
    page.next_cursor = text::Base64UrlEncode(page.items.back().code);
  }
  return page;
}

}  // namespace ow::departments
