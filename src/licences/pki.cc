#include "core/calendar.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/keys.h"
#include "crypto/sm2.h"
#include "crypto/x509.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {
namespace {

constexpr auto kReloadEvery = std::chrono::seconds(60);
constexpr auto kCrlFor = std::chrono::seconds(60);

SystemTime Years(SystemTime from, int64_t years) {
  return from + std::chrono::hours(24 * 365 * years + 24 * (years / 4));
}

crypto::DistinguishedName RootName(const char* algorithm, int64_t generation) {
  return {std::string("OneWindow Root CA ") + (algorithm == std::string(kSm2) ? "SM2" : "P-256") +
              " G" + std::to_string(generation),
          "OneWindow", "Certificate Authority", "CN"};
}

}  // namespace

struct Service::Ring::LoadedSeal {
  Seal seal;
  std::optional<crypto::Sm2Key> sm2;  // with the private key
  std::string p256_key_pem;
  std::string p256_root;  // the root that certified the P-256 certificate
  Status chain;           // whether the SM2 certificate chains to its root
};

struct Service::Ring::Snapshot {
  std::vector<store::AuthorityRow> authorities;  // oldest first; keys sealed
  std::map<std::string, std::shared_ptr<const LoadedSeal>, std::less<>> seals;
  std::chrono::steady_clock::time_point loaded;

  const store::AuthorityRow* Root(const std::string& algorithm, int64_t generation) const {
    for (const auto& a : authorities)
      if (a.authority.algorithm == algorithm && a.authority.generation == generation) return &a;
    return nullptr;
  }
  const store::AuthorityRow* Newest(const std::string& algorithm) const {
    const store::AuthorityRow* out = nullptr;
    for (const auto& a : authorities)
      if (a.authority.algorithm == algorithm && a.status == "active") out = &a;
    return out;
  }
};

Service::Ring::Ring(db::Database& db, const identity::Keys& keys) : db_(db), keys_(keys) {}

Result<std::string> Service::Ring::OpenKey(const store::SealedKey& key,
                                           const std::string& aad) const {
  auto data_key = keys_.data_keys.find(key.key_version);
  if (data_key == keys_.data_keys.end())
    return Internal("a key is sealed with data key version " + std::to_string(key.key_version) +
                    ", which is not configured");
  OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(key.box));
  auto pem = data_key->second.Open(box, aad);
  if (!pem) return Internal("a key (" + aad + ") cannot be opened with its data key");
  return *pem;
}

Result<store::AuthorityRow> Service::Ring::MakeAuthority(const char* algorithm, int64_t generation,
                                                         int64_t years) const {
  std::string private_pem, public_pem;
  if (algorithm == std::string(kSm2)) {
    OW_ASSIGN_OR_RETURN(auto key, crypto::Sm2Key::Generate());
    OW_ASSIGN_OR_RETURN(private_pem, key.PrivatePem());
    public_pem = key.PublicPem();
  } else {
    OW_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::Generate(crypto::Algorithm::kEs256));
    OW_ASSIGN_OR_RETURN(private_pem, key.PrivatePem());
    public_pem = key.PublicPem();
  }
  auto now = std::chrono::system_clock::now();
  crypto::CertificateSpec spec;
  spec.subject = RootName(algorithm, generation);
  spec.public_key_pem = public_pem;
  spec.not_before = now - std::chrono::minutes(5);
  spec.not_after = Years(now, years);
  spec.role = crypto::CertificateRole::kCertificateAuthority;
  spec.path_length = 0;  // the roots certify seals directly
  OW_ASSIGN_OR_RETURN(auto cert, crypto::IssueCertificate(spec, {"", private_pem}));
  auto sealer = keys_.data_keys.rbegin();
  OW_ASSIGN_OR_RETURN(auto box,
                      sealer->second.Seal(private_pem, AuthorityAad(algorithm, generation)));
  store::AuthorityRow row;
  row.authority = {generation, algorithm, cert, FormatTime(spec.not_after), NowText()};
  row.key = {crypto::Base64UrlEncode(box), sealer->first};
  row.status = "active";
  return row;
}

