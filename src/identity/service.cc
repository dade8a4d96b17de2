#include "identity/service.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/ids.h"
#include "identity/realname.h"
#include "identity/store.h"
#include "regions/model.h"

namespace ow::identity {

namespace json = boost::json;
using std::chrono::system_clock;

// ---------------------------------------------------------------------------
// Keys

std::string Keys::Derive(std::string_view purpose) const {
  return crypto::HmacSha256(index_key, purpose);
}

namespace {

Result<std::map<int64_t, crypto::AeadKey>> ParseDataKeys(const std::string& spec) {
  std::map<int64_t, crypto::AeadKey> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string entry = spec.substr(start, end - start);
    auto colon = entry.find(':');
    auto version = colon == std::string::npos ? std::nullopt
                                              : text::ParseInt(entry.substr(0, colon), 1, 1000000);
    auto bytes = colon == std::string::npos ? Result<std::string>(InvalidArgument(""))
                                            : crypto::HexDecode(entry.substr(colon + 1));
    if (!version || !bytes || bytes->size() != crypto::kAeadKeySize)
      return InvalidArgument(
          "identity.data_keys: each entry must be version:64-hex-digits (a 32-byte key)");
    out.emplace(*version, *crypto::AeadKey::FromBytes(*bytes));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<Keys> LoadKeys(const Config& config) {
  std::string data_spec = config.data_keys;
  std::string index_hex = config.index_key;
  if (data_spec.empty() != index_hex.empty())
    return InvalidArgument(
        "identity.data_keys and identity.index_key are set together or not at all");
  if (data_spec.empty()) {
    namespace fs = std::filesystem;
    fs::path path(config.key_file);
    std::error_code ec;
    if (fs::exists(path, ec)) {
      std::ifstream in(path);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      boost::system::error_code jec;
      auto v = json::parse(text, jec);
      if (jec || !v.is_object() || !v.as_object().contains("data_keys") ||
          !v.as_object().contains("index_key") || !v.at("data_keys").is_string() ||
          !v.at("index_key").is_string())
        return Unavailable("cannot read the key file " + path.string());
      data_spec = std::string(v.at("data_keys").as_string());
      index_hex = std::string(v.at("index_key").as_string());
    } else {
      if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
      data_spec = "1:" + crypto::HexEncode(crypto::RandomBytes(32));
      index_hex = crypto::HexEncode(crypto::RandomBytes(32));
      json::object o{{"data_keys", data_spec}, {"index_key", index_hex}};
      std::string tmp = path.string() + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << json::serialize(o) << "\n";
        if (!out) return Unavailable("cannot write the key file " + path.string());
      }
      ::chmod(tmp.c_str(), 0600);
      fs::rename(tmp, path, ec);
      if (ec) return Unavailable("cannot write the key file " + path.string());
      log::Warn("identity.keys_generated",
                {{"file", path.string()},
                 {"hint", "set identity.data_keys and identity.index_key in production"}});
    }
  }
  Keys keys;
  OW_ASSIGN_OR_RETURN(keys.data_keys, ParseDataKeys(data_spec));
  auto index = crypto::HexDecode(index_hex);
  if (!index || index->size() != 32)
    return InvalidArgument("identity.index_key must be 64 hex digits (32 bytes)");
  keys.index_key = *index;
  return keys;
}

// ---------------------------------------------------------------------------
// Throttling, in memory (one process; a province running several sets a proxy rate
// limit in front too): failed logins per client IP in a sliding 10-minute window;
// failed logins per (username, client IP) pair within lockout_minutes; registrations
// per client IP per hour.
//
// There is deliberately no per-account lock: one that anyone can trigger by guessing
// lets anyone lock anyone out. Per pair, a guesser only throttles himself; spreading
// guesses over addresses is bounded by the per-IP limit of each address, the password
// policy, argon2id, and the audit trail of every failure.

namespace {

// Events per key in a sliding window, bounded in memory. Not thread-safe: callers hold
// Throttle::mu.
class Window {
 public:
  // True when `key` has `limit` events in the last `span`; *retry is then the wait
  // until the oldest one leaves the window.
  bool Full(const std::string& key, int64_t limit, std::chrono::seconds span,
            system_clock::time_point now, std::chrono::seconds* retry) {
    auto it = events_.find(key);
    if (it == events_.end()) return false;
    auto& q = it->second;
    while (!q.empty() && q.front() + span <= now) q.pop_front();
    if (static_cast<int64_t>(q.size()) < limit) return false;
    *retry = std::chrono::duration_cast<std::chrono::seconds>(q.front() + span - now) +
             std::chrono::seconds(1);
    return true;
  }
  void Add(const std::string& key, int64_t limit, std::chrono::seconds span,
           system_clock::time_point now) {
    if (events_.size() >= kMaxKeys) {
      // Forget keys whose window has passed; if all are live, an arbitrary one.
      for (auto it = events_.begin(); it != events_.end();) {
        if (it->second.empty() || it->second.back() + span <= now) {
          it = events_.erase(it);
        } else {
          ++it;
        }
      }
      if (events_.size() >= kMaxKeys) events_.erase(events_.begin());
    }
    auto& q = events_[key];
    q.push_back(now);
    while (static_cast<int64_t>(q.size()) > limit) q.pop_front();
  }
  void Clear(const std::string& key) { events_.erase(key); }

