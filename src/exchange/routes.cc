#include "exchange/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "crypto/encoding.h"
#include "http/json_body.h"
#include "http/problem.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;
using authz::Action;

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object ResourceJson(const Resource& r) {
  json::array fields;
  for (const auto& f : r.fields)
    fields.push_back(json::object{{"name", f.name},
                                  {"type", f.type},
                                  {"label_zh", f.label_zh},
                                  {"label_en", f.label_en},
                                  {"personal", f.personal}});
  json::object o{{"code", r.code},
                 {"version", r.version},
                 {"status", r.status},
                 {"department_code", r.department_code},
                 {"region_code", r.region_code},
                 {"name_zh", r.name_zh},
                 {"name_en", r.name_en},
                 {"description", r.description},
                 {"subject_kind", r.subject_kind},
                 {"share_type", r.share_type},
                 {"conditions", r.conditions},
                 {"update_cycle", r.update_cycle},
                 {"source", r.source},
                 {"fields", std::move(fields)},
                 {"created_by", r.created_by},
                 {"created_at", r.created_at},
                 {"submitted_by", r.submitted_by},
                 {"submitted_at", r.submitted_at},
                 {"reviewed_by", r.reviewed_by},
                 {"reviewed_at", r.reviewed_at},
                 {"review_note", r.review_note}};
  // The adapter's address is the provider's business, not the consumers'; which peer
  // platform serves a resource is the consumers' business too (its log names it).
  if (r.source == kSourcePeer) {
    o["peer_platform"] = r.peer_platform;
    o["peer_resource"] = r.peer_resource;
  }
  return o;
}

json::object ApplicationJson(const Application& a) {
  return {{"id", a.id},
          {"client_id", a.client_id},
          {"consumer_department", a.consumer_department},
          {"resource_code", a.resource_code},
          {"provider_department", a.provider_department},
          {"purpose", a.purpose},
          {"legal_basis", a.legal_basis},
          {"fields", Strings(a.fields)},
          {"valid_days", a.valid_days},
          {"status", a.status},
          {"scope", "exchange:" + a.resource_code},
          {"created_at", a.created_at},
          {"decided_by", a.decided_by},
          {"decided_at", a.decided_at},
          {"reason", a.reason},
          {"expires_at", a.expires_at},
          {"revoked_by", a.revoked_by},
          {"revoked_at", a.revoked_at},
          {"applied_by", a.applied_by},
          {"bulk", a.bulk}};
}

json::object ExtractJson(const Extract& x) {
  const std::string at = "/api/v1/exchange/resources/" + x.resource_code + "/extracts/" + x.id;
  json::array parts;
  for (const auto& p : x.parts)
    parts.push_back(json::object{{"part", p.number},
                                 {"rows", p.rows},
                                 {"bytes", p.bytes},
                                 {"sha256", p.sha256},
                                 {"href", at + "/file?part=" + std::to_string(p.number)}});
  json::object o{{"id", x.id},
                 {"resource_code", x.resource_code},
                 {"resource_version", x.resource_version},
                 {"provider_department", x.provider_department},
                 {"client_id", x.client_id},
                 {"consumer_department", x.consumer_department},
                 {"grant", x.grant_id},
                 {"fields", Strings(x.fields)},
                 {"purpose", x.purpose},
                 {"legal_basis", x.legal_basis},
                 {"mode", x.since.empty() ? "full" : "incremental"},
                 {"since", x.since.empty() ? json::value(nullptr) : json::value(x.since)},
                 {"until", x.until.empty() ? json::value(nullptr) : json::value(x.until)},
                 {"format", "application/x-ndjson"},
                 {"status", x.status},
                 {"failure", x.failure},
                 {"created_at", x.created_at},
                 {"started_at", x.started_at},
                 {"finished_at", x.finished_at},
                 {"expires_at", x.expires_at},
                 {"row_count", x.row_count},
                 {"bytes", x.bytes},
                 {"sha256", x.sha256},
                 {"parts", std::move(parts)},
                 {"manifest", x.manifest},
                 {"log_seq", x.log_seq}};
  return o;
}

// RFC 9530 wants standard base64 (with padding) where we have base64url.
std::string Base64(std::string_view bytes) {
  std::string s = crypto::Base64UrlEncode(bytes);
  for (char& ch : s) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (s.size() % 4) s += '=';
  return s;
}

