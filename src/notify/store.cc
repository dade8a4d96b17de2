#include "notify/store.h"

#include <boost/json.hpp>

namespace ow::notify {

namespace json = boost::json;

std::vector<db::Migration> Migrations() {
  // dedupe_key is NULL when none was given: NULLs never collide in a UNIQUE index on
  // either store. The outbox repeats what it sends (topic, code, params, ref, link) so an
  // address check, which is in no inbox, is delivered the same way as a message.
  std::string tables = R"sql(
CREATE TABLE notify_messages (
  id {{ID}},
  account_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  code TEXT NOT NULL,
  params TEXT NOT NULL,
  text TEXT NOT NULL,
  ref TEXT NOT NULL,
  link TEXT NOT NULL,
  dedupe_key TEXT,
  created_at TEXT NOT NULL,
  read_at TEXT NOT NULL
);
CREATE INDEX notify_messages_account ON notify_messages(account_id, id);
CREATE UNIQUE INDEX notify_messages_dedupe ON notify_messages(account_id, dedupe_key);
CREATE TABLE notify_outbox (
  id {{ID}},
  message_id BIGINT REFERENCES notify_messages(id),
  account_id TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  address TEXT NOT NULL,
  lang TEXT NOT NULL,
  topic TEXT NOT NULL,
  code TEXT NOT NULL,
  params TEXT NOT NULL,
  ref TEXT NOT NULL,
  link TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT NOT NULL,
  last_error TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  provider_id TEXT NOT NULL
);
CREATE INDEX notify_outbox_due ON notify_outbox(status, next_attempt_at);
CREATE TABLE notify_preferences (
  account_id TEXT PRIMARY KEY,
  lang TEXT NOT NULL,
  email TEXT NOT NULL,
  pending_email TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  code_expires_at TEXT NOT NULL,
  code_attempts INTEGER NOT NULL,
  phone TEXT NOT NULL,
  topics TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";
  // The cases domain's messages join the one inbox (topic "case"); the case's status
  // they announced moves into params.status, the tracking number becomes ref. Messages
  // written before codes existed have no tracking number in params: their ref stays "".
  std::string copy_sqlite = R"sql(
INSERT INTO notify_messages (account_id, topic, code, params, text, ref, link, dedupe_key,
                             created_at, read_at)
SELECT account_id, 'case', code,
       CASE WHEN json_valid(params) THEN json_set(params, '$.status', status) ELSE params END,
       text, COALESCE(json_extract(params, '$.tracking_no'), ''),
       CASE WHEN COALESCE(json_extract(params, '$.tracking_no'), '') = '' THEN ''
            ELSE '/me/cases/' || json_extract(params, '$.tracking_no') END,
       'case_messages:' || id, created_at, read_at
FROM case_messages ORDER BY id;
)sql";
  std::string copy_postgres = R"sql(
INSERT INTO notify_messages (account_id, topic, code, params, text, ref, link, dedupe_key,
                             created_at, read_at)
SELECT account_id, 'case', code,
       (params::jsonb || jsonb_build_object('status', status))::text,
       text, COALESCE(params::jsonb->>'tracking_no', ''),
       CASE WHEN COALESCE(params::jsonb->>'tracking_no', '') = '' THEN ''
            ELSE '/me/cases/' || (params::jsonb->>'tracking_no') END,
       'case_messages:' || id, created_at, read_at
FROM case_messages ORDER BY id;
)sql";
  return {db::Portable("notify/001_init", tables),
          {"notify/002_case_messages", copy_sqlite, copy_postgres}};
}

namespace store {
namespace {

json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

constexpr const char* kDeliveryColumns =
    "id, COALESCE(message_id, 0), account_id, channel, address, lang, topic, code, params, ref, "
    "link, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, "
    "provider_id";

Delivery DeliveryAt(const db::Rows& r, size_t i) {
  Delivery d;
  d.id = r.Int(i, 0);
  d.message_id = r.Int(i, 1);
  d.account_id = r.Text(i, 2);
  d.channel = r.Text(i, 3);
  d.address = r.Text(i, 4);
  d.lang = r.Text(i, 5);
  d.topic = r.Text(i, 6);
  d.code = r.Text(i, 7);
  d.params = ParseObject(r.Text(i, 8));
  d.ref = r.Text(i, 9);
  d.link = r.Text(i, 10);
  d.status = r.Text(i, 11);
  d.attempts = r.Int(i, 12);
  d.next_attempt_at = r.Text(i, 13);
  d.lease_until = r.Text(i, 14);
  d.last_error = r.Text(i, 15);
  d.created_at = r.Text(i, 16);
  d.sent_at = r.Text(i, 17);
  d.provider_id = r.Text(i, 18);
  return d;
}

std::vector<Delivery> DeliveriesOf(const db::Rows& r) {
  std::vector<Delivery> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) out.push_back(DeliveryAt(r, i));
  return out;
}

}  // namespace