 private:
  static constexpr size_t kMaxKeys = 100000;
  std::unordered_map<std::string, std::deque<system_clock::time_point>> events_;
};

}  // namespace

struct Service::Throttle {
  std::mutex mu;
  Window ip_failures;    // by IP
  Window pair_failures;  // by username + '\n' + IP
  Window registrations;  // by IP
  // Online verification attempts per account (24-hour window).
  std::unordered_map<std::string, std::deque<system_clock::time_point>> realname;
  // Bounded concurrent argon2id computations.
  std::mutex hash_mu;
  std::condition_variable hash_cv;
  int hashing = 0;
  int hash_limit = 1;
};

namespace {

constexpr std::chrono::seconds kIpWindow{600};
constexpr std::chrono::seconds kRegistrationWindow{3600};

std::string PairKey(const std::string& username, const std::string& ip) {
  return username + '\n' + ip;
}

std::string AccountId() { return "acc_" + crypto::RandomToken(16); }

bool ValidUsername(const std::string& u) {
  if (u.size() < 3 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-' || ch == '@';
  });
}

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The most common passwords of public breach lists (a policy check, not a full list).
constexpr std::string_view kCommonPasswords[] = {
    "1234567890",  "12345678910",  "123456789a",    "1234567890a", "qwertyuiop",   "1q2w3e4r5t",
    "password123", "password1234", "passw0rd123",   "iloveyou123", "0123456789",   "1111111111",
    "a123456789",  "abc1234567",   "qwerty12345",   "woaini1314",  "woaini520",    "1qaz2wsx3edc",
    "zxcvbnm123",  "asdfghjkl1",   "administrator", "admin12345",  "onewindow123", "changeme123"};

std::string Resident(const std::string& key, const std::string& id) {
  return crypto::Base64UrlEncode(crypto::HmacSha256(key, "resident-id:" + id));
}

}  // namespace

Service::Service(db::Database& db, departments::Service& departments, Keys keys,
                 const Config& config)
    : db_(db),
      departments_(departments),
      keys_(std::move(keys)),
      lookup_key_(keys_.Derive("identity.lookup")),
      csrf_key_(keys_.Derive("identity.csrf")),
      config_(config),
      throttle_(std::make_unique<Throttle>()) {
  dummy_hash_ = crypto::HashPassword(crypto::RandomToken(16)).value();
  throttle_->hash_limit = config.password_concurrency > 0
                              ? static_cast<int>(config.password_concurrency)
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Service::~Service() = default;

Status Service::Audit(db::Connection* c, AuditEvent e) {
  if (!audit_) return {};
  return audit_(c, e);
}

std::string Service::HashPassword(const std::string& password) {
  std::unique_lock<std::mutex> lock(throttle_->hash_mu);
  throttle_->hash_cv.wait(lock, [&] { return throttle_->hashing < throttle_->hash_limit; });
  ++throttle_->hashing;
  lock.unlock();
  auto hash = crypto::HashPassword(password);
  lock.lock();
  --throttle_->hashing;
  throttle_->hash_cv.notify_one();
  return hash ? *hash : std::string();
}

bool Service::VerifyPassword(const std::string& password, const std::string& hash) {
  std::unique_lock<std::mutex> lock(throttle_->hash_mu);
  throttle_->hash_cv.wait(lock, [&] { return throttle_->hashing < throttle_->hash_limit; });
  ++throttle_->hashing;
  lock.unlock();
  bool ok = crypto::VerifyPassword(hash, password).has_value();
  lock.lock();
  --throttle_->hashing;
  throttle_->hash_cv.notify_one();
  return ok;
}

bool Service::LoginBlocked(const std::string& ip, const std::string& username,
                           std::chrono::seconds* retry, bool* pair) {
  std::lock_guard<std::mutex> lock(throttle_->mu);
  auto now = system_clock::now();
  *pair = false;
  if (throttle_->ip_failures.Full(ip, config_.ip_failure_limit, kIpWindow, now, retry)) return true;
  *pair = true;
  return throttle_->pair_failures.Full(PairKey(username, ip), config_.lockout_threshold,
                                       std::chrono::minutes(config_.lockout_minutes), now, retry);
}

void Service::LoginFailed(const std::string& ip, const std::string& username) {
  std::lock_guard<std::mutex> lock(throttle_->mu);
  auto now = system_clock::now();
  throttle_->ip_failures.Add(ip, config_.ip_failure_limit, kIpWindow, now);
  throttle_->pair_failures.Add(PairKey(username, ip), config_.lockout_threshold,
                               std::chrono::minutes(config_.lockout_minutes), now);
}

// ---------------------------------------------------------------------------
// Accounts

void Service::CheckPassword(const std::string& password, const std::string& username,
                            Validator& v) {
  size_t n = text::IsValidUtf8(password) ? text::CodePoints(password) : 0;
  if (n < 10 || n > 128) {
    v.Add("password", "must be 10 to 128 characters");
    return;
  }
  std::string lower = Lower(password);
  if (!username.empty() && lower.find(Lower(username)) != std::string::npos)
    v.Add("password", "must not contain the username");
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; }))
    v.Add("password", "must not be one character repeated");
  for (auto common : kCommonPasswords) {
    if (lower == common) v.Add("password", "is one of the most common passwords");
  }
}

Result<Account> Service::Create(const RegisterInput& in, const std::string& kind, bool id_required,
                                bool conceal_taken_id) {
  Validator v;
  std::string username = Lower(in.username);
  if (!ValidUsername(username))
    v.Add("username", "must be 3 to 64 characters: letters, digits, '.', '_', '-' or '@'");
  CheckPassword(in.password, username, v);
  if (!text::IsValidUtf8(in.real_name) || text::CodePoints(in.real_name) < 1 ||
      text::CodePoints(in.real_name) > 50)
    v.Add("real_name", "must be 1 to 50 characters");
  std::optional<std::string> id;
  if (!in.resident_id.empty() || id_required) {
    std::string why;
    id = NormalizeResidentId(in.resident_id, &why);
    if (!id) v.Add("resident_id", in.resident_id.empty() ? "is required" : why);
  }
  if (!in.phone.empty() &&
      (in.phone.size() != 11 || !text::IsDigits(in.phone) || in.phone[0] != '1'))
    v.Add("phone", "must be an 11-digit mobile number");
  if (kind == kStaff) {
    if (in.department_code.empty()) v.Add("department_code", "is required");
    if (!regions::LevelOfCode(in.region_code)) v.Add("region_code", "must be a region code");
  }
  OW_RETURN_IF_ERROR(v.Finish("account"));
  if (kind == kStaff) {
    auto dept = departments_.Get(in.department_code);
    if (!dept) {
      if (dept.error().code != Code::kNotFound) return dept.error();
      return Error(Code::kInvalidArgument, "account", {{"department_code", "is not a department"}});
    }
    if (!authz::RegionWithin(in.region_code, dept->region_code))
      return Error(Code::kInvalidArgument, "account",
                   {{"region_code", "must be the department's region or below it"}});
  }

  AccountRow row;
  Account& a = row.account;
  a.id = AccountId();
  a.kind = kind;
  a.username = username;
  a.real_name = in.real_name;
  a.phone = in.phone;
  a.department_code = kind == kStaff ? in.department_code : "";
  a.region_code = kind == kStaff ? in.region_code : "";
  a.status = "active";
  a.created_at = NowText();
  if (id) {
    auto current = keys_.data_keys.rbegin();
    OW_ASSIGN_OR_RETURN(auto box,
                        current->second.Seal(*id, "identity_accounts.resident_id:" + a.id));
    row.resident_id_box = crypto::Base64UrlEncode(box);
    row.resident_id_key = current->first;
    row.resident_id_hmac = Resident(lookup_key_, *id);
    a.resident_id_masked = MaskResidentId(*id);
  }
  row.password_hash = HashPassword(in.password);
  if (row.password_hash.empty()) return Internal("password hashing failed");
  std::string holder;  // the account that holds the resident ID number already
  auto st = db_.Transact([&](db::Connection& c) -> Status {
    holder.clear();
    OW_ASSIGN_OR_RETURN(auto taken, Store::FindByUsername(c, username));
    if (taken) return AlreadyExists("the username " + username + " is taken");
    if (id) {
      // Only a proven number is taken: unverified claims do not block its owner, and
      // whether a verified account holds it is not revealed.
      OW_ASSIGN_OR_RETURN(auto same, Store::FindVerifiedByResident(c, row.resident_id_hmac));
      if (same && !conceal_taken_id)
        return AlreadyExists("an account with this resident ID number exists already");
      if (same) {
        holder = same->account.id;
        return Audit(&c, {"account.registration_concealed",
                          username,
                          holder,
                          "denied",
                          "",
                          {{"reason", "resident ID number registered already"}}});
      }
    }
    return Store::InsertAccount(c, row);
  });
  if (!st) {
    if (st.error().code == Code::kAlreadyExists && st.error().message.empty())
      return AlreadyExists("the username or resident ID number is registered already");
    return st.error();
  }
  // The same answer as a new account; nothing was stored (see RegisterPerson).
  if (!holder.empty()) return a;
  log::Info("identity.account_created",
            {{"account", a.id}, {"kind", kind}, {"resident_id", a.resident_id_masked}});
  return a;
}

