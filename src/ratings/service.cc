// ratings::Service: construction, the process registry and clock, reading the case a rating
// is about, giving a rating (online, staff-assisted, by SMS link) and one operation on one
// locked rating (Mutate) with the workflow's effects applied (Advance). The rectification
// steps and the reads are in rectify.cc.
#include "ratings/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "ratings/service_internal.h"
#include "ratings/store.h"
#include "workflow/instance.h"

namespace ow::ratings {

namespace json = boost::json;

namespace {

constexpr size_t kMaxComment = 2000;
constexpr size_t kMaxReasons = 8;

// A case may be rated once its result was delivered or the application refused (closed is
// reached only from delivered or not accepted, never from a withdrawal).
bool Rateable(const cases::Case& k) {
  return k.status == cases::kDelivered || k.status == cases::kDenied ||
         k.status == cases::kNotAccepted || k.status == cases::kClosed;
}

Status CheckInput(const RateInput& in) {
  Validator v;
  if (in.level < kMinLevel || in.level > kMaxLevel)
    v.Add("level", "must be 1 (very dissatisfied) to 5 (very satisfied)");
  if (in.reasons.size() > kMaxReasons) v.Add("reasons", "at most 8 reasons");
  std::set<std::string> seen;
  for (const auto& code : in.reasons) {
    if (!seen.insert(code).second)
      v.Add("reasons", "names " + code + " twice");
    else if (in.level >= kMinLevel && in.level <= kMaxLevel && !ReasonFits(code, in.level))
      v.Add("reasons", code + " is not a reason offered for level " + std::to_string(in.level));
  }
  // A bad rating says why: the department must know what to fix.
  if (IsBad(in.level) && in.reasons.empty())
    v.Add("reasons", "name at least one reason for a dissatisfied rating");
  if (in.comment.size() > kMaxComment) v.Add("comment", "at most 2000 bytes");
  return v.Finish();
}

}  // namespace

void Service::Op::Tell(const std::string& code) {
  if (r.rater_account.empty()) return;
  notices.push_back({r.rater_account, "case", code,
                     json::object{{"number", r.number},
                                  {"case_no", r.case_no},
                                  {"due_date", r.due_date},
                                  {"level", r.level}},
                     r.number, "/me/ratings/" + r.number, ""});
}

void Service::Op::CountChange(int64_t ratings, int64_t annulled, int64_t rectified) {
  store::CountDelta d;
  // The day in China the rating was given, as every indicator counts days.
  auto given = ParseTime(r.created_at);
  d.day = given ? FormatDate(ChinaDate(*given)) : r.created_at.substr(0, 10);
  d.region_code = r.region_code;
  d.department_code = r.department_code;
  d.item_code = r.item_code;
  // The indicators' channel is the one the case was served on (web, app, counter, agent),
  // for ratings as for applications, so that one dimension means one thing; where a
  // rating came from (online, counter, terminal, sms, hotline) is in the ratings
  // themselves and their anonymised export.
  d.channel = r.service_channel;
  d.level = r.level;
  d.ratings = ratings;
  d.annulled = annulled;
  d.rectified = rectified;
  counts.push_back(std::move(d));
}

Status Service::CountIndicators(db::Connection& c, const Op& op) {
  if (!indicators_) return {};
  for (const auto& d : op.counts) {
    indicators::Count n;
    n.day = d.day;
    n.region_code = d.region_code;
    n.department_code = d.department_code;
    n.item_code = d.item_code;
    n.channel = d.channel;
    // An annulled rating no longer counts among the ratings.
    const int64_t counted = d.ratings - d.annulled;
    n.add[indicators::kRatings] = counted;
    n.add[indicators::kRatingSum] = counted * d.level;
    n.add[indicators::kSatisfied] = d.level >= 3 ? counted : 0;
    n.add[indicators::kBad] = IsBad(d.level) ? counted : 0;
    n.add[indicators::kRectified] = d.rectified;
    n.add[indicators::kAnnulled] = d.annulled;
    OW_RETURN_IF_ERROR(indicators_->Add(c, n));
  }
  return {};
}

namespace internal {

authz::Target TargetOf(const Rating& r) {
  authz::Target t;
  t.department_code = r.department_code;
  t.region_code = r.region_code;
  t.owner_account = r.rater_account;
  return t;
}

bool MayRead(const Principal& who, const Rating& r) {
  return authz::Decide(who, authz::Action::kReadRating, TargetOf(r)).has_value();
}

}  // namespace internal

Service::Service(db::Database& db, calendar::Service& calendar, cases::Service& cases,
                 identity::Service& identity, notify::Notifier& notifier, Options options)
    : db_(db),
      calendar_(calendar),
      cases_(cases),
      identity_(identity),
      notifier_(notifier),
      options_(options) {}

Status Service::Bootstrap() {
  std::string xml = ProcessXml();
  OW_ASSIGN_OR_RETURN(auto parsed, workflow::Definition::Parse(xml, 1));
  (void)parsed;
  std::string sha = crypto::HexEncode(crypto::Sha256(xml));
  int64_t version = 0;
  auto record = [&] {
    return db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(version, store::ProcessVersion(c, sha, xml, NowText()));
      return {};
    });
  };
  Status recorded = record();
  // Several nodes starting together on one PostgreSQL race to record the process (as the
  // tickets' does): the loser's insert hits the winner's row, and its second look finds it.
  if (!recorded && recorded.error().code == Code::kAlreadyExists) recorded = record();
  OW_RETURN_IF_ERROR(recorded);
  process_version_ = version;
  return {};
}

