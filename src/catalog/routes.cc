#include "catalog/routes.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::catalog {
namespace {

namespace json = boost::json;
using http::Context;
using http::Response;

// A published version never changes: cache it for a year. The current guide may be
// superseded by a newer version at any time: revalidate after a minute.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kCurrent = "public, max-age=60";

json::object ChangeJson(const Change& c) {
  return {
      {"id", c.id},
      {"kind", c.kind},
      {"status", c.status},
      {"summary", c.summary},
      {"payload", c.payload},
      {"author", c.author},
      {"reviewer", c.reviewer.empty() ? json::value(nullptr) : json::value(c.reviewer)},
      {"review_comment", c.review_comment},
      {"created_at", c.created_at},
      {"updated_at", c.updated_at},
      {"submitted_at", c.submitted_at.empty() ? json::value(nullptr) : json::value(c.submitted_at)},
      {"reviewed_at", c.reviewed_at.empty() ? json::value(nullptr) : json::value(c.reviewed_at)},
      {"revision", c.revision}};
}

json::object VersionMeta(const ItemVersion& v) {
  return {{"code", v.code},           {"version", v.version},          {"status", v.status},
          {"change_id", v.change_id}, {"change_kind", v.change_kind},  {"author", v.author},
          {"approver", v.approver},   {"published_at", v.published_at}};
}

json::object ImplementationJson(const Implementation& m) {
  return {{"item_code", m.item_code},
          {"region_code", m.region_code},
          {"department_code", m.department_code},
          {"followed_version", m.followed_version},
          {"needs_review", m.needs_review},
          {"halls", m.local.contains("halls") ? m.local.at("halls") : json::array()},
          {"consult_phone",
           m.local.contains("consult_phone") ? m.local.at("consult_phone") : json::value("")},
          {"complaint_phone",
           m.local.contains("complaint_phone") ? m.local.at("complaint_phone") : json::value("")},
          {"promised_days",
           m.local.contains("promised_days") ? m.local.at("promised_days") : json::value(nullptr)},
          {"note", m.local.contains("note") ? m.local.at("note") : json::value("")},
          {"updated_at", m.updated_at},
          {"updated_by", m.updated_by}};
}

json::object BundleJson(const Bundle& b) {
  json::array items;
  for (const auto& i : b.items) items.push_back(json::value(i));
  return {{"code", b.code},
          {"name", b.name},
          {"name_en", b.name_en},
          {"kind", b.kind},
          {"description", b.description},
          {"description_en", b.description_en},
          {"items", std::move(items)},
          {"intake_schema", b.intake_schema},
          {"situations", b.situations},
          {"item_conditions", b.item_conditions},
          {"version", b.version},
          {"updated_at", b.updated_at}};
}

Response Fail(const Context& ctx, const Error& e) { return http::Problem(e, ctx.path); }

Result<int64_t> PathInt(const Context& ctx, const char* name) {
  auto n = text::ParseInt(ctx.Param(name), 1, INT64_MAX);
  if (!n)
    return Error(Code::kInvalidArgument, "invalid path", {{name, "must be a positive integer"}});
  return *n;
}

Result<int64_t> QueryInt(const Context& ctx, const char* name, int64_t min, int64_t max,
                         int64_t def) {
  auto v = ctx.Query(name);
  if (!v) return def;
  auto n = text::ParseInt(*v, min, max);
  if (!n) {
    return Error(
        Code::kInvalidArgument, "invalid query",
        {{name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)}});
  }
  return *n;
}

Response ChangeResponse(http::Status status, const Change& c) {
  Response res = http::Json(status, ChangeJson(c));
  res.set(http::Field::etag, http::VersionETag('r', c.revision));
  return res;
}

