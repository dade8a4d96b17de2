// The notifications domain: one outbox for every message the platform sends a person.
//
// Notify() (the Notifier every domain calls inside its own transaction) writes the
// person's portal inbox row and, in the same transaction, one outbox row per external
// channel the person chose for the topic (a verified e-mail address, a phone for SMS).
// A rolled-back transaction therefore sends nothing. Delivery workers (DeliverDue, run
// periodically by the app) claim due outbox rows atomically with a lease, send, and
// record the outcome; failures are retried with exponential back-off and jitter up to
// max_attempts, then the row is "dead" until an administrator requeues it.
//
// What is guaranteed (see docs/architecture.md, "Notifications"): every committed
// message reaches the inbox exactly once; each outbox row is sent AT LEAST once while
// the channel accepts it. A crash (kill -9) after the SMTP server accepted DATA or the
// SMS gateway answered 2xx, but before the outcome was committed, sends it again once
// the lease expires: e-mails then carry the same Message-ID (<outbox-id.onewindow@host>)
// so the receiving side can recognise the repeat; SMS carry the same "id" in the JSON.
//
// Thread-safe. Errors: kInvalidArgument with field errors, kNotFound, kPermissionDenied,
// kFailedPrecondition (a channel not offered), kResourceExhausted (codes asked too
// often), kStaleVersion (If-Match).
#ifndef OW_NOTIFY_SERVICE_H_
#define OW_NOTIFY_SERVICE_H_

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "authz/principal.h"
#include "core/clock.h"
#include "core/notice.h"
#include "db/database.h"
#include "notify/model.h"
#include "notify/notifier.h"

namespace ow::notify {

struct Options {
  // SMTP (RFC 5321) relay; "" = e-mail is not offered.
  std::string smtp_host;
  int64_t smtp_port = 25;
  std::string smtp_from;  // the envelope and From: address
  std::string smtp_helo;  // the EHLO name; also the host part of Message-IDs
  int64_t smtp_timeout_ms = 10000;
  bool smtp_starttls = false;  // STARTTLS required (the certificate verified)
  std::string smtp_ca_file;    // PEM CAs to trust for it instead of the system store
  // SMTP AUTH (PLAIN or LOGIN, only inside STARTTLS); "" = none. The password is a secret:
  // given directly (from the environment) or read from smtp_password_file by
  // LoadSmtpPassword().
  std::string smtp_user;
  std::string smtp_password;
  std::string smtp_password_file;
  // SMS gateway (POST JSON with a bearer token); "" = SMS is not offered.
  std::string sms_url;
  std::string sms_token;
  int64_t sms_timeout_ms = 5000;
  // Delivery.
  int64_t lease_seconds = 120;       // a claimed row is someone's for this long
  int64_t max_attempts = 8;          // then the delivery is dead
  int64_t retry_base_seconds = 30;   // the first retry waits about this long, then doubles
  int64_t retry_max_seconds = 3600;  // no wait longer than this
  int64_t batch = 20;                // rows claimed at once
};

// Checks the SMTP AUTH settings of `o` and, when only smtp_password_file is given, reads the
// password from it (its first line). A user needs STARTTLS and a password; a password needs
// a user. Errors name the setting, never the password.
Status LoadSmtpPassword(Options& o);

// What a person may change in their preferences (PUT); absent members stay as they are.
struct PreferencesInput {
  std::optional<std::string> lang;
  std::optional<std::string> phone;
  std::optional<std::map<std::string, std::vector<std::string>>> topics;
};

class Service final : public Notifier {
 public:
  Service(db::Database& db, Options options);

  // Registers a domain's notice table: codes starting with `prefix` ("case.") render
  // from it. Call before serving.
  void AddTemplates(std::string prefix, std::span<const notice::Template> table);
  // The account's phone number from identity (the SMS default). Call before serving.
  void SetPhoneLookup(std::function<std::string(const std::string& account_id)> fn);
  // The portal's origin, for links in e-mails ("https://portal.example.gov").
  void SetPublicUrl(std::string url);

  Status Notify(db::Connection& c, const Outgoing& m) override;

  // `code` rendered from the table registered for its prefix (the code itself if none).
  std::string Render(std::string_view code, const boost::json::object& params,
                     notice::Lang lang) const;
  // Whether some registered table has `code`.
  bool HasTemplate(std::string_view code) const;

  // The person's inbox, newest first (every topic).
  Result<std::vector<InboxMessage>> Messages(const authz::Principal& who, int64_t limit);
  Status MarkRead(const authz::Principal& who, int64_t id);

  bool email_offered() const { return !options_.smtp_host.empty(); }
  bool sms_offered() const { return !options_.sms_url.empty(); }
  // The phone SMS go to for `p`: their own choice, else the account's.
  std::string PhoneFor(const Preferences& p) const;

  // The person's preferences (defaults when never saved).
  Result<Preferences> GetPreferences(const authz::Principal& who);
  Result<Preferences> PutPreferences(const authz::Principal& who, const PreferencesInput& in,
                                     std::optional<int64_t> expected_version);
  // Sends a 6-digit code to `email` (valid 15 minutes, 5 tries); the address is used
  // only once the code is entered. kFailedPrecondition when e-mail is not offered;
  // kResourceExhausted when the last code went out less than a minute ago.
  Result<Preferences> RequestEmailCode(const authz::Principal& who, const std::string& email);
  Result<Preferences> VerifyEmail(const authz::Principal& who, const std::string& code);
  Result<Preferences> RemoveEmail(const authz::Principal& who);

  // Claims and sends what is due at `now`, batch after batch (at most 20 batches);
  // returns how many deliveries were attempted.
  Result<int64_t> DeliverDue(SystemTime now);
  // For system administrators.
  Result<std::vector<Delivery>> Deliveries(const authz::Principal& who, const std::string& status,
                                           int64_t limit);
  Result<Delivery> Requeue(const authz::Principal& who, int64_t id);

 private:
  struct Outcome {
    enum Kind { kSent, kRetry, kPermanent } kind;
    std::string detail;       // the error, for last_error
    std::string provider_id;  // what identifies it at the receiver
  };
  Outcome Send(const Delivery& d);
  Outcome SendEmail(const Delivery& d);
  Outcome SendSms(const Delivery& d);
  Status Record(const Delivery& d, const Outcome& o, SystemTime now);
  Result<Preferences> Load(db::Connection& c, const std::string& account);
  Result<Preferences> Change(const authz::Principal& who,
                             const std::function<Status(db::Connection&, Preferences&)>& fn,
                             std::optional<int64_t> expected_version = std::nullopt);
  std::string MessageId(int64_t delivery_id) const;

  db::Database& db_;
  Options options_;
  std::vector<std::pair<std::string, std::span<const notice::Template>>> tables_;
  std::function<std::string(const std::string&)> phone_of_;
  mutable std::mutex url_mu_;
  std::string public_url_;  // guarded by url_mu_ (set when the server binds its port)
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace ow::notify

#endif  // OW_NOTIFY_SERVICE_H_
