#include "indicators/export.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ow::indicators {
namespace {

struct Line {
  std::string key;
  int64_t rank = 0;
  const Figures* f = nullptr;
};

std::vector<Line> Lines(const Report& r) {
  std::vector<Line> out;
  for (const auto& row : r.rows) out.push_back({row.key, row.rank, &row.figures});
  out.push_back({"total", 0, &r.totals});
  return out;
}

std::string Cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string Reasons(const AnonymousRating& a) {
  std::string out;
  for (const auto& r : a.reasons) out += (out.empty() ? "" : ";") + r;
  return out;
}

// The text cells of a rating, in RatingColumns order (level, the 8th, is a number).
std::vector<std::string> RatingCells(const AnonymousRating& a) {
  return {a.case_key,  a.day,     a.region_code,     a.department_code,
          a.item_code, a.channel, a.service_channel, std::to_string(a.level),
          Reasons(a),  a.stage,   a.outcome,         a.comment};
}
constexpr size_t kLevelColumn = 7;

}  // namespace

std::vector<std::string> RatingColumns() {
  return {"case_key",        "day",   "region_code", "department_code", "item_code", "channel",
          "service_channel", "level", "reasons",     "stage",           "outcome",   "comment"};
}

std::string RatingsCsv(const std::vector<AnonymousRating>& ratings) {
  std::string out;
  const auto cols = RatingColumns();
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
  out += "\r\n";
  for (const auto& a : ratings) {
    const auto cells = RatingCells(a);
    for (size_t i = 0; i < cells.size(); ++i) {
      // A spreadsheet opening the CSV must not run a comment as a formula.
      std::string text = cells[i];
      if (!text.empty() && std::string_view("=+-@").find(text[0]) != std::string_view::npos)
        text.insert(0, "'");
      out += (i ? "," : "") + Cell(text);
    }
    out += "\r\n";
  }
  return out;
}

std::vector<std::string> ExportColumns() {
  std::vector<std::string> c = {"key", "rank"};
  for (const char* m : kMetricNames) c.emplace_back(m);
  for (const char* d : kRankable) c.emplace_back(d);
  return c;
}

std::string ExportCsv(const Report& r) {
  std::string out;
  const auto cols = ExportColumns();
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
  out += "\r\n";
  for (const auto& line : Lines(r)) {
    out += Cell(line.key) + "," + std::to_string(line.rank);
    for (int64_t v : line.f->sum) out += "," + std::to_string(v);
    for (const char* d : kRankable) {
      auto v = line.f->Derived(d);
      out += ",";
      if (v)
        out += std::string(d) == "p90_days" ? std::to_string(static_cast<int64_t>(*v)) : Number(*v);
    }
    out += "\r\n";
  }
  return out;
}

Result<std::string> ExportXlsx(const Report& r, const std::vector<AnonymousRating>* ratings) {
  // libxlsxwriter writes a file: a private temporary one, read back and removed.
  char path[] = "/tmp/ow-indicators-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Internal("cannot create a temporary file for the XLSX export");
  close(fd);
  struct Remove {
    const char* p;
    ~Remove() { std::remove(p); }
  } remove{path};
  lxw_workbook* wb = workbook_new(path);
  if (!wb) return Internal("libxlsxwriter could not start a workbook");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "indicators");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* rate = workbook_add_format(wb);
  format_set_num_format(rate, "0.0000");
  const auto cols = ExportColumns();
  for (size_t i = 0; i < cols.size(); ++i)
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(i), cols[i].c_str(), bold);
  lxw_row_t row = 1;
  for (const auto& line : Lines(r)) {
    lxw_col_t col = 0;
    worksheet_write_string(ws, row, col++, line.key.c_str(), nullptr);
    worksheet_write_number(ws, row, col++, static_cast<double>(line.rank), nullptr);
    for (int64_t v : line.f->sum)
      worksheet_write_number(ws, row, col++, static_cast<double>(v), nullptr);
    for (const char* d : kRankable) {
      auto v = line.f->Derived(d);
      if (v) worksheet_write_number(ws, row, col, *v, rate);
      ++col;
    }
    ++row;
  }
  if (ratings) {
    lxw_worksheet* rs = workbook_add_worksheet(wb, "ratings");
    const auto rcols = RatingColumns();
    for (size_t i = 0; i < rcols.size(); ++i)
      worksheet_write_string(rs, 0, static_cast<lxw_col_t>(i), rcols[i].c_str(), bold);
    lxw_row_t at = 1;
    for (const auto& a : *ratings) {
      const auto cells = RatingCells(a);
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i == kLevelColumn)
          worksheet_write_number(rs, at, static_cast<lxw_col_t>(i), static_cast<double>(a.level),
                                 nullptr);
        else
          worksheet_write_string(rs, at, static_cast<lxw_col_t>(i), cells[i].c_str(), nullptr);
      }
      ++at;
    }
  }
  if (workbook_close(wb) != LXW_NO_ERROR) return Internal("libxlsxwriter could not write the XLSX");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return Internal("cannot read the XLSX export back");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace ow::indicators