// Published guides: search, the current guide, versions, diffs and lineage.
void AddItemRoutes(http::Router& r, Service* s, http::ResponseCache* cache) {
  r.Get("/api/v1/catalog/items", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 20, 100);
     if (!page) return Fail(ctx, page.error());
     SearchQuery q;
     q.q = ctx.Query("q").value_or("");
     q.region = ctx.Query("region").value_or("");
     q.department = ctx.Query("department").value_or("");
     q.theme = ctx.Query("theme").value_or("");
     q.type = ctx.Query("type").value_or("");
     q.served = ctx.Query("served").value_or("");
     q.level = ctx.Query("level").value_or("");
     auto depth = QueryInt(ctx, "online_depth", 1, 4, 0);
     if (!depth) return Fail(ctx, depth.error());
     q.online_depth = *depth;
     auto facets = ctx.Query("facets");
     q.facets = facets && (*facets == "true" || *facets == "1");
     q.limit = page->limit;
     q.cursor = page->cursor;
     auto result = s->Search(q);
     if (!result) return Fail(ctx, result.error());
     json::array items;
     for (const auto& h : result->items) {
       json::object o = h.summary;
       o["rank"] = h.rank;
       items.push_back(std::move(o));
     }
     json::object body{
         {"items", std::move(items)},
         {"next_cursor",
          result->next_cursor.empty() ? json::value(nullptr) : json::value(result->next_cursor)}};
     if (q.facets) {
       json::object facets_json;
       for (const auto& f : result->facets) {
         auto& list = facets_json[f.facet];
         if (!list.is_array()) list = json::array();
         list.as_array().push_back(json::object{{"value", f.value}, {"count", f.count}});
       }
       body["facets"] = std::move(facets_json);
       body["total"] = result->total;
     }
     return http::Json(http::Status::ok, body);
   }).Public();

  r.Get("/api/v1/catalog/items/{code}",
        [s](Context& ctx) {
          auto view = s->GetItem(ctx.Param("code"), ctx.Query("region").value_or(""));
          if (!view) return Fail(ctx, view.error());
          json::object body = VersionMeta(view->version);
          body["status"] = view->status;
          body["item"] = view->effective;
          body["implementation"] = view->implementation
                                       ? json::value(ImplementationJson(*view->implementation))
                                       : json::value(nullptr);
          return http::Cacheable(ctx, http::Json(http::Status::ok, body), kCurrent);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/catalog/items/{code}/versions", [s](Context& ctx) {
     auto versions = s->Versions(ctx.Param("code"));
     if (!versions) return Fail(ctx, versions.error());
     json::array items;
     for (const auto& v : *versions) items.push_back(VersionMeta(v));
     return http::Cacheable(ctx, http::Json(http::Status::ok, {{"items", std::move(items)}}),
                            kCurrent);
   }).Public();

  r.Get("/api/v1/catalog/items/{code}/versions/{version}",
        [s](Context& ctx) {
          auto n = PathInt(ctx, "version");
          if (!n) return Fail(ctx, n.error());
          auto v = s->GetVersion(ctx.Param("code"), *n);
          if (!v) return Fail(ctx, v.error());
          json::object body = VersionMeta(*v);
          body["item"] = v->document;
          return http::Cacheable(ctx, http::Json(http::Status::ok, body), kImmutable);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/catalog/items/{code}/diff",
        [s](Context& ctx) {
          auto from = QueryInt(ctx, "from", 1, INT64_MAX, 0);
          auto to = QueryInt(ctx, "to", 1, INT64_MAX, 0);
          if (!from) return Fail(ctx, from.error());
          if (!to) return Fail(ctx, to.error());
          if (*from == 0 || *to == 0) {
            return Fail(ctx, Error(Code::kInvalidArgument, "invalid query",
                                   {{"from", "from and to are required"}}));
          }
          auto diff = s->DiffVersions(ctx.Param("code"), *from, *to);
          if (!diff) return Fail(ctx, diff.error());
          json::array changes;
          for (const auto& d : *diff) {
            changes.push_back(
                json::object{{"op", d.op}, {"path", d.path}, {"from", d.from}, {"to", d.to}});
          }
          return http::Cacheable(ctx,
                                 http::Json(http::Status::ok, {{"code", ctx.Param("code")},
                                                               {"from", *from},
                                                               {"to", *to},
                                                               {"changes", std::move(changes)}}),
                                 kImmutable);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/catalog/items/{code}/lineage", [s](Context& ctx) {
     auto links = s->Lineage(ctx.Param("code"));
     if (!links) return Fail(ctx, links.error());
     json::array items;
     for (const auto& l : *links) {
       items.push_back(json::object{{"from_code", l.from_code},
                                    {"from_version", l.from_version},
                                    {"to_code", l.to_code},
                                    {"to_version", l.to_version},
                                    {"kind", l.kind},
                                    {"change_id", l.change_id}});
     }
     return http::Json(http::Status::ok,
                       {{"code", ctx.Param("code")}, {"links", std::move(items)}});
   }).Public();
}

