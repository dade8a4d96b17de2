// tickets::Service: construction, the process registry, the clock and calendar, routing
// and creating tickets (online, anonymous, hotline and hall), and one operation on one
// locked ticket (Mutate) with the workflow's effects applied (Advance). Answering,
// escalation and rating are in handling.cc; the FAQ in faq.cc.
#include "tickets/service.h"

#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "tickets/service_internal.h"
#include "tickets/store.h"
#include "workflow/instance.h"

namespace ow::tickets {

namespace json = boost::json;

namespace {

constexpr size_t kMaxText = 4000;
constexpr size_t kMaxAttachments = 10;

}  // namespace

void Service::Op::Tell(const std::string& code) {
  if (t.asker_account.empty()) return;
  notices.push_back({t.asker_account, "ticket", code,
                     json::object{{"number", t.number}, {"kind", t.kind}}, t.number,
                     "/ask/tickets/" + t.number, ""});
}

namespace internal {

authz::Target TargetOf(const Ticket& t) {
  authz::Target target;
  target.department_code = t.department_code;
  target.region_code = t.region_code;
  target.owner_account = t.asker_account;
  return target;
}

bool MayRead(const Principal& who, const Ticket& t) {
  return authz::Decide(who, authz::Action::kReadTicket, TargetOf(t)).has_value();
}

}  // namespace internal

Service::Service(db::Database& db, calendar::Service& calendar, catalog::Service& catalog,
                 departments::Service& departments, cases::Service& cases,
                 identity::Service& identity, materials::Service& materials,
                 notify::Notifier& notifier, Options options)
    : db_(db),
      calendar_(calendar),
      catalog_(catalog),
      departments_(departments),
      cases_(cases),
      identity_(identity),
      materials_(materials),
      notifier_(notifier),
      options_(options),
      anonymous_(db, "tickets.anonymous.ip", options.anonymous_per_hour, std::chrono::hours(1)),
      lookup_ip_(db, "tickets.lookup.ip", 20, std::chrono::minutes(10)),
      lookup_number_(db, "tickets.lookup.number", 5, std::chrono::hours(1)) {}

Status Service::Bootstrap() {
  std::string xml = ProcessXml(options_.deadlines);
  // What the engine cannot run is never recorded.
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
  // Several nodes starting together on one PostgreSQL race to record the process: the
  // loser's insert hits the winner's version, and its second look finds the winner's row.
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
  // From the working clock's base to two years ahead: the clock counts every working day
  // since then, and no deadline reaches further. A few hundred exceptions; read per
  // operation, outside the transaction.
  return calendar_.ForRange(kWorkingClockBase, AddDays(day, 730));
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
  if (!xml) return Internal("ticket process version " + std::to_string(version) + " is missing");
  OW_ASSIGN_OR_RETURN(auto def, workflow::Definition::Parse(*xml, static_cast<int>(version)));
  std::lock_guard lock(mu_);
  definitions_[version] = def;
  return def;
}

bool Service::Throttled(db::StoredWindow& w, const std::string& key, std::chrono::seconds* retry) {
  std::lock_guard lock(mu_);
  return w.Full(key, Now(), retry);
}

// The department and region a new ticket goes to.
Result<std::pair<std::string, std::string>> Service::Route(const Principal* who,
                                                           const AskInput& in) {
  Validator v;
  if (!in.case_no.empty()) {
    // Only the asker's own case: what they may read is not enough (an agent, an
    // enterprise's operator or staff may read cases that are not theirs).
    Result<cases::Case> k = NotFound("");
    if (who && who->kind == authz::kPerson) k = cases_.Get(*who, in.case_no);
    if (!k || k->applicant_account_id != who->account_id) {
      v.Add("case_no", "is not one of your cases");
      return v.Finish().error();
    }
    return std::make_pair(k->department_code, k->region_code);
  }
  std::string region = in.region_code;
  if (!in.department_code.empty()) {
    auto dept = departments_.Get(in.department_code);
    if (!dept) {
      v.Add("department_code", "is not a department");
      return v.Finish().error();
    }
    if (region.empty()) region = dept->region_code;
    if (!authz::RegionWithin(region, dept->region_code)) {
      v.Add("department_code", "does not serve region " + region);
      return v.Finish().error();
    }
    return std::make_pair(dept->code, region);
  }
  if (region.empty()) v.Add("region_code", "is required: the region the question is about");
  if (in.item_code.empty())
    v.Add("department_code", "is required when the question is about no item or case");
  OW_RETURN_IF_ERROR(v.Finish());
  auto item = catalog_.GetItem(in.item_code, region);
  if (!item || !item->implementation) {
    v.Add("item_code", item ? "is not handled in region " + region : "is not a service item");
    return v.Finish().error();
  }
  return std::make_pair(item->implementation->department_code, region);
}

Result<Asked> Service::Ask(const std::optional<Principal>& who, const AskInput& in,
                           const std::string& ip) {
  if (!who) {
    // Anonymous: a consultation only, counted per address.
    if (in.kind != kConsult)
      return Unauthenticated("sign in to make a complaint or a suggestion; anyone may ask");
    if (!in.attachments.empty() || !in.case_no.empty()) {
      Validator v;
      if (!in.attachments.empty()) v.Add("attachments", "sign in to attach files");
      if (!in.case_no.empty()) v.Add("case_no", "sign in to ask about your case");
      return v.Finish().error();
    }
    std::chrono::seconds retry{0};
    {
      std::lock_guard lock(mu_);
      SystemTime now = clock_ ? clock_() : std::chrono::system_clock::now();
      if (anonymous_.Full(ip, now, &retry))
        return ResourceExhausted("too many questions from this address; try again in " +
                                     std::to_string(retry.count()) + " seconds, or sign in",
                                 retry);
      anonymous_.Add(ip, now);
    }
    std::string code = NewLookupCode();
    OW_ASSIGN_OR_RETURN(Ticket t, Create(nullptr, kOnline, in, HashCode(code)));
    return Asked{std::move(t), code};
  }
  if (who->kind != authz::kPerson)
    return PermissionDenied("staff register a caller's question through the hotline or hall");
  authz::Target self;
  self.owner_account = who->account_id;
  OW_RETURN_IF_ERROR(authz::Decide(*who, authz::Action::kAskTicket, self));
  if (in.kind == kComplaint) {
    OW_ASSIGN_OR_RETURN(auto account, identity_.AccountById(who->account_id));
    if (account.identity_level < identity::kLevelRemote)
      return PermissionDenied(
          "a complaint needs a real-name verified account: verify your identity online or at a "
          "service hall first");
  }
  if (!in.attachments.empty()) {
    Validator v;
    if (in.attachments.size() > kMaxAttachments)
      v.Add("attachments", "at most " + std::to_string(kMaxAttachments) + " files");
    OW_RETURN_IF_ERROR(v.Finish());
    if (auto owned = materials_.CheckOwned(who->account_id, in.attachments); !owned) {
      Validator mv;
      mv.Add("attachments", owned.error().message);
      return mv.Finish().error();
    }
  }
  OW_ASSIGN_OR_RETURN(Ticket t, Create(&*who, kOnline, in, ""));
  return Asked{std::move(t), ""};
}

Result<Ticket> Service::Register(const Principal& who, const AskInput& in) {
  Validator v;
  if (in.caller_name.empty()) v.Add("caller_name", "is required: the caller's name");
  if (in.caller_name.size() > 200) v.Add("caller_name", "at most 200 bytes");
  if (in.caller_phone.size() > 40) v.Add("caller_phone", "at most 40 characters");
  if (!in.attachments.empty()) v.Add("attachments", "cannot be registered for a caller");
  if (!in.case_no.empty()) v.Add("case_no", "only the applicant may ask about a case online");
  OW_RETURN_IF_ERROR(v.Finish());
  // The channel follows the role: hotline staff take calls, counter staff visitors.
  std::string channel = who.HasRole(authz::kHotline) ? kHotline : kHall;
  return Create(&who, channel, in, "");
}

Result<Ticket> Service::Create(const Principal* who, const std::string& channel, const AskInput& in,
                               const std::string& code_hash) {
  Validator v;
  if (!IsKind(in.kind)) v.Add("kind", "must be consult, complaint or suggestion");
  if (in.text.empty()) v.Add("text", "is required: the question, complaint or suggestion");
  if (in.text.size() > kMaxText) v.Add("text", "at most 4000 bytes");
  if (!in.case_no.empty() && !in.item_code.empty())
    v.Add("item_code", "give an item or a case, not both");
  OW_RETURN_IF_ERROR(v.Finish());
  OW_ASSIGN_OR_RETURN(auto routed, Route(who, in));
  Ticket t;
  t.kind = in.kind;
  t.channel = channel;
  bool staff = channel != kOnline;
  t.asker_account = who && !staff ? who->account_id : "";
  t.asker_name = in.caller_name;
  t.asker_phone = in.caller_phone;
  t.registered_by = staff ? who->username : "";
  t.item_code = in.item_code;
  t.case_no = in.case_no;
  t.department_code = routed.first;
  t.region_code = routed.second;
  t.text = in.text;
  t.attachments = in.attachments;
  t.status = kOpen;
  t.deadline_days = options_.deadlines.For(in.kind);
  t.process_version = process_version_;
  if (staff) {
    // Hotline and hall staff register for the department and region they serve.
    OW_RETURN_IF_ERROR(authz::Decide(*who, authz::Action::kRegisterTicket, internal::TargetOf(t)));
  }
  SystemTime now = Now();
  Date today = ChinaDate(now);
  OW_ASSIGN_OR_RETURN(Calendar cal, CalendarAround(today));
  OW_ASSIGN_OR_RETURN(auto def, DefinitionOf(process_version_));
  Op op;
  op.now = now;
  op.at = FormatTime(now);
  op.today = today;
  op.cal = &cal;
  op.actor = staff ? who->username : (who ? who->username : "anonymous");
  t.created_at = t.updated_at = op.at;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    op.events.clear();
    op.notices.clear();
    op.t = t;
    for (int attempt = 0;; ++attempt) {
      op.t.number = NewNumber(today);
      OW_ASSIGN_OR_RETURN(auto clash, store::Load(c, op.t.number));
      if (!clash) break;
      if (attempt > 5) return Internal("no free ticket number");
    }
    op.Record(staff ? "registered" : "asked", "");
    workflow::Instance inst(def);
    json::object vars{
        {"kind", op.t.kind}, {"department", op.t.department_code}, {"region", op.t.region_code}};
    auto effects = inst.Start(std::move(vars), WorkingClock(cal, today));
    OW_RETURN_IF_ERROR(Advance(c, op, effects));
    op.t.instance = inst.Snapshot();
    OW_ASSIGN_OR_RETURN(op.t.id, store::Insert(c, op.t));
    if (!code_hash.empty()) OW_RETURN_IF_ERROR(store::SetCodeHash(c, op.t.id, code_hash));
    OW_RETURN_IF_ERROR(store::AddAttachments(c, op.t.id, op.t.attachments));
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::AddEvent(c, op.t.id, e));
    OW_RETURN_IF_ERROR(CountIndicators(c, op.t, false, today));
    for (const auto& n : op.notices) OW_RETURN_IF_ERROR(notifier_.Notify(c, n));
    return {};
  }));
  op.t.events = op.events;
  return op.t;
}

