// What the cases domain tells applicants (core/notice.h): the codes it writes and
// their templates in every language the platform speaks.
//
//  case.status_changed              {tracking_no, item_name, status}
//  case.status_changed_with_reason  {tracking_no, item_name, status, reason}
//  case.progress                    {tracking_no, item_name}
//  case.progress_with_notice        {tracking_no, item_name, notice}
//  case.document_issued             {tracking_no, item_name, title}
//  case.status.<status>             the label of a case status
#ifndef OW_CASES_NOTICES_H_
#define OW_CASES_NOTICES_H_

#include <span>

#include "core/notice.h"

namespace ow::cases {

std::span<const notice::Template> Notices();

}  // namespace ow::cases

#endif  // OW_CASES_NOTICES_H_
