// notify::Service: recording messages (Notify), the inbox, and preferences with the
// e-mail address check. Delivery lives in delivery.cc.
#include "notify/service.h"

#include <algorithm>

#include "authz/authz.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "notify/notices.h"
#include "notify/store.h"

namespace ow::notify {

namespace json = boost::json;

namespace {

constexpr auto kCodeLifetime = std::chrono::minutes(15);
constexpr auto kCodeInterval = std::chrono::minutes(1);
constexpr int64_t kCodeTries = 5;

bool KnownTopic(std::string_view t) {
  return std::find(std::begin(kTopics), std::end(kTopics), t) != std::end(kTopics);
}

std::string CodeHash(const std::string& account, const std::string& code) {
  return crypto::HexEncode(crypto::Sha256(account + ":" + code));
}

// A deliberately plain check: one @, a dot in the domain, no spaces or controls, and what
// SMTP can carry in RCPT TO without quoting.
bool PlausibleEmail(std::string_view e) {
  if (e.size() < 5 || e.size() > 254) return false;
  size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view domain = e.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
    return false;
  for (unsigned char ch : e)
    if (ch <= ' ' || ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == ',' || ch == ';' ||
        ch == ':' || ch == '\\' || ch == '"' || ch == '[' || ch == ']' || ch >= 0x7f)
      return false;
  return true;
}

bool PlausiblePhone(std::string_view p) {
  if (p.size() < 5 || p.size() > 20) return false;
  for (size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= '0' && p[i] <= '9') && !(i == 0 && p[i] == '+')) return false;
  return true;
}

Status Self(const authz::Principal& who, authz::Action a) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  return authz::Decide(who, a, {"", "", who.account_id, false});
}

}  // namespace

Service::Service(db::Database& db, Options options)
    : db_(db), options_(std::move(options)), rng_(std::random_device{}()) {
  if (options_.smtp_helo.empty()) options_.smtp_helo = "localhost";
  AddTemplates("notify.", Notices());
}

void Service::AddTemplates(std::string prefix, std::span<const notice::Template> table) {
  tables_.emplace_back(std::move(prefix), table);
}

void Service::SetPhoneLookup(std::function<std::string(const std::string&)> fn) {
  phone_of_ = std::move(fn);
}

void Service::SetPublicUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard lock(url_mu_);
  public_url_ = std::move(url);
}

bool Service::HasTemplate(std::string_view code) const {
  for (const auto& [prefix, table] : tables_) {
    if (!code.starts_with(prefix)) continue;
    for (const auto& t : table)
      if (t.code == code) return true;
  }
  return false;
}

std::string Service::Render(std::string_view code, const json::object& params,
                            notice::Lang lang) const {
  for (const auto& [prefix, table] : tables_)
    if (code.starts_with(prefix) &&
        std::any_of(table.begin(), table.end(), [&](const auto& t) { return t.code == code; }))
      return notice::Render(table, code, params, lang);
  return std::string(code);
}

Status Service::Notify(db::Connection& c, const Outgoing& m) {
  if (m.account_id.empty()) return Internal("a notification needs a recipient");
  std::string now = NowText();
  InboxMessage in;
  in.account_id = m.account_id;
  in.topic = m.topic;
  in.code = m.code;
  in.params = m.params;
  in.ref = m.ref;
  in.link = m.link;
  in.created_at = now;
  OW_ASSIGN_OR_RETURN(auto id, store::InsertMessage(c, in, m.dedupe_key));
  if (!id) return {};  // already recorded under this dedupe key
  OW_ASSIGN_OR_RETURN(auto prefs, store::GetPreferences(c, m.account_id));
  if (!prefs) return {};
  auto chosen = prefs->topics.find(m.topic);
  if (chosen == prefs->topics.end()) return {};
  for (const auto& channel : chosen->second) {
    Delivery d;
    d.message_id = *id;
    d.account_id = m.account_id;
    d.channel = channel;
    d.lang = prefs->lang;
    d.topic = m.topic;
    d.code = m.code;
    d.params = m.params;
    d.ref = m.ref;
    d.link = m.link;
    d.created_at = now;
    if (channel == kEmail) {
      // Only a verified address, and only while e-mail is offered.
      if (!email_offered() || prefs->email.empty()) continue;
      d.address = prefs->email;
    } else if (channel == kSms) {
      if (!sms_offered()) continue;
      // "" = the account's phone, looked up when sending (outside this transaction).
      d.address = prefs->phone;
    } else {
      continue;
    }
    OW_RETURN_IF_ERROR(store::InsertDelivery(c, d));
  }
  return {};
}

