// What the files of cases::Service share and no other domain may see
// (scripts/check-includes.sh refuses *_internal.h across domains): the record of one
// operation on one locked case (Service::Op), the task-status and role helpers, and the
// builders of applicants' messages. The operations are spread by concern over
// service.cc, intake.cc, queries.cc, lifecycle.cc, tasks.cc, timers.cc, messages.cc and
// access.cc; everything here is used by more than one of them.
#ifndef OW_CASES_SERVICE_INTERNAL_H_
#define OW_CASES_SERVICE_INTERNAL_H_

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cases/model.h"
#include "cases/service.h"

namespace ow::cases {

// One operation on one locked case: the case as loaded (and changed), its tasks, and the
// events and messages to write with it (Service::Mutate, lifecycle.cc).
struct Service::Op {
  std::string actor;
  std::string actor_account;  // "" for the system (timers) and counter intake
  std::string channel;
  SystemTime now{};
  std::string at;
  Date today{};
  const Calendar* cal = nullptr;
  Case k;
  std::vector<Task> tasks;
  std::vector<Event> events;
  std::vector<Message> messages;

  // Records an event; when the status changes, also a message for the applicant
  // (StatusChangeMessage) if the case has a recipient.
  void Record(std::string action, const std::string& to, std::string reason,
              boost::json::object detail = {});
};

namespace internal {

// The status of a task that can still be worked on.
inline constexpr const char* kOpen = "open";

// True for the roles a task may be assigned to: acceptor, reviewer, approver (access.cc).
bool KnownTaskRole(std::string_view role);

// Who the applicant's materials belong to: their account, or the enterprise
// (identity::EnterpriseOwner) (intake.cc).
std::string ApplicantOwner(const Case& k);

// The message telling MessageRecipient(k) that the case moved to `to`, with `reason`
// when there is one, stamped `at` (messages.cc).
Message StatusChangeMessage(const Case& k, const std::string& to, const std::string& reason,
                            const std::string& at);
// The message a process's notify-applicant service task sends MessageRecipient(k):
// news about the case, with the process's `notice` when it gives one (messages.cc).
Message ProgressMessage(const Case& k, const std::string& notice, const std::string& at);

// The message telling MessageRecipient(k) that the document `title` was issued (messages.cc).
Message DocumentMessage(const Case& k, const std::string& title, const std::string& at);

// The names of the item's materials that data from the exchange can stand for
// (data_resource set) (data_uses.cc).
std::vector<std::string> DataMaterialNames(const boost::json::object& doc);

}  // namespace internal
}  // namespace ow::cases

#endif  // OW_CASES_SERVICE_INTERNAL_H_
