#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <climits>
#include <ctime>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/openssl_internal.h"
#include "crypto/random.h"
#include "crypto/sm2.h"

namespace ow::crypto {
namespace {

using internal::BignumPtr;
using internal::BioPtr;
using internal::EcKind;
using internal::MdCtxPtr;
using internal::OpenSslError;
using internal::PkeyPtr;
using internal::TakeOpenSslErrors;
using internal::U;
using internal::X509CrlPtr;
using internal::X509Ptr;

using internal::Deleter;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE_free>>;
using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, Deleter<ASN1_ENUMERATED_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Deleter<AUTHORITY_KEYID_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<X509_REVOKED_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }  // not the certificates
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

constexpr size_t kSerialSize = 16;
constexpr size_t kMaxSerialSize = 20;  // RFC 5280 4.1.2.2
constexpr size_t kMaxNameChars = 64;   // ub-common-name, ub-organization-name, ...

KeyKind Public(EcKind kind) { return kind == EcKind::kSm2 ? KeyKind::kSm2 : KeyKind::kP256; }
int SignatureNid(EcKind kind) {
  return kind == EcKind::kSm2 ? NID_SM2_with_SM3 : NID_ecdsa_with_SHA256;
}

// ---- times ----------------------------------------------------------------------------

time_t ToTimeT(SystemTime t) {
  return static_cast<time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
}

Result<SystemTime> FromAsn1Time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return InvalidArgument("malformed time");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Result<Asn1TimePtr> ToAsn1Time(SystemTime t) {
  // UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
  Asn1TimePtr out(ASN1_TIME_set(nullptr, ToTimeT(t)));
  if (!out) return OpenSslError("encoding a time");
  return out;
}

// ---- names ----------------------------------------------------------------------------

// Counts the code points of well-formed UTF-8 without control characters; -1 otherwise.
long Utf8Chars(std::string_view s) {
  long count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return -1;
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return -1;
    }
    if (i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    if (cp >= 0x80 && cp < 0xA0) return -1;  // C1 controls
    i += len;
  }
  return count;
}

Status CheckName(const DistinguishedName& dn) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"common name", &dn.common_name},
      {"organization", &dn.organization},
      {"organizational unit", &dn.organizational_unit}};
  for (const auto& [what, value] : fields) {
    const long chars = Utf8Chars(*value);
    if (chars < 0) return InvalidArgument(std::string(what) + ": not printable UTF-8");
    if (chars > static_cast<long>(kMaxNameChars)) {
      return InvalidArgument(std::string(what) + ": longer than 64 characters");
    }
  }
  if (dn.common_name.empty()) return InvalidArgument("common name is required");
  if (!dn.country.empty() &&
      (dn.country.size() != 2 || !std::isupper(static_cast<unsigned char>(dn.country[0])) ||
       !std::isupper(static_cast<unsigned char>(dn.country[1])))) {
    return InvalidArgument("country: two upper-case letters (ISO 3166), e.g. \"CN\"");
  }
  return {};
}

Result<X509NamePtr> BuildName(const DistinguishedName& dn) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return OpenSslError("X509_NAME_new");
  // Most significant first, as RFC 5280's examples and browsers show them.
  const std::tuple<int, int, const std::string*> entries[] = {
      {NID_countryName, MBSTRING_ASC, &dn.country},
      {NID_organizationName, MBSTRING_UTF8, &dn.organization},
      {NID_organizationalUnitName, MBSTRING_UTF8, &dn.organizational_unit},
      {NID_commonName, MBSTRING_UTF8, &dn.common_name}};
  for (const auto& [nid, type, value] : entries) {
    if (value->empty()) continue;
    if (value->size() > INT_MAX ||
        X509_NAME_add_entry_by_NID(name.get(), nid, type, U(*value),
                                   static_cast<int>(value->size()), -1, 0) != 1) {
      return InvalidArgument(TakeOpenSslErrors("name field rejected"));
    }
  }
  return name;
}

