// What the ratings domain tells raters (core/notice.h): the codes it writes and their
// templates in every language the platform speaks. Topic "case": a rating is about a case.
//
//  rating.invited     {case_no, item}    an invitation to rate, with a one-time link
//  rating.rectifying  {number, case_no, due_date}  a bad rating went to the department
//  rating.rectified   {number, case_no}  the department recorded its result: confirm or appeal
//  rating.returned    {number, case_no}  the supervisors sent it back to the department
//  rating.closed      {number, case_no}  the supervisors closed it
//  rating.annulled    {number, case_no}  the supervisors annulled the rating
//  rating.level.<n>                      the label of a level (1..5)
#ifndef OW_RATINGS_NOTICES_H_
#define OW_RATINGS_NOTICES_H_

#include <span>

#include "core/notice.h"

namespace ow::ratings {

std::span<const notice::Template> Notices();

}  // namespace ow::ratings

#endif  // OW_RATINGS_NOTICES_H_