json::object SystemJson(const System& s) {
  return {{"client_id", s.client_id},
          {"department_code", s.department_code},
          {"region_code", s.region_code},
          {"registered_by", s.registered_by},
          {"registered_at", s.registered_at}};
}

Result<Resource> ParseResource(const http::Context& ctx, bool with_code) {
  OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
  Resource r;
  if (with_code) {
    r.code = b.RequiredStr("code", 40);
    r.department_code = b.RequiredStr("department_code", 40);
  }
  r.name_zh = b.RequiredStr("name_zh", 800);
  r.name_en = b.RequiredStr("name_en", 800);
  r.description = b.Str("description", 8000);
  r.subject_kind = b.RequiredStr("subject_kind", 20);
  r.share_type = b.RequiredStr("share_type", 20);
  r.conditions = b.Str("conditions", 8000);
  r.update_cycle = b.RequiredStr("update_cycle", 20);
  r.source = b.RequiredStr("source", 20);
  r.adapter_url = b.Str("adapter_url", 500);
  r.peer_platform = b.Str("peer_platform", 40);
  r.peer_resource = b.Str("peer_resource", 40);
  const json::value* fields = b.Raw("fields");
  if (!fields || fields->is_null()) {
    b.Add("fields", "is required");
  } else if (!fields->is_array() || fields->as_array().size() > 64) {
    b.Add("fields", "must be an array of at most 64 fields");
  } else {
    for (size_t i = 0; i < fields->as_array().size(); ++i) {
      std::string at = "fields/" + std::to_string(i);
      const auto& e = fields->as_array()[i];
      if (!e.is_object()) {
        b.Add(at, "must be an object");
        continue;
      }
      http::JsonBody f(e.as_object());
      Field x;
      x.name = f.RequiredStr("name", 64);
      x.type = f.RequiredStr("type", 20);
      x.label_zh = f.RequiredStr("label_zh", 200);
      x.label_en = f.RequiredStr("label_en", 200);
      x.personal = f.Bool("personal").value_or(false);
      if (auto st = f.Finish(); !st)
        for (const auto& fe : st.error().fields) b.Add(at + "/" + fe.field, fe.message);
      r.fields.push_back(std::move(x));
    }
  }
  OW_RETURN_IF_ERROR(b.Finish("resource"));
  return r;
}

Result<int64_t> VersionParam(const http::Context& ctx) {
  auto v = text::ParseInt(ctx.Param("version"), 1, 1000000);
  if (!v || !text::IsDigits(ctx.Param("version"))) return NotFound("no such version");
  return *v;
}

Result<ApplicationInput> ParseApplication(const http::Context& ctx) {
  OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
  ApplicationInput in;
  in.resource = b.RequiredStr("resource", 40);
  in.purpose = b.RequiredStr("purpose", 2000);
  in.legal_basis = b.RequiredStr("legal_basis", 2000);
  in.fields = b.Strings("fields", 64).value_or(std::vector<std::string>{});
  in.valid_days = b.Int("valid_days").value_or(0);
  in.bulk = b.Bool("bulk").value_or(false);
  if (b.Has("valid_days") && in.valid_days <= 0) b.Add("valid_days", "must be positive");
  OW_RETURN_IF_ERROR(b.Finish("application"));
  return in;
}