Result<Account> Service::RegisterPerson(const RegisterInput& in, const std::string& ip) {
  {
    // Every attempt counts, valid or not: each one is a question about who is
    // registered here.
    std::lock_guard<std::mutex> lock(throttle_->mu);
    std::chrono::seconds retry{0};
    auto now = system_clock::now();
    if (throttle_->registrations.Full(ip, config_.registration_ip_limit, kRegistrationWindow, now,
                                      &retry))
      return ResourceExhausted("too many registrations from your address; try again in " +
                                   std::to_string(retry.count()) + " seconds",
                               retry);
    throttle_->registrations.Add(ip, config_.registration_ip_limit, kRegistrationWindow, now);
  }
  RegisterInput person = in;
  person.department_code.clear();
  person.region_code.clear();
  return Create(person, kPerson, true, /*conceal_taken_id=*/true);
}

Result<Account> Service::CreateStaff(const Principal& by, const RegisterInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageStaff));
  OW_ASSIGN_OR_RETURN(auto a, Create(in, kStaff, false));
  OW_RETURN_IF_ERROR(Audit(nullptr, {"account.created",
                                     by.name_for_audit,
                                     a.id,
                                     "success",
                                     "",
                                     {{"kind", "staff"}, {"username", a.username}}}));
  return a;
}

Result<Account> Service::Bootstrap(const RegisterInput& in, const std::string& kind,
                                   const std::vector<RoleInput>& roles) {
  for (const auto& r : roles)
    if (!IsKnownRole(r.role)) return InvalidArgument("unknown role " + r.role);
  OW_ASSIGN_OR_RETURN(auto a, Create(in, kind, kind == kPerson));
  Principal bootstrap;
  bootstrap.account_id = bootstrap.username = bootstrap.name_for_audit = "bootstrap";
  // Acts as a security administrator at the console (the gate refuses anonymous callers).
  bootstrap.via = authz::Via::kSession;
  bootstrap.roles.push_back({kSecurityAdmin, "", "", "", ""});
  for (const auto& r : roles) {
    OW_ASSIGN_OR_RETURN(auto granted, GrantRole(bootstrap, a.id, r));
    a.roles.push_back(granted);
  }
  return a;
}

Result<std::vector<Account>> Service::ListStaff(const Principal& by, const std::string& after,
                                                int limit) {
  // Whoever manages staff accounts, and whoever grants their roles, may list them.
  if (auto st = authz::Decide(by, authz::Action::kManageStaff); !st) {
    if (!authz::Decide(by, authz::Action::kGrantRole)) return st.error();
  }
  std::vector<Account> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::ListStaff(c, after, limit));
    for (auto& a : out) {
      OW_ASSIGN_OR_RETURN(a.roles, Store::Roles(c, a.id));
    }
    return {};
  }));
  return out;
}

Status Service::SetAccountStatus(const Principal& by, const std::string& id, bool active) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kManageStaff));
  if (by.account_id == id) return FailedPrecondition("you cannot disable your own account");
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::SetStatus(c, id, active ? "active" : "disabled"));
    if (!found) return NotFound("no account " + id);
    if (!active) OW_RETURN_IF_ERROR(Store::DeleteSessionsOf(c, id));
    return Audit(&c, {active ? "account.enabled" : "account.disabled",
                      by.name_for_audit,
                      id,
                      "success",
                      "",
                      {}});
  });
}

Result<Account> Service::Load(db::Connection& c, const std::string& id) {
  OW_ASSIGN_OR_RETURN(auto row, Store::GetAccount(c, id));
  if (!row) return NotFound("no account " + id);
  Account a = std::move(row->account);
  OW_ASSIGN_OR_RETURN(a.roles, Store::Roles(c, a.id));
  return a;
}

Result<Account> Service::AccountById(const std::string& id) {
  Account a;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(a, Load(c, id));
    return {};
  }));
  return a;
}

Result<Account> Service::AccountByUsername(const std::string& username) {
  Account a;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto row, Store::FindByUsername(c, username));
    if (!row) return NotFound("no account " + username);
    OW_ASSIGN_OR_RETURN(a, Load(c, row->account.id));
    return {};
  }));
  return a;
}

Result<Account> Service::GetAccount(const Principal& who, const std::string& id) {
  authz::Target t;
  t.owner_account = id;
  if (who.account_id != id && who.HasRole(kAgent)) {
    OW_ASSIGN_OR_RETURN(t.agent_for_owner, IsAgentFor(who, id, ""));
  }
  // Deny before looking: an unauthorized caller learns nothing, not even existence.
  if (auto st = authz::Decide(who, authz::Action::kReadAccount, t); !st) {
    if (st.error().code == Code::kPermissionDenied) return NotFound("no account " + id);
    return st.error();
  }
  return AccountById(id);
}

Result<std::string> Service::OpenResidentId(const AccountRow& row) const {
  if (row.resident_id_box.empty()) return NotFound("no resident ID on record");
  auto key = keys_.data_keys.find(row.resident_id_key);
  if (key == keys_.data_keys.end())
    return Internal("data key version " + std::to_string(row.resident_id_key) +
                    " is not configured");
  OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(row.resident_id_box));
  return key->second.Open(box, "identity_accounts.resident_id:" + row.account.id);
}

