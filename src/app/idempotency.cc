#include "app/idempotency.h"

#include <boost/json.hpp>
#include <cctype>

#include "core/log.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "db/shared_state.h"
#include "http/problem.h"

namespace ow::app {

namespace {

namespace beast_http = boost::beast::http;

// Keys are opaque to us: 1-255 visible ASCII characters (a UUID is typical).
bool ValidKey(std::string_view k) {
  if (k.empty() || k.size() > 255) return false;
  for (char c : k)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

std::string Owner(const authz::Principal& p) {
  if (!p.account_id.empty()) return "account:" + p.account_id + "|" + p.client_id;
  if (!p.client_id.empty()) return "client:" + p.client_id;
  return "name:" + p.name_for_audit;
}

// What makes two requests "the same": method, target and body (a spooled upload's file is
// hashed as it was received).
std::string Fingerprint(const http::Context& ctx) {
  std::string body_hash =
      ctx.spool ? ctx.spool->sha256_hex : crypto::HexEncode(crypto::Sha256(ctx.request.body()));
  std::string text =
      std::string(ctx.request.method_string()) + " " + std::string(ctx.request.target()) + "\n" +
      std::string(ctx.request[beast_http::field::content_type]) + "\n" +
      std::string(ctx.request[beast_http::field::content_disposition]) + "\n" + body_hash;
  return crypto::HexEncode(crypto::Sha256(text));
}

// The response's own headers, replayed as they were; not those the middleware adds to every
// response (request id, security headers) nor the framing.
boost::json::array StoredHeaders(const http::Response& res) {
  boost::json::array out;
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::string lower = name;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "date" ||
        lower == "x-request-id" || lower == "set-cookie" || lower == "connection")
      continue;
    out.push_back(boost::json::array{boost::json::string(name), boost::json::string(f.value())});
  }
  return out;
}

enum class Claim { kMine, kStored, kRunning, kOtherRequest };

}  // namespace

std::vector<db::Migration> IdempotencyMigrations() {
  return {db::Portable("idempotency/001_init", R"sql(
CREATE TABLE idempotency_keys (
  owner TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  claimed_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  headers TEXT NOT NULL DEFAULT '[]',
  body TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_ms);
)sql")};
}

http::Response Idempotency::Run(http::Context& ctx, const http::Handler& handler) {
  std::string key(ctx.request["Idempotency-Key"]);
  if (!ValidKey(key)) {
    Validator v;
    v.Add("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    return http::Problem(v.Finish().error(), ctx.path);
  }
  const std::string owner = Owner(*ctx.principal);
  const std::string fingerprint = Fingerprint(ctx);
  const int64_t now = db::NowMillis();
  Claim claim = Claim::kMine;
  int stored_status = 0;
  std::string headers, body;
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    claim = Claim::kMine;
    // Expired keys, and claims whose holder never stored an answer within claim_timeout,
    // are free again.
    OW_RETURN_IF_ERROR(
        c.Exec("DELETE FROM idempotency_keys WHERE owner = $1 AND idem_key = $2 AND "
               "(expires_ms <= $3 OR (status = 0 AND claimed_ms <= $4))",
               {owner, key, now, now - std::chrono::milliseconds(claim_timeout_).count()}));
    // The unique (owner, key) decides between concurrent retries: one inserts, the
    // others conflict and read what it stored.
    OW_ASSIGN_OR_RETURN(
        int64_t inserted,
        c.Exec("INSERT INTO idempotency_keys (owner, idem_key, fingerprint, claimed_ms, "
               "expires_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner, idem_key) DO NOTHING",
               {owner, key, fingerprint, now, now + std::chrono::milliseconds(ttl_).count()}));
    if (inserted > 0) return {};
    OW_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT fingerprint, status, headers, body "
                                "FROM idempotency_keys WHERE owner = $1 AND idem_key = $2",
                                {owner, key}));
    if (rows.empty()) return Unavailable("idempotency key changed concurrently; retry");
    if (rows.Text(0, 0) != fingerprint) {
      claim = Claim::kOtherRequest;
      return {};
    }
    stored_status = static_cast<int>(rows.Int(0, 1));
    if (stored_status == 0) {
      claim = Claim::kRunning;
      return {};
    }
    claim = Claim::kStored;
    headers = rows.Text(0, 2);
    body = rows.Text(0, 3);
    return {};
  });
  if (!st) return http::Problem(st.error(), ctx.path);
  switch (claim) {
    case Claim::kOtherRequest: {
      Validator v;
      v.Add("Idempotency-Key", "was used for a different request; use a new key for a new request");
      return http::Problem(v.Finish().error(), ctx.path);
    }
    case Claim::kRunning: {
      Error e = Conflict("a request with this Idempotency-Key is still being processed");
      auto res = http::Problem(e, ctx.path);
      res.set(beast_http::field::retry_after, "1");
      return res;
    }
    case Claim::kStored: {
      http::Response res{static_cast<beast_http::status>(stored_status), 11};
      boost::system::error_code ec;
      auto stored = boost::json::parse(headers, ec);
      if (!ec && stored.is_array())
        for (const auto& h : stored.as_array())
          if (h.is_array() && h.as_array().size() == 2 && h.as_array()[0].is_string() &&
              h.as_array()[1].is_string())
            res.insert(std::string(h.as_array()[0].as_string()),
                       std::string(h.as_array()[1].as_string()));
      res.set("Idempotent-Replayed", "true");
      res.body() = std::move(body);
      res.prepare_payload();
      return res;
    }
    case Claim::kMine:
      break;
  }
  http::Response res = handler(ctx);
  int status = static_cast<int>(res.result_int());
  auto finish = db_.Transact([&](db::Connection& c) -> Status {
    if (status >= 500) {
      // A failed attempt: the key is free for the client's retry.
      OW_RETURN_IF_ERROR(
          c.Exec("DELETE FROM idempotency_keys WHERE owner = $1 AND idem_key = $2", {owner, key}));
      return {};
    }
    OW_RETURN_IF_ERROR(c.Exec(
        "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 "
        "WHERE owner = $1 AND idem_key = $2",
        {owner, key, int64_t{status}, boost::json::serialize(StoredHeaders(res)), res.body()}));
    return {};
  });
  if (!finish)
    log::Warn("idempotency.store_failed",
              {{"route", ctx.route}, {"error", finish.error().message}});
  return res;
}

Status Idempotency::Prune() {
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(
        c.Exec("DELETE FROM idempotency_keys WHERE expires_ms <= $1", {db::NowMillis()}));
    return {};
  });
}

}  // namespace ow::app
