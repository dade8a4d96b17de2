#include "app/demo.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "appointments/routes.h"
#include "audit/audit.h"
#include "calendar/service.h"
#include "catalog/service.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "db/shared_state.h"
#include "departments/service.h"
#include "exchange/demo.h"
#include "exchange_log/log.h"
#include "identity/keys.h"
#include "identity/service.h"
#include "licences/service.h"
#include "oidc/store.h"
#include "processes/service.h"
#include "regions/service.h"

namespace ow::app {

audit::Event ToAuditEvent(const identity::AuditEvent& e) {
  audit::Event ev{e.action, e.actor, e.subject, e.outcome, e.ip, "", {}};
  for (const auto& [k, v] : e.detail) ev.detail[k] = v;
  return ev;
}

identity::AuditSink DirectAuditSink(db::Database& db) {
  return [&db](db::Connection* c, const identity::AuditEvent& e) -> Status {
    audit::Event ev = ToAuditEvent(e);
    if (c) return audit::Append(*c, ev);
    return db.Transact([&](db::Connection& own) { return audit::Append(own, ev); });
  };
}

namespace {

Result<int64_t> SeedAccounts(db::Database& db, departments::Service& departments,
                             const Config& config, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return int64_t{0};
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("accounts"))
    return InvalidArgument(path + " must be an object with \"password\" and \"accounts\"");
  OW_ASSIGN_OR_RETURN(auto keys, identity::LoadKeys(config));
  identity::Service identity(db, departments, std::move(keys), config);
  identity.SetAuditSink(DirectAuditSink(db));
  auto str = [](const boost::json::object& o, const char* key) -> std::string {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  std::string password = str(doc.as_object(), "password");
  int64_t created = 0;
  for (const auto& item : doc.at("accounts").as_array()) {
    const auto& o = item.as_object();
    identity::RegisterInput a{str(o, "username"),    password,        str(o, "real_name"),
                              str(o, "resident_id"), str(o, "phone"), str(o, "department_code"),
                              str(o, "region_code")};
    std::vector<identity::RoleInput> roles;
    if (auto* rs = o.if_contains("roles"); rs && rs->is_array()) {
      for (const auto& r : rs->as_array()) {
        const auto& ro = r.as_object();
        roles.push_back({str(ro, "role"), str(ro, "department_code"), str(ro, "region_code")});
      }
    }
    auto made = identity.Bootstrap(a, str(o, "kind"), roles);
    if (!made) {
      if (made.error().code == Code::kAlreadyExists) continue;  // idempotent
      return Error(made.error().code, path + " " + a.username + ": " + made.error().message,
                   made.error().fields);
    }
    // Demo residents may be seeded as verified (as if they had shown their ID card).
    if (int level = identity::LevelOf(str(o, "identity_level")); level > 1) {
      auto raised =
          identity.RaiseIdentity(made->id, level, "bootstrap", "bootstrap", "bootstrap", "", {});
      if (!raised)
        return Error(raised.error().code, path + " " + a.username + ": " + raised.error().message);
    }
    ++created;
  }
  return created;
}

// Publishes each year of calendar.json whose days differ from what is stored.
Result<int64_t> SeedCalendar(db::Database& db, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return int64_t{0};
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  const boost::json::value* years =
      !ec && doc.is_object() ? doc.as_object().if_contains("years") : nullptr;
  if (!years || !years->is_array())
    return InvalidArgument(path + " must be an object with a \"years\" array");
  calendar::Service calendar(db);
  int64_t changed = 0;
  for (const auto& entry : years->as_array()) {
    const auto* o = entry.if_object();
    const auto* year = o ? o->if_contains("year") : nullptr;
    if (!year || !year->is_int64()) return InvalidArgument(path + ": every year needs a \"year\"");
    calendar::YearInput input;
    for (auto [key, out] :
         {std::pair{"holidays", &input.holidays}, std::pair{"working_days", &input.working_days}}) {
      if (const auto* list = o->if_contains(key); list && list->is_array()) {
        for (const auto& d : list->as_array()) {
          out->push_back(d.is_string() ? std::string(d.as_string()) : std::string());
        }
      }
    }
    int y = static_cast<int>(year->as_int64());
    if (auto existing = calendar.Get(y)) {
      auto text = [](const std::vector<Date>& days) {
        std::vector<std::string> out;
        out.reserve(days.size());
        for (Date d : days) out.push_back(FormatDate(d));
        return out;
      };
      auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
      };
      if (text(existing->holidays) == sorted(input.holidays) &&
          text(existing->working_days) == sorted(input.working_days)) {
        continue;  // idempotent: no new version for nothing
      }
    }
    auto put = calendar.Put(y, input, std::nullopt, "seed-demo");
    if (!put) {
      return Error(put.error().code, path + " " + std::to_string(y) + ": " + put.error().message,
                   put.error().fields);
    }
    ++changed;
  }
  return changed;
}

Result<boost::json::value> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  if (ec) return InvalidArgument(path + " is not JSON: " + ec.message());
  return doc;
}

