// The compact, offline-verifiable payload of a licence's QR code.
//
//   OWL1.<claims>.<signature>
//
// `claims` is base64url (no padding) of a JSON object with exactly these members, all
// strings:
//   "n"  the licence number
//   "t"  the licence type code
//   "h"  the holder digest: base64url of the first 16 bytes of
//        SM3("OWL1-holder" 0x00 kind ":" holder-id 0x00 number), so whoever has the
//        holder's ID card or credit code in front of them can check it is theirs without
//        the code revealing the number (an 18-character resident ID number has too few
//        possibilities to be secret against a determined guesser: the digest binds, it
//        does not hide)
//   "i"  issue date, "f" valid from, "u" valid to ("" = no end): YYYYMMDD
//   "s"  the id of the seal that signed it
// `signature` is base64url of the 64-byte SM2 signature r || s (GB/T 32918, SM3, the
// distinguishing ID 1234567812345678) by that seal over the ASCII bytes "OWL1.<claims>".
// A verifier needs only the seal's certificate, published at
// /api/v1/seals/{id}/certificate and chained to the platform CA (/api/v1/pki/ca).
//
// In a QR code the payload follows "#" in the URL of the verification page
// (<base>/verify#OWL1...): a phone camera opens the page, which asks the API (the
// fragment never reaches a server log); an offline app takes the part after "#".
#ifndef OW_LICENCES_PAYLOAD_H_
#define OW_LICENCES_PAYLOAD_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace ow::licences {

inline constexpr size_t kMaxPayloadBytes = 1024;

struct PayloadClaims {
  std::string number, type_code, holder_digest, issued, valid_from, valid_to, seal_id;
};

struct Payload {
  PayloadClaims claims;
  std::string signing_input;  // "OWL1.<claims>": the bytes the signature covers
  std::string signature;      // 64 bytes r || s
};

// The holder digest of "h" (base64url, 22 characters).
std::string HolderDigest(std::string_view holder_kind, std::string_view holder_id,
                         std::string_view number);

// The signing input for `claims` ("OWL1.<claims>"). kInvalidArgument when a claim is
// malformed (the rules of Parse).
Result<std::string> SigningInput(const PayloadClaims& claims);
// The payload text: signing input "." base64url(signature); `signature` is r || s.
std::string Compose(const std::string& signing_input, std::string_view signature);

// Parses a payload, or a URL whose fragment is one. Strict: at most kMaxPayloadBytes,
// the OWL1 prefix, canonical base64url, a JSON object with exactly the seven members as
// strings (number 1..64 bytes of printable UTF-8 without control characters, type code
// [a-z0-9_]{2,40}, digest 22 base64url characters, dates YYYYMMDD or "" for "u", seal
// id seal_[A-Za-z0-9_-]{1,40}), a 64-byte signature. kInvalidArgument naming what is
// wrong otherwise. Says nothing about the signature's validity.
Result<Payload> ParsePayload(std::string_view text);

}  // namespace ow::licences

#endif  // OW_LICENCES_PAYLOAD_H_