Result<DistinguishedName> ReadName(const X509_NAME* name) {
  DistinguishedName dn;
  const int count = X509_NAME_entry_count(name);
  if (count <= 0) return InvalidArgument("empty name");
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    std::string* field = nullptr;
    switch (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))) {
      case NID_commonName:
        field = &dn.common_name;
        break;
      case NID_organizationName:
        field = &dn.organization;
        break;
      case NID_organizationalUnitName:
        field = &dn.organizational_unit;
        break;
      case NID_countryName:
        field = &dn.country;
        break;
      default:
        return InvalidArgument("name has an attribute other than C, O, OU, CN");
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) {
      ERR_clear_error();
      return InvalidArgument("name attribute is not a string");
    }
    std::string value(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    if (!field->empty() || value.empty()) {
      return InvalidArgument("name has a repeated or empty attribute");
    }
    *field = std::move(value);
  }
  return dn;
}

std::string CommonName(const X509* x) {
  auto dn = ReadName(X509_get_subject_name(x));
  return dn ? dn->common_name : std::string("?");
}

// ---- serial numbers -------------------------------------------------------------------

Result<std::string> SerialHex(const ASN1_INTEGER* serial) {
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return InvalidArgument(TakeOpenSslErrors("malformed serial number"));
  if (BN_is_negative(bn.get()) || BN_is_zero(bn.get())) {
    return InvalidArgument("serial number is not positive");
  }
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  if (bytes.size() > kMaxSerialSize) return InvalidArgument("serial number longer than 20 bytes");
  return HexEncode(bytes);
}

Result<Asn1IntegerPtr> SerialFromHex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->empty()) return InvalidArgument("serial: not hexadecimal");
  BignumPtr bn(BN_bin2bn(U(*bytes), static_cast<int>(bytes->size()), nullptr));
  if (!bn) return OpenSslError("serial");
  if (BN_is_zero(bn.get())) return InvalidArgument("serial: zero");
  if (static_cast<size_t>(BN_num_bytes(bn.get())) > kMaxSerialSize) {
    return InvalidArgument("serial: longer than 20 bytes");
  }
  Asn1IntegerPtr out(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!out) return OpenSslError("serial");
  return out;
}

// ---- PEM and DER ----------------------------------------------------------------------

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The DER inside exactly one PEM block labelled `label`, without headers, and nothing
// else in `pem` but whitespace.
Result<std::string> PemToDer(std::string_view pem, const std::string& label) {
  const std::string begin = "-----BEGIN " + label + "-----";
  const std::string end = "-----END " + label + "-----";
  size_t first = 0;
  while (first < pem.size() && IsSpace(pem[first])) ++first;
  size_t last = pem.size();
  while (last > first && IsSpace(pem[last - 1])) --last;
  const std::string_view body = pem.substr(first, last - first);
  if (body.substr(0, begin.size()) != begin || body.size() < end.size() ||
      body.substr(body.size() - end.size()) != end || body.find(begin, 1) != std::string::npos) {
    return InvalidArgument("not exactly one " + label + " PEM block");
  }
  OW_ASSIGN_OR_RETURN(BioPtr bio, internal::MemBio(body));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  const int ok = PEM_read_bio(bio.get(), &name, &header, &data, &len);
  // Nothing may follow the block (a second END line, say).
  const bool right =
      ok == 1 && label == name && header[0] == '\0' && len > 0 && BIO_ctrl_pending(bio.get()) == 0;
  std::string der = right ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  ERR_clear_error();
  if (!right) return InvalidArgument("malformed " + label + " PEM");
  return der;
}

// Decodes `der` and requires that it is the canonical encoding of what it decodes to
// (DER, not BER) with nothing after it.
Result<X509Ptr> DecodeCertificate(const std::string& der) {
  const unsigned char* p = U(der);
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != U(der) + der.size()) {
    ERR_clear_error();
    return InvalidArgument("malformed certificate DER");
  }
  unsigned char* out = nullptr;
  const int len = i2d_X509(x.get(), &out);
  const bool same = len > 0 && std::string_view(reinterpret_cast<char*>(out), len) == der;
  OPENSSL_free(out);
  if (!same) return InvalidArgument("certificate is not in canonical DER");
  return x;
}

Result<X509CrlPtr> DecodeCrl(const std::string& der) {
  const unsigned char* p = U(der);
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != U(der) + der.size()) {
    ERR_clear_error();
    return InvalidArgument("malformed CRL DER");
  }
  unsigned char* out = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &out);
  const bool same = len > 0 && std::string_view(reinterpret_cast<char*>(out), len) == der;
  OPENSSL_free(out);
  if (!same) return InvalidArgument("CRL is not in canonical DER");
  return crl;
}

