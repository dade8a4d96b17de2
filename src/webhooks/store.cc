#include "webhooks/store.h"

#include <algorithm>

namespace ow::webhooks {

std::vector<db::Migration> Migrations() {
  // events is kept as ",type,type," so one LIKE finds the listeners of a type on both
  // stores. A delivery keeps the exact body it sends, so every attempt (and a replay) is
  // byte-identical and carries the same event id.
  std::string tables = R"sql(
CREATE TABLE webhook_subscriptions (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  department_code TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  disabled_by TEXT NOT NULL,
  disabled_at TEXT NOT NULL
);
CREATE INDEX webhook_subscriptions_client ON webhook_subscriptions(client_id);
CREATE INDEX webhook_subscriptions_department ON webhook_subscriptions(department_code, status);
CREATE TABLE webhook_deliveries (
  id {{ID}},
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
  client_id TEXT NOT NULL,
  department_code TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT NOT NULL,
  last_error TEXT NOT NULL,
  response_status INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  delivered_at TEXT NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(subscription_id, event_id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_client ON webhook_deliveries(client_id, id);
)sql";
  return {db::Portable("webhooks/001_init", tables)};
}

namespace store {
namespace {

std::string Join(const std::vector<std::string>& events) {
  std::string s = ",";
  for (const auto& e : events) s += e + ",";
  return s;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

constexpr const char* kSubscriptionColumns =
    "id, client_id, department_code, url, events, status, created_at, disabled_by, disabled_at";

std::vector<Subscription> SubscriptionsOf(const db::Rows& r) {
  std::vector<Subscription> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    Subscription s;
    s.id = r.Text(i, 0);
    s.client_id = r.Text(i, 1);
    s.department_code = r.Text(i, 2);
    s.url = r.Text(i, 3);
    s.events = Split(r.Text(i, 4));
    s.status = r.Text(i, 5);
    s.created_at = r.Text(i, 6);
    s.disabled_by = r.Text(i, 7);
    s.disabled_at = r.Text(i, 8);
    out.push_back(std::move(s));
  }
  return out;
}

constexpr const char* kDeliveryColumns =
    "id, event_id, event_type, subscription_id, client_id, department_code, url, payload, status, "
    "attempts, next_attempt_at, lease_until, last_error, response_status, created_at, "
    "delivered_at";

std::vector<Delivery> DeliveriesOf(const db::Rows& r) {
  std::vector<Delivery> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    Delivery d;
    d.id = r.Int(i, 0);
    d.event_id = r.Text(i, 1);
    d.event_type = r.Text(i, 2);
    d.subscription_id = r.Text(i, 3);
    d.client_id = r.Text(i, 4);
    d.department_code = r.Text(i, 5);
    d.url = r.Text(i, 6);
    d.payload = r.Text(i, 7);
    d.status = r.Text(i, 8);
    d.attempts = r.Int(i, 9);
    d.next_attempt_at = r.Text(i, 10);
    d.lease_until = r.Text(i, 11);
    d.last_error = r.Text(i, 12);
    d.response_status = r.Int(i, 13);
    d.created_at = r.Text(i, 14);
    d.delivered_at = r.Text(i, 15);
    out.push_back(std::move(d));
  }
  return out;
}

// As in notify's outbox: an outcome is written only under the claim it answers for.
constexpr const char* kClaimFence =
    " WHERE id = $1 AND status = 'sending' AND attempts = $2 AND lease_until = $3";

}  // namespace

Status InsertSubscription(db::Connection& c, const Subscription& s) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO webhook_subscriptions (id, client_id, department_code, url, events, "
      "status, created_at, disabled_by, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "'', '')",
      {s.id, s.client_id, s.department_code, s.url, Join(s.events), s.status, s.created_at}));
  return {};
}

Result<std::vector<Subscription>> Subscriptions(db::Connection& c, const std::string& client_id,
                                                int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query(std::string("SELECT ") + kSubscriptionColumns +
                                  " FROM webhook_subscriptions WHERE ($1 = '' OR client_id = $1) "
                                  "ORDER BY created_at DESC, id LIMIT $2",
                              {client_id, limit}));
  return SubscriptionsOf(r);
}

Result<std::optional<Subscription>> GetSubscription(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(std::string("SELECT ") + kSubscriptionColumns +
                                              " FROM webhook_subscriptions WHERE id = $1",
                                          {id}));
  if (r.empty()) return std::optional<Subscription>();
  return std::optional<Subscription>(SubscriptionsOf(r).front());
}

Result<int64_t> CountActive(db::Connection& c, const std::string& client_id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query("SELECT COUNT(*) FROM webhook_subscriptions WHERE "
                                          "client_id = $1 AND status = 'active'",
                                          {client_id}));
  return r.Int(0, 0);
}

