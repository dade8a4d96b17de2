#include "ratings/notices.h"

#include <array>

namespace ow::ratings {
namespace {

constexpr std::array kNotices = {
    notice::Template{"rating.invited", "您的办件 {case_no}（{item}）已办结，欢迎点击链接评价服务",
                     "Your application {case_no} ({item}) is complete: please rate the service "
                     "through the link"},
    notice::Template{"rating.rectifying",
                     "您对办件 {case_no} 的差评（{number}）已转办理部门核实整改，部门将在 "
                     "{due_date} 前回访并答复您",
                     "Your bad rating {number} of application {case_no} went to the department: "
                     "it will contact you and answer by {due_date}"},
    notice::Template{"rating.rectified",
                     "办理部门已对您的评价 {number} 作出整改答复，请确认结果或提出申诉",
                     "The department answered your rating {number}: confirm the result or appeal"},
    notice::Template{"rating.returned", "督查人员已将您的评价 {number} 退回办理部门重新整改",
                     "The supervisors sent your rating {number} back to the department to fix"},
    notice::Template{"rating.closed", "督查人员已复核您的评价 {number}，整改办结",
                     "The supervisors reviewed your rating {number} and closed it"},
    notice::Template{"rating.annulled", "督查人员经核实认定您的评价 {number} 为恶意评价，已作废",
                     "The supervisors found your rating {number} malicious and annulled it"},
    notice::Template{"rating.level.5", "非常满意", "very satisfied"},
    notice::Template{"rating.level.4", "满意", "satisfied"},
    notice::Template{"rating.level.3", "基本满意", "basically satisfied"},
    notice::Template{"rating.level.2", "不满意", "dissatisfied"},
    notice::Template{"rating.level.1", "非常不满意", "very dissatisfied"},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::ratings
