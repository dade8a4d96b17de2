// Effective configuration of a OneWindow process.
//
// Sources, later ones winning: built-in defaults, a TOML file (`--config`),
// `ONEWINDOW_*` environment variables, then command-line flags (applied by the
// caller after Load). Every setting has one TOML key and one environment variable,
// listed in ConfigFields(); the README's configuration table mirrors that list.
#ifndef OW_CORE_CONFIG_H_
#define OW_CORE_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace ow {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8080";
  std::string web_root = "web/dist";
  int64_t io_threads = 0;  // 0 = number of cores
  int64_t handler_threads =
      0;  // threads for short handlers (database work); 0 = one per core, at least 2
  int64_t blocking_threads = 16;    // threads for slow handlers (password hashing, calls to peers)
  int64_t body_limit = 1 << 20;     // bytes; larger bodies get 413
  std::string spool_dir;            // temporary files of uploads; "" = the system temp dir
  int64_t header_limit = 16 << 10;  // bytes; larger headers get 431
  int64_t read_timeout_ms = 10000;  // to receive one whole request (headers and body)
  int64_t write_timeout_ms = 10000;
  int64_t idle_timeout_ms = 60000;  // keep-alive connections idle longer are closed
  int64_t shutdown_grace_ms = 10000;
  int64_t max_connections = 10000;
  // Reverse proxies whose X-Forwarded-For is believed: "10.0.0.5, 10.1.0.0/16" (http/proxies.h).
  std::string trusted_proxies;
  std::string admin_token;   // bootstrap admin bearer token (secret)
  std::string admin_tokens;  // named administrators "alice:token,bob:token" (secret)
  std::string log_level = "info";
  // [database]
  std::string database_url = "sqlite:./data/onewindow.db";  // may hold a password (secret)
  int64_t db_pool_size = 8;
  int64_t db_busy_timeout_ms = 5000;
  int64_t db_connect_timeout_ms = 3000;     // PostgreSQL: opening one connection
  int64_t db_statement_timeout_ms = 60000;  // PostgreSQL: one statement; 0 = no limit
  int64_t db_pool_wait_ms = 2000;           // a request waits this long for a free connection
  // [cluster] several nodes on one database
  int64_t job_lease_seconds = 60;  // a node's claim on a background job (docs/architecture.md)
  int64_t case_timer_period_ms = 15000;    // how often due workflow timers are looked for
  int64_t idempotency_key_hours = 24;      // an Idempotency-Key is remembered this long
  int64_t idempotency_claim_seconds = 60;  // a claimed key without a stored answer frees after
  // [identity]
  std::string issuer;     // OpenID Connect issuer URL; "" = http://<listen address>
  std::string data_keys;  // AES-256 keys for personal data, "version:hex64,..." (secret)
  std::string index_key;  // 64 hex digits: HMAC key for lookups, pairwise ids, CSRF (secret)
  std::string key_file = "data/identity-keys.json";  // generated keys when the two above are unset
  int64_t session_hours = 12;                        // absolute lifetime of a portal session
  int64_t session_idle_minutes = 120;                // a session unused this long ends
  int64_t cookie_secure = 1;                         // 1: the session cookie is Secure
  int64_t lockout_threshold = 5;  // failed logins per (username, client IP) before it waits
  int64_t lockout_minutes = 15;
  int64_t ip_failure_limit = 30;       // failed logins per client IP per 10 minutes
  int64_t registration_ip_limit = 20;  // self-registrations per client IP per hour
  int64_t access_token_seconds = 600;
  int64_t refresh_token_days = 30;
  int64_t key_overlap_hours = 24;    // retired signing keys stay in the JWKS this long
  int64_t password_concurrency = 0;  // argon2id hashes at once; 0 = number of cores
  // libsodium's cheapest argon2id instead of OWASP's (crypto::PasswordParams::InsecureForTests).
  // Set only by the test harness (tests/support TestServer): no file key or environment
  // variable reads it, so no deployment can turn it on.
  bool insecure_password_hashing_for_tests = false;
  std::string realname_url;     // real-name verification service; "" = none
  std::string realname_secret;  // its bearer token (secret)
  int64_t realname_timeout_ms = 5000;
  int64_t realname_attempts = 5;  // per account per 24 hours
  // [materials]
  int64_t materials_max_file_bytes = 20 << 20;   // one upload; larger get 413
  int64_t materials_max_case_bytes = 100 << 20;  // all materials of one case together
  std::string materials_scanner_command;         // e.g. "clamdscan --no-summary"; "" = none
  int64_t materials_scanner_timeout_seconds = 60;
  // [notify]
  std::string notify_smtp_host;  // "" = e-mail is not offered
  int64_t notify_smtp_port = 25;
  std::string notify_smtp_from = "noreply@onewindow.localhost";
  std::string notify_smtp_helo = "onewindow.localhost";  // also the host part of Message-IDs
  int64_t notify_smtp_timeout_ms = 10000;
  int64_t notify_smtp_starttls = 0;       // 1: STARTTLS required, the certificate verified
  std::string notify_smtp_ca_file;        // PEM CAs for it; "" = the system trust store
  std::string notify_smtp_user;           // SMTP AUTH user (only inside STARTTLS); "" = no AUTH
  std::string notify_smtp_password;       // its password (secret); or:
  std::string notify_smtp_password_file;  // a file whose first line is the password
  std::string notify_sms_url;             // "" = SMS is not offered
  std::string notify_sms_token;           // bearer token for the gateway (secret)
  int64_t notify_sms_timeout_ms = 5000;
  int64_t notify_delivery_period_ms = 5000;  // how often due deliveries are looked for
  int64_t notify_lease_seconds = 120;
  int64_t notify_max_attempts = 8;
  int64_t notify_retry_base_seconds = 30;
  int64_t notify_retry_max_seconds = 3600;
  // [booking]
  int64_t booking_days_ahead = 14;       // slots are offered from today for this many days
  int64_t booking_max_active = 3;        // bookings to come one person may hold
  int64_t booking_per_item_per_day = 1;  // bookings of one item on one day per person
  int64_t booking_no_show_count = 3;     // this many no-shows ...
  int64_t booking_no_show_days = 90;     // ... within this many days ...
  int64_t booking_ban_days = 30;         // ... pause new bookings for this many days
  // [tickets] consultations, complaints, suggestions: deadlines in working days by kind
  int64_t tickets_consult_days = 3;
  int64_t tickets_complaint_days = 10;
  int64_t tickets_suggestion_days = 15;
  int64_t tickets_anonymous_per_hour = 10;  // anonymous consultations per client address
  // [ratings] good/bad ratings: working days to rectify a bad one, an SMS link's lifetime
  int64_t ratings_rectify_days = 10;
  int64_t ratings_link_days = 30;
  // The exchange message log (issue 14): time-stamp the chain head once this many entries
  // wait, or once the oldest has waited this many seconds; the public TSA's limit.
  int64_t xlog_stamp_every_entries = 1000;
  int64_t xlog_stamp_every_seconds = 5;
  int64_t tsa_per_minute = 60;  // RFC 3161 requests per client address per minute
  // [exchange] data sharing: who keeps the bases, how provider systems are called
  std::string exchange_population_department = "3301-GA";
  std::string exchange_legal_person_department = "3301-SCJG";
  std::string exchange_birth_department = "3301-WJ";
  int64_t exchange_max_grant_days = 366;
  int64_t exchange_adapter_timeout_ms = 2000;
  int64_t exchange_adapter_retries = 2;
  int64_t exchange_adapter_failure_threshold = 5;
  int64_t exchange_adapter_cooldown_ms = 30000;
  // Bulk extracts: the largest part (one download), how long data is kept, the job's period.
  int64_t exchange_extract_part_bytes = 32 << 20;
  int64_t exchange_extract_days = 7;
  int64_t exchange_extract_period_ms = 1000;
  // [archive] closed cases leave the hot tables this many days after they closed (0: never),
  // at most archive_batch per run of the hourly job.
  int64_t archive_after_days = 365;
  int64_t archive_batch = 500;
  // [audit] records older than this many days may be pruned (0: kept forever).
  int64_t audit_retention_days = 0;
  // The OpenID Connect client the platform's case handling queries the exchange as (a
  // registered system with grants, like any consumer).
  std::string exchange_case_client = "onewindow-cases";
  // [webhooks]: events to department systems (src/webhooks)
  int64_t webhooks_delivery_period_ms = 2000;  // how often due deliveries are looked for
  int64_t webhooks_lease_seconds = 60;
  int64_t webhooks_max_attempts = 10;
  int64_t webhooks_retry_base_seconds = 10;
  int64_t webhooks_retry_max_seconds = 3600;
  int64_t webhooks_timeout_ms = 5000;
  int64_t webhooks_allow_http = 0;  // 1: http:// endpoints too (test and internal networks)
};

// One setting: its TOML key ("server.listen"), environment variable, and accessors.
struct ConfigField {
  std::string key;
  std::string env;
  bool secret;
  std::function<std::string(const Config&)> get;
  std::function<Status(Config&, const std::string&)> set;
  std::string help;
};

const std::vector<ConfigField>& ConfigFields();

// Applies defaults, then `toml_path` (if non-empty), then the environment `env`.
// Unknown TOML keys and malformed values are errors naming the key.
Result<Config> LoadConfig(const std::string& toml_path,
                          const std::map<std::string, std::string>& env);

// Reads the process environment into a map (only ONEWINDOW_* variables).
std::map<std::string, std::string> ProcessEnvironment();

// "key = value" lines with secrets masked, in TOML syntax.
std::string PrintConfig(const Config& config);

// Masks the password in a database URL (postgresql://u:****@h/db).
std::string MaskUrl(const std::string& url);

}  // namespace ow

#endif  // OW_CORE_CONFIG_H_
