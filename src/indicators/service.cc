#include "indicators/service.h"

#include <map>

#include "audit/audit.h"
#include "authz/authz.h"
#include "catalog/service.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "indicators/export.h"
#include "indicators/report.h"
#include "indicators/store.h"
#include "ratings/service.h"
#include "regions/service.h"

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
      return store::Column::kDay;
    case Group::kMonth:
      return store::Column::kMonth;
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
  return store::Journal(c, n);
}

Status Service::Fold() {
  // Batches of 5,000 entries, one transaction each, until the journal is empty.
  constexpr int kBatch = 5000;
  for (;;) {
    int64_t moved = 0;
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(moved, store::Fold(c, kBatch));
      return {};
    }));
    if (moved < kBatch) return {};
  }
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

Result<std::vector<AnonymousRating>> Service::AnonymousRatings(const identity::Principal& who,
                                                               const Query& q) {
  if (!ratings_) return FailedPrecondition("ratings are not available on this server");
  if (!q.hall.empty()) {
    Validator v;
    v.Add("hall", "ratings record no hall: leave it out");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  // From midnight of `from` to midnight after `to`, in China (UTC+8).
  auto midnight = [](Date d) {
    return FormatTime(SystemTime(std::chrono::seconds(DaysSinceEpoch(d) * 86400 - 8 * 3600)));
  };
  OW_ASSIGN_OR_RETURN(auto list, ratings_->InPeriod(who, q.region, midnight(q.from),
                                                    midnight(AddDays(q.to, 1)), kMaxRatings));
  const std::string secret = NewCaseKeySecret();
  std::vector<AnonymousRating> out;
  for (const auto& r : list) {
    if ((!q.department.empty() && r.department_code != q.department) ||
        (!q.item.empty() && r.item_code != q.item) ||
        (!q.channel.empty() && r.service_channel != q.channel && r.channel != q.channel))
      continue;
    AnonymousRating a;
    a.case_key = CaseKey(secret, r.case_no);
    if (auto t = ParseTime(r.created_at)) a.day = FormatDate(ChinaDate(*t));
    a.region_code = r.region_code;
    a.department_code = r.department_code;
    a.item_code = r.item_code;
    a.channel = r.channel;
    a.service_channel = r.service_channel;
    a.level = r.level;
    a.reasons = r.reasons;
    a.stage = r.stage;
    a.outcome = r.outcome;
    a.comment = MaskText(r.comment);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<AnonymousRating>> Service::Ratings(const identity::Principal& who,
                                                      const Query& q) {
  // Read() checks the query and the caller the same way as every indicator read.
  OW_RETURN_IF_ERROR(Read(who, q));
  OW_ASSIGN_OR_RETURN(auto out, AnonymousRatings(who, q));
  OW_RETURN_IF_ERROR(Audit("indicators.ratings", who, q,
                           {{"from", FormatDate(q.from)},
                            {"to", FormatDate(q.to)},
                            {"ratings", static_cast<int64_t>(out.size())}}));
  return out;
}

Status Service::Audit(const std::string& action, const identity::Principal& who, const Query& q,
                      boost::json::object detail) {
  audit::Event e;
  e.action = action;
  e.actor = who.name_for_audit;
  e.subject = q.region;
  e.outcome = "success";
  e.detail = std::move(detail);
  return db_.Transact([&](db::Connection& c) { return audit::Append(c, e); });
}

Result<std::string> Service::Sign(const identity::Principal& who, const Query& q, Exported& out,
                                  boost::json::object claims) {
  out.sha256 = crypto::HexEncode(crypto::Sha256(out.bytes));
  const std::string at = FormatTime(std::chrono::system_clock::now());
  claims["sha256"] = out.sha256;
  claims["filename"] = out.filename;
  claims["region"] = q.region;
  claims["from"] = FormatDate(q.from);
  claims["to"] = FormatDate(q.to);
  claims["exported_by"] = who.name_for_audit;
  claims["exported_at"] = at;
  OW_ASSIGN_OR_RETURN(out.signature, signer_(claims));
  return out.signature;
}

Result<Exported> Service::Export(const identity::Principal& who, const Query& q,
                                 const std::string& format, const std::string& dataset) {
  {
    Validator v;
    if (format != "csv" && format != "xlsx") v.Add("format", "must be csv or xlsx");
    if (dataset != "indicators" && dataset != "ratings")
      v.Add("dataset", "must be indicators or ratings");
    else if (dataset == "ratings" && format != "csv")
      v.Add("dataset", "ratings is a choice for CSV; an XLSX always holds both sheets");
    OW_RETURN_IF_ERROR(v.Finish());
  }
  if (!signer_) return FailedPrecondition("exports are not signed on this server");
  OW_ASSIGN_OR_RETURN(Report rep, Read(who, q));
  std::vector<AnonymousRating> rated;
  // Ratings record no hall: an XLSX for one hall holds the indicators sheet only.
  const bool with_ratings = (format == "xlsx" && q.hall.empty()) || dataset == "ratings";
  if (with_ratings) {
    OW_ASSIGN_OR_RETURN(rated, AnonymousRatings(who, q));
  }
  Exported out;
  if (format == "csv") {
    out.bytes = dataset == "ratings" ? RatingsCsv(rated) : ExportCsv(rep);
    out.content_type = "text/csv; charset=utf-8";
  } else {
    OW_ASSIGN_OR_RETURN(out.bytes, ExportXlsx(rep, &rated));
    out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  out.filename = (dataset == "ratings" ? "ratings-" : "indicators-") + q.region + "-" +
                 FormatDate(q.from) + "-" + FormatDate(q.to) +
                 (dataset == "ratings" ? "" : "-" + std::string(GroupName(q.group))) + "." + format;
  boost::json::object claims{{"group", GroupName(q.group)}, {"format", format}};
  if (dataset == "ratings") claims["dataset"] = dataset;
  if (with_ratings) {
    claims["ratings"] = static_cast<int64_t>(rated.size());
    claims["case_key"] = "HMAC-SHA-256 under a key made for this export and not kept";
  }
  OW_RETURN_IF_ERROR(Sign(who, q, out, std::move(claims)));
  boost::json::object detail{
      {"filename", out.filename}, {"sha256", out.sha256}, {"format", format}};
  if (with_ratings) detail["ratings"] = static_cast<int64_t>(rated.size());
  OW_RETURN_IF_ERROR(Audit("indicators.export", who, q, std::move(detail)));
  return out;
}

Result<Exported> Service::CapabilityPdf(const identity::Principal& who, const Query& in) {
  if (!signer_) return FailedPrecondition("reports are not signed on this server");
  if (!catalog_) return FailedPrecondition("the catalogue is not available on this server");
  Query q = in;
  q.group = Group::kNone;
  OW_ASSIGN_OR_RETURN(indicators::Report rep, Read(who, q));
  CapabilityReport r;
  r.region = q.region;
  r.from = q.from;
  r.to = q.to;
  const SystemTime now = std::chrono::system_clock::now();
  r.generated_at = FormatTime(now);
  r.period = rep.totals;
  if (regions_) {
    if (auto region = regions_->Get(q.region)) {
      r.region_name = region->region.name;
      r.region_name_en = region->region.name_en;
    }
  }
  // The region's catalogue: the published items implemented in it or above it, each
  // counted from its effective guide (local elements applied).
  OW_RETURN_IF_ERROR(catalog_->EachPublishedIn(q.region, [&](const catalog::ItemView& view) {
    r.catalogue.Add(view.effective);
    return Status{};
  }));
  OW_ASSIGN_OR_RETURN(auto doc, ReportDocument(r, ChinaDate(now)));
  documents::PdfStyle style;
  style.title_size = 18;
  style.body_size = 11;
  style.table_size = 10;
  style.line_spacing = 1.6;
  OW_ASSIGN_OR_RETURN(auto pdf, documents::RenderPdf(doc, style));
  Exported out;
  out.bytes = std::move(pdf.bytes);
  out.content_type = "application/pdf";
  out.filename =
      "capability-" + q.region + "-" + FormatDate(q.from) + "-" + FormatDate(q.to) + ".pdf";
  OW_RETURN_IF_ERROR(Sign(who, q, out, {{"format", "pdf"}, {"report", "capability"}}));
  OW_RETURN_IF_ERROR(
      Audit("indicators.report", who, q,
            {{"filename", out.filename}, {"sha256", out.sha256}, {"format", "pdf"}}));
  return out;
}

}  // namespace ow::indicators