Result<std::optional<int64_t>> InsertMessage(db::Connection& c, const InboxMessage& m,
                                             const std::string& dedupe_key) {
  db::Value key = dedupe_key.empty() ? db::Value{} : db::Value{dedupe_key};
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("INSERT INTO notify_messages (account_id, topic, code, params, text, ref, link, "
              "dedupe_key, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '') "
              "ON CONFLICT DO NOTHING RETURNING id",
              {m.account_id, m.topic, m.code, json::serialize(m.params), m.text, m.ref, m.link, key,
               m.created_at}));
  if (r.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

Status InsertDelivery(db::Connection& c, const Delivery& d) {
  db::Value message = d.message_id ? db::Value{d.message_id} : db::Value{};
  OW_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO notify_outbox (message_id, account_id, channel, address, lang, topic, code, "
      "params, ref, link, status, attempts, next_attempt_at, lease_until, last_error, "
      "created_at, sent_at, provider_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "'pending', 0, $11, '', '', $11, '', '')",
      {message, d.account_id, d.channel, d.address, d.lang, d.topic, d.code,
       json::serialize(d.params), d.ref, d.link, d.created_at}));
  return {};
}

Result<std::vector<InboxMessage>> Messages(db::Connection& c, const std::string& account_id,
                                           int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query("SELECT id, account_id, topic, code, params, text, ref, link, "
                              "created_at, read_at FROM notify_messages WHERE account_id = $1 "
                              "ORDER BY id DESC LIMIT $2",
                              {account_id, limit}));
  std::vector<InboxMessage> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    InboxMessage m;
    m.id = r.Int(i, 0);
    m.account_id = r.Text(i, 1);
    m.topic = r.Text(i, 2);
    m.code = r.Text(i, 3);
    m.params = ParseObject(r.Text(i, 4));
    m.text = r.Text(i, 5);
    m.ref = r.Text(i, 6);
    m.link = r.Text(i, 7);
    m.created_at = r.Text(i, 8);
    m.read_at = r.Text(i, 9);
    out.push_back(std::move(m));
  }
  return out;
}

Result<bool> MarkRead(db::Connection& c, int64_t id, const std::string& account_id,
                      const std::string& at) {
  OW_ASSIGN_OR_RETURN(int64_t n,
                      c.Exec("UPDATE notify_messages SET read_at = CASE WHEN read_at = '' THEN $1 "
                             "ELSE read_at END WHERE id = $2 AND account_id = $3",
                             {at, id, account_id}));
  return n > 0;
}

Result<std::optional<Preferences>> GetPreferences(db::Connection& c, const std::string& account) {
  OW_ASSIGN_OR_RETURN(
      db::Rows r,
      c.Query("SELECT lang, email, pending_email, code_hash, code_expires_at, code_attempts, "
              "phone, topics, version, updated_at FROM notify_preferences WHERE account_id = $1",
              {account}));
  if (r.empty()) return std::optional<Preferences>();
  Preferences p;
  p.account_id = account;
  p.lang = r.Text(0, 0);
  p.email = r.Text(0, 1);
  p.pending_email = r.Text(0, 2);
  p.code_hash = r.Text(0, 3);
  p.code_expires_at = r.Text(0, 4);
  p.code_attempts = r.Int(0, 5);
  p.phone = r.Text(0, 6);
  for (const auto& kv : ParseObject(r.Text(0, 7))) {
    if (!kv.value().is_array()) continue;
    auto& channels = p.topics[std::string(kv.key())];
    for (const auto& ch : kv.value().as_array())
      if (ch.is_string()) channels.emplace_back(ch.as_string());
  }
  p.version = r.Int(0, 8);
  p.updated_at = r.Text(0, 9);
  return std::optional<Preferences>(std::move(p));
}

Result<bool> PutPreferences(db::Connection& c, const Preferences& p, int64_t previous_version) {
  json::object topics;
  for (const auto& [topic, channels] : p.topics) {
    json::array a;
    for (const auto& ch : channels) a.emplace_back(ch);
    topics[topic] = std::move(a);
  }
  std::vector<db::Value> values = {p.account_id,         p.lang,      p.email,
                                   p.pending_email,      p.code_hash, p.code_expires_at,
                                   p.code_attempts,      p.phone,     json::serialize(topics),
                                   previous_version + 1, p.updated_at};
  if (previous_version == 0) {
    OW_ASSIGN_OR_RETURN(
        int64_t n,
        c.Exec("INSERT INTO notify_preferences (account_id, lang, email, pending_email, "
               "code_hash, code_expires_at, code_attempts, phone, topics, version, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
               values));
    return n == 1;
  }
  values.emplace_back(previous_version);
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("UPDATE notify_preferences SET lang = $2, email = $3, pending_email = $4, "
             "code_hash = $5, code_expires_at = $6, code_attempts = $7, phone = $8, topics = $9, "
             "version = $10, updated_at = $11 WHERE account_id = $1 AND version = $12",
             values));
  return n == 1;
}

