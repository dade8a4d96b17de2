#include "exchange_log/tsa.h"

#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "exchange_log/store.h"

namespace ow::exchange_log {
namespace {

SystemTime Years(SystemTime from, int64_t years) {
  return from + std::chrono::hours(24 * 365 * years + 24 * (years / 4));
}

std::string RootAad(int64_t generation) { return "tsa.root." + std::to_string(generation); }
std::string SignerAad(int64_t generation) { return "tsa.signer." + std::to_string(generation); }

}  // namespace

Tsa::Tsa(db::Database& db, const identity::Keys& keys) : db_(db), keys_(keys) {}

Status Tsa::Bootstrap() {
  std::vector<internal::TsaKeyRow> rows;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(rows, internal::TsaKeys(c));
    return {};
  }));
  if (rows.empty()) {
    if (keys_.data_keys.empty()) return Internal("no data key to seal the TSA keys with");
    auto now = std::chrono::system_clock::now();
    OW_ASSIGN_OR_RETURN(auto root_key, crypto::SigningKey::Generate(crypto::Algorithm::kEs256));
    OW_ASSIGN_OR_RETURN(auto root_private, root_key.PrivatePem());
    crypto::CertificateSpec root;
    root.subject = {"OneWindow Time-Stamping Root G1", "OneWindow", "Time-Stamping Authority",
                    "CN"};
    root.public_key_pem = root_key.PublicPem();
    root.not_before = now - std::chrono::minutes(5);
    root.not_after = Years(now, 20);
    root.role = crypto::CertificateRole::kCertificateAuthority;
    root.path_length = 0;
    OW_ASSIGN_OR_RETURN(auto root_pem, crypto::IssueCertificate(root, {"", root_private}));
    OW_ASSIGN_OR_RETURN(auto signer_key, crypto::SigningKey::Generate(crypto::Algorithm::kEs256));
    OW_ASSIGN_OR_RETURN(auto signer_private, signer_key.PrivatePem());
    crypto::CertificateSpec signer;
    signer.subject = {"OneWindow Time-Stamping Unit G1", "OneWindow", "Time-Stamping Authority",
                      "CN"};
    signer.public_key_pem = signer_key.PublicPem();
    signer.not_before = root.not_before;
    signer.not_after = Years(now, 10);
    signer.role = crypto::CertificateRole::kTimeStamping;
    OW_ASSIGN_OR_RETURN(auto signer_pem,
                        crypto::IssueCertificate(signer, {root_pem, root_private}));
    auto sealer = keys_.data_keys.rbegin();
    OW_ASSIGN_OR_RETURN(auto root_box, sealer->second.Seal(root_private, RootAad(1)));
    OW_ASSIGN_OR_RETURN(auto signer_box, sealer->second.Seal(signer_private, SignerAad(1)));
    internal::TsaKeyRow row{1,
                            root_pem,
                            crypto::Base64UrlEncode(root_box),
                            sealer->first,
                            signer_pem,
                            crypto::Base64UrlEncode(signer_box),
                            sealer->first,
                            NowText()};
    OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
      OW_ASSIGN_OR_RETURN(bool inserted, internal::InsertTsaKey(c, row));
      (void)inserted;  // another node made generation 1 first: use theirs
      OW_ASSIGN_OR_RETURN(rows, internal::TsaKeys(c));
      return {};
    }));
  }
  const auto& newest = rows.back();
  auto data_key = keys_.data_keys.find(newest.key_version);
  if (data_key == keys_.data_keys.end())
    return Internal("the TSA key is sealed with data key version " +
                    std::to_string(newest.key_version) + ", which is not configured");
  OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(newest.private_key));
  auto pem = data_key->second.Open(box, SignerAad(newest.generation));
  if (!pem) return Internal("the TSA key cannot be opened with its data key");
  OW_ASSIGN_OR_RETURN(
      auto stamper,
      crypto::TimeStamper::Load(newest.certificate, *pem, {newest.root_certificate}, kTsaPolicy));
  std::lock_guard lock(mu_);
  current_ = {newest.generation, newest.root_certificate, newest.certificate};
  stamper_ = std::make_shared<const crypto::TimeStamper>(std::move(stamper));
  return {};
}

Tsa::Certificates Tsa::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Result<std::vector<Tsa::Certificates>> Tsa::All() const {
  std::vector<Certificates> out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto rows, internal::TsaKeys(c));
    for (const auto& r : rows) out.push_back({r.generation, r.root_certificate, r.certificate});
    return {};
  }));
  return out;
}

Result<std::string> Tsa::Respond(std::string_view request_der) const {
  std::shared_ptr<const crypto::TimeStamper> s;
  {
    std::lock_guard lock(mu_);
    s = stamper_;
  }
  if (!s) return Unavailable("the time-stamping authority is not started");
  return s->Respond(request_der);
}

Result<crypto::TimeStampToken> Tsa::StampSha256(std::string_view digest) const {
  std::shared_ptr<const crypto::TimeStamper> s;
  {
    std::lock_guard lock(mu_);
    s = stamper_;
  }
  if (!s) return Unavailable("the time-stamping authority is not started");
  return s->StampSha256(digest);
}

}  // namespace ow::exchange_log
