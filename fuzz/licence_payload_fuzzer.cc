// A licence's QR payload (licences/payload.h), which anyone can send to the public
// verification API: any bytes, or a URL with one in its fragment. What parses must
// round-trip: the signing input rebuilt from the claims verifies as the same claims, and
// the signature converts to DER and back (crypto/sm2.h) or is refused, never crashes.
#include <cstdlib>

#include "crypto/sm2.h"
#include "fuzz_util.h"
#include "licences/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = ow::licences::ParsePayload(ow::fuzz::AsText(data, size));
  if (!p) return 0;
  if (p->signature.size() != 64 || p->signing_input.rfind("OWL1.", 0) != 0) std::abort();
  auto input = ow::licences::SigningInput(p->claims);
  if (!input) std::abort();  // claims that parsed are claims we could have written
  auto again = ow::licences::ParsePayload(ow::licences::Compose(*input, p->signature));
  if (!again || again->claims.number != p->claims.number ||
      again->claims.seal_id != p->claims.seal_id || again->claims.valid_to != p->claims.valid_to)
    std::abort();
  if (auto der = ow::crypto::Sm2SignatureFromRaw(p->signature)) {
    auto raw = ow::crypto::Sm2SignatureToRaw(*der);
    if (!raw || *raw != p->signature) std::abort();
  }
  return 0;
}
