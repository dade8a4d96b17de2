// Bulk delivery of base-table resources (issue 14, part 7): extracts, their generation by
// a leased background job, their signed manifests and their download in parts.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "exchange/access.h"
#include "exchange/bases.h"
#include "exchange/service.h"
#include "exchange/store.h"

namespace ow::exchange {
namespace {

namespace json = boost::json;
using authz::Action;
using Clock = std::chrono::system_clock;

// Rows read per page, and bytes per stored chunk: what generation holds in memory.
constexpr int kPageRows = 1000;
constexpr size_t kChunkBytes = 256 << 10;
// The log's subject for an extract: every record of the base, no one person.
constexpr const char* kEverySubject = "*";

exchange_log::Entry LogEntry(const Extract& x, const std::string& subject_kind) {
  exchange_log::Entry e;
  e.consumer_client = x.client_id;
  e.consumer_department = x.consumer_department.empty() ? "unregistered" : x.consumer_department;
  e.provider_department = x.provider_department;
  e.resource_code = x.resource_code;
  e.resource_version = x.resource_version;
  e.subject_kind = subject_kind;
  e.subject_id = kEverySubject;
  e.purpose = x.purpose;
  e.legal_basis = x.legal_basis;
  e.fields = x.fields;
  e.request_digest = x.request_digest;
  return e;
}

}  // namespace

Result<Extract> Service::RequestExtract(const authz::Principal& who, const std::string& code,
                                        const ExtractInput& in, std::string_view raw_request) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kExtractData));
  std::optional<Resource> resource;
  std::optional<System> system;
  std::optional<Application> grant;
  auto now = Clock::now();
  std::string now_text = FormatTime(now);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(resource, Store::Published(c, code));
    if (!resource) return {};
    OW_ASSIGN_OR_RETURN(system, Store::GetSystem(c, who.client_id));
    OW_ASSIGN_OR_RETURN(grant, Store::LatestGrant(c, who.client_id, code));
    return {};
  }));
  if (!resource) return NotFound("no such data resource");

  // A malformed request asks for nothing: 422, not logged.
  Validator v;
  if (resource->source == kSourceAdapter)
    v.Add("resource", "is served by its provider's system: bulk delivery is only from bases");
  if (in.purpose.size() < 2 || in.purpose.size() > 500) v.Add("purpose", "must be 2 to 500 bytes");
  if (in.legal_basis.size() > 500) v.Add("legal_basis", "must be at most 500 bytes");
  if (in.fields.empty() || in.fields.size() > exchange_log::kMaxFields)
    v.Add("fields", "must name 1 to 64 fields");
  for (size_t i = 0; i < in.fields.size(); ++i) {
    if (std::none_of(resource->fields.begin(), resource->fields.end(),
                     [&](const Field& f) { return f.name == in.fields[i]; }))
      v.Add("fields/" + std::to_string(i), "is not a field of " + code);
    else if (std::find(in.fields.begin(), in.fields.begin() + static_cast<ptrdiff_t>(i),
                       in.fields[i]) != in.fields.begin() + static_cast<ptrdiff_t>(i))
      v.Add("fields/" + std::to_string(i), "is listed twice");
  }
  if (!in.since.empty()) {
    auto since = ParseTime(in.since);
    if (!since)
      v.Add("since", "must be a time as YYYY-MM-DDTHH:MM:SSZ");
    else if (*since > now)
      v.Add("since", "must not be in the future");
  }
  OW_RETURN_IF_ERROR(v.Finish("extract"));

  Extract x;
  x.id = "XE" + crypto::RandomToken(12);
  x.client_id = who.client_id;
  x.consumer_department = system ? system->department_code : "";
  x.resource_code = code;
  x.resource_version = resource->version;
  x.provider_department = resource->department_code;
  x.base = resource->source;
  x.grant_id = grant ? grant->id : "";
  x.fields = in.fields;
  x.purpose = in.purpose;
  x.legal_basis = in.legal_basis.empty() && grant ? grant->legal_basis : in.legal_basis;
  x.since = in.since;
  x.status = kExtractQueued;
  x.request_digest = HexSha256(raw_request);
  x.created_at = now_text;

  if (auto refusal =
          CheckAccess(who, *resource, system, grant, in.fields, now_text, /*bulk=*/true)) {
    exchange_log::Entry e = LogEntry(x, resource->subject_kind);
    e.outcome = "refused";
    e.refusal_reason = refusal->reason;
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto seq, log_.Append(c, e));
      (void)seq;
      return {};
    }));
    return PermissionDenied(refusal->message);
  }
  OW_RETURN_IF_ERROR(
      db_.Transact([&](db::Connection& c) -> Status { return Store::InsertExtract(c, x); }));
  return x;
}

Result<std::vector<Extract>> Service::Extracts(const authz::Principal& who,
                                               const std::string& code) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kExtractData));
  std::vector<Extract> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Store::Extracts(c, who.client_id, code, 100));
    return {};
  }));
  return out;
}

