// webhooks::Service's delivery: claiming due outbox rows with a lease, signing and POSTing
// the stored body, recording the outcome fenced by the claim (delivered; retried with
// exponential back-off and jitter; dead after max_attempts or a refusal).
#include <boost/json.hpp>
#include <cmath>

#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/client.h"
#include "webhooks/service.h"
#include "webhooks/store.h"

namespace ow::webhooks {

namespace json = boost::json;

namespace {

constexpr int kMaxBatches = 20;
constexpr int64_t kSignatureSeconds = 300;

Status Done(const Result<bool>& r) {
  if (!r) return r.error();
  return {};
}

}  // namespace

Service::Outcome Service::Send(const Delivery& d) {
  if (!signer_) return {Outcome::kRetry, "no signing key configured", 0};
  int64_t now = UnixSeconds(std::chrono::system_clock::now());
  json::object claims{{"iss", issuer_ ? issuer_() : std::string()},
                      {"aud", d.client_id},
                      {"sub", d.subscription_id},
                      {"jti", d.event_id},
                      {"iat", now},
                      {"exp", now + kSignatureSeconds},
                      {"event_type", d.event_type},
                      {"body_sha256", crypto::Base64UrlEncode(crypto::Sha256(d.payload))}};
  auto jws = signer_(claims);
  if (!jws) return {Outcome::kRetry, "signing failed: " + jws.error().message, 0};
  http::FetchRequest req;
  req.method = "POST";
  req.url = d.url;
  req.headers = {{"Content-Type", "application/json"},
                 {"Idempotency-Key", d.event_id},
                 {"OW-Event-Id", d.event_id},
                 {"OW-Event-Type", d.event_type},
                 {"OW-Delivery", std::to_string(d.id)},
                 {"OW-Delivery-Attempt", std::to_string(d.attempts)},
                 {"OW-Signature", *jws}};
  req.body = d.payload;
  req.timeout = std::chrono::milliseconds(options_.timeout_ms);
  req.max_body = 64 * 1024;
  auto res = http::Fetch(req);
  if (!res) return {Outcome::kRetry, res.error().message, 0};
  std::string what = "the endpoint answered " + std::to_string(res->status);
  if (res->status >= 200 && res->status < 300) return {Outcome::kDelivered, "", res->status};
  if (res->status == 408 || res->status == 425 || res->status == 429 || res->status >= 500)
    return {Outcome::kRetry, what, res->status};
  // Refused (a bad signature, an unknown endpoint, a redirect we do not follow): retrying
  // the same body would be refused again; an administrator looks at it.
  return {Outcome::kPermanent, what, res->status};
}

Status Service::Record(const Delivery& d, const Outcome& o, SystemTime now) {
  return db_.Transact([&](db::Connection& c) -> Status {
    if (o.kind == Outcome::kDelivered)
      return Done(store::MarkDelivered(c, d, FormatTime(now), o.status));
    if (o.kind == Outcome::kPermanent || d.attempts >= options_.max_attempts)
      return Done(store::MarkDead(c, d, o.detail.substr(0, 500), o.status));
    double wait = static_cast<double>(options_.retry_base_seconds) *
                  std::pow(2.0, static_cast<double>(std::min<int64_t>(d.attempts - 1, 30)));
    wait = std::min(wait, static_cast<double>(options_.retry_max_seconds));
    double jitter;
    {
      std::lock_guard lock(rng_mu_);
      jitter = std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
    }
    // Rounded up to the whole second that times are stored in, so no retry comes early.
    auto next = std::chrono::ceil<std::chrono::seconds>(
        now + std::chrono::seconds(std::max<int64_t>(1, std::llround(wait * jitter))));
    return Done(store::MarkRetry(c, d, FormatTime(next), o.detail.substr(0, 500), o.status));
  });
}

Result<int64_t> Service::DeliverDue(SystemTime now) {
  int64_t attempted = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    std::vector<Delivery> claimed;
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(
          claimed, store::ClaimDue(c, FormatTime(now),
                                   FormatTime(now + std::chrono::seconds(options_.lease_seconds)),
                                   options_.batch));
      return {};
    }));
    if (claimed.empty()) break;
    const auto claimed_at = std::chrono::steady_clock::now();
    for (size_t i = 0; i < claimed.size(); ++i) {
      const Delivery& d = claimed[i];
      // Slow endpoints: hand back what is left before the lease could run out under us.
      if (std::chrono::steady_clock::now() - claimed_at >
          std::chrono::seconds(options_.lease_seconds) / 2) {
        OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
          for (size_t j = i; j < claimed.size(); ++j)
            OW_RETURN_IF_ERROR(Done(store::Release(c, claimed[j])));
          return {};
        }));
        break;
      }
      Outcome o = Send(d);
      ++attempted;
      if (o.kind != Outcome::kDelivered)
        log::Warn("webhooks.delivery_failed", {{"delivery", d.id},
                                               {"event", d.event_id},
                                               {"attempt", d.attempts},
                                               {"error", o.detail}});
      // The back-off counts from when this attempt ended, not from when the batch was
      // claimed: a slow endpoint must not eat its own retry's wait.
      OW_RETURN_IF_ERROR(Record(d, o,
                                now + std::chrono::duration_cast<SystemTime::duration>(
                                          std::chrono::steady_clock::now() - claimed_at)));
    }
    if (static_cast<int64_t>(claimed.size()) < options_.batch) break;
  }
  return attempted;
}

}  // namespace ow::webhooks
