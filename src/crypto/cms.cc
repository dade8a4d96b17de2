#include "crypto/cms.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>

#include "crypto/hash.h"
#include "crypto/openssl_internal.h"

namespace ow::crypto {
namespace {

using internal::BioPtr;
using internal::Deleter;
using internal::MdCtxPtr;
using internal::NoPassphrase;
using internal::OpenSslError;
using internal::PkeyPtr;
using internal::TakeOpenSslErrors;
using internal::X509Ptr;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using AsnTimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
struct OpenSslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

// PEM inputs larger than this are not certificates or keys we would issue.
constexpr size_t kMaxPemSize = size_t{64} * 1024;
// ContentInfo, SignedData, SignerInfo, algorithm identifiers, the signed attributes
// without names, the ECDSA signature (at most 72 bytes): comfortably below this.
constexpr size_t kCmsOverhead = 2048;

Result<BioPtr> BioFrom(std::string_view pem) {
  if (pem.size() > kMaxPemSize) return InvalidArgument("PEM too large");
  return internal::MemBio(pem);
}

// Every certificate of a PEM string (at least one).
Result<std::vector<X509Ptr>> ReadCertificates(std::string_view pem, std::string_view what) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, BioFrom(pem));
  std::vector<X509Ptr> certs;
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
    certs.emplace_back(raw);
  }
  // The loop ends with "no start line" at the end of the input: not an error if it
  // read something.
  ERR_clear_error();
  if (certs.empty()) return InvalidArgument(std::string(what) + " is not a PEM certificate");
  return certs;
}

Result<PkeyPtr> ReadP256PrivateKey(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, BioFrom(pem));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return InvalidArgument(TakeOpenSslErrors("not an unencrypted private key PEM"));
  if (EVP_PKEY_is_a(key.get(), "EC") != 1) {
    return InvalidArgument("signing key is not an EC key (need P-256)");
  }
  std::array<char, 64> group{};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key.get(), group.data(), group.size(), &len) != 1) {
    ERR_clear_error();
    return InvalidArgument("EC key without a named curve (need P-256)");
  }
  if (std::strcmp(group.data(), "prime256v1") != 0 && std::strcmp(group.data(), "P-256") != 0) {
    return InvalidArgument(std::string("signing key is on curve ") + group.data() +
                           " (need P-256)");
  }
  return key;
}

Status CheckSigner(X509* cert, EVP_PKEY* key, std::chrono::system_clock::time_point when) {
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return InvalidArgument("the signing key does not match the signer certificate");
  }
  // X509_get_key_usage also caches the extensions; UINT32_MAX means "no keyUsage".
  const uint32_t usage = X509_get_key_usage(cert);
  if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
    return InvalidArgument("the signer certificate's key usage does not allow signatures");
  }
  time_t t = std::chrono::system_clock::to_time_t(when);
  if (X509_cmp_time(X509_get0_notBefore(cert), &t) >= 0 ||
      X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0) {
    ERR_clear_error();
    return FailedPrecondition("the signer certificate is not valid at the signing time");
  }
  return {};
}

// The DER of the signed attributes as the signature covers them (RFC 5652 section
// 5.4): an explicit SET OF with the elements in DER order, i.e. sorted by their
// encodings. std::string compares as unsigned char, which is that order.
Result<std::string> SignedAttributesDer(CMS_SignerInfo* si) {
  const int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return Internal("signer info has no signed attributes");
  std::vector<std::string> encoded;
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
    unsigned char* der = nullptr;
    const int len = i2d_X509_ATTRIBUTE(attr, &der);
    if (len <= 0) return OpenSslError("encoding a signed attribute");
    std::unique_ptr<unsigned char, OpenSslFree> owned(der);
    encoded.emplace_back(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    total += static_cast<size_t>(len);
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out(1, '\x31');  // SET
  if (total < 0x80) {
    out += static_cast<char>(total);
  } else {
    std::string len;
    for (size_t n = total; n > 0; n >>= 8) len.insert(len.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | len.size());
    out += len;
  }
  for (const std::string& e : encoded) out += e;
  return out;
}

Status AddSignedAttributes(CMS_SignerInfo* si, std::string_view digest,
                           std::chrono::system_clock::time_point signing_time,
                           SigningTimeAttribute signing_time_attribute) {
  // The ESS signing-certificate-v2 attribute was added by CMS_add1_signer (CMS_CADES).
  if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                  OBJ_nid2obj(NID_pkcs7_data), -1) != 1) {
    return OpenSslError("content-type attribute");
  }
  if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                                  static_cast<int>(digest.size())) != 1) {
    return OpenSslError("message-digest attribute");
  }
  if (signing_time_attribute == SigningTimeAttribute::kInclude) {
    // ASN1_TIME_set picks UTCTime for 1950-2049 and GeneralizedTime otherwise, which
    // is what RFC 5652 section 11.3 prescribes.
    AsnTimePtr t(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(signing_time)));
    if (!t || CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t.get(), -1) != 1) {
      return OpenSslError("signing-time attribute");
    }
  }
  return {};
}