// `dir`/licences.json: licence types, departments' seals with their holders, and the
// processes (BPMN files beside it) that issue licences, assigned to their items.
Status SeedLicences(db::Database& db, const std::string& dir, const Config& config,
                    departments::Service& departments, catalog::Service& catalog,
                    DemoSummary& summary) {
  std::string path = dir + "/licences.json";
  auto doc = ReadJson(path);
  if (!doc) return doc.error().code == Code::kNotFound ? Status() : Status(doc.error());
  if (!doc->is_object()) return InvalidArgument(path + " must be a JSON object");
  const auto& o = doc->as_object();
  auto str = [](const boost::json::object& x, const char* key) -> std::string {
    auto* v = x.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  OW_ASSIGN_OR_RETURN(auto keys, identity::LoadKeys(config));
  identity::Service identity(db, departments, std::move(keys), config);
  identity.SetAuditSink(DirectAuditSink(db));
  licences::Service licences(db, identity, departments, {});
  OW_RETURN_IF_ERROR(licences.Bootstrap());
  identity::Principal seeder;
  seeder.via = authz::Via::kAdminToken;
  seeder.name_for_audit = "seed-demo";
  if (const auto* types = o.if_contains("types"); types && types->is_array()) {
    for (const auto& t : types->as_array()) {
      if (!t.is_object()) return InvalidArgument(path + ": every type must be an object");
      const auto& to = t.as_object();
      licences::LicenceType type;
      type.code = str(to, "code");
      type.name = str(to, "name");
      type.name_en = str(to, "name_en");
      type.department_code = str(to, "department_code");
      type.holder_kind = str(to, "holder_kind");
      if (const auto* schema = to.if_contains("schema")) type.schema = *schema;
      if (const auto* m = to.if_contains("validity_months"); m && m->is_int64())
        type.validity_months = m->as_int64();
      type.trust_level = str(to, "trust_level");
      type.number_prefix = str(to, "number_prefix");
      if (const auto* items = to.if_contains("issued_by_items"); items && items->is_array())
        for (const auto& i : items->as_array())
          if (i.is_string()) type.issued_by_items.emplace_back(i.as_string());
      if (const auto* b = to.if_contains("one_per_holder"); b && b->is_bool())
        type.one_per_holder = b->as_bool();
      if (const auto* d = to.if_contains("document"); d && d->is_object())
        type.document = d->as_object();
      if (const auto* f = to.if_contains("from_form"); f && f->is_object())
        type.from_form = f->as_object();
      auto existing = licences.GetType(type.code);
      auto saved = licences.PutType(seeder, type, existing ? existing->version : 0);
      if (!saved)
        return Error(saved.error().code, path + " " + type.code + ": " + saved.error().message,
                     saved.error().fields);
      ++summary.licence_types;
    }
  }
  if (const auto* seals = o.if_contains("seals"); seals && seals->is_array()) {
    for (const auto& x : seals->as_array()) {
      if (!x.is_object()) return InvalidArgument(path + ": every seal must be an object");
      licences::SealInput in;
      in.department_code = str(x.as_object(), "department_code");
      in.kind = str(x.as_object(), "kind");
      std::vector<std::string> holders;
      if (const auto* h = x.as_object().if_contains("holders"); h && h->is_array())
        for (const auto& u : h->as_array())
          if (u.is_string()) holders.emplace_back(u.as_string());
      auto seal = licences.EnsureSeal(in, holders);
      if (!seal)
        return Error(seal.error().code,
                     path + " seal of " + in.department_code + ": " + seal.error().message,
                     seal.error().fields);
      ++summary.seals;
    }
  }
  processes::Service processes(db, catalog);
  if (const auto* list = o.if_contains("processes"); list && list->is_array()) {
    for (const auto& p : list->as_array()) {
      if (!p.is_object()) return InvalidArgument(path + ": every process must be an object");
      std::string file = dir + "/" + str(p.as_object(), "file");
      std::ifstream in(file, std::ios::binary);
      if (!in) return InvalidArgument("cannot read " + file);
      std::stringstream xml;
      xml << in.rdbuf();
      std::string key = str(p.as_object(), "key");
      auto published = processes.Publish("seed-demo", key, xml.str());
      if (!published)
        return Error(published.error().code, file + ": " + published.error().message,
                     published.error().fields);
      if (const auto* items = p.as_object().if_contains("items"); items && items->is_array())
        for (const auto& i : items->as_array())
          if (i.is_string())
            OW_RETURN_IF_ERROR(processes.Assign("seed-demo", std::string(i.as_string()), key));
    }
  }
  return {};
}

}  // namespace