Result<std::string> Service::ResidentId(const std::string& account_id) {
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, account_id));
    return {};
  }));
  if (!row || row->account.identity_level < kLevelRemote || row->account.status != kActive)
    return NotFound("no verified resident ID on record");
  return OpenResidentId(*row);
}

Result<Account> Service::FindByResidentId(const std::string& id) {
  auto canonical = NormalizeResidentId(id);
  if (!canonical) return NotFound("no account with this resident ID number");
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::FindVerifiedByResident(c, Resident(lookup_key_, *canonical)));
    return {};
  }));
  if (!row || row->account.status != kActive)
    return NotFound("no verified account with this resident ID number");
  return row->account;
}

Result<bool> Service::ClaimsResidentId(const std::string& id, const std::string& resident_id) {
  auto canonical = NormalizeResidentId(resident_id);
  if (!canonical) return false;
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, id));
    return {};
  }));
  return row && !row->resident_id_hmac.empty() &&
         crypto::ConstantTimeEquals(row->resident_id_hmac, Resident(lookup_key_, *canonical));
}

// ---------------------------------------------------------------------------
// Identity proofing

Result<Account> Service::RaiseIdentity(const std::string& id, int level, const std::string& method,
                                       const std::string& by, const std::string& actor,
                                       const std::string& ip,
                                       std::map<std::string, std::string> detail) {
  Account out;
  std::vector<std::string> frozen;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    frozen.clear();
    OW_ASSIGN_OR_RETURN(auto row, Store::GetAccount(c, id));
    if (!row) return NotFound("no account " + id);
    const Account& a = row->account;
    if (a.kind != kPerson)
      return FailedPrecondition("only a natural person's account has its identity verified");
    if (a.status != kActive)
      return FailedPrecondition("the account is " + a.status + "; it cannot be verified");
    if (row->resident_id_hmac.empty())
      return FailedPrecondition("the account has no resident ID number to verify");
    detail["resident_id"] = a.resident_id_masked;
    detail["level"] = LevelName(level);
    detail["method"] = method;
    if (a.identity_level >= level) {
      // Nothing to raise; the check itself is still on record.
      detail["unchanged"] = "true";
      OW_ASSIGN_OR_RETURN(out, Load(c, id));
      return Audit(&c, {"identity.verified", actor, id, "success", ip, detail});
    }
    OW_ASSIGN_OR_RETURN(auto holder, Store::FindVerifiedByResident(c, row->resident_id_hmac));
    if (holder && holder->account.id != id && holder->account.identity_level >= level)
      return Conflict(
          "another account proved this resident ID number at the same or a higher level; a "
          "security administrator must look into it");
    // The proof wins: every other claimant (and a holder proven more weakly) is frozen.
    OW_ASSIGN_OR_RETURN(auto claims, Store::FindClaims(c, row->resident_id_hmac));
    for (const auto& other : claims) {
      if (other.account.id == id) continue;
      if (other.account.status == kFrozen && other.account.identity_level == kLevelSelfAsserted)
        continue;
      OW_RETURN_IF_ERROR(Store::Freeze(c, other.account.id));
      OW_RETURN_IF_ERROR(Store::DeleteSessionsOf(c, other.account.id));
      frozen.push_back(other.account.id);
      OW_RETURN_IF_ERROR(
          Audit(&c, {"account.frozen",
                     actor,
                     other.account.id,
                     "success",
                     ip,
                     {{"reason",
                       "its resident ID number was verified for another "
                       "account"},
                      {"verified_account", id},
                      {"resident_id", a.resident_id_masked},
                      {"previous_level", LevelName(other.account.identity_level)}}}));
    }
    OW_RETURN_IF_ERROR(Store::SetVerified(c, id, level, NowText(), by, method));
    OW_RETURN_IF_ERROR(Audit(&c, {"identity.verified", actor, id, "success", ip, detail}));
    OW_ASSIGN_OR_RETURN(out, Load(c, id));
    return {};
  }));
  // Relying parties lose what they were given for a frozen account.
  for (const auto& f : frozen)
    for (const auto& hook : hooks_) hook(f, ip);
  return out;
}

namespace {
// The counter role of `staff` covering `hall` ("" = the only one), or nullptr.
const Role* CounterRoleFor(const Principal& staff, const std::string& hall) {
  const Role* found = nullptr;
  int counters = 0;
  for (const auto& r : staff.roles) {
    if (r.role != kCounter) continue;
    ++counters;
    if (!hall.empty() && authz::RegionWithin(hall, r.region_code)) return &r;
    if (hall.empty()) found = &r;
  }
  return hall.empty() && counters == 1 ? found : nullptr;
}
}  // namespace

Result<std::vector<Account>> Service::CounterLookup(const Principal& staff,
                                                    const std::string& username,
                                                    const std::string& resident_id,
                                                    const std::string& ip) {
  std::string region;
  for (const auto& r : staff.roles)
    if (r.role == kCounter) region = r.region_code;
  OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake, {"", region, "", false}));
  if (username.empty() == resident_id.empty())
    return Error(Code::kInvalidArgument, "lookup",
                 {{"username", "give either a username or a resident_id"}});
  std::vector<Account> out;
  std::string masked;
  std::optional<std::string> id;
  if (!resident_id.empty()) {
    std::string why;
    id = NormalizeResidentId(resident_id, &why);
    if (!id) return Error(Code::kInvalidArgument, "lookup", {{"resident_id", why}});
    masked = MaskResidentId(*id);
  }
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    std::vector<AccountRow> rows;
    if (id) {
      OW_ASSIGN_OR_RETURN(rows, Store::FindClaims(c, Resident(lookup_key_, *id)));
    } else {
      OW_ASSIGN_OR_RETURN(auto one, Store::FindByUsername(c, Lower(username)));
      if (one) rows.push_back(std::move(*one));
    }
    for (auto& r : rows)
      if (r.account.kind == kPerson) out.push_back(std::move(r.account));
    return {};
  }));
  (void)Audit(nullptr, {"identity.looked_up",
                        staff.name_for_audit,
                        "",
                        "success",
                        ip,
                        {{"by", id ? "resident_id" : "username"},
                         {"query", id ? masked : Lower(username)},
                         {"found", std::to_string(out.size())}}});
  return out;
}

