#include "app/demo.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "catalog/service.h"
#include "departments/service.h"
#include "regions/service.h"

namespace ow::app {

Result<DemoSummary> SeedDemo(db::Database& db, const std::string& dir) {
  DemoSummary summary;
  regions::Service regions(db);
  OW_ASSIGN_OR_RETURN(auto imported, regions.Import(dir + "/regions"));
  summary.regions = imported.rows;

  std::ifstream in(dir + "/departments.json", std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + dir + "/departments.json");
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  if (ec || !doc.is_array()) return InvalidArgument(dir + "/departments.json must be a JSON array");

  departments::Service departments(db, regions);
  auto str = [](const boost::json::object& o, const char* key) -> std::string {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  // Parents are listed before their children in the file.
  for (const auto& item : doc.as_array()) {
    if (!item.is_object())
      return InvalidArgument("departments.json: every entry must be an object");
    const auto& o = item.as_object();
    departments::DepartmentInput d{str(o, "code"), str(o, "name"),        str(o, "name_en"),
                                   str(o, "type"), str(o, "region_code"), str(o, "parent_code")};
    auto existing = departments.Get(d.code);
    if (existing) {
      bool same = existing->name == d.name && existing->name_en == d.name_en &&
                  existing->type == d.type && existing->region_code == d.region_code &&
                  existing->parent_code == d.parent_code;
      if (same) continue;  // idempotent: no new version for nothing
      OW_RETURN_IF_ERROR(departments.Update(d.code, d, std::nullopt));
      ++summary.departments_updated;
    } else {
      auto created = departments.Create(d);
      if (!created) {
        return Error(created.error().code,
                     "departments.json " + d.code + ": " + created.error().message,
                     created.error().fields);
      }
      ++summary.departments_created;
    }
  }
  std::ifstream catalog_in(dir + "/catalog.json", std::ios::binary);
  if (catalog_in) {
    std::stringstream cbuf;
    cbuf << catalog_in.rdbuf();
    catalog::Service catalog(db, regions, departments);
    auto report = catalog.Import("seed-demo", "json", cbuf.str(), /*publish=*/true);
    if (!report) {
      return Error(report.error().code, "catalog.json: " + report.error().message,
                   report.error().fields);
    }
    summary.catalog_items = report->rows;
  }
  return summary;
}

}  // namespace ow::app
