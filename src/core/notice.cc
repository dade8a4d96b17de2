#include "core/notice.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

namespace ow::notice {
namespace {

const Template* Find(std::span<const Template> table, std::string_view code) {
  for (const auto& t : table)
    if (t.code == code) return &t;
  return nullptr;
}

std::string Param(const boost::json::object& params, std::string_view name) {
  const boost::json::value* v = params.if_contains(name);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return {};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Lang FromAcceptLanguage(std::string_view header) {
  struct Choice {
    double q;
    size_t order;
    Lang lang;
  };
  std::vector<Choice> choices;
  size_t order = 0;
  while (!header.empty() && order < 32) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string tag = Lower(Trim(item.substr(0, semi)));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semi + 1));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string value(param.substr(2, 5));
        q = std::strtod(value.c_str(), nullptr);
      }
    }
    ++order;
    if (q <= 0) continue;
    if (tag == "en" || tag.rfind("en-", 0) == 0) choices.push_back({q, order, Lang::kEn});
    if (tag == "zh" || tag.rfind("zh-", 0) == 0) choices.push_back({q, order, Lang::kZhCn});
  }
  if (choices.empty()) return Lang::kZhCn;
  auto best = std::min_element(
      choices.begin(), choices.end(),
      [](const Choice& a, const Choice& b) { return a.q != b.q ? a.q > b.q : a.order < b.order; });
  return best->lang;
}

std::string_view LangTag(Lang lang) { return lang == Lang::kEn ? "en" : "zh-CN"; }

std::string Render(std::span<const Template> table, std::string_view code,
                   const boost::json::object& params, Lang lang) {
  const Template* t = Find(table, code);
  if (!t) return std::string(code);
  std::string_view text = lang == Lang::kEn ? t->en : t->zh_cn;
  std::string out;
  out.reserve(text.size() + 64);
  for (size_t i = 0; i < text.size();) {
    size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(text[i++]);
      continue;
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    size_t colon = name.find(':');
    if (colon == std::string_view::npos) {
      out += Param(params, name);
    } else {
      std::string value = Param(params, name.substr(0, colon));
      std::string nested = std::string(name.substr(colon + 1)) + "." + value;
      const Template* label = Find(table, nested);
      out += label ? std::string(lang == Lang::kEn ? label->en : label->zh_cn) : value;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace ow::notice
