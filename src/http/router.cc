#include "http/router.h"

#include <algorithm>
#include <cassert>

namespace ow::http {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

Route& Router::Add(Verb method, std::string pattern, Handler handler,
                   std::vector<std::string> consumes) {
  assert(!pattern.empty() && pattern[0] == '/');
  Route r{method, pattern, std::move(handler), SplitPath(pattern), std::move(consumes)};
  for ([[maybe_unused]] const auto& existing : routes_) {
    assert(!(existing.method == method && existing.pattern == pattern) && "duplicate route");
  }
  routes_.push_back(std::move(r));
  return routes_.back();
}

namespace {

bool IsParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Number of literal segments, for specificity ordering; -1 when it does not match.
int MatchRoute(const Route& r, const std::vector<std::string>& segs,
               std::vector<std::pair<std::string, std::string>>* params) {
  if (r.segments.size() != segs.size()) return -1;
  int literals = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (IsParam(r.segments[i])) {
      if (segs[i].empty()) return -1;
      if (params) params->emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), segs[i]);
    } else if (r.segments[i] == segs[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

}  // namespace

Match Router::Find(Verb method, std::string_view path) const {
  auto segs = SplitPath(path);
  Verb want = method == Verb::head ? Verb::get : method;
  Match m;
  int best = -1;
  for (const auto& r : routes_) {
    int score = MatchRoute(r, segs, nullptr);
    if (score < 0) continue;
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
      m.allowed.push_back(r.method);
    }
    if (r.method == want && score > best) {
      best = score;
      m.route = &r;
    }
  }
  if (m.route) {
    MatchRoute(*m.route, segs, &m.params);
    m.allowed.clear();
  } else if (std::find(m.allowed.begin(), m.allowed.end(), Verb::get) != m.allowed.end()) {
    m.allowed.push_back(Verb::head);
  }
  return m;
}

}  // namespace ow::http