// The first element of a DER SEQUENCE, header included: the signed part (tbsCertList) of
// a CRL.
Result<std::string_view> FirstElement(std::string_view der) {
  const unsigned char* p = U(der);
  const unsigned char* const end = p + der.size();
  long len = 0;
  int tag = 0;
  int cls = 0;
  int r = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  if ((r & 0x80) != 0 || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE) {
    ERR_clear_error();
    return InvalidArgument("not a DER SEQUENCE");
  }
  const unsigned char* start = p;
  r = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  if ((r & 0x80) != 0 || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE) {
    ERR_clear_error();
    return InvalidArgument("not a DER SEQUENCE of a SEQUENCE");
  }
  return std::string_view(reinterpret_cast<const char*>(start),
                          static_cast<size_t>(p - start) + static_cast<size_t>(len));
}

Result<std::string> ToPem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return OpenSslError("writing PEM");
  return internal::ReadBio(bio.get());
}

// ---- certificates ---------------------------------------------------------------------

// A certificate that passed ParseCertificate's checks, with what they found.
struct Parsed {
  X509Ptr x;
  CertificateInfo info;
  EcKind kind = EcKind::kSm2;
};

Result<Parsed> Parse(std::string_view pem) {
  Parsed out;
  OW_ASSIGN_OR_RETURN(std::string der, PemToDer(pem, "CERTIFICATE"));
  OW_ASSIGN_OR_RETURN(out.x, DecodeCertificate(der));
  X509* x = out.x.get();
  CertificateInfo& info = out.info;
  if (X509_get_version(x) != X509_VERSION_3) return InvalidArgument("not an X.509 v3 certificate");
  OW_ASSIGN_OR_RETURN(info.serial_hex, SerialHex(X509_get0_serialNumber(x)));
  OW_ASSIGN_OR_RETURN(info.subject, ReadName(X509_get_subject_name(x)));
  OW_ASSIGN_OR_RETURN(info.issuer, ReadName(X509_get_issuer_name(x)));
  OW_ASSIGN_OR_RETURN(info.not_before, FromAsn1Time(X509_get0_notBefore(x)));
  OW_ASSIGN_OR_RETURN(info.not_after, FromAsn1Time(X509_get0_notAfter(x)));
  const EVP_PKEY* pkey = X509_get0_pubkey(x);
  if (pkey == nullptr) {
    ERR_clear_error();
    return InvalidArgument("certificate public key cannot be read");
  }
  OW_ASSIGN_OR_RETURN(out.kind, internal::ClassifyKey(pkey));
  info.key_kind = Public(out.kind);
  const int sig_nid = X509_get_signature_nid(x);
  if (sig_nid != NID_SM2_with_SM3 && sig_nid != NID_ecdsa_with_SHA256) {
    return InvalidArgument(
        "certificate signature algorithm is neither SM2-with-SM3 nor "
        "ecdsa-with-SHA256");
  }
  info.signature_algorithm = OBJ_nid2ln(sig_nid);
  const uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_INVALID) != 0) return InvalidArgument("certificate extensions are invalid");
  if ((flags & EXFLAG_CRITICAL) != 0) {
    return InvalidArgument("certificate has an unsupported critical extension");
  }
  info.is_ca = (flags & EXFLAG_CA) != 0;
  const long pathlen = X509_get_pathlen(x);
  if (info.is_ca && pathlen >= 0 && pathlen <= INT_MAX)
    info.path_length = static_cast<int>(pathlen);
  info.self_issued = info.subject == info.issuer;
  OW_ASSIGN_OR_RETURN(info.public_key_pem, internal::PublicKeyPem(pkey));
  info.sha256_fingerprint = HexEncode(Sha256(der));
  info.der = std::move(der);
  return out;
}

// What signs: a private key, and the CA certificate unless self-signing.
struct Signer {
  PkeyPtr key;
  EcKind kind = EcKind::kSm2;
  std::optional<Parsed> cert;
};

