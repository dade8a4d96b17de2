// A booking as an iCalendar object (RFC 5545) people add to their calendar: one VEVENT
// in Asia/Shanghai time with the hall's address and what to bring.
#ifndef OW_APPOINTMENTS_ICS_H_
#define OW_APPOINTMENTS_ICS_H_

#include <string>
#include <string_view>

#include "appointments/model.h"
#include "core/clock.h"

namespace ow::appointments {

// `host` names the platform in the UID ("onewindow.example"); `stamp` is DTSTAMP.
std::string BookingIcs(const Booking& b, const Hall& h, SystemTime stamp, std::string_view host);

// RFC 5545 3.3.11 TEXT escaping (backslash, semicolon, comma, newline).
std::string IcsText(std::string_view s);
// RFC 5545 3.1: a content line folded at 75 octets (never inside a UTF-8 sequence),
// CRLF-terminated.
std::string IcsLine(std::string_view line);

}  // namespace ow::appointments

#endif  // OW_APPOINTMENTS_ICS_H_
