// What the notifications domain says itself (core/notice.h): the address check, the
// e-mail's generic subject and footer.
//
//  notify.email_code     {code}   the body of the address check
//  notify.email_code.subject
//  notify.email_code.sms
//  notify.subject        {ref}    an e-mail's subject when the writing domain has none
//  notify.subject_plain           the same without a reference
//  notify.footer         {link}   the end of every e-mail
//  notify.footer_plain
#ifndef OW_NOTIFY_NOTICES_H_
#define OW_NOTIFY_NOTICES_H_

#include <span>

#include "core/notice.h"

namespace ow::notify {

std::span<const notice::Template> Notices();

}  // namespace ow::notify

#endif  // OW_NOTIFY_NOTICES_H_
