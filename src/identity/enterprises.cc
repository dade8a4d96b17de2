// identity::Service: enterprises and their operators.
#include "core/clock.h"
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
    OW_ASSIGN_OR_RETURN(auto acc, Store::FindByUsername(c, LowerAscii(username)));
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
    OW_ASSIGN_OR_RETURN(auto acc, Store::FindByUsername(c, LowerAscii(username)));
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
