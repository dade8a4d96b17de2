// RFC 4180 CSV reading: quoted fields, doubled quotes, CRLF or LF line ends.
#ifndef OW_CORE_CSV_H_
#define OW_CORE_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::csv {

struct Record {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Parses a whole document. kInvalidArgument names the line of an unterminated
// quote or a stray character after a closing quote. A UTF-8 BOM is skipped; an
// empty last line is not a record.
Result<std::vector<Record>> Parse(std::string_view text);

}  // namespace ow::csv

#endif  // OW_CORE_CSV_H_