SystemTime Service::Now() const {
  std::lock_guard lock(mu_);
  return clock_ ? clock_() : std::chrono::system_clock::now();
}

void Service::SetClock(std::function<SystemTime()> clock) {
  std::lock_guard lock(mu_);
  clock_ = std::move(clock);
}

Result<Calendar> Service::CalendarAround(Date day) {
  return calendar_.ForRange(AddDays(day, -7), AddDays(day, 365));
}

Result<std::shared_ptr<const workflow::Definition>> Service::DefinitionOf(int64_t version) {
  {
    std::lock_guard lock(mu_);
    auto it = definitions_.find(version);
    if (it != definitions_.end()) return it->second;
  }
  std::optional<std::string> xml;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(xml, store::ProcessXml(c, version));
    return {};
  }));
  if (!xml) return Internal("rating process version " + std::to_string(version) + " is missing");
  OW_ASSIGN_OR_RETURN(auto def, workflow::Definition::Parse(*xml, static_cast<int>(version)));
  std::lock_guard lock(mu_);
  definitions_[version] = def;
  return def;
}

// The case as this domain reads it once the caller's right to it was established another
// way (a link token, the hotline caller's proof): as a system reader with cases.read.
Result<cases::Case> Service::ReadCase(const std::string& case_no) {
  Principal system;
  system.via = authz::Via::kClientToken;
  system.client_id = "ow-ratings";
  system.scopes = {"cases.read"};
  system.name_for_audit = "ratings";
  return cases_.Get(system, case_no);
}

Result<Rating> Service::Rate(const Principal& who, const RateInput& in) {
  OW_RETURN_IF_ERROR(CheckInput(in));
  if (who.kind != authz::kPerson)
    return PermissionDenied(
        "only the applicant rates a case: staff record a rating at the "
        "counter, the hall's device or the hotline");
  // Only the applicant's own case: what the caller may read is not enough (an agent, an
  // enterprise's operator).
  auto k = cases_.Get(who, in.case_no);
  if (!k || k->applicant_account_id != who.account_id)
    return NotFound("no case " + in.case_no + " of yours");
  authz::Target self;
  self.owner_account = k->applicant_account_id;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kRate, self));
  OW_ASSIGN_OR_RETURN(auto account, identity_.AccountById(who.account_id));
  if (account.identity_level < identity::kLevelRemote)
    return PermissionDenied(
        "rating needs a real-name verified account: verify your identity online or at a service "
        "hall first");
  return Create(*k, kOnline, "", in, "");
}

