#include "tickets/notices.h"

#include <array>

namespace ow::tickets {
namespace {

constexpr std::array kNotices = {
    notice::Template{"ticket.answered", "您的{kind:ticket.kind} {number} 已有答复，请查看并评价",
                     "Your {kind:ticket.kind} {number} has been answered: read it and rate it"},
    notice::Template{"ticket.escalated",
                     "您的{kind:ticket.kind} {number} 未在时限内答复，已转督办，由督查人员跟进",
                     "Your {kind:ticket.kind} {number} was not answered in time: the supervisors "
                     "are now following it up"},
    notice::Template{"ticket.kind.consult", "咨询", "question"},
    notice::Template{"ticket.kind.complaint", "投诉", "complaint"},
    notice::Template{"ticket.kind.suggestion", "建议", "suggestion"},
};

}  // namespace

std::span<const notice::Template> Notices() { return kNotices; }

}  // namespace ow::tickets
