// Validation of application form data against a catalog item's form_schema.
//
// form_schema is the JSON Schema subset catalog items accept (catalog/item.cc,
// CheckFormSchema). This checks a value against it:
//   type            object, array, string, integer, number, boolean (or an array of
//                   them); an integer is a number without a fractional part (2.0 is one)
//   properties, required, additionalProperties (false, or a schema for the others)
//   enum, const     numbers compare by value (1 == 1.0), objects member-wise
//   minLength, maxLength   in Unicode code points, not bytes
//   pattern         ECMAScript (std::wregex over code points, so [\u4e00-\u9fa5] works),
//                   unanchored as in JSON Schema: "^...$" to match the whole value
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers; a boolean
//                   exclusiveMinimum/Maximum in the draft-4 style makes min/max exclusive)
//   items, minItems, maxItems
//   format          "date" (YYYY-MM-DD, a real day) and "email" (ASCII addr-spec
//                   local@domain.tld); other formats are annotations and not checked
// Annotations (title, description, default, examples, $schema, $id, x-*) are ignored.
//
// Guards against hostile input: patterns are matched in libstdc++'s polynomial
// (Thompson NFA) mode, so no pattern backtracks exponentially, and a pattern with a
// back-reference is reported as an error of the schema; a pattern longer than
// kMaxPatternLength or a value longer than kMaxPatternInput code points is not
// matched but reported; a pattern with a repetition count or back-reference number
// above 1000 is reported as not compiling; schemas nest at most kMaxDepth levels; at
// most kMaxErrors errors are reported.
//
// Paths name the offending value like JSON pointers without the leading slash:
// "applicant/phone", "children/0/name" ('~' and '/' in names escaped as ~0 and ~1); the
// form itself is "" (or `prefix`). Pure and thread-safe.
#ifndef OW_CATALOG_FORM_VALIDATE_H_
#define OW_CATALOG_FORM_VALIDATE_H_

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::catalog {

inline constexpr size_t kMaxPatternLength = 500;  // bytes of the pattern
inline constexpr size_t kMaxPatternInput = 1000;  // code points of a value matched
inline constexpr int kMaxDepth = 32;
inline constexpr size_t kMaxErrors = 100;

// Every way `data` fails `schema`, in document order; empty when it conforms.
// With `prefix` ("form_data"), every path starts with it ("form_data/applicant/phone").
std::vector<FieldError> ValidateFormData(const boost::json::value& schema,
                                         const boost::json::value& data,
                                         std::string_view prefix = {});

// The same as a Status: kInvalidArgument carrying the field errors.
Status CheckFormData(const boost::json::value& schema, const boost::json::value& data,
                     std::string_view prefix = {});

}  // namespace ow::catalog

#endif  // OW_CATALOG_FORM_VALIDATE_H_
