#include "app/app.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "app/background.h"
#include "app/case_data.h"
#include "app/demo.h"
#include "app/idempotency.h"
#include "app/system_routes.h"
#include "appointments/routes.h"
#include "appointments/service.h"
#include "appointments/store.h"
#include "audit/audit.h"
#include "audit/routes.h"
#include "calendar/routes.h"
#include "calendar/store.h"
#include "cases/notices.h"
#include "cases/routes.h"
#include "cases/store.h"
#include "catalog/routes.h"
#include "catalog/store.h"
#include "core/log.h"
#include "crypto/random.h"
#include "db/shared_state.h"
#include "db/statements.h"
#include "departments/routes.h"
#include "departments/store.h"
#include "exchange/routes.h"
#include "exchange/service.h"
#include "exchange/store.h"
#include "exchange_log/log.h"
#include "exchange_log/routes.h"
#include "exchange_log/service.h"
#include "exchange_log/tsa.h"
#include "http/dispatcher.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/request_helpers.h"
#include "http/server.h"
#include "http/static_files.h"
#include "identity/authn.h"
#include "identity/routes.h"
#include "identity/service.h"
#include "identity/store.h"
#include "indicators/routes.h"
#include "indicators/service.h"
#include "indicators/store.h"
#include "licences/routes.h"
#include "licences/service.h"
#include "licences/store.h"
#include "materials/routes.h"
#include "materials/service.h"
#include "materials/store.h"
#include "notify/routes.h"
#include "notify/service.h"
#include "notify/store.h"
#include "oidc/provider.h"
#include "oidc/routes.h"
#include "oidc/store.h"
#include "processes/routes.h"
#include "processes/service.h"
#include "processes/store.h"
#include "ratings/notices.h"
#include "ratings/routes.h"
#include "ratings/service.h"
#include "ratings/store.h"
#include "regions/routes.h"
#include "regions/store.h"
#include "supervise/notices.h"
#include "supervise/routes.h"
#include "supervise/service.h"
#include "supervise/store.h"
#include "tickets/notices.h"
#include "tickets/routes.h"
#include "tickets/service.h"
#include "tickets/store.h"
#include "webhooks/routes.h"
#include "webhooks/service.h"
#include "webhooks/store.h"

