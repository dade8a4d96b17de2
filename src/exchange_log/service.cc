#include "exchange_log/service.h"

#include <algorithm>

#include "core/clock.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/tsa.h"
#include "exchange_log/store.h"

namespace ow::exchange_log {
namespace {

std::string EncodeCursor(int64_t seq) { return text::Base64UrlEncode(std::to_string(seq)); }

std::optional<int64_t> DecodeCursor(std::string_view cursor) {
  auto raw = text::Base64UrlDecode(cursor);
  if (!raw) return std::nullopt;
  auto n = text::ParseInt(*raw, 1, INT64_MAX);
  if (!n) return std::nullopt;
  return static_cast<int64_t>(*n);
}

// At most this many links in one evidence (a stamp covers stamp_every_entries entries,
// plus what arrives while it is made).
constexpr int64_t kMaxLinks = 200000;

}  // namespace

Service::Service(db::Database& db, identity::Service& identity, departments::Service& departments,
                 tickets::Service& tickets, const Log& log, const Tsa& tsa, Options options)
    : db_(db),
      identity_(identity),
      departments_(departments),
      tickets_(tickets),
      log_(log),
      tsa_(tsa),
      options_(options) {}

Result<int64_t> Service::StampPending(bool force) {
  int64_t stamped = 0;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    stamped = 0;
    OW_ASSIGN_OR_RETURN(auto last, internal::ClaimStamper(c, force));
    if (!last) return {};  // another node is stamping now
    OW_ASSIGN_OR_RETURN(auto head, internal::ReadHead(c));
    if (head.seq <= *last) return {};
    if (!force && head.seq - *last < options_.stamp_every_entries) {
      OW_ASSIGN_OR_RETURN(auto oldest, internal::One(c, *last + 1));
      if (!oldest)
        return Internal("exchange log entry " + std::to_string(*last + 1) + " is missing");
      if (oldest->at > internal::NowUtc(options_.stamp_every)) return {};  // not due yet
    }
    OW_ASSIGN_OR_RETURN(auto digest, crypto::HexDecode(head.hash));
    OW_ASSIGN_OR_RETURN(auto token, tsa_.StampSha256(digest));
    internal::StampRow row{head.seq,         head.hash, tsa_.Current().generation, token.gen_time,
                           token.serial_hex, token.der, internal::NowUtc()};
    OW_RETURN_IF_ERROR(internal::InsertStamp(c, row));
    OW_RETURN_IF_ERROR(internal::SetStamped(c, head.seq));
    stamped = head.seq;
    return {};
  }));
  return stamped;
}