// Implementation lists: where and by whom each item is handled.
void AddImplementationRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/catalog/items/{code}/implementations", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 100, 1000);
     if (!page) return Fail(ctx, page.error());
     std::string next;
     auto list =
         s->ListImplementations(ctx.Param("code"), "", false, page->limit, page->cursor, &next);
     if (!list) return Fail(ctx, list.error());
     json::array items;
     for (const auto& m : *list) items.push_back(ImplementationJson(m));
     return http::Json(http::Status::ok,
                       {{"items", std::move(items)},
                        {"next_cursor", next.empty() ? json::value(nullptr) : json::value(next)}});
   }).Public();

  r.Put("/api/v1/catalog/items/{code}/implementations/{region}", [s](Context& ctx) {
     auto body = http::ParseJsonObject(ctx);
     if (!body) return Fail(ctx, body.error());
     auto m = s->PutImplementation(ctx.Who().name_for_audit, ctx.Param("code"), ctx.Param("region"),
                                   *body);
     if (!m) return Fail(ctx, m.error());
     return http::Json(http::Status::ok, ImplementationJson(*m));
   }).Requires(authz::Action::kManageCatalog);

  r.Delete("/api/v1/catalog/items/{code}/implementations/{region}", [s](Context& ctx) {
     if (auto st = s->DeleteImplementation(ctx.Param("code"), ctx.Param("region")); !st)
       return Fail(ctx, st.error());
     return Response{http::Status::no_content, 11};
   }).Requires(authz::Action::kManageCatalog);

  r.Get("/api/v1/catalog/implementations", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 100, 1000);
     if (!page) return Fail(ctx, page.error());
     auto nr = ctx.Query("needs_review");
     std::string region = ctx.Query("region").value_or("");
     if (!region.empty() && !regions::LevelOfCode(region)) {
       return Fail(ctx, Error(Code::kInvalidArgument, "invalid query",
                              {{"region", "must be a region code"}}));
     }
     std::string next;
     auto list = s->ListImplementations(ctx.Query("item").value_or(""), region,
                                        nr && (*nr == "true" || *nr == "1"), page->limit,
                                        page->cursor, &next);
     if (!list) return Fail(ctx, list.error());
     json::array items;
     for (const auto& m : *list) items.push_back(ImplementationJson(m));
     return http::Json(http::Status::ok,
                       {{"items", std::move(items)},
                        {"next_cursor", next.empty() ? json::value(nullptr) : json::value(next)}});
   }).Public();
}

