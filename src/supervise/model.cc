#include "supervise/model.h"

#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace ow::supervise {
namespace {

// The draw's randomness: SHA-256(seed ":" block), read 8 bytes at a time (big-endian).
class Stream {
 public:
  explicit Stream(const std::string& seed) : seed_(seed) {}

  uint64_t Next() {
    if (used_ + 8 > block_.size()) {
      block_ = crypto::Sha256(seed_ + ":" + std::to_string(counter_++));
      used_ = 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(block_[used_ + i]);
    used_ += 8;
    return v;
  }
  // Uniform in [0, bound), by rejection (no modulo bias).
  uint64_t Below(uint64_t bound) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;) {
      uint64_t v = Next();
      if (v < limit) return v % bound;
    }
  }

 private:
  std::string seed_;
  std::string block_;
  size_t used_ = 0;
  uint64_t counter_ = 0;
};

// Moves `k` uniformly chosen elements of `v` to its front (a partial Fisher-Yates shuffle).
template <typename T>
void ChooseFront(std::vector<T>& v, size_t k, Stream& s) {
  for (size_t i = 0; i < k && i + 1 < v.size(); ++i) {
    size_t j = i + s.Below(v.size() - i);
    std::swap(v[i], v[j]);
  }
}

std::string RandomBase32(size_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string bytes = crypto::RandomBytes(n);
  std::string out;
  for (unsigned char b : bytes) out.push_back(kAlphabet[b & 31]);
  return out;
}

}  // namespace

bool IsKind(std::string_view k) {
  return k == kCase || k == kTicket || k == kRectification || k == kOrder || k == kClaim;
}

int YellowDays(std::string_view kind) { return kind == kCase ? 2 : 1; }

std::string WarningLevel(Date due, Date today, const Calendar& cal, int yellow_days) {
  if (today > due) return kRed;
  return cal.WorkingDaysBetween(today, due) <= yellow_days ? kYellow : "";
}

bool IsResult(std::string_view r) {
  return r == kNoProblem || r == kRectify || r == kSerious || r == kNotFound;
}

Result<std::vector<Pairing>> Draw(const std::string& seed, std::vector<Entity> entities,
                                  std::vector<Inspector> inspectors, const Bars& bars, int n,
                                  int m) {
  if (seed.empty()) return InvalidArgument("a draw needs a seed");
  if (n < 1 || m < 1) return InvalidArgument("draw at least one entity and one inspector");
  std::sort(entities.begin(), entities.end(),
            [](const Entity& a, const Entity& b) { return a.uscc < b.uscc; });
  std::sort(inspectors.begin(), inspectors.end(),
            [](const Inspector& a, const Inspector& b) { return a.account < b.account; });
  Stream s(seed);
  size_t count = std::min<size_t>(static_cast<size_t>(n), entities.size());
  ChooseFront(entities, count, s);
  std::vector<Pairing> out;
  for (size_t i = 0; i < count; ++i) {
    const Entity& e = entities[i];
    std::vector<std::string> eligible;
    for (const auto& x : inspectors)
      if (!bars.count({x.account, e.uscc})) eligible.push_back(x.account);
    if (eligible.size() < static_cast<size_t>(m))
      return FailedPrecondition("only " + std::to_string(eligible.size()) +
                                " inspectors have no declared conflict with " + e.uscc + ", " +
                                std::to_string(m) + " are needed");
    ChooseFront(eligible, static_cast<size_t>(m), s);
    eligible.resize(static_cast<size_t>(m));
    out.push_back({e.uscc, std::move(eligible)});
  }
  return out;
}

std::string NewNumber(std::string_view prefix, Date day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", day.year, day.month, day.day);
  return std::string(prefix) + buf + RandomBase32(8);
}

std::string NewSeed() { return crypto::HexEncode(crypto::RandomBytes(16)); }

}  // namespace ow::supervise