http::Response Created(json::object body, const std::string& location) {
  auto res = http::Json(http::Status::created, body);
  res.set(http::Field::location, location);
  return res;
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;

  r.Get("/api/v1/exchange/resources", [s](http::Context& ctx) {
     int limit = 50;
     if (auto l = ctx.Query("limit")) {
       auto n = text::ParseInt(*l, 1, 200);
       if (!n) {
         Validator v;
         v.Add("limit", "must be 1 to 200");
         return http::Problem(v.Finish("search").error(), ctx.path);
       }
       limit = static_cast<int>(*n);
     }
     auto list = s->Search(ctx.Who(), ctx.Query("q").value_or(""),
                           ctx.Query("department").value_or(""), limit);
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(ResourceJson(x));
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kReadDataResources);

  r.Post("/api/v1/exchange/resources", [s](http::Context& ctx) {
     auto in = ParseResource(ctx, true);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto x = s->CreateDraft(ctx.Who(), *in);
     if (!x) return http::Problem(x.error(), ctx.path);
     return Created(ResourceJson(*x), "/api/v1/exchange/resources/" + x->code + "/versions/" +
                                          std::to_string(x->version));
   }).Requires(Action::kWriteDataResources);

  r.Get("/api/v1/exchange/resources/{code}", [s](http::Context& ctx) {
     auto x = s->Get(ctx.Who(), ctx.Param("code"), std::nullopt);
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, ResourceJson(*x));
   }).Requires(Action::kReadDataResources);

  r.Get("/api/v1/exchange/resources/{code}/versions/{version}", [s](http::Context& ctx) {
     auto v = VersionParam(ctx);
     if (!v) return http::Problem(v.error(), ctx.path);
     auto x = s->Get(ctx.Who(), ctx.Param("code"), *v);
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, ResourceJson(*x));
   }).Requires(Action::kReadDataResources);

  r.Put("/api/v1/exchange/resources/{code}/versions/{version}", [s](http::Context& ctx) {
     auto v = VersionParam(ctx);
     if (!v) return http::Problem(v.error(), ctx.path);
     auto in = ParseResource(ctx, false);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto x = s->UpdateDraft(ctx.Who(), ctx.Param("code"), *v, *in);
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, ResourceJson(*x));
   }).Requires(Action::kWriteDataResources);

  r.Post("/api/v1/exchange/resources/{code}/versions/{version}/submission",
         [s](http::Context& ctx) {
           auto v = VersionParam(ctx);
           if (!v) return http::Problem(v.error(), ctx.path);
           auto x = s->Submit(ctx.Who(), ctx.Param("code"), *v);
           if (!x) return http::Problem(x.error(), ctx.path);
           return http::Json(http::Status::ok, ResourceJson(*x));
         })
      .Requires(Action::kWriteDataResources);

  r.Post("/api/v1/exchange/resources/{code}/versions/{version}/review", [s](http::Context& ctx) {
     auto v = VersionParam(ctx);
     if (!v) return http::Problem(v.error(), ctx.path);
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     auto publish = b->Bool("publish");
     if (!publish) b->Add("publish", "is required");
     std::string note = b->Str("note", 2000);
     if (auto st = b->Finish("review"); !st) return http::Problem(st.error(), ctx.path);
     auto x = s->Review(ctx.Who(), ctx.Param("code"), *v, *publish, note);
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, ResourceJson(*x));
   }).Requires(Action::kReviewDataResources);

  r.Get("/api/v1/exchange/departments/{department}/drafts", [s](http::Context& ctx) {
     auto list = s->Unpublished(ctx.Who(), ctx.Param("department"));
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(ResourceJson(x));
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kWriteDataResources);

  r.Put("/api/v1/exchange/systems/{client_id}", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     std::string department = b->RequiredStr("department_code", 40);
     if (auto st = b->Finish("system"); !st) return http::Problem(st.error(), ctx.path);
     auto x = s->RegisterSystem(ctx.Who(), ctx.Param("client_id"), department);
     if (!x) return http::Problem(x.error(), ctx.path);
     return http::Json(http::Status::ok, SystemJson(*x));
   }).Requires(Action::kManageClients);

  r.Get("/api/v1/exchange/systems", [s](http::Context& ctx) {
     auto list = s->Systems(ctx.Who());
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(SystemJson(x));
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kManageClients);

  r.Post("/api/v1/exchange/applications", [s](http::Context& ctx) {
     auto in = ParseApplication(ctx);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto a = s->Apply(ctx.Who(), *in);
     if (!a) return http::Problem(a.error(), ctx.path);
     return Created(ApplicationJson(*a), "/api/v1/exchange/applications/" + a->id);
   }).Requires(Action::kApplyForData);

  r.Get("/api/v1/exchange/applications", [s](http::Context& ctx) {
     auto list = s->MyApplications(ctx.Who());
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(ApplicationJson(x));
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kApplyForData);

  // A department's staff acting for its systems (the portal's consumer pages).
  r.Get("/api/v1/exchange/departments/{department}/systems", [s](http::Context& ctx) {
     auto list = s->DepartmentSystems(ctx.Who(), ctx.Param("department"));
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) {
       json::object o = SystemJson(x.system);
       json::array apps;
       for (const auto& a : x.applications) apps.push_back(ApplicationJson(a));
       o["applications"] = std::move(apps);
       json::array extracts;
       for (const auto& e : x.extracts) extracts.push_back(ExtractJson(e));
       o["extracts"] = std::move(extracts);
       items.push_back(std::move(o));
     }
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kApplyForSystems);

  r.Post("/api/v1/exchange/systems/{client_id}/applications", [s](http::Context& ctx) {
     auto in = ParseApplication(ctx);
     if (!in) return http::Problem(in.error(), ctx.path);
     auto a = s->ApplyForSystem(ctx.Who(), ctx.Param("client_id"), *in);
     if (!a) return http::Problem(a.error(), ctx.path);
     return Created(ApplicationJson(*a), "/api/v1/exchange/applications/" + a->id);
   }).Requires(Action::kApplyForSystems);

  r.Get("/api/v1/exchange/departments/{department}/applications", [s](http::Context& ctx) {
     auto list = s->Incoming(ctx.Who(), ctx.Param("department"), ctx.Query("status").value_or(""));
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(ApplicationJson(x));
     return http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
   }).Requires(Action::kDecideDataAccess);

  r.Post("/api/v1/exchange/applications/{id}/decision", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     auto approve = b->Bool("approve");
     if (!approve) b->Add("approve", "is required");
     std::string reason = b->Str("reason", 2000);
     if (auto st = b->Finish("decision"); !st) return http::Problem(st.error(), ctx.path);
     auto a = s->Decide(ctx.Who(), ctx.Param("id"), *approve, reason);
     if (!a) return http::Problem(a.error(), ctx.path);
     return http::Json(http::Status::ok, ApplicationJson(*a));
   }).Requires(Action::kDecideDataAccess);

  r.Post("/api/v1/exchange/applications/{id}/revocation", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     std::string reason = b->RequiredStr("reason", 2000);
     if (auto st = b->Finish("revocation"); !st) return http::Problem(st.error(), ctx.path);
     auto a = s->Revoke(ctx.Who(), ctx.Param("id"), reason);
     if (!a) return http::Problem(a.error(), ctx.path);
     return http::Json(http::Status::ok, ApplicationJson(*a));
   }).Requires(Action::kDecideDataAccess);

  r.Post("/api/v1/exchange/resources/{code}/query",
         [s](http::Context& ctx) {
           auto b = http::JsonBody::Read(ctx);
           if (!b) return http::Problem(b.error(), ctx.path);
           QueryInput in;
           in.subject = b->RequiredStr("subject", 64);
           in.fields = b->Strings("fields", 64).value_or(std::vector<std::string>{});
           if (!b->Has("fields")) b->Add("fields", "is required");
           in.purpose = b->RequiredStr("purpose", 500);
           in.legal_basis = b->Str("legal_basis", 500);
           in.case_tracking = b->Str("case_tracking", 64);
           if (auto st = b->Finish("query"); !st) return http::Problem(st.error(), ctx.path);
           auto a = s->Query(ctx.Who(), ctx.Param("code"), in, ctx.request.body());
           if (!a) return http::Problem(a.error(), ctx.path);
           auto res = http::Json(http::Status::ok, json::object{{"answer", a->answer},
                                                                {"signature", a->signature},
                                                                {"log_seq", a->log_seq}});
           res.set(http::Field::cache_control, "no-store");
           return res;
         })
      .Requires(Action::kQueryData)
      // A query may wait on a provider's system (adapter) and waits for its log entry's
      // group commit: on the blocking pool, where enough callers make batches worth it.
      .Blocking();

  r.Post("/api/v1/exchange/resources/{code}/extracts", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return http::Problem(b.error(), ctx.path);
     ExtractInput in;
     in.fields = b->Strings("fields", 64).value_or(std::vector<std::string>{});
     if (!b->Has("fields")) b->Add("fields", "is required");
     in.purpose = b->RequiredStr("purpose", 500);
     in.legal_basis = b->Str("legal_basis", 500);
     in.since = b->Str("since", 40);
     if (auto st = b->Finish("extract"); !st) return http::Problem(st.error(), ctx.path);
     auto x = s->RequestExtract(ctx.Who(), ctx.Param("code"), in, ctx.request.body());
     if (!x) return http::Problem(x.error(), ctx.path);
     auto res = http::Json(http::Status::accepted, ExtractJson(*x));
     res.set(http::Field::location,
             "/api/v1/exchange/resources/" + x->resource_code + "/extracts/" + x->id);
     return res;
   }).Requires(Action::kExtractData);

  r.Get("/api/v1/exchange/resources/{code}/extracts", [s](http::Context& ctx) {
     auto list = s->Extracts(ctx.Who(), ctx.Param("code"));
     if (!list) return http::Problem(list.error(), ctx.path);
     json::array items;
     for (const auto& x : *list) items.push_back(ExtractJson(x));
     auto res = http::Json(http::Status::ok, json::object{{"items", std::move(items)}});
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(Action::kExtractData);

  r.Get("/api/v1/exchange/resources/{code}/extracts/{id}", [s](http::Context& ctx) {
     auto x = s->GetExtract(ctx.Who(), ctx.Param("code"), ctx.Param("id"));
     if (!x) return http::Problem(x.error(), ctx.path);
     auto res = http::Json(http::Status::ok, ExtractJson(*x));
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(Action::kExtractData);

  r.Get("/api/v1/exchange/resources/{code}/extracts/{id}/file",
        [s](http::Context& ctx) {
          int64_t part = 1;
          if (auto p = ctx.Query("part")) {
            auto n = text::ParseInt(*p, 1, 1000000);
            if (!n || !text::IsDigits(*p)) {
              Validator v;
              v.Add("part", "must be a part number from 1");
              return http::Problem(v.Finish("download").error(), ctx.path);
            }
            part = *n;
          }
          auto f = s->ExtractPartFile(ctx.Who(), ctx.Param("code"), ctx.Param("id"), part);
          if (!f) return http::Problem(f.error(), ctx.path);
          http::Response res{http::Status::ok, ctx.request.version()};
          res.set(http::Field::content_type, "application/x-ndjson; charset=utf-8");
          res.set(http::Field::content_disposition, "attachment; filename=\"" + f->filename + "\"");
          res.set(http::Field::cache_control, "no-store");
          // RFC 9530: the part's digest, also listed in the signed manifest.
          std::string digest;
          if (auto raw = crypto::HexDecode(f->part.sha256)) digest = *raw;
          res.set("Repr-Digest", "sha-256=:" + Base64(digest) + ":");
          res.body() = std::move(f->data);
          res.prepare_payload();
          return res;
        })
      .Requires(Action::kExtractData)
      .Blocking();  // reads a part (up to extract_part_bytes) from the database

  r.Add(http::Verb::post, "/api/v1/exchange/bases/{base}/import",
        [s](http::Context& ctx) {
          auto report = s->Import(ctx.Who(), ctx.Param("base"), ctx.request.body());
          if (!report) return http::Problem(report.error(), ctx.path);
          return http::Json(http::Status::ok, json::object{{"created", report->created},
                                                           {"updated", report->updated}});
        },
        {"application/x-ndjson"})
      .Requires(Action::kMaintainBaseData)
      .Blocking();  // a large import takes a while

  r.Get("/api/v1/exchange/bases/{base}/records/{subject}", [s](http::Context& ctx) {
     auto rec = s->GetRecord(ctx.Who(), ctx.Param("base"), ctx.Param("subject"));
     if (!rec) return http::Problem(rec.error(), ctx.path);
     auto res = http::Json(http::Status::ok, *rec);
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(Action::kMaintainBaseData);

  r.Put("/api/v1/exchange/bases/{base}/records/{subject}", [s](http::Context& ctx) {
     auto body = http::ParseJsonObject(ctx);
     if (!body) return http::Problem(body.error(), ctx.path);
     auto created = s->PutRecord(ctx.Who(), ctx.Param("base"), ctx.Param("subject"), *body);
     if (!created) return http::Problem(created.error(), ctx.path);
     return http::Json(*created ? http::Status::created : http::Status::ok,
                       json::object{{"created", *created}});
   }).Requires(Action::kMaintainBaseData);
}

}  // namespace ow::exchange