Result<Extract> Service::GetExtract(const authz::Principal& who, const std::string& code,
                                    const std::string& id) {
  OW_RETURN_IF_ERROR(authz::Decide(who, Action::kExtractData));
  std::optional<Extract> x;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(x, Store::GetExtract(c, id));
    return {};
  }));
  // Another system's extract is not named to this one, even as forbidden.
  if (!x || x->client_id != who.client_id || x->resource_code != code)
    return NotFound("no such extract");
  return *x;
}

Result<ExtractFile> Service::ExtractPartFile(const authz::Principal& who, const std::string& code,
                                             const std::string& id, int64_t part) {
  OW_ASSIGN_OR_RETURN(auto x, GetExtract(who, code, id));
  if (x.status == kExtractExpired) return NotFound("the extract expired and its data was deleted");
  if (x.status != kExtractReady)
    return FailedPrecondition("the extract is " + x.status + ", not ready");
  if (part < 1 || part > static_cast<int64_t>(x.parts.size())) return NotFound("no such part");
  std::string now = NowText();
  if (x.expires_at <= now) return NotFound("the extract expired and its data was deleted");
  std::optional<Resource> resource;
  std::optional<System> system;
  std::optional<Application> grant;
  ExtractFile out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(resource, Store::Published(c, code));
    OW_ASSIGN_OR_RETURN(system, Store::GetSystem(c, who.client_id));
    OW_ASSIGN_OR_RETURN(grant, Store::LatestGrant(c, who.client_id, code));
    return {};
  }));
  if (!resource) return NotFound("no such data resource");
  // A grant revoked or expired after the extract was made also ends its download.
  if (auto refusal = CheckAccess(who, *resource, system, grant, x.fields, now, /*bulk=*/true))
    return PermissionDenied(refusal->message);
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out.data, Store::ExtractPartData(c, id, part));
    return {};
  }));
  out.part = x.parts[static_cast<size_t>(part - 1)];
  if (static_cast<int64_t>(out.data.size()) != out.part.bytes)
    return Internal("an extract part's stored size differs from its manifest");
  out.filename = x.id + "-" + std::to_string(part) + ".ndjson";
  return out;
}

Result<int64_t> Service::RunExtracts() {
  int64_t done = 0;
  Status failed;
  for (;;) {
    std::string now = NowText();
    std::optional<Extract> next;
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(next, Store::NextExtract(c, now));
      return {};
    }));
    if (!next) break;
    Extract x = *next;
    bool claimed = false;
    std::string lease = FormatTime(Clock::now() + options_.extract_lease);
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(claimed, Store::ClaimExtract(c, x, now, lease));
      return {};
    }));
    if (!claimed) continue;
    ++x.attempts;
    x.status = kExtractRunning;
    x.started_at = now;
    if (x.attempts > options_.extract_attempts) {
      // Earlier runs died or failed: give up rather than retry for ever.
      x.status = kExtractFailed;
      x.failure = "generation failed " + std::to_string(options_.extract_attempts) + " times";
      x.finished_at = now;
      OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
        OW_ASSIGN_OR_RETURN(bool ok, Store::FinishExtract(c, x));
        (void)ok;
        return {};
      }));
      continue;
    }
    // A failed run keeps the extract "running" until its lease lapses; a later turn
    // retries it from the start. The others waiting are still written meanwhile.
    if (auto st = Generate(std::move(x)); !st) {
      if (!failed) failed = st;
      continue;
    }
    ++done;
  }
  // A write only when some data is due to go (the job runs every second).
  std::string now = NowText();
  bool due = false;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(due, Store::AnyExpired(c, now));
    return {};
  }));
  if (due)
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(auto n, Store::ExpireExtracts(c, now));
      (void)n;
      return {};
    }));
  if (!failed) return failed.error();
  return done;
}

