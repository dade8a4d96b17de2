// Consultations, complaints and suggestions (咨询 / 投诉 / 建议), and the FAQ.
//
// A ticket is routed to a department: by the implementation of the item it is about in
// the asker's region, by the department of the asker's own case, or as chosen (online
// askers without an item or case, hotline and hall staff). It runs on the workflow
// engine (model.h ProcessXml): the department answers within the kind's deadline in
// working days; past it, the ticket escalates to the supervisors of its region, who
// answer it or send it back with an instruction (a fresh deadline). The asker sees the
// answer and rates it (1-5), which closes the ticket.
//
// Who may do what (authz.h): persons ask and rate their own tickets; a complaint needs a
// real-name verified account (level 2 or 3); an anonymous consultation (no account) gets
// a lookup code, shown once, that reads and rates it. The department's acceptors,
// reviewers and approvers (of its region or above) answer and publish FAQ entries; the
// region's supervisors take escalated tickets; hotline staff (role `hotline`) and hall
// counter staff register tickets for callers.
//
// Abuse limits (in memory, per process, like identity's): anonymous consultations per
// client address per hour (Options::anonymous_per_hour); failed lookups per address per
// 10 minutes (20) and per ticket number per hour (5), then kResourceExhausted.
//
// Errors: kInvalidArgument with field errors (422); kNotFound for a ticket the caller may
// not see (the same as one that does not exist); kPermissionDenied; kConflict when the
// ticket moved on (its version, its status); kFailedPrecondition (rating before an answer).
// Thread-safe.
#ifndef OW_TICKETS_SERVICE_H_
#define OW_TICKETS_SERVICE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "authz/authz.h"
#include "calendar/service.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "core/sliding_window.h"
#include "db/database.h"
#include "db/shared_state.h"
#include "departments/service.h"
#include "identity/service.h"
#include "indicators/recorder.h"
#include "materials/service.h"
#include "notify/notifier.h"
#include "tickets/model.h"
#include "workflow/definition.h"

namespace ow::tickets {

using authz::Principal;

struct Options {
  Deadlines deadlines;
  int64_t anonymous_per_hour = 10;  // anonymous consultations per client address
};

struct AskInput {
  std::string kind, text;
  std::string item_code, case_no;  // what it is about (optional, not both)
  std::string region_code;         // where the asker is (required with an item or none)
  std::string department_code;     // chosen when neither item nor case routes it
  std::vector<std::string> attachments;
  std::string caller_name, caller_phone;  // hotline and hall registration
};

struct Asked {
  Ticket ticket;
  std::string lookup_code;  // anonymous consultations only: shown once
};

struct FaqInput {
  std::string ticket_number;  // an answered consultation
  std::string question, answer;
  std::string item_code;    // "" keeps the ticket's
  std::string region_code;  // "" keeps the ticket's
};

class Service {
 public:
  Service(db::Database& db, calendar::Service& calendar, catalog::Service& catalog,
          departments::Service& departments, cases::Service& cases, identity::Service& identity,
          materials::Service& materials, notify::Notifier& notifier, Options options);

  // Records the ticket process (generated from the deadlines) as a version of its own
  // registry; a server started with other deadlines adds a version, and every ticket keeps
  // running on the version it started with.
  Status Bootstrap();

  // An online question: `who` signed in (a person; complaints need a verified one), or
  // nullopt for an anonymous consultation from `ip`.
  Result<Asked> Ask(const std::optional<Principal>& who, const AskInput& in, const std::string& ip);
  // A hotline or hall staff member registers a caller's ticket (name and phone given).
  Result<Ticket> Register(const Principal& who, const AskInput& in);

  // With its events.
  Result<Ticket> Get(const Principal& who, const std::string& number);
  Result<Ticket> Lookup(const std::string& number, const std::string& code, const std::string& ip);
  Result<std::vector<Ticket>> Mine(const Principal& who);
  // Staff: "department" (open tickets of the caller's departments and regions) or
  // "escalated" (the supervisors' of their regions).
  Result<std::vector<Ticket>> Inbox(const Principal& who, const std::string& which);