Result<Rating> Service::Register(const Principal& who, const RateInput& in) {
  OW_RETURN_IF_ERROR(CheckInput(in));
  Validator v;
  if (in.channel != kCounter && in.channel != kTerminal && in.channel != kHotline)
    v.Add("channel", "must be counter, terminal or hotline");
  if (in.channel == kHotline && (in.applicant_name.empty() || in.id_last4.size() != 4))
    v.Add("applicant_name",
          "the caller proves the case: the applicant's name and the ID's last four characters");
  OW_RETURN_IF_ERROR(v.Finish());
  if (who.kind != authz::kStaff) return PermissionDenied("staff record assisted ratings");
  cases::Case k;
  if (in.channel == kHotline) {
    auto read = ReadCase(in.case_no);
    if (!read || !cases::LookupMatches(*read, in.applicant_name, in.id_last4))
      return NotFound("no case " + in.case_no + " with this applicant");
    k = std::move(*read);
    if (!who.HasRole(authz::kHotline)) return PermissionDenied("the hotline's staff take calls");
  } else {
    OW_ASSIGN_OR_RETURN(k, cases_.Get(who, in.case_no));
    if (!who.HasRole(authz::kCounter))
      return PermissionDenied("the hall's counter staff record ratings at the window");
  }
  authz::Target t;
  t.department_code = k.department_code;
  t.region_code = k.region_code;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kRegisterRating, t));
  return Create(k, in.channel, who.username, in, "");
}

Result<std::string> Service::SendLink(const Principal& who, const std::string& case_no) {
  OW_ASSIGN_OR_RETURN(auto k, cases_.Get(who, case_no));
  authz::Target t;
  t.department_code = k.department_code;
  t.region_code = k.region_code;
  OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kInviteRating, t));
  if (k.applicant_account_id.empty())
    return FailedPrecondition("the applicant of case " + case_no +
                              " has no account to send a link to: rate at the counter");
  if (!Rateable(k))
    return FailedPrecondition("case " + case_no +
                              " can be rated once its result is delivered or it was refused");
  SystemTime now = Now();
  std::string token = NewLinkToken();
  std::string expires = FormatTime(now + std::chrono::hours(24) * options_.link_days);
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool rated, store::Exists(c, case_no, kSms));
    if (rated) return AlreadyExists("case " + case_no + " was already rated by SMS link");
    OW_RETURN_IF_ERROR(store::InsertLink(c, HashToken(token), case_no, k.applicant_account_id,
                                         FormatTime(now), expires));
    return notifier_.Notify(c, {k.applicant_account_id, "case", "rating.invited",
                                json::object{{"case_no", k.tracking_no}, {"item", k.item_name}},
                                k.tracking_no, "/rate/link/" + token, ""});
  }));
  return expires;
}

Result<cases::Case> Service::LinkCase(const std::string& token) {
  std::optional<store::Link> link;
  std::string now = FormatTime(Now());
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(link, store::PeekLink(c, HashToken(token), now));
    return {};
  }));
  if (!link) return NotFound("this rating link is unknown, used or expired");
  return ReadCase(link->case_no);
}

Result<Rating> Service::RateByLink(const std::string& token, const RateInput& in) {
  OW_RETURN_IF_ERROR(CheckInput(in));
  OW_ASSIGN_OR_RETURN(auto k, LinkCase(token));
  return Create(k, kSms, "", in, HashToken(token));
}

