#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "cases/notices.h"
#include "cases/service_internal.h"

namespace ow::cases::internal {
namespace {

namespace json = boost::json;

Case PersonsCase() {
  Case k;
  k.tracking_no = "2026112700000001233";
  k.item_name = "个体工商户设立登记";
  k.applicant_account_id = "acc_person";
  k.submitted_by_account = "acc_agent";
  k.status = kUnderReview;
  return k;
}

TEST(StatusChangeMessage, TellsTheApplicantTheNewStatusAsACode) {
  Message m = StatusChangeMessage(PersonsCase(), kApproved, "", "2026-11-27T03:04:05Z");
  EXPECT_EQ(m.account_id, "acc_person");
  EXPECT_EQ(m.status, kApproved);
  EXPECT_EQ(m.code, "case.status_changed");
  EXPECT_EQ(json::serialize(m.params),
            json::serialize(json::object{{"tracking_no", "2026112700000001233"},
                                         {"item_name", "个体工商户设立登记"},
                                         {"status", "approved"}}));
  EXPECT_EQ(m.created_at, "2026-11-27T03:04:05Z");
  EXPECT_TRUE(m.text.empty());  // rendered when read, in the reader's language
  EXPECT_EQ(notice::Render(Notices(), m.code, m.params, notice::Lang::kEn),
            "Your case 2026112700000001233 (个体工商户设立登记): approved");
}

TEST(StatusChangeMessage, CarriesTheReasonWhenThereIsOne) {
  Message m = StatusChangeMessage(PersonsCase(), kSupplementRequested, "营业执照复印件不清晰",
                                  "2026-11-27T03:04:05Z");
  EXPECT_EQ(m.code, "case.status_changed_with_reason");
  EXPECT_EQ(m.params.at("reason"), "营业执照复印件不清晰");
  EXPECT_EQ(m.params.at("status"), "supplement_requested");
}

TEST(StatusChangeMessage, GoesToTheOperatorForAnEnterprisesCase) {
  Case k = PersonsCase();
  k.applicant_account_id.clear();
  k.applicant_enterprise = "91330100MA2XXXXXX1";
  k.submitted_by_account = "acc_operator";
  EXPECT_EQ(StatusChangeMessage(k, kDenied, "", "t").account_id, "acc_operator");
}

TEST(ProgressMessage, IsNewsAboutTheCaseInItsCurrentStatus) {
  Message m = ProgressMessage(PersonsCase(), "", "2026-11-27T03:04:05Z");
  EXPECT_EQ(m.account_id, "acc_person");
  EXPECT_EQ(m.status, kUnderReview);
  EXPECT_EQ(m.code, "case.progress");
  EXPECT_EQ(json::serialize(m.params),
            json::serialize(json::object{{"tracking_no", "2026112700000001233"},
                                         {"item_name", "个体工商户设立登记"}}));
  EXPECT_EQ(m.created_at, "2026-11-27T03:04:05Z");

  Message with = ProgressMessage(PersonsCase(), "现场核查已安排", "2026-11-27T03:04:05Z");
  EXPECT_EQ(with.code, "case.progress_with_notice");
  EXPECT_EQ(with.params.at("notice"), "现场核查已安排");
}

}  // namespace
}  // namespace ow::cases::internal
