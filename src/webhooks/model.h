// The webhooks domain's types: a department system's subscription and one delivery (an
// event on its way to one subscription's endpoint).
#ifndef OW_WEBHOOKS_MODEL_H_
#define OW_WEBHOOKS_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ow::webhooks {

// Subscription states.
inline constexpr const char* kActive = "active";
inline constexpr const char* kDisabled = "disabled";

struct Subscription {
  std::string id;  // "WS" + random
  std::string client_id;
  std::string department_code;  // the system's department when it subscribed
  std::string url;
  std::vector<std::string> events;
  std::string status;
  std::string created_at;
  std::string disabled_by, disabled_at;
};

// Delivery states: pending (due at next_attempt_at), sending (claimed by a worker until
// lease_until), delivered, dead (gave up; an administrator may replay it), cancelled (its
// subscription was disabled first).
inline constexpr const char* kPending = "pending";
inline constexpr const char* kSending = "sending";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kDead = "dead";
inline constexpr const char* kCancelled = "cancelled";

struct Delivery {
  int64_t id = 0;
  std::string event_id;  // "evt_" + random: the Idempotency-Key, the same on every attempt
  std::string event_type;
  std::string subscription_id;
  std::string client_id;
  std::string department_code;
  std::string url;
  std::string payload;  // the exact body sent on every attempt
  std::string status;
  int64_t attempts = 0;
  std::string next_attempt_at;
  std::string lease_until;
  std::string last_error;
  int64_t response_status = 0;  // the endpoint's last HTTP status, 0 when none
  std::string created_at;
  std::string delivered_at;
};

}  // namespace ow::webhooks

#endif  // OW_WEBHOOKS_MODEL_H_
