// identity::Service: accounts (registration, staff, lookup, the resident ID number).
#include <algorithm>

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/ids.h"
#include "identity/service.h"
#include "identity/store.h"

namespace ow::identity {

namespace {

std::string AccountId() { return "acc_" + crypto::RandomToken(16); }

bool ValidUsername(const std::string& u) {
  if (u.size() < 3 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-' || ch == '@';
  });
}

// The most common passwords of public breach lists (a policy check, not a full list).
constexpr std::string_view kCommonPasswords[] = {
    "1234567890",  "12345678910",  "123456789a",    "1234567890a", "qwertyuiop",   "1q2w3e4r5t",
    "password123", "password1234", "passw0rd123",   "iloveyou123", "0123456789",   "1111111111",
    "a123456789",  "abc1234567",   "qwerty12345",   "woaini1314",  "woaini520",    "1qaz2wsx3edc",
    "zxcvbnm123",  "asdfghjkl1",   "administrator", "admin12345",  "onewindow123", "changeme123"};

}  // namespace

void Service::CheckPassword(const std::string& password, const std::string& username,
                            Validator& v) {
  size_t n = text::IsValidUtf8(password) ? text::CodePoints(password) : 0;
  if (n < 10 || n > 128) {
    v.Add("password", "must be 10 to 128 characters");
    return;
  }
  std::string lower = LowerAscii(password);
  if (!username.empty() && lower.find(LowerAscii(username)) != std::string::npos)
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
  std::string username = LowerAscii(in.username);
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
    row.resident_id_hmac = ResidentLookup(*id);
    a.resident_id_masked = MaskResidentId(*id);
  }
  row.password_hash = hasher_.Hash(in.password);
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
    std::chrono::seconds retry{0};
    if (!throttle_.AdmitRegistration(ip, std::chrono::system_clock::now(), &retry))
      return ResourceExhausted("too many registrations from your address; try again in " +
                                   std::to_string(retry.count()) + " seconds",
                               retry);
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
  OW_RETURN_IF_ERROR(authz::Decide(by, authz::Action::kListStaff));
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
  OW_ASSIGN_OR_RETURN(auto row, Store::GetAccountWithRoles(c, id));
  if (!row) return NotFound("no account " + id);
  return std::move(row->account);
}

Result<Account> Service::AccountById(const std::string& id) {
  Account a;
  // Load is one statement (the account with its roles): no transaction around it.
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
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
  Result<std::string> out = NotFound("no verified resident ID on record");
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    out = ResidentId(c, account_id);
    return out || out.error().code == Code::kNotFound ? Status() : Status(out.error());
  }));
  return out;
}

Result<std::string> Service::ResidentId(db::Connection& c, const std::string& account_id) {
  OW_ASSIGN_OR_RETURN(auto row, Store::GetAccount(c, account_id));
  if (!row || row->account.identity_level < kLevelRemote || row->account.status != kActive)
    return NotFound("no verified resident ID on record");
  return OpenResidentId(*row);
}

Result<Account> Service::FindByResidentId(const std::string& id) {
  auto canonical = NormalizeResidentId(id);
  if (!canonical) return NotFound("no account with this resident ID number");
  std::optional<AccountRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, Store::FindVerifiedByResident(c, ResidentLookup(*canonical)));
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
         crypto::ConstantTimeEquals(row->resident_id_hmac, ResidentLookup(*canonical));
}

}  // namespace ow::identity
