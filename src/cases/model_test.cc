#include "cases/model.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ow::cases {
namespace {

namespace json = boost::json;

Date D(std::string_view text) {
  auto d = ParseDate(text);
  EXPECT_TRUE(d) << text;
  return d.value_or(Date{});
}

// ---------------------------------------------------------------- tracking numbers

TEST(TrackingNo, IsTheChinaDateTheIdAndAnIso7064CheckCharacter) {
  // Check characters worked out by hand (ISO 7064 MOD 11-2, as for resident IDs).
  EXPECT_EQ(TrackingNo(123, "2026-11-27T01:00:00Z"), "2026112700000001233");
  EXPECT_EQ(TrackingNo(2, "2026-11-27T01:00:00Z"), "202611270000000002X");
}

TEST(TrackingNo, CarriesTheDateInChinaNotInUtc) {
  // 17:30 UTC on the 26th is 01:30 on the 27th in China (UTC+8).
  EXPECT_EQ(TrackingNo(123, "2026-11-26T17:30:00Z"), "2026112700000001233");
  EXPECT_EQ(TrackingNo(123, "2026-11-26T15:59:59Z").substr(0, 8), "20261126");
}

TEST(TrackingNo, FallsBackToTheEpochDateForAnUnreadableTime) {
  EXPECT_EQ(TrackingNo(42, "yesterday"), "1970010100000000427");
  EXPECT_EQ(TrackingNo(42, ""), "1970010100000000427");
}

TEST(ParseTrackingNo, ReadsTheIdBackFromAWellFormedNumber) {
  EXPECT_EQ(ParseTrackingNo("2026112700000001233"), 123);
  EXPECT_EQ(ParseTrackingNo("202611270000000002X"), 2);
  EXPECT_EQ(ParseTrackingNo("202611270000000002x"), 2);  // typed in lower case
  EXPECT_EQ(ParseTrackingNo(TrackingNo(9876543210, "2027-01-01T00:00:00Z")), 9876543210);
}

TEST(ParseTrackingNo, RefusesTyposAndMalformedNumbers) {
  EXPECT_FALSE(ParseTrackingNo("2026112700000001232"));  // wrong check character
  EXPECT_FALSE(ParseTrackingNo("2026112700000001323"));  // two digits swapped
  EXPECT_FALSE(ParseTrackingNo("202611270000000123"));   // too short
  EXPECT_FALSE(ParseTrackingNo("20261127000000012333"));
  EXPECT_FALSE(ParseTrackingNo("2026112a00000001233"));
  EXPECT_FALSE(ParseTrackingNo(""));
  EXPECT_FALSE(ParseTrackingNo(TrackingNo(0, "2026-11-27T01:00:00Z")));  // ids start at 1
}

TEST(SameTrackingNo, MatchesTheWholeNumberAcceptingALowerCaseX) {
  EXPECT_TRUE(SameTrackingNo("2026112700000001233", "2026112700000001233"));
  EXPECT_TRUE(SameTrackingNo("202611270000000002X", "202611270000000002x"));
  EXPECT_TRUE(SameTrackingNo("202611270000000002X", "202611270000000002X"));
  // The same id under another date is another number.
  EXPECT_FALSE(SameTrackingNo("2026112700000001233", "2026112800000001232"));
  EXPECT_FALSE(SameTrackingNo("2026112700000001233", "2026112700000001232"));
  EXPECT_FALSE(SameTrackingNo("2026112700000001233", "202611270000000123"));
  EXPECT_FALSE(SameTrackingNo("", ""));
}

// ---------------------------------------------------------------- statuses

TEST(BeforeDecision, HoldsUntilTheCaseIsDecidedOrEnded) {
  for (const char* s : {kSubmitted, kSupplementRequested, kUnderReview, kSuspended})
    EXPECT_TRUE(BeforeDecision(s)) << s;
  for (const char* s : {kNotAccepted, kApproved, kDenied, kDelivered, kClosed, kWithdrawn, ""})
    EXPECT_FALSE(BeforeDecision(s)) << s;
}

Case Accepted(std::string promised_deadline) {
  Case k;
  k.status = kUnderReview;
  k.accepted_on = "2026-11-02";
  k.promised_deadline = std::move(promised_deadline);
  return k;
}

TEST(DeadlineState, CountsWorkingDaysLeftToThePromisedDeadline) {
  const Date wednesday = D("2026-11-18");
  const Calendar weekends;
  EXPECT_EQ(DeadlineState(Accepted("2026-11-23"), wednesday, weekends), "normal");  // Thu Fri Mon
  EXPECT_EQ(DeadlineState(Accepted("2026-11-20"), wednesday, weekends), "yellow");  // Thu Fri
  EXPECT_EQ(DeadlineState(Accepted("2026-11-21"), wednesday, weekends), "yellow");  // a Saturday
  EXPECT_EQ(DeadlineState(Accepted("2026-11-18"), wednesday, weekends), "yellow");  // due today
  EXPECT_EQ(DeadlineState(Accepted("2026-11-17"), wednesday, weekends), "red");
  // A holiday on Thursday leaves Friday and Monday: two days, so yellow.
  const Calendar holiday({D("2026-11-19")}, {});
  EXPECT_EQ(DeadlineState(Accepted("2026-11-23"), wednesday, holiday), "yellow");
}

TEST(DeadlineState, IsNoneBeforeAcceptanceAfterTheDecisionOrWithoutALimit) {
  const Date today = D("2026-11-18");
  const Calendar cal;
  Case k = Accepted("2026-11-17");
  k.accepted_on.clear();
  EXPECT_EQ(DeadlineState(k, today, cal), "none");
  k = Accepted("2026-11-17");
  k.status = kApproved;
  EXPECT_EQ(DeadlineState(k, today, cal), "none");
  EXPECT_EQ(DeadlineState(Accepted(""), today, cal), "none");
}

TEST(DeadlineState, IsPausedWhileAPauseIsOpen) {
  const Date today = D("2026-11-18");
  Case k = Accepted("2026-11-17");
  k.pauses = {{D("2026-11-05"), D("2026-11-06")}};
  EXPECT_EQ(DeadlineState(k, today, Calendar()), "red");
  k.pauses.push_back({D("2026-11-10"), std::nullopt});
  EXPECT_EQ(DeadlineState(k, today, Calendar()), "paused");
}

Case Decided(const char* status, const char* decision) {
  Case k;
  k.status = status;
  k.decision = decision;
  return k;
}

TEST(PublicStage, FollowsTheStandardStagesWithoutSayingTheOutcome) {
  EXPECT_EQ(PublicStage(Decided(kSubmitted, "")), "applied");
  EXPECT_EQ(PublicStage(Decided(kSupplementRequested, "")), "applied");
  EXPECT_EQ(PublicStage(Decided(kUnderReview, "")), "review");
  EXPECT_EQ(PublicStage(Decided(kSuspended, "")), "review");
  EXPECT_EQ(PublicStage(Decided(kApproved, kApproved)), "decided");
  EXPECT_EQ(PublicStage(Decided(kDenied, kDenied)), "decided");
  EXPECT_EQ(PublicStage(Decided(kDelivered, kDenied)), "delivered");
  EXPECT_EQ(PublicStage(Decided(kClosed, kApproved)), "delivered");
  EXPECT_EQ(PublicStage(Decided(kNotAccepted, "")), "not_accepted");
  EXPECT_EQ(PublicStage(Decided(kClosed, "")), "not_accepted");
  EXPECT_EQ(PublicStage(Decided(kWithdrawn, "")), "withdrawn");
  EXPECT_EQ(PublicStage(Decided("", "")), "applied");  // says nothing it does not know
}

TEST(LookupMatches, NeedsTheNameAndTheLastFourOfThePersonsOrEnterprisesId) {
  Case k;
  k.applicant_name = "张三";
  k.applicant_id_masked = "330***********301X";
  EXPECT_TRUE(LookupMatches(k, "张三", "301X"));
  EXPECT_TRUE(LookupMatches(k, "张三", "301x"));
  EXPECT_FALSE(LookupMatches(k, "张三 ", "301X"));
  EXPECT_FALSE(LookupMatches(k, "李四", "301X"));
  EXPECT_FALSE(LookupMatches(k, "张三", "3301"));
  EXPECT_FALSE(LookupMatches(k, "张三", "01X"));
  k.applicant_id_masked = "330*";  // too short to hold four: never matches
  EXPECT_FALSE(LookupMatches(k, "张三", "330*"));
  // An enterprise: its unified social credit code, not the operator's ID.
  Case e;
  e.applicant_name = "杭州示例餐饮有限公司";
  e.applicant_enterprise = "91330102MA2XXXXX5K";
  e.applicant_id_masked = "330***********3017";
  EXPECT_TRUE(LookupMatches(e, "杭州示例餐饮有限公司", "XX5K"));
  EXPECT_TRUE(LookupMatches(e, "杭州示例餐饮有限公司", "xx5k"));
  EXPECT_FALSE(LookupMatches(e, "杭州示例餐饮有限公司", "3017"));
  // Nothing to compare against: no match.
  EXPECT_FALSE(LookupMatches(Case{}, "", "0000"));
}

TEST(CombinedStatus, IsInProgressWhileAnyCaseAwaitsItsDecision) {
  EXPECT_EQ(CombinedStatus({Decided(kApproved, kApproved), Decided(kSuspended, "")}),
            "in_progress");
  EXPECT_EQ(CombinedStatus({Decided(kSubmitted, "")}), "in_progress");
}

TEST(CombinedStatus, IsCompletedOnlyWhenEveryCaseWasApproved) {
  EXPECT_EQ(CombinedStatus({Decided(kApproved, kApproved), Decided(kDelivered, kApproved),
                            Decided(kClosed, kApproved)}),
            "completed");
  EXPECT_EQ(CombinedStatus({Decided(kApproved, kApproved), Decided(kDenied, kDenied)}),
            "completed_with_refusals");
  EXPECT_EQ(CombinedStatus({Decided(kApproved, kApproved), Decided(kNotAccepted, "")}),
            "completed_with_refusals");
  EXPECT_EQ(CombinedStatus({Decided(kWithdrawn, "")}), "completed_with_refusals");
}

// ---------------------------------------------------------------- who hears, what may be

TEST(MessageRecipient, IsTheApplicantOrTheOperatorWhoAppliedForAnEnterprise) {
  Case person;
  person.applicant_account_id = "acc_person";
  person.submitted_by_account = "acc_agent";
  EXPECT_EQ(MessageRecipient(person), "acc_person");

  Case enterprise;
  enterprise.applicant_enterprise = "91330100MA2XXXXXX1";
  enterprise.submitted_by_account = "acc_operator";
  EXPECT_EQ(MessageRecipient(enterprise), "acc_operator");

  Case counter;  // a hall registered someone without an account
  counter.submitted_by_account = "acc_clerk";
  EXPECT_EQ(MessageRecipient(counter), "");
}

TEST(CrossRegionPrefix, NamesHowManyDigitsTwoRegionsShare) {
  EXPECT_EQ(CrossRegionPrefix("national"), 0u);
  EXPECT_EQ(CrossRegionPrefix("province"), 2u);
  EXPECT_EQ(CrossRegionPrefix("city"), 4u);
  EXPECT_GT(CrossRegionPrefix("none"), 12u);
  EXPECT_GT(CrossRegionPrefix(""), 12u);
  EXPECT_GT(CrossRegionPrefix("county"), 12u);
}

TEST(MaterialNames, ListsTheNamedMaterialsOfAnItemInOrder) {
  auto doc = json::parse(R"({"materials": [{"name": "身份证"}, {"note": "x"}, "stray",
                                           {"name": "营业执照"}]})")
                 .as_object();
  EXPECT_EQ(MaterialNames(doc), (std::vector<std::string>{"身份证", "", "营业执照"}));
  EXPECT_TRUE(MaterialNames(json::object{}).empty());
  EXPECT_TRUE(MaterialNames(json::parse(R"({"materials": "none"})").as_object()).empty());
}

