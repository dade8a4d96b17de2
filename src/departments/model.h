// Departments: government organizations attached to a region, forming a tree of
// units (a bureau under a county government, a section under a bureau).
#ifndef OW_DEPARTMENTS_MODEL_H_
#define OW_DEPARTMENTS_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ow::departments {

// Kinds of unit; the strings are the API's values.
inline constexpr std::string_view kTypes[] = {
    "government",          // people's government of a level (人民政府)
    "department",          // working department (工作部门), e.g. public security bureau
    "agency",              // directly affiliated agency (直属机构)
    "public_institution",  // public service unit (事业单位)
    "service_center",      // government service centre / hall (政务服务中心)
    "township",            // township or street office (乡镇/街道)
    "village",             // village or community committee (村/社区)
};

struct Department {
  std::string code;         // 2-40 of [A-Za-z0-9._-], unique, never changes
  std::string name;         // 1-100 characters
  std::string name_en;      // optional English name, up to 200 characters
  std::string type;         // one of kTypes
  std::string region_code;  // the region it serves
  std::string parent_code;  // parent unit's code, empty for a top unit
  int64_t version = 0;      // incremented on every change (ETag / If-Match)
  std::string created_at;   // RFC 3339 UTC
  std::string updated_at;
};

struct ListQuery {
  std::string region_code;  // exactly this region
  std::string within;       // this region or any below it
  std::string type;
  std::string parent_code;
  int limit = 50;
  std::string cursor;
};

struct DepartmentPage {
  std::vector<Department> items;
  std::string next_cursor;
};

}  // namespace ow::departments

#endif  // OW_DEPARTMENTS_MODEL_H_
