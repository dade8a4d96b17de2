#include "exchange_log/routes.h"

#include <boost/json.hpp>
#include <memory>
#include <mutex>

#include "core/sliding_window.h"
#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::exchange_log {
namespace {

namespace json = boost::json;
using http::Context;
using http::Response;

Response NoStore(Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

Response Fail(const Context& ctx, const Error& e) { return NoStore(http::Problem(e, ctx.path)); }

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object EntryJson(const Record& r) {
  json::array fields;
  for (const auto& f : r.fields) fields.push_back(json::string(f));
  return {{"seq", r.seq},
          {"at", r.at},
          {"consumer_client", r.consumer_client},
          {"consumer_department", r.consumer_department},
          {"provider_department", r.provider_department},
          {"resource_code", r.resource_code},
          {"resource_version", r.resource_version},
          {"subject_kind", r.subject_kind},
          {"subject_key", r.subject_key},
          {"purpose", r.purpose},
          {"legal_basis", r.legal_basis},
          {"case_tracking", OrNull(r.case_tracking)},
          {"fields", std::move(fields)},
          {"outcome", r.outcome},
          {"refusal_reason", OrNull(r.refusal_reason)},
          {"request_digest", r.request_digest},
          {"response_digest", OrNull(r.response_digest)},
          {"response_signature", OrNull(r.response_signature)},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

json::object UseJson(const DataUse& u) {
  const Record& r = u.entry;
  json::array fields;
  for (const auto& f : r.fields) fields.push_back(json::string(f));
  return {{"seq", r.seq},
          {"at", r.at},
          {"consumer_department", r.consumer_department},
          {"consumer_department_name", u.consumer_department_name},
          {"consumer_system", r.consumer_client},
          {"provider_department", r.provider_department},
          {"provider_department_name", u.provider_department_name},
          {"resource_code", r.resource_code},
          {"fields", std::move(fields)},
          {"purpose", r.purpose},
          {"legal_basis", r.legal_basis},
          {"case_tracking", OrNull(r.case_tracking)},
          {"outcome", r.outcome},
          {"refusal_reason", OrNull(r.refusal_reason)},
          {"objection_ticket", OrNull(u.objection_ticket)}};
}

json::object EvidenceJson(const Evidence& e) {
  json::array links;
  for (const auto& l : e.links) {
    links.push_back(json::object{
        {"seq", l.seq}, {"prev_hash", l.prev_hash}, {"content", l.content}, {"hash", l.hash}});
  }
  return {{"entry", EntryJson(e.entry)},
          {"canonical", CanonicalForm(e.entry)},
          {"content", e.content},
          {"links", std::move(links)},
          {"stamp", json::object{{"head_seq", e.stamp.head_seq},
                                 {"head_hash", e.stamp.head_hash},
                                 {"gen_time", e.stamp.gen_time},
                                 {"serial", e.stamp.serial},
                                 {"stamped_at", e.stamp.stamped_at},
                                 {"token", text::Base64UrlEncode(e.stamp.token_der)},
                                 {"tsa_certificate", e.stamp.certificates.tsa_pem},
                                 {"root_certificate", e.stamp.certificates.root_pem}}}};
}

Result<int64_t> SeqParam(const Context& ctx) {
  auto n = text::ParseInt(ctx.Param("seq"), 1, INT64_MAX);
  if (!n) return NotFound("no exchange log entry " + ctx.Param("seq"));
  return static_cast<int64_t>(*n);
}

struct TsaLimit {
  std::mutex mu;
  SlidingWindow window;
  explicit TsaLimit(int64_t per_minute) : window(per_minute, std::chrono::seconds(60)) {}
};

}  // namespace

void AddRoutes(http::Router& r, Service& service, const Tsa& tsa, int64_t tsa_per_minute) {
  Service* s = &service;
  const Tsa* t = &tsa;
  auto limit = std::make_shared<TsaLimit>(tsa_per_minute);

  // RFC 3161 section 3.4: the query in, the reply out, both DER. A malformed query still
  // gets a (rejection) reply, as the RFC wants.
  r.Add(http::Verb::post, "/api/v1/tsa",
        [t, limit](Context& ctx) {
          {
            std::lock_guard lock(limit->mu);
            auto now = std::chrono::system_clock::now();
            std::chrono::seconds retry{0};
            if (limit->window.Full(ctx.peer, now, &retry)) {
              return Fail(ctx, ResourceExhausted("too many time-stamp requests from this address; "
                                                 "try again later",
                                                 retry));
            }
            limit->window.Add(ctx.peer, now);
          }
          if (ctx.request.body().size() > 16384)
            return Fail(ctx, InvalidArgument("a time-stamp query is at most 16384 bytes"));
          auto reply = t->Respond(ctx.request.body());
          if (!reply) return Fail(ctx, reply.error());
          Response res{http::Status::ok, ctx.request.version()};
          res.set(http::Field::content_type, "application/timestamp-reply");
          res.body() = std::move(*reply);
          res.prepare_payload();
          return NoStore(std::move(res));
        },
        {"application/timestamp-query"})
      .Public();

  r.Get("/api/v1/tsa/certificates", [t](Context& ctx) {
     auto c = t->Current();
     Response res{http::Status::ok, ctx.request.version()};
     res.set(http::Field::content_type, "application/x-pem-file");
     res.set(http::Field::cache_control,
             "public, max-age=3600");  // changes only on a new generation
     res.body() = c.tsa_pem + c.root_pem;
     res.prepare_payload();
     return res;
   }).Public();

  r.Get("/api/v1/exchange/log", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 200);
     if (!page) return Fail(ctx, page.error());
     SearchFilter f;
     f.department = ctx.Query("department").value_or("");
     f.consumer_department = ctx.Query("consumer_department").value_or("");
     f.provider_department = ctx.Query("provider_department").value_or("");
     f.resource_code = ctx.Query("resource_code").value_or("");
     f.outcome = ctx.Query("outcome").value_or("");
     f.case_tracking = ctx.Query("case_tracking").value_or("");
     f.subject_kind = ctx.Query("subject_kind").value_or("");
     f.subject_id = ctx.Query("subject_id").value_or("");
     f.consumer_client = ctx.Query("consumer_client").value_or("");
     f.from = ctx.Query("from").value_or("");
     f.until = ctx.Query("until").value_or("");
     f.limit = page->limit;
     f.cursor = page->cursor;
     auto result = s->Search(ctx.Who(), f);
     if (!result) return Fail(ctx, result.error());
     json::array entries;
     for (const auto& e : result->entries) entries.push_back(EntryJson(e));
     return NoStore(
         http::Json(http::Status::ok, json::object{{"entries", std::move(entries)},
                                                   {"next_cursor", OrNull(result->next_cursor)}}));
   }).Requires(authz::Action::kSearchExchangeLog);

  r.Get("/api/v1/exchange/log/verify",
        [s](Context& ctx) {
          if (!ctx.Who().HasRole(authz::kAuditAdmin))
            return Fail(ctx,
                        PermissionDenied("only an audit administrator verifies the whole log"));
          auto check = s->Verify();
          if (!check) return Fail(ctx, check.error());
          json::object body{{"ok", check->ok},
                            {"checked", check->checked},
                            {"stamps_checked", check->stamps_checked}};
          if (!check->ok) {
            body["first_bad_seq"] = check->first_bad_seq;
            body["problem"] = check->problem;
          }
          return NoStore(http::Json(http::Status::ok, body));
        })
      .Requires(authz::Action::kSearchExchangeLog)
      .Blocking();

  r.Get("/api/v1/exchange/log/{seq}/evidence", [s](Context& ctx) {
     auto seq = SeqParam(ctx);
     if (!seq) return Fail(ctx, seq.error());
     auto e = s->GetEvidence(ctx.Who(), *seq);
     if (!e) return Fail(ctx, e.error());
     return NoStore(http::Json(http::Status::ok, EvidenceJson(*e)));
   }).Requires(authz::Action::kSearchExchangeLog);

  r.Get("/api/v1/me/data-uses", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 200);
     if (!page) return Fail(ctx, page.error());
     auto mine = s->Mine(ctx.Who(), page->limit, page->cursor);
     if (!mine) return Fail(ctx, mine.error());
     json::array uses;
     for (const auto& u : mine->uses) uses.push_back(UseJson(u));
     return NoStore(http::Json(
         http::Status::ok,
         json::object{{"uses", std::move(uses)}, {"next_cursor", OrNull(mine->next_cursor)}}));
   }).Requires(authz::Action::kReadOwnDataUses);

  r.Get("/api/v1/me/data-uses/{seq}/evidence", [s](Context& ctx) {
     auto seq = SeqParam(ctx);
     if (!seq) return Fail(ctx, seq.error());
     auto e = s->MyEvidence(ctx.Who(), *seq);
     if (!e) return Fail(ctx, e.error());
     return NoStore(http::Json(http::Status::ok, EvidenceJson(*e)));
   }).Requires(authz::Action::kReadOwnDataUses);

  r.Post("/api/v1/me/data-uses/{seq}/objection", [s](Context& ctx) {
     auto seq = SeqParam(ctx);
     if (!seq) return Fail(ctx, seq.error());
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     std::string text = b->RequiredStr("text", 2000);
     if (auto st = b->Finish("objection"); !st) return Fail(ctx, st.error());
     auto ticket = s->Object(ctx.Who(), *seq, text, ctx.peer);
     if (!ticket) return Fail(ctx, ticket.error());
     return NoStore(
         http::Json(http::Status::created, json::object{{"seq", *seq}, {"ticket", *ticket}}));
   }).Requires(authz::Action::kObjectDataUse);
}

}  // namespace ow::exchange_log
