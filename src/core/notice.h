// Messages for people: a code and parameters, rendered in the reader's language only
// when shown. The server stores and sends the code; every channel (the portal's
// message list, later e-mail and SMS) renders it from the one table of templates of
// the domain that wrote it, so the wording lives in one place per language.
//
// A template is text with placeholders: "{name}" is the parameter `name` as given;
// "{name:prefix}" is the template "prefix.<value of name>" rendered in the same
// language (a status code becomes its label). A missing parameter renders as "".
#ifndef OW_CORE_NOTICE_H_
#define OW_CORE_NOTICE_H_

#include <boost/json/object.hpp>
#include <span>
#include <string>
#include <string_view>

namespace ow::notice {

enum class Lang { kZhCn, kEn };

// The reader's language from an Accept-Language header (RFC 9110 12.5.4): the first
// listed language we have with a non-zero weight, by weight; Chinese by default.
Lang FromAcceptLanguage(std::string_view header);
std::string_view LangTag(Lang lang);  // "zh-CN", "en"

struct Template {
  std::string_view code;
  std::string_view zh_cn;
  std::string_view en;
};

// `code` rendered from `table` in `lang`; a code the table does not have renders as
// itself (a message written by a newer version stays readable).
std::string Render(std::span<const Template> table, std::string_view code,
                   const boost::json::object& params, Lang lang);

}  // namespace ow::notice

#endif  // OW_CORE_NOTICE_H_
