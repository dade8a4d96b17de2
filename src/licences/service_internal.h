// What the licences service's files share. Not for other domains.
#ifndef OW_LICENCES_SERVICE_INTERNAL_H_
#define OW_LICENCES_SERVICE_INTERNAL_H_

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "licences/service.h"
#include "licences/store.h"

namespace ow::licences {

namespace json = boost::json;

// AAD of the sealed boxes: a box moved to another row or column does not open.
inline std::string LicenceAad(const std::string& id) { return "licences.data:" + id; }
inline std::string SealKeyAad(const std::string& seal, const char* algorithm) {
  return std::string("seals.key:") + algorithm + ":" + seal;
}
inline std::string AuthorityAad(const char* algorithm, int64_t generation) {
  return std::string("licences.ca:") + algorithm + ":" + std::to_string(generation);
}

// "张三" -> "张*": what the public may see of a person's name; an enterprise's name is
// public already.
std::string MaskName(const std::string& kind, const std::string& name);
// YYYY-MM-DD plus `months` months, less a day (a validity of 36 months from 2026-12-06
// ends on 2029-12-05); the end of February when the day does not exist.
std::string EndOfValidity(const std::string& from, int64_t months);

// "2026年12月6日" for "2026-12-06" (document.cc).
Result<std::string> ChineseDate(const std::string& iso);

namespace internal {
// Everything needed to make one licence, resolved and authorized by the caller.
struct Issuing {
  LicenceType type;
  std::string holder_kind, holder_id, holder_name;
  json::object fields;
  std::string valid_from, valid_to;  // YYYY-MM-DD; valid_to "" = no end
  std::string department_code, department_name, region_code;
  std::string seal_id;
  std::string source, case_no, number;  // number "" = generated
  std::string trust_level;
  std::string actor_account, actor_name, reason;
};

// Case documents' texts (templates.cc).
// The platform's own text of `kind`, worded for the item's type.
DocumentTemplate BuiltinTemplate(const std::string& kind, const std::string& item_type);
// The word after the department in a default number prefix (受字, 准字, ...).
std::string NumberWord(const std::string& kind);
// `text` with its placeholders filled, one paragraph per line; a line whose placeholders
// are all empty is left out, and a value with line breaks makes several paragraphs.
std::vector<std::string> FillTemplate(const std::string& text,
                                      const std::map<std::string, std::string>& values);
// The template that applies to `kind` for `item_code`: the item's own, the stored
// default, or the built-in.
Result<DocumentTemplate> TemplateFor(db::Connection& c, const std::string& kind,
                                     const std::string& item_code, const std::string& item_type);

}  // namespace internal

// An audit record of a seal's use, appended in the transaction that used it.
audit::Event SealUse(const std::string& seal_id, const std::string& actor,
                     const std::string& purpose, const std::string& subject);

}  // namespace ow::licences

#endif  // OW_LICENCES_SERVICE_INTERNAL_H_
