#include "cases/routes.h"

#include <boost/json.hpp>
#include <set>

#include "cases/notices.h"
#include "core/text.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::cases {
namespace {

namespace json = boost::json;
using identity::Principal;

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object TaskJson(const Task& t) {
  return {{"id", t.id},
          {"kind", t.kind},
          {"node", t.node},
          {"name", t.name},
          {"role", t.role},
          {"department_code", t.department_code},
          {"region_code", t.region_code},
          {"status", t.status},
          {"claimed_by", OrNull(t.claimed_by)},
          {"due", OrNull(t.due)},
          {"created_at", t.created_at},
          {"closed_at", OrNull(t.closed_at)},
          {"closed_by", OrNull(t.closed_by)},
          {"decision", OrNull(t.decision)},
          {"opinion", OrNull(t.opinion)},
          {"close_reason", OrNull(t.close_reason)},
          {"version", t.version},
          {"may_work", t.may_work}};
}

json::object EventJson(const Event& e) {
  return {{"seq", e.seq},
          {"at", e.at},
          {"actor", e.actor},
          {"channel", e.channel},
          {"action", e.action},
          {"from_status", OrNull(e.from_status)},
          {"to_status", e.to_status},
          {"reason", e.reason},
          {"detail", e.detail}};
}

http::Response Fail(const http::Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

http::Response NoStore(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

// [{"id": "...", "name": "..."}] or ["id", ...] under "materials"; "material_ids" too.
std::vector<MaterialRef> Materials(http::JsonBody& b) {
  std::vector<MaterialRef> out;
  for (const std::string& id : b.Strings("material_ids").value_or(std::vector<std::string>{}))
    out.push_back({id, ""});
  const json::value* x = b.Raw("materials");
  if (!x) return out;
  if (!x->is_array()) {
    b.Add("materials", "must be an array of {id, name}");
    return out;
  }
  for (size_t i = 0; i < x->as_array().size(); ++i) {
    const json::value& e = x->as_array()[i];
    std::string field = "materials/" + std::to_string(i);
    if (e.is_string()) {
      out.push_back({std::string(e.as_string()), ""});
    } else if (e.is_object() && e.as_object().if_contains("id") &&
               e.as_object().at("id").is_string()) {
      MaterialRef ref{std::string(e.as_object().at("id").as_string()), ""};
      if (const json::value* n = e.as_object().if_contains("name"); n && n->is_string())
        ref.name = std::string(n->as_string());
      out.push_back(std::move(ref));
    } else {
      b.Add(field, "must be a material id or {id, name}");
    }
  }
  return out;
}

// [{"name": "<catalog material>", "number": "<licence number>"}] under "licences".
std::vector<LicenceRef> Licences(http::JsonBody& b) {
  std::vector<LicenceRef> out;
  const json::value* x = b.Raw("licences");
  if (!x) return out;
  if (!x->is_array()) {
    b.Add("licences", "must be an array of {name, number}");
    return out;
  }
  for (size_t i = 0; i < x->as_array().size(); ++i) {
    const json::value& e = x->as_array()[i];
    const json::object* o = e.if_object();
    const json::value* name = o ? o->if_contains("name") : nullptr;
    const json::value* number = o ? o->if_contains("number") : nullptr;
    if (!name || !name->is_string() || !number || !number->is_string() || o->size() != 2) {
      b.Add("licences/" + std::to_string(i), "must be {name, number}");
      continue;
    }
    out.push_back({std::string(name->as_string()), std::string(number->as_string())});
  }
  return out;
}

// A consent request as the person it is about reads it: the case's number and item, who
// asks, and which of their data (never the data itself, nor the case's other contents).
json::object ConsentRequestJson(const DataConsentRequest& q) {
  json::array fields;
  for (const auto& f : q.use.fields) fields.emplace_back(f);
  return {{"tracking_no", q.tracking_no},
          {"item_code", q.item_code},
          {"item_name", q.item_name},
          {"item_name_en", q.item_name_en},
          {"applicant_name", q.applicant_name},
          {"requested_at", q.requested_at},
          {"case_status", q.case_status},
          {"material", q.use.name},
          {"resource", q.use.resource},
          {"resource_name", q.use.resource_name},
          {"resource_name_en", q.use.resource_name_en},
          {"provider_department", q.use.provider_department},
          {"fields", std::move(fields)},
          {"status", q.use.status},
          {"answered_at", OrNull(q.use.status == kDataAwaiting ? "" : q.use.consented_at)}};
}

// A list of names (strings, at most 20) under `key`.
std::vector<std::string> NameList(http::JsonBody& b, const char* key) {
  std::vector<std::string> out;
  const json::value* x = b.Raw(key);
  if (!x) return out;
  if (!x->is_array() || x->as_array().size() > 20) {
    b.Add(key, "must be an array of at most 20 material names");
    return out;
  }
  for (size_t i = 0; i < x->as_array().size(); ++i) {
    const json::value& e = x->as_array()[i];
    if (!e.is_string() || e.as_string().empty() || e.as_string().size() > 200) {
      b.Add(std::string(key) + "/" + std::to_string(i), "must be a material name");
      continue;
    }
    out.emplace_back(e.as_string());
  }
  return out;
}

// A supplement request's list under `key`: [{name, note?}] (notes at most 500 bytes, checked
// by the service).
std::vector<SupplementAsk::Entry> AskEntries(http::JsonBody& b, const char* key) {
  std::vector<SupplementAsk::Entry> out;
  const json::value* x = b.Raw(key);
  if (!x) return out;
  if (!x->is_array()) {
    b.Add(key, "must be an array of {name, note}");
    return out;
  }
  for (size_t i = 0; i < x->as_array().size(); ++i) {
    const json::object* o = x->as_array()[i].if_object();
    const json::value* name = o ? o->if_contains("name") : nullptr;
    const json::value* note = o ? o->if_contains("note") : nullptr;
    if (!name || !name->is_string() || (note && !note->is_string()) ||
        o->size() != (note ? 2u : 1u)) {
      b.Add(std::string(key) + "/" + std::to_string(i), "must be {name, note}");
      continue;
    }
    out.push_back({std::string(name->as_string()), note ? std::string(note->as_string()) : ""});
  }
  return out;
}

// The applicant's channel of an action: "web" (default) or "app".
std::string Channel(http::JsonBody& b) {
  std::string c = b.Str("channel", 10);
  if (!c.empty() && c != kWeb && c != kApp) b.Add("channel", "must be web or app");
  return c;
}

Result<http::JsonBody> ReadBody(const http::Context& ctx, bool optional = false) {
  return optional ? http::JsonBody::ReadOptional(ctx) : http::JsonBody::Read(ctx);
}

// The members a case and a bundle application share, read in the same order as before
// (the body reader reports unknown and malformed members at Finish).
template <typename In>
void ReadApplication(http::JsonBody& body, In& in) {
  in.region_code = body.Str("region_code", 12);
  in.form = body.Object("form").value_or(json::object());
  in.situation = body.Object("situation").value_or(json::object());
  in.materials = Materials(body);
  in.licences = Licences(body);
  in.channel = body.Str("channel", 10);
  in.on_behalf_of = body.Str("on_behalf_of", 100);
  in.on_behalf_of_enterprise = body.Str("on_behalf_of_enterprise", 40);
  in.data_consents = NameList(body, "data_consents");
}

Result<int64_t> TaskParam(const http::Context& ctx) {
  auto id = text::ParseInt(ctx.Param("id"), 1, INT64_MAX);
  if (!id || !text::IsDigits(ctx.Param("id"))) return NotFound("no task " + ctx.Param("id"));
  return static_cast<int64_t>(*id);
}

int64_t QueryInt(const http::Context& ctx, const char* name, int64_t fallback, Validator& v) {
  auto q = ctx.Query(name);
  if (!q) return fallback;
  auto n = text::ParseInt(*q, -1000000, 1000000);
  if (!n) {
    v.Add(name, "must be an integer");
    return fallback;
  }
  return *n;
}

json::object ListJson(const CaseList& list, const ListFilter& f) {
  json::array cases;
  for (const auto& k : list.cases) cases.push_back(CaseJson(k, false));
  return {{"cases", std::move(cases)},
          {"total", list.total},
          {"page", f.page},
          {"per_page", f.per_page}};
}

Result<ListFilter> ParseListFilter(const http::Context& ctx) {
  ListFilter f;
  Validator v;
  f.status = ctx.Query("status").value_or("");
  f.item_code = ctx.Query("item_code").value_or("");
  f.q = ctx.Query("q").value_or("");
  f.page = QueryInt(ctx, "page", 1, v);
  f.per_page = QueryInt(ctx, "per_page", 20, v);
  OW_RETURN_IF_ERROR(v.Finish());
  return f;
}

// Runs `fn` for an authenticated caller; problems become problem+json.
template <typename Fn>
http::Handler With(const identity::Authenticator* a, Fn fn) {
  return [a, fn](http::Context& ctx) -> http::Response {
    auto who = a->Authenticate(ctx);
    if (!who) return Fail(ctx, who.error());
    return fn(ctx, *who);
  };
}

// A case as `who` may see it: to anyone but staff, without the usernames of the staff who
// worked on it (CaseJson's staff_view).
http::Response CaseReply(const http::Context& ctx, const Principal& who, const Result<Case>& k) {
  if (!k) return Fail(ctx, k.error());
  return NoStore(http::Json(http::Status::ok, CaseJson(*k, true, who.kind == identity::kStaff)));
}

// Applications: submitting, the caller's lists, an enterprise's, staff's, and one case.
void AddApplicationRoutes(http::Router& r, Service* s, const identity::Authenticator* a) {
  r.Post("/api/v1/cases",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                SubmitInput in;
                in.item_code = body->Str("item_code", 100);
                ReadApplication(*body, in);
                in.applicant_resident_id = body->Str("applicant_resident_id", 18);
                in.applicant_name = body->Str("applicant_name", 100);
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto k = s->Submit(who, in, s->Now());
                if (!k) return Fail(ctx, k.error());
                auto res = NoStore(http::Json(http::Status::created,
                                              CaseJson(*k, true, who.kind == identity::kStaff)));
                res.set(http::Field::location, "/api/v1/cases/" + k->tracking_no);
                return res;
              }))
      .Requires(authz::Action::kActForPerson)
      .Idempotent()
      .Blocking();

  r.Get("/api/v1/me/prefill",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto item = ctx.Query("item_code");
               if (!item || item->empty() || item->size() > 100)
                 return Fail(ctx, Error(Code::kInvalidArgument, "item_code",
                                        {{"item_code", "is required (a catalog item code)"}}));
               std::string enterprise(ctx.Query("enterprise").value_or(""));
               auto values = s->Prefill(who, std::string(*item), enterprise);
               if (!values) return Fail(ctx, values.error());
               return NoStore(http::Json(http::Status::ok, {{"values", std::move(*values)}}));
             }))
      .Requires(authz::Action::kActForPerson)
      .Blocking();

  // The applicant's own data fetched now from the exchange, with their consent (this
  // request), to fill in the form: every query is in the message log and their
  // 我的数据使用记录.
  r.Post("/api/v1/me/prefill/data",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                std::string item = body->Str("item_code", 100);
                auto materials = NameList(*body, "materials");
                if (item.empty()) body->Add("item_code", "is required (a catalog item code)");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto out = s->PrefillFromData(who, item, materials);
                if (!out) return Fail(ctx, out.error());
                return NoStore(http::Json(http::Status::ok, std::move(*out)));
              }))
      .Requires(authz::Action::kActForPerson)
      .Blocking();

  r.Get("/api/v1/cases", With(a,
                              [s](http::Context& ctx, const Principal& who) {
                                auto f = ParseListFilter(ctx);
                                if (!f) return Fail(ctx, f.error());
                                auto list = s->ListForStaff(who, *f);
                                if (!list) return Fail(ctx, list.error());
                                return NoStore(http::Json(http::Status::ok, ListJson(*list, *f)));
                              }))
      .Requires(authz::Action::kWorkOnCases);

  r.Get("/api/v1/me/cases",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto f = ParseListFilter(ctx);
               if (!f) return Fail(ctx, f.error());
               auto list = s->ListMine(who, *f);
               if (!list) return Fail(ctx, list.error());
               return NoStore(http::Json(http::Status::ok, ListJson(*list, *f)));
             }))
      .Requires(authz::Action::kReadOwnCases);

  r.Get("/api/v1/enterprises/{code}/cases",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto f = ParseListFilter(ctx);
               if (!f) return Fail(ctx, f.error());
               auto list = s->ListForEnterprise(who, ctx.Param("code"), *f);
               if (!list) return Fail(ctx, list.error());
               return NoStore(http::Json(http::Status::ok, ListJson(*list, *f)));
             }))
      .Requires(authz::Action::kReadOwnCases);

  // The public lookup (我要查): the stage of a case, without signing in, to whoever knows
  // its tracking number, the applicant's name and the last four of the ID. A POST, so
  // that the name and the digits stay out of URLs and access logs.
  r.Post("/api/v1/case-lookups", [s](http::Context& ctx) {
     auto body = ReadBody(ctx);
     if (!body) return Fail(ctx, body.error());
     LookupInput in;
     in.tracking_no = body->RequiredStr("tracking_no", 40);
     in.name = body->RequiredStr("name", 400);
     in.id_last4 = body->RequiredStr("id_last4", 4);
     if (auto st = body->Finish("case lookup"); !st) return Fail(ctx, st.error());
     auto found = s->Lookup(in, ctx.peer, s->Now());
     if (!found) return Fail(ctx, found.error());
     return NoStore(http::Json(http::Status::ok, json::object{{"tracking_no", found->tracking_no},
                                                              {"stage", found->stage},
                                                              {"archived", found->archived}}));
   }).Public();

  r.Get("/api/v1/cases/{no}", With(a,
                                   [s](http::Context& ctx, const Principal& who) {
                                     return CaseReply(ctx, who, s->Get(who, ctx.Param("no")));
                                   }))
      .Requires(authz::Action::kReadCase);

  // A licence used for one of the case's materials, as its sealed PDF: to whoever may
  // read the case (the holder consented to its use for this case).
  r.Get("/api/v1/cases/{no}/licences/{number}/pdf",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto pdf = s->UsedLicencePdf(who, ctx.Param("no"), ctx.Param("number"));
               if (!pdf) return Fail(ctx, pdf.error());
               return http::PdfAttachment(std::move(*pdf),
                                          "licence-" + ctx.Param("number") + ".pdf");
             }))
      .Requires(authz::Action::kReadCaseFiles)
      .Blocking();

  // A document the case's transitions issued (acceptance notice, notice of non-
  // acceptance, decision), sealed by the handling department: to whoever may read the case.
  r.Get("/api/v1/cases/{no}/documents/{kind}/pdf",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto pdf = s->DocumentPdf(who, ctx.Param("no"), ctx.Param("kind"));
               if (!pdf) return Fail(ctx, pdf.error());
               return http::PdfAttachment(std::move(*pdf),
                                          ctx.Param("no") + "-" + ctx.Param("kind") + ".pdf");
             }))
      .Requires(authz::Action::kReadCaseFiles)
      .Blocking();
}

