// Micro-benchmarks of the per-request costs behind bench/identity.sh's HTTP figures:
//   - an argon2id hash and a verify at the parameters the server uses (PasswordParams's
//     default, OWASP's m = 19 MiB, t = 2, p = 1): a password login verifies once;
//   - signing a client-credentials access token (the claims the token endpoint signs)
//     with ES256 and with EdDSA: a token issue signs once;
//   - verifying such a token (what a resource server does with it).
// No database, no network:
//
//   build/release/bench/ow_identity_bench
//
// bench/identity.sh runs it in the same run as the HTTP load, so the per-operation
// times and the requests/s it reports come from the same machine in the same minutes.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <string>

#include "crypto/jws.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/random.h"

namespace {

namespace json = boost::json;
using ow::crypto::Algorithm;
using ow::crypto::PasswordParams;
using ow::crypto::SigningKey;

// A password of the length the benchmark accounts use (policy: 10 to 128 characters).
const std::string kPassword = "bench-Password-0001";

void BM_HashPassword(benchmark::State& state) {
  const PasswordParams params = PasswordParams::Owasp();
  for (auto _ : state) {
    auto hash = ow::crypto::HashPassword(kPassword, params);
    if (!hash) {
      state.SkipWithError(hash.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(*hash);
  }
  state.SetLabel("argon2id m=19456 KiB t=2 p=1");
}
BENCHMARK(BM_HashPassword)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_VerifyPassword(benchmark::State& state) {
  auto hash = ow::crypto::HashPassword(kPassword);
  if (!hash) {
    state.SkipWithError(hash.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto ok = ow::crypto::VerifyPassword(*hash, kPassword);
    if (!ok) {
      state.SkipWithError("the right password did not verify");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("argon2id m=19456 KiB t=2 p=1 (what a login computes)");
}
// One thread, and two at once in one process: what the server does with its default
// password_concurrency (one per core) on this machine. Each verify maps, populates
// and unmaps 19 MiB, so two at once also contend in the kernel for the one address space.
BENCHMARK(BM_VerifyPassword)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

// The claims of a client-credentials access token as oidc::Provider::Token builds them.
json::object AccessTokenClaims() {
  return {{"iss", "http://127.0.0.1:8080"},
          {"sub", "cl_0123456789abcdef"},
          {"aud", "http://127.0.0.1:8080"},
          {"client_id", "cl_0123456789abcdef"},
          {"scope", "catalog.read"},
          {"iat", 1800000000},
          {"exp", 1800000600},
          {"jti", ow::crypto::RandomToken(16)}};
}

void BM_SignAccessToken(benchmark::State& state) {
  const auto alg = static_cast<Algorithm>(state.range(0));
  auto key = SigningKey::Generate(alg);
  if (!key) {
    state.SkipWithError(key.error().message.c_str());
    return;
  }
  const json::object claims = AccessTokenClaims();
  const json::object header{{"typ", "at+jwt"}};
  for (auto _ : state) {
    auto jwt = ow::crypto::SignJwt(*key, claims, header);
    if (!jwt) {
      state.SkipWithError(jwt.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(*jwt);
  }
  state.SetLabel(std::string(ow::crypto::AlgorithmName(alg)));
}
BENCHMARK(BM_SignAccessToken)
    ->Arg(static_cast<int>(Algorithm::kEs256))
    ->Arg(static_cast<int>(Algorithm::kEdDsa))
    ->Unit(benchmark::kMicrosecond);

void BM_VerifyAccessToken(benchmark::State& state) {
  const auto alg = static_cast<Algorithm>(state.range(0));
  auto key = SigningKey::Generate(alg);
  if (!key) {
    state.SkipWithError(key.error().message.c_str());
    return;
  }
  auto jwt = ow::crypto::SignJwt(*key, AccessTokenClaims(), {{"typ", "at+jwt"}});
  if (!jwt) {
    state.SkipWithError(jwt.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto verified = ow::crypto::VerifyJwt(*jwt, *key);
    if (!verified) {
      state.SkipWithError(verified.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(verified->claims);
  }
  state.SetLabel(std::string(ow::crypto::AlgorithmName(alg)));
}
BENCHMARK(BM_VerifyAccessToken)
    ->Arg(static_cast<int>(Algorithm::kEs256))
    ->Arg(static_cast<int>(Algorithm::kEdDsa))
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