Status Service::Ring::Bootstrap(int64_t ca_years) {
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, store::Authorities(c));
    bool have[2] = {false, false};
    for (const auto& a : existing) {
      have[0] = have[0] || a.authority.algorithm == kSm2;
      have[1] = have[1] || a.authority.algorithm == kP256;
    }
    for (int i = 0; i < 2; ++i) {
      if (have[i]) continue;
      // Several nodes starting at once: the first insert wins, the others change nothing.
      OW_ASSIGN_OR_RETURN(auto row, MakeAuthority(i == 0 ? kSm2 : kP256, 1, ca_years));
      OW_RETURN_IF_ERROR(store::InsertAuthority(c, row));
    }
    return {};
  }));
  return Reload();
}

Status Service::Ring::Rotate(int64_t ca_years) {
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto existing, store::Authorities(c));
    int64_t next = 1;
    for (const auto& a : existing) next = std::max(next, a.authority.generation + 1);
    for (const char* alg : {kSm2, kP256}) {
      OW_ASSIGN_OR_RETURN(auto row, MakeAuthority(alg, next, ca_years));
      OW_ASSIGN_OR_RETURN(bool inserted, store::InsertAuthority(c, row));
      if (!inserted) return Conflict("another rotation of the CA ran at the same time");
    }
    return store::RetireAuthorities(c, next);
  }));
  std::lock_guard lock(mu_);
  crls_.clear();
  return {};
}

Status Service::Ring::Reload() {
  std::vector<store::AuthorityRow> authorities;
  std::vector<store::SealRow> seals;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(authorities, store::Authorities(c));
    OW_ASSIGN_OR_RETURN(seals, store::AllSealsWithKeys(c));
    return {};
  }));
  std::shared_ptr<const Snapshot> previous;
  {
    std::lock_guard lock(mu_);
    previous = snapshot_;
  }
  auto snap = std::make_shared<Snapshot>();
  snap->authorities = std::move(authorities);
  for (auto& row : seals) {
    // A seal's keys and certificates never change, and every status change bumps its
    // version: what was loaded at this version is reused, so a reload opens, parses and
    // checks only the seals that are new or changed.
    if (previous) {
      auto it = previous->seals.find(row.seal.id);
      if (it != previous->seals.end() && it->second->seal.version == row.seal.version &&
          it->second->chain) {
        snap->seals.emplace(row.seal.id, it->second);
        continue;
      }
    }
    auto loaded = std::make_shared<LoadedSeal>();
    loaded->seal = row.seal;
    const auto* sm2_root = snap->Root(kSm2, row.seal.ca_generation);
    const auto* p256_root = snap->Root(kP256, row.seal.ca_generation);
    if (!sm2_root || !p256_root) {
      loaded->chain = Internal("seal " + row.seal.id + " names CA generation " +
                               std::to_string(row.seal.ca_generation) + ", which is missing");
    } else {
      // The chain as it stood when the seal was made: whether a signature was made while
      // the certificate was valid is checked per signature (VerifySm2).
      auto from = ParseTime(row.seal.not_before);
      loaded->chain = crypto::VerifyChain(
          row.seal.sm2_certificate, {}, sm2_root->authority.certificate,
          from ? *from + std::chrono::seconds(1) : std::chrono::system_clock::now());
      loaded->p256_root = p256_root->authority.certificate;
    }
    OW_ASSIGN_OR_RETURN(auto sm2_pem, OpenKey(row.sm2_key, SealKeyAad(row.seal.id, kSm2)));
    OW_ASSIGN_OR_RETURN(auto sm2, crypto::Sm2Key::FromPrivatePem(sm2_pem));
    loaded->sm2 = std::move(sm2);
    OW_ASSIGN_OR_RETURN(loaded->p256_key_pem,
                        OpenKey(row.p256_key, SealKeyAad(row.seal.id, kP256)));
    snap->seals.emplace(row.seal.id, std::move(loaded));
  }
  snap->loaded = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snap);
  crls_.clear();
  return {};
}

Result<std::shared_ptr<const Service::Ring::Snapshot>> Service::Ring::Current() {
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard lock(mu_);
    snap = snapshot_;
  }
  bool stale = !snap || std::chrono::steady_clock::now() - snap->loaded > kReloadEvery;
  // One caller reloads; the others go on with the snapshot they have.
  if (stale && (!snap || !reloading_.exchange(true))) {
    auto st = Reload();
    reloading_ = false;
    if (!st && !snap) return st.error();
    std::lock_guard lock(mu_);
    snap = snapshot_;
  }
  return snap;
}

