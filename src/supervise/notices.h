// What the supervision domain tells people (core/notice.h): the codes it writes and their
// templates in every language the platform speaks.
//
//  supervise.<kind>.<level>  {ref, subject, due_date, department}  a warning to the region's
//      supervisors: kind case, ticket, rectification, order or claim; level yellow or red
//  supervise.rectification.overdue  {ref, due_date}  to the person who rated: the department
//      missed the deadline of their rating's rectification; the supervisors were told
//  supervise.order.replied  {ref, department}  to the supervisor who issued an order
#ifndef OW_SUPERVISE_NOTICES_H_
#define OW_SUPERVISE_NOTICES_H_

#include <span>

#include "core/notice.h"

namespace ow::supervise {

std::span<const notice::Template> Notices();

}  // namespace ow::supervise

#endif  // OW_SUPERVISE_NOTICES_H_