Result<std::vector<Subscription>> Listening(db::Connection& c, const std::string& department,
                                            const std::string& type) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r, c.Query(std::string("SELECT ") + kSubscriptionColumns +
                              " FROM webhook_subscriptions WHERE department_code = $1 AND status "
                              "= 'active' AND events LIKE $2 ORDER BY id",
                          {department, "%," + type + ",%"}));
  return SubscriptionsOf(r);
}

Result<bool> Disable(db::Connection& c, const std::string& id, const std::string& by,
                     const std::string& at) {
  OW_ASSIGN_OR_RETURN(int64_t n, c.Exec("UPDATE webhook_subscriptions SET status = 'disabled', "
                                        "disabled_by = $2, disabled_at = $3 WHERE id = $1 AND "
                                        "status = 'active'",
                                        {id, by, at}));
  if (n == 0) return false;
  OW_RETURN_IF_ERROR(
      c.Exec("UPDATE webhook_deliveries SET status = 'cancelled', lease_until = '' "
             "WHERE subscription_id = $1 AND status IN ('pending', 'dead')",
             {id}));
  return true;
}

Status InsertDelivery(db::Connection& c, const Delivery& d) {
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO webhook_deliveries (event_id, event_type, subscription_id, client_id, "
      "department_code, url, payload, status, attempts, next_attempt_at, lease_until, "
      "last_error, response_status, created_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, "
      "$7, 'pending', 0, $8, '', '', 0, $8, '')",
      {d.event_id, d.event_type, d.subscription_id, d.client_id, d.department_code, d.url,
       d.payload, d.created_at}));
  return {};
}

Result<std::vector<Delivery>> ClaimDue(db::Connection& c, const std::string& now,
                                       const std::string& lease_until, int64_t limit) {
  std::string sql =
      std::string(
          "UPDATE webhook_deliveries SET status = 'sending', lease_until = $2, attempts = "
          "attempts + 1 WHERE id IN (SELECT id FROM webhook_deliveries WHERE (status = "
          "'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until "
          "<= $1) ORDER BY next_attempt_at, id LIMIT $3") +
      (c.dialect() == db::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " +
      kDeliveryColumns;
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(sql, {now, lease_until, limit}));
  auto out = DeliveriesOf(r);
  // RETURNING gives no order; deliver oldest first.
  std::sort(out.begin(), out.end(),
            [](const Delivery& a, const Delivery& b) { return a.id < b.id; });
  return out;
}

Result<bool> MarkDelivered(db::Connection& c, const Delivery& claimed, const std::string& at,
                           int64_t response_status) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $4, "
                         "response_status = $5, last_error = '', lease_until = ''") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, at, response_status}));
  return n == 1;
}

Result<bool> MarkRetry(db::Connection& c, const Delivery& claimed,
                       const std::string& next_attempt_at, const std::string& error,
                       int64_t response_status) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $4, "
                         "lease_until = '', last_error = $5, response_status = $6") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, next_attempt_at, error,
              response_status}));
  return n == 1;
}

Result<bool> MarkDead(db::Connection& c, const Delivery& claimed, const std::string& error,
                      int64_t response_status) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE webhook_deliveries SET status = 'dead', lease_until = '', "
                         "last_error = $4, response_status = $5") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, error, response_status}));
  return n == 1;
}

Result<bool> Release(db::Connection& c, const Delivery& claimed) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE webhook_deliveries SET status = 'pending', attempts = attempts - "
                         "1, lease_until = ''") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until}));
  return n == 1;
}

Result<std::vector<Delivery>> Deliveries(db::Connection& c, const std::string& status,
                                         const std::string& client_id, int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(std::string("SELECT ") + kDeliveryColumns +
                                              " FROM webhook_deliveries WHERE ($1 = '' OR status "
                                              "= $1) AND ($2 = '' OR client_id = $2) ORDER BY id "
                                              "DESC LIMIT $3",
                                          {status, client_id, limit}));
  return DeliveriesOf(r);
}

Result<std::optional<Delivery>> GetDelivery(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(std::string("SELECT ") + kDeliveryColumns +
                                              " FROM webhook_deliveries WHERE id = $1",
                                          {id}));
  if (r.empty()) return std::optional<Delivery>();
  return std::optional<Delivery>(DeliveriesOf(r).front());
}

Result<bool> Replay(db::Connection& c, int64_t id, const std::string& now) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = "
             "$2, lease_until = '' WHERE id = $1 AND status = 'dead' AND subscription_id IN "
             "(SELECT id FROM webhook_subscriptions WHERE status = 'active')",
             {id, now}));
  return n == 1;
}

}  // namespace store
}  // namespace ow::webhooks
