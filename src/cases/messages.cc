// The applicant's in-app messages: what is written when a case changes status or a
// process's notify-applicant task runs (codes of notices.h with their parameters), and
// reading and marking them read.
#include <algorithm>

#include "authz/authz.h"
#include "cases/service.h"
#include "cases/service_internal.h"
#include "cases/store.h"

namespace ow::cases {

using identity::Principal;

namespace internal {

Message StatusChangeMessage(const Case& k, const std::string& to, const std::string& reason,
                            const std::string& at) {
  Message m;
  m.account_id = MessageRecipient(k);
  m.status = to;
  m.code = reason.empty() ? "case.status_changed" : "case.status_changed_with_reason";
  m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}, {"status", to}};
  if (!reason.empty()) m.params["reason"] = reason;
  m.created_at = at;
  return m;
}

Message ProgressMessage(const Case& k, const std::string& notice, const std::string& at) {
  Message m;
  m.account_id = MessageRecipient(k);
  m.status = k.status;
  m.code = notice.empty() ? "case.progress" : "case.progress_with_notice";
  m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}};
  if (!notice.empty()) m.params["notice"] = notice;
  m.created_at = at;
  return m;
}

Message DocumentMessage(const Case& k, const std::string& title, const std::string& at) {
  Message m;
  m.account_id = MessageRecipient(k);
  m.status = k.status;
  m.code = "case.document_issued";
  m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}, {"title", title}};
  m.created_at = at;
  return m;
}

}  // namespace internal

Result<std::vector<Message>> Service::Messages(const Principal& who, int64_t limit) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadCase, {"", "", who.account_id, false}));
  std::vector<Message> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out,
                        store::MessagesFor(c, who.account_id, std::clamp<int64_t>(limit, 1, 200)));
    return {};
  }));
  return out;
}

Status Service::MarkRead(const Principal& who, int64_t id, SystemTime now) {
  if (who.account_id.empty()) return Unauthenticated("log in first");
  bool found = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(found, store::MarkMessageRead(c, id, who.account_id, FormatTime(now)));
    return {};
  }));
  if (!found) return NotFound("no message " + std::to_string(id));
  return {};
}

}  // namespace ow::cases
