#include "crypto/random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "crypto/encoding.h"

namespace ow::crypto {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t done = 0;
  // RAND_bytes takes an int length.
  while (done < n) {
    const size_t chunk = std::min<size_t>(n - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(chunk)) !=
        1) {
      std::fprintf(stderr, "ow::crypto::RandomBytes: RAND_bytes failed: %s\n",
                   ERR_error_string(ERR_get_error(), nullptr));
      std::abort();
    }
    done += chunk;
  }
  return out;
}

std::string RandomToken(size_t bytes) { return Base64UrlEncode(RandomBytes(bytes)); }

}  // namespace ow::crypto
