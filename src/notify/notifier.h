// The one way a domain sends a person a message. A domain records what to say (a code of
// its notice table and the parameters) inside its own transaction; the notifications
// domain (src/notify) keeps it in the person's portal inbox and in the outbox of every
// other channel the person chose (e-mail, SMS), so nothing is sent for a transaction that
// rolled back, and a crash after commit neither loses nor repeats a message.
//
// Domains receive a Notifier& from the app (which wires notify::Service in) and never link
// the notifications domain, so they build and test on their own with a recording fake.
#ifndef OW_NOTIFY_NOTIFIER_H_
#define OW_NOTIFY_NOTIFIER_H_

#include <boost/json/object.hpp>
#include <string>

#include "core/error.h"

namespace ow::db {
class Connection;
}

namespace ow::notify {

struct Outgoing {
  std::string account_id;      // the recipient (a person's or staff member's account)
  std::string topic;           // the preference category: "case", "booking", "ticket", ...
  std::string code;            // the template code in the writing domain's notice table
  boost::json::object params;  // the template's parameters
  std::string ref;             // what it is about: a tracking number, a booking or ticket number
  std::string link;            // the portal path that shows it ("/me/bookings/B123"), or ""
  // When not empty, a second Notify with the same key for the same recipient is a no-op
  // (a reminder a sweep may find twice).
  std::string dedupe_key;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Records `m` for delivery, inside the caller's open transaction `c`. Errors: those of
  // the store (the caller's transaction then rolls back as a whole).
  virtual Status Notify(db::Connection& c, const Outgoing& m) = 0;
};

}  // namespace ow::notify

#endif  // OW_NOTIFY_NOTIFIER_H_