// Changes to the catalog and their review (administrators only).
void AddChangeRoutes(http::Router& r, Service* s) {
  // Changes: administrators only.
  r.Get("/api/v1/catalog/changes", [s](Context& ctx) {
     auto page = http::ParsePage(ctx, 50, 200);
     if (!page) return Fail(ctx, page.error());
     int64_t after = 0;
     if (!page->cursor.empty()) {
       auto decoded = text::Base64UrlDecode(page->cursor);
       auto n = decoded ? text::ParseInt(*decoded, 0, INT64_MAX) : std::nullopt;
       if (!n)
         return Fail(ctx, Error(Code::kInvalidArgument, "invalid query",
                                {{"cursor", "is not a cursor this API returned"}}));
       after = *n;
     }
     auto list = s->ListChanges(ctx.Query("status").value_or(""), after, page->limit + 1);
     if (!list) return Fail(ctx, list.error());
     std::string next;
     if (static_cast<int>(list->size()) > page->limit) {
       list->pop_back();
       next = text::Base64UrlEncode(std::to_string(list->back().id));
     }
     json::array items;
     for (const auto& c : *list) items.push_back(ChangeJson(c));
     return http::Json(http::Status::ok,
                       {{"items", std::move(items)},
                        {"next_cursor", next.empty() ? json::value(nullptr) : json::value(next)}});
   }).Requires(authz::Action::kManageCatalog);

  r.Post("/api/v1/catalog/changes", [s](Context& ctx) {
     auto body = http::ParseJsonObject(ctx);
     if (!body) return Fail(ctx, body.error());
     auto c = s->CreateChange(ctx.Who().name_for_audit, *body);
     if (!c) return Fail(ctx, c.error());
     Response res = ChangeResponse(http::Status::created, *c);
     res.set(http::Field::location, "/api/v1/catalog/changes/" + std::to_string(c->id));
     return res;
   }).Requires(authz::Action::kManageCatalog);

  r.Get("/api/v1/catalog/changes/{id}", [s](Context& ctx) {
     auto id = PathInt(ctx, "id");
     if (!id) return Fail(ctx, id.error());
     auto c = s->GetChange(*id);
     if (!c) return Fail(ctx, c.error());
     return ChangeResponse(http::Status::ok, *c);
   }).Requires(authz::Action::kManageCatalog);

  r.Put("/api/v1/catalog/changes/{id}", [s](Context& ctx) {
     auto id = PathInt(ctx, "id");
     if (!id) return Fail(ctx, id.error());
     auto revision = http::IfMatchVersion(ctx, 'r');
     if (!revision) return Fail(ctx, revision.error());
     auto body = http::ParseJsonObject(ctx);
     if (!body) return Fail(ctx, body.error());
     auto c = s->EditChange(ctx.Who().name_for_audit, *id, *body, *revision);
     if (!c) return Fail(ctx, c.error());
     return ChangeResponse(http::Status::ok, *c);
   }).Requires(authz::Action::kManageCatalog);

  auto action = [&r, s](const char* name, auto fn) {
    r.Post(std::string("/api/v1/catalog/changes/{id}/") + name, [s, fn](Context& ctx) {
       auto id = PathInt(ctx, "id");
       if (!id) return Fail(ctx, id.error());
       std::string comment;
       if (!ctx.request.body().empty()) {
         auto body = http::ParseJsonObject(ctx);
         if (!body) return Fail(ctx, body.error());
         for (const auto& kv : *body) {
           if (kv.key() != "comment") {
             return Fail(ctx, Error(Code::kInvalidArgument, "invalid request",
                                    {{std::string(kv.key()), "is not a review field"}}));
           }
         }
         if (const json::value* c = body->if_contains("comment"); c && c->is_string())
           comment = c->as_string();
       }
       auto c = fn(*s, ctx.Who().name_for_audit, *id, comment);
       if (!c) return Fail(ctx, c.error());
       return ChangeResponse(http::Status::ok, *c);
     }).Requires(authz::Action::kManageCatalog);
  };
  action("submit", [](Service& sv, const std::string& who, int64_t id, const std::string&) {
    return sv.Submit(who, id);
  });
  action("approve", [](Service& sv, const std::string& who, int64_t id, const std::string& c) {
    return sv.Approve(who, id, c);
  });
  action("reject", [](Service& sv, const std::string& who, int64_t id, const std::string& c) {
    return sv.Reject(who, id, c);
  });
  action("withdraw", [](Service& sv, const std::string& who, int64_t id, const std::string&) {
    return sv.Withdraw(who, id);
  });
}

