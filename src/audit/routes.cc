#include "audit/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::audit {
namespace {

namespace json = boost::json;
using http::Context;
using http::Response;

constexpr std::string_view kNoStore = "no-store";

Response Fail(const Context& ctx, const Error& e) {
  Response res = http::Problem(e, ctx.path);
  res.set(http::Field::cache_control, kNoStore);
  return res;
}

Response Ok(const json::value& body) {
  Response res = http::Json(http::Status::ok, body);
  res.set(http::Field::cache_control, kNoStore);
  return res;
}

json::object RecordJson(const Record& r) {
  return {{"seq", r.seq},         {"at", r.at},
          {"action", r.action},   {"actor", r.actor},
          {"subject", r.subject}, {"outcome", r.outcome},
          {"ip", r.ip},           {"request_id", r.request_id},
          {"detail", r.detail},   {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

}  // namespace

void AddRoutes(http::Router& r, db::Database& db) {
  db::Database* d = &db;

  r.Get("/api/v1/audit", [d](Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 200);
     if (!page) return Fail(ctx, page.error());
     Filter f;
     f.actor = ctx.Query("actor").value_or("");
     f.action = ctx.Query("action").value_or("");
     f.subject = ctx.Query("subject").value_or("");
     f.outcome = ctx.Query("outcome").value_or("");
     f.since = ctx.Query("since").value_or("");
     f.until = ctx.Query("until").value_or("");
     f.limit = page->limit;
     f.cursor = page->cursor;
     auto result = List(*d, f);
     if (!result) return Fail(ctx, result.error());
     json::array records;
     for (const auto& rec : result->records) records.push_back(RecordJson(rec));
     return Ok(json::object{
         {"records", std::move(records)},
         {"next_cursor",
          result->next_cursor.empty() ? json::value(nullptr) : json::value(result->next_cursor)}});
   }).Requires(authz::Action::kReadAudit);

  r.Get("/api/v1/audit/verify", [d](Context& ctx) {
     int64_t from = 1;
     if (auto v = ctx.Query("from")) {
       auto n = text::ParseInt(*v, 1, INT64_MAX);
       if (!n) {
         return Fail(ctx,
                     Error(Code::kInvalidArgument, "invalid query: from must be a positive integer",
                           {{"from", "must be a positive integer"}}));
       }
       from = *n;
     }
     auto check = VerifyChain(*d, from);
     if (!check) return Fail(ctx, check.error());
     json::object body{{"ok", check->ok}, {"checked", check->checked}};
     if (check->pruned_through > 0) body["pruned_through"] = check->pruned_through;
     if (!check->ok) {
       body["first_bad_seq"] = check->first_bad_seq;
       body["problem"] = check->problem;
     }
     return Ok(body);
   }).Requires(authz::Action::kReadAudit);
}

void AddMetrics(http::Metrics& metrics, const Writer& writer) {
  const Writer* w = &writer;
  metrics.AddSample("onewindow_audit_events_enqueued_total",
                    "Audit events accepted by the background writer.", "counter",
                    [w] { return static_cast<double>(w->stats().enqueued); });
  metrics.AddSample("onewindow_audit_events_written_total",
                    "Audit events the background writer has committed.", "counter",
                    [w] { return static_cast<double>(w->stats().written); });
  metrics.AddSample("onewindow_audit_batches_total",
                    "Transactions the background audit writer has committed.", "counter",
                    [w] { return static_cast<double>(w->stats().batches); });
  metrics.AddSample("onewindow_audit_batch_failures_total",
                    "Audit batch attempts that failed and were retried.", "counter",
                    [w] { return static_cast<double>(w->stats().failures); });
  metrics.AddSample("onewindow_audit_queue_length",
                    "Audit events waiting for the background writer now.", "gauge",
                    [w] { return static_cast<double>(w->stats().queued); });
}

}  // namespace ow::audit