Result<Signer> LoadSigner(const Issuer& issuer, bool for_crl) {
  Signer s;
  auto key = internal::ReadPrivateKey(issuer.private_key_pem);
  if (!key) return InvalidArgument("issuer private key: " + key.error().message);
  s.key = std::move(*key);
  auto kind = internal::ClassifyKey(s.key.get());
  if (!kind) return InvalidArgument("issuer private key: " + kind.error().message);
  s.kind = *kind;
  if (issuer.certificate_pem.empty()) return s;
  auto cert = Parse(issuer.certificate_pem);
  if (!cert) return InvalidArgument("issuer certificate: " + cert.error().message);
  X509* x = cert->x.get();
  if (X509_check_private_key(x, s.key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("issuer private key does not match the issuer certificate");
  }
  const uint32_t flags = X509_get_extension_flags(x);
  const uint32_t usage = X509_get_key_usage(x);
  const uint32_t needed = for_crl ? KU_CRL_SIGN : KU_KEY_CERT_SIGN;
  if ((flags & EXFLAG_CA) == 0 || (flags & EXFLAG_KUSAGE) == 0 || (usage & needed) == 0) {
    return InvalidArgument(std::string("issuer certificate is not a CA with ") +
                           (for_crl ? "cRLSign" : "keyCertSign"));
  }
  if (X509_get0_subject_key_id(x) == nullptr) {
    return InvalidArgument("issuer certificate has no subjectKeyIdentifier");
  }
  s.cert = std::move(*cert);
  return s;
}

Status AddExtension(X509* x, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError(std::string("adding extension ") + OBJ_nid2sn(nid));
  }
  return {};
}

Result<Asn1OctetStringPtr> KeyIdentifier(X509* x) {
  // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (!id || X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1 ||
      ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
    return OpenSslError("subject key identifier");
  }
  return id;
}

Result<AuthorityKeyIdPtr> AuthorityKeyId(const ASN1_OCTET_STRING* key_id) {
  AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  if (!akid || (akid->keyid = ASN1_OCTET_STRING_dup(key_id)) == nullptr) {
    return OpenSslError("authority key identifier");
  }
  return akid;
}

Status AddCertificateExtensions(X509* x, const CertificateSpec& spec,
                                const ASN1_OCTET_STRING* issuer_key_id) {
  const bool ca = spec.role == CertificateRole::kCertificateAuthority;
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) return OpenSslError("basicConstraints");
  bc->ca = ca ? 0xFF : 0;
  if (ca && spec.path_length) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *spec.path_length) != 1) {
      return OpenSslError("pathLenConstraint");
    }
  }
  OW_RETURN_IF_ERROR(AddExtension(x, NID_basic_constraints, bc.get(), ca));

  Asn1BitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage) return OpenSslError("keyUsage");
  // Bit numbers of RFC 5280 4.2.1.3's KeyUsage.
  constexpr int kDigitalSignature = 0, kNonRepudiation = 1, kKeyCertSign = 5, kCrlSign = 6;
  const std::vector<int> bits = ca ? std::vector<int>{kKeyCertSign, kCrlSign}
                                   : std::vector<int>{kDigitalSignature, kNonRepudiation};
  for (int bit : bits) {
    if (ASN1_BIT_STRING_set_bit(usage.get(), bit, 1) != 1) return OpenSslError("keyUsage");
  }
  OW_RETURN_IF_ERROR(AddExtension(x, NID_key_usage, usage.get(), true));
  if (spec.role == CertificateRole::kTimeStamping) {
    ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
    ASN1_OBJECT* time_stamping = OBJ_nid2obj(NID_time_stamp);
    if (!eku || time_stamping == nullptr || sk_ASN1_OBJECT_push(eku.get(), time_stamping) <= 0) {
      return OpenSslError("extendedKeyUsage");
    }
    OW_RETURN_IF_ERROR(AddExtension(x, NID_ext_key_usage, eku.get(), true));
  }

  OW_ASSIGN_OR_RETURN(Asn1OctetStringPtr key_id, KeyIdentifier(x));
  OW_RETURN_IF_ERROR(AddExtension(x, NID_subject_key_identifier, key_id.get(), false));
  OW_ASSIGN_OR_RETURN(AuthorityKeyIdPtr akid,
                      AuthorityKeyId(issuer_key_id != nullptr ? issuer_key_id : key_id.get()));
  return AddExtension(x, NID_authority_key_identifier, akid.get(), false);
}