Result<Page> Service::Search(const Principal& who, const SearchFilter& f) {
  Validator v;
  if (f.limit < 1 || f.limit > 200) v.Add("limit", "must be an integer from 1 to 200");
  std::optional<int64_t> before;
  if (!f.cursor.empty() && !(before = DecodeCursor(f.cursor)))
    v.Add("cursor", "is not a cursor this API returned");
  if (!f.outcome.empty() && f.outcome != "answered" && f.outcome != "refused")
    v.Add("outcome", "must be answered or refused");
  if (!f.subject_id.empty() && f.subject_kind != "person" && f.subject_kind != "legal")
    v.Add("subject_kind", "must be person or legal when subject_id is given");
  // The log keeps milliseconds ("...:SS.mmmZ"): a bound is compared in the same form.
  auto bound = [&](const std::string& text, const char* name) -> std::string {
    if (text.empty()) return "";
    auto t = ParseTime(text);
    if (!t) {
      v.Add(name, "must be a UTC time like 2026-03-01T00:00:00Z");
      return "";
    }
    std::string out = FormatTime(*t);
    out.insert(out.size() - 1, ".000");
    return out;
  };
  std::string from = bound(f.from, "from");
  std::string until = bound(f.until, "until");
  for (const std::string* s :
       {&f.department, &f.consumer_department, &f.provider_department, &f.resource_code,
        &f.case_tracking, &f.subject_id, &f.consumer_client}) {
    if (s->size() > 200 || !text::IsValidUtf8(*s)) v.Add("query", "values are at most 200 bytes");
  }
  OW_RETURN_IF_ERROR(v.Finish("query"));
  const bool auditor = who.HasRole(authz::kAuditAdmin);
  if (!auditor) {
    // A department's staff see what their department consumed or provided, nothing else.
    if (f.department.empty()) {
      return Error(Code::kInvalidArgument, "query: department is required",
                   {{"department", "is required: the department whose exchanges to search"}});
    }
    if (!f.subject_id.empty())
      return PermissionDenied("only an audit administrator searches by subject");
    auto dept = departments_.Get(f.department);
    if (!dept) return PermissionDenied("you may not search the exchange log of " + f.department);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kSearchExchangeLog,
                                     {dept->code, dept->region_code, "", false, {}}));
  } else {
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kSearchExchangeLog, {}));
  }
  internal::Query q;
  q.department = f.department;
  q.consumer_department = f.consumer_department;
  q.provider_department = f.provider_department;
  q.resource_code = f.resource_code;
  q.outcome = f.outcome;
  q.case_tracking = f.case_tracking;
  q.consumer_client = f.consumer_client;
  q.from = from;
  q.until = until;
  if (!f.subject_id.empty()) q.subject_key = log_.SubjectKey(f.subject_kind, f.subject_id);
  q.before_seq = before.value_or(0);
  q.limit = f.limit + 1;
  Page page;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(page.entries, internal::Search(c, q));
    return {};
  }));
  if (page.entries.size() > static_cast<size_t>(f.limit)) {
    page.entries.pop_back();
    page.next_cursor = EncodeCursor(page.entries.back().seq);
  }
  return page;
}

Result<std::string> Service::MyKey(const Principal& who) {
  OW_RETURN_IF_ERROR(
      authz::Decide(who, authz::Action::kReadOwnDataUses, {"", "", who.account_id, false, {}}));
  auto id = identity_.ResidentId(who.account_id);
  if (!id) {
    if (id.error().code != Code::kNotFound) return id.error();
    return FailedPrecondition(
        "your identity is not verified yet: the uses of a resident ID number's data are shown "
        "to its proven holder only (verify online or at a hall counter)");
  }
  return log_.SubjectKey("person", *id);
}

std::string Service::DepartmentName(const std::string& code) {
  if (code.empty()) return "";
  auto d = departments_.Get(code);
  return d ? d->name : code;
}

Result<DataUsePage> Service::Mine(const Principal& who, int64_t limit, const std::string& cursor) {
  OW_ASSIGN_OR_RETURN(auto key, MyKey(who));
  Validator v;
  if (limit < 1 || limit > 200) v.Add("limit", "must be an integer from 1 to 200");
  std::optional<int64_t> before;
  if (!cursor.empty() && !(before = DecodeCursor(cursor)))
    v.Add("cursor", "is not a cursor this API returned");
  OW_RETURN_IF_ERROR(v.Finish("query"));
  std::vector<Record> rows;
  std::vector<internal::Objection> objections;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    internal::Query q;
    q.subject_key = key;
    q.before_seq = before.value_or(0);
    q.limit = limit + 1;
    OW_ASSIGN_OR_RETURN(rows, internal::Search(c, q));
    OW_ASSIGN_OR_RETURN(objections, internal::ObjectionsOf(c, who.account_id));
    return {};
  }));
  DataUsePage page;
  if (rows.size() > static_cast<size_t>(limit)) {
    rows.pop_back();
    page.next_cursor = EncodeCursor(rows.back().seq);
  }
  for (auto& r : rows) {
    DataUse u;
    u.consumer_department_name = DepartmentName(r.consumer_department);
    u.provider_department_name = DepartmentName(r.provider_department);
    for (const auto& o : objections)
      if (o.seq == r.seq) u.objection_ticket = o.ticket_number;
    u.entry = std::move(r);
    page.uses.push_back(std::move(u));
  }
  return page;
}