// Creates or replaces each hall of halls.json whose stored form differs (idempotent).
Result<int64_t> SeedHalls(db::Database& db, catalog::Service& catalog, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;  // optional file
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  if (ec || !doc.is_array()) return InvalidArgument(path + " must be a JSON array of halls");
  int64_t changed = 0;
  for (const auto& entry : doc.as_array()) {
    if (!entry.is_object()) return InvalidArgument(path + ": every hall must be an object");
    boost::json::object o = entry.as_object();
    const auto* code = o.if_contains("code");
    if (!code || !code->is_string()) return InvalidArgument(path + ": a hall without a code");
    std::string c(code->as_string());
    auto input = appointments::ParseHallInput(o);
    if (!input)
      return Error(input.error().code, path + " " + c + ": " + input.error().message,
                   input.error().fields);
    bool changed_hall = false;
    auto put = appointments::PutHall(db, catalog, c, *input, std::nullopt,
                                     std::chrono::system_clock::now(), &changed_hall);
    if (!put)
      return Error(put.error().code, path + " " + c + ": " + put.error().message,
                   put.error().fields);
    if (changed_hall) ++changed;
  }
  return changed;
}

// `dir`/data-uses.json: entries of the exchange's message log, appended through
// exchange_log::Log as the exchange appends them, only while the log is empty.
Result<int64_t> SeedDataUses(db::Database& db, const Config& config, const std::string& path) {
  auto doc = ReadJson(path);
  if (!doc) return doc.error().code == Code::kNotFound ? Result<int64_t>(0) : doc.error();
  const auto* uses = doc->is_object() ? doc->as_object().if_contains("uses") : nullptr;
  if (!uses || !uses->is_array()) return InvalidArgument(path + " must have a \"uses\" array");
  OW_ASSIGN_OR_RETURN(auto keys, identity::LoadKeys(config));
  exchange_log::Log log(keys.Derive("exchange_log.subject"));
  auto str = [](const boost::json::object& x, const char* key) -> std::string {
    auto* v = x.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  int64_t added = 0;
  OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
    added = 0;
    OW_ASSIGN_OR_RETURN(auto n, c.Query("SELECT count(*) FROM exchange_log"));
    if (n.Int(0, 0) > 0) return {};
    for (const auto& u : uses->as_array()) {
      if (!u.is_object()) return InvalidArgument(path + ": every use must be an object");
      const auto& o = u.as_object();
      exchange_log::Entry e;
      e.consumer_client = str(o, "consumer_client");
      e.consumer_department = str(o, "consumer_department");
      e.provider_department = str(o, "provider_department");
      e.resource_code = str(o, "resource_code");
      e.resource_version = 1;
      e.subject_kind = "person";
      e.subject_id = str(o, "subject_id");
      e.purpose = str(o, "purpose");
      e.legal_basis = str(o, "legal_basis");
      if (!str(o, "case_tracking").empty()) e.case_tracking = str(o, "case_tracking");
      if (const auto* f = o.if_contains("fields"); f && f->is_array())
        for (const auto& x : f->as_array())
          if (x.is_string()) e.fields.emplace_back(x.as_string());
      e.outcome = str(o, "outcome");
      e.refusal_reason = str(o, "refusal_reason");
      e.request_digest = crypto::HexEncode(crypto::Sha256(str(o, "request")));
      if (e.outcome == "answered")
        e.response_digest = crypto::HexEncode(crypto::Sha256(str(o, "response")));
      auto appended = log.Append(c, e);
      if (!appended)
        return Error(appended.error().code, path + ": " + appended.error().message,
                     appended.error().fields);
      ++added;
    }
    return {};
  }));
  return added;
}

