// RFC 4180 CSV reading (core/csv.h), used by the catalog and region imports: any
// bytes, and records that account for every line.
#include <cstdlib>

#include "core/csv.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto records = ow::csv::Parse(ow::fuzz::AsText(data, size));
  if (!records) return 0;
  size_t last = 0;
  for (const auto& r : *records) {
    if (r.line < 1 || r.line < last) std::abort();  // lines start at 1 and never go back
    last = r.line;
  }
  return 0;
}
