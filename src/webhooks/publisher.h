// The one way a domain announces an event to department systems (webhooks). A domain
// describes what happened inside its own transaction; the webhooks domain (src/webhooks)
// writes one outbox row per live subscription of the event's department in that same
// transaction, so nothing is announced for a change that rolled back, and a crash after
// commit loses nothing (the outbox is delivered at least once, see webhooks/service.h).
//
// Domains receive a Publisher* from the app and never link the webhooks domain.
#ifndef OW_WEBHOOKS_PUBLISHER_H_
#define OW_WEBHOOKS_PUBLISHER_H_

#include <boost/json/object.hpp>
#include <string>

#include "core/error.h"

namespace ow::db {
class Connection;
}

namespace ow::webhooks {

// The event types department systems may subscribe to.
inline constexpr const char* kCaseSubmitted = "case.submitted";
inline constexpr const char* kCaseDecided = "case.decided";
inline constexpr const char* kCaseDelivered = "case.delivered";
inline constexpr const char* kLicenceIssued = "licence.issued";
inline constexpr const char* kLicenceRevoked = "licence.revoked";
inline constexpr const char* kEventTypes[] = {kCaseSubmitted, kCaseDecided, kCaseDelivered,
                                              kLicenceIssued, kLicenceRevoked};

struct DomainEvent {
  std::string type;             // one of kEventTypes
  std::string department_code;  // the department the event belongs to: only its systems hear it
  std::string region_code;
  std::string subject;  // the case's tracking number, the licence's number
  // What the event says: no personal data (names, ID numbers); a system that needs more
  // asks through the exchange under a grant.
  boost::json::object data;
  std::string occurred_at;  // FormatTime form
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Records `e` for every live subscription, inside the caller's open transaction `c`.
  // Errors: those of the store (the caller's transaction then rolls back as a whole).
  virtual Status Publish(db::Connection& c, const DomainEvent& e) = 0;
};

}  // namespace ow::webhooks

#endif  // OW_WEBHOOKS_PUBLISHER_H_