Result<Account> Service::VerifyAtCounter(const Principal& staff, const std::string& id,
                                         const std::string& hall_region, bool card_checked,
                                         const std::string& ip) {
  const Role* counter = CounterRoleFor(staff, hall_region);
  std::string hall = counter && hall_region.empty() ? counter->region_code : hall_region;
  if (!counter) {
    // No counter role covers the hall: Decide says why (unauthenticated or denied).
    OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake,
                                     {"", hall.empty() ? "-" : hall, "", false}));
    return Error(Code::kInvalidArgument, "verification",
                 {{"hall_region", "name the hall's region: you serve at several halls"}});
  }
  OW_RETURN_IF_ERROR(authz::Decide(staff, authz::Action::kCounterIntake, {"", hall, "", false}));
  if (!card_checked)
    return Error(Code::kInvalidArgument, "verification",
                 {{"card_checked", "must be true: check the physical ID card first"}});
  if (staff.account_id == id) return PermissionDenied("you cannot verify your own identity");
  std::optional<AccountRow> me, them;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(me, Store::GetAccount(c, staff.account_id));
    OW_ASSIGN_OR_RETURN(them, Store::GetAccount(c, id));
    return {};
  }));
  // A staff member's own person account (same number) is verified by a colleague.
  if (me && them && !me->resident_id_hmac.empty() &&
      crypto::ConstantTimeEquals(me->resident_id_hmac, them->resident_id_hmac))
    return PermissionDenied("you cannot verify an account with your own ID number");
  return RaiseIdentity(id, kLevelInPerson, "counter", staff.username, staff.name_for_audit, ip,
                       {{"hall", hall}, {"staff", staff.username}});
}

bool Service::RealNameAttempt(const std::string& account_id, std::chrono::seconds* retry) {
  constexpr auto kWindow = std::chrono::hours(24);
  std::lock_guard<std::mutex> lock(throttle_->mu);
  auto now = system_clock::now();
  auto& q = throttle_->realname[account_id];
  while (!q.empty() && q.front() + kWindow <= now) q.pop_front();
  if (static_cast<int64_t>(q.size()) >= config_.realname_attempts) {
    *retry = std::chrono::duration_cast<std::chrono::seconds>(q.front() + kWindow - now) +
             std::chrono::seconds(1);
    return false;
  }
  q.push_back(now);
  return true;
}

Result<Account> Service::VerifyOnline(const Principal& person, const std::string& ip) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  if (person.kind != kPerson)
    return FailedPrecondition("only a natural person's account has its identity verified");
  if (!RealNameConfigured())
    return FailedPrecondition(
        "online verification is not offered here; bring your ID card to any service hall");
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, person.account_id));
    return {};
  }));
  if (!row) return NotFound("no such account");
  if (row->account.identity_level >= kLevelRemote) {
    OW_ASSIGN_OR_RETURN(auto a, AccountById(person.account_id));
    return a;
  }
  std::chrono::seconds retry{0};
  if (!RealNameAttempt(person.account_id, &retry))
    return ResourceExhausted("too many online verification attempts; try again in " +
                                 std::to_string(retry.count()) +
                                 " seconds, or bring your ID card to any service hall",
                             retry);
  OW_ASSIGN_OR_RETURN(auto number, OpenResidentId(*row));
  auto answer = CheckRealName({config_.realname_url, config_.realname_secret,
                               std::chrono::milliseconds(config_.realname_timeout_ms)},
                              number, row->account.real_name);
  std::map<std::string, std::string> detail{{"resident_id", row->account.resident_id_masked}};
  if (!answer) {
    detail["reason"] = answer.error().message;
    (void)Audit(nullptr, {"identity.realname_failed", person.name_for_audit, person.account_id,
                          "failure", ip, detail});
    return answer.error();
  }
  detail["reference"] = answer->reference;
  if (!answer->match) {
    (void)Audit(nullptr, {"identity.realname_mismatch", person.name_for_audit, person.account_id,
                          "failure", ip, detail});
    return FailedPrecondition(
        "the real-name verification service did not match your name and ID number; your "
        "identity is not verified (bring your ID card to any service hall)");
  }
  return RaiseIdentity(person.account_id, kLevelRemote, "realname", "realname:" + answer->reference,
                       person.name_for_audit, ip, detail);
}

Result<std::vector<Role>> Service::RolesOf(const std::string& account_id) {
  std::vector<Role> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Roles(c, account_id));
    return {};
  }));
  return out;
}

// ---------------------------------------------------------------------------
// Login and sessions

Result<LoginResult> Service::Login(const LoginInput& in) {
  std::chrono::seconds retry{0};
  std::string username = Lower(in.username);
  bool pair = false;
  if (LoginBlocked(in.ip, username, &retry, &pair)) {
    (void)Audit(nullptr, {"login.throttled",
                          username,
                          "",
                          "denied",
                          in.ip,
                          {{"limit", pair ? "username_and_address" : "address"}}});
    return ResourceExhausted(std::string(pair ? "too many failed logins for this username from "
                                                "your address; try again in "
                                              : "too many failed logins from your address; "
                                                "try again in ") +
                                 std::to_string(retry.count()) + " seconds",
                             retry);
  }
  if (in.username.empty() || in.password.empty())
    return Error(Code::kInvalidArgument, "login", {{"username", "and password are required"}});
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::FindByUsername(c, username));
    return {};
  }));
  // Every path spends one argon2id verification (unknown names against a dummy hash)
  // and answers failures alike, so neither the answer nor its timing tells whether the
  // name exists, is disabled, or how many tries are left.
  bool verified = VerifyPassword(in.password, row ? row->password_hash : dummy_hash_);
  const char* reason = !row                              ? "unknown user"
                       : row->account.status != "active" ? "disabled"
                       : !verified                       ? "wrong password"
                                                         : nullptr;
  if (reason) {
    LoginFailed(in.ip, username);
    (void)Audit(nullptr, {"login.failed",
                          username,
                          row ? row->account.id : "",
                          row && row->account.status != "active" ? "denied" : "failure",
                          in.ip,
                          {{"reason", reason}}});
    return Unauthenticated("wrong username or password");
  }
  Account& a = row->account;
  {
    std::lock_guard<std::mutex> lock(throttle_->mu);
    throttle_->pair_failures.Clear(PairKey(username, in.ip));
  }
  if (crypto::NeedsRehash(row->password_hash)) {
    std::string fresh = HashPassword(in.password);
    if (!fresh.empty()) {
      OW_RETURN_IF_ERROR(db_.Transact(
          [&](db::Connection& c) -> Status { return Store::SetPasswordHash(c, a.id, fresh); }));
    }
  }
  // A password proves the account, not the person: the level is the account's proofing.
  return StartSession(a.id, LevelName(a.identity_level), "", in.ip, in.user_agent);
}