Status Service::Generate(Extract x) {
  const Base* base = FindBase(x.base);
  if (!base) return Internal("an extract names an unknown base");
  // Records changed from here on belong to the next increment (since = until).
  x.until = FormatTime(Clock::now());

  crypto::Sha256Hasher whole;
  crypto::Sha256Hasher part_hash;
  ExtractPart part;
  part.number = 1;
  std::string chunk;
  int64_t chunk_seq = 0;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return {};
    std::string lease = FormatTime(Clock::now() + options_.extract_lease);
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(bool mine, Store::RenewExtract(c, x.id, x.attempts, lease));
      if (!mine) return Conflict("another run took the extract over");
      return Store::AddExtractChunk(c, x.id, chunk_seq, part.number, chunk);
    }));
    ++chunk_seq;
    chunk.clear();
    return {};
  };
  auto close_part = [&]() -> Status {
    OW_RETURN_IF_ERROR(flush());
    // Finish() gives the raw 32 bytes; parts, manifest and API carry lower-case hex.
    part.sha256 = crypto::HexEncode(part_hash.Finish());
    x.parts.push_back(part);
    part = ExtractPart{};
    part.number = static_cast<int64_t>(x.parts.size()) + 1;
    return {};
  };

  std::string after_at, after_key;
  for (;;) {
    std::vector<Store::RecordRow> page;
    OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(
          page, Store::RecordPage(c, x.base, x.since, x.until, after_at, after_key, kPageRows));
      return {};
    }));
    for (const auto& row : page) {
      boost::system::error_code ec;
      json::value parsed = json::parse(row.data, ec);
      if (ec || !parsed.is_object()) return Internal("a base record is not a JSON object");
      const auto& record = parsed.as_object();
      // The key always, then the granted fields asked for, in the order asked.
      json::object out;
      out[base->key] = row.key;
      for (const auto& f : x.fields) {
        if (f == base->key) continue;
        const auto* v = record.if_contains(f);
        out[f] = v ? *v : json::value(nullptr);
      }
      std::string line = json::serialize(out);
      line += '\n';
      if (part.bytes > 0 &&
          part.bytes + static_cast<int64_t>(line.size()) > options_.extract_part_bytes)
        OW_RETURN_IF_ERROR(close_part());
      whole.Update(line);
      part_hash.Update(line);
      ++part.rows;
      part.bytes += static_cast<int64_t>(line.size());
      ++x.row_count;
      x.bytes += static_cast<int64_t>(line.size());
      chunk += line;
      if (chunk.size() >= kChunkBytes) OW_RETURN_IF_ERROR(flush());
    }
    if (page.size() < static_cast<size_t>(kPageRows)) break;
    after_at = page.back().updated_at;
    after_key = page.back().key;
  }
  OW_RETURN_IF_ERROR(close_part());
  x.sha256 = crypto::HexEncode(whole.Finish());

  auto now = Clock::now();
  x.finished_at = FormatTime(now);
  x.expires_at = FormatTime(now + std::chrono::hours(24 * options_.extract_days));
  json::array fields;
  for (const auto& f : x.fields) fields.emplace_back(f);
  json::array parts;
  for (const auto& p : x.parts)
    parts.push_back(json::object{
        {"part", p.number}, {"rows", p.rows}, {"bytes", p.bytes}, {"sha256", p.sha256}});
  json::object manifest{{"iss", issuer_ ? issuer_() : std::string()},
                        {"iat", UnixSeconds(now)},
                        {"jti", x.id},
                        {"extract", x.id},
                        {"resource", x.resource_code},
                        {"resource_version", x.resource_version},
                        {"provider_department", x.provider_department},
                        {"consumer_client", x.client_id},
                        {"consumer_department", x.consumer_department},
                        {"grant", x.grant_id},
                        {"purpose", x.purpose},
                        {"legal_basis", x.legal_basis},
                        {"subject_kind", base->subject_kind},
                        {"key", base->key},
                        {"fields", std::move(fields)},
                        {"format", "application/x-ndjson"},
                        {"mode", x.since.empty() ? "full" : "incremental"},
                        {"since", x.since.empty() ? json::value(nullptr) : json::value(x.since)},
                        {"until", x.until},
                        {"created_at", x.finished_at},
                        {"expires_at", x.expires_at},
                        {"row_count", x.row_count},
                        {"bytes", x.bytes},
                        {"sha256", x.sha256},
                        {"parts", std::move(parts)}};
  if (!manifest_signer_) return Internal("the exchange has no manifest signing key");
  OW_ASSIGN_OR_RETURN(x.manifest, manifest_signer_(manifest));

  exchange_log::Entry e = LogEntry(x, std::string(base->subject_kind));
  e.outcome = "answered";
  e.response_digest = HexSha256(json::serialize(manifest));
  e.response_signature = Detached(x.manifest);
  x.status = kExtractReady;
  return db_.Transact([&](db::Connection& c) -> Status {
    // The grant is read again where the extract is logged: a revocation that committed
    // while the file was written wins, and the file is not delivered.
    OW_ASSIGN_OR_RETURN(auto again, Store::LatestGrant(c, x.client_id, x.resource_code));
    std::string now_text = FormatTime(Clock::now());
    std::string reason;
    if (!again || again->id != x.grant_id || again->status != kGranted)
      reason = "grant_revoked";
    else if (again->expires_at <= now_text)
      reason = "grant_expired";
    if (!reason.empty()) {
      x.status = kExtractFailed;
      x.failure = "the grant changed while the extract was written";
      x.manifest.clear();
      x.parts.clear();
      e.outcome = "refused";
      e.refusal_reason = reason;
      e.response_digest.clear();
      e.response_signature.clear();
      OW_RETURN_IF_ERROR(Store::DropExtractData(c, x.id));
    }
    OW_ASSIGN_OR_RETURN(x.log_seq, log_.Append(c, e));
    OW_ASSIGN_OR_RETURN(bool mine, Store::FinishExtract(c, x));
    if (!mine) return Conflict("another run took the extract over");
    return {};
  });
}

}  // namespace ow::exchange
