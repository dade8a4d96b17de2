#include "http/metrics.h"

#include <cstdio>
#include <sstream>

namespace ow::http {
namespace {

// Label values escape backslash, quote and newline (exposition format rules).
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

void Metrics::Observe(const std::string& route, std::string_view method, int status,
                      double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, std::string(method), status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddSample(std::string name, std::string help, std::string type,
                        std::function<double()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  samples_.push_back({std::move(name), std::move(help), std::move(type), std::move(fn)});
}

std::string Metrics::Render() const {
  std::ostringstream os;
  std::lock_guard<std::mutex> lock(mu_);
  os << "# HELP onewindow_http_requests_total HTTP requests served, by route, method and status.\n"
        "# TYPE onewindow_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    os << "onewindow_http_requests_total{route=\"" << Escape(route) << "\",method=\"" << method
       << "\",status=\"" << status << "\"} " << n << "\n";
  }
  os << "# HELP onewindow_http_request_duration_seconds Time from request parsed to response "
        "ready.\n"
        "# TYPE onewindow_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string label = "route=\"" + Escape(route) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      os << "onewindow_http_request_duration_seconds_bucket{" << label << ",le=\""
         << Num(kBuckets[i]) << "\"} " << h.buckets[i] << "\n";
    }
    os << "onewindow_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << h.count
       << "\n";
    os << "onewindow_http_request_duration_seconds_sum{" << label << "} " << Num(h.sum) << "\n";
    os << "onewindow_http_request_duration_seconds_count{" << label << "} " << h.count << "\n";
  }
  for (const auto& s : samples_) {
    os << "# HELP " << s.name << " " << s.help << "\n# TYPE " << s.name << " " << s.type << "\n"
       << s.name << " " << Num(s.fn()) << "\n";
  }
  return os.str();
}

}  // namespace ow::http
