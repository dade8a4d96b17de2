// Catalog import files (catalog/service.h ParseImportFile: the JSON export format and
// CSV, parsed and validated before anything is looked up), and the item document
// rules behind them (catalog/item.h): NormalizeItem must be idempotent, and Diff and
// IndexTerms must accept whatever it returns. The first byte picks the format.
#include <cstdlib>

#include "catalog/item.h"
#include "catalog/service.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text = ow::fuzz::AsText(data + 1, size - 1);
  const char* format = data[0] % 2 == 0 ? "json" : "csv";
  auto parsed = ow::catalog::ParseImportFile(format, text);
  if (!parsed) return 0;
  const boost::json::value* previous = nullptr;
  for (const auto& item : parsed->items) {
    auto again = ow::catalog::NormalizeItem(item);
    if (!again || boost::json::value(*again) != item) std::abort();  // not idempotent
    (void)ow::catalog::IndexTerms(item.as_object());
    if (previous) (void)ow::catalog::Diff(*previous, item);
    previous = &item;
  }
  return 0;
}
