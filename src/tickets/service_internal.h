// What the files of tickets::Service share and no other domain may see: one operation on
// one locked ticket (Service::Op), and the authorization target of a ticket.
#ifndef OW_TICKETS_SERVICE_INTERNAL_H_
#define OW_TICKETS_SERVICE_INTERNAL_H_

#include <string>
#include <vector>

#include "notify/notifier.h"
#include "tickets/service.h"

namespace ow::tickets {

struct Service::Op {
  Ticket t;
  SystemTime now{};
  std::string at;
  Date today{};
  const Calendar* cal = nullptr;
  std::string actor;
  std::vector<Event> events;
  std::vector<notify::Outgoing> notices;

  void Record(std::string action, std::string note = {}) {
    events.push_back({0, at, actor, std::move(action), std::move(note)});
  }
  // A message to the asker, when the ticket has one with an account.
  void Tell(const std::string& code);
};

namespace internal {

authz::Target TargetOf(const Ticket& t);
// Whether `who` may read `t` (the asker, its department's staff, the region's supervisors,
// hotline and hall staff of the region).
bool MayRead(const Principal& who, const Ticket& t);

}  // namespace internal
}  // namespace ow::tickets

#endif  // OW_TICKETS_SERVICE_INTERNAL_H_
