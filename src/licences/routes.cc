#include "licences/routes.h"

#include <boost/json.hpp>

#include "core/calendar.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::licences {
namespace {

namespace json = boost::json;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

http::Response Pem(const http::Context& ctx, std::string body, std::string_view cache) {
  http::Response res{http::Status::ok, 11};
  res.set(http::Field::content_type, "application/x-pem-file");
  res.body() = std::move(body);
  res.prepare_payload();
  return http::Cacheable(ctx, std::move(res), cache);
}

json::object AuthorityJson(const Authority& a) {
  return {{"algorithm", a.algorithm},
          {"generation", a.generation},
          {"certificate", a.certificate},
          {"not_after", a.not_after},
          {"created_at", a.created_at},
          {"certificate_url",
           "/api/v1/pki/authorities/" + a.algorithm + "/" + std::to_string(a.generation) + ".pem"}};
}

json::object SealJson(const Seal& s, bool with_holders) {
  std::string base = "/api/v1/seals/" + s.id;
  json::object o{{"id", s.id},
                 {"department_code", s.department_code},
                 {"department_name", s.department_name},
                 {"name", s.name},
                 {"kind", s.kind},
                 {"image_source", s.image_source},
                 {"image_url", base + "/image.png"},
                 {"status", s.status},
                 {"status_reason", OrNull(s.status_reason)},
                 {"ca_generation", s.ca_generation},
                 {"not_before", s.not_before},
                 {"not_after", s.not_after},
                 {"sm2_serial", s.sm2_serial},
                 {"p256_serial", s.p256_serial},
                 {"sm2_certificate_url", base + "/certificate?algorithm=sm2"},
                 {"p256_certificate_url", base + "/certificate?algorithm=p256"},
                 {"created_at", s.created_at},
                 {"version", s.version}};
  if (with_holders) {
    json::array holders;
    for (const auto& h : s.holders) holders.emplace_back(h);
    o["holders"] = std::move(holders);
  }
  return o;
}

json::object TypeJson(const LicenceType& t) {
  json::array items;
  for (const auto& i : t.issued_by_items) items.emplace_back(i);
  return {{"code", t.code},
          {"name", t.name},
          {"name_en", t.name_en},
          {"department_code", t.department_code},
          {"holder_kind", t.holder_kind},
          {"schema", t.schema},
          {"validity_months", t.validity_months},
          {"trust_level", t.trust_level},
          {"number_prefix", t.number_prefix},
          {"issued_by_items", std::move(items)},
          {"one_per_holder", t.one_per_holder},
          {"document", t.document},
          {"from_form", t.from_form},
          {"status", t.status},
          {"version", t.version},
          {"updated_by", t.updated_by},
          {"updated_at", t.updated_at}};
}

json::object LicenceJson(const Licence& l, const std::string& today, const Service& s) {
  json::array events;
  for (const auto& e : l.events)
    events.push_back(json::object{{"at", e.at},
                                  {"action", e.action},
                                  {"actor", e.actor},
                                  {"reason", OrNull(e.reason)},
                                  {"detail", e.detail}});
  return {{"number", l.number},
          {"type_code", l.type_code},
          {"type_name", l.type_name},
          {"holder",
           json::object{{"kind", l.holder_kind}, {"id", l.holder_id}, {"name", l.holder_name}}},
          {"department_code", l.department_code},
          {"department_name", l.department_name},
          {"region_code", l.region_code},
          {"seal_id", l.seal_id},
          {"trust_level", l.trust_level},
          {"source", l.source},
          {"case_no", OrNull(l.case_no)},
          {"issued_at", l.issued_at},
          {"valid_from", l.valid_from},
          {"valid_to", OrNull(l.valid_to)},
          {"status", l.Effective(today)},
          {"status_reason", OrNull(l.status_reason)},
          {"superseded_by", OrNull(l.superseded_by)},
          {"fields", l.fields},
          {"sealed_data", l.sealed_data},
          {"signature", l.signature},
          {"qr_payload", l.qr_payload},
          {"qr_text", s.QrText(l.qr_payload)},
          {"events", std::move(events)},
          {"version", l.version}};
}

// A status change's body {status, reason} and its required If-Match version ("the
// <what>'s ETag").
struct StatusChange {
  int64_t version = 0;
  std::string status, reason;
};
Result<StatusChange> ReadStatusChange(const http::Context& ctx, const std::string& what) {
  OW_ASSIGN_OR_RETURN(auto version, http::IfMatchVersion(ctx, 'v'));
  OW_ASSIGN_OR_RETURN(auto b, http::JsonBody::Read(ctx));
  StatusChange out;
  out.status = b.RequiredStr("status", 20);
  out.reason = b.RequiredStr("reason", 2000);
  if (!version) b.Add("If-Match", "is required: the " + what + "'s ETag");
  OW_RETURN_IF_ERROR(b.Finish("status change"));
  out.version = *version;
  return out;
}

json::object ShareJson(const Share& x) {
  return {{"id", x.id},
          {"created_by", x.created_by},
          {"created_at", x.created_at},
          {"expires_at", x.expires_at},
          {"revoked_at", OrNull(x.revoked_at)},
          {"views", x.views},
          {"last_viewed_at", OrNull(x.last_viewed_at)}};
}

// `{"<member>": [to_json(x) for x in list]}` with `cache_control`, or the list's problem.
template <typename T, typename F>
http::Response ListAnswer(const http::Context& ctx, const Result<std::vector<T>>& list,
                          const char* member, F to_json, const char* cache_control) {
  if (!list) return Fail(ctx, list.error());
  json::array items;
  for (const auto& x : *list) items.push_back(to_json(x));
  auto res = http::Json(http::Status::ok, {{member, std::move(items)}});
  res.set(http::Field::cache_control, cache_control);
  return res;
}

std::string Today() { return FormatDate(ChinaDate(std::chrono::system_clock::now())); }

json::object VerificationJson(const Verification& v) {
  return {{"genuine", v.genuine},
          {"valid", v.valid},
          {"status", v.status},
          {"number", v.number},
          {"type_code", v.type_code},
          {"type_name", v.type_name},
          {"department_code", v.department_code},
          {"department_name", v.department_name},
          {"holder", v.holder_masked},
          {"issued", v.issued},
          {"valid_from", v.valid_from},
          {"valid_to", OrNull(v.valid_to)},
          {"seal", json::object{{"id", v.seal.id},
                                {"name", v.seal.name},
                                {"status", v.seal.status},
                                {"sm2_certificate_url",
                                 "/api/v1/seals/" + v.seal.id + "/certificate?algorithm=sm2"}}},
          {"checked_at", v.checked_at}};
}

void AddPkiRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/pki/authorities", [s](http::Context& ctx) {
     return ListAnswer(ctx, s->Authorities(), "authorities", AuthorityJson, "public, max-age=300");
   }).Public();

  r.Get("/api/v1/pki/authorities/{algorithm}/{file}", [s](http::Context& ctx) {
     auto list = s->Authorities();
     if (!list) return Fail(ctx, list.error());
     for (const auto& a : *list)
       if (a.algorithm == ctx.Param("algorithm") &&
           ctx.Param("file") == std::to_string(a.generation) + ".pem")
         return Pem(ctx, a.certificate, "public, max-age=86400");
     return Fail(ctx, NotFound("no such root certificate"));
   }).Public();

  r.Get("/api/v1/pki/crls/{algorithm}", [s](http::Context& ctx) {
     auto crls = s->Crls(ctx.Param("algorithm"));
     if (!crls) return Fail(ctx, crls.error());
     std::string body;
     for (const auto& c : *crls) body += c;
     return Pem(ctx, std::move(body), "public, max-age=60");
   }).Public();

  r.Post("/api/v1/pki/rotation",
         [s](http::Context& ctx) {
           return ListAnswer(ctx, s->RotateAuthority(ctx.Who()), "authorities", AuthorityJson,
                             "no-store");
         })
      .Requires(authz::Action::kManageSeals)
      .Blocking();  // key generation and certificates
}

void AddSealRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/seals", [s](http::Context& ctx) {
     return ListAnswer(
         ctx, s->ListSeals(ctx.Query("department").value_or("")), "seals",
         [](const Seal& x) { return SealJson(x, false); }, "no-cache");
   }).Public();

  r.Post("/api/v1/seals",
         [s](http::Context& ctx) {
           auto b = http::JsonBody::Read(ctx);
           if (!b) return Fail(ctx, b.error());
           SealInput in;
           in.department_code = b->RequiredStr("department_code", 40);
           in.name = b->Str("name", 200);
           if (b->Has("kind")) in.kind = b->Str("kind", 20);
           std::string image = b->Str("image_png", 1 << 20);
           if (!image.empty()) {
             auto png = crypto::Base64UrlDecode(image);
             if (!png)
               b->Add("image_png", "must be a PNG image in base64url");
             else
               in.image_png = std::move(*png);
           }
           if (auto st = b->Finish("seal"); !st) return Fail(ctx, st.error());
           auto seal = s->CreateSeal(ctx.Who(), in);
           if (!seal) return Fail(ctx, seal.error());
           auto res = NoStore(http::Json(http::Status::created, SealJson(*seal, true)));
           res.set(http::Field::location, "/api/v1/seals/" + seal->id);
           res.set(http::Field::etag, http::VersionETag('v', seal->version));
           return res;
         })
      .Requires(authz::Action::kManageSeals)
      .Blocking();  // key generation, drawing

  r.Get("/api/v1/seals/{id}", [s](http::Context& ctx) {
     auto seal = s->GetSeal(ctx.Param("id"));
     if (!seal) return Fail(ctx, seal.error());
     auto res = http::Json(http::Status::ok, SealJson(*seal, false));
     res.set(http::Field::cache_control, "no-cache");
     res.set(http::Field::etag, http::VersionETag('v', seal->version));
     return res;
   }).Public();

  r.Get("/api/v1/seals/{id}/image.png", [s](http::Context& ctx) {
     auto png = s->SealImage(ctx.Param("id"));
     if (!png) return Fail(ctx, png.error());
     http::Response res{http::Status::ok, 11};
     res.set(http::Field::content_type, "image/png");
     res.body() = std::move(*png);
     res.prepare_payload();
     return http::Cacheable(ctx, std::move(res), "public, max-age=3600");
   }).Public();

  r.Get("/api/v1/seals/{id}/certificate", [s](http::Context& ctx) {
     auto seal = s->GetSeal(ctx.Param("id"));
     if (!seal) return Fail(ctx, seal.error());
     std::string alg = ctx.Query("algorithm").value_or("sm2");
     if (alg != kSm2 && alg != kP256)
       return Fail(ctx,
                   Error(Code::kInvalidArgument, "query", {{"algorithm", "must be sm2 or p256"}}));
     return Pem(ctx, alg == kSm2 ? seal->sm2_certificate : seal->p256_certificate,
                "public, max-age=3600");
   }).Public();

  r.Post("/api/v1/seals/{id}/status", [s](http::Context& ctx) {
     auto change = ReadStatusChange(ctx, "seal");
     if (!change) return Fail(ctx, change.error());
     auto seal = s->SetSealStatus(ctx.Who(), ctx.Param("id"), change->version, change->status,
                                  change->reason);
     if (!seal) return Fail(ctx, seal.error());
     auto res = NoStore(http::Json(http::Status::ok, SealJson(*seal, true)));
     res.set(http::Field::etag, http::VersionETag('v', seal->version));
     return res;
   }).Requires(authz::Action::kManageSeals);

  r.Get("/api/v1/seals/{id}/holders", [s](http::Context& ctx) {
     auto seal = s->GetSeal(ctx.Param("id"));
     if (!seal) return Fail(ctx, seal.error());
     return NoStore(http::Json(http::Status::ok, SealJson(*seal, true)));
   }).Requires(authz::Action::kManageSeals);

  r.Put("/api/v1/seals/{id}/holders/{username}", [s](http::Context& ctx) {
     auto seal = s->AddSealHolder(ctx.Who(), ctx.Param("id"), ctx.Param("username"));
     if (!seal) return Fail(ctx, seal.error());
     return NoStore(http::Json(http::Status::ok, SealJson(*seal, true)));
   }).Requires(authz::Action::kManageSeals);

  r.Delete("/api/v1/seals/{id}/holders/{username}", [s](http::Context& ctx) {
     auto seal = s->RemoveSealHolder(ctx.Who(), ctx.Param("id"), ctx.Param("username"));
     if (!seal) return Fail(ctx, seal.error());
     return NoStore(http::Json(http::Status::ok, SealJson(*seal, true)));
   }).Requires(authz::Action::kManageSeals);
}

void AddTypeRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/licence-types", [s](http::Context& ctx) {
     return ListAnswer(ctx, s->ListTypes(), "types", TypeJson, "no-cache");
   }).Public();

  r.Get("/api/v1/licence-types/{code}", [s](http::Context& ctx) {
     auto t = s->GetType(ctx.Param("code"));
     if (!t) return Fail(ctx, t.error());
     auto res = http::Json(http::Status::ok, TypeJson(*t));
     res.set(http::Field::cache_control, "no-cache");
     res.set(http::Field::etag, http::VersionETag('v', t->version));
     return res;
   }).Public();

  r.Put("/api/v1/licence-types/{code}", [s](http::Context& ctx) {
     auto version = http::IfMatchVersion(ctx, 'v');
     if (!version) return Fail(ctx, version.error());
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     LicenceType t;
     t.code = ctx.Param("code");
     t.name = b->RequiredStr("name", 400);
     t.name_en = b->Str("name_en", 800);
     t.department_code = b->RequiredStr("department_code", 40);
     t.holder_kind = b->RequiredStr("holder_kind", 20);
     if (const auto* schema = b->Raw("schema"))
       t.schema = *schema;
     else
       b->Add("schema", "is required");
     t.validity_months = b->Int("validity_months").value_or(0);
     t.trust_level = b->Str("trust_level", 1);
     if (t.trust_level.empty()) t.trust_level = "A";
     t.number_prefix = b->Str("number_prefix", 20);
     t.issued_by_items = b->Strings("issued_by_items", 200).value_or(std::vector<std::string>{});
     t.one_per_holder = b->Bool("one_per_holder").value_or(false);
     t.document = b->Object("document").value_or(json::object{});
     t.from_form = b->Object("from_form").value_or(json::object{});
     t.status = b->Str("status", 20);
     if (auto st = b->Finish("licence type"); !st) return Fail(ctx, st.error());
     auto saved = s->PutType(ctx.Who(), t, version->value_or(0));
     if (!saved) return Fail(ctx, saved.error());
     auto res =
         NoStore(http::Json(*version ? http::Status::ok : http::Status::created, TypeJson(*saved)));
     res.set(http::Field::etag, http::VersionETag('v', saved->version));
     if (!*version) res.set(http::Field::location, "/api/v1/licence-types/" + saved->code);
     return res;
   }).Requires(authz::Action::kManageCatalog);
}