  // The department's answer, or the supervisors' for an escalated ticket.
  Result<Ticket> Answer(const Principal& who, const std::string& number, int64_t version,
                        const std::string& answer);
  // Supervisors send an escalated ticket back to its department with an instruction.
  Result<Ticket> Return(const Principal& who, const std::string& number, int64_t version,
                        const std::string& instruction);
  // The asker's satisfaction (1-5, comment), once, after the answer: closes the ticket.
  Result<Ticket> Rate(const Principal& who, const std::string& number, int64_t score,
                      const std::string& comment);
  Result<Ticket> RateWithCode(const std::string& number, const std::string& code, int64_t score,
                              const std::string& comment, const std::string& ip);

  // Escalates every ticket whose department let its deadline pass; returns how many moved.
  // Safe with several servers on one database: each ticket is claimed in its own
  // transaction by a conditional update, so it escalates once.
  Result<int64_t> EscalateOverdue();

  // FAQ. Publish from an answered consultation (the department's staff); unpublish.
  Result<Faq> PublishFaq(const Principal& who, const FaqInput& in);
  Result<Faq> UnpublishFaq(const Principal& who, int64_t id, int64_t version);
  // Published entries matching `query` (Chinese or Latin: the catalog's search terms), for
  // `item` and `region` when given (an entry of a region serves the regions below it).
  Result<std::vector<Faq>> SearchFaq(const std::string& query, const std::string& item,
                                     const std::string& region, int limit);

  // True when `who` may read a ticket this material is attached to (staff read an asker's
  // attachments through the ticket, as through a case).
  bool MayReadMaterial(const Principal& who, const std::string& material_id);

  // The clock (tests move it).
  SystemTime Now() const;
  void SetClock(std::function<SystemTime()> clock);

  const Options& options() const { return options_; }
  // Where tickets received and answered (with the hours taken) are counted for the
  // indicators, in the transaction that changed the ticket (at start-up; null: not counted).
  void SetIndicators(indicators::Recorder* recorder) { indicators_ = recorder; }

 private:
  struct Op;
  Result<Ticket> Create(const Principal* who, const std::string& channel, const AskInput& in,
                        const std::string& code_hash);
  Result<Ticket> Mutate(const std::string& number, bool overdue_only,
                        const std::function<Status(db::Connection&, Op&)>& fn);
  Result<std::pair<std::string, std::string>> Route(const Principal* who, const AskInput& in);
  Result<Calendar> CalendarAround(Date day);
  Result<std::shared_ptr<const workflow::Definition>> DefinitionOf(int64_t version);
  Status Advance(db::Connection& c, Op& op, const Result<workflow::Effects>& effects);
  // Counts ticket `t` received (answered false) or answered on `today`.
  Status CountIndicators(db::Connection& c, const Ticket& t, bool answered, Date today);
  bool Throttled(db::StoredWindow& w, const std::string& key, std::chrono::seconds* retry);

  db::Database& db_;
  calendar::Service& calendar_;
  catalog::Service& catalog_;
  departments::Service& departments_;
  cases::Service& cases_;
  identity::Service& identity_;
  materials::Service& materials_;
  notify::Notifier& notifier_;
  indicators::Recorder* indicators_ = nullptr;
  Options options_;
  int64_t process_version_ = 0;

  mutable std::mutex mu_;
  std::function<SystemTime()> clock_;
  std::map<int64_t, std::shared_ptr<const workflow::Definition>> definitions_;
  // Counted in the database, by every node alike (db/shared_state.h).
  db::StoredWindow anonymous_;      // by client address, per hour
  db::StoredWindow lookup_ip_;      // failed lookups by address, per 10 minutes
  db::StoredWindow lookup_number_;  // failed lookups by number, per hour
};

}  // namespace ow::tickets

#endif  // OW_TICKETS_SERVICE_H_
