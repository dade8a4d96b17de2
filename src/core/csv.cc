#include "core/csv.h"

namespace ow::csv {

Result<std::vector<Record>> Parse(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Record> out;
  size_t i = 0, line = 1;
  while (i < text.size()) {
    Record rec;
    rec.line = line;
    for (;;) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        size_t start_line = line;
        ++i;
        for (;;) {
          if (i >= text.size()) {
            return InvalidArgument("line " + std::to_string(start_line) +
                                   ": unterminated quoted field");
          }
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field.push_back(c);
          }
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return InvalidArgument("line " + std::to_string(line) +
                                 ": unexpected character after closing quote");
        }
      } else {
        size_t end = text.find_first_of(",\r\n", i);
        if (end == std::string_view::npos) end = text.size();
        field.assign(text.substr(i, end - i));
        if (field.find('"') != std::string::npos) {
          return InvalidArgument("line " + std::to_string(line) +
                                 ": quote inside an unquoted field");
        }
        i = end;
      }
      rec.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
    ++line;
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace ow::csv