namespace ow::app {

namespace json = boost::json;

std::vector<db::Migration> AllMigrations() {
  std::vector<db::Migration> all;
  for (auto list :
       {db::SharedStateMigrations(), regions::Migrations(),      departments::Migrations(),
        catalog::Migrations(),       audit::Migrations(),        identity::Migrations(),
        oidc::Migrations(),          processes::Migrations(),    calendar::Migrations(),
        materials::Migrations(),     cases::Migrations(),        notify::Migrations(),
        licences::Migrations(),      appointments::Migrations(), tickets::Migrations(),
        ratings::Migrations(),       supervise::Migrations(),    indicators::Migrations(),
        exchange_log::Migrations(),  exchange::Migrations(),     IdempotencyMigrations(),
        webhooks::Migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

Result<std::unique_ptr<db::Database>> OpenDatabase(const Config& config) {
  db::Options options;
  options.pool_size = static_cast<int>(config.db_pool_size);
  options.busy_timeout_ms = static_cast<int>(config.db_busy_timeout_ms);
  options.connect_timeout_ms = static_cast<int>(config.db_connect_timeout_ms);
  options.statement_timeout_ms = static_cast<int>(config.db_statement_timeout_ms);
  options.pool_wait_ms = static_cast<int>(config.db_pool_wait_ms);
  OW_ASSIGN_OR_RETURN(auto db, db::Open(config.database_url, options));
  OW_ASSIGN_OR_RETURN(int applied, db::Migrate(*db, AllMigrations()));
  log::Info("db.ready", {{"dialect", std::string(db::DialectName(db->dialect()))},
                         {"url", MaskUrl(config.database_url)},
                         {"migrations_applied", applied}});
  return db;
}

// This process among the nodes sharing the database: host, process id and a random part
// (a restarted process with a recycled id is a new holder).
std::string NodeName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "node");
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + crypto::RandomToken(6);
}

// The materials store as the cases module sees it (cases::MaterialDirectory).
class MaterialDirectory final : public cases::MaterialDirectory {
 public:
  explicit MaterialDirectory(materials::Service& m) : m_(m) {}
  Result<std::vector<cases::MaterialInfo>> Find(const std::vector<std::string>& ids) override {
    std::vector<cases::MaterialInfo> out;
    // One statement for all of them (one round trip on PostgreSQL, not one per material).
    OW_ASSIGN_OR_RETURN(auto found, m_.GetMany(ids));
    for (const auto& m : found) {
      // An enterprise's material is owned by the enterprise as the cases module names it.
      std::string owner = m.owner_enterprise.empty()
                              ? m.owner_account_id
                              : identity::EnterpriseOwner(m.owner_enterprise);
      out.push_back({m.id, owner, m.filename, m.media_type, m.size, m.sha256});
    }
    return out;
  }
  Status HandOver(db::Connection& c, const std::vector<std::string>& ids,
                  const std::string& from_account, const std::string& to_account) override {
    return materials::Service::HandOver(c, ids, from_account, to_account);
  }
  int64_t max_case_bytes() const override { return static_cast<int64_t>(m_.max_case_bytes()); }

 private:
  materials::Service& m_;
};

struct App::Impl {
  Config config;
  std::unique_ptr<db::Database> db;
  std::unique_ptr<regions::Service> regions;
  std::unique_ptr<departments::Service> departments;
  std::unique_ptr<catalog::Service> catalog;
  std::unique_ptr<processes::Service> processes;
  std::unique_ptr<calendar::Service> calendar;
  std::unique_ptr<materials::Service> materials;
  std::unique_ptr<audit::Writer> audit;
  std::unique_ptr<identity::Service> identity;
  std::unique_ptr<identity::Authenticator> authn;
  std::unique_ptr<oidc::Provider> oidc;
  std::unique_ptr<oidc::Federation> federation;
  http::Router router;
  http::Metrics metrics;
  std::unique_ptr<http::StaticFiles> files;
  std::unique_ptr<http::Dispatcher> dispatcher;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<MaterialDirectory> material_directory;
  std::unique_ptr<notify::Service> notify;
  std::unique_ptr<indicators::Service> indicators;
  std::unique_ptr<cases::Service> cases;
  std::unique_ptr<licences::Service> licences;
  std::unique_ptr<appointments::Service> appointments;
  std::unique_ptr<tickets::Service> tickets;
  std::unique_ptr<ratings::Service> ratings;
  std::unique_ptr<supervise::Service> supervise;
  std::unique_ptr<exchange_log::Log> xlog;
  std::unique_ptr<exchange_log::Tsa> tsa;
  std::unique_ptr<exchange_log::Service> xlog_service;
  std::unique_ptr<exchange::Service> exchange;
  std::unique_ptr<CaseDataExchange> case_data;
  std::unique_ptr<webhooks::Service> webhooks;
  std::unique_ptr<Idempotency> idempotency;
  // Periodic work (workflow timers, reminders, outboxes): declared last, so it is stopped
  // and joined before the services it calls are destroyed.
  Background background;
};

App::App() : impl_(std::make_unique<Impl>()) {}
App::~App() = default;

Result<std::unique_ptr<App>> App::Create(const Config& config, bool handle_signals) {
  std::unique_ptr<App> app(new App());
  Impl& i = *app->impl_;
  i.config = config;
  OW_ASSIGN_OR_RETURN(auto listen, http::ParseListen(config.listen));
  OW_ASSIGN_OR_RETURN(i.db, OpenDatabase(config));
  // Background jobs run on one node at a time, under leases in the database.
  i.background.SetLeases(i.db.get(), NodeName(), std::chrono::seconds(config.job_lease_seconds));

  i.regions = std::make_unique<regions::Service>(*i.db);
  i.departments = std::make_unique<departments::Service>(*i.db, *i.regions);
  i.catalog = std::make_unique<catalog::Service>(*i.db, *i.regions, *i.departments);
  i.calendar = std::make_unique<calendar::Service>(*i.db);
  // Administrator tokens: the bootstrap one acts as "admin", named ones as their name.
  OW_ASSIGN_OR_RETURN(auto admin_tokens, http::ParseAdminTokens(config.admin_tokens));
  if (!config.admin_token.empty())
    admin_tokens.insert(admin_tokens.begin(), {"admin", config.admin_token});

  OW_ASSIGN_OR_RETURN(auto keys, identity::LoadKeys(config));
  i.identity = std::make_unique<identity::Service>(*i.db, *i.departments, std::move(keys), config);
  i.authn = std::make_unique<identity::Authenticator>(*i.identity, std::move(admin_tokens),
                                                      config.issuer);
  oidc::ProviderOptions po;
  po.issuer = config.issuer;
  po.access_token_seconds = config.access_token_seconds;
  po.refresh_token_days = config.refresh_token_days;
  po.key_overlap_hours = config.key_overlap_hours;
  i.oidc = std::make_unique<oidc::Provider>(*i.db, *i.identity, po);
  OW_RETURN_IF_ERROR(i.oidc->Init());
  oidc::Provider* provider = i.oidc.get();
  // Audit: state changes append in their own transaction; token issues (thousands a
  // second) go through the batching writer.
  i.audit = std::make_unique<audit::Writer>(*i.db);
  audit::Writer* writer = i.audit.get();
  identity::AuditSink sink = [writer](db::Connection* c, const identity::AuditEvent& e) -> Status {
    if (c) return audit::Append(*c, ToAuditEvent(e));
    return writer->Enqueue(ToAuditEvent(e));
  };
  i.identity->SetAuditSink(sink);
  i.oidc->SetAudit(sink, [writer](identity::AuditEvent e) {
    if (auto st = writer->Enqueue(ToAuditEvent(e)); !st)
      log::Warn("audit.enqueue_failed", {{"error", st.error().message}});
  });
  i.authn->SetBearerVerifier(
      [provider](const std::string& token) { return provider->VerifyAccessToken(token); });
  // Ending a session (the portal's logout or the OIDC end_session endpoint) ends what
  // it granted relying parties; ending all of them ends every grant of the account.
  i.identity->AddSessionEndHook(
      [provider](const std::string& session) { provider->RevokeSession(session); });
  i.identity->AddLogoutEverywhereHook([provider](const std::string& account, const std::string&) {
    provider->RevokeAccount(account);
  });
  identity::Authenticator* authn = i.authn.get();
  identity::CookieOptions cookie{config.cookie_secure != 0, config.session_hours * 3600};

  regions::AddRoutes(i.router, *i.regions);
  audit::AddRoutes(i.router, *i.db);
  audit::AddMetrics(i.metrics, *i.audit);
  identity::AddRoutes(i.router, *i.identity, *i.authn, cookie);
  i.federation = std::make_unique<oidc::Federation>(*i.db, *i.identity, *i.oidc);
  oidc::AddRoutes(i.router, *i.oidc, *i.federation, *i.authn, cookie);
  departments::AddRoutes(i.router, *i.departments);
  catalog::AddRoutes(i.router, *i.catalog);
  i.processes = std::make_unique<processes::Service>(*i.db, *i.catalog);
  processes::AddRoutes(i.router, *i.processes);
  calendar::AddRoutes(i.router, *i.calendar);
  materials::Options mo;
  mo.max_file_bytes = static_cast<uint64_t>(config.materials_max_file_bytes);
  mo.max_case_bytes = static_cast<uint64_t>(config.materials_max_case_bytes);
  if (!config.materials_scanner_command.empty()) {
    OW_ASSIGN_OR_RETURN(
        mo.scanner,
        materials::CommandScanner(config.materials_scanner_command,
                                  std::chrono::seconds(config.materials_scanner_timeout_seconds)));
  }
  i.materials = std::make_unique<materials::Service>(*i.db, std::move(mo));
  i.material_directory = std::make_unique<MaterialDirectory>(*i.materials);
  // Notifications: every domain that tells a person something calls it in its own
  // transaction; it renders each domain's codes from that domain's notice table.
  notify::Options nopt;
  nopt.smtp_host = config.notify_smtp_host;
  nopt.smtp_port = config.notify_smtp_port;
  nopt.smtp_from = config.notify_smtp_from;
  nopt.smtp_helo = config.notify_smtp_helo;
  nopt.smtp_timeout_ms = config.notify_smtp_timeout_ms;
  nopt.smtp_starttls = config.notify_smtp_starttls != 0;
  nopt.smtp_ca_file = config.notify_smtp_ca_file;
  nopt.smtp_user = config.notify_smtp_user;
  nopt.smtp_password = config.notify_smtp_password;
  nopt.smtp_password_file = config.notify_smtp_password_file;
  OW_RETURN_IF_ERROR(notify::LoadSmtpPassword(nopt));
  nopt.sms_url = config.notify_sms_url;
  nopt.sms_token = config.notify_sms_token;
  nopt.sms_timeout_ms = config.notify_sms_timeout_ms;
  nopt.lease_seconds = config.notify_lease_seconds;
  nopt.max_attempts = config.notify_max_attempts;
  nopt.retry_base_seconds = config.notify_retry_base_seconds;
  nopt.retry_max_seconds = config.notify_retry_max_seconds;
  i.notify = std::make_unique<notify::Service>(*i.db, std::move(nopt));
  if (!config.issuer.empty()) i.notify->SetPublicUrl(config.issuer);
  i.notify->AddTemplates("case.", cases::Notices());
  i.notify->AddTemplates("booking.", appointments::Notices());
  i.notify->SetPhoneLookup([ids = i.identity.get()](const std::string& account) {
    auto a = ids->AccountById(account);
    return a ? a->phone : std::string();
  });
  notify::AddRoutes(i.router, *i.notify);
  i.indicators = std::make_unique<indicators::Service>(*i.db);
  indicators::AddRoutes(i.router, *i.indicators);
  // Transitions append to the indicators' journal; one node a second folds it into the
  // rollups in batches (reads add what is not folded yet: indicators/store.h).
  i.background.Every("indicator_fold", std::chrono::seconds(1),
                     [svc = i.indicators.get()]() -> Status { return svc->Fold(); });
  i.cases = std::make_unique<cases::Service>(*i.db, *i.catalog, *i.processes, *i.calendar,
                                             *i.identity, i.material_directory.get());
  i.cases->SetNotifier(i.notify.get());
  i.cases->SetIndicators(i.indicators.get());
  OW_RETURN_IF_ERROR(i.cases->Bootstrap());
  cases::AddRoutes(i.router, *i.cases, *i.authn);
  licences::Options lo;
  if (!config.issuer.empty()) lo.public_url = config.issuer;
  i.licences = std::make_unique<licences::Service>(*i.db, *i.identity, *i.departments, lo);
  OW_RETURN_IF_ERROR(i.licences->Bootstrap());
  licences::AddRoutes(i.router, *i.licences);
  // Materials satisfied by licences the applicant holds.
  i.cases->SetLicences(&i.licences->ForCases());
  i.cases->SetAuditSink(sink);
  // The documents a case's acceptance and decision issue, sealed by the department.
  i.licences->SetLookups({[](db::Connection& c, const std::string& code) {
                            // "杭州市上城区": the region's ancestors below the province, then the
                            // region.
                            auto r = regions::Service::Get(c, code);
                            if (!r) return std::string();
                            std::string out;
                            for (const auto& a : r->ancestors)
                              if (a.level != regions::Level::kProvince) out += a.name;
                            return out + r->region.name;
                          },
                          [catalog = i.catalog.get()](const std::string& item) {
                            auto v = catalog->Versions(item);
                            return v && !v->empty();
                          }});
  i.cases->SetDocuments(&i.licences->CaseDocuments());
  // A process's issue-licence step: the licence of the case's item, sealed in the same
  // transaction as the decision that reached it.
  i.cases->AddDomainService(
      "issue-licence",
      [svc = i.licences.get()](db::Connection& c, const cases::Case& k, const json::object&,
                               const cases::ServiceCaller& by) -> Result<json::object> {
        OW_ASSIGN_OR_RETURN(auto l, svc->IssueForCase(c, k, by.account_id, by.name));
        return json::object{{"licence_number", l.number}, {"licence_type", l.type_code}};
      });
  // Staff read a material through a case, or a ticket, they may read. (The tickets service
  // is made below; the check runs only when a request comes, after construction.)
  materials::AddRoutes(
      i.router, *i.materials, *i.authn,
      [svc = i.cases.get(), &tickets = i.tickets](const identity::Principal& who,
                                                  const materials::Material& m) {
        return svc->MayReadMaterial(who, m.id) || (tickets && tickets->MayReadMaterial(who, m.id));
      },
      // Materials uploaded in an enterprise's name belong to it: its operators' rights.
      [ids = i.identity.get()](const identity::Principal& who, const std::string& code)
          -> Result<std::pair<std::string, authz::OperatorRights>> {
        OW_ASSIGN_OR_RETURN(auto access, ids->AccessTo(who, code));
        return std::make_pair(access.enterprise.credit_code, access.rights);
      });
  i.background.Every("case_timers", std::chrono::milliseconds(config.case_timer_period_ms),
                     [svc = i.cases.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->FireDueTimers(std::chrono::system_clock::now()));
                       return {};
                     });
  // The case archive (issue 18): packages signed with the provider's active ES256 key,
  // each kept with the key's public JWK; the hourly job moves at most archive.batch.
  i.cases->SetArchiveSigner(
      {[provider](const boost::json::object& manifest) {
         oidc::Client platform;
         platform.id_token_alg = "ES256";
         return provider->SignFor(platform, manifest, "ow-case-archive+jwt");
       },
       [provider] { return provider->issuer(); },
       [provider](const std::string& kid) -> std::optional<boost::json::object> {
         boost::json::object jwks = provider->Jwks();
         if (const auto* list = jwks.if_contains("keys"); list && list->is_array()) {
           for (const auto& k : list->as_array()) {
             const auto* id = k.is_object() ? k.as_object().if_contains("kid") : nullptr;
             if (id && id->is_string() && id->as_string() == kid) return k.as_object();
           }
         }
         return std::nullopt;
       }});
  if (config.archive_after_days > 0) {
    i.background.Every(
        "case_archive", std::chrono::hours(1),
        [svc = i.cases.get(), days = config.archive_after_days,
         batch = config.archive_batch]() -> Status {
          auto now = std::chrono::system_clock::now();
          OW_RETURN_IF_ERROR(svc->ArchiveClosed(now - std::chrono::hours(24 * days), batch, now));
          return {};
        });
  }
  appointments::Limits limits;
  limits.days_ahead = static_cast<int>(config.booking_days_ahead);
  limits.max_active = static_cast<int>(config.booking_max_active);
  limits.per_item_per_day = static_cast<int>(config.booking_per_item_per_day);
  limits.no_show_count = static_cast<int>(config.booking_no_show_count);
  limits.no_show_days = static_cast<int>(config.booking_no_show_days);
  limits.ban_days = static_cast<int>(config.booking_ban_days);
  i.appointments = std::make_unique<appointments::Service>(*i.db, *i.calendar, *i.catalog,
                                                           *i.identity, *i.notify, limits);
  i.appointments->SetIndicators(i.indicators.get());
  // A booking names a case of the person's by its tracking number, as the caller reads it.
  i.appointments->SetCaseLookup(
      [svc = i.cases.get()](const identity::Principal& who,
                            const std::string& no) -> Result<std::pair<std::string, std::string>> {
        OW_ASSIGN_OR_RETURN(auto k, svc->Get(who, no));
        return std::make_pair(k.applicant_account_id, k.item_code);
      });
  appointments::AddRoutes(i.router, *i.appointments);
  i.background.Every("booking_no_shows", std::chrono::seconds(60),
                     [svc = i.appointments.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->SweepNoShows());
                       return {};
                     });
  i.background.Every("booking_reminders", std::chrono::minutes(10),
                     [svc = i.appointments.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->SendReminders());
                       return {};
                     });
  // E-mail and SMS: each server claims due deliveries with a lease, so several servers on
  // one database never send the same row at once.
  if (i.notify->email_offered() || i.notify->sms_offered()) {
    i.background.EveryOnEachNode(
        "notify_delivery", std::chrono::milliseconds(config.notify_delivery_period_ms),
        [svc = i.notify.get()]() -> Status {
          OW_RETURN_IF_ERROR(svc->DeliverDue(std::chrono::system_clock::now()));
          return {};
        });
  }
  tickets::Options to;
  to.deadlines.consult = static_cast<int>(config.tickets_consult_days);
  to.deadlines.complaint = static_cast<int>(config.tickets_complaint_days);
  to.deadlines.suggestion = static_cast<int>(config.tickets_suggestion_days);
  to.anonymous_per_hour = config.tickets_anonymous_per_hour;
  i.tickets =
      std::make_unique<tickets::Service>(*i.db, *i.calendar, *i.catalog, *i.departments, *i.cases,
                                         *i.identity, *i.materials, *i.notify, to);
  i.tickets->SetIndicators(i.indicators.get());
  OW_RETURN_IF_ERROR(i.tickets->Bootstrap());
  i.notify->AddTemplates("ticket.", tickets::Notices());
  tickets::AddRoutes(i.router, *i.tickets, *i.authn);
  i.background.Every("ticket_escalation", std::chrono::minutes(1),
                     [svc = i.tickets.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->EscalateOverdue());
                       return {};
                     });
  ratings::Options ro;
  ro.rectify_days = static_cast<int>(config.ratings_rectify_days);
  ro.link_days = static_cast<int>(config.ratings_link_days);
  i.ratings =
      std::make_unique<ratings::Service>(*i.db, *i.calendar, *i.cases, *i.identity, *i.notify, ro);
  i.ratings->SetIndicators(i.indicators.get());
  i.indicators->SetSources(i.ratings.get(), i.catalog.get(), i.regions.get());
  OW_RETURN_IF_ERROR(i.ratings->Bootstrap());
  i.notify->AddTemplates("rating.", ratings::Notices());
  ratings::AddRoutes(i.router, *i.ratings);
  // Supervision (电子监察) and supervision after approval (issue 17): one sweep a minute
  // raises each warning once, whichever node holds the job's lease.
  i.supervise = std::make_unique<supervise::Service>(*i.db, *i.calendar, *i.licences, *i.notify,
                                                     supervise::Options{});
  i.notify->AddTemplates("supervise.", supervise::Notices());
  supervise::AddRoutes(i.router, *i.supervise);
  i.background.Every("supervision_sweep", std::chrono::minutes(1),
                     [svc = i.supervise.get()]() -> Status { return svc->Sweep(); });
  // The exchange message log and the platform's time-stamping authority (issue 14).
  i.xlog = std::make_unique<exchange_log::Log>(i.identity->keys().Derive("exchange_log.subject"));
  i.tsa = std::make_unique<exchange_log::Tsa>(*i.db, i.identity->keys());
  OW_RETURN_IF_ERROR(i.tsa->Bootstrap());
  exchange_log::Options xo;
  xo.stamp_every_entries = config.xlog_stamp_every_entries;
  xo.stamp_every = std::chrono::seconds(config.xlog_stamp_every_seconds);
  i.xlog_service = std::make_unique<exchange_log::Service>(*i.db, *i.identity, *i.departments,
                                                           *i.tickets, *i.xlog, *i.tsa, xo);
  exchange_log::AddRoutes(i.router, *i.xlog_service, *i.tsa, config.tsa_per_minute);
  // Every node checks often; one claims each stamp (the stamper row's lock).
  i.background.Every("exchange_log_stamps", std::chrono::milliseconds(500),
                     [svc = i.xlog_service.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->StampPending());
                       return {};
                     });
  // Data sharing and exchange (issue 14): answers signed with the provider's ES256 key
  // (published in its JWKS), every query appended to the message log.
  exchange::Options xopt;
  xopt.population_department = config.exchange_population_department;
  xopt.legal_person_department = config.exchange_legal_person_department;
  xopt.birth_department = config.exchange_birth_department;
  xopt.max_grant_days = config.exchange_max_grant_days;
  xopt.adapter.timeout = std::chrono::milliseconds(config.exchange_adapter_timeout_ms);
  xopt.adapter.retries = static_cast<int>(config.exchange_adapter_retries);
  xopt.adapter.failure_threshold = static_cast<int>(config.exchange_adapter_failure_threshold);
  xopt.adapter.cooldown = std::chrono::milliseconds(config.exchange_adapter_cooldown_ms);
  xopt.extract_part_bytes = config.exchange_extract_part_bytes;
  xopt.extract_days = config.exchange_extract_days;
  i.exchange = std::make_unique<exchange::Service>(*i.db, *i.departments, *i.xlog, xopt);
  i.indicators->SetSigner([provider](const boost::json::object& claims) {
    oidc::Client platform;
    platform.id_token_alg = "ES256";
    boost::json::object c = claims;
    c["iss"] = provider->issuer();
    return provider->SignFor(platform, c, "ow-indicators-export+jwt");
  });
  i.exchange->SetSigner(
      [provider](const boost::json::object& claims) {
        oidc::Client platform;
        platform.id_token_alg = "ES256";
        return provider->SignFor(platform, claims, "ow-exchange-answer+jwt");
      },
      [provider] { return provider->issuer(); });
  // Between platforms (issue 14 part 8): resources served by a peer this platform trusts
  // are asked as the client the peer issued us for the trust.
  i.exchange->SetPeers([fed = i.federation.get()](const std::string& name,
                                                  bool refresh) -> Result<exchange::PeerPlatform> {
    OW_ASSIGN_OR_RETURN(auto p, fed->Peer(name, refresh));
    return exchange::PeerPlatform{name,        p.issuer,        p.token_endpoint,
                                  p.client_id, p.client_secret, std::move(p.jwks)};
  });
  i.exchange->SetManifestSigner([provider](const boost::json::object& claims) {
    oidc::Client platform;
    platform.id_token_alg = "ES256";
    return provider->SignFor(platform, claims, "ow-exchange-manifest+jwt");
  });
  // Bulk extracts (part 7): one node at a time writes waiting extracts, under the job's
  // lease and each extract's own.
  i.background.Every("exchange_extracts",
                     std::chrono::milliseconds(config.exchange_extract_period_ms),
                     [svc = i.exchange.get()]() -> Status {
                       OW_RETURN_IF_ERROR(svc->RunExtracts());
                       return {};
                     });
  i.oidc->SetExtraScopes([svc = i.exchange.get()](const std::string& client_id) {
    return svc->GrantedScopes(client_id);
  });
  exchange::AddRoutes(i.router, *i.exchange);
  // Cases fetch data standing for materials through the exchange (fetch-data, issue 14).
  i.case_data = std::make_unique<CaseDataExchange>(*i.db, *i.exchange, config.exchange_case_client);
  i.cases->SetDataExchange(i.case_data.get());
  // Events to department systems (issue 14): the cases and licences domains write them to
  // the outbox in their own transactions; every node delivers due rows under a lease,
  // each body signed with the same ES256 key as the exchange's answers.
  webhooks::Options wo;
  wo.lease_seconds = config.webhooks_lease_seconds;
  wo.max_attempts = config.webhooks_max_attempts;
  wo.retry_base_seconds = config.webhooks_retry_base_seconds;
  wo.retry_max_seconds = config.webhooks_retry_max_seconds;
  wo.timeout_ms = config.webhooks_timeout_ms;
  wo.allow_http = config.webhooks_allow_http != 0;
  i.webhooks = std::make_unique<webhooks::Service>(*i.db, wo);
  i.webhooks->SetSigner(
      [provider](const boost::json::object& claims) {
        oidc::Client platform;
        platform.id_token_alg = "ES256";
        return provider->SignFor(platform, claims, "ow-webhook+jwt");
      },
      [provider] { return provider->issuer(); });
  i.webhooks->SetSystemLookup([ex = i.exchange.get()](const std::string& client_id)
                                  -> Result<std::optional<webhooks::SystemDepartment>> {
    OW_ASSIGN_OR_RETURN(auto sys, ex->SystemOf(client_id));
    if (!sys) return std::optional<webhooks::SystemDepartment>();
    return std::optional<webhooks::SystemDepartment>(
        webhooks::SystemDepartment{sys->department_code, sys->region_code});
  });
  i.cases->SetEventPublisher(i.webhooks.get());
  i.licences->SetEventPublisher(i.webhooks.get());
  webhooks::AddRoutes(i.router, *i.webhooks);
  i.background.EveryOnEachNode(
      "webhooks_delivery", std::chrono::milliseconds(config.webhooks_delivery_period_ms),
      [svc = i.webhooks.get()]() -> Status {
        OW_RETURN_IF_ERROR(svc->DeliverDue(std::chrono::system_clock::now()));
        return {};
      });
  // Failed logins and other stored abuse counts older than every window.
  i.background.Every("shared_events_prune", std::chrono::minutes(10),
                     [db = i.db.get(), minutes = config.lockout_minutes]() -> Status {
                       return db::PruneEvents(
                           *db, std::max<std::chrono::milliseconds>(std::chrono::hours(25),
                                                                    std::chrono::minutes(minutes)));
                     });
  // Audit retention: records older than audit.retention_days may go, 10,000 an hour at most
  // per run, each run leaving a checkpoint that keeps the rest verifiable.
  if (config.audit_retention_days > 0) {
    i.background.Every(
        "audit_prune", std::chrono::hours(1),
        [db = i.db.get(), days = config.audit_retention_days]() -> Status {
          OW_RETURN_IF_ERROR(audit::Prune(
              *db, std::chrono::system_clock::now() - std::chrono::hours(24 * days), 10000));
          return {};
        });
  }
  AddSystemRoutes(i.router, *i.db, i.metrics);

  i.files = std::make_unique<http::StaticFiles>(config.web_root);
  i.dispatcher = std::make_unique<http::Dispatcher>(i.router, i.files.get());
  // The gate of every Requires() route authenticates through the identity domain.
  i.dispatcher->SetAuthenticator(
      [authn](const http::Context& ctx) { return authn->Optional(ctx); });
  // Idempotency-Key on the unsafe routes that declare it (app/idempotency.h).
  i.idempotency =
      std::make_unique<Idempotency>(*i.db, std::chrono::hours(config.idempotency_key_hours),
                                    std::chrono::seconds(config.idempotency_claim_seconds));
  i.dispatcher->SetIdempotency(
      [idem = i.idempotency.get()](http::Context& ctx, const http::Handler& handler) {
        return idem->Run(ctx, handler);
      });
  i.background.Every("idempotency_prune", std::chrono::minutes(10),
                     [idem = i.idempotency.get()]() -> Status { return idem->Prune(); });
  i.dispatcher->Use(http::RequestId());
  i.dispatcher->Use(http::AccessLog());
  i.dispatcher->Use(http::RecordMetrics(i.metrics));
  i.dispatcher->Use(http::SecurityHeaders());

  http::ServerOptions so;
  so.host = listen.first;
  so.port = listen.second;
  so.io_threads = config.io_threads > 0
                      ? static_cast<int>(config.io_threads)
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  so.handler_threads = config.handler_threads > 0 ? static_cast<int>(config.handler_threads)
                                                  : static_cast<int>(std::max(2u, cores));
  so.blocking_threads = static_cast<int>(config.blocking_threads);
  so.body_limit = static_cast<uint64_t>(config.body_limit);
  so.spool_dir = config.spool_dir;
  so.header_limit = static_cast<uint32_t>(config.header_limit);
  so.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  so.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);
  so.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  so.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  so.max_connections = config.max_connections;
  OW_ASSIGN_OR_RETURN(so.trusted_proxies, http::TrustedProxies::Parse(config.trusted_proxies));
  so.handle_signals = handle_signals;
  http::Dispatcher* dispatcher = i.dispatcher.get();
  i.server = std::make_unique<http::Server>(
      so,
      [dispatcher](http::Request& req, const std::string& peer) {
        return dispatcher->Handle(req, peer);
      },
      [dispatcher](http::Request& req, const std::string& peer, bool* blocking) {
        return dispatcher->HandleInline(req, peer, blocking);
      });
  http::InstallSpooling(*i.server, *dispatcher);

  http::Server* server = i.server.get();
  db::Database* db = i.db.get();
  i.metrics.AddSample("onewindow_http_open_connections", "Client connections open now.", "gauge",
                      [server] { return static_cast<double>(server->open_connections()); });
  i.metrics.AddSample("onewindow_http_in_flight_requests", "Requests being handled now.", "gauge",
                      [server] { return static_cast<double>(server->in_flight()); });
  i.metrics.AddSample("onewindow_db_pool_size", "Database connections open.", "gauge",
                      [db] { return static_cast<double>(db->Stats().size); });
  i.metrics.AddSample("onewindow_db_pool_in_use", "Database connections lent out now.", "gauge",
                      [db] { return static_cast<double>(db->Stats().in_use); });
  i.metrics.AddSample("onewindow_db_pool_waits_total",
                      "Acquisitions that waited for a free connection.", "counter",
                      [db] { return static_cast<double>(db->Stats().waits); });
  i.metrics.AddSample("onewindow_db_pool_timeouts_total", "Acquisitions that gave up waiting.",
                      "counter", [db] { return static_cast<double>(db->Stats().timeouts); });
  i.metrics.AddSample("onewindow_db_transaction_retries_total",
                      "Transactions retried after busy or serialization failures.", "counter",
                      [db] { return static_cast<double>(db->Stats().retries); });
  i.metrics.AddSample("onewindow_db_group_commit_transactions_total",
                      "Transactions committed in groups (case submissions and decisions).",
                      "counter",
                      [db] { return static_cast<double>(db->GroupStats().transactions); });
  i.metrics.AddSample("onewindow_db_group_commit_batches_total",
                      "Database commits that carried those transactions.", "counter",
                      [db] { return static_cast<double>(db->GroupStats().batches); });
  i.metrics.AddSample("onewindow_db_round_trips_total",
                      "Round trips to the database since start: on PostgreSQL a statement, or a "
                      "transaction's BEGIN sent with its first statement; on SQLite a statement.",
                      "counter", [] { return static_cast<double>(db::StatementsSent()); });
  // Read from the database at scrape time (one small query each), so every node reports
  // the cluster's state; NaN when the database cannot answer.
  i.metrics.AddSample(
      "onewindow_case_timers_overdue",
      "Cases under review whose timer has been due for over a minute without firing.", "gauge",
      [svc = i.cases.get()] {
        auto n = svc->OverdueTimers(std::chrono::system_clock::now() - std::chrono::minutes(1));
        return n ? static_cast<double>(*n) : std::nan("");
      });
  i.metrics.AddSample(
      "onewindow_signing_certificate_expiry_timestamp_seconds",
      "Earliest expiry (Unix time) of the active licence CA and seal certificates.", "gauge",
      [svc = i.licences.get()] {
        auto t = svc->EarliestCertificateExpiry();
        if (!t || !*t) return std::nan("");
        return static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>((**t).time_since_epoch()).count());
      });
  return app;
}

