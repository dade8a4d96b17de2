#include "regions/service.h"

#include <atomic>

#include "core/log.h"
#include "core/text.h"
#include "db/shared_state.h"
#include "regions/store.h"

namespace ow::regions {
namespace {

constexpr std::string_view kGeneration = "regions";

Status ValidateCode(const std::string& code, const char* field = "code") {
  if (!LevelOfCode(code)) {
    Validator v;
    v.Add(field, "must be 2, 4, 6, 9 or 12 digits");
    return v.Finish();
  }
  return {};
}

}  // namespace

Result<RegionWithPath> Service::Get(const std::string& code) {
  OW_RETURN_IF_ERROR(ValidateCode(code));
  Result<RegionWithPath> out = NotFound("no region with code " + code);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out = Get(c, code);
    return out || out.error().code == Code::kNotFound ? Status() : Status(out.error());
  }));
  return out;
}

Result<RegionWithPath> Service::Get(db::Connection& c, const std::string& code) {
  OW_RETURN_IF_ERROR(ValidateCode(code));
  std::vector<std::string> codes = AncestorCodes(code);
  codes.push_back(code);
  OW_ASSIGN_OR_RETURN(auto rows, Store::GetMany(c, codes));
  // Order province first by code length; the region itself is the longest.
  std::sort(rows.begin(), rows.end(),
            [](const Region& a, const Region& b) { return a.code.size() < b.code.size(); });
  if (rows.empty() || rows.back().code != code) return NotFound("no region with code " + code);
  RegionWithPath out;
  out.region = rows.back();
  rows.pop_back();
  out.ancestors = std::move(rows);
  return out;
}

Result<RegionPage> Service::Children(const std::string& code, int limit,
                                     const std::string& cursor) {
  if (!code.empty()) OW_RETURN_IF_ERROR(ValidateCode(code));
  std::string after;
  if (!cursor.empty()) {
    auto decoded = text::Base64UrlDecode(cursor);
    if (!decoded || !LevelOfCode(*decoded)) {
      Validator v;
      v.Add("cursor", "is not a cursor this API returned");
      return v.Finish("query").error();
    }
    after = *decoded;
  }
  RegionPage page;
  bool exists = true;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    if (!code.empty()) {
      OW_ASSIGN_OR_RETURN(auto self, Store::Get(c, code));
      if (!self) {
        exists = false;
        return {};
      }
    }
    OW_ASSIGN_OR_RETURN(page.items, Store::Children(c, code, after, limit + 1));
    return {};
  }));
  if (!exists) return NotFound("no region with code " + code);
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = text::Base64UrlEncode(page.items.back().code);
  }
  return page;
}

Result<RegionPage> Service::Search(const SearchQuery& q) {
  Validator v;
  size_t len = text::CodePoints(q.prefix);
  if (q.prefix.empty() || !text::IsValidUtf8(q.prefix) || len > 50) {
    v.Add("q", "must be 1 to 50 characters of text");
  }
  if (!q.within.empty() && !LevelOfCode(q.within)) v.Add("within", "must be a region code");
  std::string after_name, after_code;
  if (!q.cursor.empty()) {
    auto decoded = text::Base64UrlDecode(q.cursor);
    auto sep = decoded ? decoded->rfind('\x1f') : std::string::npos;
    if (sep == std::string::npos) {
      v.Add("cursor", "is not a cursor this API returned");
    } else {
      after_name = decoded->substr(0, sep);
      after_code = decoded->substr(sep + 1);
    }
  }
  OW_RETURN_IF_ERROR(v.Finish("query"));
  // Without a cursor, start at the prefix itself: every match sorts at or after
  // (prefix, ''), and PostgreSQL then seeks straight there in the index instead of
  // scanning from the start of it.
  if (q.cursor.empty()) after_name = q.prefix;
  RegionPage page;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(page.items, Store::SearchByName(c, q.prefix, q.level, q.within, after_name,
                                                        after_code, q.limit + 1));
    return {};
  }));
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.pop_back();
    const Region& last = page.items.back();
    page.next_cursor = text::Base64UrlEncode(last.name + '\x1f' + last.code);
  }
  return page;
}

Status Service::MustExist(const std::string& code) {
  OW_RETURN_IF_ERROR(ValidateCode(code, "region_code"));
  bool found = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto r, Store::Get(c, code));
    found = r.has_value();
    return {};
  }));
  if (!found) return NotFound("no region with code " + code);
  return {};
}

uint64_t Service::Generation() { return db::CurrentGeneration(db_, kGeneration); }
void BumpGeneration(db::Database& db) {
  if (auto st = db::BumpGeneration(db, kGeneration); !st)
    log::Warn("regions.generation_bump_failed", {{"error", st.error().message}});
}

bool Service::IsWithin(std::string_view code, std::string_view ancestor) {
  return code.size() >= ancestor.size() && code.substr(0, ancestor.size()) == ancestor &&
         LevelOfCode(ancestor).has_value();
}

}  // namespace ow::regions
