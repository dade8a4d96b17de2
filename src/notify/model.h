// The notifications domain's types: a person's inbox message, an outbox delivery (one
// message on one external channel), and a person's preferences.
#ifndef OW_NOTIFY_MODEL_H_
#define OW_NOTIFY_MODEL_H_

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ow::notify {

// The channels beside the portal inbox (which is always on).
inline constexpr const char* kEmail = "email";
inline constexpr const char* kSms = "sms";

// The topics a person chooses channels for; other topics reach the inbox only.
inline constexpr const char* kTopics[] = {"case", "booking", "ticket", "account"};

// Delivery states: pending (due at next_attempt_at), sending (claimed by a worker until
// lease_until), sent, dead (gave up; an administrator may requeue it).
inline constexpr const char* kPending = "pending";
inline constexpr const char* kSending = "sending";
inline constexpr const char* kSent = "sent";
inline constexpr const char* kDead = "dead";

struct InboxMessage {
  int64_t id = 0;
  std::string account_id;
  std::string topic;
  std::string code;  // "" for case messages written before codes (then `text` says it)
  boost::json::object params;
  std::string text;
  std::string ref;
  std::string link;
  std::string created_at;
  std::string read_at;  // "" while unread
};

struct Delivery {
  int64_t id = 0;
  int64_t message_id = 0;  // 0 for a message that is not in the inbox (an address check)
  std::string account_id;
  std::string channel;  // kEmail or kSms
  std::string address;  // the e-mail address or phone number it goes to
  std::string lang;     // "zh-CN" or "en"
  std::string topic;
  std::string code;
  boost::json::object params;
  std::string ref;
  std::string link;
  std::string status;
  int64_t attempts = 0;
  std::string next_attempt_at;
  std::string lease_until;
  std::string last_error;
  std::string created_at;
  std::string sent_at;
  std::string provider_id;  // the SMS gateway's message id, or the e-mail's Message-ID
};

struct Preferences {
  std::string account_id;
  std::string lang = "zh-CN";
  std::string email;          // the verified address, or ""
  std::string pending_email;  // an address waiting for its code, or ""
  std::string code_hash;      // hex SHA-256 of account id + code
  std::string code_expires_at;
  int64_t code_attempts = 0;
  std::string phone;  // the person's own choice; "" = the account's phone
  // Per topic, the external channels chosen (kEmail, kSms).
  std::map<std::string, std::vector<std::string>> topics;
  int64_t version = 0;  // 0: never saved
  std::string updated_at;
};

}  // namespace ow::notify

#endif  // OW_NOTIFY_MODEL_H_