Result<Evidence> Service::EvidenceOf(int64_t seq, const std::string& only_subject_key,
                                     const std::vector<std::string>& only_departments, bool any) {
  Evidence e;
  bool found = false;
  std::optional<internal::StampRow> stamp;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto entry, internal::One(c, seq));
    if (!entry) return {};
    if (!any) {
      bool mine = !only_subject_key.empty() && entry->subject_key == only_subject_key;
      bool dept =
          std::any_of(only_departments.begin(), only_departments.end(), [&](const std::string& d) {
            return d == entry->consumer_department || d == entry->provider_department;
          });
      if (!mine && !dept) return {};
    }
    found = true;
    e.entry = std::move(*entry);
    e.content = ContentDigest(e.entry);
    OW_ASSIGN_OR_RETURN(stamp, internal::StampCovering(c, seq));
    if (!stamp) return {};
    if (stamp->head_seq - seq > kMaxLinks) return Internal("a time-stamp covers too many entries");
    for (int64_t from = seq + 1; from <= stamp->head_seq;) {
      OW_ASSIGN_OR_RETURN(auto batch, internal::Range(c, from, stamp->head_seq, 5000));
      if (batch.empty())
        return Internal("exchange log entry " + std::to_string(from) + " is missing");
      for (const auto& r : batch) e.links.push_back({r.seq, r.prev_hash, ContentDigest(r), r.hash});
      from = batch.back().seq + 1;
    }
    return {};
  }));
  if (!found) return NotFound("no exchange log entry " + std::to_string(seq));
  if (!stamp) {
    Error err(Code::kUnavailable,
              "exchange log entry " + std::to_string(seq) +
                  " is not time-stamped yet: the next time-stamp covers it within " +
                  std::to_string(options_.stamp_every.count()) + " seconds");
    err.retry_after = options_.stamp_every;
    return err;
  }
  e.stamp.head_seq = stamp->head_seq;
  e.stamp.head_hash = stamp->head_hash;
  e.stamp.gen_time = stamp->gen_time;
  e.stamp.serial = stamp->serial;
  e.stamp.token_der = stamp->token;
  e.stamp.stamped_at = stamp->stamped_at;
  OW_ASSIGN_OR_RETURN(auto all, tsa_.All());
  for (const auto& g : all)
    if (g.generation == stamp->tsa_generation) e.stamp.certificates = g;
  return e;
}

Result<Evidence> Service::MyEvidence(const Principal& who, int64_t seq) {
  OW_ASSIGN_OR_RETURN(auto key, MyKey(who));
  return EvidenceOf(seq, key, {}, false);
}

Result<Evidence> Service::GetEvidence(const Principal& who, int64_t seq) {
  if (who.HasRole(authz::kAuditAdmin)) {
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kSearchExchangeLog, {}));
    return EvidenceOf(seq, "", {}, true);
  }
  // The departments whose exchanges the caller may search: the entry must be theirs.
  std::vector<std::string> mine;
  for (const auto& r : who.roles) {
    if (r.department_code.empty()) continue;
    auto d = departments_.Get(r.department_code);
    if (d && authz::Decide(who, authz::Action::kSearchExchangeLog,
                           {d->code, d->region_code, "", false, {}})) {
      mine.push_back(d->code);
    }
  }
  if (mine.empty()) return PermissionDenied("you may not read the exchange log");
  return EvidenceOf(seq, "", mine, false);
}

