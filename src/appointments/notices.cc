#include <array>

#include "appointments/service.h"

namespace ow::appointments {
namespace {

constexpr std::array kNotices = {
    notice::Template{"booking.confirmed",
                     "您已预约 {day} {start}–{end} 在{hall_name}办理“{item_name}”，预约号 {number}",
                     "You booked {day} {start}–{end} at {hall_name_en} for \"{item_name_en}\", "
                     "booking number {number}"},
    notice::Template{"booking.rescheduled",
                     "您的预约 {number}（{item_name}）已改到 {day} {start}–{end}，{hall_name}",
                     "Your booking {number} ({item_name_en}) moved to {day} {start}–{end}, "
                     "{hall_name_en}"},
    notice::Template{"booking.cancelled", "您的预约 {number}（{item_name}，{day} {start}）已取消",
                     "Your booking {number} ({item_name_en}, {day} {start}) is cancelled"},
    notice::Template{
        "booking.reminder",
        "提醒：明天 {day} {start}–{end} 请到{hall_name}（{address}）办理“{item_name}”，"
        "预约号 {number}，请携带身份证件",
        "Reminder: tomorrow, {day} {start}–{end}, at {hall_name_en} ({address_en}) "
        "for \"{item_name_en}\", booking number {number}; bring your identity card"},
    notice::Template{"booking.no_show",
                     "您未按预约 {number}（{day} {start}，{item_name}）到场签到，已记为爽约；"
                     "{count} 天内爽约 {limit} 次将暂停预约",
                     "You did not check in for booking {number} ({day} {start}, {item_name_en}): "
                     "it counts as a missed appointment; {limit} within {count} days pause "
                     "booking"},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::appointments
