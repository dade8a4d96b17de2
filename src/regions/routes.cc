#include "regions/routes.h"

#include <boost/json.hpp>

#include "http/problem.h"
#include "http/request_helpers.h"

namespace ow::regions {
namespace {

namespace json = boost::json;

// Region data changes only by import; clients and proxies may reuse it briefly.
constexpr std::string_view kCache = "public, max-age=300";

json::object ToJson(const Region& r) {
  json::object o;
  o["code"] = r.code;
  o["name"] = r.name;
  o["name_en"] = r.name_en;
  o["level"] = LevelName(r.level);
  if (r.parent_code.empty()) {
    o["parent_code"] = nullptr;
  } else {
    o["parent_code"] = r.parent_code;
  }
  return o;
}

json::object PageJson(const RegionPage& page) {
  json::array items;
  for (const auto& r : page.items) items.push_back(ToJson(r));
  json::object o;
  o["items"] = std::move(items);
  if (page.next_cursor.empty()) {
    o["next_cursor"] = nullptr;
  } else {
    o["next_cursor"] = page.next_cursor;
  }
  return o;
}

http::Response Children(http::Context& ctx, Service& s, const std::string& code) {
  auto page = http::ParsePage(ctx, 50, 500);
  if (!page) return http::Problem(page.error(), ctx.path);
  auto result = s.Children(code, page->limit, page->cursor);
  if (!result) return http::Problem(result.error(), ctx.path);
  return http::Cacheable(ctx, http::Json(http::Status::ok, PageJson(*result)), kCache);
}

}  // namespace

void AddRoutes(http::Router& r, Service& service) {
  Service* s = &service;
  // Regions change only by import: serve repeated reads from memory, no longer than
  // clients are told they may cache them anyway.
  http::ResponseCache* cache =
      r.NewCache(std::chrono::seconds(60), 200000, [s] { return s->Generation(); });
  r.Get("/api/v1/regions", [s](http::Context& ctx) { return Children(ctx, *s, ""); })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/regions/search",
        [s](http::Context& ctx) {
          auto page = http::ParsePage(ctx, 20, 200);
          if (!page) return http::Problem(page.error(), ctx.path);
          SearchQuery q;
          q.prefix = ctx.Query("q").value_or("");
          q.within = ctx.Query("within").value_or("");
          q.limit = page->limit;
          q.cursor = page->cursor;
          if (auto l = ctx.Query("level")) {
            q.level = ParseLevel(*l);
            if (!q.level) {
              return http::Problem(
                  Error(Code::kInvalidArgument, "invalid query",
                        {{"level", "must be province, city, county, township or village"}}),
                  ctx.path);
            }
          }
          auto result = s->Search(q);
          if (!result) return http::Problem(result.error(), ctx.path);
          return http::Cacheable(ctx, http::Json(http::Status::ok, PageJson(*result)), kCache);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/regions/{code}",
        [s](http::Context& ctx) {
          auto result = s->Get(ctx.Param("code"));
          if (!result) return http::Problem(result.error(), ctx.path);
          json::object o = ToJson(result->region);
          json::array ancestors;
          for (const auto& a : result->ancestors) ancestors.push_back(ToJson(a));
          o["ancestors"] = std::move(ancestors);
          return http::Cacheable(ctx, http::Json(http::Status::ok, o), kCache);
        })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/regions/{code}/children",
        [s](http::Context& ctx) { return Children(ctx, *s, ctx.Param("code")); })
      .Public()
      .CacheIn(cache);

  r.Get("/api/v1/regions/{code}/path",
        [s](http::Context& ctx) {
          auto result = s->Get(ctx.Param("code"));
          if (!result) return http::Problem(result.error(), ctx.path);
          json::array regions;
          std::string path, path_en;
          // The English path falls back to the Chinese name of a region that has no English one.
          auto english = [](const Region& x) { return x.name_en.empty() ? x.name : x.name_en; };
          for (const auto& a : result->ancestors) {
            regions.push_back(ToJson(a));
            path += a.name + " / ";
            path_en += english(a) + " / ";
          }
          regions.push_back(ToJson(result->region));
          path += result->region.name;
          path_en += english(result->region);
          // A missing ancestor (partial data) is reported instead of silently shortening the path.
          bool complete = result->ancestors.size() + 1 == static_cast<size_t>(result->region.level);
          json::object o{{"code", result->region.code},
                         {"path", path},
                         {"path_en", path_en},
                         {"complete", complete},
                         {"regions", std::move(regions)}};
          return http::Cacheable(ctx, http::Json(http::Status::ok, o), kCache);
        })
      .Public()
      .CacheIn(cache);
}

}  // namespace ow::regions