Status CheckSpec(const CertificateSpec& spec) {
  OW_RETURN_IF_ERROR(CheckName(spec.subject));
  if (ToTimeT(spec.not_after) <= ToTimeT(spec.not_before)) {
    return InvalidArgument("not_after must be after not_before");
  }
  if (spec.path_length) {
    if (spec.role != CertificateRole::kCertificateAuthority) {
      return InvalidArgument("a path length is only for a CA");
    }
    if (*spec.path_length < 0) return InvalidArgument("path length must not be negative");
  }
  return {};
}

// ---- chain verification ---------------------------------------------------------------

Status AttachSm2Id(X509* x) {
  if (X509_get_signature_nid(x) != NID_SM2_with_SM3) return {};
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (!id || ASN1_OCTET_STRING_set(id.get(), U(kSm2DistinguishingId),
                                   static_cast<int>(kSm2DistinguishingId.size())) != 1) {
    return OpenSslError("SM2 distinguishing ID");
  }
  X509_set0_distinguishing_id(x, id.release());
  return {};
}

std::string ReasonName(long code) {
  switch (code) {
    case 0:
      return "unspecified";
    case 1:
      return "keyCompromise";
    case 2:
      return "cACompromise";
    case 3:
      return "affiliationChanged";
    case 4:
      return "superseded";
    case 5:
      return "cessationOfOperation";
    case 6:
      return "certificateHold";
    case 8:
      return "removeFromCRL";
    case 9:
      return "privilegeWithdrawn";
    case 10:
      return "aACompromise";
    default:
      return "reason " + std::to_string(code);
  }
}

bool HasCriticalExtension(const STACK_OF(X509_EXTENSION) * exts) {
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(exts, i)) != 0) return true;
  }
  return false;
}

struct ParsedCrl {
  X509CrlPtr crl;
  std::string der;
};

Result<ParsedCrl> ParseCrl(std::string_view pem) {
  ParsedCrl out;
  OW_ASSIGN_OR_RETURN(out.der, PemToDer(pem, "X509 CRL"));
  OW_ASSIGN_OR_RETURN(out.crl, DecodeCrl(out.der));
  X509_CRL* crl = out.crl.get();
  if (X509_CRL_get_version(crl) != X509_CRL_VERSION_2) return InvalidArgument("not a v2 CRL");
  if (X509_CRL_get0_nextUpdate(crl) == nullptr) return InvalidArgument("CRL without nextUpdate");
  OW_RETURN_IF_ERROR(FromAsn1Time(X509_CRL_get0_lastUpdate(crl)));
  OW_RETURN_IF_ERROR(FromAsn1Time(X509_CRL_get0_nextUpdate(crl)));
  if (HasCriticalExtension(X509_CRL_get0_extensions(crl))) {
    return InvalidArgument("CRL has a critical extension");
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    if (HasCriticalExtension(X509_REVOKED_get0_extensions(sk_X509_REVOKED_value(revoked, i)))) {
      return InvalidArgument("CRL entry has a critical extension");
    }
  }
  return out;
}

