#include "identity/realname.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "http/client.h"

namespace ow::identity {

namespace json = boost::json;

namespace {

bool LoopbackOrHttps(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return false;
  if (u->scheme() == "https") return !u->host().empty();
  return u->scheme() == "http" && (u->host() == "127.0.0.1" || u->host() == "localhost");
}

}  // namespace

Result<RealNameAnswer> CheckRealName(const RealNameService& service, const std::string& resident_id,
                                     const std::string& real_name) {
  if (!LoopbackOrHttps(service.url))
    return Unavailable("the real-name verification service is not configured with a usable URL");
  http::FetchRequest req;
  req.method = "POST";
  req.url = service.url;
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!service.secret.empty())
    req.headers.emplace_back("Authorization", "Bearer " + service.secret);
  req.body = json::serialize(json::object{{"resident_id", resident_id}, {"real_name", real_name}});
  req.timeout = service.timeout;
  req.max_body = 64 << 10;
  auto res = http::Fetch(req);
  const std::string kDown = "the real-name verification service is unavailable; try again later";
  if (!res) return Unavailable(kDown);
  if (res->status != 200)
    return Unavailable(kDown + " (it answered HTTP " + std::to_string(res->status) + ")");
  boost::system::error_code ec;
  auto v = json::parse(res->body, ec);
  if (ec || !v.is_object()) return Unavailable(kDown + " (its answer is not JSON)");
  const auto& o = v.as_object();
  auto* match = o.if_contains("match");
  auto* ref = o.if_contains("reference");
  if (!match || !match->is_bool() || (ref && !ref->is_string()))
    return Unavailable(kDown + " (its answer has no boolean match)");
  RealNameAnswer out;
  out.match = match->as_bool();
  if (ref) out.reference = std::string(ref->as_string()).substr(0, 200);
  return out;
}

}  // namespace ow::identity
