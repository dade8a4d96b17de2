#include "exchange/demo.h"

#include <boost/json.hpp>
#include <chrono>

#include "core/clock.h"
#include "crypto/random.h"
#include "departments/service.h"
#include "exchange/bases.h"
#include "exchange/store.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;

std::string Str(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> Names(const json::object& o, const char* k) {
  std::vector<std::string> out;
  const auto* v = o.if_contains(k);
  if (v && v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

const json::array& Array(const json::object& o, const char* k) {
  static const json::array kEmpty;
  const auto* v = o.if_contains(k);
  return v && v->is_array() ? v->as_array() : kEmpty;
}

}  // namespace

Result<DemoCounts> SeedDemo(db::Database& db, const json::value& doc) {
  if (!doc.is_object()) return InvalidArgument("exchange.json must be a JSON object");
  const auto& root = doc.as_object();
  DemoCounts counts;
  std::string now = NowText();
  OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
    counts = {};
    for (const auto& e : Array(root, "resources")) {
      if (!e.is_object()) return InvalidArgument("exchange.json: a resource is not an object");
      const auto& o = e.as_object();
      Resource r;
      r.code = Str(o, "code");
      OW_ASSIGN_OR_RETURN(auto latest, Store::Latest(c, r.code));
      if (latest) continue;
      auto d = departments::Service::Get(c, Str(o, "department_code"));
      if (!d) return InvalidArgument("exchange.json " + r.code + ": no such department");
      r.version = 1;
      r.status = kPublished;
      r.department_code = d->code;
      r.region_code = d->region_code;
      r.name_zh = Str(o, "name_zh");
      r.name_en = Str(o, "name_en");
      r.description = Str(o, "description");
      r.subject_kind = Str(o, "subject_kind");
      r.share_type = Str(o, "share_type");
      r.conditions = Str(o, "conditions");
      r.update_cycle = Str(o, "update_cycle");
      r.source = Str(o, "source");
      r.adapter_url = Str(o, "adapter_url");
      for (const auto& f : Array(o, "fields")) {
        if (!f.is_object()) continue;
        const auto& fo = f.as_object();
        const auto* p = fo.if_contains("personal");
        r.fields.push_back({Str(fo, "name"), Str(fo, "type"), Str(fo, "label_zh"),
                            Str(fo, "label_en"), p && p->is_bool() && p->as_bool()});
      }
      r.created_by = r.submitted_by = r.reviewed_by = "seed-demo";
      r.created_at = r.submitted_at = r.reviewed_at = now;
      OW_RETURN_IF_ERROR(Store::InsertResource(c, r));
      ++counts.resources;
    }
    for (const auto& base : Bases()) {
      std::string name(base.name);
      for (const auto& e : Array(root, name.c_str())) {
        if (!e.is_object()) return InvalidArgument("exchange.json: a record is not an object");
        Validator v;
        auto rec = CheckRecord(base, e.as_object(), name, v);
        OW_RETURN_IF_ERROR(v.Finish("exchange.json"));
        std::string key(rec->at(base.key).as_string());
        OW_ASSIGN_OR_RETURN(
            bool created, Store::PutRecord(c, name, key, json::serialize(*rec), "seed-demo", now));
        (void)created;
        if (!base.subject_fields.empty())
          OW_RETURN_IF_ERROR(Store::PutLinks(c, name, key, SubjectsOf(base, *rec)));
        ++counts.records;
      }
    }
    for (const auto& e : Array(root, "systems")) {
      if (!e.is_object()) return InvalidArgument("exchange.json: a system is not an object");
      const auto& o = e.as_object();
      auto d = departments::Service::Get(c, Str(o, "department_code"));
      if (!d) return InvalidArgument("exchange.json: a system's department does not exist");
      System s{Str(o, "client_id"), d->code, d->region_code, "seed-demo", now};
      OW_RETURN_IF_ERROR(Store::PutSystem(c, s));
      for (const auto& g : Array(o, "grants")) {
        if (!g.is_object()) continue;
        const auto& go = g.as_object();
        OW_ASSIGN_OR_RETURN(auto live, Store::LatestGrant(c, s.client_id, Str(go, "resource")));
        if (live && live->status == kGranted && live->expires_at > now) continue;
        OW_ASSIGN_OR_RETURN(auto r, Store::Published(c, Str(go, "resource")));
        if (!r) return InvalidArgument("exchange.json: a grant names an unknown resource");
        Application a;
        a.id = "XA" + crypto::RandomToken(12);
        a.client_id = s.client_id;
        a.consumer_department = s.department_code;
        a.resource_code = r->code;
        a.provider_department = r->department_code;
        a.provider_region = r->region_code;
        a.purpose = Str(go, "purpose");
        a.legal_basis = Str(go, "legal_basis");
        a.fields = Names(go, "fields");
        a.valid_days = 366;
        a.status = kGranted;
        a.created_at = a.decided_at = now;
        a.decided_by = "seed-demo";
        a.expires_at = FormatTime(std::chrono::system_clock::now() + std::chrono::hours(24 * 366));
        OW_RETURN_IF_ERROR(Store::InsertApplication(c, a));
        ++counts.grants;
      }
    }
    return {};
  }));
  return counts;
}

}  // namespace ow::exchange
