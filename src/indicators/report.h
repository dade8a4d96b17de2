// The capability report of a region (issue 17 part 6): its figures grouped the way the
// national assessment of government online services groups its indicators, and the PDF
// document that prints them. Pure functions (no I/O); docs/indicators.md defines every
// figure.
//
//   一 服务方式完备度 service coverage      catalogue items, online application, guides,
//                                           appointments, delivery of results
//   二 服务事项覆盖度/办理成熟度 online maturity  fully online, zero-visit and e-licence items;
//                                           online applications and visits in the period
//   三 办事指南准确度 guide accuracy         items whose guide elements are complete, and
//                                           which elements are missing how often
//   四 在线服务成效度 response              answers to consultations and complaints, on-time
//                                           decisions, working days to decide
//   五 effectiveness                        satisfaction, bad ratings, rectification
#ifndef OW_INDICATORS_REPORT_H_
#define OW_INDICATORS_REPORT_H_

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "core/calendar.h"
#include "core/error.h"
#include "documents/pdf.h"
#include "indicators/model.h"

namespace ow::indicators {

// The guide elements an item's guide must hold to count as complete.
inline constexpr std::array<const char*, 9> kGuideElements = {
    "legal_basis",     // at least one legal basis
    "conditions",      // at least one acceptance condition
    "materials",       // at least one required-materials entry
    "steps",           // at least one procedure step
    "statutory_days",  // a statutory time limit (> 0 working days)
    "promised_days",   // a promised time limit (> 0, not above the statutory one)
    "halls",           // at least one place to apply (hall), local ones included
    "consult_phone",   // a phone number for questions
    "complaint_phone"  // a phone number for complaints
};

// Counts over the catalogue items of a region (published, and implemented in the region or
// a region above it: what its residents find).
struct CatalogueFigures {
  int64_t items = 0;
  int64_t online = 0;       // online_depth 3 or 4: applied for online
  int64_t full_online = 0;  // online_depth 4: handled fully online, result delivered
  int64_t zero_visit = 0;   // visits 0
  int64_t guide = 0;        // a service guide text (guide not empty)
  int64_t appointment = 0;  // appointments offered
  int64_t delivery = 0;     // express delivery of results offered
  int64_t licence = 0;      // a material an electronic licence replaces (license_type)
  int64_t complete = 0;     // every element of kGuideElements present
  std::array<int64_t, kGuideElements.size()> missing{};  // items missing each element

  // Counts one item from its effective guide (catalog::ItemView::effective).
  void Add(const boost::json::object& item);
};

struct CapabilityReport {
  std::string region, region_name, region_name_en;
  Date from{}, to{};
  std::string generated_at;  // FormatTime
  CatalogueFigures catalogue;
  Figures period;  // the indicators' totals of the region over [from, to]
};

// The report as a document for documents::RenderPdf (Chinese and English titles and
// labels). `today` is the date printed as 成文日期.
Result<documents::DocumentModel> ReportDocument(const CapabilityReport& r, Date today);

}  // namespace ow::indicators

#endif  // OW_INDICATORS_REPORT_H_