// A case's life after submission: withdrawal, supplements, suspension, delivery, closing.
void AddLifecycleRoutes(http::Router& r, Service* s, const identity::Authenticator* a) {
  r.Post("/api/v1/cases/{no}/withdraw",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx, true);
                if (!body) return Fail(ctx, body.error());
                std::string reason = body->Str("reason");
                std::string channel = Channel(*body);
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who,
                                 s->Withdraw(who, ctx.Param("no"), reason, channel, s->Now()));
              }))
      .Requires(authz::Action::kActForPerson)
      .Blocking();

  r.Post("/api/v1/cases/{no}/supplement",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                SupplyInput in;
                in.form = body->Object("form");
                in.materials = Materials(*body);
                in.licences = Licences(*body);
                in.data_consents = NameList(*body, "data_consents");
                in.note = body->Str("note");
                std::string channel = Channel(*body);
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who, s->Supply(who, ctx.Param("no"), in, channel, s->Now()));
              }))
      .Requires(authz::Action::kActForPerson)
      .Blocking();

  r.Post("/api/v1/cases/{no}/supplement-request",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                SupplementAsk ask;
                ask.reason = body->Str("reason");
                ask.materials = AskEntries(*body, "materials");
                ask.fields = AskEntries(*body, "fields");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who,
                                 s->RequestSupplement(who, ctx.Param("no"), ask, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  r.Post("/api/v1/cases/{no}/suspend",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                std::string procedure = body->Str("procedure", 40);
                std::string reason = body->Str("reason");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who,
                                 s->Suspend(who, ctx.Param("no"), procedure, reason, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  r.Post("/api/v1/cases/{no}/resume",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx, true);
                if (!body) return Fail(ctx, body.error());
                std::string reason = body->Str("reason");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who, s->Resume(who, ctx.Param("no"), reason, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  r.Post("/api/v1/cases/{no}/deliver",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                std::string method = body->Str("method", 20);
                std::string note = body->Str("note");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who,
                                 s->Deliver(who, ctx.Param("no"), method, note, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  r.Post("/api/v1/cases/{no}/close",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx, true);
                if (!body) return Fail(ctx, body.error());
                std::string reason = body->Str("reason");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who, s->Close(who, ctx.Param("no"), reason, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  // Another party of an application (a partner in a marriage registration) consents to or
  // refuses the fetch of their own data, in their own account.
  r.Get("/api/v1/me/data-consent-requests",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto list = s->DataConsentRequests(who);
               if (!list) return Fail(ctx, list.error());
               json::array items;
               for (const auto& q : *list) items.push_back(ConsentRequestJson(q));
               return NoStore(http::Json(http::Status::ok, {{"items", std::move(items)}}));
             }))
      .Requires(authz::Action::kReadOwnCases)
      .Blocking();
  r.Post("/api/v1/cases/{no}/data-consents",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                std::string material = body->Str("material", 200);
                std::optional<bool> consent = body->Bool("consent");
                if (material.empty()) body->Add("material", "is required (the material's name)");
                if (!consent) body->Add("consent", "is required: true to consent, false to refuse");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto q = s->AnswerDataConsent(who, ctx.Param("no"), material, *consent, s->Now());
                if (!q) return Fail(ctx, q.error());
                return NoStore(http::Json(http::Status::ok, ConsentRequestJson(*q)));
              }))
      .Requires(authz::Action::kActForPerson)
      .Blocking();

  // Fetches again the data the applicant consented to that is not verified yet.
  r.Post("/api/v1/cases/{no}/data-uses/fetch",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx, true);
                if (!body) return Fail(ctx, body.error());
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who, s->RetryDataFetch(who, ctx.Param("no"), s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();
}

// "One thing" bundle applications.
void AddBundleRoutes(http::Router& r, Service* s, const identity::Authenticator* a) {
  r.Post("/api/v1/bundle-applications",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                BundleInput in;
                in.bundle_code = body->Str("bundle_code", 100);
                ReadApplication(*body, in);
                in.item_situations = body->Object("item_situations").value_or(json::object());
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto b = s->SubmitBundle(who, in, s->Now());
                if (!b) return Fail(ctx, b.error());
                json::array cases;
                for (const auto& k : b->cases) cases.push_back(CaseJson(k, false));
                auto res =
                    NoStore(http::Json(http::Status::created, {{"id", b->id},
                                                               {"bundle_code", b->bundle_code},
                                                               {"region_code", b->region_code},
                                                               {"created_at", b->created_at},
                                                               {"status", b->status},
                                                               {"cases", std::move(cases)}}));
                res.set(http::Field::location, "/api/v1/bundle-applications/" + b->id);
                return res;
              }))
      .Requires(authz::Action::kActForPerson)
      .Idempotent()
      .Blocking();

  r.Get("/api/v1/bundle-applications/{id}",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               auto b = s->GetBundle(who, ctx.Param("id"));
               if (!b) return Fail(ctx, b.error());
               json::array cases;
               for (const auto& k : b->cases) cases.push_back(CaseJson(k, false));
               return NoStore(http::Json(http::Status::ok, {{"id", b->id},
                                                            {"bundle_code", b->bundle_code},
                                                            {"region_code", b->region_code},
                                                            {"created_at", b->created_at},
                                                            {"status", b->status},
                                                            {"cases", std::move(cases)}}));
             }))
      .Requires(authz::Action::kReadOwnCases);
}