// holder {kind, id, name}, fields, valid_from and valid_to of a licence to issue.
void ReadHolderAndDates(http::JsonBody& b, IssueInput& in) {
  if (auto holder = b.Object("holder")) {
    http::JsonBody h(std::move(*holder));
    in.holder_kind = h.RequiredStr("kind", 20);
    in.holder_id = h.RequiredStr("id", 40);
    in.holder_name = h.RequiredStr("name", 400);
    if (auto st = h.Finish("holder"); !st)
      for (const auto& f : st.error().fields) b.Add("holder/" + f.field, f.message);
  } else {
    b.Add("holder", "is required: {kind, id, name}");
  }
  in.fields = b.Object("fields").value_or(json::object{});
  in.valid_from = b.Str("valid_from", 10);
  in.valid_to = b.Str("valid_to", 10);
}

void AddLicenceRoutes(http::Router& r, Service* s) {
  r.Post("/api/v1/licences", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     IssueInput in;
     in.type_code = b->RequiredStr("type_code", 40);
     ReadHolderAndDates(*b, in);
     in.region_code = b->Str("region_code", 12);
     in.reason = b->Str("reason", 2000);
     if (auto st = b->Finish("licence"); !st) return Fail(ctx, st.error());
     auto l = s->Issue(ctx.Who(), in);
     if (!l) return Fail(ctx, l.error());
     auto res = NoStore(http::Json(http::Status::created, LicenceJson(*l, Today(), *s)));
     res.set(http::Field::location, "/api/v1/licences/" + l->number);
     res.set(http::Field::etag, http::VersionETag('v', l->version));
     return res;
   }).Requires(authz::Action::kIssueLicence);

  r.Post("/api/v1/licence-imports", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     ImportInput in;
     in.type_code = b->RequiredStr("type_code", 40);
     in.trust_level = b->RequiredStr("trust_level", 1);
     in.region_code = b->Str("region_code", 12);
     in.reason = b->Str("reason", 2000);
     const json::value* rows = b->Raw("licences");
     if (!rows || !rows->is_array()) {
       b->Add("licences",
              "is required: an array of {number, holder, fields, valid_from, valid_to}");
     } else if (rows->as_array().size() > 500) {
       b->Add("licences", "must hold at most 500 licences");
     } else {
       for (size_t i = 0; i < rows->as_array().size(); ++i) {
         const json::value& e = rows->as_array()[i];
         std::string at = "licences/" + std::to_string(i) + "/";
         if (!e.is_object()) {
           b->Add(at.substr(0, at.size() - 1), "must be an object");
           continue;
         }
         http::JsonBody row(e.as_object());
         IssueInput one;
         one.number = row.RequiredStr("number", 40);
         ReadHolderAndDates(row, one);
         if (auto st = row.Finish("licence"); !st)
           for (const auto& f : st.error().fields) b->Add(at + f.field, f.message);
         in.rows.push_back(std::move(one));
       }
     }
     if (auto st = b->Finish("import"); !st) return Fail(ctx, st.error());
     auto made = s->Import(ctx.Who(), in);
     if (!made) return Fail(ctx, made.error());
     json::array out;
     std::string today = Today();
     for (const auto& l : *made) out.push_back(LicenceJson(l, today, *s));
     return NoStore(http::Json(http::Status::created,
                               {{"imported", made->size()}, {"licences", std::move(out)}}));
   }).Requires(authz::Action::kIssueLicence);

  r.Get("/api/v1/licences", [s](http::Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 200);
     if (!page) return Fail(ctx, page.error());
     std::string today = Today();
     return ListAnswer(
         ctx,
         s->Issued(ctx.Who(), ctx.Query("department").value_or(""),
                   ctx.Query("region").value_or(""), page->limit),
         "licences", [&](const Licence& l) { return LicenceJson(l, today, *s); }, "no-store");
   }).Requires(authz::Action::kReadLicence);

  r.Get("/api/v1/me/licences", [s](http::Context& ctx) {
     std::string today = Today();
     return ListAnswer(
         ctx, s->Wallet(ctx.Who(), ctx.Query("enterprise").value_or("")), "licences",
         [&](const Licence& l) { return LicenceJson(l, today, *s); }, "no-store");
   }).Requires(authz::Action::kReadLicence);

  r.Get("/api/v1/licences/{number}", [s](http::Context& ctx) {
     auto l = s->Get(ctx.Who(), ctx.Param("number"));
     if (!l) return Fail(ctx, l.error());
     auto res = NoStore(http::Json(http::Status::ok, LicenceJson(*l, Today(), *s)));
     res.set(http::Field::etag, http::VersionETag('v', l->version));
     return res;
   }).Requires(authz::Action::kReadLicence);

  r.Get("/api/v1/licences/{number}/pdf",
        [s](http::Context& ctx) {
          auto pdf = s->LicencePdf(ctx.Who(), ctx.Param("number"));
          if (!pdf) return Fail(ctx, pdf.error());
          return http::PdfAttachment(std::move(*pdf), "licence-" + ctx.Param("number") + ".pdf");
        })
      .Requires(authz::Action::kReadLicence)
      .Blocking();  // rendering and signing on the first download

  r.Post("/api/v1/licences/{number}/status", [s](http::Context& ctx) {
     auto change = ReadStatusChange(ctx, "licence");
     if (!change) return Fail(ctx, change.error());
     auto l = s->SetStatus(ctx.Who(), ctx.Param("number"), change->version, change->status,
                           change->reason);
     if (!l) return Fail(ctx, l.error());
     auto res = NoStore(http::Json(http::Status::ok, LicenceJson(*l, Today(), *s)));
     res.set(http::Field::etag, http::VersionETag('v', l->version));
     return res;
   }).Requires(authz::Action::kIssueLicence);

  // Anyone checks a licence's QR code: the seal's signature, its certificate, the status.
  r.Post("/api/v1/licence-verifications", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     std::string payload = b->RequiredStr("payload", 4096);
     if (auto st = b->Finish("verification"); !st) return Fail(ctx, st.error());
     auto v = s->Verify(payload);
     if (!v) return Fail(ctx, v.error());
     return NoStore(http::Json(http::Status::ok, VerificationJson(*v)));
   }).Public();
}