// "One thing" bundles.
void AddBundleRoutes(http::Router& r, Service* s, http::ResponseCache* cache) {
  r.Get("/api/v1/catalog/bundles",
        [s](Context& ctx) {
          auto list = s->ListBundles();
          if (!list) return Fail(ctx, list.error());
          json::array items;
          for (const auto& b : *list) items.push_back(BundleJson(b));
          return http::Cacheable(ctx, http::Json(http::Status::ok, {{"items", std::move(items)}}),
                                 kCurrent);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/catalog/bundles/{code}",
        [s](Context& ctx) {
          auto b = s->GetBundle(ctx.Param("code"));
          if (!b) return Fail(ctx, b.error());
          return http::Cacheable(ctx, http::Json(http::Status::ok, BundleJson(*b)), kCurrent);
        })
      .Public()
      .CacheIn(cache);

  r.Put("/api/v1/catalog/bundles/{code}", [s](Context& ctx) {
     auto body = http::ParseJsonObject(ctx);
     if (!body) return Fail(ctx, body.error());
     auto b = s->PutBundle(ctx.Param("code"), *body);
     if (!b) return Fail(ctx, b.error());
     return http::Json(http::Status::ok, BundleJson(*b));
   }).Requires(authz::Action::kManageCatalog);

  r.Delete("/api/v1/catalog/bundles/{code}", [s](Context& ctx) {
     if (auto st = s->DeleteBundle(ctx.Param("code")); !st) return Fail(ctx, st.error());
     return Response{http::Status::no_content, 11};
   }).Requires(authz::Action::kManageCatalog);
}

// Export and import of the whole catalog (catalog/exchange.cc).
void AddExchangeRoutes(http::Router& r, Service* s) {
  r.Get("/api/v1/catalog/export", [s](Context& ctx) {
     std::string format = ctx.Query("format").value_or("json");
     if (format == "json") {
       auto doc = s->ExportJson();
       if (!doc) return Fail(ctx, doc.error());
       Response res = http::Json(http::Status::ok, *doc);
       res.set(http::Field::content_disposition, "attachment; filename=\"catalog.json\"");
       return res;
     }
     if (format == "csv") {
       auto text = s->ExportCsv();
       if (!text) return Fail(ctx, text.error());
       Response res{http::Status::ok, 11};
       res.set(http::Field::content_type, "text/csv; charset=utf-8");
       res.set(http::Field::content_disposition, "attachment; filename=\"catalog.csv\"");
       res.body() = std::move(*text);
       res.prepare_payload();
       return res;
     }
     return Fail(
         ctx, Error(Code::kInvalidArgument, "invalid query", {{"format", "must be json or csv"}}));
   }).Public();

  r.Add(http::Verb::post, "/api/v1/catalog/import",
        [s](Context& ctx) {
          std::string_view ct = ctx.request[http::Field::content_type];
          std::string format = ct.rfind("text/csv", 0) == 0 ? "csv" : "json";
          auto report =
              s->Import(ctx.Who().name_for_audit, format, ctx.request.body(), /*publish=*/false);
          if (!report) return Fail(ctx, report.error());
          Response res =
              http::Json(http::Status::accepted, {{"rows", report->rows},
                                                  {"change_id", report->change_id},
                                                  {"change_status", report->change_status}});
          res.set(http::Field::location,
                  "/api/v1/catalog/changes/" + std::to_string(report->change_id));
          return res;
        },
        {"application/json", "text/csv"})
      .Requires(authz::Action::kManageCatalog)
      .Blocking();  // a large file takes a while to check
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;
  // Published guides, versions and bundles change only when a change is published:
  // serve repeats from memory for a few seconds (another process's import shows
  // within that time; this process's writes at once).
  http::ResponseCache* cache =
      r.NewCache(std::chrono::seconds(10), 100000, [s] { return s->Generation(); });
  AddItemRoutes(r, s, cache);
  AddImplementationRoutes(r, s);
  AddChangeRoutes(r, s);
  AddBundleRoutes(r, s, cache);
  AddExchangeRoutes(r, s);
}

}  // namespace ow::catalog