// Materials that apply only under some situation answers are asked for only then; paper
// originals and the hall's counter are not checked.
TEST(MissingMaterials, FollowTheSituationAnswers) {
  auto doc = json::parse(R"({"materials": [
      {"name": "居民身份证", "required": true, "form": "both", "when": []},
      {"name": "居民户口簿", "required": true, "form": "both",
       "when": [{"situation": "residence", "options": ["local"]}]},
      {"name": "原件", "required": true, "form": "paper"},
      {"name": "相片", "required": false, "form": "electronic"}]})")
                 .as_object();
  Attachment id;
  id.name = "居民身份证";
  json::object local{{"residence", "local"}}, elsewhere{{"residence", "elsewhere"}};
  EXPECT_EQ(MissingMaterials(doc, local, kWeb, {}, {}),
            (std::vector<std::string>{"居民身份证", "居民户口簿"}));
  EXPECT_EQ(MissingMaterials(doc, local, kWeb, {id}, {}), (std::vector<std::string>{"居民户口簿"}));
  EXPECT_TRUE(MissingMaterials(doc, elsewhere, kWeb, {id}, {}).empty());
  EXPECT_TRUE(MissingMaterials(doc, local, kCounterChannel, {}, {}).empty());
}

}  // namespace
}  // namespace ow::cases
