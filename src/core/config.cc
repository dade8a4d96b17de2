#include "core/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <set>
#include <sstream>

extern char** environ;

namespace ow {
namespace {

ConfigField Str(std::string key, std::string env, std::string Config::*m, std::string help,
                bool secret = false) {
  return {std::move(key),
          std::move(env),
          secret,
          [m](const Config& c) { return c.*m; },
          [m](Config& c, const std::string& v) -> Status {
            c.*m = v;
            return {};
          },
          std::move(help)};
}

ConfigField Int(std::string key, std::string env, int64_t Config::*m, int64_t min, int64_t max,
                std::string help) {
  std::string k = key;
  return {std::move(key),
          std::move(env),
          false,
          [m](const Config& c) { return std::to_string(c.*m); },
          [m, min, max, k](Config& c, const std::string& v) -> Status {
            int64_t n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || p != v.data() + v.size() || n < min || n > max) {
              return InvalidArgument(k + ": expected an integer in [" + std::to_string(min) + ", " +
                                     std::to_string(max) + "], got '" + v + "'");
            }
            c.*m = n;
            return {};
          },
          std::move(help)};
}

}  // namespace

const std::vector<ConfigField>& ConfigFields() {
  static const std::vector<ConfigField> fields = {
      Str("server.listen", "ONEWINDOW_LISTEN", &Config::listen,
          "HOST:PORT to listen on; port 0 picks a free port"),
      Str("server.web_root", "ONEWINDOW_WEB_ROOT", &Config::web_root,
          "folder of the built portal served as static files"),
      Int("server.io_threads", "ONEWINDOW_IO_THREADS", &Config::io_threads, 0, 256,
          "network threads; 0 = one per core"),
      Int("server.handler_threads", "ONEWINDOW_HANDLER_THREADS", &Config::handler_threads, 0, 1024,
          "threads running short request handlers (database work); 0 = one per core, at least 2"),
      Int("server.blocking_threads", "ONEWINDOW_BLOCKING_THREADS", &Config::blocking_threads, 1,
          1024, "threads running slow handlers: password hashing, calls to peer platforms"),
      Int("server.body_limit", "ONEWINDOW_BODY_LIMIT", &Config::body_limit, 1, int64_t{1} << 32,
          "largest accepted request body in bytes (413 above)"),
      Str("server.spool_dir", "ONEWINDOW_SPOOL_DIR", &Config::spool_dir,
          "folder for uploads in transit (temporary files, mode 0600); empty = the system's "
          "temporary folder"),
      Int("server.header_limit", "ONEWINDOW_HEADER_LIMIT", &Config::header_limit, 1024, 1 << 20,
          "largest accepted request header block in bytes (431 above)"),
      Int("server.read_timeout_ms", "ONEWINDOW_READ_TIMEOUT_MS", &Config::read_timeout_ms, 1,
          3600000, "time allowed to receive one whole request"),
      Int("server.write_timeout_ms", "ONEWINDOW_WRITE_TIMEOUT_MS", &Config::write_timeout_ms, 1,
          3600000, "time allowed to send one response"),
      Int("server.idle_timeout_ms", "ONEWINDOW_IDLE_TIMEOUT_MS", &Config::idle_timeout_ms, 1,
          3600000, "idle keep-alive connections are closed after this"),
      Int("server.shutdown_grace_ms", "ONEWINDOW_SHUTDOWN_GRACE_MS", &Config::shutdown_grace_ms, 0,
          3600000, "on SIGTERM, time allowed for in-flight requests to finish"),
      Int("server.max_connections", "ONEWINDOW_MAX_CONNECTIONS", &Config::max_connections, 1,
          1000000, "connections above this are refused"),
      Str("server.trusted_proxies", "ONEWINDOW_TRUSTED_PROXIES", &Config::trusted_proxies,
          "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For "
          "names the client; empty: the connection's address, the header ignored"),
      Str("server.admin_token", "ONEWINDOW_ADMIN_TOKEN", &Config::admin_token,
          "bootstrap administrator bearer token (empty disables admin writes)", true),
      Str("server.admin_tokens", "ONEWINDOW_ADMIN_TOKENS", &Config::admin_tokens,
          "named administrators as name:token pairs, comma-separated (until identity lands)", true),
      Str("server.log_level", "ONEWINDOW_LOG_LEVEL", &Config::log_level,
          "debug, info, warn or error"),
      Str("database.url", "ONEWINDOW_DATABASE_URL", &Config::database_url,
          "sqlite:PATH or postgresql://user:password@host:port/db", true),
      Int("database.pool_size", "ONEWINDOW_DB_POOL_SIZE", &Config::db_pool_size, 1, 1024,
          "database connections kept open"),
      Int("database.busy_timeout_ms", "ONEWINDOW_DB_BUSY_TIMEOUT_MS", &Config::db_busy_timeout_ms,
          0, 600000, "wait for a locked database before failing"),
      Int("database.connect_timeout_ms", "ONEWINDOW_DB_CONNECT_TIMEOUT_MS",
          &Config::db_connect_timeout_ms, 1000, 600000,
          "PostgreSQL: give up opening a connection after this long (503 meanwhile)"),
      Int("database.statement_timeout_ms", "ONEWINDOW_DB_STATEMENT_TIMEOUT_MS",
          &Config::db_statement_timeout_ms, 0, 3600000,
          "PostgreSQL: cancel one statement after this long; 0 = no limit"),
      Int("database.pool_wait_ms", "ONEWINDOW_DB_POOL_WAIT_MS", &Config::db_pool_wait_ms, 10,
          600000, "a request waits this long for a free database connection, then gets 503"),
      Int("cluster.job_lease_seconds", "ONEWINDOW_JOB_LEASE_SECONDS", &Config::job_lease_seconds, 1,
          86400,
          "a node's claim on a background job; a node that dies holding one loses it after "
          "this long (at least twice the job's period)"),
      Int("cluster.case_timer_period_ms", "ONEWINDOW_CASE_TIMER_PERIOD_MS",
          &Config::case_timer_period_ms, 50, 3600000,
          "how often due workflow timers (deadlines, reminders) are looked for"),
      Int("cluster.idempotency_key_hours", "ONEWINDOW_IDEMPOTENCY_KEY_HOURS",
          &Config::idempotency_key_hours, 1, 8760,
          "a response kept for an Idempotency-Key is replayed to retries this long"),
      Int("cluster.idempotency_claim_seconds", "ONEWINDOW_IDEMPOTENCY_CLAIM_SECONDS",
          &Config::idempotency_claim_seconds, 1, 86400,
          "a key whose first request stored no answer this long (its node died) may run again"),
      Str("identity.issuer", "ONEWINDOW_ISSUER", &Config::issuer,
          "OpenID Connect issuer URL; empty = http://<listen address>"),
      Str("identity.data_keys", "ONEWINDOW_DATA_KEYS", &Config::data_keys,
          "AES-256 keys for personal data as version:64-hex-digits, comma-separated; the highest "
          "version encrypts",
          true),
      Str("identity.index_key", "ONEWINDOW_INDEX_KEY", &Config::index_key,
          "64 hex digits: HMAC key for resident ID lookups, pairwise subjects and CSRF tokens",
          true),
      Str("identity.key_file", "ONEWINDOW_KEY_FILE", &Config::key_file,
          "where keys are generated (mode 0600) and kept when the two settings above are empty"),
      Int("identity.session_hours", "ONEWINDOW_SESSION_HOURS", &Config::session_hours, 1, 720,
          "absolute lifetime of a portal session"),
      Int("identity.session_idle_minutes", "ONEWINDOW_SESSION_IDLE_MINUTES",
          &Config::session_idle_minutes, 1, 43200, "a session unused this long ends"),
      Int("identity.cookie_secure", "ONEWINDOW_COOKIE_SECURE", &Config::cookie_secure, 0, 1,
          "1: the session cookie carries Secure (keep it on behind HTTPS)"),
      Int("identity.lockout_threshold", "ONEWINDOW_LOCKOUT_THRESHOLD", &Config::lockout_threshold,
          1, 100,
          "failed logins for one username from one client IP within lockout_minutes before "
          "that pair waits (429); other addresses are not affected"),
      Int("identity.lockout_minutes", "ONEWINDOW_LOCKOUT_MINUTES", &Config::lockout_minutes, 1,
          10080, "the window of lockout_threshold, and the longest wait it imposes"),
      Int("identity.ip_failure_limit", "ONEWINDOW_IP_FAILURE_LIMIT", &Config::ip_failure_limit, 1,
          100000, "failed logins allowed per client IP per 10 minutes (429 above)"),
      Int("identity.registration_ip_limit", "ONEWINDOW_REGISTRATION_IP_LIMIT",
          &Config::registration_ip_limit, 1, 100000,
          "self-registrations allowed per client IP per hour (429 above)"),
      Int("identity.access_token_seconds", "ONEWINDOW_ACCESS_TOKEN_SECONDS",
          &Config::access_token_seconds, 30, 86400, "lifetime of access and ID tokens"),
      Int("identity.refresh_token_days", "ONEWINDOW_REFRESH_TOKEN_DAYS",
          &Config::refresh_token_days, 1, 365, "lifetime of a refresh token family"),
      Int("identity.key_overlap_hours", "ONEWINDOW_KEY_OVERLAP_HOURS", &Config::key_overlap_hours,
          1, 8760, "a rotated-out signing key stays in the JWKS this long"),
      Int("identity.password_concurrency", "ONEWINDOW_PASSWORD_CONCURRENCY",
          &Config::password_concurrency, 0, 256,
          "argon2id hashes computed at once (19 MiB each); 0 = one per core"),
      Str("identity.realname_url", "ONEWINDOW_REALNAME_URL", &Config::realname_url,
          "real-name verification service: POST {resident_id, real_name} as JSON, answer "
          "{match, reference}; https (http only to loopback); empty = online verification off"),
      Str("identity.realname_secret", "ONEWINDOW_REALNAME_SECRET", &Config::realname_secret,
          "bearer token sent to the real-name verification service; empty = none", true),
      Int("identity.realname_timeout_ms", "ONEWINDOW_REALNAME_TIMEOUT_MS",
          &Config::realname_timeout_ms, 100, 60000,
          "a real-name check taking longer is answered 503"),
      Int("identity.realname_attempts", "ONEWINDOW_REALNAME_ATTEMPTS", &Config::realname_attempts,
          1, 1000, "online verification attempts per account per 24 hours (429 above)"),
      Int("materials.max_file_bytes", "ONEWINDOW_MATERIALS_MAX_FILE_BYTES",
          &Config::materials_max_file_bytes, 1, int64_t{1} << 32,
          "largest uploaded material in bytes (413 above)"),
      Int("materials.max_case_bytes", "ONEWINDOW_MATERIALS_MAX_CASE_BYTES",
          &Config::materials_max_case_bytes, 1, int64_t{1} << 40,
          "largest total size of the materials attached to one case"),
      Str("materials.scanner_command", "ONEWINDOW_MATERIALS_SCANNER_COMMAND",
          &Config::materials_scanner_command,
          "virus scanner run on each upload with its path appended, no shell (exit 0 clean, 1 "
          "infected, else unavailable); empty = uploads are not scanned"),
      Int("materials.scanner_timeout_seconds", "ONEWINDOW_MATERIALS_SCANNER_TIMEOUT_SECONDS",
          &Config::materials_scanner_timeout_seconds, 1, 3600,
          "a scan running longer is killed and the upload answered 503"),
      Str("notify.smtp_host", "ONEWINDOW_NOTIFY_SMTP_HOST", &Config::notify_smtp_host,
          "SMTP relay for e-mail notifications (no login: a relay that accepts this server by "
          "its address; TLS with smtp_starttls); empty = e-mail is not offered"),
      Int("notify.smtp_port", "ONEWINDOW_NOTIFY_SMTP_PORT", &Config::notify_smtp_port, 1, 65535,
          "port of the SMTP relay"),
      Str("notify.smtp_from", "ONEWINDOW_NOTIFY_SMTP_FROM", &Config::notify_smtp_from,
          "the sender address of notification e-mails (envelope and From:)"),
      Str("notify.smtp_helo", "ONEWINDOW_NOTIFY_SMTP_HELO", &Config::notify_smtp_helo,
          "the name sent in EHLO, also the host part of every e-mail's Message-ID"),
      Int("notify.smtp_timeout_ms", "ONEWINDOW_NOTIFY_SMTP_TIMEOUT_MS",
          &Config::notify_smtp_timeout_ms, 100, 300000,
          "budget for one SMTP exchange (connect to QUIT); longer is a failure to retry"),
      Int("notify.smtp_starttls", "ONEWINDOW_NOTIFY_SMTP_STARTTLS", &Config::notify_smtp_starttls,
          0, 1,
          "1: every SMTP session upgrades with STARTTLS (TLS 1.2+, certificate verified and "
          "matched to smtp_host); a relay that does not offer it gets nothing"),
      Str("notify.smtp_ca_file", "ONEWINDOW_NOTIFY_SMTP_CA_FILE", &Config::notify_smtp_ca_file,
          "PEM CA certificates trusted for the relay's certificate; empty = the system store"),
      Str("notify.smtp_user", "ONEWINDOW_NOTIFY_SMTP_USER", &Config::notify_smtp_user,
          "SMTP AUTH user (PLAIN, else LOGIN), sent only inside STARTTLS (smtp_starttls = 1); "
          "empty = no AUTH"),
      Str("notify.smtp_password", "ONEWINDOW_NOTIFY_SMTP_PASSWORD", &Config::notify_smtp_password,
          "SMTP AUTH password; better from the environment or smtp_password_file", true),
      Str("notify.smtp_password_file", "ONEWINDOW_NOTIFY_SMTP_PASSWORD_FILE",
          &Config::notify_smtp_password_file,
          "a file whose first line is the SMTP AUTH password (a mounted secret)"),
      Str("notify.sms_url", "ONEWINDOW_NOTIFY_SMS_URL", &Config::notify_sms_url,
          "SMS gateway: POST {id, to, text} as JSON, answer 2xx {message_id}; empty = SMS is "
          "not offered"),
      Str("notify.sms_token", "ONEWINDOW_NOTIFY_SMS_TOKEN", &Config::notify_sms_token,
          "bearer token sent to the SMS gateway; empty = none", true),
      Int("notify.sms_timeout_ms", "ONEWINDOW_NOTIFY_SMS_TIMEOUT_MS",
          &Config::notify_sms_timeout_ms, 100, 300000, "budget for one call to the SMS gateway"),
      Int("notify.delivery_period_ms", "ONEWINDOW_NOTIFY_DELIVERY_PERIOD_MS",
          &Config::notify_delivery_period_ms, 50, 3600000,
          "how often each server looks for due e-mail and SMS deliveries"),
      Int("notify.lease_seconds", "ONEWINDOW_NOTIFY_LEASE_SECONDS", &Config::notify_lease_seconds,
          1, 86400,
          "a delivery claimed by a server that then stopped is retried after this long (keep "
          "it above the SMTP and SMS timeouts)"),
      Int("notify.max_attempts", "ONEWINDOW_NOTIFY_MAX_ATTEMPTS", &Config::notify_max_attempts, 1,
          100, "attempts of one delivery before it is dead (an administrator may requeue it)"),
      Int("notify.retry_base_seconds", "ONEWINDOW_NOTIFY_RETRY_BASE_SECONDS",
          &Config::notify_retry_base_seconds, 1, 86400,
          "the first retry waits about this long (0.5x to 1.5x), each next one twice as long"),
      Int("notify.retry_max_seconds", "ONEWINDOW_NOTIFY_RETRY_MAX_SECONDS",
          &Config::notify_retry_max_seconds, 1, 604800, "no retry waits longer than this"),
      Int("booking.days_ahead", "ONEWINDOW_BOOKING_DAYS_AHEAD", &Config::booking_days_ahead, 1, 90,
          "halls offer slots from today for this many days"),
      Int("booking.max_active", "ONEWINDOW_BOOKING_MAX_ACTIVE", &Config::booking_max_active, 1, 100,
          "bookings to come one person may hold at once (409 above)"),
      Int("booking.per_item_per_day", "ONEWINDOW_BOOKING_PER_ITEM_PER_DAY",
          &Config::booking_per_item_per_day, 1, 100,
          "bookings of one item on one day one person may hold (409 above)"),
      Int("booking.no_show_count", "ONEWINDOW_BOOKING_NO_SHOW_COUNT",
          &Config::booking_no_show_count, 1, 100,
          "no-shows within booking.no_show_days that pause a person's booking"),
      Int("booking.no_show_days", "ONEWINDOW_BOOKING_NO_SHOW_DAYS", &Config::booking_no_show_days,
          1, 3650, "the window in which no-shows are counted"),
      Int("booking.ban_days", "ONEWINDOW_BOOKING_BAN_DAYS", &Config::booking_ban_days, 1, 3650,
          "days after the last counted no-show during which new bookings are refused (403)"),
      Int("tickets.consult_days", "ONEWINDOW_TICKETS_CONSULT_DAYS", &Config::tickets_consult_days,
          1, 100, "working days to answer a consultation before it escalates"),
      Int("tickets.complaint_days", "ONEWINDOW_TICKETS_COMPLAINT_DAYS",
          &Config::tickets_complaint_days, 1, 100,
          "working days to answer a complaint before it escalates"),
      Int("tickets.suggestion_days", "ONEWINDOW_TICKETS_SUGGESTION_DAYS",
          &Config::tickets_suggestion_days, 1, 100,
          "working days to answer a suggestion before it escalates"),
      Int("tickets.anonymous_per_hour", "ONEWINDOW_TICKETS_ANONYMOUS_PER_HOUR",
          &Config::tickets_anonymous_per_hour, 1, 100000,
          "anonymous consultations per client address per hour (429 above)"),
      Int("ratings.rectify_days", "ONEWINDOW_RATINGS_RECTIFY_DAYS", &Config::ratings_rectify_days,
          1, 100, "working days for a department to contact, fix and answer a bad rating"),
      Int("ratings.link_days", "ONEWINDOW_RATINGS_LINK_DAYS", &Config::ratings_link_days, 1, 365,
          "days an SMS rating link stays valid"),
      Int("exchange_log.stamp_every_entries", "ONEWINDOW_XLOG_STAMP_EVERY_ENTRIES",
          &Config::xlog_stamp_every_entries, 1, 1000000,
          "time-stamp the exchange log's head once this many entries wait"),
      Int("exchange_log.stamp_every_seconds", "ONEWINDOW_XLOG_STAMP_EVERY_SECONDS",
          &Config::xlog_stamp_every_seconds, 1, 3600,
          "or once the oldest unstamped entry has waited this many seconds"),
      Int("tsa.per_minute", "ONEWINDOW_TSA_PER_MINUTE", &Config::tsa_per_minute, 1, 1000000,
          "RFC 3161 time-stamp requests per client address per minute (429 above)"),
      Str("exchange.population_department", "ONEWINDOW_EXCHANGE_POPULATION_DEPARTMENT",
          &Config::exchange_population_department,
          "department whose staff and systems keep the population base current"),
      Str("exchange.legal_person_department", "ONEWINDOW_EXCHANGE_LEGAL_PERSON_DEPARTMENT",
          &Config::exchange_legal_person_department,
          "department whose staff and systems keep the legal-person base current"),
      Str("exchange.birth_department", "ONEWINDOW_EXCHANGE_BIRTH_DEPARTMENT",
          &Config::exchange_birth_department,
          "department whose staff and systems keep the birth base (出生医学证明) current"),
      Int("exchange.max_grant_days", "ONEWINDOW_EXCHANGE_MAX_GRANT_DAYS",
          &Config::exchange_max_grant_days, 1, 3660, "longest validity of a data access grant"),
      Str("exchange.case_client", "ONEWINDOW_EXCHANGE_CASE_CLIENT", &Config::exchange_case_client,
          "client the platform's case handling queries the exchange as (fetch-data)"),
      Int("exchange.adapter_timeout_ms", "ONEWINDOW_EXCHANGE_ADAPTER_TIMEOUT_MS",
          &Config::exchange_adapter_timeout_ms, 50, 60000,
          "time budget of one call to a provider's system"),
      Int("exchange.adapter_retries", "ONEWINDOW_EXCHANGE_ADAPTER_RETRIES",
          &Config::exchange_adapter_retries, 0, 5,
          "retries of a failed call to a provider's system"),
      Int("exchange.adapter_failure_threshold", "ONEWINDOW_EXCHANGE_ADAPTER_FAILURE_THRESHOLD",
          &Config::exchange_adapter_failure_threshold, 1, 1000,
          "consecutive failed calls that open a provider system's circuit"),
      Int("exchange.adapter_cooldown_ms", "ONEWINDOW_EXCHANGE_ADAPTER_COOLDOWN_MS",
          &Config::exchange_adapter_cooldown_ms, 100, 3600000,
          "how long an open circuit fails calls at once before one trial"),
      Int("exchange.extract_part_bytes", "ONEWINDOW_EXCHANGE_EXTRACT_PART_BYTES",
          &Config::exchange_extract_part_bytes, 1024, int64_t{1} << 30,
          "largest part of a bulk extract's file (each download is one part)"),
      Int("exchange.extract_days", "ONEWINDOW_EXCHANGE_EXTRACT_DAYS",
          &Config::exchange_extract_days, 1, 365, "days a bulk extract's file is kept"),
      Int("exchange.extract_period_ms", "ONEWINDOW_EXCHANGE_EXTRACT_PERIOD_MS",
          &Config::exchange_extract_period_ms, 50, 3600000,
          "how often the bulk extract job looks for waiting extracts"),
      Int("archive.after_days", "ONEWINDOW_ARCHIVE_AFTER_DAYS", &Config::archive_after_days, 0,
          36500, "days after closing that a case moves to the archive (0: never)"),
      Int("archive.batch", "ONEWINDOW_ARCHIVE_BATCH", &Config::archive_batch, 1, 100000,
          "most cases archived by one run of the hourly archive job"),
      Int("audit.retention_days", "ONEWINDOW_AUDIT_RETENTION_DAYS", &Config::audit_retention_days,
          0, 36500, "days audit records are kept at least before they may be pruned (0: forever)"),
      Int("webhooks.delivery_period_ms", "ONEWINDOW_WEBHOOKS_DELIVERY_PERIOD_MS",
          &Config::webhooks_delivery_period_ms, 50, 3600000,
          "how often each server looks for due webhook deliveries"),
      Int("webhooks.lease_seconds", "ONEWINDOW_WEBHOOKS_LEASE_SECONDS",
          &Config::webhooks_lease_seconds, 1, 86400,
          "a webhook delivery claimed by a server that then stopped is retried after this long "
          "(keep it above webhooks.timeout_ms)"),
      Int("webhooks.max_attempts", "ONEWINDOW_WEBHOOKS_MAX_ATTEMPTS",
          &Config::webhooks_max_attempts, 1, 100,
          "attempts of one webhook delivery before it is dead (an administrator may replay it)"),
      Int("webhooks.retry_base_seconds", "ONEWINDOW_WEBHOOKS_RETRY_BASE_SECONDS",
          &Config::webhooks_retry_base_seconds, 1, 86400,
          "the first webhook retry waits about this long (0.5x to 1.5x), each next one twice as "
          "long"),
      Int("webhooks.retry_max_seconds", "ONEWINDOW_WEBHOOKS_RETRY_MAX_SECONDS",
          &Config::webhooks_retry_max_seconds, 1, 604800,
          "no webhook retry waits longer than this"),
      Int("webhooks.timeout_ms", "ONEWINDOW_WEBHOOKS_TIMEOUT_MS", &Config::webhooks_timeout_ms, 100,
          60000, "budget of one webhook call to a department system"),
      Int("webhooks.allow_http", "ONEWINDOW_WEBHOOKS_ALLOW_HTTP", &Config::webhooks_allow_http, 0,
          1, "1: subscriptions may name http:// endpoints (otherwise https:// only)"),
  };
  return fields;
}

