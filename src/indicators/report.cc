#include "indicators/report.h"

#include <cstdio>

namespace ow::indicators {
namespace {

namespace json = boost::json;

bool NonEmptyArray(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() && !v->as_array().empty();
}
bool NonEmptyString(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() && !v->as_string().empty();
}
int64_t IntOf(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64()    ? v->as_int64()
         : v && v->is_uint64() ? static_cast<int64_t>(v->as_uint64())
                               : 0;
}
bool BoolOf(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

std::string Fixed(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}
// "75.00% (3/4)", or "n/a (0/0)" without a denominator.
std::string Share(int64_t n, int64_t d) {
  std::string frac = " (" + std::to_string(n) + "/" + std::to_string(d) + ")";
  if (d == 0) return "无数据 n/a" + frac;
  return Fixed(100.0 * static_cast<double>(n) / static_cast<double>(d)) + "%" + frac;
}
std::string Ratio(int64_t n, int64_t d, const std::string& unit) {
  if (d == 0) return "无数据 n/a";
  return Fixed(static_cast<double>(n) / static_cast<double>(d)) + unit + " (" + std::to_string(n) +
         "/" + std::to_string(d) + ")";
}

struct ElementLabel {
  const char* zh;
  const char* en;
};
constexpr std::array<ElementLabel, kGuideElements.size()> kElementLabels = {{
    {"缺法律依据", "no legal basis"},
    {"缺受理条件", "no acceptance conditions"},
    {"缺申请材料", "no materials"},
    {"缺办理流程", "no procedure steps"},
    {"缺法定时限", "no statutory time limit"},
    {"承诺时限缺失或超法定", "promised limit missing or too long"},
    {"缺办理地点", "no hall"},
    {"缺咨询电话", "no phone for questions"},
    {"缺投诉电话", "no phone for complaints"},
}};

}  // namespace

void CatalogueFigures::Add(const json::object& item) {
  ++items;
  const int64_t depth = IntOf(item, "online_depth");
  if (depth >= 3) ++online;
  if (depth >= 4) ++full_online;
  if (IntOf(item, "visits") == 0) ++zero_visit;
  if (NonEmptyString(item, "guide")) ++guide;
  if (BoolOf(item, "appointment")) ++appointment;
  if (BoolOf(item, "delivery")) ++delivery;
  bool licence_used = false;
  if (const json::value* m = item.if_contains("materials"); m && m->is_array())
    for (const auto& e : m->as_array())
      if (e.is_object() && NonEmptyString(e.as_object(), "license_type")) licence_used = true;
  if (licence_used) ++licence;
  const int64_t statutory = IntOf(item, "statutory_days"), promised = IntOf(item, "promised_days");
  const std::array<bool, kGuideElements.size()> present = {NonEmptyArray(item, "legal_basis"),
                                                           NonEmptyArray(item, "conditions"),
                                                           NonEmptyArray(item, "materials"),
                                                           NonEmptyArray(item, "steps"),
                                                           statutory > 0,
                                                           promised > 0 && promised <= statutory,
                                                           NonEmptyArray(item, "halls"),
                                                           NonEmptyString(item, "consult_phone"),
                                                           NonEmptyString(item, "complaint_phone")};
  bool all = true;
  for (size_t i = 0; i < present.size(); ++i) {
    if (!present[i]) ++missing[i];
    all = all && present[i];
  }
  if (all) ++complete;
}

Result<documents::DocumentModel> ReportDocument(const CapabilityReport& r, Date today) {
  const CatalogueFigures& c = r.catalogue;
  const auto& s = r.period.sum;
  documents::DocumentModel doc;
  doc.title = "政务服务能力评估报告";
  doc.document_number = "Capability Report of Government Services";
  std::string where = r.region;
  if (!r.region_name.empty()) where += " " + r.region_name;
  if (!r.region_name_en.empty()) where += " (" + r.region_name_en + ")";
  doc.paragraphs = {
      "地区 Region：" + where,
      "统计期 Period：" + FormatDate(r.from) + " 至 to " + FormatDate(r.to) +
          "（中国时间 China time）；事项目录截至 catalogue as of " + r.generated_at + "。",
      "本报告按全国政务服务能力评估的指标分组，全部数据取自本平台自身的记录，每项指标的定义见"
      "平台文档 docs/indicators.md。Grouped as the national assessment of government online "
      "services groups its indicators; every figure is computed from the platform's own "
      "records and defined in docs/indicators.md."};
  auto section = [&](const char* zh, const char* en) { doc.fields.push_back({zh, en}); };
  auto field = [&](std::string label, std::string value) {
    doc.fields.push_back({std::move(label), std::move(value)});
  };
  section("一、服务方式完备度", "Service coverage");
  field("目录事项 Catalogue items", std::to_string(c.items));
  field("可在线申办 Applied for online", Share(c.online, c.items));
  field("有办事指南 With a service guide", Share(c.guide, c.items));
  field("可网上预约 Appointments offered", Share(c.appointment, c.items));
  field("可快递送达 Results delivered by post", Share(c.delivery, c.items));
  section("二、服务事项覆盖度与办理成熟度", "Online maturity");
  field("全程网办 Fully online", Share(c.full_online, c.items));
  field("零跑动事项 Zero-visit items", Share(c.zero_visit, c.items));
  field("电子证照免交材料 E-licence replaces a material", Share(c.licence, c.items));
  field("网上申请占比 Online applications", Share(s[kOnline], s[kSubmitted]));
  field("件均跑动次数 Visits per application", Ratio(s[kVisits], s[kSubmitted], ""));
  section("三、办事指南准确度", "Guide accuracy");
  field("要素齐全 Complete guides", Share(c.complete, c.items));
  for (size_t i = 0; i < kGuideElements.size(); ++i)
    field(std::string(kElementLabels[i].zh) + " " + kElementLabels[i].en,
          std::to_string(c.missing[i]) + " 项 items");
  section("四、在线服务成效度：响应", "Response");
  field("咨询投诉建议 Tickets received",
        std::to_string(s[kTickets]) + "（投诉 complaints " + std::to_string(s[kComplaints]) + "）");
  field("已答复 Answered", Share(s[kAnswered], s[kTickets]));
  field("按时答复率 Answered on time", Share(s[kAnsweredOnTime], s[kAnswered]));
  field("平均答复时长 Average answer time", Ratio(s[kAnswerHoursSum], s[kAnswered], " 小时 hours"));
  field("办结 Decisions", std::to_string(s[kDecided]));
  field("按时办结率 Decided on time", Share(s[kOnTime], s[kDecided]));
  field("平均办理工作日 Average working days", Ratio(s[kDecideDaysSum], s[kDecided], " 日 days"));
  auto p90 = r.period.P90Days();
  field("90% 办件用时 90th percentile", p90 ? std::to_string(*p90) + " 日 days" : "无数据 n/a");
  section("五、办理成效：好差评与整改", "Effectiveness");
  field("评价 Ratings", std::to_string(s[kRatings]));
  field("满意率 Satisfaction", Share(s[kSatisfied], s[kRatings]));
  field("平均评价等级 Average level", Ratio(s[kRatingSum], s[kRatings], " / 5"));
  field("差评 Bad ratings", std::to_string(s[kBad]));
  field("差评整改率 Rectification rate", Share(s[kRectified], s[kBad]));
  field("恶意差评撤销 Annulled as malicious", std::to_string(s[kAnnulled]));
  doc.issuer = "OneWindow 一网通办平台";
  auto ymd = std::chrono::year_month_day(std::chrono::year(today.year),
                                         std::chrono::month(static_cast<unsigned>(today.month)),
                                         std::chrono::day(static_cast<unsigned>(today.day)));
  OW_ASSIGN_OR_RETURN(doc.date, documents::FormatChineseDate(ymd));
  doc.footer = "仅供政务服务评估使用 For the evaluation of government services only";
  doc.metadata.title = "政务服务能力评估报告 Capability Report " + r.region;
  doc.metadata.author = "OneWindow";
  doc.metadata.subject = r.region + " " + FormatDate(r.from) + "/" + FormatDate(r.to);
  doc.metadata.creator = "OneWindow";
  if (auto t = ParseTime(r.generated_at)) doc.metadata.creation_date = *t;
  return doc;
}

}  // namespace ow::indicators