// Applies one CRL to `chain` (leaf first, root last): it must come from a CA of the chain
// and list none of the certificates that CA issued.
Status ApplyCrl(ParsedCrl& parsed, size_t index, STACK_OF(X509) * chain, SystemTime at) {
  X509_CRL* crl = parsed.crl.get();
  const std::string which = "CRL " + std::to_string(index + 1);
  const int n = sk_X509_num(chain);
  int ca_at = -1;
  for (int i = 1; i < n; ++i) {  // the leaf (0) is never a CA
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(sk_X509_value(chain, i))) ==
        0) {
      ca_at = i;
      break;
    }
  }
  if (ca_at < 0) return InvalidArgument(which + " is not from a CA of this chain");
  X509* ca = sk_X509_value(chain, ca_at);
  const std::string ca_name = "\"" + CommonName(ca) + "\"";
  if ((X509_get_extension_flags(ca) & EXFLAG_KUSAGE) == 0 ||
      (X509_get_key_usage(ca) & KU_CRL_SIGN) == 0) {
    return Unauthenticated(which + " is from " + ca_name + ", which may not sign CRLs");
  }
  auto kind = internal::ClassifyKey(X509_get0_pubkey(ca));
  if (!kind) return Unauthenticated(which + ": issuer key: " + kind.error().message);
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(crl, &signature, &alg);
  OW_ASSIGN_OR_RETURN(std::string_view tbs, FirstElement(parsed.der));
  // OpenSSL 3.0's X509_CRL_verify cannot take an SM2 ID (see x509.h): check by hand, over
  // the received TBSCertList bytes (before any lookup re-sorts the entries).
  if (X509_CRL_get_signature_nid(crl) != SignatureNid(*kind) || signature == nullptr ||
      (signature->flags & 0x07) != 0 ||
      !internal::DigestVerify(
          X509_get0_pubkey(ca), *kind, tbs,
          std::string_view(reinterpret_cast<const char*>(signature->data), signature->length))) {
    return Unauthenticated(which + " from " + ca_name + ": signature does not verify");
  }
  OW_ASSIGN_OR_RETURN(SystemTime this_update, FromAsn1Time(X509_CRL_get0_lastUpdate(crl)));
  OW_ASSIGN_OR_RETURN(SystemTime next_update, FromAsn1Time(X509_CRL_get0_nextUpdate(crl)));
  if (at < this_update) {
    return Unauthenticated(which + " from " + ca_name + " is not yet valid (this update " +
                           FormatTime(this_update) + ")");
  }
  if (at >= next_update) {
    return Unauthenticated(which + " from " + ca_name + " has expired (next update " +
                           FormatTime(next_update) + ")");
  }
  // The certificate just below the CA in the chain is the one it issued.
  X509* cert = sk_X509_value(chain, ca_at - 1);
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(cert)) == 1) {
    std::string when = "?";
    if (auto t = FromAsn1Time(X509_REVOKED_get0_revocationDate(entry))) when = FormatTime(*t);
    long reason = 0;
    Asn1EnumeratedPtr code(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
    if (code) reason = ASN1_ENUMERATED_get(code.get());
    auto serial = SerialHex(X509_get0_serialNumber(cert));
    return Unauthenticated("certificate \"" + CommonName(cert) + "\" (serial " +
                           (serial ? *serial : std::string("?")) + ") was revoked at " + when +
                           " (" + ReasonName(reason) + ") by " + which + " from " + ca_name);
  }
  ERR_clear_error();
  return {};
}

}  // namespace

std::string_view KeyKindName(KeyKind kind) { return kind == KeyKind::kSm2 ? "SM2" : "P-256"; }

std::string_view SignatureAlgorithmName(KeyKind kind) {
  return kind == KeyKind::kSm2 ? "SM2-with-SM3" : "ecdsa-with-SHA256";
}

