#include "catalog/search_terms.h"

#include <algorithm>

#include "core/text.h"

namespace ow::catalog {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as U+FFFD.
char32_t Next(std::string_view s, size_t& i) { return text::DecodeUtf8(s, i).value_or(0xFFFD); }

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F);
}

bool IsWordChar(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

using text::AppendUtf8;

// English plurals only: "licenses" -> "license", "taxes" -> "tax", "businesses" ->
// "business", "subsidies" -> "subsidy"; words ending in "ss" stay.
std::string Stem(std::string w) {
  auto ends = [&](std::string_view suffix) {
    return w.size() > suffix.size() + 1 &&
           w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("ies")) return w.substr(0, w.size() - 3) + "y";
  if (ends("sses") || ends("xes") || ends("zes") || ends("ches") || ends("shes"))
    return w.substr(0, w.size() - 2);
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's' && w[w.size() - 2] != 'u')
    w.pop_back();
  return w;
}

// Calls han(run) for each maximal run of han characters and word(w) for each latin word.
template <class HanFn, class WordFn>
void Scan(std::string_view text, HanFn han, WordFn word) {
  std::vector<char32_t> run;
  std::string w;
  auto flush = [&] {
    if (!run.empty()) han(run);
    run.clear();
    if (!w.empty()) word(Stem(w));
    w.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    char32_t c = Next(text, i);
    if (IsHan(c)) {
      if (!w.empty()) {
        word(Stem(w));
        w.clear();
      }
      run.push_back(c);
    } else if (IsWordChar(c)) {
      if (!run.empty()) {
        han(run);
        run.clear();
      }
      w.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else {
      flush();
    }
  }
  flush();
}

}  // namespace

std::vector<std::string> TextTerms(std::string_view text) {
  std::vector<std::string> out;
  Scan(
      text,
      [&](const std::vector<char32_t>& run) {
        for (size_t k = 0; k < run.size(); ++k) {
          std::string uni;
          AppendUtf8(uni, run[k]);
          out.push_back(uni);
          if (k + 1 < run.size()) {
            AppendUtf8(uni, run[k + 1]);
            out.push_back(std::move(uni));
          }
        }
      },
      [&](std::string w) {
        if (w.size() >= 2 && w.size() <= 40) out.push_back(std::move(w));
      });
  return out;
}

std::vector<std::string> QueryTerms(std::string_view query) {
  std::vector<std::string> out;
  Scan(
      query,
      [&](const std::vector<char32_t>& run) {
        if (run.size() == 1) {
          std::string uni;
          AppendUtf8(uni, run[0]);
          out.push_back(std::move(uni));
          return;
        }
        for (size_t k = 0; k + 1 < run.size(); ++k) {
          std::string bi;
          AppendUtf8(bi, run[k]);
          AppendUtf8(bi, run[k + 1]);
          out.push_back(std::move(bi));
        }
      },
      [&](std::string w) {
        if (w.size() >= 2 && w.size() <= 40) out.push_back(std::move(w));
      });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ow::catalog