Result<Config> LoadConfig(const std::string& toml_path,
                          const std::map<std::string, std::string>& env) {
  Config config;
  const auto& fields = ConfigFields();
  if (!toml_path.empty()) {
    toml::table tbl;
    try {
      tbl = toml::parse_file(toml_path);
    } catch (const toml::parse_error& e) {
      std::ostringstream os;
      os << toml_path << ":" << e.source().begin.line << ": " << e.description();
      return InvalidArgument(os.str());
    }
    std::set<std::string> known;
    for (const auto& f : fields) known.insert(f.key);
    Validator v;
    for (auto& [section, node] : tbl) {
      auto* sub = node.as_table();
      if (!sub) {
        v.Add(std::string(section.str()), "is not a known section");
        continue;
      }
      for (auto& [name, value] : *sub) {
        std::string key = std::string(section.str()) + "." + std::string(name.str());
        if (!known.count(key)) {
          v.Add(key, "is not a known setting");
          continue;
        }
        std::string text;
        if (auto s = value.value<std::string>(); s && value.is_string()) {
          text = *s;
        } else if (auto i = value.value<int64_t>(); i && value.is_integer()) {
          text = std::to_string(*i);
        } else {
          v.Add(key, "must be a string or an integer");
          continue;
        }
        for (const auto& f : fields) {
          if (f.key == key) {
            if (auto st = f.set(config, text); !st) v.Add(key, st.error().message);
          }
        }
      }
    }
    OW_RETURN_IF_ERROR(v.Finish("configuration file " + toml_path));
  }
  for (const auto& f : fields) {
    if (auto it = env.find(f.env); it != env.end()) {
      if (auto st = f.set(config, it->second); !st) {
        return InvalidArgument(f.env + ": " + st.error().message);
      }
    }
  }
  return config;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("ONEWINDOW_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::string MaskUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

std::string PrintConfig(const Config& config) {
  std::ostringstream os;
  std::string section;
  for (const auto& f : ConfigFields()) {
    auto dot = f.key.find('.');
    std::string sec = f.key.substr(0, dot);
    if (sec != section) {
      if (!section.empty()) os << "\n";
      os << "[" << sec << "]\n";
      section = sec;
    }
    std::string value = f.get(config);
    bool is_int = !value.empty() && value.find_first_not_of("-0123456789") == std::string::npos;
    if (f.secret) {
      if (f.key == "database.url") {
        value = MaskUrl(value);
      } else if (f.key == "server.admin_tokens") {
        std::string masked;
        for (size_t pos = 0; pos < value.size();) {
          size_t end = value.find(',', pos);
          if (end == std::string::npos) end = value.size();
          std::string entry = value.substr(pos, end - pos);
          masked += (masked.empty() ? "" : ",") + entry.substr(0, entry.find(':')) + ":****";
          pos = end + 1;
        }
        value = masked;
      } else if (!value.empty()) {
        value = "****";
      }
    }
    os << f.key.substr(dot + 1) << " = ";
    if (is_int && !f.secret) {
      os << value;
    } else {
      os << '"';
      for (char ch : value) {
        if (ch == '"' || ch == '\\') os << '\\';
        os << ch;
      }
      os << '"';
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace ow
