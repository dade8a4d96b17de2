// What the tickets domain tells askers (core/notice.h): the codes it writes and their
// templates in every language the platform speaks.
//
//  ticket.answered   {number, kind}  the department (or the supervisors) answered
//  ticket.escalated  {number, kind}  the deadline passed: the region's supervisors have it
//  ticket.kind.<kind>                the label of a kind
#ifndef OW_TICKETS_NOTICES_H_
#define OW_TICKETS_NOTICES_H_

#include <span>

#include "core/notice.h"

namespace ow::tickets {

std::span<const notice::Template> Notices();

}  // namespace ow::tickets

#endif  // OW_TICKETS_NOTICES_H_