Result<std::shared_ptr<const Service::Ring::LoadedSeal>> Service::Ring::Find(
    const std::string& seal_id) {
  OW_ASSIGN_OR_RETURN(auto snap, Current());
  if (auto it = snap->seals.find(seal_id); it != snap->seals.end()) return it->second;
  // Not loaded: a seal made on another node (or by seed-demo) since the last load, or an
  // id someone made up. One indexed read tells them apart; only a real seal reloads.
  std::optional<store::SealRow> row;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(row, store::LoadSeal(c, seal_id, false));
    return {};
  }));
  if (!row) return NotFound("no seal " + seal_id);
  OW_RETURN_IF_ERROR(Reload());
  std::lock_guard lock(mu_);
  if (auto it = snapshot_->seals.find(seal_id); it != snapshot_->seals.end()) return it->second;
  return NotFound("no seal " + seal_id);
}

std::vector<Authority> Service::Ring::Authorities() {
  std::vector<Authority> out;
  auto snap = Current();
  if (!snap) return out;
  for (const auto& a : (*snap)->authorities) out.push_back(a.authority);
  return out;
}

Result<std::vector<std::string>> Service::Ring::Crls(const std::string& algorithm) {
  {
    std::lock_guard lock(mu_);
    auto it = crls_.find(algorithm);
    if (it != crls_.end() && std::chrono::steady_clock::now() - it->second.first < kCrlFor)
      return it->second.second;
  }
  OW_ASSIGN_OR_RETURN(auto snap, Current());
  std::vector<Seal> seals;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(seals, store::ListSeals(c, ""));
    return {};
  }));
  auto now = std::chrono::system_clock::now();
  std::vector<std::string> out;
  for (auto it = snap->authorities.rbegin(); it != snap->authorities.rend(); ++it) {
    if (it->authority.algorithm != algorithm) continue;
    crypto::CrlSpec spec;
    for (const auto& s : seals) {
      if (s.status != kSealRevoked || s.ca_generation != it->authority.generation) continue;
      auto at = ParseTime(s.status_at);
      spec.revoked.push_back({algorithm == kSm2 ? s.sm2_serial : s.p256_serial, at ? *at : now,
                              crypto::RevocationReason::kUnspecified});
    }
    spec.this_update = now - std::chrono::minutes(1);
    spec.next_update = now + std::chrono::hours(24);
    // Grows with every CRL: seconds since the epoch.
    spec.crl_number = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    OW_ASSIGN_OR_RETURN(auto key, OpenKey(it->key, AuthorityAad(algorithm == kSm2 ? kSm2 : kP256,
                                                                it->authority.generation)));
    OW_ASSIGN_OR_RETURN(auto crl, crypto::IssueCrl({it->authority.certificate, key}, spec));
    out.push_back(std::move(crl));
  }
  std::lock_guard lock(mu_);
  crls_[algorithm] = {std::chrono::steady_clock::now(), out};
  return out;
}

