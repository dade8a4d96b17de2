// Byte-string encodings used by JOSE and for displaying digests.
//
// All functions are pure and thread-safe. Decoders are strict: they accept exactly
// the output of the matching encoder and nothing else, so that one byte string has
// exactly one accepted text form (a token cannot be varied without breaking it).
// Errors: decoders return kInvalidArgument for malformed text.
#ifndef OW_CRYPTO_ENCODING_H_
#define OW_CRYPTO_ENCODING_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::crypto {

// RFC 4648 section 5 base64url, without '=' padding (as JOSE uses it, RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);

// Rejects padding, whitespace, characters outside [A-Za-z0-9_-], impossible lengths
// (4k+1) and non-canonical text whose unused trailing bits are not zero.
Result<std::string> Base64UrlDecode(std::string_view text);

// Lower-case hexadecimal, two digits per byte.
std::string HexEncode(std::string_view bytes);

// Accepts upper- and lower-case digits; rejects odd lengths and any other character.
Result<std::string> HexDecode(std::string_view text);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_ENCODING_H_
