#include "notify/notices.h"

#include <array>

namespace ow::notify {
namespace {

constexpr std::array kNotices = {
    notice::Template{"notify.email_code",
                     "您正在一网通办平台验证此邮箱，验证码：{code}。15 分钟内有效。"
                     "如非本人操作，请忽略本邮件。",
                     "You are confirming this address on OneWindow. Your code is {code}. It "
                     "is valid for 15 minutes. If you did not ask for it, ignore this e-mail."},
    notice::Template{"notify.email_code.subject", "一网通办邮箱验证码：{code}",
                     "OneWindow address check: {code}"},
    notice::Template{"notify.subject", "一网通办：{ref} 有新消息", "OneWindow: news about {ref}"},
    notice::Template{"notify.subject_plain", "一网通办：您有一条新消息",
                     "OneWindow: you have a new message"},
    notice::Template{"notify.footer",
                     "查看详情：{link}\n\n此邮件由一网通办平台自动发送，请勿回复。"
                     "可在“账户 - 消息通知”中更改接收方式。",
                     "See it here: {link}\n\nOneWindow sent this automatically; replies are not "
                     "read. Choose how you hear from us under Account - Notifications."},
    notice::Template{
        "notify.footer_plain",
        "此邮件由一网通办平台自动发送，请勿回复。可在“账户 - 消息通知”中更改接收方式。",
        "OneWindow sent this automatically; replies are not read. Choose how you "
        "hear from us under Account - Notifications."},
    notice::Template{"notify.sms_prefix", "【一网通办】", "[OneWindow] "},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::notify
