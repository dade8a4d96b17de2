#include "exchange/adapter.h"

#include <boost/json.hpp>
#include <thread>

#include "http/client.h"

namespace ow::exchange {
namespace {
namespace json = boost::json;
}  // namespace

Result<AdapterAnswer> Adapters::Once(const std::string& url, const std::string& body) {
  OW_ASSIGN_OR_RETURN(auto res, http::Fetch({.method = "POST",
                                             .url = url,
                                             .headers = {{"Content-Type", "application/json"},
                                                         {"Accept", "application/json"}},
                                             .body = body,
                                             .timeout = options_.timeout,
                                             .max_body = 256 * 1024}));
  if (res.status == 404) return AdapterAnswer{};
  if (res.status != 200)
    return Unavailable("the provider's system answered HTTP " + std::to_string(res.status));
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (ec || !v.is_object()) return Unavailable("the provider's system sent no JSON object");
  const auto& o = v.as_object();
  const auto* found = o.if_contains("found");
  if (!found || !found->is_bool()) return Unavailable("the provider's answer has no \"found\"");
  AdapterAnswer a;
  a.found = found->as_bool();
  if (a.found) {
    const auto* data = o.if_contains("data");
    if (!data || !data->is_object()) return Unavailable("the provider's answer has no \"data\"");
    a.data = data->as_object();
  }
  return a;
}

Result<AdapterAnswer> Adapters::Ask(const std::string& url, const std::string& resource,
                                    const std::string& subject_kind, const std::string& subject,
                                    const std::vector<std::string>& fields) {
  json::array names;
  for (const auto& f : fields) names.emplace_back(f);
  std::string body = json::serialize(json::object{{"resource", resource},
                                                  {"subject_kind", subject_kind},
                                                  {"subject", subject},
                                                  {"fields", std::move(names)}});
  Result<AdapterAnswer> answer = Unavailable("not called");
  OW_RETURN_IF_ERROR(Guarded(url, [&]() -> Status {
    answer = Once(url, body);
    if (!answer) return answer.error();
    return {};
  }));
  return answer;
}

Status Adapters::Guarded(const std::string& key, const std::function<Status()>& attempt) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    Breaker& b = breakers_[key];
    if (b.failures >= options_.failure_threshold) {
      if (now < b.open_until || b.trial_running)
        return Unavailable(
            "the provider's system is failing; the platform stopped calling it "
            "for a while (circuit open)");
      b.trial_running = true;  // half open: this call is the trial
    }
  }
  Status result = Unavailable("not called");
  auto wait = options_.backoff;
  for (int attempt_no = 0; attempt_no <= options_.retries; ++attempt_no) {
    if (attempt_no > 0) {
      std::this_thread::sleep_for(wait);
      wait *= 2;
    }
    result = attempt();
    if (result || result.error().code != Code::kUnavailable) break;
  }
  std::lock_guard lock(mu_);
  Breaker& b = breakers_[key];
  b.trial_running = false;
  if (result || result.error().code != Code::kUnavailable) {
    b.failures = 0;
  } else {
    ++b.failures;
    if (b.failures >= options_.failure_threshold)
      b.open_until = std::chrono::steady_clock::now() + options_.cooldown;
  }
  return result;
}

}  // namespace ow::exchange
