// webhooks::Service: subscriptions and Publish (the outbox rows written in the caller's
// transaction). Delivery is in delivery.cc.
#include "webhooks/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "authz/authz.h"
#include "crypto/random.h"
#include "webhooks/store.h"

namespace ow::webhooks {

namespace json = boost::json;
using authz::Action;

namespace {

bool KnownType(const std::string& t) {
  return std::any_of(std::begin(kEventTypes), std::end(kEventTypes),
                     [&](const char* k) { return t == k; });
}

}  // namespace

Service::Service(db::Database& db, Options options)
    : db_(db), options_(std::move(options)), rng_(std::random_device{}()) {}

void Service::SetSigner(Signer signer, std::function<std::string()> issuer) {
  signer_ = std::move(signer);
  issuer_ = std::move(issuer);
}

void Service::SetSystemLookup(SystemLookup lookup) { lookup_ = std::move(lookup); }

Status Service::Publish(db::Connection& c, const DomainEvent& e) {
  if (e.department_code.empty()) return {};
  OW_ASSIGN_OR_RETURN(auto listening, store::Listening(c, e.department_code, e.type));
  if (listening.empty()) return {};
  Delivery d;
  d.event_id = "evt_" + crypto::RandomToken(16);
  d.event_type = e.type;
  d.department_code = e.department_code;
  d.created_at = e.occurred_at.empty() ? NowText() : e.occurred_at;
  d.payload = json::serialize(json::object{{"id", d.event_id},
                                           {"type", e.type},
                                           {"occurred_at", d.created_at},
                                           {"department_code", e.department_code},
                                           {"region_code", e.region_code},
                                           {"subject", e.subject},
                                           {"data", e.data}});
  for (const auto& s : listening) {
    d.subscription_id = s.id;
    d.client_id = s.client_id;
    d.url = s.url;
    OW_RETURN_IF_ERROR(store::InsertDelivery(c, d));
  }
  return {};
}

Result<SystemDepartment> Service::CallerSystem(const authz::Principal& who) {
  OW_RETURN_IF_ERROR(authz::Gate(who, Action::kSubscribeEvents));
  std::optional<SystemDepartment> sys;
  if (lookup_) {
    OW_ASSIGN_OR_RETURN(sys, lookup_(who.client_id));
  }
  authz::Target t;
  if (sys) {
    t.department_code = sys->department_code;
    t.region_code = sys->region_code;
    t.system_of_department = true;
  }
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kSubscribeEvents, t));
  return *sys;
}

Result<Subscription> Service::Subscribe(const authz::Principal& who, const std::string& url,
                                        const std::vector<std::string>& events) {
  OW_ASSIGN_OR_RETURN(SystemDepartment sys, CallerSystem(who));
  Validator v;
  auto u = boost::urls::parse_absolute_uri(url);
  if (url.size() > 500 || !u) {
    v.Add("url", "must be an absolute https:// URL of at most 500 characters");
  } else {
    std::string scheme(u->scheme());
    if (scheme != "https" && !(scheme == "http" && options_.allow_http))
      v.Add("url",
            options_.allow_http ? "must be an https:// or http:// URL" : "must be an https:// URL");
    else if (u->encoded_host().empty())
      v.Add("url", "must name a host");
    else if (u->has_userinfo())
      v.Add("url", "must not carry a user name or password");
    else if (u->has_fragment())
      v.Add("url", "must not have a #fragment");
  }
  std::vector<std::string> types;
  if (events.empty()) v.Add("events", "name at least one event type");
  for (size_t i = 0; i < events.size(); ++i) {
    if (!KnownType(events[i]))
      v.Add("events/" + std::to_string(i),
            "must be case.submitted, case.decided, case.delivered, licence.issued or "
            "licence.revoked");
    else if (std::find(types.begin(), types.end(), events[i]) == types.end())
      types.push_back(events[i]);
  }
  OW_RETURN_IF_ERROR(v.Finish("subscription"));
  Subscription s;
  s.id = "WS" + crypto::RandomToken(12);
  s.client_id = who.client_id;
  s.department_code = sys.department_code;
  s.url = url;
  s.events = std::move(types);
  s.status = kActive;
  s.created_at = NowText();
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(int64_t n, store::CountActive(c, who.client_id));
    if (n >= options_.max_subscriptions)
      return Error(Code::kResourceExhausted, "a system may hold " +
                                                 std::to_string(options_.max_subscriptions) +
                                                 " active subscriptions; remove one first");
    return store::InsertSubscription(c, s);
  }));
  return s;
}