Result<LoginResult> Service::StartSession(const std::string& account_id, const std::string& acr,
                                          const std::string& idp, const std::string& ip,
                                          const std::string& user_agent) {
  auto now = system_clock::now();
  LoginResult out;
  std::string secret = crypto::RandomToken(32);
  SessionRow s;
  s.session.id = "ses_" + crypto::RandomToken(16);
  s.session.account_id = account_id;
  s.session.created_at = s.session.last_seen_at = FormatTime(now);
  s.session.expires_at = FormatTime(now + std::chrono::hours(config_.session_hours));
  s.session.ip = ip;
  s.session.user_agent = user_agent.substr(0, 200);
  s.session.acr = acr;
  s.session.idp = idp;
  s.secret_hash = crypto::Base64UrlEncode(crypto::Sha256(secret));
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out.account, Load(c, account_id));
    OW_RETURN_IF_ERROR(Store::SetLoginState(c, account_id, 0, "", s.session.created_at));
    OW_RETURN_IF_ERROR(Store::InsertSession(c, s));
    return Audit(&c, {"login.succeeded",
                      out.account.username,
                      account_id,
                      "success",
                      ip,
                      {{"session", s.session.id}, {"acr", acr}, {"idp", idp}}});
  }));
  out.session = s.session;
  out.cookie_value = s.session.id + "." + secret;
  out.csrf_token = CsrfToken(s.session.id);
  return out;
}

Result<Principal> Service::SessionPrincipal(const std::string& cookie_value) {
  auto dot = cookie_value.find('.');
  if (dot == std::string::npos || cookie_value.size() > 200)
    return Unauthenticated("the session is not valid; log in again");
  std::string id = cookie_value.substr(0, dot);
  std::string hash = crypto::Base64UrlEncode(crypto::Sha256(cookie_value.substr(dot + 1)));
  auto now = system_clock::now();
  std::string now_text = FormatTime(now);
  std::optional<SessionRow> s;
  Account a;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(s, Store::GetSession(c, id));
    if (!s || !crypto::ConstantTimeEquals(s->secret_hash, hash)) return {};
    OW_ASSIGN_OR_RETURN(a, Load(c, s->session.account_id));
    return {};
  }));
  if (!s || !crypto::ConstantTimeEquals(s->secret_hash, hash))
    return Unauthenticated("the session is not valid; log in again");
  auto last = ParseTime(s->session.last_seen_at);
  bool idle = !last || *last + std::chrono::minutes(config_.session_idle_minutes) <= now;
  if (s->session.expires_at <= now_text || idle || a.status != "active") {
    // Best effort: an ended session is refused either way; the row goes now or with the
    // account's next logout everywhere.
    (void)db_.Transact([&](db::Connection& c) -> Status {
      OW_RETURN_IF_ERROR(Store::DeleteSession(c, id));
      return {};
    });
    return Unauthenticated("the session has ended; log in again");
  }
  if (*last + std::chrono::minutes(1) <= now) {
    // Idle tracking to the minute: at most one write per session per minute.
    (void)db_.Transact([&](db::Connection& c) { return Store::TouchSession(c, id, now_text); });
  }
  Principal p;
  p.account_id = a.id;
  p.username = a.username;
  p.kind = a.kind;
  // Staff roles come only with a local login: a session from a peer platform acts as
  // the person, never as staff or administrator.
  if (s->session.idp.empty()) p.roles = a.roles;
  p.session_id = s->session.id;
  // The level of the identity behind the session: the account's proofing (which may rise
  // during the session), capped for a federated login by what the peer asserted.
  int level = a.identity_level;
  if (!s->session.idp.empty()) level = std::min(level, std::max(1, LevelOf(s->session.acr)));
  p.acr = LevelName(level);
  p.idp = s->session.idp;
  p.via = authz::Via::kSession;
  p.name_for_audit = a.username;
  return p;
}

std::string Service::CsrfToken(const std::string& session_id) const {
  return crypto::Base64UrlEncode(crypto::HmacSha256(csrf_key_, session_id));
}

bool Service::CheckCsrf(const std::string& session_id, std::string_view token) const {
  return crypto::ConstantTimeEquals(CsrfToken(session_id), token);
}

Status Service::Logout(const Principal& who) {
  if (who.session_id.empty()) return FailedPrecondition("this request has no session to end");
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::DeleteSession(c, who.session_id));
    return Audit(&c, {"session.ended",
                      who.name_for_audit,
                      who.account_id,
                      "success",
                      "",
                      {{"session", who.session_id}}});
  }));
  for (const auto& hook : session_hooks_) hook(who.session_id);
  return {};
}

Result<int64_t> Service::LogoutEverywhere(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kUpdateAccount, {"", "", who.account_id}));
  int64_t n = 0;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(n, Store::DeleteSessionsOf(c, who.account_id));
    return Audit(&c, {"session.ended_everywhere",
                      who.name_for_audit,
                      who.account_id,
                      "success",
                      "",
                      {{"sessions", std::to_string(n)}}});
  }));
  for (const auto& hook : hooks_) hook(who.account_id, "");
  return n;
}

Result<std::vector<Session>> Service::Sessions(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadAccount, {"", "", who.account_id}));
  std::vector<Session> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::SessionsOf(c, who.account_id));
    return {};
  }));
  return out;
}

Status Service::ChangePassword(const Principal& who, const std::string& current,
                               const std::string& next) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kUpdateAccount, {"", "", who.account_id}));
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::GetAccount(c, who.account_id));
    return {};
  }));
  if (!row) return NotFound("no such account");
  if (!VerifyPassword(current, row->password_hash))
    return Error(Code::kInvalidArgument, "password",
                 {{"current_password", "is not your current password"}});
  Validator v;
  CheckPassword(next, row->account.username, v);
  OW_RETURN_IF_ERROR(v.Finish("password"));
  std::string hash = HashPassword(next);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::SetPasswordHash(c, who.account_id, hash));
    // Other sessions end: whoever knew the old password is logged out.
    OW_RETURN_IF_ERROR(c.Exec("DELETE FROM identity_sessions WHERE account_id = $1 AND id <> $2",
                              {who.account_id, who.session_id}));
    return Audit(&c, {"password.changed", who.name_for_audit, who.account_id, "success", "", {}});
  }));
  // And so are the relying parties that got tokens with it.
  for (const auto& hook : hooks_) hook(who.account_id, "");
  return {};
}

// ---------------------------------------------------------------------------
// Roles

