// The applicant's messages: what is said when a case changes status or a process's
// notify-applicant task runs (codes of notices.h with their parameters), handed to the
// notifications domain (its inbox, e-mail, SMS) in the case's transaction.
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
  m.tracking_no = k.tracking_no;
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
  m.tracking_no = k.tracking_no;
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
  m.tracking_no = k.tracking_no;
  m.status = k.status;
  m.code = "case.document_issued";
  m.params = {{"tracking_no", k.tracking_no}, {"item_name", k.item_name}, {"title", title}};
  m.created_at = at;
  return m;
}

}  // namespace internal

Status Service::SendMessage(db::Connection& c, const Message& m) {
  if (m.account_id.empty()) return {};
  if (notifier_ == nullptr) return Internal("cases: no notifier to send the applicant's message");
  notify::Outgoing out;
  out.account_id = m.account_id;
  out.topic = "case";
  out.code = m.code;
  out.params = m.params;
  // The status the message announces travels with it (the inbox shows it).
  out.params["status"] = m.status;
  out.ref = m.tracking_no;
  out.link = m.tracking_no.empty() ? "" : "/me/cases/" + m.tracking_no;
  return notifier_->Notify(c, out);
}

Status Service::PublishEvents(db::Connection& c, const Case& k, const std::vector<Event>& events) {
  if (events_ == nullptr) return {};
  for (const auto& e : events) {
    const char* type = e.action == "submitted"   ? webhooks::kCaseSubmitted
                       : e.action == "decided"   ? webhooks::kCaseDecided
                       : e.action == "delivered" ? webhooks::kCaseDelivered
                                                 : nullptr;
    if (type == nullptr) continue;
    webhooks::DomainEvent out;
    out.type = type;
    out.department_code = k.department_code;
    out.region_code = k.region_code;
    out.subject = k.tracking_no;
    out.occurred_at = e.at;
    // What the department's system needs to act; never the applicant's name or ID.
    out.data = {{"tracking_no", k.tracking_no},
                {"item_code", k.item_code},
                {"item_name", k.item_name},
                {"status", e.to_status},
                {"channel", k.channel}};
    if (e.action == "decided") out.data["decision"] = e.to_status;
    if (const auto* m = e.detail.if_contains("method"); m && e.action == "delivered")
      out.data["method"] = *m;
    OW_RETURN_IF_ERROR(events_->Publish(c, out));
  }
  return {};
}

}  // namespace ow::cases