Result<std::string> Service::Object(const Principal& who, int64_t seq, const std::string& text,
                                    const std::string& ip) {
  OW_RETURN_IF_ERROR(
      authz::Decide(who, authz::Action::kObjectDataUse, {"", "", who.account_id, false, {}}));
  OW_ASSIGN_OR_RETURN(auto key, MyKey(who));
  std::optional<Record> entry;
  std::optional<internal::Objection> existing;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(entry, internal::One(c, seq));
    OW_ASSIGN_OR_RETURN(existing, internal::FindObjection(c, seq, who.account_id));
    return {};
  }));
  if (!entry || entry->subject_key != key)
    return NotFound("no use of your data numbered " + std::to_string(seq));
  if (existing) return existing->ticket_number;
  if (entry->provider_department.empty())
    return FailedPrecondition("this use names no provider department to complain to");
  tickets::AskInput in;
  in.kind = tickets::kComplaint;
  in.text = text;
  in.department_code = entry->provider_department;
  OW_ASSIGN_OR_RETURN(auto asked, tickets_.Ask(who, in, ip));
  bool inserted = false;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(inserted,
                        internal::InsertObjection(
                            c, {seq, who.account_id, asked.ticket.number, internal::NowUtc()}));
    if (!inserted) {
      // A second objection sent at the same moment: keep the first one's ticket.
      OW_ASSIGN_OR_RETURN(existing, internal::FindObjection(c, seq, who.account_id));
    }
    return {};
  }));
  if (!inserted && existing) return existing->ticket_number;
  return asked.ticket.number;
}

Result<ChainCheck> Service::Verify(int64_t from) { return VerifyLog(db_, from); }

Result<ChainCheck> VerifyLog(db::Database& db_, int64_t from) {
  if (from < 1) return InvalidArgument("from must be at least 1");
  ChainCheck check;
  auto bad = [&check](int64_t seq, std::string problem) {
    check.ok = false;
    check.first_bad_seq = seq;
    check.problem = std::move(problem);
    return check;
  };
  internal::Head head;
  std::string prev = kGenesisHash;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(head, internal::ReadHead(c));
    if (from > 1) {
      OW_ASSIGN_OR_RETURN(auto anchor, internal::One(c, from - 1));
      if (anchor) prev = anchor->hash;
    }
    return {};
  }));
  if (from > head.seq) return check;
  std::vector<internal::StampRow> stamps;
  int64_t stamps_after = from - 1;
  size_t next_stamp = 0;
  bool more_stamps = true;
  std::vector<internal::TsaKeyRow> generations;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(generations, internal::TsaKeys(c));
    return {};
  }));
  for (int64_t expected = from; expected <= head.seq;) {
    std::vector<Record> batch;
    OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(batch, internal::Range(c, expected, head.seq, 1000));
      return {};
    }));
    if (batch.empty()) return bad(expected, "entry is missing");
    for (const Record& r : batch) {
      if (r.seq != expected) return bad(expected, "entry is missing");
      if (r.prev_hash != prev) return bad(r.seq, "prev_hash does not match the previous entry");
      ++check.checked;
      if (EntryHash(r) != r.hash) return bad(r.seq, "hash does not match the entry's fields");
      prev = r.hash;
      ++expected;
      // The time-stamps whose head is this entry: the token covers exactly this hash.
      for (;;) {
        if (next_stamp == stamps.size()) {
          if (!more_stamps) break;
          stamps.clear();
          next_stamp = 0;
          OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
            OW_ASSIGN_OR_RETURN(stamps, internal::Stamps(c, stamps_after, 1000));
            return {};
          }));
          if (stamps.empty()) {
            more_stamps = false;
            break;
          }
        }
        const auto& s = stamps[next_stamp];
        if (s.head_seq > r.seq) break;
        if (s.head_seq < r.seq) return bad(s.head_seq, "a time-stamp names an entry out of order");
        if (s.head_hash != r.hash)
          return bad(r.seq, "the time-stamped head hash is not the entry's");
        std::string root;
        for (const auto& g : generations)
          if (g.generation == s.tsa_generation) root = g.root_certificate;
        OW_ASSIGN_OR_RETURN(auto digest, crypto::HexDecode(r.hash));
        auto verified = crypto::VerifyTimeStampToken(s.token, digest, root);
        if (!verified)
          return bad(r.seq, "its time-stamp does not verify: " + verified.error().message);
        ++check.stamps_checked;
        stamps_after = s.head_seq;
        ++next_stamp;
      }
    }
  }
  if (prev != head.hash) return bad(head.seq, "hash does not match exchange_log_head");
  return check;
}

}  // namespace ow::exchange_log