Result<Role> Service::GrantRole(const Principal& by, const std::string& account_id,
                                const RoleInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kGrantRole, {"", "", account_id}));
  Validator v;
  if (!IsKnownRole(in.role)) v.Add("role", "is not a role");
  if (RoleNeedsDepartment(in.role) == in.department_code.empty())
    v.Add("department_code", RoleNeedsDepartment(in.role) ? "is required for this role"
                                                          : "must be empty for this role");
  if (RoleNeedsRegion(in.role) && !regions::LevelOfCode(in.region_code))
    v.Add("region_code", "must be a region code");
  if (!RoleNeedsRegion(in.role) && !in.region_code.empty())
    v.Add("region_code", "must be empty for this role");
  OW_RETURN_IF_ERROR(v.Finish("role"));
  Role r{in.role, in.department_code, in.region_code, by.name_for_audit, NowText()};
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto a, Load(c, account_id));
    if (a.kind != kStaff) return FailedPrecondition("roles are granted to staff accounts only");
    if (!r.department_code.empty() && r.department_code != a.department_code)
      return Error(Code::kInvalidArgument, "role",
                   {{"department_code",
                     "must be the staff member's own department (" + a.department_code + ")"}});
    if (!r.region_code.empty() && !authz::RegionWithin(r.region_code, a.region_code))
      return Error(Code::kInvalidArgument, "role",
                   {{"region_code",
                     "must be the staff member's region (" + a.region_code + ") or below it"}});
    for (const auto& held : a.roles) {
      if (held == r) return AlreadyExists("the account holds this role already");
      if (IsAdminDuty(held.role) && IsAdminDuty(r.role))
        return Conflict("the account holds the " + held.role +
                        " duty; no account may hold two administrator duties");
    }
    auto st = Store::GrantRole(c, account_id, r);
    if (!st && st.error().code == Code::kAlreadyExists)
      return Conflict("no account may hold two administrator duties");
    OW_RETURN_IF_ERROR(st);
    return Audit(
        &c, {"role.granted",
             by.name_for_audit,
             account_id,
             "success",
             "",
             {{"role", r.role}, {"department", r.department_code}, {"region", r.region_code}}});
  }));
  return r;
}

Status Service::RevokeRole(const Principal& by, const std::string& account_id,
                           const RoleInput& in) {
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kGrantRole, {"", "", account_id}));
  Role r{in.role, in.department_code, in.region_code, "", ""};
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::RevokeRole(c, account_id, r));
    if (!found) return NotFound("the account does not hold this role");
    return Audit(
        &c, {"role.revoked",
             by.name_for_audit,
             account_id,
             "success",
             "",
             {{"role", r.role}, {"department", r.department_code}, {"region", r.region_code}}});
  });
}

// ---------------------------------------------------------------------------
// Agents

Result<AgentAuthorization> Service::AuthorizeAgent(const Principal& person,
                                                   const std::string& agent_username,
                                                   const std::string& scope,
                                                   const std::string& expires_at) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  if (person.kind != kPerson)
    return FailedPrecondition("only a natural person authorizes an agent");
  Validator v;
  auto now = system_clock::now();
  auto until = ParseTime(expires_at);
  if (!until || *until <= now || *until > now + std::chrono::hours(24 * 366))
    v.Add("expires_at", "must be a UTC time (2026-12-31T00:00:00Z) within the next year");
  if (scope.empty() || scope.size() > 2000)
    v.Add("scope", "must be * or item codes, comma-separated");
  OW_RETURN_IF_ERROR(v.Finish("agent"));
  AgentAuthorization g;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto agent, Store::FindByUsername(c, Lower(agent_username)));
    if (!agent)
      return Error(Code::kInvalidArgument, "agent", {{"agent_username", "is not a user"}});
    OW_ASSIGN_OR_RETURN(auto roles, Store::Roles(c, agent->account.id));
    bool is_agent =
        std::any_of(roles.begin(), roles.end(), [](const Role& r) { return r.role == kAgent; });
    if (!is_agent)
      return Error(Code::kInvalidArgument, "agent",
                   {{"agent_username", "is not a township or village agent"}});
    g.id = "agt_" + crypto::RandomToken(12);
    g.agent_account_id = agent->account.id;
    g.agent_username = agent->account.username;
    g.principal_account_id = person.account_id;
    g.scope = scope;
    g.created_at = FormatTime(now);
    g.expires_at = expires_at;
    OW_RETURN_IF_ERROR(Store::InsertAgent(c, g));
    return Audit(&c, {"agent.authorized",
                      person.name_for_audit,
                      g.agent_account_id,
                      "success",
                      "",
                      {{"authorization", g.id}, {"expires_at", expires_at}}});
  }));
  return g;
}

Result<std::vector<AgentAuthorization>> Service::Agents(const Principal& person) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kReadAccount, {"", "", person.account_id}));
  std::vector<AgentAuthorization> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::AgentsOf(c, person.account_id));
    return {};
  }));
  return out;
}

Status Service::RevokeAgent(const Principal& person, const std::string& id) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool found, Store::RevokeAgent(c, id, person.account_id, NowText()));
    if (!found) return NotFound("no live authorization " + id);
    return Audit(&c, {"agent.revoked", person.name_for_audit, id, "success", "", {}});
  });
}

namespace {
// True when an authorization's scope ("*" or comma-separated item codes) names `item`.
bool ScopeCovers(std::string_view scope, std::string_view item) {
  while (!scope.empty()) {
    size_t comma = scope.find(',');
    std::string_view one = scope.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one == "*" || (!item.empty() && one == item)) return true;
    if (comma == std::string_view::npos) break;
    scope.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

Result<bool> Service::IsAgentFor(const Principal& agent, const std::string& person_account,
                                 std::string_view item_code) {
  if (agent.account_id.empty() || !agent.HasRole(kAgent) || person_account.empty()) return false;
  bool live = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto g, Store::LiveAgent(c, agent.account_id, person_account, NowText()));
    live = std::any_of(g.begin(), g.end(), [&](const AgentAuthorization& a) {
      return item_code.empty() || ScopeCovers(a.scope, item_code);
    });
    return {};
  }));
  return live;
}

// ---------------------------------------------------------------------------
// Enterprises

namespace {
constexpr std::string_view kRights[] = {"apply", "view", "manage"};
bool KnownRight(const std::string& r) {
  return std::find(std::begin(kRights), std::end(kRights), r) != std::end(kRights);
}
}  // namespace