Result<std::vector<InboxMessage>> Service::Messages(const authz::Principal& who, int64_t limit) {
  OW_RETURN_IF_ERROR(Self(who, authz::Action::kReadOwnCases));
  std::vector<InboxMessage> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out,
                        store::Messages(c, who.account_id, std::clamp<int64_t>(limit, 1, 200)));
    return {};
  }));
  return out;
}

Status Service::MarkRead(const authz::Principal& who, int64_t id) {
  OW_RETURN_IF_ERROR(Self(who, authz::Action::kActForPerson));
  bool found = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(found, store::MarkRead(c, id, who.account_id, NowText()));
    return {};
  }));
  if (!found) return NotFound("no message " + std::to_string(id));
  return {};
}

std::string Service::PhoneFor(const Preferences& p) const {
  if (!p.phone.empty()) return p.phone;
  return phone_of_ ? phone_of_(p.account_id) : std::string();
}

Result<Preferences> Service::Load(db::Connection& c, const std::string& account) {
  OW_ASSIGN_OR_RETURN(auto p, store::GetPreferences(c, account));
  if (p) return *p;
  Preferences d;
  d.account_id = account;
  return d;
}

Result<Preferences> Service::GetPreferences(const authz::Principal& who) {
  OW_RETURN_IF_ERROR(Self(who, authz::Action::kManageNotifications));
  Preferences out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Load(c, who.account_id));
    return {};
  }));
  return out;
}

Result<Preferences> Service::Change(const authz::Principal& who,
                                    const std::function<Status(db::Connection&, Preferences&)>& fn,
                                    std::optional<int64_t> expected_version) {
  OW_RETURN_IF_ERROR(Self(who, authz::Action::kManageNotifications));
  Preferences out;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(Preferences p, Load(c, who.account_id));
    if (expected_version && *expected_version != p.version)
      return StaleVersion("the preferences changed meanwhile: reload them");
    int64_t previous = p.version;
    const std::string email = p.email, phone = p.phone;
    OW_RETURN_IF_ERROR(fn(c, p));
    // Messages not sent yet follow a changed address, in this same transaction: none goes to
    // an address the person has replaced or removed. ("" for SMS is the account's phone,
    // looked up when sending.)
    if (p.email != email) OW_RETURN_IF_ERROR(store::Readdress(c, p.account_id, kEmail, p.email));
    if (p.phone != phone) OW_RETURN_IF_ERROR(store::Readdress(c, p.account_id, kSms, p.phone));
    p.updated_at = NowText();
    OW_ASSIGN_OR_RETURN(bool put, store::PutPreferences(c, p, previous));
    // Two changes at once: the loser retries from the start (kConflict is retried by
    // Transact only for serialization failures, so say it plainly).
    if (!put) return StaleVersion("the preferences changed meanwhile: reload them");
    p.version = previous + 1;
    out = std::move(p);
    return {};
  }));
  return out;
}

