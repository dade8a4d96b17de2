// Service::ExportJson, ExportCsv and Import: moving whole catalogs in and out.
#include <boost/json.hpp>
#include <set>

#include "catalog/service.h"
#include "catalog/store.h"
#include "core/csv.h"
#include "core/json_members.h"
#include "core/text.h"

namespace ow::catalog {
namespace json = boost::json;

namespace {

using json_members::Str;

// CSV columns: the item status, then every member of the item document in its
// normalized order. Scalars are written as text; arrays and objects as JSON, so a
// round trip through CSV is exact.
std::vector<std::string> CsvColumns() {
  json::object probe = MinimalItem();
  std::vector<std::string> cols = {"status"};
  for (const auto& kv : probe) cols.emplace_back(kv.key());
  return cols;
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void AddRowErrors(std::vector<FieldError>& errors, const std::string& where, const Error& e) {
  if (e.fields.empty()) {
    errors.push_back({where, e.message});
    return;
  }
  for (const auto& f : e.fields) errors.push_back({where + "/" + f.field, f.message});
}

Result<ParsedFile> ParseJsonFile(std::string_view text, const Progress& progress) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return InvalidArgument("the file is not valid JSON: " + ec.message());
  ParsedFile out;
  std::vector<FieldError> errors;
  const json::array* items = nullptr;
  if (doc.is_array()) {
    items = &doc.as_array();
  } else if (doc.is_object() && Str(doc.as_object(), "format") == "onewindow-catalog") {
    const auto& o = doc.as_object();
    if (auto* it = o.if_contains("items"); it && it->is_array()) items = &it->as_array();
    if (auto* im = o.if_contains("implementations"); im && im->is_array())
      out.implementations = im->as_array();
    if (auto* b = o.if_contains("bundles"); b && b->is_array()) out.bundles = b->as_array();
  }
  if (!items)
    return InvalidArgument("expected an array of items or a onewindow-catalog export object");
  std::set<std::string> codes;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string where = "items/" + std::to_string(i);
    const json::value* item = &(*items)[i];
    std::string status = "published";
    // Export entries are {"status", "item"}; bare documents are accepted too.
    if (item->is_object() && item->as_object().contains("item")) {
      status = Str(item->as_object(), "status");
      if (status != "published" && status != "suspended") {
        errors.push_back({where + "/status", "must be published or suspended"});
      }
      item = &item->as_object().at("item");
      where += "/item";
    }
    auto normalized = NormalizeItem(*item);
    if (!normalized) {
      AddRowErrors(errors, where, normalized.error());
    } else if (!codes.insert(Str(*normalized, "code")).second) {
      errors.push_back({where + "/code", "appears twice in the file"});
    } else {
      if (status == "suspended") out.suspended.push_back(json::value(Str(*normalized, "code")));
      out.items.push_back(std::move(*normalized));
    }
    if (progress && (i % 1000 == 999 || i + 1 == items->size())) {
      progress("validate", static_cast<int64_t>(i + 1), static_cast<int64_t>(items->size()));
    }
  }
  for (size_t i = 0; i < out.implementations.size(); ++i) {
    const auto& m = out.implementations[i];
    if (!m.is_object() || Str(m.as_object(), "item_code").empty() ||
        !regions::LevelOfCode(Str(m.as_object(), "region_code"))) {
      errors.push_back(
          {"implementations/" + std::to_string(i), "must name item_code and region_code"});
    }
  }
  for (size_t i = 0; i < out.bundles.size(); ++i) {
    if (!out.bundles[i].is_object() || !ValidItemCode(Str(out.bundles[i].as_object(), "code"))) {
      errors.push_back({"bundles/" + std::to_string(i), "must be a bundle with a code"});
    }
  }
  if (!errors.empty()) {
    std::string msg = "import rejected, nothing was written: " + std::to_string(errors.size()) +
                      " error(s); first: " + errors[0].field + ": " + errors[0].message;
    return Error(Code::kInvalidArgument, std::move(msg), std::move(errors));
  }
  return out;
}

Result<ParsedFile> ParseCsvFile(std::string_view text, const Progress& progress) {
  if (progress) progress("parse", 0, 1);
  OW_ASSIGN_OR_RETURN(auto records, csv::Parse(text));
  if (records.empty()) return InvalidArgument("the CSV file is empty");
  const auto& header = records[0].fields;
  std::vector<std::string> known = CsvColumns();
  std::vector<FieldError> errors;
  for (const auto& h : header) {
    if (std::find(known.begin(), known.end(), h) == known.end())
      errors.push_back({"line 1", "unknown column " + h});
  }
  if (std::find(header.begin(), header.end(), "code") == header.end())
    errors.push_back({"line 1", "no code column"});
  // Which columns hold JSON, booleans or integers, from a normalized document's member types.
  json::object probe = MinimalItem();
  ParsedFile out;
  std::set<std::string> codes;
  for (size_t r = 1; r < records.size() && errors.size() < 1000; ++r) {
    const auto& rec = records[r];
    std::string where = "line " + std::to_string(rec.line);
    if (rec.fields.size() != header.size()) {
      errors.push_back({where, "expected " + std::to_string(header.size()) + " fields, found " +
                                   std::to_string(rec.fields.size())});
      continue;
    }
    json::object doc;
    std::string status = "published";
    bool row_ok = true;
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string& key = header[c];
      const std::string& cell = rec.fields[c];
      if (key == "status") {
        status = cell.empty() ? "published" : cell;
        continue;
      }
      const json::value* kind = probe.if_contains(key);
      if (!kind) continue;
      if (kind->is_string() || kind->is_null()) {
        if (!cell.empty()) doc[key] = cell;
      } else if (kind->is_bool()) {
        if (cell == "true" || cell == "false") {
          doc[key] = cell == "true";
        } else if (!cell.empty()) {
          errors.push_back({where + "/" + key, "must be true or false"});
          row_ok = false;
        }
      } else if (kind->is_int64()) {
        auto n = text::ParseInt(cell, INT64_MIN, INT64_MAX);
        if (n) {
          doc[key] = *n;
        } else if (!cell.empty()) {
          errors.push_back({where + "/" + key, "must be an integer"});
          row_ok = false;
        }
      } else if (!cell.empty()) {
        boost::system::error_code ec;
        json::value v = json::parse(cell, ec);
        if (ec) {
          errors.push_back({where + "/" + key, "must be JSON: " + ec.message()});
          row_ok = false;
        } else {
          doc[key] = std::move(v);
        }
      }
    }
    if (status != "published" && status != "suspended") {
      errors.push_back({where + "/status", "must be published or suspended"});
      row_ok = false;
    }
    if (!row_ok) continue;
    auto normalized = NormalizeItem(doc);
    if (!normalized) {
      AddRowErrors(errors, where, normalized.error());
    } else if (!codes.insert(Str(*normalized, "code")).second) {
      errors.push_back({where + "/code", "appears twice in the file"});
    } else {
      if (status == "suspended") out.suspended.push_back(json::value(Str(*normalized, "code")));
      out.items.push_back(std::move(*normalized));
    }
    if (progress && (r % 1000 == 0 || r + 1 == records.size())) {
      progress("validate", static_cast<int64_t>(r), static_cast<int64_t>(records.size() - 1));
    }
  }
  if (!errors.empty()) {
    std::string msg = "import rejected, nothing was written: " + std::to_string(errors.size()) +
                      " error(s); first: " + errors[0].field + ": " + errors[0].message;
    return Error(Code::kInvalidArgument, std::move(msg), std::move(errors));
  }
  return out;
}

}  // namespace