Result<Enterprise> Service::RegisterEnterprise(const Principal& person,
                                               const std::string& credit_code,
                                               const std::string& name) {
  OW_RETURN_IF_ERROR(
      authz::Decide(person, authz::Action::kUpdateAccount, {"", "", person.account_id}));
  if (person.kind != kPerson)
    return FailedPrecondition("an enterprise is registered by a natural person");
  Validator v;
  std::string why;
  auto code = NormalizeCreditCode(credit_code, &why);
  if (!code) v.Add("credit_code", why);
  if (!text::IsValidUtf8(name) || text::CodePoints(name) < 2 || text::CodePoints(name) > 100)
    v.Add("name", "must be 2 to 100 characters");
  OW_RETURN_IF_ERROR(v.Finish("enterprise"));
  Enterprise e{*code, name, NowText()};
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, Store::GetEnterprise(c, e.credit_code));
    if (existing)
      return AlreadyExists("the enterprise " + e.credit_code + " is registered already");
    OW_RETURN_IF_ERROR(Store::InsertEnterprise(c, e));
    OW_RETURN_IF_ERROR(Store::UpsertOperator(c, {e.credit_code,
                                                 person.account_id,
                                                 person.username,
                                                 true,
                                                 {"apply", "view", "manage"},
                                                 person.name_for_audit,
                                                 e.created_at}));
    return Audit(
        &c, {"enterprise.registered", person.name_for_audit, e.credit_code, "success", "", {}});
  }));
  return e;
}

Result<std::vector<Operator>> Service::Operators(const Principal& who,
                                                 const std::string& credit_code) {
  // Like MyEnterprises: the caller's own affiliations (a relying party needs "profile").
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadAccount, {"", "", who.account_id}));
  auto code = NormalizeCreditCode(credit_code);
  if (!code) return NotFound("no enterprise " + credit_code + " you operate");
  std::vector<Operator> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Operators(c, *code));
    return {};
  }));
  bool member = std::any_of(out.begin(), out.end(),
                            [&](const Operator& o) { return o.account_id == who.account_id; });
  if (!member) return NotFound("no enterprise " + credit_code + " you operate");
  return out;
}

Result<Service::EnterpriseAccess> Service::AccessTo(const Principal& who,
                                                    const std::string& credit_code) {
  auto code = NormalizeCreditCode(credit_code);
  if (!code) return NotFound("no enterprise " + credit_code);
  EnterpriseAccess out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto e, Store::GetEnterprise(c, *code));
    if (!e) return NotFound("no enterprise " + credit_code);
    out.enterprise = std::move(*e);
    if (who.account_id.empty()) return {};
    OW_ASSIGN_OR_RETURN(auto op, Store::OperatorOf(c, *code, who.account_id));
    if (!op) return {};
    for (const auto& r : op->rights) {
      out.rights.apply = out.rights.apply || r == "apply";
      out.rights.view = out.rights.view || r == "view";
      out.rights.manage = out.rights.manage || r == "manage";
    }
    return {};
  }));
  return out;
}

namespace {
// Decides kManageOperators on `access`: kNotFound for callers who hold no right at all
// (the enterprise's operators are not revealed to them).
Status MayManage(const Principal& who, const Service::EnterpriseAccess& access) {
  authz::Target t;
  t.operator_of_owner = access.rights;
  auto st = authz::Decide(who, authz::Action::kManageOperators, t);
  if (!st && st.error().code == Code::kPermissionDenied && !access.rights.Any())
    return NotFound("no enterprise " + access.enterprise.credit_code + " you operate");
  return st;
}
}  // namespace

Result<Operator> Service::GrantOperator(const Principal& admin, const std::string& credit_code,
                                        const std::string& username,
                                        const std::vector<std::string>& rights) {
  OW_ASSIGN_OR_RETURN(auto access, AccessTo(admin, credit_code));
  OW_RETURN_IF_ERROR(MayManage(admin, access));
  const std::string& code = access.enterprise.credit_code;
  Validator v;
  if (rights.empty()) v.Add("rights", "must name at least one right");
  for (size_t i = 0; i < rights.size(); ++i)
    if (!KnownRight(rights[i]))
      v.Add("rights/" + std::to_string(i), "must be apply, view or manage");
  OW_RETURN_IF_ERROR(v.Finish("operator"));
  Operator o;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto acc, Store::FindByUsername(c, Lower(username)));
    if (!acc || acc->account.kind != kPerson)
      return Error(Code::kInvalidArgument, "operator",
                   {{"username", "is not a natural person's account"}});
    OW_ASSIGN_OR_RETURN(auto existing, Store::OperatorOf(c, code, acc->account.id));
    if (existing && existing->administrator)
      return FailedPrecondition("the administrator operator keeps every right");
    if (acc->account.id == admin.account_id)
      return FailedPrecondition("an operator does not change their own rights");
    o = {code,     acc->account.id, acc->account.username, false, rights, admin.name_for_audit,
         NowText()};
    o.enterprise_name = access.enterprise.name;
    OW_RETURN_IF_ERROR(Store::UpsertOperator(c, o));
    return Audit(&c, {"operator.granted",
                      admin.name_for_audit,
                      acc->account.id,
                      "success",
                      "",
                      {{"enterprise", code}, {"rights", text::JsonStringList(rights)}}});
  }));
  return o;
}

Status Service::RemoveOperator(const Principal& admin, const std::string& credit_code,
                               const std::string& username) {
  OW_ASSIGN_OR_RETURN(auto access, AccessTo(admin, credit_code));
  OW_RETURN_IF_ERROR(MayManage(admin, access));
  const std::string& code = access.enterprise.credit_code;
  return db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto acc, Store::FindByUsername(c, Lower(username)));
    if (!acc) return NotFound("no operator " + username + " of " + code);
    OW_ASSIGN_OR_RETURN(auto op, Store::OperatorOf(c, code, acc->account.id));
    if (!op) return NotFound("no operator " + username + " of " + code);
    if (op->administrator)
      return FailedPrecondition("the administrator operator cannot be removed");
    OW_ASSIGN_OR_RETURN(bool found, Store::DeleteOperator(c, code, op->account_id));
    if (!found) return NotFound("no operator " + username + " of " + code);
    return Audit(&c, {"operator.removed",
                      admin.name_for_audit,
                      op->account_id,
                      "success",
                      "",
                      {{"enterprise", code}}});
  });
}

Result<std::vector<Operator>> Service::MyEnterprises(const Principal& who) {
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadAccount, {"", "", who.account_id}));
  std::vector<Operator> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::EnterprisesOf(c, who.account_id));
    return {};
  }));
  return out;
}

}  // namespace ow::identity