Result<uint16_t> App::Listen() {
  OW_ASSIGN_OR_RETURN(uint16_t port, impl_->server->Listen());
  if (impl_->config.issuer.empty()) {
    // No public URL configured: the address we listen on (development and tests).
    std::string host = impl_->config.listen.substr(0, impl_->config.listen.rfind(':'));
    std::string origin = "http://" + host + ":" + std::to_string(port);
    impl_->oidc->SetIssuer(origin);
    impl_->authn->SetOrigin(origin);
    impl_->licences->SetPublicUrl(origin);
    impl_->notify->SetPublicUrl(origin);
  }
  log::Notice("server.listening",
              {{"address", impl_->config.listen.substr(0, impl_->config.listen.rfind(':'))},
               {"port", port},
               {"url", "http://" + impl_->config.listen.substr(0, impl_->config.listen.rfind(':')) +
                           ":" + std::to_string(port) + "/"}});
  return port;
}

void App::Run() {
  impl_->server->Run();
  // Background jobs stop while the database is still open: each hands its lease over (a
  // node stopping gracefully lets another take its jobs at once, not a lease later).
  impl_->background.Stop();
  impl_->audit.reset();  // writes what is still queued
  impl_->db->Close();
  log::Info("server.stopped");
}

void App::Shutdown() { impl_->server->Shutdown(); }
db::Database& App::database() { return *impl_->db; }
const http::Router& App::router() const { return impl_->router; }
const http::Dispatcher& App::dispatcher() const { return *impl_->dispatcher; }
identity::Service& App::identity() { return *impl_->identity; }
cases::Service& App::cases() { return *impl_->cases; }
notify::Service& App::notify() { return *impl_->notify; }
appointments::Service& App::appointments() { return *impl_->appointments; }
tickets::Service& App::tickets() { return *impl_->tickets; }
ratings::Service& App::ratings() { return *impl_->ratings; }
supervise::Service& App::supervise() { return *impl_->supervise; }
indicators::Service& App::indicators() { return *impl_->indicators; }
const exchange_log::Log& App::message_log() const { return *impl_->xlog; }
exchange_log::Service& App::message_log_service() { return *impl_->xlog_service; }
exchange::Service& App::exchange() { return *impl_->exchange; }
const Config& App::config() const { return impl_->config; }

}  // namespace ow::app
