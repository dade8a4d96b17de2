#include "appointments/ics.h"

#include <cstdio>

#include "appointments/store.h"

namespace ow::appointments {

std::string IcsText(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string IcsLine(std::string_view line) {
  std::string out;
  size_t width = 0;  // octets on the current physical line
  for (size_t i = 0; i < line.size();) {
    size_t len = 1;
    unsigned char lead = static_cast<unsigned char>(line[i]);
    if (lead >= 0xF0)
      len = 4;
    else if (lead >= 0xE0)
      len = 3;
    else if (lead >= 0xC0)
      len = 2;
    len = std::min(len, line.size() - i);
    if (width + len > 75) {
      out += "\r\n ";
      width = 1;  // the leading space counts
    }
    out.append(line.substr(i, len));
    width += len;
    i += len;
  }
  return out + "\r\n";
}

namespace {

std::string LocalStamp(Date d, int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d00", d.year, d.month, d.day, minutes / 60,
                minutes % 60);
  return buf;
}

std::string UtcStamp(SystemTime t) {
  std::string s = FormatTime(t);  // 2026-12-07T01:02:03Z
  std::string out;
  for (char ch : s)
    if (ch != '-' && ch != ':') out += ch;
  return out;
}

}  // namespace

std::string BookingIcs(const Booking& b, const Hall& h, SystemTime stamp, std::string_view host) {
  std::string out;
  auto line = [&](std::string_view l) { out += IcsLine(l); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//OneWindow//Appointments//ZH");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  // China has kept UTC+8 without daylight saving since 1991.
  line("BEGIN:VTIMEZONE");
  line("TZID:Asia/Shanghai");
  line("BEGIN:STANDARD");
  line("DTSTART:19910915T000000");
  line("TZOFFSETFROM:+0800");
  line("TZOFFSETTO:+0800");
  line("TZNAME:CST");
  line("END:STANDARD");
  line("END:VTIMEZONE");
  line("BEGIN:VEVENT");
  line("UID:" + b.number + "@" + std::string(host));
  line("DTSTAMP:" + UtcStamp(stamp));
  line("DTSTART;TZID=Asia/Shanghai:" + LocalStamp(b.day, b.start));
  line("DTEND;TZID=Asia/Shanghai:" + LocalStamp(b.day, b.end));
  line("SUMMARY:" +
       IcsText(b.item_name + " · " + h.name + " / " + b.item_name_en + " · " + h.name_en));
  line("LOCATION:" + IcsText(h.name + " " + h.address + " / " + h.address_en));
  line("DESCRIPTION:" +
       IcsText("预约号 Booking number: " + b.number + "\n事项 Item: " + b.item_name + " (" +
               b.item_code +
               ")\n请携带本人有效身份证件和办事指南所列材料原件。\nBring your "
               "identity card and the originals of the materials the service guide lists.\n" +
               "电话 Phone: " + h.phone));
  line(b.status == kCancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
  line("SEQUENCE:" + std::to_string(b.version - 1));
  line("END:VEVENT");
  line("END:VCALENDAR");
  return out;
}

}  // namespace ow::appointments