Result<Preferences> Service::PutPreferences(const authz::Principal& who, const PreferencesInput& in,
                                            std::optional<int64_t> expected_version) {
  Validator v;
  if (in.lang && *in.lang != "zh-CN" && *in.lang != "en") v.Add("lang", "must be zh-CN or en");
  if (in.phone && !in.phone->empty() && !PlausiblePhone(*in.phone))
    v.Add("phone", "must be a phone number of 5 to 20 digits, optionally starting with +");
  if (in.topics) {
    for (const auto& [topic, channels] : *in.topics) {
      if (!KnownTopic(topic)) {
        v.Add("topics/" + topic, "is not a topic (case, booking, ticket, account)");
        continue;
      }
      for (size_t i = 0; i < channels.size(); ++i) {
        const std::string field = "topics/" + topic + "/" + std::to_string(i);
        if (channels[i] == kEmail) {
          if (!email_offered()) v.Add(field, "e-mail is not offered on this platform");
        } else if (channels[i] == kSms) {
          if (!sms_offered()) v.Add(field, "SMS is not offered on this platform");
        } else if (channels[i] != "portal") {
          v.Add(field, "must be portal, email or sms");
        }
      }
    }
  }
  OW_RETURN_IF_ERROR(v.Finish("preferences"));
  return Change(
      who,
      [&](db::Connection&, Preferences& p) -> Status {
        if (in.lang) p.lang = *in.lang;
        if (in.phone) p.phone = *in.phone;
        if (in.topics) {
          for (const auto& [topic, channels] : *in.topics) {
            std::vector<std::string> external;
            for (const auto& ch : channels)
              if (ch != "portal" &&
                  std::find(external.begin(), external.end(), ch) == external.end())
                external.push_back(ch);
            p.topics[topic] = std::move(external);
          }
        }
        return {};
      },
      expected_version);
}

Result<Preferences> Service::RequestEmailCode(const authz::Principal& who,
                                              const std::string& email) {
  if (!PlausibleEmail(email)) {
    Validator v;
    v.Add("email", "must be an e-mail address such as name@example.com");
    OW_RETURN_IF_ERROR(v.Finish("e-mail address"));
  }
  if (!email_offered()) return FailedPrecondition("e-mail is not offered on this platform");
  const SystemTime now = std::chrono::system_clock::now();
  return Change(who, [&](db::Connection& c, Preferences& p) -> Status {
    if (auto expires = ParseTime(p.code_expires_at);
        expires && now < *expires - kCodeLifetime + kCodeInterval)
      return ResourceExhausted("a code was sent less than a minute ago: wait a moment",
                               std::chrono::seconds(60));
    std::string random = crypto::RandomBytes(4);
    uint32_t n = 0;
    for (unsigned char b : random) n = (n << 8) | b;
    char code[8];
    std::snprintf(code, sizeof code, "%06u", n % 1000000u);
    p.pending_email = email;
    p.code_hash = CodeHash(p.account_id, code);
    p.code_expires_at = FormatTime(now + kCodeLifetime);
    p.code_attempts = 0;
    // The check goes to the new address only, and is no inbox message.
    Delivery d;
    d.account_id = p.account_id;
    d.channel = kEmail;
    d.address = email;
    d.lang = p.lang;
    d.topic = "account";
    d.code = "notify.email_code";
    d.params = {{"code", code}};
    d.created_at = FormatTime(now);
    return store::InsertDelivery(c, d);
  });
}

Result<Preferences> Service::VerifyEmail(const authz::Principal& who, const std::string& code) {
  const SystemTime now = std::chrono::system_clock::now();
  bool wrong = false;
  auto r = Change(who, [&](db::Connection&, Preferences& p) -> Status {
    auto expires = ParseTime(p.code_expires_at);
    if (p.pending_email.empty() || p.code_hash.empty() || !expires || now >= *expires ||
        p.code_attempts >= kCodeTries)
      return FailedPrecondition("no code is waiting: ask for a new one");
    if (!crypto::ConstantTimeEquals(CodeHash(p.account_id, code), p.code_hash)) {
      // Counted (committed), then reported once the transaction is over.
      ++p.code_attempts;
      wrong = true;
      return {};
    }
    p.email = p.pending_email;
    p.pending_email.clear();
    p.code_hash.clear();
    p.code_expires_at.clear();
    p.code_attempts = 0;
    return {};
  });
  if (r && wrong) {
    Validator v;
    v.Add("code", r->code_attempts >= kCodeTries
                      ? "is not the code we sent; no tries are left: ask for a new one"
                      : "is not the code we sent");
    OW_RETURN_IF_ERROR(v.Finish("code"));
  }
  return r;
}

Result<Preferences> Service::RemoveEmail(const authz::Principal& who) {
  return Change(who, [&](db::Connection&, Preferences& p) -> Status {
    p.email.clear();
    p.pending_email.clear();
    p.code_hash.clear();
    // code_expires_at stays: removing the address does not reset the one-a-minute limit.
    p.code_attempts = 0;
    return {};
  });
}

}  // namespace ow::notify