Result<Rating> Service::Create(const cases::Case& k, const std::string& channel,
                               const std::string& registered_by, const RateInput& in,
                               const std::string& link_hash) {
  if (!Rateable(k))
    return FailedPrecondition("case " + k.tracking_no +
                              " can be rated once its result is delivered or it was refused");
  Rating r;
  r.case_no = k.tracking_no;
  r.item_code = k.item_code;
  r.department_code = k.department_code;
  r.region_code = k.region_code;
  r.service_channel = k.channel;
  r.channel = channel;
  r.rater_account = k.applicant_account_id;
  r.registered_by = registered_by;
  r.level = in.level;
  r.reasons = in.reasons;
  r.comment = in.comment;
  r.process_version = process_version_;
  r.instance = nullptr;
  SystemTime now = Now();
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  std::shared_ptr<const workflow::Definition> def;
  if (IsBad(r.level)) {
    OW_ASSIGN_OR_RETURN(def, DefinitionOf(process_version_));
    r.rectify_days = options_.rectify_days;
  }
  Op op;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    op = Op{};
    op.now = now;
    op.at = FormatTime(now);
    op.today = today;
    op.cal = &cal;
    op.actor = registered_by.empty() ? (channel == kSms ? "sms" : "applicant") : registered_by;
    op.r = r;
    op.r.created_at = op.r.updated_at = op.at;
    if (!link_hash.empty()) {
      OW_ASSIGN_OR_RETURN(auto claimed, store::ClaimLink(c, link_hash, op.at));
      if (!claimed) return NotFound("this rating link is unknown, used or expired");
    }
    for (int attempt = 0;; ++attempt) {
      op.r.number = NewNumber(today);
      OW_ASSIGN_OR_RETURN(auto clash, store::Load(c, op.r.number));
      if (!clash) break;
      if (attempt > 5) return Internal("no free rating number");
    }
    op.Record("rated", std::to_string(op.r.level));
    if (def) {
      workflow::Instance inst(def);
      json::object vars{{"department", op.r.department_code},
                        {"region", op.r.region_code},
                        {"has_account", !op.r.rater_account.empty()}};
      OW_RETURN_IF_ERROR(Advance(op, inst.Start(std::move(vars), now)));
      op.r.instance = inst.Snapshot();
    }
    OW_ASSIGN_OR_RETURN(op.r.id, store::Insert(c, op.r));
    op.CountChange(1, 0, 0);
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::AddEvent(c, op.r.id, e));
    for (const auto& d : op.counts) OW_RETURN_IF_ERROR(store::Count(c, d));
    OW_RETURN_IF_ERROR(CountIndicators(c, op));
    for (const auto& n : op.notices) OW_RETURN_IF_ERROR(notifier_.Notify(c, n));
    return {};
  }));
  op.r.events = op.events;
  return op.r;
}

Result<Rating> Service::Mutate(const std::string& number,
                               const std::function<Status(db::Connection&, Op&)>& fn) {
  SystemTime now = Now();
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  Op op;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    op = Op{};
    op.now = now;
    op.at = FormatTime(now);
    op.today = today;
    op.cal = &cal;
    OW_ASSIGN_OR_RETURN(bool locked, store::Lock(c, number));
    if (!locked) return NotFound("no rating " + number);
    OW_ASSIGN_OR_RETURN(auto r, store::Load(c, number));
    if (!r) return NotFound("no rating " + number);
    op.r = std::move(*r);
    OW_RETURN_IF_ERROR(fn(c, op));
    op.r.updated_at = op.at;
    OW_RETURN_IF_ERROR(store::Save(c, op.r));
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::AddEvent(c, op.r.id, e));
    for (const auto& d : op.counts) OW_RETURN_IF_ERROR(store::Count(c, d));
    OW_RETURN_IF_ERROR(CountIndicators(c, op));
    for (const auto& n : op.notices) OW_RETURN_IF_ERROR(notifier_.Notify(c, n));
    OW_ASSIGN_OR_RETURN(op.r.events, store::Events(c, op.r.id));
    // Last: audit::Append holds the audit chain's head until the commit.
    for (const auto& a : op.audits) OW_RETURN_IF_ERROR(audit::Append(c, a));
    return {};
  }));
  return op.r;
}

Status Service::Advance(Op& op, const Result<workflow::Effects>& effects) {
  if (!effects) return effects.error();
  for (const auto& e : *effects) {
    switch (e.kind) {
      case workflow::Effect::Kind::kTaskCreated:
        if (e.node == "Rectify") {
          // The department's turn: the deadline from today (not counted).
          op.r.stage = kAtDepartment;
          op.r.due_date =
              FormatDate(op.cal->AddWorkingDays(op.today, static_cast<int>(op.r.rectify_days)));
          op.Record("routed", op.r.department_code + " " + op.r.due_date);
          op.Tell(op.r.instruction.empty() ? "rating.rectifying" : "rating.returned");
        } else if (e.node == "Confirm") {
          op.r.stage = kAtApplicant;
          op.Tell("rating.rectified");
        } else if (e.node == "Supervise") {
          op.r.stage = kAtSupervisor;
        }
        break;
      case workflow::Effect::Kind::kInstanceCompleted:
        op.r.stage = kDone;
        break;
      default:
        break;
    }
  }
  return {};
}

}  // namespace ow::ratings