Status Service::CountIndicators(db::Connection& c, const Ticket& t, bool answered, Date today) {
  if (!indicators_) return {};
  indicators::Count n;
  n.day = FormatDate(today);
  n.region_code = t.region_code;
  n.department_code = t.department_code;
  n.item_code = t.item_code;
  n.channel = t.channel;
  if (!answered) {
    n.add[indicators::kTickets] = 1;
    n.add[indicators::kComplaints] = t.kind == kComplaint ? 1 : 0;
  } else {
    n.add[indicators::kAnswered] = 1;
    n.add[indicators::kAnsweredOnTime] = FormatDate(today) <= t.due_date ? 1 : 0;
    auto from = ParseTime(t.created_at), to = ParseTime(t.answered_at);
    if (from && to && *to > *from)
      n.add[indicators::kAnswerHoursSum] =
          std::chrono::duration_cast<std::chrono::hours>(*to - *from).count();
  }
  return indicators_->Add(c, n);
}

Result<Ticket> Service::Mutate(const std::string& number, bool overdue_only,
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
    bool locked = false;
    if (overdue_only) {
      OW_ASSIGN_OR_RETURN(locked, store::LockOverdue(c, number, FormatDate(today)));
    } else {
      OW_ASSIGN_OR_RETURN(locked, store::Lock(c, number));
    }
    if (!locked) return NotFound("no ticket " + number);
    OW_ASSIGN_OR_RETURN(auto t, store::Load(c, number));
    if (!t) return NotFound("no ticket " + number);
    op.t = std::move(*t);
    OW_RETURN_IF_ERROR(fn(c, op));
    op.t.updated_at = op.at;
    OW_RETURN_IF_ERROR(store::Save(c, op.t));
    for (const auto& e : op.events) OW_RETURN_IF_ERROR(store::AddEvent(c, op.t.id, e));
    for (const auto& n : op.notices) OW_RETURN_IF_ERROR(notifier_.Notify(c, n));
    OW_ASSIGN_OR_RETURN(op.t.events, store::Events(c, op.t.id));
    return {};
  }));
  return op.t;
}

Status Service::Advance(db::Connection&, Op& op, const Result<workflow::Effects>& effects) {
  if (!effects) return effects.error();
  for (const auto& e : *effects) {
    switch (e.kind) {
      case workflow::Effect::Kind::kTaskCreated:
        if (e.node == "Supervise") {
          op.t.stage = kAtSupervisor;
        } else {
          // The department's turn: the kind's deadline from today (not counted).
          op.t.stage = kAtDepartment;
          op.t.due_date =
              FormatDate(op.cal->AddWorkingDays(op.today, static_cast<int>(op.t.deadline_days)));
          op.Record("routed", op.t.department_code + " " + op.t.due_date);
        }
        break;
      case workflow::Effect::Kind::kTimerFired:
        ++op.t.escalation_level;
        op.Record("escalated", std::to_string(op.t.escalation_level));
        op.Tell("ticket.escalated");
        break;
      case workflow::Effect::Kind::kInstanceCompleted:
        op.t.stage = "";
        break;
      default:
        break;
    }
  }
  return {};
}

}  // namespace ow::tickets
