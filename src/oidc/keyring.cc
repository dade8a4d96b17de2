#include "oidc/keyring.h"

#include "core/clock.h"
#include "crypto/encoding.h"
#include "db/shared_state.h"
#include "oidc/store.h"

namespace ow::oidc {

namespace {
constexpr auto kReloadEvery = std::chrono::seconds(60);
constexpr const char* kAlgs[] = {"ES256", "EdDSA"};
// pg_advisory_xact_lock key serializing the first creation of the keys ("OWOIDCK").
constexpr int64_t kInitLockKey = 0x4f574f4944434b;
constexpr std::string_view kGeneration = "oidc.keys";
std::string Aad(const std::string& kid) { return "oidc_keys:" + kid; }
}  // namespace

KeyRing::KeyRing(db::Database& db, const identity::Keys& keys, std::chrono::hours overlap)
    : db_(db), keys_(keys), overlap_(overlap) {}

Status KeyRing::CreateKeys(db::Connection& c) {
  auto sealer = keys_.data_keys.rbegin();
  for (const char* name : kAlgs) {
    OW_ASSIGN_OR_RETURN(auto alg, crypto::ParseAlgorithm(name));
    OW_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::Generate(alg));
    OW_ASSIGN_OR_RETURN(auto pem, key.PrivatePem());
    OW_ASSIGN_OR_RETURN(auto box, sealer->second.Seal(pem, Aad(key.kid())));
    OW_RETURN_IF_ERROR(Store::InsertKey(
        c, {key.kid(), name, crypto::Base64UrlEncode(box), sealer->first, NowText(), ""}));
  }
  return {};
}

Status KeyRing::Init() {
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    // Servers starting together on one PostgreSQL would each find no keys and make their
    // own (several active keys per algorithm); the first takes this lock until it commits,
    // the others then find its keys. (SQLite's write lock already serializes this.)
    if (c.dialect() == db::Dialect::kPostgres) {
      OW_RETURN_IF_ERROR(c.Query("SELECT pg_advisory_xact_lock($1)", {kInitLockKey}));
    }
    OW_ASSIGN_OR_RETURN(auto stored, Store::Keys(c));
    bool have[2] = {false, false};
    for (const auto& k : stored) {
      if (!k.retired_at.empty()) continue;
      have[0] = have[0] || k.alg == kAlgs[0];
      have[1] = have[1] || k.alg == kAlgs[1];
    }
    if (have[0] && have[1]) return {};
    // A half-initialized ring (never expected) is completed by a full rotation.
    if (have[0] || have[1]) OW_RETURN_IF_ERROR(Store::RetireKeys(c, NowText()));
    OW_RETURN_IF_ERROR(db::BumpGeneration(c, kGeneration));
    return CreateKeys(c);
  }));
  return Reload();
}

Status KeyRing::Rotate() {
  // The generation moves in the rotation's transaction: every node's next use of the
  // ring sees it and reloads (db/shared_state.h).
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_RETURN_IF_ERROR(Store::RetireKeys(c, NowText()));
    OW_RETURN_IF_ERROR(db::BumpGeneration(c, kGeneration));
    return CreateKeys(c);
  }));
  return Reload();
}

Status KeyRing::Reload() {
  std::vector<StoredKey> stored;
  uint64_t generation = 0;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(generation, db::ReadGeneration(c, kGeneration));
    OW_ASSIGN_OR_RETURN(stored, Store::Keys(c));
    return {};
  }));
  auto snap = std::make_shared<Snapshot>();
  std::string cutoff = FormatTime(std::chrono::system_clock::now() - overlap_);
  for (const auto& k : stored) {
    bool active = k.retired_at.empty();
    if (!active && k.retired_at < cutoff) continue;  // past the overlap: unpublished
    auto data_key = keys_.data_keys.find(k.key_version);
    if (data_key == keys_.data_keys.end())
      return Internal("signing key " + k.kid + " is sealed with data key version " +
                      std::to_string(k.key_version) + ", which is not configured");
    OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(k.private_box));
    auto pem = data_key->second.Open(box, Aad(k.kid));
    if (!pem) return Internal("signing key " + k.kid + " cannot be opened with its data key");
    OW_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::FromPrivatePem(*pem));
    snap->all.emplace(k.kid, key);
    // Keys are ordered by creation: the newest active one of an algorithm wins.
    if (active) snap->active.insert_or_assign(k.alg, key);
  }
  snap->loaded = std::chrono::steady_clock::now();
  snap->generation = generation;
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_ = std::move(snap);
  return {};
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::Current() {
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap = snapshot_;
  }
  // A rotation on any node moves the generation: checked per use, so a token signed or
  // verified right after a rotation elsewhere uses the new keys. The periodic reload
  // still unpublishes keys whose overlap ended.
  bool stale = !snap || std::chrono::steady_clock::now() - snap->loaded > kReloadEvery ||
               db::CurrentGeneration(db_, kGeneration) != snap->generation;
  // One caller reloads; the others keep signing with the snapshot they have.
  if (stale && (!snap || !reloading_.exchange(true))) {
    (void)Reload();
    reloading_ = false;
    std::lock_guard<std::mutex> lock(mu_);
    snap = snapshot_;
  }
  return snap;
}

Result<crypto::SigningKey> KeyRing::Active(const std::string& alg) {
  auto snap = Current();
  if (!snap) return Unavailable("signing keys are not loaded");
  auto it = snap->active.find(alg);
  if (it == snap->active.end()) return Internal("no active " + alg + " signing key");
  return it->second;
}

std::optional<crypto::SigningKey> KeyRing::Find(std::string_view kid) {
  auto snap = Current();
  if (snap) {
    auto it = snap->all.find(kid);
    if (it != snap->all.end()) return it->second;
  }
  // Current() already compared the generation: a kid unknown to a current snapshot is
  // unknown.
  return std::nullopt;
}

boost::json::array KeyRing::PublicJwks() {
  boost::json::array keys;
  auto snap = Current();
  if (!snap) return keys;
  for (const auto& [kid, key] : snap->all) keys.push_back(key.PublicJwk());
  return keys;
}

}  // namespace ow::oidc
