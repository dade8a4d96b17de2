// Application forms (catalog/form_validate.h): a fuzzed form_schema, checked first by
// the item rules an administrator's schema must pass (catalog/item.h NormalizeItem),
// then used to validate fuzzed form data, as the cases domain does on submission.
// Input: "schema JSON\n%%\ndata JSON".
#include "catalog/form_validate.h"
#include "catalog/item.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [schema_text, data_text] = ow::fuzz::SplitTwo(ow::fuzz::AsText(data, size));
  boost::json::value schema = ow::fuzz::ParseOrNull(schema_text);
  if (schema.is_null()) return 0;
  boost::json::value form = ow::fuzz::ParseOrNull(data_text);
  boost::json::object item = ow::catalog::MinimalItem();
  item["code"] = "FUZZ-0001";
  item["name"] = "fuzz";
  item["department_code"] = "fuzz";
  item["form_schema"] = schema;
  // Whether or not an item would accept the schema, the validator must cope with it:
  // the bundles' intake schemas and stored older items reach it too.
  (void)ow::catalog::NormalizeItem(item);
  (void)ow::catalog::ValidateFormData(schema, form, "form_data");
  (void)ow::catalog::CheckFormData(schema, form);
  return 0;
}
