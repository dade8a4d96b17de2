// The evaluation export of a report (issue 17 part 6): one line per row (or the totals)
// with every counter and derived figure, as CSV (RFC 4180, UTF-8) or XLSX (written with
// libxlsxwriter). Pure apart from a temporary file for libxlsxwriter (ExportXlsx).
#ifndef OW_INDICATORS_EXPORT_H_
#define OW_INDICATORS_EXPORT_H_

#include <string>
#include <vector>

#include "core/error.h"
#include "indicators/anonymise.h"
#include "indicators/model.h"

namespace ow::indicators {

// The columns: key, rank, the counters of kMetricNames, then the derived figures
// (kRankable, p90_days included). Empty cells where a figure is undefined.
std::vector<std::string> ExportColumns();

// The rows of `r` (its totals as one row keyed "total" when it has no rows, and a
// "total" row last otherwise) as CSV.
std::string ExportCsv(const Report& r);

// The columns of the anonymised ratings: case_key, day, region_code, department_code,
// item_code, channel, service_channel, level, reasons (codes joined by ";"), stage,
// outcome, comment.
std::vector<std::string> RatingColumns();
// The anonymised ratings as CSV, one line each.
std::string RatingsCsv(const std::vector<AnonymousRating>& ratings);

// The same as an XLSX workbook (the sheet "indicators", numbers as numbers), with the
// sheet "ratings" when `ratings` is given. Errors: kInternal when libxlsxwriter or the
// temporary file fails.
Result<std::string> ExportXlsx(const Report& r,
                               const std::vector<AnonymousRating>* ratings = nullptr);

}  // namespace ow::indicators

#endif  // OW_INDICATORS_EXPORT_H_