Result<std::vector<Subscription>> Service::MySubscriptions(const authz::Principal& who) {
  OW_RETURN_IF_ERROR(CallerSystem(who));
  std::vector<Subscription> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Subscriptions(c, who.client_id, 200));
    return {};
  }));
  return out;
}

Result<Subscription> Service::Unsubscribe(const authz::Principal& who, const std::string& id) {
  OW_RETURN_IF_ERROR(CallerSystem(who));
  Subscription out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto s, store::GetSubscription(c, id));
    // Another system's subscription is not there for this one.
    if (!s || s->client_id != who.client_id) return NotFound("no subscription " + id);
    OW_ASSIGN_OR_RETURN(bool done, store::Disable(c, id, who.name_for_audit, NowText()));
    if (!done) return FailedPrecondition("subscription " + id + " is already disabled");
    OW_ASSIGN_OR_RETURN(auto again, store::GetSubscription(c, id));
    out = std::move(*again);
    return {};
  }));
  return out;
}

Result<std::vector<Delivery>> Service::MyDeliveries(const authz::Principal& who,
                                                    const std::string& status, int64_t limit) {
  OW_RETURN_IF_ERROR(CallerSystem(who));
  std::vector<Delivery> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(
        out, store::Deliveries(c, status, who.client_id, std::clamp<int64_t>(limit, 1, 500)));
    return {};
  }));
  return out;
}

Result<std::vector<Subscription>> Service::AllSubscriptions(const authz::Principal& who,
                                                            const std::string& client_id) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageWebhooks));
  std::vector<Subscription> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Subscriptions(c, client_id, 500));
    return {};
  }));
  return out;
}

Result<Subscription> Service::Disable(const authz::Principal& who, const std::string& id) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageWebhooks));
  Subscription out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto s, store::GetSubscription(c, id));
    if (!s) return NotFound("no subscription " + id);
    OW_ASSIGN_OR_RETURN(bool done, store::Disable(c, id, who.name_for_audit, NowText()));
    if (!done) return FailedPrecondition("subscription " + id + " is already disabled");
    OW_ASSIGN_OR_RETURN(auto again, store::GetSubscription(c, id));
    out = std::move(*again);
    return {};
  }));
  return out;
}

Result<std::vector<Delivery>> Service::Deliveries(const authz::Principal& who,
                                                  const std::string& status, int64_t limit) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageWebhooks));
  std::vector<Delivery> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Deliveries(c, status, "", std::clamp<int64_t>(limit, 1, 500)));
    return {};
  }));
  return out;
}

Result<Delivery> Service::Replay(const authz::Principal& who, int64_t id) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kManageWebhooks));
  Delivery out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto d, store::GetDelivery(c, id));
    if (!d) return NotFound("no delivery " + std::to_string(id));
    OW_ASSIGN_OR_RETURN(bool replayed, store::Replay(c, id, NowText()));
    if (!replayed)
      return FailedPrecondition(
          d->status == kDead ? "its subscription is disabled: the delivery cannot be replayed"
                             : "only a dead delivery can be replayed; this one is " + d->status);
    OW_ASSIGN_OR_RETURN(auto again, store::GetDelivery(c, id));
    out = std::move(*again);
    return {};
  }));
  return out;
}

}  // namespace ow::webhooks