void AddShareRoutes(http::Router& r, Service* s) {
  r.Post("/api/v1/licences/{number}/shares", [s](http::Context& ctx) {
     auto b = http::JsonBody::ReadOptional(ctx);
     if (!b) return Fail(ctx, b.error());
     int64_t hours = b->Int("hours").value_or(72);
     if (auto st = b->Finish("share"); !st) return Fail(ctx, st.error());
     auto made = s->ShareLicence(ctx.Who(), ctx.Param("number"), hours);
     if (!made) return Fail(ctx, made.error());
     json::object o = ShareJson(made->share);
     o["code"] = made->code;
     o["url"] = made->url;
     auto res = NoStore(http::Json(http::Status::created, o));
     res.set(http::Field::location,
             "/api/v1/licences/" + ctx.Param("number") + "/shares/" + made->share.id);
     return res;
   }).Requires(authz::Action::kShareLicence);

  r.Get("/api/v1/licences/{number}/shares", [s](http::Context& ctx) {
     return ListAnswer(ctx, s->Shares(ctx.Who(), ctx.Param("number")), "shares", ShareJson,
                       "no-store");
   }).Requires(authz::Action::kShareLicence);

  r.Delete("/api/v1/licences/{number}/shares/{id}", [s](http::Context& ctx) {
     if (auto st = s->RevokeShare(ctx.Who(), ctx.Param("number"), ctx.Param("id")); !st)
       return Fail(ctx, st.error());
     http::Response res{http::Status::no_content, 11};
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kShareLicence);

  // Whoever the holder gave a code to. The code goes in the body, never in a URL (logs).
  r.Post("/api/v1/licence-share-views", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     std::string code = b->RequiredStr("code", 100);
     if (auto st = b->Finish("share"); !st) return Fail(ctx, st.error());
     auto shared = s->OpenShare(code);
     if (!shared) return Fail(ctx, shared.error());
     json::object licence = LicenceJson(shared->licence, Today(), *s);
     licence.erase("events");
     licence.erase("version");
     return NoStore(http::Json(http::Status::ok,
                               {{"licence", std::move(licence)},
                                {"share", json::object{{"expires_at", shared->share.expires_at},
                                                       {"views", shared->share.views}}}}));
   }).Public();
}

}  // namespace