Result<std::vector<Delivery>> ClaimDue(db::Connection& c, const std::string& now,
                                       const std::string& lease_until, int64_t limit) {
  // One statement: two workers (threads or server processes) never claim the same row.
  // SQLite runs it under its single write lock; PostgreSQL locks the chosen rows and
  // other claimers skip them instead of waiting.
  std::string sql =
      std::string(
          "UPDATE notify_outbox SET status = 'sending', lease_until = $2, attempts = "
          "attempts + 1 WHERE id IN (SELECT id FROM notify_outbox WHERE (status = "
          "'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until "
          "<= $1) ORDER BY next_attempt_at, id LIMIT $3") +
      (c.dialect() == db::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " +
      kDeliveryColumns;
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(sql, {now, lease_until, limit}));
  return DeliveriesOf(r);
}

// Every outcome is written only under the claim it answers for: the row still sending, at
// the attempt count and lease that claim set. A re-claim after an expired lease adds an
// attempt and a later lease, so the stale worker's write matches no row.
constexpr const char* kClaimFence =
    " WHERE id = $1 AND status = 'sending' AND attempts = $2 AND lease_until = $3";

Result<bool> MarkSent(db::Connection& c, const Delivery& claimed, const std::string& at,
                      const std::string& provider_id) {
  // An address check's code is needed only until it is sent.
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE notify_outbox SET status = 'sent', sent_at = $4, provider_id = "
                         "$5, last_error = '', params = CASE WHEN message_id IS NULL THEN '{}' "
                         "ELSE params END") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, at, provider_id}));
  return n == 1;
}

Result<bool> MarkRetry(db::Connection& c, const Delivery& claimed,
                       const std::string& next_attempt_at, const std::string& error) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE notify_outbox SET status = 'pending', next_attempt_at = $4, "
                         "lease_until = '', last_error = $5") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, next_attempt_at, error}));
  return n == 1;
}

Result<bool> Release(db::Connection& c, const Delivery& claimed) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE notify_outbox SET status = 'pending', attempts = attempts - 1, "
                         "lease_until = ''") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until}));
  return n == 1;
}

Result<bool> MarkDead(db::Connection& c, const Delivery& claimed, const std::string& error) {
  OW_ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(std::string("UPDATE notify_outbox SET status = 'dead', lease_until = '', last_error "
                         "= $4") +
                 kClaimFence,
             {claimed.id, claimed.attempts, claimed.lease_until, error}));
  return n == 1;
}

Result<int64_t> Readdress(db::Connection& c, const std::string& account_id,
                          const std::string& channel, const std::string& address) {
  constexpr const char* kUnsent =
      " WHERE account_id = $1 AND channel = $2 AND message_id IS NOT NULL AND status <> 'sent'";
  if (channel == kEmail && address.empty())
    return c.Exec(std::string("DELETE FROM notify_outbox") + kUnsent, {account_id, channel});
  return c.Exec(std::string("UPDATE notify_outbox SET address = $3") + kUnsent,
                {account_id, channel, address});
}

Result<std::vector<Delivery>> Deliveries(db::Connection& c, const std::string& status,
                                         int64_t limit) {
  OW_ASSIGN_OR_RETURN(db::Rows r,
                      c.Query(std::string("SELECT ") + kDeliveryColumns +
                                  " FROM notify_outbox WHERE ($1 = '' OR status = $1) ORDER BY "
                                  "id DESC LIMIT $2",
                              {status, limit}));
  return DeliveriesOf(r);
}

Result<std::optional<Delivery>> GetDelivery(db::Connection& c, int64_t id) {
  OW_ASSIGN_OR_RETURN(db::Rows r, c.Query(std::string("SELECT ") + kDeliveryColumns +
                                              " FROM notify_outbox WHERE id = $1",
                                          {id}));
  if (r.empty()) return std::optional<Delivery>();
  return std::optional<Delivery>(DeliveryAt(r, 0));
}

Result<bool> Requeue(db::Connection& c, int64_t id, const std::string& now) {
  OW_ASSIGN_OR_RETURN(int64_t n,
                      c.Exec("UPDATE notify_outbox SET status = 'pending', attempts = 0, "
                             "next_attempt_at = $2, lease_until = '' WHERE id = $1 AND status = "
                             "'dead'",
                             {id, now}));
  return n == 1;
}

}  // namespace store
}  // namespace ow::notify