Result<store::SealRow> Service::Ring::MakeSeal(Seal seal, int64_t years) {
  OW_ASSIGN_OR_RETURN(auto snap, Current());
  const auto* sm2_root = snap->Newest(kSm2);
  const auto* p256_root = snap->Newest(kP256);
  if (!sm2_root || !p256_root) return Unavailable("the CA is not set up yet");
  if (sm2_root->authority.generation != p256_root->authority.generation)
    return Unavailable("the CA is being rotated; try again");
  auto now = std::chrono::system_clock::now();
  auto root_end = ParseTime(sm2_root->authority.not_after);
  SystemTime not_before = now - std::chrono::minutes(5);
  SystemTime not_after = std::min(Years(now, years), root_end ? *root_end : now);
  crypto::DistinguishedName subject{seal.name.substr(0, 64), "OneWindow",
                                    seal.department_code.substr(0, 64), "CN"};
  store::SealRow row;
  auto sealer = keys_.data_keys.rbegin();
  // One key pair of `algorithm`, certified by its root, the private key sealed.
  struct Made {
    std::string certificate, serial;
    store::SealedKey key;
  };
  auto make = [&](const char* algorithm, const store::AuthorityRow& root, std::string public_pem,
                  std::string private_pem) -> Result<Made> {
    OW_ASSIGN_OR_RETURN(auto root_key,
                        OpenKey(root.key, AuthorityAad(algorithm, root.authority.generation)));
    Made m;
    OW_ASSIGN_OR_RETURN(m.certificate, crypto::IssueCertificate(
                                           {subject, std::move(public_pem), not_before, not_after,
                                            crypto::CertificateRole::kSeal, std::nullopt},
                                           {root.authority.certificate, root_key}));
    OW_ASSIGN_OR_RETURN(auto info, crypto::ParseCertificate(m.certificate));
    m.serial = info.serial_hex;
    OW_ASSIGN_OR_RETURN(auto box, sealer->second.Seal(private_pem, SealKeyAad(seal.id, algorithm)));
    m.key = {crypto::Base64UrlEncode(box), sealer->first};
    return m;
  };
  // SM2: licence data and QR codes.
  OW_ASSIGN_OR_RETURN(auto sm2, crypto::Sm2Key::Generate());
  OW_ASSIGN_OR_RETURN(auto sm2_private, sm2.PrivatePem());
  OW_ASSIGN_OR_RETURN(auto sm2_made, make(kSm2, *sm2_root, sm2.PublicPem(), sm2_private));
  seal.sm2_certificate = sm2_made.certificate;
  seal.sm2_serial = sm2_made.serial;
  row.sm2_key = sm2_made.key;
  // P-256: PDF signatures.
  OW_ASSIGN_OR_RETURN(auto p256, crypto::SigningKey::Generate(crypto::Algorithm::kEs256));
  OW_ASSIGN_OR_RETURN(auto p256_private, p256.PrivatePem());
  OW_ASSIGN_OR_RETURN(auto p256_made, make(kP256, *p256_root, p256.PublicPem(), p256_private));
  seal.p256_certificate = p256_made.certificate;
  seal.p256_serial = p256_made.serial;
  row.p256_key = p256_made.key;
  seal.ca_generation = sm2_root->authority.generation;
  seal.not_before = FormatTime(not_before);
  seal.not_after = FormatTime(not_after);
  row.seal = std::move(seal);
  return row;
}

Result<std::string> Service::Ring::SignSm2(const std::string& seal_id, std::string_view data) {
  OW_ASSIGN_OR_RETURN(auto seal, Find(seal_id));
  if (!seal->chain)
    return FailedPrecondition("seal " + seal_id + ": " + seal->chain.error().message);
  return seal->sm2->Sign(data);
}

Result<Service::Ring::PdfSigner> Service::Ring::PdfSignerOf(const std::string& seal_id) {
  OW_ASSIGN_OR_RETURN(auto seal, Find(seal_id));
  return PdfSigner{seal->seal.p256_certificate, seal->p256_key_pem, {seal->p256_root}};
}

Result<Seal> Service::Ring::VerifySm2(const std::string& seal_id, std::string_view data,
                                      std::string_view raw, std::string_view issued) {
  auto seal = Find(seal_id);
  if (!seal) {
    if (seal.error().code == Code::kNotFound)
      return Unauthenticated("the code names a seal this platform does not have");
    return seal.error();
  }
  const LoadedSeal& s = **seal;
  if (!s.chain)
    return Unauthenticated("the seal's certificate does not chain to the platform CA: " +
                           s.chain.error().message);
  auto der = crypto::Sm2SignatureFromRaw(raw);
  if (!der || !s.sm2->Verify(data, *der))
    return Unauthenticated(
        "the signature does not verify with the seal's certificate: the code "
        "was altered or not made by this platform");
  // The certificate was valid on the day it signed (dates in China time, YYYYMMDD).
  auto day = [](const std::string& rfc3339) {
    auto t = ParseTime(rfc3339);
    if (!t) return std::string();
    std::string d = FormatDate(ChinaDate(*t));
    return d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
  };
  if (issued < day(s.seal.not_before) || issued > day(s.seal.not_after))
    return Unauthenticated("the seal's certificate was not valid on the day the code was issued");
  return s.seal;
}

}  // namespace ow::licences
