#include "cases/notices.h"

#include <array>

namespace ow::cases {
namespace {

constexpr std::array kNotices = {
    notice::Template{"case.status_changed",
                     "您的办件 {tracking_no}（{item_name}）：{status:case.status}",
                     "Your case {tracking_no} ({item_name}): {status:case.status}"},
    notice::Template{"case.status_changed_with_reason",
                     "您的办件 {tracking_no}（{item_name}）：{status:case.status}。{reason}",
                     "Your case {tracking_no} ({item_name}): {status:case.status}. {reason}"},
    notice::Template{"case.progress", "您的办件 {tracking_no}（{item_name}）有新进展",
                     "There is news about your case {tracking_no} ({item_name})"},
    notice::Template{"case.progress_with_notice",
                     "您的办件 {tracking_no}（{item_name}）有新进展：{notice}",
                     "There is news about your case {tracking_no} ({item_name}): {notice}"},
    notice::Template{"case.document_issued",
                     "您的办件 {tracking_no}（{item_name}）的《{title}》已出具，可在办件页面下载",
                     "The {title} for your case {tracking_no} ({item_name}) has been issued: "
                     "download it from the case page"},
    notice::Template{"case.status.submitted", "已提交，等待受理", "submitted, awaiting acceptance"},
    notice::Template{"case.status.supplement_requested", "需要补正材料",
                     "more materials are needed"},
    notice::Template{"case.status.under_review", "已受理，审查中", "accepted, under review"},
    notice::Template{"case.status.suspended", "特别程序中，时限暂停",
                     "in a special procedure, the time limit is paused"},
    notice::Template{"case.status.not_accepted", "不予受理", "not accepted"},
    notice::Template{"case.status.approved", "准予办理", "approved"},
    notice::Template{"case.status.denied", "不予办理", "denied"},
    notice::Template{"case.status.delivered", "办理结果已送达", "the result has been delivered"},
    notice::Template{"case.status.closed", "已办结", "closed"},
    notice::Template{"case.status.withdrawn", "已撤回", "withdrawn"},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::cases