Result<std::string> IssueCertificate(const CertificateSpec& spec, const Issuer& issuer) {
  OW_RETURN_IF_ERROR(CheckSpec(spec));
  auto subject_key = internal::ReadPublicKey(spec.public_key_pem);
  if (!subject_key) return InvalidArgument("subject public key: " + subject_key.error().message);
  auto subject_kind = internal::ClassifyKey(subject_key->get());
  if (!subject_kind) return InvalidArgument("subject public key: " + subject_kind.error().message);
  OW_ASSIGN_OR_RETURN(Signer signer, LoadSigner(issuer, false));
  if (*subject_kind != signer.kind) {
    return InvalidArgument(std::string("a ") + std::string(KeyKindName(Public(signer.kind))) +
                           " CA issues only for " + std::string(KeyKindName(Public(signer.kind))) +
                           " keys, not " + std::string(KeyKindName(Public(*subject_kind))));
  }
  const bool self_signed = !signer.cert;
  if (self_signed) {
    if (spec.role != CertificateRole::kCertificateAuthority) {
      return InvalidArgument("a self-signed certificate must be a CA");
    }
    if (EVP_PKEY_eq(subject_key->get(), signer.key.get()) != 1) {
      ERR_clear_error();
      return InvalidArgument("self-signed: the public key is not the issuer private key's");
    }
  } else if (ToTimeT(spec.not_before) < ToTimeT(signer.cert->info.not_before) ||
             ToTimeT(spec.not_after) > ToTimeT(signer.cert->info.not_after)) {
    return InvalidArgument("validity must lie within the issuer's (" +
                           FormatTime(signer.cert->info.not_before) + " to " +
                           FormatTime(signer.cert->info.not_after) + ")");
  }

  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return OpenSslError("X509_new");
  // Positive and exactly 16 bytes long: the top bit clear, the next one set.
  std::string serial_bytes = RandomBytes(kSerialSize);
  serial_bytes[0] = static_cast<char>((static_cast<unsigned char>(serial_bytes[0]) & 0x7F) | 0x40);
  OW_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, SerialFromHex(HexEncode(serial_bytes)));
  OW_ASSIGN_OR_RETURN(X509NamePtr subject, BuildName(spec.subject));
  OW_ASSIGN_OR_RETURN(Asn1TimePtr not_before, ToAsn1Time(spec.not_before));
  OW_ASSIGN_OR_RETURN(Asn1TimePtr not_after, ToAsn1Time(spec.not_after));
  const X509_NAME* issuer_name =
      self_signed ? subject.get() : X509_get_subject_name(signer.cert->x.get());
  if (X509_set_serialNumber(x.get(), serial.get()) != 1 ||
      X509_set_subject_name(x.get(), subject.get()) != 1 ||
      X509_set_issuer_name(x.get(), issuer_name) != 1 ||
      X509_set1_notBefore(x.get(), not_before.get()) != 1 ||
      X509_set1_notAfter(x.get(), not_after.get()) != 1 ||
      X509_set_pubkey(x.get(), subject_key->get()) != 1) {
    return OpenSslError("building the certificate");
  }
  OW_RETURN_IF_ERROR(AddCertificateExtensions(
      x.get(), spec, self_signed ? nullptr : X509_get0_subject_key_id(signer.cert->x.get())));

  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  OW_RETURN_IF_ERROR(internal::DigestInit(ctx.get(), signer.key.get(), signer.kind, true));
  if (X509_sign_ctx(x.get(), ctx.get()) <= 0) return OpenSslError("signing the certificate");
  return ToPem(x.get());
}

Result<CertificateInfo> ParseCertificate(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(Parsed parsed, Parse(pem));
  return std::move(parsed.info);
}

Status VerifyChain(std::string_view leaf_pem, const std::vector<std::string>& intermediate_pems,
                   std::string_view root_pem, SystemTime at,
                   const std::vector<std::string>& crl_pems) {
  auto parse = [](std::string_view pem, const std::string& what) -> Result<Parsed> {
    auto p = Parse(pem);
    if (!p) return InvalidArgument(what + ": " + p.error().message);
    OW_RETURN_IF_ERROR(AttachSm2Id(p->x.get()));
    return p;
  };
  OW_ASSIGN_OR_RETURN(Parsed leaf, parse(leaf_pem, "leaf certificate"));
  OW_ASSIGN_OR_RETURN(Parsed root, parse(root_pem, "root certificate"));
  std::vector<Parsed> intermediates;
  for (size_t i = 0; i < intermediate_pems.size(); ++i) {
    OW_ASSIGN_OR_RETURN(Parsed p,
                        parse(intermediate_pems[i], "intermediate " + std::to_string(i + 1)));
    intermediates.push_back(std::move(p));
  }
  std::vector<ParsedCrl> crls;
  for (size_t i = 0; i < crl_pems.size(); ++i) {
    auto crl = ParseCrl(crl_pems[i]);
    if (!crl) return InvalidArgument("CRL " + std::to_string(i + 1) + ": " + crl.error().message);
    crls.push_back(std::move(*crl));
  }

  X509StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx || X509_STORE_add_cert(store.get(), root.x.get()) != 1) {
    return OpenSslError("certificate store");
  }
  for (Parsed& p : intermediates) {
    if (sk_X509_push(untrusted.get(), p.x.get()) <= 0) return OpenSslError("certificate stack");
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x.get(), untrusted.get()) != 1) {
    return OpenSslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, ToTimeT(at));
  // The store holds our root object itself, with the SM2 ID attached, so its
  // self-signature can be checked too.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_CHECK_SS_SIGNATURE);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const X509* at_cert = X509_STORE_CTX_get_current_cert(ctx.get());
    ERR_clear_error();
    std::string why = X509_verify_cert_error_string(err);
    if (at_cert != nullptr &&
        (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)) {
      auto from = FromAsn1Time(X509_get0_notBefore(at_cert));
      auto to = FromAsn1Time(X509_get0_notAfter(at_cert));
      if (from && to) why += " (valid " + FormatTime(*from) + " to " + FormatTime(*to) + ")";
    }
    return Unauthenticated("certificate \"" + (at_cert ? CommonName(at_cert) : "?") + "\" (depth " +
                           std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) + "): " + why);
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  const int n = sk_X509_num(chain);
  for (int i = 0; i < n; ++i) {
    X509* x = sk_X509_value(chain, i);
    auto kind = internal::ClassifyKey(X509_get0_pubkey(x));
    if (!kind || *kind != root.kind || X509_get_signature_nid(x) != SignatureNid(root.kind)) {
      return Unauthenticated("certificate \"" + CommonName(x) + "\" is not of the root's kind (" +
                             std::string(KeyKindName(Public(root.kind))) + "): one kind per chain");
    }
  }
  const uint32_t leaf_flags = X509_get_extension_flags(leaf.x.get());
  if ((leaf_flags & EXFLAG_CA) != 0 || (leaf_flags & EXFLAG_KUSAGE) == 0 ||
      (X509_get_key_usage(leaf.x.get()) & KU_DIGITAL_SIGNATURE) == 0) {
    return Unauthenticated("certificate \"" + leaf.info.subject.common_name +
                           "\" is not a seal certificate (a CA, or keyUsage without "
                           "digitalSignature)");
  }
  for (size_t i = 0; i < crls.size(); ++i) {
    OW_RETURN_IF_ERROR(ApplyCrl(crls[i], i, chain, at));
  }
  return {};
}