// demo/exchange.json: the demo department systems' OpenID Connect clients (client
// credentials, scope exchange, the documented demo secret), then the exchange's resources,
// base records and grants.
Result<int64_t> SeedExchange(db::Database& db, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return int64_t{0};
  OW_ASSIGN_OR_RETURN(auto doc, ReadJson(path));
  if (!doc.is_object()) return InvalidArgument(path + " must be a JSON object");
  const auto* systems = doc.as_object().if_contains("systems");
  if (systems && systems->is_array()) {
    OW_RETURN_IF_ERROR(db.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto clients, oidc::Store::Clients(c));
      for (const auto& s : systems->as_array()) {
        if (!s.is_object()) continue;
        const auto& o = s.as_object();
        auto str = [&](const char* k) {
          const auto* v = o.if_contains(k);
          return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        bool exists = std::any_of(clients.begin(), clients.end(), [&](const oidc::Client& k) {
          return k.client_id == str("client_id");
        });
        if (exists) continue;
        oidc::Client k;
        k.client_id = str("client_id");
        k.name = str("name");
        k.type = "confidential";
        // A system without a demo secret (the platform's own case handling) gets one
        // nobody knows: it never asks for tokens.
        std::string secret = str("client_secret");
        if (secret.empty()) secret = crypto::RandomToken(32);
        k.secret_hash = crypto::Base64UrlEncode(crypto::Sha256(secret));
        k.grant_types = {"client_credentials"};
        k.scopes = {"exchange"};
        k.id_token_alg = "ES256";
        k.created_by = "seed-demo";
        k.created_at = NowText();
        OW_RETURN_IF_ERROR(oidc::Store::InsertClient(c, k));
        OW_RETURN_IF_ERROR(db::BumpGeneration(c, oidc::kClientsGeneration));
      }
      return {};
    }));
  }
  OW_ASSIGN_OR_RETURN(auto counts, exchange::SeedDemo(db, doc));
  return counts.resources + counts.records + counts.grants;
}

Result<DemoSummary> SeedDemo(db::Database& db, const std::string& dir, const Config* config) {
  DemoSummary summary;
  regions::Service regions(db);
  OW_ASSIGN_OR_RETURN(auto imported, regions.Import(dir + "/regions"));
  summary.regions = imported.rows;

  std::ifstream in(dir + "/departments.json", std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + dir + "/departments.json");
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(buf.str(), ec);
  if (ec || !doc.is_array()) return InvalidArgument(dir + "/departments.json must be a JSON array");

  departments::Service departments(db, regions);
  auto str = [](const boost::json::object& o, const char* key) -> std::string {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  // Parents are listed before their children in the file.
  for (const auto& item : doc.as_array()) {
    if (!item.is_object())
      return InvalidArgument("departments.json: every entry must be an object");
    const auto& o = item.as_object();
    departments::DepartmentInput d{str(o, "code"), str(o, "name"),        str(o, "name_en"),
                                   str(o, "type"), str(o, "region_code"), str(o, "parent_code")};
    auto existing = departments.Get(d.code);
    if (existing) {
      bool same = existing->name == d.name && existing->name_en == d.name_en &&
                  existing->type == d.type && existing->region_code == d.region_code &&
                  existing->parent_code == d.parent_code;
      if (same) continue;  // idempotent: no new version for nothing
      OW_RETURN_IF_ERROR(departments.Update(d.code, d, std::nullopt));
      ++summary.departments_updated;
    } else {
      auto created = departments.Create(d);
      if (!created) {
        return Error(created.error().code,
                     "departments.json " + d.code + ": " + created.error().message,
                     created.error().fields);
      }
      ++summary.departments_created;
    }
  }
  catalog::Service catalog(db, regions, departments);
  std::ifstream catalog_in(dir + "/catalog.json", std::ios::binary);
  if (catalog_in) {
    std::stringstream cbuf;
    cbuf << catalog_in.rdbuf();
    auto report = catalog.Import("seed-demo", "json", cbuf.str(), /*publish=*/true);
    if (!report) {
      return Error(report.error().code, "catalog.json: " + report.error().message,
                   report.error().fields);
    }
    summary.catalog_items = report->rows;
  }
  OW_ASSIGN_OR_RETURN(summary.calendar_years, SeedCalendar(db, dir + "/calendar.json"));
  OW_ASSIGN_OR_RETURN(summary.halls, SeedHalls(db, catalog, dir + "/halls.json"));
  OW_ASSIGN_OR_RETURN(summary.exchange, SeedExchange(db, dir + "/exchange.json"));
  if (config) {
    OW_ASSIGN_OR_RETURN(summary.accounts_created,
                        SeedAccounts(db, departments, *config, dir + "/accounts.json"));
    // After the accounts: seals name their holders.
    OW_RETURN_IF_ERROR(SeedLicences(db, dir, *config, departments, catalog, summary));
    OW_ASSIGN_OR_RETURN(summary.data_uses, SeedDataUses(db, *config, dir + "/data-uses.json"));
  }
  return summary;
}

}  // namespace ow::app