Result<ParsedFile> ParseImportFile(std::string_view format, std::string_view text,
                                   const Progress& progress) {
  if (format == "csv") return ParseCsvFile(text, progress);
  if (format == "json") return ParseJsonFile(text, progress);
  return InvalidArgument("format must be json or csv");
}

Result<json::object> Service::ExportJson() {
  json::array items, implementations, bundles;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto codes, Store::AllItemCodes(c, false));
    for (const auto& code : codes) {
      OW_ASSIGN_OR_RETURN(auto row, Store::GetItem(c, code));
      OW_ASSIGN_OR_RETURN(auto v, Store::GetVersion(c, code, row->current_version));
      items.push_back(json::object{{"status", row->status}, {"item", v->document}});
    }
    OW_ASSIGN_OR_RETURN(auto impls, Store::ListImplementations(c, "", "", false, "", "", 10000000));
    std::set<std::string> exported(codes.begin(), codes.end());
    for (const auto& m : impls) {
      if (!exported.count(m.item_code)) continue;  // implementations of cancelled items stay behind
      json::object o = m.local;
      o["item_code"] = m.item_code;
      o["region_code"] = m.region_code;
      o["department_code"] = m.department_code;
      implementations.push_back(std::move(o));
    }
    OW_ASSIGN_OR_RETURN(auto bs, Store::ListBundles(c));
    for (const auto& b : bs) {
      json::array codes_json;
      for (const auto& i : b.items) codes_json.push_back(json::value(i));
      bundles.push_back(json::object{{"code", b.code},
                                     {"name", b.name},
                                     {"name_en", b.name_en},
                                     {"kind", b.kind},
                                     {"description", b.description},
                                     {"description_en", b.description_en},
                                     {"items", std::move(codes_json)},
                                     {"intake_schema", b.intake_schema},
                                     {"situations", b.situations},
                                     {"item_conditions", b.item_conditions}});
    }
    return {};
  }));
  return json::object{{"format", "onewindow-catalog"},
                      {"format_version", 1},
                      {"items", std::move(items)},
                      {"implementations", std::move(implementations)},
                      {"bundles", std::move(bundles)}};
}

