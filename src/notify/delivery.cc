// notify::Service's delivery: claiming due outbox rows with a lease, rendering them in
// the person's language, sending them by SMTP or the SMS gateway, and recording the
// outcome (sent; retried with exponential back-off and jitter; dead after
// max_attempts). Also the administrators' view of dead deliveries and the requeue.
#include <boost/json.hpp>
#include <cmath>
#include <fstream>

#include "authz/authz.h"
#include "core/log.h"
#include "http/client.h"
#include "notify/service.h"
#include "notify/smtp.h"
#include "notify/store.h"

namespace ow::notify {

namespace json = boost::json;

namespace {

constexpr int kMaxBatches = 20;
constexpr size_t kSmsChars = 70;  // one SMS segment of Chinese text

notice::Lang LangOf(const std::string& tag) {
  return tag == "en" ? notice::Lang::kEn : notice::Lang::kZhCn;
}

// The first `n` characters (code points) of UTF-8 `s`, ending in "…" when cut.
std::string Clip(const std::string& s, size_t n) {
  size_t chars = 0, cut = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if ((uint8_t(s[i]) & 0xC0) == 0x80) continue;
    if (chars == n - 1) cut = i;
    ++chars;
  }
  return chars <= n ? s : s.substr(0, cut) + "…";
}

Status Done(const Result<bool>& r) {
  if (!r) return r.error();
  return {};
}

}  // namespace

Status LoadSmtpPassword(Options& o) {
  if (o.smtp_password.empty() && !o.smtp_password_file.empty()) {
    std::ifstream in(o.smtp_password_file, std::ios::binary);
    if (!in) return InvalidArgument("notify.smtp_password_file: cannot read it");
    std::getline(in, o.smtp_password);
    if (!o.smtp_password.empty() && o.smtp_password.back() == '\r') o.smtp_password.pop_back();
    if (o.smtp_password.empty())
      return InvalidArgument("notify.smtp_password_file: its first line is empty");
  }
  if (o.smtp_user.empty()) {
    if (!o.smtp_password.empty())
      return InvalidArgument("notify.smtp_password is set without notify.smtp_user");
    return {};
  }
  if (o.smtp_password.empty())
    return InvalidArgument(
        "notify.smtp_user needs notify.smtp_password or notify.smtp_password_file");
  if (!o.smtp_starttls)
    return InvalidArgument(
        "notify.smtp_user: SMTP AUTH is sent only inside STARTTLS: set notify.smtp_starttls = 1");
  return {};
}

std::string Service::MessageId(int64_t delivery_id) const {
  return "<" + std::to_string(delivery_id) + ".onewindow@" + options_.smtp_helo + ">";
}

Service::Outcome Service::SendEmail(const Delivery& d) {
  const notice::Lang lang = LangOf(d.lang);
  Mail mail;
  mail.from = options_.smtp_from;
  mail.to = d.address;
  mail.message_id = MessageId(d.id);
  if (HasTemplate(d.code + ".subject"))
    mail.subject = Render(d.code + ".subject", d.params, lang);
  else if (!d.ref.empty())
    mail.subject = Render("notify.subject", {{"ref", d.ref}}, lang);
  else
    mail.subject = Render("notify.subject_plain", {}, lang);
  mail.body = Render(d.code, d.params, lang) + "\n\n";
  std::string origin;
  {
    std::lock_guard lock(url_mu_);
    origin = public_url_;
  }
  if (!d.link.empty() && !origin.empty())
    mail.body += Render("notify.footer", {{"link", origin + d.link}}, lang);
  else
    mail.body += Render("notify.footer_plain", {}, lang);
  mail.body += "\n";
  SmtpServer server{options_.smtp_host,     static_cast<uint16_t>(options_.smtp_port),
                    options_.smtp_helo,     std::chrono::milliseconds(options_.smtp_timeout_ms),
                    options_.smtp_starttls, options_.smtp_ca_file,
                    options_.smtp_user,     options_.smtp_password};
  auto st = SendMail(server, mail);
  if (st) return {Outcome::kSent, "", mail.message_id};
  return {st.error().code == Code::kFailedPrecondition ? Outcome::kPermanent : Outcome::kRetry,
          st.error().message, ""};
}

