#include "supervise/notices.h"

#include <array>

namespace ow::supervise {
namespace {

constexpr std::array kNotices = {
    notice::Template{"supervise.case.yellow",
                     "黄灯预警：{department} 办件 {ref}（{subject}）将于 {due_date} 到期",
                     "Yellow warning: application {ref} ({subject}) at {department} is due on "
                     "{due_date}"},
    notice::Template{"supervise.case.red",
                     "红灯预警：{department} 办件 {ref}（{subject}）已超过承诺期限 {due_date}",
                     "Red warning: application {ref} ({subject}) at {department} is past its "
                     "promised date {due_date}"},
    notice::Template{"supervise.ticket.yellow",
                     "黄灯预警：{department} 诉求 {ref} 将于 {due_date} 到期",
                     "Yellow warning: ticket {ref} at {department} is due on {due_date}"},
    notice::Template{"supervise.ticket.red",
                     "红灯预警：{department} 诉求 {ref} 已超过答复期限 {due_date}",
                     "Red warning: ticket {ref} at {department} is past its date {due_date}"},
    notice::Template{"supervise.rectification.yellow",
                     "黄灯预警：{department} 差评 {ref} 的整改将于 {due_date} 到期",
                     "Yellow warning: the rectification of bad rating {ref} at {department} is "
                     "due on {due_date}"},
    notice::Template{"supervise.rectification.red",
                     "红灯预警：{department} 差评 {ref} 的整改已超过期限 {due_date}",
                     "Red warning: the rectification of bad rating {ref} at {department} is past "
                     "its date {due_date}"},
    notice::Template{
        "supervise.order.yellow",
        "黄灯预警：督办单 {ref}（{subject}）将于 {due_date} 到期，{department} 尚未答复",
        "Yellow warning: supervision order {ref} ({subject}) is due on {due_date} "
        "and {department} has not replied"},
    notice::Template{"supervise.order.red",
                     "红灯预警：督办单 {ref}（{subject}）已超过期限 {due_date}，{department} "
                     "尚未答复",
                     "Red warning: supervision order {ref} ({subject}) is past its date "
                     "{due_date} and {department} has not replied"},
    notice::Template{"supervise.claim.yellow",
                     "黄灯预警：许可证 {ref}（{subject}）须于 {due_date} 前由 {department} "
                     "认领监管",
                     "Yellow warning: {department} must take the holder of licence {ref} "
                     "({subject}) under supervision by {due_date}"},
    notice::Template{"supervise.claim.red",
                     "红灯预警：许可证 {ref}（{subject}）超过 {due_date} 仍未由 {department} "
                     "认领监管",
                     "Red warning: {department} has not taken the holder of licence {ref} "
                     "({subject}) under supervision by {due_date}"},
    notice::Template{"supervise.rectification.overdue",
                     "您的评价 {ref} 的整改已超过期限 {due_date}，已提醒督查人员督办",
                     "The rectification of your rating {ref} is past its date {due_date}: the "
                     "supervisors were told"},
    notice::Template{"supervise.order.replied", "{department} 已答复督办单 {ref}，请审核",
                     "{department} replied to supervision order {ref}: please review it"},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::supervise
