// Good/bad ratings (好差评) and the rectification of bad ones (差评整改).
//
// Who may rate (authz.h, docs/security.md):
//  - online: the applicant themselves, signed in with a real-name verified account (level 2
//    or 3), for their own case (a natural person's: applicant_account_id). Not an agent: an
//    agent's authorization covers applying for a person, not speaking for them; not an
//    enterprise's operator (not yet: enterprise cases are rated at the counter); not staff.
//  - counter and terminal: the hall's counter staff of the case's region record the rating the
//    applicant gives at the window or on the hall's device (staff-assisted, registered_by).
//  - hotline: 12345 staff of the case's region, after the caller proves the case (the
//    applicant's name and the last four characters of the ID, as the public lookup asks).
//  - sms: whoever holds the one-time link the case's department (or counter staff) sent to the
//    applicant's account; the link rates once, within Options::link_days.
// Only after the result was delivered or the application refused (delivered, denied,
// not_accepted, or closed after them); at most one rating per case and channel.
//
// A 差评 (level 1 or 2) opens the rectification (model.h ProcessXml): the case's department
// (acceptor, reviewer, approver of its region or above) records the 回访 and the result
// within Options::rectify_days working days, or claims the rating malicious; the person
// confirms or appeals; the supervisors of the case's region (role supervisor) rule on an
// appeal or a claim: close, return to the department with an instruction, or annul the
// rating with a reason (audited: ratings.annulled). Each step tells the person (notify,
// topic "case") and is recorded as an event; the public and the rater never see staff names.
//
// Every change to a rating moves its row in rating_counts in the same transaction, so
// indicators aggregate without scanning ratings.
//
// Errors: kInvalidArgument with field errors (422); kNotFound for a rating or case the caller
// may not see; kPermissionDenied; kAlreadyExists (a second rating of a case and channel);
// kFailedPrecondition (a rating before delivery); kConflict (the rating moved on, or a stale
// version). Thread-safe.
#ifndef OW_RATINGS_SERVICE_H_
#define OW_RATINGS_SERVICE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "authz/authz.h"
#include "calendar/service.h"
#include "cases/service.h"
#include "db/database.h"
#include "identity/service.h"
#include "indicators/recorder.h"
#include "notify/notifier.h"
#include "ratings/model.h"
#include "workflow/definition.h"

namespace ow::ratings {

using authz::Principal;

struct Options {
  int rectify_days = 10;  // working days for the department to contact, fix and record
  int link_days = 30;     // an SMS rating link's lifetime, in days
};

struct RateInput {
  std::string case_no;
  int64_t level = 0;
  std::vector<std::string> reasons;
  std::string comment;
  std::string channel;                   // staff-assisted: counter, terminal or hotline
  std::string applicant_name, id_last4;  // hotline: the caller's proof of the case
};

// A staff member's step on a rectification.
struct StepInput {
  int64_t version = 0;
  std::string decision;  // rectify: "rectified" | "malicious"; rule: "close" | "return" | "annul"
  std::string contact_note, result;  // rectify
  std::string text;                  // appeal reason, instruction, annulment reason
};

class Service {
 public:
  Service(db::Database& db, calendar::Service& calendar, cases::Service& cases,
          identity::Service& identity, notify::Notifier& notifier, Options options);

  // Records the rectification process as a version of its registry (ratings keep the
  // version they started on).
  Status Bootstrap();

  Result<Rating> Rate(const Principal& who, const RateInput& in);
  Result<Rating> Register(const Principal& who, const RateInput& in);
  // Sends the applicant of `case_no` a one-time rating link (an SMS where they chose SMS for
  // case messages, and their portal inbox). Returns the link's expiry (the token itself
  // goes only to the applicant).
  Result<std::string> SendLink(const Principal& who, const std::string& case_no);
  // What a link rates (the case's number, item and whether it may still be rated), without
  // using the link up; kNotFound for an unknown, used or expired link.
  Result<cases::Case> LinkCase(const std::string& token);
  Result<Rating> RateByLink(const std::string& token, const RateInput& in);

  // With events.
  Result<Rating> Get(const Principal& who, const std::string& number);
  Result<std::vector<Rating>> Mine(const Principal& who);
  // The ratings of a case the caller may read.
  Result<std::vector<Rating>> OfCase(const Principal& who, const std::string& case_no);
  // Staff: "department" (rectifications waiting for the caller's departments) or
  // "supervisor" (appeals and claims in the caller's supervised regions).
  Result<std::vector<Rating>> Inbox(const Principal& who, const std::string& which);

  // Every rating given in [from_at, to_at) (FormatTime instants) in `region` or below,
  // oldest first, for the anonymised evaluation read (indicators): only for those who may
  // read the region's indicators (authz::Action::kReadIndicators). Errors:
  // kPermissionDenied; kFailedPrecondition when there are more than `limit`.
  Result<std::vector<Rating>> InPeriod(const Principal& who, const std::string& region,
                                       const std::string& from_at, const std::string& to_at,
                                       int limit);

  Result<Rating> Rectify(const Principal& who, const std::string& number, const StepInput& in);
  Result<Rating> Confirm(const Principal& who, const std::string& number, const StepInput& in);
  Result<Rating> Appeal(const Principal& who, const std::string& number, const StepInput& in);
  Result<Rating> Rule(const Principal& who, const std::string& number, const StepInput& in);

  SystemTime Now() const;
  void SetClock(std::function<SystemTime()> clock);
  // Where ratings, bad ratings, rectifications and annulments are counted for the
  // indicators, in the transaction that changed the rating (at start-up; null: not counted).
  void SetIndicators(indicators::Recorder* recorder) { indicators_ = recorder; }

 private:
  struct Op;
  // Adds the rating_counts deltas of an operation to the indicators too.
  Status CountIndicators(db::Connection& c, const Op& op);
  Result<Rating> Create(const cases::Case& k, const std::string& channel,
                        const std::string& registered_by, const RateInput& in,
                        const std::string& link_hash);
  Result<Rating> Mutate(const std::string& number,
                        const std::function<Status(db::Connection&, Op&)>& fn);
  Status Advance(Op& op, const Result<workflow::Effects>& effects);
  Status CompleteTask(Op& op, const std::string& node, boost::json::object vars);
  Result<cases::Case> ReadCase(const std::string& case_no);
  Result<Calendar> CalendarAround(Date day);
  Result<std::shared_ptr<const workflow::Definition>> DefinitionOf(int64_t version);

  db::Database& db_;
  calendar::Service& calendar_;
  cases::Service& cases_;
  identity::Service& identity_;
  notify::Notifier& notifier_;
  indicators::Recorder* indicators_ = nullptr;
  Options options_;
  int64_t process_version_ = 0;

  mutable std::mutex mu_;
  std::function<SystemTime()> clock_;
  std::map<int64_t, std::shared_ptr<const workflow::Definition>> definitions_;
};

}  // namespace ow::ratings

#endif  // OW_RATINGS_SERVICE_H_
