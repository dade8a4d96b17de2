#include "indicators/service.h"

#include <map>

#include "audit/audit.h"
#include "authz/authz.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "indicators/export.h"
#include "indicators/store.h"

namespace ow::indicators {
namespace {

bool IsRegionCode(const std::string& s) {
  if (s.size() != 2 && s.size() != 4 && s.size() != 6 && s.size() != 9 && s.size() != 12)
    return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

store::Column ColumnOf(Group g) {
  switch (g) {
    case Group::kDay:
    case Group::kWeek:
    case Group::kMonth:
      return store::Column::kDay;
    case Group::kRegion:
      return store::Column::kRegion;
    case Group::kDepartment:
      return store::Column::kDepartment;
    case Group::kItem:
      return store::Column::kItem;
    case Group::kHall:
      return store::Column::kHall;
    case Group::kChannel:
      return store::Column::kChannel;
    case Group::kNone:
      break;
  }
  return store::Column::kNone;
}

bool Peers(Group g) {
  return g == Group::kRegion || g == Group::kDepartment || g == Group::kItem || g == Group::kHall;
}

}  // namespace

Status Service::Add(db::Connection& c, const Count& n) {
  if (n.Empty()) return {};
  return store::Add(c, n);
}

Status Service::Validate(const Query& in) {
  Validator v;
  if (!IsRegionCode(in.region)) v.Add("region", "must be a region code of 2, 4, 6, 9 or 12 digits");
  if (in.to < in.from) v.Add("to", "must not be before from");
  if (DaysSinceEpoch(in.to) - DaysSinceEpoch(in.from) + 1 > kMaxPeriodDays)
    v.Add("to", "the period may cover at most " + std::to_string(kMaxPeriodDays) + " days");
  if (!in.rank_by.empty() && !Rankable(in.rank_by))
    v.Add("rank_by", "must name a derived figure such as on_time_rate or satisfaction");
  return v.Finish();
}

Result<Report> Service::Read(const identity::Principal& who, const Query& in) {
  OW_RETURN_IF_ERROR(Validate(in));
  authz::Target t;
  t.region_code = in.region;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kReadIndicators, t));
  return Compute(in);
}

Result<Report> Service::PublicRatings(const Query& in) {
  Query q;
  q.region = in.region;
  q.from = in.from;
  q.to = in.to;
  q.group = Group::kDepartment;
  q.rank_by = "satisfaction";
  OW_RETURN_IF_ERROR(Validate(q));
  return Compute(q);
}

Result<Report> Service::Compute(const Query& in) {
  Report out;
  out.query = in;
  if (out.query.rank_by.empty()) out.query.rank_by = "on_time_rate";
  const int64_t length = DaysSinceEpoch(in.to) - DaysSinceEpoch(in.from) + 1;
  out.previous_to = AddDays(in.from, -1);
  out.previous_from = AddDays(in.from, -length);

  store::Filter f;
  f.region = in.region;
  f.department = in.department;
  f.item = in.item;
  f.hall = in.hall;
  f.channel = in.channel;
  f.from = FormatDate(in.from);
  f.to = FormatDate(in.to);
  store::Filter before = f;
  before.from = FormatDate(out.previous_from);
  before.to = FormatDate(out.previous_to);

  std::vector<store::Sum> rows, previous;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(rows, store::Sums(c, f, ColumnOf(in.group)));
    OW_ASSIGN_OR_RETURN(previous, store::Sums(c, before, store::Column::kNone));
    return {};
  }));
  for (const auto& s : previous) out.previous.Add(s.figures);

  std::map<std::string, Figures> grouped;
  for (const auto& s : rows) {
    out.totals.Add(s.figures);
    if (in.group == Group::kNone) continue;
    std::string key = s.key;
    if (in.group == Group::kWeek || in.group == Group::kMonth) {
      if (auto d = ParseDate(s.key)) key = PeriodKey(in.group, *d);
    } else if (in.group == Group::kRegion) {
      key = ChildRegion(in.region, s.key);
    }
    grouped[key].Add(s.figures);
  }
  for (auto& [k, fig] : grouped) out.rows.push_back({k, std::move(fig), 0});
  if (Peers(in.group)) Rank(out.rows, out.query.rank_by);
  return out;
}

Result<Exported> Service::Export(const identity::Principal& who, const Query& q,
                                 const std::string& format) {
  if (format != "csv" && format != "xlsx") {
    Validator v;
    v.Add("format", "must be csv or xlsx");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  if (!signer_) return FailedPrecondition("exports are not signed on this server");
  OW_ASSIGN_OR_RETURN(Report rep, Read(who, q));
  Exported out;
  if (format == "csv") {
    out.bytes = ExportCsv(rep);
    out.content_type = "text/csv; charset=utf-8";
  } else {
    OW_ASSIGN_OR_RETURN(out.bytes, ExportXlsx(rep));
    out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  out.filename = "indicators-" + q.region + "-" + FormatDate(q.from) + "-" + FormatDate(q.to) +
                 "-" + std::string(GroupName(q.group)) + "." + format;
  out.sha256 = crypto::HexEncode(crypto::Sha256(out.bytes));
  const std::string at = FormatTime(std::chrono::system_clock::now());
  boost::json::object claims{{"sha256", out.sha256},   {"filename", out.filename},
                             {"region", q.region},     {"from", FormatDate(q.from)},
                             {"to", FormatDate(q.to)}, {"group", GroupName(q.group)},
                             {"format", format},       {"exported_by", who.name_for_audit},
                             {"exported_at", at}};
  OW_ASSIGN_OR_RETURN(out.signature, signer_(claims));
  audit::Event e;
  e.action = "indicators.export";
  e.actor = who.name_for_audit;
  e.subject = q.region;
  e.outcome = "success";
  e.detail = {{"filename", out.filename}, {"sha256", out.sha256}, {"format", format}};
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) { return audit::Append(c, e); }));
  return out;
}

}  // namespace ow::indicators