Result<std::string> Service::ExportCsv() {
  OW_ASSIGN_OR_RETURN(auto doc, ExportJson());
  std::vector<std::string> cols = CsvColumns();
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
  out += "\r\n";
  for (const auto& entry : doc.at("items").as_array()) {
    const auto& item = entry.at("item").as_object();
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ",";
      if (cols[i] == "status") {
        out += std::string(entry.at("status").as_string());
        continue;
      }
      const json::value& v = item.at(cols[i]);
      if (v.is_string()) {
        out += CsvCell(std::string(v.as_string()));
      } else if (v.is_null()) {
        // empty cell
      } else if (v.is_bool()) {
        out += v.as_bool() ? "true" : "false";
      } else if (v.is_int64()) {
        out += std::to_string(v.as_int64());
      } else {
        out += CsvCell(json::serialize(v));
      }
    }
    out += "\r\n";
  }
  return out;
}

Result<ImportReport> Service::Import(const std::string& actor, std::string_view format,
                                     std::string_view text, bool publish,
                                     const Progress& progress) {
  Result<ParsedFile> parsed = ParseImportFile(format, text, progress);
  if (!parsed) return parsed.error();
  ImportReport report;
  report.rows = static_cast<int64_t>(parsed->items.size());
  if (report.rows == 0) return InvalidArgument("the file holds no items; nothing to import");

  // References are checked once per distinct department and region, not per row.
  std::vector<FieldError> errors;
  std::set<std::string> good_departments, good_regions;
  for (size_t i = 0; i < parsed->items.size() && errors.size() < 1000; ++i) {
    const auto& item = parsed->items[i].as_object();
    std::string dept = Str(item, "department_code");
    if (!good_departments.count(dept)) {
      if (departments_.Get(dept)) {
        good_departments.insert(dept);
      } else {
        errors.push_back(
            {"items/" + std::to_string(i) + "/department_code", "no department " + dept});
      }
    }
    for (const auto& r : item.at("jurisdiction").as_array()) {
      std::string code(r.as_string());
      if (good_regions.count(code)) continue;
      if (regions_.MustExist(code)) {
        good_regions.insert(code);
      } else {
        errors.push_back({"items/" + std::to_string(i) + "/jurisdiction", "no region " + code});
      }
    }
  }
  if (!errors.empty()) {
    std::string msg = "import rejected, nothing was written: " + std::to_string(errors.size()) +
                      " error(s); first: " + errors[0].field + ": " + errors[0].message;
    return Error(Code::kInvalidArgument, std::move(msg), std::move(errors));
  }

  Change ch;
  ch.kind = "import";
  ch.author = actor;
  ch.summary = "import of " + std::to_string(report.rows) + " items (" + std::string(format) + ")";
  ch.created_at = ch.updated_at = ch.submitted_at = [] {
    auto t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  }();
  ch.payload = {{"items", parsed->items},
                {"suspended", parsed->suspended},
                {"implementations", parsed->implementations},
                {"bundles", parsed->bundles}};
  if (!publish) {
    // Recorded for review; a second administrator publishes it.
    ch.status = "under_review";
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(ch.id, Store::InsertChange(c, ch));
      return {};
    }));
    report.change_id = ch.id;
    report.change_status = ch.status;
    return report;
  }
  ch.status = "published";
  ch.reviewer = actor;
  ch.reviewed_at = ch.created_at;
  ch.review_comment = "published directly by an operator import";
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    report.added = report.changed = report.unchanged = 0;
    // The stored change keeps a summary, not the whole file: the versions it created hold the
    // documents.
    Change record = ch;
    record.payload = {{"items", json::array()}, {"count", report.rows}};
    OW_ASSIGN_OR_RETURN(ch.id, Store::InsertChange(c, record));
    return Apply(c, ch, actor, &report, progress);
  }));
  Bump();
  report.change_id = ch.id;
  report.change_status = ch.status;
  return report;
}

}  // namespace ow::catalog