Service::Outcome Service::SendSms(const Delivery& d) {
  const notice::Lang lang = LangOf(d.lang);
  std::string phone = d.address;
  if (phone.empty() && phone_of_) phone = phone_of_(d.account_id);
  if (phone.empty()) return {Outcome::kPermanent, "the account has no phone number", ""};
  std::string text = HasTemplate(d.code + ".sms") ? Render(d.code + ".sms", d.params, lang)
                                                  : Render(d.code, d.params, lang);
  text = Render("notify.sms_prefix", {}, lang) + Clip(text, kSmsChars);
  json::object body{{"id", "onewindow-" + std::to_string(d.id)}, {"to", phone}, {"text", text}};
  http::FetchRequest req;
  req.method = "POST";
  req.url = options_.sms_url;
  req.headers = {{"Content-Type", "application/json"}};
  if (!options_.sms_token.empty())
    req.headers.emplace_back("Authorization", "Bearer " + options_.sms_token);
  req.body = json::serialize(body);
  req.timeout = std::chrono::milliseconds(options_.sms_timeout_ms);
  req.max_body = 64 * 1024;
  auto res = http::Fetch(req);
  if (!res) return {Outcome::kRetry, res.error().message, ""};
  std::string status = "sms gateway answered " + std::to_string(res->status);
  if (res->status >= 200 && res->status < 300) {
    boost::system::error_code ec;
    json::value v = json::parse(res->body, ec);
    const json::value* id =
        !ec && v.is_object() ? v.as_object().if_contains("message_id") : nullptr;
    if (id && id->is_string() && !id->as_string().empty())
      return {Outcome::kSent, "", std::string(id->as_string()).substr(0, 200)};
    // Accepted but unidentifiable: retrying could send it twice, so it is recorded dead
    // for an administrator to look at.
    return {Outcome::kPermanent, status + " without a message_id", ""};
  }
  if (res->status == 429 || res->status >= 500 || res->status == 408)
    return {Outcome::kRetry, status, ""};
  return {Outcome::kPermanent, status, ""};
}

Service::Outcome Service::Send(const Delivery& d) {
  if (d.channel == kEmail) {
    if (!email_offered()) return {Outcome::kRetry, "e-mail is not configured now", ""};
    return SendEmail(d);
  }
  if (d.channel == kSms) {
    if (!sms_offered()) return {Outcome::kRetry, "SMS is not configured now", ""};
    return SendSms(d);
  }
  return {Outcome::kPermanent, "unknown channel " + d.channel, ""};
}

Status Service::Record(const Delivery& d, const Outcome& o, SystemTime now) {
  return db_.Transact([&](db::Connection& c) -> Status {
    if (o.kind == Outcome::kSent)
      return Done(store::MarkSent(c, d, FormatTime(now), o.provider_id));
    if (o.kind == Outcome::kPermanent || d.attempts >= options_.max_attempts)
      return Done(store::MarkDead(c, d, o.detail.substr(0, 500)));
    // Exponential back-off with jitter: base * 2^(attempts-1), capped, times 0.5..1.5, so
    // many rows failing together do not all come back at once.
    double wait = static_cast<double>(options_.retry_base_seconds) *
                  std::pow(2.0, static_cast<double>(std::min<int64_t>(d.attempts - 1, 30)));
    wait = std::min(wait, static_cast<double>(options_.retry_max_seconds));
    double jitter;
    {
      std::lock_guard lock(rng_mu_);
      jitter = std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
    }
    auto next = now + std::chrono::seconds(std::max<int64_t>(1, std::llround(wait * jitter)));
    return Done(store::MarkRetry(c, d, FormatTime(next), o.detail.substr(0, 500)));
  });
}

Result<int64_t> Service::DeliverDue(SystemTime now) {
  if (!email_offered() && !sms_offered()) return int64_t{0};
  int64_t attempted = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    std::vector<Delivery> claimed;
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(
          claimed, store::ClaimDue(c, FormatTime(now),
                                   FormatTime(now + std::chrono::seconds(options_.lease_seconds)),
                                   options_.batch));
      return {};
    }));
    if (claimed.empty()) break;
    const auto claimed_at = std::chrono::steady_clock::now();
    for (size_t i = 0; i < claimed.size(); ++i) {
      const Delivery& d = claimed[i];
      // Slow channels: hand back what is left before the lease could run out under us, so
      // another server never takes a row this one is still about to send.
      if (std::chrono::steady_clock::now() - claimed_at >
          std::chrono::seconds(options_.lease_seconds) / 2) {
        OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
          for (size_t j = i; j < claimed.size(); ++j)
            OW_RETURN_IF_ERROR(Done(store::Release(c, claimed[j])));
          return {};
        }));
        break;
      }
      Outcome o = Send(d);
      ++attempted;
      if (o.kind != Outcome::kSent)
        log::Warn("notify.delivery_failed", {{"delivery", d.id},
                                             {"channel", d.channel},
                                             {"attempt", d.attempts},
                                             {"error", o.detail}});
      OW_RETURN_IF_ERROR(Record(d, o, now));
    }
    if (static_cast<int64_t>(claimed.size()) < options_.batch) break;
  }
  return attempted;
}

Result<std::vector<Delivery>> Service::Deliveries(const authz::Principal& who,
                                                  const std::string& status, int64_t limit) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageDeliveries));
  std::vector<Delivery> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::Deliveries(c, status, std::clamp<int64_t>(limit, 1, 500)));
    return {};
  }));
  return out;
}

Result<Delivery> Service::Requeue(const authz::Principal& who, int64_t id) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageDeliveries));
  Delivery out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto d, store::GetDelivery(c, id));
    if (!d) return NotFound("no delivery " + std::to_string(id));
    OW_ASSIGN_OR_RETURN(bool requeued, store::Requeue(c, id, NowText()));
    if (!requeued)
      return FailedPrecondition("only a dead delivery can be requeued; this one is " + d->status);
    OW_ASSIGN_OR_RETURN(auto again, store::GetDelivery(c, id));
    out = std::move(*again);
    return {};
  }));
  return out;
}

}  // namespace ow::notify
