#include "exchange_log/log.h"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "exchange_log/store.h"

namespace ow::exchange_log {
namespace {

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool ValidField(std::string_view f) {
  if (f.empty() || f.size() > 64) return false;
  for (char c : f) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ValidText(std::string_view s) {
  return s.size() <= kMaxTextBytes && text::IsValidUtf8(s) &&
         s.find('\0') == std::string_view::npos;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

std::vector<db::Migration> Migrations() {
  std::string sql = R"sql(
CREATE TABLE exchange_log (
  seq {{SEQ}},
  at {{TEXT_C}} NOT NULL,
  consumer_client TEXT NOT NULL,
  consumer_department {{TEXT_C}} NOT NULL,
  provider_department {{TEXT_C}} NOT NULL,
  resource_code {{TEXT_C}} NOT NULL,
  resource_version BIGINT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_key {{TEXT_C}} NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  case_tracking TEXT NOT NULL,
  fields TEXT NOT NULL,
  outcome TEXT NOT NULL,
  refusal_reason TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  response_digest TEXT NOT NULL,
  response_signature TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX exchange_log_subject ON exchange_log(subject_key, seq);
CREATE INDEX exchange_log_consumer ON exchange_log(consumer_department, seq);
CREATE INDEX exchange_log_provider ON exchange_log(provider_department, seq);
CREATE TABLE exchange_log_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO exchange_log_head (id, seq, hash) VALUES (1, 0, 'GENESIS');
CREATE TABLE exchange_log_stamps (
  head_seq BIGINT PRIMARY KEY,
  head_hash TEXT NOT NULL,
  tsa_generation BIGINT NOT NULL,
  gen_time TEXT NOT NULL,
  serial TEXT NOT NULL,
  token {{BLOB}} NOT NULL,
  stamped_at TEXT NOT NULL
);
CREATE TABLE exchange_log_stamper (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  stamped_seq BIGINT NOT NULL
);
INSERT INTO exchange_log_stamper (id, stamped_seq) VALUES (1, 0);
CREATE TABLE exchange_tsa_keys (
  generation BIGINT PRIMARY KEY,
  root_certificate TEXT NOT NULL,
  root_key TEXT NOT NULL,
  root_key_version BIGINT NOT NULL,
  certificate TEXT NOT NULL,
  private_key TEXT NOT NULL,
  key_version BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE exchange_log_objections (
  seq BIGINT NOT NULL,
  account_id TEXT NOT NULL,
  ticket_number TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (seq, account_id)
);
)sql";
  sql = text::ReplaceAll(sql, "GENESIS", kGenesisHash);
  sql += "{{APPEND_ONLY exchange_log}}{{APPEND_ONLY exchange_log_stamps}}";
  db::Migration m = db::Portable("exchange_log/001_init", sql);
  // The head only moves forward, as audit_head does.
  m.sqlite += R"sql(
CREATE TRIGGER exchange_log_head_forward BEFORE UPDATE ON exchange_log_head
WHEN NEW.id <> OLD.id OR NEW.seq <= OLD.seq
BEGIN SELECT RAISE(ABORT, 'exchange_log_head only moves forward'); END;
CREATE TRIGGER exchange_log_head_no_delete BEFORE DELETE ON exchange_log_head
BEGIN SELECT RAISE(ABORT, 'exchange_log_head only moves forward'); END;
)sql";
  m.postgres += R"sql(
CREATE FUNCTION exchange_log_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'exchange_log_head only moves forward' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER exchange_log_head_forward BEFORE UPDATE OR DELETE ON exchange_log_head
  FOR EACH ROW EXECUTE FUNCTION exchange_log_head_forward();
CREATE TRIGGER exchange_log_head_no_truncate BEFORE TRUNCATE ON exchange_log_head
  FOR EACH STATEMENT EXECUTE FUNCTION exchange_log_head_forward();
)sql";
  return {m};
}

std::string CanonicalForm(const Record& r) {
  std::string out;
  auto field = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
    out += '\n';
  };
  field(std::to_string(r.seq));
  field(r.at);
  field(r.consumer_client);
  field(r.consumer_department);
  field(r.provider_department);
  field(r.resource_code);
  field(std::to_string(r.resource_version));
  field(r.subject_kind);
  field(r.subject_key);
  field(r.purpose);
  field(r.legal_basis);
  field(r.case_tracking);
  field(internal::JoinFields(r.fields));
  field(r.outcome);
  field(r.refusal_reason);
  field(r.request_digest);
  field(r.response_digest);
  field(r.response_signature);
  return out;
}

std::string ContentDigest(const Record& r) {
  return crypto::HexEncode(crypto::Sha256(CanonicalForm(r)));
}

std::string LinkHash(std::string_view prev_hash, std::string_view content) {
  crypto::Sha256Hasher h;
  h.Update(prev_hash);
  h.Update("\n");
  h.Update(content);
  return crypto::HexEncode(h.Finish());
}

std::string EntryHash(const Record& r) { return LinkHash(r.prev_hash, ContentDigest(r)); }

Log::Log(std::string subject_key) : key_(std::move(subject_key)) {}

std::string Log::SubjectKey(std::string_view kind, std::string_view id) const {
  std::string data(kind);
  data += ':';
  data += Upper(id);
  return crypto::HexEncode(crypto::HmacSha256(key_, data));
}

Result<int64_t> Log::Append(db::Connection& c, const Entry& e) const {
  Validator v;
  auto required = [&v](std::string_view name, const std::string& value) {
    if (value.empty()) v.Add(std::string(name), "is required");
  };
  required("consumer_client", e.consumer_client);
  required("consumer_department", e.consumer_department);
  required("resource_code", e.resource_code);
  required("purpose", e.purpose);
  required("subject_id", e.subject_id);
  if (e.subject_kind != "person" && e.subject_kind != "legal")
    v.Add("subject_kind", "must be person or legal");
  if (e.subject_id.size() > 64) v.Add("subject_id", "must be at most 64 bytes");
  if (e.outcome != "answered" && e.outcome != "refused")
    v.Add("outcome", "must be answered or refused");
  if ((e.outcome == "refused") == e.refusal_reason.empty())
    v.Add("refusal_reason", "is given exactly when the outcome is refused");
  if (!IsHex64(e.request_digest)) v.Add("request_digest", "must be 64 lower-case hex digits");
  if (e.outcome == "answered" && !IsHex64(e.response_digest))
    v.Add("response_digest", "must be 64 lower-case hex digits");
  if (e.outcome == "refused" && (!e.response_digest.empty() || !e.response_signature.empty()))
    v.Add("response_digest", "must be empty on a refusal");
  for (auto [name, value] :
       {std::pair<const char*, const std::string*>{"consumer_client", &e.consumer_client},
        {"consumer_department", &e.consumer_department},
        {"provider_department", &e.provider_department},
        {"resource_code", &e.resource_code},
        {"subject_id", &e.subject_id},
        {"purpose", &e.purpose},
        {"legal_basis", &e.legal_basis},
        {"refusal_reason", &e.refusal_reason}}) {
    if (!ValidText(*value)) v.Add(name, "must be valid UTF-8 of at most 1024 bytes");
  }
  // The signature is a compact JWS: longer than the other texts, still ASCII.
  if (e.response_signature.size() > 16384 || !text::IsValidUtf8(e.response_signature))
    v.Add("response_signature", "must be valid UTF-8 of at most 16384 bytes");
  if (e.case_tracking && (e.case_tracking->empty() || !ValidText(*e.case_tracking)))
    v.Add("case_tracking", "must be a tracking number when given");
  if (e.fields.size() > kMaxFields) v.Add("fields", "must be at most 64 fields");
  for (const auto& f : e.fields)
    if (!ValidField(f)) v.Add("fields", "must be names of [A-Za-z0-9_.-]{1,64}");
  OW_RETURN_IF_ERROR(v.Finish("exchange log entry"));

  Record r;
  r.at = internal::NowUtc();
  r.consumer_client = e.consumer_client;
  r.consumer_department = e.consumer_department;
  r.provider_department = e.provider_department;
  r.resource_code = e.resource_code;
  r.resource_version = e.resource_version;
  r.subject_kind = e.subject_kind;
  r.subject_key = SubjectKey(e.subject_kind, e.subject_id);
  r.purpose = e.purpose;
  r.legal_basis = e.legal_basis;
  r.case_tracking = e.case_tracking.value_or("");
  r.fields = e.fields;
  r.outcome = e.outcome;
  r.refusal_reason = e.refusal_reason;
  r.request_digest = e.request_digest;
  r.response_digest = e.response_digest;
  r.response_signature = e.response_signature;
  OW_RETURN_IF_ERROR(internal::AppendRecord(c, r));
  return r.seq;
}

}  // namespace ow::exchange_log