Result<std::string> IssueCrl(const Issuer& issuer, const CrlSpec& spec) {
  if (issuer.certificate_pem.empty()) return InvalidArgument("a CRL needs the issuer certificate");
  if (ToTimeT(spec.next_update) <= ToTimeT(spec.this_update)) {
    return InvalidArgument("next_update must be after this_update");
  }
  OW_ASSIGN_OR_RETURN(Signer signer, LoadSigner(issuer, true));
  X509* ca = signer.cert->x.get();

  X509CrlPtr crl(X509_CRL_new());
  OW_ASSIGN_OR_RETURN(Asn1TimePtr this_update, ToAsn1Time(spec.this_update));
  OW_ASSIGN_OR_RETURN(Asn1TimePtr next_update, ToAsn1Time(spec.next_update));
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OpenSslError("building the CRL");
  }
  std::set<std::string> seen;
  for (const RevokedCertificate& r : spec.revoked) {
    auto serial = SerialFromHex(r.serial_hex);
    if (!serial)
      return InvalidArgument("revoked \"" + r.serial_hex + "\": " + serial.error().message);
    OW_ASSIGN_OR_RETURN(std::string normalized, SerialHex(serial->get()));
    if (!seen.insert(normalized).second) {
      return InvalidArgument("serial " + normalized + " is listed twice");
    }
    X509RevokedPtr entry(X509_REVOKED_new());
    OW_ASSIGN_OR_RETURN(Asn1TimePtr when, ToAsn1Time(r.revoked_at));
    if (!entry || X509_REVOKED_set_serialNumber(entry.get(), serial->get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1) {
      return OpenSslError("CRL entry");
    }
    if (r.reason != RevocationReason::kUnspecified) {
      Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(r.reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, code.get(), 0,
                                    X509V3_ADD_DEFAULT) != 1) {
        return OpenSslError("CRL entry reason");
      }
    }
    if (X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) return OpenSslError("CRL entry");
    static_cast<void>(entry.release());  // owned by the CRL now
  }
  // Entries in serial order, so that equal inputs give equal CRLs.
  if (X509_CRL_sort(crl.get()) != 1) return OpenSslError("sorting the CRL");

  OW_ASSIGN_OR_RETURN(AuthorityKeyIdPtr akid, AuthorityKeyId(X509_get0_subject_key_id(ca)));
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), spec.crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, akid.get(), 0,
                            X509V3_ADD_DEFAULT) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("CRL extensions");
  }

  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  OW_RETURN_IF_ERROR(internal::DigestInit(ctx.get(), signer.key.get(), signer.kind, true));
  if (X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0) return OpenSslError("signing the CRL");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
    return OpenSslError("writing the CRL PEM");
  }
  return internal::ReadBio(bio.get());
}

}  // namespace ow::crypto