// The staff workbench: the inbox, and claiming, completing and transferring tasks.
void AddTaskRoutes(http::Router& r, Service* s, const identity::Authenticator* a) {
  r.Get("/api/v1/workbench/tasks",
        With(a,
             [s](http::Context& ctx, const Principal& who) {
               InboxFilter f;
               Validator v;
               f.status = ctx.Query("status").value_or("");
               f.deadline = ctx.Query("deadline").value_or("");
               f.item_code = ctx.Query("item_code").value_or("");
               f.q = ctx.Query("q").value_or("");
               f.limit = QueryInt(ctx, "limit", 50, v);
               if (auto st = v.Finish(); !st) return Fail(ctx, st.error());
               auto inbox = s->InboxOf(who, f, s->Now());
               if (!inbox) return Fail(ctx, inbox.error());
               json::array tasks;
               for (const auto& e : inbox->tasks) {
                 json::object t = TaskJson(e.task);
                 t["case"] = CaseJson(e.summary, false);
                 t["deadline_state"] = e.deadline_state;
                 tasks.push_back(std::move(t));
               }
               return NoStore(http::Json(http::Status::ok, {{"tasks", std::move(tasks)},
                                                            {"counts",
                                                             {{"total", inbox->total},
                                                              {"unclaimed", inbox->unclaimed},
                                                              {"mine", inbox->mine},
                                                              {"yellow", inbox->yellow},
                                                              {"red", inbox->red}}}}));
             }))
      .Requires(authz::Action::kWorkOnCases);

  r.Post("/api/v1/tasks/{id}/claim",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto id = TaskParam(ctx);
                if (!id) return Fail(ctx, id.error());
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                auto version = body->Int("version");
                if (!version) body->Add("version", "is required (the task's version you saw)");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto t = s->Claim(who, *id, *version, s->Now());
                if (!t) return Fail(ctx, t.error());
                return NoStore(http::Json(http::Status::ok, TaskJson(*t)));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();

  r.Post("/api/v1/tasks/{id}/complete",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto id = TaskParam(ctx);
                if (!id) return Fail(ctx, id.error());
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                auto version = body->Int("version");
                if (!version) body->Add("version", "is required (the task's version you saw)");
                std::string decision = body->Str("decision", 20);
                std::string opinion = body->Str("opinion", 4000);
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                return CaseReply(ctx, who,
                                 s->Complete(who, *id, *version, decision, opinion, s->Now()));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Idempotent()
      .Blocking();

  r.Post("/api/v1/tasks/{id}/transfer",
         With(a,
              [s](http::Context& ctx, const Principal& who) {
                auto id = TaskParam(ctx);
                if (!id) return Fail(ctx, id.error());
                auto body = ReadBody(ctx);
                if (!body) return Fail(ctx, body.error());
                auto version = body->Int("version");
                if (!version) body->Add("version", "is required (the task's version you saw)");
                std::string to = body->Str("to_username", 100);
                std::string reason = body->Str("reason");
                if (auto st = body->Finish(); !st) return Fail(ctx, st.error());
                auto t = s->Transfer(who, *id, *version, to, reason, s->Now());
                if (!t) return Fail(ctx, t.error());
                return NoStore(http::Json(http::Status::ok, TaskJson(*t)));
              }))
      .Requires(authz::Action::kWorkOnCases)
      .Blocking();
}

}  // namespace

json::object CaseJson(const Case& k, bool full, bool staff_view) {
  json::object o{{"tracking_no", k.tracking_no},
                 {"item_code", k.item_code},
                 {"item_name", k.item_name},
                 {"item_name_en", k.item_name_en},
                 {"item_version", k.item_version},
                 {"bundle_id", OrNull(k.bundle_id)},
                 {"applicant",
                  {{"kind", k.applicant_enterprise.empty() ? "person" : "enterprise"},
                   {"account_id", OrNull(k.applicant_account_id)},
                   {"credit_code", OrNull(k.applicant_enterprise)},
                   {"name", k.applicant_name},
                   {"resident_id", k.applicant_id_masked}}},
                 {"channel", k.channel},
                 {"submitted_by", k.submitted_by},
                 {"intake_region", k.intake_region},
                 {"department_code", k.department_code},
                 {"region_code", k.region_code},
                 {"status", k.status},
                 {"decision", OrNull(k.decision)},
                 {"process", {{"key", k.process_key}, {"version", k.process_version}}},
                 {"accepted_on", OrNull(k.accepted_on)},
                 {"promised_days", k.promised_days},
                 {"statutory_days", k.statutory_days},
                 {"promised_deadline", OrNull(k.promised_deadline)},
                 {"statutory_deadline", OrNull(k.statutory_deadline)},
                 {"created_at", k.created_at},
                 {"updated_at", k.updated_at},
                 {"version", k.version}};
  bool paused = false;
  json::array pauses;
  for (const auto& p : k.pauses) {
    paused = paused || !p.to;
    pauses.push_back({{"from", FormatDate(p.from)},
                      {"to", p.to ? json::value(FormatDate(*p.to)) : json::value(nullptr)}});
  }
  o["paused"] = paused;
  if (!full) return o;
  o["pauses"] = std::move(pauses);
  o["form"] = k.form;
  o["situation"] = k.situation;
  json::array materials, tasks, events;
  for (const auto& m : k.materials) {
    materials.push_back({{"id", m.material_id},
                         {"name", m.name},
                         {"filename", m.filename},
                         {"media_type", m.media_type},
                         {"size", m.size},
                         {"sha256", m.sha256},
                         {"added_at", m.added_at},
                         {"added_by", m.added_by},
                         {"content_url", "/api/v1/materials/" + m.material_id + "/content"}});
  }
  json::array licences;
  for (const auto& u : k.licences) {
    licences.push_back(
        {{"name", u.name},
         {"number", u.number},
         {"type_code", u.type_code},
         {"type_name", u.type_name},
         {"holder_name", u.holder_name},
         {"issuer_name", u.issuer_name},
         {"valid_from", u.valid_from},
         {"valid_to", OrNull(u.valid_to)},
         {"trust_level", u.trust_level},
         {"status", OrNull(u.status)},
         {"consented_by", u.consented_by},
         {"consented_at", u.consented_at},
         {"pdf_url", "/api/v1/cases/" + k.tracking_no + "/licences/" + u.number + "/pdf"}});
  }
  json::array documents;
  for (const auto& d : k.documents) {
    documents.push_back(
        {{"kind", d.kind},
         {"number", d.number},
         {"title", d.title},
         {"issued_at", d.issued_at},
         {"department_code", d.department_code},
         {"department_name", d.department_name},
         {"licence_number", OrNull(d.licence_number)},
         {"available", d.available},
         {"pdf_url", "/api/v1/cases/" + k.tracking_no + "/documents/" + d.kind + "/pdf"}});
  }
  for (const auto& t : k.tasks) {
    json::object task = TaskJson(t);
    if (!staff_view) task["claimed_by"] = task["closed_by"] = nullptr;
    tasks.push_back(std::move(task));
  }
  for (const auto& e : k.events) {
    json::object event = EventJson(e);
    if (!staff_view && (e.channel == kWorkbench || e.channel == kCounterChannel))
      event["actor"] = "";
    events.push_back(std::move(event));
  }
  o["materials"] = std::move(materials);
  o["licences"] = std::move(licences);
  json::array data_uses;
  for (const auto& u : k.data_uses) {
    // Another party's data (a marriage registration's other party) is theirs: they consented
    // to its use by the department, so the applicant sees only whether it was verified.
    const bool withheld = !staff_view && !u.party.empty();
    json::array fields;
    for (const auto& f : u.fields) fields.emplace_back(f);
    data_uses.push_back({{"name", u.name},
                         {"resource", u.resource},
                         {"resource_name", u.resource_name},
                         {"resource_name_en", u.resource_name_en},
                         {"provider_department", u.provider_department},
                         {"fields", std::move(fields)},
                         {"party", OrNull(u.party)},
                         {"consented_by", u.consented_by},
                         {"consented_at", OrNull(u.consented_at)},
                         {"status", u.status},
                         {"data", withheld ? json::object() : u.data},
                         {"signature", OrNull(withheld ? std::string() : u.signature)},
                         {"log_seq", u.log_seq},
                         {"fetched_at", OrNull(u.fetched_at)},
                         {"error", OrNull(u.error)},
                         {"attempts", u.attempts}});
  }
  o["data_uses"] = std::move(data_uses);
  o["documents"] = std::move(documents);
  o["tasks"] = std::move(tasks);
  o["events"] = std::move(events);
  return o;
}

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn) {
  Service* s = &service;
  const identity::Authenticator* a = &authn;
  AddApplicationRoutes(r, s, a);
  AddLifecycleRoutes(r, s, a);
  AddBundleRoutes(r, s, a);
  AddTaskRoutes(r, s, a);
  AddArchiveRoutes(r, service, authn);
}

}  // namespace ow::cases