Status SignSignerInfo(CMS_SignerInfo* si, EVP_PKEY* key) {
  OW_ASSIGN_OR_RETURN(std::string attrs, SignedAttributesDer(si));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1) {
    return OpenSslError("signature setup");
  }
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(attrs.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, attrs.size()) != 1) {
    return OpenSslError("signature size");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                     attrs.size()) != 1) {
    return OpenSslError("signing");
  }
  ASN1_OCTET_STRING* slot = CMS_SignerInfo_get0_signature(si);
  if (slot == nullptr || ASN1_STRING_set(slot, sig.data(), static_cast<int>(len)) != 1) {
    return OpenSslError("storing the signature");
  }
  return {};
}

}  // namespace

Result<std::string> SignCadesDetachedSha256(std::string_view content_sha256,
                                            std::string_view signer_cert_pem,
                                            std::string_view signer_key_pem,
                                            const std::vector<std::string>& chain_pems,
                                            std::chrono::system_clock::time_point signing_time,
                                            SigningTimeAttribute signing_time_attribute) {
  if (content_sha256.size() != kSha256Size) {
    return InvalidArgument("content digest must be 32 bytes (SHA-256)");
  }
  OW_ASSIGN_OR_RETURN(std::vector<X509Ptr> signer_certs,
                      ReadCertificates(signer_cert_pem, "signer certificate"));
  if (signer_certs.size() != 1) {
    return InvalidArgument("signer certificate PEM must hold exactly one certificate");
  }
  X509* signer = signer_certs.front().get();
  std::vector<X509Ptr> chain;
  for (const std::string& pem : chain_pems) {
    OW_ASSIGN_OR_RETURN(std::vector<X509Ptr> certs, ReadCertificates(pem, "chain certificate"));
    for (X509Ptr& c : certs) {
      if (chain.size() == kMaxCmsChainCertificates) {
        return InvalidArgument("too many chain certificates");
      }
      chain.push_back(std::move(c));
    }
  }
  OW_ASSIGN_OR_RETURN(PkeyPtr key, ReadP256PrivateKey(signer_key_pem));
  OW_RETURN_IF_ERROR(CheckSigner(signer, key.get(), signing_time));

  // CMS_PARTIAL everywhere: OpenSSL must not finalize (CMS_final would sign and add a
  // signing-time attribute of its own; see the header).
  constexpr unsigned kFlags = CMS_BINARY | CMS_DETACHED | CMS_PARTIAL;
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) return OpenSslError("CMS_sign");
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), signer, key.get(), EVP_sha256(),
                                       CMS_BINARY | CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP);
  if (si == nullptr) return OpenSslError("CMS_add1_signer");
  std::vector<X509*> included = {signer};
  for (const X509Ptr& c : chain) {
    const bool seen = std::any_of(included.begin(), included.end(),
                                  [&](X509* x) { return X509_cmp(x, c.get()) == 0; });
    if (seen) continue;
    if (CMS_add1_cert(cms.get(), c.get()) != 1) return OpenSslError("adding a chain certificate");
    included.push_back(c.get());
  }
  OW_RETURN_IF_ERROR(AddSignedAttributes(si, content_sha256, signing_time, signing_time_attribute));
  OW_RETURN_IF_ERROR(SignSignerInfo(si, key.get()));

  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  if (len <= 0) return OpenSslError("encoding CMS");
  std::unique_ptr<unsigned char, OpenSslFree> owned(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
}

Result<std::string> SignCadesDetached(std::string_view content, std::string_view signer_cert_pem,
                                      std::string_view signer_key_pem,
                                      const std::vector<std::string>& chain_pems,
                                      std::chrono::system_clock::time_point signing_time,
                                      SigningTimeAttribute signing_time_attribute) {
  return SignCadesDetachedSha256(Sha256(content), signer_cert_pem, signer_key_pem, chain_pems,
                                 signing_time, signing_time_attribute);
}

size_t MaxCadesSignatureSize(std::string_view signer_cert_pem,
                             const std::vector<std::string>& chain_pems) {
  // The signer's issuer name and serial appear twice besides the certificate itself
  // (SignerIdentifier and the ESS IssuerSerial); each is shorter than the certificate.
  size_t total = kCmsOverhead + 3 * signer_cert_pem.size();
  for (const std::string& pem : chain_pems) total += pem.size();
  return total;
}

}  // namespace ow::crypto