json::object TemplateJson(const DocumentTemplate& t) {
  return {{"kind", t.kind},
          {"item_code", t.item_code},
          {"title", t.title},
          {"body", t.body},
          {"remedy", t.remedy},
          {"number_prefix", t.number_prefix},
          {"version", t.version},
          {"builtin", t.builtin},
          {"applies_to", t.applies_to},
          {"updated_at", OrNull(t.updated_at)},
          {"updated_by", t.updated_by}};
}

// The texts of case documents (catalog administrators).
void AddTemplateRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/document-templates", [s](http::Context& ctx) {
     auto list = s->Templates();
     if (!list) return Fail(ctx, list.error());
     json::array templates, placeholders;
     for (const auto& t : *list) templates.push_back(TemplateJson(t));
     for (const auto& p : DocumentPlaceholders())
       placeholders.push_back({{"name", p.name}, {"description", p.description}});
     return NoStore(
         http::Json(http::Status::ok, json::object{{"templates", std::move(templates)},
                                                   {"placeholders", std::move(placeholders)}}));
   }).Requires(authz::Action::kManageCatalog);

  r.Put("/api/v1/document-templates/{kind}", [s](http::Context& ctx) {
     auto b = http::JsonBody::Read(ctx);
     if (!b) return Fail(ctx, b.error());
     DocumentTemplate t;
     t.kind = ctx.Param("kind");
     t.item_code = b->Str("item_code", 64);
     t.title = b->RequiredStr("title", 240);
     t.body = b->RequiredStr("body", 4000);
     t.remedy = b->Str("remedy", 2000);
     t.number_prefix = b->Str("number_prefix", 160);
     int64_t version = b->Int("version").value_or(0);
     if (auto st = b->Finish("document template"); !st) return Fail(ctx, st.error());
     auto saved = s->PutTemplate(ctx.Who(), t, version);
     if (!saved) return Fail(ctx, saved.error());
     return NoStore(http::Json(http::Status::ok, TemplateJson(*saved)));
   }).Requires(authz::Action::kManageCatalog);

  r.Delete("/api/v1/document-templates/{kind}", [s](http::Context& ctx) {
     auto version = text::ParseInt(ctx.Query("version").value_or(""), 1, INT64_MAX);
     if (!version) {
       return Fail(ctx, Error(Code::kInvalidArgument, "document template",
                              {{"version", "the stored template's version is required"}}));
     }
     auto st = s->DeleteTemplate(ctx.Who(), ctx.Param("kind"), ctx.Query("item_code").value_or(""),
                                 *version);
     if (!st) return Fail(ctx, st.error());
     http::Response res{http::Status::no_content, 11};
     res.set(http::Field::cache_control, "no-store");
     return res;
   }).Requires(authz::Action::kManageCatalog);
}

void AddRoutes(http::Router& r, Service& service) {
  AddPkiRoutes(r, &service);
  AddSealRoutes(r, &service);
  AddTypeRoutes(r, &service);
  AddLicenceRoutes(r, &service);
  AddShareRoutes(r, &service);
  AddTemplateRoutes(r, &service);
}

}  // namespace ow::licences
